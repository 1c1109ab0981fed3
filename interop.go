package quant

import (
	"fmt"
	"math"
)

// Interop: PyTorch's and ONNX Runtime's arithmetic, bit for bit, with
// their parameters in their own form, so that a model quantized,
// calibrated or trained there is deployed here with the same integers.
// Where the library's own quantizers compute round(x*s + z), these round
// first and add the zero point after, with the scale as the step between
// levels rather than its inverse.

// AffineParams are quantization parameters in the form PyTorch and ONNX
// store them: a value x is represented by q with x ≈ (q − ZeroPoint) ·
// Scale. PyTorch's q_scale() and ONNX's y_scale are this Scale (rounded to
// float32, as both frameworks round it before use); the library's own
// ZeroPointParams have Scale = 1/Scale.
type AffineParams struct {
	Scale     float32
	ZeroPoint int32
}

// maxFakeGrid bounds the fake-quantization grids: small enough that
// q − zero point is exact in float32.
const maxFakeGrid = 1 << 23

// validGrid reports whether p can quantize on the grid [qmin, qmax]: a
// positive, finite scale with a finite float32 reciprocal, and
// qmin <= ZeroPoint <= qmax (PyTorch's own check; [-128, 127] is what
// torch.qint8 and ONNX's int8 zero point hold).
func (p AffineParams) validGrid(qmin, qmax int32) bool {
	inv := 1 / p.Scale
	return p.Scale > 0 && p.Scale <= math.MaxFloat32 && inv <= math.MaxFloat32 &&
		qmin <= p.ZeroPoint && p.ZeroPoint <= qmax
}

func (p AffineParams) dequantize(out sink, lo, hi int, src []int8) {
	out.dequantizeAffine(lo, hi, src, p.Scale, p.ZeroPoint)
}

// QuantizePyTorch quantizes src into dst as torch.quantize_per_tensor
// with dtype torch.qint8 does:
//
//	q = clamp(roundEven(x · float32(1/p.Scale)) + p.ZeroPoint, -128, 127)
//
// the reciprocal and the product each rounded to float32, the product
// rounded to an integer (ties to even) before the zero point is added.
// Values beyond the grid take its ends, ±Inf included (PyTorch on x86
// maps +Inf, and values whose x/scale reaches 2^31, to -128: an
// out-of-range conversion in its C++, which this does not copy).
//
// It returns an error wrapping ErrParams if p cannot quantize (a scale
// that is not positive and finite or whose reciprocal overflows, a zero
// point outside [-128, 127]; dst is then untouched), and ErrNotFinite,
// naming the first NaN, if src holds one (dst is then partly written, its
// contents unspecified: PyTorch would store -128). It panics if dst is
// shorter than src.
func QuantizePyTorch[T Float](dst []int8, src []T, p AffineParams) error {
	params := [1]AffineParams{p}
	return interopTensor("QuantizePyTorch", dst, sourceOf(active(), src), params[:], false)
}

// QuantizePyTorchGroups is QuantizePyTorch with params[i] for group i of
// g: torch.quantize_per_channel on axis 0 of a row-major matrix for
// PerRow. It checks every group's parameters before it writes anything;
// ErrParams names the first bad group, ErrNotFinite the first NaN. It
// panics if dst is shorter than src or params than the groups.
func QuantizePyTorchGroups[T Float](dst []int8, src []T, params []AffineParams, g Granularity) error {
	return interopGroups("QuantizePyTorchGroups", dst, sourceOf(active(), src), params, g, false)
}

// QuantizeONNX quantizes src into dst as ONNX QuantizeLinear with an int8
// zero point does:
//
//	q = saturate(roundEven(x / p.Scale) + p.ZeroPoint)
//
// the quotient rounded to float32, then to an integer (ties to even),
// then the zero point added and the sum saturated to [-128, 127]; ±Inf
// saturate too. A 16-bit input is used at its exact float32 value (for a
// float16 model, pass its float16 scale widened to float32). Its errors
// and panics are those of QuantizePyTorch.
func QuantizeONNX[T Float](dst []int8, src []T, p AffineParams) error {
	params := [1]AffineParams{p}
	return interopTensor("QuantizeONNX", dst, sourceOf(active(), src), params[:], true)
}

// QuantizeONNXGroups is QuantizeONNX with params[i] for group i of g:
// QuantizeLinear per axis (PerRow: axis 0 of a row-major matrix) or
// blocked (PerBlock: block_size along the last axis); see
// QuantizePyTorchGroups for its errors and panics.
func QuantizeONNXGroups[T Float](dst []int8, src []T, params []AffineParams, g Granularity) error {
	return interopGroups("QuantizeONNXGroups", dst, sourceOf(active(), src), params, g, true)
}

// interopTensor is interopGroups for one group, serial, so that params
// does not escape and the call does not allocate.
func interopTensor(fn string, dst []int8, s source, params []AffineParams, onnx bool) error {
	checkLen(fn, len(dst), s.len())
	if err := checkAffine(fn, params, PerTensor(), -128, 127); err != nil {
		return err
	}
	return nanError(fn, s, PerTensor(), interopPart(dst, s, params, PerTensor(), onnx, 0, s.len()))
}

func interopGroups(fn string, dst []int8, s source, params []AffineParams, g Granularity, onnx bool) error {
	n := s.len()
	ng := checkGroups(fn, len(dst), n, len(params), g)
	params = params[:ng]
	if err := checkAffine(fn, params, g, -128, 127); err != nil {
		return err
	}
	if w := g.workersFor(n); w > 1 {
		return nanError(fn, s, g, staticParallel(n, g, w, func(lo, hi int) int {
			return interopPart(dst, s, params, g, onnx, lo, hi)
		}))
	}
	return nanError(fn, s, g, interopPart(dst, s, params, g, onnx, 0, n))
}

// interopPart quantizes values [lo, hi) of s with params[i] for group i
// of g (see staticWalk); the kernels find a NaN in the same pass.
func interopPart(dst []int8, s source, params []AffineParams, g Granularity, onnx bool, lo, hi int) int {
	return staticWalk(s, g, lo, hi, false, nil, func(i, a, b int) bool {
		p := params[i]
		if onnx {
			return s.quantizeONNX(dst, a, b, p.Scale, float32(p.ZeroPoint))
		}
		return s.quantizePyTorch(dst, a, b, 1/p.Scale, float32(p.ZeroPoint))
	})
}

// checkAffine returns the error for the first of params that cannot
// quantize on [qmin, qmax], or nil.
func checkAffine(fn string, params []AffineParams, g Granularity, qmin, qmax int32) error {
	for i, p := range params {
		if !p.validGrid(qmin, qmax) {
			return paramsError(fn, g, i, p)
		}
	}
	return nil
}

// DequantizeAffine stores in dst, for each q of src, (q − p.ZeroPoint) ·
// p.Scale: the exact difference converted to float32, times the scale, one
// float32 rounding, then rounded to T for 16-bit types. That is PyTorch's
// Tensor.dequantize() and ONNX DequantizeLinear, bit for bit. (PyTorch's
// AVX2 kernels compute q·scale − zero·scale with an FMA on some paths,
// such as the quantized operators' internals; Tensor.dequantize() does
// not.) It returns an error wrapping ErrParams, before writing anything,
// if p cannot quantize (see QuantizePyTorch), and panics if dst is
// shorter than src.
func DequantizeAffine[T Float](dst []T, src []int8, p AffineParams) error {
	const fn = "DequantizeAffine"
	checkLen(fn, len(dst), len(src))
	params := [1]AffineParams{p}
	if err := checkAffine(fn, params[:], PerTensor(), -128, 127); err != nil {
		return err
	}
	p.dequantize(sinkOf(active(), dst), 0, len(src), src)
	return nil
}

// DequantizeAffineGroups is DequantizeAffine with params[i] for group i
// of g. It checks every group's parameters first; it panics if dst is
// shorter than src or params than the groups.
func DequantizeAffineGroups[T Float](dst []T, src []int8, params []AffineParams, g Granularity) error {
	const fn = "DequantizeAffineGroups"
	ng := checkGroups(fn, len(dst), len(src), len(params), g)
	if err := checkAffine(fn, params[:ng], g, -128, 127); err != nil {
		return err
	}
	dequantizeGroups(sinkOf(active(), dst), src, params[:ng], g)
	return nil
}

// FakeQuantizePyTorch is torch.fake_quantize_per_tensor_affine(src,
// p.Scale, p.ZeroPoint, qmin, qmax), and, if mask is not nil, the mask of
// its _cachemask form:
//
//	v       = roundEven(x · float32(1/p.Scale)) + p.ZeroPoint   (float32)
//	dst     = (clamp(v, qmin, qmax) − p.ZeroPoint) · p.Scale
//	mask[i] = qmin <= v <= qmax
//
// each step rounded to float32, and dst rounded to T for 16-bit types
// (PyTorch's float16 result, bit for bit; PyTorch 1.13 has no bfloat16
// fake quantization, and this rounds the float32 result to bfloat16).
// The mask is where the straight-through estimator passes the gradient:
// FakeQuantizeBackward applies it. dst may be src. ±Inf saturate to the
// grid's ends with a clear mask (PyTorch on x86 maps +Inf, and values
// whose x/scale reaches 2^63, to qmin).
//
// It returns an error wrapping ErrParams, before writing anything, unless
// p.Scale is positive and finite with a finite reciprocal and
// qmin <= p.ZeroPoint <= qmax within [-2^23, 2^23]; and ErrNotFinite
// naming the first NaN of src (dst and mask then unspecified). It panics
// if dst or a non-nil mask is shorter than src.
func FakeQuantizePyTorch[T Float](dst []T, mask []bool, src []T, p AffineParams, qmin, qmax int32) error {
	const fn = "FakeQuantizePyTorch"
	checkFakeLens(fn, len(dst), mask, len(src))
	params := [1]AffineParams{p}
	if err := checkFakeGrid(fn, params[:], PerTensor(), qmin, qmax); err != nil {
		return err
	}
	s := sourceOf(active(), src)
	return nanError(fn, s, PerTensor(), fakePyTorchPart(sourceOf(active(), dst), maskBytes(mask), s, params[:], PerTensor(), qmin, qmax, 0, len(src)))
}

// FakeQuantizePyTorchGroups is FakeQuantizePyTorch with params[i] for
// group i of g: torch.fake_quantize_per_channel_affine on axis 0 of a
// row-major matrix for PerRow, with integer zero points. It checks every
// group's parameters first; errors and panics are FakeQuantizePyTorch's,
// and it panics if params is shorter than the groups.
func FakeQuantizePyTorchGroups[T Float](dst []T, mask []bool, src []T, params []AffineParams, qmin, qmax int32, g Granularity) error {
	const fn = "FakeQuantizePyTorchGroups"
	checkFakeLens(fn, len(dst), mask, len(src))
	n := len(src)
	ng := checkGroups(fn, len(dst), n, len(params), g)
	params = params[:ng]
	if err := checkFakeGrid(fn, params, g, qmin, qmax); err != nil {
		return err
	}
	s, out, m := sourceOf(active(), src), sourceOf(active(), dst), maskBytes(mask)
	if w := g.workersFor(n); w > 1 {
		return nanError(fn, s, g, staticParallel(n, g, w, func(lo, hi int) int {
			return fakePyTorchPart(out, m, s, params, g, qmin, qmax, lo, hi)
		}))
	}
	return nanError(fn, s, g, fakePyTorchPart(out, m, s, params, g, qmin, qmax, 0, n))
}

func checkFakeLens(fn string, ndst int, mask []bool, n int) {
	if mask != nil {
		checkMaskLen(fn, ndst, len(mask), n)
	}
	checkLen(fn, ndst, n)
}

// checkFakeGrid checks the grid, then each of params on it.
func checkFakeGrid(fn string, params []AffineParams, g Granularity, qmin, qmax int32) error {
	if qmin > qmax || qmin < -maxFakeGrid || qmax > maxFakeGrid {
		return fmt.Errorf("quant: %s: %w: grid [%d, %d] (want -2^23 <= qmin <= qmax <= 2^23)", fn, ErrParams, qmin, qmax)
	}
	return checkAffine(fn, params, g, qmin, qmax)
}

// fakePyTorchPart fake-quantizes values [lo, hi) of s into out with
// params[i] for group i of g; the kernel finds a NaN in the same pass.
func fakePyTorchPart(out source, mask []uint8, s source, params []AffineParams, g Granularity, qmin, qmax int32, lo, hi int) int {
	k := s.k
	return fakePart(out, mask, s, g, lo, hi, false, func(i int, d, x []float32, m []uint8) bool {
		p := params[i]
		return k.FakeQuantizePyTorch(d, x, m, 1/p.Scale, p.Scale, p.ZeroPoint, qmin, qmax)
	})
}
