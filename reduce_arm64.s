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
//
// The float32 and the 16-bit kernels share their bodies, ABSMAXBODY and
// MINMAXBODY, which take the lane arrangement (S4 or H8), the element
// counts and sizes and the instructions on lanes of that width. SLICE,
// LOADABS8, LOADKEYS8, KEY and KEY16 are in kernels_arm64.h: the
// blockwise reductions (blocks_arm64.s) use them too.

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
