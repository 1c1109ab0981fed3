// Macros shared by the AVX2 kernel files (*_amd64.s); each family's own
// macros stay in its file. Like every macro here, they name registers,
// never arguments: vet's asmdecl checks names against the frame of the
// TEXT that precedes a macro's definition.

// The prefetch tuning (see "Prefetching" in kernels_amd64.s): two lengths
// in values, which dispatch sets for the CPU at start-up (avx2Prefetch in
// kernels_amd64.go). From NEARFROM values on, the main loops issue their
// hints; from FARFROM on, the float32 reductions take their far loop.
#define NEARFROM ·avx2Prefetch+0(SB)
#define FARFROM ·avx2Prefetch+8(SB)

// HINTGATE sets R13 for HINTS from the n values (a register) a loop is
// about to walk: all ones (hints off) below NEARFROM, else 0. SBB of a
// register with itself copies the borrow of the compare into every bit.
#define HINTGATE(n) \
	CMPQ n, NEARFROM \
	SBBQ R13, R13

// HINTS issues the prefetches of HINT unless HINTGATE turned them off:
// one fused test-and-branch per step, which jumps to skip (a label of the
// caller's, unique in its function) over them. Every software prefetch of
// the streaming kernels sits behind one (TestPrefetchesAreTuned).
#define HINTS(HINT, skip) \
	TESTQ R13, R13 \
	JNZ   skip     \
	HINT           \
skip:

// BROADCAST32 fills every dword of Y with the 32-bit constant c, through
// R8.
#define BROADCAST32(c, X, Y) \
	MOVL         c, R8  \
	VMOVD        R8, X  \
	VPBROADCASTD X, Y

// TAILMASK loads into Y the VPMASKMOVD mask of the CX-AX (1..7) elements
// left. DX and R8 are scratch.
#define TAILMASK(Y) \
	MOVQ    AX, DX                \
	SUBQ    CX, DX                \
	LEAQ    ·tailMask+32(SB), R8  \
	VMOVDQU (R8)(DX*4), Y

// STORE16TAIL stores the first CX-AX (1..7) words of X0 at DI+2*AX:
// four, two, then one, shifting X0 down after each piece. It jumps to done
// when no single word is left, else falls through after storing it. DX
// holds the count and R9 the address.
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

// STORE8TAIL stores the first CX-AX (1..7) bytes of X0 at DI+AX: four,
// two, then one. It jumps to done when no single byte is left, else falls
// through after storing it. DX holds the count and R9 the address.
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
// pieces end up in order. DX holds the count and R9 the address; R10 is
// scratch.
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

// MINMAX3 folds the raw bits in v into the signed max (smax), signed min
// (smin) and unsigned max (umax) accumulators.
#define MINMAX3(v, smax, smin, umax) \
	VPMAXSD v, smax, smax \
	VPMINSD v, smin, smin \
	VPMAXUD v, umax, umax

// MINMAX3START sets both sets of MINMAX3 accumulators (Y0..Y2, Y3..Y5)
// and Y15 to src[0] (at SI) in every lane: a start that any element
// (and a masked-off lane filled from Y15) leaves correct.
#define MINMAX3START \
	VPBROADCASTD (SI), Y0 \
	VMOVDQA      Y0, Y1   \
	VMOVDQA      Y0, Y2   \
	VMOVDQA      Y0, Y3   \
	VMOVDQA      Y0, Y4   \
	VMOVDQA      Y0, Y5   \
	VMOVDQA      Y0, Y15

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

// The float32 reductions, shared by absMaxBitsAVX2 and minMaxKeysAVX2 and
// by the fused quantizers, which walk src with a pointer instead of an
// index: at is the address of the values, (SI)(AX*4) or (R10).

// ABSMAX32 folds the 32 values at at into the accumulators Y0..Y3; Y15 is
// the magnitude mask, Y4..Y7 are scratch. ABSMAX8 folds 8 into Y0.
#define ABSMAX32(at) \
	VPAND   at, Y15, Y4    \
	VPAND   32 at, Y15, Y5 \
	VPAND   64 at, Y15, Y6 \
	VPAND   96 at, Y15, Y7 \
	VPMAXUD Y4, Y0, Y0     \
	VPMAXUD Y5, Y1, Y1     \
	VPMAXUD Y6, Y2, Y2     \
	VPMAXUD Y7, Y3, Y3

#define ABSMAX8(at) \
	VPAND   at, Y15, Y4 \
	VPMAXUD Y4, Y0, Y0

// ABSMAXREDUCE folds Y0..Y3 into the max, left in X0 and AX; X1 is
// scratch.
#define ABSMAXREDUCE \
	VPMAXUD      Y1, Y0, Y0    \
	VPMAXUD      Y3, Y2, Y2    \
	VPMAXUD      Y2, Y0, Y0    \
	VEXTRACTI128 $1, Y0, X1    \
	VPMAXUD      X1, X0, X0    \
	VPSHUFD      $0x4E, X0, X1 \
	VPMAXUD      X1, X0, X0    \
	VPSHUFD      $0xB1, X0, X1 \
	VPMAXUD      X1, X0, X0    \
	VMOVD        X0, AX

// MINMAX32 folds the 32 values at at into both sets of MINMAX3
// accumulators; Y6..Y9 are scratch. MINMAX8 folds 8 into the first set.
#define MINMAX32(at) \
	VMOVDQU at, Y6          \
	VMOVDQU 32 at, Y7       \
	VMOVDQU 64 at, Y8       \
	VMOVDQU 96 at, Y9       \
	MINMAX3(Y6, Y0, Y1, Y2) \
	MINMAX3(Y7, Y3, Y4, Y5) \
	MINMAX3(Y8, Y0, Y1, Y2) \
	MINMAX3(Y9, Y3, Y4, Y5)

#define MINMAX8(at) \
	VMOVDQU at, Y6 \
	MINMAX3(Y6, Y0, Y1, Y2)

// ABSMAXTAIL and MINMAXTAIL fold the values at SI+4*AX under the mask in
// Y8 (TAILMASK) into the second accumulator (set): masked-off lanes load
// as 0, which never raises a max; for the keys they take src[0] (Y15).
#define ABSMAXTAIL \
	VPMASKMOVD (SI)(AX*4), Y8, Y4 \
	VPAND      Y4, Y15, Y4        \
	VPMAXUD    Y4, Y1, Y1

#define MINMAXTAIL \
	VPMASKMOVD (SI)(AX*4), Y8, Y6 \
	VPBLENDVB  Y8, Y6, Y15, Y6    \
	MINMAX3(Y6, Y3, Y4, Y5)

// MAXWORDS8 leaves in the low word of x the unsigned max of its 8 words
// (t is scratch).
#define MAXWORDS8(x, t) \
	VPSHUFD $0x4E, x, t \
	VPMAXUW t, x, x     \
	VPSHUFD $0xB1, x, t \
	VPMAXUW t, x, x     \
	VPSRLD  $16, x, t   \
	VPMAXUW t, x, x

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

// PACK4 packs the int32 lanes of Y0..Y3, in order, into the 32 bytes of Y0
// with signed saturation. The packs work within 128-bit lanes; VPERMD by
// ·packOrder (in Y12) puts the dwords back in element order.
#define PACK4 \
	VPACKSSDW Y1, Y0, Y0 \
	VPACKSSDW Y3, Y2, Y2 \
	VPACKSSWB Y2, Y0, Y0 \
	VPERMD    Y0, Y12, Y0

// NOTHING stands for a hook a kernel does not need.
#define NOTHING

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
	VPSHUFB   ·evenOdd(SB), Y0, Y0  \
	VPERMQ    $0xD8, Y0, Y0

// VEC8 starts the loop of single vectors: BX becomes the length rounded
// down to 8, and it jumps to tail if none is left.
#define VEC8 \
	MOVQ CX, BX \
	ANDQ $-8, BX \
	CMPQ AX, BX \
	JAE  tail

// ELEMENTWISE is the loop of every kernel that maps a slice element by
// element, from element AX (0, or where a fast path stopped) to CX: 32
// per step (STEP32; AFTER32 follows the loop, for out-of-line code the
// step jumps to, or is NOTHING), then 8 (STEP8), then the last 1..7
// (TAIL). The steps index with AX; BX holds the loop's end. It ends the
// expanding function, whose labels loop32, vec8, loop8, tail and done it
// defines (a fast path may jump to tail, TAIL to done). ELEMENTWISELOOP
// is the same without the return, for a kernel with results to store.
#define ELEMENTWISE(STEP32, AFTER32, STEP8, TAIL) \
	ELEMENTWISELOOP(STEP32, AFTER32, STEP8, TAIL) \
	VZEROUPPER \
	RET

#define ELEMENTWISELOOP(STEP32, AFTER32, STEP8, TAIL) \
	MOVQ CX, BX   \
	ANDQ $-32, BX \
	JZ   vec8     \
	              \
	PCALIGN $32 \
loop32:           \
	STEP32        \
	ADDQ $32, AX  \
	CMPQ AX, BX   \
	JB   loop32   \
	AFTER32       \
	              \
vec8:             \
	VEC8          \
	              \
loop8:            \
	STEP8         \
	ADDQ $8, AX   \
	CMPQ AX, BX   \
	JB   loop8    \
	              \
tail:             \
	CMPQ AX, CX   \
	JAE  done     \
	TAIL          \
	              \
done:

// TREE32 reduces the dwords of Y0..Y7 into Y0 with op (a dword max or
// min, integer or float), whose lane b becomes op over Yb: interleaving
// dwords, then qwords, then 128-bit lanes of pairs of vectors halves the
// partial results of each vector at every step. Y8 and Y9 are scratch.
// MAXTREE32 is the unsigned max.
#define TREE32(op) \
	VPUNPCKLDQ  Y1, Y0, Y8       \
	VPUNPCKHDQ  Y1, Y0, Y9       \
	op          Y9, Y8, Y0       \
	VPUNPCKLDQ  Y3, Y2, Y8       \
	VPUNPCKHDQ  Y3, Y2, Y9       \
	op          Y9, Y8, Y2       \
	VPUNPCKLDQ  Y5, Y4, Y8       \
	VPUNPCKHDQ  Y5, Y4, Y9       \
	op          Y9, Y8, Y4       \
	VPUNPCKLDQ  Y7, Y6, Y8       \
	VPUNPCKHDQ  Y7, Y6, Y9       \
	op          Y9, Y8, Y6       \
	VPUNPCKLQDQ Y2, Y0, Y8       \
	VPUNPCKHQDQ Y2, Y0, Y9       \
	op          Y9, Y8, Y0       \
	VPUNPCKLQDQ Y6, Y4, Y8       \
	VPUNPCKHQDQ Y6, Y4, Y9       \
	op          Y9, Y8, Y4       \
	VPERM2I128  $0x20, Y4, Y0, Y8 \
	VPERM2I128  $0x31, Y4, Y0, Y9 \
	op          Y9, Y8, Y0

#define MAXTREE32 TREE32(VPMAXUD)

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
