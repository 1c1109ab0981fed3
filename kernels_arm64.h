// Macros of the arm64 kernels that several of the *_arm64.s files use
// (the index of the files is in kernels_arm64.s). A macro that serves one
// family stays in that family's file; neon_arm64.h holds only the
// WORD-encoded instructions. Include neon_arm64.h before this file: these
// macros expand to its WORDs. None of them branches.
//
//	BF16RNE        float32 -> bfloat16 rounding: convert_arm64.s,
//	               dequantize_arm64.s, q8_0_arm64.s
//	BF16CONSTANTS  the constants of BF16RNE: dequantize_arm64.s,
//	               q8_0_arm64.s
//	KEY, KEY16     float32 and 16-bit order keys: reduce_arm64.s,
//	               blocks_arm64.s
//	WIDEN16_F16    16 binary16 or bfloat16 values to float32:
//	WIDEN16_BF16   quantize_arm64.s, blocks_arm64.s
//	QABS16, QZP16  16 float32 values to int8: quantize_arm64.s,
//	               blocks_arm64.s

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

// BF16CONSTANTS sets V30 and V31 for BF16RNE, through R3.
#define BF16CONSTANTS            \
	MOVW $0x7FFF, R3            \
	VDUP R3, V30.S4             \
	MOVW $0x00400000, R3        \
	VDUP R3, V31.S4

// KEY turns the float32 bits in Vx into order keys in place:
// x ^ (x >>arith 31) >>logical 1 flips the magnitude bits of negatives.
// Vt is scratch; registers come as numbers and as names, as in BF16RNE.
#define KEY(x, Vx, t, Vt) \
	SSHR31_4S(t, x)            \
	VUSHR $1, Vt.S4, Vt.S4     \
	VEOR  Vt.B16, Vx.B16, Vx.B16

// KEY16 is KEY on 16-bit lanes: x ^ (x >>arith 15) >>logical 1.
#define KEY16(x, Vx, t, Vt) \
	SSHR15_8H(t, x)            \
	VUSHR $1, Vt.H8, Vt.H8     \
	VEOR  Vt.B16, Vx.B16, Vx.B16

// WIDEN16_F16 and WIDEN16_BF16 widen the 16 values of V0-V1 to the exact
// float32 values in V2-V5: FCVTL for binary16, and for bfloat16 a zip
// with zeros (V29, which the kernel clears), bits<<16.
#define WIDEN16_F16 \
	FCVTL_4S(2, 0)  \
	FCVTL2_4S(3, 0) \
	FCVTL_4S(4, 1)  \
	FCVTL2_4S(5, 1)

#define WIDEN16_BF16                \
	VZIP1 V0.H8, V29.H8, V2.H8 \
	VZIP2 V0.H8, V29.H8, V3.H8 \
	VZIP1 V1.H8, V29.H8, V4.H8 \
	VZIP2 V1.H8, V29.H8, V5.H8

// QABS16 quantizes V2-V5 as quantizeAbsmaxNEON, with the scale in V31 and
// -127 in every byte of V30, to the 16 bytes of V8 (V6-V7 hold the int16
// step); QABS4 (quantize_arm64.s) and QABS8 (blocks_arm64.s) quantize V2
// and V2-V3 to the low 4 and 8 bytes of V8.
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

// QZP16 is QABS16 for quantizeZeroPointNEON, with the zero point in V30
// and no SMAX (QZP4 and QZP8 are its shorter forms).
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
