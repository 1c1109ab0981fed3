package fallback

import (
	"math"

	"github.com/qkernels/quant/kernels"
)

// AbsMaxBits returns the largest bits(x) & 0x7FFFFFFF over src, 0 if src is
// empty. That is the bit pattern of max|x| when src is finite; a result
// of 0x7F800000 means an infinity and anything above it a NaN.
func AbsMaxBits(src []float32) uint32 {
	var m uint32
	for _, x := range src {
		m = max(m, math.Float32bits(x)&0x7FFFFFFF)
	}
	return m
}

// MinMaxKeys returns the smallest and largest kernels.OrderKey over src,
// (0, 0) if src is empty. In that order -0 < +0 and NaNs lie beyond the
// infinities, on the side of their sign.
func MinMaxKeys(src []float32) (lo, hi int32) {
	if len(src) == 0 {
		return 0, 0
	}
	lo, hi = math.MaxInt32, math.MinInt32
	for _, x := range src {
		k := kernels.OrderKey(math.Float32bits(x))
		lo, hi = min(lo, k), max(hi, k)
	}
	return lo, hi
}

// QuantizeAbsmax stores q = clamp(roundEven(x*scale), -127, 127) for each
// x of src, with x*scale rounded to float32. src must hold no NaN.
func QuantizeAbsmax(dst []int8, src []float32, scale float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = roundClamp(x*scale, -127, 127)
	}
}

// QuantizeZeroPoint stores q = clamp(roundEven(float32(x*scale) + zero),
// -128, 127) for each x of src: the product is rounded to float32 before
// the sum (two roundings, never a fused multiply-add). src must hold no NaN.
func QuantizeZeroPoint(dst []int8, src []float32, scale, zero float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		// The conversion forces the rounding of the product: without it
		// the compiler may fuse the multiply and add on arm64 and others.
		dst[i] = roundClamp(float32(x*scale)+zero, -128, 127)
	}
}

// QuantizeAbsmaxChecked is QuantizeAbsmax for inputs that may hold NaNs:
// it reports whether src holds one, and stores 0 for it.
func QuantizeAbsmaxChecked(dst []int8, src []float32, scale float32) (nan bool) {
	return checked(dst[:len(src)], func(i int) float32 { return src[i] }, absmaxQ(scale))
}

// QuantizeZeroPointChecked is QuantizeZeroPoint for inputs that may hold
// NaNs: it reports whether src holds one, and stores 0 for it.
func QuantizeZeroPointChecked(dst []int8, src []float32, scale, zero float32) (nan bool) {
	return checked(dst[:len(src)], func(i int) float32 { return src[i] }, zeroPointQ(scale, zero))
}

func absmaxQ(scale float32) func(float32) int8 {
	return func(x float32) int8 { return roundClamp(x*scale, -127, 127) }
}

func zeroPointQ(scale, zero float32) func(float32) int8 {
	return func(x float32) int8 { return roundClamp(float32(x*scale)+zero, -128, 127) }
}

// checked stores q of each value(i) that is not NaN, and 0 for a NaN, for
// every i of dst, and reports whether there was a NaN.
func checked(dst []int8, value func(i int) float32, q func(float32) int8) (nan bool) {
	for i := range dst {
		x := value(i)
		if x != x {
			dst[i], nan = 0, true
			continue
		}
		dst[i] = q(x)
	}
	return nan
}

// roundClamp clamps v to [lo, hi] and rounds it to the nearest integer,
// ties to even. Clamping first is the same as clamping after, since lo and
// hi are integers, and keeps huge values from overflowing the conversion.
func roundClamp(v, lo, hi float32) int8 {
	v = min(max(v, lo), hi)
	return int8(math.RoundToEven(float64(v)))
}

// DequantizeZeroPoint stores float32(int32(q) - zero) / scale for each q
// of src. The caller keeps zero within [math.MinInt32+128,
// math.MaxInt32-128], so the int32 difference is exact; its conversion to
// float32 rounds to nearest even.
func DequantizeZeroPoint(dst []float32, src []int8, scale float32, zero int32) {
	dst = dst[:len(src)]
	for i, q := range src {
		dst[i] = float32(int32(q)-zero) / scale
	}
}

// FakeQuantize stores float32(q - zero) / scale for each x of src, where
// q = clamp(roundEven(float32(x*scale) + float32(zero)), qmin, qmax): the
// quantization and the dequantization in one pass. It reports whether src
// holds a NaN, for which it stores 0.
func FakeQuantize(dst, src []float32, scale float32, zero, qmin, qmax int32) (nan bool) {
	dst = dst[:len(src)]
	z, lo, hi := float32(zero), float32(qmin), float32(qmax)
	for i, x := range src {
		if x != x {
			dst[i], nan = 0, true
			continue
		}
		// As in QuantizeZeroPoint, the conversion keeps the product from
		// being fused into the sum.
		v := min(max(float32(x*scale)+z, lo), hi)
		q := int32(math.RoundToEven(float64(v)))
		dst[i] = float32(q-zero) / scale
	}
	return nan
}

// FakeQuantizeMask is FakeQuantize that also stores the mask of the
// values whose rounding fell within [qmin, qmax] before the clamp.
func FakeQuantizeMask(dst, src []float32, mask []uint8, scale float32, zero, qmin, qmax int32) {
	dst, mask = dst[:len(src)], mask[:len(src)]
	z, lo, hi := float32(zero), float32(qmin), float32(qmax)
	for i, x := range src {
		v := float32(x*scale) + z
		r := float32(math.RoundToEven(float64(v)))
		mask[i] = 0
		if lo <= r && r <= hi {
			mask[i] = 1
		}
		q := int32(min(max(r, lo), hi))
		dst[i] = float32(q-zero) / scale
	}
}

// MaskGradient stores grad[i] where mask[i] is 1 and +0 where it is 0.
func MaskGradient(dst, grad []float32, mask []uint8) {
	dst, mask = dst[:len(grad)], mask[:len(grad)]
	for i, g := range grad {
		if mask[i] == 0 {
			g = 0
		}
		dst[i] = g
	}
}

// QuantizeAbsmaxFused is AbsMaxBits, the scale 127/max|x| and
// QuantizeAbsmax in one call; see kernels.Set.QuantizeAbsmaxFused.
func QuantizeAbsmaxFused(dst []int8, src []float32) (maxBits uint32, scale float32) {
	return AbsmaxFusedOf(dst, src, AbsMaxBits, QuantizeAbsmax)
}

// QuantizeZeroPointFused is MinMaxKeys, kernels.ZeroPointOf and
// QuantizeZeroPoint in one call; see kernels.Set.QuantizeZeroPointFused.
func QuantizeZeroPointFused(dst []int8, src []float32) (lo, hi int32, scale float32, zero int32) {
	return ZeroPointFusedOf(dst, src, MinMaxKeys, QuantizeZeroPoint)
}

// AbsmaxFusedOf is kernels.Set.QuantizeAbsmaxFused composed of a set's
// absMaxBits and quantize kernels: the specification, and the kernel of
// sets that have no fused one of their own.
func AbsmaxFusedOf(dst []int8, src []float32, absMaxBits func([]float32) uint32,
	quantize func([]int8, []float32, float32)) (maxBits uint32, scale float32) {
	m := absMaxBits(src)
	if m == 0 || m >= 0x7F800000 { // all zeros, or not finite
		return m, 0
	}
	s := 127 / math.Float32frombits(m)
	if math.IsInf(float64(s), 0) {
		return m, 0
	}
	quantize(dst, src, s)
	return m, s
}

// ZeroPointFusedOf is kernels.Set.QuantizeZeroPointFused composed of a
// set's minMaxKeys and quantize kernels, like AbsmaxFusedOf.
func ZeroPointFusedOf(dst []int8, src []float32, minMaxKeys func([]float32) (int32, int32),
	quantize func([]int8, []float32, float32, float32)) (lo, hi int32, scale float32, zero int32) {
	lo, hi = minMaxKeys(src)
	if lo <= kernels.KeyNegInf || hi >= kernels.KeyPosInf {
		return lo, hi, 0, 0
	}
	min, max := math.Float32frombits(kernels.KeyBits(lo)), math.Float32frombits(kernels.KeyBits(hi))
	if !(min < max) || min <= -0x1p127 || max >= 0x1p127 {
		return lo, hi, 0, 0
	}
	s, z := kernels.ZeroPointOf(min, max)
	if math.IsInf(float64(s), 0) || z < math.MinInt32+128 || z > math.MaxInt32-128 {
		return lo, hi, 0, 0
	}
	quantize(dst, src, s, float32(z))
	return lo, hi, s, int32(z)
}

// ErrorSums is kernels.Set.ErrorSums: lane i%16 of each sum takes pair i,
// in index order, and kernels.ErrorLanes adds the lanes.
func ErrorSums(x, y []float32) (sse, ss, maxAbs float64) {
	y = y[:len(x)]
	var le, lx [16]float64
	for i, v := range x {
		e := float64(v) - float64(y[i])
		// The conversions keep each product from being fused into its
		// sum.
		le[i%16] += float64(e * e)
		lx[i%16] += float64(float64(v) * float64(v))
		maxAbs = max(maxAbs, math.Abs(e))
	}
	return kernels.ErrorLanes(&le), kernels.ErrorLanes(&lx), maxAbs
}
