//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"
#include "kernels_arm64.h"

// fakequant_arm64.s: fake quantization for quantization-aware training,
// each value replaced by the dequantized value of its quantization, in
// one pass, and the backward pass of its straight-through estimator.
//
//	fakeQuantizeNEON      []float32 -> []float32, scale, zero point, [qmin, qmax]
//	fakeQuantizeMaskNEON  the same, and a mask byte per value: 1 where the
//	                      rounded value lies within [qmin, qmax]
//	fakeQuantizePyTorchPlainNEON, fakeQuantizePyTorchMaskNEON
//	                      the two in PyTorch's arithmetic (rounding before
//	                      the zero point is added, and a product by the
//	                      scale), reporting NaNs in the same pass
//	maskGradientNEON      []float32 -> []float32 where the mask byte is set,
//	                      +0 where it is 0
//
// Five kernels: SLICE (kernels_arm64.h) with 16, then 4 values per
// iteration, then one. The four fake quantizers share their arithmetic,
// FAKEQUANT4 and FAKEQUANT1 cut at the clamp, with hooks for the method.
// LOAD16S, LOAD4S, LOAD1S, AFFINE4, AFFINE1 and the NaN test (NANMAX16,
// NANMAX4, NANSEEN) are in kernels_arm64.h.

// FAKEQUANT4 fake-quantizes the float32 lanes of Va, Vb, Vc, Vd in place,
// and FAKEQUANT1 those of Va alone: times the multiplier (V31: the
// scale, or PyTorch's reciprocal), RND (NOROUND, or FRINTN_4S for
// PyTorch, which rounds to an integer before it adds the zero point),
// then plus float32(zero) (V30), each rounded (AFFINE4, never FMLA);
// FCVTNS rounds to nearest even (FPCR.RMode; PyTorch's value is integral
// already) and saturates to int32, ±Inf to the ends; SMAX and SMIN clamp
// to [qmin, qmax] (V28, V29), which equals the reference's clamp in float
// before the rounding, because both ends are integers; minus the zero
// point (V27) as int32, exact; SCVTF (round to nearest even; exact for
// PyTorch's grids, within ±2^23 with the zero point, so that the
// difference is its float one), then OP with the scale in register s:
// a true FDIV (FDIV_4S), or PyTorch's product (FMUL_4S). They are
// FQROUND (up to FCVTNS, in place), FQCLAMP (from the rounded lanes of
// a..d into e..h, which may be the same registers) and FQBACK (the rest,
// in place), which the mask kernels call apart.
// Registers come as numbers (for the WORD macros) and as names.
#define FAKEQUANT4(RND, OP, s, a, b, c, d, Va, Vb, Vc, Vd) \
	FQROUND4(RND, a, b, c, d)                          \
	FQCLAMP4(a, b, c, d, a, b, c, d)                   \
	FQBACK4(OP, s, a, b, c, d, Va, Vb, Vc, Vd)

#define FAKEQUANT1(RND, OP, s, a, Va) \
	FQROUND1(RND, a)              \
	FQCLAMP1(a, a)                \
	FQBACK1(OP, s, a, Va)

#define FQROUND4(RND, a, b, c, d)         \
	AFFINE4(FMUL_4S, RND, a, b, c, d) \
	UNOP4(FCVTNS_4S, a, b, c, d)

#define FQCLAMP4(a, b, c, d, e, f, g, h) \
	SMAX_4S(e, a, 28)                \
	SMAX_4S(f, b, 28)                \
	SMAX_4S(g, c, 28)                \
	SMAX_4S(h, d, 28)                \
	BINOP4(SMIN_4S, e, f, g, h, 29)

#define FQBACK4(OP, s, e, f, g, h, Ve, Vf, Vg, Vh) \
	VSUB V27.S4, Ve.S4, Ve.S4       \
	VSUB V27.S4, Vf.S4, Vf.S4       \
	VSUB V27.S4, Vg.S4, Vg.S4       \
	VSUB V27.S4, Vh.S4, Vh.S4       \
	UNOP4(SCVTF_4S, e, f, g, h)     \
	BINOP4(OP, e, f, g, h, s)

#define FQROUND1(RND, a)         \
	AFFINE1(FMUL_4S, RND, a) \
	FCVTNS_4S(a, a)

#define FQCLAMP1(a, e)    \
	SMAX_4S(e, a, 28) \
	SMIN_4S(e, e, 29)

#define FQBACK1(OP, s, e, Ve)     \
	VSUB V27.S4, Ve.S4, Ve.S4 \
	SCVTF_4S(e, e)            \
	OP(e, e, s)

// NOCHECK is the CHECK hook of the steps below for the kernels without a
// NaN test; the PyTorch kernels pass NANMAX16 or NANMAX4 on the loaded
// values (V0-V3, before they are overwritten).
#define NOCHECK

// FQSTEP16, FQSTEP4 and FQSTEP1 fake-quantize 16, 4 and 1 values at R0
// into R1, advancing both; CHECK, RND, OP and s are FAKEQUANT4's hooks.
// LOAD1S fills the low lane of V0 and clears the others, whose results
// are not stored (and which hold no NaN).
#define FQSTEP16(CHECK, RND, OP, s)                        \
	LOAD16S                                            \
	CHECK                                              \
	FAKEQUANT4(RND, OP, s, 0, 1, 2, 3, V0, V1, V2, V3) \
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R1)

#define FQSTEP4(CHECK, RND, OP, s)    \
	LOAD4S                        \
	CHECK                         \
	FAKEQUANT1(RND, OP, s, 0, V0) \
	VST1.P [V0.S4], 16(R1)

#define FQSTEP1(CHECK, RND, OP, s)    \
	LOAD1S                        \
	CHECK                         \
	FAKEQUANT1(RND, OP, s, 0, V0) \
	FMOVS.P F0, 4(R1)

// func fakeQuantizeNEON(dst, src []float32, scale float32, zero, qmin, qmax int32)
// The four vectors of a step are independent chains; the divisions bound
// its speed where the data is in cache. dst may be src: each step loads
// its values before it stores them.
//
// Registers:
//	R0  src            V0-V3   values, then int32, then results
//	R1  dst            V27     zero point (int32)
//	R2  elements left  V28     qmin (int32)
//	R3  scratch        V29     qmax (int32)
//	                   V30     float32(zero)
//	                   V31     scale
TEXT ·fakeQuantizeNEON(SB), NOSPLIT, $0-64
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS scale+48(FP), F31
	VDUP  V31.S[0], V31.S4
	MOVW  zero+52(FP), R3
	VDUP  R3, V27.S4
	SCVTF_4S(30, 27)
	MOVW  qmin+56(FP), R3
	VDUP  R3, V28.S4
	MOVW  qmax+60(FP), R3
	VDUP  R3, V29.S4
	SLICE($16, FQSTEP16(NOCHECK, NOROUND, FDIV_4S, 31), $4, FQSTEP4(NOCHECK, NOROUND, FDIV_4S, 31), FQSTEP1(NOCHECK, NOROUND, FDIV_4S, 31))
	RET

// The mask of fakeQuantizeMaskNEON: a rounded value lies within
// [qmin, qmax] exactly where the clamp leaves it as it is, so CMEQ of the
// rounded int32 and the clamped one is all ones there and 0 elsewhere.
// FCVTNS rounds as the reference's roundEven and saturates huge values and
// ±Inf to INT32_MIN or INT32_MAX, which lie outside every grid (qmin and
// qmax are within [-128, 127], or ±2^23 for PyTorch's), as their float
// values do. UZP1 keeps the
// low half of each lane, twice, which narrows the all-ones or 0 lanes to
// bytes in order; USHR by 7 makes them 1 or 0.

// MASK4 narrows the four lane masks of Va, Vb, Vc, Vd to the 16 bytes of
// Vr, through Vt; MASK1 the four of Va to the low 4 bytes of Vr.
#define MASK4(Va, Vb, Vc, Vd, Vt, Vr)     \
	VUZP1 Vb.H8, Va.H8, Vr.H8      \
	VUZP1 Vd.H8, Vc.H8, Vt.H8      \
	VUZP1 Vt.B16, Vr.B16, Vr.B16   \
	VUSHR $7, Vr.B16, Vr.B16

#define MASK1(Va, Vr)                  \
	VUZP1 Va.H8, Va.H8, Vr.H8      \
	VUZP1 Vr.B16, Vr.B16, Vr.B16   \
	VUSHR $7, Vr.B16, Vr.B16

// FQMSTEP16, FQMSTEP4 and FQMSTEP1 fake-quantize 16, 4 and 1 values at R0
// into R1 and store their mask bytes at R3, advancing all three: the
// rounded int32 stay in V0-V3, the clamped ones go to V4-V7, which end
// as the results, and V0-V3 become the lane masks. CHECK, RND, OP and s
// are FQSTEP16's.
#define FQMSTEP16(CHECK, RND, OP, s)                     \
	LOAD16S                                          \
	CHECK                                            \
	FQROUND4(RND, 0, 1, 2, 3)                        \
	FQCLAMP4(0, 1, 2, 3, 4, 5, 6, 7)                 \
	VCMEQ V4.S4, V0.S4, V0.S4                        \
	VCMEQ V5.S4, V1.S4, V1.S4                        \
	VCMEQ V6.S4, V2.S4, V2.S4                        \
	VCMEQ V7.S4, V3.S4, V3.S4                        \
	FQBACK4(OP, s, 4, 5, 6, 7, V4, V5, V6, V7)       \
	MASK4(V0, V1, V2, V3, V9, V8)                    \
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R1)      \
	VST1.P [V8.B16], 16(R3)

#define FQMSTEP4(CHECK, RND, OP, s) \
	LOAD4S                     \
	CHECK                      \
	FQROUND1(RND, 0)           \
	FQCLAMP1(0, 4)             \
	VCMEQ V4.S4, V0.S4, V0.S4  \
	FQBACK1(OP, s, 4, V4)      \
	MASK1(V0, V8)              \
	VST1.P  [V4.S4], 16(R1)    \
	FMOVS.P F8, 4(R3)

#define FQMSTEP1(CHECK, RND, OP, s) \
	LOAD1S                     \
	CHECK                      \
	FQROUND1(RND, 0)           \
	FQCLAMP1(0, 4)             \
	VCMEQ V4.S4, V0.S4, V0.S4  \
	FQBACK1(OP, s, 4, V4)      \
	MASK1(V0, V8)              \
	FMOVS.P F4, 4(R1)          \
	VMOV    V8.B[0], R4        \
	MOVB.P  R4, 1(R3)

// func fakeQuantizeMaskNEON(dst, src []float32, mask []uint8, scale float32, zero, qmin, qmax int32)
// fakeQuantizeNEON's steps with the clamp out of place, a CMEQ per
// vector and the narrowing of the masks (3 UZP1 and a USHR per 16
// values). dst may be src: each step loads its values before it stores
// them.
//
// Registers:
//	R0  src            V0-V3   values, then rounded int32, then lane masks
//	R1  dst            V4-V7   clamped int32, then results
//	R2  elements left  V8      mask bytes
//	R3  mask           V9      scratch (MASK4)
//	R4  scratch        V27     zero point (int32)
//	                   V28     qmin (int32)
//	                   V29     qmax (int32)
//	                   V30     float32(zero)
//	                   V31     scale
TEXT ·fakeQuantizeMaskNEON(SB), NOSPLIT, $0-88
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	MOVD  mask_base+48(FP), R3
	FMOVS scale+72(FP), F31
	VDUP  V31.S[0], V31.S4
	MOVW  zero+76(FP), R4
	VDUP  R4, V27.S4
	SCVTF_4S(30, 27)
	MOVW  qmin+80(FP), R4
	VDUP  R4, V28.S4
	MOVW  qmax+84(FP), R4
	VDUP  R4, V29.S4
	SLICE($16, FQMSTEP16(NOCHECK, NOROUND, FDIV_4S, 31), $4, FQMSTEP4(NOCHECK, NOROUND, FDIV_4S, 31), FQMSTEP1(NOCHECK, NOROUND, FDIV_4S, 31))
	RET

// PyTorch's fake quantizer (kernels.Set.FakeQuantizePyTorch) is the two
// kernels above with FRINTN before the zero point is added (RND) and a
// product by the scale (OP = FMUL_4S, the scale in V26) for the quotient,
// and the NaN test of the checked quantizers on the loaded values (CHECK,
// into V25). v = float32(roundEven(x*inv)) + float32(zero) is integral
// or ±Inf, so FCVTNS converts it exactly or saturates beyond the grid
// (qmin and qmax within ±2^23) on its side, and the int32 clamp and
// mask equal the reference's float ones. The Go wrapper picks the mask
// kernel only where mask is not nil.

// func fakeQuantizePyTorchPlainNEON(dst, src []float32, inv, scale float32, zero, qmin, qmax int32) (nan bool)
// dst may be src: each step loads its values before it stores them.
//
// Registers: those of fakeQuantizeNEON, with inv in V31, and
//	R4  NaN seen (result)   V23-V24  scratch (NANMAX16)
//	R5  scratch (NANSEEN)   V25      FMAX of the values (NaN where seen)
//	                        V26      scale
TEXT ·fakeQuantizePyTorchPlainNEON(SB), NOSPLIT, $0-73
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	FMOVS inv+48(FP), F31
	VDUP  V31.S[0], V31.S4
	FMOVS scale+52(FP), F26
	VDUP  V26.S[0], V26.S4
	MOVW  zero+56(FP), R3
	VDUP  R3, V27.S4
	SCVTF_4S(30, 27)
	MOVW  qmin+60(FP), R3
	VDUP  R3, V28.S4
	MOVW  qmax+64(FP), R3
	VDUP  R3, V29.S4
	VEOR  V25.B16, V25.B16, V25.B16
	SLICE($16, FQSTEP16(NANMAX16(0, 1, 2, 3, 23, 24, 25), FRINTN_4S, FMUL_4S, 26), $4, FQSTEP4(NANMAX4(0, 25), FRINTN_4S, FMUL_4S, 26), FQSTEP1(NANMAX4(0, 25), FRINTN_4S, FMUL_4S, 26))
	NANSEEN(25, V25)
	MOVB  R4, nan+72(FP)
	RET

// func fakeQuantizePyTorchMaskNEON(dst, src []float32, mask []uint8, inv, scale float32, zero, qmin, qmax int32) (nan bool)
// dst may be src: each step loads its values before it stores them.
//
// Registers: those of fakeQuantizeMaskNEON, with inv in V31, and
//	R4  scratch, then NaN seen (result)   V23-V24  scratch (NANMAX16)
//	R5  scratch (NANSEEN)                 V25      FMAX of the values
//	                                      V26      scale
TEXT ·fakeQuantizePyTorchMaskNEON(SB), NOSPLIT, $0-97
	MOVD  dst_base+0(FP), R1
	MOVD  src_base+24(FP), R0
	MOVD  src_len+32(FP), R2
	MOVD  mask_base+48(FP), R3
	FMOVS inv+72(FP), F31
	VDUP  V31.S[0], V31.S4
	FMOVS scale+76(FP), F26
	VDUP  V26.S[0], V26.S4
	MOVW  zero+80(FP), R4
	VDUP  R4, V27.S4
	SCVTF_4S(30, 27)
	MOVW  qmin+84(FP), R4
	VDUP  R4, V28.S4
	MOVW  qmax+88(FP), R4
	VDUP  R4, V29.S4
	VEOR  V25.B16, V25.B16, V25.B16
	SLICE($16, FQMSTEP16(NANMAX16(0, 1, 2, 3, 23, 24, 25), FRINTN_4S, FMUL_4S, 26), $4, FQMSTEP4(NANMAX4(0, 25), FRINTN_4S, FMUL_4S, 26), FQMSTEP1(NANMAX4(0, 25), FRINTN_4S, FMUL_4S, 26))
	NANSEEN(25, V25)
	MOVB  R4, nan+96(FP)
	RET

// The gradient of maskGradientNEON: CMTST of a mask byte with itself is
// all ones where it is not 0 (the reference passes the gradient where
// mask[i] != 0), and sign extension (SXTL, twice) widens that to the
// byte's 32-bit lane, which an AND applies to the gradient: +0 where the
// mask is 0, whatever the gradient's sign. A single byte is loaded to
// every byte of the vector (LD1R), so every lane is already its mask.

// GRADSTEP16, GRADSTEP4 and GRADSTEP1 take 16, 4 and 1 gradients at R0
// and their mask bytes at R3 into R1, advancing all three; none reads a
// mask byte past the ones it takes.
#define GRADSTEP16                                       \
	LOAD16S                                          \
	VLD1.P 16(R3), [V4.B16]                          \
	VCMTST V4.B16, V4.B16, V4.B16                    \
	SPLIT(SXTL_8H, SXTL2_8H, 5, 6, 4)                \
	SPLITS(SXTL_4S, SXTL2_4S, 16, 17, 18, 19, 5, 6)  \
	VAND   V16.B16, V0.B16, V0.B16                   \
	VAND   V17.B16, V1.B16, V1.B16                   \
	VAND   V18.B16, V2.B16, V2.B16                   \
	VAND   V19.B16, V3.B16, V3.B16                   \
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R1)

#define GRADSTEP4                         \
	LOAD4S                            \
	FMOVS.P 4(R3), F4                 \
	VCMTST  V4.B16, V4.B16, V4.B16    \
	SXTL_8H(4, 4)                     \
	SXTL_4S(4, 4)                     \
	VAND    V4.B16, V0.B16, V0.B16    \
	VST1.P  [V0.S4], 16(R1)

#define GRADSTEP1                         \
	LOAD1S                            \
	VLD1R.P 1(R3), [V4.B16]           \
	VCMTST  V4.B16, V4.B16, V4.B16    \
	VAND    V4.B16, V0.B16, V0.B16    \
	FMOVS.P F0, 4(R1)

// func maskGradientNEON(dst, grad []float32, mask []uint8)
// 16 gradients per step: a CMTST, six SXTL and four AND. dst may be
// grad: each step loads its values before it stores them.
//
// Registers:
//	R0  grad           V0-V3    gradients, then results
//	R1  dst            V4       mask bytes, then byte masks
//	R2  elements left  V5-V6    16-bit masks
//	R3  mask           V16-V19  32-bit lane masks
TEXT ·maskGradientNEON(SB), NOSPLIT, $0-72
	MOVD dst_base+0(FP), R1
	MOVD grad_base+24(FP), R0
	MOVD grad_len+32(FP), R2
	MOVD mask_base+48(FP), R3
	SLICE($16, GRADSTEP16, $4, GRADSTEP4, GRADSTEP1)
	RET
