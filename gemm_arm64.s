//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"

// gemm_arm64.s: the matrix kernel of GPTQ (the lazy-batch update, the
// Hessian and the blocked Cholesky updates).
//
//	mulAddAtBNEON  C += Aᵀ·B, one fused multiply-add per product, in the
//	               order p = 0, 1, ..., k-1 for every element of C
//
// C is cut into tiles, each kept in registers for the whole of k: loaded
// from C, updated once per p, stored. Row p of Aᵀ holds A's values for
// consecutive rows of C, so an 8x8 tile takes, per p, the 8 values of A
// (two vectors, at[p*lda+i0...]) and the 8 of B (two vectors,
// b[p*ldb+j0...]) and makes their outer product with 16 FMLA by element
// (FMLA_4S_LANE0-3: row i of the tile is B's vectors times lane i of A's).
// FMLA rounds once, as fallback.FMA32, and every accumulator lane sees the
// products of its element alone, in the order of p: the result is the
// reference's bit for bit.
//
// The tiles: columns in blocks of 8 while 8 are left, then one block of 4,
// then single columns; within a block of columns, rows in blocks of 8,
// then single rows. Every load and store stays within the m rows and n
// columns named. Rows run inside columns so that the k rows of a column
// block's strip of B, read again by each of its row tiles, can stay in
// L1 while A streams (A is the smaller operand in GPTQ: m <= 256 against
// n = 4096).
//
//	tile  accumulators                     per step p
//	8x8   V0-V15, row r in V2r, V2r+1      2 LD1 (2 registers), 16 FMLA by element
//	8x4   V0-V7, row r in Vr               2 LD1, 8 FMLA by element
//	8x1   V0 rows 0-3, V1 rows 4-7, a      LD1 (2 registers), LD1R, 2 FMLA:
//	      lane load and store per row      A's vectors times B's value
//	1x8   V0, V1                           LD1R, LD1 (2 registers), 2 FMLA:
//	                                       B's vectors times A's value
//	1x4   V0                               LD1R, LD1, FMLA
//	1x1   S0                               2 LD1R, FMADD (scalar)
//
// The loop over p (KLOOP) has two sets of input registers (V24-V27 and
// V28-V31) and loads the values of step p+1 before the multiply-adds of
// step p, never a step past k-1. A tile's registers are in the table of
// mulAddAtBNEON.

// KLOOP runs the k steps (k >= 1) of a tile: LOADX and LOADY read one
// step's values of A and B at R12 and R13 (advancing them by a row) into
// their register sets, FMAX and FMAY apply them. It defines the labels
// passed as loop, lastx, lasty and done.
#define KLOOP(LOADX, FMAX, LOADY, FMAY, loop, lastx, lasty, done) \
	MOVD    R11, R12 \
	MOVD    R4, R13  \
	MOVD    R8, R14  \
	LOADX            \
	SUBS    $1, R14  \
	BEQ     lastx    \
	PCALIGN $32      \
loop:                \
	LOADY            \
	FMAX             \
	SUBS    $1, R14  \
	BEQ     lasty    \
	LOADX            \
	FMAY             \
	SUBS    $1, R14  \
	BNE     loop     \
lastx:               \
	FMAX             \
	B       done     \
lasty:               \
	FMAY             \
done:

// ROWS runs the tiles of one column block down the m rows: TILE8 on each
// block of 8 rows, then TILE1 on each row left. It defines the labels
// passed as rows8, rows1, row1 and next.
#define ROWS(TILE8, TILE1, rows8, rows1, row1, next) \
	MOVD R0, R10       \
	MOVD R2, R11       \
	SUBS $8, R6, R9    \
	BLT  rows1         \
rows8:                 \
	TILE8              \
	ADD  R1<<3, R10    \
	ADD  $32, R11      \
	SUBS $8, R9        \
	BGE  rows8         \
rows1:                 \
	ADDS $8, R9        \
	BEQ  next          \
row1:                  \
	TILE1              \
	ADD  R1, R10       \
	ADD  $4, R11       \
	SUBS $1, R9        \
	BNE  row1          \
next:

// 8x8: the outer product of A's vectors a0 (rows 0-3) and a1 (rows 4-7)
// with B's b0 (columns 0-3) and b1 (columns 4-7).
#define FMA8x8(a0, a1, b0, b1)      \
	FMLA_4S_LANE0(0, b0, a0)   \
	FMLA_4S_LANE0(1, b1, a0)   \
	FMLA_4S_LANE1(2, b0, a0)   \
	FMLA_4S_LANE1(3, b1, a0)   \
	FMLA_4S_LANE2(4, b0, a0)   \
	FMLA_4S_LANE2(5, b1, a0)   \
	FMLA_4S_LANE3(6, b0, a0)   \
	FMLA_4S_LANE3(7, b1, a0)   \
	FMLA_4S_LANE0(8, b0, a1)   \
	FMLA_4S_LANE0(9, b1, a1)   \
	FMLA_4S_LANE1(10, b0, a1)  \
	FMLA_4S_LANE1(11, b1, a1)  \
	FMLA_4S_LANE2(12, b0, a1)  \
	FMLA_4S_LANE2(13, b1, a1)  \
	FMLA_4S_LANE3(14, b0, a1)  \
	FMLA_4S_LANE3(15, b1, a1)

#define LOAD8x8X                                \
	VLD1.P (R12)(R3), [V24.S4, V25.S4] \
	VLD1.P (R13)(R5), [V26.S4, V27.S4]

#define LOAD8x8Y                                \
	VLD1.P (R12)(R3), [V28.S4, V29.S4] \
	VLD1.P (R13)(R5), [V30.S4, V31.S4]

#define FMA8x8X FMA8x8(24, 25, 26, 27)
#define FMA8x8Y FMA8x8(28, 29, 30, 31)

#define TILE8x8                                                     \
	MOVD   R10, R15                                            \
	VLD1.P (R15)(R1), [V0.S4, V1.S4]                           \
	VLD1.P (R15)(R1), [V2.S4, V3.S4]                           \
	VLD1.P (R15)(R1), [V4.S4, V5.S4]                           \
	VLD1.P (R15)(R1), [V6.S4, V7.S4]                           \
	VLD1.P (R15)(R1), [V8.S4, V9.S4]                           \
	VLD1.P (R15)(R1), [V10.S4, V11.S4]                         \
	VLD1.P (R15)(R1), [V12.S4, V13.S4]                         \
	VLD1   (R15), [V14.S4, V15.S4]                             \
	KLOOP(LOAD8x8X, FMA8x8X, LOAD8x8Y, FMA8x8Y, k88, k88x, k88y, k88done) \
	MOVD   R10, R15                                            \
	VST1.P [V0.S4, V1.S4], (R15)(R1)                           \
	VST1.P [V2.S4, V3.S4], (R15)(R1)                           \
	VST1.P [V4.S4, V5.S4], (R15)(R1)                           \
	VST1.P [V6.S4, V7.S4], (R15)(R1)                           \
	VST1.P [V8.S4, V9.S4], (R15)(R1)                           \
	VST1.P [V10.S4, V11.S4], (R15)(R1)                         \
	VST1.P [V12.S4, V13.S4], (R15)(R1)                         \
	VST1   [V14.S4, V15.S4], (R15)

// 8x4: A's a0 and a1 times B's one vector b.
#define FMA8x4(a0, a1, b)        \
	FMLA_4S_LANE0(0, b, a0) \
	FMLA_4S_LANE1(1, b, a0) \
	FMLA_4S_LANE2(2, b, a0) \
	FMLA_4S_LANE3(3, b, a0) \
	FMLA_4S_LANE0(4, b, a1) \
	FMLA_4S_LANE1(5, b, a1) \
	FMLA_4S_LANE2(6, b, a1) \
	FMLA_4S_LANE3(7, b, a1)

#define LOAD8x4X                                \
	VLD1.P (R12)(R3), [V24.S4, V25.S4] \
	VLD1.P (R13)(R5), [V26.S4]

#define LOAD8x4Y                                \
	VLD1.P (R12)(R3), [V28.S4, V29.S4] \
	VLD1.P (R13)(R5), [V30.S4]

#define FMA8x4X FMA8x4(24, 25, 26)
#define FMA8x4Y FMA8x4(28, 29, 30)

#define TILE8x4                                                     \
	MOVD   R10, R15                                            \
	VLD1.P (R15)(R1), [V0.S4]                                  \
	VLD1.P (R15)(R1), [V1.S4]                                  \
	VLD1.P (R15)(R1), [V2.S4]                                  \
	VLD1.P (R15)(R1), [V3.S4]                                  \
	VLD1.P (R15)(R1), [V4.S4]                                  \
	VLD1.P (R15)(R1), [V5.S4]                                  \
	VLD1.P (R15)(R1), [V6.S4]                                  \
	VLD1   (R15), [V7.S4]                                      \
	KLOOP(LOAD8x4X, FMA8x4X, LOAD8x4Y, FMA8x4Y, k84, k84x, k84y, k84done) \
	MOVD   R10, R15                                            \
	VST1.P [V0.S4], (R15)(R1)                                  \
	VST1.P [V1.S4], (R15)(R1)                                  \
	VST1.P [V2.S4], (R15)(R1)                                  \
	VST1.P [V3.S4], (R15)(R1)                                  \
	VST1.P [V4.S4], (R15)(R1)                                  \
	VST1.P [V5.S4], (R15)(R1)                                  \
	VST1.P [V6.S4], (R15)(R1)                                  \
	VST1   [V7.S4], (R15)

// 8x1: one column of 8 rows, strided in C (a lane per row), A's two
// vectors times B's one value (loaded to every lane).
#define LOAD8x1X                                \
	VLD1.P  (R12)(R3), [V24.S4, V25.S4] \
	VLD1R.P (R13)(R5), [V26.S4]

#define LOAD8x1Y                                \
	VLD1.P  (R12)(R3), [V28.S4, V29.S4] \
	VLD1R.P (R13)(R5), [V30.S4]

#define FMA8x1X                        \
	VFMLA V26.S4, V24.S4, V0.S4   \
	VFMLA V26.S4, V25.S4, V1.S4

#define FMA8x1Y                        \
	VFMLA V30.S4, V28.S4, V0.S4   \
	VFMLA V30.S4, V29.S4, V1.S4

#define TILE8x1                                                     \
	MOVD   R10, R15                                            \
	VLD1.P (R15)(R1), V0.S[0]                                  \
	VLD1.P (R15)(R1), V0.S[1]                                  \
	VLD1.P (R15)(R1), V0.S[2]                                  \
	VLD1.P (R15)(R1), V0.S[3]                                  \
	VLD1.P (R15)(R1), V1.S[0]                                  \
	VLD1.P (R15)(R1), V1.S[1]                                  \
	VLD1.P (R15)(R1), V1.S[2]                                  \
	VLD1   (R15), V1.S[3]                                      \
	KLOOP(LOAD8x1X, FMA8x1X, LOAD8x1Y, FMA8x1Y, k81, k81x, k81y, k81done) \
	MOVD   R10, R15                                            \
	VST1.P V0.S[0], (R15)(R1)                                  \
	VST1.P V0.S[1], (R15)(R1)                                  \
	VST1.P V0.S[2], (R15)(R1)                                  \
	VST1.P V0.S[3], (R15)(R1)                                  \
	VST1.P V1.S[0], (R15)(R1)                                  \
	VST1.P V1.S[1], (R15)(R1)                                  \
	VST1.P V1.S[2], (R15)(R1)                                  \
	VST1   V1.S[3], (R15)

// 1x8 and 1x4: one row, B's vectors times A's one value (in every lane).
#define LOAD1x8X                                \
	VLD1R.P (R12)(R3), [V24.S4]         \
	VLD1.P  (R13)(R5), [V26.S4, V27.S4]

#define LOAD1x8Y                                \
	VLD1R.P (R12)(R3), [V28.S4]         \
	VLD1.P  (R13)(R5), [V30.S4, V31.S4]

#define FMA1x8X                        \
	VFMLA V24.S4, V26.S4, V0.S4   \
	VFMLA V24.S4, V27.S4, V1.S4

#define FMA1x8Y                        \
	VFMLA V28.S4, V30.S4, V0.S4   \
	VFMLA V28.S4, V31.S4, V1.S4

#define TILE1x8                                                     \
	VLD1 (R10), [V0.S4, V1.S4]                                 \
	KLOOP(LOAD1x8X, FMA1x8X, LOAD1x8Y, FMA1x8Y, k18, k18x, k18y, k18done) \
	VST1 [V0.S4, V1.S4], (R10)

#define LOAD1x4X                                \
	VLD1R.P (R12)(R3), [V24.S4]         \
	VLD1.P  (R13)(R5), [V26.S4]

#define LOAD1x4Y                                \
	VLD1R.P (R12)(R3), [V28.S4]         \
	VLD1.P  (R13)(R5), [V30.S4]

#define FMA1x4X VFMLA V24.S4, V26.S4, V0.S4
#define FMA1x4Y VFMLA V28.S4, V30.S4, V0.S4

#define TILE1x4                                                     \
	VLD1 (R10), [V0.S4]                                        \
	KLOOP(LOAD1x4X, FMA1x4X, LOAD1x4Y, FMA1x4Y, k14, k14x, k14y, k14done) \
	VST1 [V0.S4], (R10)

// 1x1: one element, in S0; FMADDS Fm, Fa, Fn, Fd is fmadd sd, sn, sm, sa.
#define LOAD1x1X                       \
	VLD1R.P (R12)(R3), [V24.S4] \
	VLD1R.P (R13)(R5), [V26.S4]

#define LOAD1x1Y                       \
	VLD1R.P (R12)(R3), [V28.S4] \
	VLD1R.P (R13)(R5), [V30.S4]

#define FMA1x1X FMADDS F26, F0, F24, F0
#define FMA1x1Y FMADDS F30, F0, F28, F0

#define TILE1x1                                                     \
	FMOVS (R10), F0                                            \
	KLOOP(LOAD1x1X, FMA1x1X, LOAD1x1Y, FMA1x1Y, k11, k11x, k11y, k11done) \
	FMOVS F0, (R10)

// func mulAddAtBNEON(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int)
//
// Registers:
//	R0  C at the column block (&c[j0])  R9   rows left
//	R1  ldc*4                           R10  C at the tile (row i0)
//	R2  at (A at row 0)                 R11  A at the tile (at[i0])
//	R3  lda*4                           R12  A at step p
//	R4  B at the column block (&b[j0])  R13  B at step p
//	R5  ldb*4                           R14  steps left
//	R6  m                               R15  C row by row (8-row tiles)
//	R7  columns left
//	R8  k
//
//	V0-V15   the tile of C (accumulators)
//	V24-V27  A and B values of steps p, p+2, ...
//	V28-V31  those of steps p+1, p+3, ...
TEXT ·mulAddAtBNEON(SB), NOSPLIT, $0-120
	MOVD c_base+0(FP), R0
	MOVD ldc+24(FP), R1
	MOVD at_base+32(FP), R2
	MOVD lda+56(FP), R3
	MOVD b_base+64(FP), R4
	MOVD ldb+88(FP), R5
	MOVD m+96(FP), R6
	MOVD n+104(FP), R7
	MOVD k+112(FP), R8
	CBZ  R6, done
	CBZ  R7, done
	CBZ  R8, done // KLOOP takes at least one step
	LSL  $2, R1
	LSL  $2, R3
	LSL  $2, R5

	SUBS $8, R7
	BLT  cols4

cols8:
	ROWS(TILE8x8, TILE1x8, rows88, rows18, row18, next8)
	ADD  $32, R0
	ADD  $32, R4
	SUBS $8, R7
	BGE  cols8

cols4:
	ADD $8, R7
	TBZ $2, R7, cols1 // 0 to 7 columns left: 4 or more?
	ROWS(TILE8x4, TILE1x4, rows84, rows14, row14, next4)
	ADD $16, R0
	ADD $16, R4
	SUB $4, R7

cols1:
	CBZ R7, done

col1:
	ROWS(TILE8x1, TILE1x1, rows81, rows11, row11, next1)
	ADD  $4, R0
	ADD  $4, R4
	SUBS $1, R7
	BNE  col1

done:
	RET
