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
// The three narrowing kernels share one body, NARROWBODY, and the two
// widening ones another, WIDENBODY; both are SLICE (kernels_arm64.h) with
// the loads and stores of their formats around hooks that convert.
// BF16RNE is in kernels_arm64.h: the dequantizers and the Q8_0 decoder
// to bfloat16 round with it too, and the quantizers widen with WIDEN16_F16
// and WIDEN16_BF16.

// NARROWBODY is the body of a conversion from float32: 16 values of V0-V3
// per iteration, which NARROW16 rounds to the 16-bit lanes of Va and Vb,
// then 4 of V0 and one in the low lane of V0, which NARROW4 and NARROW1
// round to the low lanes of the vector whose low half is F4 and whose
// 16-bit lane is Vh (for NARROW1). It defines the labels of SLICE.
#define NARROWBODY(NARROW16, Va, Vb, NARROW4, F4, NARROW1, Vh) \
	SLICE($16, NARROWN(NARROW16, Va, Vb), $4, NARROWM(NARROW4, F4), NARROW1X(NARROW1, Vh))

#define NARROWN(NARROW16, Va, Vb)                      \
	LOAD16S                                      \
	NARROW16                                     \
	VST1.P [Va.H8, Vb.H8], 32(R1)

#define NARROWM(NARROW4, F4)    \
	LOAD4S                  \
	NARROW4                 \
	FMOVD.P F4, 8(R1)

#define NARROW1X(NARROW1, Vh) \
	LOAD1S                 \
	NARROW1                \
	VMOV    Vh, R3         \
	MOVH.P  R3, 2(R1)

// WIDENBODY is the body of a conversion to float32: 16 values of V0-V1
// per iteration, which WIDEN16 widens to V2-V5, then 4 of V0, which
// WIDEN4 widens to V2, then one at a time with ONE, which loads, widens
// and stores one value. It defines the labels of SLICE.
#define WIDENBODY(WIDEN16, WIDEN4, ONE) \
	SLICE($16, WIDENN(WIDEN16), $4, WIDENM(WIDEN4), ONE)

#define WIDENN(WIDEN16)                                \
	LOAD16W(WIDEN16)                             \
	VST1.P [V2.S4, V3.S4, V4.S4, V5.S4], 64(R1)

#define WIDENM(WIDEN4)          \
	LOAD4W(WIDEN4)          \
	VST1.P  [V2.S4], 16(R1)


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
	NARROWBODY(PAIRS(FCVTN_4H, FCVTN2_8H, 4, 5, 0, 1, 2, 3), V4, V5, FCVTN_4H(4, 0), F4, FCVTN_4H(4, 0), V4.H[0])
	RET

// ONE_F16 widens one binary16, loaded into every lane.
#define ONE_F16            \
	LOAD1W(WIDEN4_F16) \
	FMOVS.P F2, 4(R1)

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
	WIDENBODY(WIDEN16_F16, WIDEN4_F16, ONE_F16)
	RET

// float32ToBFloat16NEON rounds V0-V3 to V8-V11 (NaN masks in V4-V7,
// scratch in V12-V15), then UZP2 gathers their top halves into V16-V17;
// BF16NARROW4 rounds V0 alone, and BF16NARROW1 leaves the bfloat16 in
// lane 1 of V8.
#define BF16NARROW16                          \
	BF16RNE(0, V0, V4, V8, V12, 4, 8, 12)   \
	BF16RNE(1, V1, V5, V9, V13, 5, 9, 13)   \
	BF16RNE(2, V2, V6, V10, V14, 6, 10, 14) \
	BF16RNE(3, V3, V7, V11, V15, 7, 11, 15) \
	VUZP2 V9.H8, V8.H8, V16.H8              \
	VUZP2 V11.H8, V10.H8, V17.H8

#define BF16NARROW1 BF16RNE(0, V0, V4, V8, V12, 4, 8, 12)

#define BF16NARROW4 \
	BF16NARROW1    \
	VUZP2 V8.H8, V8.H8, V16.H8

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
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	BF16CONSTANTS
	NARROWBODY(BF16NARROW16, V16, V17, BF16NARROW4, F16, BF16NARROW1, V8.H[1])
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
	NARROWBODY(PAIRS(BFCVTN_4H, BFCVTN2_8H, 4, 5, 0, 1, 2, 3), V4, V5, BFCVTN_4H(4, 0), F4, BFCVTN_4H(4, 0), V4.H[0])
	RET

// ONE_BF16 widens one bfloat16 in a general register: bits<<16.
#define ONE_BF16          \
	MOVHU.P 2(R0), R3 \
	LSLW    $16, R3   \
	MOVW.P  R3, 4(R1)

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
	WIDENBODY(WIDEN16_BF16(V31), WIDEN4_BF16(V31), ONE_BF16)
	RET
