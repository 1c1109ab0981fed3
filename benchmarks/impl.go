package benchmarks

import (
	"fmt"
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
}

// Kernel names, one per operation and benchmark, in benchmark order.
var KernelNames = []string{
	"Float32ToFloat16", "Float16ToFloat32", "Float32ToBFloat16", "BFloat16ToFloat32",
	"AbsMax", "MinMax", "QuantizeAbsmax", "QuantizeZeroPoint",
	"DequantizeAbsmax", "DequantizeZeroPoint",
}

// Has reports whether im implements the operation named kernel (one of
// KernelNames).
func (im *Impl) Has(kernel string) bool {
	switch kernel {
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
	case "DequantizeAbsmax":
		return im.DequantizeAbsmax != nil
	case "DequantizeZeroPoint":
		return im.DequantizeZeroPoint != nil
	}
	panic("benchmarks: unknown kernel " + kernel)
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

// API is the public API of package quant.
func API() *Impl {
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
	if k.AbsMaxBits != nil && k.QuantizeAbsmax != nil {
		im.QuantizeAbsmax = func(dst []int8, src []float32) (quant.AbsmaxParams, error) {
			defer dispatch.Swap(dispatch.Swap(k))
			return quant.QuantizeAbsmax(dst, src)
		}
	}
	if k.MinMaxKeys != nil && k.QuantizeZeroPoint != nil {
		im.QuantizeZeroPoint = func(dst []int8, src []float32) (quant.ZeroPointParams, error) {
			defer dispatch.Swap(dispatch.Swap(k))
			return quant.QuantizeZeroPoint(dst, src)
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
	return im
}

// Errors of the C quantizers, which compute their parameters themselves.
var (
	errNotFinite = fmt.Errorf("benchmarks: %w", quant.ErrNotFinite)
	errRange     = fmt.Errorf("benchmarks: %w", quant.ErrRange)
)

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
