package kerneltest

import (
	"math"
	"testing"
	"time"

	"github.com/qkernels/quant/fallback"
)

// CheckReference tests the reference conversions of package fallback
// against an independent computation in float64 arithmetic (every float32
// is exact in float64, so scaling by powers of two and rounding to an
// integer there are exact): worked examples, all 2^16 binary16 and
// bfloat16 patterns widened and narrowed back (round trips), and every float32
// pattern narrowed (skipped under -short; a dense sample with
// QUANT_EXHAUSTIVE=sample).
func CheckReference(t *testing.T) {
	t.Helper()
	t.Run("Examples", func(t *testing.T) {
		checkExamples(t, fallback.ToFloat16, fallback.ToBFloat16)
	})
	t.Run("FromFloat16", func(t *testing.T) {
		checkFromFloat16(t, fallback.FromFloat16, fallback.ToFloat16)
	})
	t.Run("FromBFloat16", func(t *testing.T) {
		checkFromBFloat16(t, fallback.FromBFloat16, fallback.ToBFloat16)
	})
	narrow := []struct {
		name     string
		ref      func([]uint16, []float32)
		oracle   func(uint32) uint16
		function string
	}{
		{"ToFloat16", fallback.Float32ToFloat16, oracleFloat16, "fallback.ToFloat16"},
		{"ToBFloat16", fallback.Float32ToBFloat16, oracleBFloat16, "fallback.ToBFloat16"},
	}
	for _, x := range narrow {
		t.Run(x.name, func(t *testing.T) {
			if testing.Short() {
				t.Skip("check of every float32 pattern skipped under -short")
			}
			src := exhaustiveSource()
			start := time.Now()
			n := exhaustNarrow(t, x.function+" vs float64 oracle", x.ref, oracleSlice(x.oracle), src)
			t.Logf("%s: %d inputs in %v", src.mode, n, time.Since(start).Round(time.Millisecond))
		})
	}
}

// oracleSlice applies a scalar oracle to a slice, as a kernel would.
func oracleSlice(f func(uint32) uint16) func([]uint16, []float32) {
	return func(dst []uint16, src []float32) {
		for i, x := range src {
			dst[i] = f(math.Float32bits(x))
		}
	}
}

// pow2 holds 2^e for e in [-pow2Bias, pow2Bias]: an exact scale factor,
// faster than math.Ldexp.
var pow2 = func() (p [2*pow2Bias + 1]float64) {
	for i := range p {
		p[i] = math.Ldexp(1, i-pow2Bias)
	}
	return p
}()

const pow2Bias = 160

func exp2(e int) float64 { return pow2[e+pow2Bias] }

// roundEven rounds 0 <= v < 2^52 to an integer, ties to even, as
// math.RoundToEven does but faster: adding 2^52 leaves no fraction bits,
// so the float64 addition itself rounds (to nearest even).
func roundEven(v float64) float64 { return (v + 0x1p52) - 0x1p52 }

// binade returns e with 2^(e-1) <= a < 2^e for a normal float64 a > 0,
// like math.Frexp, from the exponent field.
func binade(a float64) int { return int(math.Float64bits(a)>>52) - 1022 }

// oracleFloat16 rounds the float32 with bits b to binary16 in float64
// arithmetic: find the weight of the last binary16 bit for the binade of
// |x| (fixed at 2^-24 below 2^-14), scale that weight to 1, round to an
// integer with ties to even, and encode the integer.
func oracleFloat16(b uint32) uint16 {
	sign := uint16(b>>16) & 0x8000
	a := math.Abs(float64(math.Float32frombits(b)))
	switch {
	case a != a: // NaN: quiet, top 10 payload bits kept
		return sign | 0x7E00 | uint16(b>>13)&0x3FF
	case a >= 65520: // rounds past 65504, the largest finite binary16
		return sign | 0x7C00
	case a == 0:
		return sign
	}
	// Every float32 but zero is a normal float64.
	q := max(binade(a)-11, -24) // weight 2^q of the last of 11 significant bits
	n := roundEven(float64(a * exp2(-q)))
	if n < 1024 { // only when q == -24: a subnormal, n units of 2^-24
		return sign | uint16(n)
	}
	// n in [1024, 2048] units of 2^q: leading bit worth 2^(q+10).
	biased := q + 10 + 15
	if n == 2048 { // rounded up into the next binade
		n, biased = 1024, biased+1
	}
	return sign | uint16(biased)<<10 | uint16(n-1024)
}

// oracleBFloat16 rounds the float32 with bits b to bfloat16 the same way:
// 8 significant bits, last bit worth at least 2^-133 (the float32
// subnormal step 2^-149 times 2^16), overflow past the largest bfloat16
// to infinity.
func oracleBFloat16(b uint32) uint16 {
	sign := uint16(b>>16) & 0x8000
	a := math.Abs(float64(math.Float32frombits(b)))
	switch {
	case a != a:
		return uint16(b>>16) | 0x0040
	case math.IsInf(a, 1):
		return sign | 0x7F80
	case a == 0:
		return sign
	}
	q := max(binade(a)-8, -133)
	v := roundEven(float64(a*exp2(-q))) * exp2(q) // exact: at most 9 bits
	if v >= 0x1p128 {
		return sign | 0x7F80
	}
	// v is a bfloat16 value, so exact in float32: its top half.
	return sign | uint16(math.Float32bits(float32(v))>>16)
}

// decodeFloat16 computes the value of binary16 bits from the definition:
// (-1)^s * m * 2^-24 for subnormals, (-1)^s * (1024+m) * 2^(e-25) else.
func decodeFloat16(h uint16) float32 {
	e, m := int(h>>10)&0x1F, float64(h&0x3FF)
	var v float64
	switch e {
	case 0x1F:
		if m != 0 { // NaN, quieted, payload kept
			return math.Float32frombits(uint32(h&0x8000)<<16 | 0x7FC00000 | uint32(h&0x3FF)<<13)
		}
		v = math.Inf(1)
	case 0:
		v = m * exp2(-24)
	default:
		v = (1024 + m) * exp2(e-25)
	}
	if h&0x8000 != 0 {
		v = -v
	}
	return float32(v)
}

type example struct {
	in   uint32
	want uint16
}

// float16Examples and bfloat16Examples are worked examples of the rules,
// those of the README's semantics table among them. CheckReference holds
// the reference conversions and the oracles to them; specialF32 holds
// every input, so that Run puts each at every position of every set's
// conversion kernels.
var (
	float16Examples = []example{
		{0x477FEF00, 0x7BFF},                              // 65519 -> 65504
		{0x477FF000, 0x7C00},                              // 65520: tie, rounds to even = Inf
		{0x477FEFFF, 0x7BFF},                              // 65519.996
		{0x477FE000, 0x7BFF},                              // 65504
		{0x47800000, 0x7C00},                              // 65536
		{0x33000000, 0x0000},                              // 2^-25: tie between 0 and 2^-24, to even 0
		{f32bits(0x1p-25 + 0x1p-35), 0x0001},              // just above the tie
		{0x33800000, 0x0001},                              // 2^-24
		{f32bits(3 * 0x1p-25), 0x0002},                    // 1.5 * 2^-24: tie, to even 2
		{0x38800000, 0x0400},                              // 2^-14
		{f32bits(1 + 0x1p-11), 0x3C00},                    // tie above 1, to even 1
		{f32bits(1 + 3*0x1p-11), 0x3C02},                  // tie, to even 1+2^-9
		{0x3F800000, 0x3C00},                              // 1
		{0x80000000, 0x8000},                              // -0
		{0xFF800000, 0xFC00},                              // -Inf
		{0x7F800001, 0x7E00},                              // signalling NaN, payload below the kept bits
		{0xFFC00001, 0xFE00},                              // negative quiet NaN
		{0x7F802000, 0x7E01},                              // payload bit 13 kept
		{0x7FFFFFFF, 0x7FFF},                              // all payload bits
		{f32bits(-0x1p-26), 0x8000},                       // underflows to -0
		{f32bits(float32(math.Ldexp(1023, -24))), 0x03FF}, // largest subnormal
		{0xC77FF000, 0xFC00},                              // -65520: the tie keeps its sign
		{0xB3000000, 0x8000},                              // -2^-25: a zero keeps its sign
		{f32bits(5 * 0x1p-25), 0x0002},                    // 2.5 * 2^-24: tie, to even 2
		{f32bits(0x1p-14 - 0x1p-25), 0x0400},              // largest subnormal + half: up to 2^-14
		{f32bits(1 + 0x1p-11 + 0x1p-23), 0x3C01},          // just above the tie
		{0xFF800001, 0xFE00},                              // negative signalling NaN
		{0x7FC00000, 0x7E00},                              // quiet NaN
		{0xFF802000, 0xFE01},                              // sign and payload bit 13 kept
		{0x7F800000, 0x7C00},                              // +Inf
		{0x00000001, 0x0000},                              // float32 subnormals underflow
		{0x80000001, 0x8000},                              // to zeros of their sign
		{0x7F7FFFFF, 0x7C00},                              // largest float32: overflow
		{f32bits(0.333333333), 0x3555},                    // ordinary rounding
		{f32bits(-2), 0xC000},
	}
	bfloat16Examples = []example{
		{0x3F808000, 0x3F80}, // tie, to even
		{0x3F818000, 0x3F82}, // tie, odd rounds up
		{0x3F808001, 0x3F81}, // above the tie
		{0x00018000, 0x0002}, // subnormal tie, odd rounds up
		{0x00008000, 0x0000}, // subnormal tie to even 0
		{0x007F8000, 0x0080}, // rounds up into the normal range
		{0x7F7F8000, 0x7F80}, // rounds past the largest bfloat16: Inf
		{0x7F7F7FFF, 0x7F7F},
		{0x7F800001, 0x7FC0}, // signalling NaN quieted
		{0xFFC00001, 0xFFC0},
		{0x7F808000, 0x7FC0}, // NaN is not rounded: no carry into the sign
		{0x80000000, 0x8000},
		{0x3F807FFF, 0x3F80}, // below the tie
		{0x00008001, 0x0001}, // above a subnormal tie
		{0x80018000, 0x8002}, // negative subnormal tie
		{0xFF800001, 0xFFC0},
		{0x7FFFFFFF, 0x7FFF}, // every payload bit
		{0x7FA50000, 0x7FE5}, // signalling NaN: quiet bit set, payload kept
		{0xFF7FFFFF, 0xFF80}, // largest float32 rounds to -Inf
		{0x7F800000, 0x7F80}, {0xFF800000, 0xFF80},
		{0x00000000, 0x0000},
	}
)

// checkExamples tests ToFloat16 and ToBFloat16 functions, and the
// oracles, on the worked examples.
func checkExamples(t tb, toFloat16, toBFloat16 func(float32) uint16) {
	t.Helper()
	for _, x := range []struct {
		name   string
		f      func(float32) uint16
		oracle func(uint32) uint16
		list   []example
	}{
		{"ToFloat16", toFloat16, oracleFloat16, float16Examples},
		{"ToBFloat16", toBFloat16, oracleBFloat16, bfloat16Examples},
	} {
		for _, e := range x.list {
			if got := x.f(math.Float32frombits(e.in)); got != e.want {
				t.Errorf("%s: input %#08x: got %#04x, want %#04x", x.name, e.in, got, e.want)
			}
			if got := x.oracle(e.in); got != e.want {
				t.Errorf("%s oracle: input %#08x: got %#04x, want %#04x", x.name, e.in, got, e.want)
			}
		}
	}
}

// checkFromFloat16 tests a binary16 decoder against decodeFloat16 and
// its round trips through the encoder (see checkFrom16).
func checkFromFloat16(t tb, from func(uint16) float32, to func(float32) uint16) {
	t.Helper()
	checkFrom16(t, "Float16", 0x7C00, from, to, func(h uint16) uint32 { return f32bits(decodeFloat16(h)) })
}

// checkFromBFloat16 tests a bfloat16 decoder against bits<<16 and its
// round trips through the encoder (see checkFrom16).
func checkFromBFloat16(t tb, from func(uint16) float32, to func(float32) uint16) {
	t.Helper()
	checkFrom16(t, "BFloat16", 0x7F80, from, to, func(b uint16) uint32 { return uint32(b) << 16 })
}

// checkFrom16 tests the decoder of a 16-bit format whose exponent field
// is exp against want on all 2^16 patterns, and that every pattern
// survives a round trip through the encoder: unchanged, or for a NaN
// quieted (the top mantissa bit set) with its sign and payload.
func checkFrom16(t tb, name string, exp uint16, from func(uint16) float32, to func(float32) uint16, want func(uint16) uint32) {
	t.Helper()
	mant := 0x7FFF &^ exp
	quiet := (mant + 1) >> 1
	fails := 0
	for i := range 1 << 16 {
		h := uint16(i)
		if got, w := f32bits(from(h)), want(h); got != w {
			t.Errorf("From%s: input %#04x: got %#08x, want %#08x", name, h, got, w)
			fails++
		}
		wantBack := h
		if h&exp == exp && h&mant != 0 { // NaN
			wantBack |= quiet
		}
		if back := to(from(h)); back != wantBack {
			t.Errorf("To%s(From%s(%#04x)) = %#04x, want %#04x", name, name, h, back, wantBack)
			fails++
		}
		if fails >= maxFails {
			return
		}
	}
}
