//go:build !purego && !noasm

package quant

import (
	"github.com/qkernels/quant/dispatch"
	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// asmKernels lists the amd64 kernel sets, best first.
var asmKernels = []dispatch.Impl{
	{Kernels: &avx2, Needs: dispatch.AVX2 | dispatch.F16C | dispatch.FMA},
}

// avx2 runs on x86-64 CPUs with AVX2, F16C and FMA (Haswell, Zen and later).
var avx2 = kernels.Set{
	Name:                "avx2",
	Float32ToFloat16:    fallback.Float32ToFloat16,
	Float16ToFloat32:    fallback.Float16ToFloat32,
	Float32ToBFloat16:   fallback.Float32ToBFloat16,
	BFloat16ToFloat32:   bfloat16ToFloat32AVX2,
	AbsMaxBits:          fallback.AbsMaxBits,
	MinMaxKeys:          fallback.MinMaxKeys,
	QuantizeAbsmax:      fallback.QuantizeAbsmax,
	QuantizeZeroPoint:   fallback.QuantizeZeroPoint,
	DequantizeAbsmax:    fallback.DequantizeAbsmax,
	DequantizeZeroPoint: fallback.DequantizeZeroPoint,
}

//go:noescape
func bfloat16ToFloat32AVX2(dst []float32, src []uint16)
