//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"

// Every kernel has the same shape: a main loop over 16 elements (32 for the
// reductions) with no branch inside, then a loop over 4 elements, then one
// element at a time, so that no load or store ever crosses the end of a
// slice. R0 walks src, R1 walks dst, R2 counts the elements left; in the
// main loop it is biased by minus one iteration, so that one SUBS both
// counts and tests.
//
// Go runs with FPCR = 0: round to nearest even, no flush to zero, NaNs
// propagated (not replaced by the default NaN). The float instructions
// below depend on that.

// func float32ToFloat16NEON(dst []uint16, src []float32)
// FCVTN rounds to nearest even, overflows to Inf, rounds subnormals
// correctly and turns a NaN into sign|0x7E00|mant>>13, as the reference.
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

// BF16RNE rounds the float32 lanes of Vx to bfloat16 in the top half of
// each lane of Vr, with the integer formula of the reference:
// r = x + 0x7FFF + (x>>16 & 1), or x | 0x00400000 where x is a NaN (x != x).
// V30 holds 0x7FFF and V31 0x00400000 in every lane; Vm and Vu are scratch.
// Each register comes both as a number (for the WORD macros) and a name.
// The carry of a value that rounds up past the largest finite bfloat16
// gives Inf, and no lane can wrap: 0xFFFFFFFF is a NaN.
#define BF16RNE(x, Vx, Vm, Vr, Vu, m, r, u) \
	FCMEQ_4S(m, x, x)                 \
	VADD  V30.S4, Vx.S4, Vr.S4        \
	VSHL  $15, Vx.S4, Vu.S4           \
	VUSRA $31, Vu.S4, Vr.S4           \
	VORR  V31.B16, Vx.B16, Vu.B16     \
	VBIF  Vm.B16, Vu.B16, Vr.B16

// func float32ToBFloat16NEON(dst []uint16, src []float32)
// Rounds in the integer domain (see BF16RNE), then UZP2 gathers the top
// halves of the lanes.
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

// func absMaxBitsNEON(src []float32) uint32
// Four unsigned max accumulators (V16-V19) over bits&0x7FFFFFFF, starting
// at 0, which is also the result for an empty src.
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

// KEY turns the float32 bits in Vx into order keys in place:
// x ^ (x >>arith 31) >>logical 1 flips the magnitude bits of negatives.
// Vt is scratch; registers come as numbers and as names, as in BF16RNE.
#define KEY(x, Vx, t, Vt) \
	SSHR31_4S(t, x)            \
	VUSHR $1, Vt.S4, Vt.S4     \
	VEOR  Vt.B16, Vx.B16, Vx.B16

// func minMaxKeysNEON(src []float32) (lo, hi int32)
// Four signed min accumulators (V16-V19) and four max ones (V20-V23) over
// the order keys.
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

// Quantization: FMUL rounds the product to float32, FCVTNS rounds to the
// nearest integer with ties to even (FPCR.RMode, unlike FCVTAS) and
// saturates to int32, and each SQXTN saturates again, so the result is
// the integer clamped to [-128, 127]; that equals clamping in the float
// domain first, as the reference does, because the bounds are integers.

// func quantizeAbsmaxNEON(dst []int8, src []float32, scale float32)
// The lower bound -127 comes from a final SMAX on the bytes.
TEXT ·quantizeAbsmaxNEON(SB), NOSPLIT, $0-52
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	VMOVI $0x81, V30.B16 // -127
	SUBS  $16, R2
	BLT   four

loop16:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	FMUL_4S(0, 0, 31)
	FMUL_4S(1, 1, 31)
	FMUL_4S(2, 2, 31)
	FMUL_4S(3, 3, 31)
	FCVTNS_4S(0, 0)
	FCVTNS_4S(1, 1)
	FCVTNS_4S(2, 2)
	FCVTNS_4S(3, 3)
	SQXTN_4H(4, 0)
	SQXTN2_8H(4, 1)
	SQXTN_4H(5, 2)
	SQXTN2_8H(5, 3)
	SQXTN_8B(6, 4)
	SQXTN2_16B(6, 5)
	SMAX_16B(6, 6, 30)
	VST1.P [V6.B16], 16(R1)
	SUBS   $16, R2
	BGE    loop16

four:
	ADD $16, R2
	CMP $4, R2
	BLT one

loop4:
	VLD1.P  16(R0), [V0.S4]
	FMUL_4S(0, 0, 31)
	FCVTNS_4S(0, 0)
	SQXTN_4H(4, 0)
	SQXTN_8B(6, 4)
	SMAX_16B(6, 6, 30)
	FMOVS.P F6, 4(R1)
	SUB     $4, R2
	CMP     $4, R2
	BGE     loop4

one:
	CBZ R2, done

loop1:
	FMOVS.P 4(R0), F0
	FMUL_4S(0, 0, 31)
	FCVTNS_4S(0, 0)
	SQXTN_4H(4, 0)
	SQXTN_8B(6, 4)
	SMAX_16B(6, 6, 30)
	VMOV    V6.B[0], R3
	MOVB.P  R3, 1(R1)
	SUBS    $1, R2
	BNE     loop1

done:
	RET

// func quantizeZeroPointNEON(dst []int8, src []float32, scale, zero float32)
// FMUL then FADD: two roundings, as the reference (never FMLA). The
// saturating conversions give the clamp to [-128, 127].
TEXT ·quantizeZeroPointNEON(SB), NOSPLIT, $0-56
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	FMOVS zero+52(FP), F30
	VDUP  V30.S[0], V30.S4
	SUBS  $16, R2
	BLT   four

loop16:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	FMUL_4S(0, 0, 31)
	FMUL_4S(1, 1, 31)
	FMUL_4S(2, 2, 31)
	FMUL_4S(3, 3, 31)
	FADD_4S(0, 0, 30)
	FADD_4S(1, 1, 30)
	FADD_4S(2, 2, 30)
	FADD_4S(3, 3, 30)
	FCVTNS_4S(0, 0)
	FCVTNS_4S(1, 1)
	FCVTNS_4S(2, 2)
	FCVTNS_4S(3, 3)
	SQXTN_4H(4, 0)
	SQXTN2_8H(4, 1)
	SQXTN_4H(5, 2)
	SQXTN2_8H(5, 3)
	SQXTN_8B(6, 4)
	SQXTN2_16B(6, 5)
	VST1.P [V6.B16], 16(R1)
	SUBS   $16, R2
	BGE    loop16

four:
	ADD $16, R2
	CMP $4, R2
	BLT one

loop4:
	VLD1.P  16(R0), [V0.S4]
	FMUL_4S(0, 0, 31)
	FADD_4S(0, 0, 30)
	FCVTNS_4S(0, 0)
	SQXTN_4H(4, 0)
	SQXTN_8B(6, 4)
	FMOVS.P F6, 4(R1)
	SUB     $4, R2
	CMP     $4, R2
	BGE     loop4

one:
	CBZ R2, done

loop1:
	FMOVS.P 4(R0), F0
	FMUL_4S(0, 0, 31)
	FADD_4S(0, 0, 30)
	FCVTNS_4S(0, 0)
	SQXTN_4H(4, 0)
	SQXTN_8B(6, 4)
	VMOV    V6.B[0], R3
	MOVB.P  R3, 1(R1)
	SUBS    $1, R2
	BNE     loop1

done:
	RET

// func dequantizeZeroPointNEON(dst []float32, src []int8, scale float32, zero int32)
// Sign-extend twice, an exact int32 subtraction, SCVTF (round to nearest
// even), then a true FDIV.
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
