package quant

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/qkernels/quant/dispatch"
	"github.com/qkernels/quant/fallback"
)

// Tests in this package are internal so that forEachSet can point the
// public API at every kernel set the CPU runs (dispatch.Use).
// None of them may call t.Parallel: dispatch.Use swaps a package variable.

// forEachSet runs f as a subtest once per runnable kernel set, with the
// public API switched to that set.
func forEachSet(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, k := range dispatch.Runnable() {
		t.Run(k.Name, func(t *testing.T) {
			defer dispatch.Use(k)()
			f(t)
		})
	}
}

func f32(b uint32) float32    { return math.Float32frombits(b) }
func bits32(x float32) uint32 { return math.Float32bits(x) }

// nextUp and nextDown step to the adjacent float32.
func nextUp(x float32) float32   { return math.Nextafter32(x, float32(math.Inf(1))) }
func nextDown(x float32) float32 { return math.Nextafter32(x, float32(math.Inf(-1))) }

// Float32 bit patterns that matter to some kernel: every kind of NaN,
// infinities, zeros, subnormals, and rounding ties of both 16-bit formats.
var (
	nanBits = []uint32{
		0x7FC00000, 0xFFC00000, // quiet, both signs
		0x7F800001, 0xFF800001, // signalling, smallest payload
		0x7FBFFFFF, 0xFFBFFFFF, // signalling, largest payload
		0x7FFFFFFF, 0xFFFFFFFF, // quiet, every payload bit
		0x7FA00000, 0x7F802000, 0xFFC01234,
	}
	specialBits = []uint32{
		0x00000000, 0x80000000, 0x7F800000, 0xFF800000, // ±0, ±Inf
		0x00000001, 0x80000001, 0x007FFFFF, 0x807FFFFF, 0x00400000, // subnormals
		0x00800000, 0x80800000, 0x7F7FFFFF, 0xFF7FFFFF, // smallest normal, largest
		0x3F800000, 0xBF800000, 0x3F808000, 0x3F818000, 0x3F808001, // 1, BF16 ties
		0x00018000, 0x00008000, 0x7F7F8000, 0x7F7F7FFF, // BF16 subnormal ties, overflow
		0x477FE000, 0x477FEFFF, 0x477FF000, 0xC77FF000, // 65504, below and at 65520
		0x33000000, 0x33000001, 0xB3000000, 0x33800000, // 2^-25 (FP16 tie), 2^-24
		0x33C00000, 0x34200000, 0x387FC000, 0x38800000, // 1.5*2^-24, 2.5*2^-24, 2^-14 - 2^-25, 2^-14
		0x3F801000, 0x3F803000, 0x3F801001, // 1+2^-11, 1+3*2^-11 (FP16 ties), just above
	}
)

// randomFloats returns n float32s mixing ordinary values with the special
// patterns; if finite, it leaves out NaNs and infinities.
func randomFloats(r *rand.Rand, n int, finite bool) []float32 {
	s := make([]float32, n)
	for i := range s {
		switch r.IntN(4) {
		case 0:
			b := specialBits[r.IntN(len(specialBits))]
			if !finite || b&0x7F800000 != 0x7F800000 {
				s[i] = f32(b)
				continue
			}
			s[i] = 1
		case 1:
			if !finite {
				s[i] = f32(nanBits[r.IntN(len(nanBits))])
				continue
			}
			fallthrough
		case 2:
			b := r.Uint32()
			if finite && b&0x7F800000 == 0x7F800000 {
				b &^= 0x40000000
			}
			s[i] = f32(b)
		default:
			s[i] = float32(r.NormFloat64())
		}
	}
	return s
}

// tame divides values beyond ±1e37 by 16, so that a tensor cannot span
// nearly all of float32, a range QuantizeZeroPoint may reject.
func tame(s []float32) []float32 {
	for i, x := range s {
		if math.Abs(float64(x)) > 1e37 {
			s[i] = x / 16
		}
	}
	return s
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)) }

// bitsOf returns the bit patterns of s, so that NaNs compare equal to
// themselves and -0 differs from +0.
func bitsOf[T float32 | Float16 | BFloat16 | uint16 | int8 | byte](s []T) []uint32 {
	out := make([]uint32, len(s))
	for i, v := range s {
		switch v := any(v).(type) {
		case float32:
			out[i] = bits32(v)
		case Float16:
			out[i] = uint32(v)
		case BFloat16:
			out[i] = uint32(v)
		case uint16:
			out[i] = uint32(v)
		case int8:
			out[i] = uint32(uint8(v))
		case byte:
			out[i] = uint32(v)
		}
	}
	return out
}

// firstDiff returns the first index where a and b differ, or -1.
func firstDiff(a, b []uint32) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// panicText runs f and returns what it panicked with, or "" if it did not.
func panicText(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
			if msg == "" {
				msg = "(empty panic)"
			}
		}
	}()
	f()
	return ""
}

// TestImplementation reports what this run uses; CI sets QUANT_WANT_IMPL
// to check that QUANT_IMPL, GODEBUG and build tags select what they should.
func TestImplementation(t *testing.T) {
	t.Logf("Implementation() = %q", Implementation())
	t.Logf("CPU: %s", dispatch.Describe())
	t.Logf("features: %q", dispatch.Host().String())
	var names []string
	for _, k := range dispatch.Runnable() {
		names = append(names, k.Name)
	}
	t.Logf("runnable sets: %v; %s=%q", names, dispatch.EnvVar, os.Getenv(dispatch.EnvVar))

	if len(names) == 0 || names[len(names)-1] != "generic" {
		t.Errorf("runnable sets %v do not end with generic", names)
	}
	if !slices.Contains(names, Implementation()) {
		t.Errorf("Implementation() = %q is not among the runnable sets %v", Implementation(), names)
	}
	if got := dispatch.Selected().Name; got != Implementation() {
		t.Errorf("dispatch.Selected().Name = %q, Implementation() = %q", got, Implementation())
	}
	if os.Getenv(dispatch.EnvVar) == "" && Implementation() != names[0] {
		t.Errorf("without %s, Implementation() = %q, want the best runnable set %q", dispatch.EnvVar, Implementation(), names[0])
	}
	if want := os.Getenv("QUANT_WANT_IMPL"); want != "" && Implementation() != want {
		t.Errorf("Implementation() = %q, QUANT_WANT_IMPL = %q", Implementation(), want)
	}
}

// Every function that takes dst and src panics, before writing anything,
// when dst is too short, naming itself and both lengths.
func TestShortDstPanics(t *testing.T) {
	calls := []struct {
		name string
		call func(ndst, nsrc int)
	}{
		{"Float32ToFloat16", func(nd, ns int) { Float32ToFloat16(make([]Float16, nd), make([]float32, ns)) }},
		{"Float16ToFloat32", func(nd, ns int) { Float16ToFloat32(make([]float32, nd), make([]Float16, ns)) }},
		{"Float32ToBFloat16", func(nd, ns int) { Float32ToBFloat16(make([]BFloat16, nd), make([]float32, ns)) }},
		{"BFloat16ToFloat32", func(nd, ns int) { BFloat16ToFloat32(make([]float32, nd), make([]BFloat16, ns)) }},
		{"QuantizeAbsmax", func(nd, ns int) { QuantizeAbsmax(make([]int8, nd), fill(make([]float32, ns), 1)) }},
		{"QuantizeZeroPoint", func(nd, ns int) { QuantizeZeroPoint(make([]int8, nd), fill(make([]float32, ns), 1)) }},
		{"DequantizeAbsmax", func(nd, ns int) { DequantizeAbsmax(make([]float32, nd), make([]int8, ns), AbsmaxParams{Scale: 1}) }},
		{"DequantizeZeroPoint", func(nd, ns int) {
			DequantizeZeroPoint(make([]float32, nd), make([]int8, ns), ZeroPointParams{Scale: 1})
		}},
		{"DecodeFloat16s", func(nd, ns int) { DecodeFloat16s(make([]Float16, nd), make([]byte, 2*ns)) }},
		{"DecodeBFloat16s", func(nd, ns int) { DecodeBFloat16s(make([]BFloat16, nd), make([]byte, 2*ns)) }},
	}
	forEachSet(t, func(t *testing.T) {
		for _, c := range calls {
			for _, n := range [][2]int{{0, 1}, {2, 3}, {7, 8}, {64, 65}, {1, 1000}} {
				msg := panicText(func() { c.call(n[0], n[1]) })
				if msg == "" {
					t.Errorf("%s(len(dst) = %d, len(src) = %d) did not panic", c.name, n[0], n[1])
					continue
				}
				for _, want := range []string{c.name, fmt.Sprintf("len(dst) = %d", n[0]), fmt.Sprintf("len(src) = %d", n[1])} {
					if !strings.Contains(msg, want) {
						t.Errorf("%s(len(dst) = %d, len(src) = %d) panicked with %q, which does not contain %q", c.name, n[0], n[1], msg, want)
					}
				}
			}
		}
	})
}

// Odd byte counts cannot hold 16-bit values.
func TestOddBytesPanic(t *testing.T) {
	calls := []struct {
		name string
		call func(b []byte)
	}{
		{"ViewFloat16s", func(b []byte) { ViewFloat16s(b) }},
		{"ViewBFloat16s", func(b []byte) { ViewBFloat16s(b) }},
		{"Float16sFromBytes", func(b []byte) { Float16sFromBytes(b) }},
		{"BFloat16sFromBytes", func(b []byte) { BFloat16sFromBytes(b) }},
		{"DecodeFloat16s", func(b []byte) { DecodeFloat16s(make([]Float16, 100), b) }},
		{"DecodeBFloat16s", func(b []byte) { DecodeBFloat16s(make([]BFloat16, 100), b) }},
	}
	buf := make([]byte, 64)
	for _, c := range calls {
		for _, n := range []int{1, 3, 17} {
			for _, off := range []int{0, 1} {
				msg := panicText(func() { c.call(buf[off : off+n]) })
				if !strings.Contains(msg, c.name) || !strings.Contains(msg, "odd") || !strings.Contains(msg, fmt.Sprint(n)) {
					t.Errorf("%s of %d bytes: panic %q, want one naming the function, \"odd\" and %d", c.name, n, msg, n)
				}
			}
		}
	}
}

func fill[T any](s []T, v T) []T {
	for i := range s {
		s[i] = v
	}
	return s
}

// A short dst must not be written before the panic: check with a dst that
// is a window of a larger sentinel-filled array.
func TestShortDstWritesNothing(t *testing.T) {
	forEachSet(t, func(t *testing.T) {
		src := fill(make([]float32, 9), 1.5)
		q := fill(make([]int8, 16), 55)
		h := fill(make([]Float16, 16), 0x5555)
		bf := fill(make([]BFloat16, 16), 0x5555)
		f := fill(make([]float32, 16), 5)
		for _, call := range []func(){
			func() { Float32ToFloat16(h[:8], src) },
			func() { Float32ToBFloat16(bf[:8], src) },
			func() { Float16ToFloat32(f[:8], make([]Float16, 9)) },
			func() { BFloat16ToFloat32(f[:8], make([]BFloat16, 9)) },
			func() { QuantizeAbsmax(q[:8], src) },
			func() { QuantizeZeroPoint(q[:8], src) },
			func() { DequantizeAbsmax(f[:8], q[:9], AbsmaxParams{Scale: 1}) },
			func() { DequantizeZeroPoint(f[:8], q[:9], ZeroPointParams{Scale: 1, ZeroPoint: -1 << 31}) },
			func() { DecodeFloat16s(h[:8], make([]byte, 18)) },
		} {
			if msg := panicText(call); !strings.Contains(msg, "len(dst) = 8 < len(src) = 9") {
				t.Errorf("panic %q, want the length check's", msg)
			}
		}
		for i := range 16 {
			if q[i] != 55 || h[i] != 0x5555 || bf[i] != 0x5555 || f[i] != 5 {
				t.Fatalf("a call that panicked wrote dst[%d]: q %d, h %#x, f %v", i, q[i], h[i], f[i])
			}
		}
	})
}

// DequantizeZeroPoint panics on a zero point whose difference with an
// int8 could overflow int32, and accepts everything up to the bounds,
// computing the difference exactly there.
func TestDequantizeZeroPointRange(t *testing.T) {
	q := make([]int8, 256)
	for i := range q {
		q[i] = int8(i - 128)
	}
	forEachSet(t, func(t *testing.T) {
		for _, zp := range []int32{math.MinInt32, math.MinInt32 + 1, math.MinInt32 + 127, math.MaxInt32 - 127, math.MaxInt32} {
			msg := panicText(func() { DequantizeZeroPoint(make([]float32, 256), q, ZeroPointParams{Scale: 1, ZeroPoint: zp}) })
			if !strings.Contains(msg, "DequantizeZeroPoint") || !strings.Contains(msg, fmt.Sprint(zp)) {
				t.Errorf("ZeroPoint %d: panic %q, want one naming DequantizeZeroPoint and %d", zp, msg, zp)
			}
		}
		for _, zp := range []int32{math.MinInt32 + 128, math.MinInt32 + 129, -(1 << 24) - 1, 0, 1<<24 + 1, math.MaxInt32 - 129, math.MaxInt32 - 128} {
			for _, scale := range []float32{1, 3, 0.1} {
				d := make([]float32, 256)
				DequantizeZeroPoint(d, q, ZeroPointParams{Scale: scale, ZeroPoint: zp})
				for i, v := range q {
					want := float32(int64(v)-int64(zp)) / scale
					if bits32(d[i]) != bits32(want) {
						t.Fatalf("ZeroPoint %d, Scale %v: q %d -> %v, want %v", zp, scale, v, d[i], want)
					}
				}
			}
		}
	})
}

// sentinels for the elements of dst past len(src).
const (
	sentinel16 = 0xA5A5
	sentinel8  = int8(-93)
)

var sentinel8bits = bitsOf([]int8{sentinel8})[0]

var sentinel32 = f32(0x7FE5A5A5) // a NaN no kernel produces (its low 13 bits are set)

// With dst longer than src, every function writes exactly len(src)
// values (those of the reference kernels), leaves the rest of dst and all
// of src alone.
func TestLongDstAndSourceUntouched(t *testing.T) {
	forEachSet(t, func(t *testing.T) {
		r := newRand(1) // the same data for every set
		for _, n := range []int{0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 257} {
			for _, extra := range []int{1, 7, 64} {
				checkLongDst(t, r, n, extra)
			}
		}
	})
}

func checkLongDst(t *testing.T, r *rand.Rand, n, extra int) {
	t.Helper()
	src := randomFloats(r, n, false)
	finite := randomFloats(r, n, true)
	tame(finite)
	if n > 0 {
		finite[r.IntN(n)] = -1.25 // keep max|x| and the range clear of ErrRange
	}
	h := make([]uint16, n)
	for i := range h {
		h[i] = uint16(r.Uint32())
	}
	q := make([]int8, n)
	for i := range q {
		q[i] = int8(r.Uint32())
	}
	b := make([]byte, 2*n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}

	// expect checks dst[:n] against want, dst[n:] against the sentinel,
	// and the sources against their copies.
	expect := func(name string, got, want []uint32, sentinel uint32) {
		t.Helper()
		for i, g := range got {
			w := sentinel
			if i < n {
				w = want[i]
			}
			if g != w {
				t.Fatalf("%s, n = %d, extra = %d: dst[%d] = %#x, want %#x", name, n, extra, i, g, w)
			}
		}
	}
	srcBits, finiteBits, hBits, qBits, bBits := bitsOf(src), bitsOf(finite), bitsOf(h), bitsOf(q), bitsOf(b)
	defer func() {
		t.Helper()
		if !slices.Equal(bitsOf(src), srcBits) || !slices.Equal(bitsOf(finite), finiteBits) ||
			!slices.Equal(bitsOf(h), hBits) || !slices.Equal(bitsOf(q), qBits) || !slices.Equal(bitsOf(b), bBits) {
			t.Fatalf("n = %d: a function modified its source", n)
		}
	}()

	ref16 := make([]uint16, n)
	ref32 := make([]float32, n)
	ref8 := make([]int8, n)

	d16 := fill(make([]Float16, n+extra), sentinel16)
	Float32ToFloat16(d16, src)
	fallback.Float32ToFloat16(ref16, src)
	expect("Float32ToFloat16", bitsOf(d16), bitsOf(ref16), sentinel16)

	b16 := fill(make([]BFloat16, n+extra), sentinel16)
	Float32ToBFloat16(b16, src)
	fallback.Float32ToBFloat16(ref16, src)
	expect("Float32ToBFloat16", bitsOf(b16), bitsOf(ref16), sentinel16)

	d32 := fill(make([]float32, n+extra), sentinel32)
	Float16ToFloat32(d32, asFloat16(h))
	fallback.Float16ToFloat32(ref32, h)
	expect("Float16ToFloat32", bitsOf(d32), bitsOf(ref32), bits32(sentinel32))

	d32 = fill(make([]float32, n+extra), sentinel32)
	BFloat16ToFloat32(d32, asBFloat16(h))
	fallback.BFloat16ToFloat32(ref32, h)
	expect("BFloat16ToFloat32", bitsOf(d32), bitsOf(ref32), bits32(sentinel32))

	d8 := fill(make([]int8, n+extra), sentinel8)
	ap, err := QuantizeAbsmax(d8, finite)
	if err != nil {
		t.Fatalf("QuantizeAbsmax: %v", err)
	}
	fallback.QuantizeAbsmax(ref8, finite, ap.Scale)
	expect("QuantizeAbsmax", bitsOf(d8), bitsOf(ref8), sentinel8bits)

	d32 = fill(make([]float32, n+extra), sentinel32)
	DequantizeAbsmax(d32, q, ap)
	for i, v := range q { // the documented formula: it has no kernel of its own
		ref32[i] = float32(v) / ap.Scale
	}
	expect("DequantizeAbsmax", bitsOf(d32), bitsOf(ref32), bits32(sentinel32))

	d8 = fill(make([]int8, n+extra), sentinel8)
	zp, err := QuantizeZeroPoint(d8, finite)
	if err != nil {
		t.Fatalf("QuantizeZeroPoint: %v", err)
	}
	fallback.QuantizeZeroPoint(ref8, finite, zp.Scale, float32(zp.ZeroPoint))
	expect("QuantizeZeroPoint", bitsOf(d8), bitsOf(ref8), sentinel8bits)

	d32 = fill(make([]float32, n+extra), sentinel32)
	DequantizeZeroPoint(d32, q, zp)
	fallback.DequantizeZeroPoint(ref32, q, zp.Scale, zp.ZeroPoint)
	expect("DequantizeZeroPoint", bitsOf(d32), bitsOf(ref32), bits32(sentinel32))

	d16 = fill(make([]Float16, n+extra), sentinel16)
	DecodeFloat16s(d16, b)
	for i := range n {
		ref16[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	expect("DecodeFloat16s", bitsOf(d16), bitsOf(ref16), sentinel16)
	b16 = fill(make([]BFloat16, n+extra), sentinel16)
	DecodeBFloat16s(b16, b)
	expect("DecodeBFloat16s", bitsOf(b16), bitsOf(ref16), sentinel16)
}

func asFloat16(h []uint16) []Float16 {
	s := make([]Float16, len(h))
	for i, v := range h {
		s[i] = Float16(v)
	}
	return s
}

func asBFloat16(h []uint16) []BFloat16 {
	s := make([]BFloat16, len(h))
	for i, v := range h {
		s[i] = BFloat16(v)
	}
	return s
}

// No public function allocates on its hot path (byte views aside on
// big-endian hosts, where they must copy).
func TestNoAllocations(t *testing.T) {
	const n = 4096
	r := newRand(2)
	src := tame(randomFloats(r, n, true))
	f32s := make([]float32, n)
	f16s := make([]Float16, n)
	bf16s := make([]BFloat16, n)
	q := make([]int8, n)
	b := make([]byte, 2*n)
	out := make([]byte, 0, 2*n)
	fns := []struct {
		name string
		f    func()
	}{
		{"Float32ToFloat16", func() { Float32ToFloat16(f16s, src) }},
		{"Float16ToFloat32", func() { Float16ToFloat32(f32s, f16s) }},
		{"Float32ToBFloat16", func() { Float32ToBFloat16(bf16s, src) }},
		{"BFloat16ToFloat32", func() { BFloat16ToFloat32(f32s, bf16s) }},
		{"AbsMax", func() { AbsMax(src) }},
		{"MinMax", func() { MinMax(src) }},
		{"QuantizeAbsmax", func() {
			if _, err := QuantizeAbsmax(q, src); err != nil {
				panic(err)
			}
		}},
		{"QuantizeZeroPoint", func() {
			if _, err := QuantizeZeroPoint(q, src); err != nil {
				panic(err)
			}
		}},
		{"DequantizeAbsmax", func() { DequantizeAbsmax(f32s, q, AbsmaxParams{Scale: 3}) }},
		{"DequantizeZeroPoint", func() { DequantizeZeroPoint(f32s, q, ZeroPointParams{Scale: 3, ZeroPoint: -7}) }},
		{"DecodeFloat16s", func() { DecodeFloat16s(f16s, b) }},
		{"DecodeBFloat16s", func() { DecodeBFloat16s(bf16s, b) }},
		{"AppendFloat16s", func() { out = AppendFloat16s(out[:0], f16s) }},
		{"AppendBFloat16s", func() { out = AppendBFloat16s(out[:0], bf16s) }},
		{"scalar", func() {
			h := Float16FromFloat32(src[0])
			bf := BFloat16FromFloat32(src[1])
			_ = h.Float32() + bf.Float32()
			_ = h.IsNaN() || h.IsInf() || bf.IsNaN() || bf.IsInf()
		}},
		{"Implementation", func() { _ = Implementation() }},
		{"ViewFloat16s", func() { f16s, _ = ViewFloat16s(b) }},
		{"ViewBFloat16s", func() { bf16s, _ = ViewBFloat16s(b) }},
	}
	if hostLittleEndian() {
		fns = append(fns,
			struct {
				name string
				f    func()
			}{"Float16sFromBytes", func() { f16s = Float16sFromBytes(b) }},
			struct {
				name string
				f    func()
			}{"BFloat16sFromBytes", func() { bf16s = BFloat16sFromBytes(b) }},
		)
	}
	forEachSet(t, func(t *testing.T) {
		for _, fn := range fns {
			if a := testing.AllocsPerRun(10, fn.f); a != 0 {
				t.Errorf("%s: %v allocations per call, want 0", fn.name, a)
			}
		}
	})
}

// Conversions: every example of the specification, on every set, both one
// value at a time and inside a longer slice (so vector code sees them).
func TestConversionExamples(t *testing.T) {
	toF16 := []struct {
		in   uint32
		want uint16
	}{
		{bits32(65519), 0x7BFF},
		{bits32(65520), 0x7C00},
		{bits32(-65520), 0xFC00},
		{bits32(65504), 0x7BFF},
		{0x3F800000, 0x3C00},
		{bits32(0x1p-25), 0x0000},                  // tie with the smallest subnormal: even is 0
		{bits32(0x1p-25 + 0x1p-35), 0x0001},        // just above the tie
		{bits32(-0x1p-25), 0x8000},                 // zeros keep their sign
		{bits32(0x1p-24), 0x0001},                  // smallest subnormal
		{bits32(0x1.8p-24), 0x0002},                // tie between 1 and 2 units: even is 2
		{bits32(0x1.4p-23), 0x0002},                // 2.5 units: even is 2
		{bits32(0x1p-14 - 0x1p-25), 0x0400},        // largest subnormal + half: rounds up to normal
		{bits32(1 + 0x1p-11), 0x3C00},              // tie: even
		{bits32(1 + 3*0x1p-11), 0x3C02},            // tie: odd goes up
		{bits32(1 + 0x1p-11 + 0x1p-23), 0x3C01},    // above the tie
		{0x7F800001, 0x7E00},                       // signalling NaN: quiet, payload's top bits
		{0xFF800001, 0xFE00},                       // sign kept
		{0x7FC00000, 0x7E00},                       // quiet NaN
		{0xFF802000, 0xFE01},                       // payload bit 13 survives
		{0x7FFFFFFF, 0x7FFF},                       // every payload bit
		{0x7F800000, 0x7C00}, {0xFF800000, 0xFC00}, // infinities
		{0x00000001, 0x0000}, {0x80000001, 0x8000}, // float32 subnormals
		{0x7F7FFFFF, 0x7C00}, {0x80000000, 0x8000}, // overflow, -0
		{bits32(nextDown(65520)), 0x7BFF}, // largest value that rounds to 65504
		{bits32(0.333333333), 0x3555},     // ordinary rounding
		{bits32(-2), 0xC000},
	}
	toBF16 := []struct {
		in   uint32
		want uint16
	}{
		{0x3F808000, 0x3F80}, // tie: even
		{0x3F818000, 0x3F82}, // tie: odd goes up
		{0x3F808001, 0x3F81},
		{0x3F807FFF, 0x3F80},
		{0x00018000, 0x0002}, // subnormal tie: never flushed
		{0x00008000, 0x0000},
		{0x00008001, 0x0001},
		{0x80018000, 0x8002},
		{0x7F800001, 0x7FC0}, // signalling NaN quieted
		{0xFF800001, 0xFFC0},
		{0x7FFFFFFF, 0x7FFF},
		{0x7FA50000, 0x7FE5},
		{0x7F7F8000, 0x7F80}, // tie above the largest bfloat16 (odd): Inf
		{0x7F7F7FFF, 0x7F7F},
		{0xFF7FFFFF, 0xFF80},
		{0x7F800000, 0x7F80}, {0xFF800000, 0xFF80},
		{0x00000000, 0x0000}, {0x80000000, 0x8000},
	}
	f16in := make([]float32, 0, len(toF16))
	for _, c := range toF16 {
		f16in = append(f16in, f32(c.in))
	}
	bf16in := make([]float32, 0, len(toBF16))
	for _, c := range toBF16 {
		bf16in = append(bf16in, f32(c.in))
	}
	forEachSet(t, func(t *testing.T) {
		for _, lead := range []int{0, 1, 5, 31} { // place the examples at several vector lanes
			src := append(make([]float32, lead), f16in...)
			dst := make([]Float16, len(src))
			Float32ToFloat16(dst, src)
			for i, c := range toF16 {
				if got := dst[lead+i]; uint16(got) != c.want {
					t.Errorf("Float32ToFloat16(%#08x = %v) = %#04x, want %#04x", c.in, f32(c.in), uint16(got), c.want)
				}
			}
			src = append(make([]float32, lead), bf16in...)
			bdst := make([]BFloat16, len(src))
			Float32ToBFloat16(bdst, src)
			for i, c := range toBF16 {
				if got := bdst[lead+i]; uint16(got) != c.want {
					t.Errorf("Float32ToBFloat16(%#08x) = %#04x, want %#04x", c.in, uint16(got), c.want)
				}
			}
		}
	})
	for _, c := range toF16 {
		if got := Float16FromFloat32(f32(c.in)); uint16(got) != c.want {
			t.Errorf("Float16FromFloat32(%#08x) = %#04x, want %#04x", c.in, uint16(got), c.want)
		}
	}
	for _, c := range toBF16 {
		if got := BFloat16FromFloat32(f32(c.in)); uint16(got) != c.want {
			t.Errorf("BFloat16FromFloat32(%#08x) = %#04x, want %#04x", c.in, uint16(got), c.want)
		}
	}
}

// float16Value computes the value of binary16 bits from the definition of
// the format, independently of the library.
func float16Value(h uint16) uint32 {
	sign := uint32(h>>15) << 31
	e, m := int(h>>10)&0x1F, int(h&0x3FF)
	switch {
	case e == 0x1F && m == 0:
		return sign | 0x7F800000
	case e == 0x1F: // NaN: quiet bit set, payload kept
		return sign | 0x7FC00000 | uint32(m)<<13
	case e == 0:
		return sign | bits32(float32(math.Ldexp(float64(m), -24)))
	default:
		return sign | bits32(float32(math.Ldexp(float64(1024+m), e-25)))
	}
}

// The widening conversions, checked on all 65536 patterns.
func TestWideningAllPatterns(t *testing.T) {
	h := make([]Float16, 1<<16)
	b := make([]BFloat16, 1<<16)
	for i := range h {
		h[i] = Float16(i)
		b[i] = BFloat16(i)
	}
	forEachSet(t, func(t *testing.T) {
		d := make([]float32, len(h))
		Float16ToFloat32(d, h)
		for i, v := range d {
			if want := float16Value(uint16(i)); bits32(v) != want {
				t.Fatalf("Float16ToFloat32(%#04x) = %#08x, want %#08x", i, bits32(v), want)
			}
		}
		BFloat16ToFloat32(d, b)
		for i, v := range d {
			if want := uint32(i) << 16; bits32(v) != want {
				t.Fatalf("BFloat16ToFloat32(%#04x) = %#08x, want %#08x", i, bits32(v), want)
			}
		}
	})
}

// half16 lists every finite non-negative binary16 value in increasing
// order of bits (which is increasing order of value), then 65536 standing
// for the overflow threshold's upper neighbour, as float64s.
var half16 = func() []float64 {
	v := make([]float64, 0x7C01)
	for h := range 0x7C00 {
		v[h] = float64(f32(float16Value(uint16(h))))
	}
	v[0x7C00] = 65536 // Inf sits where 2^16 would: ties at 65520 go to it (even)
	return v
}()

// refFloat16 rounds a non-NaN x to binary16 by searching the table of all
// values: nearest, ties to the even pattern.
func refFloat16(x float32) uint16 {
	sign := uint16(bits32(x)>>16) & 0x8000
	a := math.Abs(float64(x))
	if a >= 65536 {
		return sign | 0x7C00
	}
	i := sort.SearchFloat64s(half16, a) // first value >= a
	if half16[i] != a {
		lo, hi := half16[i-1], half16[i]
		if a-lo < hi-a || (a-lo == hi-a && (i-1)%2 == 0) {
			i--
		}
	}
	return sign | uint16(i)
}

// refBFloat16 rounds a non-NaN x to bfloat16 from the values of the two
// candidates: nearest, ties to even.
func refBFloat16(x float32) uint16 {
	b := bits32(x)
	lo := uint16(b >> 16)
	mag := func(h uint16) float64 {
		if h&0x7FFF == 0x7F80 {
			return math.Ldexp(1, 128) // Inf is where 2^128 would be
		}
		return math.Abs(float64(f32(uint32(h) << 16)))
	}
	a := math.Abs(float64(x))
	dlo, dhi := a-mag(lo), mag(lo+1)-a
	if lo&0x7FFF == 0x7F80 || dlo < dhi || (dlo == dhi && lo%2 == 0) {
		return lo
	}
	return lo + 1
}

// The narrowing conversions against independent references, on random
// patterns concentrated where binary16 has values.
func TestNarrowingReference(t *testing.T) {
	n := 1 << 20
	if testing.Short() {
		n = 1 << 16
	}
	r := newRand(3)
	src := make([]float32, n)
	for i := range src {
		b := r.Uint32()
		if i%2 == 0 { // exponents from 2^-26 to 2^17
			b = b&0x807FFFFF | uint32(127-26+r.IntN(44))<<23
		}
		if i%8 == 1 { // near ties: the low 12 bits around 0x1000
			b = b&^0x1FFF | 0x1000 + uint32(r.IntN(3)) - 1
		}
		if b&0x7FFFFFFF > 0x7F800000 {
			b &^= 0x00800000 // no NaNs (the examples and fuzzers cover them): make it finite
		}
		src[i] = f32(b)
	}
	forEachSet(t, func(t *testing.T) {
		d := make([]Float16, n)
		Float32ToFloat16(d, src)
		bf := make([]BFloat16, n)
		Float32ToBFloat16(bf, src)
		for i, x := range src {
			if want := refFloat16(x); uint16(d[i]) != want {
				t.Fatalf("Float32ToFloat16(%#08x = %v) = %#04x, want %#04x", bits32(x), x, uint16(d[i]), want)
			}
			if want := refBFloat16(x); uint16(bf[i]) != want {
				t.Fatalf("Float32ToBFloat16(%#08x = %v) = %#04x, want %#04x", bits32(x), x, uint16(bf[i]), want)
			}
		}
	})
}

// Every finite binary16 and bfloat16 value survives a round trip through
// float32 unchanged; NaNs come back quiet with their sign and payload.
func TestRoundTrip16(t *testing.T) {
	h := make([]Float16, 1<<16)
	b := make([]BFloat16, 1<<16)
	for i := range h {
		h[i] = Float16(i)
		b[i] = BFloat16(i)
	}
	forEachSet(t, func(t *testing.T) {
		f := make([]float32, len(h))
		back := make([]Float16, len(h))
		Float16ToFloat32(f, h)
		Float32ToFloat16(back, f)
		for i, v := range back {
			want := Float16(i)
			if want.IsNaN() {
				want |= 0x0200
			}
			if v != want {
				t.Fatalf("FP16 %#04x -> FP32 -> FP16 = %#04x, want %#04x", i, uint16(v), uint16(want))
			}
		}
		bback := make([]BFloat16, len(b))
		BFloat16ToFloat32(f, b)
		Float32ToBFloat16(bback, f)
		for i, v := range bback {
			want := BFloat16(i)
			if want.IsNaN() {
				want |= 0x0040
			}
			if v != want {
				t.Fatalf("BF16 %#04x -> FP32 -> BF16 = %#04x, want %#04x", i, uint16(v), uint16(want))
			}
		}
	})
}
