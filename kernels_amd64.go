//go:build !purego && !noasm

package quant

import (
	"math"

	"github.com/qkernels/quant/dispatch"
	"github.com/qkernels/quant/kernels"
)

// asmKernels lists the amd64 kernel sets, best first.
var asmKernels = []dispatch.Impl{
	{
		Kernels: &avx2,
		Needs:   dispatch.AVX2 | dispatch.F16C | dispatch.FMA,
		Tunings: avx2Tunings,
		Tune:    func(p kernels.Prefetch) { avx2Prefetch = p },
	},
}

// avx2Prefetch is the prefetch tuning the AVX2 kernels read (NEARFROM and
// FARFROM in kernels_amd64.h): dispatch stores the row of avx2Tunings
// chosen for the CPU, or forced by QUANT_TUNE, before any kernel runs.
// Until then no kernel hints. Tests switch it between runs; a kernel
// running meanwhile reads each aligned word whole, old or new, and
// computes the same bits either way.
var avx2Prefetch = kernels.Prefetch{Near: kernels.Never, Far: kernels.Never}

// avx2Tunings is the tuning table of the AVX2 set: which processors get
// software prefetch, and from what length. Each row is a measurement
// (README, "Tuning per processor", has the A/B runs behind it); a
// processor nobody has measured gets the last row, which issues no hint:
// the hardware prefetchers alone are what every processor is designed to
// run well, and hints that do not pay cost up to 40% (AbsMax on Zen 3).
var avx2Tunings = []dispatch.Tuning{
	{
		Name: "prefetch",
		For: []dispatch.Processor{
			// Measured on Emerald Rapids (6/0xCF), against "none": +12%
			// (geomean of 15 kernels at 4K-16M values), up to +53% (MinMax
			// at 16M), no kernel slower at any size. Sapphire Rapids
			// (6/0x8F) has the same cores, caches and memory system.
			{Name: "Intel Sapphire Rapids", Vendor: "Intel", Family: 6, MinModel: 0x8F, MaxModel: 0x8F},
			{Name: "Intel Emerald Rapids", Vendor: "Intel", Family: 6, MinModel: 0xCF, MaxModel: 0xCF},
		},
		Prefetch: kernels.Prefetch{Near: 0, Far: 1 << 21},
	},
	{
		Name: "none",
		For: []dispatch.Processor{
			// Measured on an EPYC (issue 16), without hints against with:
			// AbsMax +38% at 1M values and +40% at 16M, QuantizeAbsmax +24%
			// at 16M, nothing slower.
			{Name: "AMD Zen 3", Vendor: "AMD", Family: 0x19, MinModel: 0x00, MaxModel: 0x0F},
			{Name: "AMD Zen 3", Vendor: "AMD", Family: 0x19, MinModel: 0x20, MaxModel: 0x2F},
			{Name: "AMD Zen 3", Vendor: "AMD", Family: 0x19, MinModel: 0x40, MaxModel: 0x5F},
		},
		Prefetch: kernels.Prefetch{Near: kernels.Never, Far: kernels.Never},
	},
}

// avx2 runs on x86-64 CPUs with AVX2, F16C and FMA (Haswell, Zen and later).
// Only two families execute FMA instructions: the dequantization kernels,
// whose fast path corrects a product by the reciprocal of the scale into
// the correctly rounded quotient (see DEQUANTFAST in dequantize_amd64.s),
// and MulAddAtB, whose contract is one fused multiply-add per product
// (gemm_amd64.s). Nothing else may fuse; QuantizeZeroPoint in particular
// must round the product before adding the zero point.
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

	QuantizeAbsmaxChecked:    quantizeAbsmaxCheckedAVX2,
	QuantizeZeroPointChecked: quantizeZeroPointCheckedAVX2,

	AbsMaxBits16: absMaxBits16AVX2,
	MinMaxKeys16: minMaxKeys16AVX2,
	Float16: kernels.Format16{
		QuantizeAbsmax:    quantizeAbsmaxFloat16AVX2,
		QuantizeZeroPoint: quantizeZeroPointFloat16AVX2,

		QuantizeAbsmaxChecked:    quantizeAbsmaxFloat16CheckedAVX2,
		QuantizeZeroPointChecked: quantizeZeroPointFloat16CheckedAVX2,

		EncodeQ8_0:          encodeQ8_0Float16AVX2,
		DequantizeZeroPoint: dequantizeZeroPointFloat16AVX2,
		DecodeQ8_0:          decodeQ8_0Float16AVX2,
		EncodeQ4_0:          encodeQ4_0Float16AVX2,
		DecodeQ4_0:          decodeQ4_0Float16AVX2,
		EncodeQ4_1:          encodeQ4_1Float16AVX2,
		DecodeQ4_1:          decodeQ4_1Float16AVX2,

		QuantizePyTorch:  quantizePyTorchFloat16AVX2,
		QuantizeONNX:     quantizeONNXFloat16AVX2,
		DequantizeAffine: dequantizeAffineFloat16AVX2,

		QuantizeAbsmaxBlocks:    quantizeAbsmaxFloat16BlocksAVX2,
		QuantizeZeroPointBlocks: quantizeZeroPointFloat16BlocksAVX2,
	},
	BFloat16: kernels.Format16{
		QuantizeAbsmax:    quantizeAbsmaxBFloat16AVX2,
		QuantizeZeroPoint: quantizeZeroPointBFloat16AVX2,

		QuantizeAbsmaxChecked:    quantizeAbsmaxBFloat16CheckedAVX2,
		QuantizeZeroPointChecked: quantizeZeroPointBFloat16CheckedAVX2,

		EncodeQ8_0:          encodeQ8_0BFloat16AVX2,
		DequantizeZeroPoint: dequantizeZeroPointBFloat16AVX2,
		DecodeQ8_0:          decodeQ8_0BFloat16AVX2,
		EncodeQ4_0:          encodeQ4_0BFloat16AVX2,
		DecodeQ4_0:          decodeQ4_0BFloat16AVX2,
		EncodeQ4_1:          encodeQ4_1BFloat16AVX2,
		DecodeQ4_1:          decodeQ4_1BFloat16AVX2,

		QuantizePyTorch:  quantizePyTorchBFloat16AVX2,
		QuantizeONNX:     quantizeONNXBFloat16AVX2,
		DequantizeAffine: dequantizeAffineBFloat16AVX2,

		QuantizeAbsmaxBlocks:    quantizeAbsmaxBFloat16BlocksAVX2,
		QuantizeZeroPointBlocks: quantizeZeroPointBFloat16BlocksAVX2,
	},
	EncodeQ8_0: encodeQ8_0AVX2,
	DecodeQ8_0: decodeQ8_0AVX2,
	EncodeQ4_0: encodeQ4_0AVX2,
	DecodeQ4_0: decodeQ4_0AVX2,
	EncodeQ4_1: encodeQ4_1AVX2,
	DecodeQ4_1: decodeQ4_1AVX2,

	AbsMaxBitsBlocks:        absMaxBitsBlocksAVX2,
	MinMaxKeysBlocks:        minMaxKeysBlocksAVX2,
	AbsMaxBits16Blocks:      absMaxBits16BlocksAVX2,
	MinMaxKeys16Blocks:      minMaxKeys16BlocksAVX2,
	QuantizeAbsmaxBlocks:    quantizeAbsmaxBlocksAVX2,
	QuantizeZeroPointBlocks: quantizeZeroPointBlocksAVX2,
	ZeroPointParamsBlocks:   zeroPointParamsBlocksAVX2,

	FakeQuantize:     fakeQuantizeAVX2,
	FakeQuantizeMask: fakeQuantizeMaskAVX2,
	MaskGradient:     maskGradientAVX2,
	ErrorSums:        errorSumsAVX2,

	QuantizePyTorch:     quantizePyTorchAVX2,
	QuantizeONNX:        quantizeONNXAVX2,
	DequantizeAffine:    dequantizeAffineAVX2,
	FakeQuantizePyTorch: fakeQuantizePyTorchAVX2,

	QuantizeAbsmaxFused:    quantizeAbsmaxFusedAVX2,
	QuantizeZeroPointFused: quantizeZeroPointFusedAVX2,

	MulAddAtB: mulAddAtBAVX2,
}

// The assembly kernels (*_amd64.s) process len(src) elements; the
// GGUF kernels (Q8_0, Q4_0, Q4_1) process len(src)/32 blocks (encode) and
// len(dst)/32 blocks (decode); the blockwise kernels process one block per element of their
// per-block slice (dst, lo or scales).

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
func quantizeAbsmaxCheckedAVX2(dst []int8, src []float32, scale float32) (nan bool)

//go:noescape
func quantizeZeroPointCheckedAVX2(dst []int8, src []float32, scale, zero float32) (nan bool)

//go:noescape
func quantizeAbsmaxFloat16CheckedAVX2(dst []int8, src []uint16, scale float32) (nan bool)

//go:noescape
func quantizeAbsmaxBFloat16CheckedAVX2(dst []int8, src []uint16, scale float32) (nan bool)

//go:noescape
func quantizeZeroPointFloat16CheckedAVX2(dst []int8, src []uint16, scale, zero float32) (nan bool)

//go:noescape
func quantizeZeroPointBFloat16CheckedAVX2(dst []int8, src []uint16, scale, zero float32) (nan bool)

// The interop kernels (quantize_amd64.s, dequantize_amd64.s and
// fakequant_amd64.s): PyTorch's and ONNX Runtime's arithmetic.

//go:noescape
func quantizePyTorchAVX2(dst []int8, src []float32, inv, zero float32) (nan bool)

//go:noescape
func quantizeONNXAVX2(dst []int8, src []float32, scale, zero float32) (nan bool)

//go:noescape
func quantizePyTorchFloat16AVX2(dst []int8, src []uint16, inv, zero float32) (nan bool)

//go:noescape
func quantizeONNXFloat16AVX2(dst []int8, src []uint16, scale, zero float32) (nan bool)

//go:noescape
func quantizePyTorchBFloat16AVX2(dst []int8, src []uint16, inv, zero float32) (nan bool)

//go:noescape
func quantizeONNXBFloat16AVX2(dst []int8, src []uint16, scale, zero float32) (nan bool)

//go:noescape
func dequantizeAffineAVX2(dst []float32, src []int8, scale float32, zero int32)

//go:noescape
func dequantizeAffineFloat16AVX2(dst []uint16, src []int8, scale float32, zero int32)

//go:noescape
func dequantizeAffineBFloat16AVX2(dst []uint16, src []int8, scale float32, zero int32)

//go:noescape
func quantizeAbsmaxFusedAVX2(dst []int8, src []float32) (maxBits uint32, scale float32)

//go:noescape
func quantizeZeroPointFusedAVX2(dst []int8, src []float32) (lo, hi int32, scale float32, zero int32)

//go:noescape
func dequantizeZeroPointAVX2(dst []float32, src []int8, scale float32, zero int32)

//go:noescape
func errorSumsAVX2(x, y []float32) (sse, ss, maxAbs float64)

// fakeQuantizeAVX2 multiplies by the reciprocal, with the FMA correction
// that gives the division's bits, where the dequantizers do (see
// DEQUANTFAST in dequantize_amd64.s): zero in [-128, 128] keeps every
// numerator q - zero in [-256, 255], and 2^-64 <= scale <= 2^64. 1/scale
// is the correctly rounded float32 quotient, as VDIVSS gives it.
func fakeQuantizeAVX2(dst, src []float32, scale float32, zero, qmin, qmax int32) bool {
	if b := math.Float32bits(scale); zero >= -128 && zero <= 128 && b >= 0x1F800000 && b <= 0x5F800000 {
		return fakeQuantizeRecipAVX2(dst, src, scale, 1/scale, zero, qmin, qmax)
	}
	return fakeQuantizeDivAVX2(dst, src, scale, zero, qmin, qmax)
}

//go:noescape
func fakeQuantizeDivAVX2(dst, src []float32, scale float32, zero, qmin, qmax int32) (nan bool)

//go:noescape
func fakeQuantizeRecipAVX2(dst, src []float32, scale, recip float32, zero, qmin, qmax int32) (nan bool)

//go:noescape
func fakeQuantizeMaskAVX2(dst, src []float32, mask []uint8, scale float32, zero, qmin, qmax int32)

// fakeQuantizePyTorchAVX2 is kernels.Set.FakeQuantizePyTorch: a nil mask
// means none is written, which the masked kernel cannot tell from an
// empty one, so each has its own entry point.
func fakeQuantizePyTorchAVX2(dst, src []float32, mask []uint8, inv, scale float32, zero, qmin, qmax int32) bool {
	if mask == nil {
		return fakeQuantizePyTorchNoMaskAVX2(dst, src, inv, scale, zero, qmin, qmax)
	}
	return fakeQuantizePyTorchMaskAVX2(dst, src, mask, inv, scale, zero, qmin, qmax)
}

//go:noescape
func fakeQuantizePyTorchNoMaskAVX2(dst, src []float32, inv, scale float32, zero, qmin, qmax int32) (nan bool)

//go:noescape
func fakeQuantizePyTorchMaskAVX2(dst, src []float32, mask []uint8, inv, scale float32, zero, qmin, qmax int32) (nan bool)

//go:noescape
func maskGradientAVX2(dst, grad []float32, mask []uint8)

//go:noescape
func absMaxBits16AVX2(src []uint16) uint16

//go:noescape
func minMaxKeys16AVX2(src []uint16) (lo, hi int16)

//go:noescape
func quantizeAbsmaxFloat16AVX2(dst []int8, src []uint16, scale float32)

//go:noescape
func quantizeAbsmaxBFloat16AVX2(dst []int8, src []uint16, scale float32)

//go:noescape
func quantizeZeroPointFloat16AVX2(dst []int8, src []uint16, scale, zero float32)

//go:noescape
func quantizeZeroPointBFloat16AVX2(dst []int8, src []uint16, scale, zero float32)

//go:noescape
func encodeQ8_0AVX2(dst []byte, src []float32)

//go:noescape
func encodeQ8_0Float16AVX2(dst []byte, src []uint16)

//go:noescape
func encodeQ8_0BFloat16AVX2(dst []byte, src []uint16)

//go:noescape
func decodeQ8_0AVX2(dst []float32, src []byte)

//go:noescape
func decodeQ8_0Float16AVX2(dst []uint16, src []byte)

//go:noescape
func decodeQ8_0BFloat16AVX2(dst []uint16, src []byte)

//go:noescape
func encodeQ4_0AVX2(dst []byte, src []float32)

//go:noescape
func encodeQ4_0Float16AVX2(dst []byte, src []uint16)

//go:noescape
func encodeQ4_0BFloat16AVX2(dst []byte, src []uint16)

//go:noescape
func decodeQ4_0AVX2(dst []float32, src []byte)

//go:noescape
func decodeQ4_0Float16AVX2(dst []uint16, src []byte)

//go:noescape
func decodeQ4_0BFloat16AVX2(dst []uint16, src []byte)

//go:noescape
func encodeQ4_1AVX2(dst []byte, src []float32)

//go:noescape
func encodeQ4_1Float16AVX2(dst []byte, src []uint16)

//go:noescape
func encodeQ4_1BFloat16AVX2(dst []byte, src []uint16)

//go:noescape
func decodeQ4_1AVX2(dst []float32, src []byte)

//go:noescape
func decodeQ4_1Float16AVX2(dst []uint16, src []byte)

//go:noescape
func decodeQ4_1BFloat16AVX2(dst []uint16, src []byte)

//go:noescape
func dequantizeZeroPointFloat16AVX2(dst []uint16, src []int8, scale float32, zero int32)

//go:noescape
func dequantizeZeroPointBFloat16AVX2(dst []uint16, src []int8, scale float32, zero int32)

//go:noescape
func absMaxBitsBlocksAVX2(dst []uint32, src []float32, block int)

//go:noescape
func minMaxKeysBlocksAVX2(lo, hi []int32, src []float32, block int)

//go:noescape
func absMaxBits16BlocksAVX2(dst []uint16, src []uint16, block int)

//go:noescape
func minMaxKeys16BlocksAVX2(lo, hi []int16, src []uint16, block int)

//go:noescape
func quantizeAbsmaxBlocksAVX2(dst []int8, src []float32, scales []float32, block int)

//go:noescape
func quantizeZeroPointBlocksAVX2(dst []int8, src []float32, scales, zeros []float32, block int)

//go:noescape
func quantizeAbsmaxFloat16BlocksAVX2(dst []int8, src []uint16, scales []float32, block int)

//go:noescape
func quantizeAbsmaxBFloat16BlocksAVX2(dst []int8, src []uint16, scales []float32, block int)

//go:noescape
func quantizeZeroPointFloat16BlocksAVX2(dst []int8, src []uint16, scales, zeros []float32, block int)

//go:noescape
func quantizeZeroPointBFloat16BlocksAVX2(dst []int8, src []uint16, scales, zeros []float32, block int)

//go:noescape
func zeroPointParamsBlocksAVX2(scales []float32, zeros []int32, lo, hi []int32)

// gemmMC and gemmKC bound the rows of C and the steps of k of one call of
// gemmBlockAVX2, whose frame holds their packed copy of A (GEMMMC and
// GEMMKC in gemm_amd64.s; gemmMC is a multiple of the tile's 6 rows).
// 144 x 128 ran 2-5% faster than 72 x 256, with the same frame, at
// 256 x 256 x 256 and 256 x 4096 x 256 on the build machine.
const (
	gemmMC = 144
	gemmKC = 128
)

// mulAddAtBAVX2 is kernels.Set.MulAddAtB: gemmBlockAVX2 on blocks of at
// most gemmMC rows of C and gemmKC steps of k. The blocks of k run in
// order, so each element still takes its products in the order of p.
func mulAddAtBAVX2(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	for p := 0; p < k; p += gemmKC {
		for i := 0; i < m; i += gemmMC {
			gemmBlockAVX2(&c[i*ldc], ldc, &at[p*lda+i], lda, &b[p*ldb], ldb, min(gemmMC, m-i), n, min(gemmKC, k-p))
		}
	}
}

//go:noescape
func gemmBlockAVX2(c *float32, ldc int, at *float32, lda int, b *float32, ldb int, m, n, k int)
