package quant

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// llamaQ4_0 and llamaQ4_1 encode one block as llama.cpp's reference
// encoders (quantize_row_q4_0_ref, quantize_row_q4_1_ref) are defined,
// written from their definition: parameters from the block in float32,
// id = 1/d before d's rounding to binary16, q = the scaled value plus 8.5
// (or 0.5) truncated, clamped to 15.
func llamaQ4_0(x []float32) (d Float16, q [32]uint8) {
	var amax, e float32
	for _, v := range x {
		if a := float32(math.Abs(float64(v))); amax < a {
			amax, e = a, v
		}
	}
	dd := e / -8
	var id float32
	if dd != 0 {
		id = 1 / dd
	}
	for i, v := range x {
		q[i] = uint8(min(15, int8(v*id+8.5)))
	}
	return Float16FromFloat32(dd), q
}

func llamaQ4_1(x []float32) (d, m Float16, q [32]uint8) {
	lo, hi := float32(math.MaxFloat32), float32(-math.MaxFloat32)
	for _, v := range x {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	dd := (hi - lo) / 15
	var id float32
	if dd != 0 {
		id = 1 / dd
	}
	for i, v := range x {
		q[i] = uint8(min(15, int8((v-lo)*id+0.5)))
	}
	return Float16FromFloat32(dd), Float16FromFloat32(lo), q
}

// q4Blocks are the kinds of block the comparisons with llama.cpp run on.
var q4Kinds = []string{"normal", "one outlier", "subnormal d", "large", "both signs of max", "grid ties", "constant", "zeros"}

func q4Blocks(blocks int) []float32 {
	r := newRand(12)
	var x []float32
	for b := range blocks {
		switch b % len(q4Kinds) {
		case 0:
			x = append(x, gen(32, r.NormFloat64)...)
		case 1:
			v := gen(32, r.NormFloat64)
			v[r.IntN(32)] *= 50
			x = append(x, v...)
		case 2:
			x = append(x, gen(32, func() float64 { return (r.Float64()*2 - 1) * 1e-6 })...)
		case 3:
			x = append(x, gen(32, func() float64 { return r.NormFloat64() * 1e4 })...)
		case 4: // +a and -a, in either order: the first sets d's sign
			v := gen(32, r.NormFloat64)
			i, j := r.IntN(32), r.IntN(32)
			v[i], v[j] = 7, -7
			x = append(x, v...)
		case 5: // values halfway between grid points of d = 1/8
			v := make([]float32, 32)
			for i := range v {
				v[i] = (float32(r.IntN(15)-7) + 0.5) / 8
			}
			v[0] = -1
			x = append(x, v...)
		case 6:
			x = append(x, slices.Repeat([]float32{float32(r.NormFloat64())}, 32)...)
		default:
			v := make([]float32, 32)
			if b%2 == 0 {
				v[3] = float32(math.Copysign(0, -1))
			}
			x = append(x, v...)
		}
	}
	return x
}

// EncodeQ4_0 and EncodeQ4_1 store llama.cpp's parameters byte for byte,
// and reconstruct no worse than llama.cpp: never worse per value beyond
// float32 rounding, and no worse in total for any kind of block.
func TestQ4NoWorseThanLlama(t *testing.T) {
	const blocks = 4096
	x := q4Blocks(blocks)
	for _, f := range []struct {
		name   string
		size   int
		encode func([]byte, []float32) error
		decode func([]float32, []byte)
		llama  func(x []float32, out []byte) (recon [32]float64)
	}{
		{"Q4_0", Q4_0Bytes, EncodeQ4_0[float32], DecodeQ4_0[float32], func(x []float32, out []byte) (r [32]float64) {
			d, q := llamaQ4_0(x)
			binary.LittleEndian.PutUint16(out, uint16(d))
			for i := range r {
				r[i] = float64(int(q[i])-8) * float64(d.Float32())
			}
			return r
		}},
		{"Q4_1", Q4_1Bytes, EncodeQ4_1[float32], DecodeQ4_1[float32], func(x []float32, out []byte) (r [32]float64) {
			d, m, q := llamaQ4_1(x)
			binary.LittleEndian.PutUint16(out, uint16(d))
			binary.LittleEndian.PutUint16(out[2:], uint16(m))
			for i := range r {
				r[i] = float64(q[i])*float64(d.Float32()) + float64(m.Float32())
			}
			return r
		}},
	} {
		enc := make([]byte, blocks*f.size)
		if err := f.encode(enc, x); err != nil {
			t.Fatal(err)
		}
		ours := make([]float32, len(x))
		f.decode(ours, enc)
		sumOurs, sumLlama := make([]float64, len(q4Kinds)), make([]float64, len(q4Kinds))
		worse, differ := 0, 0
		params := make([]byte, 4)
		for b := range blocks {
			xb := x[32*b : 32*b+32]
			theirs := f.llama(xb, params)
			head := f.size - 16
			if got := enc[f.size*b : f.size*b+head]; !slices.Equal(got, params[:head]) {
				t.Fatalf("%s block %d (%s): parameters % x, llama.cpp stores % x", f.name, b, q4Kinds[b%len(q4Kinds)], got, params[:head])
			}
			d := float64(Float16(binary.LittleEndian.Uint16(params)).Float32())
			for i, v := range xb {
				eo := math.Abs(float64(v) - float64(ours[32*b+i]))
				el := math.Abs(float64(v) - theirs[i])
				sumOurs[b%len(q4Kinds)] += eo * eo
				sumLlama[b%len(q4Kinds)] += el * el
				if eo != el {
					differ++
				}
				if eo > el+math.Abs(d)*1e-6 {
					worse++
					if worse < 5 {
						t.Errorf("%s block %d [%d]: x = %v: error %g, llama.cpp %g", f.name, b, i, v, eo, el)
					}
				}
			}
		}
		t.Logf("%s: %d of %d values reconstructed differently from llama.cpp's encoder", f.name, differ, len(x))
		for k, name := range q4Kinds {
			t.Logf("%s %-17s blocks: sum of squared errors %.6g, llama.cpp's encoder %.6g", f.name, name, sumOurs[k], sumLlama[k])
			if sumOurs[k] > sumLlama[k] {
				t.Errorf("%s %s blocks: squared error %g exceeds llama.cpp's %g", f.name, name, sumOurs[k], sumLlama[k])
			}
		}
	}
}

// A hand-checked Q4_0 and Q4_1 block.
func TestQ4Vector(t *testing.T) {
	x := make([]float32, 32)
	for i := range x {
		x[i] = float32(i-16) / 4 // -4 .. 3.75
	}
	enc := make([]byte, Q4_0Bytes)
	if err := EncodeQ4_0(enc, x); err != nil {
		t.Fatal(err)
	}
	// e = -4 (first of largest magnitude), d = 0.5, q = x/0.5 + 8.
	if d := binary.LittleEndian.Uint16(enc); d != 0x3800 {
		t.Errorf("Q4_0 d = %#04x, want 0x3800 (0.5)", d)
	}
	if enc[2] != 0x80 || enc[17] != 0xF8 { // x[0] = -4 → 0, x[16] = 0 → 8; x[15] = -0.25 → -0.5 → 0 (tie, even) → 8, x[31] = 3.75 → 7.5 → 8 (tie) → 16, clamped to 15
		t.Errorf("Q4_0 nibbles % x", enc[2:])
	}
	enc1 := make([]byte, Q4_1Bytes)
	if err := EncodeQ4_1(enc1, x); err != nil {
		t.Fatal(err)
	}
	// min -4, max 3.75: d = 7.75/15 → binary16 0x3821, m = -4.
	if d, m := binary.LittleEndian.Uint16(enc1), binary.LittleEndian.Uint16(enc1[2:]); d != uint16(Float16FromFloat32(7.75/15)) || m != 0xC400 {
		t.Errorf("Q4_1 d, m = %#04x, %#04x", d, m)
	}
	back := make([]float32, 32)
	DecodeQ4_1(back, enc1)
	if back[0] != -4 {
		t.Errorf("Q4_1 decodes the min to %v", back[0])
	}
}

// Every format's 16-bit paths equal the float32 path on the widened
// values, and round its results.
func TestQ4Formats(t *testing.T) {
	x := q4Blocks(64)
	f16, f16x, bf16, bf16x := groupInputs(x)
	for _, c := range []struct {
		name string
		size int
		dec  func(out []float32, h []Float16, b []BFloat16, src []byte)
	}{
		{"Q4_0", Q4_0Bytes, func(o []float32, h []Float16, b []BFloat16, s []byte) {
			DecodeQ4_0(o, s)
			DecodeQ4_0(h, s)
			DecodeQ4_0(b, s)
		}},
		{"Q4_1", Q4_1Bytes, func(o []float32, h []Float16, b []BFloat16, s []byte) {
			DecodeQ4_1(o, s)
			DecodeQ4_1(h, s)
			DecodeQ4_1(b, s)
		}},
	} {
		nb := len(x) / 32 * c.size
		// Encode each input type separately and compare with the float32
		// encoding of the widened values.
		for i, in := range []any{f16, bf16} {
			wx := [][]float32{f16x, bf16x}[i]
			got, ref := make([]byte, nb), make([]byte, nb)
			var err error
			switch v := in.(type) {
			case []Float16:
				err = encodeAny(c.name, got, v)
			case []BFloat16:
				err = encodeAny(c.name, got, v)
			}
			if err != nil || encodeAny(c.name, ref, wx) != nil || !slices.Equal(got, ref) {
				t.Errorf("%s from %T differs from the float32 encoding of its values (%v)", c.name, in, err)
			}
		}
		// Decoding to 16 bits rounds the float32 result.
		out := make([]float32, len(x))
		h, b := make([]Float16, len(x)), make([]BFloat16, len(x))
		enc := make([]byte, nb)
		if err := encodeAny(c.name, enc, x); err != nil {
			t.Fatal(err)
		}
		c.dec(out, h, b, enc)
		for i, v := range out {
			if h[i] != Float16FromFloat32(v) || b[i] != BFloat16FromFloat32(v) {
				t.Fatalf("%s decode [%d]: float32 %v, Float16 %#04x, BFloat16 %#04x", c.name, i, v, h[i], b[i])
			}
		}
	}
}

func encodeAny[T Float](name string, dst []byte, src []T) error {
	if name == "Q4_0" {
		return EncodeQ4_0(dst, src)
	}
	return EncodeQ4_1(dst, src)
}

func TestQ4Errors(t *testing.T) {
	for _, c := range []struct {
		name  string
		block []float32
		want  error
		where string
	}{
		{"NaN", []float32{1, float32(math.NaN())}, ErrNotFinite, "block 1: "},
		{"Inf", []float32{float32(math.Inf(-1))}, ErrNotFinite, "block 1: "},
		{"Q4_0 range", []float32{600000}, ErrRange, "block 1: "},
	} {
		x := make([]float32, 64)
		copy(x[32:], c.block)
		for _, f := range []struct {
			name string
			size int
			enc  func([]byte, []float32) error
		}{{"EncodeQ4_0", Q4_0Bytes, EncodeQ4_0[float32]}, {"EncodeQ4_1", Q4_1Bytes, EncodeQ4_1[float32]}} {
			if c.name == "Q4_0 range" && f.name == "EncodeQ4_1" {
				continue
			}
			dst := slices.Repeat([]byte{0x5A}, 2*f.size)
			err := f.enc(dst, x)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.where) || slices.ContainsFunc(dst, func(b byte) bool { return b != 0x5A }) {
				t.Errorf("%s %s: error %v, dst % x; want %v naming %q, dst untouched", f.name, c.name, err, dst, c.want, c.where)
			}
		}
	}
	// Q4_1: a min beyond binary16, and a range whose d overflows; a large
	// value that is not a min is fine.
	for _, c := range []struct {
		block []float32
		ok    bool
	}{{[]float32{70000, 70000}, false}, {[]float32{-60000, 60000, 0, 2e6}, false}, {[]float32{0, 70000}, true}, {[]float32{-100, 900}, true}} {
		x := slices.Repeat([]float32{c.block[0]}, 32)
		copy(x, c.block)
		err := EncodeQ4_1(make([]byte, Q4_1Bytes), x)
		if c.ok != (err == nil) || err != nil && !errors.Is(err, ErrRange) {
			t.Errorf("EncodeQ4_1 %v: error %v", c.block, err)
		}
	}
}

func TestQ4Panics(t *testing.T) {
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { _ = EncodeQ4_0(make([]byte, 18), make([]float32, 31)) }, "quant: EncodeQ4_0: len(src) = 31 is not a multiple of 32"},
		{func() { _ = EncodeQ4_1(make([]byte, 39), make([]float32, 64)) }, "quant: EncodeQ4_1: len(dst) = 39 < 40 bytes for 64 values"},
		{func() { DecodeQ4_0(make([]float32, 32), make([]byte, 19)) }, "quant: DecodeQ4_0: len(src) = 19 is not a multiple of 18"},
		{func() { DecodeQ4_1(make([]float32, 31), make([]byte, 20)) }, "quant: DecodeQ4_1: len(dst) = 31 < 32 values for 20 bytes"},
	} {
		if got := panicText(c.f); got != c.want {
			t.Errorf("panic %q, want %q", got, c.want)
		}
	}
}

// Values on the grid come back exactly.
func TestQ4RoundTrip(t *testing.T) {
	x := make([]float32, 32)
	for i := range x {
		x[i] = float32(i%16-8) * 0.125
	}
	for _, f := range []struct {
		size int
		enc  func([]byte, []float32) error
		dec  func([]float32, []byte)
	}{{Q4_0Bytes, EncodeQ4_0[float32], DecodeQ4_0[float32]}, {Q4_1Bytes, EncodeQ4_1[float32], DecodeQ4_1[float32]}} {
		enc, back := make([]byte, f.size), make([]float32, 32)
		if err := f.enc(enc, x); err != nil {
			t.Fatal(err)
		}
		f.dec(back, enc)
		if !slices.Equal(back, x) {
			t.Errorf("%d-byte blocks: round trip %v, want %v", f.size, back, x)
		}
	}
}

func TestQ4Allocs(t *testing.T) {
	x := q4Blocks(64)
	f16, _, bf16, _ := groupInputs(x)
	e0, e1 := make([]byte, 64*Q4_0Bytes), make([]byte, 64*Q4_1Bytes)
	h, b := make([]Float16, len(x)), make([]BFloat16, len(x))
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"EncodeQ4_0", func() { _ = EncodeQ4_0(e0, x) }},
		{"EncodeQ4_0 Float16", func() { _ = EncodeQ4_0(e0, f16) }},
		{"EncodeQ4_1 BFloat16", func() { _ = EncodeQ4_1(e1, bf16) }},
		{"DecodeQ4_0 BFloat16", func() { DecodeQ4_0(b, e0) }},
		{"DecodeQ4_1 Float16", func() { DecodeQ4_1(h, e1) }},
	} {
		c.f()
		if a := testing.AllocsPerRun(20, c.f); a != 0 {
			t.Errorf("%s: %v allocations per call", c.name, a)
		}
	}
}
