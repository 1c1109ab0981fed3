package quant

import (
	"errors"
	"fmt"
	"math"
)

// Static quantization: parameters fixed in advance (from calibration, or
// from a computing quantizer run earlier), applied in one pass. The
// arithmetic is the computing quantizers' own, through the same kernels,
// so with the parameters a computing quantizer returns the bytes are the
// same.

// ErrParams is returned (wrapped) for parameters that cannot quantize: a
// scale that is not positive and finite, a zero point outside
// [math.MinInt32+128, math.MaxInt32-128], and, for the functions that
// make parameters from a range, a negative max|x| or min > max.
var ErrParams = errors.New("invalid quantization parameters")

// AbsmaxParamsFor returns the parameters QuantizeAbsmax computes for an
// input whose largest magnitude is maxAbs: Scale = 127/maxAbs in float32,
// and Scale = 1 for maxAbs 0.
//
// It returns an error wrapping ErrNotFinite if maxAbs is NaN or infinite,
// ErrParams if it is negative, and ErrRange if 127/maxAbs overflows
// float32, as QuantizeAbsmax does.
func AbsmaxParamsFor(maxAbs float32) (AbsmaxParams, error) {
	const fn = "AbsmaxParamsFor"
	switch {
	case isNonFinite(maxAbs):
		return AbsmaxParams{}, fmt.Errorf("quant: %s: %w: max|x| = %v", fn, ErrNotFinite, maxAbs)
	case maxAbs < 0:
		return AbsmaxParams{}, fmt.Errorf("quant: %s: %w: max|x| = %v is negative", fn, ErrParams, maxAbs)
	}
	p, err := absmaxParams(maxAbs)
	if err != nil {
		return AbsmaxParams{}, fmt.Errorf("quant: %s: %w: max|x| = %g", fn, err, maxAbs)
	}
	return p, nil
}

// ZeroPointParamsFor returns the parameters QuantizeZeroPoint computes for
// an input whose smallest and largest values are min and max (min == max
// is a constant input).
//
// It returns an error wrapping ErrNotFinite if min or max is NaN or
// infinite, ErrParams if min > max, and ErrRange where QuantizeZeroPoint
// returns it for such an input.
func ZeroPointParamsFor(min, max float32) (ZeroPointParams, error) {
	const fn = "ZeroPointParamsFor"
	switch {
	case isNonFinite(min) || isNonFinite(max):
		return ZeroPointParams{}, fmt.Errorf("quant: %s: %w: min = %v, max = %v", fn, ErrNotFinite, min, max)
	case min > max:
		return ZeroPointParams{}, fmt.Errorf("quant: %s: %w: min = %g > max = %g", fn, ErrParams, min, max)
	}
	p, err := zeroPointParams(min, max)
	if err != nil {
		return ZeroPointParams{}, fmt.Errorf("quant: %s: %w: min = %g, max = %g", fn, err, min, max)
	}
	return p, nil
}

func isNonFinite(x float32) bool { return math.Float32bits(x)&0x7F800000 == 0x7F800000 }

// QuantizeAbsmaxWith quantizes src into dst with the given parameters:
// q = clamp(roundEven(x*p.Scale), -127, 127), x*p.Scale rounded to
// float32, the arithmetic of QuantizeAbsmax. Values beyond the grid,
// infinities included, take its ends.
//
// It returns an error wrapping ErrParams if p.Scale is not positive and
// finite (dst is then untouched), and ErrNotFinite, naming the first NaN,
// if src holds one; dst is then partly written, its contents unspecified.
// (The kernels find a NaN in the pass that quantizes; the blockwise ones
// of small PerBlock groups have a chunk of a few thousand values checked
// just before they quantize it. Either way src is read from memory once.)
// It panics if dst is shorter than src.
func QuantizeAbsmaxWith[T Float](dst []int8, src []T, p AbsmaxParams) error {
	params := [1]AbsmaxParams{p}
	return quantizeTensorWith("QuantizeAbsmaxWith", dst, src, params[:])
}

// QuantizeZeroPointWith quantizes src into dst with the given parameters:
// q = clamp(roundEven(float32(x*p.Scale) + float32(p.ZeroPoint)), -128,
// 127), the product and the sum each rounded to float32, the arithmetic
// of QuantizeZeroPoint. Values beyond the grid, infinities included, take
// its ends.
//
// It returns an error wrapping ErrParams if p.Scale is not positive and
// finite or p.ZeroPoint lies outside [math.MinInt32+128,
// math.MaxInt32-128] (dst is then untouched); its other errors and panics
// are those of QuantizeAbsmaxWith.
func QuantizeZeroPointWith[T Float](dst []int8, src []T, p ZeroPointParams) error {
	params := [1]ZeroPointParams{p}
	return quantizeTensorWith("QuantizeZeroPointWith", dst, src, params[:])
}

// QuantizeAbsmaxGroupsWith is QuantizeAbsmaxWith with params[i] for group
// i of g, parallel if g is. It checks every group's parameters before it
// writes anything; ErrParams names the first bad group, ErrNotFinite the
// first NaN of src. It panics as QuantizeAbsmaxGroups does.
func QuantizeAbsmaxGroupsWith[T Float](dst []int8, src []T, params []AbsmaxParams, g Granularity) error {
	return quantizeGroupsWith("QuantizeAbsmaxGroupsWith", dst, sourceOf(active(), src), params, g)
}

// QuantizeZeroPointGroupsWith is QuantizeZeroPointWith with params[i] for
// group i of g; see QuantizeAbsmaxGroupsWith.
func QuantizeZeroPointGroupsWith[T Float](dst []int8, src []T, params []ZeroPointParams, g Granularity) error {
	return quantizeGroupsWith("QuantizeZeroPointGroupsWith", dst, sourceOf(active(), src), params, g)
}

// quantizeTensorWith is quantizeGroupsWith for one group, serial: without
// the parallel path params does not escape, and the call does not
// allocate.
func quantizeTensorWith[T Float, P staticParams](fn string, dst []int8, src []T, params []P) error {
	checkLen(fn, len(dst), len(src))
	if err := checkParams(fn, params, PerTensor()); err != nil {
		return err
	}
	s := sourceOf(active(), src)
	return nanError(fn, s, PerTensor(), quantizeStaticPart(dst, s, params, PerTensor(), 0, len(src)))
}

// staticParams is a parameters type as the static quantizers apply it.
type staticParams interface {
	AbsmaxParams | ZeroPointParams
	valid() bool
	// quantize quantizes values [lo, hi) of s into dst with these
	// parameters and reports whether they hold a NaN.
	quantize(dst []int8, s source, lo, hi int) (nan bool)
	// blockArgs stores the blockwise kernel's arguments for these
	// parameters as block k of the chunk in sc.
	blockArgs(sc *blockScratch, k int)
	// quantizeBlocks runs the method's blockwise kernel on blocks
	// [b0, b1) of s with the arguments in sc; the receiver is unused.
	quantizeBlocks(dst []int8, s source, sc *blockScratch, b0, b1, block int)
	// fakeGrid returns the arguments of kernels.Set.FakeQuantize.
	fakeGrid() (scale float32, zero, qmin, qmax int32)
}

func (p AbsmaxParams) valid() bool { return p.Scale > 0 && p.Scale <= math.MaxFloat32 }

func (p ZeroPointParams) valid() bool {
	return p.Scale > 0 && p.Scale <= math.MaxFloat32 && p.ZeroPoint >= minZeroPoint && p.ZeroPoint <= maxZeroPoint
}

func (p AbsmaxParams) quantize(dst []int8, s source, lo, hi int) bool {
	return s.quantizeAbsmaxChecked(dst, lo, hi, p.Scale)
}

func (p ZeroPointParams) quantize(dst []int8, s source, lo, hi int) bool {
	return s.quantizeZeroPointChecked(dst, lo, hi, p.Scale, float32(p.ZeroPoint))
}

func (p AbsmaxParams) blockArgs(sc *blockScratch, k int) { sc.scales[k] = p.Scale }

func (p ZeroPointParams) blockArgs(sc *blockScratch, k int) {
	sc.scales[k], sc.zeros[k] = p.Scale, float32(p.ZeroPoint)
}

func (AbsmaxParams) quantizeBlocks(dst []int8, s source, sc *blockScratch, b0, b1, block int) {
	s.quantizeAbsmaxBlocks(dst, sc, b0, b1, block)
}

func (ZeroPointParams) quantizeBlocks(dst []int8, s source, sc *blockScratch, b0, b1, block int) {
	s.quantizeZeroPointBlocks(dst, sc, b0, b1, block)
}

// quantizeGroupsWith checks params and quantizes s group by group.
func quantizeGroupsWith[P staticParams](fn string, dst []int8, s source, params []P, g Granularity) error {
	n := s.len()
	ng := checkGroups(fn, len(dst), n, len(params), g)
	params = params[:ng]
	if err := checkParams(fn, params, g); err != nil {
		return err
	}
	if w := g.workersFor(n); w > 1 {
		return nanError(fn, s, g, staticParallel(n, g, w, func(lo, hi int) int {
			return quantizeStaticPart(dst, s, params, g, lo, hi)
		}))
	}
	return nanError(fn, s, g, quantizeStaticPart(dst, s, params, g, 0, n))
}

// checkParams returns the error for the first of params that cannot
// quantize, or nil.
func checkParams[P staticParams](fn string, params []P, g Granularity) error {
	for i, p := range params {
		if !p.valid() {
			return paramsError(fn, g, i, p)
		}
	}
	return nil
}

// staticChunk is how many values a static pass hands on at a time:
// where a chunk is checked for NaN before it is quantized (the kernels
// that cannot report one), few enough that they are still in L1 for the
// second pass, so that src streams from memory once; and enough that the
// calls a chunk takes cost little.
const staticChunk = 4096

// staticBlocked reports whether g's groups go through the blockwise
// kernels, and chunkLen how many values a chunk holds: whole blocks, at
// most blockChunk of them, where blocked.
func staticBlocked(g Granularity) bool { return g.size > 0 && g.size%8 == 0 && g.size <= maxBlock }

func chunkLen(g Granularity) int {
	if staticBlocked(g) {
		return max(1, min(staticChunk/g.size, blockChunk)) * g.size
	}
	return staticChunk
}

// staticWalk is the walk of every static pass over values [lo, hi) of s
// (lo a multiple of chunkLen(g)), a chunk at a time: its whole blocks go
// to blocks (if not nil) and the rest to piece, one piece [a, b) of
// group i at a time, which reports whether it met a NaN. Where precheck
// is set (a pass whose kernels report no NaN), each chunk is first
// checked for NaN by a reduction. It returns the index of the first NaN,
// before which every value is done, or -1.
func staticWalk(s source, g Granularity, lo, hi int, precheck bool, blocks func(b0, b1 int), piece func(i, a, b int) bool) int {
	n, cl := s.len(), chunkLen(g)
	for c0 := lo; c0 < hi; c0 += cl {
		c1 := min(c0+cl, hi)
		if precheck && s.absMaxBits(c0, c1) > 0x7F800000 {
			return s.firstNaN(c0, c1)
		}
		a := c0
		if blocks != nil {
			if b0, b1 := c0/g.size, c1/g.size; b1 > b0 {
				blocks(b0, b1)
				a = b1 * g.size
			}
		}
		for a < c1 {
			i := 0
			if g.size > 0 {
				i = a / g.size
			}
			_, end := g.span(i, n)
			b := min(end, c1)
			if piece(i, a, b) {
				return s.firstNaN(a, b)
			}
			a = b
		}
	}
	return -1
}

// quantizeStaticPart quantizes values [lo, hi) of s with params[i] for
// group i of g (see staticWalk): whole blocks through the blockwise
// kernels after a check, the rest through the checked quantizers, which
// find a NaN in the same pass.
func quantizeStaticPart[P staticParams](dst []int8, s source, params []P, g Granularity, lo, hi int) int {
	var blocks func(b0, b1 int)
	blocked := staticBlocked(g)
	if blocked {
		sc := scratchPool.Get().(*blockScratch)
		defer scratchPool.Put(sc)
		blocks = func(b0, b1 int) {
			for b := b0; b < b1; b++ {
				params[b].blockArgs(sc, b-b0)
			}
			var p P
			p.quantizeBlocks(dst, s, sc, b0, b1, g.size)
		}
	}
	return staticWalk(s, g, lo, hi, blocked, blocks, func(i, a, b int) bool { return params[i].quantize(dst, s, a, b) })
}

// staticParallel runs part over all n values on w goroutines, each a run
// of whole chunks, and returns the first NaN's index whatever w is.
func staticParallel(n int, g Granularity, w int, part func(lo, hi int) int) int {
	cl := chunkLen(g)
	firsts := make([]int, w)
	split(w, (n+cl-1)/cl, func(p, a, b int) { firsts[p] = part(a*cl, min(b*cl, n)) })
	for _, i := range firsts { // in order: the first part with a NaN has the first
		if i >= 0 {
			return i
		}
	}
	return -1
}

// nanError is the error for a NaN at src[i] in a static pass, nil for
// i < 0.
func nanError(fn string, s source, g Granularity, i int) error {
	if i < 0 {
		return nil
	}
	label := ""
	if g.size > 0 {
		label = g.label(i / g.size)
	}
	return fmt.Errorf("quant: %s: %s%w: src[%d] = %v", fn, label, ErrNotFinite, i, s.at(i))
}

func paramsError(fn string, g Granularity, i int, p any) error {
	return fmt.Errorf("quant: %s: %s%w: %+v", fn, g.label(i), ErrParams, p)
}
