//go:build !purego && !noasm

// The arm64 (NEON) kernels declared in kernels_arm64.go, one file per
// family, as in Go's internal/bytealg:
//
//	convert_arm64.s     float32ToFloat16NEON, float16ToFloat32NEON,
//	                    float32ToBFloat16NEON, float32ToBFloat16BFCVT,
//	                    bfloat16ToFloat32NEON
//	reduce_arm64.s      absMaxBitsNEON, minMaxKeysNEON,
//	                    absMaxBits16NEON, minMaxKeys16NEON,
//	                    errorSumsNEON
//	quantize_arm64.s    quantizeAbsmaxNEON, quantizeZeroPointNEON,
//	                    quantizeAbsmaxFloat16NEON, quantizeAbsmaxBFloat16NEON,
//	                    quantizeZeroPointFloat16NEON,
//	                    quantizeZeroPointBFloat16NEON,
//	                    quantizeAbsmaxCheckedNEON,
//	                    quantizeZeroPointCheckedNEON,
//	                    quantizeAbsmaxFloat16CheckedNEON,
//	                    quantizeAbsmaxBFloat16CheckedNEON,
//	                    quantizeZeroPointFloat16CheckedNEON,
//	                    quantizeZeroPointBFloat16CheckedNEON,
//	                    quantizePyTorchNEON, quantizeONNXNEON,
//	                    quantizePyTorchFloat16NEON,
//	                    quantizePyTorchBFloat16NEON,
//	                    quantizeONNXFloat16NEON, quantizeONNXBFloat16NEON
//	dequantize_arm64.s  dequantizeZeroPointNEON,
//	                    dequantizeZeroPointFloat16NEON,
//	                    dequantizeZeroPointBFloat16NEON,
//	                    dequantizeAffineNEON, dequantizeAffineFloat16NEON,
//	                    dequantizeAffineBFloat16NEON
//	fakequant_arm64.s   fakeQuantizeNEON, fakeQuantizeMaskNEON,
//	                    fakeQuantizePyTorchPlainNEON,
//	                    fakeQuantizePyTorchMaskNEON, maskGradientNEON
//	gguf_arm64.s        encodeQ8_0NEON, encodeQ8_0Float16NEON,
//	                    encodeQ8_0BFloat16NEON, decodeQ8_0NEON,
//	                    decodeQ8_0Float16NEON, decodeQ8_0BFloat16NEON,
//	                    encodeQ4_0NEON, encodeQ4_0Float16NEON,
//	                    encodeQ4_0BFloat16NEON, decodeQ4_0NEON,
//	                    decodeQ4_0Float16NEON, decodeQ4_0BFloat16NEON,
//	                    encodeQ4_1NEON, encodeQ4_1Float16NEON,
//	                    encodeQ4_1BFloat16NEON, decodeQ4_1NEON,
//	                    decodeQ4_1Float16NEON, decodeQ4_1BFloat16NEON
//	blocks_arm64.s      absMaxBitsBlocksNEON, minMaxKeysBlocksNEON,
//	                    absMaxBits16BlocksNEON, minMaxKeys16BlocksNEON,
//	                    quantizeAbsmaxBlocksNEON, quantizeZeroPointBlocksNEON,
//	                    quantizeAbsmaxFloat16BlocksNEON,
//	                    quantizeAbsmaxBFloat16BlocksNEON,
//	                    quantizeZeroPointFloat16BlocksNEON,
//	                    quantizeZeroPointBFloat16BlocksNEON
//	gemm_arm64.s        mulAddAtBNEON
//
// and two headers:
//
//	neon_arm64.h     the WORD encodings of the instructions Go's assembler
//	                 lacks (FCVTN_4H, SQXTN_8B, ...), checked by
//	                 neon_encoding_test.go
//	kernels_arm64.h  the macros that several files share (SLICE, BINOP4,
//	                 PAIRS, SPLITS, BF16RNE, KEY, WIDEN16_F16, QABS16, ...,
//	                 indexed at its top); a macro that serves one family
//	                 stays in that family's file, next to its users
//
// This file holds no code: it keeps the conventions that every file
// follows.
//
// Every per-slice kernel has the same shape: a main loop over 16 elements
// (32 for the reductions) with no branch inside, then a loop over 4
// elements, then one element at a time, so that no load or store ever
// crosses the end of a slice (the 16-bit reductions take 64, then 8, then
// 1; the GGUF kernels take whole blocks). R0 walks src, R1 walks dst, R2
// counts the elements left; in the main loop it is biased by minus one
// iteration, so that one SUBS both counts and tests. That shape is one
// macro, SLICE (kernels_arm64.h), whose hooks are the steps of each
// kernel.
//
// Go runs with FPCR = 0: round to nearest even, no flush to zero, NaNs
// propagated (not replaced by the default NaN). The float instructions
// of every file depend on that.
//
// Each TEXT's comment ends with a table of its registers by role. A
// macro that is the body of a kernel (ABSMAXBODY, MINMAXBODY, NARROWBODY,
// WIDENBODY, QUANTIZE, DEQUANTIZE, DECODE, all around SLICE; ENCODEBODY,
// REDUCEBLOCKS, QUANTIZEBLOCKS) defines every label it branches to, so
// that it can be expanded only once per TEXT; ENCODEBODY, REDUCEBLOCKS and
// QUANTIZEBLOCKS end with the kernel's RET, the others with their label
// done, after which the TEXT stores its results (a macro never names an
// argument) and returns. No macro branches to a label outside itself.
