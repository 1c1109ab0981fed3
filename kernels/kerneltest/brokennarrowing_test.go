package kerneltest

import (
	"math"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// Parts of the kernels that narrow to 16-bit formats (DequantizeZeroPoint
// and DecodeQ8_0 of kernels.Format16), to build broken variants from.

// truncFloat16 rounds toward zero (overflowing to the largest finite
// value, not to infinity).
func truncFloat16(x float32) uint16 {
	h := fallback.ToFloat16(x)
	if !isNaN(x) && h&0x7FFF != 0 && math.Abs(float64(fallback.FromFloat16(h))) > math.Abs(float64(x)) {
		h--
	}
	return h
}

// awayFloat16 rounds ties away from zero.
func awayFloat16(x float32) uint16 {
	lo := truncFloat16(x)
	if isNaN(x) || lo&0x7FFF >= 0x7BFF {
		return fallback.ToFloat16(x)
	}
	mid := (math.Abs(float64(fallback.FromFloat16(lo))) + math.Abs(float64(fallback.FromFloat16(lo+1)))) / 2
	if math.Abs(float64(x)) == mid {
		return lo + 1
	}
	return fallback.ToFloat16(x)
}

// float16Overflow65536 overflows at 65536 instead of 65520.
func float16Overflow65536(x float32) uint16 {
	if a := math.Abs(float64(x)); a >= 65520 && a < 65536 {
		return fallback.ToFloat16(x)&0x8000 | 0x7BFF
	}
	return fallback.ToFloat16(x)
}

// flushed returns narrow with subnormal results flushed to zero.
func flushed(narrow func(float32) uint16, expMask uint16) func(float32) uint16 {
	return func(x float32) uint16 {
		h := narrow(x)
		if h&expMask == 0 {
			h &= 0x8000
		}
		return h
	}
}

// float16NaNNoPayload drops the payload of NaNs.
func float16NaNNoPayload(x float32) uint16 {
	h := fallback.ToFloat16(x)
	if isNaN(x) {
		h &= 0xFE00
	}
	return h
}

// truncBFloat16 drops the low half of numbers.
func truncBFloat16(x float32) uint16 {
	if isNaN(x) {
		return fallback.ToBFloat16(x)
	}
	return uint16(math.Float32bits(x) >> 16)
}

// bfloat16NaNRounded rounds the bits of NaNs like those of numbers.
func bfloat16NaNRounded(x float32) uint16 {
	b := math.Float32bits(x)
	return uint16((b + 0x7FFF + (b>>16)&1) >> 16)
}

// roundOdd32 rounds x to float32 with round to odd: narrowing that with
// round to nearest even gives x rounded directly, without the float32
// rounding in between.
func roundOdd32(x float64) float32 {
	f := float32(x)
	if float64(f) != x && !math.IsInf(float64(f), 0) && math.Float32bits(f)&1 == 0 {
		if float64(f) > x {
			f = math.Nextafter32(f, float32(math.Inf(-1)))
		} else {
			f = math.Nextafter32(f, float32(math.Inf(1)))
		}
	}
	return f
}

// dequant16With is a narrowing DequantizeZeroPoint made of a quotient and
// a narrowing.
func dequant16With(quotient func(q int8, s float32, z int32) float32, narrow func(float32) uint16) func([]uint16, []int8, float32, int32) {
	return func(d []uint16, src []int8, s float32, z int32) {
		for i, q := range src {
			d[i] = narrow(quotient(q, s, z))
		}
	}
}

func dequantQuotient(q int8, s float32, z int32) float32 { return float32(int32(q)-z) / s }

// decode16With is a narrowing DecodeQ8_0 made of a float32 one and a
// narrowing.
func decode16With(decode func([]float32, []byte), narrow func(float32) uint16) func([]uint16, []byte) {
	return func(dst []uint16, src []byte) {
		x := make([]float32, len(dst)) // allocates: fine in a broken kernel
		decode(x, src)
		for i, v := range x {
			dst[i] = narrow(v)
		}
	}
}

// brokenNarrowing are broken variants of the kernels that narrow to
// binary16 or bfloat16.
var brokenNarrowing = []broken{
	{kernel: "Float16.DequantizeZeroPoint", what: "narrows by truncation", patch: func(k *kernels.Set) {
		k.Float16.DequantizeZeroPoint = dequant16With(dequantQuotient, truncFloat16)
	}},
	{kernel: "Float16.DequantizeZeroPoint", what: "rounds ties away from zero", patch: func(k *kernels.Set) {
		k.Float16.DequantizeZeroPoint = dequant16With(dequantQuotient, awayFloat16)
	}},
	{kernel: "Float16.DequantizeZeroPoint", what: "multiplies by the reciprocal", patch: func(k *kernels.Set) {
		k.Float16.DequantizeZeroPoint = dequant16With(func(q int8, s float32, z int32) float32 {
			return float32(int32(q)-z) * (1 / s)
		}, fallback.ToFloat16)
	}},
	{kernel: "Float16.DequantizeZeroPoint", what: "subtracts in float32", patch: func(k *kernels.Set) {
		k.Float16.DequantizeZeroPoint = dequant16With(func(q int8, s float32, z int32) float32 {
			return (float32(q) - float32(z)) / s
		}, fallback.ToFloat16)
	}},
	{kernel: "Float16.DequantizeZeroPoint", what: "rounds the exact quotient once (no float32 rounding)", patch: func(k *kernels.Set) {
		k.Float16.DequantizeZeroPoint = dequant16With(func(q int8, s float32, z int32) float32 {
			return roundOdd32(float64(int32(q)-z) / float64(s))
		}, fallback.ToFloat16)
	}},
	{kernel: "Float16.DequantizeZeroPoint", what: "overflows at 65536 instead of 65520", patch: func(k *kernels.Set) {
		k.Float16.DequantizeZeroPoint = dequant16With(dequantQuotient, float16Overflow65536)
	}},
	{kernel: "Float16.DequantizeZeroPoint", what: "flushes binary16 subnormals to zero", patch: func(k *kernels.Set) {
		k.Float16.DequantizeZeroPoint = dequant16With(dequantQuotient, flushed(fallback.ToFloat16, 0x7C00))
	}},
	{kernel: "Float16.DequantizeZeroPoint", what: "drops the NaN payload", patch: func(k *kernels.Set) {
		k.Float16.DequantizeZeroPoint = dequant16With(dequantQuotient, float16NaNNoPayload)
	}},
	{kernel: "Float16.DequantizeZeroPoint", what: "narrows as bfloat16", patch: func(k *kernels.Set) {
		k.Float16.DequantizeZeroPoint = fallback.DequantizeZeroPointBFloat16
	}},
	{kernel: "Float16.DequantizeZeroPoint", what: "writes one element past the end", patch: func(k *kernels.Set) {
		k.Float16.DequantizeZeroPoint = func(d []uint16, s []int8, sc float32, z int32) {
			fallback.DequantizeZeroPointFloat16(d, s, sc, z)
			*past(d, len(d)) = 0
		}
	}},
	{kernel: "Float16.DequantizeZeroPoint", what: "reads one element past the end of src", guard: true, patch: func(k *kernels.Set) {
		k.Float16.DequantizeZeroPoint = func(d []uint16, s []int8, sc float32, z int32) {
			fallback.DequantizeZeroPointFloat16(d, s, sc, z)
			if len(s)%16 != 0 {
				sink += float32(*past(s, len(s)))
			}
		}
	}},
	{kernel: "Float16.DequantizeZeroPoint", what: "allocates", allocs: true, patch: func(k *kernels.Set) {
		k.Float16.DequantizeZeroPoint = func(d []uint16, s []int8, sc float32, z int32) {
			fallback.DequantizeZeroPointFloat16(d, append([]int8(nil), s...), sc, z)
		}
	}},
	{kernel: "BFloat16.DequantizeZeroPoint", what: "truncates instead of rounding", patch: func(k *kernels.Set) {
		k.BFloat16.DequantizeZeroPoint = dequant16With(dequantQuotient, truncBFloat16)
	}},
	{kernel: "BFloat16.DequantizeZeroPoint", what: "rounds NaNs like numbers", patch: func(k *kernels.Set) {
		k.BFloat16.DequantizeZeroPoint = dequant16With(dequantQuotient, bfloat16NaNRounded)
	}},
	{kernel: "BFloat16.DequantizeZeroPoint", what: "flushes subnormals to zero", patch: func(k *kernels.Set) {
		k.BFloat16.DequantizeZeroPoint = dequant16With(dequantQuotient, flushed(fallback.ToBFloat16, 0x7F80))
	}},
	{kernel: "BFloat16.DequantizeZeroPoint", what: "rounds the exact quotient once (no float32 rounding)", patch: func(k *kernels.Set) {
		k.BFloat16.DequantizeZeroPoint = dequant16With(func(q int8, s float32, z int32) float32 {
			return roundOdd32(float64(int32(q)-z) / float64(s))
		}, fallback.ToBFloat16)
	}},
	{kernel: "BFloat16.DequantizeZeroPoint", what: "multiplies by the reciprocal when zero is 0", patch: func(k *kernels.Set) {
		k.BFloat16.DequantizeZeroPoint = func(d []uint16, s []int8, sc float32, z int32) {
			if z != 0 {
				fallback.DequantizeZeroPointBFloat16(d, s, sc, z)
				return
			}
			dequant16With(func(q int8, s float32, _ int32) float32 { return float32(q) * (1 / s) }, fallback.ToBFloat16)(d, s, sc, z)
		}
	}},
	{kernel: "BFloat16.DequantizeZeroPoint", what: "reads one element before the start of src", guard: true, patch: func(k *kernels.Set) {
		k.BFloat16.DequantizeZeroPoint = func(d []uint16, s []int8, sc float32, z int32) {
			fallback.DequantizeZeroPointBFloat16(d, s, sc, z)
			sink += float32(*past(s, -1))
		}
	}},

	{kernel: "Float16.DecodeQ8_0", what: "narrows by truncation", patch: func(k *kernels.Set) {
		k.Float16.DecodeQ8_0 = decode16With(fallback.DecodeQ8_0, truncFloat16)
	}},
	{kernel: "Float16.DecodeQ8_0", what: "rounds ties away from zero", patch: func(k *kernels.Set) {
		k.Float16.DecodeQ8_0 = decode16With(fallback.DecodeQ8_0, awayFloat16)
	}},
	{kernel: "Float16.DecodeQ8_0", what: "overflows at 65536 instead of 65520", patch: func(k *kernels.Set) {
		k.Float16.DecodeQ8_0 = decode16With(fallback.DecodeQ8_0, float16Overflow65536)
	}},
	{kernel: "Float16.DecodeQ8_0", what: "flushes binary16 subnormals to zero", patch: func(k *kernels.Set) {
		k.Float16.DecodeQ8_0 = decode16With(fallback.DecodeQ8_0, flushed(fallback.ToFloat16, 0x7C00))
	}},
	{kernel: "Float16.DecodeQ8_0", what: "treats q as unsigned", patch: func(k *kernels.Set) {
		k.Float16.DecodeQ8_0 = decode16With(decodeWith(le16, fallback.FromFloat16, func(q byte) float32 { return float32(q) }), fallback.ToFloat16)
	}},
	{kernel: "Float16.DecodeQ8_0", what: "skips the last block when there are 3 mod 4", patch: func(k *kernels.Set) {
		k.Float16.DecodeQ8_0 = withTailBlockSkipped(fallback.DecodeQ8_0Float16, kernels.Q8_0Bytes, kernels.Q8_0Values)
	}},
	{kernel: "Float16.DecodeQ8_0", what: "writes one value past the end", patch: func(k *kernels.Set) {
		k.Float16.DecodeQ8_0 = writingPastEnd(fallback.DecodeQ8_0Float16)
	}},
	{kernel: "Float16.DecodeQ8_0", what: "reads one byte past the end", guard: true, patch: func(k *kernels.Set) {
		k.Float16.DecodeQ8_0 = func(d []uint16, s []byte) {
			fallback.DecodeQ8_0Float16(d, s)
			if len(s) > 0 {
				sink += float32(*past(s, len(s)))
			}
		}
	}},
	{kernel: "BFloat16.DecodeQ8_0", what: "truncates instead of rounding", patch: func(k *kernels.Set) {
		k.BFloat16.DecodeQ8_0 = decode16With(fallback.DecodeQ8_0, truncBFloat16)
	}},
	{kernel: "BFloat16.DecodeQ8_0", what: "rounds NaNs like numbers", patch: func(k *kernels.Set) {
		k.BFloat16.DecodeQ8_0 = decode16With(fallback.DecodeQ8_0, bfloat16NaNRounded)
	}},
	{kernel: "BFloat16.DecodeQ8_0", what: "narrows as binary16", patch: func(k *kernels.Set) {
		k.BFloat16.DecodeQ8_0 = fallback.DecodeQ8_0Float16
	}},
	{kernel: "BFloat16.DecodeQ8_0", what: "flushes subnormal d to zero", patch: func(k *kernels.Set) {
		k.BFloat16.DecodeQ8_0 = decode16With(decodeWith(le16, fromFloat16FTZ, signedQ), fallback.ToBFloat16)
	}},
	{kernel: "BFloat16.DecodeQ8_0", what: "uses the d of the first block of each pair", patch: func(k *kernels.Set) {
		k.BFloat16.DecodeQ8_0 = func(dst []uint16, src []byte) {
			fallback.DecodeQ8_0BFloat16(dst, src)
			for b := 1; b < len(src)/34; b += 2 {
				d := fallback.FromFloat16(le16(src[(b-1)*34:]))
				for i, q := range src[b*34+2 : (b+1)*34] {
					dst[b*32+i] = fallback.ToBFloat16(float32(int8(q)) * d)
				}
			}
		}
	}},
	{kernel: "BFloat16.DecodeQ8_0", what: "allocates", allocs: true, patch: func(k *kernels.Set) {
		k.BFloat16.DecodeQ8_0 = decode16With(fallback.DecodeQ8_0, fallback.ToBFloat16)
	}},
}
