package fallback

import "github.com/qkernels/quant/kernels"

// AbsMaxBits16 returns the largest bits & 0x7FFF over src, 0 if src is
// empty: the bits of max|x| for binary16 and bfloat16 alike, since both
// order like their bits.
func AbsMaxBits16(src []uint16) uint16 {
	var m uint16
	for _, h := range src {
		m = max(m, h&0x7FFF)
	}
	return m
}

// MinMaxKeys16 returns the smallest and largest kernels.OrderKey16 over
// src, (0, 0) if src is empty.
func MinMaxKeys16(src []uint16) (lo, hi int16) {
	if len(src) == 0 {
		return 0, 0
	}
	lo, hi = 0x7FFF, -0x8000
	for _, h := range src {
		k := kernels.OrderKey16(h)
		lo, hi = min(lo, k), max(hi, k)
	}
	return lo, hi
}

// Float16 and BFloat16 are the reference kernels over binary16 and
// bfloat16 sources.
var (
	Float16 = kernels.Format16{
		QuantizeAbsmax:    QuantizeAbsmaxFloat16,
		QuantizeZeroPoint: QuantizeZeroPointFloat16,

		QuantizeAbsmaxChecked:    QuantizeAbsmaxFloat16Checked,
		QuantizeZeroPointChecked: QuantizeZeroPointFloat16Checked,
		EncodeQ8_0:               EncodeQ8_0Float16,
		DequantizeZeroPoint:      DequantizeZeroPointFloat16,
		DecodeQ8_0:               DecodeQ8_0Float16,
		EncodeQ4_0:               EncodeQ4_0Float16,
		DecodeQ4_0:               DecodeQ4_0Float16,
		EncodeQ4_1:               EncodeQ4_1Float16,
		DecodeQ4_1:               DecodeQ4_1Float16,

		QuantizePyTorch:  QuantizePyTorchFloat16,
		QuantizeONNX:     QuantizeONNXFloat16,
		DequantizeAffine: DequantizeAffineFloat16,

		QuantizeAbsmaxBlocks:    QuantizeAbsmaxFloat16Blocks,
		QuantizeZeroPointBlocks: QuantizeZeroPointFloat16Blocks,
	}
	BFloat16 = kernels.Format16{
		QuantizeAbsmax:    QuantizeAbsmaxBFloat16,
		QuantizeZeroPoint: QuantizeZeroPointBFloat16,

		QuantizeAbsmaxChecked:    QuantizeAbsmaxBFloat16Checked,
		QuantizeZeroPointChecked: QuantizeZeroPointBFloat16Checked,
		EncodeQ8_0:               EncodeQ8_0BFloat16,
		DequantizeZeroPoint:      DequantizeZeroPointBFloat16,
		DecodeQ8_0:               DecodeQ8_0BFloat16,
		EncodeQ4_0:               EncodeQ4_0BFloat16,
		DecodeQ4_0:               DecodeQ4_0BFloat16,
		EncodeQ4_1:               EncodeQ4_1BFloat16,
		DecodeQ4_1:               DecodeQ4_1BFloat16,

		QuantizePyTorch:  QuantizePyTorchBFloat16,
		QuantizeONNX:     QuantizeONNXBFloat16,
		DequantizeAffine: DequantizeAffineBFloat16,

		QuantizeAbsmaxBlocks:    QuantizeAbsmaxBFloat16Blocks,
		QuantizeZeroPointBlocks: QuantizeZeroPointBFloat16Blocks,
	}
)

// QuantizeAbsmaxFloat16 is QuantizeAbsmax on FromFloat16(h).
func QuantizeAbsmaxFloat16(dst []int8, src []uint16, scale float32) {
	quantizeAbsmax16(dst, src, scale, FromFloat16)
}

// QuantizeAbsmaxBFloat16 is QuantizeAbsmax on FromBFloat16(h).
func QuantizeAbsmaxBFloat16(dst []int8, src []uint16, scale float32) {
	quantizeAbsmax16(dst, src, scale, FromBFloat16)
}

// QuantizeZeroPointFloat16 is QuantizeZeroPoint on FromFloat16(h).
func QuantizeZeroPointFloat16(dst []int8, src []uint16, scale, zero float32) {
	quantizeZeroPoint16(dst, src, scale, zero, FromFloat16)
}

// QuantizeZeroPointBFloat16 is QuantizeZeroPoint on FromBFloat16(h).
func QuantizeZeroPointBFloat16(dst []int8, src []uint16, scale, zero float32) {
	quantizeZeroPoint16(dst, src, scale, zero, FromBFloat16)
}

// EncodeQ8_0Float16 is EncodeQ8_0 on FromFloat16(h).
func EncodeQ8_0Float16(dst []byte, src []uint16) { encodeQ8_016(dst, src, FromFloat16) }

// EncodeQ8_0BFloat16 is EncodeQ8_0 on FromBFloat16(h).
func EncodeQ8_0BFloat16(dst []byte, src []uint16) { encodeQ8_016(dst, src, FromBFloat16) }

// The checked 16-bit quantizers, as QuantizeAbsmaxChecked and
// QuantizeZeroPointChecked on the widened values.

func QuantizeAbsmaxFloat16Checked(dst []int8, src []uint16, scale float32) bool {
	return checked(dst[:len(src)], func(i int) float32 { return FromFloat16(src[i]) }, absmaxQ(scale))
}

func QuantizeAbsmaxBFloat16Checked(dst []int8, src []uint16, scale float32) bool {
	return checked(dst[:len(src)], func(i int) float32 { return FromBFloat16(src[i]) }, absmaxQ(scale))
}

func QuantizeZeroPointFloat16Checked(dst []int8, src []uint16, scale, zero float32) bool {
	return checked(dst[:len(src)], func(i int) float32 { return FromFloat16(src[i]) }, zeroPointQ(scale, zero))
}

func QuantizeZeroPointBFloat16Checked(dst []int8, src []uint16, scale, zero float32) bool {
	return checked(dst[:len(src)], func(i int) float32 { return FromBFloat16(src[i]) }, zeroPointQ(scale, zero))
}

func quantizeAbsmax16(dst []int8, src []uint16, scale float32, widen func(uint16) float32) {
	dst = dst[:len(src)]
	for i, h := range src {
		dst[i] = roundClamp(widen(h)*scale, -127, 127)
	}
}

func quantizeZeroPoint16(dst []int8, src []uint16, scale, zero float32, widen func(uint16) float32) {
	dst = dst[:len(src)]
	for i, h := range src {
		dst[i] = roundClamp(float32(widen(h)*scale)+zero, -128, 127)
	}
}

// encodeQ8_016 widens one block at a time into a stack array: the block
// is the unit of EncodeQ8_0, so the result is the same.
func encodeQ8_016(dst []byte, src []uint16, widen func(uint16) float32) {
	var x [kernels.Q8_0Values]float32
	for b := range len(src) / kernels.Q8_0Values {
		EncodeQ8_0(dst[b*kernels.Q8_0Bytes:(b+1)*kernels.Q8_0Bytes], widenBlock(&x, src, b, widen))
	}
}

// DequantizeZeroPointFloat16 is DequantizeZeroPoint rounded by ToFloat16.
func DequantizeZeroPointFloat16(dst []uint16, src []int8, scale float32, zero int32) {
	dequantizeZeroPoint16(dst, src, scale, zero, ToFloat16)
}

// DequantizeZeroPointBFloat16 is DequantizeZeroPoint rounded by
// ToBFloat16.
func DequantizeZeroPointBFloat16(dst []uint16, src []int8, scale float32, zero int32) {
	dequantizeZeroPoint16(dst, src, scale, zero, ToBFloat16)
}

// DecodeQ8_0Float16 is DecodeQ8_0 rounded by ToFloat16.
func DecodeQ8_0Float16(dst []uint16, src []byte) { decodeQ8_016(dst, src, ToFloat16) }

// DecodeQ8_0BFloat16 is DecodeQ8_0 rounded by ToBFloat16.
func DecodeQ8_0BFloat16(dst []uint16, src []byte) { decodeQ8_016(dst, src, ToBFloat16) }

func dequantizeZeroPoint16(dst []uint16, src []int8, scale float32, zero int32, narrow func(float32) uint16) {
	dst = dst[:len(src)]
	for i, q := range src {
		dst[i] = narrow(float32(int32(q)-zero) / scale)
	}
}

func decodeQ8_016(dst []uint16, src []byte, narrow func(float32) uint16) {
	var x [kernels.Q8_0Values]float32
	for b := range len(src) / kernels.Q8_0Bytes {
		DecodeQ8_0(x[:], src[b*kernels.Q8_0Bytes:(b+1)*kernels.Q8_0Bytes])
		narrowBlock(dst, b, &x, narrow)
	}
}
