package quant

import (
	"math"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// Float is the element type of the inputs and outputs of the grouped
// quantizers and of the Q8_0 codec: float32, Float16 or BFloat16. A 16-bit
// input is used at its exact float32 value, so every result equals the
// result of converting to float32 first, bit for bit, without the
// float32 copy; a 16-bit output is the float32 result rounded by
// Float32ToFloat16 or Float32ToBFloat16.
type Float interface{ float32 | Float16 | BFloat16 }

// elemKind is the element type behind a Float.
type elemKind uint8

const (
	elemFloat32 elemKind = iota
	elemFloat16
	elemBFloat16
)

// source is a quantizer's input seen by the kernels: float32 values, or
// 16-bit bits with the kernels of their format.
type source struct {
	k    *kernels.Set
	kind elemKind
	f32  []float32
	u16  []uint16
	k16  *kernels.Format16 // Float16 and BFloat16: the format's kernels
}

func sourceOf[T Float](k *kernels.Set, src []T) source {
	s := source{k: k}
	switch src := any(src).(type) {
	case []float32:
		s.f32 = src
	case []Float16:
		s.kind, s.u16, s.k16 = elemFloat16, bits16(src), &k.Float16
	case []BFloat16:
		s.kind, s.u16, s.k16 = elemBFloat16, bits16(src), &k.BFloat16
	}
	return s
}

func (s source) len() int {
	if s.kind == elemFloat32 {
		return len(s.f32)
	}
	return len(s.u16)
}

// widen returns the float32 bits of the 16-bit value h.
func (s source) widen(h uint16) uint32 {
	if s.kind == elemFloat16 {
		return math.Float32bits(fallback.FromFloat16(h))
	}
	return uint32(h) << 16
}

// at returns element i as a float32.
func (s source) at(i int) float32 {
	if s.kind == elemFloat32 {
		return s.f32[i]
	}
	return math.Float32frombits(s.widen(s.u16[i]))
}

// absMaxBits is kernels.Set.AbsMaxBits of elements [lo, hi) at their
// float32 values. The 16-bit kernel finds the largest magnitude bits,
// which widening keeps in order.
func (s source) absMaxBits(lo, hi int) uint32 {
	if s.kind == elemFloat32 {
		return s.k.AbsMaxBits(s.f32[lo:hi])
	}
	return s.widen(s.k.AbsMaxBits16(s.u16[lo:hi]))
}

// minMaxKeys is kernels.Set.MinMaxKeys of elements [lo, hi).
func (s source) minMaxKeys(lo, hi int) (min, max int32) {
	if s.kind == elemFloat32 {
		return s.k.MinMaxKeys(s.f32[lo:hi])
	}
	l, h := s.k.MinMaxKeys16(s.u16[lo:hi])
	key := func(k int16) int32 { return kernels.OrderKey(s.widen(kernels.KeyBits16(k))) }
	return key(l), key(h)
}

func (s source) quantizeAbsmax(dst []int8, lo, hi int, scale float32) {
	if s.kind == elemFloat32 {
		s.k.QuantizeAbsmax(dst[lo:hi], s.f32[lo:hi], scale)
		return
	}
	s.k16.QuantizeAbsmax(dst[lo:hi], s.u16[lo:hi], scale)
}

func (s source) quantizeZeroPoint(dst []int8, lo, hi int, scale, zero float32) {
	if s.kind == elemFloat32 {
		s.k.QuantizeZeroPoint(dst[lo:hi], s.f32[lo:hi], scale, zero)
		return
	}
	s.k16.QuantizeZeroPoint(dst[lo:hi], s.u16[lo:hi], scale, zero)
}

// quantizeAbsmaxChecked and quantizeZeroPointChecked are the checked
// kernels on values [lo, hi): they report a NaN among them.
func (s source) quantizeAbsmaxChecked(dst []int8, lo, hi int, scale float32) bool {
	if s.kind == elemFloat32 {
		return s.k.QuantizeAbsmaxChecked(dst[lo:hi], s.f32[lo:hi], scale)
	}
	return s.k16.QuantizeAbsmaxChecked(dst[lo:hi], s.u16[lo:hi], scale)
}

func (s source) quantizeZeroPointChecked(dst []int8, lo, hi int, scale, zero float32) bool {
	if s.kind == elemFloat32 {
		return s.k.QuantizeZeroPointChecked(dst[lo:hi], s.f32[lo:hi], scale, zero)
	}
	return s.k16.QuantizeZeroPointChecked(dst[lo:hi], s.u16[lo:hi], scale, zero)
}

// quantizePyTorch and quantizeONNX are the interop quantizers on values
// [lo, hi); they report a NaN among them.
func (s source) quantizePyTorch(dst []int8, lo, hi int, inv, zero float32) bool {
	if s.kind == elemFloat32 {
		return s.k.QuantizePyTorch(dst[lo:hi], s.f32[lo:hi], inv, zero)
	}
	return s.k16.QuantizePyTorch(dst[lo:hi], s.u16[lo:hi], inv, zero)
}

func (s source) quantizeONNX(dst []int8, lo, hi int, scale, zero float32) bool {
	if s.kind == elemFloat32 {
		return s.k.QuantizeONNX(dst[lo:hi], s.f32[lo:hi], scale, zero)
	}
	return s.k16.QuantizeONNX(dst[lo:hi], s.u16[lo:hi], scale, zero)
}

// blockCodec is a GGUF block format as the kernels see it: the bytes of
// a block of 32 values and its encoder and decoder in each kernel set.
type blockCodec struct {
	bytes    int
	encode   func(*kernels.Set) func([]byte, []float32)
	encode16 func(*kernels.Format16) func([]byte, []uint16)
	decode   func(*kernels.Set) func([]float32, []byte)
	decode16 func(*kernels.Format16) func([]uint16, []byte)
}

var (
	q8_0Codec = blockCodec{kernels.Q8_0Bytes,
		func(k *kernels.Set) func([]byte, []float32) { return k.EncodeQ8_0 },
		func(f *kernels.Format16) func([]byte, []uint16) { return f.EncodeQ8_0 },
		func(k *kernels.Set) func([]float32, []byte) { return k.DecodeQ8_0 },
		func(f *kernels.Format16) func([]uint16, []byte) { return f.DecodeQ8_0 }}
	q4_0Codec = blockCodec{kernels.Q4_0Bytes,
		func(k *kernels.Set) func([]byte, []float32) { return k.EncodeQ4_0 },
		func(f *kernels.Format16) func([]byte, []uint16) { return f.EncodeQ4_0 },
		func(k *kernels.Set) func([]float32, []byte) { return k.DecodeQ4_0 },
		func(f *kernels.Format16) func([]uint16, []byte) { return f.DecodeQ4_0 }}
	q4_1Codec = blockCodec{kernels.Q4_1Bytes,
		func(k *kernels.Set) func([]byte, []float32) { return k.EncodeQ4_1 },
		func(f *kernels.Format16) func([]byte, []uint16) { return f.EncodeQ4_1 },
		func(k *kernels.Set) func([]float32, []byte) { return k.DecodeQ4_1 },
		func(f *kernels.Format16) func([]uint16, []byte) { return f.DecodeQ4_1 }}
)

// encode writes the blocks of values [lo, hi) (whole blocks) in codec c.
func (s source) encode(c blockCodec, dst []byte, lo, hi int) {
	d := dst[lo/kernels.Q8_0Values*c.bytes : hi/kernels.Q8_0Values*c.bytes]
	if s.kind == elemFloat32 {
		c.encode(s.k)(d, s.f32[lo:hi])
		return
	}
	c.encode16(s.k16)(d, s.u16[lo:hi])
}

// firstNaN returns the index of the first NaN in [lo, hi). It runs only
// after a reduction has found one.
func (s source) firstNaN(lo, hi int) int {
	for i := lo; i < hi; i++ {
		if x := s.at(i); x != x {
			return i
		}
	}
	panic("quant: reduction reported a NaN that is not there")
}

// firstNonFinite returns the index of the first NaN or infinity in
// [lo, hi). It runs only after a reduction has found one.
func (s source) firstNonFinite(lo, hi int) int {
	for i := lo; i < hi; i++ {
		if math.Float32bits(s.at(i))&0x7F800000 == 0x7F800000 {
			return i
		}
	}
	panic("quant: reduction reported a non-finite value that is not there")
}

// sink is the output of a dequantizer, seen as source sees an input:
// float32 values, or 16-bit bits with the kernels of their format. Its
// methods are the ones that write.
type sink source

func sinkOf[T Float](k *kernels.Set, dst []T) sink { return sink(sourceOf(k, dst)) }

// dequantizeZeroPoint writes the values of src to [lo, hi) of the output.
func (s sink) dequantizeZeroPoint(lo, hi int, src []int8, scale float32, zero int32) {
	if s.kind == elemFloat32 {
		s.k.DequantizeZeroPoint(s.f32[lo:hi], src, scale, zero)
		return
	}
	s.k16.DequantizeZeroPoint(s.u16[lo:hi], src, scale, zero)
}

// dequantizeAffine is dequantizeZeroPoint with a product for the
// quotient.
func (s sink) dequantizeAffine(lo, hi int, src []int8, scale float32, zero int32) {
	if s.kind == elemFloat32 {
		s.k.DequantizeAffine(s.f32[lo:hi], src, scale, zero)
		return
	}
	s.k16.DequantizeAffine(s.u16[lo:hi], src, scale, zero)
}

// decode writes the values of the blocks src, in codec c, to [lo, hi).
func (s sink) decode(c blockCodec, lo, hi int, src []byte) {
	if s.kind == elemFloat32 {
		c.decode(s.k)(s.f32[lo:hi], src)
		return
	}
	c.decode16(s.k16)(s.u16[lo:hi], src)
}
