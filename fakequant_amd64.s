//go:build !purego && !noasm

#include "textflag.h"
#include "kernels_amd64.h"

// Fake quantization for quantization-aware training: each value replaced
// by the dequantized value of its quantization, in one pass.
// kernels_amd64.s describes what every file shares.
//
//   fakeQuantizeDivAVX2, fakeQuantizeRecipAVX2
//   fakeQuantizeMaskAVX2
//   maskGradientAVX2

// FAKESTEP fake-quantizes the 8 values at m into t, with r as the
// working register: times the scale (Y15), tested for NaN (ORed into Y9;
// x*scale is NaN exactly where x is, the scale being positive and
// finite), plus float32(zero) (Y14), each rounded; clamped to [qmin,
// qmax] (Y11, Y12 as floats), which commutes with the rounding since both
// ends are integers and keeps VCVTPS2DQ in range; rounded to nearest
// even; minus zero (Y13) as int32, exact; converted; then FINISH(r, t)
// divides r by the scale into t.
#define FAKESTEP(m, r, t, FINISH) \
	VMULPS    m, Y15, r   \
	VCMPPS    $3, r, r, t \
	VPOR      t, Y9, Y9   \
	VADDPS    Y14, r, r   \
	VMINPS    Y12, r, r   \
	VMAXPS    Y11, r, r   \
	VCVTPS2DQ r, r        \
	VPSUBD    Y13, r, r   \
	VCVTDQ2PS r, r        \
	FINISH(r, t)

// DIVIDE and RECIPROCAL are FAKESTEP's finishes: an IEEE division, or,
// where the Go wrapper has found the call inside the domain of the
// dequantizers' fast path (see DEQUANTFAST in dequantize_amd64.s: there
// zero lies in [-128, 128], so every numerator q - zero in [-256, 255],
// and 2^-64 <= scale <= 2^64), the product by 1/scale (Y10) corrected by
// two fused multiply-adds, which is the same quotient: y = n*(1/scale),
// e = n - y*scale (exact), y + e*(1/scale).
#define DIVIDE(r, t) \
	VDIVPS Y15, r, t

#define RECIPROCAL(r, t) \
	VMULPS       Y10, r, t \
	VFNMADD231PS Y15, t, r \
	VFMADD231PS  Y10, r, t

// FAKEGRID broadcasts the grid's arguments, zero (R11), qmin (R12) and
// qmax (R13), into FAKESTEP's constants: zero as int32 in Y13 and as
// float32 in Y14 (VCVTDQ2PS rounds as float32(zero) does), the grid's
// ends as float32 in Y11 and Y12.
#define FAKEGRID \
	VMOVD        R11, X13  \
	VPBROADCASTD X13, Y13  \
	VCVTDQ2PS    Y13, Y14  \
	VMOVD        R12, X11  \
	VPBROADCASTD X11, Y11  \
	VCVTDQ2PS    Y11, Y11  \
	VMOVD        R13, X12  \
	VPBROADCASTD X12, Y12  \
	VCVTDQ2PS    Y12, Y12

// FAKEX32, FAKEX8 and FAKETAIL fake-quantize 32, 8 and the last 1..7
// (CX-AX) values at SI+4*AX into DI+4*AX, with FINISH. The tail's lanes
// past the end load as zeros, which are no NaN.
#define FAKEX32(FINISH) \
	FAKESTEP((SI)(AX*4), Y0, Y4, FINISH)   \
	FAKESTEP(32(SI)(AX*4), Y1, Y5, FINISH) \
	FAKESTEP(64(SI)(AX*4), Y2, Y6, FINISH) \
	FAKESTEP(96(SI)(AX*4), Y3, Y7, FINISH) \
	VMOVUPS Y4, (DI)(AX*4)                 \
	VMOVUPS Y5, 32(DI)(AX*4)               \
	VMOVUPS Y6, 64(DI)(AX*4)               \
	VMOVUPS Y7, 96(DI)(AX*4)

#define FAKEX8(FINISH) \
	FAKESTEP((SI)(AX*4), Y0, Y4, FINISH) \
	VMOVUPS Y4, (DI)(AX*4)

#define FAKETAIL(FINISH) \
	TAILMASK(Y8)                  \
	VMASKMOVPS (SI)(AX*4), Y8, Y1 \
	FAKESTEP(Y1, Y0, Y4, FINISH)  \
	VMASKMOVPS Y4, Y8, (DI)(AX*4)

// FAKEQUANTIZE is the body of the two fake quantizers, after their
// arguments are in place (DI dst, SI src, CX its length, Y15 scale, R11
// to R13 the grid, Y10 1/scale for RECIPROCAL), up to their done label;
// Y9 then says whether a NaN was seen.
#define FAKEQUANTIZE(FINISH) \
	FAKEGRID                 \
	VPXOR Y9, Y9, Y9         \
	XORQ  AX, AX             \
	ELEMENTWISELOOP(FAKEX32(FINISH), NOTHING, FAKEX8(FINISH), FAKETAIL(FINISH))

// func fakeQuantizeDivAVX2(dst, src []float32, scale float32, zero, qmin, qmax int32) (nan bool)
// func fakeQuantizeRecipAVX2(dst, src []float32, scale, recip float32, zero, qmin, qmax int32) (nan bool)
// kernels_amd64.go's fakeQuantizeAVX2 calls the second inside the
// reciprocal's domain, the first elsewhere. The four values of a step
// are independent chains; the divisions bound the first where the data
// is in cache.
//
// Registers:
//	SI  src                   Y0-Y3   values
//	DI  dst                   Y4-Y7   NaN tests, then results
//	CX  len(src)              Y8      tail mask
//	AX  index                 Y9      NaN seen (lanes)
//	BX  loop end              Y10     1/scale (Recip)
//	DX  scratch (TAILMASK)    Y11     float32(qmin)
//	R8  scratch               Y12     float32(qmax)
//	R11-R13 zero, qmin, qmax  Y13     zero (int32)
//	                          Y14     float32(zero)
//	                          Y15     scale
TEXT ·fakeQuantizeDivAVX2(SB), NOSPLIT, $0-65
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	MOVL         zero+52(FP), R11
	MOVL         qmin+56(FP), R12
	MOVL         qmax+60(FP), R13
	FAKEQUANTIZE(DIVIDE)
	VPTEST       Y9, Y9
	SETNE        nan+64(FP)
	VZEROUPPER
	RET

TEXT ·fakeQuantizeRecipAVX2(SB), NOSPLIT, $0-73
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	VBROADCASTSS recip+52(FP), Y10
	MOVL         zero+56(FP), R11
	MOVL         qmin+60(FP), R12
	MOVL         qmax+64(FP), R13
	FAKEQUANTIZE(RECIPROCAL)
	VPTEST       Y9, Y9
	SETNE        nan+72(FP)
	VZEROUPPER
	RET

// The masked variant rounds before it clamps (the same values, since the
// grid's ends are integers), so that the rounded value can be compared
// with the grid: VROUNDPS $0 rounds to nearest even, as VCVTPS2DQ does,
// and leaves values beyond int32 and infinities as they are.

// FAKEMASK8 fake-quantizes the 8 values at m into r and leaves in k the
// lanes whose rounded value lies in [qmin, qmax] (all-ones dwords, else
// zero). Y9 is scratch; the constants are FAKESTEP's.
#define FAKEMASK8(m, r, k) \
	VMULPS    m, Y15, r        \
	VADDPS    Y14, r, r        \
	VROUNDPS  $0, r, r         \
	VCMPPS    $0x1D, Y11, r, k \
	VCMPPS    $0x12, Y12, r, Y9 \
	VANDPS    Y9, k, k         \
	VMINPS    Y12, r, r        \
	VMAXPS    Y11, r, r        \
	VCVTPS2DQ r, r             \
	VPSUBD    Y13, r, r        \
	VCVTDQ2PS r, r             \
	VDIVPS    Y15, r, r

// MASKX32, MASKX8 and MASKTAIL fake-quantize 32, 8 and the last 1..7
// (CX-AX) values at SI+4*AX into DI+4*AX, and store their masks as bytes
// 0 or 1 at R10+AX: the dword masks packed with signed saturation (-1
// stays -1), put back in order by ·packOrder (Y10), then made 1 by
// VPABSB. MASKTAIL ends at STORE8TAIL, with DI moved to the mask.
#define MASKX32 \
	FAKEMASK8((SI)(AX*4), Y0, Y4)   \
	FAKEMASK8(32(SI)(AX*4), Y1, Y5) \
	FAKEMASK8(64(SI)(AX*4), Y2, Y6) \
	FAKEMASK8(96(SI)(AX*4), Y3, Y7) \
	VMOVUPS   Y0, (DI)(AX*4)        \
	VMOVUPS   Y1, 32(DI)(AX*4)      \
	VMOVUPS   Y2, 64(DI)(AX*4)      \
	VMOVUPS   Y3, 96(DI)(AX*4)      \
	VPACKSSDW Y5, Y4, Y4            \
	VPACKSSDW Y7, Y6, Y6            \
	VPACKSSWB Y6, Y4, Y4            \
	VPERMD    Y4, Y10, Y4           \
	VPABSB    Y4, Y4                \
	VMOVDQU   Y4, (R10)(AX*1)

#define MASKBYTES8 \
	VEXTRACTI128 $1, Y4, X5 \
	VPACKSSDW    X5, X4, X4 \
	VPACKSSWB    X4, X4, X4 \
	VPABSB       X4, X4

#define MASKX8 \
	FAKEMASK8((SI)(AX*4), Y0, Y4) \
	VMOVUPS Y0, (DI)(AX*4)        \
	MASKBYTES8                    \
	VMOVQ   X4, (R10)(AX*1)

#define MASKTAIL \
	TAILMASK(Y8)                  \
	VMASKMOVPS (SI)(AX*4), Y8, Y1 \
	FAKEMASK8(Y1, Y0, Y4)         \
	VMASKMOVPS Y0, Y8, (DI)(AX*4) \
	MASKBYTES8                    \
	VMOVDQA    X4, X0             \
	MOVQ       R10, DI            \
	STORE8TAIL

// func fakeQuantizeMaskAVX2(dst, src []float32, mask []uint8, scale float32, zero, qmin, qmax int32)
//
// Registers:
//	SI  src                   Y0-Y3   values
//	DI  dst, then mask (tail) Y4-Y7   lane masks, then bytes in Y4
//	R10 mask                  Y8      tail mask
//	CX  len(src)              Y9      scratch
//	AX  index                 Y10     packOrder
//	BX  loop end              Y11     float32(qmin)
//	DX  scratch (tails)       Y12     float32(qmax)
//	R8  scratch               Y13     zero (int32)
//	R9  tail pointer          Y14     float32(zero)
//	R11-R13 zero, qmin, qmax  Y15     scale
TEXT ·fakeQuantizeMaskAVX2(SB), NOSPLIT, $0-88
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	MOVQ         mask_base+48(FP), R10
	VBROADCASTSS scale+72(FP), Y15
	MOVL         zero+76(FP), R11
	MOVL         qmin+80(FP), R12
	MOVL         qmax+84(FP), R13
	FAKEGRID
	VMOVDQU      ·packOrder(SB), Y10
	XORQ         AX, AX
	ELEMENTWISE(MASKX32, NOTHING, MASKX8, MASKTAIL)

// GRADX8(off) stores the 8 gradients at SI+4*AX+off where their mask
// bytes at R10+AX+off/4 are 1, +0 where they are 0: the bytes widened to
// dwords, compared with zero (Y15), and the comparison's complement ANDed
// with the gradients.
#define GRADX8(off, moff, r) \
	VPMOVZXBD moff(R10)(AX*1), r  \
	VPCMPEQD  Y15, r, r           \
	VPANDN    off(SI)(AX*4), r, r \
	VMOVUPS   r, off(DI)(AX*4)

#define GRADX32 \
	GRADX8(0, 0, Y0)   \
	GRADX8(32, 8, Y1)  \
	GRADX8(64, 16, Y2) \
	GRADX8(96, 24, Y3)

#define GRADX8ONE \
	GRADX8(0, 0, Y0)

// GRADTAIL does the last 1..7 one at a time in general registers, so that
// no byte past the mask's end is read: a mask byte of 1 negated is the
// all-ones AND mask.
#define GRADTAIL \
grad1:                           \
	MOVBLZX (R10)(AX*1), DX      \
	NEGL    DX                   \
	ANDL    (SI)(AX*4), DX       \
	MOVL    DX, (DI)(AX*4)       \
	INCQ    AX                   \
	CMPQ    AX, CX               \
	JB      grad1

// func maskGradientAVX2(dst, grad []float32, mask []uint8)
//
// Registers:
//	SI  grad                  Y0-Y3   masks, then gradients
//	DI  dst                   Y15     zero
//	R10 mask
//	CX  len(grad)
//	AX  index
//	BX  loop end
//	DX  scratch (tail)
TEXT ·maskGradientAVX2(SB), NOSPLIT, $0-72
	MOVQ   dst_base+0(FP), DI
	MOVQ   grad_base+24(FP), SI
	MOVQ   grad_len+32(FP), CX
	MOVQ   mask_base+48(FP), R10
	VPXOR  Y15, Y15, Y15
	XORQ   AX, AX
	ELEMENTWISE(GRADX32, NOTHING, GRADX8ONE, GRADTAIL)
