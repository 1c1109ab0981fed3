package quant

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/qkernels/quant/kernels"
)

var (
	// ErrNotFinite is returned (wrapped, with the index of the first
	// offending element) when a quantizer's input holds a NaN or an
	// infinity.
	ErrNotFinite = errors.New("input is not finite")

	// ErrRange is returned (wrapped) when the input's range is so small
	// that the quantization factor overflows float32, so narrow for its
	// magnitude that the zero point does not fit, or so close to the
	// float32 limit that the quantization grid would reach beyond it.
	ErrRange = errors.New("input range out of float32 quantization range")
)

// AbsMax returns max |x| over src, 0 for an empty src. If src holds a NaN,
// wherever it is, the result is NaN (the quiet NaN 0x7FC00000); otherwise,
// if it holds an infinity, +Inf.
func AbsMax(src []float32) float32 {
	return fromAbsBits(active().AbsMaxBits(src))
}

// MinMax returns the smallest and largest values of src, (0, 0) for an
// empty src. If src holds a NaN, wherever it is, both results are NaN (the
// quiet NaN 0x7FC00000). Zeros are ordered -0 < +0, as in IEEE 754's
// totalOrder: MinMax of {+0, -0} is (-0, +0), of {-0} (-0, -0).
func MinMax(src []float32) (min, max float32) {
	lo, hi := active().MinMaxKeys(src)
	if lo < kernels.KeyNegInf || hi > kernels.KeyPosInf {
		nan := math.Float32frombits(quietNaN)
		return nan, nan
	}
	return keyFloat(lo), keyFloat(hi)
}

// keyFloat is the float32 whose kernels.OrderKey is k.
func keyFloat(k int32) float32 { return math.Float32frombits(kernels.KeyBits(k)) }

const quietNaN = 0x7FC00000

func fromAbsBits(m uint32) float32 {
	if m > 0x7F800000 {
		m = quietNaN
	}
	return math.Float32frombits(m)
}

// AbsmaxParams are the parameters of symmetric (absmax) quantization:
// q = round(x*Scale) and x ≈ q/Scale. Scale is the reciprocal of PyTorch's
// scale, which dequantizes as scale*q.
type AbsmaxParams struct {
	Scale float32
}

// ZeroPointParams are the parameters of asymmetric (zero-point)
// quantization: q = round(x*Scale + ZeroPoint) and
// x ≈ (q - ZeroPoint)/Scale. Scale is the reciprocal of PyTorch's scale,
// which dequantizes as scale*(q - zero_point); ZeroPoint is the same.
// For a tensor that does not contain 0, ZeroPoint lies outside the int8
// range, which is correct.
type ZeroPointParams struct {
	Scale     float32
	ZeroPoint int32
}

// QuantizeAbsmax quantizes src into dst symmetrically. With a = max|x|,
// Scale = 127/a in float32 and q = roundEven(x*Scale) (a float32 product),
// which lies in [-127, 127]. If a is 0, Scale is 1 and every q is 0.
//
// It returns an error wrapping ErrNotFinite if src holds a NaN or an
// infinity, and ErrRange if 127/a overflows float32 (a below about
// 3.7e-37); dst is then left untouched. It panics if dst is shorter than
// src.
func QuantizeAbsmax(dst []int8, src []float32) (AbsmaxParams, error) {
	checkLen("QuantizeAbsmax", len(dst), len(src))
	// One kernel call does the common case; the rest (errors, all zeros)
	// starts from its reduction.
	m, s := active().QuantizeAbsmaxFused(dst[:len(src)], src)
	if s != 0 {
		return AbsmaxParams{Scale: s}, nil
	}
	if m >= 0x7F800000 {
		return AbsmaxParams{}, notFinite("QuantizeAbsmax", src)
	}
	p, err := absmaxParams(math.Float32frombits(m))
	if err != nil {
		return AbsmaxParams{}, fmt.Errorf("quant: QuantizeAbsmax: %w: max|x| = %g", err, math.Float32frombits(m))
	}
	active().QuantizeAbsmax(dst[:len(src)], src, p.Scale)
	return p, nil
}

func absmaxParams(a float32) (AbsmaxParams, error) {
	if a == 0 {
		return AbsmaxParams{Scale: 1}, nil
	}
	s := 127 / a
	if math.IsInf(float64(s), 0) {
		return AbsmaxParams{}, ErrRange
	}
	return AbsmaxParams{Scale: s}, nil
}

// DequantizeAbsmax stores float32(q) / p.Scale (one IEEE float32 division)
// for each q of src in dst. It panics if dst is shorter than src.
func DequantizeAbsmax(dst []float32, src []int8, p AbsmaxParams) {
	checkLen("DequantizeAbsmax", len(dst), len(src))
	// int32(q) - 0 converts to float32(q) exactly, so the zero-point kernel
	// with zero 0 computes the same bits and no absmax kernel is needed.
	active().DequantizeZeroPoint(dst[:len(src)], src, p.Scale, 0)
}

// QuantizeZeroPoint quantizes src into dst asymmetrically. With min and
// max of src and r = float64(max) - float64(min) (so that ranges beyond
// float32 stay finite):
//
//	Scale     = float32(255 / r)
//	ZeroPoint = -roundEven(float32(Scale*min)) - 128
//	q         = clamp(roundEven(float32(float32(x*Scale) + float32(ZeroPoint))), -128, 127)
//
// Both the product and the sum are rounded to float32; they are never fused.
// A constant tensor (r = 0) gets Scale = 127/|c| and ZeroPoint = 0, so every
// q is ±127 and dequantizes to within an ulp of c; an all-zero tensor gets
// Scale = 1, ZeroPoint = 0 and q = 0.
//
// It returns an error wrapping ErrNotFinite if src holds a NaN or an
// infinity, and ErrRange if Scale overflows float32, if ZeroPoint falls
// outside [math.MinInt32+128, math.MaxInt32-128] (a range below 255/2^31,
// about 1.2e-7, of |min|), or if the grid's end points -128 and 127 would
// dequantize beyond ±MaxFloat32 (values within half a step of the float32
// limit); dst is then left untouched. It panics if dst is shorter than src.
func QuantizeZeroPoint(dst []int8, src []float32) (ZeroPointParams, error) {
	checkLen("QuantizeZeroPoint", len(dst), len(src))
	// The fused kernel takes every finite range within ±2^127 whose scale
	// and zero point are valid; the rest (errors, constant tensors, the
	// 2^127 check) starts from its keys.
	lo, hi, s, z := active().QuantizeZeroPointFused(dst[:len(src)], src)
	if s != 0 {
		return ZeroPointParams{Scale: s, ZeroPoint: z}, nil
	}
	if lo <= kernels.KeyNegInf || hi >= kernels.KeyPosInf {
		return ZeroPointParams{}, notFinite("QuantizeZeroPoint", src)
	}
	min, max := keyFloat(lo), keyFloat(hi)
	p, err := zeroPointParams(min, max)
	if err != nil {
		return ZeroPointParams{}, fmt.Errorf("quant: QuantizeZeroPoint: %w: min = %g, max = %g", err, min, max)
	}
	active().QuantizeZeroPoint(dst[:len(src)], src, p.Scale, float32(p.ZeroPoint))
	return p, nil
}

// zeroPoint bounds keep q - ZeroPoint within int32 for every int8 q.
const (
	minZeroPoint = math.MinInt32 + 128
	maxZeroPoint = math.MaxInt32 - 128
)

func zeroPointParams(min, max float32) (ZeroPointParams, error) {
	if min == max { // constant tensor: no range to spread over 255 steps
		a, err := absmaxParams(float32(math.Abs(float64(min))))
		return ZeroPointParams{Scale: a.Scale}, err
	}
	s, z := kernels.ZeroPointOf(min, max)
	if math.IsInf(float64(s), 0) {
		return ZeroPointParams{}, ErrRange
	}
	if z < minZeroPoint || z > maxZeroPoint {
		return ZeroPointParams{}, ErrRange
	}
	p := ZeroPointParams{Scale: s, ZeroPoint: int32(z)}
	// Within half a step of ±MaxFloat32 the end of the grid can lie beyond
	// float32, and dequantizing it would give ±Inf: refuse rather than
	// bend the formula. The ends lie within two steps (2*r/255) of min and
	// max, so below 2^127 they cannot overflow and the divisions are
	// skipped.
	if max >= 0x1p127 || min <= -0x1p127 {
		for _, q := range [...]int32{-128, 127} {
			if math.IsInf(float64(float32(q-p.ZeroPoint)/s), 0) {
				return ZeroPointParams{}, ErrRange
			}
		}
	}
	return p, nil
}

// DequantizeZeroPoint stores float32(int32(q) - p.ZeroPoint) / p.Scale for
// each q of src in dst: an exact integer difference, rounded once to
// float32, then one IEEE float32 division. It panics if dst is shorter than
// src or if p.ZeroPoint lies outside [math.MinInt32+128,
// math.MaxInt32-128], where the difference could overflow (QuantizeZeroPoint
// never returns such a zero point).
func DequantizeZeroPoint(dst []float32, src []int8, p ZeroPointParams) {
	checkLen("DequantizeZeroPoint", len(dst), len(src))
	if p.ZeroPoint < minZeroPoint || p.ZeroPoint > maxZeroPoint {
		panic("quant: DequantizeZeroPoint: ZeroPoint " + itoa(int(p.ZeroPoint)) + " out of range")
	}
	active().DequantizeZeroPoint(dst[:len(src)], src, p.Scale, p.ZeroPoint)
}

// notFinite builds the error for the first NaN or infinity in src. It runs
// only after a reduction has found one, so its extra pass costs nothing on
// good data.
func notFinite(fn string, src []float32) error {
	for i, x := range src {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("quant: %s: %w: src[%d] = %v", fn, ErrNotFinite, i, x)
		}
	}
	panic("quant: " + fn + ": reduction reported a non-finite value that is not there")
}

func itoa(n int) string { return strconv.Itoa(n) }
