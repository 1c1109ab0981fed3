package quant

import (
	"fmt"
	"math"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// Q8_0 is llama.cpp's GGUF block format for 8-bit weights: each block of
// Q8_0Values values is stored in Q8_0Bytes bytes, the scale d as a
// little-endian binary16, then Q8_0Values int8 quants q, with x ≈ d*q.
const (
	Q8_0Values = kernels.Q8_0Values // 32
	Q8_0Bytes  = kernels.Q8_0Bytes  // 34
)

// EncodeQ8_0 quantizes src into Q8_0 blocks in dst, len(src)/32 blocks of
// 34 bytes. For each block, with a = max|x| over it:
//
//	d  = Float16FromFloat32(a / 127)       (a float32 quotient, then binary16)
//	q  = clamp(roundEven(x * (1/d)), -127, 127)    (0 if d is 0)
//
// where 1/d and x*(1/d) are float32 operations on d as stored. d is the
// value llama.cpp stores, byte for byte; llama.cpp then rounds x/d' half
// away from zero with d' the scale before its rounding to binary16, while
// EncodeQ8_0 rounds half to even against the stored d, which puts every
// reconstruction d*q at least as close to x (up to float32 rounding of
// the product), except where the clamp binds.
//
// It returns an error wrapping ErrNotFinite if src holds a NaN or an
// infinity, and ErrRange if a block's a/127 rounds beyond the largest
// binary16 (a above about 8.3e6), naming the first such block; dst is then
// left untouched. It panics if len(src) is not a multiple of 32 or dst is
// shorter than len(src)/32*34 bytes.
func EncodeQ8_0[T Float](dst []byte, src []T) error {
	const fn = "EncodeQ8_0"
	n := len(src)
	checkEncodeLens(fn, len(dst), n, Q8_0Bytes)
	s := sourceOf(active(), src)
	// One reduction over the whole input decides whether any block fails:
	// d grows with a, so the block holding the largest a fails first.
	if m := s.absMaxBits(0, n); m >= 0x7F800000 || fallback.ToFloat16(math.Float32frombits(m)/127)&0x7FFF == 0x7C00 {
		return q8_0Error(fn, s)
	}
	s.encode(q8_0Codec, dst, 0, n)
	return nil
}

// q8_0Error finds the first failing block of s and describes it.
func q8_0Error(fn string, s source) error {
	for b := 0; b < s.len()/Q8_0Values; b++ {
		lo, hi := b*Q8_0Values, (b+1)*Q8_0Values
		m := s.absMaxBits(lo, hi)
		if m >= 0x7F800000 {
			return groupError(fn, PerBlock(Q8_0Values), b, s, lo, hi, ErrNotFinite)
		}
		if a := math.Float32frombits(m); fallback.ToFloat16(a/127)&0x7FFF == 0x7C00 {
			return fmt.Errorf("quant: %s: block %d: %w: max|x| = %g, beyond 127 times the largest binary16", fn, b, ErrRange, a)
		}
	}
	panic("quant: " + fn + ": reduction reported a failing block that is not there")
}

// DecodeQ8_0 stores d*q for each quant q of each Q8_0 block in src, as
// float32 (exact: an 8-bit integer times a binary16 fits float32) and
// then, for a 16-bit T, rounded to T. It panics if len(src) is not a
// multiple of 34 or dst holds fewer than len(src)/34*32 values.
func DecodeQ8_0[T Float](dst []T, src []byte) {
	n := checkDecodeLens("DecodeQ8_0", len(dst), len(src), Q8_0Bytes)
	sinkOf(active(), dst).decode(q8_0Codec, 0, n, src)
}

// checkEncodeLens panics unless n values are whole blocks of 32 and dst
// holds their blocks of size bytes.
func checkEncodeLens(fn string, ndst, n, size int) {
	if n%Q8_0Values != 0 {
		panic("quant: " + fn + ": len(src) = " + itoa(n) + " is not a multiple of 32")
	}
	if need := n / Q8_0Values * size; ndst < need {
		panic("quant: " + fn + ": len(dst) = " + itoa(ndst) + " < " + itoa(need) + " bytes for " + itoa(n) + " values")
	}
}

// checkDecodeLens panics unless nsrc bytes are whole blocks of size bytes
// and dst holds their values, and returns how many values they hold.
func checkDecodeLens(fn string, ndst, nsrc, size int) int {
	if nsrc%size != 0 {
		panic("quant: " + fn + ": len(src) = " + itoa(nsrc) + " is not a multiple of " + itoa(size))
	}
	n := nsrc / size * Q8_0Values
	if ndst < n {
		panic("quant: " + fn + ": len(dst) = " + itoa(ndst) + " < " + itoa(n) + " values for " + itoa(nsrc) + " bytes")
	}
	return n
}
