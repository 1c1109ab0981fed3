package quant

import (
	"fmt"
	"math"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// Q4_0 and Q4_1 are llama.cpp's GGUF block formats for 4-bit weights. A
// block holds 32 values: Q4_0 stores d (binary16, little-endian) and 16
// bytes with x ≈ d·(q − 8); Q4_1 stores d and m (binary16) and 16 bytes
// with x ≈ d·q + m. Byte j of the 16 holds q of value j in its low nibble
// and q of value j+16 in its high nibble.
const (
	Q4Values  = kernels.Q4Values  // 32
	Q4_0Bytes = kernels.Q4_0Bytes // 18
	Q4_1Bytes = kernels.Q4_1Bytes // 20
)

// EncodeQ4_0 quantizes src into Q4_0 blocks in dst, len(src)/32 blocks of
// 18 bytes. For each block, with e its first value of largest magnitude:
//
//	d = Float16FromFloat32(e / -8)            (a float32 quotient, then binary16)
//	q = clamp(roundEven(x * (1/d)) + 8, 0, 15)   (q = 8 if d is 0)
//
// where 1/d and x*(1/d) are float32 operations on d as stored. d is the
// value llama.cpp stores, byte for byte (its quantize_row_q4_0_ref), and
// e maps to q = 0. llama.cpp then rounds x/d' + 8.5 down, with d' the
// scale before its rounding to binary16; EncodeQ4_0 rounds half to even
// against the stored d, which puts every reconstruction d·(q − 8) at
// least as close to x (up to float32 rounding), except where the clamp
// binds.
//
// It returns an error wrapping ErrNotFinite if src holds a NaN or an
// infinity, and ErrRange if a block's |e|/8 rounds beyond the largest
// binary16 (|e| above about 524,000), naming the first such block; dst is
// then left untouched. It panics if len(src) is not a multiple of 32 or
// dst is shorter than len(src)/32*18 bytes.
func EncodeQ4_0[T Float](dst []byte, src []T) error {
	const fn = "EncodeQ4_0"
	n := len(src)
	checkEncodeLens(fn, len(dst), n, Q4_0Bytes)
	s := sourceOf(active(), src)
	// One reduction decides: d grows with |e|.
	if m := s.absMaxBits(0, n); m >= 0x7F800000 || q4_0Overflows(math.Float32frombits(m)) {
		if err := q4Error(fn, s, func(lo, hi int) error {
			if a := math.Float32frombits(s.absMaxBits(lo, hi)); q4_0Overflows(a) {
				return fmt.Errorf("%w: max|x| = %g, beyond 8 times the largest binary16", ErrRange, a)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	s.encode(q4_0Codec, dst, 0, n)
	return nil
}

func q4_0Overflows(a float32) bool { return fallback.ToFloat16(a/8)&0x7FFF == 0x7C00 }

// EncodeQ4_1 quantizes src into Q4_1 blocks in dst, len(src)/32 blocks of
// 20 bytes. For each block, with min and max its smallest and largest
// values:
//
//	d = Float16FromFloat32((max − min) / 15)   (float32 operations, then binary16)
//	m = Float16FromFloat32(min)
//	q = clamp(roundEven((x − m) * (1/d)), 0, 15)   (q = 0 if d is 0)
//
// each operation in float32 on d and m as stored. d and m are llama.cpp's
// (quantize_row_q4_1_ref), byte for byte, a zero min keeping the sign of
// its first occurrence; llama.cpp rounds (x − min)/d' + 0.5 down against
// the unrounded min and d', EncodeQ4_1 half to even against the stored
// ones (see EncodeQ4_0).
//
// It returns an error wrapping ErrNotFinite if src holds a NaN or an
// infinity, and ErrRange if a block's min or (max − min)/15 rounds beyond
// the largest binary16, naming the first such block; dst is then left
// untouched. It panics as EncodeQ4_0 does (20 bytes a block).
func EncodeQ4_1[T Float](dst []byte, src []T) error {
	const fn = "EncodeQ4_1"
	n := len(src)
	checkEncodeLens(fn, len(dst), n, Q4_1Bytes)
	s := sourceOf(active(), src)
	// Values below 65520 in magnitude make every min and every d/15
	// representable; only inputs beyond that need a look at each block.
	if m := s.absMaxBits(0, n); m >= 0x7F800000 || math.Float32frombits(m) >= 65520 {
		if err := q4Error(fn, s, func(lo, hi int) error {
			kmin, kmax := s.minMaxKeys(lo, hi)
			min, max := math.Float32frombits(kernels.KeyBits(kmin)), math.Float32frombits(kernels.KeyBits(kmax))
			if fallback.ToFloat16(min)&0x7FFF == 0x7C00 || fallback.ToFloat16((max-min)/15)&0x7FFF == 0x7C00 {
				return fmt.Errorf("%w: range [%g, %g] beyond binary16 (min, or 15 times its largest, exceeded)", ErrRange, min, max)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	s.encode(q4_1Codec, dst, 0, n)
	return nil
}

// q4Error returns the error of the first block of s that holds a NaN or
// an infinity or for which check fails, or nil.
func q4Error(fn string, s source, check func(lo, hi int) error) error {
	for b := 0; b < s.len()/Q4Values; b++ {
		lo, hi := b*Q4Values, (b+1)*Q4Values
		if s.absMaxBits(lo, hi) >= 0x7F800000 {
			return groupError(fn, PerBlock(Q4Values), b, s, lo, hi, ErrNotFinite)
		}
		if err := check(lo, hi); err != nil {
			return fmt.Errorf("quant: %s: block %d: %w", fn, b, err)
		}
	}
	return nil
}

// DecodeQ4_0 stores d·(q − 8) for each nibble q of each Q4_0 block in src,
// as float32 (exact) and then, for a 16-bit T, rounded to T. It panics if
// len(src) is not a multiple of 18 or dst holds fewer than len(src)/18*32
// values.
func DecodeQ4_0[T Float](dst []T, src []byte) {
	n := checkDecodeLens("DecodeQ4_0", len(dst), len(src), Q4_0Bytes)
	sinkOf(active(), dst).decode(q4_0Codec, 0, n, src)
}

// DecodeQ4_1 stores d·q + m for each nibble q of each Q4_1 block in src:
// the product is exact in float32 and the sum rounded once, so the result
// is the same whether or not a multiply-add is fused (llama.cpp's
// compiled code may fuse it). A 16-bit T gets it rounded. It panics if
// len(src) is not a multiple of 20 or dst holds fewer than len(src)/20*32
// values.
func DecodeQ4_1[T Float](dst []T, src []byte) {
	n := checkDecodeLens("DecodeQ4_1", len(dst), len(src), Q4_1Bytes)
	sinkOf(active(), dst).decode(q4_1Codec, 0, n, src)
}
