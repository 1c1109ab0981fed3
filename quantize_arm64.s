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
//
// All twelve are one body, QUANTIZE, with hooks for the source format (the
// loads) and the method (the quantizing macros, after the NaN test for
// the checked ones). WIDEN16_F16, WIDEN16_BF16, QABS16 and QZP16 are in
// kernels_arm64.h: the blockwise quantizers (blocks_arm64.s) use them
// too.

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

// QABS4 and QZP4 quantize Va to the low 4 bytes of Vr, through the int16
// of Vh, as QABS16 and QZP16 (kernels_arm64.h) quantize four vectors.
#define TOINT8_4(a, h, r) \
	FCVTNS_4S(a, a)   \
	SQXTN_4H(h, a)    \
	SQXTN_8B(r, h)

#define QABS4(a, h, r)     \
	FMUL_4S(a, a, 31) \
	TOINT8_4(a, h, r) \
	SMAX_16B(r, r, 30)

#define QZP4(a, h, r)      \
	FMUL_4S(a, a, 31) \
	FADD_4S(a, a, 30) \
	TOINT8_4(a, h, r)

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
// each step, before the scaling, folded by FMAX (which, unlike FMAXNM,
// gives a NaN where either operand is one) into the accumulator V28,
// which starts at +0 and holds a NaN lane at the end exactly where a NaN
// was seen. Testing the values rather than the products changes nothing:
// x*scale is NaN exactly where x is, scale being positive and finite. The
// lanes a short step fills with zeros (LOAD1S) or copies (LOAD1W) add
// none. The values stored for a NaN are unspecified (FCVTNS makes them
// 0). Non-NaN values go through the unchecked kernels' instructions.

// NANMAX16 folds the four vectors of values a, b, c, d into V28 through a
// tree in V26-V27; NANMAX4 folds a alone. Registers are numbers.
#define NANMAX16(a, b, c, d) \
	FMAX_4S(26, a, b)    \
	FMAX_4S(27, c, d)    \
	FMAX_4S(26, 26, 27)  \
	FMAX_4S(28, 28, 26)

#define NANMAX4(a) FMAX_4S(28, 28, a)

// NANSEEN sets R4 to 1 if a lane of V28 is a NaN, else to 0: FCMEQ of
// V28 with itself is all ones exactly where it is not, and the two
// halves ANDed are all ones (CMN #1 sets Z) only if no lane is NaN.
// It uses R5.
#define NANSEEN                \
	FCMEQ_4S(28, 28, 28)   \
	VMOV V28.D[0], R4      \
	VMOV V28.D[1], R5      \
	AND  R5, R4            \
	CMN  $1, R4            \
	CSET NE, R4

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
	QUANTIZE(LOAD16S, LOAD4S, LOAD1S, NANMAX16(0, 1, 2, 3); QABS16(0, 1, 2, 3, 4, 5, 6), NANMAX4(0); QABS4(0, 4, 6), V6, F6)
	NANSEEN
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
	QUANTIZE(LOAD16S, LOAD4S, LOAD1S, NANMAX16(0, 1, 2, 3); QZP16(0, 1, 2, 3, 4, 5, 6), NANMAX4(0); QZP4(0, 4, 6), V6, F6)
	NANSEEN
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
	QUANTIZE(LOAD16W(WIDEN16_F16), LOAD4W(WIDEN4_F16), LOAD1W(WIDEN4_F16), NANMAX16(2, 3, 4, 5); QABS16(2, 3, 4, 5, 6, 7, 8), NANMAX4(2); QABS4(2, 6, 8), V8, F8)
	NANSEEN
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
	QUANTIZE(LOAD16W(WIDEN16_BF16(V29)), LOAD4W(WIDEN4_BF16(V29)), LOAD1W(WIDEN4_BF16(V29)), NANMAX16(2, 3, 4, 5); QABS16(2, 3, 4, 5, 6, 7, 8), NANMAX4(2); QABS4(2, 6, 8), V8, F8)
	NANSEEN
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
	QUANTIZE(LOAD16W(WIDEN16_F16), LOAD4W(WIDEN4_F16), LOAD1W(WIDEN4_F16), NANMAX16(2, 3, 4, 5); QZP16(2, 3, 4, 5, 6, 7, 8), NANMAX4(2); QZP4(2, 6, 8), V8, F8)
	NANSEEN
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
	QUANTIZE(LOAD16W(WIDEN16_BF16(V29)), LOAD4W(WIDEN4_BF16(V29)), LOAD1W(WIDEN4_BF16(V29)), NANMAX16(2, 3, 4, 5); QZP16(2, 3, 4, 5, 6, 7, 8), NANMAX4(2); QZP4(2, 6, 8), V8, F8)
	NANSEEN
	MOVB  R4, nan+56(FP)
	RET
