//go:build !purego && !noasm

#include "textflag.h"

// AVX2 kernels (with F16C), see kernels_amd64.go. Every kernel walks its
// slices with one index, AX, in three stages:
//
//   - a main loop of 32 elements (four 8-lane vectors in flight);
//   - a loop of single 8-lane vectors for what is left of 32;
//   - the last 1..7 elements as one more vector: 32-bit data moves through
//     VMASKMOVPS/VPMASKMOVD, which neither faults on nor touches the lanes
//     it leaves out; 8- and 16-bit data is loaded and stored in pieces of
//     4, 2 and 1 elements. The reductions fill the missing lanes with a
//     value that cannot change the result.
//
// Nothing is ever read or written outside the slices. Float arithmetic
// relies on Go's MXCSR (round to nearest even, no FTZ/DAZ), as Go's own
// float32 code does.

// tailMask<>+32-4*r holds r all-ones dwords followed by zeros: the VPMASKMOVD
// mask of the last r (1..7) elements.
DATA tailMask<>+0(SB)/8, $0xffffffffffffffff
DATA tailMask<>+8(SB)/8, $0xffffffffffffffff
DATA tailMask<>+16(SB)/8, $0xffffffffffffffff
DATA tailMask<>+24(SB)/8, $0xffffffffffffffff
DATA tailMask<>+32(SB)/8, $0
DATA tailMask<>+40(SB)/8, $0
DATA tailMask<>+48(SB)/8, $0
DATA tailMask<>+56(SB)/8, $0
GLOBL tailMask<>(SB), RODATA|NOPTR, $64

// packOrder<> is the VPERMD index that undoes the per-128-bit-lane order
// of VPACKSSDW+VPACKSSWB on four vectors: dword i of the packed result
// holds four bytes of vector i%4, from its lane i/4.
DATA packOrder<>+0(SB)/4, $0
DATA packOrder<>+4(SB)/4, $4
DATA packOrder<>+8(SB)/4, $1
DATA packOrder<>+12(SB)/4, $5
DATA packOrder<>+16(SB)/4, $2
DATA packOrder<>+20(SB)/4, $6
DATA packOrder<>+24(SB)/4, $3
DATA packOrder<>+28(SB)/4, $7
GLOBL packOrder<>(SB), RODATA|NOPTR, $32

// BROADCAST32 fills every dword of Y with the 32-bit constant c.
#define BROADCAST32(c, X, Y) \
	MOVL         c, R8  \
	VMOVD        R8, X  \
	VPBROADCASTD X, Y

// TAILMASK loads into Y the VPMASKMOVD mask of the CX-AX (1..7) elements
// left.
#define TAILMASK(Y) \
	MOVQ    AX, DX                \
	SUBQ    CX, DX                \
	LEAQ    tailMask<>+32(SB), R8 \
	VMOVDQU (R8)(DX*4), Y

// STORE16TAIL stores the first CX-AX (1..7) words of X0 at DI+2*AX:
// four, two, then one, shifting X0 down after each piece.
#define STORE16TAIL \
	MOVQ    CX, DX         \
	SUBQ    AX, DX         \
	LEAQ    (DI)(AX*2), R9 \
	TESTQ   $4, DX         \
	JZ      st2            \
	VMOVQ   X0, (R9)       \
	VPSRLDQ $8, X0, X0     \
	ADDQ    $8, R9         \
st2:                       \
	TESTQ   $2, DX         \
	JZ      st1            \
	VMOVD   X0, (R9)       \
	VPSRLDQ $4, X0, X0     \
	ADDQ    $4, R9         \
st1:                       \
	TESTQ   $1, DX         \
	JZ      done           \
	VPEXTRW $0, X0, (R9)

// STORE8TAIL stores the first CX-AX (1..7) bytes of X0 at DI+AX.
#define STORE8TAIL \
	MOVQ    CX, DX         \
	SUBQ    AX, DX         \
	LEAQ    (DI)(AX*1), R9 \
	TESTQ   $4, DX         \
	JZ      st2            \
	VMOVD   X0, (R9)       \
	VPSRLDQ $4, X0, X0     \
	ADDQ    $4, R9         \
st2:                       \
	TESTQ   $2, DX         \
	JZ      st1            \
	VPEXTRW $0, X0, (R9)   \
	VPSRLDQ $2, X0, X0     \
	ADDQ    $2, R9         \
st1:                       \
	TESTQ   $1, DX         \
	JZ      done           \
	VPEXTRB $0, X0, (R9)

// LOAD16TAIL loads the CX-AX (1..7) words at SI+2*AX into the low words of
// X0, zeroing the rest. It inserts the last odd word, then the pair before
// it, then the first four, shifting X0 up before each insert, so the
// pieces end up in order.
#define LOAD16TAIL \
	MOVQ    CX, DX                 \
	SUBQ    AX, DX                 \
	LEAQ    (SI)(AX*2), R9         \
	VPXOR   X0, X0, X0             \
	TESTQ   $1, DX                 \
	JZ      ld2                    \
	MOVQ    DX, R10                \
	ANDQ    $6, R10                \
	VPINSRW $0, (R9)(R10*2), X0, X0 \
ld2:                               \
	TESTQ   $2, DX                 \
	JZ      ld4                    \
	MOVQ    DX, R10                \
	ANDQ    $4, R10                \
	VPSLLDQ $4, X0, X0             \
	VPINSRD $0, (R9)(R10*2), X0, X0 \
ld4:                               \
	TESTQ   $4, DX                 \
	JZ      ldok                   \
	VPSLLDQ $8, X0, X0             \
	VPINSRQ $0, (R9), X0, X0       \
ldok:

// LOAD8TAIL loads the CX-AX (1..7) bytes at SI+AX into the low bytes of X0
// like LOAD16TAIL.
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

// func float32ToFloat16AVX2(dst []uint16, src []float32)
// VCVTPS2PH with immediate 0: round to nearest even whatever MXCSR says.
// F16C quiets a NaN as sign|0x7E00|mantissa>>13, which is the contract.
TEXT ·float32ToFloat16AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-32, BX
	JZ   vec8

loop32:
	VMOVUPS    (SI)(AX*4), Y0
	VMOVUPS    32(SI)(AX*4), Y1
	VMOVUPS    64(SI)(AX*4), Y2
	VMOVUPS    96(SI)(AX*4), Y3
	VCVTPS2PH  $0, Y0, X0
	VCVTPS2PH  $0, Y1, X1
	VCVTPS2PH  $0, Y2, X2
	VCVTPS2PH  $0, Y3, X3
	VMOVDQU    X0, (DI)(AX*2)
	VMOVDQU    X1, 16(DI)(AX*2)
	VMOVDQU    X2, 32(DI)(AX*2)
	VMOVDQU    X3, 48(DI)(AX*2)
	ADDQ       $32, AX
	CMPQ       AX, BX
	JB         loop32

vec8:
	MOVQ CX, BX
	ANDQ $-8, BX
	CMPQ AX, BX
	JAE  tail

loop8:
	VMOVUPS   (SI)(AX*4), Y0
	VCVTPS2PH $0, Y0, X0
	VMOVDQU   X0, (DI)(AX*2)
	ADDQ      $8, AX
	CMPQ      AX, BX
	JB        loop8

tail:
	CMPQ AX, CX
	JAE  done
	TAILMASK(Y8)
	VMASKMOVPS (SI)(AX*4), Y8, Y0
	VCVTPS2PH  $0, Y0, X0
	STORE16TAIL

done:
	VZEROUPPER
	RET

// func float16ToFloat32AVX2(dst []float32, src []uint16)
// VCVTPH2PS is exact and quiets NaNs by setting the top mantissa bit.
TEXT ·float16ToFloat32AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-32, BX
	JZ   vec8

loop32:
	VCVTPH2PS (SI)(AX*2), Y0
	VCVTPH2PS 16(SI)(AX*2), Y1
	VCVTPH2PS 32(SI)(AX*2), Y2
	VCVTPH2PS 48(SI)(AX*2), Y3
	VMOVUPS   Y0, (DI)(AX*4)
	VMOVUPS   Y1, 32(DI)(AX*4)
	VMOVUPS   Y2, 64(DI)(AX*4)
	VMOVUPS   Y3, 96(DI)(AX*4)
	ADDQ      $32, AX
	CMPQ      AX, BX
	JB        loop32

vec8:
	MOVQ CX, BX
	ANDQ $-8, BX
	CMPQ AX, BX
	JAE  tail

loop8:
	VCVTPH2PS (SI)(AX*2), Y0
	VMOVUPS   Y0, (DI)(AX*4)
	ADDQ      $8, AX
	CMPQ      AX, BX
	JB        loop8

tail:
	CMPQ AX, CX
	JAE  done
	LOAD16TAIL
	VCVTPH2PS  X0, Y0
	TAILMASK(Y8)
	VMASKMOVPS Y0, Y8, (DI)(AX*4)

done:
	VZEROUPPER
	RET

// BF16ROUND turns the float32 lanes of x into bfloat16 in the low half of
// each dword of x: (x + 0x7FFF + (x>>16 & 1)) >> 16, or x>>16 | 0x40 for a
// NaN. one, bias and quiet hold 1, 0x7FFF and 0x40 in every dword; h, t, m
// are scratch.
#define BF16ROUND(x, h, t, m, one, bias, quiet) \
	VPSRLD    $16, x, h     \
	VPAND     one, h, m     \
	VPADDD    bias, x, t    \
	VPADDD    m, t, t       \
	VPSRLD    $16, t, t     \
	VPOR      quiet, h, h   \
	VCMPPS    $3, x, x, m   \
	VPBLENDVB m, h, t, x

// BF16NONAN is BF16ROUND for lanes known not to be NaNs.
#define BF16NONAN(x, h, t, one, bias) \
	VPSRLD $16, x, h  \
	VPAND  one, h, h  \
	VPADDD bias, x, t \
	VPADDD h, t, t    \
	VPSRLD $16, t, x

// func float32ToBFloat16AVX2(dst []uint16, src []float32)
// The main loop tests 32 values for NaNs with two unordered compares and
// takes the short rounding when there are none.
TEXT ·float32ToBFloat16AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	BROADCAST32($1, X15, Y15)
	BROADCAST32($0x7FFF, X14, Y14)
	BROADCAST32($0x40, X13, Y13)
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-32, BX
	JZ   vec8

loop32:
	VMOVDQU (SI)(AX*4), Y0
	VMOVDQU 32(SI)(AX*4), Y1
	VMOVDQU 64(SI)(AX*4), Y2
	VMOVDQU 96(SI)(AX*4), Y3
	VCMPPS  $3, Y1, Y0, Y8
	VCMPPS  $3, Y3, Y2, Y9
	VPOR    Y9, Y8, Y8
	VPTEST  Y8, Y8
	JNZ     nan32
	BF16NONAN(Y0, Y4, Y5, Y15, Y14)
	BF16NONAN(Y1, Y6, Y7, Y15, Y14)
	BF16NONAN(Y2, Y8, Y9, Y15, Y14)
	BF16NONAN(Y3, Y10, Y11, Y15, Y14)

store32:
	// Every dword is below 0x10000, so the unsigned saturating pack is
	// exact; it interleaves 128-bit lanes, which VPERMQ puts back.
	VPACKUSDW Y1, Y0, Y0
	VPACKUSDW Y3, Y2, Y2
	VPERMQ    $0xD8, Y0, Y0
	VPERMQ    $0xD8, Y2, Y2
	VMOVDQU   Y0, (DI)(AX*2)
	VMOVDQU   Y2, 32(DI)(AX*2)
	ADDQ      $32, AX
	CMPQ      AX, BX
	JB        loop32
	JMP       vec8

nan32:
	BF16ROUND(Y0, Y4, Y5, Y6, Y15, Y14, Y13)
	BF16ROUND(Y1, Y7, Y8, Y9, Y15, Y14, Y13)
	BF16ROUND(Y2, Y4, Y5, Y6, Y15, Y14, Y13)
	BF16ROUND(Y3, Y7, Y8, Y9, Y15, Y14, Y13)
	JMP store32

vec8:
	MOVQ CX, BX
	ANDQ $-8, BX
	CMPQ AX, BX
	JAE  tail

loop8:
	VMOVDQU      (SI)(AX*4), Y0
	BF16ROUND(Y0, Y4, Y5, Y6, Y15, Y14, Y13)
	VEXTRACTI128 $1, Y0, X1
	VPACKUSDW    X1, X0, X0
	VMOVDQU      X0, (DI)(AX*2)
	ADDQ         $8, AX
	CMPQ         AX, BX
	JB           loop8

tail:
	CMPQ AX, CX
	JAE  done
	TAILMASK(Y8)
	VMASKMOVPS   (SI)(AX*4), Y8, Y0
	BF16ROUND(Y0, Y4, Y5, Y6, Y15, Y14, Y13)
	VEXTRACTI128 $1, Y0, X1
	VPACKUSDW    X1, X0, X0
	STORE16TAIL

done:
	VZEROUPPER
	RET

// func bfloat16ToFloat32AVX2(dst []float32, src []uint16)
// Interleaving zero words below the values shifts them into the top half
// of each dword. The main loop takes 16 values per load: VPERMQ puts the
// quarters in the order the in-lane VPUNPCKLWD/VPUNPCKHWD need, one
// cross-lane shuffle per 16 values instead of a VPMOVZXWD per 8.
TEXT ·bfloat16ToFloat32AVX2(SB), NOSPLIT, $0-48
	MOVQ  dst_base+0(FP), DI
	MOVQ  src_base+24(FP), SI
	MOVQ  src_len+32(FP), CX
	VPXOR Y15, Y15, Y15
	XORQ  AX, AX
	MOVQ  CX, BX
	ANDQ  $-32, BX
	JZ    vec8

loop32:
	VPERMQ     $0xD8, (SI)(AX*2), Y0
	VPERMQ     $0xD8, 32(SI)(AX*2), Y2
	VPUNPCKHWD Y0, Y15, Y1
	VPUNPCKLWD Y0, Y15, Y0
	VPUNPCKHWD Y2, Y15, Y3
	VPUNPCKLWD Y2, Y15, Y2
	VMOVDQU    Y0, (DI)(AX*4)
	VMOVDQU    Y1, 32(DI)(AX*4)
	VMOVDQU    Y2, 64(DI)(AX*4)
	VMOVDQU    Y3, 96(DI)(AX*4)
	ADDQ       $32, AX
	CMPQ       AX, BX
	JB         loop32

vec8:
	MOVQ CX, BX
	ANDQ $-8, BX
	CMPQ AX, BX
	JAE  tail

loop8:
	VPMOVZXWD (SI)(AX*2), Y0
	VPSLLD    $16, Y0, Y0
	VMOVDQU   Y0, (DI)(AX*4)
	ADDQ      $8, AX
	CMPQ      AX, BX
	JB        loop8

tail:
	CMPQ AX, CX
	JAE  done
	LOAD16TAIL
	VPMOVZXWD  X0, Y0
	VPSLLD     $16, Y0, Y0
	TAILMASK(Y8)
	VMASKMOVPS Y0, Y8, (DI)(AX*4)

done:
	VZEROUPPER
	RET

// func absMaxBitsAVX2(src []float32) uint32
// Unsigned max of bits&0x7FFFFFFF, four accumulators. Masked-off tail
// lanes load as 0, which never raises the max.
TEXT ·absMaxBitsAVX2(SB), NOSPLIT, $0-28
	MOVQ src_base+0(FP), SI
	MOVQ src_len+8(FP), CX
	BROADCAST32($0x7FFFFFFF, X15, Y15)
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	XORQ  AX, AX
	MOVQ  CX, BX
	ANDQ  $-32, BX
	JZ    vec8

loop32:
	VPAND   (SI)(AX*4), Y15, Y4
	VPAND   32(SI)(AX*4), Y15, Y5
	VPAND   64(SI)(AX*4), Y15, Y6
	VPAND   96(SI)(AX*4), Y15, Y7
	VPMAXUD Y4, Y0, Y0
	VPMAXUD Y5, Y1, Y1
	VPMAXUD Y6, Y2, Y2
	VPMAXUD Y7, Y3, Y3
	ADDQ    $32, AX
	CMPQ    AX, BX
	JB      loop32

vec8:
	MOVQ CX, BX
	ANDQ $-8, BX
	CMPQ AX, BX
	JAE  tail

loop8:
	VPAND   (SI)(AX*4), Y15, Y4
	VPMAXUD Y4, Y0, Y0
	ADDQ    $8, AX
	CMPQ    AX, BX
	JB      loop8

tail:
	CMPQ AX, CX
	JAE  reduce
	TAILMASK(Y8)
	VPMASKMOVD (SI)(AX*4), Y8, Y4
	VPAND      Y4, Y15, Y4
	VPMAXUD    Y4, Y1, Y1

reduce:
	VPMAXUD      Y1, Y0, Y0
	VPMAXUD      Y3, Y2, Y2
	VPMAXUD      Y2, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPMAXUD      X1, X0, X0
	VPSHUFD      $0x4E, X0, X1
	VPMAXUD      X1, X0, X0
	VPSHUFD      $0xB1, X0, X1
	VPMAXUD      X1, X0, X0
	VMOVD        X0, AX
	MOVL         AX, ret+24(FP)
	VZEROUPPER
	RET

// MINMAX3 folds the raw bits in v into the signed max (smax), signed min
// (smin) and unsigned max (umax) accumulators.
#define MINMAX3(v, smax, smin, umax) \
	VPMAXSD v, smax, smax \
	VPMINSD v, smin, smin \
	VPMAXUD v, umax, umax

// func minMaxKeysAVX2(src []float32) (lo, hi int32)
// Rather than mapping every element to its order key (three operations),
// it reduces the raw bits three ways and derives the keys at the end. As
// int32, non-negative floats sort by magnitude and above every negative
// one, and negative floats sort by magnitude too (key order is the
// reverse); as uint32, every negative float sorts above every
// non-negative one. So:
//
//	hi = smax            if smax >= 0 (a non-negative float exists)
//	   = key(smin)       otherwise (all negative: smallest magnitude)
//	lo = key(umax)       if smin < 0 (the negative of largest magnitude)
//	   = smin            otherwise (all non-negative)
//
// where key(b) = b ^ 0x7FFFFFFF for negative b. The accumulators start as
// src[0], which also fills the masked-off lanes of the tail.
TEXT ·minMaxKeysAVX2(SB), NOSPLIT, $0-32
	MOVQ src_base+0(FP), SI
	MOVQ src_len+8(FP), CX
	TESTQ CX, CX
	JZ    empty
	VPBROADCASTD (SI), Y0
	VMOVDQA      Y0, Y1
	VMOVDQA      Y0, Y2
	VMOVDQA      Y0, Y3
	VMOVDQA      Y0, Y4
	VMOVDQA      Y0, Y5
	VMOVDQA      Y0, Y15
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-32, BX
	JZ           vec8

loop32:
	VMOVDQU (SI)(AX*4), Y6
	VMOVDQU 32(SI)(AX*4), Y7
	VMOVDQU 64(SI)(AX*4), Y8
	VMOVDQU 96(SI)(AX*4), Y9
	MINMAX3(Y6, Y0, Y1, Y2)
	MINMAX3(Y7, Y3, Y4, Y5)
	MINMAX3(Y8, Y0, Y1, Y2)
	MINMAX3(Y9, Y3, Y4, Y5)
	ADDQ    $32, AX
	CMPQ    AX, BX
	JB      loop32

vec8:
	MOVQ CX, BX
	ANDQ $-8, BX
	CMPQ AX, BX
	JAE  tail

loop8:
	VMOVDQU (SI)(AX*4), Y6
	MINMAX3(Y6, Y0, Y1, Y2)
	ADDQ    $8, AX
	CMPQ    AX, BX
	JB      loop8

tail:
	CMPQ AX, CX
	JAE  reduce
	TAILMASK(Y8)
	VPMASKMOVD (SI)(AX*4), Y8, Y6
	VPBLENDVB  Y8, Y6, Y15, Y6
	MINMAX3(Y6, Y3, Y4, Y5)

reduce:
	VPMAXSD      Y3, Y0, Y0
	VPMINSD      Y4, Y1, Y1
	VPMAXUD      Y5, Y2, Y2
	VEXTRACTI128 $1, Y0, X3
	VEXTRACTI128 $1, Y1, X4
	VEXTRACTI128 $1, Y2, X5
	VPMAXSD      X3, X0, X0
	VPMINSD      X4, X1, X1
	VPMAXUD      X5, X2, X2
	VPSHUFD      $0x4E, X0, X3
	VPSHUFD      $0x4E, X1, X4
	VPSHUFD      $0x4E, X2, X5
	VPMAXSD      X3, X0, X0
	VPMINSD      X4, X1, X1
	VPMAXUD      X5, X2, X2
	VPSHUFD      $0xB1, X0, X3
	VPSHUFD      $0xB1, X1, X4
	VPSHUFD      $0xB1, X2, X5
	VPMAXSD      X3, X0, X0
	VPMINSD      X4, X1, X1
	VPMAXUD      X5, X2, X2
	VMOVD        X0, AX // smax
	VMOVD        X1, BX // smin
	VMOVD        X2, CX // umax
	VZEROUPPER

	// hi: smax if smax >= 0, else smin^0x7FFFFFFF.
	MOVL    BX, DX
	XORL    $0x7FFFFFFF, DX
	TESTL   AX, AX
	CMOVLLT DX, AX
	MOVL    AX, hi+28(FP)

	// lo: umax^0x7FFFFFFF if smin < 0, else smin.
	XORL    $0x7FFFFFFF, CX
	TESTL   BX, BX
	CMOVLLT CX, BX
	MOVL    BX, lo+24(FP)
	RET

empty:
	MOVL $0, lo+24(FP)
	MOVL $0, hi+28(FP)
	RET

// func quantizeAbsmaxAVX2(dst []int8, src []float32, scale float32)
// x*scale, VMINPS 127, VCVTPS2DQ (round to nearest even), signed
// saturating packs to bytes, then VPMAXSB -127. Clamping [-127, 127] and
// rounding commute because the bounds are integers; the packs saturate
// the low side (VCVTPS2DQ gives 0x80000000 below -2^31) and VPMAXSB
// finishes it, so only the top needs clamping in float, where a value
// above 2^31 would otherwise convert to a negative integer.
TEXT ·quantizeAbsmaxAVX2(SB), NOSPLIT, $0-52
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	BROADCAST32($0x42FE0000, X14, Y14) // 127.0
	BROADCAST32($0x81818181, X13, Y13) // int8 -127
	VMOVDQU      packOrder<>(SB), Y12
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-32, BX
	JZ           vec8

loop32:
	VMULPS     (SI)(AX*4), Y15, Y0
	VMULPS     32(SI)(AX*4), Y15, Y1
	VMULPS     64(SI)(AX*4), Y15, Y2
	VMULPS     96(SI)(AX*4), Y15, Y3
	VMINPS     Y14, Y0, Y0
	VMINPS     Y14, Y1, Y1
	VMINPS     Y14, Y2, Y2
	VMINPS     Y14, Y3, Y3
	VCVTPS2DQ  Y0, Y0
	VCVTPS2DQ  Y1, Y1
	VCVTPS2DQ  Y2, Y2
	VCVTPS2DQ  Y3, Y3
	VPACKSSDW  Y1, Y0, Y0
	VPACKSSDW  Y3, Y2, Y2
	VPACKSSWB  Y2, Y0, Y0
	VPERMD     Y0, Y12, Y0
	VPMAXSB    Y13, Y0, Y0
	VMOVDQU    Y0, (DI)(AX*1)
	ADDQ       $32, AX
	CMPQ       AX, BX
	JB         loop32

vec8:
	MOVQ CX, BX
	ANDQ $-8, BX
	CMPQ AX, BX
	JAE  tail

loop8:
	VMULPS       (SI)(AX*4), Y15, Y0
	VMINPS       Y14, Y0, Y0
	VCVTPS2DQ    Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPACKSSDW    X1, X0, X0
	VPACKSSWB    X0, X0, X0
	VPMAXSB      X13, X0, X0
	VMOVQ        X0, (DI)(AX*1)
	ADDQ         $8, AX
	CMPQ         AX, BX
	JB           loop8

tail:
	CMPQ AX, CX
	JAE  done
	TAILMASK(Y8)
	VMASKMOVPS   (SI)(AX*4), Y8, Y0
	VMULPS       Y15, Y0, Y0
	VMINPS       Y14, Y0, Y0
	VCVTPS2DQ    Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPACKSSDW    X1, X0, X0
	VPACKSSWB    X0, X0, X0
	VPMAXSB      X13, X0, X0
	STORE8TAIL

done:
	VZEROUPPER
	RET

// func quantizeZeroPointAVX2(dst []int8, src []float32, scale, zero float32)
// A rounded multiply, then a rounded add (never fused), VMINPS 127,
// VCVTPS2DQ and saturating packs, which clamp the low side at -128.
TEXT ·quantizeZeroPointAVX2(SB), NOSPLIT, $0-56
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	VBROADCASTSS zero+52(FP), Y14
	BROADCAST32($0x42FE0000, X13, Y13) // 127.0
	VMOVDQU      packOrder<>(SB), Y12
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-32, BX
	JZ           vec8

loop32:
	VMULPS     (SI)(AX*4), Y15, Y0
	VMULPS     32(SI)(AX*4), Y15, Y1
	VMULPS     64(SI)(AX*4), Y15, Y2
	VMULPS     96(SI)(AX*4), Y15, Y3
	VADDPS     Y14, Y0, Y0
	VADDPS     Y14, Y1, Y1
	VADDPS     Y14, Y2, Y2
	VADDPS     Y14, Y3, Y3
	VMINPS     Y13, Y0, Y0
	VMINPS     Y13, Y1, Y1
	VMINPS     Y13, Y2, Y2
	VMINPS     Y13, Y3, Y3
	VCVTPS2DQ  Y0, Y0
	VCVTPS2DQ  Y1, Y1
	VCVTPS2DQ  Y2, Y2
	VCVTPS2DQ  Y3, Y3
	VPACKSSDW  Y1, Y0, Y0
	VPACKSSDW  Y3, Y2, Y2
	VPACKSSWB  Y2, Y0, Y0
	VPERMD     Y0, Y12, Y0
	VMOVDQU    Y0, (DI)(AX*1)
	ADDQ       $32, AX
	CMPQ       AX, BX
	JB         loop32

vec8:
	MOVQ CX, BX
	ANDQ $-8, BX
	CMPQ AX, BX
	JAE  tail

loop8:
	VMULPS       (SI)(AX*4), Y15, Y0
	VADDPS       Y14, Y0, Y0
	VMINPS       Y13, Y0, Y0
	VCVTPS2DQ    Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPACKSSDW    X1, X0, X0
	VPACKSSWB    X0, X0, X0
	VMOVQ        X0, (DI)(AX*1)
	ADDQ         $8, AX
	CMPQ         AX, BX
	JB           loop8

tail:
	CMPQ AX, CX
	JAE  done
	TAILMASK(Y8)
	VMASKMOVPS   (SI)(AX*4), Y8, Y0
	VMULPS       Y15, Y0, Y0
	VADDPS       Y14, Y0, Y0
	VMINPS       Y13, Y0, Y0
	VCVTPS2DQ    Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPACKSSDW    X1, X0, X0
	VPACKSSWB    X0, X0, X0
	STORE8TAIL

done:
	VZEROUPPER
	RET

// func dequantizeZeroPointAVX2(dst []float32, src []int8, scale float32, zero int32)
// Sign-extend, exact int32 subtract, convert with round to nearest even,
// one true division per lane.
TEXT ·dequantizeZeroPointAVX2(SB), NOSPLIT, $0-56
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	MOVL         zero+52(FP), R8
	VMOVD        R8, X14
	VPBROADCASTD X14, Y14
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-32, BX
	JZ           vec8

loop32:
	VPMOVSXBD (SI)(AX*1), Y0
	VPMOVSXBD 8(SI)(AX*1), Y1
	VPMOVSXBD 16(SI)(AX*1), Y2
	VPMOVSXBD 24(SI)(AX*1), Y3
	VPSUBD    Y14, Y0, Y0
	VPSUBD    Y14, Y1, Y1
	VPSUBD    Y14, Y2, Y2
	VPSUBD    Y14, Y3, Y3
	VCVTDQ2PS Y0, Y0
	VCVTDQ2PS Y1, Y1
	VCVTDQ2PS Y2, Y2
	VCVTDQ2PS Y3, Y3
	VDIVPS    Y15, Y0, Y0
	VDIVPS    Y15, Y1, Y1
	VDIVPS    Y15, Y2, Y2
	VDIVPS    Y15, Y3, Y3
	VMOVUPS   Y0, (DI)(AX*4)
	VMOVUPS   Y1, 32(DI)(AX*4)
	VMOVUPS   Y2, 64(DI)(AX*4)
	VMOVUPS   Y3, 96(DI)(AX*4)
	ADDQ      $32, AX
	CMPQ      AX, BX
	JB        loop32

vec8:
	MOVQ CX, BX
	ANDQ $-8, BX
	CMPQ AX, BX
	JAE  tail

loop8:
	VPMOVSXBD (SI)(AX*1), Y0
	VPSUBD    Y14, Y0, Y0
	VCVTDQ2PS Y0, Y0
	VDIVPS    Y15, Y0, Y0
	VMOVUPS   Y0, (DI)(AX*4)
	ADDQ      $8, AX
	CMPQ      AX, BX
	JB        loop8

tail:
	CMPQ AX, CX
	JAE  done
	LOAD8TAIL
	VPMOVSXBD  X0, Y0
	VPSUBD     Y14, Y0, Y0
	VCVTDQ2PS  Y0, Y0
	VDIVPS     Y15, Y0, Y0
	TAILMASK(Y8)
	VMASKMOVPS Y0, Y8, (DI)(AX*4)

done:
	VZEROUPPER
	RET
