package fallback

import (
	"math"

	"github.com/qkernels/quant/kernels"
)

// EncodeQ8_0 writes one GGUF Q8_0 block (34 bytes) to dst for each 32
// values of src:
//
//	a  = max|x| over the block
//	d  = ToFloat16(a / 127)            (a float32 quotient, then RNE)
//	id = 1 / FromFloat16(d), or 0 if d is 0
//	q  = clamp(roundEven(x*id), -127, 127)
//
// d is what llama.cpp stores; q is computed against d as stored, so the
// clamp binds when d rounded down. src must be finite with a/127 below
// 65520.
func EncodeQ8_0(dst []byte, src []float32) {
	const n, size = kernels.Q8_0Values, kernels.Q8_0Bytes
	for b := 0; b < len(src)/n; b++ {
		x, out := src[b*n:(b+1)*n], dst[b*size:(b+1)*size]
		d := ToFloat16(math.Float32frombits(AbsMaxBits(x)) / 127)
		var id float32
		if d&0x7FFF != 0 {
			id = 1 / FromFloat16(d)
		}
		out[0], out[1] = byte(d), byte(d>>8)
		for i, v := range x {
			out[2+i] = byte(roundClamp(v*id, -127, 127))
		}
	}
}

// DecodeQ8_0 stores float32(q) * FromFloat16(d) for each q of each Q8_0
// block of src. The product of an 8-bit integer and a binary16 value is
// exact in float32.
func DecodeQ8_0(dst []float32, src []byte) {
	const n, size = kernels.Q8_0Values, kernels.Q8_0Bytes
	for b := 0; b < len(src)/size; b++ {
		in, out := src[b*size:(b+1)*size], dst[b*n:(b+1)*n]
		d := FromFloat16(uint16(in[0]) | uint16(in[1])<<8)
		for i, q := range in[2:] {
			out[i] = float32(int8(q)) * d
		}
	}
}
