//go:build !purego && !noasm

package quant

import (
	"github.com/qkernels/quant/dispatch"
	"github.com/qkernels/quant/fallback"
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

	QuantizeAbsmaxChecked:    quantizeAbsmaxCheckedNEON,
	QuantizeZeroPointChecked: quantizeZeroPointCheckedNEON,

	AbsMaxBits16: absMaxBits16NEON,
	MinMaxKeys16: minMaxKeys16NEON,
	Float16: kernels.Format16{
		QuantizeAbsmax:           quantizeAbsmaxFloat16NEON,
		QuantizeZeroPoint:        quantizeZeroPointFloat16NEON,
		QuantizeAbsmaxChecked:    quantizeAbsmaxFloat16CheckedNEON,
		QuantizeZeroPointChecked: quantizeZeroPointFloat16CheckedNEON,
		EncodeQ8_0:               encodeQ8_0Float16NEON,
		DequantizeZeroPoint:      dequantizeZeroPointFloat16NEON,
		DecodeQ8_0:               decodeQ8_0Float16NEON,
		EncodeQ4_0:               encodeQ4_0Float16NEON,
		DecodeQ4_0:               decodeQ4_0Float16NEON,
		EncodeQ4_1:               encodeQ4_1Float16NEON,
		DecodeQ4_1:               decodeQ4_1Float16NEON,

		QuantizePyTorch:         quantizePyTorchFloat16NEON,
		QuantizeONNX:            quantizeONNXFloat16NEON,
		DequantizeAffine:        dequantizeAffineFloat16NEON,
		QuantizeAbsmaxBlocks:    quantizeAbsmaxFloat16BlocksNEON,
		QuantizeZeroPointBlocks: quantizeZeroPointFloat16BlocksNEON,
	},
	BFloat16: kernels.Format16{
		QuantizeAbsmax:           quantizeAbsmaxBFloat16NEON,
		QuantizeZeroPoint:        quantizeZeroPointBFloat16NEON,
		QuantizeAbsmaxChecked:    quantizeAbsmaxBFloat16CheckedNEON,
		QuantizeZeroPointChecked: quantizeZeroPointBFloat16CheckedNEON,
		EncodeQ8_0:               encodeQ8_0BFloat16NEON,
		DequantizeZeroPoint:      dequantizeZeroPointBFloat16NEON,
		DecodeQ8_0:               decodeQ8_0BFloat16NEON,
		EncodeQ4_0:               encodeQ4_0BFloat16NEON,
		DecodeQ4_0:               decodeQ4_0BFloat16NEON,
		EncodeQ4_1:               encodeQ4_1BFloat16NEON,
		DecodeQ4_1:               decodeQ4_1BFloat16NEON,

		QuantizePyTorch:         quantizePyTorchBFloat16NEON,
		QuantizeONNX:            quantizeONNXBFloat16NEON,
		DequantizeAffine:        dequantizeAffineBFloat16NEON,
		QuantizeAbsmaxBlocks:    quantizeAbsmaxBFloat16BlocksNEON,
		QuantizeZeroPointBlocks: quantizeZeroPointBFloat16BlocksNEON,
	},
	EncodeQ8_0:              encodeQ8_0NEON,
	DecodeQ8_0:              decodeQ8_0NEON,
	EncodeQ4_0:              encodeQ4_0NEON,
	DecodeQ4_0:              decodeQ4_0NEON,
	EncodeQ4_1:              encodeQ4_1NEON,
	DecodeQ4_1:              decodeQ4_1NEON,
	AbsMaxBitsBlocks:        absMaxBitsBlocksNEON,
	MinMaxKeysBlocks:        minMaxKeysBlocksNEON,
	AbsMaxBits16Blocks:      absMaxBits16BlocksNEON,
	MinMaxKeys16Blocks:      minMaxKeys16BlocksNEON,
	QuantizeAbsmaxBlocks:    quantizeAbsmaxBlocksNEON,
	QuantizeZeroPointBlocks: quantizeZeroPointBlocksNEON,
	// No NEON version yet: the reference, one float64 division per block.
	ZeroPointParamsBlocks: fallback.ZeroPointParamsBlocks,
	FakeQuantize:          fakeQuantizeCheckedNEON,
	ErrorSums:             errorSumsNEON,

	QuantizePyTorch:     quantizePyTorchNEON,
	QuantizeONNX:        quantizeONNXNEON,
	DequantizeAffine:    dequantizeAffineNEON,
	FakeQuantizePyTorch: fakeQuantizePyTorchNEON,

	FakeQuantizeMask: fakeQuantizeMaskNEON,
	MaskGradient:     maskGradientNEON,

	QuantizeAbsmaxFused:    quantizeAbsmaxFusedNEON,
	QuantizeZeroPointFused: quantizeZeroPointFusedNEON,

	MulAddAtB: mulAddAtBNEON,
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

// The fused quantizers have no NEON assembly: they compose the NEON
// reduction and quantizer as the reference does. They are functions of
// their own, not closures made by fallback, because the conformance suite
// skips a kernel whose code is the reference's.

func quantizeAbsmaxFusedNEON(dst []int8, src []float32) (maxBits uint32, scale float32) {
	return fallback.AbsmaxFusedOf(dst, src, absMaxBitsNEON, quantizeAbsmaxNEON)
}

func quantizeZeroPointFusedNEON(dst []int8, src []float32) (lo, hi int32, scale float32, zero int32) {
	return fallback.ZeroPointFusedOf(dst, src, minMaxKeysNEON, quantizeZeroPointNEON)
}

// fakeQuantizeCheckedNEON has no NaN test of its own yet: the NEON
// reduction finds a NaN first (the bits of a NaN's magnitude lie above
// the infinity's), two passes where the AVX2 kernels take one.
func fakeQuantizeCheckedNEON(dst, src []float32, scale float32, zero, qmin, qmax int32) bool {
	if absMaxBitsNEON(src) > 0x7F800000 {
		return true
	}
	fakeQuantizeNEON(dst, src, scale, zero, qmin, qmax)
	return false
}

// fakeQuantizePyTorchNEON picks the kernel that writes a mask where the
// caller wants one: a nil mask means none is written, which the assembly
// would have to test at every step.
func fakeQuantizePyTorchNEON(dst, src []float32, mask []uint8, inv, scale float32, zero, qmin, qmax int32) bool {
	if mask == nil {
		return fakeQuantizePyTorchPlainNEON(dst, src, inv, scale, zero, qmin, qmax)
	}
	return fakeQuantizePyTorchMaskNEON(dst, src, mask, inv, scale, zero, qmin, qmax)
}

// The kernels below are in the *_arm64.s files (kernels_arm64.s has the
// index) and follow the contracts of kernels.Set; each reads len(src)
// elements.

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

//go:noescape
func fakeQuantizeNEON(dst, src []float32, scale float32, zero, qmin, qmax int32)

//go:noescape
func fakeQuantizeMaskNEON(dst, src []float32, mask []uint8, scale float32, zero, qmin, qmax int32)

//go:noescape
func maskGradientNEON(dst, grad []float32, mask []uint8)

//go:noescape
func fakeQuantizePyTorchPlainNEON(dst, src []float32, inv, scale float32, zero, qmin, qmax int32) (nan bool)

//go:noescape
func fakeQuantizePyTorchMaskNEON(dst, src []float32, mask []uint8, inv, scale float32, zero, qmin, qmax int32) (nan bool)

//go:noescape
func errorSumsNEON(x, y []float32) (sse, ss, maxAbs float64)

// mulAddAtBNEON is in gemm_arm64.s: C += Aᵀ·B in register tiles of up to
// 8x8, one FMLA per product.
//
//go:noescape
func mulAddAtBNEON(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int)

//go:noescape
func absMaxBits16NEON(src []uint16) uint16

//go:noescape
func minMaxKeys16NEON(src []uint16) (lo, hi int16)

//go:noescape
func quantizeAbsmaxFloat16NEON(dst []int8, src []uint16, scale float32)

//go:noescape
func quantizeAbsmaxBFloat16NEON(dst []int8, src []uint16, scale float32)

//go:noescape
func quantizeZeroPointFloat16NEON(dst []int8, src []uint16, scale, zero float32)

//go:noescape
func quantizeZeroPointBFloat16NEON(dst []int8, src []uint16, scale, zero float32)

// The checked quantizers report whether src holds a NaN.

//go:noescape
func quantizeAbsmaxCheckedNEON(dst []int8, src []float32, scale float32) (nan bool)

//go:noescape
func quantizeZeroPointCheckedNEON(dst []int8, src []float32, scale, zero float32) (nan bool)

//go:noescape
func quantizeAbsmaxFloat16CheckedNEON(dst []int8, src []uint16, scale float32) (nan bool)

//go:noescape
func quantizeAbsmaxBFloat16CheckedNEON(dst []int8, src []uint16, scale float32) (nan bool)

//go:noescape
func quantizeZeroPointFloat16CheckedNEON(dst []int8, src []uint16, scale, zero float32) (nan bool)

//go:noescape
func quantizeZeroPointBFloat16CheckedNEON(dst []int8, src []uint16, scale, zero float32) (nan bool)

// The interop kernels (PyTorch's and ONNX Runtime's arithmetic).

//go:noescape
func quantizePyTorchNEON(dst []int8, src []float32, inv, zero float32) (nan bool)

//go:noescape
func quantizeONNXNEON(dst []int8, src []float32, scale, zero float32) (nan bool)

//go:noescape
func quantizePyTorchFloat16NEON(dst []int8, src []uint16, inv, zero float32) (nan bool)

//go:noescape
func quantizePyTorchBFloat16NEON(dst []int8, src []uint16, inv, zero float32) (nan bool)

//go:noescape
func quantizeONNXFloat16NEON(dst []int8, src []uint16, scale, zero float32) (nan bool)

//go:noescape
func quantizeONNXBFloat16NEON(dst []int8, src []uint16, scale, zero float32) (nan bool)

//go:noescape
func dequantizeAffineNEON(dst []float32, src []int8, scale float32, zero int32)

//go:noescape
func dequantizeAffineFloat16NEON(dst []uint16, src []int8, scale float32, zero int32)

//go:noescape
func dequantizeAffineBFloat16NEON(dst []uint16, src []int8, scale float32, zero int32)

// The Q8_0 kernels process len(src)/32 blocks (encode) or len(src)/34
// blocks (decode).

//go:noescape
func encodeQ8_0NEON(dst []byte, src []float32)

//go:noescape
func encodeQ8_0Float16NEON(dst []byte, src []uint16)

//go:noescape
func encodeQ8_0BFloat16NEON(dst []byte, src []uint16)

//go:noescape
func decodeQ8_0NEON(dst []float32, src []byte)

//go:noescape
func dequantizeZeroPointFloat16NEON(dst []uint16, src []int8, scale float32, zero int32)

//go:noescape
func dequantizeZeroPointBFloat16NEON(dst []uint16, src []int8, scale float32, zero int32)

//go:noescape
func decodeQ8_0Float16NEON(dst []uint16, src []byte)

//go:noescape
func decodeQ8_0BFloat16NEON(dst []uint16, src []byte)

// The Q4_0 and Q4_1 kernels process len(src)/32 blocks (encode) or
// len(src)/18 and len(src)/20 blocks (decode).

//go:noescape
func encodeQ4_0NEON(dst []byte, src []float32)

//go:noescape
func encodeQ4_0Float16NEON(dst []byte, src []uint16)

//go:noescape
func encodeQ4_0BFloat16NEON(dst []byte, src []uint16)

//go:noescape
func encodeQ4_1NEON(dst []byte, src []float32)

//go:noescape
func encodeQ4_1Float16NEON(dst []byte, src []uint16)

//go:noescape
func encodeQ4_1BFloat16NEON(dst []byte, src []uint16)

//go:noescape
func decodeQ4_0NEON(dst []float32, src []byte)

//go:noescape
func decodeQ4_0Float16NEON(dst []uint16, src []byte)

//go:noescape
func decodeQ4_0BFloat16NEON(dst []uint16, src []byte)

//go:noescape
func decodeQ4_1NEON(dst []float32, src []byte)

//go:noescape
func decodeQ4_1Float16NEON(dst []uint16, src []byte)

//go:noescape
func decodeQ4_1BFloat16NEON(dst []uint16, src []byte)

// The blockwise kernels process len(dst), len(lo) or len(scales) blocks of
// block values (a positive multiple of 8).

//go:noescape
func absMaxBitsBlocksNEON(dst []uint32, src []float32, block int)

//go:noescape
func minMaxKeysBlocksNEON(lo, hi []int32, src []float32, block int)

//go:noescape
func absMaxBits16BlocksNEON(dst []uint16, src []uint16, block int)

//go:noescape
func minMaxKeys16BlocksNEON(lo, hi []int16, src []uint16, block int)

//go:noescape
func quantizeAbsmaxBlocksNEON(dst []int8, src []float32, scales []float32, block int)

//go:noescape
func quantizeZeroPointBlocksNEON(dst []int8, src []float32, scales, zeros []float32, block int)

//go:noescape
func quantizeAbsmaxFloat16BlocksNEON(dst []int8, src []uint16, scales []float32, block int)

//go:noescape
func quantizeAbsmaxBFloat16BlocksNEON(dst []int8, src []uint16, scales []float32, block int)

//go:noescape
func quantizeZeroPointFloat16BlocksNEON(dst []int8, src []uint16, scales, zeros []float32, block int)

//go:noescape
func quantizeZeroPointBFloat16BlocksNEON(dst []int8, src []uint16, scales, zeros []float32, block int)
