package quant

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// q8_0Vector is a test vector derived by hand from the Q8_0 definition
// (no encoder was run to get the bytes): three blocks of 32 values.
//
// Block 0 has max|x| = 127/16, so a/127 = 1/16 exactly: d = 2^-4, binary16
// 0x2C00 (exponent 11, mantissa 0), stored 00 2C, and 1/d = 16. Values
// k/16 quantize to k; values (k+0.5)/16 are ties, rounded to even (where
// llama.cpp, rounding half away from zero, would store 1, 2, 3, -1, -2
// for the first five ties).
//
// Block 1 is all zeros: d = 0 (00 00) and every q is 0.
//
// Block 2 has max|x| = 2^-17: a/127 = 2^-17/127, about 1.008 units of
// the smallest binary16 subnormal 2^-24, so d = 0x0001 (stored 01 00) and
// 1/d = 2^24. d rounded down, so 2^-17 gives 128 and the clamp binds:
// q = 127 (and -127 for -2^-17); 2^-18 gives 64; 3*2^-25 gives 1.5, a
// tie, rounded to 2; 2^-25 gives 0.5, rounded to 0.
var (
	q8_0VectorIn = func() []float32 {
		x := make([]float32, 96)
		copy(x, []float32{
			127.0 / 16, -127.0 / 16, 1.0 / 16, -1.0 / 16, 0, // q: 127, -127, 1, -1, 0
			0.5 / 16, 1.5 / 16, 2.5 / 16, -0.5 / 16, -1.5 / 16, // ties: 0, 2, 2, 0, -2
			100.0 / 16, -64.0 / 16, // 100, -64
		})
		copy(x[64:], []float32{0x1p-17, -0x1p-17, 0x1p-18, 3 * 0x1p-25, 0x1p-25, -0x1p-18})
		return x
	}()
	q8_0VectorOut = func() []byte {
		b := make([]byte, 3*34)
		copy(b, []byte{0x00, 0x2C, 127, 0x81 /* -127 */, 1, 0xFF /* -1 */, 0,
			0, 2, 2, 0, 0xFE /* -2 */, 100, 0xC0 /* -64 */})
		// block 1: 34 zero bytes
		copy(b[68:], []byte{0x01, 0x00, 127, 0x81 /* -127 */, 64, 2, 0, 0xC0 /* -64 */})
		return b
	}()
)

func TestQ8_0Vector(t *testing.T) {
	got := make([]byte, len(q8_0VectorOut))
	if err := EncodeQ8_0(got, q8_0VectorIn); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, q8_0VectorOut) {
		t.Fatalf("EncodeQ8_0:\n got % x\nwant % x", got, q8_0VectorOut)
	}
	// Decoding gives d*q exactly.
	back := make([]float32, 96)
	DecodeQ8_0(back, q8_0VectorOut)
	for i, q := range q8_0VectorOut[2:34] {
		if want := float32(int8(q)) / 16; back[i] != want {
			t.Errorf("DecodeQ8_0 [%d] = %v, want %v", i, back[i], want)
		}
	}
	for i, q := range q8_0VectorOut[70:] {
		if want := float32(int8(q)) * 0x1p-24; back[64+i] != want {
			t.Errorf("DecodeQ8_0 [%d] = %v, want %v", 64+i, back[64+i], want)
		}
	}
}

// llamaQ8_0 encodes one block as llama.cpp's reference encoder is defined:
// d = a/127 in float32, id = 1/d (or 0), q = x*id rounded half away from
// zero, and d stored as binary16. Written from the format's definition.
func llamaQ8_0(x []float32) (d Float16, q [32]int8) {
	a := AbsMax(x)
	dd := a / 127
	var id float32
	if dd != 0 {
		id = 1 / dd
	}
	for i, v := range x {
		q[i] = int8(math.Round(float64(v * id)))
	}
	return Float16FromFloat32(dd), q
}

// EncodeQ8_0 stores llama.cpp's d byte for byte, and its reconstruction is
// no worse than llama.cpp's: never worse per value beyond float32
// rounding, and better in total.
func TestQ8_0NoWorseThanLlama(t *testing.T) {
	r := newRand(11)
	const blocks = 4096
	var x []float32
	for b := range blocks {
		switch b % 4 {
		case 0: // normal weights
			x = append(x, gen(32, r.NormFloat64)...)
		case 1: // an outlier
			v := gen(32, r.NormFloat64)
			v[r.IntN(32)] *= 50
			x = append(x, v...)
		case 2: // uniform, with a scale that makes d subnormal
			x = append(x, gen(32, func() float64 { return (r.Float64()*2 - 1) * 1e-5 })...)
		default: // large values
			x = append(x, gen(32, func() float64 { return r.NormFloat64() * 1e4 })...)
		}
	}
	enc := make([]byte, blocks*34)
	if err := EncodeQ8_0(enc, x); err != nil {
		t.Fatal(err)
	}
	ours := make([]float32, len(x))
	DecodeQ8_0(ours, enc)
	// Squared errors per kind of block (see the switch above), ours and
	// llama.cpp's.
	var sumOurs, sumLlama [4]float64
	worse := 0
	for b := range blocks {
		xb := x[32*b : 32*b+32]
		d, q := llamaQ8_0(xb)
		if got := Float16(binary.LittleEndian.Uint16(enc[34*b:])); got != d {
			t.Fatalf("block %d: d = %#04x, llama.cpp stores %#04x", b, got, d)
		}
		for i, v := range xb {
			theirs := float64(q[i]) * float64(d.Float32())
			eo := math.Abs(float64(v) - float64(ours[32*b+i]))
			el := math.Abs(float64(v) - theirs)
			sumOurs[b%4] += eo * eo
			sumLlama[b%4] += el * el
			// The product x*(1/d) is rounded once, so a value within an
			// ulp of a tie may land on the other side.
			if eo > el+float64(d.Float32())*1e-6 {
				worse++
				if worse < 5 {
					t.Errorf("block %d [%d]: x = %v: error %g, llama.cpp %g", b, i, v, eo, el)
				}
			}
		}
	}
	for k, name := range []string{"normal", "one outlier", "subnormal d", "large"} {
		t.Logf("%-11s blocks: sum of squared errors %.6g, llama.cpp's encoder %.6g (ratio %.4f)",
			name, sumOurs[k], sumLlama[k], sumOurs[k]/sumLlama[k])
		if sumOurs[k] > sumLlama[k] {
			t.Errorf("%s blocks: squared error %g exceeds llama.cpp's %g", name, sumOurs[k], sumLlama[k])
		}
	}
}

// 16-bit sources encode as their float32 values; 16-bit outputs are the
// float32 decoding rounded.
func TestQ8_0Formats(t *testing.T) {
	x := gen(32*70, newRand(5).NormFloat64)
	x[100] = 0
	clear(x[320:352])
	f16, f16x, bf16, bf16x := groupInputs(x)
	for _, c := range []struct {
		name string
		enc  func([]byte) error
		x    []float32
	}{
		{"Float16", func(b []byte) error { return EncodeQ8_0(b, f16) }, f16x},
		{"BFloat16", func(b []byte) error { return EncodeQ8_0(b, bf16) }, bf16x},
	} {
		got, want := make([]byte, 70*34), make([]byte, 70*34)
		if err := c.enc(got); err != nil {
			t.Fatal(err)
		}
		if err := EncodeQ8_0(want, c.x); err != nil {
			t.Fatal(err)
		}
		if i := firstDiff(bitsOf(got), bitsOf(want)); i >= 0 {
			t.Fatalf("EncodeQ8_0(%s) differs from encoding its float32 values at byte %d", c.name, i)
		}
	}
	enc := make([]byte, 70*34)
	if err := EncodeQ8_0(enc, x); err != nil {
		t.Fatal(err)
	}
	want := make([]float32, len(x))
	DecodeQ8_0(want, enc)
	checkDequantized(t, "DecodeQ8_0", want, func(dst any) {
		switch dst := dst.(type) {
		case []float32:
			DecodeQ8_0(dst, enc)
		case []Float16:
			DecodeQ8_0(dst, enc)
		case []BFloat16:
			DecodeQ8_0(dst, enc)
		}
	})
}

func TestQ8_0Errors(t *testing.T) {
	for _, c := range []struct {
		name string
		at   int
		v    float32
		is   error
		want string
	}{
		{"NaN", 100, float32(math.NaN()), ErrNotFinite, "quant: EncodeQ8_0: block 3: input is not finite: src[100] = NaN"},
		{"-Inf", 31, float32(math.Inf(-1)), ErrNotFinite, "quant: EncodeQ8_0: block 0: input is not finite: src[31] = -Inf"},
		{"too large", 200, 1e7, ErrRange, "quant: EncodeQ8_0: block 6: "},
		{"just too large", 200, 65520 * 127, ErrRange, "block 6: "},
	} {
		x := gen(320, newRand(1).NormFloat64)
		x[c.at] = c.v
		x[300] = float32(math.NaN()) // later: not the one named
		dst := fill(make([]byte, 340), 0xAA)
		err := EncodeQ8_0(dst, x)
		if !errors.Is(err, c.is) || !strings.HasPrefix(err.Error(), c.want) && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %v containing %q", c.name, err, c.is, c.want)
		}
		if slices.ContainsFunc(dst, func(b byte) bool { return b != 0xAA }) {
			t.Errorf("%s: dst written although an error was returned", c.name)
		}
	}
	// The largest a that still gives a finite d encodes.
	x := make([]float32, 32)
	x[0] = nextDown(65520 * 127)
	for Float16FromFloat32(x[0]/127) == 0x7C00 {
		x[0] = nextDown(x[0])
	}
	if err := EncodeQ8_0(make([]byte, 34), x); err != nil {
		t.Errorf("max|x| = %v: %v", x[0], err)
	}
	// A binary16 input never overflows d: 65504/127 is far below.
	h := []Float16{0x7BFF, 0xFBFF}
	h = append(h, make([]Float16, 30)...)
	if err := EncodeQ8_0(make([]byte, 34), h); err != nil {
		t.Errorf("Float16 ±65504: %v", err)
	}
	h[5] = 0x7E00
	if err := EncodeQ8_0(make([]byte, 34), h); !errors.Is(err, ErrNotFinite) {
		t.Errorf("Float16 NaN: %v", err)
	}
}

func TestQ8_0Panics(t *testing.T) {
	for _, c := range []struct {
		name, want string
		f          func()
	}{
		{"odd length", "quant: EncodeQ8_0: len(src) = 33 is not a multiple of 32", func() { EncodeQ8_0(make([]byte, 68), make([]float32, 33)) }},
		{"short dst", "quant: EncodeQ8_0: len(dst) = 67 < 68 bytes for 64 values", func() { EncodeQ8_0(make([]byte, 67), make([]Float16, 64)) }},
		{"odd bytes", "quant: DecodeQ8_0: len(src) = 35 is not a multiple of 34", func() { DecodeQ8_0(make([]float32, 64), make([]byte, 35)) }},
		{"short decode dst", "quant: DecodeQ8_0: len(dst) = 63 < 64 values for 68 bytes", func() { DecodeQ8_0(make([]BFloat16, 63), make([]byte, 68)) }},
	} {
		if got := panicText(c.f); got != c.want {
			t.Errorf("%s: panic %q, want %q", c.name, got, c.want)
		}
	}
	// Empty input is fine.
	if err := EncodeQ8_0(nil, []float32{}); err != nil {
		t.Error(err)
	}
	DecodeQ8_0([]float32{}, nil)
}

// Round trip: every value comes back within half a step d/2 (plus the
// float32 rounding of x/d), except where the clamp binds.
func TestQ8_0RoundTrip(t *testing.T) {
	x := gen(32*500, newRand(8).NormFloat64)
	enc := make([]byte, 500*34)
	if err := EncodeQ8_0(enc, x); err != nil {
		t.Fatal(err)
	}
	back := make([]float32, len(x))
	DecodeQ8_0(back, enc)
	for i, v := range x {
		d := Float16(binary.LittleEndian.Uint16(enc[i/32*34:])).Float32()
		if q := int8(enc[i/32*34+2+i%32]); q == 127 || q == -127 {
			continue
		}
		if e := math.Abs(float64(v - back[i])); e > float64(d)*(0.5+1e-6) {
			t.Fatalf("[%d]: %v came back as %v (d = %v)", i, v, back[i], d)
		}
	}
}
