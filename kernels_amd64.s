//go:build !purego && !noasm

#include "textflag.h"

// func bfloat16ToFloat32AVX2(dst []float32, src []uint16)
// Widens 8 values per vector: zero-extend to 32 bits, shift into the top
// half. The tail is done one value at a time.
TEXT ·bfloat16ToFloat32AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	XORQ AX, AX

loop8:
	LEAQ 8(AX), DX
	CMPQ DX, CX
	JA   tail
	VPMOVZXWD (SI)(AX*2), Y0
	VPSLLD    $16, Y0, Y0
	VMOVDQU   Y0, (DI)(AX*4)
	MOVQ      DX, AX
	JMP       loop8

tail:
	CMPQ AX, CX
	JAE  done
	MOVWLZX (SI)(AX*2), DX
	SHLL    $16, DX
	MOVL    DX, (DI)(AX*4)
	INCQ    AX
	JMP     tail

done:
	VZEROUPPER
	RET
