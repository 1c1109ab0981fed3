//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"
#include "kernels_arm64.h"

// reduce_arm64.s: the per-slice reductions, on float32 and on 16-bit
// floats (binary16 and bfloat16 alike).
//
//	absMaxBitsNEON    largest bits&0x7FFFFFFF of a []float32
//	minMaxKeysNEON    least and greatest order keys of a []float32
//	absMaxBits16NEON  largest bits&0x7FFF of a []uint16
//	minMaxKeys16NEON  least and greatest order keys of a []uint16
//	errorSumsNEON     sums of e*e and x*x, and max |e|, e = x - y, in
//	                  float64 lanes of a fixed order
//
// The float32 and the 16-bit kernels share their bodies, ABSMAXBODY and
// MINMAXBODY, which take the lane arrangement (S4 or H8), the element
// counts and sizes and the instructions on lanes of that width. SLICE,
// LOADABS8, LOADKEYS8, KEY and KEY16 are in kernels_arm64.h: the
// blockwise reductions (blocks_arm64.s) use them too. errorSumsNEON, at
// the end, has a shape of its own.

// ABSMAXBODY is the body of absMaxBitsNEON and absMaxBits16NEON: four
// unsigned max accumulators (V16-V19) over bits&MASK (V31), starting at 0,
// which is also the result for an empty src; N elements per iteration (in
// eight vectors of arrangement ARR), then M (one vector), then one of SIZE
// bytes, loaded into every lane, which keeps the lanes meaningful. UMAXV
// folds the lanes: the result is in the low lane of V16. It defines the
// labels of SLICE. MASK, N and M are immediates.
#define ABSMAXBODY(ARR, MASK, N, M, SIZE, UMAXV) \
	MOVW MASK, R3                          \
	VDUP R3, V31.ARR                        \
	VEOR V16.B16, V16.B16, V16.B16          \
	VEOR V17.B16, V17.B16, V17.B16          \
	VEOR V18.B16, V18.B16, V18.B16          \
	VEOR V19.B16, V19.B16, V19.B16          \
	SLICE(N, ABSMAXN(ARR), M, ABSMAX1(VLD1.P, 16, ARR), ABSMAX1(VLD1R.P, SIZE, ARR)) \
	VUMAX V17.ARR, V16.ARR, V16.ARR         \
	VUMAX V19.ARR, V18.ARR, V18.ARR         \
	VUMAX V18.ARR, V16.ARR, V16.ARR         \
	UMAXV(16, 16)

#define ABSMAXN(ARR)                      \
	LOADABS8(ARR)                      \
	VUMAX V0.ARR, V16.ARR, V16.ARR     \
	VUMAX V1.ARR, V17.ARR, V17.ARR     \
	VUMAX V2.ARR, V18.ARR, V18.ARR     \
	VUMAX V3.ARR, V19.ARR, V19.ARR     \
	VUMAX V4.ARR, V16.ARR, V16.ARR     \
	VUMAX V5.ARR, V17.ARR, V17.ARR     \
	VUMAX V6.ARR, V18.ARR, V18.ARR     \
	VUMAX V7.ARR, V19.ARR, V19.ARR

// ABSMAX1 loads one vector with LOAD (VLD1.P, or VLD1R.P for one element
// in every lane), SIZE bytes, and folds it into V16; MINMAX1 below is the
// same for the keys.
#define ABSMAX1(LOAD, SIZE, ARR)         \
	LOAD  SIZE(R0), [V0.ARR]          \
	VAND  V31.B16, V0.B16, V0.B16     \
	VUMAX V0.ARR, V16.ARR, V16.ARR

// MINMAXBODY is the body of minMaxKeysNEON and minMaxKeys16NEON, for a
// src that is not empty: four signed min accumulators (V16-V19) from LO
// and four max ones (V20-V23) from HI over the order keys (KEY), with the
// lanes, counts and sizes of ABSMAXBODY and SMIN, SMAX, SMINV, SMAXV on
// lanes of that width: lo ends in the low lane of V16, hi in that of V20.
// It defines the labels of SLICE. LO, HI, N and M are immediates.
#define MINMAXBODY(ARR, LO, HI, N, M, SIZE, KEY, SMIN, SMAX, SMINV, SMAXV) \
	MOVW LO, R3                                  \
	VDUP R3, V16.ARR                              \
	VDUP R3, V17.ARR                              \
	VDUP R3, V18.ARR                              \
	VDUP R3, V19.ARR                              \
	MOVW HI, R3                                  \
	VDUP R3, V20.ARR                              \
	VDUP R3, V21.ARR                              \
	VDUP R3, V22.ARR                              \
	VDUP R3, V23.ARR                              \
	SLICE(N, MINMAXN(ARR, KEY, SMIN, SMAX), M, MINMAX1(VLD1.P, 16, ARR, KEY, SMIN, SMAX), MINMAX1(VLD1R.P, SIZE, ARR, KEY, SMIN, SMAX)) \
	SMIN(16, 16, 17)                              \
	SMIN(18, 18, 19)                              \
	SMIN(16, 16, 18)                              \
	SMINV(16, 16)                                 \
	SMAX(20, 20, 21)                              \
	SMAX(22, 22, 23)                              \
	SMAX(20, 20, 22)                              \
	SMAXV(20, 20)

#define MINMAXN(ARR, KEY, SMIN, SMAX) \
	LOADKEYS8(ARR, KEY)            \
	SMIN(16, 16, 0)                \
	SMIN(17, 17, 1)                \
	SMIN(18, 18, 2)                \
	SMIN(19, 19, 3)                \
	SMIN(16, 16, 4)                \
	SMIN(17, 17, 5)                \
	SMIN(18, 18, 6)                \
	SMIN(19, 19, 7)                \
	SMAX(20, 20, 0)                \
	SMAX(21, 21, 1)                \
	SMAX(22, 22, 2)                \
	SMAX(23, 23, 3)                \
	SMAX(20, 20, 4)                \
	SMAX(21, 21, 5)                \
	SMAX(22, 22, 6)                \
	SMAX(23, 23, 7)

#define MINMAX1(LOAD, SIZE, ARR, KEY, SMIN, SMAX) \
	LOAD SIZE(R0), [V0.ARR]                    \
	KEY(0, V0, 8, V8)                          \
	SMIN(16, 16, 0)                            \
	SMAX(20, 20, 0)

// func absMaxBitsNEON(src []float32) uint32
//
// Registers:
//	R0  src            V0-V7   values, masked
//	R2  elements left  V16-V19 maxima (result in V16)
//	R3  scratch        V31     0x7FFFFFFF
TEXT ·absMaxBitsNEON(SB), NOSPLIT, $0-28
	MOVD src_base+0(FP), R0
	MOVD src_len+8(FP), R2
	ABSMAXBODY(S4, $0x7FFFFFFF, $32, $4, 4, UMAXV_4S)
	FMOVS F16, ret+24(FP)
	RET

// func minMaxKeysNEON(src []float32) (lo, hi int32)
//
// Registers:
//	R0  src            V0-V7   values, then keys
//	R2  elements left  V8-V15  scratch (KEY Vt)
//	R3  scratch        V16-V19 minima (lo in V16)
//	                   V20-V23 maxima (hi in V20)
TEXT ·minMaxKeysNEON(SB), NOSPLIT, $0-32
	MOVD src_base+0(FP), R0
	MOVD src_len+8(FP), R2
	CBZ  R2, empty
	MINMAXBODY(S4, $0x7FFFFFFF, $0x80000000, $32, $4, 4, KEY, SMIN_4S, SMAX_4S, SMINV_4S, SMAXV_4S)
	FMOVS F16, lo+24(FP)
	FMOVS F20, hi+28(FP)
	RET

empty:
	MOVW ZR, lo+24(FP)
	MOVW ZR, hi+28(FP)
	RET

// Reductions over 16-bit floats (binary16 and bfloat16 alike): the same
// bodies on 8 lanes of 16 bits, 64 elements per iteration.

// func absMaxBits16NEON(src []uint16) uint16
//
// Registers:
//	R0  src            V0-V7   values, masked
//	R2  elements left  V16-V19 maxima (result in V16)
//	R3  scratch        V31     0x7FFF per lane
TEXT ·absMaxBits16NEON(SB), NOSPLIT, $0-26
	MOVD src_base+0(FP), R0
	MOVD src_len+8(FP), R2
	ABSMAXBODY(H8, $0x7FFF, $64, $8, 2, UMAXV_8H)
	VMOV V16.H[0], R3
	MOVH R3, ret+24(FP)
	RET

// func minMaxKeys16NEON(src []uint16) (lo, hi int16)
//
// Registers:
//	R0  src            V0-V7   values, then keys
//	R2  elements left  V8-V15  scratch (KEY16 Vt)
//	R3  scratch        V16-V19 minima (lo in V16)
//	                   V20-V23 maxima (hi in V20)
TEXT ·minMaxKeys16NEON(SB), NOSPLIT, $0-28
	MOVD src_base+0(FP), R0
	MOVD src_len+8(FP), R2
	CBZ  R2, empty
	MINMAXBODY(H8, $0x7FFF, $0x8000, $64, $8, 2, KEY16, SMIN_8H, SMAX_8H, SMINV_8H, SMAXV_8H)
	VMOV V16.H[0], R3
	MOVH R3, lo+24(FP)
	VMOV V20.H[0], R3
	MOVH R3, hi+26(FP)
	RET

empty:
	MOVH ZR, lo+24(FP)
	MOVH ZR, hi+26(FP)
	RET

// The error sums (kernels.Set.ErrorSums) in float64 lanes of a fixed
// order: 16 lanes of e*e in V16-V23 and 16 of x*x in V24-V31, value j of
// a 16-value step in lane j%2 of register j/2, which is lane j%16 of the
// specification; the max |e| in V15 (order does not matter to a max).
// SLICE does not fit: the lanes a pair goes to depend on its place in
// the step, so the last 1..15 pairs are taken by the unrolled ERRORTAIL4
// rather than by loops over 4, then one.

// ERROR4 folds the 4 pairs of float32 lanes of Vx and Vy into the sums of
// e*e in Ve0 (pairs 0, 1) and Ve1 (pairs 2, 3) and of x*x in Vs0 and
// Vs1, and leaves the largest |e| of the four in the lanes of Vy: FCVTL
// and FCVTL2 widen (exact), FSUB takes e in float64, FMUL then FADD
// (never FMLA) square and add, each rounded as the reference does. Vt and
// Vu are scratch, Vx is too. Registers are numbers.
#define ERROR4(x, y, t, u, e0, e1, s0, s1) \
	FCVTL_2D(t, x)     \
	FCVTL_2D(u, y)     \
	FCVTL2_2D(x, x)    \
	FCVTL2_2D(y, y)    \
	FSUB_2D(u, t, u)   \
	FSUB_2D(y, x, y)   \
	FMUL_2D(t, t, t)   \
	FMUL_2D(x, x, x)   \
	FADD_2D(s0, s0, t) \
	FADD_2D(s1, s1, x) \
	FMUL_2D(t, u, u)   \
	FMUL_2D(x, y, y)   \
	FADD_2D(e0, e0, t) \
	FADD_2D(e1, e1, x) \
	FABS_2D(u, u)      \
	FABS_2D(y, y)      \
	FMAX_2D(y, y, u)

// ERROR16 folds 16 pairs at R0 and R1 (advancing both) into the 16 lanes
// of each sum, chunk k (pairs 4k..4k+3) into registers 2k and 2k+1, and
// their largest |e| into V15 through a tree. Consecutive chunks use
// different scratch (V8-V9, V10-V11).
#define ERROR16                                         \
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]     \
	VLD1.P 64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]     \
	ERROR4(0, 4, 8, 9, 16, 17, 24, 25)              \
	ERROR4(1, 5, 10, 11, 18, 19, 26, 27)            \
	ERROR4(2, 6, 8, 9, 20, 21, 28, 29)              \
	ERROR4(3, 7, 10, 11, 22, 23, 30, 31)            \
	FMAX_2D(4, 4, 5)                                \
	FMAX_2D(6, 6, 7)                                \
	FMAX_2D(4, 4, 6)                                \
	FMAX_2D(15, 15, 4)

// ERRORTAIL4 is ERROR4 for the chunk that starts K4 pairs into the last
// 1..15 (R2 of them), into registers e0, e1 (e*e) and s0, s1 (x*x): 4
// pairs if as many are left, or the 1..3 left (R3) in the low lanes of V0
// and V4 and zeros above them, pairs that add +0 to sums of squares (never
// -0) and |e| = 0 to the max. It jumps to the expanding TEXT's label
// fold when no pair of the chunk is left; part, one and chunk are its
// own labels. K4 is an immediate.
#define ERRORTAIL4(K4, e0, e1, s0, s1, part, one, chunk) \
	CMP    K4, R2                   \
	BLE    fold                     \
	SUB    K4, R2, R3               \
	CMP    $4, R3                   \
	BLT    part                     \
	VLD1.P 16(R0), [V0.S4]          \
	VLD1.P 16(R1), [V4.S4]          \
	B      chunk                    \
part:                                   \
	TBZ     $1, R3, one             \
	FMOVD.P 8(R0), F0               \
	FMOVD.P 8(R1), F4               \
	TBZ     $0, R3, chunk           \
	VLD1    (R0), V0.S[2]           \
	VLD1    (R1), V4.S[2]           \
	B       chunk                   \
one:                                    \
	FMOVS (R0), F0                  \
	FMOVS (R1), F4                  \
chunk:                                  \
	ERROR4(0, 4, 8, 9, e0, e1, s0, s1) \
	FMAX_2D(15, 15, 4)

// ERRORLANES adds the 16 lanes of the sums in registers r..r+7 as
// kernels.ErrorLanes does, into the low lane (the scalar) of register r:
// lanes i and i+8 (registers k and k+4), then i and i+4 (k and k+2), then
// i and i+2 (r and r+1), then the two lanes of r.
#define ERRORLANES(r0, r1, r2, r3, r4, r5, r6, r7) \
	FADD_2D(r0, r0, r4) \
	FADD_2D(r1, r1, r5) \
	FADD_2D(r2, r2, r6) \
	FADD_2D(r3, r3, r7) \
	FADD_2D(r0, r0, r2) \
	FADD_2D(r1, r1, r3) \
	FADD_2D(r0, r0, r1) \
	FADDP_D(r0, r0)

// func errorSumsNEON(x, y []float32) (sse, ss, maxAbs float64)
// A 16-pair step is 17 vector float instructions per 4 pairs and a tree
// of 4 FMAX; the sums are 16 independent chains, the max one. len(y) is
// taken to be len(x).
//
// Registers:
//	R0  x                 V0-V3   x, then x (high pairs) and products
//	R1  y                 V4-V7   y, then y (high pairs), e, max |e|
//	R2  pairs left        V8-V11  scratch (ERROR4 Vt, Vu)
//	R3  pairs left in     V15     max |e|
//	    the chunk (tail)  V16-V23 sums of e*e, lanes 0-15 (sse in V16)
//	                      V24-V31 sums of x*x, lanes 0-15 (ss in V24)
TEXT ·errorSumsNEON(SB), NOSPLIT, $0-72
	MOVD x_base+0(FP), R0
	MOVD y_base+24(FP), R1
	MOVD x_len+8(FP), R2
	VEOR V15.B16, V15.B16, V15.B16
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	VEOR V24.B16, V24.B16, V24.B16
	VEOR V25.B16, V25.B16, V25.B16
	VEOR V26.B16, V26.B16, V26.B16
	VEOR V27.B16, V27.B16, V27.B16
	VEOR V28.B16, V28.B16, V28.B16
	VEOR V29.B16, V29.B16, V29.B16
	VEOR V30.B16, V30.B16, V30.B16
	VEOR V31.B16, V31.B16, V31.B16
	SUBS $16, R2
	BLT  tail

	PCALIGN $32
loop16:
	ERROR16
	SUBS $16, R2
	BGE  loop16

tail:
	ADD $16, R2
	ERRORTAIL4($0, 16, 17, 24, 25, part0, one0, chunk0)
	ERRORTAIL4($4, 18, 19, 26, 27, part1, one1, chunk1)
	ERRORTAIL4($8, 20, 21, 28, 29, part2, one2, chunk2)
	ERRORTAIL4($12, 22, 23, 30, 31, part3, one3, chunk3)

fold:
	ERRORLANES(16, 17, 18, 19, 20, 21, 22, 23)
	ERRORLANES(24, 25, 26, 27, 28, 29, 30, 31)
	FMAXP_D(15, 15)
	FMOVD F16, sse+48(FP)
	FMOVD F24, ss+56(FP)
	FMOVD F15, maxAbs+64(FP)
	RET
