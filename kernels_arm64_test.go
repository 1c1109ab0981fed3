//go:build !purego && !noasm && unix

package quant

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/qkernels/quant/dispatch"
	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// The tests in this file hold the arm64 assembly to the reference kernels
// in package fallback. They run under emulation too:
//
//	QEMU_CPU=max GOARCH=arm64 go test -exec qemu-aarch64-static -run ARM64 .
//
// (QEMU_CPU=cortex-a72 for a CPU without FEAT_BF16.) The conformance suite
// (kernels/kerneltest) is the authority; these are quicker and poke at the
// loop structure of the assembly. The unix constraint is for the guard-page
// test's mmap.

// TestARM64Dispatch logs the chosen set and, if QUANT_WANT_IMPL is set,
// insists on it, so that a CI job on a known CPU proves the dispatch.
func TestARM64Dispatch(t *testing.T) {
	t.Logf("host %s: implementation %q", dispatch.Describe(), Implementation())
	for _, k := range dispatch.Runnable() {
		t.Logf("runnable: %s", k.Name)
	}
	if want := os.Getenv("QUANT_WANT_IMPL"); want != "" && Implementation() != want {
		t.Errorf("Implementation() = %q, want %q (host features %v)", Implementation(), want, dispatch.Host())
	}
	if !dispatch.Host().Has(dispatch.ASIMD) {
		t.Errorf("arm64 host without ASIMD: %v", dispatch.Host())
	}
}

// arm64Sets returns the assembly sets this CPU can run; neon always.
func arm64Sets(t *testing.T) []*kernels.Set {
	sets := []*kernels.Set{&neon}
	if dispatch.Host().Has(dispatch.BF16) {
		sets = append(sets, &neonBF16)
	} else {
		t.Log("no FEAT_BF16: neon-bf16 not tested")
	}
	return sets
}

// special32 holds float32 bit patterns at the edges of every kernel:
// zeros, subnormals, rounding ties of binary16 and bfloat16, overflow
// thresholds, infinities and NaNs with various payloads.
var special32 = func() []uint32 {
	s := []uint32{
		0x00000000, 0x00000001, 0x00000002, 0x00007FFF, 0x00008000, 0x00018000,
		0x007FFFFF, 0x00800000, 0x00808000, 0x00818000,
		0x3F800000, 0x3F801000, 0x3F803000, 0x3F801001, 0x3F800FFF, // 1 and binary16 ties
		0x3F808000, 0x3F818000, 0x3F808001, 0x3F807FFF, // bfloat16 ties
		0x33000000, 0x33000001, 0x33800000, 0x33C00000, 0x33A00000, // around 2^-24
		0x387FC000, 0x387FE000, 0x387FF000, 0x38800000, 0x38000000, // around 2^-14
		0x477FE000, 0x477FEFFF, 0x477FF000, 0x477FF001, 0x47800000, // 65504, 65520
		0x7F7F7FFF, 0x7F7F8000, 0x7F7F8001, 0x7F7FFFFF, 0x7F7EFFFF, 0x7F7E8000,
		0x7F800000,                                     // Inf
		0x7F800001, 0x7F801FFF, 0x7F802000, 0x7F80FFFF, // signalling NaNs
		0x7FA00000, 0x7FBFFFFF, 0x7F810000,
		0x7FC00000, 0x7FC00001, 0x7FFFFFFF, 0x7FE00000, 0x7FC0E000, // quiet NaNs
		0x3EFFFFFF, 0x3F000000, 0x3FC00000, 0x40200000, 0x42FD0000, 0x42FF0000,
		0x43000000, 0x4B000000, 0x4B7FFFFF, 0x4F000000, 0x4EFFFFFF,
	}
	for _, b := range s[:len(s):len(s)] {
		s = append(s, b|0x80000000)
	}
	return s
}()

// randBits returns float32 bits: half the time a special pattern, else
// random bits, else a random value of moderate size.
func randBits(r *rand.Rand) uint32 {
	switch r.IntN(4) {
	case 0:
		return special32[r.IntN(len(special32))]
	case 1:
		return math.Float32bits(float32(r.NormFloat64() * 100))
	default:
		return r.Uint32()
	}
}

// randFinite is randBits without NaNs (the quantizers' precondition).
func randFinite(r *rand.Rand) float32 {
	for {
		x := math.Float32frombits(randBits(r))
		if x == x {
			return x
		}
	}
}

const canary = 0xA5

// window returns an n-element slice of a fresh buffer at element offset
// off, and a check that nothing around it was written.
func window[T any](t *testing.T, n, off int) ([]T, func()) {
	t.Helper()
	const pad = 64
	var zero T
	size := int(unsafe.Sizeof(zero))
	buf := make([]byte, (n+2*pad)*size)
	for i := range buf {
		buf[i] = canary
	}
	all := unsafe.Slice((*T)(unsafe.Pointer(&buf[0])), n+2*pad)
	w := all[pad+off : pad+off+n : pad+off+n]
	return w, func() {
		t.Helper()
		lo, hi := (pad+off)*size, (pad+off+n)*size
		for i, b := range buf {
			if (i < lo || i >= hi) && b != canary {
				t.Fatalf("n=%d off=%d: byte %d outside dst (bytes %d..%d) written", n, off, i, lo, hi)
			}
		}
	}
}

// checkAll runs every kernel of k and of the reference on src (float32
// bits) and compares the results bit for bit.
func checkAll(t *testing.T, k *kernels.Set, bits []uint32, off int, r *rand.Rand) {
	t.Helper()
	n := len(bits)
	src, _ := window[float32](t, n, off)
	for i, b := range bits {
		src[i] = math.Float32frombits(b)
	}
	if got, want := k.AbsMaxBits(src), fallback.AbsMaxBits(src); got != want {
		t.Fatalf("%s AbsMaxBits n=%d off=%d = %#x, want %#x (src %x)", k.Name, n, off, got, want, bits)
	}
	lo, hi := k.MinMaxKeys(src)
	wlo, whi := fallback.MinMaxKeys(src)
	if lo != wlo || hi != whi {
		t.Fatalf("%s MinMaxKeys n=%d off=%d = (%#x, %#x), want (%#x, %#x) (src %x)", k.Name, n, off, lo, hi, wlo, whi, bits)
	}

	want16 := make([]uint16, n)
	got16, ok := window[uint16](t, n, off)
	k.Float32ToFloat16(got16, src)
	ok()
	fallback.Float32ToFloat16(want16, src)
	cmp16(t, k.Name+" Float32ToFloat16", bits, got16, want16)

	got16, ok = window[uint16](t, n, off)
	k.Float32ToBFloat16(got16, src)
	ok()
	fallback.Float32ToBFloat16(want16, src)
	cmp16(t, k.Name+" Float32ToBFloat16", bits, got16, want16)

	h := make([]uint16, n)
	for i, b := range bits {
		h[i] = uint16(b >> (r.UintN(2) * 16))
	}
	want32 := make([]float32, n)
	got32, ok := window[float32](t, n, off)
	k.Float16ToFloat32(got32, h)
	ok()
	fallback.Float16ToFloat32(want32, h)
	cmp32(t, k.Name+" Float16ToFloat32", h, got32, want32)

	got32, ok = window[float32](t, n, off)
	k.BFloat16ToFloat32(got32, h)
	ok()
	fallback.BFloat16ToFloat32(want32, h)
	cmp32(t, k.Name+" BFloat16ToFloat32", h, got32, want32)

	// Quantizers: no NaN in src.
	fin := make([]float32, n)
	for i, x := range src {
		if x != x {
			x = randFinite(r)
		}
		fin[i] = x
	}
	scale := quantScales[r.IntN(len(quantScales))]
	if r.IntN(2) == 0 {
		scale = float32(r.ExpFloat64() * 10)
	}
	zero := float32(r.IntN(512) - 256)
	if r.IntN(4) == 0 {
		zero = randFinite(r)
	}
	want8 := make([]int8, n)
	got8, ok := window[int8](t, n, off)
	k.QuantizeAbsmax(got8, fin, scale)
	ok()
	fallback.QuantizeAbsmax(want8, fin, scale)
	cmp8(t, k.Name+" QuantizeAbsmax", fin, scale, 0, got8, want8)

	got8, ok = window[int8](t, n, off)
	k.QuantizeZeroPoint(got8, fin, scale, zero)
	ok()
	fallback.QuantizeZeroPoint(want8, fin, scale, zero)
	cmp8(t, k.Name+" QuantizeZeroPoint", fin, scale, zero, got8, want8)

	q := make([]int8, n)
	for i, b := range bits {
		q[i] = int8(b >> (r.UintN(4) * 8))
	}
	dscale := randFinite(r)
	if r.IntN(2) == 0 {
		dscale = quantScales[r.IntN(len(quantScales))]
	}
	zp := int32(r.IntN(1024) - 512)
	if r.IntN(3) == 0 {
		zp = int32(r.Uint32())
		zp = min(max(zp, math.MinInt32+128), math.MaxInt32-128)
	}
	got32, ok = window[float32](t, n, off)
	k.DequantizeAbsmax(got32, q, dscale)
	ok()
	fallback.DequantizeAbsmax(want32, q, dscale)
	cmpDeq(t, k.Name+" DequantizeAbsmax", q, dscale, 0, got32, want32)

	got32, ok = window[float32](t, n, off)
	k.DequantizeZeroPoint(got32, q, dscale, zp)
	ok()
	fallback.DequantizeZeroPoint(want32, q, dscale, zp)
	cmpDeq(t, k.Name+" DequantizeZeroPoint", q, dscale, zp, got32, want32)
}

var quantScales = []float32{
	1, 0.5, 2, 127, 127.0 / 3, 1e-30, 1e30, math.MaxFloat32, math.SmallestNonzeroFloat32,
	-1, 0, 0x1p-126, 65536, 1.0 / 3,
}

func cmp16(t *testing.T, what string, src []uint32, got, want []uint16) {
	t.Helper()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s n=%d [%d]: src %#08x: got %#04x, want %#04x", what, len(src), i, src[i], got[i], want[i])
		}
	}
}

func cmp32(t *testing.T, what string, src []uint16, got, want []float32) {
	t.Helper()
	for i := range want {
		if g, w := math.Float32bits(got[i]), math.Float32bits(want[i]); g != w {
			t.Fatalf("%s n=%d [%d]: src %#04x: got %#08x, want %#08x", what, len(src), i, src[i], g, w)
		}
	}
}

func cmp8(t *testing.T, what string, src []float32, scale, zero float32, got, want []int8) {
	t.Helper()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s n=%d [%d]: x=%g (%#08x) scale=%g zero=%g: got %d, want %d",
				what, len(src), i, src[i], math.Float32bits(src[i]), scale, zero, got[i], want[i])
		}
	}
}

func cmpDeq(t *testing.T, what string, src []int8, scale float32, zero int32, got, want []float32) {
	t.Helper()
	for i := range want {
		if g, w := math.Float32bits(got[i]), math.Float32bits(want[i]); g != w {
			t.Fatalf("%s n=%d [%d]: q=%d scale=%g zero=%d: got %#08x, want %#08x",
				what, len(src), i, src[i], scale, zero, g, w)
		}
	}
}

// TestARM64Differential compares every kernel with the reference on every
// length up to 300 and four alignments, with random and special inputs.
func TestARM64Differential(t *testing.T) {
	for _, k := range arm64Sets(t) {
		r := rand.New(rand.NewPCG(1, 2))
		for n := 0; n <= 300; n++ {
			for off := range 4 {
				bits := make([]uint32, n)
				for i := range bits {
					bits[i] = randBits(r)
				}
				checkAll(t, k, bits, off, r)
			}
		}
	}
}

// TestARM64SpecialsEverywhere puts every special pattern in every lane of
// the main loops and in the tails.
func TestARM64SpecialsEverywhere(t *testing.T) {
	for _, k := range arm64Sets(t) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 19, 31, 32, 33, 35, 47, 51} {
			for rot := range special32 {
				bits := make([]uint32, n)
				for i := range bits {
					bits[i] = special32[(i+rot)%len(special32)]
				}
				checkAll(t, k, bits, rot%4, r)
			}
		}
	}
}

// TestARM64ReductionPositions puts one extreme value at every position of
// an otherwise ordinary src, for the two reductions.
func TestARM64ReductionPositions(t *testing.T) {
	extremes := []uint32{0x7FC00000, 0xFFC00000, 0x7F800001, 0xFF800001, 0x7F800000, 0xFF800000,
		0x7F7FFFFF, 0xFF7FFFFF, 0x80000000, 0x00000000, 0x00000001, 0x80000001, 0xFFFFFFFF, 0x7FFFFFFF}
	for _, k := range arm64Sets(t) {
		r := rand.New(rand.NewPCG(5, 6))
		for n := 1; n <= 100; n++ {
			src := make([]float32, n)
			for p := range n {
				for i := range src {
					src[i] = float32(r.NormFloat64())
				}
				src[p] = math.Float32frombits(extremes[(n+p)%len(extremes)])
				if got, want := k.AbsMaxBits(src), fallback.AbsMaxBits(src); got != want {
					t.Fatalf("%s AbsMaxBits n=%d p=%d: %#x, want %#x", k.Name, n, p, got, want)
				}
				lo, hi := k.MinMaxKeys(src)
				wlo, whi := fallback.MinMaxKeys(src)
				if lo != wlo || hi != whi {
					t.Fatalf("%s MinMaxKeys n=%d p=%d: (%#x, %#x), want (%#x, %#x)", k.Name, n, p, lo, hi, wlo, whi)
				}
			}
		}
		// All of one sign, so that the initial accumulators matter.
		for n := 1; n <= 40; n++ {
			src := make([]float32, n)
			for i := range src {
				src[i] = -float32(i + 1)
			}
			lo, hi := k.MinMaxKeys(src)
			wlo, whi := fallback.MinMaxKeys(src)
			if lo != wlo || hi != whi {
				t.Fatalf("%s MinMaxKeys negatives n=%d: (%#x, %#x), want (%#x, %#x)", k.Name, n, lo, hi, wlo, whi)
			}
		}
	}
}

// TestARM64ConversionSweep runs every top half with several low halves
// (around every rounding boundary of binary16 and bfloat16) through the
// narrowing conversions, and every 16-bit pattern through the widening
// ones: close to exhaustive for the instructions' special cases.
func TestARM64ConversionSweep(t *testing.T) {
	lows := []uint32{0x0000, 0x0001, 0x0FFF, 0x1000, 0x1001, 0x1FFF, 0x2000, 0x3000,
		0x7FFF, 0x8000, 0x8001, 0x9000, 0xB000, 0xF000, 0xFFFF, 0x5A5A}
	src := make([]float32, 1<<16*len(lows))
	for i := range src {
		src[i] = math.Float32frombits(uint32(i/len(lows))<<16 | lows[i%len(lows)])
	}
	h := make([]uint16, 1<<16)
	for i := range h {
		h[i] = uint16(i)
	}
	got16, want16 := make([]uint16, len(src)), make([]uint16, len(src))
	got32, want32 := make([]float32, len(h)), make([]float32, len(h))
	bitsOf := func(i int) []uint32 { return []uint32{math.Float32bits(src[i])} }
	for _, k := range arm64Sets(t) {
		for _, c := range []struct {
			name      string
			got, want func([]uint16, []float32)
		}{
			{"Float32ToFloat16", k.Float32ToFloat16, fallback.Float32ToFloat16},
			{"Float32ToBFloat16", k.Float32ToBFloat16, fallback.Float32ToBFloat16},
		} {
			c.got(got16, src)
			c.want(want16, src)
			for i := range want16 {
				if got16[i] != want16[i] {
					cmp16(t, k.Name+" "+c.name, bitsOf(i), got16[i:i+1], want16[i:i+1])
				}
			}
		}
		for _, c := range []struct {
			name      string
			got, want func([]float32, []uint16)
		}{
			{"Float16ToFloat32", k.Float16ToFloat32, fallback.Float16ToFloat32},
			{"BFloat16ToFloat32", k.BFloat16ToFloat32, fallback.BFloat16ToFloat32},
		} {
			c.got(got32, h)
			c.want(want32, h)
			cmp32(t, k.Name+" "+c.name, h, got32, want32)
		}
	}
}

// TestARM64QuantizeTies checks ties to even and both clamps of the
// quantizers, and every int8 through the dequantizers with divisors and
// zero points whose results need rounding.
func TestARM64QuantizeTies(t *testing.T) {
	var src []float32
	for k := -140; k <= 140; k++ {
		x := float32(k)
		src = append(src, x, x+0.5, x-0.5, math.Nextafter32(x+0.5, 1000), math.Nextafter32(x+0.5, -1000))
	}
	src = append(src, float32(math.Inf(1)), float32(math.Inf(-1)), 1e30, -1e30, 3e9, -3e9, 2.5e9, -2.5e9)
	for len(src)%16 != 7 {
		src = append(src, 0)
	}
	var q []int8
	for v := -128; v <= 127; v++ {
		q = append(q, int8(v))
	}
	q = append(q, 1, 2, 3) // a 4-element and a 1-element tail
	for _, k := range arm64Sets(t) {
		got8, want8 := make([]int8, len(src)), make([]int8, len(src))
		for _, scale := range []float32{1, 0.5, 1.5, -1, 0.25, 3, 1e-3} {
			k.QuantizeAbsmax(got8, src, scale)
			fallback.QuantizeAbsmax(want8, src, scale)
			cmp8(t, k.Name+" QuantizeAbsmax", src, scale, 0, got8, want8)
			for _, zero := range []float32{0, 0.5, -0.5, -128, 127, 1e9, -1e9, 3, -7} {
				k.QuantizeZeroPoint(got8, src, scale, zero)
				fallback.QuantizeZeroPoint(want8, src, scale, zero)
				cmp8(t, k.Name+" QuantizeZeroPoint", src, scale, zero, got8, want8)
			}
		}
		got32, want32 := make([]float32, len(q)), make([]float32, len(q))
		for _, scale := range []float32{1, 3, 7, 127.0 / 3, -0.1, 0, float32(math.Inf(1)), 0x1p-149, 1e38} {
			k.DequantizeAbsmax(got32, q, scale)
			fallback.DequantizeAbsmax(want32, q, scale)
			cmpDeq(t, k.Name+" DequantizeAbsmax", q, scale, 0, got32, want32)
			for _, zero := range []int32{0, -128, 127, 1 << 24, 1<<24 + 1, -(1<<24 + 3), 1<<30 + 77, math.MaxInt32 - 128, math.MinInt32 + 128} {
				k.DequantizeZeroPoint(got32, q, scale, zero)
				fallback.DequantizeZeroPoint(want32, q, scale, zero)
				cmpDeq(t, k.Name+" DequantizeZeroPoint", q, scale, zero, got32, want32)
			}
		}
	}
}

// TestARM64GuardPages runs every kernel on slices that end right before
// (and start right after) an inaccessible page: any read or write outside
// a slice faults.
func TestARM64GuardPages(t *testing.T) {
	page := os.Getpagesize()
	mapGuarded := func() []byte {
		mem, err := unix.Mmap(-1, 0, 3*page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
		if err != nil {
			t.Skipf("mmap: %v", err)
		}
		t.Cleanup(func() { unix.Munmap(mem) })
		if err := unix.Mprotect(mem[:page], unix.PROT_NONE); err != nil {
			t.Skipf("mprotect: %v", err)
		}
		if err := unix.Mprotect(mem[2*page:], unix.PROT_NONE); err != nil {
			t.Skipf("mprotect: %v", err)
		}
		return mem[page : 2*page]
	}
	srcMem, dstMem := mapGuarded(), mapGuarded()
	r := rand.New(rand.NewPCG(7, 8))
	for i := range srcMem {
		srcMem[i] = byte(r.Uint32() & 0x3F) // small positive floats: no NaN
	}
	// at returns n elements of size bytes at the start or the end of mem.
	at := func(mem []byte, n, size int, end bool) unsafe.Pointer {
		p := unsafe.Pointer(&mem[0])
		if end {
			p = unsafe.Add(p, len(mem)-n*size)
		}
		return p
	}
	for _, k := range arm64Sets(t) {
		for n := 0; n <= 70; n++ {
			for _, end := range []bool{true, false} {
				f32 := unsafe.Slice((*float32)(at(srcMem, n, 4, end)), n)
				u16 := unsafe.Slice((*uint16)(at(srcMem, n, 2, end)), n)
				i8 := unsafe.Slice((*int8)(at(srcMem, n, 1, end)), n)
				d32 := unsafe.Slice((*float32)(at(dstMem, n, 4, end)), n)
				d16 := unsafe.Slice((*uint16)(at(dstMem, n, 2, end)), n)
				d8 := unsafe.Slice((*int8)(at(dstMem, n, 1, end)), n)
				k.Float32ToFloat16(d16, f32)
				k.Float16ToFloat32(d32, u16)
				k.Float32ToBFloat16(d16, f32)
				k.BFloat16ToFloat32(d32, u16)
				k.AbsMaxBits(f32)
				k.MinMaxKeys(f32)
				k.QuantizeAbsmax(d8, f32, 3)
				k.QuantizeZeroPoint(d8, f32, 3, -5)
				k.DequantizeAbsmax(d32, i8, 3)
				k.DequantizeZeroPoint(d32, i8, 3, -5)
			}
		}
	}
}

// BenchmarkARM64 times each assembly set against the reference on 4096
// elements. Meaningless under emulation; run it on arm64 hardware.
func BenchmarkARM64(b *testing.B) {
	const n = 4096
	r := rand.New(rand.NewPCG(9, 10))
	f32, d32 := make([]float32, n), make([]float32, n)
	u16, d16 := make([]uint16, n), make([]uint16, n)
	i8, d8 := make([]int8, n), make([]int8, n)
	for i := range f32 {
		f32[i] = float32(r.NormFloat64())
		u16[i] = uint16(r.Uint32())
		i8[i] = int8(r.Uint32())
	}
	sets := []*kernels.Set{&fallback.Kernels, &neon}
	if dispatch.Host().Has(dispatch.BF16) {
		sets = append(sets, &neonBF16)
	}
	for _, k := range sets {
		for _, c := range []struct {
			name  string
			bytes int
			run   func()
		}{
			{"Float32ToFloat16", 6, func() { k.Float32ToFloat16(d16, f32) }},
			{"Float16ToFloat32", 6, func() { k.Float16ToFloat32(d32, u16) }},
			{"Float32ToBFloat16", 6, func() { k.Float32ToBFloat16(d16, f32) }},
			{"BFloat16ToFloat32", 6, func() { k.BFloat16ToFloat32(d32, u16) }},
			{"AbsMaxBits", 4, func() { k.AbsMaxBits(f32) }},
			{"MinMaxKeys", 4, func() { k.MinMaxKeys(f32) }},
			{"QuantizeAbsmax", 5, func() { k.QuantizeAbsmax(d8, f32, 42) }},
			{"QuantizeZeroPoint", 5, func() { k.QuantizeZeroPoint(d8, f32, 42, -3) }},
			{"DequantizeAbsmax", 5, func() { k.DequantizeAbsmax(d32, i8, 42) }},
			{"DequantizeZeroPoint", 5, func() { k.DequantizeZeroPoint(d32, i8, 42, -3) }},
		} {
			b.Run(c.name+"/"+k.Name, func(b *testing.B) {
				b.SetBytes(int64(n * c.bytes))
				for b.Loop() {
					c.run()
				}
			})
		}
	}
}
