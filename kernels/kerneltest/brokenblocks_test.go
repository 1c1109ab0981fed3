package kerneltest

import (
	"math"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// Parts of the blockwise kernels, to build broken variants from.

// perBlock is a blockwise reduction made of a per-slice one applied to
// window(src, b, block) for block b.
func perBlock[S, R any](per func([]S) R, window func(src []S, b, block int) []S) func([]R, []S, int) {
	return func(dst []R, src []S, block int) {
		for b := range dst {
			dst[b] = per(window(src, b, block))
		}
	}
}

func wholeBlock[S any](src []S, b, block int) []S { return src[b*block : (b+1)*block] }

// perBlockMinMax is perBlock for MinMaxKeys.
func perBlockMinMax[S any, K int32 | int16](per func([]S) (K, K), window func(src []S, b, block int) []S) func(lo, hi []K, src []S, block int) {
	return func(lo, hi []K, src []S, block int) {
		for b := range lo {
			lo[b], hi[b] = per(window(src, b, block))
		}
	}
}

// quantPerValue is a blockwise QuantizeZeroPoint (or, ignoring the zero
// point, QuantizeAbsmax) that quantizes value j with the parameters
// params(scales, zeros, j, block) picks.
func quantPerValue[S any](per func(d []int8, s []S, scale, zero float32),
	params func(scales, zeros []float32, j, block int) (float32, float32)) func([]int8, []S, []float32, []float32, int) {
	return func(d []int8, src []S, scales, zeros []float32, block int) {
		for j := range src {
			s, z := params(scales, zeros, j, block)
			per(d[j:j+1], src[j:j+1], s, z)
		}
	}
}

// ownParams are the correct parameters of value j.
func ownParams(scales, zeros []float32, j, block int) (float32, float32) {
	b := j / block
	if zeros == nil {
		return scales[b], 0
	}
	return scales[b], zeros[b]
}

// asAbsmax and asZeroPoint adapt the per-slice and blockwise quantizers
// to the shapes quantPerValue works with.
func asAbsmax[S any](f func([]int8, []S, float32)) func([]int8, []S, float32, float32) {
	return func(d []int8, s []S, scale, _ float32) { f(d, s, scale) }
}

func absmaxOf[S any](f func([]int8, []S, []float32, []float32, int)) func([]int8, []S, []float32, int) {
	return func(d []int8, s []S, scales []float32, block int) { f(d, s, scales, nil, block) }
}

// lastBlockSkipped drops the last block when the block count is 3 mod 4.
func lastBlockSkipped[S any](f func([]int8, []S, []float32, []float32, int)) func([]int8, []S, []float32, []float32, int) {
	return func(d []int8, s []S, scales, zeros []float32, block int) {
		n := len(scales)
		if n%4 == 3 {
			n--
		}
		var z []float32
		if zeros != nil {
			z = zeros[:n]
		}
		f(d[:n*block], s[:n*block], scales[:n], z, block)
	}
}

func zeroPointRef32(d []int8, s []float32, scale, zero float32) {
	fallback.QuantizeZeroPoint(d, s, scale, zero)
}

var brokenBlocks = []broken{
	{kernel: "AbsMaxBitsBlocks", what: "carries the maximum into the next block", patch: func(k *kernels.Set) {
		k.AbsMaxBitsBlocks = func(dst []uint32, src []float32, block int) {
			var m uint32
			for b := range dst {
				m = max(m, fallback.AbsMaxBits(src[b*block:(b+1)*block]))
				dst[b] = m
			}
		}
	}},
	{kernel: "AbsMaxBitsBlocks", what: "ignores the last 8 values of each block", patch: func(k *kernels.Set) {
		k.AbsMaxBitsBlocks = perBlock(fallback.AbsMaxBits, func(s []float32, b, block int) []float32 {
			return s[b*block : (b+1)*block-8]
		})
	}},
	{kernel: "AbsMaxBitsBlocks", what: "steps blocks by block-8 values", patch: func(k *kernels.Set) {
		k.AbsMaxBitsBlocks = perBlock(fallback.AbsMaxBits, func(s []float32, b, block int) []float32 {
			return s[b*(block-8) : b*(block-8)+block]
		})
	}},
	{kernel: "AbsMaxBitsBlocks", what: "loses a NaN in lane 5 of 8", patch: func(k *kernels.Set) {
		k.AbsMaxBitsBlocks = perBlock(absMaxBitsLosingLane5NaNs, wholeBlock[float32])
	}},
	{kernel: "AbsMaxBitsBlocks", what: "leaves the last result unwritten when there are 3 mod 4", patch: func(k *kernels.Set) {
		k.AbsMaxBitsBlocks = func(dst []uint32, src []float32, block int) {
			if len(dst)%4 == 3 {
				dst = dst[:len(dst)-1]
			}
			fallback.AbsMaxBitsBlocks(dst, src[:len(dst)*block], block)
		}
	}},
	{kernel: "AbsMaxBitsBlocks", what: "writes one result past the end", patch: func(k *kernels.Set) {
		k.AbsMaxBitsBlocks = func(dst []uint32, src []float32, block int) {
			fallback.AbsMaxBitsBlocks(dst, src, block)
			*past(dst, len(dst)) = 0
		}
	}},
	{kernel: "AbsMaxBitsBlocks", what: "reads one value past the end of src", guard: true, patch: func(k *kernels.Set) {
		k.AbsMaxBitsBlocks = func(dst []uint32, src []float32, block int) {
			fallback.AbsMaxBitsBlocks(dst, src, block)
			sink += *past(src, len(src))
		}
	}},
	{kernel: "AbsMaxBitsBlocks", what: "allocates", allocs: true, patch: func(k *kernels.Set) {
		k.AbsMaxBitsBlocks = func(dst []uint32, src []float32, block int) {
			sinkSlice = append([]float32(nil), src...)
			fallback.AbsMaxBitsBlocks(dst, sinkSlice, block)
		}
	}},
	{kernel: "MinMaxKeysBlocks", what: "carries the minimum into the next block", patch: func(k *kernels.Set) {
		k.MinMaxKeysBlocks = func(lo, hi []int32, src []float32, block int) {
			fallback.MinMaxKeysBlocks(lo, hi, src, block)
			for b := 1; b < len(lo); b++ {
				lo[b] = min(lo[b], lo[b-1])
			}
		}
	}},
	{kernel: "MinMaxKeysBlocks", what: "ignores the first value of each block", patch: func(k *kernels.Set) {
		k.MinMaxKeysBlocks = perBlockMinMax(fallback.MinMaxKeys, func(s []float32, b, block int) []float32 {
			return s[b*block+1 : (b+1)*block]
		})
	}},
	{kernel: "MinMaxKeysBlocks", what: "ignores NaNs at index 3 mod 8", patch: func(k *kernels.Set) {
		k.MinMaxKeysBlocks = perBlockMinMax(minMaxKeysIgnoringLane3NaNs, wholeBlock[float32])
	}},
	{kernel: "MinMaxKeysBlocks", what: "writes hi one past the end", patch: func(k *kernels.Set) {
		k.MinMaxKeysBlocks = func(lo, hi []int32, src []float32, block int) {
			fallback.MinMaxKeysBlocks(lo, hi, src, block)
			*past(hi, len(hi)) = 0
		}
	}},
	{kernel: "MinMaxKeysBlocks", what: "modifies src", patch: func(k *kernels.Set) {
		k.MinMaxKeysBlocks = func(lo, hi []int32, src []float32, block int) {
			fallback.MinMaxKeysBlocks(lo, hi, src, block)
			if len(src) > 9 {
				src[9] = -src[9]
			}
		}
	}},
	{kernel: "AbsMaxBits16Blocks", what: "carries the maximum across pairs of blocks", patch: func(k *kernels.Set) {
		k.AbsMaxBits16Blocks = func(dst []uint16, src []uint16, block int) {
			fallback.AbsMaxBits16Blocks(dst, src, block)
			for b := 1; b < len(dst); b += 2 {
				dst[b] = max(dst[b], dst[b-1])
			}
		}
	}},
	{kernel: "AbsMaxBits16Blocks", what: "ignores the last value of each block", patch: func(k *kernels.Set) {
		k.AbsMaxBits16Blocks = perBlock(fallback.AbsMaxBits16, func(s []uint16, b, block int) []uint16 {
			return s[b*block : (b+1)*block-1]
		})
	}},
	{kernel: "AbsMaxBits16Blocks", what: "steps blocks by block-8 values", patch: func(k *kernels.Set) {
		k.AbsMaxBits16Blocks = perBlock(fallback.AbsMaxBits16, func(s []uint16, b, block int) []uint16 {
			return s[b*(block-8) : b*(block-8)+block]
		})
	}},
	{kernel: "AbsMaxBits16Blocks", what: "reads one value before the start of src", guard: true, patch: func(k *kernels.Set) {
		k.AbsMaxBits16Blocks = func(dst []uint16, src []uint16, block int) {
			fallback.AbsMaxBits16Blocks(dst, src, block)
			sink += float32(*past(src, -1))
		}
	}},
	{kernel: "MinMaxKeys16Blocks", what: "carries the maximum into the next block", patch: func(k *kernels.Set) {
		k.MinMaxKeys16Blocks = func(lo, hi []int16, src []uint16, block int) {
			fallback.MinMaxKeys16Blocks(lo, hi, src, block)
			for b := 1; b < len(hi); b++ {
				hi[b] = max(hi[b], hi[b-1])
			}
		}
	}},
	{kernel: "MinMaxKeys16Blocks", what: "ignores the first 8 values of each block", patch: func(k *kernels.Set) {
		k.MinMaxKeys16Blocks = perBlockMinMax(func(s []uint16) (int16, int16) {
			if len(s) > 8 {
				s = s[8:]
			}
			return fallback.MinMaxKeys16(s)
		}, wholeBlock[uint16])
	}},
	{kernel: "MinMaxKeys16Blocks", what: "leaves the last results unwritten when there are 3 mod 4", patch: func(k *kernels.Set) {
		k.MinMaxKeys16Blocks = func(lo, hi []int16, src []uint16, block int) {
			n := len(lo)
			if n%4 == 3 {
				n--
			}
			fallback.MinMaxKeys16Blocks(lo[:n], hi[:n], src[:n*block], block)
		}
	}},
	{kernel: "MinMaxKeys16Blocks", what: "writes lo one past the end", patch: func(k *kernels.Set) {
		k.MinMaxKeys16Blocks = func(lo, hi []int16, src []uint16, block int) {
			fallback.MinMaxKeys16Blocks(lo, hi, src, block)
			*past(lo, len(lo)) = 0
		}
	}},

	{kernel: "QuantizeAbsmaxBlocks", what: "uses the scale of block 0 for every block", patch: func(k *kernels.Set) {
		k.QuantizeAbsmaxBlocks = absmaxOf(quantPerValue(asAbsmax(fallback.QuantizeAbsmax), func(sc, _ []float32, _, _ int) (float32, float32) {
			return sc[0], 0
		}))
	}},
	{kernel: "QuantizeAbsmaxBlocks", what: "uses the next block's scale for the last value of each block", patch: func(k *kernels.Set) {
		k.QuantizeAbsmaxBlocks = absmaxOf(quantPerValue(asAbsmax(fallback.QuantizeAbsmax), func(sc, _ []float32, j, block int) (float32, float32) {
			b := j / block
			if j%block == block-1 {
				b = min(b+1, len(sc)-1)
			}
			return sc[b], 0
		}))
	}},
	{kernel: "QuantizeAbsmaxBlocks", what: "assigns values to scales in blocks of block+8", patch: func(k *kernels.Set) {
		k.QuantizeAbsmaxBlocks = absmaxOf(quantPerValue(asAbsmax(fallback.QuantizeAbsmax), func(sc, _ []float32, j, block int) (float32, float32) {
			return sc[j/(block+8)], 0
		}))
	}},
	{kernel: "QuantizeAbsmaxBlocks", what: "skips the last block when there are 3 mod 4", patch: func(k *kernels.Set) {
		k.QuantizeAbsmaxBlocks = absmaxOf(lastBlockSkipped(absmaxBlocks(fallback.QuantizeAbsmaxBlocks)))
	}},
	{kernel: "QuantizeAbsmaxBlocks", what: "rounds half away from zero", patch: func(k *kernels.Set) {
		k.QuantizeAbsmaxBlocks = absmaxOf(quantPerValue(func(d []int8, s []float32, sc, _ float32) {
			d[0] = roundAwayClamp(-127, 127)(s[0] * sc)
		}, ownParams))
	}},
	{kernel: "QuantizeAbsmaxBlocks", what: "writes one value past the end", patch: func(k *kernels.Set) {
		k.QuantizeAbsmaxBlocks = func(d []int8, s []float32, sc []float32, block int) {
			fallback.QuantizeAbsmaxBlocks(d, s, sc, block)
			*past(d, len(d)) = 0
		}
	}},
	{kernel: "QuantizeAbsmaxBlocks", what: "reads one scale past the end", guard: true, patch: func(k *kernels.Set) {
		k.QuantizeAbsmaxBlocks = func(d []int8, s []float32, sc []float32, block int) {
			fallback.QuantizeAbsmaxBlocks(d, s, sc, block)
			sink += *past(sc, len(sc))
		}
	}},
	{kernel: "QuantizeAbsmaxBlocks", what: "modifies scales", patch: func(k *kernels.Set) {
		k.QuantizeAbsmaxBlocks = func(d []int8, s []float32, sc []float32, block int) {
			fallback.QuantizeAbsmaxBlocks(d, s, sc, block)
			if len(sc) > 1 {
				sc[1] = 0
			}
		}
	}},
	{kernel: "QuantizeAbsmaxBlocks", what: "allocates", allocs: true, patch: func(k *kernels.Set) {
		k.QuantizeAbsmaxBlocks = func(d []int8, s []float32, sc []float32, block int) {
			sinkSlice = append([]float32(nil), sc...)
			fallback.QuantizeAbsmaxBlocks(d, s, sinkSlice, block)
		}
	}},
	{kernel: "QuantizeZeroPointBlocks", what: "uses the zero point of block 0 for every block", patch: func(k *kernels.Set) {
		k.QuantizeZeroPointBlocks = quantPerValue(zeroPointRef32, func(sc, z []float32, j, block int) (float32, float32) {
			return sc[j/block], z[0]
		})
	}},
	{kernel: "QuantizeZeroPointBlocks", what: "uses the next block's zero point", patch: func(k *kernels.Set) {
		k.QuantizeZeroPointBlocks = quantPerValue(zeroPointRef32, func(sc, z []float32, j, block int) (float32, float32) {
			return sc[j/block], z[min(j/block+1, len(z)-1)]
		})
	}},
	{kernel: "QuantizeZeroPointBlocks", what: "fuses the multiply and add", patch: func(k *kernels.Set) {
		k.QuantizeZeroPointBlocks = quantPerValue(func(d []int8, s []float32, sc, z float32) {
			d[0] = roundEvenClamp(-128, 127)(float32(math.FMA(float64(s[0]), float64(sc), float64(z))))
		}, ownParams)
	}},
	{kernel: "QuantizeZeroPointBlocks", what: "skips the last block when there are 3 mod 4", patch: func(k *kernels.Set) {
		k.QuantizeZeroPointBlocks = lastBlockSkipped(fallback.QuantizeZeroPointBlocks)
	}},
	{kernel: "QuantizeZeroPointBlocks", what: "reads one zero point past the end", guard: true, patch: func(k *kernels.Set) {
		k.QuantizeZeroPointBlocks = func(d []int8, s []float32, sc, z []float32, block int) {
			fallback.QuantizeZeroPointBlocks(d, s, sc, z, block)
			sink += *past(z, len(z))
		}
	}},

	{kernel: "Float16.QuantizeAbsmaxBlocks", what: "uses the scale of block 0 for every block", patch: func(k *kernels.Set) {
		k.Float16.QuantizeAbsmaxBlocks = absmaxOf(quantPerValue(asAbsmax(fallback.QuantizeAbsmaxFloat16), func(sc, _ []float32, _, _ int) (float32, float32) {
			return sc[0], 0
		}))
	}},
	{kernel: "Float16.QuantizeAbsmaxBlocks", what: "widens as bfloat16", patch: func(k *kernels.Set) {
		k.Float16.QuantizeAbsmaxBlocks = fallback.QuantizeAbsmaxBFloat16Blocks
	}},
	{kernel: "Float16.QuantizeAbsmaxBlocks", what: "assigns values to scales in blocks of block+8", patch: func(k *kernels.Set) {
		k.Float16.QuantizeAbsmaxBlocks = absmaxOf(quantPerValue(asAbsmax(fallback.QuantizeAbsmaxFloat16), func(sc, _ []float32, j, block int) (float32, float32) {
			return sc[j/(block+8)], 0
		}))
	}},
	{kernel: "Float16.QuantizeAbsmaxBlocks", what: "skips the last block when there are 3 mod 4", patch: func(k *kernels.Set) {
		k.Float16.QuantizeAbsmaxBlocks = absmaxOf(lastBlockSkipped(absmaxBlocks(fallback.QuantizeAbsmaxFloat16Blocks)))
	}},
	{kernel: "Float16.QuantizeZeroPointBlocks", what: "uses the previous block's zero point", patch: func(k *kernels.Set) {
		k.Float16.QuantizeZeroPointBlocks = quantPerValue(fallback.QuantizeZeroPointFloat16, func(sc, z []float32, j, block int) (float32, float32) {
			return sc[j/block], z[max(j/block-1, 0)]
		})
	}},
	{kernel: "Float16.QuantizeZeroPointBlocks", what: "flushes binary16 subnormals to zero", patch: func(k *kernels.Set) {
		k.Float16.QuantizeZeroPointBlocks = quantPerValue(zeroPoint16(fromFloat16FTZ, zeroPointQ), ownParams)
	}},
	{kernel: "Float16.QuantizeZeroPointBlocks", what: "writes one value past the end", patch: func(k *kernels.Set) {
		k.Float16.QuantizeZeroPointBlocks = func(d []int8, s []uint16, sc, z []float32, block int) {
			fallback.QuantizeZeroPointFloat16Blocks(d, s, sc, z, block)
			*past(d, len(d)) = 0
		}
	}},
	{kernel: "BFloat16.QuantizeAbsmaxBlocks", what: "reads the low half", patch: func(k *kernels.Set) {
		k.BFloat16.QuantizeAbsmaxBlocks = absmaxOf(quantPerValue(asAbsmax(absmax16(fromBFloat16LowHalf, roundEvenClamp(-127, 127))), ownParams))
	}},
	{kernel: "BFloat16.QuantizeAbsmaxBlocks", what: "uses the scale of the last block for every block", patch: func(k *kernels.Set) {
		k.BFloat16.QuantizeAbsmaxBlocks = absmaxOf(quantPerValue(asAbsmax(fallback.QuantizeAbsmaxBFloat16), func(sc, _ []float32, _, _ int) (float32, float32) {
			return sc[len(sc)-1], 0
		}))
	}},
	{kernel: "BFloat16.QuantizeAbsmaxBlocks", what: "reads one scale past the end", guard: true, patch: func(k *kernels.Set) {
		k.BFloat16.QuantizeAbsmaxBlocks = func(d []int8, s []uint16, sc []float32, block int) {
			fallback.QuantizeAbsmaxBFloat16Blocks(d, s, sc, block)
			sink += *past(sc, len(sc))
		}
	}},
	{kernel: "BFloat16.QuantizeZeroPointBlocks", what: "uses the zero point of block 0 for every block", patch: func(k *kernels.Set) {
		k.BFloat16.QuantizeZeroPointBlocks = quantPerValue(fallback.QuantizeZeroPointBFloat16, func(sc, z []float32, j, block int) (float32, float32) {
			return sc[j/block], z[0]
		})
	}},
	{kernel: "BFloat16.QuantizeZeroPointBlocks", what: "fuses the multiply and add", patch: func(k *kernels.Set) {
		k.BFloat16.QuantizeZeroPointBlocks = quantPerValue(zeroPoint16(fallback.FromBFloat16, func(x, s, z float32) int8 {
			return roundEvenClamp(-128, 127)(float32(math.FMA(float64(x), float64(s), float64(z))))
		}), ownParams)
	}},
	{kernel: "BFloat16.QuantizeZeroPointBlocks", what: "reads one value past the end of src", guard: true, patch: func(k *kernels.Set) {
		k.BFloat16.QuantizeZeroPointBlocks = func(d []int8, s []uint16, sc, z []float32, block int) {
			fallback.QuantizeZeroPointBFloat16Blocks(d, s, sc, z, block)
			sink += float32(*past(s, len(s)))
		}
	}},
	{kernel: "BFloat16.QuantizeZeroPointBlocks", what: "allocates", allocs: true, patch: func(k *kernels.Set) {
		k.BFloat16.QuantizeZeroPointBlocks = func(d []int8, s []uint16, sc, z []float32, block int) {
			sinkSlice = append([]float32(nil), sc...)
			fallback.QuantizeZeroPointBFloat16Blocks(d, s, sinkSlice, z, block)
		}
	}},
	{kernel: "ZeroPointParamsBlocks", what: "divides in float32", patch: func(k *kernels.Set) {
		k.ZeroPointParamsBlocks = zpParamsWith(func(min, max float32) (float32, float64) {
			s := 255 / (max - min)
			return s, -math.RoundToEven(float64(s*min)) - 128
		})
	}},
	{kernel: "ZeroPointParamsBlocks", what: "rounds the zero point half away from zero", patch: func(k *kernels.Set) {
		k.ZeroPointParamsBlocks = zpParamsWith(func(min, max float32) (float32, float64) {
			s, _ := kernels.ZeroPointOf(min, max)
			return s, -math.Round(float64(s*min)) - 128
		})
	}},
	{kernel: "ZeroPointParamsBlocks", what: "rounds scale*min in float64", patch: func(k *kernels.Set) {
		k.ZeroPointParamsBlocks = zpParamsWith(func(min, max float32) (float32, float64) {
			s, _ := kernels.ZeroPointOf(min, max)
			return s, -math.RoundToEven(float64(s)*float64(min)) - 128
		})
	}},
	{kernel: "ZeroPointParamsBlocks", what: "takes the zero point from max", patch: func(k *kernels.Set) {
		k.ZeroPointParamsBlocks = zpParamsWith(func(min, max float32) (float32, float64) {
			s, _ := kernels.ZeroPointOf(min, max)
			return s, 127 - math.RoundToEven(float64(s*max))
		})
	}},
	{kernel: "ZeroPointParamsBlocks", what: "computes constant blocks", patch: func(k *kernels.Set) {
		k.ZeroPointParamsBlocks = func(scales []float32, zeros []int32, lo, hi []int32) {
			fallback.ZeroPointParamsBlocks(scales, zeros, lo, hi)
			for i := range lo {
				if f32(kernels.KeyBits(lo[i])) == f32(kernels.KeyBits(hi[i])) {
					scales[i] = 1
				}
			}
		}
	}},
	{kernel: "ZeroPointParamsBlocks", what: "treats -0 and +0 as a range", patch: func(k *kernels.Set) {
		k.ZeroPointParamsBlocks = func(scales []float32, zeros []int32, lo, hi []int32) {
			fallback.ZeroPointParamsBlocks(scales, zeros, lo, hi)
			for i := range lo {
				if lo[i] != hi[i] && scales[i] == 0 {
					scales[i] = float32(math.Inf(1))
				}
			}
		}
	}},
	{kernel: "ZeroPointParamsBlocks", what: "skips the last block", patch: func(k *kernels.Set) {
		k.ZeroPointParamsBlocks = func(scales []float32, zeros []int32, lo, hi []int32) {
			if n := len(lo); n > 0 {
				fallback.ZeroPointParamsBlocks(scales[:n-1], zeros[:n-1], lo[:n-1], hi[:n-1])
			}
		}
	}},
	{kernel: "ZeroPointParamsBlocks", what: "writes one scale past the end", patch: func(k *kernels.Set) {
		k.ZeroPointParamsBlocks = func(scales []float32, zeros []int32, lo, hi []int32) {
			fallback.ZeroPointParamsBlocks(scales, zeros, lo, hi)
			*past(scales, len(scales)) = 1
		}
	}},
	{kernel: "ZeroPointParamsBlocks", what: "reads one key past the end of hi", guard: true, patch: func(k *kernels.Set) {
		k.ZeroPointParamsBlocks = func(scales []float32, zeros []int32, lo, hi []int32) {
			fallback.ZeroPointParamsBlocks(scales, zeros, lo, hi)
			sink += float32(*past(hi, len(hi)))
		}
	}},
	{kernel: "ZeroPointParamsBlocks", what: "allocates", allocs: true, patch: func(k *kernels.Set) {
		k.ZeroPointParamsBlocks = func(scales []float32, zeros []int32, lo, hi []int32) {
			sinkSlice = append([]float32(nil), scales...)
			fallback.ZeroPointParamsBlocks(sinkSlice, zeros, lo, hi)
			copy(scales, sinkSlice)
		}
	}},
}

// zpParamsWith is ZeroPointParamsBlocks with another formula for ranges.
func zpParamsWith(of func(min, max float32) (float32, float64)) func(scales []float32, zeros []int32, lo, hi []int32) {
	return func(scales []float32, zeros []int32, lo, hi []int32) {
		for i := range lo {
			min, max := f32(kernels.KeyBits(lo[i])), f32(kernels.KeyBits(hi[i]))
			if min == max {
				scales[i], zeros[i] = 0, 0
				continue
			}
			s, z := of(min, max)
			scales[i], zeros[i] = s, int32(z)
		}
	}
}
