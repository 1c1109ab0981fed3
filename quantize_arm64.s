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
//
// WIDEN16_F16, WIDEN16_BF16, QABS16 and QZP16 are in kernels_arm64.h: the
// blockwise quantizers (blocks_arm64.s) use them too.

// Quantization: FMUL rounds the product to float32, FCVTNS rounds to the
// nearest integer with ties to even (FPCR.RMode, unlike FCVTAS) and
// saturates to int32, and each SQXTN saturates again, so the result is
// the integer clamped to [-128, 127]; that equals clamping in the float
// domain first, as the reference does, because the bounds are integers.

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
	SUBS  $16, R2
	BLT   four

loop16:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	FMUL_4S(0, 0, 31)
	FMUL_4S(1, 1, 31)
	FMUL_4S(2, 2, 31)
	FMUL_4S(3, 3, 31)
	FCVTNS_4S(0, 0)
	FCVTNS_4S(1, 1)
	FCVTNS_4S(2, 2)
	FCVTNS_4S(3, 3)
	SQXTN_4H(4, 0)
	SQXTN2_8H(4, 1)
	SQXTN_4H(5, 2)
	SQXTN2_8H(5, 3)
	SQXTN_8B(6, 4)
	SQXTN2_16B(6, 5)
	SMAX_16B(6, 6, 30)
	VST1.P [V6.B16], 16(R1)
	SUBS   $16, R2
	BGE    loop16

four:
	ADD $16, R2
	CMP $4, R2
	BLT one

loop4:
	VLD1.P  16(R0), [V0.S4]
	FMUL_4S(0, 0, 31)
	FCVTNS_4S(0, 0)
	SQXTN_4H(4, 0)
	SQXTN_8B(6, 4)
	SMAX_16B(6, 6, 30)
	FMOVS.P F6, 4(R1)
	SUB     $4, R2
	CMP     $4, R2
	BGE     loop4

one:
	CBZ R2, done

loop1:
	FMOVS.P 4(R0), F0
	FMUL_4S(0, 0, 31)
	FCVTNS_4S(0, 0)
	SQXTN_4H(4, 0)
	SQXTN_8B(6, 4)
	SMAX_16B(6, 6, 30)
	VMOV    V6.B[0], R3
	MOVB.P  R3, 1(R1)
	SUBS    $1, R2
	BNE     loop1

done:
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
	SUBS  $16, R2
	BLT   four

loop16:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	FMUL_4S(0, 0, 31)
	FMUL_4S(1, 1, 31)
	FMUL_4S(2, 2, 31)
	FMUL_4S(3, 3, 31)
	FADD_4S(0, 0, 30)
	FADD_4S(1, 1, 30)
	FADD_4S(2, 2, 30)
	FADD_4S(3, 3, 30)
	FCVTNS_4S(0, 0)
	FCVTNS_4S(1, 1)
	FCVTNS_4S(2, 2)
	FCVTNS_4S(3, 3)
	SQXTN_4H(4, 0)
	SQXTN2_8H(4, 1)
	SQXTN_4H(5, 2)
	SQXTN2_8H(5, 3)
	SQXTN_8B(6, 4)
	SQXTN2_16B(6, 5)
	VST1.P [V6.B16], 16(R1)
	SUBS   $16, R2
	BGE    loop16

four:
	ADD $16, R2
	CMP $4, R2
	BLT one

loop4:
	VLD1.P  16(R0), [V0.S4]
	FMUL_4S(0, 0, 31)
	FADD_4S(0, 0, 30)
	FCVTNS_4S(0, 0)
	SQXTN_4H(4, 0)
	SQXTN_8B(6, 4)
	FMOVS.P F6, 4(R1)
	SUB     $4, R2
	CMP     $4, R2
	BGE     loop4

one:
	CBZ R2, done

loop1:
	FMOVS.P 4(R0), F0
	FMUL_4S(0, 0, 31)
	FADD_4S(0, 0, 30)
	FCVTNS_4S(0, 0)
	SQXTN_4H(4, 0)
	SQXTN_8B(6, 4)
	VMOV    V6.B[0], R3
	MOVB.P  R3, 1(R1)
	SUBS    $1, R2
	BNE     loop1

done:
	RET

// Quantization from 16-bit sources: each kernel widens to the exact
// float32 values, FCVTL for binary16 and a zip with zeros (V29) for
// bfloat16 (bits<<16), then runs the sequence of its float32 namesake.
// WIDEN16_F16 and WIDEN16_BF16 (kernels_arm64.h) widen the 16 values of
// V0-V1 to V2-V5; WIDEN4_F16 and WIDEN4_BF16 the low 4 values of V0 to V2.

#define WIDEN4_F16 FCVTL_4S(2, 0)

#define WIDEN4_BF16 VZIP1 V0.H8, V29.H8, V2.H8

// QABS4 quantizes V2 to the low 4 bytes of V8, as QABS16
// (kernels_arm64.h) quantizes V2-V5 to the 16 bytes of V8.
#define QABS4           \
	FMUL_4S(2, 2, 31)  \
	FCVTNS_4S(2, 2)    \
	SQXTN_4H(6, 2)     \
	SQXTN_8B(8, 6)     \
	SMAX_16B(8, 8, 30)

// QZP4 is QABS4 for quantizeZeroPointNEON, with the zero point in V30
// and no SMAX, as QZP16 (kernels_arm64.h) is QABS16.
#define QZP4            \
	FMUL_4S(2, 2, 31)  \
	FADD_4S(2, 2, 30)  \
	FCVTNS_4S(2, 2)    \
	SQXTN_4H(6, 2)     \
	SQXTN_8B(8, 6)

// QUANTIZE16 is the body of a widening quantizer: R0 walks src, R1 dst,
// R2 counts the elements left, as in the float32 kernels; WIDEN16/WIDEN4
// and Q16/Q4 name the widening and quantizing macros. It branches only to
// labels of its own (four, loop16, loop4, one, loop1, done), which the
// TEXT that uses it must not define, and ends with the kernel's RET.
#define QUANTIZE16(WIDEN16, WIDEN4, Q16, Q4) \
	SUBS $16, R2                          \
	BLT  four                             \
loop16:                                   \
	VLD1.P 32(R0), [V0.H8, V1.H8]         \
	WIDEN16                               \
	Q16                                   \
	VST1.P [V8.B16], 16(R1)               \
	SUBS   $16, R2                        \
	BGE    loop16                         \
four:                                     \
	ADD $16, R2                           \
	CMP $4, R2                            \
	BLT one                               \
loop4:                                    \
	FMOVD.P 8(R0), F0                     \
	WIDEN4                                \
	Q4                                    \
	FMOVS.P F8, 4(R1)                     \
	SUB     $4, R2                        \
	CMP     $4, R2                        \
	BGE     loop4                         \
one:                                      \
	CBZ R2, done                          \
loop1:                                    \
	VLD1R.P 2(R0), [V0.H8]                \
	WIDEN4                                \
	Q4                                    \
	VMOV    V8.B[0], R3                   \
	MOVB.P  R3, 1(R1)                     \
	SUBS    $1, R2                        \
	BNE     loop1                         \
done:                                     \
	RET

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
	QUANTIZE16(WIDEN16_F16, WIDEN4_F16, QABS16, QABS4)

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
	QUANTIZE16(WIDEN16_BF16, WIDEN4_BF16, QABS16, QABS4)

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
	QUANTIZE16(WIDEN16_F16, WIDEN4_F16, QZP16, QZP4)

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
	QUANTIZE16(WIDEN16_BF16, WIDEN4_BF16, QZP16, QZP4)
