package kerneltest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

func checkEncodeQ8_0(c *checker, k *kernels.Set) {
	checkEncode(c, k.EncodeQ8_0, fallback.EncodeQ8_0, float32Q8())
}

func (f *format) checkEncodeQ8_0(c *checker, k *kernels.Set) {
	checkEncode(c, f.set(k).EncodeQ8_0, f.set(&fallback.Kernels).EncodeQ8_0, f.q8Source())
}

// blockSweep calls run for every block count up to q8EveryBlocks at every
// pair of start positions within a 64-byte line of src and dst (under
// -short, at every start position of each, paired as sweep pairs them),
// then for the large counts at a few positions. salt varies with every
// case.
func blockSweep(c *checker, srcSlots, dstSlots int, run func(blocks, srcOff, dstOff, salt int)) {
	salt := 0
	for nb := 0; nb <= q8EveryBlocks; nb++ {
		if testing.Short() {
			for i := range max(srcSlots, dstSlots) {
				if c.done() {
					return
				}
				run(nb, i%srcSlots, (i+nb)%dstSlots, salt)
				salt++
			}
			continue
		}
		for so := range srcSlots {
			for do := range dstSlots {
				if c.done() {
					return
				}
				run(nb, so, do, salt)
				salt++
			}
		}
	}
	sweepLarge(c, q8LargeBlocks, srcSlots, dstSlots, run)
}

// blockSweepPools is blockSweep on data from pools: each case takes its
// blocks of size elements from the pool its salt picks (the first pool
// if that one is too short), at a start the salt derives, which ci
// describes.
func blockSweepPools[S elem](c *checker, pools []*pool[S], size, srcSlots, dstSlots int, run func(in []S, srcOff, dstOff int, ci caseInfo)) {
	blockSweep(c, srcSlots, dstSlots, func(nb, so, do, salt int) {
		p := pools[salt%len(pools)]
		if len(p.data) < nb*size {
			p = pools[0]
		}
		in, at := blockWindow(p, nb, size, salt)
		run(in, so, do, p.info(at))
	})
}

// le16 reads a little-endian 16-bit value.
func le16(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }

// blockMax returns the index in blk of its first element of largest
// magnitude.
func blockMax[S float32 | uint16](value func(S) float32, blk []S) int {
	m := 0
	for i, x := range blk {
		if abs32(value(x)) > abs32(value(blk[m])) {
			m = i
		}
	}
	return m
}

func abs32(x float32) float32 { return f32(f32bits(x) & 0x7FFFFFFF) }

// explainEncode describes the first wrong byte i of an EncodeQ8_0 result.
func explainEncode[S float32 | uint16](src *q8Source[S]) explainer[byte, S] {
	return func(i int, in []S, got, want []byte) string {
		const n, size = kernels.Q8_0Values, kernels.Q8_0Bytes
		b, j := i/size, i%size
		blk := in[b*n : (b+1)*n]
		m := blockMax(src.value, blk)
		gd, wd := le16(got[b*size:]), le16(want[b*size:])
		if j < 2 {
			return fmt.Sprintf("block %d: got d %#04x, want %#04x (max|x| at input index %d: %s)",
				b, gd, wd, b*n+m, src.show(blk[m]))
		}
		v := j - 2
		return fmt.Sprintf("block %d value %d (input index %d): input %s: got q %d, want %d (d %#04x, max|x| at index %d: %s)",
			b, v, b*n+v, src.show(blk[v]), int8(got[i]), int8(want[i]), wd, b*n+m, src.show(blk[m]))
	}
}

// requireQ8Input panics if a block of in breaks EncodeQ8_0's precondition:
// the suite must never feed one.
func requireQ8Input[S float32 | uint16](value func(S) float32, in []S) {
	const n = kernels.Q8_0Values
	if len(in)%n != 0 {
		panic(fmt.Sprintf("kerneltest: Q8_0 input of %d values", len(in)))
	}
	for b := 0; b < len(in); b += n {
		m := blockMax(value, in[b:b+n])
		if !q8Valid(f32bits(abs32(value(in[b+m])))) {
			panic(fmt.Sprintf("kerneltest: Q8_0 block at %d breaks the precondition: max|x| = %g", b, value(in[b+m])))
		}
	}
}

// checkEncode tests an EncodeQ8_0 kernel: every block count up to
// q8EveryBlocks at every pair of positions and a few large counts, on
// pools of block kinds; every d the format reaches; and each kind of block
// at every block position.
func checkEncode[S float32 | uint16](c *checker, got, ref func([]byte, []S), src *q8Source[S]) {
	const n, size = kernels.Q8_0Values, kernels.Q8_0Bytes
	r := newMapRig[byte, S](c)
	r.show = src.show
	explain := explainEncode(src)
	ss, ds := slots[S](), slots[byte]()
	run := func(in []S, so, do int, ci caseInfo) {
		requireQ8Input(src.value, in)
		r.checkShaped(got, ref, in, len(in)/n*size, so, do, ci, explain)
	}
	pools := src.pools
	blockSweepPools(c, pools, n, ss, ds, run)
	for i := 0; i*n < len(src.everyD) && !c.done(); i += q8MaxBlockCount {
		in := src.everyD[i*n : min(len(src.everyD), (i+q8MaxBlockCount)*n)]
		if testing.Short() && (i/q8MaxBlockCount)%4 != 0 && len(in) == q8MaxBlockCount*n {
			continue // every fourth call and the last
		}
		run(in, i%ss, (i/q8MaxBlockCount)%ds, caseInfo{data: "every-d", at: i * n})
	}
	bg := pools[0]
	buf := make([]S, q8EveryBlocks*n)
	for ki, kp := range pools[1 : 1+src.kinds] {
		for nb := 1; nb <= q8EveryBlocks && !c.done(); nb++ {
			for pos := range nb {
				base, at := blockWindow(bg, nb, n, ki*100+nb)
				copy(buf, base)
				blk, bat := blockWindow(kp, 1, n, ki*1000+nb*10+pos)
				copy(buf[pos*n:], blk)
				ci := caseInfo{data: fmt.Sprintf("%s with block %d of %s as block %d", bg.name, bat/n, kp.name, pos), at: at}
				run(buf[:nb*n], (ki+pos)%ss, (ki*3+nb+pos)%ds, ci)
			}
		}
	}
}

// explainDecode describes the first wrong value i of a DecodeQ8_0 result.
func explainDecode(i int, in []byte, got, want []float32) string {
	return explainDecodeAs(hex[float32])(i, in, got, want)
}

// explainDecodeAs describes the first wrong value i of a DecodeQ8_0
// result whose elements show formats.
func explainDecodeAs[D float32 | uint16](show func(D) string) explainer[D, byte] {
	return func(i int, in []byte, got, want []D) string {
		const n, size = kernels.Q8_0Values, kernels.Q8_0Bytes
		b, j := i/n, i%n
		d, q := le16(in[b*size:]), int8(in[b*size+2+j])
		return fmt.Sprintf("block %d value %d: d %#04x (%g), q %d, product %s: got %s, want %s",
			b, j, d, fallback.FromFloat16(d), q, hex(float32(q)*fallback.FromFloat16(d)), show(got[i]), show(want[i]))
	}
}

// decodeSpecialD are the scales put into every block position: zeros,
// subnormals, the largest finite values, infinities and NaNs.
var decodeSpecialD = []uint16{
	0, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400, 0x3C00, 0xBC00, 0x7BFF, 0xFBFF, 0x7C00, 0xFC00,
	0x7C01, 0x7DFF, 0x7E00, 0xFE00, 0x7FFF, 0xFFFF,
}

func checkDecodeQ8_0(c *checker, k *kernels.Set) {
	checkDecode(c, k.DecodeQ8_0, fallback.DecodeQ8_0, hex[float32])
}

// checkDecodeQ8_0 checks the DecodeQ8_0 kernels that narrow the
// products to binary16 or bfloat16 on the data of the float32 one.
func (f *format) checkDecodeQ8_0(c *checker, k *kernels.Set) {
	checkDecode(c, f.set(k).DecodeQ8_0, f.set(&fallback.Kernels).DecodeQ8_0, f.show)
}

// everyDBlocks holds a block for every d, infinities and NaNs included:
// block i has d = i and q spread over the int8 range.
var everyDBlocks = sync.OnceValue(func() []byte {
	const n, size = kernels.Q8_0Values, kernels.Q8_0Bytes
	every := make([]byte, 1<<16*size)
	for d := range 1 << 16 {
		b := every[d*size : (d+1)*size]
		b[0], b[1] = byte(d), byte(d>>8)
		for j := range n {
			b[2+j] = byte(d + j*8)
		}
	}
	return every
})

// checkDecode tests a DecodeQ8_0 kernel: every block count up to
// q8EveryBlocks at every pair of positions and a few large counts, every
// d (under -short, a quarter of them), and special d in every block
// position with every q.
func checkDecode[D float32 | uint16](c *checker, got, ref func([]D, []byte), show func(D) string) {
	const n, size = kernels.Q8_0Values, kernels.Q8_0Bytes
	r := newMapRig[D, byte](c)
	ss, ds := slots[byte](), slots[D]()
	explain := explainDecodeAs(show)
	run := func(in []byte, so, do int, ci caseInfo) {
		r.checkShaped(got, ref, in, len(in)/size*n, so, do, ci, explain)
	}
	pools := decodePools()
	blockSweepPools(c, pools, size, ss, ds, run)
	every := everyDBlocks()
	for i := 0; i < 1<<16 && !c.done(); i += q8MaxBlockCount {
		in := every[i*size : min(1<<16, i+q8MaxBlockCount)*size]
		if testing.Short() && (i/q8MaxBlockCount)%4 != 0 && len(in) == q8MaxBlockCount*size {
			continue
		}
		run(in, i%ss, (i/q8MaxBlockCount)%ds, caseInfo{data: "every-d", at: i * size})
	}
	// Special d in every block position, with every q.
	bg := poolNamed(pools, "finite-d")
	buf := make([]byte, q8EveryBlocks*size)
	for si, d := range decodeSpecialD {
		for nb := 1; nb <= q8EveryBlocks && !c.done(); nb++ {
			for pos := range nb {
				base, at := blockWindow(bg, nb, size, si*100+nb)
				copy(buf, base)
				b := buf[pos*size : (pos+1)*size]
				b[0], b[1] = byte(d), byte(d>>8)
				for j := range n {
					b[2+j] = byte(pos*n + j + si)
				}
				ci := caseInfo{data: fmt.Sprintf("%s with d %#04x in block %d", bg.name, d, pos), at: at}
				run(buf[:nb*size], (si+pos)%ss, (si*3+nb+pos)%ds, ci)
			}
		}
	}
}
