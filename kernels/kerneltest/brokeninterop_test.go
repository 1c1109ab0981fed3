package kerneltest

import (
	"math"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// Broken variants of the interop kernels: each is the library's own
// arithmetic, or another framework's, where the kernel must be PyTorch's
// or ONNX's.
var brokenInterop = []broken{
	{kernel: "QuantizePyTorch", what: "adds the zero point before rounding", patch: func(k *kernels.Set) {
		k.QuantizePyTorch = func(d []int8, s []float32, inv, z float32) bool {
			return fallback.QuantizeZeroPointChecked(d, s, inv, z)
		}
	}},
	{kernel: "QuantizePyTorch", what: "misses a NaN in the last position", patch: func(k *kernels.Set) {
		k.QuantizePyTorch = func(d []int8, s []float32, inv, z float32) bool {
			if n := len(s); n > 0 && isNaN(s[n-1]) {
				return fallback.QuantizePyTorch(d[:n-1], s[:n-1], inv, z)
			}
			return fallback.QuantizePyTorch(d, s, inv, z)
		}
	}},
	{kernel: "QuantizeONNX", what: "multiplies by the reciprocal", patch: func(k *kernels.Set) {
		k.QuantizeONNX = func(d []int8, s []float32, sc, z float32) bool {
			return fallback.QuantizePyTorch(d, s, 1/sc, z)
		}
	}},
	{kernel: "QuantizeONNX", what: "rounds ties away from zero", patch: func(k *kernels.Set) {
		k.QuantizeONNX = func(d []int8, s []float32, sc, z float32) bool {
			nan := fallback.QuantizeONNX(d, s, sc, z)
			for i, x := range s {
				if v := float64(x / sc); v-math.Floor(v) == 0.5 {
					d[i] = int8(min(max(float32(math.Round(v))+z, -128), 127))
				}
			}
			return nan
		}
	}},
	{kernel: "Float16.QuantizePyTorch", what: "flushes subnormal inputs to zero", patch: func(k *kernels.Set) {
		k.Float16.QuantizePyTorch = func(d []int8, s []uint16, inv, z float32) bool {
			return checkedOf(d, s, fromFloat16FTZ, func(x float32) int8 { return pyQ(x*inv, z) })
		}
	}},
	{kernel: "BFloat16.QuantizeONNX", what: "adds the zero point before rounding", patch: func(k *kernels.Set) {
		k.BFloat16.QuantizeONNX = func(d []int8, s []uint16, sc, z float32) bool {
			return checkedOf(d, s, fallback.FromBFloat16, func(x float32) int8 {
				return int8(math.RoundToEven(float64(min(max(x/sc+z, -128), 127))))
			})
		}
	}},
	{kernel: "DequantizeAffine", what: "uses PyTorch's vector form q*scale + (-zero*scale)", patch: func(k *kernels.Set) {
		k.DequantizeAffine = func(d []float32, s []int8, sc float32, z int32) {
			off := -float32(z) * sc
			for i, q := range s {
				d[i] = float32(math.FMA(float64(q), float64(sc), float64(off)))
			}
		}
	}},
	{kernel: "BFloat16.DequantizeAffine", what: "truncates to bfloat16", patch: func(k *kernels.Set) {
		k.BFloat16.DequantizeAffine = func(d []uint16, s []int8, sc float32, z int32) {
			for i, q := range s {
				d[i] = uint16(math.Float32bits(float32(int32(q)-z)*sc) >> 16)
			}
		}
	}},
	{kernel: "FakeQuantizePyTorch", what: "sets the mask from the clamped value", patch: func(k *kernels.Set) {
		k.FakeQuantizePyTorch = func(d, s []float32, m []uint8, inv, sc float32, z, lo, hi int32) bool {
			nan := fallback.FakeQuantizePyTorch(d, s, m, inv, sc, z, lo, hi)
			for i := range m {
				m[i] = 1
			}
			return nan
		}
	}},
	{kernel: "FakeQuantizePyTorch", what: "adds the zero point before rounding", patch: func(k *kernels.Set) {
		k.FakeQuantizePyTorch = func(d, s []float32, m []uint8, inv, sc float32, z, lo, hi int32) bool {
			nan := fallback.FakeQuantizePyTorch(d, s, m, inv, sc, z, lo, hi)
			for i, x := range s {
				v := min(max(float32(math.RoundToEven(float64(x*inv+float32(z)))), float32(lo)), float32(hi))
				d[i] = (v - float32(z)) * sc
			}
			return nan
		}
	}},
	{kernel: "FakeQuantizePyTorch", what: "reports no NaN when it writes a mask", patch: func(k *kernels.Set) {
		k.FakeQuantizePyTorch = func(d, s []float32, m []uint8, inv, sc float32, z, lo, hi int32) bool {
			nan := fallback.FakeQuantizePyTorch(d, s, m, inv, sc, z, lo, hi)
			return nan && m == nil
		}
	}},
}

func pyQ(v, z float32) int8 {
	return int8(min(max(float32(math.RoundToEven(float64(v)))+z, -128), 127))
}

// checkedOf is a checked 16-bit quantizer made of a widening and the
// arithmetic from x to q.
func checkedOf(d []int8, s []uint16, widen func(uint16) float32, q func(float32) int8) (nan bool) {
	for i, h := range s {
		x := widen(h)
		if x != x {
			d[i], nan = 0, true
			continue
		}
		d[i] = q(x)
	}
	return nan
}
