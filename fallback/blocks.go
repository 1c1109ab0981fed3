package fallback

import (
	"math"

	"github.com/qkernels/quant/kernels"
)

// The blockwise kernels apply the per-slice kernels block by block; see
// kernels.Set for the layout.

// AbsMaxBitsBlocks stores AbsMaxBits of each block of src in dst.
func AbsMaxBitsBlocks(dst []uint32, src []float32, block int) {
	reduceBlocks(dst, src, block, AbsMaxBits)
}

// MinMaxKeysBlocks stores MinMaxKeys of each block of src in lo and hi.
func MinMaxKeysBlocks(lo, hi []int32, src []float32, block int) {
	minMaxBlocks(lo, hi, src, block, MinMaxKeys)
}

// AbsMaxBits16Blocks stores AbsMaxBits16 of each block of src in dst.
func AbsMaxBits16Blocks(dst []uint16, src []uint16, block int) {
	reduceBlocks(dst, src, block, AbsMaxBits16)
}

// MinMaxKeys16Blocks stores MinMaxKeys16 of each block of src in lo and
// hi.
func MinMaxKeys16Blocks(lo, hi []int16, src []uint16, block int) {
	minMaxBlocks(lo, hi, src, block, MinMaxKeys16)
}

// QuantizeAbsmaxBlocks quantizes block i of src with scales[i].
func QuantizeAbsmaxBlocks(dst []int8, src []float32, scales []float32, block int) {
	absmaxBlocks(dst, src, scales, block, QuantizeAbsmax)
}

// QuantizeZeroPointBlocks quantizes block i of src with scales[i] and
// zeros[i].
func QuantizeZeroPointBlocks(dst []int8, src []float32, scales, zeros []float32, block int) {
	zeroPointBlocks(dst, src, scales, zeros, block, QuantizeZeroPoint)
}

// QuantizeAbsmaxFloat16Blocks is QuantizeAbsmaxBlocks on FromFloat16(h).
func QuantizeAbsmaxFloat16Blocks(dst []int8, src []uint16, scales []float32, block int) {
	absmaxBlocks(dst, src, scales, block, QuantizeAbsmaxFloat16)
}

// QuantizeAbsmaxBFloat16Blocks is QuantizeAbsmaxBlocks on FromBFloat16(h).
func QuantizeAbsmaxBFloat16Blocks(dst []int8, src []uint16, scales []float32, block int) {
	absmaxBlocks(dst, src, scales, block, QuantizeAbsmaxBFloat16)
}

// QuantizeZeroPointFloat16Blocks is QuantizeZeroPointBlocks on
// FromFloat16(h).
func QuantizeZeroPointFloat16Blocks(dst []int8, src []uint16, scales, zeros []float32, block int) {
	zeroPointBlocks(dst, src, scales, zeros, block, QuantizeZeroPointFloat16)
}

// QuantizeZeroPointBFloat16Blocks is QuantizeZeroPointBlocks on
// FromBFloat16(h).
func QuantizeZeroPointBFloat16Blocks(dst []int8, src []uint16, scales, zeros []float32, block int) {
	zeroPointBlocks(dst, src, scales, zeros, block, QuantizeZeroPointBFloat16)
}

// reduceBlocks, minMaxBlocks, absmaxBlocks and zeroPointBlocks run the
// per-slice kernel f on block i of src (and dst) for every i. Each
// inlines into its caller, and then so does the constant f: the machine
// code is that of the loops written out.

func reduceBlocks[R, S any](dst []R, src []S, block int, f func([]S) R) {
	for i := range dst {
		dst[i] = f(src[i*block : (i+1)*block])
	}
}

func minMaxBlocks[K, S any](lo, hi []K, src []S, block int, f func([]S) (K, K)) {
	for i := range lo {
		lo[i], hi[i] = f(src[i*block : (i+1)*block])
	}
}

func absmaxBlocks[S any](dst []int8, src []S, scales []float32, block int, f func([]int8, []S, float32)) {
	for i, s := range scales {
		f(dst[i*block:(i+1)*block], src[i*block:(i+1)*block], s)
	}
}

func zeroPointBlocks[S any](dst []int8, src []S, scales, zeros []float32, block int, f func([]int8, []S, float32, float32)) {
	for i, s := range scales {
		f(dst[i*block:(i+1)*block], src[i*block:(i+1)*block], s, zeros[i])
	}
}

// ZeroPointParamsBlocks stores the zero-point parameters of each block
// whose order keys are lo[i] and hi[i]: kernels.ZeroPointOf, or zeros for
// a constant block.
func ZeroPointParamsBlocks(scales []float32, zeros []int32, lo, hi []int32) {
	for i := range lo {
		min := math.Float32frombits(kernels.KeyBits(lo[i]))
		max := math.Float32frombits(kernels.KeyBits(hi[i]))
		if min == max {
			scales[i], zeros[i] = 0, 0
			continue
		}
		s, z := kernels.ZeroPointOf(min, max)
		scales[i], zeros[i] = s, int32(z)
	}
}
