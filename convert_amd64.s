//go:build !purego && !noasm

#include "textflag.h"
#include "kernels_amd64.h"

// Conversions between float32 and binary16 or bfloat16 (AVX2 + F16C).
// kernels_amd64.s describes what every file shares.
//
//   float32ToFloat16AVX2
//   float16ToFloat32AVX2
//   float32ToBFloat16AVX2
//   bfloat16ToFloat32AVX2

// HINTF32TO16 hints the float32 input 2 KiB ahead and the 16-bit output
// 1024 values ahead (see "Prefetching" in kernels_amd64.s).
#define HINTF32TO16 \
	PREFETCHT0 2048(SI)(AX*4) \
	PREFETCHT0 2112(SI)(AX*4) \
	PREFETCHT0 2048(DI)(AX*2)

// HINT16TOF32 hints the 16-bit input 2 KiB ahead and the float32 output
// 1024 values ahead.
#define HINT16TOF32 \
	PREFETCHT0 2048(SI)(AX*2) \
	PREFETCHT0 4096(DI)(AX*4) \
	PREFETCHT0 4160(DI)(AX*4)

// F32TOF16X32, F32TOF16X8 and F32TOF16TAIL convert 32, 8 and the last
// 1..7 (CX-AX) values at SI+4*AX to binary16 at DI+2*AX.
#define F32TOF16X32 \
	HINTS(HINTF32TO16, nohint32) \
	VMOVUPS    (SI)(AX*4), Y0   \
	VMOVUPS    32(SI)(AX*4), Y1 \
	VMOVUPS    64(SI)(AX*4), Y2 \
	VMOVUPS    96(SI)(AX*4), Y3 \
	VCVTPS2PH  $0, Y0, X0       \
	VCVTPS2PH  $0, Y1, X1       \
	VCVTPS2PH  $0, Y2, X2       \
	VCVTPS2PH  $0, Y3, X3       \
	VMOVDQU    X0, (DI)(AX*2)   \
	VMOVDQU    X1, 16(DI)(AX*2) \
	VMOVDQU    X2, 32(DI)(AX*2) \
	VMOVDQU    X3, 48(DI)(AX*2)

#define F32TOF16X8 \
	VMOVUPS   (SI)(AX*4), Y0 \
	VCVTPS2PH $0, Y0, X0     \
	VMOVDQU   X0, (DI)(AX*2)

#define F32TOF16TAIL \
	TAILMASK(Y8)                  \
	VMASKMOVPS (SI)(AX*4), Y8, Y0 \
	VCVTPS2PH  $0, Y0, X0         \
	STORE16TAIL

// func float32ToFloat16AVX2(dst []uint16, src []float32)
// VCVTPS2PH with immediate 0: round to nearest even whatever MXCSR says.
// F16C quiets a NaN as sign|0x7E00|mantissa>>13, which is the contract.
//
// Registers:
//	SI  src                   Y0-Y3   float32, then binary16 in X0-X3
//	DI  dst                   Y8      tail mask
//	CX  len(src)
//	AX  index
//	BX  loop end
//	DX  elements left (tail)
//	R8  scratch
//	R9  tail pointer
//	R13 hint gate (HINTGATE)
TEXT ·float32ToFloat16AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	XORQ AX, AX
	HINTGATE(CX)
	ELEMENTWISE(F32TOF16X32, NOTHING, F32TOF16X8, F32TOF16TAIL)

// F16TOF32X32, F16TOF32X8 and F16TOF32TAIL widen 32, 8 and the last 1..7
// (CX-AX) binary16 at SI+2*AX to float32 at DI+4*AX.
#define F16TOF32X32 \
	HINTS(HINT16TOF32, nohint32) \
	VCVTPH2PS  (SI)(AX*2), Y0   \
	VCVTPH2PS  16(SI)(AX*2), Y1 \
	VCVTPH2PS  32(SI)(AX*2), Y2 \
	VCVTPH2PS  48(SI)(AX*2), Y3 \
	VMOVUPS    Y0, (DI)(AX*4)   \
	VMOVUPS    Y1, 32(DI)(AX*4) \
	VMOVUPS    Y2, 64(DI)(AX*4) \
	VMOVUPS    Y3, 96(DI)(AX*4)

#define F16TOF32X8 \
	VCVTPH2PS (SI)(AX*2), Y0 \
	VMOVUPS   Y0, (DI)(AX*4)

#define F16TOF32TAIL \
	LOAD16TAIL                    \
	VCVTPH2PS  X0, Y0             \
	TAILMASK(Y8)                  \
	VMASKMOVPS Y0, Y8, (DI)(AX*4)

// func float16ToFloat32AVX2(dst []float32, src []uint16)
// VCVTPH2PS is exact and quiets NaNs by setting the top mantissa bit.
//
// Registers:
//	SI  src                   Y0-Y3   float32 values
//	DI  dst                   X0      binary16 of the tail
//	CX  len(src)              Y8      tail mask
//	AX  index
//	BX  loop end
//	DX  elements left (tail)
//	R8  scratch
//	R9  tail pointer
//	R10 scratch
//	R13 hint gate (HINTGATE)
TEXT ·float16ToFloat32AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	XORQ AX, AX
	HINTGATE(CX)
	ELEMENTWISE(F16TOF32X32, NOTHING, F16TOF32X8, F16TOF32TAIL)

// F32TOBF16X32, F32TOBF16X8 and F32TOBF16TAIL round 32, 8 and the last
// 1..7 (CX-AX) float32 at SI+4*AX to bfloat16 at DI+2*AX. F32TOBF16X32
// takes the short rounding when two unordered compares find no NaN among
// its 32 values, else it jumps to nan32 in F32TOBF16XAFTER32, which rounds
// them the long way and jumps back to store32. Every dword is then below
// 0x10000, so the unsigned saturating pack is exact; it interleaves
// 128-bit lanes, which VPERMQ puts back.
#define F32TOBF16X32 \
	HINTS(HINTF32TO16, nohint32)      \
	VMOVDQU    (SI)(AX*4), Y0         \
	VMOVDQU    32(SI)(AX*4), Y1       \
	VMOVDQU    64(SI)(AX*4), Y2       \
	VMOVDQU    96(SI)(AX*4), Y3       \
	VCMPPS     $3, Y1, Y0, Y8         \
	VCMPPS     $3, Y3, Y2, Y9         \
	VPOR       Y9, Y8, Y8             \
	VPTEST     Y8, Y8                 \
	JNZ        nan32                  \
	BF16NONAN(Y0, Y4, Y5, Y15, Y14)   \
	BF16NONAN(Y1, Y6, Y7, Y15, Y14)   \
	BF16NONAN(Y2, Y8, Y9, Y15, Y14)   \
	BF16NONAN(Y3, Y10, Y11, Y15, Y14) \
store32:                              \
	VPACKUSDW  Y1, Y0, Y0             \
	VPACKUSDW  Y3, Y2, Y2             \
	VPERMQ     $0xD8, Y0, Y0          \
	VPERMQ     $0xD8, Y2, Y2          \
	VMOVDQU    Y0, (DI)(AX*2)         \
	VMOVDQU    Y2, 32(DI)(AX*2)

#define F32TOBF16XAFTER32 \
	JMP vec8                                 \
nan32:                                       \
	BF16ROUND(Y0, Y4, Y5, Y6, Y15, Y14, Y13) \
	BF16ROUND(Y1, Y7, Y8, Y9, Y15, Y14, Y13) \
	BF16ROUND(Y2, Y4, Y5, Y6, Y15, Y14, Y13) \
	BF16ROUND(Y3, Y7, Y8, Y9, Y15, Y14, Y13) \
	JMP store32

#define F32TOBF16X8 \
	VMOVDQU      (SI)(AX*4), Y0              \
	BF16ROUND(Y0, Y4, Y5, Y6, Y15, Y14, Y13) \
	VEXTRACTI128 $1, Y0, X1                  \
	VPACKUSDW    X1, X0, X0                  \
	VMOVDQU      X0, (DI)(AX*2)

#define F32TOBF16TAIL \
	TAILMASK(Y8)                             \
	VMASKMOVPS   (SI)(AX*4), Y8, Y0          \
	BF16ROUND(Y0, Y4, Y5, Y6, Y15, Y14, Y13) \
	VEXTRACTI128 $1, Y0, X1                  \
	VPACKUSDW    X1, X0, X0                  \
	STORE16TAIL

// func float32ToBFloat16AVX2(dst []uint16, src []float32)
// The main loop tests 32 values for NaNs with two unordered compares and
// takes the short rounding when there are none.
//
// Registers:
//	SI  src                   Y0-Y3   float32, then bfloat16
//	DI  dst                   Y4-Y11  scratch (BF16NONAN, BF16ROUND)
//	CX  len(src)              Y8-Y9   NaN test (main loop)
//	AX  index                 Y8      tail mask
//	BX  loop end              Y13     0x40
//	DX  elements left (tail)  Y14     0x7FFF
//	R8  scratch               Y15     1
//	R9  tail pointer
//	R13 hint gate (HINTGATE)
TEXT ·float32ToBFloat16AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	BROADCAST32($1, X15, Y15)
	BROADCAST32($0x7FFF, X14, Y14)
	BROADCAST32($0x40, X13, Y13)
	XORQ AX, AX
	HINTGATE(CX)
	ELEMENTWISE(F32TOBF16X32, F32TOBF16XAFTER32, F32TOBF16X8, F32TOBF16TAIL)

// BF16TOF32X32, BF16TOF32X8 and BF16TOF32TAIL widen 32, 8 and the last
// 1..7 (CX-AX) bfloat16 at SI+2*AX to float32 at DI+4*AX.
#define BF16TOF32X32 \
	HINTS(HINT16TOF32, nohint32)       \
	VPERMQ     $0xD8, (SI)(AX*2), Y0   \
	VPERMQ     $0xD8, 32(SI)(AX*2), Y2 \
	VPUNPCKHWD Y0, Y15, Y1             \
	VPUNPCKLWD Y0, Y15, Y0             \
	VPUNPCKHWD Y2, Y15, Y3             \
	VPUNPCKLWD Y2, Y15, Y2             \
	VMOVDQU    Y0, (DI)(AX*4)          \
	VMOVDQU    Y1, 32(DI)(AX*4)        \
	VMOVDQU    Y2, 64(DI)(AX*4)        \
	VMOVDQU    Y3, 96(DI)(AX*4)

#define BF16TOF32X8 \
	VPMOVZXWD (SI)(AX*2), Y0 \
	VPSLLD    $16, Y0, Y0    \
	VMOVDQU   Y0, (DI)(AX*4)

#define BF16TOF32TAIL \
	LOAD16TAIL                    \
	VPMOVZXWD  X0, Y0             \
	VPSLLD     $16, Y0, Y0        \
	TAILMASK(Y8)                  \
	VMASKMOVPS Y0, Y8, (DI)(AX*4)

// func bfloat16ToFloat32AVX2(dst []float32, src []uint16)
// Interleaving zero words below the values shifts them into the top half
// of each dword. The main loop takes 16 values per load: VPERMQ puts the
// quarters in the order the in-lane VPUNPCKLWD/VPUNPCKHWD need, one
// cross-lane shuffle per 16 values instead of a VPMOVZXWD per 8.
//
// Registers:
//	SI  src                   Y0-Y3   bfloat16, then float32
//	DI  dst                   Y8      tail mask
//	CX  len(src)              Y15     all zeros
//	AX  index
//	BX  loop end
//	DX  elements left (tail)
//	R8  scratch
//	R9  tail pointer
//	R10 scratch
//	R13 hint gate (HINTGATE)
TEXT ·bfloat16ToFloat32AVX2(SB), NOSPLIT, $0-48
	MOVQ  dst_base+0(FP), DI
	MOVQ  src_base+24(FP), SI
	MOVQ  src_len+32(FP), CX
	VPXOR Y15, Y15, Y15
	XORQ  AX, AX
	HINTGATE(CX)
	ELEMENTWISE(BF16TOF32X32, NOTHING, BF16TOF32X8, BF16TOF32TAIL)
