package fallback

import (
	"math"

	"github.com/qkernels/quant/kernels"
)

// The blockwise kernels apply the per-slice kernels block by block; see
// kernels.Set for the layout.

// AbsMaxBitsBlocks stores AbsMaxBits of each block of src in dst.
func AbsMaxBitsBlocks(dst []uint32, src []float32, block int) {
	for i := range dst {
		dst[i] = AbsMaxBits(src[i*block : (i+1)*block])
	}
}

// MinMaxKeysBlocks stores MinMaxKeys of each block of src in lo and hi.
func MinMaxKeysBlocks(lo, hi []int32, src []float32, block int) {
	for i := range lo {
		lo[i], hi[i] = MinMaxKeys(src[i*block : (i+1)*block])
	}
}

// AbsMaxBits16Blocks stores AbsMaxBits16 of each block of src in dst.
func AbsMaxBits16Blocks(dst []uint16, src []uint16, block int) {
	for i := range dst {
		dst[i] = AbsMaxBits16(src[i*block : (i+1)*block])
	}
}

// MinMaxKeys16Blocks stores MinMaxKeys16 of each block of src in lo and
// hi.
func MinMaxKeys16Blocks(lo, hi []int16, src []uint16, block int) {
	for i := range lo {
		lo[i], hi[i] = MinMaxKeys16(src[i*block : (i+1)*block])
	}
}

// QuantizeAbsmaxBlocks quantizes block i of src with scales[i].
func QuantizeAbsmaxBlocks(dst []int8, src []float32, scales []float32, block int) {
	for i, s := range scales {
		QuantizeAbsmax(dst[i*block:(i+1)*block], src[i*block:(i+1)*block], s)
	}
}

// QuantizeZeroPointBlocks quantizes block i of src with scales[i] and
// zeros[i].
func QuantizeZeroPointBlocks(dst []int8, src []float32, scales, zeros []float32, block int) {
	for i, s := range scales {
		QuantizeZeroPoint(dst[i*block:(i+1)*block], src[i*block:(i+1)*block], s, zeros[i])
	}
}

// QuantizeAbsmaxFloat16Blocks is QuantizeAbsmaxBlocks on FromFloat16(h).
func QuantizeAbsmaxFloat16Blocks(dst []int8, src []uint16, scales []float32, block int) {
	for i, s := range scales {
		QuantizeAbsmaxFloat16(dst[i*block:(i+1)*block], src[i*block:(i+1)*block], s)
	}
}

// QuantizeAbsmaxBFloat16Blocks is QuantizeAbsmaxBlocks on FromBFloat16(h).
func QuantizeAbsmaxBFloat16Blocks(dst []int8, src []uint16, scales []float32, block int) {
	for i, s := range scales {
		QuantizeAbsmaxBFloat16(dst[i*block:(i+1)*block], src[i*block:(i+1)*block], s)
	}
}

// QuantizeZeroPointFloat16Blocks is QuantizeZeroPointBlocks on
// FromFloat16(h).
func QuantizeZeroPointFloat16Blocks(dst []int8, src []uint16, scales, zeros []float32, block int) {
	for i, s := range scales {
		QuantizeZeroPointFloat16(dst[i*block:(i+1)*block], src[i*block:(i+1)*block], s, zeros[i])
	}
}

// QuantizeZeroPointBFloat16Blocks is QuantizeZeroPointBlocks on
// FromBFloat16(h).
func QuantizeZeroPointBFloat16Blocks(dst []int8, src []uint16, scales, zeros []float32, block int) {
	for i, s := range scales {
		QuantizeZeroPointBFloat16(dst[i*block:(i+1)*block], src[i*block:(i+1)*block], s, zeros[i])
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
