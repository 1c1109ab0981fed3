package kerneltest

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// The GGUF block kernels (Q8_0, Q4_0, Q4_1) share one encode check and
// one decode check, each run on a codec: the description of a block
// format that the checks, their data and their explanations need.

// codec describes a GGUF block format: 32 values a block, stored as
// binary16 parameters and then the quants.
type codec struct {
	id     int      // index into the per-format caches
	name   string   // "Q8_0": the kernels are Encode<name> and Decode<name>
	prefix string   // of its pool names
	size   int      // bytes of a block
	params []string // the binary16 parameters a block opens with, in order
	// nibbles: 4-bit quants, byte j holding value j in its low nibble and
	// value j+16 in its high one; else an int8 a value.
	nibbles bool
	// valid reports whether a block of values meets the encoder's
	// precondition: the suite must never feed one that does not.
	valid func(x []float32) bool
	// keys names the values of a block that set its parameters, with
	// their indices.
	keys func(x []float32) []keyAt
	// div is the divisor of the shared block kinds: blocks of largest
	// magnitude a get a d near a/div, and q spans [-div, div].
	div float32
	// kinds are block kinds of the codec's own, after the shared ones.
	kinds []blockKind
	seed  uint64 // added to the seeds of its pools
	// everyD32 and everyD16 return blocks that reach every d (or every m)
	// a source format can give.
	everyD32 func() []float32
	everyD16 func(f *format) []uint16
	// specialQ are the quant bytes of the decode pool of special d; qStep
	// spreads the quant bytes of the blocks of every parameter value.
	specialQ []byte
	qStep    int
	// moreSpecialD are put into every block position besides
	// decodeSpecialD.
	moreSpecialD []uint16

	src32      lazy[*blockSource[float32]]
	decodeData lazy[[]*pool[byte]]
	everyParam lazy[[]byte]
}

var (
	q8Codec = &codec{
		id: 0, name: "Q8_0", prefix: "q8", size: kernels.Q8_0Bytes, params: []string{"d"},
		valid:    func(x []float32) bool { return q8Valid(fallback.AbsMaxBits(x)) },
		keys:     func(x []float32) []keyAt { return []keyAt{{"max|x|", blockMax(x)}} },
		div:      127,
		everyD32: func() []float32 { return everyMaxFloat32(127) },
		everyD16: func(f *format) []uint16 { return f.everyMax(127) },
		specialQ: []byte{0x80, 0x7F, 0x81, 0, 0xFF, 1}, // -128, 127, -127, 0, -1, 1
		qStep:    8,
	}
	q4_0Codec = &codec{
		id: 1, name: "Q4_0", prefix: "q4_0", size: kernels.Q4_0Bytes, params: []string{"d"}, nibbles: true,
		valid: validQ4_0,
		keys:  func(x []float32) []keyAt { return []keyAt{{"e", blockMax(x)}} },
		div:   8, kinds: q4_0Kinds, seed: 0x40,
		everyD32:     func() []float32 { return everyMaxFloat32(8) },
		everyD16:     func(f *format) []uint16 { return f.everyMax(8) },
		specialQ:     q4SpecialQ,
		qStep:        0x35,
		moreSpecialD: q4SpecialD,
	}
	q4_1Codec = &codec{
		id: 2, name: "Q4_1", prefix: "q4_1", size: kernels.Q4_1Bytes, params: []string{"d", "m"}, nibbles: true,
		valid: validQ4_1,
		keys:  q4_1Keys,
		div:   15, kinds: q4_1Kinds, seed: 0x80,
		everyD32:     everyRangeFloat32,
		everyD16:     func(f *format) []uint16 { return f.everyMin() },
		specialQ:     q4SpecialQ,
		qStep:        0x35,
		moreSpecialD: q4SpecialD,
	}
	codecs = []*codec{q8Codec, q4_0Codec, q4_1Codec}
)

// keyAt is a value of a block that sets a parameter: its role ("max|x|")
// and its index in the block.
type keyAt struct {
	role string
	at   int
}

const blockValues = kernels.Q8_0Values // every GGUF format here has 32 values a block

// paramBytes is the number of bytes of the parameters.
func (cd *codec) paramBytes() int { return 2 * len(cd.params) }

// quantByte returns the byte of a block that holds the quant of value v.
func (cd *codec) quantByte(v int) int {
	if cd.nibbles {
		return cd.paramBytes() + v%16
	}
	return cd.paramBytes() + v
}

// quant returns the quant of value v of the block b.
func (cd *codec) quant(b []byte, v int) int {
	if cd.nibbles {
		return int(b[cd.quantByte(v)]>>(4*(v/16))) & 15
	}
	return int(int8(b[cd.quantByte(v)]))
}

// slot describes where value v's quant sits, for nibbles.
func (cd *codec) slot(v int) string {
	if !cd.nibbles {
		return ""
	}
	return fmt.Sprintf(", %s nibble of byte %d", []string{"low", "high"}[v/16], v%16)
}

// showParams formats the parameters of the block b.
func (cd *codec) showParams(b []byte) string {
	var s []string
	for i, name := range cd.params {
		h := le16(b[2*i:])
		s = append(s, fmt.Sprintf("%s %#04x (%g)", name, h, fallback.FromFloat16(h)))
	}
	return strings.Join(s, ", ")
}

// fillQuants fills the quant bytes q of a block from salt; a 4-bit block
// gets every nibble value in both halves.
func (cd *codec) fillQuants(q []byte, salt int) {
	for j := range q {
		if cd.nibbles {
			q[j] = byte((salt+j)&15 | (salt+15-j)&15<<4)
		} else {
			q[j] = byte(salt + j)
		}
	}
}

func (cd *codec) encodeName() string { return "Encode" + cd.name }
func (cd *codec) decodeName() string { return "Decode" + cd.name }

// The codec's kernels of a kernels.Set or a kernels.Format16: the fields
// Encode<name> and Decode<name>.

func (cd *codec) enc(k *kernels.Set) func([]byte, []float32) {
	return kernelField[func([]byte, []float32)](k, cd.encodeName())
}

func (cd *codec) dec(k *kernels.Set) func([]float32, []byte) {
	return kernelField[func([]float32, []byte)](k, cd.decodeName())
}

func (cd *codec) enc16(f *kernels.Format16) func([]byte, []uint16) {
	return kernelField[func([]byte, []uint16)](f, cd.encodeName())
}

func (cd *codec) dec16(f *kernels.Format16) func([]uint16, []byte) {
	return kernelField[func([]uint16, []byte)](f, cd.decodeName())
}

// kernelField returns the field name of the struct *set.
func kernelField[F any](set any, name string) F {
	return reflect.ValueOf(set).Elem().FieldByName(name).Interface().(F)
}

// ggufChecks are the checks of the kernels of every codec, from float32
// and each 16-bit format, to each.
func ggufChecks() []kernelCheck {
	var out []kernelCheck
	for _, cd := range codecs {
		out = append(out,
			kernelCheck{cd.encodeName(), func(k *kernels.Set) any { return cd.enc(k) }, cd.checkEncode},
			kernelCheck{cd.decodeName(), func(k *kernels.Set) any { return cd.dec(k) }, cd.checkDecode})
		for _, f := range formats {
			out = append(out,
				kernelCheck{f.name + "." + cd.encodeName(), func(k *kernels.Set) any { return cd.enc16(f.set(k)) }, cd.checkEncode16(f)},
				kernelCheck{f.name + "." + cd.decodeName(), func(k *kernels.Set) any { return cd.dec16(f.set(k)) }, cd.checkDecode16(f)})
		}
	}
	return out
}

func (cd *codec) checkEncode(c *checker, k *kernels.Set) {
	checkEncode(c, cd, cd.enc(k), cd.enc(&fallback.Kernels), cd.source32())
}

func (cd *codec) checkEncode16(f *format) func(c *checker, k *kernels.Set) {
	return func(c *checker, k *kernels.Set) {
		checkEncode(c, cd, cd.enc16(f.set(k)), cd.enc16(f.set(&fallback.Kernels)), cd.source16(f))
	}
}

func (cd *codec) checkDecode(c *checker, k *kernels.Set) {
	checkDecode(c, cd, cd.dec(k), cd.dec(&fallback.Kernels), hex[float32])
}

// checkDecode16 checks the decoders that narrow the float32 results to
// binary16 or bfloat16, on the data of the float32 one.
func (cd *codec) checkDecode16(f *format) func(c *checker, k *kernels.Set) {
	return func(c *checker, k *kernels.Set) {
		checkDecode(c, cd, cd.dec16(f.set(k)), cd.dec16(f.set(&fallback.Kernels)), f.show)
	}
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
func blockMax(blk []float32) int {
	m := 0
	for i, x := range blk {
		if abs32(x) > abs32(blk[m]) {
			m = i
		}
	}
	return m
}

func abs32(x float32) float32 { return f32(f32bits(x) & 0x7FFFFFFF) }

// widenBlock returns the values of the block blk of a source format.
func widenBlock[S float32 | uint16](value func(S) float32, blk []S) []float32 {
	x := make([]float32, len(blk))
	for i, v := range blk {
		x[i] = value(v)
	}
	return x
}

// explainEncode describes the first wrong byte i of an encoder's result
// on values of a source format: the block, its parameters and the values
// that set them, and for a quant, the value, its nibble and its input.
func explainEncode[S float32 | uint16](cd *codec, value func(S) float32, show func(S) string) explainer[byte, S] {
	return func(i int, in []S, got, want []byte) string {
		b, j := i/cd.size, i%cd.size
		blk := in[b*blockValues : (b+1)*blockValues]
		var keys []string
		for _, k := range cd.keys(widenBlock(value, blk)) {
			keys = append(keys, fmt.Sprintf("%s at input index %d: %s", k.role, b*blockValues+k.at, show(blk[k.at])))
		}
		gb, wb := got[b*cd.size:(b+1)*cd.size], want[b*cd.size:(b+1)*cd.size]
		if j < cd.paramBytes() {
			p := j / 2
			return fmt.Sprintf("block %d: got %s %#04x, want %#04x (%s)",
				b, cd.params[p], le16(gb[2*p:]), le16(wb[2*p:]), strings.Join(keys, ", "))
		}
		for v := range blockValues {
			if cd.quantByte(v) == j && cd.quant(gb, v) != cd.quant(wb, v) {
				return fmt.Sprintf("block %d value %d (input index %d%s): input %s: got q %d, want %d (%s, %s)",
					b, v, b*blockValues+v, cd.slot(v), show(blk[v]), cd.quant(gb, v), cd.quant(wb, v),
					cd.showParams(wb), strings.Join(keys, ", "))
			}
		}
		return fmt.Sprintf("block %d byte %d: got %#02x, want %#02x", b, j, gb[j], wb[j])
	}
}

// requireInput panics if a block of in breaks the encoder's
// precondition: the suite must never feed one.
func requireInput[S float32 | uint16](cd *codec, value func(S) float32, in []S) {
	if len(in)%blockValues != 0 {
		panic(fmt.Sprintf("kerneltest: %s input of %d values", cd.name, len(in)))
	}
	for b := 0; b < len(in); b += blockValues {
		if x := widenBlock(value, in[b:b+blockValues]); !cd.valid(x) {
			panic(fmt.Sprintf("kerneltest: %s block at %d breaks the precondition: %v", cd.name, b, x))
		}
	}
}

// checkEncode tests an encoder: every block count up to q8EveryBlocks at
// every pair of positions and a few large counts, on pools of block
// kinds; every d the format reaches; and each kind of block at every
// block position.
func checkEncode[S float32 | uint16](c *checker, cd *codec, got, ref func([]byte, []S), src *blockSource[S]) {
	const n = blockValues
	size := cd.size
	r := newMapRig[byte, S](c)
	r.show = src.show
	explain := explainEncode(cd, src.value, src.show)
	ss, ds := slots[S](), slots[byte]()
	run := func(in []S, so, do int, ci caseInfo) {
		requireInput(cd, src.value, in)
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

// explainDecode describes the first wrong value i of a decoder's result
// whose elements show formats: the block's parameters, the quant and
// the float32 result.
func explainDecode[D float32 | uint16](cd *codec, show func(D) string) explainer[D, byte] {
	return func(i int, in []byte, got, want []D) string {
		b, v := i/blockValues, i%blockValues
		blk := in[b*cd.size : (b+1)*cd.size]
		var x [blockValues]float32
		cd.dec(&fallback.Kernels)(x[:], blk)
		return fmt.Sprintf("block %d value %d%s: %s, q %d, float32 result %s: got %s, want %s",
			b, v, cd.slot(v), cd.showParams(blk), cd.quant(blk, v), hex(x[v]), show(got[i]), show(want[i]))
	}
}

// decodeSpecialD are the parameters put into every block position: zeros,
// subnormals, the largest finite values, infinities and NaNs.
var decodeSpecialD = []uint16{
	0, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400, 0x3C00, 0xBC00, 0x7BFF, 0xFBFF, 0x7C00, 0xFC00,
	0x7C01, 0x7DFF, 0x7E00, 0xFE00, 0x7FFF, 0xFFFF,
}

// everyParamBlocks returns, for each parameter in turn, a block for each
// of its 2^16 values, infinities and NaNs included, the other parameters
// varying with it and the quants spread by qStep.
func (cd *codec) everyParamBlocks() []byte {
	return cd.everyParam.get(func() []byte {
		size, p := cd.size, cd.paramBytes()
		every := make([]byte, len(cd.params)<<16*size)
		for pi := range cd.params {
			for v := range 1 << 16 {
				b := every[(pi<<16+v)*size : (pi<<16+v+1)*size]
				for o := range cd.params {
					h := uint16(v)
					if o != pi {
						h = uint16(v*0x9E37 + o*0x3C00)
					}
					b[2*o], b[2*o+1] = byte(h), byte(h>>8)
				}
				for j := range size - p {
					b[p+j] = byte(v + j*cd.qStep)
				}
			}
		}
		return every
	})
}

// specialD returns the parameters put into every block position.
func (cd *codec) specialD() []uint16 { return slices.Concat(decodeSpecialD, cd.moreSpecialD) }

// specialTuples returns the parameter tuples put into every block
// position: each special d, or each pair of special d and m.
func (cd *codec) specialTuples() [][]uint16 {
	out := [][]uint16{nil}
	for range cd.params {
		var next [][]uint16
		for _, t := range out {
			for _, d := range cd.specialD() {
				next = append(next, append(append([]uint16(nil), t...), d))
			}
		}
		out = next
	}
	return out
}

// checkDecode tests a decoder: every block count up to q8EveryBlocks at
// every pair of positions and a few large counts, every value of each
// parameter (under -short, a quarter of them), and special parameters in
// every block position with every quant.
func checkDecode[D float32 | uint16](c *checker, cd *codec, got, ref func([]D, []byte), show func(D) string) {
	const n = blockValues
	size := cd.size
	r := newMapRig[D, byte](c)
	ss, ds := slots[byte](), slots[D]()
	explain := explainDecode(cd, show)
	run := func(in []byte, so, do int, ci caseInfo) {
		r.checkShaped(got, ref, in, len(in)/size*n, so, do, ci, explain)
	}
	pools := cd.decodePools()
	blockSweepPools(c, pools, size, ss, ds, run)
	every := cd.everyParamBlocks()
	blocks := len(every) / size
	for i := 0; i < blocks && !c.done(); i += q8MaxBlockCount {
		in := every[i*size : min(blocks, i+q8MaxBlockCount)*size]
		if testing.Short() && (i/q8MaxBlockCount)%4 != 0 && len(in) == q8MaxBlockCount*size {
			continue
		}
		run(in, i%ss, (i/q8MaxBlockCount)%ds, caseInfo{data: "every-d", at: i * size})
	}
	// Special parameters in every block position, with every quant: with
	// two parameters, each pair in one position for each block count,
	// which puts each d and each m in every position.
	bg := poolNamed(pools, "finite-d")
	buf := make([]byte, q8EveryBlocks*size)
	for si, t := range cd.specialTuples() {
		for nb := 1; nb <= q8EveryBlocks && !c.done(); nb++ {
			for pos := range nb {
				if len(t) > 1 && pos != (si+si/len(cd.specialD())+nb)%nb {
					continue
				}
				base, at := blockWindow(bg, nb, size, si*100+nb)
				copy(buf, base)
				b := buf[pos*size : (pos+1)*size]
				for o, d := range t {
					b[2*o], b[2*o+1] = byte(d), byte(d>>8)
				}
				cd.fillQuants(b[cd.paramBytes():], pos*n+si)
				ci := caseInfo{data: fmt.Sprintf("%s with %s in block %d", bg.name, cd.showParams(b), pos), at: at}
				run(buf[:nb*size], (si+pos)%ss, (si*3+nb+pos)%ds, ci)
			}
		}
	}
}
