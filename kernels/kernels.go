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
// that this package depends on nothing. They assume their preconditions
// (equal lengths, finite inputs where stated): package quant checks them
// before calling, so a kernel never has to.
package kernels

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

	// DequantizeZeroPoint stores float32(int32(q) - zero) / scale: an exact
	// int32 difference (the caller keeps zero within
	// [math.MinInt32+128, math.MaxInt32-128] so it cannot wrap), converted
	// to float32 with round to nearest even, then divided. zero = 0 gives
	// absmax dequantization, float32(q) / scale, bit for bit, which is why
	// there is no separate kernel for it.
	DequantizeZeroPoint func(dst []float32, src []int8, scale float32, zero int32)
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
