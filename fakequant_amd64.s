//go:build !purego && !noasm

#include "textflag.h"
#include "kernels_amd64.h"

// Fake quantization for quantization-aware training: each value replaced
// by the dequantized value of its quantization, in one pass.
// kernels_amd64.s describes what every file shares.
//
//   fakeQuantizeAVX2

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
TEXT ·fakeQuantizeAVX2(SB), NOSPLIT, $0-64
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	MOVL         zero+52(FP), R8
	VMOVD        R8, X13
	VPBROADCASTD X13, Y13
	VCVTDQ2PS    Y13, Y14
	MOVL         qmin+56(FP), R8
	VMOVD        R8, X11
	VPBROADCASTD X11, Y11
	VCVTDQ2PS    Y11, Y11
	MOVL         qmax+60(FP), R8
	VMOVD        R8, X12
	VPBROADCASTD X12, Y12
	VCVTDQ2PS    Y12, Y12
	XORQ         AX, AX
	ELEMENTWISE(FAKEX32, NOTHING, FAKEX8, FAKETAIL)
