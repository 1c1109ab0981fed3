package kerneltest

import (
	"fmt"
	"testing"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

func checkAbsMaxBits(c *checker, k *kernels.Set) {
	checkReduce(c, reduce32(), k.AbsMaxBits, fallback.AbsMaxBits, absMaxText[float32, uint32])
}

func checkMinMaxKeys(c *checker, k *kernels.Set) {
	checkReduce(c, reduce32(), keysOf(k.MinMaxKeys), keysOf(fallback.MinMaxKeys), keysText[float32, int32])
}

func checkAbsMaxBits16(c *checker, k *kernels.Set) {
	checkReduce(c, reduce16(), k.AbsMaxBits16, fallback.AbsMaxBits16, absMaxText[uint16, uint16])
}

func checkMinMaxKeys16(c *checker, k *kernels.Set) {
	checkReduce(c, reduce16(), keysOf(k.MinMaxKeys16), keysOf(fallback.MinMaxKeys16), keysText[uint16, int16])
}

// checkReduce tests a reduction on the cases of spec, and on float32 data
// on the far lengths too: got must return what ref returns and leave its
// input, and the memory around it, alone. text formats a result with the
// element of in it comes from.
func checkReduce[T float32 | uint16, R comparable](c *checker, spec reduceSpec[T], got, ref func([]T) R, text func(in []T, r R) string) {
	r := newReduceRig[T](c)
	reduceCases(c, spec, func(in []T, off int, ci caseInfo) {
		w := r.place(in, off)
		if g, want := got(w), ref(in); g != want {
			c.errorf("n=%d off=%d %v: got %s, want %s", len(in), off, ci, text(in, g), text(in, want))
			return
		}
		r.intact(w, in, off, ci)
	})
	if spec.bits16 {
		return // the far loops are float32's
	}
	farReduceCases(c, func(in []float32, ci caseInfo) {
		x := any(in).([]T) // T is float32
		if g, want := got(x), ref(x); g != want {
			c.errorf("n=%d %v: got %s, want %s", len(in), ci, text(x, g), text(x, want))
		}
	})
}

// absMaxText formats an AbsMaxBits or AbsMaxBits16 result.
func absMaxText[T float32 | uint16, R uint32 | uint16](in []T, m R) string {
	return fmt.Sprintf("%s%s", hex(m), fromElement(in, func(x T) bool { return uint64(magnitudeBits(x)) == uint64(m) }))
}

// keysText formats a MinMaxKeys or MinMaxKeys16 result.
func keysText[T float32 | uint16, K int32 | int16](in []T, r keys[K]) string {
	is := func(k K) func(x T) bool { return func(x T) bool { return int64(orderKey(x)) == int64(k) } }
	return fmt.Sprintf("min key %s%s max key %s%s", hex(r.lo), fromElement(in, is(r.lo)), hex(r.hi), fromElement(in, is(r.hi)))
}

// magnitudeBits returns the bits of |x| (what AbsMaxBits compares).
func magnitudeBits[T float32 | uint16](x T) uint32 {
	if f, ok := any(x).(float32); ok {
		return f32bits(f) & 0x7FFFFFFF
	}
	return uint32(x) & 0x7FFF
}

// orderKey returns the order key of x (what MinMaxKeys compares).
func orderKey[T float32 | uint16](x T) int32 {
	if f, ok := any(x).(float32); ok {
		return kernels.OrderKey(f32bits(f))
	}
	return int32(kernels.OrderKey16(uint16(x)))
}

// farLens straddle 2^21 values, where a set may switch its float32
// reductions to loops for input that streams from L3 or memory (the AVX2
// set does); the rigs of the every-length sweeps hold far less.
var farLens = []int{1<<21 - 1, 1<<21 + 37}

// farReduceCases calls run on weights of each far length, plain and then
// with each reduction special value at the start, in the middle, in the
// last two full 32-value vectors and last: one value that must decide the
// result wherever the loop that meets it is. -short keeps the longer
// length and two positions.
func farReduceCases(c *checker, run func(in []float32, ci caseInfo)) {
	weights := poolNamed(f32Pools(), "weights")
	lens := farLens
	if testing.Short() {
		lens = lens[len(lens)-1:]
	}
	for _, n := range lens {
		in := cycle(weights.data, n)
		run(in, caseInfo{data: "weights"})
		positions := []int{0, n/2 + 5, n - 40, n - 20, n - 1}
		if testing.Short() {
			positions = []int{n/2 + 5, n - 20}
		}
		for _, b := range reduceSpecials {
			for _, pos := range positions {
				if c.done() {
					return
				}
				was := in[pos]
				in[pos] = f32(b)
				run(in, caseInfo{data: "weights", nput: 1, put: [2]uint32{b}, pos: [2]int{pos}})
				in[pos] = was
			}
		}
	}
}

// keys holds the results of MinMaxKeys or MinMaxKeys16, to compare and
// show them as one value.
type keys[K int32 | int16] struct{ lo, hi K }

// keysOf makes a MinMaxKeys or MinMaxKeys16 kernel return keys.
func keysOf[T float32 | uint16, K int32 | int16](f func([]T) (K, K)) func([]T) keys[K] {
	return func(s []T) keys[K] { lo, hi := f(s); return keys[K]{lo, hi} }
}

// showResult formats the result of a reduction.
func showResult(r any) string {
	switch v := r.(type) {
	case keys[int32]:
		return fmt.Sprintf("min key %#08x max key %#08x", uint32(v.lo), uint32(v.hi))
	case keys[int16]:
		return fmt.Sprintf("min key %#04x max key %#04x", uint16(v.lo), uint16(v.hi))
	case uint16:
		return fmt.Sprintf("%#04x", v)
	}
	return fmt.Sprintf("%#08x", r)
}

// fromElement names the first element of in that gives a reduction
// result.
func fromElement[T float32 | uint16](in []T, is func(T) bool) string {
	for i, x := range in {
		if is(x) {
			return fmt.Sprintf(" (from index %d: input %s)", i, bitsText(x))
		}
	}
	return " (from no element)"
}

// bitsText formats the bits of a float32 or 16-bit input.
func bitsText[T float32 | uint16](x T) string {
	if f, ok := any(x).(float32); ok {
		return fmt.Sprintf("%#08x", f32bits(f))
	}
	return fmt.Sprintf("%#04x", x)
}

// reduceSpecials are put alone at every position of a background vector:
// a SIMD min or max that depends on lane order, or a NaN lost in one lane
// or in the tail, shows there. The NaNs have every kind of payload: both
// signs, quiet and signalling, smallest and largest, one bit, all bits.
var reduceSpecials = []uint32{
	0, 0x80000000, minSub, 0x80000000 | minSub, maxF32, 0x80000000 | maxF32,
	posInf, 0x80000000 | posInf, qnan, 0x80000000 | qnan, snanMin, 0x80000000 | snanMin,
	nanMax, 0xFFFFFFFF, 0x7FC00001, 0x7149F2CA /*1e30*/, 0xF149F2CA, 0x40200000 /*2.5*/, 0xC0200000,
	snanMax, 0x80000000 | snanMax, 0x7FA00000, 0x7F802000, 0xFFC01234,
}

// reducePairs are put at index i and n-1-i together.
var reducePairs = [][2]uint32{
	{qnan, nanMax}, {0xFFC00000, qnan}, {0xFFFFFFFF, snanMin}, {0x80000000 | posInf, posInf},
	{0x80000000, 0}, {0x80000000 | maxF32, maxF32}, {0x80000000 | minSub, minSub},
}

// reduceSpecials16 are the same for binary16 and bfloat16: zeros, the
// smallest subnormals, the largest finite values, infinities, NaNs of
// both kinds, the keys at both ends of the int16 range (0xFFFF and
// 0x7FFF) and ordinary values.
var reduceSpecials16 = []uint32{
	0, 0x8000, 0x0001, 0x8001, 0x7BFF, 0xFBFF, 0x7C00, 0xFC00, 0x7C01, 0xFC01, 0x7E00, 0xFE00,
	0x7FFF, 0xFFFF, 0x7F7F, 0xFF7F, 0x7F80, 0xFF80, 0x7F81, 0x7FC0, 0xFFC0, 0x4100 /*2.5*/, 0xC100,
	0x0400, 0x8400,
}

// reducePairs16 are put at index i and n-1-i together.
var reducePairs16 = [][2]uint32{
	{0x7E00, 0x7FFF}, {0xFE00, 0x7E00}, {0xFFFF, 0x7C01}, {0xFC00, 0x7C00}, {0x8000, 0},
	{0xFBFF, 0x7BFF}, {0x8001, 0x0001}, {0xFFFF, 0x7FFF}, {0xFF80, 0x7F80}, {0xFFC0, 0x7F81},
}

// reduceSpec is the data of the reduction checks on one element type.
type reduceSpec[T float32 | uint16] struct {
	pools       []*pool[T]
	backgrounds []string    // pools the specials are put into
	specials    []uint32    // bits put at every position
	pairs       [][2]uint32 // bits put at i and n-1-i
	negZero     uint32      // pairs led by it go into positive, where zeros decide the minimum
	positive    string
	last        []uint32 // put last in long vectors of the first background
	bits16      bool
}

func reduce32() reduceSpec[float32] {
	return reduceSpec[float32]{
		pools:       f32Pools(),
		backgrounds: []string{"weights", "one-binade", "zeros", "ascending", "abs-weights"},
		specials:    reduceSpecials,
		pairs:       reducePairs,
		negZero:     0x80000000,
		positive:    "abs-weights",
		last:        []uint32{0xFFC00000, posInf},
	}
}

func reduce16() reduceSpec[uint16] {
	return reduceSpec[uint16]{
		pools:       reduce16Pools(),
		backgrounds: shortened([]string{"fp16-weights", "bf16-weights", "fp16-zeros", "fp16-ascending", "fp16-abs-weights"}, 3),
		specials:    reduceSpecials16,
		pairs:       reducePairs16,
		negZero:     0x8000,
		positive:    "fp16-abs-weights",
		last:        []uint32{0xFE00, 0x7C00, 0xFFC0, 0x7F80},
		bits16:      true,
	}
}

// fromBits returns the element with bits b.
func fromBits[T float32 | uint16](b uint32) T {
	var z T
	if _, ok := any(z).(float32); ok {
		return T(f32(b))
	}
	return T(b)
}

// reduceCases runs one on every length, position and pool, then on the
// special values at every position of several backgrounds.
func reduceCases[T float32 | uint16](c *checker, spec reduceSpec[T], one func(in []T, off int, ci caseInfo)) {
	pools := spec.pools
	ss := slots[T]()
	sweepPools(c, pools, ss, 1, func(in []T, so, _, _ int, ci caseInfo) {
		one(in, so, ci)
	})
	named := func(name string) *pool[T] { return poolNamed(pools, name) }
	var backgrounds []*pool[T]
	for _, name := range spec.backgrounds {
		backgrounds = append(backgrounds, named(name))
	}
	buf := make([]T, maxEvery)
	for bi, bg := range backgrounds {
		for si, s := range spec.specials {
			for n := 1; n <= maxEvery && !c.done(); n++ {
				base, at := bg.window(n, (bi*100+si)*100+n)
				copy(buf, base)
				for pos := range n {
					buf[pos] = fromBits[T](s)
					ci := bg.info(at)
					ci.nput, ci.put[0], ci.pos[0], ci.bits16 = 1, s, pos, spec.bits16
					one(buf[:n], (pos+n)%ss, ci)
					buf[pos] = base[pos]
				}
			}
		}
	}
	for pi, pair := range spec.pairs {
		bg := backgrounds[0]
		if pair[0] == spec.negZero {
			bg = named(spec.positive)
		}
		for n := 1; n <= maxEvery && !c.done(); n++ {
			base, at := bg.window(n, pi*1000+n)
			for pos := range n {
				copy(buf, base)
				buf[n-1-pos] = fromBits[T](pair[1])
				buf[pos] = fromBits[T](pair[0])
				ci := bg.info(at)
				ci.nput, ci.put, ci.pos, ci.bits16 = 2, pair, [2]int{pos, n - 1 - pos}, spec.bits16
				one(buf[:n], (pos*3+n)%ss, ci)
			}
		}
	}
	// A NaN or an infinity last, after a long finite run: the tail of a
	// long vector.
	for _, n := range largeLens {
		in := make([]T, n)
		copy(in, backgrounds[0].data)
		for i, b := range spec.last {
			in[n-1] = fromBits[T](b)
			one(in, 3+2*i, caseInfo{data: backgrounds[0].name + " with " + bitsText(in[n-1]) + " last"})
		}
	}
}
