package quant

import (
	"strconv"

	"github.com/qkernels/quant/fallback"
)

// Float16 holds the bits of an IEEE 754 binary16 (half precision) value:
// 1 sign bit, 5 exponent bits, 10 mantissa bits.
type Float16 uint16

// BFloat16 holds the bits of a bfloat16 value: the top 16 bits of a
// float32 (1 sign bit, 8 exponent bits, 7 mantissa bits).
type BFloat16 uint16

// Float16FromFloat32 rounds x to the nearest Float16, ties to even, with
// the rules of Float32ToFloat16.
func Float16FromFloat32(x float32) Float16 { return Float16(fallback.ToFloat16(x)) }

// Float32 returns the value of h as a float32, exactly (NaNs are quieted).
func (h Float16) Float32() float32 { return fallback.FromFloat16(uint16(h)) }

// IsNaN reports whether h is a NaN.
func (h Float16) IsNaN() bool { return h&0x7C00 == 0x7C00 && h&0x03FF != 0 }

// IsInf reports whether h is an infinity.
func (h Float16) IsInf() bool { return h&0x7FFF == 0x7C00 }

// String formats h as the shortest decimal that reads back to the same
// float32 value, like strconv.FormatFloat(float64(h.Float32()), 'g', -1, 32).
func (h Float16) String() string {
	return strconv.FormatFloat(float64(h.Float32()), 'g', -1, 32)
}

// BFloat16FromFloat32 rounds x to the nearest BFloat16, ties to even, with
// the rules of Float32ToBFloat16.
func BFloat16FromFloat32(x float32) BFloat16 { return BFloat16(fallback.ToBFloat16(x)) }

// Float32 returns the value of b as a float32, exactly: its bits shifted
// into the top half.
func (b BFloat16) Float32() float32 { return fallback.FromBFloat16(uint16(b)) }

// IsNaN reports whether b is a NaN.
func (b BFloat16) IsNaN() bool { return b&0x7F80 == 0x7F80 && b&0x007F != 0 }

// IsInf reports whether b is an infinity.
func (b BFloat16) IsInf() bool { return b&0x7FFF == 0x7F80 }

// String formats b like strconv.FormatFloat(float64(b.Float32()), 'g', -1, 32).
func (b BFloat16) String() string {
	return strconv.FormatFloat(float64(b.Float32()), 'g', -1, 32)
}
