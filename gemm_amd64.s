//go:build !purego && !noasm

#include "textflag.h"
#include "kernels_amd64.h"

// Matrix products: C += Aᵀ·B with one fused multiply-add per product,
// each element of C taking its products in the order of k
// (kernels.Set.MulAddAtB). kernels_amd64.s describes what every file
// shares.
//
//   gemmBlockAVX2

// GEMMMC and GEMMKC bound the rows of C and the steps of k of one call
// (gemmMC and gemmKC in kernels_amd64.go; GEMMMC is a multiple of 6, so
// that the padded tiles of A fit). The frame holds two words at 0(SP)
// and 8(SP), then, from the first 64-byte boundary past SP+64, the
// packed panel of B (GEMMKC*16 floats) and the packed A (GEMMMC*GEMMKC
// floats): 127 + 8192 + 73728 bytes, rounded up to the frame size
// 82048 of gemmBlockAVX2 (which must be a literal).
#define GEMMMC 144
#define GEMMKC 128
#define GEMMPBBYTES (GEMMKC*16*4)

// GEMMPB and GEMMPA set r to the packed panel of B and the packed A.
#define GEMMPB(r) \
	LEAQ 127(SP), r \
	ANDQ $-64, r

#define GEMMPA(r) \
	GEMMPB(r)              \
	ADDQ $GEMMPBBYTES, r

// GEMMSTEP is step p of the 6x16 tile: the panel's row p, 16 floats at
// bo(DI), times each of the tile's 6 values of A at ao(SI), into the
// accumulators Y0-Y11 (row r in Y2r and Y2r+1), one VFMADD231PS each.
// Y12-Y15 are scratch.
#define GEMMSTEP(ao, bo) \
	VMOVUPS      bo(DI), Y12    \
	VMOVUPS      bo+32(DI), Y13 \
	VBROADCASTSS ao(SI), Y14    \
	VFMADD231PS  Y12, Y14, Y0   \
	VFMADD231PS  Y13, Y14, Y1   \
	VBROADCASTSS ao+4(SI), Y15  \
	VFMADD231PS  Y12, Y15, Y2   \
	VFMADD231PS  Y13, Y15, Y3   \
	VBROADCASTSS ao+8(SI), Y14  \
	VFMADD231PS  Y12, Y14, Y4   \
	VFMADD231PS  Y13, Y14, Y5   \
	VBROADCASTSS ao+12(SI), Y15 \
	VFMADD231PS  Y12, Y15, Y6   \
	VFMADD231PS  Y13, Y15, Y7   \
	VBROADCASTSS ao+16(SI), Y14 \
	VFMADD231PS  Y12, Y14, Y8   \
	VFMADD231PS  Y13, Y14, Y9   \
	VBROADCASTSS ao+20(SI), Y15 \
	VFMADD231PS  Y12, Y15, Y10  \
	VFMADD231PS  Y13, Y15, Y11

// GEMMMASKS loads into Y12 and Y13 the VMASKMOVPS masks of the panel's
// min(AX, 16) columns: those among columns 0-7 and those among 8-15.
// CX, SI and R14 are scratch.
#define GEMMMASKS \
	MOVQ    $16, CX               \
	CMPQ    AX, CX                \
	CMOVQLT AX, CX                \
	MOVQ    $8, SI                \
	CMPQ    CX, SI                \
	CMOVQLT CX, SI                \
	SUBQ    SI, CX                \
	SHLQ    $2, SI                \
	SHLQ    $2, CX                \
	LEAQ    ·tailMask+32(SB), R14 \
	SUBQ    SI, R14               \
	VMOVDQU (R14), Y12            \
	LEAQ    ·tailMask+32(SB), R14 \
	SUBQ    CX, R14               \
	VMOVDQU (R14), Y13

// GEMMLOAD6 and GEMMSTORE6 move a whole 6x16 tile of C, rows 0-3 at R10
// and 4-5 at R11, to and from the accumulators.
#define GEMMLOAD6 \
	VMOVUPS (R10), Y0         \
	VMOVUPS 32(R10), Y1       \
	VMOVUPS (R10)(R8*1), Y2   \
	VMOVUPS 32(R10)(R8*1), Y3 \
	VMOVUPS (R10)(R8*2), Y4   \
	VMOVUPS 32(R10)(R8*2), Y5 \
	VMOVUPS (R10)(R9*1), Y6   \
	VMOVUPS 32(R10)(R9*1), Y7 \
	VMOVUPS (R11), Y8         \
	VMOVUPS 32(R11), Y9       \
	VMOVUPS (R11)(R8*1), Y10  \
	VMOVUPS 32(R11)(R8*1), Y11

#define GEMMSTORE6 \
	VMOVUPS Y0, (R10)         \
	VMOVUPS Y1, 32(R10)       \
	VMOVUPS Y2, (R10)(R8*1)   \
	VMOVUPS Y3, 32(R10)(R8*1) \
	VMOVUPS Y4, (R10)(R8*2)   \
	VMOVUPS Y5, 32(R10)(R8*2) \
	VMOVUPS Y6, (R10)(R9*1)   \
	VMOVUPS Y7, 32(R10)(R9*1) \
	VMOVUPS Y8, (R11)         \
	VMOVUPS Y9, 32(R11)       \
	VMOVUPS Y10, (R11)(R8*1)  \
	VMOVUPS Y11, 32(R11)(R8*1)

// GEMMLOADPART loads the first min(BX, 6) rows and min(AX, 16) columns
// of a tile, as GEMMLOAD6 does a whole one, through the masks of
// GEMMMASKS; the lanes of the other rows and columns are zeros (computed
// on, never stored). GEMMSTOREPART stores them.
#define GEMMLOADPART \
	GEMMMASKS                          \
	VXORPS     Y2, Y2, Y2              \
	VXORPS     Y3, Y3, Y3              \
	VXORPS     Y4, Y4, Y4              \
	VXORPS     Y5, Y5, Y5              \
	VXORPS     Y6, Y6, Y6              \
	VXORPS     Y7, Y7, Y7              \
	VXORPS     Y8, Y8, Y8              \
	VXORPS     Y9, Y9, Y9              \
	VXORPS     Y10, Y10, Y10           \
	VXORPS     Y11, Y11, Y11           \
	VMASKMOVPS (R10), Y12, Y0          \
	VMASKMOVPS 32(R10), Y13, Y1        \
	CMPQ       BX, $2                  \
	JB         loaded                  \
	VMASKMOVPS (R10)(R8*1), Y12, Y2    \
	VMASKMOVPS 32(R10)(R8*1), Y13, Y3  \
	CMPQ       BX, $3                  \
	JB         loaded                  \
	VMASKMOVPS (R10)(R8*2), Y12, Y4    \
	VMASKMOVPS 32(R10)(R8*2), Y13, Y5  \
	CMPQ       BX, $4                  \
	JB         loaded                  \
	VMASKMOVPS (R10)(R9*1), Y12, Y6    \
	VMASKMOVPS 32(R10)(R9*1), Y13, Y7  \
	CMPQ       BX, $5                  \
	JB         loaded                  \
	VMASKMOVPS (R11), Y12, Y8          \
	VMASKMOVPS 32(R11), Y13, Y9        \
	CMPQ       BX, $6                  \
	JB         loaded                  \
	VMASKMOVPS (R11)(R8*1), Y12, Y10   \
	VMASKMOVPS 32(R11)(R8*1), Y13, Y11 \
loaded:

#define GEMMSTOREPART \
	GEMMMASKS                          \
	VMASKMOVPS Y0, Y12, (R10)          \
	VMASKMOVPS Y1, Y13, 32(R10)        \
	CMPQ       BX, $2                  \
	JB         stored                  \
	VMASKMOVPS Y2, Y12, (R10)(R8*1)    \
	VMASKMOVPS Y3, Y13, 32(R10)(R8*1)  \
	CMPQ       BX, $3                  \
	JB         stored                  \
	VMASKMOVPS Y4, Y12, (R10)(R8*2)    \
	VMASKMOVPS Y5, Y13, 32(R10)(R8*2)  \
	CMPQ       BX, $4                  \
	JB         stored                  \
	VMASKMOVPS Y6, Y12, (R10)(R9*1)    \
	VMASKMOVPS Y7, Y13, 32(R10)(R9*1)  \
	CMPQ       BX, $5                  \
	JB         stored                  \
	VMASKMOVPS Y8, Y12, (R11)          \
	VMASKMOVPS Y9, Y13, 32(R11)        \
	CMPQ       BX, $6                  \
	JB         stored                  \
	VMASKMOVPS Y10, Y12, (R11)(R8*1)   \
	VMASKMOVPS Y11, Y13, 32(R11)(R8*1) \
stored:

// GEMMPREFETCHC hints the 6 rows of C at R14 (stride R8, R9 = 3*R8),
// both cache lines of each, leaving R14 at row 4.
#define GEMMPREFETCHC \
	PREFETCHT0 (R14)           \
	PREFETCHT0 63(R14)         \
	PREFETCHT0 (R14)(R8*1)     \
	PREFETCHT0 63(R14)(R8*1)   \
	PREFETCHT0 (R14)(R8*2)     \
	PREFETCHT0 63(R14)(R8*2)   \
	PREFETCHT0 (R14)(R9*1)     \
	PREFETCHT0 63(R14)(R9*1)   \
	LEAQ       (R14)(R8*4), R14 \
	PREFETCHT0 (R14)           \
	PREFETCHT0 63(R14)         \
	PREFETCHT0 (R14)(R8*1)     \
	PREFETCHT0 63(R14)(R8*1)

// func gemmBlockAVX2(c *float32, ldc int, at *float32, lda int, b *float32, ldb int, m, n, k int)
//
// C += Aᵀ·B for 1 <= m <= GEMMMC, n >= 1 and 1 <= k <= GEMMKC, strides
// in elements. The tile is 6 rows by 16 columns of C in 12 accumulators:
// they start from C, take one VFMADD231PS per p, p = 0, 1, ..., k-1,
// and go back to C, so each element gets exactly the reference's FMAs in
// its order. Tiles short of 6 rows or 16 columns load and store through
// masks and compute on zeros in the lanes they leave out.
//
// First A is packed, into tiles of 6 rows of C: tile t holds, for each p
// in order, the 6 values at[p*lda+6t ...], a last shorter tile padded
// with zeros. Then, for each panel of 16 columns of C (left to right,
// the last one possibly narrower), the panel's k rows of B are packed,
// 64 bytes each, and the tile walks down the panel. The packed panel
// stays in L1 for all of the panel's tiles and the packed A streams from
// L2: read in place at strides of 16 KiB (GPTQ's rows of 4096), the rows
// of A and B would share a handful of cache sets and come from L3 at
// every tile. Both are read at fixed offsets from two pointers, four
// steps of p to an iteration.
//
// Prefetching: each tile hints the rows of C of the tile after it (the
// next panel's first, after the last), which L2 does not hold in the
// shapes GPTQ calls with (m x 4096 floats); the first 4 tiles of a panel
// each hint k/4 of the next panel's rows of B, one per iteration, so that
// packing it does not wait on L3. Together they took GPTQ's shape
// (256 x 4096 x 128, lda 4096) from 73% to 82% of the FMA peak on the
// build machine, where L2-resident shapes run at 88-94%. 0(SP) holds the
// next row of B to hint and 8(SP) the tiles left to do it.
//
// The frame, ~80 KiB, is not NOSPLIT: the first call may grow the
// goroutine's stack.
//
// Registers:
//	AX  columns left (n - panel start)     Y0-Y11  accumulators
//	BX  rows left (m - 6t)                 Y12-Y13 row of B, or masks
//	CX  loop counter, scratch              Y14-Y15 values of A
//	DX  k                                  Y0-Y2   packing
//	SI  packed A (walks the tile)
//	DI  packed B (walks the panel)
//	R8  ldc*4 (packing A: scratch)
//	R9  3*ldc*4 (packing A: lda*4)
//	R10 C tile rows 0-3 (packing A: rows left)
//	R11 C tile rows 4-5 (packing A: source; packing B, k loop: ldb*4 or 0)
//	R12 packed A tile (packing A: bytes of a tile)
//	R13 C panel
//	R14 scratch; row of A or source of B (packing); row of B to hint (k loop)
TEXT ·gemmBlockAVX2(SB), $82048-72
	MOVQ m+48(FP), BX
	MOVQ k+64(FP), DX

	// Pack A: row p of at is tiles 0, 1, ... side by side.
	MOVQ   at+16(FP), R14
	MOVQ   lda+24(FP), R9
	SHLQ   $2, R9
	GEMMPA(SI)
	IMUL3Q $24, DX, R12
	MOVQ   DX, CX

packa:
	MOVQ R14, R11
	MOVQ SI, DI
	MOVQ BX, R10
	CMPQ R10, $6
	JB   packatail

packatile:
	VMOVUPS (R11), X0
	VMOVQ   16(R11), X1
	VMOVUPS X0, (DI)
	VMOVQ   X1, 16(DI)
	ADDQ    $24, R11
	ADDQ    R12, DI
	SUBQ    $6, R10
	CMPQ    R10, $6
	JAE     packatile

packatail:
	TESTQ        R10, R10
	JZ           packanext
	SHLQ         $2, R10
	LEAQ         ·tailMask+32(SB), R8
	SUBQ         R10, R8
	VMOVDQU      (R8), Y2
	VMASKMOVPS   (R11), Y2, Y0
	VEXTRACTF128 $1, Y0, X1
	VMOVUPS      X0, (DI)
	VMOVQ        X1, 16(DI)

packanext:
	ADDQ R9, R14
	ADDQ $24, SI
	DECQ CX
	JNZ  packa

	MOVQ ldc+8(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	MOVQ c+0(FP), R13
	MOVQ n+56(FP), AX

panel:
	// Pack the panel of B: k rows of min(AX, 16) floats, zeros after.
	CMPQ AX, $16
	JAE  packbfrom
	GEMMMASKS

packbfrom:
	MOVQ n+56(FP), R11
	SUBQ AX, R11
	MOVQ b+32(FP), R14
	LEAQ (R14)(R11*4), R14
	// The next panel's row p ends in the line of byte 127 of this one's.
	LEAQ 127(R14), R11
	MOVQ R11, 0(SP)
	MOVQ $4, 8(SP)
	MOVQ ldb+40(FP), R11
	SHLQ $2, R11
	GEMMPB(DI)
	MOVQ DX, CX
	CMPQ AX, $16
	JB   packbpart

packb:
	VMOVUPS (R14), Y0
	VMOVUPS 32(R14), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    R11, R14
	ADDQ    $64, DI
	DECQ    CX
	JNZ     packb
	JMP     tiles

packbpart:
	VMASKMOVPS (R14), Y12, Y0
	VMASKMOVPS 32(R14), Y13, Y1
	VMOVUPS    Y0, (DI)
	VMOVUPS    Y1, 32(DI)
	ADDQ       R11, R14
	ADDQ       $64, DI
	DECQ       CX
	JNZ        packbpart

tiles:
	GEMMPA(R12)
	MOVQ m+48(FP), BX
	MOVQ R13, R10

tile:
	LEAQ    (R10)(R8*4), R11
	LEAQ    (R11)(R8*2), R14
	LEAQ    64(R13), CX
	CMPQ    BX, $6
	CMOVQLE CX, R14
	GEMMPREFETCHC
	CMPQ    BX, $6
	JB      loadpart
	CMPQ    AX, $16
	JB      loadpart
	GEMMLOAD6
	JMP     kloop

loadpart:
	GEMMLOADPART

kloop:
	// R14 walks the next panel's rows of B by R11 in the first 4 tiles;
	// after them it stays on this panel's (in L1).
	MOVQ R12, SI
	GEMMPB(DI)
	MOVQ DI, R14
	XORQ R11, R11
	CMPQ 8(SP), $0
	JEQ  ksteps
	DECQ 8(SP)
	MOVQ 0(SP), R14
	MOVQ ldb+40(FP), R11
	SHLQ $2, R11

ksteps:
	MOVQ DX, CX
	SHRQ $2, CX
	JZ   k1
	PCALIGN $32

k4:
	GEMMSTEP(0, 0)
	GEMMSTEP(24, 64)
	GEMMSTEP(48, 128)
	GEMMSTEP(72, 192)
	PREFETCHT0 (R14)
	ADDQ       R11, R14
	ADDQ       $96, SI
	ADDQ       $256, DI
	DECQ       CX
	JNZ        k4

k1:
	MOVQ DX, CX
	ANDQ $3, CX
	JZ   kdone

k1loop:
	GEMMSTEP(0, 0)
	ADDQ $24, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  k1loop

kdone:
	MOVQ R14, 0(SP)
	LEAQ (R10)(R8*4), R11
	CMPQ BX, $6
	JB   storepart
	CMPQ AX, $16
	JB   storepart
	GEMMSTORE6
	JMP  tilenext

storepart:
	GEMMSTOREPART

tilenext:
	LEAQ   (R11)(R8*2), R10
	IMUL3Q $24, DX, CX
	ADDQ   CX, R12
	SUBQ   $6, BX
	JG     tile
	ADDQ   $64, R13
	SUBQ   $16, AX
	JG     panel
	VZEROUPPER
	RET
