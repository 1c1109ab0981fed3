//go:build !purego && !noasm && unix

package quant

// Quick differential tests of the avx2 set against the reference kernels,
// and benchmarks of both against a plain copy. The conformance suite
// (kernels/kerneltest) is the authority; these run while writing assembly.

import (
	"fmt"
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

func avxNeed(tb testing.TB) {
	tb.Helper()
	if !dispatch.Host().Has(asmKernels[0].Needs) {
		tb.Skip("CPU (or GODEBUG) lacks AVX2/F16C/FMA")
	}
}

// avxSpecial32 are float32 patterns at the edges of every kernel's behaviour.
var avxSpecial32 = []uint32{
	0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007FFFFF, 0x807FFFFF,
	0x00800000, 0x80800000, 0x7F7FFFFF, 0xFF7FFFFF, 0x7F800000, 0xFF800000,
	0x7F800001, 0xFF800001, 0x7FBFFFFF, 0x7FC00000, 0xFFC00000, 0x7FFFFFFF,
	0xFFFFFFFF, 0x7F802000, 0x7FFFE000, 0x7F80FFFF, 0xFFFF8000, 0x7F7F8000,
	0x3F800000, 0xBF800000, 0x3F808000, 0x3F818000, 0x3F80FFFF, 0x3F817FFF,
	0x477FE000, 0x477FEFFF, 0x477FF000, 0xC77FF000, 0x38800000, 0x33800000,
	0x33000000, 0x33000001, 0x337FFFFF, 0x387FC000, 0x387FE000, 0x3F801000,
	0x3F803000, 0x3F802000, 0x00008000, 0x00018000, 0x00010000, 0x0000FFFF,
	0x42FE0000, 0xC2FE0000, 0x42FF0000, 0xC2FF0000, 0x43000000, 0xC3000000,
	0x3F000000, 0xBF000000, 0x3FC00000, 0xBFC00000, 0x4F000000, 0xCF000000,
}

func avxRandBits32(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		switch r.IntN(4) {
		case 0:
			s[i] = math.Float32frombits(r.Uint32())
		case 1:
			s[i] = math.Float32frombits(avxSpecial32[r.IntN(len(avxSpecial32))])
		case 2: // halves and near-halves: rounding ties
			s[i] = float32(r.IntN(600)-300)/2 + float32(r.IntN(3)-1)*1e-5
		default:
			s[i] = float32(r.NormFloat64() * 100)
		}
	}
	return s
}

// finite replaces NaNs (quantizer precondition) by random finite values.
func avxFinite(r *rand.Rand, s []float32) []float32 {
	for i, x := range s {
		if x != x {
			s[i] = float32(r.NormFloat64())
		}
	}
	return s
}

// cmp compares raw memory of two equally long buffers.
func avxCmpBytes[T any](t *testing.T, what string, got, want []T) {
	t.Helper()
	gb := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(got))), len(got)*int(unsafe.Sizeof(got[0])))
	wb := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(want))), len(want)*int(unsafe.Sizeof(want[0])))
	for i := range gb {
		if gb[i] != wb[i] {
			k := i / int(unsafe.Sizeof(got[0]))
			t.Fatalf("%s: element %d of buffer: got %v, want %v", what, k, got[k], want[k])
		}
	}
}

// stream runs a streaming kernel pair on src at every dst/src offset with
// canaries around dst, comparing the whole dst buffer.
func avxStream[D, S any](t *testing.T, name string, src []S, run func(k *kernels.Set, dst []D, src []S)) {
	t.Helper()
	n := len(src)
	for soff := 0; soff < 4; soff++ {
		sbuf := make([]S, n+soff)
		copy(sbuf[soff:], src)
		for doff := 0; doff < 4; doff++ {
			got := make([]D, n+doff+40)
			want := make([]D, n+doff+40)
			avxFill(got)
			avxFill(want)
			run(&avx2, got[doff:doff+n], sbuf[soff:])
			run(&fallback.Kernels, want[doff:doff+n], sbuf[soff:])
			avxCmpBytes(t, fmt.Sprintf("%s n=%d soff=%d doff=%d", name, n, soff, doff), got, want)
		}
	}
}

func avxFill[D any](d []D) {
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(d))), len(d)*int(unsafe.Sizeof(d[0])))
	for i := range b {
		b[i] = 0xA5
	}
}

func avxLengths() []int {
	var ns []int
	for n := 0; n <= 300; n++ {
		ns = append(ns, n)
	}
	return append(ns, 1023, 1024, 1025, 4099, 65536+7)
}

func TestAVX2Differential(t *testing.T) {
	avxNeed(t)
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range avxLengths() {
		f32 := avxRandBits32(r, n)
		u16 := make([]uint16, n)
		for i := range u16 {
			u16[i] = uint16(r.Uint32())
		}
		i8 := make([]int8, n)
		for i := range i8 {
			i8[i] = int8(r.Uint32())
		}
		fin := avxFinite(r, append([]float32(nil), f32...))

		avxStream(t, "Float32ToFloat16", f32, func(k *kernels.Set, d []uint16, s []float32) { k.Float32ToFloat16(d, s) })
		avxStream(t, "Float16ToFloat32", u16, func(k *kernels.Set, d []float32, s []uint16) { k.Float16ToFloat32(d, s) })
		avxStream(t, "Float32ToBFloat16", f32, func(k *kernels.Set, d []uint16, s []float32) { k.Float32ToBFloat16(d, s) })
		// Without NaNs the main loop takes its short path.
		avxStream(t, "Float32ToBFloat16 finite", fin, func(k *kernels.Set, d []uint16, s []float32) { k.Float32ToBFloat16(d, s) })
		avxStream(t, "BFloat16ToFloat32", u16, func(k *kernels.Set, d []float32, s []uint16) { k.BFloat16ToFloat32(d, s) })

		for _, scale := range []float32{1, 0.5, 127 / 3.7, 3e38, 1e-30, -2, float32(r.ExpFloat64())} {
			avxStream(t, fmt.Sprint("QuantizeAbsmax ", scale), fin, func(k *kernels.Set, d []int8, s []float32) { k.QuantizeAbsmax(d, s, scale) })
			for _, zero := range []float32{0, -128, 127, 5, -1e6, 2147483520, -2147483520} {
				avxStream(t, fmt.Sprint("QuantizeZeroPoint ", scale, zero), fin, func(k *kernels.Set, d []int8, s []float32) { k.QuantizeZeroPoint(d, s, scale, zero) })
			}
		}
		for _, scale := range []float32{1, 3, -0.7, 1e-40, 3e38, 0, float32(math.Inf(1)), float32(r.ExpFloat64())} {
			avxStream(t, fmt.Sprint("DequantizeAbsmax ", scale), i8, func(k *kernels.Set, d []float32, s []int8) { k.DequantizeAbsmax(d, s, scale) })
			for _, zero := range []int32{0, -128, 127, 1 << 24, 1<<24 + 1, math.MaxInt32 - 128, math.MinInt32 + 128} {
				avxStream(t, fmt.Sprint("DequantizeZeroPoint ", scale, zero), i8, func(k *kernels.Set, d []float32, s []int8) { k.DequantizeZeroPoint(d, s, scale, zero) })
			}
		}

		for off := 0; off < 8 && off <= n; off++ {
			s := f32[off:]
			if g, w := avx2.AbsMaxBits(s), fallback.AbsMaxBits(s); g != w {
				t.Fatalf("AbsMaxBits n=%d off=%d: got %#x, want %#x", n, off, g, w)
			}
			gl, gh := avx2.MinMaxKeys(s)
			wl, wh := fallback.MinMaxKeys(s)
			if gl != wl || gh != wh {
				t.Fatalf("MinMaxKeys n=%d off=%d: got %#x,%#x want %#x,%#x", n, off, gl, gh, wl, wh)
			}
		}
	}
}

// TestAVX2ReductionPositions puts each special value at every position of
// backgrounds of one sign, the other, and mixed.
func TestAVX2ReductionPositions(t *testing.T) {
	avxNeed(t)
	r := rand.New(rand.NewPCG(3, 4))
	for n := 1; n <= 150; n++ {
		for bg := 0; bg < 3; bg++ {
			src := make([]float32, n)
			for i := range src {
				v := float32(r.Float64()*10 + 0.1)
				if bg == 1 || bg == 2 && r.IntN(2) == 0 {
					v = -v
				}
				src[i] = v
			}
			check := func(s []float32, what string) {
				if g, w := avx2.AbsMaxBits(s), fallback.AbsMaxBits(s); g != w {
					t.Fatalf("AbsMaxBits %s: got %#x, want %#x", what, g, w)
				}
				gl, gh := avx2.MinMaxKeys(s)
				wl, wh := fallback.MinMaxKeys(s)
				if gl != wl || gh != wh {
					t.Fatalf("MinMaxKeys %s: got %#x,%#x want %#x,%#x", what, gl, gh, wl, wh)
				}
			}
			check(src, fmt.Sprintf("n=%d bg=%d", n, bg))
			for i := 0; i < n; i++ {
				old := src[i]
				for _, b := range avxSpecial32 {
					src[i] = math.Float32frombits(b)
					check(src, fmt.Sprintf("n=%d bg=%d src[%d]=%#x", n, bg, i, b))
				}
				src[i] = old
			}
		}
	}
}

// TestAVX2ConversionsExhaustive16 checks every 16-bit pattern both ways.
func TestAVX2ConversionsExhaustive16(t *testing.T) {
	avxNeed(t)
	src := make([]uint16, 1<<16)
	for i := range src {
		src[i] = uint16(i)
	}
	got := make([]float32, len(src))
	want := make([]float32, len(src))
	avx2.Float16ToFloat32(got, src)
	fallback.Float16ToFloat32(want, src)
	avxCmpBytes(t, "Float16ToFloat32", got, want)
	avx2.BFloat16ToFloat32(got, src)
	fallback.BFloat16ToFloat32(want, src)
	avxCmpBytes(t, "BFloat16ToFloat32", got, want)
}

// TestAVX2Float32Sweep runs a stride of all float32 patterns through both
// down-conversions; every pattern with QUANT_AVX2_FULL=1 (the conformance
// suite's TestExhaustive does that too).
func TestAVX2Float32Sweep(t *testing.T) {
	avxNeed(t)
	const chunk = 1 << 16
	stride := uint64(977)
	if os.Getenv("QUANT_AVX2_FULL") == "1" {
		stride = 1
	}
	src := make([]float32, chunk)
	got := make([]uint16, chunk)
	want := make([]uint16, chunk)
	for base := uint64(0); base < 1<<32; base += chunk * stride {
		for i := range src {
			src[i] = math.Float32frombits(uint32(base + uint64(i)*stride))
		}
		avx2.Float32ToFloat16(got, src)
		fallback.Float32ToFloat16(want, src)
		avxCmpBytes(t, "Float32ToFloat16", got, want)
		avx2.Float32ToBFloat16(got, src)
		fallback.Float32ToBFloat16(want, src)
		avxCmpBytes(t, "Float32ToBFloat16", got, want)
	}
}

// guarded returns a slice of n T that ends at a PROT_NONE page (or starts
// right after one, if atStart), so that any over-read faults.
func avxGuarded[T any](t *testing.T, n int, atStart bool) []T {
	t.Helper()
	page := unix.Getpagesize()
	size := int(unsafe.Sizeof(*new(T)))
	body := (n*size + page - 1) / page * page
	mem, err := unix.Mmap(-1, 0, body+2*page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Munmap(mem) })
	if err := unix.Mprotect(mem[:page], unix.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mprotect(mem[page+body:], unix.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	start := page + body - n*size
	if atStart {
		start = page
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&mem[start])), n)
}

func TestAVX2GuardPages(t *testing.T) {
	avxNeed(t)
	r := rand.New(rand.NewPCG(5, 6))
	for n := 0; n <= 80; n++ {
		for _, atStart := range []bool{false, true} {
			f32 := avxGuarded[float32](t, n, atStart)
			copy(f32, avxFinite(r, avxRandBits32(r, n)))
			u16 := avxGuarded[uint16](t, n, atStart)
			i8 := avxGuarded[int8](t, n, atStart)
			o32 := avxGuarded[float32](t, n, atStart)
			o16 := avxGuarded[uint16](t, n, atStart)
			o8 := avxGuarded[int8](t, n, atStart)
			avx2.Float32ToFloat16(o16, f32)
			avx2.Float32ToBFloat16(o16, f32)
			avx2.Float16ToFloat32(o32, u16)
			avx2.BFloat16ToFloat32(o32, u16)
			avx2.AbsMaxBits(f32)
			avx2.MinMaxKeys(f32)
			avx2.QuantizeAbsmax(o8, f32, 1)
			avx2.QuantizeZeroPoint(o8, f32, 1, 3)
			avx2.DequantizeAbsmax(o32, i8, 3)
			avx2.DequantizeZeroPoint(o32, i8, 3, 7)
		}
	}
}

func TestAVX2NoAlloc(t *testing.T) {
	avxNeed(t)
	f := make([]float32, 100)
	h := make([]uint16, 100)
	q := make([]int8, 100)
	a := testing.AllocsPerRun(10, func() {
		avx2.Float32ToFloat16(h, f)
		avx2.Float16ToFloat32(f, h)
		avx2.Float32ToBFloat16(h, f)
		avx2.BFloat16ToFloat32(f, h)
		avx2.AbsMaxBits(f)
		avx2.MinMaxKeys(f)
		avx2.QuantizeAbsmax(q, f, 1)
		avx2.QuantizeZeroPoint(q, f, 1, 0)
		avx2.DequantizeAbsmax(f, q, 1)
		avx2.DequantizeZeroPoint(f, q, 1, 0)
	})
	if a != 0 {
		t.Fatalf("%v allocations", a)
	}
}

// BenchmarkAVX2Kernel/<kernel>/impl=<set>/n=<elements>, throughput in input
// bytes. impl=copy copies the input bytes: the bound a streaming kernel can
// reach. Compare with: benchstat -col /impl file

var avxBenchSizes = []int{256, 4096, 65536, 1 << 20}

func BenchmarkAVX2Kernel(b *testing.B) {
	avxNeed(b)
	sets := []*kernels.Set{&avx2, &fallback.Kernels}
	type kern struct {
		name  string
		inSz  int
		outSz int
		run   func(k *kernels.Set, n int) func()
	}
	n := avxBenchSizes[len(avxBenchSizes)-1]
	r := rand.New(rand.NewPCG(7, 8))
	f32 := make([]float32, n)
	for i := range f32 {
		f32[i] = float32(r.NormFloat64())
	}
	u16 := make([]uint16, n)
	fallback.Float32ToFloat16(u16, f32)
	i8 := make([]int8, n)
	fallback.QuantizeAbsmax(i8, f32, 30)
	o32 := make([]float32, n)
	o16 := make([]uint16, n)
	o8 := make([]int8, n)
	var sink uint32
	ks := []kern{
		{"Float32ToFloat16", 4, 2, func(k *kernels.Set, n int) func() {
			return func() { k.Float32ToFloat16(o16[:n], f32[:n]) }
		}},
		{"Float16ToFloat32", 2, 4, func(k *kernels.Set, n int) func() {
			return func() { k.Float16ToFloat32(o32[:n], u16[:n]) }
		}},
		{"Float32ToBFloat16", 4, 2, func(k *kernels.Set, n int) func() {
			return func() { k.Float32ToBFloat16(o16[:n], f32[:n]) }
		}},
		{"BFloat16ToFloat32", 2, 4, func(k *kernels.Set, n int) func() {
			return func() { k.BFloat16ToFloat32(o32[:n], u16[:n]) }
		}},
		{"AbsMaxBits", 4, 0, func(k *kernels.Set, n int) func() {
			return func() { sink += k.AbsMaxBits(f32[:n]) }
		}},
		{"MinMaxKeys", 4, 0, func(k *kernels.Set, n int) func() {
			return func() { lo, hi := k.MinMaxKeys(f32[:n]); sink += uint32(lo + hi) }
		}},
		{"QuantizeAbsmax", 4, 1, func(k *kernels.Set, n int) func() {
			return func() { k.QuantizeAbsmax(o8[:n], f32[:n], 30) }
		}},
		{"QuantizeZeroPoint", 4, 1, func(k *kernels.Set, n int) func() {
			return func() { k.QuantizeZeroPoint(o8[:n], f32[:n], 30, 3) }
		}},
		{"DequantizeAbsmax", 1, 4, func(k *kernels.Set, n int) func() {
			return func() { k.DequantizeAbsmax(o32[:n], i8[:n], 30) }
		}},
		{"DequantizeZeroPoint", 1, 4, func(k *kernels.Set, n int) func() {
			return func() { k.DequantizeZeroPoint(o32[:n], i8[:n], 30, 3) }
		}},
	}
	src := make([]byte, 4*n)
	dst := make([]byte, 4*n)
	for _, kn := range ks {
		b.Run(kn.name, func(b *testing.B) {
			for _, set := range sets {
				b.Run("impl="+set.Name, func(b *testing.B) {
					for _, n := range avxBenchSizes {
						f := kn.run(set, n)
						b.Run(fmt.Sprint("n=", n), func(b *testing.B) {
							b.SetBytes(int64(n * kn.inSz))
							for b.Loop() {
								f()
							}
						})
					}
				})
			}
			b.Run("impl=copy", func(b *testing.B) {
				for _, n := range avxBenchSizes {
					b.Run(fmt.Sprint("n=", n), func(b *testing.B) {
						b.SetBytes(int64(n * kn.inSz))
						for b.Loop() {
							copy(dst[:n*kn.inSz], src[:n*kn.inSz])
						}
					})
				}
			})
		})
	}
	_ = sink
}
