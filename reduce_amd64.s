//go:build !purego && !noasm

#include "textflag.h"
#include "kernels_amd64.h"

// The per-slice reductions: max |x| bits and the min/max order keys, of
// float32 and of 16-bit values.
// kernels_amd64.s describes what every file shares.
//
//   absMaxBitsAVX2
//   minMaxKeysAVX2
//   absMaxBits16AVX2
//   minMaxKeys16AVX2
//   errorSumsAVX2

// PREFETCHFAR hints the 128 bytes at SI+4*AX+1 KiB into L1 and those 4
// KiB ahead into L2. Measured, not derived: likely the L2 hints keep more
// lines in flight than the L1 fill buffers alone allow. PREFETCHNEAR is
// the hint of the other loops, 2 KiB ahead into L1.
#define PREFETCHFAR \
	PREFETCHT0 1024(SI)(AX*4) \
	PREFETCHT0 1088(SI)(AX*4) \
	PREFETCHT1 4096(SI)(AX*4) \
	PREFETCHT1 4160(SI)(AX*4)

#define PREFETCHNEAR \
	PREFETCHT0 2048(SI)(AX*4) \
	PREFETCHT0 2112(SI)(AX*4)

// REDUCE32 is the loop of the two float32 reductions, after the
// accumulators are set: 32 values per step (STEP32: from FARFROM values on
// in the far loop, with PREFETCHFAR, else with PREFETCHNEAR from NEARFROM
// on; "Prefetching" in kernels_amd64.s says why), then 8 (STEP8), then the
// last 1..7 through a mask (TAIL, given the mask in Y8). It falls through
// to the expanding function's reduce label, where the accumulators are
// folded. The far loop's hints pass HINTS too, with the gate open.
#define REDUCE32(STEP32, STEP8, TAIL) \
	XORQ AX, AX                \
	MOVQ CX, BX                \
	ANDQ $-32, BX              \
	JZ   vec8                  \
	                           \
	XORQ R13, R13              \
	CMPQ CX, FARFROM           \
	JAE  far32                 \
	HINTGATE(CX)               \
	                           \
	PCALIGN $32 \
loop32:                        \
	HINTS(PREFETCHNEAR, near)  \
	STEP32((SI)(AX*4))         \
	ADDQ $32, AX               \
	CMPQ AX, BX                \
	JB   loop32                \
	JMP  vec8                  \
	                           \
	PCALIGN $32 \
far32:                         \
	HINTS(PREFETCHFAR, far)    \
	STEP32((SI)(AX*4))         \
	ADDQ $32, AX               \
	CMPQ AX, BX                \
	JB   far32                 \
	                           \
vec8:                          \
	VEC8                       \
	                           \
loop8:                         \
	STEP8((SI)(AX*4))          \
	ADDQ $8, AX                \
	CMPQ AX, BX                \
	JB   loop8                 \
	                           \
tail:                          \
	CMPQ AX, CX                \
	JAE  reduce                \
	TAILMASK(Y8)               \
	TAIL

// func absMaxBitsAVX2(src []float32) uint32
// Unsigned max of bits&0x7FFFFFFF, four accumulators. Masked-off tail
// lanes load as 0, which never raises the max.
//
// Registers:
//	SI  src                     Y0-Y3   maxima (the max in X0)
//	CX  len(src)                Y4-Y7   values, masked
//	AX  index, then the result  Y8      tail mask
//	BX  loop end                Y15     0x7FFFFFFF
//	DX  scratch
//	R8  scratch
//	R13 hint gate (HINTGATE)
TEXT ·absMaxBitsAVX2(SB), NOSPLIT, $0-28
	MOVQ src_base+0(FP), SI
	MOVQ src_len+8(FP), CX
	BROADCAST32($0x7FFFFFFF, X15, Y15)
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	REDUCE32(ABSMAX32, ABSMAX8, ABSMAXTAIL)

reduce:
	ABSMAXREDUCE
	MOVL         AX, ret+24(FP)
	VZEROUPPER
	RET

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
//
// Registers:
//	SI  src                         Y0-Y2   smax, smin, umax
//	CX  len(src), then umax         Y3-Y5   a second set, then scratch
//	AX  index, then smax and hi     Y6-Y9   values (MINMAX32)
//	BX  loop end, then smin and lo  Y8      tail mask
//	DX  scratch, then key(smin)     Y15     src[0] in every lane
//	R8  scratch
//	R13 hint gate (HINTGATE)
TEXT ·minMaxKeysAVX2(SB), NOSPLIT, $0-32
	MOVQ src_base+0(FP), SI
	MOVQ src_len+8(FP), CX
	TESTQ CX, CX
	JZ    empty
	MINMAX3START
	REDUCE32(MINMAX32, MINMAX8, MINMAXTAIL)

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

// The 16-bit reductions read 16 words per vector. A tail of 1..15 words
// after at least 16 is one more load of the last 16 words, which repeats
// some elements and so cannot change a maximum or a minimum. Slices of
// 8..15 words take two overlapping 8-word loads, and shorter ones the
// pieces of LOAD16TAIL.

// PREFETCH16 hints the 16-bit input 2 KiB ahead (the main loop's two
// lines of a step).
#define PREFETCH16 \
	PREFETCHT0 2048(SI)(AX*2) \
	PREFETCHT0 2112(SI)(AX*2)

// REDUCE16 is the loop of the two 16-bit reductions over 16 or more
// words, after the accumulators are set: 64 words per step (STEP64, with
// PREFETCH16 from NEARFROM words on), then
// 16 (STEP16 into the first accumulator or set), then the last 16 words
// once more if some are left (TAIL16 into the second). It falls through to
// the expanding function's reduce label.
#define REDUCE16(STEP64, STEP16, TAIL16) \
	MOVQ CX, BX             \
	ANDQ $-64, BX           \
	JZ   vec16              \
	HINTGATE(CX)            \
	                        \
	PCALIGN $32 \
loop64:                     \
	HINTS(PREFETCH16, near) \
	STEP64                  \
	ADDQ $64, AX            \
	CMPQ AX, BX             \
	JB   loop64             \
	                        \
vec16:                      \
	MOVQ CX, BX             \
	ANDQ $-16, BX           \
	CMPQ AX, BX             \
	JAE  tail               \
	                        \
loop16:                     \
	STEP16((SI)(AX*2))      \
	ADDQ $16, AX            \
	CMPQ AX, BX             \
	JB   loop16             \
	                        \
tail:                       \
	CMPQ AX, CX             \
	JAE  reduce             \
	TAIL16(-32(SI)(CX*2))

// ABSMAX64W folds the 64 words at SI+2*AX into Y0..Y3 (Y15 is the
// magnitude mask, Y4..Y7 scratch); ABSMAX16W0 and ABSMAX16W1 fold 16 at m
// into Y0 and Y1.
#define ABSMAX64W \
	VPAND   (SI)(AX*2), Y15, Y4   \
	VPAND   32(SI)(AX*2), Y15, Y5 \
	VPAND   64(SI)(AX*2), Y15, Y6 \
	VPAND   96(SI)(AX*2), Y15, Y7 \
	VPMAXUW Y4, Y0, Y0            \
	VPMAXUW Y5, Y1, Y1            \
	VPMAXUW Y6, Y2, Y2            \
	VPMAXUW Y7, Y3, Y3

#define ABSMAX16W(m, acc) \
	VPAND   m, Y15, Y4 \
	VPMAXUW Y4, acc, acc

#define ABSMAX16W0(m) ABSMAX16W(m, Y0)
#define ABSMAX16W1(m) ABSMAX16W(m, Y1)

// MINMAX64W folds the 64 words at SI+2*AX into both sets of MINMAX3W
// accumulators (Y6..Y9 scratch); MINMAX16W0 and MINMAX16W1 fold 16 at m
// into the first set and the second.
#define MINMAX64W \
	VMOVDQU (SI)(AX*2), Y6    \
	VMOVDQU 32(SI)(AX*2), Y7  \
	VMOVDQU 64(SI)(AX*2), Y8  \
	VMOVDQU 96(SI)(AX*2), Y9  \
	MINMAX3W(Y6, Y0, Y1, Y2)  \
	MINMAX3W(Y7, Y3, Y4, Y5)  \
	MINMAX3W(Y8, Y0, Y1, Y2)  \
	MINMAX3W(Y9, Y3, Y4, Y5)

#define MINMAX16W0(m) \
	VMOVDQU m, Y6 \
	MINMAX3W(Y6, Y0, Y1, Y2)

#define MINMAX16W1(m) \
	VMOVDQU m, Y6 \
	MINMAX3W(Y6, Y3, Y4, Y5)

// func absMaxBits16AVX2(src []uint16) uint16
// Unsigned word max of bits&0x7FFF, four accumulators; the zeros that
// LOAD16TAIL fills in never raise the max.
//
// Registers:
//	SI  src                     Y0-Y3   maxima (the max in X0)
//	CX  len(src)                Y4-Y7   values, masked
//	AX  index, then the result  X0-X1   values of slices under 16
//	BX  loop end                X1      scratch (MAXWORDS8)
//	DX  words left (pieces)     Y15     0x7FFF per word
//	R8  scratch
//	R9  tail pointer
//	R10 scratch
//	R13 hint gate (HINTGATE)
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
	REDUCE16(ABSMAX64W, ABSMAX16W0, ABSMAX16W1)

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

// func minMaxKeys16AVX2(src []uint16) (lo, hi int16)
// minMaxKeysAVX2 on words: the signed max, signed min and unsigned max of
// the raw bits give the extreme keys (key(b) = b ^ 0x7FFF for negative b),
// with three operations per vector instead of mapping every element to its
// key first. The accumulators start as src[0], which also fills the words
// LOAD16TAIL leaves out.
//
// Registers:
//	SI  src                         Y0-Y2   smax, smin, umax
//	CX  len(src) (negated for       Y3-Y5   a second set, then scratch
//	    pieces), then umax          Y6-Y9   values; X6-X7 loads of 8..15
//	AX  index, then smax and hi     X8      mask of the words loaded
//	BX  loop end, then smin and lo  X9      src[0] in every word
//	DX  words left (pieces),
//	    then key(smin)
//	R8  ·tailMask+32 (pieces)
//	R9  tail pointer
//	R10 scratch
//	R13 hint gate (HINTGATE)
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
	REDUCE16(MINMAX64W, MINMAX16W0, MINMAX16W1)

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
	// ·tailMask+32-2*n starts with n all-ones words: the words loaded.
	LOAD16TAIL
	LEAQ         ·tailMask+32(SB), R8
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


// The error sums: float64 lanes in a fixed order (kernels.Set.ErrorSums),
// 16 of them in Y0..Y3 (e*e) and Y4..Y7 (x*x), value i of a 16-value step
// in lane i%4 of register i/4, which is lane i%16 of the specification;
// the max |e| in Y8 (order does not matter to a max).

// ERRORSTEP4 folds the 4 pairs at xm and ym into the lanes of sse and ss
// and into Y8. Y9..Y11 are scratch; Y15 is the magnitude mask.
#define ERRORSTEP4(xm, ym, sse, ss) \
	VCVTPS2PD xm, Y9        \
	VCVTPS2PD ym, Y10       \
	VSUBPD    Y10, Y9, Y10  \
	VMULPD    Y9, Y9, Y9    \
	VADDPD    Y9, ss, ss    \
	VMULPD    Y10, Y10, Y11 \
	VADDPD    Y11, sse, sse \
	VANDPD    Y15, Y10, Y10 \
	VMAXPD    Y10, Y8, Y8

// ERRORTAIL4 is ERRORSTEP4 for the group of 4 that starts k4 pairs (off
// bytes) into the last 1..15 pairs (BX of them): a whole group, or the
// rest of them through a mask of ·tailMask (R9), zeros in the lanes past
// the end, which add +0. It jumps to the expanding function's reduce
// when no pair of the group is left; partial and next are its own
// labels.
#define ERRORTAIL4(k4, off, sse, ss, partial, next) \
	CMPQ       BX, $k4                    \
	JBE        reduce                     \
	MOVQ       BX, DX                     \
	SUBQ       $k4, DX                    \
	CMPQ       DX, $4                     \
	JB         partial                    \
	ERRORSTEP4(off(SI)(AX*4), off(DI)(AX*4), sse, ss) \
	JMP        next                       \
partial:                                  \
	NEGQ       DX                         \
	VMOVDQU    (R9)(DX*4), X12            \
	VMASKMOVPS off(SI)(AX*4), X12, X13    \
	VMASKMOVPS off(DI)(AX*4), X12, X14    \
	ERRORSTEP4(X13, X14, sse, ss)         \
next:

// FOLDLANES adds the 16 lanes of a, b, c, d as kernels.ErrorLanes does,
// into the low float64 of X of a; t is scratch, xa and xt the X names.
#define FOLDLANES(a, b, c, d, t, xa, xt) \
	VADDPD       c, a, a   \
	VADDPD       d, b, b   \
	VADDPD       b, a, a   \
	VEXTRACTF128 $1, a, xt \
	VADDPD       xt, xa, xa \
	VUNPCKHPD    xa, xa, xt \
	VADDSD       xt, xa, xa

// func errorSumsAVX2(x, y []float32) (sse, ss, maxAbs float64)
//
// Registers:
//	SI  x                     Y0-Y3   sums of e*e, 16 lanes
//	DI  y                     Y4-Y7   sums of x*x, 16 lanes
//	CX  len(x)                Y8      max |e|
//	AX  index                 Y9-Y11  scratch
//	BX  loop end, then pairs  X12     tail mask
//	    left (tail)           X13-X14 tail values
//	DX  scratch (tail)        Y15     0x7FFFFFFFFFFFFFFF
//	R8  scratch
//	R9  ·tailMask+32
TEXT ·errorSumsAVX2(SB), NOSPLIT, $0-72
	MOVQ         x_base+0(FP), SI
	MOVQ         y_base+24(FP), DI
	MOVQ         x_len+8(FP), CX
	MOVQ         $0x7FFFFFFFFFFFFFFF, R8
	VMOVQ        R8, X15
	VPBROADCASTQ X15, Y15
	VXORPD       Y0, Y0, Y0
	VXORPD       Y1, Y1, Y1
	VXORPD       Y2, Y2, Y2
	VXORPD       Y3, Y3, Y3
	VXORPD       Y4, Y4, Y4
	VXORPD       Y5, Y5, Y5
	VXORPD       Y6, Y6, Y6
	VXORPD       Y7, Y7, Y7
	VXORPD       Y8, Y8, Y8
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-16, BX
	JZ           tail

	PCALIGN $32
loop16:
	ERRORSTEP4((SI)(AX*4), (DI)(AX*4), Y0, Y4)
	ERRORSTEP4(16(SI)(AX*4), 16(DI)(AX*4), Y1, Y5)
	ERRORSTEP4(32(SI)(AX*4), 32(DI)(AX*4), Y2, Y6)
	ERRORSTEP4(48(SI)(AX*4), 48(DI)(AX*4), Y3, Y7)
	ADDQ $16, AX
	CMPQ AX, BX
	JB   loop16

tail:
	MOVQ CX, BX
	SUBQ AX, BX
	LEAQ ·tailMask+32(SB), R9
	ERRORTAIL4(0, 0, Y0, Y4, partial0, next0)
	ERRORTAIL4(4, 16, Y1, Y5, partial1, next1)
	ERRORTAIL4(8, 32, Y2, Y6, partial2, next2)
	ERRORTAIL4(12, 48, Y3, Y7, partial3, next3)

reduce:
	FOLDLANES(Y0, Y1, Y2, Y3, Y9, X0, X9)
	FOLDLANES(Y4, Y5, Y6, Y7, Y9, X4, X9)
	VEXTRACTF128 $1, Y8, X9
	VMAXPD       X9, X8, X8
	VUNPCKHPD    X8, X8, X9
	VMAXSD       X9, X8, X8
	VMOVSD       X0, sse+48(FP)
	VMOVSD       X4, ss+56(FP)
	VMOVSD       X8, maxAbs+64(FP)
	VZEROUPPER
	RET
