package kerneltest

import (
	"math"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// brokenFused are wrong fused quantizers: each must be reported.
var brokenFused = []broken{
	{kernel: "QuantizeAbsmaxFused", what: "writes zeros when it refuses", patch: func(k *kernels.Set) {
		k.QuantizeAbsmaxFused = func(d []int8, s []float32) (uint32, float32) {
			m, sc := fallback.QuantizeAbsmaxFused(d, s)
			if sc == 0 {
				clear(d[:len(s)])
			}
			return m, sc
		}
	}},
	{kernel: "QuantizeAbsmaxFused", what: "writes the last element on a NaN input", patch: func(k *kernels.Set) {
		k.QuantizeAbsmaxFused = func(d []int8, s []float32) (uint32, float32) {
			m, sc := fallback.QuantizeAbsmaxFused(d, s)
			if m > 0x7F800000 {
				d[len(s)-1] = 0
			}
			return m, sc
		}
	}},
	{kernel: "QuantizeAbsmaxFused", what: "uses 127*(1/a) as the scale", patch: func(k *kernels.Set) {
		k.QuantizeAbsmaxFused = func(d []int8, s []float32) (uint32, float32) {
			m := fallback.AbsMaxBits(s)
			if m == 0 || m >= 0x7F800000 {
				return m, 0
			}
			sc := 127 * (1 / math.Float32frombits(m))
			if math.IsInf(float64(sc), 0) {
				return m, 0
			}
			fallback.QuantizeAbsmax(d, s, sc)
			return m, sc
		}
	}},
	{kernel: "QuantizeAbsmaxFused", what: "returns a scale but writes nothing", patch: func(k *kernels.Set) {
		k.QuantizeAbsmaxFused = func(d []int8, s []float32) (uint32, float32) {
			m, sc := fallback.QuantizeAbsmaxFused(make([]int8, len(s)), s)
			return m, sc
		}
	}},
	{kernel: "QuantizeAbsmaxFused", what: "quantizes all-zero tensors with scale 1", patch: func(k *kernels.Set) {
		k.QuantizeAbsmaxFused = func(d []int8, s []float32) (uint32, float32) {
			m, sc := fallback.QuantizeAbsmaxFused(d, s)
			if m == 0 && len(s) > 0 {
				fallback.QuantizeAbsmax(d, s, 1)
				return m, 1
			}
			return m, sc
		}
	}},
	{kernel: "QuantizeAbsmaxFused", what: "skips the tail of 1..7", patch: func(k *kernels.Set) {
		k.QuantizeAbsmaxFused = func(d []int8, s []float32) (uint32, float32) {
			m, sc := fallback.QuantizeAbsmaxFused(d, s)
			if sc != 0 && len(s)%8 != 0 {
				n := len(s) &^ 7
				for i := n; i < len(s); i++ {
					d[i] = 0
				}
			}
			return m, sc
		}
	}},
	{kernel: "QuantizeZeroPointFused", what: "fuses the multiply and add", patch: func(k *kernels.Set) {
		k.QuantizeZeroPointFused = func(d []int8, s []float32) (int32, int32, float32, int32) {
			return fallback.ZeroPointFusedOf(d, s, fallback.MinMaxKeys, func(d []int8, s []float32, sc, z float32) {
				for i, x := range s {
					v := float32(math.FMA(float64(x), float64(sc), float64(z)))
					d[i] = int8(math.RoundToEven(float64(min(max(v, -128), 127))))
				}
			})
		}
	}},
	{kernel: "QuantizeZeroPointFused", what: "quantizes constant tensors", patch: func(k *kernels.Set) {
		k.QuantizeZeroPointFused = func(d []int8, s []float32) (int32, int32, float32, int32) {
			lo, hi, sc, z := fallback.QuantizeZeroPointFused(d, s)
			if sc == 0 && lo == hi && lo > kernels.KeyNegInf && hi < kernels.KeyPosInf && lo != 0 && lo != -1 {
				a := float32(math.Abs(float64(f32(kernels.KeyBits(lo)))))
				if c := 127 / a; !math.IsInf(float64(c), 0) {
					fallback.QuantizeZeroPoint(d, s, c, 0)
					return lo, hi, c, 0
				}
			}
			return lo, hi, sc, z
		}
	}},
	{kernel: "QuantizeZeroPointFused", what: "returns a scale but writes nothing", patch: func(k *kernels.Set) {
		k.QuantizeZeroPointFused = func(d []int8, s []float32) (int32, int32, float32, int32) {
			return fallback.QuantizeZeroPointFused(make([]int8, len(s)), s)
		}
	}},
	{kernel: "QuantizeZeroPointFused", what: "writes on a NaN input", patch: func(k *kernels.Set) {
		k.QuantizeZeroPointFused = func(d []int8, s []float32) (int32, int32, float32, int32) {
			lo, hi, sc, z := fallback.QuantizeZeroPointFused(d, s)
			if lo < kernels.KeyNegInf || hi > kernels.KeyPosInf {
				d[0] = 1
			}
			return lo, hi, sc, z
		}
	}},
	{kernel: "QuantizeZeroPointFused", what: "accepts ranges reaching 2^127", patch: func(k *kernels.Set) {
		k.QuantizeZeroPointFused = func(d []int8, s []float32) (int32, int32, float32, int32) {
			lo, hi := fallback.MinMaxKeys(s)
			if lo <= kernels.KeyNegInf || hi >= kernels.KeyPosInf {
				return lo, hi, 0, 0
			}
			mn, mx := f32(kernels.KeyBits(lo)), f32(kernels.KeyBits(hi))
			if !(mn < mx) {
				return lo, hi, 0, 0
			}
			sc, z := kernels.ZeroPointOf(mn, mx)
			if math.IsInf(float64(sc), 0) || z < math.MinInt32+128 || z > math.MaxInt32-128 {
				return lo, hi, 0, 0
			}
			fallback.QuantizeZeroPoint(d, s, sc, float32(z))
			return lo, hi, sc, int32(z)
		}
	}},
	{kernel: "QuantizeZeroPointFused", what: "reads one element past the end", guard: true, patch: func(k *kernels.Set) {
		k.QuantizeZeroPointFused = func(d []int8, s []float32) (int32, int32, float32, int32) {
			sink = *past(s, len(s))
			return fallback.QuantizeZeroPointFused(d, s)
		}
	}},
	{kernel: "QuantizeAbsmaxFused", what: "allocates", allocs: true, patch: func(k *kernels.Set) {
		k.QuantizeAbsmaxFused = func(d []int8, s []float32) (uint32, float32) {
			sinkSlice = make([]float32, len(s))
			return fallback.QuantizeAbsmaxFused(d, s)
		}
	}},
}
