//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"
#include "kernels_arm64.h"

// fakequant_arm64.s: fake quantization for quantization-aware training,
// each value replaced by the dequantized value of its quantization, in
// one pass.
//
//	fakeQuantizeNEON  []float32 -> []float32, scale, zero point, [qmin, qmax]
//
// One kernel: SLICE (kernels_arm64.h) with 16, then 4 values per
// iteration, then one. LOAD16S, LOAD4S and LOAD1S are in kernels_arm64.h.

// FAKEQUANT4 fake-quantizes the float32 lanes of Va, Vb, Vc, Vd in place,
// and FAKEQUANT1 those of Va alone: times the scale (V31), then plus
// float32(zero) (V30), each rounded (FMUL then FADD, never FMLA);
// FCVTNS rounds to nearest even (FPCR.RMode) and saturates to int32,
// ±Inf to the ends; SMAX and SMIN clamp to [qmin, qmax] (V28, V29),
// which equals the reference's clamp in float before the rounding,
// because both ends are integers; minus the zero point (V27) as int32,
// exact; SCVTF (round to nearest even), then a true FDIV by the scale.
// Registers come as numbers (for the WORD macros) and as names.
#define FAKEQUANT4(a, b, c, d, Va, Vb, Vc, Vd) \
	BINOP4(FMUL_4S, a, b, c, d, 31) \
	BINOP4(FADD_4S, a, b, c, d, 30) \
	UNOP4(FCVTNS_4S, a, b, c, d)    \
	BINOP4(SMAX_4S, a, b, c, d, 28) \
	BINOP4(SMIN_4S, a, b, c, d, 29) \
	VSUB V27.S4, Va.S4, Va.S4       \
	VSUB V27.S4, Vb.S4, Vb.S4       \
	VSUB V27.S4, Vc.S4, Vc.S4       \
	VSUB V27.S4, Vd.S4, Vd.S4       \
	UNOP4(SCVTF_4S, a, b, c, d)     \
	BINOP4(FDIV_4S, a, b, c, d, 31)

#define FAKEQUANT1(a, Va)         \
	FMUL_4S(a, a, 31)         \
	FADD_4S(a, a, 30)         \
	FCVTNS_4S(a, a)           \
	SMAX_4S(a, a, 28)         \
	SMIN_4S(a, a, 29)         \
	VSUB V27.S4, Va.S4, Va.S4 \
	SCVTF_4S(a, a)            \
	FDIV_4S(a, a, 31)

// FQSTEP16, FQSTEP4 and FQSTEP1 fake-quantize 16, 4 and 1 values at R0
// into R1, advancing both. LOAD1S fills the low lane of V0 and clears the
// others, whose results are not stored.
#define FQSTEP16                                         \
	LOAD16S                                          \
	FAKEQUANT4(0, 1, 2, 3, V0, V1, V2, V3)           \
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R1)

#define FQSTEP4                  \
	LOAD4S                   \
	FAKEQUANT1(0, V0)        \
	VST1.P [V0.S4], 16(R1)

#define FQSTEP1                  \
	LOAD1S                   \
	FAKEQUANT1(0, V0)        \
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
	SLICE($16, FQSTEP16, $4, FQSTEP4, FQSTEP1)
	RET
