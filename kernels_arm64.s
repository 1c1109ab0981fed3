//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"

// Every per-slice kernel has the same shape: a main loop over 16 elements
// (32 for the reductions) with no branch inside, then a loop over 4
// elements, then one element at a time, so that no load or store ever
// crosses the end of a slice (the 16-bit reductions take 64, then 8, then
// 1; the Q8_0 kernels take whole blocks). R0 walks src, R1 walks dst, R2
// counts the elements left; in the main loop it is biased by minus one
// iteration, so that one SUBS both counts and tests.
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

// Reductions over 16-bit floats (binary16 and bfloat16 alike): the same
// shape as the float32 ones, on 8 lanes of 16 bits, 64 elements per
// iteration.

// func absMaxBits16NEON(src []uint16) uint16
// Four unsigned max accumulators (V16-V19) over bits&0x7FFF, starting at
// 0, which is also the result for an empty src.
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

// KEY16 is KEY on 16-bit lanes: x ^ (x >>arith 15) >>logical 1.
#define KEY16(x, Vx, t, Vt) \
	SSHR15_8H(t, x)            \
	VUSHR $1, Vt.H8, Vt.H8     \
	VEOR  Vt.B16, Vx.B16, Vx.B16

// func minMaxKeys16NEON(src []uint16) (lo, hi int16)
// Four signed min accumulators (V16-V19) and four max ones (V20-V23) over
// the order keys.
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

// Quantization from 16-bit sources: each kernel widens to the exact
// float32 values, FCVTL for binary16 and a zip with zeros (V29) for
// bfloat16 (bits<<16), then runs the sequence of its float32 namesake.
// WIDEN16_F16 and WIDEN16_BF16 widen the 16 values of V0-V1 to V2-V5;
// WIDEN4_F16 and WIDEN4_BF16 the low 4 values of V0 to V2.

#define WIDEN16_F16 \
	FCVTL_4S(2, 0)  \
	FCVTL2_4S(3, 0) \
	FCVTL_4S(4, 1)  \
	FCVTL2_4S(5, 1)

#define WIDEN4_F16 FCVTL_4S(2, 0)

#define WIDEN16_BF16                \
	VZIP1 V0.H8, V29.H8, V2.H8 \
	VZIP2 V0.H8, V29.H8, V3.H8 \
	VZIP1 V1.H8, V29.H8, V4.H8 \
	VZIP2 V1.H8, V29.H8, V5.H8

#define WIDEN4_BF16 VZIP1 V0.H8, V29.H8, V2.H8

// QABS16 quantizes V2-V5 as quantizeAbsmaxNEON, with the scale in V31 and
// -127 in every byte of V30, to the 16 bytes of V8; QABS4 quantizes V2 to
// the low 4 bytes of V8.
#define QABS16          \
	FMUL_4S(2, 2, 31)  \
	FMUL_4S(3, 3, 31)  \
	FMUL_4S(4, 4, 31)  \
	FMUL_4S(5, 5, 31)  \
	FCVTNS_4S(2, 2)    \
	FCVTNS_4S(3, 3)    \
	FCVTNS_4S(4, 4)    \
	FCVTNS_4S(5, 5)    \
	SQXTN_4H(6, 2)     \
	SQXTN2_8H(6, 3)    \
	SQXTN_4H(7, 4)     \
	SQXTN2_8H(7, 5)    \
	SQXTN_8B(8, 6)     \
	SQXTN2_16B(8, 7)   \
	SMAX_16B(8, 8, 30)

#define QABS4           \
	FMUL_4S(2, 2, 31)  \
	FCVTNS_4S(2, 2)    \
	SQXTN_4H(6, 2)     \
	SQXTN_8B(8, 6)     \
	SMAX_16B(8, 8, 30)

// QZP16 and QZP4 are QABS16 and QABS4 for quantizeZeroPointNEON, with the
// zero point in V30 and no SMAX.
#define QZP16           \
	FMUL_4S(2, 2, 31)  \
	FMUL_4S(3, 3, 31)  \
	FMUL_4S(4, 4, 31)  \
	FMUL_4S(5, 5, 31)  \
	FADD_4S(2, 2, 30)  \
	FADD_4S(3, 3, 30)  \
	FADD_4S(4, 4, 30)  \
	FADD_4S(5, 5, 30)  \
	FCVTNS_4S(2, 2)    \
	FCVTNS_4S(3, 3)    \
	FCVTNS_4S(4, 4)    \
	FCVTNS_4S(5, 5)    \
	SQXTN_4H(6, 2)     \
	SQXTN2_8H(6, 3)    \
	SQXTN_4H(7, 4)     \
	SQXTN2_8H(7, 5)    \
	SQXTN_8B(8, 6)     \
	SQXTN2_16B(8, 7)

#define QZP4            \
	FMUL_4S(2, 2, 31)  \
	FADD_4S(2, 2, 30)  \
	FCVTNS_4S(2, 2)    \
	SQXTN_4H(6, 2)     \
	SQXTN_8B(8, 6)

// QUANTIZE16 is the body of a widening quantizer: R0 walks src, R1 dst,
// R2 counts the elements left, as in the float32 kernels; WIDEN16/WIDEN4
// and Q16/Q4 name the widening and quantizing macros.
#define QUANTIZE16(WIDEN16, WIDEN4, Q16, Q4) \
	SUBS $16, R2                          \
	BLT  four                             \
loop16:                                   \
	VLD1.P 32(R0), [V0.H8, V1.H8]         \
	WIDEN16                               \
	Q16                                   \
	VST1.P [V8.B16], 16(R1)               \
	SUBS   $16, R2                        \
	BGE    loop16                         \
four:                                     \
	ADD $16, R2                           \
	CMP $4, R2                            \
	BLT one                               \
loop4:                                    \
	FMOVD.P 8(R0), F0                     \
	WIDEN4                                \
	Q4                                    \
	FMOVS.P F8, 4(R1)                     \
	SUB     $4, R2                        \
	CMP     $4, R2                        \
	BGE     loop4                         \
one:                                      \
	CBZ R2, done                          \
loop1:                                    \
	VLD1R.P 2(R0), [V0.H8]                \
	WIDEN4                                \
	Q4                                    \
	VMOV    V8.B[0], R3                   \
	MOVB.P  R3, 1(R1)                     \
	SUBS    $1, R2                        \
	BNE     loop1                         \
done:                                     \
	RET

// func quantizeAbsmaxFloat16NEON(dst []int8, src []uint16, scale float32)
TEXT ·quantizeAbsmaxFloat16NEON(SB), NOSPLIT, $0-52
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	VMOVI $0x81, V30.B16 // -127
	QUANTIZE16(WIDEN16_F16, WIDEN4_F16, QABS16, QABS4)

// func quantizeAbsmaxBFloat16NEON(dst []int8, src []uint16, scale float32)
TEXT ·quantizeAbsmaxBFloat16NEON(SB), NOSPLIT, $0-52
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	VMOVI $0x81, V30.B16 // -127
	VEOR  V29.B16, V29.B16, V29.B16
	QUANTIZE16(WIDEN16_BF16, WIDEN4_BF16, QABS16, QABS4)

// func quantizeZeroPointFloat16NEON(dst []int8, src []uint16, scale, zero float32)
TEXT ·quantizeZeroPointFloat16NEON(SB), NOSPLIT, $0-56
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	FMOVS zero+52(FP), F30
	VDUP  V30.S[0], V30.S4
	QUANTIZE16(WIDEN16_F16, WIDEN4_F16, QZP16, QZP4)

// func quantizeZeroPointBFloat16NEON(dst []int8, src []uint16, scale, zero float32)
TEXT ·quantizeZeroPointBFloat16NEON(SB), NOSPLIT, $0-56
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	FMOVS zero+52(FP), F30
	VDUP  V30.S[0], V30.S4
	VEOR  V29.B16, V29.B16, V29.B16
	QUANTIZE16(WIDEN16_BF16, WIDEN4_BF16, QZP16, QZP4)

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

// Q8SCALES turns the abs maxima in the float32 lanes of V16 into
// d = FCVTN(a/127) in the low halves of V20 and id = 1/FCVTL(d) in V21,
// or 0 where d is 0 (where 1/d is Inf): true divisions, rounded to nearest
// even as the reference's float32 division and ToFloat16.
#define Q8SCALES                         \
	FDIV_4S(20, 16, 29)                 \
	FCVTN_4H(20, 20)                    \
	FCVTL_4S(21, 20)                    \
	VCMTST V21.S4, V21.S4, V22.S4       \
	FDIV_4S(21, 28, 21)                 \
	VAND   V22.B16, V21.B16, V21.B16

// Q8BLOCK quantizes the 32 float32 values of V4-V11 with id from lane
// `lane` of V21, as quantizeAbsmaxNEON, and stores the block: d from lane
// `lane` of V20, then the 32 quants.
#define Q8BLOCK(lane)                     \
	VDUP V21.S[lane], V23.S4             \
	FMUL_4S(4, 4, 23)                    \
	FMUL_4S(5, 5, 23)                    \
	FMUL_4S(6, 6, 23)                    \
	FMUL_4S(7, 7, 23)                    \
	FMUL_4S(8, 8, 23)                    \
	FMUL_4S(9, 9, 23)                    \
	FMUL_4S(10, 10, 23)                  \
	FMUL_4S(11, 11, 23)                  \
	FCVTNS_4S(4, 4)                      \
	FCVTNS_4S(5, 5)                      \
	FCVTNS_4S(6, 6)                      \
	FCVTNS_4S(7, 7)                      \
	FCVTNS_4S(8, 8)                      \
	FCVTNS_4S(9, 9)                      \
	FCVTNS_4S(10, 10)                    \
	FCVTNS_4S(11, 11)                    \
	SQXTN_4H(12, 4)                      \
	SQXTN2_8H(12, 5)                     \
	SQXTN_4H(13, 6)                      \
	SQXTN2_8H(13, 7)                     \
	SQXTN_4H(14, 8)                      \
	SQXTN2_8H(14, 9)                     \
	SQXTN_4H(15, 10)                     \
	SQXTN2_8H(15, 11)                    \
	SQXTN_8B(0, 12)                      \
	SQXTN2_16B(0, 13)                    \
	SQXTN_8B(1, 14)                      \
	SQXTN2_16B(1, 15)                    \
	SMAX_16B(0, 0, 30)                   \
	SMAX_16B(1, 1, 30)                   \
	VST1.P V20.H[lane], 2(R1)            \
	VST1.P [V0.B16, V1.B16], 32(R1)

// Q8CONSTANTS sets V28, V29 and V30.
#define Q8CONSTANTS          \
	MOVW  $0x3F800000, R3   \
	VDUP  R3, V28.S4        \
	MOVW  $0x42FE0000, R3   \
	VDUP  R3, V29.S4        \
	VMOVI $0x81, V30.B16

// Q8BODY is the body of an encoder: R0 walks src, R4 walks it again, R1
// walks dst, R2 counts the source elements left. MAX(Vm) takes the abs
// max of a block (advancing R0) into the lanes of Vm; GATHER4 gathers the
// maxima of V16-V19 and GATHER1 that of V16 into the float32 lanes of V16;
// LOAD reads a block at R4 (advancing it) into the float32 lanes of
// V4-V11.
#define Q8BODY(MAX, GATHER4, GATHER1, LOAD) \
	SUBS $128, R2                        \
	BLT  single                          \
loop4:                                   \
	MOVD R0, R4                          \
	MAX(V16)                             \
	MAX(V17)                             \
	MAX(V18)                             \
	MAX(V19)                             \
	GATHER4                              \
	Q8SCALES                             \
	LOAD                                 \
	Q8BLOCK(0)                           \
	LOAD                                 \
	Q8BLOCK(1)                           \
	LOAD                                 \
	Q8BLOCK(2)                           \
	LOAD                                 \
	Q8BLOCK(3)                           \
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
	Q8SCALES                             \
	LOAD                                 \
	Q8BLOCK(0)                           \
	SUB $32, R2                          \
	CMP $32, R2                          \
	BGE loop1                            \
done:                                    \
	RET

// MAX32 and friends serve float32 sources: abs max as bits (src is
// finite), V31 = 0x7FFFFFFF.
#define MAX32(Vm)                                  \
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4] \
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4] \
	VAND   V31.B16, V0.B16, V0.B16              \
	VAND   V31.B16, V1.B16, V1.B16              \
	VAND   V31.B16, V2.B16, V2.B16              \
	VAND   V31.B16, V3.B16, V3.B16              \
	VAND   V31.B16, V4.B16, V4.B16              \
	VAND   V31.B16, V5.B16, V5.B16              \
	VAND   V31.B16, V6.B16, V6.B16              \
	VAND   V31.B16, V7.B16, V7.B16              \
	VUMAX  V1.S4, V0.S4, V0.S4                  \
	VUMAX  V3.S4, V2.S4, V2.S4                  \
	VUMAX  V5.S4, V4.S4, V4.S4                  \
	VUMAX  V7.S4, V6.S4, V6.S4                  \
	VUMAX  V2.S4, V0.S4, V0.S4                  \
	VUMAX  V6.S4, V4.S4, V4.S4                  \
	VUMAX  V4.S4, V0.S4, Vm.S4

#define GATHER4_32        \
	UMAXP_4S(16, 16, 17) \
	UMAXP_4S(18, 18, 19) \
	UMAXP_4S(16, 16, 18)

#define GATHER1_32 UMAXV_4S(16, 16)

#define LOAD32                                      \
	VLD1.P 64(R4), [V4.S4, V5.S4, V6.S4, V7.S4]   \
	VLD1.P 64(R4), [V8.S4, V9.S4, V10.S4, V11.S4]

// func encodeQ8_0NEON(dst []byte, src []float32)
TEXT ·encodeQ8_0NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	MOVW $0x7FFFFFFF, R3
	VDUP R3, V31.S4
	Q8CONSTANTS
	Q8BODY(MAX32, GATHER4_32, GATHER1_32, LOAD32)

// The 16-bit sources take the abs max on the bits (both formats order
// like their bits; V31 = 0x7FFF in each 16-bit lane) and widen only the
// maxima. GATHER4_16 leaves the four maxima in the low four 16-bit lanes
// of V16 before widening them.
#define MAX16(Vm)                                  \
	VLD1.P 64(R0), [V0.H8, V1.H8, V2.H8, V3.H8] \
	VAND   V31.B16, V0.B16, V0.B16              \
	VAND   V31.B16, V1.B16, V1.B16              \
	VAND   V31.B16, V2.B16, V2.B16              \
	VAND   V31.B16, V3.B16, V3.B16              \
	VUMAX  V1.H8, V0.H8, V0.H8                  \
	VUMAX  V3.H8, V2.H8, V2.H8                  \
	VUMAX  V2.H8, V0.H8, Vm.H8

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
	FCVTL_4S(4, 0)                               \
	FCVTL2_4S(5, 0)                              \
	FCVTL_4S(6, 1)                               \
	FCVTL2_4S(7, 1)                              \
	FCVTL_4S(8, 2)                               \
	FCVTL2_4S(9, 2)                              \
	FCVTL_4S(10, 3)                              \
	FCVTL2_4S(11, 3)

#define LOAD_BF16                                   \
	VLD1.P 64(R4), [V0.H8, V1.H8, V2.H8, V3.H8] \
	VZIP1  V0.H8, V27.H8, V4.H8                 \
	VZIP2  V0.H8, V27.H8, V5.H8                 \
	VZIP1  V1.H8, V27.H8, V6.H8                 \
	VZIP2  V1.H8, V27.H8, V7.H8                 \
	VZIP1  V2.H8, V27.H8, V8.H8                 \
	VZIP2  V2.H8, V27.H8, V9.H8                 \
	VZIP1  V3.H8, V27.H8, V10.H8                \
	VZIP2  V3.H8, V27.H8, V11.H8

// func encodeQ8_0Float16NEON(dst []byte, src []uint16)
TEXT ·encodeQ8_0Float16NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	MOVW $0x7FFF, R3
	VDUP R3, V31.H8
	Q8CONSTANTS
	Q8BODY(MAX16, GATHER4_F16, GATHER1_F16, LOAD_F16)

// func encodeQ8_0BFloat16NEON(dst []byte, src []uint16)
TEXT ·encodeQ8_0BFloat16NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	MOVW $0x7FFF, R3
	VDUP R3, V31.H8
	VEOR V27.B16, V27.B16, V27.B16
	Q8CONSTANTS
	Q8BODY(MAX16, GATHER4_BF16, GATHER1_BF16, LOAD_BF16)

// Q8DECODE reads the Q8_0 block at R0 (advancing it) and leaves its 32
// values in the float32 lanes of V16-V23: d widened by FCVTL into every
// lane of V0, the quants sign-extended twice and converted exactly by
// SCVTF, then FMUL (exact: an 8-bit integer times a binary16 value fits in
// float32).
#define Q8DECODE                          \
	VLD1R.P 2(R0), [V0.H8]               \
	VLD1.P  32(R0), [V1.B16, V2.B16]     \
	FCVTL_4S(0, 0)                       \
	SXTL_8H(3, 1)                        \
	SXTL2_8H(4, 1)                       \
	SXTL_8H(5, 2)                        \
	SXTL2_8H(6, 2)                       \
	SXTL_4S(16, 3)                       \
	SXTL2_4S(17, 3)                      \
	SXTL_4S(18, 4)                       \
	SXTL2_4S(19, 4)                      \
	SXTL_4S(20, 5)                       \
	SXTL2_4S(21, 5)                      \
	SXTL_4S(22, 6)                       \
	SXTL2_4S(23, 6)                      \
	SCVTF_4S(16, 16)                     \
	SCVTF_4S(17, 17)                     \
	SCVTF_4S(18, 18)                     \
	SCVTF_4S(19, 19)                     \
	SCVTF_4S(20, 20)                     \
	SCVTF_4S(21, 21)                     \
	SCVTF_4S(22, 22)                     \
	SCVTF_4S(23, 23)                     \
	FMUL_4S(16, 16, 0)                   \
	FMUL_4S(17, 17, 0)                   \
	FMUL_4S(18, 18, 0)                   \
	FMUL_4S(19, 19, 0)                   \
	FMUL_4S(20, 20, 0)                   \
	FMUL_4S(21, 21, 0)                   \
	FMUL_4S(22, 22, 0)                   \
	FMUL_4S(23, 23, 0)

// func decodeQ8_0NEON(dst []float32, src []byte)
TEXT ·decodeQ8_0NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	SUBS $34, R2
	BLT  done

loop:
	Q8DECODE
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R1)
	VST1.P [V20.S4, V21.S4, V22.S4, V23.S4], 64(R1)
	SUBS   $34, R2
	BGE    loop

done:
	RET

// Dequantization to 16-bit floats: the float32 kernel's sequence, then
// the rounding of float32ToFloat16NEON (FCVTN) or float32ToBFloat16NEON
// (BF16RNE, with its constants in V30 and V31).

// NARROW16_F16 and NARROW16_BF16 round the 16 float32 values of V3-V6 to
// the 16-bit lanes of V7-V8; NARROW4_F16 and NARROW4_BF16 those of V3 to
// the low four lanes of V7.
#define NARROW16_F16 \
	FCVTN_4H(7, 3)  \
	FCVTN2_8H(7, 4) \
	FCVTN_4H(8, 5)  \
	FCVTN2_8H(8, 6)

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

// BF16CONSTANTS sets V30 and V31 for BF16RNE.
#define BF16CONSTANTS            \
	MOVW $0x7FFF, R3            \
	VDUP R3, V30.S4             \
	MOVW $0x00400000, R3        \
	VDUP R3, V31.S4

// DEQUANTIZE16 is the body of a dequantizer to 16-bit floats, shaped as
// dequantizeZeroPointNEON with the scale in V28 and the zero point in V29;
// NARROW16 and NARROW4 round its results.
#define DEQUANTIZE16(NARROW16, NARROW4)     \
	SUBS $16, R2                         \
	BLT  four                            \
loop16:                                  \
	VLD1.P 16(R0), [V0.B16]              \
	SXTL_8H(1, 0)                        \
	SXTL2_8H(2, 0)                       \
	SXTL_4S(3, 1)                        \
	SXTL2_4S(4, 1)                       \
	SXTL_4S(5, 2)                        \
	SXTL2_4S(6, 2)                       \
	VSUB   V29.S4, V3.S4, V3.S4          \
	VSUB   V29.S4, V4.S4, V4.S4          \
	VSUB   V29.S4, V5.S4, V5.S4          \
	VSUB   V29.S4, V6.S4, V6.S4          \
	SCVTF_4S(3, 3)                       \
	SCVTF_4S(4, 4)                       \
	SCVTF_4S(5, 5)                       \
	SCVTF_4S(6, 6)                       \
	FDIV_4S(3, 3, 28)                    \
	FDIV_4S(4, 4, 28)                    \
	FDIV_4S(5, 5, 28)                    \
	FDIV_4S(6, 6, 28)                    \
	NARROW16                             \
	VST1.P [V7.H8, V8.H8], 32(R1)        \
	SUBS   $16, R2                       \
	BGE    loop16                        \
four:                                    \
	ADD $16, R2                          \
	CMP $4, R2                           \
	BLT one                              \
loop4:                                   \
	FMOVS.P 4(R0), F0                    \
	SXTL_8H(1, 0)                        \
	SXTL_4S(3, 1)                        \
	VSUB    V29.S4, V3.S4, V3.S4         \
	SCVTF_4S(3, 3)                       \
	FDIV_4S(3, 3, 28)                    \
	NARROW4                              \
	FMOVD.P F7, 8(R1)                    \
	SUB     $4, R2                       \
	CMP     $4, R2                       \
	BGE     loop4                        \
one:                                     \
	CBZ R2, done                         \
loop1:                                   \
	MOVB.P  1(R0), R3                    \
	VDUP    R3, V3.S4                    \
	VSUB    V29.S4, V3.S4, V3.S4         \
	SCVTF_4S(3, 3)                       \
	FDIV_4S(3, 3, 28)                    \
	NARROW4                              \
	VST1.P  V7.H[0], 2(R1)               \
	SUBS    $1, R2                       \
	BNE     loop1                        \
done:                                    \
	RET

// func dequantizeZeroPointFloat16NEON(dst []uint16, src []int8, scale float32, zero int32)
TEXT ·dequantizeZeroPointFloat16NEON(SB), NOSPLIT, $0-56
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F28
	VDUP  V28.S[0], V28.S4
	MOVW  zero+52(FP), R3
	VDUP  R3, V29.S4
	DEQUANTIZE16(NARROW16_F16, NARROW4_F16)

// func dequantizeZeroPointBFloat16NEON(dst []uint16, src []int8, scale float32, zero int32)
TEXT ·dequantizeZeroPointBFloat16NEON(SB), NOSPLIT, $0-56
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F28
	VDUP  V28.S[0], V28.S4
	MOVW  zero+52(FP), R3
	VDUP  R3, V29.S4
	BF16CONSTANTS
	DEQUANTIZE16(NARROW16_BF16, NARROW4_BF16)

// func decodeQ8_0Float16NEON(dst []uint16, src []byte)
TEXT ·decodeQ8_0Float16NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	SUBS $34, R2
	BLT  done

loop:
	Q8DECODE
	FCVTN_4H(24, 16)
	FCVTN2_8H(24, 17)
	FCVTN_4H(25, 18)
	FCVTN2_8H(25, 19)
	FCVTN_4H(26, 20)
	FCVTN2_8H(26, 21)
	FCVTN_4H(27, 22)
	FCVTN2_8H(27, 23)
	VST1.P [V24.H8, V25.H8, V26.H8, V27.H8], 64(R1)
	SUBS   $34, R2
	BGE    loop

done:
	RET

// func decodeQ8_0BFloat16NEON(dst []uint16, src []byte)
TEXT ·decodeQ8_0BFloat16NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	BF16CONSTANTS
	SUBS $34, R2
	BLT  done

loop:
	Q8DECODE
	BF16RNE(16, V16, V1, V8, V3, 1, 8, 3)
	BF16RNE(17, V17, V2, V9, V4, 2, 9, 4)
	BF16RNE(18, V18, V1, V10, V3, 1, 10, 3)
	BF16RNE(19, V19, V2, V11, V4, 2, 11, 4)
	BF16RNE(20, V20, V1, V12, V3, 1, 12, 3)
	BF16RNE(21, V21, V2, V13, V4, 2, 13, 4)
	BF16RNE(22, V22, V1, V14, V3, 1, 14, 3)
	BF16RNE(23, V23, V2, V15, V4, 2, 15, 4)
	VUZP2  V9.H8, V8.H8, V24.H8
	VUZP2  V11.H8, V10.H8, V25.H8
	VUZP2  V13.H8, V12.H8, V26.H8
	VUZP2  V15.H8, V14.H8, V27.H8
	VST1.P [V24.H8, V25.H8, V26.H8, V27.H8], 64(R1)
	SUBS   $34, R2
	BGE    loop

done:
	RET

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
// the main loop.
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

#define ABSMAX_STEP32                                 \
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4] \
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4] \
	VAND   V31.B16, V0.B16, V0.B16              \
	VAND   V31.B16, V1.B16, V1.B16              \
	VAND   V31.B16, V2.B16, V2.B16              \
	VAND   V31.B16, V3.B16, V3.B16              \
	VAND   V31.B16, V4.B16, V4.B16              \
	VAND   V31.B16, V5.B16, V5.B16              \
	VAND   V31.B16, V6.B16, V6.B16              \
	VAND   V31.B16, V7.B16, V7.B16              \
	VUMAX  V1.S4, V0.S4, V0.S4                  \
	VUMAX  V3.S4, V2.S4, V2.S4                  \
	VUMAX  V5.S4, V4.S4, V4.S4                  \
	VUMAX  V7.S4, V6.S4, V6.S4                  \
	VUMAX  V2.S4, V0.S4, V0.S4                  \
	VUMAX  V6.S4, V4.S4, V4.S4                  \
	VUMAX  V4.S4, V0.S4, V0.S4                  \
	VUMAX  V0.S4, V16.S4, V16.S4

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

#define MINMAX_STEP32                                 \
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4] \
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4] \
	KEY(0, V0, 8, V8)                            \
	KEY(1, V1, 9, V9)                            \
	KEY(2, V2, 10, V10)                          \
	KEY(3, V3, 11, V11)                          \
	KEY(4, V4, 12, V12)                          \
	KEY(5, V5, 13, V13)                          \
	KEY(6, V6, 14, V14)                          \
	KEY(7, V7, 15, V15)                          \
	SMIN_4S(8, 0, 1)                             \
	SMIN_4S(9, 2, 3)                             \
	SMIN_4S(10, 4, 5)                            \
	SMIN_4S(11, 6, 7)                            \
	SMAX_4S(12, 0, 1)                            \
	SMAX_4S(13, 2, 3)                            \
	SMAX_4S(14, 4, 5)                            \
	SMAX_4S(15, 6, 7)                            \
	SMIN_4S(8, 8, 9)                             \
	SMIN_4S(10, 10, 11)                          \
	SMAX_4S(12, 12, 13)                          \
	SMAX_4S(14, 14, 15)                          \
	SMIN_4S(8, 8, 10)                            \
	SMAX_4S(12, 12, 14)                          \
	SMIN_4S(16, 16, 8)                           \
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
#define ABSMAX16_STEP32                               \
	VLD1.P 64(R0), [V0.H8, V1.H8, V2.H8, V3.H8] \
	VAND   V31.B16, V0.B16, V0.B16              \
	VAND   V31.B16, V1.B16, V1.B16              \
	VAND   V31.B16, V2.B16, V2.B16              \
	VAND   V31.B16, V3.B16, V3.B16              \
	VUMAX  V1.H8, V0.H8, V0.H8                  \
	VUMAX  V3.H8, V2.H8, V2.H8                  \
	VUMAX  V2.H8, V0.H8, V0.H8                  \
	VUMAX  V0.H8, V16.H8, V16.H8

#define ABSMAX16_STEP8                 \
	VLD1.P 16(R0), [V0.H8]        \
	VAND   V31.B16, V0.B16, V0.B16 \
	VUMAX  V0.H8, V16.H8, V16.H8

#define ABSMAX16_FINISH      \
	UMAXV_8H(16, 16)        \
	VST1.P V16.H[0], 2(R1)

// func absMaxBits16BlocksNEON(dst []uint16, src []uint16, block int)
TEXT ·absMaxBits16BlocksNEON(SB), NOSPLIT, $0-56
	MOVD dst_base+0(FP), R1
	MOVD dst_len+8(FP), R5
	MOVD src_base+24(FP), R0
	MOVD block+48(FP), R6
	MOVW $0x7FFF, R3
	VDUP R3, V31.H8
	REDUCEBLOCKS(ABSMAX_INIT, ABSMAX16_STEP32, ABSMAX16_STEP8, ABSMAX16_FINISH)

#define MINMAX16_STEP32                               \
	VLD1.P 64(R0), [V0.H8, V1.H8, V2.H8, V3.H8] \
	KEY16(0, V0, 8, V8)                          \
	KEY16(1, V1, 9, V9)                          \
	KEY16(2, V2, 10, V10)                        \
	KEY16(3, V3, 11, V11)                        \
	SMIN_8H(8, 0, 1)                             \
	SMIN_8H(9, 2, 3)                             \
	SMAX_8H(12, 0, 1)                            \
	SMAX_8H(13, 2, 3)                            \
	SMIN_8H(8, 8, 9)                             \
	SMAX_8H(12, 12, 13)                          \
	SMIN_8H(16, 16, 8)                           \
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
// Q8 quantize them into the 16 and the low 8 bytes of V8.
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

#define LOAD16_F16                    \
	VLD1.P 32(R0), [V0.H8, V1.H8] \
	WIDEN16_F16

#define LOAD8_F16               \
	VLD1.P 16(R0), [V0.H8] \
	FCVTL_4S(2, 0)          \
	FCVTL2_4S(3, 0)

#define LOAD16_BF16                   \
	VLD1.P 32(R0), [V0.H8, V1.H8] \
	WIDEN16_BF16

#define LOAD8_BF16                   \
	VLD1.P 16(R0), [V0.H8]      \
	VZIP1  V0.H8, V29.H8, V2.H8 \
	VZIP2  V0.H8, V29.H8, V3.H8

// QABS8 and QZP8 are QABS16 and QZP16 on V2-V3.
#define QABS8           \
	FMUL_4S(2, 2, 31)  \
	FMUL_4S(3, 3, 31)  \
	FCVTNS_4S(2, 2)    \
	FCVTNS_4S(3, 3)    \
	SQXTN_4H(6, 2)     \
	SQXTN2_8H(6, 3)    \
	SQXTN_8B(8, 6)     \
	SMAX_16B(8, 8, 30)

#define QZP8            \
	FMUL_4S(2, 2, 31)  \
	FMUL_4S(3, 3, 31)  \
	FADD_4S(2, 2, 30)  \
	FADD_4S(3, 3, 30)  \
	FCVTNS_4S(2, 2)    \
	FCVTNS_4S(3, 3)    \
	SQXTN_4H(6, 2)     \
	SQXTN2_8H(6, 3)    \
	SQXTN_8B(8, 6)

// func quantizeAbsmaxBlocksNEON(dst []int8, src []float32, scales []float32, block int)
TEXT ·quantizeAbsmaxBlocksNEON(SB), NOSPLIT, $0-80
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  scales_base+48(FP), R3
	MOVD  scales_len+56(FP), R5
	MOVD  block+72(FP), R6
	VMOVI $0x81, V30.B16 // -127
	QUANTIZEBLOCKS(PARAMS_ABSMAX, LOAD16_F32, LOAD8_F32, QABS16, QABS8)

// func quantizeZeroPointBlocksNEON(dst []int8, src []float32, scales, zeros []float32, block int)
TEXT ·quantizeZeroPointBlocksNEON(SB), NOSPLIT, $0-104
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD scales_base+48(FP), R3
	MOVD scales_len+56(FP), R5
	MOVD zeros_base+72(FP), R4
	MOVD block+96(FP), R6
	QUANTIZEBLOCKS(PARAMS_ZEROPOINT, LOAD16_F32, LOAD8_F32, QZP16, QZP8)

// func quantizeAbsmaxFloat16BlocksNEON(dst []int8, src []uint16, scales []float32, block int)
TEXT ·quantizeAbsmaxFloat16BlocksNEON(SB), NOSPLIT, $0-80
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  scales_base+48(FP), R3
	MOVD  scales_len+56(FP), R5
	MOVD  block+72(FP), R6
	VMOVI $0x81, V30.B16 // -127
	QUANTIZEBLOCKS(PARAMS_ABSMAX, LOAD16_F16, LOAD8_F16, QABS16, QABS8)

// func quantizeAbsmaxBFloat16BlocksNEON(dst []int8, src []uint16, scales []float32, block int)
TEXT ·quantizeAbsmaxBFloat16BlocksNEON(SB), NOSPLIT, $0-80
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  scales_base+48(FP), R3
	MOVD  scales_len+56(FP), R5
	MOVD  block+72(FP), R6
	VMOVI $0x81, V30.B16 // -127
	VEOR  V29.B16, V29.B16, V29.B16
	QUANTIZEBLOCKS(PARAMS_ABSMAX, LOAD16_BF16, LOAD8_BF16, QABS16, QABS8)

// func quantizeZeroPointFloat16BlocksNEON(dst []int8, src []uint16, scales, zeros []float32, block int)
TEXT ·quantizeZeroPointFloat16BlocksNEON(SB), NOSPLIT, $0-104
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD scales_base+48(FP), R3
	MOVD scales_len+56(FP), R5
	MOVD zeros_base+72(FP), R4
	MOVD block+96(FP), R6
	QUANTIZEBLOCKS(PARAMS_ZEROPOINT, LOAD16_F16, LOAD8_F16, QZP16, QZP8)

// func quantizeZeroPointBFloat16BlocksNEON(dst []int8, src []uint16, scales, zeros []float32, block int)
TEXT ·quantizeZeroPointBFloat16BlocksNEON(SB), NOSPLIT, $0-104
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD scales_base+48(FP), R3
	MOVD scales_len+56(FP), R5
	MOVD zeros_base+72(FP), R4
	MOVD block+96(FP), R6
	VEOR V29.B16, V29.B16, V29.B16
	QUANTIZEBLOCKS(PARAMS_ZEROPOINT, LOAD16_BF16, LOAD8_BF16, QZP16, QZP8)
