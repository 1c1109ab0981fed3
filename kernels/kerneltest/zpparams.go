package kerneltest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// ZeroPointParamsBlocks takes order keys of blocks a caller has checked:
// finite ends, a finite scale and a zero point within int32's range less
// 128, or constant blocks. zpRanges makes such (min, max) pairs of every
// kind: ranges around 0 and far from it, wide and narrow to the limit of
// the zero point, at magnitudes from subnormal to MaxFloat32, and
// constant blocks, -0 with +0 among them.

// validRange reports whether the kernel accepts the range [min, max].
func validRange(min, max float32) bool {
	if math.IsInf(float64(min), 0) || math.IsInf(float64(max), 0) || min != min || max != max || min > max {
		return false
	}
	if min == max {
		return true
	}
	s, z := kernels.ZeroPointOf(min, max)
	return !math.IsInf(float64(s), 0) && z >= math.MinInt32+128 && z <= math.MaxInt32-128
}

// zpRangeKinds name the kinds of ranges zpRanges draws from.
var zpRangeKinds = []string{"around 0", "positive", "negative", "narrow far from 0", "zero point near the int32 limit",
	"huge", "tiny", "constant"}

// zpRange draws one valid range of the given kind.
func zpRange(r *rand.Rand, kind int) (min, max float32) {
	mag := func(lo, hi int) float32 { // a random float32 in [2^lo, 2^hi)
		return float32(math.Ldexp(1+r.Float64(), lo+r.IntN(hi-lo)))
	}
	for try := 0; ; try++ {
		if try == 1000 {
			panic(fmt.Sprintf("kerneltest: no valid range of kind %q", zpRangeKinds[kind]))
		}
		switch kind {
		case 0:
			min, max = -mag(-20, 20), mag(-20, 20)
		case 1:
			min = mag(-20, 20)
			max = min + mag(-20, 20)
		case 2:
			max = -mag(-20, 20)
			min = max - mag(-20, 20)
		case 3: // a range of 2^-10..2^-20 of the magnitude
			min = mag(-30, 30)
			max = min * float32(1+math.Ldexp(1+r.Float64(), -10-r.IntN(11)))
			if r.IntN(2) == 0 {
				min, max = -max, -min
			}
		case 4: // ranges of 1..3 ulps put scale*min near ±2^31
			min = mag(-40, 40)
			max = math.Float32frombits(math.Float32bits(min) + 1 + uint32(r.IntN(3)))
			if r.IntN(2) == 0 {
				min, max = -max, -min
			}
		case 5:
			min, max = -mag(100, 127), mag(100, 127)
			if r.IntN(3) == 0 {
				min, max = math.Float32frombits(0xFF7FFFFF), math.Float32frombits(0x7F7FFFFF)
			}
		case 6: // a subnormal or tiny normal end; the range must stay above 255/MaxFloat32
			min = math.Float32frombits(uint32(r.IntN(1 << 24)))
			if r.IntN(2) == 0 {
				min = -min
			}
			max = mag(-119, -100)
		default:
			min = []float32{0, 1, -1, 3.5, -1e30, math.Float32frombits(1), math.Float32frombits(0x80000000)}[r.IntN(7)]
			max = min
			if min == 0 && r.IntN(2) == 0 {
				min, max = float32(math.Copysign(0, -1)), 0 // -0 and +0: a constant block too
			}
		}
		if min > max {
			min, max = max, min
		}
		if validRange(min, max) {
			return min, max
		}
	}
}

// zpKeys returns count blocks of keys, kinds rotating from salt.
func zpKeys(count, salt int) (lo, hi []int32) {
	r := rand.New(rand.NewPCG(uint64(salt), 0x5A17))
	lo, hi = make([]int32, count), make([]int32, count)
	for i := range lo {
		min, max := zpRange(r, (salt+i)%len(zpRangeKinds))
		lo[i], hi[i] = kernels.OrderKey(f32bits(min)), kernels.OrderKey(f32bits(max))
	}
	return lo, hi
}

func zpParamsCall(got func(scales []float32, zeros []int32, lo, hi []int32), lo, hi []int32) *blockCall {
	scales, zeros := make([]float32, len(lo)), make([]int32, len(lo))
	fallback.ZeroPointParamsBlocks(scales, zeros, lo, hi)
	return &blockCall{
		block: 1, count: len(lo),
		args: []blockArg{inArg("lo", lo), inArg("hi", hi), outArg("scales", scales), outArg("zeros", zeros)},
		call: func(v [][]byte) { got(view[float32](v[2]), view[int32](v[3]), view[int32](v[0]), view[int32](v[1])) },
		explain: func(arg, i int, g []byte) string {
			min, max := f32(kernels.KeyBits(lo[i])), f32(kernels.KeyBits(hi[i]))
			var what string
			if arg == 2 {
				what = fmt.Sprintf("scale %s, want %s", hex(view[float32](g)[i]), hex(scales[i]))
			} else {
				what = fmt.Sprintf("zero point %d, want %d", view[int32](g)[i], zeros[i])
			}
			return fmt.Sprintf("block %d (min %#08x %g, max %#08x %g): got %s", i, f32bits(min), min, f32bits(max), max, what)
		},
	}
}

// checkZeroPointParamsBlocks runs every block count 0..40 (past the
// 4-block step and its tail) at every start of each slice in a 64-byte
// line, then large counts, with every kind of range at every position.
func checkZeroPointParamsBlocks(c *checker, k *kernels.Set) {
	r := newBlockRig(c, 4, 4, 4, 4)
	salt := 0
	for count := 0; count <= 40; count++ {
		for i := range line {
			if c.done() {
				return
			}
			lo, hi := zpKeys(count, salt)
			if !r.run(zpParamsCall(k.ZeroPointParamsBlocks, lo, hi), i, fmt.Sprintf("salt=%d", salt)) {
				return
			}
			salt++
		}
	}
	for _, count := range []int{100, 257, 4099} {
		for i := range 4 {
			lo, hi := zpKeys(count, salt)
			if !r.run(zpParamsCall(k.ZeroPointParamsBlocks, lo, hi), i*17, fmt.Sprintf("salt=%d", salt)) {
				return
			}
			salt++
		}
	}
}
