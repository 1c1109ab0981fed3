//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"
#include "kernels_arm64.h"

// dequantize_arm64.s: the per-slice dequantizers from int8 with a scale
// and a zero point.
//
//	dequantizeZeroPointNEON          []int8 -> []float32, divided by the scale
//	dequantizeZeroPointFloat16NEON   []int8 -> binary16, rounded by FCVTN
//	dequantizeZeroPointBFloat16NEON  []int8 -> bfloat16, rounded by BF16RNE
//	dequantizeAffineNEON             the interop ones (PyTorch, ONNX):
//	dequantizeAffineFloat16NEON      the same three, multiplied by the
//	dequantizeAffineBFloat16NEON     scale
//
// The six are one body, DEQUANTIZE, with hooks for the scaling (FDIV_4S
// or FMUL_4S) and the format of the results. BF16RNE and BF16CONSTANTS
// are in kernels_arm64.h.

// DEQUANTIZE is the body of a dequantizer: SLICE (kernels_arm64.h) with
// 16, then 4 values per iteration, then one. Each sign-extends the int8
// values twice to int32 (V3-V6), subtracts the zero point in Vz (exact),
// converts with SCVTF (round to nearest even), then applies OP with the
// scale in register s (a number): a true FDIV (FDIV_4S) for the library's
// own dequantizers, an FMUL (FMUL_4S) for the interop ones, each a
// float32 operation rounded once; OUT16, OUT4 and OUT1 store
// the 16, 4 or 1 float32 results of V3-V6 (rounding them first for a
// 16-bit format). One value at a time, MOVB sign-extends it to R3, and
// DQONE takes V3 from there. It defines the labels of SLICE.
#define DEQUANTIZE(Vz, OP, s, OUT16, OUT4, OUT1) \
	SLICE($16, DQSTEP16(Vz, OP, s, OUT16), $4, DQSTEP4(Vz, OP, s, OUT4), DQSTEP1(Vz, OP, s, OUT1))

#define DQSTEP16(Vz, OP, s, OUT16)                   \
	VLD1.P 16(R0), [V0.B16]                     \
	SPLIT(SXTL_8H, SXTL2_8H, 1, 2, 0)           \
	SPLITS(SXTL_4S, SXTL2_4S, 3, 4, 5, 6, 1, 2) \
	VSUB   Vz.S4, V3.S4, V3.S4                  \
	VSUB   Vz.S4, V4.S4, V4.S4                  \
	VSUB   Vz.S4, V5.S4, V5.S4                  \
	VSUB   Vz.S4, V6.S4, V6.S4                  \
	UNOP4(SCVTF_4S, 3, 4, 5, 6)                 \
	BINOP4(OP, 3, 4, 5, 6, s)                   \
	OUT16

#define DQSTEP4(Vz, OP, s, OUT4)    \
	FMOVS.P 4(R0), F0           \
	SXTL_8H(1, 0)               \
	SXTL_4S(3, 1)               \
	DQONE(Vz, OP, s)            \
	OUT4

#define DQSTEP1(Vz, OP, s, OUT1)            \
	MOVB.P 1(R0), R3                    \
	VDUP   R3, V3.S4                    \
	DQONE(Vz, OP, s)                    \
	OUT1

#define DQONE(Vz, OP, s)           \
	VSUB   Vz.S4, V3.S4, V3.S4 \
	SCVTF_4S(3, 3)             \
	OP(3, 3, s)

#define OUT16_F32 VST1.P [V3.S4, V4.S4, V5.S4, V6.S4], 64(R1)

#define OUT4_F32 VST1.P [V3.S4], 16(R1)

#define OUT1_F32 FMOVS.P F3, 4(R1)


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
	DEQUANTIZE(V30, FDIV_4S, 31, OUT16_F32, OUT4_F32, OUT1_F32)
	RET

// Dequantization to 16-bit floats: the float32 kernel's sequence (with
// the scale in V28 and the zero point in V29), then the rounding of
// float32ToFloat16NEON (FCVTN) or float32ToBFloat16NEON (BF16RNE, with its
// constants in V30 and V31). NARROW16_F16 and NARROW16_BF16 round the 16
// float32 values of V3-V6 to the 16-bit lanes of V7-V8; NARROW4_F16 and
// NARROW4_BF16 those of V3 to the low four lanes of V7. OUT16, OUT4 and
// OUT1 store them.
#define NARROW16_F16 PAIRS(FCVTN_4H, FCVTN2_8H, 7, 8, 3, 4, 5, 6)

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

#define OUT16(NARROW16)                \
	NARROW16                       \
	VST1.P [V7.H8, V8.H8], 32(R1)

#define OUT4(NARROW4)      \
	NARROW4            \
	FMOVD.P F7, 8(R1)

#define OUT1(NARROW4)           \
	NARROW4                 \
	VST1.P V7.H[0], 2(R1)

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
	DEQUANTIZE(V29, FDIV_4S, 28, OUT16(NARROW16_F16), OUT4(NARROW4_F16), OUT1(NARROW4_F16))
	RET

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
	DEQUANTIZE(V29, FDIV_4S, 28, OUT16(NARROW16_BF16), OUT4(NARROW4_BF16), OUT1(NARROW4_BF16))
	RET

// The interop dequantizers (kernels.Set.DequantizeAffine and its Format16
// namesakes) are the three above with FMUL_4S for FDIV_4S: the exact
// int32 difference, SCVTF (round to nearest even), then the float32
// product, rounded once and, for the 16-bit formats, rounded again as
// Float32ToFloat16 or Float32ToBFloat16 does.

// func dequantizeAffineNEON(dst []float32, src []int8, scale float32, zero int32)
//
// Registers: those of dequantizeZeroPointNEON.
TEXT ·dequantizeAffineNEON(SB), NOSPLIT, $0-56
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	MOVW  zero+52(FP), R3
	VDUP  R3, V30.S4
	DEQUANTIZE(V30, FMUL_4S, 31, OUT16_F32, OUT4_F32, OUT1_F32)
	RET

// func dequantizeAffineFloat16NEON(dst []uint16, src []int8, scale float32, zero int32)
//
// Registers: those of dequantizeZeroPointFloat16NEON.
TEXT ·dequantizeAffineFloat16NEON(SB), NOSPLIT, $0-56
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F28
	VDUP  V28.S[0], V28.S4
	MOVW  zero+52(FP), R3
	VDUP  R3, V29.S4
	DEQUANTIZE(V29, FMUL_4S, 28, OUT16(NARROW16_F16), OUT4(NARROW4_F16), OUT1(NARROW4_F16))
	RET

// func dequantizeAffineBFloat16NEON(dst []uint16, src []int8, scale float32, zero int32)
//
// Registers: those of dequantizeZeroPointBFloat16NEON.
TEXT ·dequantizeAffineBFloat16NEON(SB), NOSPLIT, $0-56
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F28
	VDUP  V28.S[0], V28.S4
	MOVW  zero+52(FP), R3
	VDUP  R3, V29.S4
	BF16CONSTANTS
	DEQUANTIZE(V29, FMUL_4S, 28, OUT16(NARROW16_BF16), OUT4(NARROW4_BF16), OUT1(NARROW4_BF16))
	RET
