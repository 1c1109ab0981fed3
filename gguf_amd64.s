//go:build !purego && !noasm

#include "textflag.h"
#include "kernels_amd64.h"

// llama.cpp's GGUF blocks of 32 values, Q8_0, Q4_0 and Q4_1: encode from
// and decode to float32, binary16 and bfloat16.
// kernels_amd64.s describes what every file shares.
//
//   encodeQ8_0AVX2         decodeQ8_0AVX2
//   encodeQ8_0Float16AVX2  decodeQ8_0Float16AVX2
//   encodeQ8_0BFloat16AVX2 decodeQ8_0BFloat16AVX2
//   encodeQ4_0AVX2         decodeQ4_0AVX2
//   encodeQ4_0Float16AVX2  decodeQ4_0Float16AVX2
//   encodeQ4_0BFloat16AVX2 decodeQ4_0BFloat16AVX2
//   encodeQ4_1AVX2         decodeQ4_1AVX2
//   encodeQ4_1Float16AVX2  decodeQ4_1Float16AVX2
//   encodeQ4_1BFloat16AVX2 decodeQ4_1BFloat16AVX2

// The encoders (GGUFENCODE) take up to 8 blocks (a group) at a time. Pass
// one gathers each block's reduction (Q8_0 and Q4_0: max |x|; Q4_1: min
// and max) of a group into one lane of Y0, so that the divisions and the
// binary16 round trips run once per group rather than once per block, and
// leaves each block's parameters in a 32-byte aligned slot on the stack:
// id (1/d, or 0 if d is 0) at 0, d (binary16) at 32, and for Q4 m
// (binary16) at 48 and a dword or word per block at 64 (Q4_0: max |x|'s
// bits; Q4_1: FromFloat16(m)). Pass two quantizes each block with its id,
// which VBROADCASTSS loads from the slot. The passes are
// software-pipelined: pass one of a group runs before pass two of the
// group before it, with two slots taking turns, so that the long
// dependency chain of the scales overlaps the independent work of pass
// two. The products never reach 2^31 (Q8_0: |x*id| <= 1.5*127, the worst
// when d rounds down to the smallest subnormal; Q4_0: 12; Q4_1: below
// 2^29, m's rounding error over the smallest d), so the packs saturate
// only what the clamps would.
//
// Registers: R9 and CX walk src and count the blocks left for pass one,
// DX counts the blocks of the group it just did and R12 points at its
// slot; SI, DI walk src and dst for pass two, R10 counts the blocks of
// its group, R11 points at their slot and BX indexes them.

// GGUFCONSTS loads the constants of the encoders: Y10 the divisor of the
// reduction (127, 8 or 15, as float32), Y11 1.0, Y12 packOrder, Y13 the
// byte the clamp needs (Q8_0: int8 -127; Q4: 15).
#define GGUFCONSTS(div, clamp) \
	BROADCAST32(div, X10, Y10)         \
	BROADCAST32($0x3F800000, X11, Y11) \
	VMOVDQU ·packOrder(SB), Y12        \
	BROADCAST32(clamp, X13, Y13)

// Q8START points R12 at the second of the two slots of slotBytes that
// start at R11, and starts the pipeline: pass one at src (R9), pass two
// with no blocks (R10).
#define Q8START(slotBytes) \
	LEAQ slotBytes(R11), R12 \
	MOVQ SI, R9              \
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

// Q8SCALES turns the float32 reductions in the lanes of Y0 into d
// (binary16, stored at 32(R12)) and id (float32, stored at R12): d =
// RNE(Y0/Y10) with a true division, id = 1/float32(d) with another, masked
// to 0 where d is 0 (the division gives Inf there). Y0..Y3 are
// overwritten.
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

// Q8ADVANCE moves pass one past its group of DX blocks of blockBytes; R8
// is scratch.
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
	PACK4 \
	Q8PUT

// Q8PUT clamps the 32 quants in Y0 to [-127, 127] and stores block BX at
// DI: d from the slot (through R8), then the quants.
#define Q8PUT \
	VPMAXSB Y13, Y0, Y0            \
	MOVWLZX 32(R11)(BX*2), R8      \
	MOVW    R8, (DI)               \
	VMOVDQU Y0, 2(DI)

// Q8NEXT moves pass two to its next block (srcBytes of src, dstBytes of
// dst), jumping back to blocks while its group has one; after the group
// it hands the slot of pass one's group over to it and jumps to group if
// that group holds any block, else falls through.
#define Q8NEXT(srcBytes, dstBytes) \
	ADDQ  $srcBytes, SI   \
	ADDQ  $dstBytes, DI   \
	INCQ  BX              \
	CMPQ  BX, R10         \
	JB    blocks          \
swap:                     \
	XCHGQ R11, R12        \
	MOVQ  DX, R10         \
	TESTQ R10, R10        \
	JNZ   group

// EIGHTBLOCKS runs BLOCK(off, Yb) on the DX (1..8) blocks of size bytes
// at R9, block b at off = b*size, then jumps to (or falls through to) end,
// which it defines.
#define EIGHTBLOCKS(BLOCK, size, end) \
	BLOCK(0, Y0)        \
	CMPQ DX, $1         \
	JE   end            \
	BLOCK(size, Y1)     \
	CMPQ DX, $2         \
	JE   end            \
	BLOCK(2*size, Y2)   \
	CMPQ DX, $3         \
	JE   end            \
	BLOCK(3*size, Y3)   \
	CMPQ DX, $4         \
	JE   end            \
	BLOCK(4*size, Y4)   \
	CMPQ DX, $5         \
	JE   end            \
	BLOCK(5*size, Y5)   \
	CMPQ DX, $6         \
	JE   end            \
	BLOCK(6*size, Y6)   \
	CMPQ DX, $7         \
	JE   end            \
	BLOCK(7*size, Y7)   \
end:

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

// BLOCKMAX16 leaves in m the word max of bits&0x7FFF over the 32 16-bit
// values at off(R9): binary16 and bfloat16 order like their bits, so this
// is the bits of the block's max|x|, widened once per group. Y14 holds
// 0x7FFF in every word; Y8 is scratch.
#define BLOCKMAX16(off, m) \
	VPAND   off(R9), Y14, m     \
	VPAND   off+32(R9), Y14, Y8 \
	VPMAXUW Y8, m, m

// Q8BLOCKS32 and Q8BLOCKS16 run pass one over the DX blocks at R9 of
// float32 and of 16-bit values, leaving the maxima in the lanes of Y0
// (dwords) and X0 (words).
#define Q8BLOCKS32 \
	EIGHTBLOCKS(BLOCKMAX32, 128, tree) \
	MAXTREE32

#define Q8BLOCKS16 \
	EIGHTBLOCKS(BLOCKMAX16, 64, tree) \
	MAXTREE16

// The hooks of GGUFENCODE for each source format. Q8LOAD* leave in Y0..Y3
// the 32 values at SI times the block's id (Y15): in element order, or in
// BF16SPLIT's (Y12 holds 0xFFFF0000 there), which Q8STOREBF16 packs back.
// LOAD4* load them unscaled. Q8WIDEN* turn the 16-bit maxima in X0
// (Q8BLOCKS16) into float32.
#define Q8LOADF32 \
	VMULPS (SI), Y15, Y0   \
	VMULPS 32(SI), Y15, Y1 \
	VMULPS 64(SI), Y15, Y2 \
	VMULPS 96(SI), Y15, Y3

#define Q8SCALE4 \
	VMULPS Y15, Y0, Y0 \
	VMULPS Y15, Y1, Y1 \
	VMULPS Y15, Y2, Y2 \
	VMULPS Y15, Y3, Y3

#define LOAD4F32 \
	VMOVUPS (SI), Y0   \
	VMOVUPS 32(SI), Y1 \
	VMOVUPS 64(SI), Y2 \
	VMOVUPS 96(SI), Y3

#define LOAD4F16 \
	VCVTPH2PS (SI), Y0   \
	VCVTPH2PS 16(SI), Y1 \
	VCVTPH2PS 32(SI), Y2 \
	VCVTPH2PS 48(SI), Y3

#define LOAD4BF16 \
	BF16SPLIT((SI), Y0, Y1, Y12) \
	BF16SPLIT(32(SI), Y2, Y3, Y12)

#define Q8LOADF16 \
	LOAD4F16 \
	Q8SCALE4

#define Q8LOADBF16 \
	LOAD4BF16 \
	Q8SCALE4

#define Q8STOREBF16 \
	BF16PACK \
	Q8PUT

#define Q8WIDENF16 \
	VCVTPH2PS X0, Y0

#define Q8WIDENBF16 \
	WIDENBF16(X0, Y0)

// GGUFENCODE is the body of the encoders, after their constants and
// arguments are in place (CX the block count, not zero): the two slots of
// slotBytes on the stack, then pass one (BLOCKS reduces the group's
// blocks, WIDEN makes the result float32, SCALES stores the parameters)
// and pass two (LOAD, Q8ROUND, STORE) over srcBytes of src and dstBytes of
// dst per block. It defines the labels group, pass2, blocks and done.
#define GGUFENCODE(BLOCKS, WIDEN, SCALES, LOAD, STORE, srcBytes, dstBytes, slotBytes) \
	LEAQ 31(SP), R11                 \
	ANDQ $-32, R11                   \
	Q8START(slotBytes)               \
	                                 \
group:                               \
	Q8GROUP                          \
	BLOCKS                           \
	WIDEN                            \
	SCALES                           \
	Q8ADVANCE(srcBytes)              \
	                                 \
pass2:                               \
	XORQ  BX, BX                     \
	TESTQ R10, R10                   \
	JZ    swap                       \
	                                 \
blocks:                              \
	VBROADCASTSS (R11)(BX*4), Y15    \
	LOAD                             \
	Q8ROUND                          \
	STORE                            \
	Q8NEXT(srcBytes, dstBytes)       \
	                                 \
done:                                \
	VZEROUPPER                       \
	RET

// The Q8_0 encoders: two slots of 64 bytes, at most 24 bytes of the frame
// below the first for the alignment.
#define Q8ENCODE(BLOCKS, WIDEN, LOAD, STORE, srcBytes) \
	GGUFENCODE(BLOCKS, WIDEN, Q8SCALES, LOAD, STORE, srcBytes, 34, 64)

// func encodeQ8_0AVX2(dst []byte, src []float32)
//
// Registers:
//	R8  scratch          Y0-Y7   block maxima (pass one)
//	the others as above  Y0-Y3   a/127, d in X1, id in Y3 (Q8SCALES)
//	                     Y0-Y3   values, then int32 (pass two)
//	                     Y8-Y9   scratch (BLOCKMAX32, MAXTREE32)
//	                     Y10     127.0
//	                     Y11     1.0
//	                     Y12     packOrder
//	                     Y13     int8 -127
//	                     Y14     0x7FFFFFFF
//	                     Y15     the block's id
TEXT ·encodeQ8_0AVX2(SB), NOSPLIT, $152-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $5, CX // blocks
	JZ   done
	GGUFCONSTS($0x42FE0000, $0x81818181)
	BROADCAST32($0x7FFFFFFF, X14, Y14)
	Q8ENCODE(Q8BLOCKS32, NOTHING, Q8LOADF32, Q8STORE, 128)

// func encodeQ8_0Float16AVX2(dst []byte, src []uint16)
//
// Registers:
//	R8  scratch          Y0-Y7   block maxima, words (pass one)
//	the others as above  Y0-Y3   a/127, d in X1, id in Y3 (Q8SCALES)
//	                     Y0-Y3   values, then int32 (pass two)
//	                     Y8-Y9   scratch (BLOCKMAX16, MAXTREE16)
//	                     Y10     127.0
//	                     Y11     1.0
//	                     Y12     packOrder
//	                     Y13     int8 -127
//	                     Y14     0x7FFF per word
//	                     Y15     the block's id
TEXT ·encodeQ8_0Float16AVX2(SB), NOSPLIT, $152-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $5, CX // blocks
	JZ   done
	GGUFCONSTS($0x42FE0000, $0x81818181)
	BROADCAST32($0x7FFF7FFF, X14, Y14)
	Q8ENCODE(Q8BLOCKS16, Q8WIDENF16, Q8LOADF16, Q8STORE, 64)

// func encodeQ8_0BFloat16AVX2(dst []byte, src []uint16)
//
// Registers:
//	R8  scratch          Y0-Y7   block maxima, words (pass one)
//	the others as above  Y0-Y3   a/127, d in X1, id in Y3 (Q8SCALES)
//	                     Y0-Y3   values (BF16SPLIT's order),
//	                             then int32 (pass two)
//	                     Y8-Y9   scratch (BLOCKMAX16, MAXTREE16)
//	                     Y10     127.0
//	                     Y11     1.0
//	                     Y12     0xFFFF0000 (BF16SPLIT)
//	                     Y13     int8 -127
//	                     Y14     0x7FFF per word
//	                     Y15     the block's id
TEXT ·encodeQ8_0BFloat16AVX2(SB), NOSPLIT, $152-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $5, CX // blocks
	JZ   done
	GGUFCONSTS($0x42FE0000, $0x81818181)
	BROADCAST32($0x7FFF7FFF, X14, Y14)
	BROADCAST32($0xFFFF0000, X12, Y12) // for BF16SPLIT, instead of packOrder
	Q8ENCODE(Q8BLOCKS16, Q8WIDENBF16, Q8LOADBF16, Q8STOREBF16, 64)

// The Q4 encoders use GGUFENCODE with slots of 96 bytes (two of them and
// 24 bytes of alignment: a frame of 216), Y13 holding 15 in every byte.
// Their quants leave pass two's rounding as int32 in Y0..Y3 (x*id for
// Q4_0, (x - FromFloat16(m))*id for Q4_1), which PACK4 or BF16PACK pack to
// 32 saturated int8 in element order.
//
// Q4_0 takes e, the first value of largest magnitude a, with its sign:
// d = ToFloat16(e / -8) and 1/FromFloat16(d) are ToFloat16(a/8) and its
// reciprocal, which Q8SCALES computes with Y10 = 8, with the sign of -e
// (RNE and division are symmetric), or negative for e = +0, which is the
// only zero e (an all-zero block). Pass one stores a's bits (Q4_0BLOCKS*);
// pass two finds the first element whose magnitude has them and takes its
// sign (Q4SIGN*): one compare per vector, a byte mask and BSF.
//
// Q4_1 takes the min and max of each block in two sweeps of VMINPS and
// VMAXPS (Q4_1BLOCKS), whose results are exact except for the sign of a
// zero: max - min + 0 is +0 when max = min, as llama.cpp's difference of
// two equal values is, and a zero min, whose sign m keeps, takes the sign
// of the block's first zero (Q4_1SCALES, rarely: it scans the block).

// Q4SIGN leaves in R13 the sign of d as a dword (0x80000000 if negative,
// else 0) from the bits of e in R8, top the bits of -0 in its format: d is
// negative unless e is negative and not zero, that is for e <= top
// unsigned. It makes the block's id in Y15 d's sign. Y4 is scratch.
#define Q4SIGN(top) \
	XORL         R13, R13 \
	CMPL         R8, top  \
	SETLS        R13      \
	SHLL         $31, R13 \
	VMOVD        R13, X4  \
	VPBROADCASTD X4, Y4   \
	VPXOR        Y4, Y15, Y15

// Q4SIGN32 and Q4SIGN16 run Q4SIGN for the block at SI, of float32 (Y12
// holds packOrder, Y14 0x7FFFFFFF) or of 16-bit values (Y14 holds 0x7FFF
// per word), its max |x| bits at 64(R11) in a dword or a word. Y4..Y8 are
// scratch.
#define Q4SIGN32 \
	VPBROADCASTD 64(R11)(BX*4), Y4 \
	VPAND        (SI), Y14, Y5    \
	VPAND        32(SI), Y14, Y6  \
	VPAND        64(SI), Y14, Y7  \
	VPAND        96(SI), Y14, Y8  \
	VPCMPEQD     Y4, Y5, Y5       \
	VPCMPEQD     Y4, Y6, Y6       \
	VPCMPEQD     Y4, Y7, Y7       \
	VPCMPEQD     Y4, Y8, Y8       \
	VPACKSSDW    Y6, Y5, Y5       \
	VPACKSSDW    Y8, Y7, Y7       \
	VPACKSSWB    Y7, Y5, Y5       \
	VPERMD       Y5, Y12, Y5      \
	VPMOVMSKB    Y5, R8           \
	BSFL         R8, R8           \
	MOVL         (SI)(R8*4), R8   \
	Q4SIGN($0x80000000)

#define Q4SIGN16 \
	VPBROADCASTW 64(R11)(BX*2), Y4 \
	VPAND        (SI), Y14, Y5    \
	VPAND        32(SI), Y14, Y6  \
	VPCMPEQW     Y4, Y5, Y5       \
	VPCMPEQW     Y4, Y6, Y6       \
	VPMOVMSKB    Y5, R8           \
	VPMOVMSKB    Y6, R13          \
	SHLQ         $32, R13         \
	ORQ          R13, R8          \
	BSFQ         R8, R8           \
	MOVWLZX      (SI)(R8*1), R8   \
	Q4SIGN($0x8000)

// Q4NIBBLES clamps the 32 quants in Y0 to [0, 15] (Y13 holds 15 per
// byte) and stores them at off(DI) as 16 bytes, byte j holding quant j in
// its low nibble and quant j+16 in its high one. Y1 and Y4 are scratch.
#define Q4NIBBLES(off) \
	VPXOR        Y4, Y4, Y4  \
	VPMAXSB      Y4, Y0, Y0  \
	VPMINSB      Y13, Y0, Y0 \
	VEXTRACTI128 $1, Y0, X1  \
	VPSLLW       $4, X1, X1  \
	VPOR         X1, X0, X0  \
	VMOVDQU      X0, off(DI)

// Q4_0PUT stores block BX: d from the slot with the sign in R13 (through
// R8), then the quants in Y0 plus 8.
#define Q4_0PUT \
	VPADDB  ·eightBytes(SB), Y0, Y0 \
	Q4NIBBLES(2)                    \
	MOVWLZX 32(R11)(BX*2), R8       \
	SHRL    $16, R13                \
	ORL     R13, R8                 \
	MOVW    R8, (DI)

// Q4_1PUT stores block BX: d and m from the slot (through R8), then the
// quants in Y0.
#define Q4_1PUT \
	Q4NIBBLES(4)              \
	MOVWLZX 32(R11)(BX*2), R8 \
	MOVW    R8, (DI)          \
	MOVWLZX 48(R11)(BX*2), R8 \
	MOVW    R8, 2(DI)

// The hooks of the Q4_0 encoders: pass one stores the maxima (dwords or
// words) at 64(R12) besides the scales; pass two signs id, then loads.
#define Q4_0BLOCKS32 \
	Q8BLOCKS32 \
	VMOVDQU Y0, 64(R12)

#define Q4_0BLOCKS16 \
	Q8BLOCKS16 \
	VMOVDQU X0, 64(R12)

#define Q4_0LOADF32 \
	Q4SIGN32 \
	Q8LOADF32

#define Q4_0LOADF16 \
	Q4SIGN16 \
	Q8LOADF16

#define Q4_0LOADBF16 \
	Q4SIGN16 \
	Q8LOADBF16

#define Q4_0STORE \
	PACK4 \
	Q4_0PUT

#define Q4_0STOREBF16 \
	BF16PACK \
	Q4_0PUT

#define Q4_0ENCODE(BLOCKS, WIDEN, LOAD, STORE, srcBytes) \
	GGUFENCODE(BLOCKS, WIDEN, Q8SCALES, LOAD, STORE, srcBytes, 18, 96)

// func encodeQ4_0AVX2(dst []byte, src []float32)
//
// Registers:
//	R8  scratch, e's bits     Y0-Y7   block maxima (pass one)
//	R13 d's sign              Y0-Y3   a/8, d in X1, id in Y3 (Q8SCALES)
//	the others as above       Y0-Y3   values, then int32 (pass two)
//	                          Y4-Y8   scratch (Q4SIGN32, Q4NIBBLES)
//	                          Y8-Y9   scratch (BLOCKMAX32, MAXTREE32)
//	                          Y10     8.0
//	                          Y11     1.0
//	                          Y12     packOrder
//	                          Y13     15 per byte
//	                          Y14     0x7FFFFFFF
//	                          Y15     the block's id
TEXT ·encodeQ4_0AVX2(SB), NOSPLIT, $216-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $5, CX // blocks
	JZ   done
	GGUFCONSTS($0x41000000, $0x0F0F0F0F)
	BROADCAST32($0x7FFFFFFF, X14, Y14)
	Q4_0ENCODE(Q4_0BLOCKS32, NOTHING, Q4_0LOADF32, Q4_0STORE, 128)

// func encodeQ4_0Float16AVX2(dst []byte, src []uint16)
//
// Registers:
//	R8  scratch, e's bits     Y0-Y7   block maxima, words (pass one)
//	R13 scratch, d's sign     Y0-Y3   a/8, d in X1, id in Y3 (Q8SCALES)
//	the others as above       Y0-Y3   values, then int32 (pass two)
//	                          Y4-Y6   scratch (Q4SIGN16, Q4NIBBLES)
//	                          Y8-Y9   scratch (BLOCKMAX16, MAXTREE16)
//	                          Y10     8.0
//	                          Y11     1.0
//	                          Y12     packOrder
//	                          Y13     15 per byte
//	                          Y14     0x7FFF per word
//	                          Y15     the block's id
TEXT ·encodeQ4_0Float16AVX2(SB), NOSPLIT, $216-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $5, CX // blocks
	JZ   done
	GGUFCONSTS($0x41000000, $0x0F0F0F0F)
	BROADCAST32($0x7FFF7FFF, X14, Y14)
	Q4_0ENCODE(Q4_0BLOCKS16, Q8WIDENF16, Q4_0LOADF16, Q4_0STORE, 64)

// func encodeQ4_0BFloat16AVX2(dst []byte, src []uint16)
//
// Registers:
//	R8  scratch, e's bits     Y0-Y7   block maxima, words (pass one)
//	R13 scratch, d's sign     Y0-Y3   a/8, d in X1, id in Y3 (Q8SCALES)
//	the others as above       Y0-Y3   values (BF16SPLIT's order),
//	                                  then int32 (pass two)
//	                          Y4-Y6   scratch (Q4SIGN16, Q4NIBBLES)
//	                          Y8-Y9   scratch (BLOCKMAX16, MAXTREE16)
//	                          Y10     8.0
//	                          Y11     1.0
//	                          Y12     0xFFFF0000 (BF16SPLIT)
//	                          Y13     15 per byte
//	                          Y14     0x7FFF per word
//	                          Y15     the block's id
TEXT ·encodeQ4_0BFloat16AVX2(SB), NOSPLIT, $216-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $5, CX // blocks
	JZ   done
	GGUFCONSTS($0x41000000, $0x0F0F0F0F)
	BROADCAST32($0x7FFF7FFF, X14, Y14)
	BROADCAST32($0xFFFF0000, X12, Y12) // for BF16SPLIT, instead of packOrder
	Q4_0ENCODE(Q4_0BLOCKS16, Q8WIDENBF16, Q4_0LOADBF16, Q4_0STOREBF16, 64)

// RANGE4 leaves in m op (VMINPS or VMAXPS) over the 32 values of the block
// at off(R9), which LOAD(at, y) loads as four vectors of float32, step
// bytes apart. Y8 and Y9 are scratch.
#define RANGE4(op, LOAD, step, off, m) \
	LOAD(off, m)          \
	LOAD(off+step, Y8)    \
	op   Y8, m, m         \
	LOAD(off+2*step, Y8)  \
	LOAD(off+3*step, Y9)  \
	op   Y9, Y8, Y8       \
	op   Y8, m, m

#define RANGELOADF32(at, y) \
	VMOVUPS at(R9), y

#define RANGELOADF16(at, y) \
	VCVTPH2PS at(R9), y

#define RANGELOADBF16(at, y) \
	WIDENBF16(at(R9), y)

#define MINF32(off, m) RANGE4(VMINPS, RANGELOADF32, 32, off, m)
#define MAXF32(off, m) RANGE4(VMAXPS, RANGELOADF32, 32, off, m)
#define MINF16(off, m) RANGE4(VMINPS, RANGELOADF16, 16, off, m)
#define MAXF16(off, m) RANGE4(VMAXPS, RANGELOADF16, 16, off, m)
#define MINBF16(off, m) RANGE4(VMINPS, RANGELOADBF16, 16, off, m)
#define MAXBF16(off, m) RANGE4(VMAXPS, RANGELOADBF16, 16, off, m)

// Q4_1BLOCKS runs pass one over the DX blocks of size bytes at R9: MAX
// and MIN (RANGE4s) give each block's max, parked at 64(R12), and min,
// left in Y4; Y0 becomes max - min + 0.
#define Q4_1BLOCKS(MAX, MIN, size) \
	EIGHTBLOCKS(MAX, size, maxtree) \
	TREE32(VMAXPS)                  \
	VMOVUPS Y0, 64(R12)             \
	EIGHTBLOCKS(MIN, size, mintree) \
	TREE32(VMINPS)                  \
	VMOVAPS Y0, Y4                  \
	VMOVUPS 64(R12), Y1             \
	VSUBPS  Y0, Y1, Y0              \
	VXORPS  Y2, Y2, Y2              \
	VADDPS  Y2, Y0, Y0

// Q4_1SCALES stores d and id (Q8SCALES with Y10 = 15), then m =
// ToFloat16(min) at 48(R12) and FromFloat16(m) at 64(R12), from the
// minima in Y4. For each block of the group whose min is a zero, it sets
// m's sign to that of the block's first zero, which ZSCAN finds from R14
// (the block, of size bytes) and leaves in AX as 0 or 0x8000. AX, R8,
// R13 and R14 are scratch.
#define Q4_1SCALES(ZSCAN, size) \
	Q8SCALES                      \
	VCVTPS2PH $0, Y4, X1          \
	VCVTPH2PS X1, Y2              \
	VMOVDQU   X1, 48(R12)         \
	VMOVUPS   Y2, 64(R12)         \
	VXORPS    Y3, Y3, Y3          \
	VCMPPS    $0, Y3, Y4, Y3      \
	VMOVMSKPS Y3, R8              \
zmins:                            \
	TESTL     R8, R8              \
	JZ        zdone               \
	BSFL      R8, R13             \
	CMPQ      R13, DX             \
	JAE       zdone               \
	LEAL      -1(R8), AX          \
	ANDL      AX, R8              \
	IMUL3Q    $size, R13, R14     \
	ADDQ      R9, R14             \
	ZSCAN                         \
	MOVW      AX, 48(R12)(R13*2)  \
	JMP       zmins               \
zdone:

// ZSCAN32 and ZSCAN16: the sign of the first zero at or after R14, which
// there is, for float32 and for 16-bit values.
#define ZSCAN32 \
zscan:                    \
	MOVL  (R14), AX       \
	ADDQ  $4, R14         \
	TESTL $0x7FFFFFFF, AX \
	JNZ   zscan           \
	SHRL  $16, AX

#define ZSCAN16 \
zscan:                 \
	MOVWLZX (R14), AX  \
	ADDQ    $2, R14    \
	TESTL   $0x7FFF, AX \
	JNZ     zscan

// Q4_1LOAD loads the 32 values at SI with LOAD4, then subtracts
// FromFloat16(m) (from the slot, in Y9) and multiplies by id: two
// roundings, never fused.
#define Q4_1LOAD(LOAD4) \
	VBROADCASTSS 64(R11)(BX*4), Y9 \
	LOAD4                          \
	VSUBPS       Y9, Y0, Y0        \
	VSUBPS       Y9, Y1, Y1        \
	VSUBPS       Y9, Y2, Y2        \
	VSUBPS       Y9, Y3, Y3        \
	Q8SCALE4

#define Q4_1BLOCKS32 Q4_1BLOCKS(MAXF32, MINF32, 128)
#define Q4_1BLOCKSF16 Q4_1BLOCKS(MAXF16, MINF16, 64)
#define Q4_1BLOCKSBF16 Q4_1BLOCKS(MAXBF16, MINBF16, 64)
#define Q4_1SCALES32 Q4_1SCALES(ZSCAN32, 128)
#define Q4_1SCALES16 Q4_1SCALES(ZSCAN16, 64)
#define Q4_1LOADF32 Q4_1LOAD(LOAD4F32)
#define Q4_1LOADF16 Q4_1LOAD(LOAD4F16)
#define Q4_1LOADBF16 Q4_1LOAD(LOAD4BF16)

#define Q4_1STORE \
	PACK4 \
	Q4_1PUT

#define Q4_1STOREBF16 \
	BF16PACK \
	Q4_1PUT

#define Q4_1ENCODE(BLOCKS, SCALES, LOAD, STORE, srcBytes) \
	GGUFENCODE(BLOCKS, NOTHING, SCALES, LOAD, STORE, srcBytes, 20, 96)

// func encodeQ4_1AVX2(dst []byte, src []float32)
//
// Registers:
//	AX  scratch (ZSCAN)       Y0-Y7   block max, then min (pass one)
//	R8  scratch, zero mins    Y0-Y3   (max-min)/15, d in X1, id in Y3
//	R13 scratch, a block                                   (Q8SCALES)
//	R14 scratch (ZSCAN)       Y4      block min (pass one)
//	the others as above       Y0-Y3   values, then int32 (pass two)
//	                          Y8-Y9   scratch (RANGE4, TREE32)
//	                          Y9      FromFloat16(m) (pass two)
//	                          Y10     15.0
//	                          Y11     1.0
//	                          Y12     packOrder
//	                          Y13     15 per byte
//	                          Y15     the block's id
TEXT ·encodeQ4_1AVX2(SB), NOSPLIT, $216-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $5, CX // blocks
	JZ   done
	GGUFCONSTS($0x41700000, $0x0F0F0F0F)
	Q4_1ENCODE(Q4_1BLOCKS32, Q4_1SCALES32, Q4_1LOADF32, Q4_1STORE, 128)

// func encodeQ4_1Float16AVX2(dst []byte, src []uint16)
//
// Registers: as encodeQ4_1AVX2's.
TEXT ·encodeQ4_1Float16AVX2(SB), NOSPLIT, $216-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $5, CX // blocks
	JZ   done
	GGUFCONSTS($0x41700000, $0x0F0F0F0F)
	Q4_1ENCODE(Q4_1BLOCKSF16, Q4_1SCALES16, Q4_1LOADF16, Q4_1STORE, 64)

// func encodeQ4_1BFloat16AVX2(dst []byte, src []uint16)
//
// Registers: as encodeQ4_1AVX2's, but for Y12, which holds 0xFFFF0000
// (BF16SPLIT), and Y0-Y3 in pass two, which hold the values in
// BF16SPLIT's order.
TEXT ·encodeQ4_1BFloat16AVX2(SB), NOSPLIT, $216-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $5, CX // blocks
	JZ   done
	GGUFCONSTS($0x41700000, $0x0F0F0F0F)
	BROADCAST32($0xFFFF0000, X12, Y12) // for BF16SPLIT, instead of packOrder
	Q4_1ENCODE(Q4_1BLOCKSBF16, Q4_1SCALES16, Q4_1LOADBF16, Q4_1STOREBF16, 64)

// The decoders. Each block's DECODE leaves its 32 values as float32 in
// Y0..Y3, d (widened, exact, broadcast) in Y4; d is widened with the next
// bytes of the block (6 of Q8_0 and Q4_0, 4 of Q4_1, where m comes first),
// which stay inside it, to save a shuffle. Every product of a quant by d
// is exact.

// QSCALE4 converts the int32 quants in Y0..Y3 to float32 (exact) and
// multiplies them by d (Y4).
#define QSCALE4 \
	VCVTDQ2PS    Y0, Y0   \
	VCVTDQ2PS    Y1, Y1   \
	VCVTDQ2PS    Y2, Y2   \
	VCVTDQ2PS    Y3, Y3   \
	VMULPS       Y4, Y0, Y0 \
	VMULPS       Y4, Y1, Y1 \
	VMULPS       Y4, Y2, Y2 \
	VMULPS       Y4, Y3, Y3

// Q8DECODE: float32(q) * float32(d) of the Q8_0 block at SI, each q
// sign-extended and converted.
#define Q8DECODE \
	VCVTPH2PS    (SI), X4   \
	VBROADCASTSS X4, Y4     \
	VPMOVSXBD    2(SI), Y0  \
	VPMOVSXBD    10(SI), Y1 \
	VPMOVSXBD    18(SI), Y2 \
	VPMOVSXBD    26(SI), Y3 \
	QSCALE4

// Q4UNPACK leaves in Y0..Y3 the 32 nibbles of the 16 bytes at off(SI) as
// int32, in element order: the low nibbles of bytes 0..7 and 8..15, then
// their high nibbles. Y10 holds 15 in every dword.
#define Q4UNPACK(off) \
	VPMOVZXBD off(SI), Y0   \
	VPMOVZXBD off+8(SI), Y1 \
	VPSRLD    $4, Y0, Y2    \
	VPSRLD    $4, Y1, Y3    \
	VPAND     Y10, Y0, Y0   \
	VPAND     Y10, Y1, Y1

// Q4_0DECODE: float32(q - 8) * d of the Q4_0 block at SI (Y11 holds 8 in
// every dword).
#define Q4_0DECODE \
	VCVTPH2PS    (SI), X4 \
	VBROADCASTSS X4, Y4   \
	Q4UNPACK(2)           \
	VPSUBD       Y11, Y0, Y0 \
	VPSUBD       Y11, Y1, Y1 \
	VPSUBD       Y11, Y2, Y2 \
	VPSUBD       Y11, Y3, Y3 \
	QSCALE4

// Q4_1DECODE: float32(q) * d + m of the Q4_1 block at SI: a multiply, then
// an add whose first operand is the product, so that d's NaN wins over
// m's. Y5 holds m.
#define Q4_1DECODE \
	VCVTPH2PS    (SI), X4    \
	VPSHUFD      $0x55, X4, X5 \
	VBROADCASTSS X4, Y4      \
	VBROADCASTSS X5, Y5      \
	Q4UNPACK(4)              \
	QSCALE4                  \
	VADDPS       Y5, Y0, Y0  \
	VADDPS       Y5, Y1, Y1  \
	VADDPS       Y5, Y2, Y2  \
	VADDPS       Y5, Y3, Y3

// GGUFDECODE is the loop of the decoders, CX blocks of srcBytes from SI
// to DI: HINT (the output's lines ahead, see "Prefetching" in
// kernels_amd64.s), DECODE, then STORE, which stores the block's 32
// values (dstBytes bytes) at DI. It ends the expanding function, whose
// labels loop and done it defines.
#define GGUFDECODE(HINT, DECODE, STORE, srcBytes, dstBytes) \
	MOVQ CX, R13            \
	SHLQ $5, R13            \
	HINTGATE(R13)           \
	PCALIGN $32 \
loop:                       \
	HINTS(HINT, nohint)     \
	DECODE                  \
	STORE                   \
	ADDQ $srcBytes, SI      \
	ADDQ $dstBytes, DI      \
	DECQ CX                 \
	JNZ  loop               \
	                        \
done:                       \
	VZEROUPPER              \
	RET

// The hooks of GGUFDECODE: output hints 1024 values ahead, and the
// stores of Y0..Y3 as float32, binary16 and bfloat16 (the last, through
// BF16ROUND4, only jumps to its nan4 when a parameter is NaN or infinite,
// which SPECIALS checks: only then can a value be NaN; R8 is scratch).
#define Q8HINTF32 \
	PREFETCHT0 4096(DI) \
	PREFETCHT0 4160(DI)

#define Q8HINT16 \
	PREFETCHT0 2048(DI)

#define Q8STOREF32 \
	VMOVUPS Y0, (DI)   \
	VMOVUPS Y1, 32(DI) \
	VMOVUPS Y2, 64(DI) \
	VMOVUPS Y3, 96(DI)

#define Q8STOREF16 \
	VCVTPS2PH $0, Y0, (DI)   \
	VCVTPS2PH $0, Y1, 16(DI) \
	VCVTPS2PH $0, Y2, 32(DI) \
	VCVTPS2PH $0, Y3, 48(DI)

// SPECIAL16 jumps to nan4 if the binary16 at off(SI) is NaN or infinite.
#define SPECIAL16(off) \
	MOVWLZX off(SI), R8  \
	ANDL    $0x7C00, R8  \
	CMPL    R8, $0x7C00  \
	JE      nan4

#define STOREBF16X32(SPECIALS) \
	SPECIALS           \
	BF16ROUND4         \
	VMOVDQU Y0, (DI)   \
	VMOVDQU Y2, 32(DI)

#define SPECIALD SPECIAL16(0)

#define SPECIALDM \
	SPECIAL16(0) \
	SPECIAL16(2)

#define Q8STOREBF16X32 STOREBF16X32(SPECIALD)
#define Q4_1STOREBF16X32 STOREBF16X32(SPECIALDM)

// Q4DECODECONSTS loads the constants of Q4UNPACK and Q4_0DECODE: 15 in Y10,
// 8 in Y11.
#define Q4DECODECONSTS \
	BROADCAST32($15, X10, Y10) \
	BROADCAST32($8, X11, Y11)

// The decoders take their block count from len(dst), which is
// len(src)/blockBytes*32, to avoid a division.

// func decodeQ8_0AVX2(dst []float32, src []byte)
//
// Registers:
//	SI  src (a block)  Y0-Y3   float32 values
//	DI  dst            Y4      d
//	CX  blocks left
//	R13 hint gate (HINTGATE)
TEXT ·decodeQ8_0AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	SHRQ $5, CX // blocks
	JZ   done

	GGUFDECODE(Q8HINTF32, Q8DECODE, Q8STOREF32, 34, 128)

// func decodeQ8_0Float16AVX2(dst []uint16, src []byte)
// The exact products, rounded to binary16 by VCVTPS2PH $0 as
// float32ToFloat16AVX2 does.
//
// Registers:
//	SI  src (a block)  Y0-Y3   float32 values
//	DI  dst            Y4      d
//	CX  blocks left
//	R13 hint gate (HINTGATE)
TEXT ·decodeQ8_0Float16AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	SHRQ $5, CX // blocks
	JZ   done

	GGUFDECODE(Q8HINT16, Q8DECODE, Q8STOREF16, 34, 64)

// func decodeQ8_0BFloat16AVX2(dst []uint16, src []byte)
// The exact products, rounded to bfloat16 as float32ToBFloat16AVX2 does,
// NaNs included (a NaN or an infinite d makes them).
//
// Registers:
//	SI  src (a block)           Y0-Y3   float32, then bfloat16 in
//	DI  dst                             Y0 and Y2
//	CX  blocks left             Y4      d
//	R8  scratch, then d's bits  Y4-Y9   scratch (BF16ROUND4)
//	                            Y13     0x40
//	                            Y14     0x7FFF
//	                            Y15     1
//	R13 hint gate (HINTGATE)
TEXT ·decodeQ8_0BFloat16AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	SHRQ $5, CX // blocks
	JZ   done
	BF16CONSTS

	GGUFDECODE(Q8HINT16, Q8DECODE, Q8STOREBF16X32, 34, 64)

// func decodeQ4_0AVX2(dst []float32, src []byte)
//
// Registers:
//	SI  src (a block)  Y0-Y3   nibbles, then float32 values
//	DI  dst            Y4      d
//	CX  blocks left    Y10     15
//	                   Y11     8
//	R13 hint gate (HINTGATE)
TEXT ·decodeQ4_0AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	SHRQ $5, CX // blocks
	JZ   done
	Q4DECODECONSTS

	GGUFDECODE(Q8HINTF32, Q4_0DECODE, Q8STOREF32, 18, 128)

// func decodeQ4_0Float16AVX2(dst []uint16, src []byte)
// The exact products, rounded to binary16 as decodeQ8_0Float16AVX2 does.
//
// Registers: as decodeQ4_0AVX2's.
TEXT ·decodeQ4_0Float16AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	SHRQ $5, CX // blocks
	JZ   done
	Q4DECODECONSTS

	GGUFDECODE(Q8HINT16, Q4_0DECODE, Q8STOREF16, 18, 64)

// func decodeQ4_0BFloat16AVX2(dst []uint16, src []byte)
// The exact products, rounded to bfloat16 as decodeQ8_0BFloat16AVX2 does.
//
// Registers:
//	SI  src (a block)           Y0-Y3   nibbles, float32, then
//	DI  dst                             bfloat16 in Y0 and Y2
//	CX  blocks left             Y4      d
//	R8  scratch, then d's bits  Y4-Y9   scratch (BF16ROUND4)
//	                            Y10     15
//	                            Y11     8
//	                            Y13     0x40
//	                            Y14     0x7FFF
//	                            Y15     1
//	R13 hint gate (HINTGATE)
TEXT ·decodeQ4_0BFloat16AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	SHRQ $5, CX // blocks
	JZ   done
	Q4DECODECONSTS
	BF16CONSTS

	GGUFDECODE(Q8HINT16, Q4_0DECODE, Q8STOREBF16X32, 18, 64)

// func decodeQ4_1AVX2(dst []float32, src []byte)
//
// Registers:
//	SI  src (a block)  Y0-Y3   nibbles, then float32 values
//	DI  dst            Y4      d
//	CX  blocks left    Y5      m
//	                   Y10     15
//	R13 hint gate (HINTGATE)
TEXT ·decodeQ4_1AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	SHRQ $5, CX // blocks
	JZ   done
	Q4DECODECONSTS

	GGUFDECODE(Q8HINTF32, Q4_1DECODE, Q8STOREF32, 20, 128)

// func decodeQ4_1Float16AVX2(dst []uint16, src []byte)
// The sums, rounded to binary16 as decodeQ8_0Float16AVX2 does.
//
// Registers: as decodeQ4_1AVX2's.
TEXT ·decodeQ4_1Float16AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	SHRQ $5, CX // blocks
	JZ   done
	Q4DECODECONSTS

	GGUFDECODE(Q8HINT16, Q4_1DECODE, Q8STOREF16, 20, 64)

// func decodeQ4_1BFloat16AVX2(dst []uint16, src []byte)
// The sums, rounded to bfloat16 as decodeQ8_0BFloat16AVX2 does, NaNs
// included (a NaN or an infinite d or m may make them).
//
// Registers:
//	SI  src (a block)                Y0-Y3   nibbles, float32, then
//	DI  dst                                  bfloat16 in Y0 and Y2
//	CX  blocks left                  Y4      d
//	R8  scratch, d's then m's bits   Y5      m
//	                                 Y4-Y9   scratch (BF16ROUND4)
//	                                 Y10     15
//	                                 Y13     0x40
//	                                 Y14     0x7FFF
//	                                 Y15     1
//	R13 hint gate (HINTGATE)
TEXT ·decodeQ4_1BFloat16AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	SHRQ $5, CX // blocks
	JZ   done
	Q4DECODECONSTS
	BF16CONSTS

	GGUFDECODE(Q8HINT16, Q4_1DECODE, Q4_1STOREBF16X32, 20, 64)
