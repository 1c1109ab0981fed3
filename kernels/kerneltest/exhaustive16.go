package kerneltest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// exhaust16AndQ8_0 runs the exhaustive checks of the 16-bit and Q8_0
// kernels: every 16-bit pattern through the reductions, every finite one
// through the quantizers of 16-bit sources at a set of parameters and
// through the 16-bit EncodeQ8_0 (under selected block maxima and, in full
// mode, under every maximum), every (d, q) pair through the DecodeQ8_0 kernels,
// and every q under 2^16 scales through the narrowing
// DequantizeZeroPoint kernels.
func exhaust16AndQ8_0(t *testing.T, k *kernels.Set, mode string) {
	sub := func(name string, run func(t *testing.T)) {
		t.Run(name, func(t *testing.T) {
			skipIfReference(t, k, name)
			start := time.Now()
			run(t)
			t.Logf("%s: %v", mode, time.Since(start).Round(time.Millisecond))
		})
	}
	sub("AbsMaxBits16", func(t *testing.T) {
		exhaustReduce16(t, k.Name+".AbsMaxBits16", k.AbsMaxBits16, fallback.AbsMaxBits16, nil)
	})
	sub("MinMaxKeys16", func(t *testing.T) {
		exhaustReduce16(t, k.Name+".MinMaxKeys16", keysOf(k.MinMaxKeys16), keysOf(fallback.MinMaxKeys16), nil)
	})
	for _, f := range formats {
		w, ref := f.set(k), f.set(&fallback.Kernels)
		sub(f.name+".QuantizeAbsmax", func(t *testing.T) {
			exhaustAbsmax16(t, k.Name, f, w.QuantizeAbsmax, ref.QuantizeAbsmax, f.exhaustScales())
		})
		sub(f.name+".QuantizeZeroPoint", func(t *testing.T) {
			exhaustZeroPoint16(t, k.Name, f, w.QuantizeZeroPoint, ref.QuantizeZeroPoint, f.exhaustZeroPoints())
		})
		sub(f.name+".EncodeQ8_0", func(t *testing.T) {
			plan := f.encodePlan(mode)
			n := exhaustEncode16(t, k.Name+"."+f.name+".EncodeQ8_0", f, w.EncodeQ8_0, ref.EncodeQ8_0, plan)
			t.Logf("%d values in %d chunks", n, len(plan))
		})
	}
	sub("DecodeQ8_0", func(t *testing.T) {
		exhaustDecode(t, k.Name+".DecodeQ8_0", k.DecodeQ8_0, fallback.DecodeQ8_0, 0, 1<<16, hex[float32])
	})
	for _, f := range formats {
		w, ref := f.set(k), f.set(&fallback.Kernels)
		sub(f.name+".DequantizeZeroPoint", func(t *testing.T) {
			exhaustDequantize16(t, k.Name+"."+f.name+".DequantizeZeroPoint", f, w.DequantizeZeroPoint, ref.DequantizeZeroPoint,
				0, exhaustDequantScales)
		})
		sub(f.name+".DecodeQ8_0", func(t *testing.T) {
			exhaustDecode(t, k.Name+"."+f.name+".DecodeQ8_0", w.DecodeQ8_0, ref.DecodeQ8_0, 0, 1<<16, f.show)
		})
	}
}

// exhaustReduce16 makes every 16-bit pattern (for which keep is true, if
// keep is not nil) the result of a reduction: alone among zeros at
// varying positions of varying lengths, and at the end and the start of
// runs of neighbouring order keys.
func exhaustReduce16[R comparable](t tb, name string, got, ref func([]uint16) R, keep func(uint16) bool) {
	c := newChecker(t, name+" (exhaustive)")
	r := newReduceRig[uint16](c)
	one := func(in []uint16, off int, how string) {
		w := r.place(in, off)
		if g, want := got(w), ref(in); g != want {
			c.errorf("n=%d off=%d %s: got %s, want %s", len(in), off, how, showResult(g), showResult(want))
			return
		}
		r.intact(w, in, off, caseInfo{data: how})
	}
	const maxN = 96 // past the widest unrolled loop, and a tail
	zeros := make([]uint16, maxN)
	for i := range zeros {
		zeros[i] = uint16(i&1) << 15 // +0 and -0
	}
	buf := make([]uint16, maxN)
	for p := 0; p < 1<<16 && !c.done(); p++ {
		if keep != nil && !keep(uint16(p)) {
			continue
		}
		n := 1 + p*37%maxN
		pos := p % n
		copy(buf, zeros)
		buf[pos] = uint16(p)
		one(buf[:n], p%slots[uint16](), fmt.Sprintf("%#04x among zeros at index %d", p, pos))
	}
	byKey := make([]uint16, 1<<16)
	for i := range byKey {
		byKey[i] = kernels.KeyBits16(int16(i - 1<<15))
	}
	for i := 0; i < 1<<16 && !c.done(); i++ {
		if keep != nil && !keep(byKey[i]) {
			continue
		}
		n := min(1+i*13%80, i+1)
		run := byKey[i+1-n : i+1]
		one(run, i%slots[uint16](), fmt.Sprintf("%#04x last of %d ascending keys", byKey[i], n))
		copy(buf, run)
		slices.Reverse(buf[:n])
		one(buf[:n], (i+7)%slots[uint16](), fmt.Sprintf("%#04x first of %d descending keys", byKey[i], n))
	}
}

// exhaustScales are the scales every finite pattern is quantized with:
// the scale of the whole range, ordinary ones, ones that put subnormals
// on integers, huge and tiny ones, and 0.
func (f *format) exhaustScales() []float32 {
	s, _ := f.absmaxScale(f.finitePatterns())
	return []float32{s, 1, 0.5, 127, 1.0 / 3, 3, 255.0 / 7, 1e-3, 1e3, 127.0 / 65504, 65504, 0x1p24,
		127 * 0x1p14, 1e30, f32(maxF32), 1e-30, 0}
}

// exhaustAbsmax16 runs every finite pattern through a 16-bit
// QuantizeAbsmax at each of scales.
func exhaustAbsmax16(t tb, set string, f *format, got, ref func([]int8, []uint16, float32), scales []float32) {
	c := newChecker(t, set+"."+f.name+".QuantizeAbsmax (exhaustive)")
	r := newMapRig[int8, uint16](c)
	r.show = f.show
	all := f.finitePatterns()
	for i, s := range scales {
		ci := caseInfo{data: "all finite", par: scaleOnly, scale: s}
		r.check(func(d []int8, x []uint16) { got(d, x, s) }, func(d []int8, x []uint16) { ref(d, x, s) },
			all, i%slots[uint16](), (i*5)%slots[int8](), ci)
	}
}

// zeroPoint is a scale and zero point of QuantizeZeroPoint.
type zeroPoint struct{ s, z float32 }

// exhaustZeroPoints are the parameters every finite pattern is quantized
// with: each of exhaustScales with two zero points, and the parameters
// package quant computes for some ranges and for every finite value.
func (f *format) exhaustZeroPoints() []zeroPoint {
	var list []zeroPoint
	for i, s := range f.exhaustScales() {
		for j := range 2 {
			list = append(list, zeroPoint{s, float32(quantZeros[(2*i+j)%len(quantZeros)])})
		}
	}
	for _, mm := range [][2]float32{{0, 1}, {-1, 0}, {1000, 1010}, {-30000, -29000}, {-65504, 65504}} {
		s, z, ok := zeroPointParamsOf(mm[0], mm[1])
		if ok {
			list = append(list, zeroPoint{s, float32(z)})
		}
	}
	if s, z, ok := f.zeroPointParams(f.finitePatterns()); ok {
		list = append(list, zeroPoint{s, float32(z)})
	}
	return list
}

// exhaustZeroPoint16 runs every finite pattern through a 16-bit
// QuantizeZeroPoint with each of params.
func exhaustZeroPoint16(t tb, set string, f *format, got, ref func([]int8, []uint16, float32, float32), params []zeroPoint) {
	c := newChecker(t, set+"."+f.name+".QuantizeZeroPoint (exhaustive)")
	r := newMapRig[int8, uint16](c)
	r.show = f.show
	all := f.finitePatterns()
	for i, p := range params {
		ci := caseInfo{data: "all finite", par: scaleFloatZero, scale: p.s, zero: p.z}
		r.check(func(d []int8, x []uint16) { got(d, x, p.s, p.z) }, func(d []int8, x []uint16) { ref(d, x, p.s, p.z) },
			all, i%slots[uint16](), (i*5)%slots[int8](), ci)
	}
}

// encodeChunk is a part of the exhaustive EncodeQ8_0 check.
type encodeChunk struct {
	part string   // "natural", "shuffled", "maximum" or "pairs"
	from int      // natural, shuffled, maximum: the first value
	a    uint16   // maximum: the block maximum
	as   []uint16 // pairs: the block maxima
}

func (ch encodeChunk) String() string {
	switch ch.part {
	case "maximum":
		return fmt.Sprintf("%s %#04x from value %d", ch.part, ch.a, ch.from)
	case "pairs":
		return fmt.Sprintf("%s under maxima %#04x..%#04x", ch.part, ch.as[0], ch.as[len(ch.as)-1])
	}
	return fmt.Sprintf("%s from value %d", ch.part, ch.from)
}

// encodeChunkBlocks is about how many blocks a chunk holds.
const encodeChunkBlocks = 2048

// exhaustMaxima are the block maxima every smaller finite value is
// encoded under: d a power of two (exact ties), ordinary d, the largest,
// subnormal d that rounded far down (the clamp binds), d = 0 and the
// smallest non-zero d, and a/127 nearest a binary16 midpoint.
func (f *format) exhaustMaxima() []uint16 {
	e := f.values().spread(127)
	list := []float32{127, 127 * 0x1p-10, 127 * 0x1p-24, 127 * 0x1p8, 1, 1.5, 3.14159, 200, 8192, 0.0123,
		e.limits[0], e.limits[len(e.limits)-1], 127 * 1.49 * 0x1p-24, 127 * 2.45 * 0x1p-24,
		127 * 0.49 * 0x1p-24, 127 * 0.51 * 0x1p-24, 127 * 0x1p-25, 127 * 0x1p-26, e.ties[0], e.ties[1]}
	var out []uint16
	for _, a := range list {
		h := f.narrow(a)
		if f.finite(h) && q8Valid(f32bits(f.widen(h))) && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// maxValid is the largest positive pattern that is a valid block maximum.
func (f *format) maxValid() uint16 {
	h := f.maxFinite()
	for !q8Valid(f32bits(f.widen(h))) {
		h--
	}
	return h
}

// validPatterns returns the patterns whose magnitude is at most
// maxValid: in ascending bit order, and shuffled.
func (f *format) validPatterns() [2][]uint16 {
	return f.valid.get(func() [2][]uint16 {
		top := f.maxValid()
		var list []uint16
		for _, h := range f.finitePatterns() {
			if h&0x7FFF <= top {
				list = append(list, h)
			}
		}
		shuffled := slices.Clone(list)
		newRand(f.seed+0x200).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		return [2][]uint16{list, shuffled}
	})
}

// encodePlan lists the chunks of the exhaustive EncodeQ8_0 check: every
// finite pattern in blocks of its neighbours, in order and shuffled, and
// under each of exhaustMaxima; then every pattern under every valid
// maximum at least as large (in sample mode, every 61st maximum and the
// largest).
func (f *format) encodePlan(mode string) []encodeChunk {
	const n = kernels.Q8_0Values
	var plan []encodeChunk
	all := f.validPatterns()[0]
	for _, part := range []string{"natural", "shuffled"} {
		for from := 0; from < len(all); from += encodeChunkBlocks * n {
			plan = append(plan, encodeChunk{part: part, from: from})
		}
	}
	for _, a := range f.exhaustMaxima() {
		below := 2 * (int(a) + 1) // patterns of magnitude up to a's, both signs
		for from := 0; from < below; from += encodeChunkBlocks * (n - 1) {
			plan = append(plan, encodeChunk{part: "maximum", a: a, from: from})
		}
	}
	stride := 1
	if mode == "sample" {
		stride = 61
	}
	top := int(f.maxValid())
	var as []uint16
	blocks := 0
	for a := 0; a <= top; a++ {
		if a%stride != 0 && a != top {
			continue
		}
		as = append(as, uint16(a))
		blocks += (a + n - 1) / (n - 1) // a+1 magnitudes, n-1 a block
		if blocks >= encodeChunkBlocks || a == top {
			plan = append(plan, encodeChunk{part: "pairs", as: as})
			as, blocks = nil, 0
		}
	}
	return plan
}

// fill returns the input of chunk ch, in buf.
func (f *format) fill(ch encodeChunk, buf []uint16) []uint16 {
	const n = kernels.Q8_0Values
	buf = buf[:0]
	switch ch.part {
	case "natural", "shuffled":
		src := f.validPatterns()[0]
		if ch.part == "shuffled" {
			src = f.validPatterns()[1]
		}
		buf = append(buf, src[ch.from:min(len(src), ch.from+encodeChunkBlocks*n)]...)
		for len(buf)%n != 0 {
			buf = append(buf, 0)
		}
		return buf
	case "maximum":
		// Value i is magnitude i/2 with sign i&1; block b has the
		// maximum at index b%n, negative in odd blocks.
		end := min(2*(int(ch.a)+1), ch.from+encodeChunkBlocks*(n-1))
		return underMaximum(buf, ch.a, ch.from/(n-1), ch.from, end, func(i int) uint16 { return uint16(i/2) | uint16(i&1)<<15 })
	}
	// pairs: every magnitude up to a, signs alternating, under a.
	for _, a := range ch.as {
		buf = underMaximum(buf, a, int(a), 0, int(a)+1, func(m int) uint16 { return uint16(m) | uint16((m+int(a))&1)<<15 })
	}
	return buf
}

// underMaximum appends blocks of the values value(i) for i in [from, end),
// n-1 a block, with the maximum a at index b%n of block b (counted from
// first), negative in odd blocks; the last block is padded with zeros.
func underMaximum(buf []uint16, a uint16, first, from, end int, value func(i int) uint16) []uint16 {
	const n = kernels.Q8_0Values
	for i, b := from, first; i < end; b++ {
		for j := range n {
			switch {
			case j == b%n:
				buf = append(buf, a|uint16(b&1)<<15)
			case i < end:
				buf = append(buf, value(i))
				i++
			default:
				buf = append(buf, 0)
			}
		}
	}
	return buf
}

func exhaustEncode16(t tb, name string, f *format, got, ref func([]byte, []uint16), plan []encodeChunk) int64 {
	const n, size = kernels.Q8_0Values, kernels.Q8_0Bytes
	explain := explainEncode(q8Codec, f.widen, f.show)
	return exhaustChunks(t, name, got, ref, len(plan),
		func(i int, buf []uint16) []uint16 { return f.fill(plan[i], buf) },
		func(v int) int { return v / n * size },
		func(chunk, i int, in []uint16, g, w []byte) string {
			return fmt.Sprintf("chunk %d (%v): %s", chunk, plan[chunk], explain(i, in, g, w))
		})
}

// exhaustDecode runs every (d, q) pair with d in [from, to) through
// DecodeQ8_0 (or a narrowing one, whose outputs show formats): each d in
// 8 blocks, q rotating with d so that every q meets every lane.
func exhaustDecode[D float32 | uint16](t tb, name string, got, ref func([]D, []byte), from, to int, show func(D) string) {
	const n, size = kernels.Q8_0Values, kernels.Q8_0Bytes
	const perChunk = 256 // d values
	explain := explainDecode(q8Codec, show)
	exhaustChunks(t, name, got, ref, (to-from+perChunk-1)/perChunk,
		func(i int, buf []byte) []byte {
			buf = buf[:0]
			for d := from + i*perChunk; d < min(to, from+(i+1)*perChunk); d++ {
				for b := range 256 / n {
					buf = append(buf, byte(d), byte(d>>8))
					for j := range n {
						buf = append(buf, byte(b*n+j+d))
					}
				}
			}
			return buf
		},
		func(b int) int { return b / size * n },
		func(chunk, i int, in []byte, g, w []D) string {
			return fmt.Sprintf("chunk %d: %s", chunk, explain(i, in, g, w))
		})
}

// exhaustDequantScales is how many scales exhaustDequantize16 runs every
// q under.
const exhaustDequantScales = 1 << 16

// exhaustDequantScale returns scale j of exhaustDequantize16 and its zero
// point: the bfloat16 pattern j widened, with scrambled low bits (so NaN
// payloads and quotients vary), and zero point 0 (absmax
// dequantization) or one of dequantZeros.
func exhaustDequantScale(j int) (float32, int32) {
	s := f32(uint32(j)<<16 | uint32(j*0x9E37)&0xFFFF)
	if j%2 == 0 {
		return s, 0
	}
	return s, dequantZeros[j/2%len(dequantZeros)]
}

// exhaustDequantize16 runs every q through a narrowing
// DequantizeZeroPoint under the scales [from, to) of
// exhaustDequantScales (a multiple of 256 each): every sign and exponent,
// zeros, subnormals, infinities and NaNs included.
func exhaustDequantize16(t tb, name string, f *format, got, ref func([]uint16, []int8, float32, int32), from, to int) {
	const perChunk = 256 // scales
	call := func(kernel func([]uint16, []int8, float32, int32)) func(chunk int, d []uint16, q []int8) {
		return func(chunk int, d []uint16, q []int8) {
			for j := 0; j < len(q)/256; j++ {
				s, z := exhaustDequantScale(from + chunk*perChunk + j)
				kernel(d[j*256:(j+1)*256], q[j*256:(j+1)*256], s, z)
			}
		}
	}
	exhaustChunksWith(t, name, call(got), call(ref), (to-from)/perChunk,
		func(_ int, buf []int8) []int8 {
			buf = buf[:0]
			for j := range perChunk {
				for q := range 256 {
					buf = append(buf, int8(q+j)) // every q, rotating over the lanes
				}
			}
			return buf
		},
		func(v int) int { return v },
		func(chunk, i int, in []int8, g, w []uint16) string {
			s, z := exhaustDequantScale(from + chunk*perChunk + i/256)
			return fmt.Sprintf("scale %s zero %d: %s", hex(s), z, f.explainDequant(s, z)(i, in, g, w))
		})
}
