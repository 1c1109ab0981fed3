//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"
#include "kernels_arm64.h"

// gguf_arm64.s: llama.cpp's GGUF block formats, encoded from and decoded
// to float32 and the 16-bit floats: Q8_0 (blocks of 32: a binary16 scale
// d, then 32 int8 quants), Q4_0 and Q4_1 (below, after Q8_0). The encoders
// share one body (ENCODEBODY) and the decoders another (DECODE).
//
//	encodeQ8_0NEON          []float32 -> Q8_0
//	encodeQ8_0Float16NEON   binary16 -> Q8_0
//	encodeQ8_0BFloat16NEON  bfloat16 -> Q8_0
//	decodeQ8_0NEON          Q8_0 -> []float32
//	decodeQ8_0Float16NEON   Q8_0 -> binary16, rounded by FCVTN
//	decodeQ8_0BFloat16NEON  Q8_0 -> bfloat16, rounded by BF16RNE
//
// BF16RNE and BF16CONSTANTS are in kernels_arm64.h.

// Q8_0 encoding, four blocks per iteration so that the divisions run on
// vectors: a first pass takes each block's abs max, a pass of pairwise
// maxima (UMAXP) gathers the four maxima in the lanes of V16, Q8SCALES
// computes the four d and id, and a second pass reads the blocks again
// through R4 to quantize and store them. One block per iteration for the
// remaining 0 to 3 blocks, with UMAXV.
//
// Registers: V16-V19 block maxima, V20 the four d (binary16 bits), V21
// the four id, V22 and V23 scratch; V28 = 1.0, V29 = 127.0 (float32
// lanes), V30 = -127 (bytes), V31 the abs mask; V27 zero for bfloat16.

// RECIPROCALS sets id = 1/FCVTL(d) in V21 for the four binary16 d in the
// low half of Vd (a number), or 0 where d is 0 (where 1/d is infinite),
// with 1.0 in V28: V22 is all ones where V21's bits share one with the
// mask Vm (V21 itself where d >= +0, V31's abs mask where d may be -0:
// 0x7FFFFFFF, or 0x7FFF7FFF, which keeps every exponent bit of a widened
// binary16).
#define RECIPROCALS(d, Vm)                  \
	FCVTL_4S(21, d)                     \
	VCMTST Vm.S4, V21.S4, V22.S4        \
	FDIV_4S(21, 28, 21)                 \
	VAND   V22.B16, V21.B16, V21.B16

// SCALES turns the float32 lanes of V16 into d = FCVTN(x/V29) in the low
// halves of V20 and their id in V21 (RECIPROCALS, with the mask Vm): true
// divisions, rounded to nearest even as the reference's float32 division
// and ToFloat16. Q8SCALES divides the abs maxima by 127; Q4_0 the
// extremes by -8, where d may be -0.
#define SCALES(Vm)           \
	FDIV_4S(20, 16, 29) \
	FCVTN_4H(20, 20)    \
	RECIPROCALS(20, Vm)

#define Q8SCALES SCALES(V21)

// GGUFQUANT rounds the 32 float32 values of V4-V11 times id from lane
// `lane` of V21 to int8 in V0 (values 0-15) and V1 (16-31), as
// quantizeAbsmaxNEON before its clamp: FCVTNS rounds to nearest even and
// saturates, each SQXTN saturates again.
#define GGUFQUANT(lane)                                   \
	VDUP V21.S[lane], V23.S4                             \
	BINOP4(FMUL_4S, 4, 5, 6, 7, 23)                      \
	BINOP4(FMUL_4S, 8, 9, 10, 11, 23)                    \
	UNOP4(FCVTNS_4S, 4, 5, 6, 7)                         \
	UNOP4(FCVTNS_4S, 8, 9, 10, 11)                       \
	PAIRS(SQXTN_4H, SQXTN2_8H, 12, 13, 4, 5, 6, 7)       \
	PAIRS(SQXTN_4H, SQXTN2_8H, 14, 15, 8, 9, 10, 11)     \
	PAIRS(SQXTN_8B, SQXTN2_16B, 0, 1, 12, 13, 14, 15)

// Q8BLOCK quantizes the 32 float32 values of V4-V11 with id from lane
// `lane` of V21, as quantizeAbsmaxNEON, and stores the block: d from lane
// `lane` of V20, then the 32 quants.
#define Q8BLOCK(lane)                   \
	GGUFQUANT(lane)                    \
	SMAX_16B(0, 0, 30)                 \
	SMAX_16B(1, 1, 30)                 \
	VST1.P V20.H[lane], 2(R1)          \
	VST1.P [V0.B16, V1.B16], 32(R1)

// GGUFCONSTANTS sets V28 = 1.0 and V29 = the float32 of bits DIV, the
// divisor of SCALES; Q8CONSTANTS sets them for Q8_0 (127.0) and V30.
#define GGUFCONSTANTS(DIV) \
	MOVW $0x3F800000, R3  \
	VDUP R3, V28.S4       \
	MOVW DIV, R3          \
	VDUP R3, V29.S4

#define Q8CONSTANTS                 \
	GGUFCONSTANTS($0x42FE0000)  \
	VMOVI $0x81, V30.B16

// ENCODEBODY is the body of an encoder: R0 walks src, R4 walks it again,
// R1 walks dst, R2 counts the source elements left. MAX(Vm) takes what
// the parameters of a block come from (advancing R0) into Vm: Q8_0's abs
// max, Q4_0's extreme, Q4_1's minimum and maximum; GATHER4 gathers those
// of V16-V19 and GATHER1 that of V16 into the float32 lanes of V16 (and
// V17); PARAMS computes the blocks' parameters from them; LOAD reads a
// block at R4 (advancing it) into the float32 lanes of V4-V11, and
// BLOCK(lane) quantizes and stores it with the parameters of lane `lane`.
// It branches only to labels of its own (loop4, single, loop1, done),
// which the TEXT that uses it must not define, and ends with the kernel's
// RET.
#define ENCODEBODY(MAX, GATHER4, GATHER1, PARAMS, LOAD, BLOCK) \
	SUBS $128, R2                        \
	BLT  single                          \
loop4:                                   \
	MOVD R0, R4                          \
	MAX(V16)                             \
	MAX(V17)                             \
	MAX(V18)                             \
	MAX(V19)                             \
	GATHER4                              \
	PARAMS                               \
	LOAD                                 \
	BLOCK(0)                             \
	LOAD                                 \
	BLOCK(1)                             \
	LOAD                                 \
	BLOCK(2)                             \
	LOAD                                 \
	BLOCK(3)                             \
	SUBS $128, R2                        \
	BGE  loop4                           \
single:                                  \
	ADD $128, R2                         \
	CMP $32, R2                          \
	BLT done                             \
loop1:                                   \
	MOVD R0, R4                          \
	MAX(V16)                             \
	GATHER1                              \
	PARAMS                               \
	LOAD                                 \
	BLOCK(0)                             \
	SUB $32, R2                          \
	CMP $32, R2                          \
	BGE loop1                            \
done:                                    \
	RET

// MAX32 and friends serve float32 sources: abs max as bits (src is
// finite), V31 = 0x7FFFFFFF.
#define MAX32(Vm) ABSTREE8(S4, Vm)

#define GATHER4_32        \
	UMAXP_4S(16, 16, 17) \
	UMAXP_4S(18, 18, 19) \
	UMAXP_4S(16, 16, 18)

#define GATHER1_32 UMAXV_4S(16, 16)

#define LOAD32                                      \
	VLD1.P 64(R4), [V4.S4, V5.S4, V6.S4, V7.S4]   \
	VLD1.P 64(R4), [V8.S4, V9.S4, V10.S4, V11.S4]

// func encodeQ8_0NEON(dst []byte, src []float32)
//
// Registers:
//	R0  src (the maxima)        V0-V7   MAX32; V0-V1 quants
//	R1  dst                     V4-V11  a block (LOAD32)
//	R2  elements left           V12-V15 int16 (Q8BLOCK)
//	R3  scratch                 V16-V30 as in "Q8_0 encoding" above
//	R4  src again (the quants)  V31     0x7FFFFFFF
TEXT ·encodeQ8_0NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	MOVW $0x7FFFFFFF, R3
	VDUP R3, V31.S4
	Q8CONSTANTS
	ENCODEBODY(MAX32, GATHER4_32, GATHER1_32, Q8SCALES, LOAD32, Q8BLOCK)

// The 16-bit sources take the abs max on the bits (both formats order
// like their bits; V31 = 0x7FFF in each 16-bit lane) and widen only the
// maxima. GATHER4_16 leaves the four maxima in the low four 16-bit lanes
// of V16 before widening them.
#define MAX16(Vm) ABSTREE4(H8, Vm)

#define GATHER4_16        \
	UMAXP_8H(16, 16, 17) \
	UMAXP_8H(18, 18, 19) \
	UMAXP_8H(16, 16, 18) \
	UMAXP_8H(16, 16, 16)

#define GATHER4_F16 \
	GATHER4_16     \
	FCVTL_4S(16, 16)

#define GATHER1_F16     \
	UMAXV_8H(16, 16)   \
	FCVTL_4S(16, 16)

#define GATHER4_BF16 \
	GATHER4_16      \
	VZIP1 V16.H8, V27.H8, V16.H8

#define GATHER1_BF16     \
	UMAXV_8H(16, 16)    \
	VZIP1 V16.H8, V27.H8, V16.H8

#define LOAD_F16                                    \
	VLD1.P 64(R4), [V0.H8, V1.H8, V2.H8, V3.H8] \
	SPLITS(FCVTL_4S, FCVTL2_4S, 4, 5, 6, 7, 0, 1) \
	SPLITS(FCVTL_4S, FCVTL2_4S, 8, 9, 10, 11, 2, 3)

#define LOAD_BF16                                   \
	VLD1.P 64(R4), [V0.H8, V1.H8, V2.H8, V3.H8] \
	BF16SPLIT(V27, V4, V5, V0)                   \
	BF16SPLIT(V27, V6, V7, V1)                   \
	BF16SPLIT(V27, V8, V9, V2)                   \
	BF16SPLIT(V27, V10, V11, V3)

// func encodeQ8_0Float16NEON(dst []byte, src []uint16)
//
// Registers:
//	R0  src (the maxima)        V0-V3   MAX16, LOAD_F16; V0-V1 quants
//	R1  dst                     V4-V11  a block (LOAD_F16)
//	R2  elements left           V12-V15 int16 (Q8BLOCK)
//	R3  scratch                 V16-V30 as in "Q8_0 encoding" above
//	R4  src again (the quants)  V31     0x7FFF per lane
TEXT ·encodeQ8_0Float16NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	MOVW $0x7FFF, R3
	VDUP R3, V31.H8
	Q8CONSTANTS
	ENCODEBODY(MAX16, GATHER4_F16, GATHER1_F16, Q8SCALES, LOAD_F16, Q8BLOCK)

// func encodeQ8_0BFloat16NEON(dst []byte, src []uint16)
//
// Registers:
//	R0  src (the maxima)        V0-V3   MAX16, LOAD_BF16; V0-V1 quants
//	R1  dst                     V4-V11  a block (LOAD_BF16)
//	R2  elements left           V12-V15 int16 (Q8BLOCK)
//	R3  scratch                 V16-V30 as in "Q8_0 encoding" above
//	R4  src again (the quants)  V31     0x7FFF per lane
TEXT ·encodeQ8_0BFloat16NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	MOVW $0x7FFF, R3
	VDUP R3, V31.H8
	VEOR V27.B16, V27.B16, V27.B16
	Q8CONSTANTS
	ENCODEBODY(MAX16, GATHER4_BF16, GATHER1_BF16, Q8SCALES, LOAD_BF16, Q8BLOCK)

// GGUFVALUES leaves in the float32 lanes of V16-V23 the 32 values of a
// block whose binary16 d is in every lane of V0 and whose 32 int8 quants
// are in V1 (values 0-15) and V2 (16-31): d widened by FCVTL, the quants
// sign-extended twice and converted exactly by SCVTF, then FMUL (exact: an
// 8-bit integer times a binary16 value fits in float32). Q8DECODE reads a
// Q8_0 block at R0 (advancing it) into V0-V2 and decodes it.
#define GGUFVALUES                                    \
	FCVTL_4S(0, 0)                                   \
	SPLITS(SXTL_8H, SXTL2_8H, 3, 4, 5, 6, 1, 2)      \
	SPLITS(SXTL_4S, SXTL2_4S, 16, 17, 18, 19, 3, 4)  \
	SPLITS(SXTL_4S, SXTL2_4S, 20, 21, 22, 23, 5, 6)  \
	UNOP4(SCVTF_4S, 16, 17, 18, 19)                  \
	UNOP4(SCVTF_4S, 20, 21, 22, 23)                  \
	BINOP4(FMUL_4S, 16, 17, 18, 19, 0)               \
	BINOP4(FMUL_4S, 20, 21, 22, 23, 0)

#define Q8DECODE                         \
	VLD1R.P 2(R0), [V0.H8]              \
	VLD1.P  32(R0), [V1.B16, V2.B16]    \
	GGUFVALUES

// DECODE is the body of a decoder: one block of SIZE source bytes ($34,
// $18, $20) per iteration (R2 counts the bytes left, biased by minus one
// block), which VALUES (Q8DECODE, ...) decodes to V16-V23 and OUT stores
// (rounding the values first for a 16-bit format). It branches only to
// labels of its own (loop, done), which the TEXT that uses it must not
// define; done is its last line, where the TEXT goes on with its RET.
#define DECODE(SIZE, VALUES, OUT) \
	SUBS SIZE, R2             \
	BLT  done                 \
loop:                         \
	VALUES                    \
	OUT                       \
	SUBS SIZE, R2             \
	BGE  loop                 \
done:

#define OUT_F32                                          \
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R1) \
	VST1.P [V20.S4, V21.S4, V22.S4, V23.S4], 64(R1)

// func decodeQ8_0NEON(dst []float32, src []byte)
//
// Registers:
//	R0  src                V0      d
//	R1  dst                V1-V2   quants
//	R2  source bytes left  V3-V6   int16
//	                       V16-V23 float32 values
TEXT ·decodeQ8_0NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	DECODE($34, Q8DECODE, OUT_F32)
	RET

// Decoding to 16-bit floats: Q8DECODE, then the rounding of
// float32ToFloat16NEON (FCVTN) or float32ToBFloat16NEON (BF16RNE, with
// its constants in V30 and V31), as the dequantizers to 16-bit floats,
// to V24-V27.
#define OUT_F16                                            \
	PAIRS(FCVTN_4H, FCVTN2_8H, 24, 25, 16, 17, 18, 19) \
	PAIRS(FCVTN_4H, FCVTN2_8H, 26, 27, 20, 21, 22, 23) \
	VST1.P [V24.H8, V25.H8, V26.H8, V27.H8], 64(R1)

#define OUT_BF16                                        \
	BF16RNE(16, V16, V1, V8, V3, 1, 8, 3)          \
	BF16RNE(17, V17, V2, V9, V4, 2, 9, 4)          \
	BF16RNE(18, V18, V1, V10, V3, 1, 10, 3)        \
	BF16RNE(19, V19, V2, V11, V4, 2, 11, 4)        \
	BF16RNE(20, V20, V1, V12, V3, 1, 12, 3)        \
	BF16RNE(21, V21, V2, V13, V4, 2, 13, 4)        \
	BF16RNE(22, V22, V1, V14, V3, 1, 14, 3)        \
	BF16RNE(23, V23, V2, V15, V4, 2, 15, 4)        \
	VUZP2  V9.H8, V8.H8, V24.H8                    \
	VUZP2  V11.H8, V10.H8, V25.H8                  \
	VUZP2  V13.H8, V12.H8, V26.H8                  \
	VUZP2  V15.H8, V14.H8, V27.H8                  \
	VST1.P [V24.H8, V25.H8, V26.H8, V27.H8], 64(R1)

// func decodeQ8_0Float16NEON(dst []uint16, src []byte)
//
// Registers:
//	R0  src                V0      d
//	R1  dst                V1-V2   quants
//	R2  source bytes left  V3-V6   int16
//	                       V16-V23 float32 values
//	                       V24-V27 binary16 results
TEXT ·decodeQ8_0Float16NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	DECODE($34, Q8DECODE, OUT_F16)
	RET

// func decodeQ8_0BFloat16NEON(dst []uint16, src []byte)
//
// Registers:
//	R0  src                V0      d
//	R1  dst                V1-V2   quants, then NaN masks (BF16RNE Vm)
//	R2  source bytes left  V3-V6   int16; V3-V4 then BF16RNE Vu
//	R3  scratch            V8-V15  rounded (BF16RNE Vr)
//	                       V16-V23 float32 values
//	                       V24-V27 bfloat16 results
//	                       V30     0x7FFF
//	                       V31     0x00400000
TEXT ·decodeQ8_0BFloat16NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	BF16CONSTANTS
	DECODE($34, Q8DECODE, OUT_BF16)
	RET

// Q4_0 and Q4_1 (blocks of 32: binary16 parameters, then 16 bytes whose
// byte j holds the quant of value j in its low nibble and that of value
// j+16 in its high one), on ENCODEBODY and DECODE as Q8_0:
//
//	encodeQ4_0NEON, encodeQ4_0Float16NEON, encodeQ4_0BFloat16NEON
//	encodeQ4_1NEON, encodeQ4_1Float16NEON, encodeQ4_1BFloat16NEON
//	decodeQ4_0NEON, decodeQ4_0Float16NEON, decodeQ4_0BFloat16NEON
//	decodeQ4_1NEON, decodeQ4_1Float16NEON, decodeQ4_1BFloat16NEON
//
// Both encoders need a block's first value with a property: Q4_0's
// extreme is the first value of largest magnitude (its sign is d's), and
// Q4_1's minimum the first value equal to it (a zero minimum keeps the
// sign of its first zero, where FMIN orders -0 below +0). FIRSTOF finds
// it: the value's comparison masks, narrowed to the 32 bytes of V0-V1,
// keep the weight 32 - i of value i (V24-V25), the largest weight left
// is the first index, and the value is loaded from src.
//
// Registers of the encoders, beyond Q8_0's: V24-V25 the weights, V26 15
// and V27 0 in every byte (and bfloat16's zeros), V29 the divisor of
// SCALES (-8.0, or 15.0), V30 8 in every byte (Q4_0's offset) or the four
// FromFloat16(m) (Q4_1); R5-R6 scratch.

// Q4CONSTANTS sets the registers above, and V28 and V29 as GGUFCONSTANTS.
#define Q4CONSTANTS(DIV)                 \
	GGUFCONSTANTS(DIV)                  \
	MOVD  $0x191A1B1C1D1E1F20, R3       \
	VMOV  R3, V24.D[0]                  \
	MOVD  $0x1112131415161718, R3       \
	VMOV  R3, V24.D[1]                  \
	MOVD  $0x090A0B0C0D0E0F10, R3       \
	VMOV  R3, V25.D[0]                  \
	MOVD  $0x0102030405060708, R3       \
	VMOV  R3, V25.D[1]                  \
	VMOVI $15, V26.B16                  \
	VEOR  V27.B16, V27.B16, V27.B16     \
	VMOVI $8, V30.B16

// FIRSTOF loads into R5 the first value of the block that ends at R0
// whose byte of V0-V1 is all ones (one must be), with MOV (MOVWU, MOVHU)
// at R0 - (32 - i) << SHIFT (2, 1). MASKS32 narrows the masks of the
// eight vectors of float32 lanes V0-V7 to those bytes; MASKS16 those of
// the four vectors of 16-bit lanes V0-V3.
#define FIRSTOF(SHIFT, MOV)                \
	VAND     V24.B16, V0.B16, V0.B16      \
	VAND     V25.B16, V1.B16, V1.B16      \
	VUMAX    V1.B16, V0.B16, V0.B16       \
	UMAXV_16B(0, 0)                       \
	VMOV     V0.B[0], R5                  \
	SUB      R5<<SHIFT, R0, R5            \
	MOV      (R5), R5

#define MASKS32                                       \
	PAIRS(SQXTN_4H, SQXTN2_8H, 0, 2, 0, 1, 2, 3) \
	PAIRS(SQXTN_4H, SQXTN2_8H, 4, 6, 4, 5, 6, 7) \
	PAIRS(SQXTN_8B, SQXTN2_16B, 0, 1, 0, 2, 4, 6)

#define MASKS16 PAIRS(SQXTN_8B, SQXTN2_16B, 0, 1, 0, 1, 2, 3)

// EXTREME32(Vm) and EXTREME16(Vm) are Q4_0's MAX: the block's extreme e
// (its bits) in every lane of Vm, S4 or H8, which the Q8_0 GATHERs gather
// (the pairwise maxima of equal lanes) and widen. The abs max tree
// (ABSTREE8, ABSTREE4) leaves a in every lane of V8 (UMAXP), the block is
// loaded again (LOADABS8, LOADABS4) to find the first |x| = a, and
// NONZERO makes e +0 where a is 0 (every value a zero, the first maybe
// -0), so that d is -0 as in the reference.
#define NONZERO                 \
	VMOV  V8.S[0], R6          \
	CMPW  $0, R6               \
	CSELW EQ, ZR, R5, R5

#define EXTREME32(Vm)                    \
	MOVD  R0, R6                        \
	ABSTREE8(S4, V8)                    \
	UMAXP_4S(8, 8, 8)                   \
	UMAXP_4S(8, 8, 8)                   \
	MOVD  R6, R0                        \
	LOADABS8(S4)                        \
	VCMEQ V8.S4, V0.S4, V0.S4           \
	VCMEQ V8.S4, V1.S4, V1.S4           \
	VCMEQ V8.S4, V2.S4, V2.S4           \
	VCMEQ V8.S4, V3.S4, V3.S4           \
	VCMEQ V8.S4, V4.S4, V4.S4           \
	VCMEQ V8.S4, V5.S4, V5.S4           \
	VCMEQ V8.S4, V6.S4, V6.S4           \
	VCMEQ V8.S4, V7.S4, V7.S4           \
	MASKS32                             \
	FIRSTOF(2, MOVWU)                   \
	NONZERO                             \
	VDUP  R5, Vm.S4

#define EXTREME16(Vm)                    \
	MOVD  R0, R6                        \
	ABSTREE4(H8, V8)                    \
	UMAXP_8H(8, 8, 8)                   \
	UMAXP_8H(8, 8, 8)                   \
	UMAXP_8H(8, 8, 8)                   \
	MOVD  R6, R0                        \
	LOADABS4(H8)                        \
	VCMEQ V8.H8, V0.H8, V0.H8           \
	VCMEQ V8.H8, V1.H8, V1.H8           \
	VCMEQ V8.H8, V2.H8, V2.H8           \
	VCMEQ V8.H8, V3.H8, V3.H8           \
	MASKS16                             \
	FIRSTOF(1, MOVHU)                   \
	NONZERO                             \
	VDUP  R5, Vm.H8

// Q4NIBBLES clamps the int8 quants of V0-V1 to [0, 15] (SMAX with V27's
// zeros, then UMIN with V26's 15) and packs them: V0 = V0 | V1<<4.
#define Q4NIBBLES                          \
	SMAX_16B(0, 0, 27)                    \
	SMAX_16B(1, 1, 27)                    \
	VUMIN V26.B16, V0.B16, V0.B16         \
	VUMIN V26.B16, V1.B16, V1.B16         \
	VSHL  $4, V1.B16, V1.B16              \
	VORR  V1.B16, V0.B16, V0.B16

// Q4_0BLOCK quantizes V4-V11 with the id of lane `lane` (GGUFQUANT),
// adds 8 to the rounded values (exact: |x*id| stays below 16, as d is e/-8
// rounded, so no byte wraps), clamps and packs them, and stores d and the
// 16 bytes.
#define Q4_0BLOCK(lane)                    \
	GGUFQUANT(lane)                       \
	VADD   V30.B16, V0.B16, V0.B16        \
	VADD   V30.B16, V1.B16, V1.B16        \
	Q4NIBBLES                             \
	VST1.P V20.H[lane], 2(R1)             \
	VST1.P [V0.B16], 16(R1)

// Q4_0SCALES divides the extremes by -8 (V29); d may be -0 (e = +0, or
// |e|/8 below binary16's least half subnormal), so V31 is the mask.
#define Q4_0SCALES SCALES(V31)

// func encodeQ4_0NEON(dst []byte, src []float32)
//
// Registers:
//	R0  src (the extremes)      V0-V15  EXTREME32; V0-V1 quants
//	R1  dst                     V4-V11  a block (LOAD32)
//	R2  elements left           V12-V15 int16 (GGUFQUANT)
//	R3  scratch                 V16-V30 as in "Q8_0 encoding" and
//	R4  src again (the quants)          "Q4_0 and Q4_1" above
//	R5-R6 scratch (FIRSTOF)     V31     0x7FFFFFFF
TEXT ·encodeQ4_0NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	MOVW $0x7FFFFFFF, R3
	VDUP R3, V31.S4
	Q4CONSTANTS($0xC1000000)
	ENCODEBODY(EXTREME32, GATHER4_32, GATHER1_32, Q4_0SCALES, LOAD32, Q4_0BLOCK)

// func encodeQ4_0Float16NEON(dst []byte, src []uint16)
//
// Registers as encodeQ4_0NEON's, with EXTREME16 (V0-V3, V8-V11) and
// LOAD_F16 (V0-V3), and V31 = 0x7FFF per lane.
TEXT ·encodeQ4_0Float16NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	MOVW $0x7FFF, R3
	VDUP R3, V31.H8
	Q4CONSTANTS($0xC1000000)
	ENCODEBODY(EXTREME16, GATHER4_F16, GATHER1_F16, Q4_0SCALES, LOAD_F16, Q4_0BLOCK)

// func encodeQ4_0BFloat16NEON(dst []byte, src []uint16)
//
// Registers as encodeQ4_0Float16NEON's, with LOAD_BF16.
TEXT ·encodeQ4_0BFloat16NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	MOVW $0x7FFF, R3
	VDUP R3, V31.H8
	Q4CONSTANTS($0xC1000000)
	ENCODEBODY(EXTREME16, GATHER4_BF16, GATHER1_BF16, Q4_0SCALES, LOAD_BF16, Q4_0BLOCK)

// MINMAX(LOADX, SHIFT, MOV, WIDEN1, Vm) is Q4_1's MAX: LOADX reads the
// block at R0 (advancing it) into the float32 lanes of V0-V7; trees of
// FMIN and FMAX and FMINV and FMAXV find min and max (no NaN comes in);
// FIRSTOF loads the first value equal to min (FCMEQ: -0 == +0) and
// WIDEN1 puts its float32 in lane 0 of V8; Vm gets min in lane 0 and
// max in lane 1. The sign of a zero maximum changes nothing: max - min
// is +0 whenever both are zeros.
#define FTREE8(OP, s, t, u, v) \
	OP(s, 0, 1)           \
	OP(t, 2, 3)           \
	OP(u, 4, 5)           \
	OP(v, 6, 7)           \
	OP(s, s, t)           \
	OP(u, u, v)           \
	OP(s, s, u)

#define MINMAX(LOADX, SHIFT, MOV, WIDEN1, Vm)  \
	LOADX                                     \
	FTREE8(FMIN_4S, 8, 9, 10, 11)             \
	FTREE8(FMAX_4S, 12, 13, 14, 15)           \
	FMINV_4S(8, 8)                            \
	FMAXV_4S(12, 12)                          \
	VDUP  V8.S[0], V8.S4                      \
	BINOP4(FCMEQ_4S, 0, 1, 2, 3, 8)           \
	BINOP4(FCMEQ_4S, 4, 5, 6, 7, 8)           \
	MASKS32                                   \
	FIRSTOF(SHIFT, MOV)                       \
	WIDEN1                                    \
	VZIP1 V12.S4, V8.S4, Vm.S4

#define LOADX32                                     \
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4] \
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]

#define LOADX_F16                                         \
	VLD1.P 64(R0), [V8.H8, V9.H8, V10.H8, V11.H8]     \
	SPLITS(FCVTL_4S, FCVTL2_4S, 0, 1, 2, 3, 8, 9)     \
	SPLITS(FCVTL_4S, FCVTL2_4S, 4, 5, 6, 7, 10, 11)

#define LOADX_BF16                                        \
	VLD1.P 64(R0), [V8.H8, V9.H8, V10.H8, V11.H8]     \
	BF16SPLIT(V27, V0, V1, V8)                        \
	BF16SPLIT(V27, V2, V3, V9)                        \
	BF16SPLIT(V27, V4, V5, V10)                       \
	BF16SPLIT(V27, V6, V7, V11)

#define WIDEN1_32 VMOV R5, V8.S[0]

#define WIDEN1_F16        \
	VMOV R5, V8.H[0] \
	FCVTL_4S(8, 8)

#define WIDEN1_BF16       \
	LSLW $16, R5     \
	VMOV R5, V8.S[0]

#define MINMAX32(Vm) MINMAX(LOADX32, 2, MOVWU, WIDEN1_32, Vm)
#define MINMAX_F16(Vm) MINMAX(LOADX_F16, 1, MOVHU, WIDEN1_F16, Vm)
#define MINMAX_BF16(Vm) MINMAX(LOADX_BF16, 1, MOVHU, WIDEN1_BF16, Vm)

// GATHER4_MINMAX gathers the minima of V16-V19 into V16 and their maxima
// into V17; GATHER1_MINMAX the maximum of V16 into V17.
#define GATHER4_MINMAX                  \
	VZIP1 V17.S4, V16.S4, V16.S4   \
	VZIP1 V19.S4, V18.S4, V18.S4   \
	VZIP2 V18.D2, V16.D2, V17.D2   \
	VZIP1 V18.D2, V16.D2, V16.D2

#define GATHER1_MINMAX VDUP V16.S[1], V17.S4

// Q4_1SCALES computes d = FCVTN((max - min)/15) (V29 = 15.0) and
// m = FCVTN(min), interleaves them in V20 (d and m of block i in 32-bit
// lane i, as they are stored), sets V30 to FCVTL(m) and V21 to id (d >= +0).
#define Q4_1SCALES                     \
	FSUB_4S(22, 17, 16)           \
	FDIV_4S(22, 22, 29)           \
	FCVTN_4H(22, 22)              \
	FCVTN_4H(23, 16)              \
	VZIP1 V23.H8, V22.H8, V20.H8  \
	FCVTL_4S(30, 23)              \
	RECIPROCALS(22, V21)

// Q4_1BLOCK subtracts FromFloat16(m) of lane `lane` from V4-V11 (FSUB,
// then GGUFQUANT's FMUL: two roundings, as the reference), quantizes,
// clamps and packs them, and stores d, m and the 16 bytes.
#define Q4_1BLOCK(lane)                    \
	VDUP   V30.S[lane], V22.S4            \
	BINOP4(FSUB_4S, 4, 5, 6, 7, 22)       \
	BINOP4(FSUB_4S, 8, 9, 10, 11, 22)     \
	GGUFQUANT(lane)                       \
	Q4NIBBLES                             \
	VST1.P V20.S[lane], 4(R1)             \
	VST1.P [V0.B16], 16(R1)

// func encodeQ4_1NEON(dst []byte, src []float32)
//
// Registers as encodeQ4_0NEON's, with MINMAX32 (V0-V15) for EXTREME32,
// V16 and V17 the minima and maxima, V22-V23 scratch of Q4_1SCALES, and
// no abs mask in V31.
TEXT ·encodeQ4_1NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	Q4CONSTANTS($0x41700000)
	ENCODEBODY(MINMAX32, GATHER4_MINMAX, GATHER1_MINMAX, Q4_1SCALES, LOAD32, Q4_1BLOCK)

// func encodeQ4_1Float16NEON(dst []byte, src []uint16)
//
// Registers as encodeQ4_1NEON's, with MINMAX_F16 (V8-V11 the loaded
// block) and LOAD_F16 (V0-V3).
TEXT ·encodeQ4_1Float16NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	Q4CONSTANTS($0x41700000)
	ENCODEBODY(MINMAX_F16, GATHER4_MINMAX, GATHER1_MINMAX, Q4_1SCALES, LOAD_F16, Q4_1BLOCK)

// func encodeQ4_1BFloat16NEON(dst []byte, src []uint16)
//
// Registers as encodeQ4_1Float16NEON's, with MINMAX_BF16 and LOAD_BF16.
TEXT ·encodeQ4_1BFloat16NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	Q4CONSTANTS($0x41700000)
	ENCODEBODY(MINMAX_BF16, GATHER4_MINMAX, GATHER1_MINMAX, Q4_1SCALES, LOAD_BF16, Q4_1BLOCK)

// Q4 decoding: NIBBLES reads the 16 bytes of quants at R0 (advancing it)
// and splits them into the low nibbles (values 0-15) in V1 and the high
// ones (16-31) in V2, with 15 in every byte of V28. Q4_0DECODE subtracts
// 8 (V29) from each and decodes as Q8_0 (GGUFVALUES: exact); Q4_1DECODE
// decodes the quants as Q8_0, then adds FromFloat16(m): a multiply, then
// an add (FADD with the product first), so that with d and m both NaN
// the result is d's NaN, never fused.
#define NIBBLES                            \
	VLD1.P 16(R0), [V2.B16]               \
	VAND   V28.B16, V2.B16, V1.B16        \
	VUSHR  $4, V2.B16, V2.B16

#define Q4_0DECODE                         \
	VLD1R.P 2(R0), [V0.H8]                \
	NIBBLES                               \
	VSUB    V29.B16, V1.B16, V1.B16       \
	VSUB    V29.B16, V2.B16, V2.B16       \
	GGUFVALUES

#define Q4_1DECODE                         \
	VLD1R.P 2(R0), [V0.H8]                \
	VLD1R.P 2(R0), [V7.H8]                \
	NIBBLES                               \
	GGUFVALUES                            \
	FCVTL_4S(7, 7)                        \
	BINOP4(FADD_4S, 16, 17, 18, 19, 7)    \
	BINOP4(FADD_4S, 20, 21, 22, 23, 7)

#define Q4DECODECONSTANTS  \
	VMOVI $15, V28.B16 \
	VMOVI $8, V29.B16

// func decodeQ4_0NEON(dst []float32, src []byte)
//
// Registers as decodeQ8_0NEON's, with V28 = 15 and V29 = 8 per byte.
TEXT ·decodeQ4_0NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	Q4DECODECONSTANTS
	DECODE($18, Q4_0DECODE, OUT_F32)
	RET

// func decodeQ4_0Float16NEON(dst []uint16, src []byte)
//
// Registers as decodeQ8_0Float16NEON's, with V28 = 15 and V29 = 8 per
// byte.
TEXT ·decodeQ4_0Float16NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	Q4DECODECONSTANTS
	DECODE($18, Q4_0DECODE, OUT_F16)
	RET

// func decodeQ4_0BFloat16NEON(dst []uint16, src []byte)
//
// Registers as decodeQ8_0BFloat16NEON's, with V28 = 15 and V29 = 8 per
// byte.
TEXT ·decodeQ4_0BFloat16NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	BF16CONSTANTS
	Q4DECODECONSTANTS
	DECODE($18, Q4_0DECODE, OUT_BF16)
	RET

// func decodeQ4_1NEON(dst []float32, src []byte)
//
// Registers as decodeQ4_0NEON's, with V7 = m.
TEXT ·decodeQ4_1NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	Q4DECODECONSTANTS
	DECODE($20, Q4_1DECODE, OUT_F32)
	RET

// func decodeQ4_1Float16NEON(dst []uint16, src []byte)
//
// Registers as decodeQ4_0Float16NEON's, with V7 = m.
TEXT ·decodeQ4_1Float16NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	Q4DECODECONSTANTS
	DECODE($20, Q4_1DECODE, OUT_F16)
	RET

// func decodeQ4_1BFloat16NEON(dst []uint16, src []byte)
//
// Registers as decodeQ4_0BFloat16NEON's, with V7 = m.
TEXT ·decodeQ4_1BFloat16NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	BF16CONSTANTS
	Q4DECODECONSTANTS
	DECODE($20, Q4_1DECODE, OUT_BF16)
	RET
