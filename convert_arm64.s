//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"
#include "kernels_arm64.h"

// convert_arm64.s: conversions between float32 and the 16-bit floats.
//
//	float32ToFloat16NEON    float32 -> binary16 (FCVTN)
//	float16ToFloat32NEON    binary16 -> float32 (FCVTL)
//	float32ToBFloat16NEON   float32 -> bfloat16 (BF16RNE, integer rounding)
//	float32ToBFloat16BFCVT  float32 -> bfloat16 (BFCVTN, FEAT_BF16)
//	bfloat16ToFloat32NEON   bfloat16 -> float32 (zip with zeros)
//
// BF16RNE is in kernels_arm64.h: the dequantizers and the Q8_0 decoder
// to bfloat16 round with it too.

// func float32ToFloat16NEON(dst []uint16, src []float32)
// FCVTN rounds to nearest even, overflows to Inf, rounds subnormals
// correctly and turns a NaN into sign|0x7E00|mant>>13, as the reference.
//
// Registers:
//	R0  src            V0-V3   float32 values
//	R1  dst            V4-V5   binary16 results
//	R2  elements left
//	R3  scratch
TEXT ·float32ToFloat16NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	SUBS $16, R2
	BLT  four

loop16:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	FCVTN_4H(4, 0)
	FCVTN2_8H(4, 1)
	FCVTN_4H(5, 2)
	FCVTN2_8H(5, 3)
	VST1.P [V4.H8, V5.H8], 32(R1)
	SUBS   $16, R2
	BGE    loop16

four:
	ADD $16, R2
	CMP $4, R2
	BLT one

loop4:
	VLD1.P  16(R0), [V0.S4]
	FCVTN_4H(4, 0)
	FMOVD.P F4, 8(R1)
	SUB     $4, R2
	CMP     $4, R2
	BGE     loop4

one:
	CBZ R2, done

loop1:
	FMOVS.P 4(R0), F0
	FCVTN_4H(4, 0)
	VMOV    V4.H[0], R3
	MOVH.P  R3, 2(R1)
	SUBS    $1, R2
	BNE     loop1

done:
	RET

// func float16ToFloat32NEON(dst []float32, src []uint16)
// FCVTL is exact and quiets NaNs, keeping sign and payload.
//
// Registers:
//	R0  src            V0-V1   binary16 values
//	R1  dst            V2-V5   float32 results
//	R2  elements left
TEXT ·float16ToFloat32NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	SUBS $16, R2
	BLT  four

loop16:
	VLD1.P 32(R0), [V0.H8, V1.H8]
	FCVTL_4S(2, 0)
	FCVTL2_4S(3, 0)
	FCVTL_4S(4, 1)
	FCVTL2_4S(5, 1)
	VST1.P [V2.S4, V3.S4, V4.S4, V5.S4], 64(R1)
	SUBS   $16, R2
	BGE    loop16

four:
	ADD $16, R2
	CMP $4, R2
	BLT one

loop4:
	FMOVD.P 8(R0), F0
	FCVTL_4S(2, 0)
	VST1.P  [V2.S4], 16(R1)
	SUB     $4, R2
	CMP     $4, R2
	BGE     loop4

one:
	CBZ R2, done

loop1:
	VLD1R.P 2(R0), [V0.H8]
	FCVTL_4S(2, 0)
	FMOVS.P F2, 4(R1)
	SUBS    $1, R2
	BNE     loop1

done:
	RET

// func float32ToBFloat16NEON(dst []uint16, src []float32)
// Rounds in the integer domain (see BF16RNE), then UZP2 gathers the top
// halves of the lanes.
//
// Registers:
//	R0  src            V0-V3   float32 values
//	R1  dst            V4-V7   NaN masks (BF16RNE Vm)
//	R2  elements left  V8-V11  rounded (BF16RNE Vr)
//	R3  scratch        V12-V15 scratch (BF16RNE Vu)
//	                   V16-V17 bfloat16 results
//	                   V30     0x7FFF
//	                   V31     0x00400000
TEXT ·float32ToBFloat16NEON(SB), NOSPLIT, $0-48
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	MOVW  $0x7FFF, R3
	VDUP  R3, V30.S4
	MOVW  $0x00400000, R3
	VDUP  R3, V31.S4
	SUBS  $16, R2
	BLT   four

loop16:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	BF16RNE(0, V0, V4, V8, V12, 4, 8, 12)
	BF16RNE(1, V1, V5, V9, V13, 5, 9, 13)
	BF16RNE(2, V2, V6, V10, V14, 6, 10, 14)
	BF16RNE(3, V3, V7, V11, V15, 7, 11, 15)
	VUZP2  V9.H8, V8.H8, V16.H8
	VUZP2  V11.H8, V10.H8, V17.H8
	VST1.P [V16.H8, V17.H8], 32(R1)
	SUBS   $16, R2
	BGE    loop16

four:
	ADD $16, R2
	CMP $4, R2
	BLT one

loop4:
	VLD1.P  16(R0), [V0.S4]
	BF16RNE(0, V0, V4, V8, V12, 4, 8, 12)
	VUZP2   V8.H8, V8.H8, V16.H8
	FMOVD.P F16, 8(R1)
	SUB     $4, R2
	CMP     $4, R2
	BGE     loop4

one:
	CBZ R2, done

loop1:
	FMOVS.P 4(R0), F0
	BF16RNE(0, V0, V4, V8, V12, 4, 8, 12)
	VMOV    V8.H[1], R3
	MOVH.P  R3, 2(R1)
	SUBS    $1, R2
	BNE     loop1

done:
	RET

// func float32ToBFloat16BFCVT(dst []uint16, src []float32)
// BFCVTN (FEAT_BF16) rounds with FPCR.RMode (nearest even), keeps
// subnormals unless FPCR.FZ is set, and turns a NaN into its quiet form
// with the top payload bits: bits>>16|0x0040, as the reference.
//
// Registers:
//	R0  src            V0-V3   float32 values
//	R1  dst            V4-V5   bfloat16 results
//	R2  elements left
//	R3  scratch
TEXT ·float32ToBFloat16BFCVT(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	SUBS $16, R2
	BLT  four

loop16:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	BFCVTN_4H(4, 0)
	BFCVTN2_8H(4, 1)
	BFCVTN_4H(5, 2)
	BFCVTN2_8H(5, 3)
	VST1.P [V4.H8, V5.H8], 32(R1)
	SUBS   $16, R2
	BGE    loop16

four:
	ADD $16, R2
	CMP $4, R2
	BLT one

loop4:
	VLD1.P  16(R0), [V0.S4]
	BFCVTN_4H(4, 0)
	FMOVD.P F4, 8(R1)
	SUB     $4, R2
	CMP     $4, R2
	BGE     loop4

one:
	CBZ R2, done

loop1:
	FMOVS.P 4(R0), F0
	BFCVTN_4H(4, 0)
	VMOV    V4.H[0], R3
	MOVH.P  R3, 2(R1)
	SUBS    $1, R2
	BNE     loop1

done:
	RET

// func bfloat16ToFloat32NEON(dst []float32, src []uint16)
// Zipping with zeros puts each bfloat16 in the top half of a 32-bit lane.
//
// Registers:
//	R0  src            V0-V1   bfloat16 values
//	R1  dst            V2-V5   float32 results
//	R2  elements left  V31     all zeros
//	R3  scratch
TEXT ·bfloat16ToFloat32NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	VEOR V31.B16, V31.B16, V31.B16
	SUBS $16, R2
	BLT  four

loop16:
	VLD1.P 32(R0), [V0.H8, V1.H8]
	VZIP1  V0.H8, V31.H8, V2.H8
	VZIP2  V0.H8, V31.H8, V3.H8
	VZIP1  V1.H8, V31.H8, V4.H8
	VZIP2  V1.H8, V31.H8, V5.H8
	VST1.P [V2.S4, V3.S4, V4.S4, V5.S4], 64(R1)
	SUBS   $16, R2
	BGE    loop16

four:
	ADD $16, R2
	CMP $4, R2
	BLT one

loop4:
	FMOVD.P 8(R0), F0
	VZIP1   V0.H8, V31.H8, V2.H8
	VST1.P  [V2.S4], 16(R1)
	SUB     $4, R2
	CMP     $4, R2
	BGE     loop4

one:
	CBZ R2, done

loop1:
	MOVHU.P 2(R0), R3
	LSLW    $16, R3
	MOVW.P  R3, 4(R1)
	SUBS    $1, R2
	BNE     loop1

done:
	RET
