//go:build !purego && !noasm

#include "textflag.h"
#include "kernels_amd64.h"

// The per-slice INT8 quantizers: with given parameters, fused with their
// reduction (float32), and from binary16 and bfloat16 sources.
// kernels_amd64.s describes what every file shares.
//
//   quantizeAbsmaxAVX2
//   quantizeZeroPointAVX2
//   quantizeAbsmaxFusedAVX2
//   quantizeZeroPointFusedAVX2
//   quantizeAbsmaxFloat16AVX2
//   quantizeAbsmaxBFloat16AVX2
//   quantizeZeroPointFloat16AVX2
//   quantizeZeroPointBFloat16AVX2
//   quantize{Absmax,ZeroPoint}{,Float16,BFloat16}CheckedAVX2
//   quantize{PyTorch,ONNX}{,Float16,BFloat16}AVX2

// CVTPACK4 converts the float32 lanes of Y0..Y3 to int32, rounding to
// nearest even, and packs them with signed saturation into the 32 bytes of
// Y0 in element order (Y12 holds ·packOrder).
#define CVTPACK4 \
	VCVTPS2DQ Y0, Y0 \
	VCVTPS2DQ Y1, Y1 \
	VCVTPS2DQ Y2, Y2 \
	VCVTPS2DQ Y3, Y3 \
	PACK4

// CVTPACK1 does the same for the 8 lanes of Y0, into the low 8 bytes of X0
// (X1 is scratch).
#define CVTPACK1 \
	VCVTPS2DQ    Y0, Y0     \
	VEXTRACTI128 $1, Y0, X1 \
	VPACKSSDW    X1, X0, X0 \
	VPACKSSWB    X0, X0, X0

// ADDZERO4 and ADDZERO1 add the zero point (Y14) to Y0..Y3 and to Y0.
#define ADDZERO4 \
	VADDPS Y14, Y0, Y0 \
	VADDPS Y14, Y1, Y1 \
	VADDPS Y14, Y2, Y2 \
	VADDPS Y14, Y3, Y3

#define ADDZERO1 \
	VADDPS Y14, Y0, Y0

// The quantizers with given parameters share one body, QUANTIZE, whose
// variable parts come in two kinds. The source's macros load values as
// float32 already multiplied by the scale (Y15), or, for ONNX's
// quantizer, divided by it: float32 with the multiply reading memory;
// binary16 widened by VCVTPH2PS (exact); bfloat16 as bits<<16, in
// BF16SPLIT's even/odd order in the main loop (fewer operations than
// widening in order; BF16PACK restores the order). The method's macros
// finish the values: the zero point added (a rounded product, then a
// rounded sum, never fused), the top clamped to 127.0, rounded to nearest
// even; absmax also clamps the packed bytes to -127. The tails load
// through a mask (float32) or LOAD16TAIL, and store through STORE8TAIL.
//
// The 16-bit and tail loads take the operation with the scale as OP:
// VMULPS for the product, VDIVPS for the quotient x/scale (the value is
// the dividend, so one form serves both).

// SCALED32F32, SCALED32F16 and SCALED32BF16 load the 32 values at SI+AX
// elements as float32 times the scale, or OP the scale, into Y0..Y3 (for
// bfloat16 in BF16SPLIT's order; Y11 holds 0xFFFF0000). SCALED32F32 reads
// memory in the multiply; QUOTIENT32F32 is its division, which loads
// first (a memory operand of VDIVPS would be the divisor).
#define SCALED32F32 \
	VMULPS (SI)(AX*4), Y15, Y0   \
	VMULPS 32(SI)(AX*4), Y15, Y1 \
	VMULPS 64(SI)(AX*4), Y15, Y2 \
	VMULPS 96(SI)(AX*4), Y15, Y3

#define SCALE4(OP) \
	OP Y15, Y0, Y0 \
	OP Y15, Y1, Y1 \
	OP Y15, Y2, Y2 \
	OP Y15, Y3, Y3

#define QUOTIENT32F32 \
	VMOVUPS (SI)(AX*4), Y0   \
	VMOVUPS 32(SI)(AX*4), Y1 \
	VMOVUPS 64(SI)(AX*4), Y2 \
	VMOVUPS 96(SI)(AX*4), Y3 \
	SCALE4(VDIVPS)

#define SCALED32F16(OP) \
	VCVTPH2PS (SI)(AX*2), Y0   \
	VCVTPH2PS 16(SI)(AX*2), Y1 \
	VCVTPH2PS 32(SI)(AX*2), Y2 \
	VCVTPH2PS 48(SI)(AX*2), Y3 \
	SCALE4(OP)

#define SCALED32BF16(OP) \
	BF16SPLIT((SI)(AX*2), Y0, Y1, Y11)   \
	BF16SPLIT(32(SI)(AX*2), Y2, Y3, Y11) \
	SCALE4(OP)

// SCALED8F32, SCALED8F16 and SCALED8BF16 do the same for the 8 values at
// SI+AX elements, into Y0 (QUOTIENT8F32 for SCALED8F32).
#define SCALED8F32 \
	VMULPS (SI)(AX*4), Y15, Y0

#define QUOTIENT8F32 \
	VMOVUPS (SI)(AX*4), Y0 \
	VDIVPS  Y15, Y0, Y0

#define SCALED8F16(OP) \
	VCVTPH2PS (SI)(AX*2), Y0 \
	OP        Y15, Y0, Y0

#define SCALED8BF16(OP) \
	WIDENBF16((SI)(AX*2), Y0) \
	OP Y15, Y0, Y0

// SCALEDTAILF32, SCALEDTAILF16 and SCALEDTAILBF16 do the same for the
// last CX-AX (1..7) values, the lanes past them zero (which divide
// without a NaN: the scale is not zero).
#define SCALEDTAILF32(OP) \
	TAILMASK(Y8)                  \
	VMASKMOVPS (SI)(AX*4), Y8, Y0 \
	OP         Y15, Y0, Y0

#define SCALEDTAILF16(OP) \
	LOAD16TAIL          \
	VCVTPH2PS X0, Y0    \
	OP        Y15, Y0, Y0

#define SCALEDTAILBF16(OP) \
	LOAD16TAIL            \
	WIDENBF16(X0, Y0)     \
	OP        Y15, Y0, Y0

// ABSMAXROUND4 turns the products in Y0..Y3 into int32 as absmax does:
// the top clamped to 127.0 (Y14), rounded to nearest even. ABSMAXROUND8
// does it for Y0 and packs the 8 into the low bytes of X0, clamped to -127
// (X13) as CLAMP32 does for 32 packed bytes.
#define ABSMAXROUND4 \
	VMINPS    Y14, Y0, Y0 \
	VMINPS    Y14, Y1, Y1 \
	VMINPS    Y14, Y2, Y2 \
	VMINPS    Y14, Y3, Y3 \
	VCVTPS2DQ Y0, Y0      \
	VCVTPS2DQ Y1, Y1      \
	VCVTPS2DQ Y2, Y2      \
	VCVTPS2DQ Y3, Y3

#define ABSMAXROUND8 \
	VMINPS  Y14, Y0, Y0 \
	CVTPACK1            \
	VPMAXSB X13, X0, X0

#define CLAMP32 \
	VPMAXSB Y13, Y0, Y0

// ZEROPOINTROUND4 and ZEROPOINTROUND8 do what the absmax ones do for the
// zero point (Y14) added to the products, the top clamped to 127.0 (Y13);
// the packs' saturation clamps the low side at -128.
#define ZEROPOINTROUND4 \
	ADDZERO4              \
	VMINPS    Y13, Y0, Y0 \
	VMINPS    Y13, Y1, Y1 \
	VMINPS    Y13, Y2, Y2 \
	VMINPS    Y13, Y3, Y3 \
	VCVTPS2DQ Y0, Y0      \
	VCVTPS2DQ Y1, Y1      \
	VCVTPS2DQ Y2, Y2      \
	VCVTPS2DQ Y3, Y3

#define ZEROPOINTROUND8 \
	ADDZERO1            \
	VMINPS  Y13, Y0, Y0 \
	CVTPACK1

// ABSMAXCONSTS and ZEROPOINTCONSTS load the constants of the methods'
// macros other than scale and zero.
#define ABSMAXCONSTS \
	BROADCAST32($0x42FE0000, X14, Y14) \
	BROADCAST32($0x81818181, X13, Y13) \
	VMOVDQU ·packOrder(SB), Y12

#define ZEROPOINTCONSTS \
	BROADCAST32($0x42FE0000, X13, Y13) \
	VMOVDQU ·packOrder(SB), Y12

// QUANTIZE is the body of the six quantizers with given parameters, after
// their constants and arguments are in place (DI dst, SI src, CX its
// length): ELEMENTWISE with 32 values per step (the source's LOAD32, the
// method's ROUND4, the source's PACK, the method's CLAMP), then 8 (LOAD8,
// ROUND8), then the last 1..7 (LOADTAIL, ROUND8) through STORE8TAIL.
// QUANTIZELOOP is the same loop, ending at its done label, with hooks
// after each load (CHECK32, CHECK8) for the checked quantizers, which
// call it through CHECKEDLOOP.
#define QUANTIZE(LOAD32, ROUND4, PACK, CLAMP, LOAD8, ROUND8, LOADTAIL) \
	QUANTIZELOOP(LOAD32, NOTHING, ROUND4, PACK, CLAMP, LOAD8, NOTHING, ROUND8, LOADTAIL) \
	VZEROUPPER \
	RET

#define QUANTIZELOOP(LOAD32, CHECK32, ROUND4, PACK, CLAMP, LOAD8, CHECK8, ROUND8, LOADTAIL) \
	XORQ AX, AX \
	ELEMENTWISELOOP(LOAD32; CHECK32; ROUND4; PACK; CLAMP; STOREBYTES32, NOTHING, LOAD8; CHECK8; ROUND8; STOREBYTES8, LOADTAIL; CHECK8; ROUND8; STORE8TAIL)

// STOREBYTES32 and STOREBYTES8 store the 32 bytes of Y0, or the low 8 of
// X0, at DI+AX.
#define STOREBYTES32 \
	VMOVDQU Y0, (DI)(AX*1)

#define STOREBYTES8 \
	VMOVQ X0, (DI)(AX*1)

// func quantizeAbsmaxAVX2(dst []int8, src []float32, scale float32)
// x*scale, VMINPS 127, VCVTPS2DQ (round to nearest even), signed
// saturating packs to bytes, then VPMAXSB -127. Clamping [-127, 127] and
// rounding commute because the bounds are integers; the packs saturate
// the low side (VCVTPS2DQ gives 0x80000000 below -2^31) and VPMAXSB
// finishes it, so only the top needs clamping in float, where a value
// above 2^31 would otherwise convert to a negative integer.
//
// Registers:
//	SI  src                   Y0-Y3   values, int32, then bytes in Y0
//	DI  dst                   Y8      tail mask
//	CX  len(src)              Y12     packOrder
//	AX  index                 Y13     int8 -127
//	BX  loop end              Y14     127.0
//	DX  elements left (tail)  Y15     scale
//	R8  scratch
//	R9  tail pointer
TEXT ·quantizeAbsmaxAVX2(SB), NOSPLIT, $0-52
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	BROADCAST32($0x42FE0000, X14, Y14) // 127.0
	BROADCAST32($0x81818181, X13, Y13) // int8 -127
	VMOVDQU      ·packOrder(SB), Y12
	QUANTIZE(SCALED32F32, ABSMAXROUND4, PACK4, CLAMP32, SCALED8F32, ABSMAXROUND8, SCALEDTAILF32(VMULPS))

// func quantizeZeroPointAVX2(dst []int8, src []float32, scale, zero float32)
// A rounded multiply, then a rounded add (never fused), VMINPS 127,
// VCVTPS2DQ and saturating packs, which clamp the low side at -128.
//
// Registers:
//	SI  src                   Y0-Y3   values, int32, then bytes in Y0
//	DI  dst                   Y8      tail mask
//	CX  len(src)              Y12     packOrder
//	AX  index                 Y13     127.0
//	BX  loop end              Y14     zero
//	DX  elements left (tail)  Y15     scale
//	R8  scratch
//	R9  tail pointer
TEXT ·quantizeZeroPointAVX2(SB), NOSPLIT, $0-56
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	VBROADCASTSS zero+52(FP), Y14
	BROADCAST32($0x42FE0000, X13, Y13) // 127.0
	VMOVDQU      ·packOrder(SB), Y12
	QUANTIZE(SCALED32F32, ZEROPOINTROUND4, PACK4, NOTHING, SCALED8F32, ZEROPOINTROUND8, SCALEDTAILF32(VMULPS))

// func quantizeAbsmaxFloat16AVX2(dst []int8, src []uint16, scale float32)
//
// Registers:
//	SI  src                   Y0-Y3   values, int32, then bytes in Y0
//	DI  dst                   Y12     packOrder
//	CX  len(src)              Y13     int8 -127
//	AX  index                 Y14     127.0
//	BX  loop end (VEC8)       Y15     scale
//	DX  elements left (tail)
//	R8  scratch
//	R9  tail pointer
//	R10 scratch
TEXT ·quantizeAbsmaxFloat16AVX2(SB), NOSPLIT, $0-52
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	ABSMAXCONSTS
	QUANTIZE(SCALED32F16(VMULPS), ABSMAXROUND4, PACK4, CLAMP32, SCALED8F16(VMULPS), ABSMAXROUND8, SCALEDTAILF16(VMULPS))

// func quantizeAbsmaxBFloat16AVX2(dst []int8, src []uint16, scale float32)
//
// Registers:
//	SI  src                   Y0-Y3   values (BF16SPLIT's order),
//	DI  dst                           int32, then bytes in Y0
//	CX  len(src)              Y11     0xFFFF0000
//	AX  index                 Y12     packOrder (loaded, unused)
//	BX  loop end (VEC8)       Y13     int8 -127
//	DX  elements left (tail)  Y14     127.0
//	R8  scratch               Y15     scale
//	R9  tail pointer
//	R10 scratch
TEXT ·quantizeAbsmaxBFloat16AVX2(SB), NOSPLIT, $0-52
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	ABSMAXCONSTS
	BROADCAST32($0xFFFF0000, X11, Y11) // for BF16SPLIT
	QUANTIZE(SCALED32BF16(VMULPS), ABSMAXROUND4, BF16PACK, CLAMP32, SCALED8BF16(VMULPS), ABSMAXROUND8, SCALEDTAILBF16(VMULPS))

// func quantizeZeroPointFloat16AVX2(dst []int8, src []uint16, scale, zero float32)
//
// Registers:
//	SI  src                   Y0-Y3   values, int32, then bytes in Y0
//	DI  dst                   Y12     packOrder
//	CX  len(src)              Y13     127.0
//	AX  index                 Y14     zero
//	BX  loop end (VEC8)       Y15     scale
//	DX  elements left (tail)
//	R8  scratch
//	R9  tail pointer
//	R10 scratch
TEXT ·quantizeZeroPointFloat16AVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	VBROADCASTSS zero+52(FP), Y14
	ZEROPOINTCONSTS
	QUANTIZE(SCALED32F16(VMULPS), ZEROPOINTROUND4, PACK4, NOTHING, SCALED8F16(VMULPS), ZEROPOINTROUND8, SCALEDTAILF16(VMULPS))

// func quantizeZeroPointBFloat16AVX2(dst []int8, src []uint16, scale, zero float32)
//
// Registers:
//	SI  src                   Y0-Y3   values (BF16SPLIT's order),
//	DI  dst                           int32, then bytes in Y0
//	CX  len(src)              Y11     0xFFFF0000
//	AX  index                 Y12     packOrder (loaded, unused)
//	BX  loop end (VEC8)       Y13     127.0
//	DX  elements left (tail)  Y14     zero
//	R8  scratch               Y15     scale
//	R9  tail pointer
//	R10 scratch
TEXT ·quantizeZeroPointBFloat16AVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	VBROADCASTSS zero+52(FP), Y14
	ZEROPOINTCONSTS
	BROADCAST32($0xFFFF0000, X11, Y11) // for BF16SPLIT
	QUANTIZE(SCALED32BF16(VMULPS), ZEROPOINTROUND4, BF16PACK, NOTHING, SCALED8BF16(VMULPS), ZEROPOINTROUND8, SCALEDTAILBF16(VMULPS))

// The fused quantizers: the reduction, the parameters and the quantization
// in one call (see kernels.Set.QuantizeAbsmaxFused and
// QuantizeZeroPointFused). The loops walk their slices with pointers
// (R10 through src, R11 through dst), which is faster on stores than
// indexed addressing; AX is set to the elements done before the tails,
// which use the usual macros. When the parameters are refused nothing is
// written and scale 0 is returned.
//
// Their quantization loops need no clamp in float:
//
//   - absmax: |x| <= a and s = RN(127/a) <= 127/a*(1+2^-24), so
//     |x*s| <= 127*(1+2^-24) = 127 + 127*2^-24, less than half an ulp of
//     127 (2^-17) beyond it: the rounded product is within [-127-2^-17,
//     127+2^-17], which VCVTPS2DQ rounds into [-127, 127] like the clamp
//     followed by rounding does, and the packs never saturate. VMINPS 127
//     and VPMAXSB -127 would change nothing.
//   - zero point: with t = RN(s*min), z = -roundEven(t) - 128 and |z| <
//     2^31, every product RN(x*s) lies in [t, RN(s*max)], where
//     s*(max-min) <= 255*(1+2^-23) and each rounding moves a product of
//     magnitude below 2^31+2^9 by at most 64; float32(z) is within 64.5
//     of -t-128. So v = RN(RN(x*s) + float32(z)) lies within
//     [-128-65, 127+2*64+65] (a few hundred of the int8 range), where
//     VCVTPS2DQ converts exactly (no 0x80000000 overflow), VPACKSSDW
//     cannot saturate and VPACKSSWB saturates exactly as
//     clamp(-128, 127) after rounding, which equals rounding after the
//     clamp since both bounds are integers.

// FUSEDHINT hints the input at R10 2 KiB ahead (see "Prefetching" in
// kernels_amd64.s), for both passes of the fused quantizers.
#define FUSEDHINT \
	PREFETCHT0 2048(R10) \
	PREFETCHT0 2112(R10)

// FUSEDREDUCE is the reduction of the fused quantizers, after the
// accumulators are set: their reduction's steps (STEP32, STEP8) on a
// pointer (R10) through src, then the masked tail (TAIL, given the mask in
// Y8) at AX, the elements done. It falls through to the expanding
// function's reduce label.
#define FUSEDREDUCE(STEP32, STEP8, TAIL) \
	MOVQ SI, R10               \
	MOVQ CX, BX                \
	ANDQ $-32, BX              \
	LEAQ (SI)(BX*4), R9        \
	CMPQ R10, R9               \
	JAE  rvec8                 \
	HINTGATE(CX)               \
	                           \
	PCALIGN $32 \
rloop32:                       \
	HINTS(FUSEDHINT, rnohint)  \
	STEP32((R10))              \
	ADDQ $128, R10             \
	CMPQ R10, R9               \
	JB   rloop32               \
	                           \
rvec8:                         \
	MOVQ CX, BX                \
	ANDQ $-8, BX               \
	LEAQ (SI)(BX*4), R9        \
	CMPQ R10, R9               \
	JAE  rtail                 \
	                           \
rloop8:                        \
	STEP8((R10))               \
	ADDQ $32, R10              \
	CMPQ R10, R9               \
	JB   rloop8                \
	                           \
rtail:                         \
	MOVQ BX, AX                \
	CMPQ AX, CX                \
	JAE  reduce                \
	TAILMASK(Y8)               \
	TAIL

// FUSEDPASS is the quantization of the fused quantizers, once the scale is
// in Y15 (and the zero point in Y14): x*scale, then ADD4 (ADD1 on one
// vector) for the zero point, rounded and packed, on pointers through src
// (R10) and dst (R11); the tail at AX as everywhere. No clamp in float is
// needed (see above). It ends the expanding function, at its done label.
#define FUSEDPASS(ADD4, ADD1) \
	VMOVDQU ·packOrder(SB), Y12 \
	MOVQ    SI, R10             \
	MOVQ    DI, R11             \
	MOVQ    CX, BX              \
	ANDQ    $-32, BX            \
	LEAQ    (DI)(BX*1), R9      \
	CMPQ    R11, R9             \
	JAE     vec8                \
	HINTGATE(CX)                \
	                            \
	PCALIGN $32 \
loop32:                         \
	HINTS(FUSEDHINT, nohint)    \
	VMULPS  (R10), Y15, Y0      \
	VMULPS  32(R10), Y15, Y1    \
	VMULPS  64(R10), Y15, Y2    \
	VMULPS  96(R10), Y15, Y3    \
	ADD4                        \
	CVTPACK4                    \
	VMOVDQU Y0, (R11)           \
	ADDQ    $128, R10           \
	ADDQ    $32, R11            \
	CMPQ    R11, R9             \
	JB      loop32              \
	                            \
vec8:                           \
	MOVQ CX, BX                 \
	ANDQ $-8, BX                \
	LEAQ (DI)(BX*1), R9         \
	CMPQ R11, R9                \
	JAE  tail                   \
	                            \
loop8:                          \
	VMULPS (R10), Y15, Y0       \
	ADD1                        \
	CVTPACK1                    \
	VMOVQ  X0, (R11)            \
	ADDQ   $32, R10             \
	ADDQ   $8, R11              \
	CMPQ   R11, R9              \
	JB     loop8                \
	                            \
tail:                           \
	MOVQ BX, AX                 \
	CMPQ AX, CX                 \
	JAE  done                   \
	TAILMASK(Y8)                \
	VMASKMOVPS (SI)(AX*4), Y8, Y0 \
	VMULPS     Y15, Y0, Y0      \
	ADD1                        \
	CVTPACK1                    \
	STORE8TAIL                  \
	                            \
done:                           \
	VZEROUPPER                  \
	RET

// func quantizeAbsmaxFusedAVX2(dst []int8, src []float32) (maxBits uint32, scale float32)
//
// Registers:
//	SI  src                         Y0-Y3   maxima (the max in X0), then
//	DI  dst                                 values, int32, bytes in Y0
//	CX  len(src)                    Y4-Y7   values, masked (ABSMAX32)
//	AX  elements done (tails); the  X1      127.0, then the scale
//	    max's bits (reduce)         Y8      tail mask
//	BX  len(src) rounded down       Y12     packOrder
//	DX  scratch                     Y15     0x7FFFFFFF, then the scale
//	R8  scratch
//	R9  loop end (a pointer),
//	    then tail pointer
//	R10 walks src
//	R11 walks dst
//	R13 hint gate (HINTGATE)
TEXT ·quantizeAbsmaxFusedAVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	BROADCAST32($0x7FFFFFFF, X15, Y15)
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	FUSEDREDUCE(ABSMAX32, ABSMAX8, ABSMAXTAIL)

reduce:
	ABSMAXREDUCE
	MOVL         AX, maxBits+48(FP)

	// 0 < m < 0x7F800000: finite and not all zeros.
	LEAL -1(AX), DX
	CMPL DX, $0x7F7FFFFF
	JAE  refuse

	// s = 127/a, refused if it overflows (a below about 3.7e-37).
	MOVL   $0x42FE0000, R8 // 127.0
	VMOVD  R8, X1
	VDIVSS X0, X1, X1
	VMOVD  X1, DX
	CMPL   DX, $0x7F800000
	JAE    refuse
	VMOVSS X1, scale+52(FP)

	VBROADCASTSS X1, Y15
	FUSEDPASS(NOTHING, NOTHING)

refuse:
	MOVL $0, scale+52(FP)
	VZEROUPPER
	RET

// func quantizeZeroPointFusedAVX2(dst []int8, src []float32) (lo, hi int32, scale float32, zero int32)
// The reduction is minMaxKeysAVX2's; the scale repeats kernels.ZeroPointOf
// instruction for instruction (float64 difference and quotient, float32
// scale), the zero point is computed in float32 with the same result (see
// below).
//
// Registers:
//	SI  src                     Y0-Y5   MINMAX3 accumulators, two sets
//	DI  dst                     Y6-Y9   values (MINMAX32)
//	CX  len(src)                Y8      tail mask
//	AX  elements done (tails);  X6-X7   min and max as floats
//	    smax, then hi (reduce)  X0-X5   scratch of the parameters;
//	BX  len(src) rounded down;          X3 the scale, X5 float32(z)
//	    smin, then lo (reduce)  Y0-Y3   values, int32, bytes in Y0
//	DX  scratch; umax, then     Y12     packOrder
//	    key(umax) (reduce)      Y14     float32(z)
//	R8  scratch                 Y15     src[0] in every lane, then
//	R9  loop end (a pointer),           the scale
//	    then tail pointer
//	R10 walks src
//	R11 walks dst
//	R12 max's bits
//	R13 hint gate (HINTGATE), min's bits between the passes
TEXT ·quantizeZeroPointFusedAVX2(SB), NOSPLIT, $0-64
	MOVQ  dst_base+0(FP), DI
	MOVQ  src_base+24(FP), SI
	MOVQ  src_len+32(FP), CX
	TESTQ CX, CX
	JZ    empty
	MINMAX3START
	FUSEDREDUCE(MINMAX32, MINMAX8, MINMAXTAIL)

reduce:
	MINMAX3REDUCE
	// min and max as floats for the parameters, kept in vector registers
	// (VBLENDVPS picks by the sign of its mask): max = smax if smax >= 0,
	// else smin; min = umax if smin < 0, else smin (see minMaxKeysAVX2).
	VBLENDVPS X0, X1, X0, X7 // max
	VBLENDVPS X1, X2, X1, X6 // min
	VMOVD     X0, AX         // smax
	VMOVD     X1, BX         // smin
	VMOVD     X2, DX         // umax

	// The same float bits in R12 (max) and R13 (min), for the checks.
	MOVL    AX, R12
	TESTL   AX, AX
	CMOVLLT BX, R12
	MOVL    BX, R13
	TESTL   BX, BX
	CMOVLLT DX, R13

	// The keys, as minMaxKeysAVX2 returns them.
	MOVL    BX, R8
	XORL    $0x7FFFFFFF, R8
	TESTL   AX, AX
	CMOVLLT R8, AX
	MOVL    AX, hi+52(FP)
	XORL    $0x7FFFFFFF, DX
	TESTL   BX, BX
	CMOVLLT DX, BX
	MOVL    BX, lo+48(FP)

	// |min| and |max| below 2^127 (which also excludes infinities and
	// NaNs): beyond it the grid may end past float32, which only the
	// caller checks.
	MOVL R13, R8
	ANDL $0x7FFFFFFF, R8
	CMPL R8, $0x7F000000
	JAE  refuse
	MOVL R12, R8
	ANDL $0x7FFFFFFF, R8
	CMPL R8, $0x7F000000
	JAE  refuse

	// min < max as floats: a constant tensor, or -0 and +0 only, has no
	// range.
	VUCOMISS X7, X6
	JAE      refuse

	// s = float32(255 / (float64(max) - float64(min))), finite.
	VCVTSS2SD X6, X6, X0
	VCVTSS2SD X7, X7, X1
	VSUBSD    X0, X1, X1
	MOVQ      $0x406FE00000000000, R8 // 255.0
	VMOVQ     R8, X2
	VDIVSD    X1, X2, X2
	VCVTSD2SS X2, X2, X3
	VMOVD     X3, R8
	CMPL      R8, $0x7F800000
	JAE       refuse

	// z = -roundEven(float64(float32(s*min))) - 128, computed in float32
	// with the same result and a shorter latency: t = s*min is a float32,
	// so roundEven(t) is one too (exact: an integer below 2^23, or t
	// itself), and z lies in [MinInt32+128, MaxInt32-128] exactly when
	// -2^31 < roundEven(t) <= 2^31-256 (an infinite t fails too). Then
	// the integer z is exact, and float32(z) is the one rounding of
	// -128 - roundEven(t) that VSUBSS does.
	VMULSS     X6, X3, X4
	VROUNDSS   $0, X4, X4, X4 // to nearest even
	MOVL       $0xCF000000, R8 // -2^31
	VMOVD      R8, X0
	VUCOMISS   X0, X4
	JBE        refuse
	MOVL       $0x4EFFFFFE, R8 // 2^31-256
	VMOVD      R8, X0
	VUCOMISS   X0, X4
	JA         refuse
	MOVL       $0xC3000000, R8 // -128.0
	VMOVD      R8, X5
	VSUBSS     X4, X5, X5 // float32(z)
	VCVTTSS2SI X4, R8
	NEGL       R8
	SUBL       $128, R8
	MOVL       R8, zero+60(FP)
	VMOVSS     X3, scale+56(FP)

	VBROADCASTSS X3, Y15
	VBROADCASTSS X5, Y14
	FUSEDPASS(ADDZERO4, ADDZERO1)

refuse:
	MOVL $0, scale+56(FP)
	MOVL $0, zero+60(FP)
	VZEROUPPER
	RET

empty:
	MOVL $0, lo+48(FP)
	MOVL $0, hi+52(FP)
	MOVL $0, scale+56(FP)
	MOVL $0, zero+60(FP)
	RET

// The checked quantizers are the six above for inputs that may hold NaNs
// (the static quantizers'): the same loop, with the products of each
// step tested for NaN in the same pass (x*scale is NaN exactly where x
// is, scale being positive and finite) and the tests ORed into Y6, which
// says at the end whether a NaN was seen. The values stored for a NaN
// are unspecified (the packs make them -128 or 127).

// NANCHECK32 and NANCHECK8 OR into Y6 the unordered test of the products
// in Y0..Y3 (in pairs) or Y0. Y9 and Y10 are scratch.
#define NANCHECK32 \
	VCMPPS $3, Y1, Y0, Y9  \
	VCMPPS $3, Y3, Y2, Y10 \
	VPOR   Y10, Y9, Y9     \
	VPOR   Y9, Y6, Y6

// NANCHECKF32 and NANCHECK16 are NANCHECK32 with the main loop's hints
// of the input 2 KiB ahead (see "Prefetching" in kernels_amd64.s): the
// checked quantizers, unlike the others, stream their input from memory.
#define NANCHECKF32 \
	HINTS(HINTINF32, nohint32) \
	NANCHECK32

#define NANCHECK16 \
	HINTS(HINTIN16, nohint32) \
	NANCHECK32

#define HINTINF32 \
	PREFETCHT0 2048(SI)(AX*4) \
	PREFETCHT0 2112(SI)(AX*4)

#define HINTIN16 \
	PREFETCHT0 2048(SI)(AX*2)

// CHECKEDLOOP is QUANTIZELOOP for the checked quantizers, with the gate
// of their hints (NANCHECKF32, NANCHECK16).
#define CHECKEDLOOP(LOAD32, CHECK32, ROUND4, PACK, CLAMP, LOAD8, CHECK8, ROUND8, LOADTAIL) \
	HINTGATE(CX) \
	QUANTIZELOOP(LOAD32, CHECK32, ROUND4, PACK, CLAMP, LOAD8, CHECK8, ROUND8, LOADTAIL)

#define NANCHECK8 \
	VCMPPS $3, Y0, Y0, Y9 \
	VPOR   Y9, Y6, Y6

// func quantizeAbsmaxCheckedAVX2(dst []int8, src []float32, scale float32) (nan bool)
// func quantizeZeroPointCheckedAVX2(dst []int8, src []float32, scale, zero float32) (nan bool)
// and the same from binary16 and bfloat16.
//
// Registers: those of the unchecked kernel, and
//	Y6      NaN seen (lanes)
//	Y9-Y10  scratch (NANCHECK32, NANCHECK8)
//	R13 hint gate (HINTGATE)
TEXT ·quantizeAbsmaxCheckedAVX2(SB), NOSPLIT, $0-57
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	ABSMAXCONSTS
	VPXOR        Y6, Y6, Y6
	CHECKEDLOOP(SCALED32F32, NANCHECKF32, ABSMAXROUND4, PACK4, CLAMP32, SCALED8F32, NANCHECK8, ABSMAXROUND8, SCALEDTAILF32(VMULPS))
	VPTEST       Y6, Y6
	SETNE        nan+56(FP)
	VZEROUPPER
	RET

TEXT ·quantizeZeroPointCheckedAVX2(SB), NOSPLIT, $0-57
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	VBROADCASTSS zero+52(FP), Y14
	ZEROPOINTCONSTS
	VPXOR        Y6, Y6, Y6
	CHECKEDLOOP(SCALED32F32, NANCHECKF32, ZEROPOINTROUND4, PACK4, NOTHING, SCALED8F32, NANCHECK8, ZEROPOINTROUND8, SCALEDTAILF32(VMULPS))
	VPTEST       Y6, Y6
	SETNE        nan+56(FP)
	VZEROUPPER
	RET

TEXT ·quantizeAbsmaxFloat16CheckedAVX2(SB), NOSPLIT, $0-57
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	ABSMAXCONSTS
	VPXOR        Y6, Y6, Y6
	CHECKEDLOOP(SCALED32F16(VMULPS), NANCHECK16, ABSMAXROUND4, PACK4, CLAMP32, SCALED8F16(VMULPS), NANCHECK8, ABSMAXROUND8, SCALEDTAILF16(VMULPS))
	VPTEST       Y6, Y6
	SETNE        nan+56(FP)
	VZEROUPPER
	RET

TEXT ·quantizeAbsmaxBFloat16CheckedAVX2(SB), NOSPLIT, $0-57
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	ABSMAXCONSTS
	BROADCAST32($0xFFFF0000, X11, Y11) // for BF16SPLIT
	VPXOR        Y6, Y6, Y6
	CHECKEDLOOP(SCALED32BF16(VMULPS), NANCHECK16, ABSMAXROUND4, BF16PACK, CLAMP32, SCALED8BF16(VMULPS), NANCHECK8, ABSMAXROUND8, SCALEDTAILBF16(VMULPS))
	VPTEST       Y6, Y6
	SETNE        nan+56(FP)
	VZEROUPPER
	RET

TEXT ·quantizeZeroPointFloat16CheckedAVX2(SB), NOSPLIT, $0-57
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	VBROADCASTSS zero+52(FP), Y14
	ZEROPOINTCONSTS
	VPXOR        Y6, Y6, Y6
	CHECKEDLOOP(SCALED32F16(VMULPS), NANCHECK16, ZEROPOINTROUND4, PACK4, NOTHING, SCALED8F16(VMULPS), NANCHECK8, ZEROPOINTROUND8, SCALEDTAILF16(VMULPS))
	VPTEST       Y6, Y6
	SETNE        nan+56(FP)
	VZEROUPPER
	RET

TEXT ·quantizeZeroPointBFloat16CheckedAVX2(SB), NOSPLIT, $0-57
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	VBROADCASTSS zero+52(FP), Y14
	ZEROPOINTCONSTS
	BROADCAST32($0xFFFF0000, X11, Y11) // for BF16SPLIT
	VPXOR        Y6, Y6, Y6
	CHECKEDLOOP(SCALED32BF16(VMULPS), NANCHECK16, ZEROPOINTROUND4, BF16PACK, NOTHING, SCALED8BF16(VMULPS), NANCHECK8, ZEROPOINTROUND8, SCALEDTAILBF16(VMULPS))
	VPTEST       Y6, Y6
	SETNE        nan+56(FP)
	VZEROUPPER
	RET

// The interop quantizers (PyTorch's and ONNX Runtime's arithmetic, see
// kernels.Set.QuantizePyTorch) are the checked zero-point quantizers with
// the scaled value rounded to an integer (VROUNDPS $0: to nearest even)
// before the zero point is added, so that a tie goes to the even integer
// whatever the zero point; the sum of two integers then converts exactly.
// PyTorch multiplies by its inverse scale (in Y15 in place of the scale),
// ONNX divides by its scale; both are positive and finite, so the NaN
// test of the products or quotients is one of the inputs. ±Inf saturates
// like any value beyond the grid: VMINPS takes the top to 127, and below
// -2^31 VCVTPS2DQ gives 0x80000000, which the packs saturate to -128.

// INTERROUND4 and INTERROUND8 are ZEROPOINTROUND4 and ZEROPOINTROUND8
// after rounding Y0..Y3 or Y0 to integers.
#define INTERROUND4 \
	VROUNDPS $0, Y0, Y0 \
	VROUNDPS $0, Y1, Y1 \
	VROUNDPS $0, Y2, Y2 \
	VROUNDPS $0, Y3, Y3 \
	ZEROPOINTROUND4

#define INTERROUND8 \
	VROUNDPS $0, Y0, Y0 \
	ZEROPOINTROUND8

// func quantizePyTorchAVX2(dst []int8, src []float32, inv, zero float32) (nan bool)
// func quantizeONNXAVX2(dst []int8, src []float32, scale, zero float32) (nan bool)
// and the same from binary16 and bfloat16.
//
// Registers: those of the checked zero-point quantizer, with inv (PyTorch)
// or scale (ONNX) in Y15.
TEXT ·quantizePyTorchAVX2(SB), NOSPLIT, $0-57
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS inv+48(FP), Y15
	VBROADCASTSS zero+52(FP), Y14
	ZEROPOINTCONSTS
	VPXOR        Y6, Y6, Y6
	CHECKEDLOOP(SCALED32F32, NANCHECKF32, INTERROUND4, PACK4, NOTHING, SCALED8F32, NANCHECK8, INTERROUND8, SCALEDTAILF32(VMULPS))
	VPTEST       Y6, Y6
	SETNE        nan+56(FP)
	VZEROUPPER
	RET

TEXT ·quantizeONNXAVX2(SB), NOSPLIT, $0-57
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	VBROADCASTSS zero+52(FP), Y14
	ZEROPOINTCONSTS
	VPXOR        Y6, Y6, Y6
	CHECKEDLOOP(QUOTIENT32F32, NANCHECKF32, INTERROUND4, PACK4, NOTHING, QUOTIENT8F32, NANCHECK8, INTERROUND8, SCALEDTAILF32(VDIVPS))
	VPTEST       Y6, Y6
	SETNE        nan+56(FP)
	VZEROUPPER
	RET

TEXT ·quantizePyTorchFloat16AVX2(SB), NOSPLIT, $0-57
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS inv+48(FP), Y15
	VBROADCASTSS zero+52(FP), Y14
	ZEROPOINTCONSTS
	VPXOR        Y6, Y6, Y6
	CHECKEDLOOP(SCALED32F16(VMULPS), NANCHECK16, INTERROUND4, PACK4, NOTHING, SCALED8F16(VMULPS), NANCHECK8, INTERROUND8, SCALEDTAILF16(VMULPS))
	VPTEST       Y6, Y6
	SETNE        nan+56(FP)
	VZEROUPPER
	RET

TEXT ·quantizeONNXFloat16AVX2(SB), NOSPLIT, $0-57
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	VBROADCASTSS zero+52(FP), Y14
	ZEROPOINTCONSTS
	VPXOR        Y6, Y6, Y6
	CHECKEDLOOP(SCALED32F16(VDIVPS), NANCHECK16, INTERROUND4, PACK4, NOTHING, SCALED8F16(VDIVPS), NANCHECK8, INTERROUND8, SCALEDTAILF16(VDIVPS))
	VPTEST       Y6, Y6
	SETNE        nan+56(FP)
	VZEROUPPER
	RET

TEXT ·quantizePyTorchBFloat16AVX2(SB), NOSPLIT, $0-57
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS inv+48(FP), Y15
	VBROADCASTSS zero+52(FP), Y14
	ZEROPOINTCONSTS
	BROADCAST32($0xFFFF0000, X11, Y11) // for BF16SPLIT
	VPXOR        Y6, Y6, Y6
	CHECKEDLOOP(SCALED32BF16(VMULPS), NANCHECK16, INTERROUND4, BF16PACK, NOTHING, SCALED8BF16(VMULPS), NANCHECK8, INTERROUND8, SCALEDTAILBF16(VMULPS))
	VPTEST       Y6, Y6
	SETNE        nan+56(FP)
	VZEROUPPER
	RET

TEXT ·quantizeONNXBFloat16AVX2(SB), NOSPLIT, $0-57
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	VBROADCASTSS zero+52(FP), Y14
	ZEROPOINTCONSTS
	BROADCAST32($0xFFFF0000, X11, Y11) // for BF16SPLIT
	VPXOR        Y6, Y6, Y6
	CHECKEDLOOP(SCALED32BF16(VDIVPS), NANCHECK16, INTERROUND4, BF16PACK, NOTHING, SCALED8BF16(VDIVPS), NANCHECK8, INTERROUND8, SCALEDTAILBF16(VDIVPS))
	VPTEST       Y6, Y6
	SETNE        nan+56(FP)
	VZEROUPPER
	RET
