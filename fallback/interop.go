package fallback

import "math"

// The interop kernels: PyTorch's and ONNX Runtime's arithmetic, with
// their parameters (x ~ (q - zero) * scale). Unlike the library's own
// quantizers, they round the scaled value to an integer before adding the
// zero point, so a tie goes to the even integer whatever the zero point
// is; see kernels.Set.QuantizePyTorch.

// QuantizePyTorch stores clamp(float32(roundEven(x*inv) + zero), -128,
// 127) for each x of src, x*inv rounded to float32. It reports whether
// src holds a NaN, and stores 0 for it.
func QuantizePyTorch(dst []int8, src []float32, inv, zero float32) (nan bool) {
	return checked(dst[:len(src)], func(i int) float32 { return src[i] }, pytorchQ(inv, zero))
}

// QuantizeONNX is QuantizePyTorch with the float32 quotient x/scale in
// place of the product.
func QuantizeONNX(dst []int8, src []float32, scale, zero float32) (nan bool) {
	return checked(dst[:len(src)], func(i int) float32 { return src[i] }, onnxQ(scale, zero))
}

func pytorchQ(inv, zero float32) func(float32) int8 {
	return func(x float32) int8 { return roundThenClamp(x*inv, zero, -128, 127) }
}

func onnxQ(scale, zero float32) func(float32) int8 {
	return func(x float32) int8 { return roundThenClamp(x/scale, zero, -128, 127) }
}

// roundThenClamp rounds v to an integer (ties to even), adds zero in
// float32 and clamps the sum to [lo, hi]. The sum is exact where it
// matters: a rounded value of magnitude 2^24 or more, where it may not
// be, lies far outside any grid.
func roundThenClamp(v, zero, lo, hi float32) int8 {
	r := float32(math.RoundToEven(float64(v))) + zero
	return int8(min(max(r, lo), hi))
}

// DequantizeAffine stores float32(int32(q) - zero) * scale for each q of
// src: PyTorch's and ONNX's dequantization, a product where the
// library's own divides.
func DequantizeAffine(dst []float32, src []int8, scale float32, zero int32) {
	dst = dst[:len(src)]
	for i, q := range src {
		dst[i] = float32(int32(q)-zero) * scale
	}
}

// FakeQuantizePyTorch stores float32(q - zero) * scale for each x of
// src, where q = clamp(v, qmin, qmax) and v = float32(roundEven(x*inv)) +
// float32(zero), and, if mask is not nil, whether v lay within [qmin,
// qmax]. It reports whether src holds a NaN, for which it stores 0 and a
// clear mask byte.
func FakeQuantizePyTorch(dst, src []float32, mask []uint8, inv, scale float32, zero, qmin, qmax int32) (nan bool) {
	dst = dst[:len(src)]
	if mask != nil {
		mask = mask[:len(src)]
	}
	z, lo, hi := float32(zero), float32(qmin), float32(qmax)
	for i, x := range src {
		if x != x {
			dst[i], nan = 0, true
			if mask != nil {
				mask[i] = 0
			}
			continue
		}
		v := float32(math.RoundToEven(float64(x*inv))) + z
		if mask != nil {
			mask[i] = 0
			if lo <= v && v <= hi {
				mask[i] = 1
			}
		}
		dst[i] = (min(max(v, lo), hi) - z) * scale
	}
	return nan
}

// The 16-bit interop kernels: the float32 ones on the widened values, and
// DequantizeAffine rounded to the format.

func QuantizePyTorchFloat16(dst []int8, src []uint16, inv, zero float32) bool {
	return checked(dst[:len(src)], func(i int) float32 { return FromFloat16(src[i]) }, pytorchQ(inv, zero))
}

func QuantizePyTorchBFloat16(dst []int8, src []uint16, inv, zero float32) bool {
	return checked(dst[:len(src)], func(i int) float32 { return FromBFloat16(src[i]) }, pytorchQ(inv, zero))
}

func QuantizeONNXFloat16(dst []int8, src []uint16, scale, zero float32) bool {
	return checked(dst[:len(src)], func(i int) float32 { return FromFloat16(src[i]) }, onnxQ(scale, zero))
}

func QuantizeONNXBFloat16(dst []int8, src []uint16, scale, zero float32) bool {
	return checked(dst[:len(src)], func(i int) float32 { return FromBFloat16(src[i]) }, onnxQ(scale, zero))
}

func DequantizeAffineFloat16(dst []uint16, src []int8, scale float32, zero int32) {
	dst = dst[:len(src)]
	for i, q := range src {
		dst[i] = ToFloat16(float32(int32(q)-zero) * scale)
	}
}

func DequantizeAffineBFloat16(dst []uint16, src []int8, scale float32, zero int32) {
	dst = dst[:len(src)]
	for i, q := range src {
		dst[i] = ToBFloat16(float32(int32(q)-zero) * scale)
	}
}
