//go:build !purego && !noasm

#include "textflag.h"
#include "kernels_amd64.h"

// Fake quantization for quantization-aware training: each value replaced
// by the dequantized value of its quantization, in one pass.
// kernels_amd64.s describes what every file shares.
//
//   fakeQuantizeAVX2
//   fakeQuantizeMaskAVX2
//   maskGradientAVX2

// FAKEQUANT8 fake-quantizes the 8 float32 lanes of Y0, in place: times
// the scale (Y15), plus float32(zero) (Y14), each rounded; clamped to
// [qmin, qmax] (Y12, Y11 as floats), which commutes with the rounding
// since both ends are integers and keeps VCVTPS2DQ in range; rounded to
// nearest even; minus zero (Y13) as int32, exact; converted and divided
// by the scale. FAKEQUANT8M takes its first operand from memory.
#define FAKEQUANT8(r) \
	VMULPS    Y15, r, r \
	FAKEQUANTREST(r)

#define FAKEQUANT8M(m, r) \
	VMULPS    m, Y15, r \
	FAKEQUANTREST(r)

#define FAKEQUANTREST(r) \
	VADDPS    Y14, r, r \
	VMINPS    Y12, r, r \
	VMAXPS    Y11, r, r \
	VCVTPS2DQ r, r      \
	VPSUBD    Y13, r, r \
	VCVTDQ2PS r, r      \
	VDIVPS    Y15, r, r

// FAKEGRID broadcasts the grid's arguments, zero (R11), qmin (R12) and
// qmax (R13), into FAKEQUANT8's constants: zero as int32 in Y13 and as
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
// (CX-AX) values at SI+4*AX into DI+4*AX.
#define FAKEX32 \
	FAKEQUANT8M((SI)(AX*4), Y0)   \
	FAKEQUANT8M(32(SI)(AX*4), Y1) \
	FAKEQUANT8M(64(SI)(AX*4), Y2) \
	FAKEQUANT8M(96(SI)(AX*4), Y3) \
	VMOVUPS Y0, (DI)(AX*4)        \
	VMOVUPS Y1, 32(DI)(AX*4)      \
	VMOVUPS Y2, 64(DI)(AX*4)      \
	VMOVUPS Y3, 96(DI)(AX*4)

#define FAKEX8 \
	FAKEQUANT8M((SI)(AX*4), Y0) \
	VMOVUPS Y0, (DI)(AX*4)

#define FAKETAIL \
	TAILMASK(Y8)                  \
	VMASKMOVPS (SI)(AX*4), Y8, Y0 \
	FAKEQUANT8(Y0)                \
	VMASKMOVPS Y0, Y8, (DI)(AX*4)

// func fakeQuantizeAVX2(dst, src []float32, scale float32, zero, qmin, qmax int32)
// The four values of a step are independent chains; the divisions bound
// its speed where the data is in cache.
//
// Registers:
//	SI  src                   Y0-Y3   values
//	DI  dst                   Y8      tail mask
//	CX  len(src)              Y11     float32(qmin)
//	AX  index                 Y12     float32(qmax)
//	BX  loop end              Y13     zero (int32)
//	DX  scratch (TAILMASK)    Y14     float32(zero)
//	R8  scratch               Y15     scale
//	R11-R13 zero, qmin, qmax (FAKEGRID)
TEXT ·fakeQuantizeAVX2(SB), NOSPLIT, $0-64
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	MOVL         zero+52(FP), R11
	MOVL         qmin+56(FP), R12
	MOVL         qmax+60(FP), R13
	FAKEGRID
	XORQ         AX, AX
	ELEMENTWISE(FAKEX32, NOTHING, FAKEX8, FAKETAIL)


// The masked variant rounds before it clamps (the same values, since the
// grid's ends are integers), so that the rounded value can be compared
// with the grid: VROUNDPS $0 rounds to nearest even, as VCVTPS2DQ does,
// and leaves values beyond int32 and infinities as they are.

// FAKEMASK8 fake-quantizes the 8 values at m into r and leaves in k the
// lanes whose rounded value lies in [qmin, qmax] (all-ones dwords, else
// zero). Y9 is scratch; the constants are FAKEQUANT8's.
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
