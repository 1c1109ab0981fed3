package quant

import "sync"

// Fake quantization, the forward pass of quantization-aware training:
// each value is replaced by the dequantized value of its quantization,
// in one pass, so that training sees the rounding and clamping the
// quantized model will have.

// FakeQuantizeAbsmax stores in dst the value DequantizeAbsmax gives for
// the q QuantizeAbsmaxWith computes from each x of src with p, bit for
// bit: float32(q) / p.Scale with q = clamp(roundEven(x*p.Scale), -127,
// 127), rounded to T for 16-bit types (as DequantizeAbsmaxGroups rounds).
// dst may be src.
//
// Its errors are those of QuantizeAbsmaxWith: ErrParams before anything
// is written, ErrNotFinite naming the first NaN (dst then unspecified).
// It panics if dst is shorter than src.
func FakeQuantizeAbsmax[T Float](dst, src []T, p AbsmaxParams) error {
	const fn = "FakeQuantizeAbsmax"
	checkLen(fn, len(dst), len(src))
	if !p.valid() {
		return paramsError(fn, PerTensor(), 0, p)
	}
	params := [1]AbsmaxParams{p}
	s := sourceOf(active(), src)
	return nanError(fn, s, PerTensor(), fakeStaticPart(sourceOf(active(), dst), s, params[:], PerTensor(), 0, len(src)))
}

// FakeQuantizeZeroPoint is FakeQuantizeAbsmax for zero-point
// quantization: float32(q - p.ZeroPoint) / p.Scale with q as
// QuantizeZeroPointWith computes it. Its errors are those of
// QuantizeZeroPointWith.
func FakeQuantizeZeroPoint[T Float](dst, src []T, p ZeroPointParams) error {
	const fn = "FakeQuantizeZeroPoint"
	checkLen(fn, len(dst), len(src))
	if !p.valid() {
		return paramsError(fn, PerTensor(), 0, p)
	}
	params := [1]ZeroPointParams{p}
	s := sourceOf(active(), src)
	return nanError(fn, s, PerTensor(), fakeStaticPart(sourceOf(active(), dst), s, params[:], PerTensor(), 0, len(src)))
}

// FakeQuantizeAbsmaxGroups is FakeQuantizeAbsmax with params[i] for group
// i of g, parallel if g is; its errors and panics are those of
// QuantizeAbsmaxGroupsWith.
func FakeQuantizeAbsmaxGroups[T Float](dst, src []T, params []AbsmaxParams, g Granularity) error {
	return fakeGroups("FakeQuantizeAbsmaxGroups", dst, src, params, g)
}

// FakeQuantizeZeroPointGroups is FakeQuantizeZeroPoint with params[i] for
// group i of g; see FakeQuantizeAbsmaxGroups.
func FakeQuantizeZeroPointGroups[T Float](dst, src []T, params []ZeroPointParams, g Granularity) error {
	return fakeGroups("FakeQuantizeZeroPointGroups", dst, src, params, g)
}

func fakeGroups[T Float, P staticParams](fn string, dst, src []T, params []P, g Granularity) error {
	n := len(src)
	ng := checkGroups(fn, len(dst), n, len(params), g)
	params = params[:ng]
	if err := checkParams(fn, params, g); err != nil {
		return err
	}
	s, out := sourceOf(active(), src), sourceOf(active(), dst)
	if w := g.workersFor(n); w > 1 {
		return nanError(fn, s, g, staticParallel(n, g, w, func(lo, hi int) int {
			return fakeStaticPart(out, s, params, g, lo, hi)
		}))
	}
	return nanError(fn, s, g, fakeStaticPart(out, s, params, g, 0, n))
}

// fakeGrid is the kernel's view of a parameters type: absmax is zero
// point 0 on [-127, 127].
func (p AbsmaxParams) fakeGrid() (scale float32, zero, qmin, qmax int32) {
	return p.Scale, 0, -127, 127
}

func (p ZeroPointParams) fakeGrid() (scale float32, zero, qmin, qmax int32) {
	return p.Scale, p.ZeroPoint, -128, 127
}

// fakeScratch holds a chunk of 16-bit values widened to float32.
type fakeScratch [staticChunk]float32

var fakePool = sync.Pool{New: func() any { return new(fakeScratch) }}

// fakeStaticPart fake-quantizes values [lo, hi) of s into out (see
// staticWalk). 16-bit values are widened into scratch, fake-quantized
// there and rounded into out, a piece at a time.
func fakeStaticPart[P staticParams](out, s source, params []P, g Granularity, lo, hi int) int {
	k := s.k
	if s.kind == elemFloat32 {
		return staticWalk(s, g, lo, hi, nil, func(i, a, b int) {
			scale, zero, qmin, qmax := params[i].fakeGrid()
			k.FakeQuantize(out.f32[a:b], s.f32[a:b], scale, zero, qmin, qmax)
		})
	}
	buf := fakePool.Get().(*fakeScratch)
	defer fakePool.Put(buf)
	widen, narrow := k.Float16ToFloat32, k.Float32ToFloat16
	if s.kind == elemBFloat16 {
		widen, narrow = k.BFloat16ToFloat32, k.Float32ToBFloat16
	}
	return staticWalk(s, g, lo, hi, nil, func(i, a, b int) {
		scale, zero, qmin, qmax := params[i].fakeGrid()
		x := buf[:b-a]
		widen(x, s.u16[a:b])
		k.FakeQuantize(x, x, scale, zero, qmin, qmax)
		narrow(out.u16[a:b], x)
	})
}
