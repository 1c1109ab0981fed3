// Package fallback holds the reference kernels in plain Go: no unsafe, no
// assembly. They are the specification; every other kernel set is tested
// against them bit for bit. Each function documents the exact formula.
package fallback

import (
	"math"

	"github.com/qkernels/quant/kernels"
)

// Kernels is the reference kernel set. Package quant uses it where no
// assembly set runs, and package kerneltest holds other sets to it.
var Kernels = kernels.Set{
	Name:                "generic",
	Float32ToFloat16:    Float32ToFloat16,
	Float16ToFloat32:    Float16ToFloat32,
	Float32ToBFloat16:   Float32ToBFloat16,
	BFloat16ToFloat32:   BFloat16ToFloat32,
	AbsMaxBits:          AbsMaxBits,
	MinMaxKeys:          MinMaxKeys,
	QuantizeAbsmax:      QuantizeAbsmax,
	QuantizeZeroPoint:   QuantizeZeroPoint,
	DequantizeZeroPoint: DequantizeZeroPoint,

	QuantizeAbsmaxChecked:    QuantizeAbsmaxChecked,
	QuantizeZeroPointChecked: QuantizeZeroPointChecked,

	FakeQuantize:     FakeQuantize,
	FakeQuantizeMask: FakeQuantizeMask,
	MaskGradient:     MaskGradient,
	ErrorSums:        ErrorSums,

	QuantizePyTorch:     QuantizePyTorch,
	QuantizeONNX:        QuantizeONNX,
	DequantizeAffine:    DequantizeAffine,
	FakeQuantizePyTorch: FakeQuantizePyTorch,

	AbsMaxBits16: AbsMaxBits16,
	MinMaxKeys16: MinMaxKeys16,
	Float16:      Float16,
	BFloat16:     BFloat16,
	EncodeQ8_0:   EncodeQ8_0,
	DecodeQ8_0:   DecodeQ8_0,
	EncodeQ4_0:   EncodeQ4_0,
	DecodeQ4_0:   DecodeQ4_0,
	EncodeQ4_1:   EncodeQ4_1,
	DecodeQ4_1:   DecodeQ4_1,

	AbsMaxBitsBlocks:        AbsMaxBitsBlocks,
	MinMaxKeysBlocks:        MinMaxKeysBlocks,
	ZeroPointParamsBlocks:   ZeroPointParamsBlocks,
	AbsMaxBits16Blocks:      AbsMaxBits16Blocks,
	MinMaxKeys16Blocks:      MinMaxKeys16Blocks,
	QuantizeAbsmaxBlocks:    QuantizeAbsmaxBlocks,
	QuantizeZeroPointBlocks: QuantizeZeroPointBlocks,

	QuantizeAbsmaxFused:    QuantizeAbsmaxFused,
	QuantizeZeroPointFused: QuantizeZeroPointFused,

	MulAddAtB: MulAddAtB,
}

// Float32ToFloat16 stores ToFloat16(x) for each x of src in dst.
func Float32ToFloat16(dst []uint16, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = ToFloat16(x)
	}
}

// Float16ToFloat32 stores FromFloat16(h) for each h of src in dst.
func Float16ToFloat32(dst []float32, src []uint16) {
	dst = dst[:len(src)]
	for i, h := range src {
		dst[i] = FromFloat16(h)
	}
}

// Float32ToBFloat16 stores ToBFloat16(x) for each x of src in dst.
func Float32ToBFloat16(dst []uint16, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = ToBFloat16(x)
	}
}

// BFloat16ToFloat32 stores FromBFloat16(b) for each b of src in dst.
func BFloat16ToFloat32(dst []float32, src []uint16) {
	dst = dst[:len(src)]
	for i, b := range src {
		dst[i] = FromBFloat16(b)
	}
}

// ToFloat16 rounds x to IEEE 754 binary16, to nearest with ties to even:
//   - |x| >= 65520 (and ±Inf) becomes ±Inf;
//   - below 2^-14 the result is a correctly rounded subnormal or a zero,
//     and every zero keeps the sign of x;
//   - a NaN becomes the quiet NaN sign | 0x7E00 | mantissa>>13, keeping
//     its sign and the top 10 bits of its payload (as F16C and FCVTN do).
func ToFloat16(x float32) uint16 {
	bits := math.Float32bits(x)
	sign := uint16(bits>>16) & 0x8000
	exp := int(bits>>23) & 0xFF // biased by 127
	mant := bits & 0x7FFFFF
	switch e := exp - 127; {
	case exp == 0xFF && mant != 0: // NaN
		return sign | 0x7E00 | uint16(mant>>13)
	case e > 15: // too large for binary16 (and ±Inf)
		return sign | 0x7C00
	case e >= -14: // normal range: rebias, then round off 13 bits
		// A carry out of the mantissa raises the exponent, which is the
		// correct result, up to and including 0x7C00 (Inf).
		return sign | uint16(shiftRoundEven(uint32(e+15)<<23|mant, 13))
	case exp == 0: // float32 zero or subnormal: below 2^-126, rounds to 0
		return sign
	default: // binary16 subnormal range, in units of 2^-24
		// x = (1<<23 | mant) * 2^(e-23), so x / 2^-24 is that
		// significand shifted right by -(e+1) >= 14.
		shift := uint(-(e + 1))
		if shift > 25 {
			return sign // below a quarter of the smallest subnormal
		}
		return sign | uint16(shiftRoundEven(1<<23|mant, shift))
	}
}

// shiftRoundEven returns v / 2^shift rounded to nearest, ties to even.
// shift is between 1 and 31 and v + 2^shift does not overflow.
func shiftRoundEven(v uint32, shift uint) uint32 {
	half := uint32(1)<<(shift-1) - 1 // just below half: ties go to even
	odd := (v >> shift) & 1
	return (v + half + odd) >> shift
}

// FromFloat16 returns the float32 value of the binary16 bits h, exactly.
// A NaN keeps its sign and payload and gets its quiet bit set.
func FromFloat16(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1F
	mant := uint32(h) & 0x3FF
	switch exp {
	case 0x1F: // Inf or NaN
		if mant != 0 {
			mant |= 0x200 // quiet
		}
		return math.Float32frombits(sign | 0x7F800000 | mant<<13)
	case 0: // zero or subnormal: mant * 2^-24, exact in float32
		v := float32(mant) * 0x1p-24
		return math.Float32frombits(sign | math.Float32bits(v))
	default:
		return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
	}
}

// ToBFloat16 rounds x to bfloat16 (the top 16 bits of a float32), to
// nearest with ties to even. Subnormals are rounded like any other value,
// never flushed; values that round above the largest bfloat16 become ±Inf.
// A NaN becomes bits>>16 | 0x0040: quiet, with its sign and top payload.
func ToBFloat16(x float32) uint16 {
	bits := math.Float32bits(x)
	if bits&0x7FFFFFFF > 0x7F800000 { // NaN
		return uint16(bits>>16) | 0x0040
	}
	return uint16(shiftRoundEven(bits, 16))
}

// FromBFloat16 returns the float32 whose top half is b: bits << 16.
func FromBFloat16(b uint16) float32 {
	return math.Float32frombits(uint32(b) << 16)
}
