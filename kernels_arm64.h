// Macros of the arm64 kernels that several of the *_arm64.s files use
// (the index of the files is in kernels_arm64.s). A macro that serves one
// family stays in that family's file; neon_arm64.h holds only the
// WORD-encoded instructions. Include neon_arm64.h before this file: these
// macros expand to its WORDs. None of them branches.
//
//	SLICE          the loop nest of the per-slice kernels: convert,
//	               reduce, quantize and dequantize_arm64.s
//	BINOP4, UNOP4  one WORD instruction on four vectors: quantize,
//	               dequantize, gguf and blocks_arm64.s
//	PAIR, PAIRS    narrowing pairs (FCVTN, BFCVTN, SQXTN), and
//	SPLIT, SPLITS  widening ones (FCVTL, SXTL): convert, quantize,
//	BF16SPLIT      dequantize, gguf and blocks_arm64.s
//	LOADABS8/4     loads with the sign bits cleared, and their maximum:
//	ABSTREE8/4     reduce_arm64.s, gguf_arm64.s, blocks_arm64.s
//	LOADKEYS8/4    loads turned into order keys: reduce_arm64.s,
//	               blocks_arm64.s
//	BF16RNE        float32 -> bfloat16 rounding: convert_arm64.s,
//	BF16CONSTANTS  dequantize_arm64.s, gguf_arm64.s; its constants
//	KEY, KEY16     float32 and 16-bit order keys: reduce_arm64.s,
//	               blocks_arm64.s
//	WIDEN16_F16    16 or 4 binary16 or bfloat16 values to float32, and
//	WIDEN16_BF16   the loads around them (LOAD16W, LOAD4W, LOAD1W):
//	WIDEN4_F16     convert_arm64.s, quantize_arm64.s, blocks_arm64.s
//	WIDEN4_BF16
//	QABS16, QZP16  16 float32 values to int8: quantize_arm64.s,
//	QAFFINE16      blocks_arm64.s
//	AFFINE4/1      the scaling and zero point of every zero-point
//	               quantizer: quantize and fakequant_arm64.s
//	NANMAX16/4     the in-pass NaN test of the checked kernels:
//	NANSEEN        quantize and fakequant_arm64.s

// SLICE is the loop nest of every per-slice kernel (kernels_arm64.s):
// STEPN takes N elements while N remain, STEPM takes M while M remain,
// then STEP1 takes one at a time, each advancing R0 and R1 itself; N and
// M are immediates ($16, $4). R2 counts the elements left, biased by -N
// in the first loop. It defines
// the labels loopn, tail, loopm, one, loop1 and done, which the TEXT that
// uses it must not define; done is its last line, where the TEXT goes on
// with its epilogue and RET.
#define SLICE(N, STEPN, M, STEPM, STEP1) \
	SUBS N, R2                         \
	BLT  tail                          \
loopn:                                 \
	STEPN                              \
	SUBS N, R2                         \
	BGE  loopn                         \
tail:                                  \
	ADD N, R2                          \
	CMP M, R2                          \
	BLT one                            \
loopm:                                 \
	STEPM                              \
	SUB M, R2                          \
	CMP M, R2                          \
	BGE loopm                          \
one:                                   \
	CBZ R2, done                       \
loop1:                                 \
	STEP1                              \
	SUBS $1, R2                        \
	BNE  loop1                         \
done:

// LOADABS8 loads 128 bytes at R0 (advancing it) into V0-V7, as lanes of
// arrangement ARR (S4 or H8), and clears their sign bits with the mask in
// V31; LOADABS4 does the same with 64 bytes and V0-V3.
#define LOADABS8(ARR)                                      \
	VLD1.P 64(R0), [V0.ARR, V1.ARR, V2.ARR, V3.ARR] \
	VLD1.P 64(R0), [V4.ARR, V5.ARR, V6.ARR, V7.ARR] \
	VAND   V31.B16, V0.B16, V0.B16                  \
	VAND   V31.B16, V1.B16, V1.B16                  \
	VAND   V31.B16, V2.B16, V2.B16                  \
	VAND   V31.B16, V3.B16, V3.B16                  \
	VAND   V31.B16, V4.B16, V4.B16                  \
	VAND   V31.B16, V5.B16, V5.B16                  \
	VAND   V31.B16, V6.B16, V6.B16                  \
	VAND   V31.B16, V7.B16, V7.B16

#define LOADABS4(ARR)                                      \
	VLD1.P 64(R0), [V0.ARR, V1.ARR, V2.ARR, V3.ARR] \
	VAND   V31.B16, V0.B16, V0.B16                  \
	VAND   V31.B16, V1.B16, V1.B16                  \
	VAND   V31.B16, V2.B16, V2.B16                  \
	VAND   V31.B16, V3.B16, V3.B16

// ABSTREE8 is LOADABS8 then a tree of UMAX that leaves the lanewise
// maximum of V0-V7 in Vd; ABSTREE4 is LOADABS4 and the tree on V0-V3.
#define ABSTREE8(ARR, Vd)                  \
	LOADABS8(ARR)                       \
	VUMAX V1.ARR, V0.ARR, V0.ARR        \
	VUMAX V3.ARR, V2.ARR, V2.ARR        \
	VUMAX V5.ARR, V4.ARR, V4.ARR        \
	VUMAX V7.ARR, V6.ARR, V6.ARR        \
	VUMAX V2.ARR, V0.ARR, V0.ARR        \
	VUMAX V6.ARR, V4.ARR, V4.ARR        \
	VUMAX V4.ARR, V0.ARR, Vd.ARR

#define ABSTREE4(ARR, Vd)                  \
	LOADABS4(ARR)                       \
	VUMAX V1.ARR, V0.ARR, V0.ARR        \
	VUMAX V3.ARR, V2.ARR, V2.ARR        \
	VUMAX V2.ARR, V0.ARR, Vd.ARR

// LOADKEYS8 loads 128 bytes at R0 (advancing it) into V0-V7, as lanes of
// arrangement ARR, and turns them into order keys with KEY (KEY or KEY16,
// V8-V15 scratch); LOADKEYS4 does the same with 64 bytes, V0-V3 and V8-V11.
#define LOADKEYS8(ARR, KEY)                                \
	VLD1.P 64(R0), [V0.ARR, V1.ARR, V2.ARR, V3.ARR] \
	VLD1.P 64(R0), [V4.ARR, V5.ARR, V6.ARR, V7.ARR] \
	KEY(0, V0, 8, V8)                               \
	KEY(1, V1, 9, V9)                               \
	KEY(2, V2, 10, V10)                             \
	KEY(3, V3, 11, V11)                             \
	KEY(4, V4, 12, V12)                             \
	KEY(5, V5, 13, V13)                             \
	KEY(6, V6, 14, V14)                             \
	KEY(7, V7, 15, V15)

#define LOADKEYS4(ARR, KEY)                                \
	VLD1.P 64(R0), [V0.ARR, V1.ARR, V2.ARR, V3.ARR] \
	KEY(0, V0, 8, V8)                               \
	KEY(1, V1, 9, V9)                               \
	KEY(2, V2, 10, V10)                             \
	KEY(3, V3, 11, V11)

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

// PAIR narrows Va to the low half of Vd with CVT and Vb to its high half
// with CVT2, a pair of narrowing instructions of neon_arm64.h (FCVTN_4H
// and FCVTN2_8H, BFCVTN_4H and BFCVTN2_8H, SQXTN_4H and SQXTN2_8H,
// SQXTN_8B and SQXTN2_16B); PAIRS narrows Va, Vb to Vd and Vc, Vf to Ve.
// Registers are numbers.
#define PAIR(CVT, CVT2, d, a, b) \
	CVT(d, a)                  \
	CVT2(d, b)

#define PAIRS(CVT, CVT2, d, e, a, b, c, f) \
	PAIR(CVT, CVT2, d, a, b)             \
	PAIR(CVT, CVT2, e, c, f)

// SPLIT widens the low half of Vn to Va with XT and its high half to Vb
// with XT2 (FCVTL_4S and FCVTL2_4S, SXTL_8H and SXTL2_8H, SXTL_4S and
// SXTL2_4S); SPLITS widens Vm to Va, Vb and Vn to Vc, Vd. BF16SPLIT
// widens the eight bfloat16 of Vn to float32 in Va, Vb, zipping them with
// the zeros of Vz; its registers are names.
#define SPLIT(XT, XT2, a, b, n) \
	XT(a, n)                  \
	XT2(b, n)

#define SPLITS(XT, XT2, a, b, c, d, m, n) \
	SPLIT(XT, XT2, a, b, m)             \
	SPLIT(XT, XT2, c, d, n)

#define BF16SPLIT(Vz, Va, Vb, Vn)   \
	VZIP1 Vn.H8, Vz.H8, Va.H8  \
	VZIP2 Vn.H8, Vz.H8, Vb.H8

// BINOP4 sets Vx = OP(Vx, Vm) for x in a, b, c, d, and UNOP4 sets
// Vx = OP(Vx), with OP a WORD instruction of neon_arm64.h (FMUL_4S,
// FADD_4S, FDIV_4S; FCVTNS_4S, SCVTF_4S). Registers are numbers.
#define BINOP4(OP, a, b, c, d, m) \
	OP(a, a, m)                 \
	OP(b, b, m)                 \
	OP(c, c, m)                 \
	OP(d, d, m)

#define UNOP4(OP, a, b, c, d) \
	OP(a, a)                \
	OP(b, b)                \
	OP(c, c)                \
	OP(d, d)

// WIDEN16_F16 and WIDEN16_BF16 widen the 16 values of V0-V1 to the exact
// float32 values in V2-V5: FCVTL for binary16, and for bfloat16 a zip
// with zeros (Vz, which the kernel clears), bits<<16. WIDEN4_F16 and
// WIDEN4_BF16 widen the low 4 values of V0 to V2.
#define WIDEN16_F16 SPLITS(FCVTL_4S, FCVTL2_4S, 2, 3, 4, 5, 0, 1)

#define WIDEN16_BF16(Vz)         \
	BF16SPLIT(Vz, V2, V3, V0) \
	BF16SPLIT(Vz, V4, V5, V1)

#define WIDEN4_F16 FCVTL_4S(2, 0)

#define WIDEN4_BF16(Vz) VZIP1 V0.H8, Vz.H8, V2.H8

// LOAD16W loads 16 16-bit values at R0 into V0-V1, LOAD4W 4 into the low
// lanes of V0 and LOAD1W one into every lane of V0, advancing R0; then
// WIDEN (WIDEN16_* or WIDEN4_*) widens them.
#define LOAD16W(WIDEN)               \
	VLD1.P 32(R0), [V0.H8, V1.H8] \
	WIDEN

#define LOAD4W(WIDEN)     \
	FMOVD.P 8(R0), F0 \
	WIDEN

#define LOAD1W(WIDEN)          \
	VLD1R.P 2(R0), [V0.H8] \
	WIDEN

// LOAD16S, LOAD4S and LOAD1S load 16 float32 values at R0 into V0-V3, 4
// into V0 and one into its low lane, advancing R0.
#define LOAD16S VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]

#define LOAD4S VLD1.P 16(R0), [V0.S4]

#define LOAD1S FMOVS.P 4(R0), F0

// AFFINE4 maps the float32 lanes of Va-Vd in place to OP(x, V31), then
// RND of that, then plus the zero point in V30, each step rounded to
// float32 (never fused): OP is FMUL_4S (a scale, or PyTorch's reciprocal)
// or FDIV_4S (ONNX's divisor); RND is FRINTN_4S for the interop kernels,
// which round to an integer before they add the zero point, or NOROUND,
// the UNOP that does nothing, for the library's own, which round the sum.
// AFFINE1 does the same to Va alone. Registers are numbers.
#define NOROUND(d, n)

#define AFFINE4(OP, RND, a, b, c, d)    \
	BINOP4(OP, a, b, c, d, 31)      \
	UNOP4(RND, a, b, c, d)          \
	BINOP4(FADD_4S, a, b, c, d, 30)

#define AFFINE1(OP, RND, a) \
	OP(a, a, 31)        \
	RND(a, a)           \
	FADD_4S(a, a, 30)

// TOINT8_16 converts the float32 values of Va-Vd to int8 in the 16 bytes
// of Vr, through the int16 of Vh-Vi: FCVTNS rounds to nearest even and
// saturates, and each SQXTN saturates again. QABS16 quantizes Va-Vd with
// it as quantizeAbsmaxNEON, with the scale in V31 and -127 in every byte
// of V30; QAFFINE16 after AFFINE4, with the zero point in V30 and no
// SMAX; QZP16 is QAFFINE16 as quantizeZeroPointNEON. QABS4, QAFFINE4,
// QZP4 (quantize_arm64.s), QABS8 and QZP8 (blocks_arm64.s) are their
// shorter forms. Registers are numbers.
#define TOINT8_16(a, b, c, d, h, i, r)           \
	UNOP4(FCVTNS_4S, a, b, c, d)                \
	PAIRS(SQXTN_4H, SQXTN2_8H, h, i, a, b, c, d) \
	PAIR(SQXTN_8B, SQXTN2_16B, r, h, i)

#define QABS16(a, b, c, d, h, i, r)      \
	BINOP4(FMUL_4S, a, b, c, d, 31)    \
	TOINT8_16(a, b, c, d, h, i, r)     \
	SMAX_16B(r, r, 30)

#define QAFFINE16(OP, RND, a, b, c, d, h, i, r) \
	AFFINE4(OP, RND, a, b, c, d)              \
	TOINT8_16(a, b, c, d, h, i, r)

#define QZP16(a, b, c, d, h, i, r) QAFFINE16(FMUL_4S, NOROUND, a, b, c, d, h, i, r)

// The checked kernels' NaN test, in the same pass: NANMAX16 folds the
// four vectors of float32 values a, b, c, d into the accumulator Vn
// through a tree in Vt-Vu, with FMAX (which, unlike FMAXNM, gives a NaN
// where either operand is one); NANMAX4 folds a alone. Vn starts at +0
// and holds a NaN lane at the end exactly where a NaN was seen. NANSEEN
// then sets R4 to 1 if a lane of Vn is a NaN, else to 0: FCMEQ of Vn
// with itself is all ones exactly where it is not, and the two halves
// ANDed are all ones (CMN #1 sets Z) only if no lane is NaN. It uses R5.
// Registers are numbers, and Vn comes as a name too.
#define NANMAX16(a, b, c, d, t, u, n) \
	FMAX_4S(t, a, b)              \
	FMAX_4S(u, c, d)              \
	FMAX_4S(t, t, u)              \
	FMAX_4S(n, n, t)

#define NANMAX4(a, n) FMAX_4S(n, n, a)

#define NANSEEN(n, Vn)         \
	FCMEQ_4S(n, n, n)      \
	VMOV Vn.D[0], R4       \
	VMOV Vn.D[1], R5       \
	AND  R5, R4            \
	CMN  $1, R4            \
	CSET NE, R4
