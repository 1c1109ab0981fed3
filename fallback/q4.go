package fallback

import (
	"math"

	"github.com/qkernels/quant/kernels"
)

// The GGUF 4-bit formats. A block of 32 values stores binary16
// parameters, then 16 bytes of nibbles: byte j holds value j in its low
// nibble and value j+16 in its high one. The parameters are the ones
// llama.cpp stores, byte for byte; the nibbles are rounded half to even
// against the parameters as stored, so each reconstruction is the grid
// point nearest to x (up to float32 rounding) where llama.cpp rounds
// half up against the parameters before their rounding to binary16.

// Q4_0Extreme returns the value of largest magnitude in x, the first one
// if several share it (llama.cpp's choice: its sign sets the sign of d).
func Q4_0Extreme(x []float32) float32 {
	var a uint32
	e := float32(0)
	for _, v := range x {
		if m := math.Float32bits(v) & 0x7FFFFFFF; m > a {
			a, e = m, v
		}
	}
	return e
}

// Q4_1Range returns the smallest and largest values of x in float order,
// each the first one if several compare equal (which decides the sign of
// a zero minimum, as llama.cpp stores it).
func Q4_1Range(x []float32) (min, max float32) {
	min, max = math.MaxFloat32, -math.MaxFloat32
	for _, v := range x {
		if v < min {
			min = v
		}
		if v > max {
			max = v
		}
	}
	return min, max
}

// reciprocal returns 1/d in float32, or 0 for a zero d.
func reciprocal(d uint16) float32 {
	if d&0x7FFF == 0 {
		return 0
	}
	return 1 / FromFloat16(d)
}

// EncodeQ4_0 writes one GGUF Q4_0 block (18 bytes) to dst for each 32
// values of src:
//
//	e  = Q4_0Extreme(block)
//	d  = ToFloat16(e / -8)        (a float32 quotient, then RNE)
//	id = 1 / FromFloat16(d), or 0 if d is ±0
//	q  = clamp(roundEven(x*id) + 8, 0, 15)
//
// src must be finite with |e|/8 below 65520, so that every d is finite.
func EncodeQ4_0(dst []byte, src []float32) {
	const n, size = kernels.Q4Values, kernels.Q4_0Bytes
	for b := 0; b < len(src)/n; b++ {
		x, out := src[b*n:(b+1)*n], dst[b*size:(b+1)*size]
		d := ToFloat16(Q4_0Extreme(x) / -8)
		out[0], out[1] = byte(d), byte(d>>8)
		packNibbles(out[2:], x, func(v float32) float32 {
			return float32(math.RoundToEven(float64(v*reciprocal(d)))) + 8
		})
	}
}

// EncodeQ4_1 writes one GGUF Q4_1 block (20 bytes: d, m, nibbles) to dst
// for each 32 values of src:
//
//	min, max = Q4_1Range(block)
//	d  = ToFloat16((max - min) / 15)   (float32 difference and quotient)
//	m  = ToFloat16(min)
//	id = 1 / FromFloat16(d), or 0 if d is ±0
//	q  = clamp(roundEven((x - FromFloat16(m)) * id), 0, 15)
//
// with the difference and the product rounded to float32. src must be
// finite with (max - min)/15 and min within binary16's range.
func EncodeQ4_1(dst []byte, src []float32) {
	const n, size = kernels.Q4Values, kernels.Q4_1Bytes
	for b := 0; b < len(src)/n; b++ {
		x, out := src[b*n:(b+1)*n], dst[b*size:(b+1)*size]
		lo, hi := Q4_1Range(x)
		d, m := ToFloat16((hi-lo)/15), ToFloat16(lo)
		out[0], out[1], out[2], out[3] = byte(d), byte(d>>8), byte(m), byte(m>>8)
		id, mf := reciprocal(d), FromFloat16(m)
		packNibbles(out[4:], x, func(v float32) float32 {
			return float32(math.RoundToEven(float64((v - mf) * id)))
		})
	}
}

// packNibbles stores clamp(q(x), 0, 15) of the 32 values x as 16 bytes.
func packNibbles(out []byte, x []float32, q func(float32) float32) {
	nib := func(v float32) byte { return byte(min(max(q(v), 0), 15)) }
	for j := range 16 {
		out[j] = nib(x[j]) | nib(x[j+16])<<4
	}
}

// DecodeQ4_0 stores float32(q - 8) * FromFloat16(d) (exact) for each
// nibble q of each Q4_0 block of src.
func DecodeQ4_0(dst []float32, src []byte) {
	const n, size = kernels.Q4Values, kernels.Q4_0Bytes
	for b := 0; b < len(src)/size; b++ {
		in, out := src[b*size:(b+1)*size], dst[b*n:(b+1)*n]
		d := FromFloat16(uint16(in[0]) | uint16(in[1])<<8)
		for j, c := range in[2:] {
			out[j] = float32(int(c&15)-8) * d
			out[j+16] = float32(int(c>>4)-8) * d
		}
	}
}

// DecodeQ4_1 stores float32(q) * FromFloat16(d) + FromFloat16(m) for each
// nibble q of each Q4_1 block of src: the product is exact, so fusing it
// into the sum (as llama.cpp's compiled code may) changes no finite
// result. The conversion keeps Go from fusing it anyway, so that a NaN
// d wins over a NaN m on every architecture, as it does in a separate
// multiply and add. (Infinite d and m of opposite signs give the
// hardware's default NaN, which differs between amd64 and arm64.)
func DecodeQ4_1(dst []float32, src []byte) {
	const n, size = kernels.Q4Values, kernels.Q4_1Bytes
	for b := 0; b < len(src)/size; b++ {
		in, out := src[b*size:(b+1)*size], dst[b*n:(b+1)*n]
		d := FromFloat16(uint16(in[0]) | uint16(in[1])<<8)
		m := FromFloat16(uint16(in[2]) | uint16(in[3])<<8)
		for j, c := range in[4:] {
			out[j] = float32(float32(c&15)*d) + m
			out[j+16] = float32(float32(c>>4)*d) + m
		}
	}
}

// The 16-bit Q4 kernels: the float32 ones on each block's widened
// values, and the decoders rounded to the format. (Each calls its float32
// kernel directly: through a function value the block buffer would
// escape to the heap.)

func EncodeQ4_0Float16(dst []byte, src []uint16) {
	var x [kernels.Q4Values]float32
	for b := range len(src) / kernels.Q4Values {
		EncodeQ4_0(dst[b*kernels.Q4_0Bytes:(b+1)*kernels.Q4_0Bytes], widenBlock(&x, src, b, FromFloat16))
	}
}

func EncodeQ4_0BFloat16(dst []byte, src []uint16) {
	var x [kernels.Q4Values]float32
	for b := range len(src) / kernels.Q4Values {
		EncodeQ4_0(dst[b*kernels.Q4_0Bytes:(b+1)*kernels.Q4_0Bytes], widenBlock(&x, src, b, FromBFloat16))
	}
}

func EncodeQ4_1Float16(dst []byte, src []uint16) {
	var x [kernels.Q4Values]float32
	for b := range len(src) / kernels.Q4Values {
		EncodeQ4_1(dst[b*kernels.Q4_1Bytes:(b+1)*kernels.Q4_1Bytes], widenBlock(&x, src, b, FromFloat16))
	}
}

func EncodeQ4_1BFloat16(dst []byte, src []uint16) {
	var x [kernels.Q4Values]float32
	for b := range len(src) / kernels.Q4Values {
		EncodeQ4_1(dst[b*kernels.Q4_1Bytes:(b+1)*kernels.Q4_1Bytes], widenBlock(&x, src, b, FromBFloat16))
	}
}

func DecodeQ4_0Float16(dst []uint16, src []byte) {
	var x [kernels.Q4Values]float32
	for b := range len(src) / kernels.Q4_0Bytes {
		DecodeQ4_0(x[:], src[b*kernels.Q4_0Bytes:(b+1)*kernels.Q4_0Bytes])
		narrowBlock(dst, b, &x, ToFloat16)
	}
}

func DecodeQ4_0BFloat16(dst []uint16, src []byte) {
	var x [kernels.Q4Values]float32
	for b := range len(src) / kernels.Q4_0Bytes {
		DecodeQ4_0(x[:], src[b*kernels.Q4_0Bytes:(b+1)*kernels.Q4_0Bytes])
		narrowBlock(dst, b, &x, ToBFloat16)
	}
}

func DecodeQ4_1Float16(dst []uint16, src []byte) {
	var x [kernels.Q4Values]float32
	for b := range len(src) / kernels.Q4_1Bytes {
		DecodeQ4_1(x[:], src[b*kernels.Q4_1Bytes:(b+1)*kernels.Q4_1Bytes])
		narrowBlock(dst, b, &x, ToFloat16)
	}
}

func DecodeQ4_1BFloat16(dst []uint16, src []byte) {
	var x [kernels.Q4Values]float32
	for b := range len(src) / kernels.Q4_1Bytes {
		DecodeQ4_1(x[:], src[b*kernels.Q4_1Bytes:(b+1)*kernels.Q4_1Bytes])
		narrowBlock(dst, b, &x, ToBFloat16)
	}
}

// widenBlock widens block b of src (32 values) into x and returns it.
func widenBlock(x *[32]float32, src []uint16, b int, widen func(uint16) float32) []float32 {
	for i, h := range src[b*32 : (b+1)*32] {
		x[i] = widen(h)
	}
	return x[:]
}

// narrowBlock narrows x into block b of dst.
func narrowBlock(dst []uint16, b int, x *[32]float32, narrow func(float32) uint16) {
	for i, v := range x {
		dst[b*32+i] = narrow(v)
	}
}
