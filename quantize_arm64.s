//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"
#include "kernels_arm64.h"

// quantize_arm64.s: the per-slice quantizers to int8, from float32 and
// from the 16-bit floats.
//
//	quantizeAbsmaxNEON              []float32 -> []int8, scale, [-127, 127]
//	quantizeZeroPointNEON           []float32 -> []int8, scale and zero point
//	quantizeAbsmaxFloat16NEON       the same from binary16, widened by FCVTL
//	quantizeAbsmaxBFloat16NEON      the same from bfloat16, widened by a zip
//	quantizeZeroPointFloat16NEON
//	quantizeZeroPointBFloat16NEON
//	quantizeAbsmaxCheckedNEON, quantizeZeroPointCheckedNEON,
//	quantizeAbsmaxFloat16CheckedNEON, quantizeAbsmaxBFloat16CheckedNEON,
//	quantizeZeroPointFloat16CheckedNEON, quantizeZeroPointBFloat16CheckedNEON
//	                                the six above for inputs that may hold
//	                                NaNs, reported in the same pass
//	quantizePyTorchNEON, quantizeONNXNEON, quantizePyTorchFloat16NEON,
//	quantizePyTorchBFloat16NEON, quantizeONNXFloat16NEON,
//	quantizeONNXBFloat16NEON
//	                                the interop quantizers: the checked
//	                                zero-point ones rounding before the
//	                                zero point is added
//
// All eighteen are one body, QUANTIZE, with hooks for the source format
// (the loads) and the method (the quantizing macros, after the NaN test
// for the checked ones). WIDEN16_F16, WIDEN16_BF16, QABS16, QAFFINE16,
// QZP16 and the NaN test (NANMAX16, NANMAX4, NANSEEN) are in
// kernels_arm64.h: the blockwise quantizers (blocks_arm64.s) and the fake
// quantizers (fakequant_arm64.s) use them too.

// Quantization: FMUL rounds the product to float32, FCVTNS rounds to the
// nearest integer with ties to even (FPCR.RMode, unlike FCVTAS) and
// saturates to int32, and each SQXTN saturates again, so the result is
// the integer clamped to [-128, 127]; that equals clamping in the float
// domain first, as the reference does, because the bounds are integers.

// QUANTIZE is the body of a quantizer: SLICE (kernels_arm64.h) with 16,
// then 4 values per iteration, then one. LOAD16, LOAD4 and LOAD1 read 16,
// 4 and 1 values and leave them as float32 in the registers that Q16 and
// Q4 quantize to the 16 and the low 4 bytes of Vr (whose low 32 bits are
// Fr). It defines the labels of SLICE.
#define QUANTIZE(LOAD16, LOAD4, LOAD1, Q16, Q4, Vr, Fr) \
	SLICE($16, QSTEP16(LOAD16, Q16, Vr), $4, QSTEP4(LOAD4, Q4, Fr), QSTEP1(LOAD1, Q4, Vr))

#define QSTEP16(LOAD16, Q16, Vr) \
	LOAD16                   \
	Q16                      \
	VST1.P [Vr.B16], 16(R1)

#define QSTEP4(LOAD4, Q4, Fr) \
	LOAD4                 \
	Q4                    \
	FMOVS.P Fr, 4(R1)

#define QSTEP1(LOAD1, Q4, Vr) \
	LOAD1                 \
	Q4                    \
	VMOV   Vr.B[0], R3    \
	MOVB.P R3, 1(R1)

// QABS4, QAFFINE4 and QZP4 quantize Va to the low 4 bytes of Vr, through
// the int16 of Vh, as QABS16, QAFFINE16 and QZP16 (kernels_arm64.h)
// quantize four vectors.
#define TOINT8_4(a, h, r) \
	FCVTNS_4S(a, a)   \
	SQXTN_4H(h, a)    \
	SQXTN_8B(r, h)

#define QABS4(a, h, r)     \
	FMUL_4S(a, a, 31) \
	TOINT8_4(a, h, r) \
	SMAX_16B(r, r, 30)

#define QAFFINE4(OP, RND, a, h, r) \
	AFFINE1(OP, RND, a)        \
	TOINT8_4(a, h, r)

#define QZP4(a, h, r) QAFFINE4(FMUL_4S, NOROUND, a, h, r)

// func quantizeAbsmaxNEON(dst []int8, src []float32, scale float32)
// The lower bound -127 comes from a final SMAX on the bytes.
//
// Registers:
//	R0  src            V0-V3   values, then int32
//	R1  dst            V4-V5   int16
//	R2  elements left  V6      int8 results
//	R3  scratch        V30     -127 per byte
//	                   V31     scale
TEXT ·quantizeAbsmaxNEON(SB), NOSPLIT, $0-52
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	VMOVI $0x81, V30.B16 // -127
	QUANTIZE(LOAD16S, LOAD4S, LOAD1S, QABS16(0, 1, 2, 3, 4, 5, 6), QABS4(0, 4, 6), V6, F6)
	RET

// func quantizeZeroPointNEON(dst []int8, src []float32, scale, zero float32)
// FMUL then FADD: two roundings, as the reference (never FMLA). The
// saturating conversions give the clamp to [-128, 127].
//
// Registers:
//	R0  src            V0-V3   values, then int32
//	R1  dst            V4-V5   int16
//	R2  elements left  V6      int8 results
//	R3  scratch        V30     zero point
//	                   V31     scale
TEXT ·quantizeZeroPointNEON(SB), NOSPLIT, $0-56
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	FMOVS zero+52(FP), F30
	VDUP  V30.S[0], V30.S4
	QUANTIZE(LOAD16S, LOAD4S, LOAD1S, QZP16(0, 1, 2, 3, 4, 5, 6), QZP4(0, 4, 6), V6, F6)
	RET

// Quantization from 16-bit sources: each kernel widens to the exact
// float32 values, FCVTL for binary16 and a zip with zeros (V29) for
// bfloat16 (bits<<16), then runs the sequence of its float32 namesake on
// V2-V5, through V6-V7, to V8. LOAD16W, LOAD4W, LOAD1W and the WIDEN
// macros are in kernels_arm64.h.

// func quantizeAbsmaxFloat16NEON(dst []int8, src []uint16, scale float32)
//
// Registers:
//	R0  src            V0-V1   16-bit values
//	R1  dst            V2-V5   float32, then int32
//	R2  elements left  V6-V7   int16
//	R3  scratch        V8      int8 results
//	                   V30     -127 per byte
//	                   V31     scale
TEXT ·quantizeAbsmaxFloat16NEON(SB), NOSPLIT, $0-52
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	VMOVI $0x81, V30.B16 // -127
	QUANTIZE(LOAD16W(WIDEN16_F16), LOAD4W(WIDEN4_F16), LOAD1W(WIDEN4_F16), QABS16(2, 3, 4, 5, 6, 7, 8), QABS4(2, 6, 8), V8, F8)
	RET

// func quantizeAbsmaxBFloat16NEON(dst []int8, src []uint16, scale float32)
//
// Registers:
//	R0  src            V0-V1   16-bit values
//	R1  dst            V2-V5   float32, then int32
//	R2  elements left  V6-V7   int16
//	R3  scratch        V8      int8 results
//	                   V29     all zeros
//	                   V30     -127 per byte
//	                   V31     scale
TEXT ·quantizeAbsmaxBFloat16NEON(SB), NOSPLIT, $0-52
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	VMOVI $0x81, V30.B16 // -127
	VEOR  V29.B16, V29.B16, V29.B16
	QUANTIZE(LOAD16W(WIDEN16_BF16(V29)), LOAD4W(WIDEN4_BF16(V29)), LOAD1W(WIDEN4_BF16(V29)), QABS16(2, 3, 4, 5, 6, 7, 8), QABS4(2, 6, 8), V8, F8)
	RET

// func quantizeZeroPointFloat16NEON(dst []int8, src []uint16, scale, zero float32)
//
// Registers:
//	R0  src            V0-V1   16-bit values
//	R1  dst            V2-V5   float32, then int32
//	R2  elements left  V6-V7   int16
//	R3  scratch        V8      int8 results
//	                   V30     zero point
//	                   V31     scale
TEXT ·quantizeZeroPointFloat16NEON(SB), NOSPLIT, $0-56
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	FMOVS zero+52(FP), F30
	VDUP  V30.S[0], V30.S4
	QUANTIZE(LOAD16W(WIDEN16_F16), LOAD4W(WIDEN4_F16), LOAD1W(WIDEN4_F16), QZP16(2, 3, 4, 5, 6, 7, 8), QZP4(2, 6, 8), V8, F8)
	RET

// func quantizeZeroPointBFloat16NEON(dst []int8, src []uint16, scale, zero float32)
//
// Registers:
//	R0  src            V0-V1   16-bit values
//	R1  dst            V2-V5   float32, then int32
//	R2  elements left  V6-V7   int16
//	R3  scratch        V8      int8 results
//	                   V29     all zeros
//	                   V30     zero point
//	                   V31     scale
TEXT ·quantizeZeroPointBFloat16NEON(SB), NOSPLIT, $0-56
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	FMOVS zero+52(FP), F30
	VDUP  V30.S[0], V30.S4
	VEOR  V29.B16, V29.B16, V29.B16
	QUANTIZE(LOAD16W(WIDEN16_BF16(V29)), LOAD4W(WIDEN4_BF16(V29)), LOAD1W(WIDEN4_BF16(V29)), QZP16(2, 3, 4, 5, 6, 7, 8), QZP4(2, 6, 8), V8, F8)
	RET

// The checked quantizers are the six above for inputs that may hold NaNs
// (the static quantizers'): the same body, with the float32 values of
// each step, before the scaling, folded by NANMAX16 or NANMAX4
// (kernels_arm64.h) into the accumulator V28, which NANSEEN reads at the
// end. Testing the values rather than the products changes nothing:
// x*scale is NaN exactly where x is, scale being positive and finite. The
// lanes a short step fills with zeros (LOAD1S) or copies (LOAD1W) add
// none. The values stored for a NaN are unspecified (FCVTNS makes them
// 0). Non-NaN values go through the unchecked kernels' instructions.

// func quantizeAbsmaxCheckedNEON(dst []int8, src []float32, scale float32) (nan bool)
// func quantizeZeroPointCheckedNEON(dst []int8, src []float32, scale, zero float32) (nan bool)
// and the same from binary16 and bfloat16. Per 16 values, four FMAX
// more than the unchecked kernel.
//
// Registers: those of the unchecked kernel, and
//	R4  NaN seen (result)   V26-V27  scratch (NANMAX16)
//	R5  scratch (NANSEEN)   V28      FMAX of the values (NaN where seen)
TEXT ·quantizeAbsmaxCheckedNEON(SB), NOSPLIT, $0-57
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	VMOVI $0x81, V30.B16 // -127
	VEOR  V28.B16, V28.B16, V28.B16
	QUANTIZE(LOAD16S, LOAD4S, LOAD1S, NANMAX16(0, 1, 2, 3, 26, 27, 28); QABS16(0, 1, 2, 3, 4, 5, 6), NANMAX4(0, 28); QABS4(0, 4, 6), V6, F6)
	NANSEEN(28, V28)
	MOVB  R4, nan+56(FP)
	RET

TEXT ·quantizeZeroPointCheckedNEON(SB), NOSPLIT, $0-57
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	FMOVS zero+52(FP), F30
	VDUP  V30.S[0], V30.S4
	VEOR  V28.B16, V28.B16, V28.B16
	QUANTIZE(LOAD16S, LOAD4S, LOAD1S, NANMAX16(0, 1, 2, 3, 26, 27, 28); QZP16(0, 1, 2, 3, 4, 5, 6), NANMAX4(0, 28); QZP4(0, 4, 6), V6, F6)
	NANSEEN(28, V28)
	MOVB  R4, nan+56(FP)
	RET

TEXT ·quantizeAbsmaxFloat16CheckedNEON(SB), NOSPLIT, $0-57
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	VMOVI $0x81, V30.B16 // -127
	VEOR  V28.B16, V28.B16, V28.B16
	QUANTIZE(LOAD16W(WIDEN16_F16), LOAD4W(WIDEN4_F16), LOAD1W(WIDEN4_F16), NANMAX16(2, 3, 4, 5, 26, 27, 28); QABS16(2, 3, 4, 5, 6, 7, 8), NANMAX4(2, 28); QABS4(2, 6, 8), V8, F8)
	NANSEEN(28, V28)
	MOVB  R4, nan+56(FP)
	RET

TEXT ·quantizeAbsmaxBFloat16CheckedNEON(SB), NOSPLIT, $0-57
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	VMOVI $0x81, V30.B16 // -127
	VEOR  V29.B16, V29.B16, V29.B16
	VEOR  V28.B16, V28.B16, V28.B16
	QUANTIZE(LOAD16W(WIDEN16_BF16(V29)), LOAD4W(WIDEN4_BF16(V29)), LOAD1W(WIDEN4_BF16(V29)), NANMAX16(2, 3, 4, 5, 26, 27, 28); QABS16(2, 3, 4, 5, 6, 7, 8), NANMAX4(2, 28); QABS4(2, 6, 8), V8, F8)
	NANSEEN(28, V28)
	MOVB  R4, nan+56(FP)
	RET

TEXT ·quantizeZeroPointFloat16CheckedNEON(SB), NOSPLIT, $0-57
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	FMOVS zero+52(FP), F30
	VDUP  V30.S[0], V30.S4
	VEOR  V28.B16, V28.B16, V28.B16
	QUANTIZE(LOAD16W(WIDEN16_F16), LOAD4W(WIDEN4_F16), LOAD1W(WIDEN4_F16), NANMAX16(2, 3, 4, 5, 26, 27, 28); QZP16(2, 3, 4, 5, 6, 7, 8), NANMAX4(2, 28); QZP4(2, 6, 8), V8, F8)
	NANSEEN(28, V28)
	MOVB  R4, nan+56(FP)
	RET

TEXT ·quantizeZeroPointBFloat16CheckedNEON(SB), NOSPLIT, $0-57
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	FMOVS zero+52(FP), F30
	VDUP  V30.S[0], V30.S4
	VEOR  V29.B16, V29.B16, V29.B16
	VEOR  V28.B16, V28.B16, V28.B16
	QUANTIZE(LOAD16W(WIDEN16_BF16(V29)), LOAD4W(WIDEN4_BF16(V29)), LOAD1W(WIDEN4_BF16(V29)), NANMAX16(2, 3, 4, 5, 26, 27, 28); QZP16(2, 3, 4, 5, 6, 7, 8), NANMAX4(2, 28); QZP4(2, 6, 8), V8, F8)
	NANSEEN(28, V28)
	MOVB  R4, nan+56(FP)
	RET

// The interop quantizers (kernels.Set.QuantizePyTorch, QuantizeONNX and
// their Format16 namesakes) are the checked zero-point quantizers with
// QAFFINE16 and QAFFINE4 (kernels_arm64.h) in place of QZP16 and QZP4:
// FMUL by PyTorch's reciprocal, or FDIV by ONNX's scale, then FRINTN
// rounds to an integer, ties to even, before FADD adds the zero point.
// The sum of an integral float32 and an integral zero point is integral
// (exact below 2^24, and every float32 from 2^23 up is an integer) or
// ±Inf, so FCVTNS converts it exactly or saturates, and the SQXTNs clamp
// it to [-128, 127] as the reference's float clamp does. The NaN test
// folds the values as above: x*inv and x/scale are NaN exactly where x
// is, inv and scale being positive and finite.

// func quantizePyTorchNEON(dst []int8, src []float32, inv, zero float32) (nan bool)
// func quantizeONNXNEON(dst []int8, src []float32, scale, zero float32) (nan bool)
// and the same from binary16 and bfloat16.
//
// Registers: those of quantizeZeroPointCheckedNEON (or its 16-bit
// namesake), with inv or scale in V31.
TEXT ·quantizePyTorchNEON(SB), NOSPLIT, $0-57
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS inv+48(FP), F31
	VDUP  V31.S[0], V31.S4
	FMOVS zero+52(FP), F30
	VDUP  V30.S[0], V30.S4
	VEOR  V28.B16, V28.B16, V28.B16
	QUANTIZE(LOAD16S, LOAD4S, LOAD1S, NANMAX16(0, 1, 2, 3, 26, 27, 28); QAFFINE16(FMUL_4S, FRINTN_4S, 0, 1, 2, 3, 4, 5, 6), NANMAX4(0, 28); QAFFINE4(FMUL_4S, FRINTN_4S, 0, 4, 6), V6, F6)
	NANSEEN(28, V28)
	MOVB  R4, nan+56(FP)
	RET

TEXT ·quantizeONNXNEON(SB), NOSPLIT, $0-57
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	FMOVS zero+52(FP), F30
	VDUP  V30.S[0], V30.S4
	VEOR  V28.B16, V28.B16, V28.B16
	QUANTIZE(LOAD16S, LOAD4S, LOAD1S, NANMAX16(0, 1, 2, 3, 26, 27, 28); QAFFINE16(FDIV_4S, FRINTN_4S, 0, 1, 2, 3, 4, 5, 6), NANMAX4(0, 28); QAFFINE4(FDIV_4S, FRINTN_4S, 0, 4, 6), V6, F6)
	NANSEEN(28, V28)
	MOVB  R4, nan+56(FP)
	RET

TEXT ·quantizePyTorchFloat16NEON(SB), NOSPLIT, $0-57
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS inv+48(FP), F31
	VDUP  V31.S[0], V31.S4
	FMOVS zero+52(FP), F30
	VDUP  V30.S[0], V30.S4
	VEOR  V28.B16, V28.B16, V28.B16
	QUANTIZE(LOAD16W(WIDEN16_F16), LOAD4W(WIDEN4_F16), LOAD1W(WIDEN4_F16), NANMAX16(2, 3, 4, 5, 26, 27, 28); QAFFINE16(FMUL_4S, FRINTN_4S, 2, 3, 4, 5, 6, 7, 8), NANMAX4(2, 28); QAFFINE4(FMUL_4S, FRINTN_4S, 2, 6, 8), V8, F8)
	NANSEEN(28, V28)
	MOVB  R4, nan+56(FP)
	RET

TEXT ·quantizePyTorchBFloat16NEON(SB), NOSPLIT, $0-57
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS inv+48(FP), F31
	VDUP  V31.S[0], V31.S4
	FMOVS zero+52(FP), F30
	VDUP  V30.S[0], V30.S4
	VEOR  V29.B16, V29.B16, V29.B16
	VEOR  V28.B16, V28.B16, V28.B16
	QUANTIZE(LOAD16W(WIDEN16_BF16(V29)), LOAD4W(WIDEN4_BF16(V29)), LOAD1W(WIDEN4_BF16(V29)), NANMAX16(2, 3, 4, 5, 26, 27, 28); QAFFINE16(FMUL_4S, FRINTN_4S, 2, 3, 4, 5, 6, 7, 8), NANMAX4(2, 28); QAFFINE4(FMUL_4S, FRINTN_4S, 2, 6, 8), V8, F8)
	NANSEEN(28, V28)
	MOVB  R4, nan+56(FP)
	RET

TEXT ·quantizeONNXFloat16NEON(SB), NOSPLIT, $0-57
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	FMOVS zero+52(FP), F30
	VDUP  V30.S[0], V30.S4
	VEOR  V28.B16, V28.B16, V28.B16
	QUANTIZE(LOAD16W(WIDEN16_F16), LOAD4W(WIDEN4_F16), LOAD1W(WIDEN4_F16), NANMAX16(2, 3, 4, 5, 26, 27, 28); QAFFINE16(FDIV_4S, FRINTN_4S, 2, 3, 4, 5, 6, 7, 8), NANMAX4(2, 28); QAFFINE4(FDIV_4S, FRINTN_4S, 2, 6, 8), V8, F8)
	NANSEEN(28, V28)
	MOVB  R4, nan+56(FP)
	RET

TEXT ·quantizeONNXBFloat16NEON(SB), NOSPLIT, $0-57
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	FMOVS zero+52(FP), F30
	VDUP  V30.S[0], V30.S4
	VEOR  V29.B16, V29.B16, V29.B16
	VEOR  V28.B16, V28.B16, V28.B16
	QUANTIZE(LOAD16W(WIDEN16_BF16(V29)), LOAD4W(WIDEN4_BF16(V29)), LOAD1W(WIDEN4_BF16(V29)), NANMAX16(2, 3, 4, 5, 26, 27, 28); QAFFINE16(FDIV_4S, FRINTN_4S, 2, 3, 4, 5, 6, 7, 8), NANMAX4(2, 28); QAFFINE4(FDIV_4S, FRINTN_4S, 2, 6, 8), V8, F8)
	NANSEEN(28, V28)
	MOVB  R4, nan+56(FP)
	RET
