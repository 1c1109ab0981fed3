package quant

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/qkernels/quant/dispatch"
	"github.com/qkernels/quant/fallback"
)

// The public API is glue around a kernel set: argument checks, errors,
// panics, parameters, group splitting. Its tests check that glue once, on
// the selected set. That every set's kernels equal the reference, bit for
// bit, is the conformance suite's to prove (conformance_test.go runs
// kerneltest.Run, Exhaustive and GuardPages on every runnable set), and
// the differential fuzzers (fuzz_test.go, whose seeds run as ordinary
// tests) compare the public functions' whole results on every set with
// the reference kernels'.
//
// A few tests are about the wrappers around each set and run on every set
// with forEachSet; each says why. None of them may call t.Parallel:
// dispatch.Use swaps a package variable.

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
//
// On every set: the suite calls kernels only with their preconditions
// met, so a short dst reaches a set only through these wrappers, and what
// a missing check would do differs by set (an assembly kernel stores
// without bounds checks).
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
// is a window of a larger sentinel-filled array. On every set, as
// TestShortDstPanics says.
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
// computing the difference exactly there. The suite's dequantZeros and
// dequantScales hold these zero points and scales, and it runs every q
// under each pair on every set.
func TestDequantizeZeroPointRange(t *testing.T) {
	q := make([]int8, 256)
	for i := range q {
		q[i] = int8(i - 128)
	}
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
}

// sentinels for the elements of dst past len(src).
const (
	sentinel16 = 0xA5A5
	sentinel8  = int8(-93)
)

var sentinel8bits = bitsOf([]int8{sentinel8})[0]

var sentinel32 = f32(0x7FE5A5A5) // a NaN no kernel produces (its low 13 bits are set)

// With dst longer than src, every function writes exactly len(src)
// values (those of the reference kernels, called with the parameters the
// function passes on), leaves the rest of dst and all of src alone. The
// wrappers hand each kernel dst[:len(src)]; that no set's kernel writes
// outside the slices it is given, or into src, the suite checks with guard
// bytes and pages.
func TestLongDstAndSourceUntouched(t *testing.T) {
	r := newRand(1)
	for _, n := range []int{0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 257} {
		for _, extra := range []int{1, 7, 64} {
			checkLongDst(t, r, n, extra)
		}
	}
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
	Float16ToFloat32(d32, convertSlice[Float16](h))
	fallback.Float16ToFloat32(ref32, h)
	expect("Float16ToFloat32", bitsOf(d32), bitsOf(ref32), bits32(sentinel32))

	d32 = fill(make([]float32, n+extra), sentinel32)
	BFloat16ToFloat32(d32, convertSlice[BFloat16](h))
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

// convertSlice returns the 16-bit patterns of s as a []To: Float16,
// BFloat16 or uint16.
func convertSlice[To, From ~uint16](s []From) []To {
	out := make([]To, len(s))
	for i, v := range s {
		out[i] = To(v)
	}
	return out
}

// No public function allocates on its hot path (byte views aside on
// big-endian hosts, where they must copy).
//
// On every set: the suite counts the allocations of each kernel alone
// (checkAllocs); a public call is the wrapper and the set's kernels
// together, and only here is that whole call counted for each set.
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
