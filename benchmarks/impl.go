package benchmarks

import (
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/qkernels/quant"
	"github.com/qkernels/quant/dispatch"
	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
	"github.com/x448/float16"
)

// Impl is one implementation of the operations of package quant, on raw
// bits, as the benchmarks call it. A nil field means the implementation
// lacks that operation; it is then left out of its benchmark.
type Impl struct {
	Name string
	// Kernels is the kernel table the operations are built on, nil for
	// "quant" (the public API). Its nil fields are missing kernels.
	Kernels *kernels.Set

	Float32ToFloat16    func(dst []uint16, src []float32)
	Float16ToFloat32    func(dst []float32, src []uint16)
	Float32ToBFloat16   func(dst []uint16, src []float32)
	BFloat16ToFloat32   func(dst []float32, src []uint16)
	AbsMax              func(src []float32) float32
	MinMax              func(src []float32) (min, max float32)
	QuantizeAbsmax      func(dst []int8, src []float32) (quant.AbsmaxParams, error)
	QuantizeZeroPoint   func(dst []int8, src []float32) (quant.ZeroPointParams, error)
	DequantizeAbsmax    func(dst []float32, src []int8, p quant.AbsmaxParams)
	DequantizeZeroPoint func(dst []float32, src []int8, p quant.ZeroPointParams)

	// The static quantizers, with parameters given (QuantizeAbsmaxWith,
	// QuantizeZeroPointWith), from float32 and bfloat16 (raw bits).
	QuantizeAbsmaxWith            func(dst []int8, src []float32, p quant.AbsmaxParams) error
	QuantizeZeroPointWith         func(dst []int8, src []float32, p quant.ZeroPointParams) error
	QuantizeAbsmaxWithBFloat16    func(dst []int8, src []uint16, p quant.AbsmaxParams) error
	QuantizeZeroPointWithBFloat16 func(dst []int8, src []uint16, p quant.ZeroPointParams) error

	EncodeQ8_0         func(dst []byte, src []float32) error
	EncodeQ8_0Float16  func(dst []byte, src []uint16) error
	EncodeQ8_0BFloat16 func(dst []byte, src []uint16) error
	DecodeQ8_0         func(dst []float32, src []byte)
	// GGUF Q4_0 and Q4_1 from and to float32.
	EncodeQ4_0 func(dst []byte, src []float32) error
	DecodeQ4_0 func(dst []float32, src []byte)
	EncodeQ4_1 func(dst []byte, src []float32) error
	DecodeQ4_1 func(dst []float32, src []byte)
	// The per-row quantizers take a row-major matrix of cols columns.
	QuantizeAbsmaxPerRow    func(dst []int8, params []quant.AbsmaxParams, src []float32, cols int) error
	QuantizeZeroPointPerRow func(dst []int8, params []quant.ZeroPointParams, src []float32, cols int) error

	// The same from binary16 and bfloat16 sources (raw bits).
	QuantizeAbsmaxPerRowFloat16     func(dst []int8, params []quant.AbsmaxParams, src []uint16, cols int) error
	QuantizeAbsmaxPerRowBFloat16    func(dst []int8, params []quant.AbsmaxParams, src []uint16, cols int) error
	QuantizeZeroPointPerRowFloat16  func(dst []int8, params []quant.ZeroPointParams, src []uint16, cols int) error
	QuantizeZeroPointPerRowBFloat16 func(dst []int8, params []quant.ZeroPointParams, src []uint16, cols int) error

	// 16-bit outputs: DecodeQ8_0 and DequantizeZeroPoint rounded to
	// binary16 or bfloat16 by the kernels that write them directly.
	DecodeQ8_0Float16           func(dst []uint16, src []byte)
	DecodeQ8_0BFloat16          func(dst []uint16, src []byte)
	DequantizeZeroPointFloat16  func(dst []uint16, src []int8, p quant.ZeroPointParams)
	DequantizeZeroPointBFloat16 func(dst []uint16, src []int8, p quant.ZeroPointParams)

	// Fake quantization of float32 with parameters given
	// (FakeQuantizeAbsmax, FakeQuantizeZeroPoint): dst the dequantized
	// quants of src, in one pass.
	FakeQuantizeAbsmax    func(dst, src []float32, p quant.AbsmaxParams) error
	FakeQuantizeZeroPoint func(dst, src []float32, p quant.ZeroPointParams) error
	// FakeQuantizeAbsmaxComposed is the same result composed of the two
	// calls a user would make without fake quantization:
	// QuantizeAbsmaxWith into q (len(src) int8, the caller's), then
	// DequantizeAbsmax of q into dst.
	FakeQuantizeAbsmaxComposed func(dst []float32, q []int8, src []float32, p quant.AbsmaxParams) error
	// MeasureError compares x with its reconstruction y (float64 sums in
	// quant's fixed order).
	MeasureError func(x, y []float32) (quant.ErrorStats, error)

	// The interop operations on float32, with parameters in PyTorch's and
	// ONNX's form (x ≈ (q - ZeroPoint) · Scale): QuantizePyTorch and
	// QuantizeONNX on [-128, 127], DequantizeAffine, and
	// FakeQuantizePyTorch on the grid [qmin, qmax], with its mask if mask
	// is not nil.
	QuantizePyTorch     func(dst []int8, src []float32, p quant.AffineParams) error
	QuantizeONNX        func(dst []int8, src []float32, p quant.AffineParams) error
	DequantizeAffine    func(dst []float32, src []int8, p quant.AffineParams) error
	FakeQuantizePyTorch func(dst []float32, mask []bool, src []float32, p quant.AffineParams, qmin, qmax int32) error
}

// Kernel names, one per benchmark, in benchmark order. Each but the
// parallel ones is an operation of Impl, measured on every implementation
// that has it; see KernelOp.
var KernelNames = []string{
	"Float32ToFloat16", "Float16ToFloat32", "Float32ToBFloat16", "BFloat16ToFloat32",
	"AbsMax", "MinMax", "QuantizeAbsmax", "QuantizeZeroPoint",
	"QuantizeAbsmaxWith", "QuantizeZeroPointWith", "QuantizeAbsmaxWithBFloat16", "QuantizeZeroPointWithBFloat16",
	"DequantizeAbsmax", "DequantizeZeroPoint", "DequantizeZeroPointFloat16", "DequantizeZeroPointBFloat16",
	"EncodeQ8_0", "EncodeQ8_0Float16", "EncodeQ8_0BFloat16",
	"DecodeQ8_0", "DecodeQ8_0Float16", "DecodeQ8_0BFloat16",
	"EncodeQ4_0", "DecodeQ4_0", "EncodeQ4_1", "DecodeQ4_1",
	"QuantizeAbsmaxPerRow", "QuantizeZeroPointPerRow",
	"QuantizeAbsmaxPerRowFloat16", "QuantizeZeroPointPerRowFloat16",
	"QuantizeAbsmaxPerRowBFloat16", "QuantizeZeroPointPerRowBFloat16",
	"QuantizeAbsmaxPerBlock", "QuantizeZeroPointPerBlock",
	"QuantizeAbsmaxPerBlockFloat16", "QuantizeZeroPointPerBlockFloat16",
	"QuantizeAbsmaxPerBlockBFloat16", "QuantizeZeroPointPerBlockBFloat16",
	"FakeQuantizeAbsmax", "FakeQuantizeZeroPoint", "FakeQuantizeAbsmaxComposed", "MeasureError",
	"QuantizePyTorch", "QuantizeONNX", "DequantizeAffine", "FakeQuantizePyTorch",
	"QuantizeAbsmaxParallel", "QuantizeZeroPointParallel",
	"QuantizeAbsmaxPerRowParallel", "QuantizeZeroPointPerRowParallel",
}

// RowLength is the row length of the per-row benchmarks: their largest
// size, 2^24 values, is a 4096 × 4096 matrix.
const RowLength = 4096

// BlockLength is the block length of the per-block benchmarks, GGUF's 32.
const BlockLength = 32

// FakeQMin and FakeQMax are the grid of BenchmarkFakeQuantizePyTorch:
// torch.qint8's [-128, 127]. The inputs are weights, which PyTorch
// fake-quantizes on qint8 (its default weight fake quantizers; quint8's
// [0, 255] is its grid for activations), and it is the grid of
// QuantizePyTorch, so the four interop benchmarks share their parameters
// (Inputs.Affine) and FakeQuantizePyTorch computes what QuantizePyTorch
// followed by DequantizeAffine computes. The mask costs the same on any
// grid.
const FakeQMin, FakeQMax = -128, 127

// groupLength returns the values per group of a per-row or per-block
// operation (from any source type: "PerBlock" may be followed by
// "Float16" or "BFloat16").
func groupLength(op string) int {
	if strings.Contains(op, "PerBlock") {
		return BlockLength
	}
	return RowLength
}

// grouped reports whether op is a per-row or per-block quantizer.
func grouped(op string) bool {
	return strings.Contains(op, "PerRow") || strings.Contains(op, "PerBlock")
}

// parallelSuffix marks the benchmarks that compare numbers of workers.
const parallelSuffix = "Parallel"

// KernelOp returns the operation that benchmark kernel measures and the
// implementations it compares: for a kernel of KernelNames ending in
// "Parallel", the operation it names without that suffix on
// WorkerImpls(); for every other kernel, the operation of the same name
// on Impls(). Only the implementations that Has the operation take part.
func KernelOp(kernel string) (op string, impls []*Impl) {
	if op, ok := strings.CutSuffix(kernel, parallelSuffix); ok {
		return op, WorkerImpls()
	}
	return kernel, Impls()
}

// KernelSizes returns the sizes, among sizes, that kernel is measured at:
// whole 32-value blocks for Q8_0, Q4_0 and Q4_1, whole rows for the per-row quantizers, and
// for the parallel kernels only inputs that a parallel call splits
// (quant.ParallelMin values or more).
func KernelSizes(kernel string, sizes []int) []int {
	op, _ := KernelOp(kernel)
	var out []int
	for _, n := range sizes {
		switch {
		case ggufBlocks(op) && n%quant.Q8_0Values != 0: // Q4Values too
		case grouped(op) && n%groupLength(op) != 0:
		case op != kernel && n < quant.ParallelMin:
		default:
			out = append(out, n)
		}
	}
	return out
}

// ggufBlocks reports whether op encodes or decodes GGUF blocks of 32
// values (Q8_0, Q4_0, Q4_1).
func ggufBlocks(op string) bool {
	return strings.Contains(op, "Q8_0") || strings.Contains(op, "Q4_")
}

// ggufBlockBytes returns the bytes of one block of op's GGUF format.
func ggufBlockBytes(op string) int {
	switch {
	case strings.Contains(op, "Q4_0"):
		return quant.Q4_0Bytes
	case strings.Contains(op, "Q4_1"):
		return quant.Q4_1Bytes
	}
	return quant.Q8_0Bytes
}

// Has reports whether im implements the operation named op (a kernel of
// KernelNames that does not end in "Parallel").
func (im *Impl) Has(op string) bool {
	switch op {
	case "Float32ToFloat16":
		return im.Float32ToFloat16 != nil
	case "Float16ToFloat32":
		return im.Float16ToFloat32 != nil
	case "Float32ToBFloat16":
		return im.Float32ToBFloat16 != nil
	case "BFloat16ToFloat32":
		return im.BFloat16ToFloat32 != nil
	case "AbsMax":
		return im.AbsMax != nil
	case "MinMax":
		return im.MinMax != nil
	case "QuantizeAbsmax":
		return im.QuantizeAbsmax != nil
	case "QuantizeZeroPoint":
		return im.QuantizeZeroPoint != nil
	case "QuantizeAbsmaxWith":
		return im.QuantizeAbsmaxWith != nil
	case "QuantizeZeroPointWith":
		return im.QuantizeZeroPointWith != nil
	case "QuantizeAbsmaxWithBFloat16":
		return im.QuantizeAbsmaxWithBFloat16 != nil
	case "QuantizeZeroPointWithBFloat16":
		return im.QuantizeZeroPointWithBFloat16 != nil
	case "DequantizeAbsmax":
		return im.DequantizeAbsmax != nil
	case "DequantizeZeroPoint":
		return im.DequantizeZeroPoint != nil
	case "DequantizeZeroPointFloat16":
		return im.DequantizeZeroPointFloat16 != nil
	case "DequantizeZeroPointBFloat16":
		return im.DequantizeZeroPointBFloat16 != nil
	case "EncodeQ8_0":
		return im.EncodeQ8_0 != nil
	case "EncodeQ8_0Float16":
		return im.EncodeQ8_0Float16 != nil
	case "EncodeQ8_0BFloat16":
		return im.EncodeQ8_0BFloat16 != nil
	case "DecodeQ8_0":
		return im.DecodeQ8_0 != nil
	case "DecodeQ8_0Float16":
		return im.DecodeQ8_0Float16 != nil
	case "DecodeQ8_0BFloat16":
		return im.DecodeQ8_0BFloat16 != nil
	case "EncodeQ4_0":
		return im.EncodeQ4_0 != nil
	case "DecodeQ4_0":
		return im.DecodeQ4_0 != nil
	case "EncodeQ4_1":
		return im.EncodeQ4_1 != nil
	case "DecodeQ4_1":
		return im.DecodeQ4_1 != nil
	case "QuantizeAbsmaxPerRow", "QuantizeAbsmaxPerBlock":
		return im.QuantizeAbsmaxPerRow != nil
	case "QuantizeZeroPointPerRow", "QuantizeZeroPointPerBlock":
		return im.QuantizeZeroPointPerRow != nil
	case "QuantizeAbsmaxPerRowFloat16", "QuantizeAbsmaxPerBlockFloat16":
		return im.QuantizeAbsmaxPerRowFloat16 != nil
	case "QuantizeAbsmaxPerRowBFloat16", "QuantizeAbsmaxPerBlockBFloat16":
		return im.QuantizeAbsmaxPerRowBFloat16 != nil
	case "QuantizeZeroPointPerRowFloat16", "QuantizeZeroPointPerBlockFloat16":
		return im.QuantizeZeroPointPerRowFloat16 != nil
	case "QuantizeZeroPointPerRowBFloat16", "QuantizeZeroPointPerBlockBFloat16":
		return im.QuantizeZeroPointPerRowBFloat16 != nil
	case "FakeQuantizeAbsmax":
		return im.FakeQuantizeAbsmax != nil
	case "FakeQuantizeZeroPoint":
		return im.FakeQuantizeZeroPoint != nil
	case "FakeQuantizeAbsmaxComposed":
		return im.FakeQuantizeAbsmaxComposed != nil
	case "MeasureError":
		return im.MeasureError != nil
	case "QuantizePyTorch":
		return im.QuantizePyTorch != nil
	case "QuantizeONNX":
		return im.QuantizeONNX != nil
	case "DequantizeAffine":
		return im.DequantizeAffine != nil
	case "FakeQuantizePyTorch":
		return im.FakeQuantizePyTorch != nil
	}
	panic("benchmarks: unknown operation " + op)
}

// Impls returns the implementations to compare, in column order: "quant",
// every kernel set of dispatch.Runnable() (best first, "generic" last),
// the C peers (with cgo) and x448.
func Impls() []*Impl { return impls() }

var impls = sync.OnceValue(func() []*Impl {
	list := []*Impl{API()}
	for _, k := range dispatch.Runnable() {
		list = append(list, FromSet(k))
	}
	list = append(list, cPeers()...)
	return append(list, FromSet(&x448Set))
})

// Reference is the pure-Go reference set behind the same adapter as every
// other set: what every implementation must match.
var Reference = FromSet(&fallback.Kernels)

// API is the public API of package quant. Its 16-bit dequantizers keep
// their one parameters value in a buffer of their own (see workersImpl):
// one call at a time.
func API() *Impl {
	pz := make([]quant.ZeroPointParams, 1)
	return &Impl{
		Name: "quant",
		Float32ToFloat16: func(dst []uint16, src []float32) {
			quant.Float32ToFloat16(as16[quant.Float16](dst), src)
		},
		Float16ToFloat32: func(dst []float32, src []uint16) {
			quant.Float16ToFloat32(dst, as16[quant.Float16](src))
		},
		Float32ToBFloat16: func(dst []uint16, src []float32) {
			quant.Float32ToBFloat16(as16[quant.BFloat16](dst), src)
		},
		BFloat16ToFloat32: func(dst []float32, src []uint16) {
			quant.BFloat16ToFloat32(dst, as16[quant.BFloat16](src))
		},
		AbsMax:              quant.AbsMax,
		MinMax:              quant.MinMax,
		QuantizeAbsmax:      quant.QuantizeAbsmax,
		QuantizeZeroPoint:   quant.QuantizeZeroPoint,
		DequantizeAbsmax:    quant.DequantizeAbsmax,
		DequantizeZeroPoint: quant.DequantizeZeroPoint,
		EncodeQ8_0:          quant.EncodeQ8_0[float32],
		EncodeQ8_0Float16: func(dst []byte, src []uint16) error {
			return quant.EncodeQ8_0(dst, as16[quant.Float16](src))
		},
		EncodeQ8_0BFloat16: func(dst []byte, src []uint16) error {
			return quant.EncodeQ8_0(dst, as16[quant.BFloat16](src))
		},
		DecodeQ8_0: quant.DecodeQ8_0[float32],
		EncodeQ4_0: quant.EncodeQ4_0[float32],
		DecodeQ4_0: quant.DecodeQ4_0[float32],
		EncodeQ4_1: quant.EncodeQ4_1[float32],
		DecodeQ4_1: quant.DecodeQ4_1[float32],
		QuantizeAbsmaxPerRow: func(dst []int8, params []quant.AbsmaxParams, src []float32, cols int) error {
			return quant.QuantizeAbsmaxGroups(dst, params, src, quant.PerRow(cols))
		},
		QuantizeZeroPointPerRow: func(dst []int8, params []quant.ZeroPointParams, src []float32, cols int) error {
			return quant.QuantizeZeroPointGroups(dst, params, src, quant.PerRow(cols))
		},
		QuantizeAbsmaxPerRowFloat16: func(dst []int8, params []quant.AbsmaxParams, src []uint16, cols int) error {
			return quant.QuantizeAbsmaxGroups(dst, params, as16[quant.Float16](src), quant.PerRow(cols))
		},
		QuantizeAbsmaxPerRowBFloat16: func(dst []int8, params []quant.AbsmaxParams, src []uint16, cols int) error {
			return quant.QuantizeAbsmaxGroups(dst, params, as16[quant.BFloat16](src), quant.PerRow(cols))
		},
		QuantizeZeroPointPerRowFloat16: func(dst []int8, params []quant.ZeroPointParams, src []uint16, cols int) error {
			return quant.QuantizeZeroPointGroups(dst, params, as16[quant.Float16](src), quant.PerRow(cols))
		},
		QuantizeZeroPointPerRowBFloat16: func(dst []int8, params []quant.ZeroPointParams, src []uint16, cols int) error {
			return quant.QuantizeZeroPointGroups(dst, params, as16[quant.BFloat16](src), quant.PerRow(cols))
		},
		// DecodeQ8_0 and DequantizeZeroPointGroups to a 16-bit T call the
		// Float16 or BFloat16 kernel that writes T, not the float32 one.
		DecodeQ8_0Float16: func(dst []uint16, src []byte) {
			quant.DecodeQ8_0(as16[quant.Float16](dst), src)
		},
		DecodeQ8_0BFloat16: func(dst []uint16, src []byte) {
			quant.DecodeQ8_0(as16[quant.BFloat16](dst), src)
		},
		DequantizeZeroPointFloat16: func(dst []uint16, src []int8, p quant.ZeroPointParams) {
			pz[0] = p
			quant.DequantizeZeroPointGroups(as16[quant.Float16](dst), src, pz, quant.PerTensor())
		},
		DequantizeZeroPointBFloat16: func(dst []uint16, src []int8, p quant.ZeroPointParams) {
			pz[0] = p
			quant.DequantizeZeroPointGroups(as16[quant.BFloat16](dst), src, pz, quant.PerTensor())
		},
		QuantizeAbsmaxWith:    quant.QuantizeAbsmaxWith[float32],
		QuantizeZeroPointWith: quant.QuantizeZeroPointWith[float32],
		QuantizeAbsmaxWithBFloat16: func(dst []int8, src []uint16, p quant.AbsmaxParams) error {
			return quant.QuantizeAbsmaxWith(dst, as16[quant.BFloat16](src), p)
		},
		QuantizeZeroPointWithBFloat16: func(dst []int8, src []uint16, p quant.ZeroPointParams) error {
			return quant.QuantizeZeroPointWith(dst, as16[quant.BFloat16](src), p)
		},
		FakeQuantizeAbsmax:    quant.FakeQuantizeAbsmax[float32],
		FakeQuantizeZeroPoint: quant.FakeQuantizeZeroPoint[float32],
		FakeQuantizeAbsmaxComposed: func(dst []float32, q []int8, src []float32, p quant.AbsmaxParams) error {
			q = q[:len(src)]
			if err := quant.QuantizeAbsmaxWith(q, src, p); err != nil {
				return err
			}
			quant.DequantizeAbsmax(dst, q, p)
			return nil
		},
		MeasureError:        quant.MeasureError[float32],
		QuantizePyTorch:     quant.QuantizePyTorch[float32],
		QuantizeONNX:        quant.QuantizeONNX[float32],
		DequantizeAffine:    quant.DequantizeAffine[float32],
		FakeQuantizePyTorch: quant.FakeQuantizePyTorch[float32],
	}
}

// as16 views raw 16-bit patterns as quant's float types, without copying.
func as16[T quant.Float16 | quant.BFloat16](s []uint16) []T {
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// FromSet runs the public API of package quant on the kernel table k,
// switching dispatch to k for the length of each call (dispatch.Swap), so
// that every set is measured doing exactly what the API does around its
// kernels. Operations whose kernel is nil in k are nil.
func FromSet(k *kernels.Set) *Impl {
	// Each call below starts with defer dispatch.Swap(dispatch.Swap(k)):
	// the inner Swap runs at once and installs k, the deferred one puts
	// back the set it returned. No allocation, two stores per call.
	api := API()
	im := &Impl{Name: k.Name, Kernels: k}
	if k.Float32ToFloat16 != nil {
		im.Float32ToFloat16 = func(dst []uint16, src []float32) {
			defer dispatch.Swap(dispatch.Swap(k))
			api.Float32ToFloat16(dst, src)
		}
	}
	if k.Float16ToFloat32 != nil {
		im.Float16ToFloat32 = func(dst []float32, src []uint16) {
			defer dispatch.Swap(dispatch.Swap(k))
			api.Float16ToFloat32(dst, src)
		}
	}
	if k.Float32ToBFloat16 != nil {
		im.Float32ToBFloat16 = func(dst []uint16, src []float32) {
			defer dispatch.Swap(dispatch.Swap(k))
			api.Float32ToBFloat16(dst, src)
		}
	}
	if k.BFloat16ToFloat32 != nil {
		im.BFloat16ToFloat32 = func(dst []float32, src []uint16) {
			defer dispatch.Swap(dispatch.Swap(k))
			api.BFloat16ToFloat32(dst, src)
		}
	}
	if k.AbsMaxBits != nil {
		im.AbsMax = func(src []float32) float32 {
			defer dispatch.Swap(dispatch.Swap(k))
			return quant.AbsMax(src)
		}
	}
	if k.MinMaxKeys != nil {
		im.MinMax = func(src []float32) (float32, float32) {
			defer dispatch.Swap(dispatch.Swap(k))
			return quant.MinMax(src)
		}
	}
	if k.QuantizeAbsmaxFused != nil && k.AbsMaxBits != nil && k.QuantizeAbsmax != nil {
		im.QuantizeAbsmax = func(dst []int8, src []float32) (quant.AbsmaxParams, error) {
			defer dispatch.Swap(dispatch.Swap(k))
			return quant.QuantizeAbsmax(dst, src)
		}
	}
	if k.QuantizeZeroPointFused != nil && k.MinMaxKeys != nil && k.QuantizeZeroPoint != nil {
		im.QuantizeZeroPoint = func(dst []int8, src []float32) (quant.ZeroPointParams, error) {
			defer dispatch.Swap(dispatch.Swap(k))
			return quant.QuantizeZeroPoint(dst, src)
		}
	}
	// The static quantizers check each chunk for NaNs with the reduction
	// kernel, then quantize it (the 16-bit ones with the source format's
	// kernels).
	if k.AbsMaxBits != nil && k.QuantizeAbsmax != nil {
		im.QuantizeAbsmaxWith = func(dst []int8, src []float32, p quant.AbsmaxParams) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return quant.QuantizeAbsmaxWith(dst, src, p)
		}
	}
	if k.AbsMaxBits != nil && k.QuantizeZeroPoint != nil {
		im.QuantizeZeroPointWith = func(dst []int8, src []float32, p quant.ZeroPointParams) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return quant.QuantizeZeroPointWith(dst, src, p)
		}
	}
	if k.AbsMaxBits16 != nil && k.BFloat16.QuantizeAbsmax != nil {
		im.QuantizeAbsmaxWithBFloat16 = func(dst []int8, src []uint16, p quant.AbsmaxParams) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return api.QuantizeAbsmaxWithBFloat16(dst, src, p)
		}
	}
	if k.AbsMaxBits16 != nil && k.BFloat16.QuantizeZeroPoint != nil {
		im.QuantizeZeroPointWithBFloat16 = func(dst []int8, src []uint16, p quant.ZeroPointParams) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return api.QuantizeZeroPointWithBFloat16(dst, src, p)
		}
	}
	if k.DequantizeZeroPoint != nil { // DequantizeAbsmax runs it with zero 0
		im.DequantizeAbsmax = func(dst []float32, src []int8, p quant.AbsmaxParams) {
			defer dispatch.Swap(dispatch.Swap(k))
			quant.DequantizeAbsmax(dst, src, p)
		}
	}
	if k.DequantizeZeroPoint != nil {
		im.DequantizeZeroPoint = func(dst []float32, src []int8, p quant.ZeroPointParams) {
			defer dispatch.Swap(dispatch.Swap(k))
			quant.DequantizeZeroPoint(dst, src, p)
		}
	}
	// EncodeQ8_0 checks its input with the reduction kernel first.
	if k.AbsMaxBits != nil && k.EncodeQ8_0 != nil {
		im.EncodeQ8_0 = func(dst []byte, src []float32) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return api.EncodeQ8_0(dst, src)
		}
	}
	if k.AbsMaxBits16 != nil && k.Float16.EncodeQ8_0 != nil {
		im.EncodeQ8_0Float16 = func(dst []byte, src []uint16) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return api.EncodeQ8_0Float16(dst, src)
		}
	}
	if k.AbsMaxBits16 != nil && k.BFloat16.EncodeQ8_0 != nil {
		im.EncodeQ8_0BFloat16 = func(dst []byte, src []uint16) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return api.EncodeQ8_0BFloat16(dst, src)
		}
	}
	if k.DecodeQ8_0 != nil {
		im.DecodeQ8_0 = func(dst []float32, src []byte) {
			defer dispatch.Swap(dispatch.Swap(k))
			api.DecodeQ8_0(dst, src)
		}
	}
	// EncodeQ4_0 checks with the reduction kernel, EncodeQ4_1 too (and,
	// beyond 65520 in magnitude, each block with MinMaxKeys).
	if k.AbsMaxBits != nil && k.EncodeQ4_0 != nil {
		im.EncodeQ4_0 = func(dst []byte, src []float32) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return api.EncodeQ4_0(dst, src)
		}
	}
	if k.AbsMaxBits != nil && k.MinMaxKeys != nil && k.EncodeQ4_1 != nil {
		im.EncodeQ4_1 = func(dst []byte, src []float32) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return api.EncodeQ4_1(dst, src)
		}
	}
	if k.DecodeQ4_0 != nil {
		im.DecodeQ4_0 = func(dst []float32, src []byte) {
			defer dispatch.Swap(dispatch.Swap(k))
			api.DecodeQ4_0(dst, src)
		}
	}
	if k.DecodeQ4_1 != nil {
		im.DecodeQ4_1 = func(dst []float32, src []byte) {
			defer dispatch.Swap(dispatch.Swap(k))
			api.DecodeQ4_1(dst, src)
		}
	}
	if k.Float16.DecodeQ8_0 != nil {
		im.DecodeQ8_0Float16 = func(dst []uint16, src []byte) {
			defer dispatch.Swap(dispatch.Swap(k))
			api.DecodeQ8_0Float16(dst, src)
		}
	}
	if k.BFloat16.DecodeQ8_0 != nil {
		im.DecodeQ8_0BFloat16 = func(dst []uint16, src []byte) {
			defer dispatch.Swap(dispatch.Swap(k))
			api.DecodeQ8_0BFloat16(dst, src)
		}
	}
	if k.Float16.DequantizeZeroPoint != nil {
		im.DequantizeZeroPointFloat16 = func(dst []uint16, src []int8, p quant.ZeroPointParams) {
			defer dispatch.Swap(dispatch.Swap(k))
			api.DequantizeZeroPointFloat16(dst, src, p)
		}
	}
	if k.BFloat16.DequantizeZeroPoint != nil {
		im.DequantizeZeroPointBFloat16 = func(dst []uint16, src []int8, p quant.ZeroPointParams) {
			defer dispatch.Swap(dispatch.Swap(k))
			api.DequantizeZeroPointBFloat16(dst, src, p)
		}
	}
	if k.AbsMaxBits != nil && k.QuantizeAbsmax != nil {
		im.QuantizeAbsmaxPerRow = func(dst []int8, params []quant.AbsmaxParams, src []float32, cols int) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return api.QuantizeAbsmaxPerRow(dst, params, src, cols)
		}
	}
	if k.MinMaxKeys != nil && k.QuantizeZeroPoint != nil {
		im.QuantizeZeroPointPerRow = func(dst []int8, params []quant.ZeroPointParams, src []float32, cols int) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return api.QuantizeZeroPointPerRow(dst, params, src, cols)
		}
	}
	// From 16-bit sources: the 16-bit reductions and the quantize kernels
	// of the source's Format16 table (and, for short rows, their
	// blockwise versions).
	if k.AbsMaxBits16 != nil && k.Float16.QuantizeAbsmax != nil {
		im.QuantizeAbsmaxPerRowFloat16 = func(dst []int8, params []quant.AbsmaxParams, src []uint16, cols int) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return api.QuantizeAbsmaxPerRowFloat16(dst, params, src, cols)
		}
	}
	if k.AbsMaxBits16 != nil && k.BFloat16.QuantizeAbsmax != nil {
		im.QuantizeAbsmaxPerRowBFloat16 = func(dst []int8, params []quant.AbsmaxParams, src []uint16, cols int) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return api.QuantizeAbsmaxPerRowBFloat16(dst, params, src, cols)
		}
	}
	if k.MinMaxKeys16 != nil && k.Float16.QuantizeZeroPoint != nil {
		im.QuantizeZeroPointPerRowFloat16 = func(dst []int8, params []quant.ZeroPointParams, src []uint16, cols int) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return api.QuantizeZeroPointPerRowFloat16(dst, params, src, cols)
		}
	}
	if k.MinMaxKeys16 != nil && k.BFloat16.QuantizeZeroPoint != nil {
		im.QuantizeZeroPointPerRowBFloat16 = func(dst []int8, params []quant.ZeroPointParams, src []uint16, cols int) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return api.QuantizeZeroPointPerRowBFloat16(dst, params, src, cols)
		}
	}
	// Fake quantization checks each chunk for NaNs with the reduction
	// kernel, then runs FakeQuantize on it; the composed form is the
	// public API's alone ("quant").
	if k.AbsMaxBits != nil && k.FakeQuantize != nil {
		im.FakeQuantizeAbsmax = func(dst, src []float32, p quant.AbsmaxParams) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return quant.FakeQuantizeAbsmax(dst, src, p)
		}
		im.FakeQuantizeZeroPoint = func(dst, src []float32, p quant.ZeroPointParams) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return quant.FakeQuantizeZeroPoint(dst, src, p)
		}
	}
	if k.ErrorSums != nil {
		im.MeasureError = func(x, y []float32) (quant.ErrorStats, error) {
			defer dispatch.Swap(dispatch.Swap(k))
			return quant.MeasureError(x, y)
		}
	}
	// The interop operations: one kernel each, which finds the NaNs in
	// the pass that quantizes (no reduction first).
	if k.QuantizePyTorch != nil {
		im.QuantizePyTorch = func(dst []int8, src []float32, p quant.AffineParams) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return quant.QuantizePyTorch(dst, src, p)
		}
	}
	if k.QuantizeONNX != nil {
		im.QuantizeONNX = func(dst []int8, src []float32, p quant.AffineParams) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return quant.QuantizeONNX(dst, src, p)
		}
	}
	if k.DequantizeAffine != nil {
		im.DequantizeAffine = func(dst []float32, src []int8, p quant.AffineParams) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return quant.DequantizeAffine(dst, src, p)
		}
	}
	if k.FakeQuantizePyTorch != nil {
		im.FakeQuantizePyTorch = func(dst []float32, mask []bool, src []float32, p quant.AffineParams, qmin, qmax int32) error {
			defer dispatch.Swap(dispatch.Swap(k))
			return quant.FakeQuantizePyTorch(dst, mask, src, p, qmin, qmax)
		}
	}
	return im
}

// WorkerImpls returns the public API (as dispatched) with every call
// split over at most N goroutines by Granularity.Parallel(N), named
// "workers=N": N = 1 (the caller's goroutine only), 2, and
// runtime.GOMAXPROCS(0) if that is more. They have the quantizers only:
// QuantizeAbsmax and QuantizeZeroPoint through the grouped quantizers
// with PerTensor, and the per-row ones.
func WorkerImpls() []*Impl { return workerImpls() }

var workerImpls = sync.OnceValue(func() []*Impl {
	list := []*Impl{workersImpl(1), workersImpl(2)}
	if n := runtime.GOMAXPROCS(0); n > 2 {
		list = append(list, workersImpl(n))
	}
	return list
})

// workersImpl is the API split over w goroutines. Its per-tensor
// quantizers keep their one parameters value in a buffer of their own,
// made once so that no call allocates for it: one call at a time.
func workersImpl(w int) *Impl {
	tensor, row := quant.PerTensor().Parallel(w), quant.PerRow(RowLength).Parallel(w)
	pa, pz := make([]quant.AbsmaxParams, 1), make([]quant.ZeroPointParams, 1)
	return &Impl{
		Name: "workers=" + strconv.Itoa(w),
		QuantizeAbsmax: func(dst []int8, src []float32) (quant.AbsmaxParams, error) {
			if err := quant.QuantizeAbsmaxGroups(dst, pa, src, tensor); err != nil {
				return quant.AbsmaxParams{}, err
			}
			return pa[0], nil
		},
		QuantizeZeroPoint: func(dst []int8, src []float32) (quant.ZeroPointParams, error) {
			if err := quant.QuantizeZeroPointGroups(dst, pz, src, tensor); err != nil {
				return quant.ZeroPointParams{}, err
			}
			return pz[0], nil
		},
		QuantizeAbsmaxPerRow: func(dst []int8, params []quant.AbsmaxParams, src []float32, cols int) error {
			g := row
			if cols != RowLength {
				g = quant.PerRow(cols).Parallel(w)
			}
			return quant.QuantizeAbsmaxGroups(dst, params, src, g)
		},
		QuantizeZeroPointPerRow: func(dst []int8, params []quant.ZeroPointParams, src []float32, cols int) error {
			g := row
			if cols != RowLength {
				g = quant.PerRow(cols).Parallel(w)
			}
			return quant.QuantizeZeroPointGroups(dst, params, src, g)
		},
	}
}

// Errors of the C quantizers, which compute their parameters themselves
// or (the static ones) check them.
var (
	errNotFinite = fmt.Errorf("benchmarks: %w", quant.ErrNotFinite)
	errRange     = fmt.Errorf("benchmarks: %w", quant.ErrRange)
	errParams    = fmt.Errorf("benchmarks: %w", quant.ErrParams)
)

// validAbsmax and validZeroPoint report whether the static quantizers of
// package quant accept p: a positive finite scale, and a zero point in
// [math.MinInt32+128, math.MaxInt32-128].
func validAbsmax(p quant.AbsmaxParams) bool { return p.Scale > 0 && p.Scale <= math.MaxFloat32 }

func validZeroPoint(p quant.ZeroPointParams) bool {
	return p.Scale > 0 && p.Scale <= math.MaxFloat32 &&
		p.ZeroPoint >= math.MinInt32+128 && p.ZeroPoint <= math.MaxInt32-128
}

// validAffine reports whether package quant's interop operations accept
// p on the grid [qmin, qmax] (-128 and 127 but for FakeQuantizePyTorch): a
// positive finite scale with a finite float32 reciprocal, qmin <= ZeroPoint
// <= qmax, and a grid within [-2^23, 2^23].
func validAffine(p quant.AffineParams, qmin, qmax int32) bool {
	const maxGrid = 1 << 23
	return p.Scale > 0 && p.Scale <= math.MaxFloat32 && 1/p.Scale <= math.MaxFloat32 &&
		qmin <= p.ZeroPoint && p.ZeroPoint <= qmax && -maxGrid <= qmin && qmax <= maxGrid
}

// x448Set is github.com/x448/float16 as a (partial) kernel table: a plain
// loop over its per-element conversions.
var x448Set = kernels.Set{
	Name: "x448",
	Float32ToFloat16: func(dst []uint16, src []float32) {
		dst = dst[:len(src)]
		for i, x := range src {
			dst[i] = uint16(float16.Fromfloat32(x))
		}
	},
	Float16ToFloat32: func(dst []float32, src []uint16) {
		dst = dst[:len(src)]
		for i, h := range src {
			dst[i] = float16.Frombits(h).Float32()
		}
	},
}
