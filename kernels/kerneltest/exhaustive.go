package kerneltest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// ExhaustiveEnv names the environment variable that selects the extent of
// Exhaustive and CheckReference: "sample" checks a dense sample of the
// float32 patterns instead of all 2^32 (for slow emulators).
const ExhaustiveEnv = "QUANT_EXHAUSTIVE"

const chunkLen = 1 << 16

// Exhaustive runs every float32 bit pattern through Float32ToFloat16 and
// Float32ToBFloat16 and every 16-bit pattern through the reverse
// conversions, comparing k with the reference, on all CPUs in parallel;
// then every 16-bit pattern through the 16-bit reductions, quantizers and
// Q8_0 kernels (see exhaust16AndQ8_0), and the dequantization kernels over
// the domain of an FMA fast path (see exhaustDequantDomain). Skipped under
// -short. With QUANT_EXHAUSTIVE=sample the float32 side is a dense sample
// (see sampleSource), the 16-bit EncodeQ8_0 kernels meet every 61st
// block maximum instead of all, and the dequantization domain is sampled
// more sparsely; the rest stays exhaustive.
func Exhaustive(t *testing.T, k *kernels.Set) {
	t.Helper()
	if testing.Short() {
		t.Skip("exhaustive conversion check skipped under -short")
	}
	src := exhaustiveSource()
	t.Logf("%s: float32 inputs: %s", k.Name, src.desc)
	exhaustConversions(t, k, []conversion[uint16, float32]{
		{"Float32ToFloat16", k.Float32ToFloat16, fallback.Float32ToFloat16},
		{"Float32ToBFloat16", k.Float32ToBFloat16, fallback.Float32ToBFloat16},
	}, func(t *testing.T, x conversion[uint16, float32]) {
		if by := passedBy(x.got, src.mode); by != "" {
			t.Skipf("%s.%s is %s.%s, which passed already", k.Name, x.name, by, x.name)
		}
		start := time.Now()
		checked := exhaustNarrow(t, k.Name+"."+x.name, x.got, x.ref, src)
		t.Logf("%s: %d inputs in %v", src.mode, checked, time.Since(start).Round(time.Millisecond))
		if !t.Failed() {
			passed(x.got, src.mode, k.Name)
		}
	})
	exhaustConversions(t, k, []conversion[float32, uint16]{
		{"Float16ToFloat32", k.Float16ToFloat32, fallback.Float16ToFloat32},
		{"BFloat16ToFloat32", k.BFloat16ToFloat32, fallback.BFloat16ToFloat32},
	}, func(t *testing.T, x conversion[float32, uint16]) {
		exhaustWiden(t, k.Name+"."+x.name, x.got, x.ref)
	})
	exhaust16AndQ8_0(t, k, src.mode)
	exhaustDequantDomain(t, k, src.mode)
}

// conversion is a conversion kernel of a set and its reference.
type conversion[D, S elem] struct {
	name     string // the kernels.Set field
	got, ref func([]D, []S)
}

// exhaustConversions runs check on each of list as a subtest of t,
// skipping the kernels of k that are the reference itself.
func exhaustConversions[D, S elem](t *testing.T, k *kernels.Set, list []conversion[D, S], check func(t *testing.T, x conversion[D, S])) {
	for _, x := range list {
		t.Run(x.name, func(t *testing.T) {
			skipIfReference(t, k, x.name)
			check(t, x)
		})
	}
}

// Sets often share kernels (an arm64 set with FEAT_BF16 differs from the
// plain one in the bfloat16 kernels only): a function that passed the
// float32 sweep once is not swept again in the same process.
var (
	passedMu sync.Mutex
	passedFn = map[string]string{} // function value and mode -> set name
)

// passKey identifies the function value f: not only its code (closures of
// one literal share that) but the closure itself, captured values and all.
func passKey(f func([]uint16, []float32), mode string) string {
	return fmt.Sprintf("%p/%s", *(*unsafe.Pointer)(unsafe.Pointer(&f)), mode)
}

func passedBy(f func([]uint16, []float32), mode string) string {
	passedMu.Lock()
	defer passedMu.Unlock()
	return passedFn[passKey(f, mode)]
}

func passed(f func([]uint16, []float32), mode, set string) {
	passedMu.Lock()
	defer passedMu.Unlock()
	passedFn[passKey(f, mode)] = set
}

// sameFunc reports whether the functions a and b are one and the same.
func sameFunc(a, b any) bool { return reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer() }

// chunkSource yields float32 bit patterns in chunks of up to chunkLen.
type chunkSource struct {
	mode, desc string
	chunks     int
	fill       func(i int, dst []uint32) []uint32
}

func exhaustiveSource() chunkSource {
	if os.Getenv(ExhaustiveEnv) == "sample" {
		return sampleSource()
	}
	return fullSource()
}

// fullSource is every float32 bit pattern.
func fullSource() chunkSource {
	return chunkSource{
		mode: "full", desc: "all 2^32 bit patterns (" + ExhaustiveEnv + "=sample for a sample)",
		chunks: 1 << 16,
		fill: func(i int, dst []uint32) []uint32 {
			dst = dst[:chunkLen]
			hi := uint32(i) << 16
			for j := range dst {
				dst[j] = hi | uint32(j)
			}
			return dst
		},
	}
}

// sampleSource is a dense sample of the float32 patterns: every value of
// the top 24 bits (sign, exponent, top 15 mantissa bits) with random low 8
// bits; every sign, exponent and top 10 mantissa bits with the low 13
// bits on an FP16 rounding midpoint or one beside it; every top 16 bits
// with the low 16 on a BF16 midpoint or one beside it; and the midpoints
// of every FP16 subnormal step below 2^-14.
func sampleSource() chunkSource {
	const (
		randomChunks = 1 << 24 / chunkLen // 256
		fp16Chunks   = 3 << 19 / chunkLen // 24
		bf16Chunks   = 3 << 16 / chunkLen // 3
		total        = randomChunks + fp16Chunks + bf16Chunks + 1
		fp16Base     = randomChunks          // first FP16 tie chunk
		bf16Base     = fp16Base + fp16Chunks // first BF16 tie chunk
		subBase      = bf16Base + bf16Chunks // subnormal chunk
		sampleSeed   = 0x5A3C96E10F872B4D    // any fixed value
	)
	return chunkSource{
		mode: "sample", desc: "dense sample (" + ExhaustiveEnv + "=sample): random low 8 bits under every top 24, FP16 and BF16 midpoints ±1 everywhere, FP16 subnormal midpoints",
		chunks: total,
		fill: func(i int, dst []uint32) []uint32 {
			dst = dst[:0]
			switch {
			case i < fp16Base:
				r := rand.New(rand.NewPCG(sampleSeed, uint64(i)))
				for j := range chunkLen {
					top := uint32(i)<<16 | uint32(j)
					dst = append(dst, top<<8|uint32(r.Uint32()&0xFF))
				}
			case i < bf16Base:
				// index = pattern<<19 | sign,exponent,top-10-mantissa
				for j := range chunkLen {
					idx := uint32(i-fp16Base)*chunkLen + uint32(j)
					low := [3]uint32{0x1000, 0x0FFF, 0x1001}[idx>>19]
					dst = append(dst, (idx&(1<<19-1))<<13|low)
				}
			case i < subBase:
				for j := range chunkLen {
					idx := uint32(i-bf16Base)*chunkLen + uint32(j)
					low := [3]uint32{0x8000, 0x7FFF, 0x8001}[idx>>16]
					dst = append(dst, (idx&0xFFFF)<<16|low)
				}
			default:
				dst = fp16SubnormalEdges(dst)
			}
			return dst
		},
	}
}

// fp16SubnormalEdges appends, for every float32 exponent whose values
// round to an FP16 subnormal, all mantissas that sit on a rounding
// midpoint (or one ulp beside), on a subnormal exactly or just below the
// next, both signs.
func fp16SubnormalEdges(dst []uint32) []uint32 {
	for e := 127 - 27; e <= 127-14; e++ {
		// The significand 1.m loses shift bits: FP16 subnormals are
		// multiples of 2^-24 and x = 1.m * 2^(e-127).
		shift := 127 - e - 1
		for sign := uint32(0); sign <= 1; sign++ {
			hi := sign<<31 | uint32(e)<<23
			if shift >= 24 {
				for _, m := range []uint32{0, 1, 2, 0x3FFFFF, 0x400000, 0x400001, 0x7FFFFE, 0x7FFFFF} {
					dst = append(dst, hi|m)
				}
				continue
			}
			half := uint32(1) << (shift - 1)
			for u := uint32(0); u < 1<<(23-shift); u++ {
				for _, low := range []uint32{0, 1, half - 1, half, half + 1, 2*half - 1} {
					dst = append(dst, hi|u<<shift|low)
				}
			}
		}
	}
	return dst
}

// exhaustNarrow compares got with ref on every input of src, on all
// CPUs, and reports the number of differing inputs and the first one in
// the lowest chunk that has one (in full mode, the lowest input). It
// returns the number of inputs checked.
func exhaustNarrow(t tb, name string, got, ref func([]uint16, []float32), src chunkSource) int64 {
	t.Helper()
	return exhaustChunks(t, name, got, ref, src.chunks,
		func(i int, buf []float32) []float32 {
			if cap(buf) < chunkLen {
				buf = make([]float32, 0, chunkLen)
			}
			bits := src.fill(i, unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(buf))), cap(buf))[:0])
			return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(bits))), len(bits))
		},
		func(n int) int { return n },
		func(_, i int, in []float32, g, w []uint16) string {
			return fmt.Sprintf("input %#08x: got %#04x, want %#04x", f32bits(in[i]), g[i], w[i])
		})
}

// exhaustWiden compares got with ref on all 2^16 inputs in one call.
func exhaustWiden(t tb, name string, got, ref func([]float32, []uint16)) {
	t.Helper()
	exhaustChunks(t, name, got, ref, 1,
		func(_ int, buf []uint16) []uint16 {
			for i := range 1 << 16 {
				buf = append(buf, uint16(i))
			}
			return buf
		},
		func(n int) int { return n },
		func(_, i int, in []uint16, g, w []float32) string {
			return fmt.Sprintf("input %#04x: got %#08x, want %#08x", in[i], f32bits(g[i]), f32bits(w[i]))
		})
}

// exhaustChunks is exhaustChunksWith for kernels that need not know the
// chunk.
func exhaustChunks[D, S elem](t tb, name string, got, ref func([]D, []S), chunks int,
	fill func(i int, buf []S) []S, dstLen func(int) int, explain func(chunk, i int, in []S, got, want []D) string) int64 {
	t.Helper()
	return exhaustChunksWith(t, name, func(_ int, d []D, s []S) { got(d, s) }, func(_ int, d []D, s []S) { ref(d, s) },
		chunks, fill, dstLen, explain)
}

// exhaustChunksWith compares got with ref on every chunk of inputs that
// fill makes, on all CPUs, with the output prefilled with the complement of
// the expected one. It reports how many output elements differ and the
// first difference in the lowest chunk that has one, as explain describes
// it. It returns the number of input elements checked.
func exhaustChunksWith[D, S elem](t tb, name string, got, ref func(chunk int, dst []D, src []S), chunks int,
	fill func(i int, buf []S) []S, dstLen func(int) int, explain func(chunk, i int, in []S, got, want []D) string) int64 {
	t.Helper()
	workers := runtime.GOMAXPROCS(0)
	var next, checked, bad atomic.Int64
	type first struct {
		chunk int
		text  string
		count int64
	}
	found := make([]first, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []S
			var g, r []D
			m := &found[w]
			for bad.Load() < 1<<20 {
				i := int(next.Add(1) - 1)
				if i >= chunks {
					return
				}
				buf = fill(i, buf[:0])
				k := dstLen(len(buf))
				if cap(g) < k {
					g, r = make([]D, k), make([]D, k)
				}
				g, r = g[:k], r[:k]
				ref(i, r, buf)
				complementOf(g, r)
				got(i, g, buf)
				checked.Add(int64(len(buf)))
				j := firstDiff(g, r)
				if j < 0 {
					continue
				}
				var count int64
				for e := j; e < k; e++ {
					if firstDiff(g[e:e+1], r[e:e+1]) == 0 {
						count++
					}
				}
				if m.count == 0 || i < m.chunk {
					m.chunk, m.text = i, explain(i, j, buf, g, r)
				}
				m.count += count
				bad.Add(count)
			}
		}()
	}
	wg.Wait()
	var total int64
	var lowest *first
	for i := range found {
		m := &found[i]
		total += m.count
		if m.count > 0 && (lowest == nil || m.chunk < lowest.chunk) {
			lowest = m
		}
	}
	if lowest != nil {
		t.Errorf("%s (exhaustive): %d of %d outputs differ; first: %s", name, total, dstLen(int(checked.Load())), lowest.text)
	}
	return checked.Load()
}
