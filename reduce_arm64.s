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
// KEY and KEY16 are in kernels_arm64.h: the blockwise reductions
// (blocks_arm64.s) use them too.

// func absMaxBitsNEON(src []float32) uint32
// Four unsigned max accumulators (V16-V19) over bits&0x7FFFFFFF, starting
// at 0, which is also the result for an empty src.
//
// Registers:
//	R0  src            V0-V7   values, masked
//	R2  elements left  V16-V19 maxima (result in V16)
//	R3  scratch        V31     0x7FFFFFFF
TEXT ·absMaxBitsNEON(SB), NOSPLIT, $0-28
	MOVD src_base+0(FP), R0
	MOVD src_len+8(FP), R2
	MOVW $0x7FFFFFFF, R3
	VDUP R3, V31.S4
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	SUBS $32, R2
	BLT  four

loop32:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VAND   V31.B16, V0.B16, V0.B16
	VAND   V31.B16, V1.B16, V1.B16
	VAND   V31.B16, V2.B16, V2.B16
	VAND   V31.B16, V3.B16, V3.B16
	VAND   V31.B16, V4.B16, V4.B16
	VAND   V31.B16, V5.B16, V5.B16
	VAND   V31.B16, V6.B16, V6.B16
	VAND   V31.B16, V7.B16, V7.B16
	VUMAX  V0.S4, V16.S4, V16.S4
	VUMAX  V1.S4, V17.S4, V17.S4
	VUMAX  V2.S4, V18.S4, V18.S4
	VUMAX  V3.S4, V19.S4, V19.S4
	VUMAX  V4.S4, V16.S4, V16.S4
	VUMAX  V5.S4, V17.S4, V17.S4
	VUMAX  V6.S4, V18.S4, V18.S4
	VUMAX  V7.S4, V19.S4, V19.S4
	SUBS   $32, R2
	BGE    loop32

four:
	ADD $32, R2
	CMP $4, R2
	BLT one

loop4:
	VLD1.P 16(R0), [V0.S4]
	VAND   V31.B16, V0.B16, V0.B16
	VUMAX  V0.S4, V16.S4, V16.S4
	SUB    $4, R2
	CMP    $4, R2
	BGE    loop4

one:
	CBZ R2, done

loop1:
	// Loading the element into every lane keeps the lanes meaningful.
	VLD1R.P 4(R0), [V0.S4]
	VAND    V31.B16, V0.B16, V0.B16
	VUMAX   V0.S4, V16.S4, V16.S4
	SUBS    $1, R2
	BNE     loop1

done:
	VUMAX V17.S4, V16.S4, V16.S4
	VUMAX V19.S4, V18.S4, V18.S4
	VUMAX V18.S4, V16.S4, V16.S4
	UMAXV_4S(16, 16)
	FMOVS F16, ret+24(FP)
	RET

// func minMaxKeysNEON(src []float32) (lo, hi int32)
// Four signed min accumulators (V16-V19) and four max ones (V20-V23) over
// the order keys.
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
	MOVW $0x7FFFFFFF, R3
	VDUP R3, V16.S4
	VDUP R3, V17.S4
	VDUP R3, V18.S4
	VDUP R3, V19.S4
	MOVW $0x80000000, R3
	VDUP R3, V20.S4
	VDUP R3, V21.S4
	VDUP R3, V22.S4
	VDUP R3, V23.S4
	SUBS $32, R2
	BLT  four

loop32:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	KEY(0, V0, 8, V8)
	KEY(1, V1, 9, V9)
	KEY(2, V2, 10, V10)
	KEY(3, V3, 11, V11)
	KEY(4, V4, 12, V12)
	KEY(5, V5, 13, V13)
	KEY(6, V6, 14, V14)
	KEY(7, V7, 15, V15)
	SMIN_4S(16, 16, 0)
	SMIN_4S(17, 17, 1)
	SMIN_4S(18, 18, 2)
	SMIN_4S(19, 19, 3)
	SMIN_4S(16, 16, 4)
	SMIN_4S(17, 17, 5)
	SMIN_4S(18, 18, 6)
	SMIN_4S(19, 19, 7)
	SMAX_4S(20, 20, 0)
	SMAX_4S(21, 21, 1)
	SMAX_4S(22, 22, 2)
	SMAX_4S(23, 23, 3)
	SMAX_4S(20, 20, 4)
	SMAX_4S(21, 21, 5)
	SMAX_4S(22, 22, 6)
	SMAX_4S(23, 23, 7)
	SUBS   $32, R2
	BGE    loop32

four:
	ADD $32, R2
	CMP $4, R2
	BLT one

loop4:
	VLD1.P 16(R0), [V0.S4]
	KEY(0, V0, 8, V8)
	SMIN_4S(16, 16, 0)
	SMAX_4S(20, 20, 0)
	SUB    $4, R2
	CMP    $4, R2
	BGE    loop4

one:
	CBZ R2, done

loop1:
	VLD1R.P 4(R0), [V0.S4]
	KEY(0, V0, 8, V8)
	SMIN_4S(16, 16, 0)
	SMAX_4S(20, 20, 0)
	SUBS    $1, R2
	BNE     loop1

done:
	SMIN_4S(16, 16, 17)
	SMIN_4S(18, 18, 19)
	SMIN_4S(16, 16, 18)
	SMINV_4S(16, 16)
	SMAX_4S(20, 20, 21)
	SMAX_4S(22, 22, 23)
	SMAX_4S(20, 20, 22)
	SMAXV_4S(20, 20)
	FMOVS F16, lo+24(FP)
	FMOVS F20, hi+28(FP)
	RET

empty:
	MOVW ZR, lo+24(FP)
	MOVW ZR, hi+28(FP)
	RET

// Reductions over 16-bit floats (binary16 and bfloat16 alike): the same
// shape as the float32 ones, on 8 lanes of 16 bits, 64 elements per
// iteration.

// func absMaxBits16NEON(src []uint16) uint16
// Four unsigned max accumulators (V16-V19) over bits&0x7FFF, starting at
// 0, which is also the result for an empty src.
//
// Registers:
//	R0  src            V0-V7   values, masked
//	R2  elements left  V16-V19 maxima (result in V16)
//	R3  scratch        V31     0x7FFF per lane
TEXT ·absMaxBits16NEON(SB), NOSPLIT, $0-26
	MOVD src_base+0(FP), R0
	MOVD src_len+8(FP), R2
	MOVW $0x7FFF, R3
	VDUP R3, V31.H8
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	SUBS $64, R2
	BLT  eight

loop64:
	VLD1.P 64(R0), [V0.H8, V1.H8, V2.H8, V3.H8]
	VLD1.P 64(R0), [V4.H8, V5.H8, V6.H8, V7.H8]
	VAND   V31.B16, V0.B16, V0.B16
	VAND   V31.B16, V1.B16, V1.B16
	VAND   V31.B16, V2.B16, V2.B16
	VAND   V31.B16, V3.B16, V3.B16
	VAND   V31.B16, V4.B16, V4.B16
	VAND   V31.B16, V5.B16, V5.B16
	VAND   V31.B16, V6.B16, V6.B16
	VAND   V31.B16, V7.B16, V7.B16
	VUMAX  V0.H8, V16.H8, V16.H8
	VUMAX  V1.H8, V17.H8, V17.H8
	VUMAX  V2.H8, V18.H8, V18.H8
	VUMAX  V3.H8, V19.H8, V19.H8
	VUMAX  V4.H8, V16.H8, V16.H8
	VUMAX  V5.H8, V17.H8, V17.H8
	VUMAX  V6.H8, V18.H8, V18.H8
	VUMAX  V7.H8, V19.H8, V19.H8
	SUBS   $64, R2
	BGE    loop64

eight:
	ADD $64, R2
	CMP $8, R2
	BLT one

loop8:
	VLD1.P 16(R0), [V0.H8]
	VAND   V31.B16, V0.B16, V0.B16
	VUMAX  V0.H8, V16.H8, V16.H8
	SUB    $8, R2
	CMP    $8, R2
	BGE    loop8

one:
	CBZ R2, done

loop1:
	VLD1R.P 2(R0), [V0.H8]
	VAND    V31.B16, V0.B16, V0.B16
	VUMAX   V0.H8, V16.H8, V16.H8
	SUBS    $1, R2
	BNE     loop1

done:
	VUMAX V17.H8, V16.H8, V16.H8
	VUMAX V19.H8, V18.H8, V18.H8
	VUMAX V18.H8, V16.H8, V16.H8
	UMAXV_8H(16, 16)
	VMOV  V16.H[0], R3
	MOVH  R3, ret+24(FP)
	RET

// func minMaxKeys16NEON(src []uint16) (lo, hi int16)
// Four signed min accumulators (V16-V19) and four max ones (V20-V23) over
// the order keys.
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
	MOVW $0x7FFF, R3
	VDUP R3, V16.H8
	VDUP R3, V17.H8
	VDUP R3, V18.H8
	VDUP R3, V19.H8
	MOVW $0x8000, R3
	VDUP R3, V20.H8
	VDUP R3, V21.H8
	VDUP R3, V22.H8
	VDUP R3, V23.H8
	SUBS $64, R2
	BLT  eight

loop64:
	VLD1.P 64(R0), [V0.H8, V1.H8, V2.H8, V3.H8]
	VLD1.P 64(R0), [V4.H8, V5.H8, V6.H8, V7.H8]
	KEY16(0, V0, 8, V8)
	KEY16(1, V1, 9, V9)
	KEY16(2, V2, 10, V10)
	KEY16(3, V3, 11, V11)
	KEY16(4, V4, 12, V12)
	KEY16(5, V5, 13, V13)
	KEY16(6, V6, 14, V14)
	KEY16(7, V7, 15, V15)
	SMIN_8H(16, 16, 0)
	SMIN_8H(17, 17, 1)
	SMIN_8H(18, 18, 2)
	SMIN_8H(19, 19, 3)
	SMIN_8H(16, 16, 4)
	SMIN_8H(17, 17, 5)
	SMIN_8H(18, 18, 6)
	SMIN_8H(19, 19, 7)
	SMAX_8H(20, 20, 0)
	SMAX_8H(21, 21, 1)
	SMAX_8H(22, 22, 2)
	SMAX_8H(23, 23, 3)
	SMAX_8H(20, 20, 4)
	SMAX_8H(21, 21, 5)
	SMAX_8H(22, 22, 6)
	SMAX_8H(23, 23, 7)
	SUBS   $64, R2
	BGE    loop64

eight:
	ADD $64, R2
	CMP $8, R2
	BLT one

loop8:
	VLD1.P 16(R0), [V0.H8]
	KEY16(0, V0, 8, V8)
	SMIN_8H(16, 16, 0)
	SMAX_8H(20, 20, 0)
	SUB    $8, R2
	CMP    $8, R2
	BGE    loop8

one:
	CBZ R2, done

loop1:
	VLD1R.P 2(R0), [V0.H8]
	KEY16(0, V0, 8, V8)
	SMIN_8H(16, 16, 0)
	SMAX_8H(20, 20, 0)
	SUBS    $1, R2
	BNE     loop1

done:
	SMIN_8H(16, 16, 17)
	SMIN_8H(18, 18, 19)
	SMIN_8H(16, 16, 18)
	SMINV_8H(16, 16)
	SMAX_8H(20, 20, 21)
	SMAX_8H(22, 22, 23)
	SMAX_8H(20, 20, 22)
	SMAXV_8H(20, 20)
	VMOV V16.H[0], R3
	MOVH R3, lo+24(FP)
	VMOV V20.H[0], R3
	MOVH R3, hi+26(FP)
	RET

empty:
	MOVH ZR, lo+24(FP)
	MOVH ZR, hi+26(FP)
	RET
