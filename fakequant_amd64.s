//go:build !purego && !noasm

#include "textflag.h"
#include "kernels_amd64.h"

// Fake quantization for quantization-aware training: each value replaced
// by the dequantized value of its quantization, in one pass.
// kernels_amd64.s describes what every file shares.
//
//   fakeQuantizeDivAVX2, fakeQuantizeRecipAVX2
//   fakeQuantizeMaskAVX2
//   fakeQuantizePyTorch{NoMask,Mask}AVX2
//   maskGradientAVX2

// FAKESTEP fake-quantizes the 8 values at m, with r as the working
// register: times the multiplier (Y15: the scale, or PyTorch's inverse
// scale), then PRE(r, t) on the product, plus float32(zero) (Y14), each
// rounded, then GRID(r, t), which may leave in t the lanes in the grid;
// clamped to [qmin, qmax] (Y11, Y12 as floats), which commutes with any
// later rounding since both ends are integers and keeps VCVTPS2DQ in
// range; then FINISH(r, o) leaves the dequantized value in o.
#define FAKESTEP(m, r, t, o, PRE, GRID, FINISH) \
	VMULPS    m, Y15, r   \
	PRE(r, t)             \
	VADDPS    Y14, r, r   \
	GRID(r, t)            \
	VMINPS    Y12, r, r   \
	VMAXPS    Y11, r, r   \
	FINISH(r, o)

// FAKESTEP's PRE: NANTEST tests the product for NaN (into t, ORed into
// Y9; it is NaN exactly where x is, the multiplier being positive and
// finite); NANTESTROUND then rounds it to nearest even (VROUNDPS $0, as
// VCVTPS2DQ rounds; values beyond int32 and infinities stay as they are),
// as PyTorch does before adding the zero point; UNTESTED is for
// FakeQuantizeMask, which takes no NaN.
#define NANTEST(r, t) \
	VCMPPS $3, r, r, t \
	VPOR   t, Y9, Y9

#define NANTESTROUND(r, t) \
	NANTEST(r, t)     \
	VROUNDPS $0, r, r

#define UNTESTED(r, t)

// FAKESTEP's GRID: nothing, or INGRID, which leaves in k the lanes with
// qmin <= r <= qmax (all-ones dwords, else zero; Y8 is scratch).
// FakeQuantizeMask's mask is of the rounded sum: ROUNDINGRID rounds
// first.
#define NOGRID(r, k)

#define INGRID(r, k) \
	VCMPPS $0x1D, Y11, r, k  \
	VCMPPS $0x12, Y12, r, Y8 \
	VANDPS Y8, k, k

#define ROUNDINGRID(r, k) \
	VROUNDPS $0, r, r \
	INGRID(r, k)

// The finishes. UNZERO rounds r to nearest even and takes zero (Y13)
// from it as int32, exact, converted back. DIVIDE and RECIPROCAL follow
// it with the library's division by the scale (Y15): an IEEE division,
// or, where the Go wrapper has found the call inside the domain of the
// dequantizers' fast path (see DEQUANTFAST in dequantize_amd64.s: there
// zero lies in [-128, 128], so every numerator q - zero in [-256, 255],
// and 2^-64 <= scale <= 2^64), the product by 1/scale (Y10) corrected by
// two fused multiply-adds, which is the same quotient: y = n*(1/scale),
// e = n - y*scale (exact), y + e*(1/scale). AFFINE is PyTorch's
// (q - zero) * scale with the scale in Y13: the difference in float32,
// exact on its grids (|q|, |zero| <= 2^23), then one rounded product.
#define UNZERO(r) \
	VCVTPS2DQ r, r      \
	VPSUBD    Y13, r, r \
	VCVTDQ2PS r, r

#define DIVIDE(r, o) \
	UNZERO(r)        \
	VDIVPS Y15, r, o

#define RECIPROCAL(r, o) \
	UNZERO(r)              \
	VMULPS       Y10, r, o \
	VFNMADD231PS Y15, o, r \
	VFMADD231PS  Y10, r, o

#define AFFINE(r, o) \
	VSUBPS Y14, r, r \
	VMULPS Y13, r, o

// The steps of the kernels, on the 8 values at m, the result in t, or,
// for the masked kernels, in r with the mask in k.
#define DIVSTEP(m, r, t) \
	FAKESTEP(m, r, t, t, NANTEST, NOGRID, DIVIDE)

#define RECIPSTEP(m, r, t) \
	FAKESTEP(m, r, t, t, NANTEST, NOGRID, RECIPROCAL)

#define PYTORCHSTEP(m, r, t) \
	FAKESTEP(m, r, t, t, NANTESTROUND, NOGRID, AFFINE)

#define MASKSTEP(m, r, k) \
	FAKESTEP(m, r, k, r, UNTESTED, ROUNDINGRID, DIVIDE)

#define PYTORCHMASKSTEP(m, r, k) \
	FAKESTEP(m, r, k, r, NANTESTROUND, INGRID, AFFINE)

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

// FAKEHINT hints the input 2 KiB ahead and the output 1024 values ahead,
// behind the tuning's gate (see "Prefetching" in kernels_amd64.s). The
// masked kernels' byte masks, a quarter of a line per step, are left to
// the hardware.
#define FAKEHINT \
	PREFETCHT0 2048(SI)(AX*4) \
	PREFETCHT0 2112(SI)(AX*4) \
	PREFETCHT0 4096(DI)(AX*4) \
	PREFETCHT0 4160(DI)(AX*4)

// FAKEX32, FAKEX8 and FAKETAIL fake-quantize 32, 8 and the last 1..7
// (CX-AX) values at SI+4*AX into DI+4*AX, with STEP. The tail's lanes
// past the end load as zeros, which are no NaN.
#define FAKEX32(STEP) \
	HINTS(FAKEHINT, nohint32)  \
	STEP((SI)(AX*4), Y0, Y4)   \
	STEP(32(SI)(AX*4), Y1, Y5) \
	STEP(64(SI)(AX*4), Y2, Y6) \
	STEP(96(SI)(AX*4), Y3, Y7) \
	VMOVUPS Y4, (DI)(AX*4)     \
	VMOVUPS Y5, 32(DI)(AX*4)   \
	VMOVUPS Y6, 64(DI)(AX*4)   \
	VMOVUPS Y7, 96(DI)(AX*4)

#define FAKEX8(STEP) \
	STEP((SI)(AX*4), Y0, Y4) \
	VMOVUPS Y4, (DI)(AX*4)

#define FAKETAIL(STEP) \
	TAILMASK(Y8)                  \
	VMASKMOVPS (SI)(AX*4), Y8, Y1 \
	STEP(Y1, Y0, Y4)              \
	VMASKMOVPS Y4, Y8, (DI)(AX*4)

// FAKEQUANTIZE is the body of the unmasked fake quantizers, after their
// arguments and FAKESTEP's constants are in place (DI dst, SI src, CX its
// length, and what STEP's finish reads), up to their done label; Y9 then
// says whether a NaN was seen.
#define FAKEQUANTIZE(STEP) \
	VPXOR Y9, Y9, Y9 \
	XORQ  AX, AX     \
	HINTGATE(CX)     \
	ELEMENTWISELOOP(FAKEX32(STEP), NOTHING, FAKEX8(STEP), FAKETAIL(STEP))

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
//	R13 then the hint gate    Y14     float32(zero)
//	                          Y15     scale
TEXT ·fakeQuantizeDivAVX2(SB), NOSPLIT, $0-65
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	MOVL         zero+52(FP), R11
	MOVL         qmin+56(FP), R12
	MOVL         qmax+60(FP), R13
	FAKEGRID
	FAKEQUANTIZE(DIVSTEP)
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
	FAKEGRID
	FAKEQUANTIZE(RECIPSTEP)
	VPTEST       Y9, Y9
	SETNE        nan+72(FP)
	VZEROUPPER
	RET

// The masked fake quantizers store with each value whether it fell
// within the grid: FakeQuantize's mask is of the rounded sum (MASKSTEP
// rounds before it clamps: the same values, since the grid's ends are
// integers), PyTorch's of the sum of the rounded product and the zero
// point (PYTORCHMASKSTEP), which also tests for NaN; FakeQuantizeMask
// takes none.

// MASKX32, MASKX8 and MASKTAIL fake-quantize 32, 8 and the last 1..7
// (CX-AX) values at SI+4*AX into DI+4*AX with STEP, and store their masks
// as bytes 0 or 1 at R10+AX: the dword masks packed with signed
// saturation (-1 stays -1), put back in order by ·packOrder (Y10), then
// made 1 by VPABSB. MASKTAIL keeps its lane mask in Y3, as the steps use
// Y8, and ends at STORE8TAIL, with DI moved to the mask.
#define MASKX32(STEP) \
	HINTS(FAKEHINT, nohint32)  \
	STEP((SI)(AX*4), Y0, Y4)   \
	STEP(32(SI)(AX*4), Y1, Y5) \
	STEP(64(SI)(AX*4), Y2, Y6) \
	STEP(96(SI)(AX*4), Y3, Y7) \
	VMOVUPS   Y0, (DI)(AX*4)   \
	VMOVUPS   Y1, 32(DI)(AX*4) \
	VMOVUPS   Y2, 64(DI)(AX*4) \
	VMOVUPS   Y3, 96(DI)(AX*4) \
	VPACKSSDW Y5, Y4, Y4       \
	VPACKSSDW Y7, Y6, Y6       \
	VPACKSSWB Y6, Y4, Y4       \
	VPERMD    Y4, Y10, Y4      \
	VPABSB    Y4, Y4           \
	VMOVDQU   Y4, (R10)(AX*1)

#define MASKBYTES8 \
	VEXTRACTI128 $1, Y4, X5 \
	VPACKSSDW    X5, X4, X4 \
	VPACKSSWB    X4, X4, X4 \
	VPABSB       X4, X4

#define MASKX8(STEP) \
	STEP((SI)(AX*4), Y0, Y4) \
	VMOVUPS Y0, (DI)(AX*4)   \
	MASKBYTES8               \
	VMOVQ   X4, (R10)(AX*1)

#define MASKTAIL(STEP) \
	TAILMASK(Y3)                  \
	VMASKMOVPS (SI)(AX*4), Y3, Y1 \
	STEP(Y1, Y0, Y4)              \
	VMASKMOVPS Y0, Y3, (DI)(AX*4) \
	MASKBYTES8                    \
	VMOVDQA    X4, X0             \
	MOVQ       R10, DI            \
	STORE8TAIL

// MASKED is the body of the masked fake quantizers, after their arguments
// and FAKESTEP's constants are in place (DI dst, SI src, CX its length,
// R10 the mask, and what STEP's finish reads), up to their done label;
// Y9 then says whether a NaN was seen, if STEP tests.
#define MASKED(STEP) \
	VMOVDQU ·packOrder(SB), Y10 \
	VPXOR   Y9, Y9, Y9          \
	XORQ    AX, AX              \
	HINTGATE(CX)                \
	ELEMENTWISELOOP(MASKX32(STEP), NOTHING, MASKX8(STEP), MASKTAIL(STEP))

// func fakeQuantizeMaskAVX2(dst, src []float32, mask []uint8, scale float32, zero, qmin, qmax int32)
//
// Registers:
//	SI  src                   Y0-Y3   values (Y3: tail mask, in MASKTAIL)
//	DI  dst, then mask (tail) Y4-Y7   lane masks, then bytes in Y4
//	R10 mask                  Y8      scratch (INGRID)
//	CX  len(src)              Y9      unused (zeroed by MASKED)
//	AX  index                 Y10     packOrder
//	BX  loop end              Y11     float32(qmin)
//	DX  scratch (tails)       Y12     float32(qmax)
//	R8  scratch               Y13     zero (int32)
//	R9  tail pointer          Y14     float32(zero)
//	R11-R13 zero, qmin, qmax  Y15     scale
//	R13 then the hint gate
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
	MASKED(MASKSTEP)
	VZEROUPPER
	RET

// func fakeQuantizePyTorchNoMaskAVX2(dst, src []float32, inv, scale float32, zero, qmin, qmax int32) (nan bool)
// func fakeQuantizePyTorchMaskAVX2(dst, src []float32, mask []uint8, inv, scale float32, zero, qmin, qmax int32) (nan bool)
// PyTorch's fake_quantize_per_tensor_affine and its _cachemask form
// (kernels_amd64.go's fakeQuantizePyTorchAVX2 picks by whether there is a
// mask): FAKESTEP multiplying by inv (Y15), rounding before the zero
// point, finishing with AFFINE (the scale in Y13, over FAKEGRID's int32
// zero, which AFFINE does not need).
//
// Registers: those of fakeQuantizeDivAVX2 or fakeQuantizeMaskAVX2, with
//	Y4-Y7   NaN tests, then lane masks (Mask)
//	Y9      NaN seen (lanes)
//	Y13     scale
//	Y15     inv
TEXT ·fakeQuantizePyTorchNoMaskAVX2(SB), NOSPLIT, $0-73
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS inv+48(FP), Y15
	MOVL         zero+56(FP), R11
	MOVL         qmin+60(FP), R12
	MOVL         qmax+64(FP), R13
	FAKEGRID
	VBROADCASTSS scale+52(FP), Y13
	FAKEQUANTIZE(PYTORCHSTEP)
	VPTEST       Y9, Y9
	SETNE        nan+72(FP)
	VZEROUPPER
	RET

TEXT ·fakeQuantizePyTorchMaskAVX2(SB), NOSPLIT, $0-97
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	MOVQ         mask_base+48(FP), R10
	VBROADCASTSS inv+72(FP), Y15
	MOVL         zero+80(FP), R11
	MOVL         qmin+84(FP), R12
	MOVL         qmax+88(FP), R13
	FAKEGRID
	VBROADCASTSS scale+76(FP), Y13
	MASKED(PYTORCHMASKSTEP)
	VPTEST       Y9, Y9
	SETNE        nan+96(FP)
	VZEROUPPER
	RET

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
