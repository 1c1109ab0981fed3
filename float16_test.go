package quant

import (
	"fmt"
	"math"
	"strconv"
	"testing"
)

// The scalar helpers agree with the slice functions (of the selected set;
// the suite holds every set's conversion kernels to the reference ones,
// which the scalar helpers call).
func TestScalarMatchesSlices(t *testing.T) {
	src := randomFloats(newRand(11), 4096, false)
	for _, b := range append(specialBits, nanBits...) {
		src = append(src, f32(b))
	}
	all := make([]uint16, 1<<16)
	for i := range all {
		all[i] = uint16(i)
	}
	h := make([]Float16, len(src))
	bf := make([]BFloat16, len(src))
	Float32ToFloat16(h, src)
	Float32ToBFloat16(bf, src)
	for i, x := range src {
		if got := Float16FromFloat32(x); got != h[i] {
			t.Fatalf("Float16FromFloat32(%#08x) = %#04x, Float32ToFloat16 gives %#04x", bits32(x), uint16(got), uint16(h[i]))
		}
		if got := BFloat16FromFloat32(x); got != bf[i] {
			t.Fatalf("BFloat16FromFloat32(%#08x) = %#04x, Float32ToBFloat16 gives %#04x", bits32(x), uint16(got), uint16(bf[i]))
		}
	}
	f := make([]float32, len(all))
	Float16ToFloat32(f, convertSlice[Float16](all))
	for i, v := range f {
		if got := Float16(i).Float32(); bits32(got) != bits32(v) {
			t.Fatalf("Float16(%#04x).Float32() = %#08x, Float16ToFloat32 gives %#08x", i, bits32(got), bits32(v))
		}
	}
	BFloat16ToFloat32(f, convertSlice[BFloat16](all))
	for i, v := range f {
		if got := BFloat16(i).Float32(); bits32(got) != bits32(v) {
			t.Fatalf("BFloat16(%#04x).Float32() = %#08x, BFloat16ToFloat32 gives %#08x", i, bits32(got), bits32(v))
		}
	}
}

// IsNaN and IsInf classify every pattern like math does for its value.
func TestClassify(t *testing.T) {
	for i := range 1 << 16 {
		h, b := Float16(i), BFloat16(i)
		hv, bv := float64(h.Float32()), float64(b.Float32())
		if h.IsNaN() != math.IsNaN(hv) || h.IsInf() != math.IsInf(hv, 0) {
			t.Fatalf("Float16(%#04x) = %v: IsNaN %v, IsInf %v", i, hv, h.IsNaN(), h.IsInf())
		}
		if b.IsNaN() != math.IsNaN(bv) || b.IsInf() != math.IsInf(bv, 0) {
			t.Fatalf("BFloat16(%#04x) = %v: IsNaN %v, IsInf %v", i, bv, b.IsNaN(), b.IsInf())
		}
	}
}

// String gives strconv's shortest float32 formatting: "65504", "NaN" for
// every NaN (no sign, no payload), "+Inf"/"-Inf", "-0" for negative zero,
// and exponent form below 1e-4 ("5.9604645e-08" for the smallest
// subnormal, which has no shorter float32 spelling).
func TestString(t *testing.T) {
	checkString(t, "Float16", Float16FromFloat32, []stringCase[Float16]{
		{0x0000, "0"},
		{0x8000, "-0"},
		{0x3C00, "1"},
		{0xC000, "-2"},
		{0x3C01, "1.0009766"},
		{0x3555, "0.33325195"},
		{0x7BFF, "65504"},
		{0xFBFF, "-65504"},
		{0x0001, "5.9604645e-08"},
		{0x0400, "6.1035156e-05"},
		{0x7C00, "+Inf"},
		{0xFC00, "-Inf"},
		{0x7E00, "NaN"},
		{0xFE00, "NaN"},
		{0x7C01, "NaN"},
	})
	checkString(t, "BFloat16", BFloat16FromFloat32, []stringCase[BFloat16]{
		{0x3F80, "1"},
		{0x4049, "3.140625"},
		{0x8000, "-0"},
		{0x7F7F, "3.3895314e+38"},
		{0x0001, "9.1835e-41"},
		{0x7F80, "+Inf"},
		{0xFF80, "-Inf"},
		{0xFFC0, "NaN"},
	})
}

// float16Format is Float16 or BFloat16, with the methods the tests call.
type float16Format interface {
	Float16 | BFloat16
	String() string
	IsNaN() bool
}

type stringCase[T float16Format] struct {
	v    T
	want string
}

// checkString checks String, directly and through fmt, on the cases of
// the format called name, and that the string of every value but the NaNs
// reads back through fromFloat32 to the same bits.
func checkString[T float16Format](t *testing.T, name string, fromFloat32 func(float32) T, cases []stringCase[T]) {
	t.Helper()
	for _, c := range cases {
		if got := c.v.String(); got != c.want {
			t.Errorf("%s(%#04x).String() = %q, want %q", name, uint16(c.v), got, c.want)
		}
		if got := fmt.Sprint(c.v); got != c.want {
			t.Errorf("fmt.Sprint(%s(%#04x)) = %q, want %q", name, uint16(c.v), got, c.want)
		}
	}
	for i := range 1 << 16 {
		v := T(i)
		if v.IsNaN() {
			continue
		}
		x, err := strconv.ParseFloat(v.String(), 32)
		if err != nil || fromFloat32(float32(x)) != v {
			t.Fatalf("%s(%#04x).String() = %q reads back as %v, %v", name, i, v.String(), x, err)
		}
	}
}
