//go:build !purego && !noasm

#include "textflag.h"
#include "kernels_amd64.h"

// llama.cpp's GGUF blocks of 32 values, Q8_0: encode from and decode to
// float32, binary16 and bfloat16.
// kernels_amd64.s describes what every file shares.
//
//   encodeQ8_0AVX2         decodeQ8_0AVX2
//   encodeQ8_0Float16AVX2  decodeQ8_0Float16AVX2
//   encodeQ8_0BFloat16AVX2 decodeQ8_0BFloat16AVX2

// The encoders (GGUFENCODE) take up to 8 blocks (a group) at a time. Pass
// one gathers the abs max of each block of a group into one lane of Y0, so
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

// GGUFCONSTS loads the constants of the encoders: Y10 the divisor of the
// reduction (127 as float32), Y11 1.0, Y12 packOrder, Y13 the byte the
// clamp needs (int8 -127).
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

// The decoders. Each block's DECODE leaves its 32 values as float32 in
// Y0..Y3, d (widened, exact, broadcast) in Y4; d is widened with the next
// 6 bytes of the block, which stay inside it, to save a shuffle. Every product of a quant by d
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

// GGUFDECODE is the loop of the decoders, CX blocks of srcBytes from SI
// to DI: HINT (the output's lines ahead, see "Prefetching" in
// kernels_amd64.s), DECODE, then STORE, which stores the block's 32
// values (dstBytes bytes) at DI. It ends the expanding function, whose
// labels loop and done it defines.
#define GGUFDECODE(HINT, DECODE, STORE, srcBytes, dstBytes) \
	PCALIGN $32 \
loop:                       \
	HINT                    \
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

#define Q8STOREBF16X32 STOREBF16X32(SPECIALD)

// The decoders take their block count from len(dst), which is
// len(src)/blockBytes*32, to avoid a division.

// func decodeQ8_0AVX2(dst []float32, src []byte)
//
// Registers:
//	SI  src (a block)  Y0-Y3   float32 values
//	DI  dst            Y4      d
//	CX  blocks left
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
TEXT ·decodeQ8_0BFloat16AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	SHRQ $5, CX // blocks
	JZ   done
	BF16CONSTS

	GGUFDECODE(Q8HINT16, Q8DECODE, Q8STOREBF16X32, 34, 64)
