//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"
#include "kernels_arm64.h"

// dequantize_arm64.s: the per-slice dequantizers from int8 with a scale
// and a zero point.
//
//	dequantizeZeroPointNEON          []int8 -> []float32
//	dequantizeZeroPointFloat16NEON   []int8 -> binary16, rounded by FCVTN
//	dequantizeZeroPointBFloat16NEON  []int8 -> bfloat16, rounded by BF16RNE
//
// BF16RNE and BF16CONSTANTS are in kernels_arm64.h.

// func dequantizeZeroPointNEON(dst []float32, src []int8, scale float32, zero int32)
// Sign-extend twice, an exact int32 subtraction, SCVTF (round to nearest
// even), then a true FDIV.
//
// Registers:
//	R0  src            V0      int8 values
//	R1  dst            V1-V2   int16
//	R2  elements left  V3-V6   int32, then results
//	R3  scratch        V30     zero point
//	                   V31     scale
TEXT ·dequantizeZeroPointNEON(SB), NOSPLIT, $0-56
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	MOVW  zero+52(FP), R3
	VDUP  R3, V30.S4
	SUBS  $16, R2
	BLT   four

loop16:
	VLD1.P 16(R0), [V0.B16]
	SXTL_8H(1, 0)
	SXTL2_8H(2, 0)
	SXTL_4S(3, 1)
	SXTL2_4S(4, 1)
	SXTL_4S(5, 2)
	SXTL2_4S(6, 2)
	VSUB   V30.S4, V3.S4, V3.S4
	VSUB   V30.S4, V4.S4, V4.S4
	VSUB   V30.S4, V5.S4, V5.S4
	VSUB   V30.S4, V6.S4, V6.S4
	SCVTF_4S(3, 3)
	SCVTF_4S(4, 4)
	SCVTF_4S(5, 5)
	SCVTF_4S(6, 6)
	FDIV_4S(3, 3, 31)
	FDIV_4S(4, 4, 31)
	FDIV_4S(5, 5, 31)
	FDIV_4S(6, 6, 31)
	VST1.P [V3.S4, V4.S4, V5.S4, V6.S4], 64(R1)
	SUBS   $16, R2
	BGE    loop16

four:
	ADD $16, R2
	CMP $4, R2
	BLT one

loop4:
	FMOVS.P 4(R0), F0
	SXTL_8H(1, 0)
	SXTL_4S(3, 1)
	VSUB    V30.S4, V3.S4, V3.S4
	SCVTF_4S(3, 3)
	FDIV_4S(3, 3, 31)
	VST1.P  [V3.S4], 16(R1)
	SUB     $4, R2
	CMP     $4, R2
	BGE     loop4

one:
	CBZ R2, done

loop1:
	MOVB.P  1(R0), R3 // sign-extends
	VDUP    R3, V3.S4
	VSUB    V30.S4, V3.S4, V3.S4
	SCVTF_4S(3, 3)
	FDIV_4S(3, 3, 31)
	FMOVS.P F3, 4(R1)
	SUBS    $1, R2
	BNE     loop1

done:
	RET

// Dequantization to 16-bit floats: the float32 kernel's sequence, then
// the rounding of float32ToFloat16NEON (FCVTN) or float32ToBFloat16NEON
// (BF16RNE, with its constants in V30 and V31).

// NARROW16_F16 and NARROW16_BF16 round the 16 float32 values of V3-V6 to
// the 16-bit lanes of V7-V8; NARROW4_F16 and NARROW4_BF16 those of V3 to
// the low four lanes of V7.
#define NARROW16_F16 \
	FCVTN_4H(7, 3)  \
	FCVTN2_8H(7, 4) \
	FCVTN_4H(8, 5)  \
	FCVTN2_8H(8, 6)

#define NARROW4_F16 FCVTN_4H(7, 3)

#define NARROW16_BF16                            \
	BF16RNE(3, V3, V9, V13, V17, 9, 13, 17)     \
	BF16RNE(4, V4, V10, V14, V18, 10, 14, 18)   \
	BF16RNE(5, V5, V11, V15, V19, 11, 15, 19)   \
	BF16RNE(6, V6, V12, V16, V20, 12, 16, 20)   \
	VUZP2 V14.H8, V13.H8, V7.H8                 \
	VUZP2 V16.H8, V15.H8, V8.H8

#define NARROW4_BF16                         \
	BF16RNE(3, V3, V9, V13, V17, 9, 13, 17) \
	VUZP2 V13.H8, V13.H8, V7.H8

// DEQUANTIZE16 is the body of a dequantizer to 16-bit floats, shaped as
// dequantizeZeroPointNEON with the scale in V28 and the zero point in V29;
// NARROW16 and NARROW4 round its results. It branches only to labels of
// its own (loop16, four, loop4, one, loop1, done), which the TEXT that
// uses it must not define, and ends with the kernel's RET.
#define DEQUANTIZE16(NARROW16, NARROW4)     \
	SUBS $16, R2                         \
	BLT  four                            \
loop16:                                  \
	VLD1.P 16(R0), [V0.B16]              \
	SXTL_8H(1, 0)                        \
	SXTL2_8H(2, 0)                       \
	SXTL_4S(3, 1)                        \
	SXTL2_4S(4, 1)                       \
	SXTL_4S(5, 2)                        \
	SXTL2_4S(6, 2)                       \
	VSUB   V29.S4, V3.S4, V3.S4          \
	VSUB   V29.S4, V4.S4, V4.S4          \
	VSUB   V29.S4, V5.S4, V5.S4          \
	VSUB   V29.S4, V6.S4, V6.S4          \
	SCVTF_4S(3, 3)                       \
	SCVTF_4S(4, 4)                       \
	SCVTF_4S(5, 5)                       \
	SCVTF_4S(6, 6)                       \
	FDIV_4S(3, 3, 28)                    \
	FDIV_4S(4, 4, 28)                    \
	FDIV_4S(5, 5, 28)                    \
	FDIV_4S(6, 6, 28)                    \
	NARROW16                             \
	VST1.P [V7.H8, V8.H8], 32(R1)        \
	SUBS   $16, R2                       \
	BGE    loop16                        \
four:                                    \
	ADD $16, R2                          \
	CMP $4, R2                           \
	BLT one                              \
loop4:                                   \
	FMOVS.P 4(R0), F0                    \
	SXTL_8H(1, 0)                        \
	SXTL_4S(3, 1)                        \
	VSUB    V29.S4, V3.S4, V3.S4         \
	SCVTF_4S(3, 3)                       \
	FDIV_4S(3, 3, 28)                    \
	NARROW4                              \
	FMOVD.P F7, 8(R1)                    \
	SUB     $4, R2                       \
	CMP     $4, R2                       \
	BGE     loop4                        \
one:                                     \
	CBZ R2, done                         \
loop1:                                   \
	MOVB.P  1(R0), R3                    \
	VDUP    R3, V3.S4                    \
	VSUB    V29.S4, V3.S4, V3.S4         \
	SCVTF_4S(3, 3)                       \
	FDIV_4S(3, 3, 28)                    \
	NARROW4                              \
	VST1.P  V7.H[0], 2(R1)               \
	SUBS    $1, R2                       \
	BNE     loop1                        \
done:                                    \
	RET

// func dequantizeZeroPointFloat16NEON(dst []uint16, src []int8, scale float32, zero int32)
//
// Registers:
//	R0  src            V0      int8 values
//	R1  dst            V1-V2   int16
//	R2  elements left  V3-V6   int32, then float32
//	R3  scratch        V7-V8   16-bit results
//	                   V28     scale
//	                   V29     zero point
TEXT ·dequantizeZeroPointFloat16NEON(SB), NOSPLIT, $0-56
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F28
	VDUP  V28.S[0], V28.S4
	MOVW  zero+52(FP), R3
	VDUP  R3, V29.S4
	DEQUANTIZE16(NARROW16_F16, NARROW4_F16)

// func dequantizeZeroPointBFloat16NEON(dst []uint16, src []int8, scale float32, zero int32)
//
// Registers:
//	R0  src            V0      int8 values
//	R1  dst            V1-V2   int16
//	R2  elements left  V3-V6   int32, then float32
//	R3  scratch        V7-V8   16-bit results
//	                   V9-V12  NaN masks (BF16RNE Vm)
//	                   V13-V16 rounded (BF16RNE Vr)
//	                   V17-V20 scratch (BF16RNE Vu)
//	                   V28     scale
//	                   V29     zero point
//	                   V30     0x7FFF
//	                   V31     0x00400000
TEXT ·dequantizeZeroPointBFloat16NEON(SB), NOSPLIT, $0-56
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F28
	VDUP  V28.S[0], V28.S4
	MOVW  zero+52(FP), R3
	VDUP  R3, V29.S4
	BF16CONSTANTS
	DEQUANTIZE16(NARROW16_BF16, NARROW4_BF16)
