//go:build !purego && !noasm

#include "textflag.h"

// AVX2 kernels (with F16C and FMA), see kernels_amd64.go. They live in
// files by family:
//
//   convert_amd64.s     float32 to and from binary16 and bfloat16
//   reduce_amd64.s      max |x| and min/max of a slice
//   quantize_amd64.s    INT8 quantizers of a slice: given parameters, fused
//                       with their reduction, from 16-bit sources
//   dequantize_amd64.s  INT8 back to float32, binary16 and bfloat16
//   fakequant_amd64.s   fake quantization (quantization-aware training)
//   gguf_amd64.s        GGUF Q8_0, Q4_0 and Q4_1 encode and decode
//   blocks_amd64.s      one result per block: PerBlock, short PerRow groups
//   gemm_amd64.s        C += Aᵀ·B, one FMA per product in a fixed order
//                       (MulAddAtB, the engine of GPTQ)
//   kernels_amd64.h     the macros more than one family uses
//
// This file holds what they share: the conventions below and the data
// tables at the end.
//
// Every element-wise kernel walks its slices with one index, AX, in three
// stages:
//
//   - a main loop of 32 elements (four 8-lane vectors in flight);
//   - a loop of single 8-lane vectors for what is left of 32;
//   - the last 1..7 elements as one more vector: 32-bit data moves through
//     VMASKMOVPS/VPMASKMOVD, which neither faults on nor touches the lanes
//     it leaves out; 8- and 16-bit data is loaded and stored in pieces of
//     4, 2 and 1 elements. The reductions fill the missing lanes with a
//     value that cannot change the result.
//
// That loop is written once, ELEMENTWISE in kernels_amd64.h: a kernel
// names its three steps (conventionally NAMEX32, NAMEX8 and NAMETAIL,
// defined above its TEXT) and the macro supplies the rest, so that a fix
// to the walk lands in every kernel. The families with more than one
// kernel of the same shape have a body macro of their own on top:
// QUANTIZE, FUSEDREDUCE and FUSEDPASS (quantize_amd64.s), REDUCE32 and
// REDUCE16 (reduce_amd64.s), GGUFENCODE (gguf_amd64.s) and QUANTIZEBLOCKS
// (blocks_amd64.s); a kernel is then its arguments, its constants and
// one line naming its variant's macros.
//
// The 16-bit reductions, the GGUF kernels and the blockwise kernels, which
// work on whole blocks, are organized differently; see their comments. The
// loops of the fused quantizers and the fast path of the dequantizers move
// pointers instead of AX; their tails are the usual ones. Each TEXT's
// comment ends with a table of its registers by role.
//
// Prefetching: the main loops of the float32 reductions, the fused and
// checked quantizers and the conversions can hint the input's cache lines
// 2 KiB ahead, for loops that consume input faster than the hardware
// prefetchers bring it from L3 or memory; on the Intel build machine MinMax
// went from 8.9 to 10.2 GB/s at 2^24 elements. The conversions and the
// dequantizers can also hint the output's lines 1024 values ahead (4 KiB
// of float32, 2 KiB of 16-bit values), so that the read for ownership each
// store waits on has begun long before it: at 2^24 elements
// Float16ToFloat32 gained 46% and the dequantizers 25-38%; DecodeQ8_0 does
// the same (+31%). (The dequantizers' int8 input is a fifth of their
// traffic and is left to the hardware.) AbsMax and MinMax, which do the
// least work per byte, can switch to PREFETCHFAR for long slices: +15-17%
// at 2^24 there, but the extra hints cost 12-18% where the input is in L2
// (2^16). A prefetch never faults, so hints past the end of a slice are
// harmless.
//
// The same hints cost AMD Zen 3 up to 40% (AbsMax at 2^20-2^24), so
// whether a kernel hints is a tuning, chosen per processor at start-up
// (avx2Tunings in kernels_amd64.go): NEARFROM and FARFROM, in
// kernels_amd64.h, are the lengths from which the main loops hint and the
// float32 reductions go far. A kernel turns the first into a gate in R13
// before its loop (HINTGATE) and every step tests it (HINTS: one fused
// test-and-branch, not taken where hints are on, jumping over them where
// they are off). R13 is reserved for that gate in every kernel that hints.
// TestPrefetchesAreTuned proves from the machine code that every hint of
// the streaming kernels sits behind a gate; MulAddAtB's hints of its next
// tile of C, in arithmetic-bound code, are the exception.

// Alignment: every main loop starts on a 32-byte boundary (PCALIGN $32),
// so that its speed does not depend on where the linker happens to put the
// function: when the split into files moved float16ToFloat32AVX2 by 32
// bytes, its loop straddled one more cache line and it lost 11% at 256
// values. The padding NOPs run once per call, on the way into the loop.
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

// ·tailMask+32-4*r holds r all-ones dwords followed by zeros: the VPMASKMOVD
// mask of the last r (1..7) elements.
DATA ·tailMask+0(SB)/8, $0xffffffffffffffff
DATA ·tailMask+8(SB)/8, $0xffffffffffffffff
DATA ·tailMask+16(SB)/8, $0xffffffffffffffff
DATA ·tailMask+24(SB)/8, $0xffffffffffffffff
DATA ·tailMask+32(SB)/8, $0
DATA ·tailMask+40(SB)/8, $0
DATA ·tailMask+48(SB)/8, $0
DATA ·tailMask+56(SB)/8, $0
GLOBL ·tailMask(SB), RODATA|NOPTR, $64

// ·packOrder is the VPERMD index that undoes the per-128-bit-lane order
// of VPACKSSDW+VPACKSSWB on four vectors: dword i of the packed result
// holds four bytes of vector i%4, from its lane i/4.
DATA ·packOrder+0(SB)/4, $0
DATA ·packOrder+4(SB)/4, $4
DATA ·packOrder+8(SB)/4, $1
DATA ·packOrder+12(SB)/4, $5
DATA ·packOrder+16(SB)/4, $2
DATA ·packOrder+20(SB)/4, $6
DATA ·packOrder+24(SB)/4, $3
DATA ·packOrder+28(SB)/4, $7
GLOBL ·packOrder(SB), RODATA|NOPTR, $32

// ·evenOdd is the VPSHUFB index that interleaves, in each 128-bit lane,
// the 8 bytes of even elements and the 8 bytes of odd elements that
// VPACKSSWB leaves side by side (see BF16PACK).
DATA ·evenOdd+0(SB)/8, $0x0B030A0209010800
DATA ·evenOdd+8(SB)/8, $0x0F070E060D050C04
DATA ·evenOdd+16(SB)/8, $0x0B030A0209010800
DATA ·evenOdd+24(SB)/8, $0x0F070E060D050C04
GLOBL ·evenOdd(SB), RODATA|NOPTR, $32

// ·eightBytes holds 8 in every byte: the offset Q4_0 adds to its rounded
// quants (see Q4_0PUT).
DATA ·eightBytes+0(SB)/8, $0x0808080808080808
DATA ·eightBytes+8(SB)/8, $0x0808080808080808
DATA ·eightBytes+16(SB)/8, $0x0808080808080808
DATA ·eightBytes+24(SB)/8, $0x0808080808080808
GLOBL ·eightBytes(SB), RODATA|NOPTR, $32
