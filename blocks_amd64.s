//go:build !purego && !noasm

#include "textflag.h"
#include "kernels_amd64.h"

// The blockwise kernels of PerBlock and short PerRow groups: a result or
// a parameter per block of a whole slice in one call.
// kernels_amd64.s describes what every file shares.
//
//   absMaxBitsBlocksAVX2
//   absMaxBits16BlocksAVX2
//   minMaxKeysBlocksAVX2
//   minMaxKeys16BlocksAVX2
//   quantizeAbsmaxBlocksAVX2
//   quantizeZeroPointBlocksAVX2
//   quantizeAbsmaxFloat16BlocksAVX2
//   quantizeAbsmaxBFloat16BlocksAVX2
//   quantizeZeroPointFloat16BlocksAVX2
//   quantizeZeroPointBFloat16BlocksAVX2
//   zeroPointParamsBlocksAVX2

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
// group, and DI (and R11 for hi) walks the results. Every kernel loads its
// constants first: BROADCAST32 uses R8.

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

// MASKED8 loads the first vector of each of the 8 blocks of a group, ANDed
// with m, into r0..r7 (the X forms load 16 bytes and zero the rest).
#define MASKED8(m, r0, r1, r2, r3, r4, r5, r6, r7) \
	VPAND (SI), m, r0         \
	VPAND (SI)(R8*1), m, r1   \
	VPAND (SI)(R8*2), m, r2   \
	VPAND (SI)(R9*1), m, r3   \
	VPAND (R10), m, r4        \
	VPAND (R10)(R8*1), m, r5  \
	VPAND (R10)(R8*2), m, r6  \
	VPAND (R10)(R9*1), m, r7

// MAXSTEP8 folds the next vector of each of the 8 blocks of a group,
// ANDed with Y15, into their maxima Y0..Y7 with op (VPMAXUD or VPMAXUW);
// Y8..Y11 are scratch.
#define MAXSTEP8(op) \
	VPAND (SI), Y15, Y8         \
	VPAND (SI)(R8*1), Y15, Y9   \
	VPAND (SI)(R8*2), Y15, Y10  \
	VPAND (SI)(R9*1), Y15, Y11  \
	op    Y8, Y0, Y0            \
	op    Y9, Y1, Y1            \
	op    Y10, Y2, Y2           \
	op    Y11, Y3, Y3           \
	VPAND (R10), Y15, Y8        \
	VPAND (R10)(R8*1), Y15, Y9  \
	VPAND (R10)(R8*2), Y15, Y10 \
	VPAND (R10)(R9*1), Y15, Y11 \
	op    Y8, Y4, Y4            \
	op    Y9, Y5, Y5            \
	op    Y10, Y6, Y6           \
	op    Y11, Y7, Y7

// func absMaxBitsBlocksAVX2(dst []uint32, src []float32, block int)
//
// Registers:
//	SI  src                          Y0-Y7   maxima of the 8 blocks, then
//	DI  dst                                  the results (MAXTREE32)
//	AX  scratch (BACKUP)             Y8-Y11  values, masked
//	BX  vectors left (group), bytes  Y8-Y9   scratch (MAXTREE32)
//	    left of the block (single)   X1      scratch (single)
//	DX  blocks left                  Y15     0x7FFFFFFF
//	R8  block stride (bytes)
//	R9  three strides
//	R10 SI + four strides
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

	PCALIGN $32
group:
	LEAQ  (SI)(R8*4), R10
	MASKED8(Y15, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	ADDQ  $32, SI
	ADDQ  $32, R10
	MOVQ  R8, BX
	SHRQ  $5, BX // vectors per block
	DECQ  BX
	JZ    tree

vecs:
	MAXSTEP8(VPMAXUD)
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
//
// Registers:
//	SI  src                   Y0-Y7   maxima (words) of the 8
//	DI  dst                           blocks, then the results in X0
//	AX  scratch (BACKUP)      Y8-Y11  values, masked
//	BX  whole vectors left    Y8-Y9   scratch (MAXTREE16)
//	DX  blocks left           X1      scratch (single)
//	R8  block stride (bytes)  Y15     0x7FFF per word
//	R9  three strides
//	R10 SI + four strides
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

	PCALIGN $32
group:
	LEAQ  (SI)(R8*4), R10
	MOVQ  R8, BX
	SHRQ  $5, BX // whole vectors per block
	TESTQ $16, R8
	JZ    whole
	MASKED8(X15, X0, X1, X2, X3, X4, X5, X6, X7)
	ADDQ  $16, SI
	ADDQ  $16, R10
	TESTQ BX, BX
	JZ    tree
	JMP   vecs

whole:
	MASKED8(Y15, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	ADDQ  $32, SI
	ADDQ  $32, R10
	DECQ  BX
	JZ    tree

vecs:
	MAXSTEP8(VPMAXUW)
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

// START3X4 starts the smax, smin and umax accumulators of 4 blocks
// (Y0..Y3, Y4..Y7, Y8..Y11) as the blocks' first vectors, in Y0..Y3.
#define START3X4 \
	VMOVDQA Y0, Y4  \
	VMOVDQA Y1, Y5  \
	VMOVDQA Y2, Y6  \
	VMOVDQA Y3, Y7  \
	VMOVDQA Y0, Y8  \
	VMOVDQA Y1, Y9  \
	VMOVDQA Y2, Y10 \
	VMOVDQA Y3, Y11

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
//
// Registers:
//	SI  src                          Y0-Y3    smax of the 4 blocks
//	DI  lo                           Y4-Y7    smin
//	AX  scratch (BACKUP)             Y8-Y11   umax
//	BX  vectors left (group), bytes  Y12-Y13  values, then scratch (TREE4)
//	    left of the block (single)   X12-X13  lo and hi keys (KEYS32)
//	DX  blocks left                  X1 X5 X9 scratch (single)
//	R8  block stride (bytes)         Y15      0x7FFFFFFF
//	R9  three strides
//	R11 hi
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

	PCALIGN $32
group:
	VMOVDQU (SI), Y0
	VMOVDQU (SI)(R8*1), Y1
	VMOVDQU (SI)(R8*2), Y2
	VMOVDQU (SI)(R9*1), Y3
	START3X4
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
//
// Registers:
//	SI  src                   Y0-Y3    smax (words) of the 4 blocks
//	DI  lo                    Y4-Y7    smin
//	AX  scratch (BACKUP)      Y8-Y11   umax
//	BX  whole vectors left    Y12-Y13  values, then scratch (TREE4W)
//	DX  blocks left           X12-X13  lo and hi keys (KEYS16)
//	R8  block stride (bytes)  X1 X5 X9 scratch (single)
//	R9  three strides         Y15      0x7FFF per word
//	R11 hi
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

	PCALIGN $32
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
	START3X4
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
// compute, with the scale (and zero) of each block broadcast. The six are
// one body, QUANTIZEBLOCKS, with hooks for the source format and the
// method.
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
	VMOVDQU ·packOrder(SB), Y12        \
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

// The hooks of QUANTIZEBLOCKS that differ by source format: LOAD4 (above)
// and PACK (PACK4, or BF16PACK for BLKLOADBF16's lane order); LOAD1
// leaves in Y0 the 8 values at SI times the scale in Y4.
#define BLKLOAD1F32 \
	VMULPS (SI), Y4, Y0

#define BLKLOAD1F16 \
	VCVTPH2PS (SI), Y0 \
	VMULPS    Y4, Y0, Y0

#define BLKLOAD1BF16 \
	WIDENBF16((SI), Y0) \
	VMULPS Y4, Y0, Y0

// The hooks that differ by method, absmax (ABS) or zero-point (ZP), whose
// zeros R12 walks beside the scales:
//
//   Q4(LOAD4, PACK, s0..s3, z0..z3) quantizes 32 values at SI into the 32
//   bytes of Y0, the vectors scaled by s0..s3 (and shifted by z0..z3);
//   Q1(LOAD1) quantizes 8 into the low 8 bytes of X0 with Y4 (and Y8);
//   PARAMS1 and PARAMS2 broadcast the parameters of one block into Y4 (Y8),
//   of two into Y4, Y5 (Y8, Y9); NEXT(n) moves past n bytes of each.
#define BLKABS4(LOAD4, PACK, s0, s1, s2, s3, z0, z1, z2, z3) \
	LOAD4(s0, s1, s2, s3) \
	BLKROUND4             \
	PACK                  \
	VPMAXSB Y13, Y0, Y0

#define BLKZP4(LOAD4, PACK, s0, s1, s2, s3, z0, z1, z2, z3) \
	LOAD4(s0, s1, s2, s3)     \
	BLKSHIFT4(z0, z1, z2, z3) \
	BLKROUND4                 \
	PACK

#define BLKABS1(LOAD1) \
	LOAD1     \
	BLKROUND1 \
	VPMAXSB X13, X0, X0

#define BLKZP1(LOAD1) \
	LOAD1              \
	VADDPS Y8, Y0, Y0  \
	BLKROUND1

#define BLKABSPARAMS1 \
	VBROADCASTSS (R11), Y4

#define BLKZPPARAMS1 \
	VBROADCASTSS (R11), Y4 \
	VBROADCASTSS (R12), Y8

#define BLKABSPARAMS2 \
	VBROADCASTSS (R11), Y4 \
	VBROADCASTSS 4(R11), Y5

#define BLKZPPARAMS2 \
	VBROADCASTSS (R11), Y4  \
	VBROADCASTSS 4(R11), Y5 \
	VBROADCASTSS (R12), Y8  \
	VBROADCASTSS 4(R12), Y9

#define BLKABSNEXT(n) \
	ADDQ $n, R11

#define BLKZPNEXT(n) \
	ADDQ $n, R11 \
	ADDQ $n, R12

// BY8 runs Q4 on four blocks of 8, with PARAMS8 broadcasting their
// parameters: one block per vector for LOAD4s in element order (BLKBY8,
// with BLKABSPARAMS8 or BLKZPPARAMS8), two blocks per vector, half each,
// for BLKLOADBF16 (BLKBY8PAIRS, with BLKABSPAIRS8 or BLKZPPAIRS8).
#define BLKBY8(Q4, LOAD4, PACK) \
	Q4(LOAD4, PACK, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11)

#define BLKBY8PAIRS(Q4, LOAD4, PACK) \
	Q4(LOAD4, PACK, Y4, Y4, Y5, Y5, Y8, Y8, Y9, Y9)

#define BLKABSPARAMS8 BLKSCALES8

#define BLKZPPARAMS8 \
	BLKSCALES8 \
	BLKZEROS8

#define BLKABSPAIRS8 \
	BLKPAIRS8(R11, Y4, Y5, X6)

#define BLKZPPAIRS8 \
	BLKPAIRS8(R11, Y4, Y5, X6) \
	BLKPAIRS8(R12, Y8, Y9, X7)

// QUANTIZEBLOCKS is the body of the six blockwise quantizers, after their
// constants (BLKCONSTS) and arguments are in place: the method's hooks
// Q4, Q1, PARAMS1, PARAMS2, PARAMS8 and NEXT, BY8 for the lane order of
// the source, the source's LOAD4, LOAD1 and PACK, and its bytes per 32
// values (src32) and per 8 (src8). Blocks of 8, 16 and 32 take the steps
// by8, by16 and by32 of 32 values; other sizes, and the blocks a step of
// 4 or 2 leaves, go one at a time (blocks) in steps of 32 values (vec32),
// then of 8 (vec8).
#define QUANTIZEBLOCKS(Q4, Q1, PARAMS1, PARAMS2, PARAMS8, NEXT, BY8, LOAD4, LOAD1, PACK, src32, src8) \
	BLKDISPATCH                                         \
	                                                    \
	PCALIGN $32 \
by8:                                                    \
	CMPQ DX, $4                                         \
	JB   blocks                                         \
	PARAMS8                                             \
	BY8(Q4, LOAD4, PACK)                                \
	VMOVDQU Y0, (DI)                                    \
	BLKSTEP(src32)                                      \
	NEXT(16)                                            \
	SUBQ    $4, DX                                      \
	JMP     by8                                         \
	                                                    \
	PCALIGN $32 \
by16:                                                   \
	CMPQ DX, $2                                         \
	JB   blocks                                         \
	PARAMS2                                             \
	Q4(LOAD4, PACK, Y4, Y4, Y5, Y5, Y8, Y8, Y9, Y9)     \
	VMOVDQU Y0, (DI)                                    \
	BLKSTEP(src32)                                      \
	NEXT(8)                                             \
	SUBQ    $2, DX                                      \
	JMP     by16                                        \
	                                                    \
	PCALIGN $32 \
by32:                                                   \
	TESTQ DX, DX                                        \
	JZ    done                                          \
	PARAMS1                                             \
	Q4(LOAD4, PACK, Y4, Y4, Y4, Y4, Y8, Y8, Y8, Y8)     \
	VMOVDQU Y0, (DI)                                    \
	BLKSTEP(src32)                                      \
	NEXT(4)                                             \
	DECQ    DX                                          \
	JMP     by32                                        \
	                                                    \
	PCALIGN $32 \
blocks:                                                 \
	TESTQ DX, DX                                        \
	JZ    done                                          \
	PARAMS1                                             \
	MOVQ  R8, BX                                        \
	CMPQ  BX, $32                                       \
	JB    vec8                                          \
	                                                    \
vec32:                                                  \
	Q4(LOAD4, PACK, Y4, Y4, Y4, Y4, Y8, Y8, Y8, Y8)     \
	VMOVDQU Y0, (DI)                                    \
	BLKSTEP(src32)                                      \
	SUBQ    $32, BX                                     \
	CMPQ    BX, $32                                     \
	JAE     vec32                                       \
	TESTQ   BX, BX                                      \
	JZ      next                                        \
	                                                    \
vec8:                                                   \
	Q1(LOAD1)                                           \
	VMOVQ X0, (DI)                                      \
	ADDQ  $src8, SI                                     \
	ADDQ  $8, DI                                        \
	SUBQ  $8, BX                                        \
	JNZ   vec8                                          \
	                                                    \
next:                                                   \
	NEXT(4)                                             \
	DECQ DX                                             \
	JMP  blocks                                         \
	                                                    \
done:                                                   \
	VZEROUPPER                                          \
	RET

// The wrappers load their constants first (BROADCAST32 uses R8), then
// their arguments into the registers above.

// func quantizeAbsmaxBlocksAVX2(dst []int8, src []float32, scales []float32, block int)
//
// Registers:
//	as above, without R12  Y0-Y3   values, int32, then bytes in Y0
//	                       Y4-Y7   scales of 1, 2 or 4 blocks
//	                       Y12     packOrder
//	                       Y13     int8 -127
//	                       Y14     127.0
//	                       Y15     0xFFFF0000 (loaded, unused)
TEXT ·quantizeAbsmaxBlocksAVX2(SB), NOSPLIT, $0-80
	BLKCONSTS
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ scales_base+48(FP), R11
	MOVQ scales_len+56(FP), DX
	MOVQ block+72(FP), R8
	QUANTIZEBLOCKS(BLKABS4, BLKABS1, BLKABSPARAMS1, BLKABSPARAMS2, BLKABSPARAMS8, BLKABSNEXT, BLKBY8, BLKLOADF32, BLKLOAD1F32, PACK4, 128, 32)

// func quantizeZeroPointBlocksAVX2(dst []int8, src []float32, scales, zeros []float32, block int)
//
// Registers:
//	as above  Y0-Y3   values, int32, then bytes in Y0
//	          Y4-Y7   scales of 1, 2 or 4 blocks
//	          Y8-Y11  zeros of 1, 2 or 4 blocks
//	          Y12     packOrder
//	          Y13     int8 -127 (loaded, unused)
//	          Y14     127.0
//	          Y15     0xFFFF0000 (loaded, unused)
TEXT ·quantizeZeroPointBlocksAVX2(SB), NOSPLIT, $0-104
	BLKCONSTS
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ scales_base+48(FP), R11
	MOVQ scales_len+56(FP), DX
	MOVQ zeros_base+72(FP), R12
	MOVQ block+96(FP), R8
	QUANTIZEBLOCKS(BLKZP4, BLKZP1, BLKZPPARAMS1, BLKZPPARAMS2, BLKZPPARAMS8, BLKZPNEXT, BLKBY8, BLKLOADF32, BLKLOAD1F32, PACK4, 128, 32)

// func quantizeAbsmaxFloat16BlocksAVX2(dst []int8, src []uint16, scales []float32, block int)
//
// Registers:
//	as above, without R12  Y0-Y3   values, int32, then bytes in Y0
//	                       Y4-Y7   scales of 1, 2 or 4 blocks
//	                       Y12     packOrder
//	                       Y13     int8 -127
//	                       Y14     127.0
//	                       Y15     0xFFFF0000 (loaded, unused)
TEXT ·quantizeAbsmaxFloat16BlocksAVX2(SB), NOSPLIT, $0-80
	BLKCONSTS
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ scales_base+48(FP), R11
	MOVQ scales_len+56(FP), DX
	MOVQ block+72(FP), R8
	QUANTIZEBLOCKS(BLKABS4, BLKABS1, BLKABSPARAMS1, BLKABSPARAMS2, BLKABSPARAMS8, BLKABSNEXT, BLKBY8, BLKLOADF16, BLKLOAD1F16, PACK4, 64, 16)

// func quantizeAbsmaxBFloat16BlocksAVX2(dst []int8, src []uint16, scales []float32, block int)
//
// Registers:
//	as above, without R12  Y0-Y3   values (BF16SPLIT's order),
//	                               int32, then bytes in Y0
//	                       Y4-Y5   scales of 1 or 2 blocks; by8:
//	                               two blocks each (BLKPAIRS8)
//	                       Y6      scratch (BLKPAIRS8)
//	                       Y12     packOrder (loaded, unused)
//	                       Y13     int8 -127
//	                       Y14     127.0
//	                       Y15     0xFFFF0000 (BF16SPLIT)
TEXT ·quantizeAbsmaxBFloat16BlocksAVX2(SB), NOSPLIT, $0-80
	BLKCONSTS
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ scales_base+48(FP), R11
	MOVQ scales_len+56(FP), DX
	MOVQ block+72(FP), R8
	QUANTIZEBLOCKS(BLKABS4, BLKABS1, BLKABSPARAMS1, BLKABSPARAMS2, BLKABSPAIRS8, BLKABSNEXT, BLKBY8PAIRS, BLKLOADBF16, BLKLOAD1BF16, BF16PACK, 64, 16)

// func quantizeZeroPointFloat16BlocksAVX2(dst []int8, src []uint16, scales, zeros []float32, block int)
//
// Registers:
//	as above  Y0-Y3   values, int32, then bytes in Y0
//	          Y4-Y7   scales of 1, 2 or 4 blocks
//	          Y8-Y11  zeros of 1, 2 or 4 blocks
//	          Y12     packOrder
//	          Y13     int8 -127 (loaded, unused)
//	          Y14     127.0
//	          Y15     0xFFFF0000 (loaded, unused)
TEXT ·quantizeZeroPointFloat16BlocksAVX2(SB), NOSPLIT, $0-104
	BLKCONSTS
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ scales_base+48(FP), R11
	MOVQ scales_len+56(FP), DX
	MOVQ zeros_base+72(FP), R12
	MOVQ block+96(FP), R8
	QUANTIZEBLOCKS(BLKZP4, BLKZP1, BLKZPPARAMS1, BLKZPPARAMS2, BLKZPPARAMS8, BLKZPNEXT, BLKBY8, BLKLOADF16, BLKLOAD1F16, PACK4, 64, 16)

// func quantizeZeroPointBFloat16BlocksAVX2(dst []int8, src []uint16, scales, zeros []float32, block int)
//
// Registers:
//	as above  Y0-Y3   values (BF16SPLIT's order),
//	                  int32, then bytes in Y0
//	          Y4-Y5   scales of 1 or 2 blocks; by8:
//	                  two blocks each (BLKPAIRS8)
//	          Y6-Y7   scratch (BLKPAIRS8)
//	          Y8-Y9   zeros, as the scales
//	          Y12     packOrder (loaded, unused)
//	          Y13     int8 -127 (loaded, unused)
//	          Y14     127.0
//	          Y15     0xFFFF0000 (BF16SPLIT)
TEXT ·quantizeZeroPointBFloat16BlocksAVX2(SB), NOSPLIT, $0-104
	BLKCONSTS
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ scales_base+48(FP), R11
	MOVQ scales_len+56(FP), DX
	MOVQ zeros_base+72(FP), R12
	MOVQ block+96(FP), R8
	QUANTIZEBLOCKS(BLKZP4, BLKZP1, BLKZPPARAMS1, BLKZPPARAMS2, BLKZPPAIRS8, BLKZPNEXT, BLKBY8PAIRS, BLKLOADBF16, BLKLOAD1BF16, BF16PACK, 64, 16)

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
//
// Registers:
//	SI  walks lo      X0      min keys, then bits
//	DI  walks scales  X1      max keys, then bits
//	CX  blocks left   Y2      scratch, then float64(min)
//	DX  walks hi      Y3      max-min, then 255/(max-min);
//	R8  scratch               X3 the scales
//	R9  walks zeros   X4      mask of min == max
//	                  Y5      s*min, then z; X5 zero points
//	                  Y14     -128.0 (float64)
//	                  Y15     255.0 (float64)
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
