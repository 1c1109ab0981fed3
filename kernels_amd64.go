//go:build !purego && !noasm

package quant

import (
	"github.com/qkernels/quant/dispatch"
	"github.com/qkernels/quant/kernels"
)

// asmKernels lists the amd64 kernel sets, best first.
var asmKernels = []dispatch.Impl{
	{Kernels: &avx2, Needs: dispatch.AVX2 | dispatch.F16C | dispatch.FMA},
}

// avx2 runs on x86-64 CPUs with AVX2, F16C and FMA (Haswell, Zen and later).
// It executes no FMA instruction (QuantizeZeroPoint must not fuse), but
// FMA comes with every AVX2 CPU and keeps the requirement a common level.
var avx2 = kernels.Set{
	Name:                "avx2",
	Float32ToFloat16:    float32ToFloat16AVX2,
	Float16ToFloat32:    float16ToFloat32AVX2,
	Float32ToBFloat16:   float32ToBFloat16AVX2,
	BFloat16ToFloat32:   bfloat16ToFloat32AVX2,
	AbsMaxBits:          absMaxBitsAVX2,
	MinMaxKeys:          minMaxKeysAVX2,
	QuantizeAbsmax:      quantizeAbsmaxAVX2,
	QuantizeZeroPoint:   quantizeZeroPointAVX2,
	DequantizeZeroPoint: dequantizeZeroPointAVX2,
}

// The assembly kernels (kernels_amd64.s) process len(src) elements.

//go:noescape
func float32ToFloat16AVX2(dst []uint16, src []float32)

//go:noescape
func float16ToFloat32AVX2(dst []float32, src []uint16)

//go:noescape
func float32ToBFloat16AVX2(dst []uint16, src []float32)

//go:noescape
func bfloat16ToFloat32AVX2(dst []float32, src []uint16)

//go:noescape
func absMaxBitsAVX2(src []float32) uint32

//go:noescape
func minMaxKeysAVX2(src []float32) (lo, hi int32)

//go:noescape
func quantizeAbsmaxAVX2(dst []int8, src []float32, scale float32)

//go:noescape
func quantizeZeroPointAVX2(dst []int8, src []float32, scale, zero float32)

//go:noescape
func dequantizeZeroPointAVX2(dst []float32, src []int8, scale float32, zero int32)
