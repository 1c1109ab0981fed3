//go:build !purego && !noasm

package quant

import (
	"github.com/qkernels/quant/dispatch"
	"github.com/qkernels/quant/kernels"
)

// asmKernels lists the arm64 kernel sets, best first.
var asmKernels = []dispatch.Impl{
	{Kernels: &neonBF16, Needs: dispatch.ASIMD | dispatch.BF16},
	{Kernels: &neon, Needs: dispatch.ASIMD},
}

// neon runs on every arm64 CPU (Advanced SIMD is part of ARMv8-A).
var neon = kernels.Set{
	Name:                "neon",
	Float32ToFloat16:    float32ToFloat16NEON,
	Float16ToFloat32:    float16ToFloat32NEON,
	Float32ToBFloat16:   float32ToBFloat16NEON,
	BFloat16ToFloat32:   bfloat16ToFloat32NEON,
	AbsMaxBits:          absMaxBitsNEON,
	MinMaxKeys:          minMaxKeysNEON,
	QuantizeAbsmax:      quantizeAbsmaxNEON,
	QuantizeZeroPoint:   quantizeZeroPointNEON,
	DequantizeZeroPoint: dequantizeZeroPointNEON,
}

// neonBF16 is neon with BFCVTN for the float32 to bfloat16 conversion, on
// CPUs with FEAT_BF16 (Neoverse V1/N2, Cortex-A510/A710, Apple M2 and
// later).
var neonBF16 = func() kernels.Set {
	k := neon
	k.Name = "neon-bf16"
	k.Float32ToBFloat16 = float32ToBFloat16BFCVT
	return k
}()

// The kernels below are in kernels_arm64.s and follow the contracts of
// kernels.Set; each reads len(src) elements.

//go:noescape
func float32ToFloat16NEON(dst []uint16, src []float32)

//go:noescape
func float16ToFloat32NEON(dst []float32, src []uint16)

//go:noescape
func float32ToBFloat16NEON(dst []uint16, src []float32)

//go:noescape
func float32ToBFloat16BFCVT(dst []uint16, src []float32)

//go:noescape
func bfloat16ToFloat32NEON(dst []float32, src []uint16)

//go:noescape
func absMaxBitsNEON(src []float32) uint32

//go:noescape
func minMaxKeysNEON(src []float32) (lo, hi int32)

//go:noescape
func quantizeAbsmaxNEON(dst []int8, src []float32, scale float32)

//go:noescape
func quantizeZeroPointNEON(dst []int8, src []float32, scale, zero float32)

//go:noescape
func dequantizeZeroPointNEON(dst []float32, src []int8, scale float32, zero int32)
