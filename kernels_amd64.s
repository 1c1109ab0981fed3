//go:build !purego && !noasm

#include "textflag.h"

// AVX2 kernels (with F16C), see kernels_amd64.go. Every element-wise
// kernel walks its slices with one index, AX, in three stages:
//
//   - a main loop of 32 elements (four 8-lane vectors in flight);
//   - a loop of single 8-lane vectors for what is left of 32;
//   - the last 1..7 elements as one more vector: 32-bit data moves through
//     VMASKMOVPS/VPMASKMOVD, which neither faults on nor touches the lanes
//     it leaves out; 8- and 16-bit data is loaded and stored in pieces of
//     4, 2 and 1 elements. The reductions fill the missing lanes with a
//     value that cannot change the result.
//
// The 16-bit reductions, the Q8_0 kernels and the blockwise kernels, which
// work on whole blocks, are organized differently; see their comments.
//
// Prefetching: the main loops of the float32 reductions, the fused
// quantizers and the conversions hint the input's cache lines 2 KiB
// ahead. They consume input faster than the hardware prefetchers bring it
// from L3 or memory; on the build machine MinMax went from 8.9 to 10.2
// GB/s at 2^24 elements. The conversions and the dequantizers also hint
// the output's lines 1024 values ahead (4 KiB of float32, 2 KiB of 16-bit
// values), so that the read for ownership each store waits on has begun
// long before it: at 2^24 elements Float16ToFloat32 gained 46% and the
// dequantizers 25-38%; DecodeQ8_0 does the same (+31%). (The
// dequantizers' int8 input is a fifth of their traffic and is left to the
// hardware.) AbsMax and MinMax, which do the least work per byte, switch
// from farElements values on to PREFETCHFAR: they gained 15-17% at 2^24,
// but the extra hints cost 12-18% where the input is in L2 (2^16). A
// prefetch never faults, so hints past the end of a slice are harmless.
//
// Nothing is ever read or written outside the slices. Float arithmetic
// relies on Go's MXCSR (round to nearest even, no FTZ/DAZ), as Go's own
// float32 code does.
//
// Macros never name an argument or a stack slot: vet's asmdecl would check
// the name against the frame of the TEXT above the macro's definition.
//
// Instructions: AVX, AVX2, F16C and FMA only, what dispatch checks for this
// set, and VEX-encoded. Go's assembler falls back to an EVEX (AVX-512)
// encoding, without a word, for operand forms that VEX lacks (an immediate
// shift of a memory operand, registers X16-X31, masks); those fault on
// AVX2-only CPUs. TestInstructionSets disassembles the linked kernels and
// fails on any of them.

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

// evenOdd<> is the VPSHUFB index that interleaves, in each 128-bit lane,
// the 8 bytes of even elements and the 8 bytes of odd elements that
// VPACKSSWB leaves side by side (see BF16PACK).
DATA evenOdd<>+0(SB)/8, $0x0B030A0209010800
DATA evenOdd<>+8(SB)/8, $0x0F070E060D050C04
DATA evenOdd<>+16(SB)/8, $0x0B030A0209010800
DATA evenOdd<>+24(SB)/8, $0x0F070E060D050C04
GLOBL evenOdd<>(SB), RODATA|NOPTR, $32

// farElements is where the float32 reductions take their far loops: 2^21
// values (8 MiB), beyond any L2, so the input streams from L3 or memory.
#define farElements (1<<21)

// PREFETCHFAR hints the 128 bytes at SI+4*AX+1 KiB into L1 and those 4
// KiB ahead into L2. Measured, not derived: likely the L2 hints keep more
// lines in flight than the L1 fill buffers alone allow.
#define PREFETCHFAR \
	PREFETCHT0 1024(SI)(AX*4) \
	PREFETCHT0 1088(SI)(AX*4) \
	PREFETCHT1 4096(SI)(AX*4) \
	PREFETCHT1 4160(SI)(AX*4)

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
	PREFETCHT0 2048(SI)(AX*4)
	PREFETCHT0 2112(SI)(AX*4)
	PREFETCHT0 2048(DI)(AX*2)
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
	PREFETCHT0 2048(SI)(AX*2)
	PREFETCHT0 4096(DI)(AX*4)
	PREFETCHT0 4160(DI)(AX*4)
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
	PREFETCHT0 2048(SI)(AX*4)
	PREFETCHT0 2112(SI)(AX*4)
	PREFETCHT0 2048(DI)(AX*2)
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
	PREFETCHT0 2048(SI)(AX*2)
	PREFETCHT0 4096(DI)(AX*4)
	PREFETCHT0 4160(DI)(AX*4)
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

// ABSMAX32 folds the 32 values at SI+4*AX into the accumulators Y0..Y3
// of absMaxBitsAVX2; Y15 is the magnitude mask.
#define ABSMAX32 \
	VPAND   (SI)(AX*4), Y15, Y4   \
	VPAND   32(SI)(AX*4), Y15, Y5 \
	VPAND   64(SI)(AX*4), Y15, Y6 \
	VPAND   96(SI)(AX*4), Y15, Y7 \
	VPMAXUD Y4, Y0, Y0            \
	VPMAXUD Y5, Y1, Y1            \
	VPMAXUD Y6, Y2, Y2            \
	VPMAXUD Y7, Y3, Y3

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

	CMPQ  CX, $farElements
	JAE   far32

loop32:
	PREFETCHT0 2048(SI)(AX*4) // see "Prefetching" above
	PREFETCHT0 2112(SI)(AX*4)
	ABSMAX32
	ADDQ    $32, AX
	CMPQ    AX, BX
	JB      loop32
	JMP     vec8

far32:
	PREFETCHFAR
	ABSMAX32
	ADDQ $32, AX
	CMPQ AX, BX
	JB   far32

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

// MINMAX3REDUCE folds the two sets of MINMAX3 accumulators (Y0..Y2 and
// Y3..Y5) into the low dwords of X0 (signed max), X1 (signed min) and X2
// (unsigned max); Y3..Y5 are scratch.
#define MINMAX3REDUCE \
	VPMAXSD      Y3, Y0, Y0 \
	VPMINSD      Y4, Y1, Y1 \
	VPMAXUD      Y5, Y2, Y2 \
	VEXTRACTI128 $1, Y0, X3 \
	VEXTRACTI128 $1, Y1, X4 \
	VEXTRACTI128 $1, Y2, X5 \
	VPMAXSD      X3, X0, X0 \
	VPMINSD      X4, X1, X1 \
	VPMAXUD      X5, X2, X2 \
	VPSHUFD      $0x4E, X0, X3 \
	VPSHUFD      $0x4E, X1, X4 \
	VPSHUFD      $0x4E, X2, X5 \
	VPMAXSD      X3, X0, X0 \
	VPMINSD      X4, X1, X1 \
	VPMAXUD      X5, X2, X2 \
	VPSHUFD      $0xB1, X0, X3 \
	VPSHUFD      $0xB1, X1, X4 \
	VPSHUFD      $0xB1, X2, X5 \
	VPMAXSD      X3, X0, X0 \
	VPMINSD      X4, X1, X1 \
	VPMAXUD      X5, X2, X2

// MINMAX32 folds the 32 values at SI+4*AX into both sets of MINMAX3
// accumulators; Y6..Y9 are scratch.
#define MINMAX32 \
	VMOVDQU (SI)(AX*4), Y6   \
	VMOVDQU 32(SI)(AX*4), Y7 \
	VMOVDQU 64(SI)(AX*4), Y8 \
	VMOVDQU 96(SI)(AX*4), Y9 \
	MINMAX3(Y6, Y0, Y1, Y2)  \
	MINMAX3(Y7, Y3, Y4, Y5)  \
	MINMAX3(Y8, Y0, Y1, Y2)  \
	MINMAX3(Y9, Y3, Y4, Y5)

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

	CMPQ         CX, $farElements
	JAE          far32

loop32:
	PREFETCHT0 2048(SI)(AX*4) // see "Prefetching" above
	PREFETCHT0 2112(SI)(AX*4)
	MINMAX32
	ADDQ    $32, AX
	CMPQ    AX, BX
	JB      loop32
	JMP     vec8

far32:
	PREFETCHFAR
	MINMAX32
	ADDQ $32, AX
	CMPQ AX, BX
	JB   far32

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
	MINMAX3REDUCE
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

// CVTPACK4 converts the float32 lanes of Y0..Y3 to int32, rounding to
// nearest even, and packs them with signed saturation into the 32 bytes of
// Y0 in element order (Y12 holds packOrder<>).
#define CVTPACK4 \
	VCVTPS2DQ Y0, Y0     \
	VCVTPS2DQ Y1, Y1     \
	VCVTPS2DQ Y2, Y2     \
	VCVTPS2DQ Y3, Y3     \
	VPACKSSDW Y1, Y0, Y0 \
	VPACKSSDW Y3, Y2, Y2 \
	VPACKSSWB Y2, Y0, Y0 \
	VPERMD    Y0, Y12, Y0

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
	CVTPACK4
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
	CVTPACK4
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
fast32:                       \
	PREFETCHT0 (1024*size)(DI)    \
	PREFETCHT0 (1024*size+64)(DI) \
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

// func quantizeAbsmaxFusedAVX2(dst []int8, src []float32) (maxBits uint32, scale float32)
TEXT ·quantizeAbsmaxFusedAVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	BROADCAST32($0x7FFFFFFF, X15, Y15)
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	MOVQ  SI, R10
	MOVQ  CX, BX
	ANDQ  $-32, BX
	LEAQ  (SI)(BX*4), R9
	CMPQ  R10, R9
	JAE   rvec8

rloop32:
	PREFETCHT0 2048(R10) // see "Prefetching" above
	PREFETCHT0 2112(R10)
	VPAND   (R10), Y15, Y4
	VPAND   32(R10), Y15, Y5
	VPAND   64(R10), Y15, Y6
	VPAND   96(R10), Y15, Y7
	VPMAXUD Y4, Y0, Y0
	VPMAXUD Y5, Y1, Y1
	VPMAXUD Y6, Y2, Y2
	VPMAXUD Y7, Y3, Y3
	ADDQ    $128, R10
	CMPQ    R10, R9
	JB      rloop32

rvec8:
	MOVQ CX, BX
	ANDQ $-8, BX
	LEAQ (SI)(BX*4), R9
	CMPQ R10, R9
	JAE  rtail

rloop8:
	VPAND   (R10), Y15, Y4
	VPMAXUD Y4, Y0, Y0
	ADDQ    $32, R10
	CMPQ    R10, R9
	JB      rloop8

rtail:
	MOVQ BX, AX
	CMPQ AX, CX
	JAE  reduce
	TAILMASK(Y8)
	VPMASKMOVD (SI)(AX*4), Y8, Y4 // masked-off lanes load as 0
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
	VMOVDQU      packOrder<>(SB), Y12
	MOVQ         SI, R10
	MOVQ         DI, R11
	MOVQ         CX, BX
	ANDQ         $-32, BX
	LEAQ         (DI)(BX*1), R9
	CMPQ         R11, R9
	JAE          vec8

loop32:
	PREFETCHT0 2048(R10) // see "Prefetching" above
	PREFETCHT0 2112(R10)
	VMULPS    (R10), Y15, Y0
	VMULPS    32(R10), Y15, Y1
	VMULPS    64(R10), Y15, Y2
	VMULPS    96(R10), Y15, Y3
	CVTPACK4
	VMOVDQU   Y0, (R11)
	ADDQ      $128, R10
	ADDQ      $32, R11
	CMPQ      R11, R9
	JB        loop32

vec8:
	MOVQ CX, BX
	ANDQ $-8, BX
	LEAQ (DI)(BX*1), R9
	CMPQ R11, R9
	JAE  tail

loop8:
	VMULPS       (R10), Y15, Y0
	VCVTPS2DQ    Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPACKSSDW    X1, X0, X0
	VPACKSSWB    X0, X0, X0
	VMOVQ        X0, (R11)
	ADDQ         $32, R10
	ADDQ         $8, R11
	CMPQ         R11, R9
	JB           loop8

tail:
	MOVQ BX, AX
	CMPQ AX, CX
	JAE  done
	TAILMASK(Y8)
	VMASKMOVPS   (SI)(AX*4), Y8, Y0
	VMULPS       Y15, Y0, Y0
	VCVTPS2DQ    Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPACKSSDW    X1, X0, X0
	VPACKSSWB    X0, X0, X0
	STORE8TAIL

done:
	VZEROUPPER
	RET

refuse:
	MOVL $0, scale+52(FP)
	VZEROUPPER
	RET

// func quantizeZeroPointFusedAVX2(dst []int8, src []float32) (lo, hi int32, scale float32, zero int32)
// The reduction is minMaxKeysAVX2's; the scale repeats kernels.ZeroPointOf
// instruction for instruction (float64 difference and quotient, float32
// scale), the zero point is computed in float32 with the same result (see
// below).
TEXT ·quantizeZeroPointFusedAVX2(SB), NOSPLIT, $0-64
	MOVQ  dst_base+0(FP), DI
	MOVQ  src_base+24(FP), SI
	MOVQ  src_len+32(FP), CX
	TESTQ CX, CX
	JZ    empty
	VPBROADCASTD (SI), Y0
	VMOVDQA      Y0, Y1
	VMOVDQA      Y0, Y2
	VMOVDQA      Y0, Y3
	VMOVDQA      Y0, Y4
	VMOVDQA      Y0, Y5
	VMOVDQA      Y0, Y15
	MOVQ         SI, R10
	MOVQ         CX, BX
	ANDQ         $-32, BX
	LEAQ         (SI)(BX*4), R9
	CMPQ         R10, R9
	JAE          rvec8

rloop32:
	PREFETCHT0 2048(R10) // see "Prefetching" above
	PREFETCHT0 2112(R10)
	VMOVDQU (R10), Y6
	VMOVDQU 32(R10), Y7
	VMOVDQU 64(R10), Y8
	VMOVDQU 96(R10), Y9
	MINMAX3(Y6, Y0, Y1, Y2)
	MINMAX3(Y7, Y3, Y4, Y5)
	MINMAX3(Y8, Y0, Y1, Y2)
	MINMAX3(Y9, Y3, Y4, Y5)
	ADDQ    $128, R10
	CMPQ    R10, R9
	JB      rloop32

rvec8:
	MOVQ CX, BX
	ANDQ $-8, BX
	LEAQ (SI)(BX*4), R9
	CMPQ R10, R9
	JAE  rtail

rloop8:
	VMOVDQU (R10), Y6
	MINMAX3(Y6, Y0, Y1, Y2)
	ADDQ    $32, R10
	CMPQ    R10, R9
	JB      rloop8

rtail:
	MOVQ BX, AX
	CMPQ AX, CX
	JAE  reduce
	TAILMASK(Y8)
	VPMASKMOVD (SI)(AX*4), Y8, Y6
	VPBLENDVB  Y8, Y6, Y15, Y6 // src[0] in the masked-off lanes
	MINMAX3(Y6, Y3, Y4, Y5)

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
	VMOVDQU      packOrder<>(SB), Y12
	MOVQ         SI, R10
	MOVQ         DI, R11
	MOVQ         CX, BX
	ANDQ         $-32, BX
	LEAQ         (DI)(BX*1), R9
	CMPQ         R11, R9
	JAE          vec8

loop32:
	PREFETCHT0 2048(R10) // see "Prefetching" above
	PREFETCHT0 2112(R10)
	VMULPS    (R10), Y15, Y0
	VMULPS    32(R10), Y15, Y1
	VMULPS    64(R10), Y15, Y2
	VMULPS    96(R10), Y15, Y3
	VADDPS    Y14, Y0, Y0
	VADDPS    Y14, Y1, Y1
	VADDPS    Y14, Y2, Y2
	VADDPS    Y14, Y3, Y3
	CVTPACK4
	VMOVDQU   Y0, (R11)
	ADDQ      $128, R10
	ADDQ      $32, R11
	CMPQ      R11, R9
	JB        loop32

vec8:
	MOVQ CX, BX
	ANDQ $-8, BX
	LEAQ (DI)(BX*1), R9
	CMPQ R11, R9
	JAE  tail

loop8:
	VMULPS       (R10), Y15, Y0
	VADDPS       Y14, Y0, Y0
	VCVTPS2DQ    Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPACKSSDW    X1, X0, X0
	VPACKSSWB    X0, X0, X0
	VMOVQ        X0, (R11)
	ADDQ         $32, R10
	ADDQ         $8, R11
	CMPQ         R11, R9
	JB           loop8

tail:
	MOVQ BX, AX
	CMPQ AX, CX
	JAE  done
	TAILMASK(Y8)
	VMASKMOVPS   (SI)(AX*4), Y8, Y0
	VMULPS       Y15, Y0, Y0
	VADDPS       Y14, Y0, Y0
	VCVTPS2DQ    Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPACKSSDW    X1, X0, X0
	VPACKSSWB    X0, X0, X0
	STORE8TAIL

done:
	VZEROUPPER
	RET

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

// func dequantizeZeroPointAVX2(dst []float32, src []int8, scale float32, zero int32)
// Sign-extend, exact int32 subtract, convert with round to nearest even,
// one true division per lane (or, inside the domain of DEQUANTFAST, the
// reciprocal with one FMA correction: the same quotient).
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

// The 16-bit reductions read 16 words per vector. A tail of 1..15 words
// after at least 16 is one more load of the last 16 words, which repeats
// some elements and so cannot change a maximum or a minimum. Slices of
// 8..15 words take two overlapping 8-word loads, and shorter ones the
// pieces of LOAD16TAIL.

// MAXWORDS8 leaves in the low word of x the unsigned max of its 8 words
// (t is scratch).
#define MAXWORDS8(x, t) \
	VPSHUFD $0x4E, x, t \
	VPMAXUW t, x, x     \
	VPSHUFD $0xB1, x, t \
	VPMAXUW t, x, x     \
	VPSRLD  $16, x, t   \
	VPMAXUW t, x, x

// func absMaxBits16AVX2(src []uint16) uint16
// Unsigned word max of bits&0x7FFF, four accumulators; the zeros that
// LOAD16TAIL fills in never raise the max.
TEXT ·absMaxBits16AVX2(SB), NOSPLIT, $0-26
	MOVQ src_base+0(FP), SI
	MOVQ src_len+8(FP), CX
	BROADCAST32($0x7FFF7FFF, X15, Y15)
	XORQ AX, AX
	CMPQ CX, $16
	JB   short
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	MOVQ  CX, BX
	ANDQ  $-64, BX
	JZ    vec16

loop64:
	VPAND   (SI)(AX*2), Y15, Y4
	VPAND   32(SI)(AX*2), Y15, Y5
	VPAND   64(SI)(AX*2), Y15, Y6
	VPAND   96(SI)(AX*2), Y15, Y7
	VPMAXUW Y4, Y0, Y0
	VPMAXUW Y5, Y1, Y1
	VPMAXUW Y6, Y2, Y2
	VPMAXUW Y7, Y3, Y3
	ADDQ    $64, AX
	CMPQ    AX, BX
	JB      loop64

vec16:
	MOVQ CX, BX
	ANDQ $-16, BX
	CMPQ AX, BX
	JAE  tail

loop16:
	VPAND   (SI)(AX*2), Y15, Y4
	VPMAXUW Y4, Y0, Y0
	ADDQ    $16, AX
	CMPQ    AX, BX
	JB      loop16

tail:
	CMPQ    AX, CX
	JAE     reduce
	VPAND   -32(SI)(CX*2), Y15, Y4
	VPMAXUW Y4, Y1, Y1

reduce:
	VPMAXUW      Y1, Y0, Y0
	VPMAXUW      Y3, Y2, Y2
	VPMAXUW      Y2, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPMAXUW      X1, X0, X0

reduce8:
	MAXWORDS8(X0, X1)
	VMOVD X0, AX
	MOVW  AX, ret+24(FP)
	VZEROUPPER
	RET

short:
	CMPQ    CX, $8
	JB      pieces
	VPAND   (SI), X15, X0
	VPAND   -16(SI)(CX*2), X15, X1
	VPMAXUW X1, X0, X0
	JMP     reduce8

pieces:
	LOAD16TAIL
	VPAND X15, X0, X0
	JMP   reduce8

// MINMAX3W is MINMAX3 on words.
#define MINMAX3W(v, smax, smin, umax) \
	VPMAXSW v, smax, smax \
	VPMINSW v, smin, smin \
	VPMAXUW v, umax, umax

// MINMAXWORDS8 reduces the 8 words of the smax, smin and umax accumulators
// into their low words (t1..t3 are scratch).
#define MINMAXWORDS8(smax, smin, umax, t1, t2, t3) \
	VPSHUFD $0x4E, smax, t1 \
	VPSHUFD $0x4E, smin, t2 \
	VPSHUFD $0x4E, umax, t3 \
	VPMAXSW t1, smax, smax  \
	VPMINSW t2, smin, smin  \
	VPMAXUW t3, umax, umax  \
	VPSHUFD $0xB1, smax, t1 \
	VPSHUFD $0xB1, smin, t2 \
	VPSHUFD $0xB1, umax, t3 \
	VPMAXSW t1, smax, smax  \
	VPMINSW t2, smin, smin  \
	VPMAXUW t3, umax, umax  \
	VPSRLD  $16, smax, t1   \
	VPSRLD  $16, smin, t2   \
	VPSRLD  $16, umax, t3   \
	VPMAXSW t1, smax, smax  \
	VPMINSW t2, smin, smin  \
	VPMAXUW t3, umax, umax

// func minMaxKeys16AVX2(src []uint16) (lo, hi int16)
// minMaxKeysAVX2 on words: the signed max, signed min and unsigned max of
// the raw bits give the extreme keys (key(b) = b ^ 0x7FFF for negative b),
// with three operations per vector instead of mapping every element to its
// key first. The accumulators start as src[0], which also fills the words
// LOAD16TAIL leaves out.
TEXT ·minMaxKeys16AVX2(SB), NOSPLIT, $0-28
	MOVQ  src_base+0(FP), SI
	MOVQ  src_len+8(FP), CX
	TESTQ CX, CX
	JZ    empty
	XORQ  AX, AX
	CMPQ  CX, $16
	JB    short
	VPBROADCASTW (SI), Y0
	VMOVDQA      Y0, Y1
	VMOVDQA      Y0, Y2
	VMOVDQA      Y0, Y3
	VMOVDQA      Y0, Y4
	VMOVDQA      Y0, Y5
	MOVQ         CX, BX
	ANDQ         $-64, BX
	JZ           vec16

loop64:
	VMOVDQU (SI)(AX*2), Y6
	VMOVDQU 32(SI)(AX*2), Y7
	VMOVDQU 64(SI)(AX*2), Y8
	VMOVDQU 96(SI)(AX*2), Y9
	MINMAX3W(Y6, Y0, Y1, Y2)
	MINMAX3W(Y7, Y3, Y4, Y5)
	MINMAX3W(Y8, Y0, Y1, Y2)
	MINMAX3W(Y9, Y3, Y4, Y5)
	ADDQ    $64, AX
	CMPQ    AX, BX
	JB      loop64

vec16:
	MOVQ CX, BX
	ANDQ $-16, BX
	CMPQ AX, BX
	JAE  tail

loop16:
	VMOVDQU (SI)(AX*2), Y6
	MINMAX3W(Y6, Y0, Y1, Y2)
	ADDQ    $16, AX
	CMPQ    AX, BX
	JB      loop16

tail:
	CMPQ    AX, CX
	JAE     reduce
	VMOVDQU -32(SI)(CX*2), Y6
	MINMAX3W(Y6, Y3, Y4, Y5)

reduce:
	VPMAXSW      Y3, Y0, Y0
	VPMINSW      Y4, Y1, Y1
	VPMAXUW      Y5, Y2, Y2
	VEXTRACTI128 $1, Y0, X3
	VEXTRACTI128 $1, Y1, X4
	VEXTRACTI128 $1, Y2, X5
	VPMAXSW      X3, X0, X0
	VPMINSW      X4, X1, X1
	VPMAXUW      X5, X2, X2

reduce8:
	MINMAXWORDS8(X0, X1, X2, X3, X4, X5)
	VMOVD   X0, AX // smax
	VMOVD   X1, BX // smin
	VMOVD   X2, CX // umax
	VZEROUPPER
	MOVWLSX AX, AX
	MOVWLSX BX, BX

	// hi: smax if smax >= 0, else smin^0x7FFF.
	MOVL    BX, DX
	XORL    $0x7FFF, DX
	TESTL   AX, AX
	CMOVLLT DX, AX
	MOVW    AX, hi+26(FP)

	// lo: umax^0x7FFF if smin < 0, else smin.
	XORL    $0x7FFF, CX
	TESTL   BX, BX
	CMOVLLT CX, BX
	MOVW    BX, lo+24(FP)
	RET

short:
	CMPQ    CX, $8
	JB      pieces
	VMOVDQU (SI), X6
	VMOVDQU -16(SI)(CX*2), X7
	VPMAXSW X7, X6, X0
	VPMINSW X7, X6, X1
	VPMAXUW X7, X6, X2
	JMP     reduce8

pieces:
	// tailMask<>+32-2*n starts with n all-ones words: the words loaded.
	LOAD16TAIL
	LEAQ         tailMask<>+32(SB), R8
	NEGQ         CX
	VMOVDQU      (R8)(CX*2), X8
	VPBROADCASTW (SI), X9
	VPBLENDVB    X8, X0, X9, X0
	VMOVDQA      X0, X1
	VMOVDQA      X0, X2
	JMP          reduce8

empty:
	MOVW $0, lo+24(FP)
	MOVW $0, hi+26(FP)
	RET

// The widening quantizers compute exactly what quantizeAbsmaxAVX2 and
// quantizeZeroPointAVX2 compute, on float32 lanes widened from binary16
// (VCVTPH2PS, exact) or bfloat16 (bits<<16). The bfloat16 main loops take
// even and odd elements apart (BF16SPLIT, BF16PACK), which costs fewer
// operations than widening in order. The tails load through LOAD16TAIL and
// store through STORE8TAIL.

// QABSMAX32 quantizes the float32 lanes of Y0..Y3 as quantizeAbsmaxAVX2
// does into the 32 bytes of Y0, in order. Y15 holds scale, Y14 127.0, Y13
// int8 -127 and Y12 packOrder.
#define QABSMAX32 \
	ABSMAXROUND4         \
	VPACKSSDW Y1, Y0, Y0  \
	VPACKSSDW Y3, Y2, Y2  \
	VPACKSSWB Y2, Y0, Y0  \
	VPERMD    Y0, Y12, Y0 \
	VPMAXSB   Y13, Y0, Y0

// ABSMAXROUND4 is the float part of QABSMAX32: Y0..Y3 become int32.
#define ABSMAXROUND4 \
	VMULPS    Y15, Y0, Y0 \
	VMULPS    Y15, Y1, Y1 \
	VMULPS    Y15, Y2, Y2 \
	VMULPS    Y15, Y3, Y3 \
	VMINPS    Y14, Y0, Y0 \
	VMINPS    Y14, Y1, Y1 \
	VMINPS    Y14, Y2, Y2 \
	VMINPS    Y14, Y3, Y3 \
	VCVTPS2DQ Y0, Y0      \
	VCVTPS2DQ Y1, Y1      \
	VCVTPS2DQ Y2, Y2      \
	VCVTPS2DQ Y3, Y3

// QABSMAX8 quantizes the 8 float32 lanes of Y0 like QABSMAX32 into the low
// 8 bytes of X0.
#define QABSMAX8 \
	VMULPS       Y15, Y0, Y0 \
	VMINPS       Y14, Y0, Y0 \
	VCVTPS2DQ    Y0, Y0      \
	VEXTRACTI128 $1, Y0, X1  \
	VPACKSSDW    X1, X0, X0  \
	VPACKSSWB    X0, X0, X0  \
	VPMAXSB      X13, X0, X0

// QZEROPOINT32 quantizes the float32 lanes of Y0..Y3 as
// quantizeZeroPointAVX2 does (a rounded product, then a rounded sum) into
// the 32 bytes of Y0, in order. Y15 holds scale, Y14 zero, Y13 127.0 and
// Y12 packOrder.
#define QZEROPOINT32 \
	ZEROPOINTROUND4       \
	VPACKSSDW Y1, Y0, Y0  \
	VPACKSSDW Y3, Y2, Y2  \
	VPACKSSWB Y2, Y0, Y0  \
	VPERMD    Y0, Y12, Y0

// ZEROPOINTROUND4 is the float part of QZEROPOINT32: Y0..Y3 become int32.
#define ZEROPOINTROUND4 \
	VMULPS    Y15, Y0, Y0 \
	VMULPS    Y15, Y1, Y1 \
	VMULPS    Y15, Y2, Y2 \
	VMULPS    Y15, Y3, Y3 \
	VADDPS    Y14, Y0, Y0 \
	VADDPS    Y14, Y1, Y1 \
	VADDPS    Y14, Y2, Y2 \
	VADDPS    Y14, Y3, Y3 \
	VMINPS    Y13, Y0, Y0 \
	VMINPS    Y13, Y1, Y1 \
	VMINPS    Y13, Y2, Y2 \
	VMINPS    Y13, Y3, Y3 \
	VCVTPS2DQ Y0, Y0      \
	VCVTPS2DQ Y1, Y1      \
	VCVTPS2DQ Y2, Y2      \
	VCVTPS2DQ Y3, Y3

// QZEROPOINT8 quantizes the 8 float32 lanes of Y0 like QZEROPOINT32 into
// the low 8 bytes of X0.
#define QZEROPOINT8 \
	VMULPS       Y15, Y0, Y0 \
	VADDPS       Y14, Y0, Y0 \
	VMINPS       Y13, Y0, Y0 \
	VCVTPS2DQ    Y0, Y0      \
	VEXTRACTI128 $1, Y0, X1  \
	VPACKSSDW    X1, X0, X0  \
	VPACKSSWB    X0, X0, X0

// WIDENBF16 loads the 8 bfloat16 at m into the float32 lanes of y.
#define WIDENBF16(m, y) \
	VPMOVZXWD m, y \
	VPSLLD    $16, y, y

// BF16SPLIT loads the 16 bfloat16 at m as float32 in two vectors, with
// one load and two operations rather than WIDENBF16's four: even gets
// elements 0, 2, ..., 14 (the dwords shifted left), odd gets 1, 3, ..., 15
// (the dwords with their low half cleared). hi holds 0xFFFF0000 in every
// dword. The shift reads a register: VPSLLD by an immediate has no VEX form
// with a memory source, and Go's assembler would silently pick the EVEX
// (AVX-512) one, which faults on AVX2-only CPUs (TestInstructionSets).
#define BF16SPLIT(m, even, odd, hi) \
	VMOVDQU m, even       \
	VPAND   even, hi, odd \
	VPSLLD  $16, even, even

// BF16PACK packs the int32 lanes of two BF16SPLITs of 32 elements, Y0
// (even elements of 0..15), Y1 (odd of 0..15), Y2 (even of 16..31) and Y3
// (odd of 16..31), into the 32 bytes of Y0 in element order, saturating.
// The packs leave in each 128-bit lane 8 even then 8 odd bytes (lane 0
// from elements 0-7 and 16-23, lane 1 from 8-15 and 24-31); VPSHUFB
// interleaves them and VPERMQ puts the quarters in order.
#define BF16PACK \
	VPACKSSDW Y2, Y0, Y0            \
	VPACKSSDW Y3, Y1, Y1            \
	VPACKSSWB Y1, Y0, Y0            \
	VPSHUFB   evenOdd<>(SB), Y0, Y0 \
	VPERMQ    $0xD8, Y0, Y0

// ABSMAXCONSTS and ZEROPOINTCONSTS load the constants of QABSMAX* and
// QZEROPOINT* other than scale and zero.
#define ABSMAXCONSTS \
	BROADCAST32($0x42FE0000, X14, Y14) \
	BROADCAST32($0x81818181, X13, Y13) \
	VMOVDQU packOrder<>(SB), Y12

#define ZEROPOINTCONSTS \
	BROADCAST32($0x42FE0000, X13, Y13) \
	VMOVDQU packOrder<>(SB), Y12

// VEC8 starts the loop of single vectors: BX becomes the length rounded
// down to 8, and it jumps to tail if none is left.
#define VEC8 \
	MOVQ CX, BX \
	ANDQ $-8, BX \
	CMPQ AX, BX \
	JAE  tail

// func quantizeAbsmaxFloat16AVX2(dst []int8, src []uint16, scale float32)
TEXT ·quantizeAbsmaxFloat16AVX2(SB), NOSPLIT, $0-52
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	ABSMAXCONSTS
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-32, BX
	JZ   vec8

loop32:
	VCVTPH2PS (SI)(AX*2), Y0
	VCVTPH2PS 16(SI)(AX*2), Y1
	VCVTPH2PS 32(SI)(AX*2), Y2
	VCVTPH2PS 48(SI)(AX*2), Y3
	QABSMAX32
	VMOVDQU   Y0, (DI)(AX*1)
	ADDQ      $32, AX
	CMPQ      AX, BX
	JB        loop32

vec8:
	VEC8

loop8:
	VCVTPH2PS (SI)(AX*2), Y0
	QABSMAX8
	VMOVQ     X0, (DI)(AX*1)
	ADDQ      $8, AX
	CMPQ      AX, BX
	JB        loop8

tail:
	CMPQ AX, CX
	JAE  done
	LOAD16TAIL
	VCVTPH2PS X0, Y0
	QABSMAX8
	STORE8TAIL

done:
	VZEROUPPER
	RET

// func quantizeAbsmaxBFloat16AVX2(dst []int8, src []uint16, scale float32)
TEXT ·quantizeAbsmaxBFloat16AVX2(SB), NOSPLIT, $0-52
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	ABSMAXCONSTS
	BROADCAST32($0xFFFF0000, X11, Y11) // for BF16SPLIT
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-32, BX
	JZ   vec8

loop32:
	BF16SPLIT((SI)(AX*2), Y0, Y1, Y11)
	BF16SPLIT(32(SI)(AX*2), Y2, Y3, Y11)
	ABSMAXROUND4
	BF16PACK
	VPMAXSB Y13, Y0, Y0
	VMOVDQU Y0, (DI)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, BX
	JB      loop32

vec8:
	VEC8

loop8:
	WIDENBF16((SI)(AX*2), Y0)
	QABSMAX8
	VMOVQ X0, (DI)(AX*1)
	ADDQ  $8, AX
	CMPQ  AX, BX
	JB    loop8

tail:
	CMPQ AX, CX
	JAE  done
	LOAD16TAIL
	WIDENBF16(X0, Y0)
	QABSMAX8
	STORE8TAIL

done:
	VZEROUPPER
	RET

// func quantizeZeroPointFloat16AVX2(dst []int8, src []uint16, scale, zero float32)
TEXT ·quantizeZeroPointFloat16AVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	VBROADCASTSS zero+52(FP), Y14
	ZEROPOINTCONSTS
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-32, BX
	JZ   vec8

loop32:
	VCVTPH2PS (SI)(AX*2), Y0
	VCVTPH2PS 16(SI)(AX*2), Y1
	VCVTPH2PS 32(SI)(AX*2), Y2
	VCVTPH2PS 48(SI)(AX*2), Y3
	QZEROPOINT32
	VMOVDQU   Y0, (DI)(AX*1)
	ADDQ      $32, AX
	CMPQ      AX, BX
	JB        loop32

vec8:
	VEC8

loop8:
	VCVTPH2PS (SI)(AX*2), Y0
	QZEROPOINT8
	VMOVQ     X0, (DI)(AX*1)
	ADDQ      $8, AX
	CMPQ      AX, BX
	JB        loop8

tail:
	CMPQ AX, CX
	JAE  done
	LOAD16TAIL
	VCVTPH2PS X0, Y0
	QZEROPOINT8
	STORE8TAIL

done:
	VZEROUPPER
	RET

// func quantizeZeroPointBFloat16AVX2(dst []int8, src []uint16, scale, zero float32)
TEXT ·quantizeZeroPointBFloat16AVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	VBROADCASTSS scale+48(FP), Y15
	VBROADCASTSS zero+52(FP), Y14
	ZEROPOINTCONSTS
	BROADCAST32($0xFFFF0000, X11, Y11) // for BF16SPLIT
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-32, BX
	JZ   vec8

loop32:
	BF16SPLIT((SI)(AX*2), Y0, Y1, Y11)
	BF16SPLIT(32(SI)(AX*2), Y2, Y3, Y11)
	ZEROPOINTROUND4
	BF16PACK
	VMOVDQU Y0, (DI)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, BX
	JB      loop32

vec8:
	VEC8

loop8:
	WIDENBF16((SI)(AX*2), Y0)
	QZEROPOINT8
	VMOVQ X0, (DI)(AX*1)
	ADDQ  $8, AX
	CMPQ  AX, BX
	JB    loop8

tail:
	CMPQ AX, CX
	JAE  done
	LOAD16TAIL
	WIDENBF16(X0, Y0)
	QZEROPOINT8
	STORE8TAIL

done:
	VZEROUPPER
	RET

// The Q8_0 encoders take up to 8 blocks (a group) at a time. Pass one
// gathers the abs max of each block of a group into one lane of Y0, so
// that the two divisions and the binary16 round trip run once per group
// rather than once per block, and leaves each block's id (1/d, or 0 if d
// is 0) and d in a 32-byte aligned slot on the stack. Pass two quantizes
// each block with its id, which VBROADCASTSS loads from the slot. The
// passes are software-pipelined: pass one of a group runs before pass two
// of the group before it, with two slots taking turns, so that the long
// dependency chain of the scales overlaps the independent work of pass
// two. The products never reach 2^31 (|x*id| <= 1.5*127, the worst when d
// rounds down to the smallest subnormal), so only the packs and VPMAXSB
// -127 clamp.
//
// Registers: R9 and CX walk src and count the blocks left for pass one,
// DX counts the blocks of the group it just did and R12 points at its
// slot; SI, DI walk src and dst for pass two, R10 counts the blocks of
// its group, R11 points at their slot and BX indexes them.

// Q8CONSTS loads the constants of the Q8_0 encoders: Y10 127.0, Y11 1.0,
// Y12 packOrder, Y13 int8 -127.
#define Q8CONSTS \
	BROADCAST32($0x42FE0000, X10, Y10) \
	BROADCAST32($0x3F800000, X11, Y11) \
	VMOVDQU packOrder<>(SB), Y12       \
	BROADCAST32($0x81818181, X13, Y13)

// Q8START points R12 at the second of the two 64-byte slots (id at 0, d
// at 32) that follow R11, and starts the pipeline.
#define Q8START \
	LEAQ 64(R11), R12 \
	MOVQ SI, R9       \
	XORQ R10, R10

// Q8GROUP sets DX to the number of blocks of the next group for pass one,
// min(8, CX), and jumps to pass2 if there is none. It zeroes the lanes of
// the blocks a short (last) group lacks: their scales are never used, and
// zero keeps the divisions on harmless values.
#define Q8GROUP \
	MOVQ    $8, DX         \
	CMPQ    CX, DX         \
	JAE     full           \
	MOVQ    CX, DX         \
	TESTQ   DX, DX         \
	JZ      pass2          \
	VPXOR   Y1, Y1, Y1     \
	VPXOR   Y2, Y2, Y2     \
	VPXOR   Y3, Y3, Y3     \
	VPXOR   Y4, Y4, Y4     \
	VPXOR   Y5, Y5, Y5     \
	VPXOR   Y6, Y6, Y6     \
	VPXOR   Y7, Y7, Y7     \
full:

// Q8SCALES turns the float32 maxima in the lanes of Y0 into d (binary16,
// stored at 32(R12)) and id (float32, stored at R12): d = RNE(a/127) with
// a true division, id = 1/float32(d) with another, masked to 0 where d is
// 0 (the division gives +Inf there).
#define Q8SCALES \
	VDIVPS    Y10, Y0, Y0    \
	VCVTPS2PH $0, Y0, X1     \
	VCVTPH2PS X1, Y2         \
	VDIVPS    Y2, Y11, Y3    \
	VXORPS    Y0, Y0, Y0     \
	VCMPPS    $4, Y0, Y2, Y2 \
	VANDPS    Y2, Y3, Y3     \
	VMOVDQU   X1, 32(R12)    \
	VMOVAPS   Y3, (R12)

// Q8ADVANCE moves pass one past its group of DX blocks of blockBytes.
#define Q8ADVANCE(blockBytes) \
	IMUL3Q $blockBytes, DX, R8 \
	ADDQ   R8, R9              \
	SUBQ   DX, CX

// Q8ROUND rounds the products x*id in Y0..Y3 to int32.
#define Q8ROUND \
	VCVTPS2DQ Y0, Y0 \
	VCVTPS2DQ Y1, Y1 \
	VCVTPS2DQ Y2, Y2 \
	VCVTPS2DQ Y3, Y3

// Q8STORE packs the rounded products in Y0..Y3 to 32 int8 in order (Y12
// holds packOrder), then stores them with Q8PUT.
#define Q8STORE \
	VPACKSSDW Y1, Y0, Y0 \
	VPACKSSDW Y3, Y2, Y2 \
	VPACKSSWB Y2, Y0, Y0 \
	VPERMD    Y0, Y12, Y0 \
	Q8PUT

// Q8PUT clamps the 32 quants in Y0 to [-127, 127] and stores block BX at
// DI: d from the slot, then the quants.
#define Q8PUT \
	VPMAXSB Y13, Y0, Y0            \
	MOVWLZX 32(R11)(BX*2), R8      \
	MOVW    R8, (DI)               \
	VMOVDQU Y0, 2(DI)

// Q8NEXT moves pass two to its next block (of blockBytes of src), and
// after its group hands the slot of pass one's group over to it.
#define Q8NEXT(blockBytes) \
	ADDQ  $blockBytes, SI \
	ADDQ  $34, DI         \
	INCQ  BX              \
	CMPQ  BX, R10         \
	JB    blocks          \
swap:                     \
	XCHGQ R11, R12        \
	MOVQ  DX, R10         \
	TESTQ R10, R10        \
	JNZ   group

// BLOCKMAX32 leaves in m the dword max of bits&0x7FFFFFFF over the 32
// float32 at off(R9). Y14 holds 0x7FFFFFFF; Y8 and Y9 are scratch.
#define BLOCKMAX32(off, m) \
	VPAND   off(R9), Y14, m      \
	VPAND   off+32(R9), Y14, Y8  \
	VPMAXUD Y8, m, m             \
	VPAND   off+64(R9), Y14, Y8  \
	VPAND   off+96(R9), Y14, Y9  \
	VPMAXUD Y9, Y8, Y8           \
	VPMAXUD Y8, m, m

// MAXTREE32 reduces the dwords of Y0..Y7 into Y0, whose lane b becomes the
// max of Yb: interleaving dwords, then qwords, then 128-bit lanes of pairs
// of vectors halves the partial maxima of each vector at every step.
#define MAXTREE32 \
	VPUNPCKLDQ  Y1, Y0, Y8       \
	VPUNPCKHDQ  Y1, Y0, Y9       \
	VPMAXUD     Y9, Y8, Y0       \
	VPUNPCKLDQ  Y3, Y2, Y8       \
	VPUNPCKHDQ  Y3, Y2, Y9       \
	VPMAXUD     Y9, Y8, Y2       \
	VPUNPCKLDQ  Y5, Y4, Y8       \
	VPUNPCKHDQ  Y5, Y4, Y9       \
	VPMAXUD     Y9, Y8, Y4       \
	VPUNPCKLDQ  Y7, Y6, Y8       \
	VPUNPCKHDQ  Y7, Y6, Y9       \
	VPMAXUD     Y9, Y8, Y6       \
	VPUNPCKLQDQ Y2, Y0, Y8       \
	VPUNPCKHQDQ Y2, Y0, Y9       \
	VPMAXUD     Y9, Y8, Y0       \
	VPUNPCKLQDQ Y6, Y4, Y8       \
	VPUNPCKHQDQ Y6, Y4, Y9       \
	VPMAXUD     Y9, Y8, Y4       \
	VPERM2I128  $0x20, Y4, Y0, Y8 \
	VPERM2I128  $0x31, Y4, Y0, Y9 \
	VPMAXUD     Y9, Y8, Y0

// BLOCKMAX16 leaves in m the word max of bits&0x7FFF over the 32 16-bit
// values at off(R9): binary16 and bfloat16 order like their bits, so this
// is the bits of the block's max|x|, widened once per group. Y14 holds
// 0x7FFF in every word; Y8 is scratch.
#define BLOCKMAX16(off, m) \
	VPAND   off(R9), Y14, m     \
	VPAND   off+32(R9), Y14, Y8 \
	VPMAXUW Y8, m, m

// MAXTREE16 is MAXTREE32 on words, one step more, leaving the 8 maxima in
// the words of X0.
#define MAXTREE16 \
	VPUNPCKLWD   Y1, Y0, Y8 \
	VPUNPCKHWD   Y1, Y0, Y9 \
	VPMAXUW      Y9, Y8, Y0 \
	VPUNPCKLWD   Y3, Y2, Y8 \
	VPUNPCKHWD   Y3, Y2, Y9 \
	VPMAXUW      Y9, Y8, Y2 \
	VPUNPCKLWD   Y5, Y4, Y8 \
	VPUNPCKHWD   Y5, Y4, Y9 \
	VPMAXUW      Y9, Y8, Y4 \
	VPUNPCKLWD   Y7, Y6, Y8 \
	VPUNPCKHWD   Y7, Y6, Y9 \
	VPMAXUW      Y9, Y8, Y6 \
	VPUNPCKLDQ   Y2, Y0, Y8 \
	VPUNPCKHDQ   Y2, Y0, Y9 \
	VPMAXUW      Y9, Y8, Y0 \
	VPUNPCKLDQ   Y6, Y4, Y8 \
	VPUNPCKHDQ   Y6, Y4, Y9 \
	VPMAXUW      Y9, Y8, Y4 \
	VPUNPCKLQDQ  Y4, Y0, Y8 \
	VPUNPCKHQDQ  Y4, Y0, Y9 \
	VPMAXUW      Y9, Y8, Y0 \
	VEXTRACTI128 $1, Y0, X8 \
	VPMAXUW      X8, X0, X0

// Q8BLOCKS32 and Q8BLOCKS16 run pass one over the DX blocks at R9 of
// float32 and of 16-bit values, leaving the maxima in the lanes of Y0
// (dwords) and X0 (words).
#define Q8BLOCKS32 \
	BLOCKMAX32(0, Y0)   \
	CMPQ DX, $1         \
	JE   tree           \
	BLOCKMAX32(128, Y1) \
	CMPQ DX, $2         \
	JE   tree           \
	BLOCKMAX32(256, Y2) \
	CMPQ DX, $3         \
	JE   tree           \
	BLOCKMAX32(384, Y3) \
	CMPQ DX, $4         \
	JE   tree           \
	BLOCKMAX32(512, Y4) \
	CMPQ DX, $5         \
	JE   tree           \
	BLOCKMAX32(640, Y5) \
	CMPQ DX, $6         \
	JE   tree           \
	BLOCKMAX32(768, Y6) \
	CMPQ DX, $7         \
	JE   tree           \
	BLOCKMAX32(896, Y7) \
tree:                   \
	MAXTREE32

#define Q8BLOCKS16 \
	BLOCKMAX16(0, Y0)   \
	CMPQ DX, $1         \
	JE   tree           \
	BLOCKMAX16(64, Y1)  \
	CMPQ DX, $2         \
	JE   tree           \
	BLOCKMAX16(128, Y2) \
	CMPQ DX, $3         \
	JE   tree           \
	BLOCKMAX16(192, Y3) \
	CMPQ DX, $4         \
	JE   tree           \
	BLOCKMAX16(256, Y4) \
	CMPQ DX, $5         \
	JE   tree           \
	BLOCKMAX16(320, Y5) \
	CMPQ DX, $6         \
	JE   tree           \
	BLOCKMAX16(384, Y6) \
	CMPQ DX, $7         \
	JE   tree           \
	BLOCKMAX16(448, Y7) \
tree:                   \
	MAXTREE16

// func encodeQ8_0AVX2(dst []byte, src []float32)
TEXT ·encodeQ8_0AVX2(SB), NOSPLIT, $152-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $5, CX // blocks
	JZ   done
	Q8CONSTS
	BROADCAST32($0x7FFFFFFF, X14, Y14)
	LEAQ 31(SP), R11 // two slots of 64 bytes, 32-byte aligned
	ANDQ $-32, R11
	Q8START

group:
	Q8GROUP
	Q8BLOCKS32
	Q8SCALES
	Q8ADVANCE(128)

pass2:
	XORQ  BX, BX
	TESTQ R10, R10
	JZ    swap

blocks:
	VBROADCASTSS (R11)(BX*4), Y15
	VMULPS       (SI), Y15, Y0
	VMULPS       32(SI), Y15, Y1
	VMULPS       64(SI), Y15, Y2
	VMULPS       96(SI), Y15, Y3
	Q8ROUND
	Q8STORE
	Q8NEXT(128)

done:
	VZEROUPPER
	RET

// func encodeQ8_0Float16AVX2(dst []byte, src []uint16)
TEXT ·encodeQ8_0Float16AVX2(SB), NOSPLIT, $152-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $5, CX // blocks
	JZ   done
	Q8CONSTS
	BROADCAST32($0x7FFF7FFF, X14, Y14)
	LEAQ 31(SP), R11 // two slots of 64 bytes, 32-byte aligned
	ANDQ $-32, R11
	Q8START

group:
	Q8GROUP
	Q8BLOCKS16
	VCVTPH2PS X0, Y0
	Q8SCALES
	Q8ADVANCE(64)

pass2:
	XORQ  BX, BX
	TESTQ R10, R10
	JZ    swap

blocks:
	VBROADCASTSS (R11)(BX*4), Y15
	VCVTPH2PS    (SI), Y0
	VCVTPH2PS    16(SI), Y1
	VCVTPH2PS    32(SI), Y2
	VCVTPH2PS    48(SI), Y3
	VMULPS       Y15, Y0, Y0
	VMULPS       Y15, Y1, Y1
	VMULPS       Y15, Y2, Y2
	VMULPS       Y15, Y3, Y3
	Q8ROUND
	Q8STORE
	Q8NEXT(64)

done:
	VZEROUPPER
	RET

// func encodeQ8_0BFloat16AVX2(dst []byte, src []uint16)
TEXT ·encodeQ8_0BFloat16AVX2(SB), NOSPLIT, $152-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $5, CX // blocks
	JZ   done
	Q8CONSTS
	BROADCAST32($0x7FFF7FFF, X14, Y14)
	BROADCAST32($0xFFFF0000, X12, Y12) // for BF16SPLIT, instead of packOrder
	LEAQ 31(SP), R11 // two slots of 64 bytes, 32-byte aligned
	ANDQ $-32, R11
	Q8START

group:
	Q8GROUP
	Q8BLOCKS16
	WIDENBF16(X0, Y0)
	Q8SCALES
	Q8ADVANCE(64)

pass2:
	XORQ  BX, BX
	TESTQ R10, R10
	JZ    swap

blocks:
	VBROADCASTSS (R11)(BX*4), Y15
	BF16SPLIT((SI), Y0, Y1, Y12)
	BF16SPLIT(32(SI), Y2, Y3, Y12)
	VMULPS       Y15, Y0, Y0
	VMULPS       Y15, Y1, Y1
	VMULPS       Y15, Y2, Y2
	VMULPS       Y15, Y3, Y3
	Q8ROUND
	BF16PACK
	Q8PUT
	Q8NEXT(64)

done:
	VZEROUPPER
	RET

// Q8DECODE leaves in Y0..Y3 the 32 values of the Q8_0 block at SI:
// float32(q) * float32(d), with d widened (exact) and broadcast, each q
// sign-extended and converted (exact), and an exact product. d is widened
// with the next 6 bytes, which stay inside the block, to save a shuffle.
// Y4 is scratch.
#define Q8DECODE \
	VCVTPH2PS    (SI), X4 \
	VBROADCASTSS X4, Y4   \
	VPMOVSXBD    2(SI), Y0  \
	VPMOVSXBD    10(SI), Y1 \
	VPMOVSXBD    18(SI), Y2 \
	VPMOVSXBD    26(SI), Y3 \
	VCVTDQ2PS    Y0, Y0   \
	VCVTDQ2PS    Y1, Y1   \
	VCVTDQ2PS    Y2, Y2   \
	VCVTDQ2PS    Y3, Y3   \
	VMULPS       Y4, Y0, Y0 \
	VMULPS       Y4, Y1, Y1 \
	VMULPS       Y4, Y2, Y2 \
	VMULPS       Y4, Y3, Y3

// BF16ROUND4 rounds the float32 lanes of Y0..Y3 to bfloat16 (Y15, Y14
// and Y13 hold 1, 0x7FFF and 0x40) and packs them into Y0 (elements
// 0..15) and Y2 (16..31). It takes the short rounding, for lanes known
// not to be NaNs; the caller jumps to nan4 instead when a lane may be one.
// Y4..Y9 are scratch.
#define BF16ROUND4 \
	BF16NONAN(Y0, Y4, Y5, Y15, Y14)          \
	BF16NONAN(Y1, Y6, Y7, Y15, Y14)          \
	BF16NONAN(Y2, Y8, Y9, Y15, Y14)          \
	BF16NONAN(Y3, Y4, Y5, Y15, Y14)          \
	JMP       pack4                          \
nan4:                                        \
	BF16ROUND(Y0, Y4, Y5, Y6, Y15, Y14, Y13) \
	BF16ROUND(Y1, Y7, Y8, Y9, Y15, Y14, Y13) \
	BF16ROUND(Y2, Y4, Y5, Y6, Y15, Y14, Y13) \
	BF16ROUND(Y3, Y7, Y8, Y9, Y15, Y14, Y13) \
pack4:                                       \
	VPACKUSDW Y1, Y0, Y0                     \
	VPACKUSDW Y3, Y2, Y2                     \
	VPERMQ    $0xD8, Y0, Y0                  \
	VPERMQ    $0xD8, Y2, Y2

// BF16CONSTS loads the constants of BF16ROUND4.
#define BF16CONSTS \
	BROADCAST32($1, X15, Y15)      \
	BROADCAST32($0x7FFF, X14, Y14) \
	BROADCAST32($0x40, X13, Y13)

// The Q8_0 decoders take their block count from len(dst), which is
// len(src)/34*32, to avoid a division by 34.

// func decodeQ8_0AVX2(dst []float32, src []byte)
TEXT ·decodeQ8_0AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	SHRQ $5, CX // blocks
	JZ   done

loop:
	PREFETCHT0 4096(DI) // see "Prefetching" above
	PREFETCHT0 4160(DI)
	Q8DECODE
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $34, SI
	ADDQ    $128, DI
	DECQ    CX
	JNZ     loop

done:
	VZEROUPPER
	RET

// func decodeQ8_0Float16AVX2(dst []uint16, src []byte)
// The exact products, rounded to binary16 by VCVTPS2PH $0 as
// float32ToFloat16AVX2 does.
TEXT ·decodeQ8_0Float16AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	SHRQ $5, CX // blocks
	JZ   done

loop:
	PREFETCHT0 2048(DI) // see "Prefetching" above
	Q8DECODE
	VCVTPS2PH $0, Y0, (DI)
	VCVTPS2PH $0, Y1, 16(DI)
	VCVTPS2PH $0, Y2, 32(DI)
	VCVTPS2PH $0, Y3, 48(DI)
	ADDQ      $34, SI
	ADDQ      $64, DI
	DECQ      CX
	JNZ       loop

done:
	VZEROUPPER
	RET

// func decodeQ8_0BFloat16AVX2(dst []uint16, src []byte)
// The exact products, rounded to bfloat16 as float32ToBFloat16AVX2 does,
// NaNs included (a NaN or an infinite d makes them).
TEXT ·decodeQ8_0BFloat16AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	SHRQ $5, CX // blocks
	JZ   done
	BF16CONSTS

loop:
	PREFETCHT0 2048(DI) // see "Prefetching" above
	Q8DECODE
	MOVWLZX (SI), R8 // d: only NaN or infinite makes NaNs
	ANDL    $0x7C00, R8
	CMPL    R8, $0x7C00
	JE      nan4
	BF16ROUND4
	VMOVDQU Y0, (DI)
	VMOVDQU Y2, 32(DI)
	ADDQ    $34, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     loop

done:
	VZEROUPPER
	RET

// DEQUANT4 leaves in Y0..Y3 the 32 values of dequantizeZeroPointAVX2 for
// the int8 at SI+AX: Y15 holds scale, Y14 zero.
#define DEQUANT4 \
	VPMOVSXBD (SI)(AX*1), Y0   \
	VPMOVSXBD 8(SI)(AX*1), Y1  \
	VPMOVSXBD 16(SI)(AX*1), Y2 \
	VPMOVSXBD 24(SI)(AX*1), Y3 \
	VPSUBD    Y14, Y0, Y0      \
	VPSUBD    Y14, Y1, Y1      \
	VPSUBD    Y14, Y2, Y2      \
	VPSUBD    Y14, Y3, Y3      \
	VCVTDQ2PS Y0, Y0           \
	VCVTDQ2PS Y1, Y1           \
	VCVTDQ2PS Y2, Y2           \
	VCVTDQ2PS Y3, Y3           \
	VDIVPS    Y15, Y0, Y0      \
	VDIVPS    Y15, Y1, Y1      \
	VDIVPS    Y15, Y2, Y2      \
	VDIVPS    Y15, Y3, Y3

// DEQUANT1 is DEQUANT4 for the 8 int32 lanes of Y0.
#define DEQUANT1 \
	VPSUBD    Y14, Y0, Y0 \
	VCVTDQ2PS Y0, Y0      \
	VDIVPS    Y15, Y0, Y0

#define STOREF16X4 \
	VCVTPS2PH $0, Y0, (DI)   \
	VCVTPS2PH $0, Y1, 16(DI) \
	VCVTPS2PH $0, Y2, 32(DI) \
	VCVTPS2PH $0, Y3, 48(DI)

#define STOREF16X1 \
	VCVTPS2PH $0, Y0, (DI)

// func dequantizeZeroPointFloat16AVX2(dst []uint16, src []int8, scale float32, zero int32)
// dequantizeZeroPointAVX2, rounded to binary16 by VCVTPS2PH $0.
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
	MOVQ         CX, BX
	ANDQ         $-32, BX
	JZ           vec8

loop32:
	DEQUANT4
	VCVTPS2PH $0, Y0, (DI)(AX*2)
	VCVTPS2PH $0, Y1, 16(DI)(AX*2)
	VCVTPS2PH $0, Y2, 32(DI)(AX*2)
	VCVTPS2PH $0, Y3, 48(DI)(AX*2)
	ADDQ      $32, AX
	CMPQ      AX, BX
	JB        loop32

vec8:
	VEC8

loop8:
	VPMOVSXBD (SI)(AX*1), Y0
	DEQUANT1
	VCVTPS2PH $0, Y0, (DI)(AX*2)
	ADDQ      $8, AX
	CMPQ      AX, BX
	JB        loop8

tail:
	CMPQ AX, CX
	JAE  done
	LOAD8TAIL
	VPMOVSXBD X0, Y0
	DEQUANT1
	VCVTPS2PH $0, Y0, X0
	STORE16TAIL

done:
	VZEROUPPER
	RET

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

// func dequantizeZeroPointBFloat16AVX2(dst []uint16, src []int8, scale float32, zero int32)
// dequantizeZeroPointAVX2, rounded to bfloat16 as float32ToBFloat16AVX2
// does, NaNs included (0/0 makes one). The fast path of DEQUANTFAST makes
// no NaN (scale is finite and not zero there) and rounds without the test.
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
	MOVQ         CX, BX
	ANDQ         $-32, BX
	JZ           vec8

loop32:
	// DEQUANT4 with scale and zero in Y11 and Y10, which BF16CONSTS
	// leaves alone.
	VPMOVSXBD (SI)(AX*1), Y0
	VPMOVSXBD 8(SI)(AX*1), Y1
	VPMOVSXBD 16(SI)(AX*1), Y2
	VPMOVSXBD 24(SI)(AX*1), Y3
	VPSUBD    Y10, Y0, Y0
	VPSUBD    Y10, Y1, Y1
	VPSUBD    Y10, Y2, Y2
	VPSUBD    Y10, Y3, Y3
	VCVTDQ2PS Y0, Y0
	VCVTDQ2PS Y1, Y1
	VCVTDQ2PS Y2, Y2
	VCVTDQ2PS Y3, Y3
	VDIVPS    Y11, Y0, Y0
	VDIVPS    Y11, Y1, Y1
	VDIVPS    Y11, Y2, Y2
	VDIVPS    Y11, Y3, Y3
	VCMPPS    $3, Y1, Y0, Y8 // NaNs, as float32ToBFloat16AVX2 tests
	VCMPPS    $3, Y3, Y2, Y9
	VPOR      Y9, Y8, Y8
	VPTEST    Y8, Y8
	JNZ       nan4
	BF16ROUND4
	VMOVDQU   Y0, (DI)(AX*2)
	VMOVDQU   Y2, 32(DI)(AX*2)
	ADDQ      $32, AX
	CMPQ      AX, BX
	JB        loop32

vec8:
	VEC8

loop8:
	VPMOVSXBD    (SI)(AX*1), Y0
	VPSUBD       Y10, Y0, Y0
	VCVTDQ2PS    Y0, Y0
	VDIVPS       Y11, Y0, Y0
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
	LOAD8TAIL
	VPMOVSXBD    X0, Y0
	VPSUBD       Y10, Y0, Y0
	VCVTDQ2PS    Y0, Y0
	VDIVPS       Y11, Y0, Y0
	BF16ROUND(Y0, Y4, Y5, Y6, Y15, Y14, Y13)
	VEXTRACTI128 $1, Y0, X1
	VPACKUSDW    X1, X0, X0
	STORE16TAIL

done:
	VZEROUPPER
	RET

// The blockwise kernels take src as len(src)/block blocks, where block is
// a positive multiple of 8, and count the blocks by the per-block slice
// (dst, lo or scales), which holds one element per block.
//
// The reductions keep one accumulator (or three, for the order keys) per
// block of a group of 8 (4) blocks and walk the blocks of a group side by
// side, one vector of each per step, so that a block of 8 values is one
// load. A transposing tree (MAXTREE32, MAXTREE16, TREE4, TREE4W) then
// reduces the group's accumulators into one vector holding a result per
// block, stored at once. After the last whole group, the 1..7 (1..3)
// blocks left are the end of one more group over the last 8 (4) blocks:
// it rewrites a few results with the same values. Calls with fewer blocks
// than a group take one block at a time, with a horizontal reduction.
//
// Registers of the reductions: SI walks src, R8 holds the block stride in
// bytes and R9 three strides, R10 points 4 blocks after SI (in groups of
// 8), DX counts the blocks left, BX the vectors left of the blocks of a
// group, and DI (and R11 for hi) walks the results. Every kernel loads its constants first:
// BROADCAST32 uses R8.

// BACKUP moves SI back over n-DX blocks and DI over as many results of
// size bytes, leaving their bytes in BX, and sets DX to n: the last group
// is then the last n blocks, some of them done already. AX is scratch.
#define BACKUP(n, size) \
	MOVQ   $n, AX       \
	SUBQ   DX, AX       \
	IMUL3Q $size, AX, BX \
	IMULQ  R8, AX       \
	SUBQ   AX, SI       \
	SUBQ   BX, DI       \
	MOVQ   $n, DX

// BLOCKPTRS sets R9 to three strides.
#define BLOCKPTRS \
	LEAQ (R8)(R8*2), R9

// func absMaxBitsBlocksAVX2(dst []uint32, src []float32, block int)
TEXT ·absMaxBitsBlocksAVX2(SB), NOSPLIT, $0-56
	BROADCAST32($0x7FFFFFFF, X15, Y15)
	MOVQ  dst_base+0(FP), DI
	MOVQ  dst_len+8(FP), DX
	MOVQ  src_base+24(FP), SI
	MOVQ  block+48(FP), R8
	TESTQ DX, DX
	JZ    done
	SHLQ  $2, R8
	BLOCKPTRS
	CMPQ  DX, $8
	JB    single

group:
	LEAQ  (SI)(R8*4), R10
	VPAND (SI), Y15, Y0
	VPAND (SI)(R8*1), Y15, Y1
	VPAND (SI)(R8*2), Y15, Y2
	VPAND (SI)(R9*1), Y15, Y3
	VPAND (R10), Y15, Y4
	VPAND (R10)(R8*1), Y15, Y5
	VPAND (R10)(R8*2), Y15, Y6
	VPAND (R10)(R9*1), Y15, Y7
	ADDQ  $32, SI
	ADDQ  $32, R10
	MOVQ  R8, BX
	SHRQ  $5, BX // vectors per block
	DECQ  BX
	JZ    tree

vecs:
	VPAND   (SI), Y15, Y8
	VPAND   (SI)(R8*1), Y15, Y9
	VPAND   (SI)(R8*2), Y15, Y10
	VPAND   (SI)(R9*1), Y15, Y11
	VPMAXUD Y8, Y0, Y0
	VPMAXUD Y9, Y1, Y1
	VPMAXUD Y10, Y2, Y2
	VPMAXUD Y11, Y3, Y3
	VPAND   (R10), Y15, Y8
	VPAND   (R10)(R8*1), Y15, Y9
	VPAND   (R10)(R8*2), Y15, Y10
	VPAND   (R10)(R9*1), Y15, Y11
	VPMAXUD Y8, Y4, Y4
	VPMAXUD Y9, Y5, Y5
	VPMAXUD Y10, Y6, Y6
	VPMAXUD Y11, Y7, Y7
	ADDQ    $32, SI
	ADDQ    $32, R10
	DECQ    BX
	JNZ     vecs

tree:
	MAXTREE32
	VMOVDQU Y0, (DI)
	ADDQ    $32, DI
	LEAQ    (R10)(R9*1), SI // R10 ended 5 blocks after the group's start
	SUBQ    $8, DX
	JZ      done
	CMPQ    DX, $8
	JAE     group
	BACKUP(8, 4)
	JMP     group

single:
	VPAND (SI), Y15, Y0
	ADDQ  $32, SI
	MOVQ  R8, BX
	SUBQ  $32, BX
	JZ    reduce1

vec1:
	VPAND   (SI), Y15, Y8
	VPMAXUD Y8, Y0, Y0
	ADDQ    $32, SI
	SUBQ    $32, BX
	JNZ     vec1

reduce1:
	VEXTRACTI128 $1, Y0, X1
	VPMAXUD      X1, X0, X0
	VPSHUFD      $0x4E, X0, X1
	VPMAXUD      X1, X0, X0
	VPSHUFD      $0xB1, X0, X1
	VPMAXUD      X1, X0, X0
	VMOVD        X0, (DI)
	ADDQ         $4, DI
	DECQ         DX
	JNZ          single

done:
	VZEROUPPER
	RET

// func absMaxBits16BlocksAVX2(dst []uint16, src []uint16, block int)
// absMaxBitsBlocksAVX2 on words. A block of 16k+8 words starts with its
// first 8 words, loaded into the low half of a vector whose high half
// VEX.128 zeroes, which never raises the max.
TEXT ·absMaxBits16BlocksAVX2(SB), NOSPLIT, $0-56
	BROADCAST32($0x7FFF7FFF, X15, Y15)
	MOVQ  dst_base+0(FP), DI
	MOVQ  dst_len+8(FP), DX
	MOVQ  src_base+24(FP), SI
	MOVQ  block+48(FP), R8
	TESTQ DX, DX
	JZ    done
	SHLQ  $1, R8
	BLOCKPTRS
	CMPQ  DX, $8
	JB    single

group:
	LEAQ  (SI)(R8*4), R10
	MOVQ  R8, BX
	SHRQ  $5, BX // whole vectors per block
	TESTQ $16, R8
	JZ    whole
	VPAND (SI), X15, X0
	VPAND (SI)(R8*1), X15, X1
	VPAND (SI)(R8*2), X15, X2
	VPAND (SI)(R9*1), X15, X3
	VPAND (R10), X15, X4
	VPAND (R10)(R8*1), X15, X5
	VPAND (R10)(R8*2), X15, X6
	VPAND (R10)(R9*1), X15, X7
	ADDQ  $16, SI
	ADDQ  $16, R10
	TESTQ BX, BX
	JZ    tree
	JMP   vecs

whole:
	VPAND (SI), Y15, Y0
	VPAND (SI)(R8*1), Y15, Y1
	VPAND (SI)(R8*2), Y15, Y2
	VPAND (SI)(R9*1), Y15, Y3
	VPAND (R10), Y15, Y4
	VPAND (R10)(R8*1), Y15, Y5
	VPAND (R10)(R8*2), Y15, Y6
	VPAND (R10)(R9*1), Y15, Y7
	ADDQ  $32, SI
	ADDQ  $32, R10
	DECQ  BX
	JZ    tree

vecs:
	VPAND   (SI), Y15, Y8
	VPAND   (SI)(R8*1), Y15, Y9
	VPAND   (SI)(R8*2), Y15, Y10
	VPAND   (SI)(R9*1), Y15, Y11
	VPMAXUW Y8, Y0, Y0
	VPMAXUW Y9, Y1, Y1
	VPMAXUW Y10, Y2, Y2
	VPMAXUW Y11, Y3, Y3
	VPAND   (R10), Y15, Y8
	VPAND   (R10)(R8*1), Y15, Y9
	VPAND   (R10)(R8*2), Y15, Y10
	VPAND   (R10)(R9*1), Y15, Y11
	VPMAXUW Y8, Y4, Y4
	VPMAXUW Y9, Y5, Y5
	VPMAXUW Y10, Y6, Y6
	VPMAXUW Y11, Y7, Y7
	ADDQ    $32, SI
	ADDQ    $32, R10
	DECQ    BX
	JNZ     vecs

tree:
	MAXTREE16
	VMOVDQU X0, (DI)
	ADDQ    $16, DI
	LEAQ    (R10)(R9*1), SI
	SUBQ    $8, DX
	JZ      done
	CMPQ    DX, $8
	JAE     group
	BACKUP(8, 2)
	JMP     group

single:
	VPXOR Y0, Y0, Y0
	MOVQ  R8, BX
	SHRQ  $5, BX
	TESTQ $16, R8
	JZ    whole1
	VPAND (SI), X15, X0
	ADDQ  $16, SI

whole1:
	TESTQ BX, BX
	JZ    reduce1

vec1:
	VPAND   (SI), Y15, Y8
	VPMAXUW Y8, Y0, Y0
	ADDQ    $32, SI
	DECQ    BX
	JNZ     vec1

reduce1:
	VEXTRACTI128 $1, Y0, X1
	VPMAXUW      X1, X0, X0
	MAXWORDS8(X0, X1)
	VPEXTRW      $0, X0, (DI)
	ADDQ         $2, DI
	DECQ         DX
	JNZ          single

done:
	VZEROUPPER
	RET

// TREE4 reduces the dwords of a, b, c and d with op into the low four
// dwords of xa (the X name of a), which become the results of a, b, c and
// d, as MAXTREE32 does for 8 vectors. t1, t2 are scratch; xt1 is t1's X
// name.
#define TREE4(op, a, b, c, d, t1, t2, xa, xt1) \
	VPUNPCKLDQ   b, a, t1   \
	VPUNPCKHDQ   b, a, t2   \
	op           t2, t1, a  \
	VPUNPCKLDQ   d, c, t1   \
	VPUNPCKHDQ   d, c, t2   \
	op           t2, t1, c  \
	VPUNPCKLQDQ  c, a, t1   \
	VPUNPCKHQDQ  c, a, t2   \
	op           t2, t1, a  \
	VEXTRACTI128 $1, a, xt1 \
	op           xt1, xa, xa

// TREE4W is TREE4 on words, with one more step; the results are the low
// four words of xa.
#define TREE4W(op, a, b, c, d, t1, t2, xa, xt1) \
	VPUNPCKLWD   b, a, t1   \
	VPUNPCKHWD   b, a, t2   \
	op           t2, t1, a  \
	VPUNPCKLWD   d, c, t1   \
	VPUNPCKHWD   d, c, t2   \
	op           t2, t1, c  \
	VPUNPCKLDQ   c, a, t1   \
	VPUNPCKHDQ   c, a, t2   \
	op           t2, t1, a  \
	VPSHUFD      $0x4E, a, t1 \
	op           t1, a, a   \
	VEXTRACTI128 $1, a, xt1 \
	op           xt1, xa, xa

// KEYS32 derives the order keys from reduced raw bits as minMaxKeysAVX2
// does, lane by lane: with smax in X0, smin in X4 and umax in X8 (X15
// holding 0x7FFFFFFF), hi = smax < 0 ? smin^0x7FFFFFFF : smax goes to X13
// and lo = smin < 0 ? umax^0x7FFFFFFF : smin to X12. VBLENDVPS selects by
// the sign bit of its mask, here the value itself.
#define KEYS32 \
	VPXOR     X15, X4, X12       \
	VBLENDVPS X0, X12, X0, X13   \
	VPXOR     X15, X8, X8        \
	VBLENDVPS X4, X8, X4, X12

// KEYS16 is KEYS32 on words (X15 holding 0x7FFF), with the sign masks
// made by VPSRAW for VPBLENDVB.
#define KEYS16 \
	VPXOR     X15, X4, X12      \
	VPSRAW    $15, X0, X13      \
	VPBLENDVB X13, X12, X0, X13 \
	VPXOR     X15, X8, X8       \
	VPSRAW    $15, X4, X12      \
	VPBLENDVB X12, X8, X4, X12

// func minMaxKeysBlocksAVX2(lo, hi []int32, src []float32, block int)
// Groups of 4 blocks, each with the smax, smin and umax accumulators of
// minMaxKeysAVX2: Y0..Y3, Y4..Y7 and Y8..Y11, started at the block's first
// vector.
TEXT ·minMaxKeysBlocksAVX2(SB), NOSPLIT, $0-80
	BROADCAST32($0x7FFFFFFF, X15, Y15)
	MOVQ  lo_base+0(FP), DI
	MOVQ  lo_len+8(FP), DX
	MOVQ  hi_base+24(FP), R11
	MOVQ  src_base+48(FP), SI
	MOVQ  block+72(FP), R8
	TESTQ DX, DX
	JZ    done
	SHLQ  $2, R8
	BLOCKPTRS
	CMPQ  DX, $4
	JB    single

group:
	VMOVDQU (SI), Y0
	VMOVDQU (SI)(R8*1), Y1
	VMOVDQU (SI)(R8*2), Y2
	VMOVDQU (SI)(R9*1), Y3
	VMOVDQA Y0, Y4
	VMOVDQA Y1, Y5
	VMOVDQA Y2, Y6
	VMOVDQA Y3, Y7
	VMOVDQA Y0, Y8
	VMOVDQA Y1, Y9
	VMOVDQA Y2, Y10
	VMOVDQA Y3, Y11
	ADDQ    $32, SI
	MOVQ    R8, BX
	SHRQ    $5, BX
	DECQ    BX
	JZ      tree

vecs:
	VMOVDQU (SI), Y12
	VMOVDQU (SI)(R8*1), Y13
	MINMAX3(Y12, Y0, Y4, Y8)
	MINMAX3(Y13, Y1, Y5, Y9)
	VMOVDQU (SI)(R8*2), Y12
	VMOVDQU (SI)(R9*1), Y13
	MINMAX3(Y12, Y2, Y6, Y10)
	MINMAX3(Y13, Y3, Y7, Y11)
	ADDQ    $32, SI
	DECQ    BX
	JNZ     vecs

tree:
	TREE4(VPMAXSD, Y0, Y1, Y2, Y3, Y12, Y13, X0, X12)
	TREE4(VPMINSD, Y4, Y5, Y6, Y7, Y12, Y13, X4, X12)
	TREE4(VPMAXUD, Y8, Y9, Y10, Y11, Y12, Y13, X8, X12)
	KEYS32
	VMOVDQU X12, (DI)
	VMOVDQU X13, (R11)
	ADDQ    $16, DI
	ADDQ    $16, R11
	LEAQ    (SI)(R9*1), SI // SI ended one block after the group's start
	SUBQ    $4, DX
	JZ      done
	CMPQ    DX, $4
	JAE     group
	BACKUP(4, 4)
	SUBQ    BX, R11
	JMP     group

single:
	VMOVDQU (SI), Y0
	VMOVDQA Y0, Y4
	VMOVDQA Y0, Y8
	ADDQ    $32, SI
	MOVQ    R8, BX
	SUBQ    $32, BX
	JZ      reduce1

vec1:
	VMOVDQU (SI), Y12
	MINMAX3(Y12, Y0, Y4, Y8)
	ADDQ    $32, SI
	SUBQ    $32, BX
	JNZ     vec1

reduce1:
	VEXTRACTI128 $1, Y0, X1
	VEXTRACTI128 $1, Y4, X5
	VEXTRACTI128 $1, Y8, X9
	VPMAXSD      X1, X0, X0
	VPMINSD      X5, X4, X4
	VPMAXUD      X9, X8, X8
	VPSHUFD      $0x4E, X0, X1
	VPSHUFD      $0x4E, X4, X5
	VPSHUFD      $0x4E, X8, X9
	VPMAXSD      X1, X0, X0
	VPMINSD      X5, X4, X4
	VPMAXUD      X9, X8, X8
	VPSHUFD      $0xB1, X0, X1
	VPSHUFD      $0xB1, X4, X5
	VPSHUFD      $0xB1, X8, X9
	VPMAXSD      X1, X0, X0
	VPMINSD      X5, X4, X4
	VPMAXUD      X9, X8, X8
	KEYS32
	VMOVD        X12, (DI)
	VMOVD        X13, (R11)
	ADDQ         $4, DI
	ADDQ         $4, R11
	DECQ         DX
	JNZ          single

done:
	VZEROUPPER
	RET

// func minMaxKeys16BlocksAVX2(lo, hi []int16, src []uint16, block int)
// minMaxKeysBlocksAVX2 on words. A block of 16k+8 words starts with its
// first 8 words in both halves of a vector (VBROADCASTI128), which leaves
// the extremes as they are.
TEXT ·minMaxKeys16BlocksAVX2(SB), NOSPLIT, $0-80
	BROADCAST32($0x7FFF7FFF, X15, Y15)
	MOVQ  lo_base+0(FP), DI
	MOVQ  lo_len+8(FP), DX
	MOVQ  hi_base+24(FP), R11
	MOVQ  src_base+48(FP), SI
	MOVQ  block+72(FP), R8
	TESTQ DX, DX
	JZ    done
	SHLQ  $1, R8
	BLOCKPTRS
	CMPQ  DX, $4
	JB    single

group:
	MOVQ           R8, BX
	SHRQ           $5, BX
	TESTQ          $16, R8
	JZ             whole
	VBROADCASTI128 (SI), Y0
	VBROADCASTI128 (SI)(R8*1), Y1
	VBROADCASTI128 (SI)(R8*2), Y2
	VBROADCASTI128 (SI)(R9*1), Y3
	ADDQ           $16, SI
	JMP            copy

whole:
	VMOVDQU (SI), Y0
	VMOVDQU (SI)(R8*1), Y1
	VMOVDQU (SI)(R8*2), Y2
	VMOVDQU (SI)(R9*1), Y3
	ADDQ    $32, SI
	DECQ    BX

copy:
	VMOVDQA Y0, Y4
	VMOVDQA Y1, Y5
	VMOVDQA Y2, Y6
	VMOVDQA Y3, Y7
	VMOVDQA Y0, Y8
	VMOVDQA Y1, Y9
	VMOVDQA Y2, Y10
	VMOVDQA Y3, Y11
	TESTQ   BX, BX
	JZ      tree

vecs:
	VMOVDQU (SI), Y12
	VMOVDQU (SI)(R8*1), Y13
	MINMAX3W(Y12, Y0, Y4, Y8)
	MINMAX3W(Y13, Y1, Y5, Y9)
	VMOVDQU (SI)(R8*2), Y12
	VMOVDQU (SI)(R9*1), Y13
	MINMAX3W(Y12, Y2, Y6, Y10)
	MINMAX3W(Y13, Y3, Y7, Y11)
	ADDQ    $32, SI
	DECQ    BX
	JNZ     vecs

tree:
	TREE4W(VPMAXSW, Y0, Y1, Y2, Y3, Y12, Y13, X0, X12)
	TREE4W(VPMINSW, Y4, Y5, Y6, Y7, Y12, Y13, X4, X12)
	TREE4W(VPMAXUW, Y8, Y9, Y10, Y11, Y12, Y13, X8, X12)
	KEYS16
	VMOVQ X12, (DI)
	VMOVQ X13, (R11)
	ADDQ  $8, DI
	ADDQ  $8, R11
	LEAQ  (SI)(R9*1), SI
	SUBQ  $4, DX
	JZ    done
	CMPQ  DX, $4
	JAE   group
	BACKUP(4, 2)
	SUBQ  BX, R11
	JMP   group

single:
	MOVQ           R8, BX
	SHRQ           $5, BX
	TESTQ          $16, R8
	JZ             whole1
	VBROADCASTI128 (SI), Y0
	ADDQ           $16, SI
	JMP            copy1

whole1:
	VMOVDQU (SI), Y0
	ADDQ    $32, SI
	DECQ    BX

copy1:
	VMOVDQA Y0, Y4
	VMOVDQA Y0, Y8
	TESTQ   BX, BX
	JZ      reduce1

vec1:
	VMOVDQU (SI), Y12
	MINMAX3W(Y12, Y0, Y4, Y8)
	ADDQ    $32, SI
	DECQ    BX
	JNZ     vec1

reduce1:
	VEXTRACTI128 $1, Y0, X1
	VEXTRACTI128 $1, Y4, X5
	VEXTRACTI128 $1, Y8, X9
	VPMAXSW      X1, X0, X0
	VPMINSW      X5, X4, X4
	VPMAXUW      X9, X8, X8
	MINMAXWORDS8(X0, X4, X8, X1, X5, X9)
	KEYS16
	VPEXTRW      $0, X12, (DI)
	VPEXTRW      $0, X13, (R11)
	ADDQ         $2, DI
	ADDQ         $2, R11
	DECQ         DX
	JNZ          single

done:
	VZEROUPPER
	RET

// The blockwise quantizers compute exactly what their per-slice namesakes
// compute, with the scale (and zero) of each block broadcast. Blocks of 8,
// 16 and 32 values go 32 values at a time, with a scale per vector (four
// blocks of 8, or two of 16, or one of 32, per step); other sizes, and
// the blocks that a step of 4 or 2 blocks leaves, take one block at a time
// in steps of 32 values, then of 8.
//
// Registers: SI walks src, DI dst, R11 scales and R12 zeros; DX counts the
// blocks left, BX the values left of a block, R8 holds block. Y0..Y3 hold
// data, Y4..Y7 scales, Y8..Y11 zeros; Y12 packOrder, Y13 int8 -127, Y14
// 127.0, Y15 0xFFFF0000 (BF16SPLIT).

// BLKSCALE4 multiplies the float32 lanes of Y0..Y3 by s0..s3.
#define BLKSCALE4(s0, s1, s2, s3) \
	VMULPS s0, Y0, Y0 \
	VMULPS s1, Y1, Y1 \
	VMULPS s2, Y2, Y2 \
	VMULPS s3, Y3, Y3

// BLKLOADF32 leaves in Y0..Y3 the 32 float32 at SI times s0..s3.
#define BLKLOADF32(s0, s1, s2, s3) \
	VMULPS (SI), s0, Y0   \
	VMULPS 32(SI), s1, Y1 \
	VMULPS 64(SI), s2, Y2 \
	VMULPS 96(SI), s3, Y3

// BLKLOADF16 leaves in Y0..Y3 the 32 binary16 at SI, widened, times
// s0..s3.
#define BLKLOADF16(s0, s1, s2, s3) \
	VCVTPH2PS (SI), Y0   \
	VCVTPH2PS 16(SI), Y1 \
	VCVTPH2PS 32(SI), Y2 \
	VCVTPH2PS 48(SI), Y3 \
	BLKSCALE4(s0, s1, s2, s3)

// BLKLOADBF16 leaves in Y0..Y3 the 32 bfloat16 at SI, widened by
// BF16SPLIT (Y0, Y1 from values 0..15; Y2, Y3 from 16..31), times s0..s3.
#define BLKLOADBF16(s0, s1, s2, s3) \
	BF16SPLIT((SI), Y0, Y1, Y15)   \
	BF16SPLIT(32(SI), Y2, Y3, Y15) \
	BLKSCALE4(s0, s1, s2, s3)

// BLKSHIFT4 adds z0..z3 to the float32 lanes of Y0..Y3.
#define BLKSHIFT4(z0, z1, z2, z3) \
	VADDPS z0, Y0, Y0 \
	VADDPS z1, Y1, Y1 \
	VADDPS z2, Y2, Y2 \
	VADDPS z3, Y3, Y3

// BLKROUND4 clamps the top of Y0..Y3 to 127.0 and rounds them to int32.
#define BLKROUND4 \
	VMINPS    Y14, Y0, Y0 \
	VMINPS    Y14, Y1, Y1 \
	VMINPS    Y14, Y2, Y2 \
	VMINPS    Y14, Y3, Y3 \
	VCVTPS2DQ Y0, Y0      \
	VCVTPS2DQ Y1, Y1      \
	VCVTPS2DQ Y2, Y2      \
	VCVTPS2DQ Y3, Y3

// BLKPACK4 packs the int32 of Y0..Y3, in order, into the 32 bytes of Y0,
// saturating.
#define BLKPACK4 \
	VPACKSSDW Y1, Y0, Y0 \
	VPACKSSDW Y3, Y2, Y2 \
	VPACKSSWB Y2, Y0, Y0 \
	VPERMD    Y0, Y12, Y0

// BLKROUND1 is BLKROUND4 and the packs for Y0 alone, into the low 8
// bytes of X0.
#define BLKROUND1 \
	VMINPS       Y14, Y0, Y0 \
	VCVTPS2DQ    Y0, Y0      \
	VEXTRACTI128 $1, Y0, X1  \
	VPACKSSDW    X1, X0, X0  \
	VPACKSSWB    X0, X0, X0

// BLKCONSTS loads Y12..Y15.
#define BLKCONSTS \
	VMOVDQU packOrder<>(SB), Y12       \
	BROADCAST32($0x81818181, X13, Y13) \
	BROADCAST32($0x42FE0000, X14, Y14) \
	BROADCAST32($0xFFFF0000, X15, Y15)

// BLKSCALES8 and BLKZEROS8 broadcast the scales (zeros) of the four
// blocks of 8 at R11 (R12) into Y4..Y7 (Y8..Y11).
#define BLKSCALES8 \
	VBROADCASTSS (R11), Y4   \
	VBROADCASTSS 4(R11), Y5  \
	VBROADCASTSS 8(R11), Y6  \
	VBROADCASTSS 12(R11), Y7

#define BLKZEROS8 \
	VBROADCASTSS (R12), Y8   \
	VBROADCASTSS 4(R12), Y9  \
	VBROADCASTSS 8(R12), Y10 \
	VBROADCASTSS 12(R12), Y11

// BLKPAIRS8 broadcasts the four floats at p into v0 (the first two, each
// over half the lanes) and v1 (the last two): the scales (zeros) of four
// blocks of 8 in the lane order of BF16SPLIT. t is an X scratch register.
#define BLKPAIRS8(p, v0, v1, t) \
	VBROADCASTSS (p), v0       \
	VBROADCASTSS 4(p), t       \
	VINSERTF128  $1, t, v0, v0 \
	VBROADCASTSS 8(p), v1      \
	VBROADCASTSS 12(p), t      \
	VINSERTF128  $1, t, v1, v1

// BLKDISPATCH jumps to by32, by16 or by8 for blocks of 32, 16 or 8, and
// to blocks otherwise.
#define BLKDISPATCH \
	CMPQ R8, $32 \
	JE   by32    \
	CMPQ R8, $16 \
	JE   by16    \
	CMPQ R8, $8  \
	JNE  blocks

// BLKSTEP advances past 32 values: src by srcBytes, dst by 32 bytes.
#define BLKSTEP(srcBytes) \
	ADDQ $srcBytes, SI \
	ADDQ $32, DI

// func quantizeAbsmaxBlocksAVX2(dst []int8, src []float32, scales []float32, block int)
TEXT ·quantizeAbsmaxBlocksAVX2(SB), NOSPLIT, $0-80
	BLKCONSTS
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ scales_base+48(FP), R11
	MOVQ scales_len+56(FP), DX
	MOVQ block+72(FP), R8
	BLKDISPATCH

by8:
	CMPQ DX, $4
	JB   blocks
	BLKSCALES8
	BLKLOADF32(Y4, Y5, Y6, Y7)
	BLKROUND4
	BLKPACK4
	VPMAXSB Y13, Y0, Y0
	VMOVDQU Y0, (DI)
	BLKSTEP(128)
	ADDQ    $16, R11
	SUBQ    $4, DX
	JMP     by8

by16:
	CMPQ DX, $2
	JB   blocks
	VBROADCASTSS (R11), Y4
	VBROADCASTSS 4(R11), Y5
	BLKLOADF32(Y4, Y4, Y5, Y5)
	BLKROUND4
	BLKPACK4
	VPMAXSB Y13, Y0, Y0
	VMOVDQU Y0, (DI)
	BLKSTEP(128)
	ADDQ    $8, R11
	SUBQ    $2, DX
	JMP     by16

by32:
	TESTQ DX, DX
	JZ    done
	VBROADCASTSS (R11), Y4
	BLKLOADF32(Y4, Y4, Y4, Y4)
	BLKROUND4
	BLKPACK4
	VPMAXSB Y13, Y0, Y0
	VMOVDQU Y0, (DI)
	BLKSTEP(128)
	ADDQ    $4, R11
	DECQ    DX
	JMP     by32

blocks:
	TESTQ DX, DX
	JZ    done
	VBROADCASTSS (R11), Y4
	MOVQ  R8, BX
	CMPQ  BX, $32
	JB    vec8

vec32:
	BLKLOADF32(Y4, Y4, Y4, Y4)
	BLKROUND4
	BLKPACK4
	VPMAXSB Y13, Y0, Y0
	VMOVDQU Y0, (DI)
	BLKSTEP(128)
	SUBQ    $32, BX
	CMPQ    BX, $32
	JAE     vec32
	TESTQ   BX, BX
	JZ      next

vec8:
	VMULPS  (SI), Y4, Y0
	BLKROUND1
	VPMAXSB X13, X0, X0
	VMOVQ   X0, (DI)
	ADDQ    $32, SI
	ADDQ    $8, DI
	SUBQ    $8, BX
	JNZ     vec8

next:
	ADDQ $4, R11
	DECQ DX
	JMP  blocks

done:
	VZEROUPPER
	RET

// func quantizeZeroPointBlocksAVX2(dst []int8, src []float32, scales, zeros []float32, block int)
TEXT ·quantizeZeroPointBlocksAVX2(SB), NOSPLIT, $0-104
	BLKCONSTS
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ scales_base+48(FP), R11
	MOVQ scales_len+56(FP), DX
	MOVQ zeros_base+72(FP), R12
	MOVQ block+96(FP), R8
	BLKDISPATCH

by8:
	CMPQ DX, $4
	JB   blocks
	BLKSCALES8
	BLKZEROS8
	BLKLOADF32(Y4, Y5, Y6, Y7)
	BLKSHIFT4(Y8, Y9, Y10, Y11)
	BLKROUND4
	BLKPACK4
	VMOVDQU Y0, (DI)
	BLKSTEP(128)
	ADDQ    $16, R11
	ADDQ    $16, R12
	SUBQ    $4, DX
	JMP     by8

by16:
	CMPQ DX, $2
	JB   blocks
	VBROADCASTSS (R11), Y4
	VBROADCASTSS 4(R11), Y5
	VBROADCASTSS (R12), Y8
	VBROADCASTSS 4(R12), Y9
	BLKLOADF32(Y4, Y4, Y5, Y5)
	BLKSHIFT4(Y8, Y8, Y9, Y9)
	BLKROUND4
	BLKPACK4
	VMOVDQU Y0, (DI)
	BLKSTEP(128)
	ADDQ    $8, R11
	ADDQ    $8, R12
	SUBQ    $2, DX
	JMP     by16

by32:
	TESTQ DX, DX
	JZ    done
	VBROADCASTSS (R11), Y4
	VBROADCASTSS (R12), Y8
	BLKLOADF32(Y4, Y4, Y4, Y4)
	BLKSHIFT4(Y8, Y8, Y8, Y8)
	BLKROUND4
	BLKPACK4
	VMOVDQU Y0, (DI)
	BLKSTEP(128)
	ADDQ    $4, R11
	ADDQ    $4, R12
	DECQ    DX
	JMP     by32

blocks:
	TESTQ DX, DX
	JZ    done
	VBROADCASTSS (R11), Y4
	VBROADCASTSS (R12), Y8
	MOVQ  R8, BX
	CMPQ  BX, $32
	JB    vec8

vec32:
	BLKLOADF32(Y4, Y4, Y4, Y4)
	BLKSHIFT4(Y8, Y8, Y8, Y8)
	BLKROUND4
	BLKPACK4
	VMOVDQU Y0, (DI)
	BLKSTEP(128)
	SUBQ    $32, BX
	CMPQ    BX, $32
	JAE     vec32
	TESTQ   BX, BX
	JZ      next

vec8:
	VMULPS (SI), Y4, Y0
	VADDPS Y8, Y0, Y0
	BLKROUND1
	VMOVQ  X0, (DI)
	ADDQ   $32, SI
	ADDQ   $8, DI
	SUBQ   $8, BX
	JNZ    vec8

next:
	ADDQ $4, R11
	ADDQ $4, R12
	DECQ DX
	JMP  blocks

done:
	VZEROUPPER
	RET

// func quantizeAbsmaxFloat16BlocksAVX2(dst []int8, src []uint16, scales []float32, block int)
TEXT ·quantizeAbsmaxFloat16BlocksAVX2(SB), NOSPLIT, $0-80
	BLKCONSTS
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ scales_base+48(FP), R11
	MOVQ scales_len+56(FP), DX
	MOVQ block+72(FP), R8
	BLKDISPATCH

by8:
	CMPQ DX, $4
	JB   blocks
	BLKSCALES8
	BLKLOADF16(Y4, Y5, Y6, Y7)
	BLKROUND4
	BLKPACK4
	VPMAXSB Y13, Y0, Y0
	VMOVDQU Y0, (DI)
	BLKSTEP(64)
	ADDQ    $16, R11
	SUBQ    $4, DX
	JMP     by8

by16:
	CMPQ DX, $2
	JB   blocks
	VBROADCASTSS (R11), Y4
	VBROADCASTSS 4(R11), Y5
	BLKLOADF16(Y4, Y4, Y5, Y5)
	BLKROUND4
	BLKPACK4
	VPMAXSB Y13, Y0, Y0
	VMOVDQU Y0, (DI)
	BLKSTEP(64)
	ADDQ    $8, R11
	SUBQ    $2, DX
	JMP     by16

by32:
	TESTQ DX, DX
	JZ    done
	VBROADCASTSS (R11), Y4
	BLKLOADF16(Y4, Y4, Y4, Y4)
	BLKROUND4
	BLKPACK4
	VPMAXSB Y13, Y0, Y0
	VMOVDQU Y0, (DI)
	BLKSTEP(64)
	ADDQ    $4, R11
	DECQ    DX
	JMP     by32

blocks:
	TESTQ DX, DX
	JZ    done
	VBROADCASTSS (R11), Y4
	MOVQ  R8, BX
	CMPQ  BX, $32
	JB    vec8

vec32:
	BLKLOADF16(Y4, Y4, Y4, Y4)
	BLKROUND4
	BLKPACK4
	VPMAXSB Y13, Y0, Y0
	VMOVDQU Y0, (DI)
	BLKSTEP(64)
	SUBQ    $32, BX
	CMPQ    BX, $32
	JAE     vec32
	TESTQ   BX, BX
	JZ      next

vec8:
	VCVTPH2PS (SI), Y0
	VMULPS    Y4, Y0, Y0
	BLKROUND1
	VPMAXSB   X13, X0, X0
	VMOVQ     X0, (DI)
	ADDQ      $16, SI
	ADDQ      $8, DI
	SUBQ      $8, BX
	JNZ       vec8

next:
	ADDQ $4, R11
	DECQ DX
	JMP  blocks

done:
	VZEROUPPER
	RET

// func quantizeAbsmaxBFloat16BlocksAVX2(dst []int8, src []uint16, scales []float32, block int)
TEXT ·quantizeAbsmaxBFloat16BlocksAVX2(SB), NOSPLIT, $0-80
	BLKCONSTS
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ scales_base+48(FP), R11
	MOVQ scales_len+56(FP), DX
	MOVQ block+72(FP), R8
	BLKDISPATCH

by8:
	CMPQ DX, $4
	JB   blocks
	BLKPAIRS8(R11, Y4, Y5, X6)
	BLKLOADBF16(Y4, Y4, Y5, Y5)
	BLKROUND4
	BF16PACK
	VPMAXSB Y13, Y0, Y0
	VMOVDQU Y0, (DI)
	BLKSTEP(64)
	ADDQ    $16, R11
	SUBQ    $4, DX
	JMP     by8

by16:
	CMPQ DX, $2
	JB   blocks
	VBROADCASTSS (R11), Y4
	VBROADCASTSS 4(R11), Y5
	BLKLOADBF16(Y4, Y4, Y5, Y5)
	BLKROUND4
	BF16PACK
	VPMAXSB Y13, Y0, Y0
	VMOVDQU Y0, (DI)
	BLKSTEP(64)
	ADDQ    $8, R11
	SUBQ    $2, DX
	JMP     by16

by32:
	TESTQ DX, DX
	JZ    done
	VBROADCASTSS (R11), Y4
	BLKLOADBF16(Y4, Y4, Y4, Y4)
	BLKROUND4
	BF16PACK
	VPMAXSB Y13, Y0, Y0
	VMOVDQU Y0, (DI)
	BLKSTEP(64)
	ADDQ    $4, R11
	DECQ    DX
	JMP     by32

blocks:
	TESTQ DX, DX
	JZ    done
	VBROADCASTSS (R11), Y4
	MOVQ  R8, BX
	CMPQ  BX, $32
	JB    vec8

vec32:
	BLKLOADBF16(Y4, Y4, Y4, Y4)
	BLKROUND4
	BF16PACK
	VPMAXSB Y13, Y0, Y0
	VMOVDQU Y0, (DI)
	BLKSTEP(64)
	SUBQ    $32, BX
	CMPQ    BX, $32
	JAE     vec32
	TESTQ   BX, BX
	JZ      next

vec8:
	WIDENBF16((SI), Y0)
	VMULPS  Y4, Y0, Y0
	BLKROUND1
	VPMAXSB X13, X0, X0
	VMOVQ   X0, (DI)
	ADDQ    $16, SI
	ADDQ    $8, DI
	SUBQ    $8, BX
	JNZ     vec8

next:
	ADDQ $4, R11
	DECQ DX
	JMP  blocks

done:
	VZEROUPPER
	RET

// func quantizeZeroPointFloat16BlocksAVX2(dst []int8, src []uint16, scales, zeros []float32, block int)
TEXT ·quantizeZeroPointFloat16BlocksAVX2(SB), NOSPLIT, $0-104
	BLKCONSTS
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ scales_base+48(FP), R11
	MOVQ scales_len+56(FP), DX
	MOVQ zeros_base+72(FP), R12
	MOVQ block+96(FP), R8
	BLKDISPATCH

by8:
	CMPQ DX, $4
	JB   blocks
	BLKSCALES8
	BLKZEROS8
	BLKLOADF16(Y4, Y5, Y6, Y7)
	BLKSHIFT4(Y8, Y9, Y10, Y11)
	BLKROUND4
	BLKPACK4
	VMOVDQU Y0, (DI)
	BLKSTEP(64)
	ADDQ    $16, R11
	ADDQ    $16, R12
	SUBQ    $4, DX
	JMP     by8

by16:
	CMPQ DX, $2
	JB   blocks
	VBROADCASTSS (R11), Y4
	VBROADCASTSS 4(R11), Y5
	VBROADCASTSS (R12), Y8
	VBROADCASTSS 4(R12), Y9
	BLKLOADF16(Y4, Y4, Y5, Y5)
	BLKSHIFT4(Y8, Y8, Y9, Y9)
	BLKROUND4
	BLKPACK4
	VMOVDQU Y0, (DI)
	BLKSTEP(64)
	ADDQ    $8, R11
	ADDQ    $8, R12
	SUBQ    $2, DX
	JMP     by16

by32:
	TESTQ DX, DX
	JZ    done
	VBROADCASTSS (R11), Y4
	VBROADCASTSS (R12), Y8
	BLKLOADF16(Y4, Y4, Y4, Y4)
	BLKSHIFT4(Y8, Y8, Y8, Y8)
	BLKROUND4
	BLKPACK4
	VMOVDQU Y0, (DI)
	BLKSTEP(64)
	ADDQ    $4, R11
	ADDQ    $4, R12
	DECQ    DX
	JMP     by32

blocks:
	TESTQ DX, DX
	JZ    done
	VBROADCASTSS (R11), Y4
	VBROADCASTSS (R12), Y8
	MOVQ  R8, BX
	CMPQ  BX, $32
	JB    vec8

vec32:
	BLKLOADF16(Y4, Y4, Y4, Y4)
	BLKSHIFT4(Y8, Y8, Y8, Y8)
	BLKROUND4
	BLKPACK4
	VMOVDQU Y0, (DI)
	BLKSTEP(64)
	SUBQ    $32, BX
	CMPQ    BX, $32
	JAE     vec32
	TESTQ   BX, BX
	JZ      next

vec8:
	VCVTPH2PS (SI), Y0
	VMULPS    Y4, Y0, Y0
	VADDPS    Y8, Y0, Y0
	BLKROUND1
	VMOVQ     X0, (DI)
	ADDQ      $16, SI
	ADDQ      $8, DI
	SUBQ      $8, BX
	JNZ       vec8

next:
	ADDQ $4, R11
	ADDQ $4, R12
	DECQ DX
	JMP  blocks

done:
	VZEROUPPER
	RET

// func quantizeZeroPointBFloat16BlocksAVX2(dst []int8, src []uint16, scales, zeros []float32, block int)
TEXT ·quantizeZeroPointBFloat16BlocksAVX2(SB), NOSPLIT, $0-104
	BLKCONSTS
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ scales_base+48(FP), R11
	MOVQ scales_len+56(FP), DX
	MOVQ zeros_base+72(FP), R12
	MOVQ block+96(FP), R8
	BLKDISPATCH

by8:
	CMPQ DX, $4
	JB   blocks
	BLKPAIRS8(R11, Y4, Y5, X6)
	BLKPAIRS8(R12, Y8, Y9, X7)
	BLKLOADBF16(Y4, Y4, Y5, Y5)
	BLKSHIFT4(Y8, Y8, Y9, Y9)
	BLKROUND4
	BF16PACK
	VMOVDQU Y0, (DI)
	BLKSTEP(64)
	ADDQ    $16, R11
	ADDQ    $16, R12
	SUBQ    $4, DX
	JMP     by8

by16:
	CMPQ DX, $2
	JB   blocks
	VBROADCASTSS (R11), Y4
	VBROADCASTSS 4(R11), Y5
	VBROADCASTSS (R12), Y8
	VBROADCASTSS 4(R12), Y9
	BLKLOADBF16(Y4, Y4, Y5, Y5)
	BLKSHIFT4(Y8, Y8, Y9, Y9)
	BLKROUND4
	BF16PACK
	VMOVDQU Y0, (DI)
	BLKSTEP(64)
	ADDQ    $8, R11
	ADDQ    $8, R12
	SUBQ    $2, DX
	JMP     by16

by32:
	TESTQ DX, DX
	JZ    done
	VBROADCASTSS (R11), Y4
	VBROADCASTSS (R12), Y8
	BLKLOADBF16(Y4, Y4, Y4, Y4)
	BLKSHIFT4(Y8, Y8, Y8, Y8)
	BLKROUND4
	BF16PACK
	VMOVDQU Y0, (DI)
	BLKSTEP(64)
	ADDQ    $4, R11
	ADDQ    $4, R12
	DECQ    DX
	JMP     by32

blocks:
	TESTQ DX, DX
	JZ    done
	VBROADCASTSS (R11), Y4
	VBROADCASTSS (R12), Y8
	MOVQ  R8, BX
	CMPQ  BX, $32
	JB    vec8

vec32:
	BLKLOADBF16(Y4, Y4, Y4, Y4)
	BLKSHIFT4(Y8, Y8, Y8, Y8)
	BLKROUND4
	BF16PACK
	VMOVDQU Y0, (DI)
	BLKSTEP(64)
	SUBQ    $32, BX
	CMPQ    BX, $32
	JAE     vec32
	TESTQ   BX, BX
	JZ      next

vec8:
	WIDENBF16((SI), Y0)
	VMULPS Y4, Y0, Y0
	VADDPS Y8, Y0, Y0
	BLKROUND1
	VMOVQ  X0, (DI)
	ADDQ   $16, SI
	ADDQ   $8, DI
	SUBQ   $8, BX
	JNZ    vec8

next:
	ADDQ $4, R11
	ADDQ $4, R12
	DECQ DX
	JMP  blocks

done:
	VZEROUPPER
	RET

// KEYSTOBITS turns the order keys in the dwords of x into float32 bits
// (kernels.KeyBits): negative keys get their low 31 bits flipped. t is
// scratch.
#define KEYSTOBITS(x, t) \
	VPSRAD $31, x, t \
	VPSRLD $1, t, t  \
	VPXOR  t, x, x

// ZPPARAMS4 computes in X3 (scales) and X5 (zero points) the parameters
// of the four blocks whose min and max keys are in X0 and X1, as
// kernels.ZeroPointOf does: the float32 ends widen exactly to float64,
// VDIVPD rounds 255/(max-min) once, VCVTPD2PS rounds it to float32 as Go's
// conversion does, and VROUNDPD $0 rounds half to even. Lanes where
// min == max (-0 == +0 included) get zeros: their arithmetic meets
// infinities, which the mask discards. Y15 holds 255.0 and Y14 -128.0 as
// float64; X2 and X4 are scratch.
#define ZPPARAMS4 \
	KEYSTOBITS(X0, X2)         \
	KEYSTOBITS(X1, X2)         \
	VCMPPS     $0, X1, X0, X4  \
	VCVTPS2PD  X0, Y2          \
	VCVTPS2PD  X1, Y3          \
	VSUBPD     Y2, Y3, Y3      \
	VDIVPD     Y3, Y15, Y3     \
	VCVTPD2PSY Y3, X3          \
	VMULPS     X0, X3, X5      \
	VCVTPS2PD  X5, Y5          \
	VROUNDPD   $0, Y5, Y5      \
	VSUBPD     Y5, Y14, Y5     \
	VCVTPD2DQY Y5, X5          \
	VPANDN     X3, X4, X3      \
	VPANDN     X5, X4, X5

// func zeroPointParamsBlocksAVX2(scales []float32, zeros []int32, lo, hi []int32)
// Four blocks per step, then one at a time: a single key in lane 0 of X0
// and X1 leaves zeros, a constant block, in the other lanes.
TEXT ·zeroPointParamsBlocksAVX2(SB), NOSPLIT, $0-96
	MOVQ scales_base+0(FP), DI
	MOVQ zeros_base+24(FP), R9
	MOVQ lo_base+48(FP), SI
	MOVQ lo_len+56(FP), CX
	MOVQ hi_base+72(FP), DX
	MOVQ $0x406FE00000000000, R8 // 255.0
	VMOVQ        R8, X15
	VBROADCASTSD X15, Y15
	MOVQ $0xC060000000000000, R8 // -128.0
	VMOVQ        R8, X14
	VBROADCASTSD X14, Y14
	CMPQ CX, $4
	JB   tail

loop4:
	VMOVDQU (SI), X0
	VMOVDQU (DX), X1
	ZPPARAMS4
	VMOVDQU X3, (DI)
	VMOVDQU X5, (R9)
	ADDQ    $16, SI
	ADDQ    $16, DX
	ADDQ    $16, DI
	ADDQ    $16, R9
	SUBQ    $4, CX
	CMPQ    CX, $4
	JAE     loop4

tail:
	TESTQ CX, CX
	JZ    done

loop1:
	VMOVD (SI), X0
	VMOVD (DX), X1
	ZPPARAMS4
	VMOVD X3, (DI)
	VMOVD X5, (R9)
	ADDQ  $4, SI
	ADDQ  $4, DX
	ADDQ  $4, DI
	ADDQ  $4, R9
	DECQ  CX
	JNZ   loop1

done:
	VZEROUPPER
	RET
