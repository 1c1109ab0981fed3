// Package kernels defines what a kernel set is: the table of low-level
// routines behind the public API of package quant.
//
// A kernel set is a value of type Set. Package fallback provides the pure-Go
// reference set, which is the specification; package quant adds sets written
// in assembly for particular CPUs, and package dispatch picks the best one the
// running CPU supports. Package kerneltest proves that a set matches the
// reference bit for bit.
//
// Kernels work on raw bit patterns ([]uint16 for binary16 and bfloat16) so
// that this package depends on nothing but package math. They assume their
// preconditions (equal lengths, finite inputs where stated): package quant
// checks them before calling, so a kernel never has to.
package kernels

import "math"

// Set is one implementation of every kernel. Every field must be non-nil.
//
// Where a kernel takes dst and src, len(dst) == len(src) is a precondition
// and exactly len(src) elements are written. Kernels never allocate, never
// modify src and never touch memory outside the slices they are given.
type Set struct {
	// Name identifies the set, for example "generic", "avx2" or "neon".
	Name string

	// Float32ToFloat16 converts to IEEE 754 binary16 with round to nearest
	// even; NaN becomes sign|0x7E00|mantissa>>13.
	Float32ToFloat16 func(dst []uint16, src []float32)
	// Float16ToFloat32 converts binary16 to float32 exactly; NaNs are quieted.
	Float16ToFloat32 func(dst []float32, src []uint16)
	// Float32ToBFloat16 rounds to nearest even, keeping subnormals; NaN
	// becomes bits>>16|0x0040.
	Float32ToBFloat16 func(dst []uint16, src []float32)
	// BFloat16ToFloat32 widens: bits<<16.
	BFloat16ToFloat32 func(dst []float32, src []uint16)

	// AbsMaxBits returns the largest of bits(x)&0x7FFFFFFF over src, or 0
	// for an empty src. On those patterns integer order is float order of
	// |x|, and +Inf (0x7F800000) and NaNs (above it) sort above every
	// finite value, so one result gives max|x| and tells whether src is
	// finite.
	AbsMaxBits func(src []float32) uint32
	// MinMaxKeys returns the smallest and largest order key of src, or
	// (0, 0) for an empty src. See OrderKey.
	MinMaxKeys func(src []float32) (min, max int32)

	// QuantizeAbsmax stores q = clamp(roundEven(x*scale), -127, 127) for
	// each x, where x*scale is a float32 product. src must hold no NaN.
	QuantizeAbsmax func(dst []int8, src []float32, scale float32)
	// QuantizeZeroPoint stores
	// q = clamp(roundEven(float32(x*scale) + zero), -128, 127): a rounded
	// float32 product, then a rounded float32 sum, never a fused
	// multiply-add. src must hold no NaN.
	QuantizeZeroPoint func(dst []int8, src []float32, scale, zero float32)
	// QuantizeAbsmaxChecked and QuantizeZeroPointChecked are the
	// quantizers above for inputs that may hold NaNs (the static
	// quantizers'): they report whether src holds one, in the same pass.
	// Every non-NaN value is quantized as above; what is stored for a
	// NaN is unspecified. scale is positive and finite.
	QuantizeAbsmaxChecked    func(dst []int8, src []float32, scale float32) (nan bool)
	QuantizeZeroPointChecked func(dst []int8, src []float32, scale, zero float32) (nan bool)

	// QuantizeAbsmaxFused is AbsMaxBits, the scale and QuantizeAbsmax in
	// one call. With m = AbsMaxBits(src): if 0 < m < 0x7F800000 (src is
	// finite and not all zeros) and s = 127/float32frombits(m), a float32
	// quotient, is finite, it does QuantizeAbsmax(dst, src, s) and
	// returns (m, s); otherwise it writes nothing and returns (m, 0). A
	// scale of 0 never comes out of the division, so it means "not done":
	// the caller handles those inputs (errors, all zeros) from m.
	QuantizeAbsmaxFused func(dst []int8, src []float32) (maxBits uint32, scale float32)
	// QuantizeZeroPointFused is MinMaxKeys, the parameters and
	// QuantizeZeroPoint in one call. With lo, hi = MinMaxKeys(src) and
	// min, max their floats: if both are finite, min < max as floats (so
	// {-0, +0} is not a range), |min| < 2^127, |max| < 2^127, and
	// s, z = ZeroPointOf(min, max) has s finite and z within
	// [math.MinInt32+128, math.MaxInt32-128], it does
	// QuantizeZeroPoint(dst, src, s, float32(z)) and returns
	// (lo, hi, s, int32(z)); otherwise it writes nothing and returns
	// (lo, hi, 0, 0). Scale 0 means "not done", as above.
	QuantizeZeroPointFused func(dst []int8, src []float32) (lo, hi int32, scale float32, zero int32)

	// DequantizeZeroPoint stores float32(int32(q) - zero) / scale: an exact
	// int32 difference (the caller keeps zero within
	// [math.MinInt32+128, math.MaxInt32-128] so it cannot wrap), converted
	// to float32 with round to nearest even, then divided. zero = 0 gives
	// absmax dequantization, float32(q) / scale, bit for bit, which is why
	// there is no separate kernel for it.
	DequantizeZeroPoint func(dst []float32, src []int8, scale float32, zero int32)

	// FakeQuantize stores, for each x, the dequantized value of its
	// quantization on the grid [qmin, qmax]: with
	// v = float32(x*scale) + float32(zero) (a rounded product, then a
	// rounded sum, never fused) and q = clamp(roundEven(v), qmin, qmax),
	// it stores float32(q - zero) / scale (the exact int32 difference,
	// rounded once, then divided): QuantizeZeroPoint's arithmetic on that
	// grid followed by DequantizeZeroPoint's, bit for bit. src may hold
	// NaNs: it reports whether it does, in the same pass (what it stores
	// for a NaN is unspecified). scale is positive and finite;
	// -128 <= qmin <= qmax <= 127 and zero lies within
	// [math.MinInt32+128, math.MaxInt32-128]. dst may be src.
	FakeQuantize func(dst, src []float32, scale float32, zero, qmin, qmax int32) (nan bool)
	// FakeQuantizeMask is FakeQuantize that also stores in mask[i] 1 if
	// roundEven(v) of x[i] lies within [qmin, qmax] before the clamp, else
	// 0: the straight-through estimator's mask, where the gradient
	// passes. mask holds len(src) bytes. Unlike FakeQuantize it takes no
	// NaN.
	FakeQuantizeMask func(dst, src []float32, mask []uint8, scale float32, zero, qmin, qmax int32)
	// MaskGradient stores grad[i] where mask[i] is 1 and +0 where it is 0
	// (the only values a mask holds): the backward pass of fake
	// quantization. dst may be grad.
	MaskGradient func(dst, grad []float32, mask []uint8)

	// ErrorSums returns, over the pairs (x[i], y[i]) of x and y (equal
	// lengths), with e = float64(x) - float64(y): the sum of e*e, the sum
	// of float64(x)*float64(x), and the largest |e|. Every product and
	// sum is a float64 operation rounded to nearest (never fused), and
	// the sums run in a fixed order: pair i goes to lane i%16, each lane
	// adds its pairs in index order from +0, and the lanes are added as
	// ErrorLanes does. That is for finite inputs; if x or y holds a NaN or
	// an infinity, sse or ss is NaN or infinite (maxAbs unspecified).
	ErrorSums func(x, y []float32) (sse, ss, maxAbs float64)

	// The interop kernels compute what PyTorch and ONNX Runtime compute,
	// bit for bit, with parameters in their form (x ~ (q - zero) * scale).
	//
	// QuantizePyTorch stores
	// q = clamp(float32(roundEven(float32(x*inv)) + zero), -128, 127): the
	// product rounded to float32 and to an integer before the zero point
	// is added (PyTorch's quantize_per_tensor, where inv is the float32
	// 1/scale). QuantizeONNX is the same with the float32 quotient x/scale
	// for the product (ONNX QuantizeLinear). Both report whether src holds
	// a NaN, in the same pass; what they store for one is unspecified.
	// inv and scale are positive and finite; zero is an integer.
	QuantizePyTorch func(dst []int8, src []float32, inv, zero float32) (nan bool)
	QuantizeONNX    func(dst []int8, src []float32, scale, zero float32) (nan bool)
	// DequantizeAffine stores float32(int32(q) - zero) * scale (the
	// difference exact, converted with round to nearest even, then a
	// float32 product): PyTorch's dequantize and ONNX DequantizeLinear.
	// zero lies within [math.MinInt32+128, math.MaxInt32-128].
	DequantizeAffine func(dst []float32, src []int8, scale float32, zero int32)
	// FakeQuantizePyTorch is PyTorch's fake_quantize_per_tensor_affine:
	// with v = float32(roundEven(float32(x*inv)) + float32(zero)) and
	// q = clamp(v, qmin, qmax), it stores float32(q - zero) * scale, and,
	// if mask is not nil, mask[i] = 1 where qmin <= v <= qmax, else 0
	// (the _cachemask form's mask). It reports whether src holds a NaN,
	// in the same pass (dst and mask unspecified for one). inv and scale
	// are positive and finite, -2^23 <= qmin <= zero <= qmax <= 2^23 (so
	// that q - zero is exact in float32). dst may be src.
	FakeQuantizePyTorch func(dst, src []float32, mask []uint8, inv, scale float32, zero, qmin, qmax int32) (nan bool)

	// AbsMaxBits16 and MinMaxKeys16 are AbsMaxBits and MinMaxKeys on 16-bit
	// floats: the largest bits&0x7FFF, and the smallest and largest
	// OrderKey16. Binary16 and bfloat16 both order like their bits, so one
	// kernel serves both formats; the caller widens the result. Both return
	// 0 for an empty src.
	AbsMaxBits16 func(src []uint16) uint16
	MinMaxKeys16 func(src []uint16) (min, max int16)

	// Float16 and BFloat16 quantize from and dequantize to 16-bit formats
	// without a float32 buffer.
	Float16  Format16
	BFloat16 Format16

	// Blockwise kernels cut src into whole blocks of block values (block
	// is a positive multiple of 8 and len(src) a multiple of block) and do
	// per block what their namesakes do per slice: block i reads or
	// writes element i of the per-block slices, which hold exactly
	// len(src)/block elements. They spare small blocks a call each.
	AbsMaxBitsBlocks        func(dst []uint32, src []float32, block int)
	MinMaxKeysBlocks        func(lo, hi []int32, src []float32, block int)
	AbsMaxBits16Blocks      func(dst []uint16, src []uint16, block int)
	MinMaxKeys16Blocks      func(lo, hi []int16, src []uint16, block int)
	QuantizeAbsmaxBlocks    func(dst []int8, src []float32, scales []float32, block int)
	QuantizeZeroPointBlocks func(dst []int8, src []float32, scales, zeros []float32, block int)

	// ZeroPointParamsBlocks computes zero-point parameters from the order
	// keys of blocks (MinMaxKeysBlocks's results): for each i, with min
	// and max the floats of lo[i] and hi[i], ZeroPointOf(min, max) if
	// min < max, and scales[i] = zeros[i] = 0 if min == max (a constant
	// block, for the caller to handle). Every block must be one the
	// caller has checked: finite, with a finite scale and a zero point
	// within [math.MinInt32+128, math.MaxInt32-128]. Done in a vector
	// kernel, the float64 divisions of many blocks overlap.
	ZeroPointParamsBlocks func(scales []float32, zeros []int32, lo, hi []int32)

	// EncodeQ8_0 writes GGUF Q8_0 blocks: for each 32 values of src, the
	// 34 bytes d (binary16, little-endian) and 32 int8 q, where
	//
	//	a  = max|x| over the block
	//	d  = ToFloat16(a / 127)            (a float32 quotient, then RNE)
	//	id = 1 / FromFloat16(d), or 0 if d is 0
	//	q  = clamp(roundEven(x*id), -127, 127)
	//
	// len(src) is a multiple of 32 and len(dst) is len(src)/32*34. src must
	// be finite with a/127 below 65520, so that every d is finite.
	EncodeQ8_0 func(dst []byte, src []float32)
	// DecodeQ8_0 stores float32(q) * FromFloat16(d) (exact) for each q of
	// each 34-byte block of src. len(src) is a multiple of 34 and len(dst)
	// is len(src)/34*32.
	DecodeQ8_0 func(dst []float32, src []byte)

	// EncodeQ4_0 writes GGUF Q4_0 blocks: for each 32 values of src, d
	// (binary16, little-endian), then 16 bytes, byte j holding q of value
	// j in its low nibble and of value j+16 in its high one, where
	//
	//	e  = the first value of largest magnitude in the block
	//	d  = ToFloat16(e / -8)            (a float32 quotient, then RNE)
	//	id = 1 / FromFloat16(d), or 0 if d is ±0
	//	q  = clamp(roundEven(x*id) + 8, 0, 15)
	//
	// len(src) is a multiple of 32 and len(dst) is len(src)/32*18. src
	// must be finite with |e|/8 below 65520.
	EncodeQ4_0 func(dst []byte, src []float32)
	// DecodeQ4_0 stores float32(q - 8) * FromFloat16(d) (exact).
	DecodeQ4_0 func(dst []float32, src []byte)
	// EncodeQ4_1 writes GGUF Q4_1 blocks: d and m (binary16), then the
	// nibbles as in Q4_0, where, with min and max the block's smallest and
	// largest values (the first of equals, which sets a zero's sign),
	//
	//	d  = ToFloat16((max - min) / 15)  (float32 operations, then RNE)
	//	m  = ToFloat16(min)
	//	id = 1 / FromFloat16(d), or 0 if d is ±0
	//	q  = clamp(roundEven(float32(x - FromFloat16(m)) * id), 0, 15)
	//
	// len(dst) is len(src)/32*20. src must be finite with max - min
	// finite in float32 and d and m finite.
	EncodeQ4_1 func(dst []byte, src []float32)
	// DecodeQ4_1 stores float32(q)*FromFloat16(d) + FromFloat16(m), the
	// product exact, the sum rounded once: a multiply, then an add, so
	// that with d and m both NaN, d's NaN (quieted) is the result.
	DecodeQ4_1 func(dst []float32, src []byte)

	// MulAddAtB adds the matrix product Aᵀ·B to C, one fused multiply-add
	// at a time in a fixed order: for i < m, j < n and p = 0, 1, ..., k-1
	// in that order,
	//
	//	c[i*ldc+j] = fma(at[p*lda+i], b[p*ldb+j], c[i*ldc+j])
	//
	// where fma rounds a*b + c once to float32 (IEEE 754
	// fusedMultiplyAdd). A is given transposed (k rows of m), B as k rows of
	// n, C as m rows of n, each row-major with the stride given. The order
	// per element is all that is fixed: kernels may visit elements in any
	// order and split k anywhere, so the same inputs give the same bits
	// whatever the blocking, SIMD width or tiling. m, n, k >= 0, strides at
	// least the row lengths, slices long enough for every element named;
	// inputs finite (a result that overflows is ±Inf; a NaN that follows
	// from it has unspecified bits). C must not overlap A or B.
	MulAddAtB func(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int)
}

// Format16 holds the kernels for a 16-bit format (binary16 or bfloat16),
// in both directions. Those that read it (the quantizers and EncodeQ8_0)
// compute on its exact float32 value; those that write it
// (DequantizeZeroPoint and DecodeQ8_0) round their float32 result with
// the format's conversion (Float32ToFloat16 or Float32ToBFloat16). Each
// matches its float32 namesake preceded or followed by the conversion,
// bit for bit.
type Format16 struct {
	QuantizeAbsmax           func(dst []int8, src []uint16, scale float32)
	QuantizeZeroPoint        func(dst []int8, src []uint16, scale, zero float32)
	QuantizeAbsmaxChecked    func(dst []int8, src []uint16, scale float32) (nan bool)
	QuantizeZeroPointChecked func(dst []int8, src []uint16, scale, zero float32) (nan bool)
	EncodeQ8_0               func(dst []byte, src []uint16)
	DequantizeZeroPoint      func(dst []uint16, src []int8, scale float32, zero int32)
	DecodeQ8_0               func(dst []uint16, src []byte)
	EncodeQ4_0               func(dst []byte, src []uint16)
	DecodeQ4_0               func(dst []uint16, src []byte)
	EncodeQ4_1               func(dst []byte, src []uint16)
	DecodeQ4_1               func(dst []uint16, src []byte)

	// The interop kernels, as in Set.
	QuantizePyTorch  func(dst []int8, src []uint16, inv, zero float32) (nan bool)
	QuantizeONNX     func(dst []int8, src []uint16, scale, zero float32) (nan bool)
	DequantizeAffine func(dst []uint16, src []int8, scale float32, zero int32)

	// Blockwise, as in Set.
	QuantizeAbsmaxBlocks    func(dst []int8, src []uint16, scales []float32, block int)
	QuantizeZeroPointBlocks func(dst []int8, src []uint16, scales, zeros []float32, block int)
}

// ZeroPointOf returns the scale and zero point of zero-point quantization
// of values from min to max (min < max, both finite), unchecked:
//
//	scale = float32(255 / (float64(max) - float64(min)))
//	zero  = -roundEven(float32(scale*min)) - 128
//
// The float64 difference keeps ranges beyond float32 finite. zero is
// float64 so that the caller can check that it fits (scale*min may even
// overflow to an infinity); the caller also checks that scale is finite.
func ZeroPointOf(min, max float32) (scale float32, zero float64) {
	s := float32(255 / (float64(max) - float64(min)))
	return s, -math.RoundToEven(float64(s*min)) - 128
}

// OrderKey maps float32 bits to an int32 whose signed order is the IEEE 754
// total order: -NaN < -Inf < ... < -0 < +0 < ... < +Inf < +NaN. Negative
// values get their magnitude bits flipped, which SIMD code does with a
// shift, an and and a xor.
func OrderKey(bits uint32) int32 {
	k := int32(bits)
	return k ^ int32(uint32(k>>31)>>1)
}

// KeyBits is the inverse of OrderKey.
func KeyBits(k int32) uint32 {
	return uint32(k ^ int32(uint32(k>>31)>>1))
}

// Keys of the infinities: a MinMaxKeys result outside [KeyNegInf, KeyPosInf]
// means src holds a NaN.
const (
	KeyPosInf int32 = 0x7F800000
	KeyNegInf int32 = -0x7F800001 // OrderKey(0xFF800000)
)

// OrderKey16 is OrderKey for 16-bit floats (binary16 and bfloat16).
func OrderKey16(bits uint16) int16 {
	k := int16(bits)
	return k ^ int16(uint16(k>>15)>>1)
}

// KeyBits16 is the inverse of OrderKey16.
func KeyBits16(k int16) uint16 {
	return uint16(k ^ int16(uint16(k>>15)>>1))
}

// Q8_0 block layout: 32 values per block, stored as a binary16 scale and
// 32 int8 quants.
const (
	Q8_0Values = 32
	Q8_0Bytes  = 2 + Q8_0Values
)

// Q4_0 and Q4_1 block layouts: 32 values per block, stored as binary16
// parameters (d; d and m) and 16 bytes of nibbles.
const (
	Q4Values  = 32
	Q4_0Bytes = 2 + Q4Values/2
	Q4_1Bytes = 4 + Q4Values/2
)

// ErrorLanes adds the 16 lane sums of ErrorSums in its fixed order: lanes
// l and l+8, then l and l+4, then l and l+2, then the last two, each
// step on pairs of the previous step's results (a tree that SIMD code
// folds by halving its registers).
func ErrorLanes(l *[16]float64) float64 {
	var a [8]float64
	for i := range 8 {
		a[i] = l[i] + l[i+8]
	}
	for i := range 4 {
		a[i] += a[i+4]
	}
	for i := range 2 {
		a[i] += a[i+2]
	}
	return a[0] + a[1]
}
