package kerneltest

import "fmt"

// source is the input data of the checks of kernels that read one source
// element type, float32 or the patterns of a 16-bit format, so that one
// check serves the float32 kernel and those of kernels.Format16 (as
// package quant's source serves its three element types): the per-slice
// and blockwise quantizers and the blockwise reductions.
type source[S float32 | uint16] struct {
	pools      []*pool[S] // random data
	background *pool[S]   // ordinary values, around outliers and specials
	outliers   *pool[S]   // large values
	specials   []S        // put at every position of a vector or a block
	last       []S        // put last after many finite values (reductions)
	zeros      [2]S       // +0 and -0
	show       func(S) string
	// The quantizers' parameters for some data, as package quant computes
	// them (ok false if it would not).
	absmax    func(in []S) (float32, bool)
	zeroPoint func(in []S) (float32, int32, bool)
	// ties returns values that scale s and zero point z put on rounding
	// ties, or nil.
	ties func(s float32, z int32) []S
	// narrowFar are pools of narrow ranges far from zero: quantized with
	// their own parameters, their products land near large zero points,
	// on coarse grids where the rounding of the product before the sum
	// decides (a fused multiply-add differs).
	narrowFar []*pool[S]
	// scaledTies, if not nil, calls run with vectors holding a value and a
	// scale whose product is a rounding tie of quantization with zero
	// point z (see format.scaledTies).
	scaledTies func(c *checker, seed uint64, z float32, run func(in []S, at int, s float32))
}

func specialsOf(bits []uint32) []float32 {
	out := make([]float32, len(bits))
	for i, b := range bits {
		out[i] = f32(b)
	}
	return out
}

func specialsOf16(bits []uint32) []uint16 {
	out := make([]uint16, len(bits))
	for i, b := range bits {
		out[i] = uint16(b)
	}
	return out
}

// reduceSource32 and reduceSource16 feed the reductions: any patterns.
func reduceSource32() *source[float32] {
	return &source[float32]{
		pools: f32Pools(), background: poolNamed(f32Pools(), "weights"),
		outliers: poolNamed(f32Pools(), "huge"), specials: specialsOf(reduceSpecials), last: specialsOf(reduce32().last),
		zeros: [2]float32{0, f32(0x80000000)}, show: hex[float32],
	}
}

func reduceSource16() *source[uint16] {
	return &source[uint16]{
		pools: reduce16Pools(), background: poolNamed(reduce16Pools(), "fp16-weights"),
		outliers: poolNamed(reduce16Pools(), "bf16-huge"), specials: specialsOf16(reduceSpecials16), last: specialsOf16(reduce16().last),
		zeros: [2]uint16{0, 0x8000}, show: func(h uint16) string { return fmt.Sprintf("%#04x", h) },
	}
}

// quantSource32 feeds the float32 quantizers: finite values.
func quantSource32() *source[float32] {
	return &source[float32]{
		pools: finitePools(), background: poolNamed(finitePools(), "weights"),
		outliers: poolNamed(finitePools(), "huge"), specials: quantBounds,
		zeros: [2]float32{0, f32(0x80000000)}, show: hex[float32],
		absmax: absmaxScale, zeroPoint: zeroPointParams,
		ties: func(s float32, z int32) []float32 {
			if z > 1<<21 || z < -(1<<21) {
				return nil // k+0.5-z is no longer exact
			}
			return tieData(s, z)
		},
		narrowFar: []*pool[float32]{poolNamed(finitePools(), "narrow-far"), poolNamed(finitePools(), "narrow-far-negative")},
	}
}

// quantSource16 feeds the quantizers of f's 16-bit sources: finite patterns.
func (f *format) quantSource16() *source[uint16] {
	pools := f.finitePools()
	return &source[uint16]{
		pools: pools, background: poolNamed(pools, f.short+"-weights"),
		outliers: poolNamed(pools, f.short+"-huge"), specials: f.finiteSpecials(),
		zeros: [2]uint16{0, 0x8000}, show: f.show,
		absmax: f.absmaxScale, zeroPoint: f.zeroPointParams, ties: f.tieData,
		narrowFar:  []*pool[uint16]{poolNamed(pools, f.short+"-narrow-far"), poolNamed(pools, f.short+"-narrow-far-negative")},
		scaledTies: f.scaledTies,
	}
}
