//go:build !purego && !noasm

#include "textflag.h"
#include "kernels_amd64.h"

// The dequantizers: int8 to float32, binary16 and bfloat16 (absmax is
// zero-point with zero 0).
// kernels_amd64.s describes what every file shares.
//
//   dequantizeZeroPointAVX2
//   dequantizeZeroPointFloat16AVX2
//   dequantizeZeroPointBFloat16AVX2
//   dequantizeAffine{,Float16,BFloat16}AVX2

// LOAD8TAIL loads the CX-AX (1..7) bytes at SI+AX into the low bytes of X0
// like LOAD16TAIL, with the same registers (DX, R9, R10).
#define LOAD8TAIL \
	MOVQ    CX, DX                 \
	SUBQ    AX, DX                 \
	LEAQ    (SI)(AX*1), R9         \
	VPXOR   X0, X0, X0             \
	TESTQ   $1, DX                 \
	JZ      ld2                    \
	MOVQ    DX, R10                \
	ANDQ    $6, R10                \
	VPINSRB $0, (R9)(R10*1), X0, X0 \
ld2:                               \
	TESTQ   $2, DX                 \
	JZ      ld4                    \
	MOVQ    DX, R10                \
	ANDQ    $4, R10                \
	VPSLLDQ $2, X0, X0             \
	VPINSRW $0, (R9)(R10*1), X0, X0 \
ld4:                               \
	TESTQ   $4, DX                 \
	JZ      ldok                   \
	VPSLLDQ $4, X0, X0             \
	VPINSRD $0, (R9), X0, X0       \
ldok:

// The dequantization kernels compute the correctly rounded quotient
// n / scale of each numerator n = float32(q - zero), n exact, as VDIVPS
// does. VDIVPS bounds them (one per 8 lanes), so inside a domain they
// take the reciprocal r = 1/scale, correctly rounded (VDIVSS, once), and
// per lane
//
//	y = n*r, e = n - y*scale (fused: exact), result = e*r + y (fused),
//
// which is the correctly rounded quotient there. The domain is
// -128 <= zero <= 128, so n is an integer in [-256, 255], and
// 2^-64 <= |scale| <= 2^64. Why that suffices: multiplying scale by 2^k
// multiplies r, y and the result by 2^-k exactly and leaves e as it is,
// as long as nothing overflows or goes subnormal, which the domain rules
// out (results within [2^-64, 2^72] in magnitude, e zero or at least
// about 2^-48, e*r at least about 2^-112); and every step is odd in the
// sign of scale. So every significand of scale in [1, 2) against every
// n in [-256, 255] covers the domain, and the conformance suite's
// exhaustive check (kerneltest, exhaustDequantDomain) runs exactly that.
// Outside the domain the kernels divide.

// DEQUANTFAST jumps to slow unless the call is inside the domain above
// (unsigned compares: zero+128 <= 256, and the bits of |scale| minus
// those of 2^-64, 0x1F800000, at most those of 2^64, 0x5F800000, minus
// the same); else it leaves r = 1/scale in every lane of Yr. Xs and Xz
// hold scale and zero in their low lanes; R9 is scratch.
#define DEQUANTFAST(Xs, Xz, Xr, Yr, slow) \
	VMOVD        Xz, R9          \
	ADDL         $128, R9        \
	CMPL         R9, $256        \
	JA           slow            \
	VMOVD        Xs, R9          \
	ANDL         $0x7FFFFFFF, R9 \
	SUBL         $0x1F800000, R9 \
	CMPL         R9, $0x40000000 \
	JA           slow            \
	MOVL         $0x3F800000, R9 \
	VMOVD        R9, Xr          \
	VDIVSS       Xs, Xr, Xr      \
	VBROADCASTSS Xr, Yr

// DEQUANTFMA4 leaves in Y0..Y3 the quotients of the 32 int8 at SI inside
// the domain of DEQUANTFAST: s, z and r hold scale, zero and 1/scale in
// every lane. Y4..Y7 are scratch.
#define DEQUANTFMA4(s, z, r) \
	VPMOVSXBD    (SI), Y4    \
	VPMOVSXBD    8(SI), Y5   \
	VPMOVSXBD    16(SI), Y6  \
	VPMOVSXBD    24(SI), Y7  \
	VPSUBD       z, Y4, Y4   \
	VPSUBD       z, Y5, Y5   \
	VPSUBD       z, Y6, Y6   \
	VPSUBD       z, Y7, Y7   \
	VCVTDQ2PS    Y4, Y4      \
	VCVTDQ2PS    Y5, Y5      \
	VCVTDQ2PS    Y6, Y6      \
	VCVTDQ2PS    Y7, Y7      \
	VMULPS       r, Y4, Y0   \
	VMULPS       r, Y5, Y1   \
	VMULPS       r, Y6, Y2   \
	VMULPS       r, Y7, Y3   \
	VFNMADD231PS s, Y0, Y4   \
	VFNMADD231PS s, Y1, Y5   \
	VFNMADD231PS s, Y2, Y6   \
	VFNMADD231PS s, Y3, Y7   \
	VFMADD231PS  r, Y4, Y0   \
	VFMADD231PS  r, Y5, Y1   \
	VFMADD231PS  r, Y6, Y2   \
	VFMADD231PS  r, Y7, Y3

// DEQUANTFMA1 is DEQUANTFMA4 for the 8 int8 at SI, into Y0 (Y4 scratch).
#define DEQUANTFMA1(s, z, r) \
	VPMOVSXBD    (SI), Y4  \
	VPSUBD       z, Y4, Y4 \
	VCVTDQ2PS    Y4, Y4    \
	VMULPS       r, Y4, Y0 \
	VFNMADD231PS s, Y0, Y4 \
	VFMADD231PS  r, Y4, Y0

// DEQUANTHINT hints the output at DI 1024 values of size bytes ahead.
#define DEQUANTHINT(size) \
	PREFETCHT0 (1024*size)(DI)    \
	PREFETCHT0 (1024*size+64)(DI)

// DEQUANTFASTLOOPS runs the fast path over all but the last CX%8
// elements, 32 then 8 at a time: DEQUANTFMA4 or DEQUANTFMA1, then
// store4 or store1, which store Y0..Y3 or Y0 at DI. It advances SI by
// the elements done and DI by size bytes per element, leaves in CX the
// CX%8 left (AX is 0) and jumps to tail, which finishes them by division:
// the same quotients. BX is the loop counter. The 32-wide loop hints the
// output 1024 values ahead (see "Prefetching" above).
#define DEQUANTFASTLOOPS(s, z, r, size, store4, store1) \
	MOVQ CX, BX               \
	SHRQ $5, BX               \
	JZ   fast8                \
	HINTGATE(CX)              \
	PCALIGN $32 \
fast32:                       \
	HINTS(DEQUANTHINT(size), nohint) \
	DEQUANTFMA4(s, z, r)      \
	store4                    \
	ADDQ $32, SI              \
	ADDQ $(32*size), DI       \
	DECQ BX                   \
	JNZ  fast32               \
fast8:                        \
	ANDQ $31, CX              \
	MOVQ CX, BX               \
	SHRQ $3, BX               \
	JZ   fastrest             \
fast8loop:                    \
	DEQUANTFMA1(s, z, r)      \
	store1                    \
	ADDQ $8, SI               \
	ADDQ $(8*size), DI        \
	DECQ BX                   \
	JNZ  fast8loop            \
fastrest:                     \
	ANDQ $7, CX               \
	JMP  tail

#define STOREF32X4 \
	VMOVUPS Y0, (DI)   \
	VMOVUPS Y1, 32(DI) \
	VMOVUPS Y2, 64(DI) \
	VMOVUPS Y3, 96(DI)

#define STOREF32X1 \
	VMOVUPS Y0, (DI)

// DEQUANT4 leaves in Y0..Y3 the 32 values of the division path for
// the int8 at SI+AX: s holds scale, z zero in every lane. OP is VDIVPS,
// or VMULPS for the affine dequantizers' product.
#define DEQUANT4(OP, s, z) \
	VPMOVSXBD (SI)(AX*1), Y0   \
	VPMOVSXBD 8(SI)(AX*1), Y1  \
	VPMOVSXBD 16(SI)(AX*1), Y2 \
	VPMOVSXBD 24(SI)(AX*1), Y3 \
	VPSUBD    z, Y0, Y0        \
	VPSUBD    z, Y1, Y1        \
	VPSUBD    z, Y2, Y2        \
	VPSUBD    z, Y3, Y3        \
	VCVTDQ2PS Y0, Y0           \
	VCVTDQ2PS Y1, Y1           \
	VCVTDQ2PS Y2, Y2           \
	VCVTDQ2PS Y3, Y3           \
	OP        s, Y0, Y0        \
	OP        s, Y1, Y1        \
	OP        s, Y2, Y2        \
	OP        s, Y3, Y3

// DEQUANT1 is DEQUANT4 for the 8 int32 lanes of Y0.
#define DEQUANT1(OP, s, z) \
	VPSUBD    z, Y0, Y0 \
	VCVTDQ2PS Y0, Y0    \
	OP        s, Y0, Y0

// DEQUANTF32X32, DEQUANTF32X8 and DEQUANTF32TAIL are the division path
// of dequantizeZeroPointAVX2 for 32, 8 and the last 1..7 (CX-AX) int8 at
// SI+AX, into float32 at DI+4*AX.
#define DEQUANTF32X32(OP) \
	DEQUANT4(OP, Y15, Y14)       \
	VMOVUPS Y0, (DI)(AX*4)   \
	VMOVUPS Y1, 32(DI)(AX*4) \
	VMOVUPS Y2, 64(DI)(AX*4) \
	VMOVUPS Y3, 96(DI)(AX*4)

#define DEQUANTF32X8(OP) \
	VPMOVSXBD (SI)(AX*1), Y0 \
	DEQUANT1(OP, Y15, Y14)       \
	VMOVUPS   Y0, (DI)(AX*4)

#define DEQUANTF32TAIL(OP) \
	LOAD8TAIL                     \
	VPMOVSXBD  X0, Y0             \
	DEQUANT1(OP, Y15, Y14)            \
	TAILMASK(Y8)                  \
	VMASKMOVPS Y0, Y8, (DI)(AX*4)

// func dequantizeZeroPointAVX2(dst []float32, src []int8, scale float32, zero int32)
// Sign-extend, exact int32 subtract, convert with round to nearest even,
// one true division per lane (or, inside the domain of DEQUANTFAST, the
// reciprocal with one FMA correction: the same quotient).
//
// Registers:
//	SI  src (moved by fast path)    Y0-Y3   quotients
//	DI  dst (moved by fast path)    Y4-Y7   numerators (fast path)
//	CX  len(src), then CX%8 left    Y8      tail mask
//	AX  index (0 after fast path)   Y13     1/scale (fast path)
//	BX  loop counter or loop end    Y14     zero (int32)
//	DX  elements left (tail)        Y15     scale
//	R8  zero, then scratch
//	R9  scratch, then tail pointer
//	R10 scratch
//	R13 hint gate (HINTGATE)
TEXT ·dequantizeZeroPointAVX2(SB), NOSPLIT, $0-56
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	MOVL         zero+52(FP), R8
	VMOVD        R8, X14
	VPBROADCASTD X14, Y14
	XORQ         AX, AX
	DEQUANTFAST(X15, X14, X13, Y13, slow)
	DEQUANTFASTLOOPS(Y15, Y14, Y13, 4, STOREF32X4, STOREF32X1)

slow:
	ELEMENTWISE(DEQUANTF32X32(VDIVPS), NOTHING, DEQUANTF32X8(VDIVPS), DEQUANTF32TAIL(VDIVPS))

#define STOREF16X4 \
	VCVTPS2PH $0, Y0, (DI)   \
	VCVTPS2PH $0, Y1, 16(DI) \
	VCVTPS2PH $0, Y2, 32(DI) \
	VCVTPS2PH $0, Y3, 48(DI)

#define STOREF16X1 \
	VCVTPS2PH $0, Y0, (DI)

// DEQUANTF16X32, DEQUANTF16X8 and DEQUANTF16TAIL are the division path
// of dequantizeZeroPointFloat16AVX2 for 32, 8 and the last 1..7 (CX-AX)
// int8 at SI+AX, into binary16 at DI+2*AX.
#define DEQUANTF16X32(OP) \
	DEQUANT4(OP, Y15, Y14)             \
	VCVTPS2PH $0, Y0, (DI)(AX*2)   \
	VCVTPS2PH $0, Y1, 16(DI)(AX*2) \
	VCVTPS2PH $0, Y2, 32(DI)(AX*2) \
	VCVTPS2PH $0, Y3, 48(DI)(AX*2)

#define DEQUANTF16X8(OP) \
	VPMOVSXBD (SI)(AX*1), Y0     \
	DEQUANT1(OP, Y15, Y14)           \
	VCVTPS2PH $0, Y0, (DI)(AX*2)

#define DEQUANTF16TAIL(OP) \
	LOAD8TAIL            \
	VPMOVSXBD X0, Y0     \
	DEQUANT1(OP, Y15, Y14)   \
	VCVTPS2PH $0, Y0, X0 \
	STORE16TAIL

// func dequantizeZeroPointFloat16AVX2(dst []uint16, src []int8, scale float32, zero int32)
// dequantizeZeroPointAVX2, rounded to binary16 by VCVTPS2PH $0.
//
// Registers:
//	SI  src (moved by fast path)    Y0-Y3   quotients, then binary16
//	DI  dst (moved by fast path)    Y4-Y7   numerators (fast path)
//	CX  len(src), then CX%8 left    Y13     1/scale (fast path)
//	AX  index (0 after fast path)   Y14     zero (int32)
//	BX  loop counter or loop end    Y15     scale
//	DX  elements left (tail)
//	R8  zero
//	R9  scratch, then tail pointer
//	R10 scratch
//	R13 hint gate (HINTGATE)
TEXT ·dequantizeZeroPointFloat16AVX2(SB), NOSPLIT, $0-56
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	MOVL         zero+52(FP), R8
	VMOVD        R8, X14
	VPBROADCASTD X14, Y14
	XORQ         AX, AX
	DEQUANTFAST(X15, X14, X13, Y13, slow)
	DEQUANTFASTLOOPS(Y15, Y14, Y13, 2, STOREF16X4, STOREF16X1)

slow:
	ELEMENTWISE(DEQUANTF16X32(VDIVPS), NOTHING, DEQUANTF16X8(VDIVPS), DEQUANTF16TAIL(VDIVPS))

// STOREBF16X4 rounds Y0..Y3, which hold no NaN, to bfloat16 as
// BF16ROUND4 does and stores them at DI; Y4..Y9 are scratch.
#define STOREBF16X4 \
	BF16NONAN(Y0, Y4, Y5, Y15, Y14) \
	BF16NONAN(Y1, Y6, Y7, Y15, Y14) \
	BF16NONAN(Y2, Y8, Y9, Y15, Y14) \
	BF16NONAN(Y3, Y4, Y5, Y15, Y14) \
	VPACKUSDW Y1, Y0, Y0            \
	VPACKUSDW Y3, Y2, Y2            \
	VPERMQ    $0xD8, Y0, Y0         \
	VPERMQ    $0xD8, Y2, Y2         \
	VMOVDQU   Y0, (DI)              \
	VMOVDQU   Y2, 32(DI)

// STOREBF16X1 is STOREBF16X4 for Y0 alone.
#define STOREBF16X1 \
	BF16NONAN(Y0, Y4, Y5, Y15, Y14) \
	VEXTRACTI128 $1, Y0, X1         \
	VPACKUSDW    X1, X0, X0         \
	VMOVDQU      X0, (DI)

// DEQUANTBF16X32, DEQUANTBF16X8 and DEQUANTBF16TAIL are the division path
// of dequantizeZeroPointBFloat16AVX2 for 32, 8 and the last 1..7 (CX-AX)
// int8 at SI+AX, into bfloat16 at DI+2*AX: scale and zero in Y11 and Y10,
// which BF16CONSTS leaves alone; the main loop tests for NaNs as
// float32ToBFloat16AVX2 does (0/0 makes one) and jumps to BF16ROUND4's
// nan4 when it finds one.
#define DEQUANTBF16X32(OP) \
	DEQUANT4(OP, Y11, Y10)       \
	VCMPPS  $3, Y1, Y0, Y8   \
	VCMPPS  $3, Y3, Y2, Y9   \
	VPOR    Y9, Y8, Y8       \
	VPTEST  Y8, Y8           \
	JNZ     nan4             \
	BF16ROUND4               \
	VMOVDQU Y0, (DI)(AX*2)   \
	VMOVDQU Y2, 32(DI)(AX*2)

#define DEQUANTBF16X8(OP) \
	VPMOVSXBD    (SI)(AX*1), Y0              \
	DEQUANT1(OP, Y11, Y10)                       \
	BF16ROUND(Y0, Y4, Y5, Y6, Y15, Y14, Y13) \
	VEXTRACTI128 $1, Y0, X1                  \
	VPACKUSDW    X1, X0, X0                  \
	VMOVDQU      X0, (DI)(AX*2)

#define DEQUANTBF16TAIL(OP) \
	LOAD8TAIL                                \
	VPMOVSXBD    X0, Y0                      \
	DEQUANT1(OP, Y11, Y10)                       \
	BF16ROUND(Y0, Y4, Y5, Y6, Y15, Y14, Y13) \
	VEXTRACTI128 $1, Y0, X1                  \
	VPACKUSDW    X1, X0, X0                  \
	STORE16TAIL

// func dequantizeZeroPointBFloat16AVX2(dst []uint16, src []int8, scale float32, zero int32)
// dequantizeZeroPointAVX2, rounded to bfloat16 as float32ToBFloat16AVX2
// does, NaNs included (0/0 makes one). The fast path of DEQUANTFAST makes
// no NaN (scale is finite and not zero there) and rounds without the test.
//
// Registers:
//	SI  src (moved by fast path)    Y0-Y3   quotients, then bfloat16
//	DI  dst (moved by fast path)    Y4-Y7   numerators (fast path)
//	CX  len(src), then CX%8 left    Y4-Y9   scratch (BF16ROUND4, BF16ROUND,
//	AX  index (0 after fast path)           STOREBF16X4)
//	BX  loop counter or loop end    Y8-Y9   NaN test (main loop)
//	DX  elements left (tail)        Y10     zero (int32)
//	R8  zero, then scratch          Y11     scale
//	R9  scratch, then tail pointer  Y12     1/scale (fast path)
//	R10 scratch                     Y13     0x40
//	                                Y14     0x7FFF
//	                                Y15     1
//	R13 hint gate (HINTGATE)
TEXT ·dequantizeZeroPointBFloat16AVX2(SB), NOSPLIT, $0-56
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y11
	MOVL         zero+52(FP), R8
	VMOVD        R8, X10
	VPBROADCASTD X10, Y10
	BF16CONSTS
	XORQ         AX, AX
	DEQUANTFAST(X11, X10, X12, Y12, slow)
	DEQUANTFASTLOOPS(Y11, Y10, Y12, 2, STOREBF16X4, STOREBF16X1)

slow:
	ELEMENTWISE(DEQUANTBF16X32(VDIVPS), NOTHING, DEQUANTBF16X8(VDIVPS), DEQUANTBF16TAIL(VDIVPS))

// The affine dequantizers (PyTorch's dequantize, ONNX DequantizeLinear)
// multiply where the zero-point ones divide: float32(q - zero) * scale,
// one rounding, so the division path's loops serve with VMULPS for
// VDIVPS and need no fast path. Any scale may come: 0 times an infinity
// makes a NaN, which the bfloat16 rounding tests for as the division
// path does.

// func dequantizeAffineAVX2(dst []float32, src []int8, scale float32, zero int32)
//
// Registers:
//	SI  src                   Y0-Y3   products
//	DI  dst                   Y8      tail mask
//	CX  len(src)              Y14     zero (int32)
//	AX  index                 Y15     scale
//	BX  loop end
//	DX  elements left (tail)
//	R8  zero, then scratch
//	R9  tail pointer
//	R10 scratch
TEXT ·dequantizeAffineAVX2(SB), NOSPLIT, $0-56
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	MOVL         zero+52(FP), R8
	VMOVD        R8, X14
	VPBROADCASTD X14, Y14
	XORQ         AX, AX
	ELEMENTWISE(DEQUANTF32X32(VMULPS), NOTHING, DEQUANTF32X8(VMULPS), DEQUANTF32TAIL(VMULPS))

// func dequantizeAffineFloat16AVX2(dst []uint16, src []int8, scale float32, zero int32)
// dequantizeAffineAVX2, rounded to binary16 by VCVTPS2PH $0.
//
// Registers: those of dequantizeAffineAVX2, Y0-Y3 then binary16.
TEXT ·dequantizeAffineFloat16AVX2(SB), NOSPLIT, $0-56
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	MOVL         zero+52(FP), R8
	VMOVD        R8, X14
	VPBROADCASTD X14, Y14
	XORQ         AX, AX
	ELEMENTWISE(DEQUANTF16X32(VMULPS), NOTHING, DEQUANTF16X8(VMULPS), DEQUANTF16TAIL(VMULPS))

// func dequantizeAffineBFloat16AVX2(dst []uint16, src []int8, scale float32, zero int32)
// dequantizeAffineAVX2, rounded to bfloat16 as float32ToBFloat16AVX2
// does, NaNs included.
//
// Registers: those of dequantizeZeroPointBFloat16AVX2 on its division
// path, with products for quotients.
TEXT ·dequantizeAffineBFloat16AVX2(SB), NOSPLIT, $0-56
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y11
	MOVL         zero+52(FP), R8
	VMOVD        R8, X10
	VPBROADCASTD X10, Y10
	BF16CONSTS
	XORQ         AX, AX
	ELEMENTWISE(DEQUANTBF16X32(VMULPS), NOTHING, DEQUANTBF16X8(VMULPS), DEQUANTBF16TAIL(VMULPS))
