//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"
#include "kernels_arm64.h"

// blocks_arm64.s: the blockwise kernels, one result (or one scale) per
// block of a fixed length.
//
//	absMaxBitsBlocksNEON                 absMaxBitsNEON per block
//	minMaxKeysBlocksNEON                 minMaxKeysNEON per block
//	absMaxBits16BlocksNEON               absMaxBits16NEON per block
//	minMaxKeys16BlocksNEON               minMaxKeys16NEON per block
//	quantizeAbsmaxBlocksNEON             quantizeAbsmaxNEON per block
//	quantizeZeroPointBlocksNEON          quantizeZeroPointNEON per block
//	quantizeAbsmaxFloat16BlocksNEON      quantizeAbsmaxFloat16NEON per block
//	quantizeAbsmaxBFloat16BlocksNEON     quantizeAbsmaxBFloat16NEON per block
//	quantizeZeroPointFloat16BlocksNEON   quantizeZeroPointFloat16NEON per block
//	quantizeZeroPointBFloat16BlocksNEON  quantizeZeroPointBFloat16NEON per block
//
// KEY, KEY16, WIDEN16_F16, WIDEN16_BF16, QABS16 and QZP16 are in
// kernels_arm64.h, shared with reduce_arm64.s and quantize_arm64.s.

// Blockwise kernels: an outer loop over the blocks (R5 counts those left,
// R6 holds the block length, a positive multiple of 8) around the inner
// loops of the per-slice kernel, which need no tail since every block is
// whole. Per block, the reductions fold 32 values per iteration, then 8,
// into accumulators that one across-vector instruction reduces; the
// quantizers load the block's scale (and zero point) into every lane and
// take 16 values per iteration, then 8. R0 walks src throughout.

// REDUCEBLOCKS is the body of a blockwise reduction. For each block, INIT
// sets the accumulators, STEP32 and STEP8 fold 32 and 8 values into them
// (advancing R0) and FINISH reduces them across lanes and stores the
// result. R2 counts the values left in the block, biased by minus 32 in
// the main loop. It branches only to labels of its own (nextblock, loop32,
// eight, loop8, finish, done), which the TEXT that uses it must not
// define, and ends with the kernel's RET.
#define REDUCEBLOCKS(INIT, STEP32, STEP8, FINISH) \
	CBZ R5, done                           \
nextblock:                                 \
	INIT                                   \
	SUBS $32, R6, R2                       \
	BLT  eight                             \
loop32:                                    \
	STEP32                                 \
	SUBS $32, R2                           \
	BGE  loop32                            \
eight:                                     \
	ADDS $32, R2                           \
	BEQ  finish                            \
loop8:                                     \
	STEP8                                  \
	SUBS $8, R2                            \
	BNE  loop8                             \
finish:                                    \
	FINISH                                 \
	SUBS $1, R5                            \
	BNE  nextblock                         \
done:                                      \
	RET

// Abs max of float32 blocks: V16 accumulates bits&0x7FFFFFFF (V31), from
// 0; a tree of UMAX folds each 32 values first.
#define ABSMAX_INIT VEOR V16.B16, V16.B16, V16.B16

#define ABSMAX_STEP32                \
	ABSTREE8(S4, V0)             \
	VUMAX V0.S4, V16.S4, V16.S4

#define ABSMAX_STEP8                   \
	VLD1.P 32(R0), [V0.S4, V1.S4] \
	VAND   V31.B16, V0.B16, V0.B16 \
	VAND   V31.B16, V1.B16, V1.B16 \
	VUMAX  V1.S4, V0.S4, V0.S4     \
	VUMAX  V0.S4, V16.S4, V16.S4

#define ABSMAX_FINISH    \
	UMAXV_4S(16, 16)    \
	FMOVS.P F16, 4(R1)

// func absMaxBitsBlocksNEON(dst []uint32, src []float32, block int)
//
// Registers:
//	R0  src                       V0-V7   values, masked
//	R1  dst                       V16     maximum
//	R2  values left in the block  V31     0x7FFFFFFF
//	R3  scratch
//	R5  blocks left
//	R6  block length
TEXT ·absMaxBitsBlocksNEON(SB), NOSPLIT, $0-56
	MOVD dst_base+0(FP), R1
	MOVD dst_len+8(FP), R5
	MOVD src_base+24(FP), R0
	MOVD block+48(FP), R6
	MOVW $0x7FFFFFFF, R3
	VDUP R3, V31.S4
	REDUCEBLOCKS(ABSMAX_INIT, ABSMAX_STEP32, ABSMAX_STEP8, ABSMAX_FINISH)

// Min and max order keys of float32 blocks: V16 accumulates the minimum
// from 0x7FFFFFFF (V28), V20 the maximum from 0x80000000 (V29); KEY uses
// V8-V15 as scratch, which then hold the trees of SMIN and SMAX.
#define MINMAX_INIT               \
	VMOV V28.B16, V16.B16    \
	VMOV V29.B16, V20.B16

#define MINMAX_STEP32        \
	LOADKEYS8(S4, KEY)   \
	SMIN_4S(8, 0, 1)     \
	SMIN_4S(9, 2, 3)     \
	SMIN_4S(10, 4, 5)    \
	SMIN_4S(11, 6, 7)    \
	SMAX_4S(12, 0, 1)    \
	SMAX_4S(13, 2, 3)    \
	SMAX_4S(14, 4, 5)    \
	SMAX_4S(15, 6, 7)    \
	SMIN_4S(8, 8, 9)     \
	SMIN_4S(10, 10, 11)  \
	SMAX_4S(12, 12, 13)  \
	SMAX_4S(14, 14, 15)  \
	SMIN_4S(8, 8, 10)    \
	SMAX_4S(12, 12, 14)  \
	SMIN_4S(16, 16, 8)   \
	SMAX_4S(20, 20, 12)

#define MINMAX_STEP8                   \
	VLD1.P 32(R0), [V0.S4, V1.S4] \
	KEY(0, V0, 8, V8)              \
	KEY(1, V1, 9, V9)              \
	SMIN_4S(8, 0, 1)               \
	SMAX_4S(12, 0, 1)              \
	SMIN_4S(16, 16, 8)             \
	SMAX_4S(20, 20, 12)

#define MINMAX_FINISH     \
	SMINV_4S(16, 16)     \
	SMAXV_4S(20, 20)     \
	FMOVS.P F16, 4(R1)   \
	FMOVS.P F20, 4(R4)

// func minMaxKeysBlocksNEON(lo, hi []int32, src []float32, block int)
//
// Registers:
//	R0  src                       V0-V7   values, then keys
//	R1  lo                        V8-V15  KEY Vt, then trees
//	R2  values left in the block  V16     minimum
//	R3  scratch                   V20     maximum
//	R4  hi                        V28     0x7FFFFFFF
//	R5  blocks left               V29     0x80000000
//	R6  block length
TEXT ·minMaxKeysBlocksNEON(SB), NOSPLIT, $0-80
	MOVD lo_base+0(FP), R1
	MOVD lo_len+8(FP), R5
	MOVD hi_base+24(FP), R4
	MOVD src_base+48(FP), R0
	MOVD block+72(FP), R6
	MOVW $0x7FFFFFFF, R3
	VDUP R3, V28.S4
	MOVW $0x80000000, R3
	VDUP R3, V29.S4
	REDUCEBLOCKS(MINMAX_INIT, MINMAX_STEP32, MINMAX_STEP8, MINMAX_FINISH)

// The same on 16-bit floats: 8 values per vector, V31 = 0x7FFF and V28,
// V29 = 0x7FFF, 0x8000 in each 16-bit lane.
#define ABSMAX16_STEP32              \
	ABSTREE4(H8, V0)             \
	VUMAX V0.H8, V16.H8, V16.H8

#define ABSMAX16_STEP8                 \
	VLD1.P 16(R0), [V0.H8]        \
	VAND   V31.B16, V0.B16, V0.B16 \
	VUMAX  V0.H8, V16.H8, V16.H8

#define ABSMAX16_FINISH      \
	UMAXV_8H(16, 16)        \
	VST1.P V16.H[0], 2(R1)

// func absMaxBits16BlocksNEON(dst []uint16, src []uint16, block int)
//
// Registers:
//	R0  src                       V0-V3   values, masked
//	R1  dst                       V16     maximum
//	R2  values left in the block  V31     0x7FFF per lane
//	R3  scratch
//	R5  blocks left
//	R6  block length
TEXT ·absMaxBits16BlocksNEON(SB), NOSPLIT, $0-56
	MOVD dst_base+0(FP), R1
	MOVD dst_len+8(FP), R5
	MOVD src_base+24(FP), R0
	MOVD block+48(FP), R6
	MOVW $0x7FFF, R3
	VDUP R3, V31.H8
	REDUCEBLOCKS(ABSMAX_INIT, ABSMAX16_STEP32, ABSMAX16_STEP8, ABSMAX16_FINISH)

#define MINMAX16_STEP32      \
	LOADKEYS4(H8, KEY16) \
	SMIN_8H(8, 0, 1)     \
	SMIN_8H(9, 2, 3)     \
	SMAX_8H(12, 0, 1)    \
	SMAX_8H(13, 2, 3)    \
	SMIN_8H(8, 8, 9)     \
	SMAX_8H(12, 12, 13)  \
	SMIN_8H(16, 16, 8)   \
	SMAX_8H(20, 20, 12)

#define MINMAX16_STEP8          \
	VLD1.P 16(R0), [V0.H8] \
	KEY16(0, V0, 8, V8)     \
	SMIN_8H(16, 16, 0)      \
	SMAX_8H(20, 20, 0)

#define MINMAX16_FINISH        \
	SMINV_8H(16, 16)          \
	SMAXV_8H(20, 20)          \
	VST1.P V16.H[0], 2(R1)    \
	VST1.P V20.H[0], 2(R4)

// func minMaxKeys16BlocksNEON(lo, hi []int16, src []uint16, block int)
//
// Registers:
//	R0  src                       V0-V3   values, then keys
//	R1  lo                        V8-V13  KEY16 Vt, then trees
//	R2  values left in the block  V16     minimum
//	R3  scratch                   V20     maximum
//	R4  hi                        V28     0x7FFF per lane
//	R5  blocks left               V29     0x8000 per lane
//	R6  block length
TEXT ·minMaxKeys16BlocksNEON(SB), NOSPLIT, $0-80
	MOVD lo_base+0(FP), R1
	MOVD lo_len+8(FP), R5
	MOVD hi_base+24(FP), R4
	MOVD src_base+48(FP), R0
	MOVD block+72(FP), R6
	MOVW $0x7FFF, R3
	VDUP R3, V28.H8
	MOVW $0x8000, R3
	VDUP R3, V29.H8
	REDUCEBLOCKS(MINMAX_INIT, MINMAX16_STEP32, MINMAX16_STEP8, MINMAX16_FINISH)

// QUANTIZEBLOCKS is the body of a blockwise quantizer: R1 walks dst, R3
// the scales and R4 the zero points. Per block, PARAMS loads the block's
// parameters into every lane (the scale into V31, the zero point into
// V30), then R2 counts the block's 16-value steps (R7 = block/16) and bit
// 3 of the block length says whether 8 values remain. LOAD16 and LOAD8
// read 16 and 8 values into the float32 lanes of V2-V5 and V2-V3; Q16 and
// Q8 quantize them into the 16 and the low 8 bytes of V8. It branches
// only to labels of its own (nextblock, loop16, eight, next, done), which
// the TEXT that uses it must not define, and ends with the kernel's RET.
#define QUANTIZEBLOCKS(PARAMS, LOAD16, LOAD8, Q16, Q8) \
	CBZ R5, done                                    \
	LSR $4, R6, R7                                  \
nextblock:                                          \
	PARAMS                                          \
	MOVD R7, R2                                     \
	CBZ  R2, eight                                  \
loop16:                                             \
	LOAD16                                          \
	Q16                                             \
	VST1.P [V8.B16], 16(R1)                         \
	SUBS   $1, R2                                   \
	BNE    loop16                                   \
eight:                                              \
	TBZ $3, R6, next                                \
	LOAD8                                           \
	Q8                                              \
	FMOVD.P F8, 8(R1)                               \
next:                                               \
	SUBS $1, R5                                     \
	BNE  nextblock                                  \
done:                                               \
	RET

#define PARAMS_ABSMAX VLD1R.P 4(R3), [V31.S4]

#define PARAMS_ZEROPOINT          \
	VLD1R.P 4(R3), [V31.S4]  \
	VLD1R.P 4(R4), [V30.S4]

#define LOAD16_F32 VLD1.P 64(R0), [V2.S4, V3.S4, V4.S4, V5.S4]

#define LOAD8_F32 VLD1.P 32(R0), [V2.S4, V3.S4]

#define LOAD8_F16               \
	VLD1.P 16(R0), [V0.H8] \
	SPLIT(FCVTL_4S, FCVTL2_4S, 2, 3, 0)

#define LOAD8_BF16              \
	VLD1.P 16(R0), [V0.H8] \
	BF16SPLIT(V29, V2, V3, V0)

// QABS8 and QZP8 are QABS16 and QZP16 (kernels_arm64.h) on V2-V3, to the
// low 8 bytes of V8 through the int16 of V6.
#define TOINT8_8                            \
	FCVTNS_4S(2, 2)                     \
	FCVTNS_4S(3, 3)                     \
	PAIR(SQXTN_4H, SQXTN2_8H, 6, 2, 3)  \
	SQXTN_8B(8, 6)

#define QABS8              \
	FMUL_4S(2, 2, 31) \
	FMUL_4S(3, 3, 31) \
	TOINT8_8          \
	SMAX_16B(8, 8, 30)

#define QZP8               \
	FMUL_4S(2, 2, 31) \
	FMUL_4S(3, 3, 31) \
	FADD_4S(2, 2, 30) \
	FADD_4S(3, 3, 30) \
	TOINT8_8

// func quantizeAbsmaxBlocksNEON(dst []int8, src []float32, scales []float32, block int)
//
// Registers:
//	R0  src                  V2-V5   float32, then int32
//	R1  dst                  V6-V7   int16
//	R2  16-value steps left  V8      int8 results
//	R3  scales               V30     -127 per byte
//	R5  blocks left          V31     the block's scale
//	R6  block length
//	R7  block/16
TEXT ·quantizeAbsmaxBlocksNEON(SB), NOSPLIT, $0-80
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  scales_base+48(FP), R3
	MOVD  scales_len+56(FP), R5
	MOVD  block+72(FP), R6
	VMOVI $0x81, V30.B16 // -127
	QUANTIZEBLOCKS(PARAMS_ABSMAX, LOAD16_F32, LOAD8_F32, QABS16(2, 3, 4, 5, 6, 7, 8), QABS8)

// func quantizeZeroPointBlocksNEON(dst []int8, src []float32, scales, zeros []float32, block int)
//
// Registers:
//	R0  src                  V2-V5   float32, then int32
//	R1  dst                  V6-V7   int16
//	R2  16-value steps left  V8      int8 results
//	R3  scales               V30     the block's zero point
//	R4  zeros                V31     the block's scale
//	R5  blocks left
//	R6  block length
//	R7  block/16
TEXT ·quantizeZeroPointBlocksNEON(SB), NOSPLIT, $0-104
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD scales_base+48(FP), R3
	MOVD scales_len+56(FP), R5
	MOVD zeros_base+72(FP), R4
	MOVD block+96(FP), R6
	QUANTIZEBLOCKS(PARAMS_ZEROPOINT, LOAD16_F32, LOAD8_F32, QZP16(2, 3, 4, 5, 6, 7, 8), QZP8)

// func quantizeAbsmaxFloat16BlocksNEON(dst []int8, src []uint16, scales []float32, block int)
//
// Registers:
//	R0  src                  V0-V1   16-bit values
//	R1  dst                  V2-V5   float32, then int32
//	R2  16-value steps left  V6-V7   int16
//	R3  scales               V8      int8 results
//	R5  blocks left          V30     -127 per byte
//	R6  block length         V31     the block's scale
//	R7  block/16
TEXT ·quantizeAbsmaxFloat16BlocksNEON(SB), NOSPLIT, $0-80
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  scales_base+48(FP), R3
	MOVD  scales_len+56(FP), R5
	MOVD  block+72(FP), R6
	VMOVI $0x81, V30.B16 // -127
	QUANTIZEBLOCKS(PARAMS_ABSMAX, LOAD16W(WIDEN16_F16), LOAD8_F16, QABS16(2, 3, 4, 5, 6, 7, 8), QABS8)

// func quantizeAbsmaxBFloat16BlocksNEON(dst []int8, src []uint16, scales []float32, block int)
//
// Registers:
//	R0  src                  V0-V1   16-bit values
//	R1  dst                  V2-V5   float32, then int32
//	R2  16-value steps left  V6-V7   int16
//	R3  scales               V8      int8 results
//	R5  blocks left          V29     all zeros
//	R6  block length         V30     -127 per byte
//	R7  block/16             V31     the block's scale
TEXT ·quantizeAbsmaxBFloat16BlocksNEON(SB), NOSPLIT, $0-80
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  scales_base+48(FP), R3
	MOVD  scales_len+56(FP), R5
	MOVD  block+72(FP), R6
	VMOVI $0x81, V30.B16 // -127
	VEOR  V29.B16, V29.B16, V29.B16
	QUANTIZEBLOCKS(PARAMS_ABSMAX, LOAD16W(WIDEN16_BF16(V29)), LOAD8_BF16, QABS16(2, 3, 4, 5, 6, 7, 8), QABS8)

// func quantizeZeroPointFloat16BlocksNEON(dst []int8, src []uint16, scales, zeros []float32, block int)
//
// Registers:
//	R0  src                  V0-V1   16-bit values
//	R1  dst                  V2-V5   float32, then int32
//	R2  16-value steps left  V6-V7   int16
//	R3  scales               V8      int8 results
//	R4  zeros                V30     the block's zero point
//	R5  blocks left          V31     the block's scale
//	R6  block length
//	R7  block/16
TEXT ·quantizeZeroPointFloat16BlocksNEON(SB), NOSPLIT, $0-104
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD scales_base+48(FP), R3
	MOVD scales_len+56(FP), R5
	MOVD zeros_base+72(FP), R4
	MOVD block+96(FP), R6
	QUANTIZEBLOCKS(PARAMS_ZEROPOINT, LOAD16W(WIDEN16_F16), LOAD8_F16, QZP16(2, 3, 4, 5, 6, 7, 8), QZP8)

// func quantizeZeroPointBFloat16BlocksNEON(dst []int8, src []uint16, scales, zeros []float32, block int)
//
// Registers:
//	R0  src                  V0-V1   16-bit values
//	R1  dst                  V2-V5   float32, then int32
//	R2  16-value steps left  V6-V7   int16
//	R3  scales               V8      int8 results
//	R4  zeros                V29     all zeros
//	R5  blocks left          V30     the block's zero point
//	R6  block length         V31     the block's scale
//	R7  block/16
TEXT ·quantizeZeroPointBFloat16BlocksNEON(SB), NOSPLIT, $0-104
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD scales_base+48(FP), R3
	MOVD scales_len+56(FP), R5
	MOVD zeros_base+72(FP), R4
	MOVD block+96(FP), R6
	VEOR V29.B16, V29.B16, V29.B16
	QUANTIZEBLOCKS(PARAMS_ZEROPOINT, LOAD16W(WIDEN16_BF16(V29)), LOAD8_BF16, QZP16(2, 3, 4, 5, 6, 7, 8), QZP8)
