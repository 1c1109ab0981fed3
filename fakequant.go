package quant

import (
	"sync"
	"unsafe"
)

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
	params := [1]AbsmaxParams{p}
	return fakeTensor("FakeQuantizeAbsmax", dst, nil, src, params[:])
}

// FakeQuantizeZeroPoint is FakeQuantizeAbsmax for zero-point
// quantization: float32(q - p.ZeroPoint) / p.Scale with q as
// QuantizeZeroPointWith computes it. Its errors are those of
// QuantizeZeroPointWith.
func FakeQuantizeZeroPoint[T Float](dst, src []T, p ZeroPointParams) error {
	params := [1]ZeroPointParams{p}
	return fakeTensor("FakeQuantizeZeroPoint", dst, nil, src, params[:])
}

// FakeQuantizeAbsmaxGroups is FakeQuantizeAbsmax with params[i] for group
// i of g, parallel if g is; its errors and panics are those of
// QuantizeAbsmaxGroupsWith.
func FakeQuantizeAbsmaxGroups[T Float](dst, src []T, params []AbsmaxParams, g Granularity) error {
	return fakeGroups("FakeQuantizeAbsmaxGroups", dst, nil, src, params, g)
}

// FakeQuantizeZeroPointGroups is FakeQuantizeZeroPoint with params[i] for
// group i of g; see FakeQuantizeAbsmaxGroups.
func FakeQuantizeZeroPointGroups[T Float](dst, src []T, params []ZeroPointParams, g Granularity) error {
	return fakeGroups("FakeQuantizeZeroPointGroups", dst, nil, src, params, g)
}

func fakeGroups[T Float, P staticParams](fn string, dst []T, mask []bool, src []T, params []P, g Granularity) error {
	n := len(src)
	ng := checkGroups(fn, len(dst), n, len(params), g)
	m := maskBytes(mask) // nil: none; the Mask functions check theirs first
	params = params[:ng]
	if err := checkParams(fn, params, g); err != nil {
		return err
	}
	s, out := sourceOf(active(), src), sourceOf(active(), dst)
	if w := g.workersFor(n); w > 1 {
		return nanError(fn, s, g, staticParallel(n, g, w, func(lo, hi int) int {
			return fakeStaticPart(out, m, s, params, g, lo, hi)
		}))
	}
	return nanError(fn, s, g, fakeStaticPart(out, m, s, params, g, 0, n))
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

// fakeStaticPart fake-quantizes values [lo, hi) of s into out, and
// writes their mask if mask is not nil (see fakePart). FakeQuantize finds
// a NaN in the pass that quantizes; FakeQuantizeMask takes none, so with
// a mask each chunk is checked first.
func fakeStaticPart[P staticParams](out source, mask []uint8, s source, params []P, g Granularity, lo, hi int) int {
	k := s.k
	return fakePart(out, mask, s, g, lo, hi, mask != nil, func(i int, d, x []float32, m []uint8) bool {
		scale, zero, qmin, qmax := params[i].fakeGrid()
		if m == nil {
			return k.FakeQuantize(d, x, scale, zero, qmin, qmax)
		}
		k.FakeQuantizeMask(d, x, m, scale, zero, qmin, qmax)
		return false
	})
}

// fakePart is the walk of every fake quantizer over values [lo, hi) of s
// (see staticWalk): fake(i, d, x, m) fake-quantizes the float32 values x
// of a piece of group i into d, writes their mask into m unless m is nil
// (mask is), and reports a NaN. 16-bit values are widened into scratch,
// fake-quantized there and rounded into out, a piece at a time.
func fakePart(out source, mask []uint8, s source, g Granularity, lo, hi int, precheck bool, fake func(i int, d, x []float32, m []uint8) bool) int {
	maskOf := func(a, b int) []uint8 {
		if mask == nil {
			return nil
		}
		return mask[a:b]
	}
	if s.kind == elemFloat32 {
		// In place, a kernel that meets a NaN may overwrite it before the
		// error can name it: check each chunk first (it is then in L1).
		precheck = precheck || overlaps(out.f32, s.f32)
		return staticWalk(s, g, lo, hi, precheck, nil, func(i, a, b int) bool {
			return fake(i, out.f32[a:b], s.f32[a:b], maskOf(a, b))
		})
	}
	k := s.k
	buf := fakePool.Get().(*fakeScratch)
	defer fakePool.Put(buf)
	widen, narrow := k.Float16ToFloat32, k.Float32ToFloat16
	if s.kind == elemBFloat16 {
		widen, narrow = k.BFloat16ToFloat32, k.Float32ToBFloat16
	}
	return staticWalk(s, g, lo, hi, precheck, nil, func(i, a, b int) bool {
		x := buf[:b-a]
		widen(x, s.u16[a:b])
		if fake(i, x, x, maskOf(a, b)) {
			return true
		}
		narrow(out.u16[a:b], x)
		return false
	})
}

// maskBytes views a mask as the bytes the kernels write: a Go bool is
// one byte, 0 or 1.
func maskBytes(mask []bool) []uint8 {
	if mask == nil {
		return nil
	}
	return unsafe.Slice((*uint8)(unsafe.Pointer(unsafe.SliceData(mask))), len(mask))
}

// FakeQuantizeAbsmaxMask is FakeQuantizeAbsmax that also stores in
// mask[i] whether value i's quantization fell inside the grid before the
// clamp (roundEven(x*p.Scale) within [-127, 127]): where the
// straight-through estimator lets the gradient through, the mask
// FakeQuantizeBackward applies. PyTorch's
// fake_quantize_per_tensor_affine_cachemask returns the same mask, a bool
// per value. It panics if mask is shorter than src; errors are
// FakeQuantizeAbsmax's (mask, like dst, unspecified after a NaN).
func FakeQuantizeAbsmaxMask[T Float](dst []T, mask []bool, src []T, p AbsmaxParams) error {
	const fn = "FakeQuantizeAbsmaxMask"
	checkMaskLen(fn, len(dst), len(mask), len(src))
	params := [1]AbsmaxParams{p}
	return fakeTensor(fn, dst, mask, src, params[:])
}

// FakeQuantizeZeroPointMask is FakeQuantizeZeroPoint with the mask of
// FakeQuantizeAbsmaxMask: roundEven(float32(x*p.Scale) +
// float32(p.ZeroPoint)) within [-128, 127].
func FakeQuantizeZeroPointMask[T Float](dst []T, mask []bool, src []T, p ZeroPointParams) error {
	const fn = "FakeQuantizeZeroPointMask"
	checkMaskLen(fn, len(dst), len(mask), len(src))
	params := [1]ZeroPointParams{p}
	return fakeTensor(fn, dst, mask, src, params[:])
}

// fakeTensor is fakeGroups for one group, serial: without the parallel
// path, params does not escape and the call does not allocate. A nil
// mask means none; the Mask functions check theirs first.
func fakeTensor[T Float, P staticParams](fn string, dst []T, mask []bool, src []T, params []P) error {
	n := len(src)
	checkLen(fn, len(dst), n)
	if err := checkParams(fn, params, PerTensor()); err != nil {
		return err
	}
	s := sourceOf(active(), src)
	return nanError(fn, s, PerTensor(), fakeStaticPart(sourceOf(active(), dst), maskBytes(mask), s, params, PerTensor(), 0, n))
}

// FakeQuantizeAbsmaxGroupsMask is FakeQuantizeAbsmaxGroups with the mask
// of FakeQuantizeAbsmaxMask.
func FakeQuantizeAbsmaxGroupsMask[T Float](dst []T, mask []bool, src []T, params []AbsmaxParams, g Granularity) error {
	const fn = "FakeQuantizeAbsmaxGroupsMask"
	checkMaskLen(fn, len(dst), len(mask), len(src))
	return fakeGroups(fn, dst, mask, src, params, g)
}

// FakeQuantizeZeroPointGroupsMask is FakeQuantizeZeroPointGroups with the
// mask of FakeQuantizeZeroPointMask.
func FakeQuantizeZeroPointGroupsMask[T Float](dst []T, mask []bool, src []T, params []ZeroPointParams, g Granularity) error {
	const fn = "FakeQuantizeZeroPointGroupsMask"
	checkMaskLen(fn, len(dst), len(mask), len(src))
	return fakeGroups(fn, dst, mask, src, params, g)
}

// FakeQuantizeBackward is the backward pass of fake quantization with the
// straight-through estimator: gradIn[i] = gradOut[i] where mask[i], +0
// where not. gradIn may be gradOut. It panics if gradIn or mask is
// shorter than gradOut.
func FakeQuantizeBackward[T Float](gradIn, gradOut []T, mask []bool) {
	const fn = "FakeQuantizeBackward"
	n := len(gradOut)
	checkMaskLen(fn, len(gradIn), len(mask), n)
	k, m := active(), maskBytes(mask)
	switch g := any(gradOut).(type) {
	case []float32:
		k.MaskGradient(any(gradIn).([]float32)[:n], g, m[:n])
		return
	}
	// 16-bit gradients: the selection on their bits, which a round trip
	// through float32 would change for signalling NaNs.
	in, out := sourceOf(k, gradOut).u16, sourceOf(k, gradIn).u16[:n]
	for i, h := range in {
		if !mask[i] {
			h = 0
		}
		out[i] = h
	}
}

// checkMaskLen checks the lengths of a call with a mask: dst first, then
// the mask.
func checkMaskLen(fn string, ndst, nmask, n int) {
	checkLen(fn, ndst, n)
	if nmask < n {
		panic("quant: " + fn + ": len(mask) = " + itoa(nmask) + " < " + itoa(n) + " values")
	}
}

// overlaps reports whether a and b share memory.
func overlaps(a, b []float32) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	pa, pb := uintptr(unsafe.Pointer(&a[0])), uintptr(unsafe.Pointer(&b[0]))
	return pa < pb+uintptr(len(b))*4 && pb < pa+uintptr(len(a))*4
}
