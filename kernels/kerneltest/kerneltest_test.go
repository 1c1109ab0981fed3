package kerneltest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// recorder stands in for *testing.T to see what a check reports.
type recorder struct {
	errors []string
	logs   []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Logf(format string, args ...any) {
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}

// wrapped returns the reference kernels behind new function values, so
// that the suite does not skip them as the reference itself.
func wrapped() kernels.Set {
	f := fallback.Kernels
	return kernels.Set{
		Name:                "wrapped",
		Float32ToFloat16:    func(d []uint16, s []float32) { f.Float32ToFloat16(d, s) },
		Float16ToFloat32:    func(d []float32, s []uint16) { f.Float16ToFloat32(d, s) },
		Float32ToBFloat16:   func(d []uint16, s []float32) { f.Float32ToBFloat16(d, s) },
		BFloat16ToFloat32:   func(d []float32, s []uint16) { f.BFloat16ToFloat32(d, s) },
		AbsMaxBits:          func(s []float32) uint32 { return f.AbsMaxBits(s) },
		MinMaxKeys:          func(s []float32) (int32, int32) { return f.MinMaxKeys(s) },
		QuantizeAbsmax:      func(d []int8, s []float32, sc float32) { f.QuantizeAbsmax(d, s, sc) },
		QuantizeZeroPoint:   func(d []int8, s []float32, sc, z float32) { f.QuantizeZeroPoint(d, s, sc, z) },
		DequantizeZeroPoint: func(d []float32, s []int8, sc float32, z int32) { f.DequantizeZeroPoint(d, s, sc, z) },
		QuantizeAbsmaxChecked: func(d []int8, s []float32, sc float32) bool {
			return f.QuantizeAbsmaxChecked(d, s, sc)
		},
		QuantizeZeroPointChecked: func(d []int8, s []float32, sc, z float32) bool {
			return f.QuantizeZeroPointChecked(d, s, sc, z)
		},
		FakeQuantize: func(d, s []float32, sc float32, z, lo, hi int32) bool {
			return f.FakeQuantize(d, s, sc, z, lo, hi)
		},
		ErrorSums: func(x, y []float32) (float64, float64, float64) { return f.ErrorSums(x, y) },
		FakeQuantizeMask: func(d, s []float32, m []uint8, sc float32, z, lo, hi int32) {
			f.FakeQuantizeMask(d, s, m, sc, z, lo, hi)
		},
		MaskGradient: func(d, g []float32, m []uint8) { f.MaskGradient(d, g, m) },
		QuantizePyTorch: func(d []int8, s []float32, inv, z float32) bool {
			return f.QuantizePyTorch(d, s, inv, z)
		},
		QuantizeONNX: func(d []int8, s []float32, sc, z float32) bool {
			return f.QuantizeONNX(d, s, sc, z)
		},
		DequantizeAffine: func(d []float32, s []int8, sc float32, z int32) { f.DequantizeAffine(d, s, sc, z) },
		FakeQuantizePyTorch: func(d, s []float32, m []uint8, inv, sc float32, z, lo, hi int32) bool {
			return f.FakeQuantizePyTorch(d, s, m, inv, sc, z, lo, hi)
		},
		AbsMaxBits16: func(s []uint16) uint16 { return f.AbsMaxBits16(s) },
		MinMaxKeys16: func(s []uint16) (int16, int16) { return f.MinMaxKeys16(s) },
		Float16:      wrappedFormat16(f.Float16),
		BFloat16:     wrappedFormat16(f.BFloat16),
		EncodeQ8_0:   func(d []byte, s []float32) { f.EncodeQ8_0(d, s) },
		DecodeQ8_0:   func(d []float32, s []byte) { f.DecodeQ8_0(d, s) },
		EncodeQ4_0:   func(d []byte, s []float32) { f.EncodeQ4_0(d, s) },
		DecodeQ4_0:   func(d []float32, s []byte) { f.DecodeQ4_0(d, s) },
		EncodeQ4_1:   func(d []byte, s []float32) { f.EncodeQ4_1(d, s) },
		DecodeQ4_1:   func(d []float32, s []byte) { f.DecodeQ4_1(d, s) },

		AbsMaxBitsBlocks:   func(d []uint32, s []float32, b int) { f.AbsMaxBitsBlocks(d, s, b) },
		MinMaxKeysBlocks:   func(lo, hi []int32, s []float32, b int) { f.MinMaxKeysBlocks(lo, hi, s, b) },
		AbsMaxBits16Blocks: func(d []uint16, s []uint16, b int) { f.AbsMaxBits16Blocks(d, s, b) },
		MinMaxKeys16Blocks: func(lo, hi []int16, s []uint16, b int) { f.MinMaxKeys16Blocks(lo, hi, s, b) },
		QuantizeAbsmaxBlocks: func(d []int8, s []float32, sc []float32, b int) {
			f.QuantizeAbsmaxBlocks(d, s, sc, b)
		},
		QuantizeZeroPointBlocks: func(d []int8, s []float32, sc, z []float32, b int) {
			f.QuantizeZeroPointBlocks(d, s, sc, z, b)
		},
		ZeroPointParamsBlocks: func(sc []float32, z []int32, lo, hi []int32) {
			f.ZeroPointParamsBlocks(sc, z, lo, hi)
		},
		QuantizeAbsmaxFused: func(d []int8, s []float32) (uint32, float32) { return f.QuantizeAbsmaxFused(d, s) },
		QuantizeZeroPointFused: func(d []int8, s []float32) (int32, int32, float32, int32) {
			return f.QuantizeZeroPointFused(d, s)
		},
		MulAddAtB: func(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int) {
			f.MulAddAtB(c, ldc, at, lda, b, ldb, m, n, k)
		},
	}
}

func wrappedFormat16(w kernels.Format16) kernels.Format16 {
	return kernels.Format16{
		QuantizeAbsmax:    func(d []int8, s []uint16, sc float32) { w.QuantizeAbsmax(d, s, sc) },
		QuantizeZeroPoint: func(d []int8, s []uint16, sc, z float32) { w.QuantizeZeroPoint(d, s, sc, z) },
		QuantizeAbsmaxChecked: func(d []int8, s []uint16, sc float32) bool {
			return w.QuantizeAbsmaxChecked(d, s, sc)
		},
		QuantizeZeroPointChecked: func(d []int8, s []uint16, sc, z float32) bool {
			return w.QuantizeZeroPointChecked(d, s, sc, z)
		},
		EncodeQ8_0: func(d []byte, s []uint16) { w.EncodeQ8_0(d, s) },
		DequantizeZeroPoint: func(d []uint16, s []int8, sc float32, z int32) {
			w.DequantizeZeroPoint(d, s, sc, z)
		},
		DecodeQ8_0: func(d []uint16, s []byte) { w.DecodeQ8_0(d, s) },
		EncodeQ4_0: func(d []byte, s []uint16) { w.EncodeQ4_0(d, s) },
		DecodeQ4_0: func(d []uint16, s []byte) { w.DecodeQ4_0(d, s) },
		EncodeQ4_1: func(d []byte, s []uint16) { w.EncodeQ4_1(d, s) },
		DecodeQ4_1: func(d []uint16, s []byte) { w.DecodeQ4_1(d, s) },
		QuantizePyTorch: func(d []int8, s []uint16, inv, z float32) bool {
			return w.QuantizePyTorch(d, s, inv, z)
		},
		QuantizeONNX: func(d []int8, s []uint16, sc, z float32) bool {
			return w.QuantizeONNX(d, s, sc, z)
		},
		DequantizeAffine: func(d []uint16, s []int8, sc float32, z int32) { w.DequantizeAffine(d, s, sc, z) },
		QuantizeAbsmaxBlocks: func(d []int8, s []uint16, sc []float32, b int) {
			w.QuantizeAbsmaxBlocks(d, s, sc, b)
		},
		QuantizeZeroPointBlocks: func(d []int8, s []uint16, sc, z []float32, b int) {
			w.QuantizeZeroPointBlocks(d, s, sc, z, b)
		},
	}
}

// TestReferencePasses runs the suite on the wrapped reference: it must
// report nothing, or the suite itself is wrong.
func TestReferencePasses(t *testing.T) {
	k := wrapped()
	Run(t, &k)
	GuardPages(t, &k)
}

// past returns the element just past the end of s (or before its start,
// with i = -1): what a broken kernel's stray access reaches. The suite
// always gives kernels windows inside bigger buffers or mappings.
func past[T any](s []T, i int) *T {
	var z T
	return (*T)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s)), i*int(unsafe.Sizeof(z))))
}

func isNaN(x float32) bool { return x != x }

// Parts that broken variants of several kernels share.

// withLastIgnoredInTail is a reduction that ignores the last element when
// the length is one short of a multiple of vec.
func withLastIgnoredInTail[T, R any](f func([]T) R, vec int) func([]T) R {
	return func(s []T) R {
		if len(s)%vec == vec-1 {
			s = s[:len(s)-1]
		}
		return f(s)
	}
}

// withTailElementSkipped leaves the last element unconverted when the
// length is tail past a multiple of vec, like a tail loop that stops one
// short.
func withTailElementSkipped[D, S any](f func([]D, []S), vec, tail int) func([]D, []S) {
	return func(d []D, s []S) {
		n := len(s)
		if n%vec == tail {
			n--
		}
		f(d[:n], s[:n])
	}
}

// withTailBlockSkipped drops the last block when the block count is 3 mod
// 4, like an unrolled loop with a wrong tail.
func withTailBlockSkipped[D, S any](f func([]D, []S), srcBlock, dstBlock int) func([]D, []S) {
	return func(d []D, s []S) {
		nb := len(s) / srcBlock
		if nb%4 == 3 {
			nb--
		}
		f(d[:nb*dstBlock], s[:nb*srcBlock])
	}
}

// writingPastEnd is f followed by a store of zero one element past the
// end of dst.
func writingPastEnd[D elem, S any](f func([]D, []S)) func([]D, []S) {
	return func(d []D, s []S) {
		f(d, s)
		*past(d, len(d)) = 0
	}
}

// absMaxBitsLosingLane5NaNs is an AbsMaxBits that loses NaNs in lane 5
// of 8 (index 5 mod 8).
func absMaxBitsLosingLane5NaNs(s []float32) uint32 {
	var m uint32
	for i, x := range s {
		b := math.Float32bits(x) & 0x7FFFFFFF
		if i%8 == 5 && b > 0x7F800000 {
			continue
		}
		m = max(m, b)
	}
	return m
}

// minMaxKeysIgnoringLane3NaNs is a MinMaxKeys that ignores NaNs in lane
// 3 of 8 (index 3 mod 8).
func minMaxKeysIgnoringLane3NaNs(s []float32) (int32, int32) {
	if len(s) == 0 {
		return 0, 0
	}
	lo, hi := int32(math.MaxInt32), int32(math.MinInt32)
	for i, x := range s {
		if i%8 == 3 && isNaN(x) {
			continue
		}
		kx := kernels.OrderKey(math.Float32bits(x))
		lo, hi = min(lo, kx), max(hi, kx)
	}
	return lo, hi
}

// sink and sinkSlice keep the stray reads and allocations of broken
// kernels from being optimized away.
var (
	sink      float32
	sinkSlice []float32
)

// expectReport fails t unless rec's first report contains want (what a
// check says about the one input a broken kernel gets wrong).
func expectReport(t *testing.T, what string, rec *recorder, want string) {
	t.Helper()
	if len(rec.errors) == 0 || !strings.Contains(rec.errors[0], want) {
		t.Errorf("%s: not reported (want a report naming %q): %q", what, want, rec.errors)
	} else {
		t.Logf("%s: %s", what, rec.errors[0])
	}
}

// wrongFor is a narrowing conversion that flips the lowest bit of its
// result for the input bits bad only.
func wrongFor(f func([]uint16, []float32), bad uint32) func([]uint16, []float32) {
	return func(d []uint16, s []float32) {
		f(d, s)
		for i, x := range s {
			if math.Float32bits(x) == bad {
				d[i] ^= 1
			}
		}
	}
}

// dequantWrongWhen is a DequantizeZeroPoint one ulp off, toward zero,
// under the scales and zero points that bad picks.
func dequantWrongWhen(bad func(s float32, z int32) bool) func([]float32, []int8, float32, int32) {
	return func(d []float32, src []int8, s float32, z int32) {
		fallback.DequantizeZeroPoint(d, src, s, z)
		if bad(s, z) {
			for i := range d {
				d[i] = math.Nextafter32(d[i], 0)
			}
		}
	}
}

// broken is a deliberately wrong variant of one kernel.
type broken struct {
	kernel string // name of the check that must catch it
	what   string
	patch  func(k *kernels.Set)
	guard  bool // only the guard pages can catch it (a stray read)
	allocs bool // only the allocation count can catch it
}

var brokenKernels = []broken{
	{kernel: "Float32ToFloat16", what: "flips a bit at index 37", patch: func(k *kernels.Set) {
		k.Float32ToFloat16 = func(d []uint16, s []float32) {
			fallback.Float32ToFloat16(d, s)
			if len(d) > 37 {
				d[37] ^= 1
			}
		}
	}},
	{kernel: "Float32ToFloat16", what: "writes one element past the end", patch: func(k *kernels.Set) {
		k.Float32ToFloat16 = func(d []uint16, s []float32) {
			fallback.Float32ToFloat16(d, s)
			*past(d, len(d)) = 0x1234
		}
	}},
	{kernel: "Float32ToFloat16", what: "writes one element before the start", patch: func(k *kernels.Set) {
		k.Float32ToFloat16 = func(d []uint16, s []float32) {
			fallback.Float32ToFloat16(d, s)
			if len(d) > 0 {
				*past(d, -1) = d[0]
			}
		}
	}},
	{kernel: "Float32ToFloat16", what: "turns a NaN in the last position into Inf", patch: func(k *kernels.Set) {
		k.Float32ToFloat16 = func(d []uint16, s []float32) {
			fallback.Float32ToFloat16(d, s)
			if n := len(s); n > 0 && isNaN(s[n-1]) {
				d[n-1] = 0x7C00
			}
		}
	}},
	{kernel: "Float32ToFloat16", what: "rounds normal ties away from zero", patch: func(k *kernels.Set) {
		k.Float32ToFloat16 = func(d []uint16, s []float32) {
			fallback.Float32ToFloat16(d, s)
			for i, x := range s {
				b := math.Float32bits(x)
				if e := b >> 23 & 0xFF; b&0x1FFF == 0x1000 && e >= 113 && e <= 142 {
					if down := fallback.ToFloat16(math.Float32frombits(b &^ 0x1FFF)); d[i] == down {
						d[i] = down + 1
					}
				}
			}
		}
	}},
	{kernel: "Float32ToFloat16", what: "flushes FP16 subnormals to zero", patch: func(k *kernels.Set) {
		k.Float32ToFloat16 = func(d []uint16, s []float32) {
			fallback.Float32ToFloat16(d, s)
			for i := range d {
				if d[i]&0x7C00 == 0 {
					d[i] &= 0x8000
				}
			}
		}
	}},
	{kernel: "Float32ToFloat16", what: "drops the NaN payload", patch: func(k *kernels.Set) {
		k.Float32ToFloat16 = func(d []uint16, s []float32) {
			fallback.Float32ToFloat16(d, s)
			for i, x := range s {
				if isNaN(x) {
					d[i] &= 0xFE00
				}
			}
		}
	}},
	{kernel: "Float32ToFloat16", what: "overflows at 65536 instead of 65520", patch: func(k *kernels.Set) {
		k.Float32ToFloat16 = func(d []uint16, s []float32) {
			fallback.Float32ToFloat16(d, s)
			for i, x := range s {
				if a := math.Abs(float64(x)); a >= 65520 && a < 65536 {
					d[i] = d[i]&0x8000 | 0x7BFF
				}
			}
		}
	}},
	{kernel: "Float32ToFloat16", what: "skips the last element of a 3-element tail", patch: func(k *kernels.Set) {
		k.Float32ToFloat16 = withTailElementSkipped(fallback.Float32ToFloat16, 8, 3)
	}},
	{kernel: "Float32ToFloat16", what: "reads one element past the end of src", guard: true, patch: func(k *kernels.Set) {
		k.Float32ToFloat16 = func(d []uint16, s []float32) {
			fallback.Float32ToFloat16(d, s)
			if len(s)%8 != 0 { // a full-vector load of the tail
				sink += *past(s, len(s))
			}
		}
	}},
	{kernel: "Float32ToFloat16", what: "reads one element before the start of src", guard: true, patch: func(k *kernels.Set) {
		k.Float32ToFloat16 = func(d []uint16, s []float32) {
			fallback.Float32ToFloat16(d, s)
			sink += *past(s, -1)
		}
	}},
	{kernel: "Float32ToFloat16", what: "modifies src", patch: func(k *kernels.Set) {
		k.Float32ToFloat16 = func(d []uint16, s []float32) {
			fallback.Float32ToFloat16(d, s)
			if len(s) > 5 {
				s[5] = -s[5]
			}
		}
	}},
	{kernel: "Float32ToFloat16", what: "allocates", allocs: true, patch: func(k *kernels.Set) {
		k.Float32ToFloat16 = func(d []uint16, s []float32) {
			tmp := make([]float32, len(s))
			copy(tmp, s)
			fallback.Float32ToFloat16(d, tmp)
			sinkSlice = tmp
		}
	}},
	{kernel: "MinMaxKeys", what: "allocates", allocs: true, patch: func(k *kernels.Set) {
		k.MinMaxKeys = func(s []float32) (int32, int32) {
			sinkSlice = append([]float32(nil), s...)
			return fallback.MinMaxKeys(sinkSlice)
		}
	}},
	// Wrong for one input only, which the suite meets among the worked
	// examples (in specialF32) or the widened 16-bit values.
	{kernel: "Float32ToFloat16", what: "is wrong for 0.333333333 only (a worked example)", patch: func(k *kernels.Set) {
		k.Float32ToFloat16 = wrongFor(fallback.Float32ToFloat16, 0x3EAAAAAB)
	}},
	{kernel: "Float32ToBFloat16", what: "is wrong for 0x00008001 only (a worked example)", patch: func(k *kernels.Set) {
		k.Float32ToBFloat16 = wrongFor(fallback.Float32ToBFloat16, 0x00008001)
	}},
	{kernel: "Float32ToFloat16", what: "is wrong for the widened binary16 NaN 0x7d23 only", patch: func(k *kernels.Set) {
		k.Float32ToFloat16 = wrongFor(fallback.Float32ToFloat16, math.Float32bits(fallback.FromFloat16(0x7D23)))
	}},
	{kernel: "Float32ToBFloat16", what: "is wrong for the widened bfloat16 NaN 0xff85 only", patch: func(k *kernels.Set) {
		k.Float32ToBFloat16 = wrongFor(fallback.Float32ToBFloat16, 0xFF850000)
	}},
	{kernel: "Float16ToFloat32", what: "does not quiet signalling NaNs", patch: func(k *kernels.Set) {
		k.Float16ToFloat32 = func(d []float32, s []uint16) {
			fallback.Float16ToFloat32(d, s)
			for i, h := range s {
				if h&0x7E00 == 0x7C00 && h&0x3FF != 0 {
					d[i] = math.Float32frombits(math.Float32bits(d[i]) &^ 0x400000)
				}
			}
		}
	}},
	{kernel: "Float16ToFloat32", what: "is wrong for 0x83FF only", patch: func(k *kernels.Set) {
		k.Float16ToFloat32 = func(d []float32, s []uint16) {
			fallback.Float16ToFloat32(d, s)
			for i, h := range s {
				if h == 0x83FF {
					d[i] = 0
				}
			}
		}
	}},
	{kernel: "Float32ToBFloat16", what: "truncates instead of rounding", patch: func(k *kernels.Set) {
		k.Float32ToBFloat16 = func(d []uint16, s []float32) {
			for i, x := range s {
				d[i] = fallback.ToBFloat16(math.Float32frombits(math.Float32bits(x) &^ 0xFFFF))
			}
		}
	}},
	{kernel: "Float32ToBFloat16", what: "rounds NaNs like numbers", patch: func(k *kernels.Set) {
		k.Float32ToBFloat16 = func(d []uint16, s []float32) {
			for i, x := range s {
				b := math.Float32bits(x)
				d[i] = uint16((b + 0x7FFF + (b>>16)&1) >> 16)
			}
		}
	}},
	{kernel: "BFloat16ToFloat32", what: "leaves the last element of a 7-element tail unwritten", patch: func(k *kernels.Set) {
		k.BFloat16ToFloat32 = withTailElementSkipped(fallback.BFloat16ToFloat32, 8, 7)
	}},
	{kernel: "AbsMaxBits", what: "ignores the last element when n%8 == 7", patch: func(k *kernels.Set) {
		k.AbsMaxBits = withLastIgnoredInTail(fallback.AbsMaxBits, 8)
	}},
	{kernel: "AbsMaxBits", what: "a far loop that skips the 32 values in the middle", patch: func(k *kernels.Set) {
		k.AbsMaxBits = func(s []float32) uint32 {
			if n := len(s); n >= 1<<21 {
				mid := n / 2 &^ 31
				return max(fallback.AbsMaxBits(s[:mid]), fallback.AbsMaxBits(s[mid+32:]))
			}
			return fallback.AbsMaxBits(s)
		}
	}},
	{kernel: "AbsMaxBits", what: "compares as floats (loses NaNs)", patch: func(k *kernels.Set) {
		k.AbsMaxBits = func(s []float32) uint32 {
			var m float32
			for _, x := range s {
				if a := float32(math.Abs(float64(x))); a > m {
					m = a
				}
			}
			return math.Float32bits(m)
		}
	}},
	{kernel: "AbsMaxBits", what: "loses a NaN in lane 5 of 8", patch: func(k *kernels.Set) {
		k.AbsMaxBits = absMaxBitsLosingLane5NaNs
	}},
	{kernel: "MinMaxKeys", what: "treats -0 and +0 as equal (first wins)", patch: func(k *kernels.Set) {
		k.MinMaxKeys = func(s []float32) (int32, int32) {
			lo, hi := fallback.MinMaxKeys(s)
			if len(s) == 0 {
				return lo, hi
			}
			firstZero := func() int32 {
				for _, x := range s {
					if x == 0 {
						return kernels.OrderKey(math.Float32bits(x))
					}
				}
				panic("no zero")
			}
			if lo == -1 || lo == 0 { // a float min keeps the first of equal zeros
				lo = firstZero()
			}
			if hi == -1 || hi == 0 {
				hi = firstZero()
			}
			return lo, hi
		}
	}},
	{kernel: "MinMaxKeys", what: "a far loop that drops the last full vectors' minima", patch: func(k *kernels.Set) {
		k.MinMaxKeys = func(s []float32) (int32, int32) {
			lo, hi := fallback.MinMaxKeys(s)
			if n := len(s); n >= 1<<21 {
				lo, _ = fallback.MinMaxKeys(s[:n&^31-32])
				tlo, _ := fallback.MinMaxKeys(s[n&^31:])
				lo = min(lo, tlo)
			}
			return lo, hi
		}
	}},
	{kernel: "MinMaxKeys", what: "ignores NaNs at index 3 mod 8", patch: func(k *kernels.Set) {
		k.MinMaxKeys = minMaxKeysIgnoringLane3NaNs
	}},
	{kernel: "QuantizeAbsmax", what: "clamps to -128 instead of -127", patch: func(k *kernels.Set) {
		k.QuantizeAbsmax = func(d []int8, s []float32, sc float32) {
			for i, x := range s {
				v := min(max(x*sc, -128), 127)
				d[i] = int8(math.RoundToEven(float64(v)))
			}
		}
	}},
	{kernel: "QuantizeAbsmax", what: "rounds half away from zero", patch: func(k *kernels.Set) {
		k.QuantizeAbsmax = func(d []int8, s []float32, sc float32) {
			for i, x := range s {
				v := min(max(x*sc, -127), 127)
				d[i] = int8(math.Round(float64(v)))
			}
		}
	}},
	{kernel: "QuantizeAbsmax", what: "multiplies in float64", patch: func(k *kernels.Set) {
		k.QuantizeAbsmax = func(d []int8, s []float32, sc float32) {
			for i, x := range s {
				v := min(max(float64(x)*float64(sc), -127), 127)
				d[i] = int8(math.RoundToEven(v))
			}
		}
	}},
	{kernel: "QuantizeZeroPoint", what: "fuses the multiply and add", patch: func(k *kernels.Set) {
		k.QuantizeZeroPoint = func(d []int8, s []float32, sc, z float32) {
			for i, x := range s {
				v := float32(math.FMA(float64(x), float64(sc), float64(z)))
				v = min(max(v, -128), 127)
				d[i] = int8(math.RoundToEven(float64(v)))
			}
		}
	}},
	{kernel: "QuantizeZeroPoint", what: "rounds before adding the zero point", patch: func(k *kernels.Set) {
		k.QuantizeZeroPoint = func(d []int8, s []float32, sc, z float32) {
			for i, x := range s {
				v := float32(math.RoundToEven(float64(x*sc))) + z
				d[i] = int8(math.RoundToEven(float64(min(max(v, -128), 127))))
			}
		}
	}},
	{kernel: "DequantizeZeroPoint", what: "multiplies by the reciprocal", patch: func(k *kernels.Set) {
		k.DequantizeZeroPoint = func(d []float32, s []int8, sc float32, z int32) {
			r := 1 / sc
			for i, q := range s {
				d[i] = float32(int32(q)-z) * r
			}
		}
	}},
	{kernel: "DequantizeZeroPoint", what: "multiplies by the reciprocal when zero is 0", patch: func(k *kernels.Set) {
		k.DequantizeZeroPoint = func(d []float32, s []int8, sc float32, z int32) {
			if z != 0 {
				fallback.DequantizeZeroPoint(d, s, sc, z)
				return
			}
			r := 1 / sc // an absmax fast path that is not a division
			for i, q := range s {
				d[i] = float32(q) * r
			}
		}
	}},
	{kernel: "ErrorSums", what: "sums in index order, one lane", patch: func(k *kernels.Set) {
		k.ErrorSums = func(x, y []float32) (sse, ss, m float64) {
			for i, v := range x {
				e := float64(v) - float64(y[i])
				sse += float64(e * e)
				ss += float64(float64(v) * float64(v))
				m = max(m, math.Abs(e))
			}
			return sse, ss, m
		}
	}},
	{kernel: "ErrorSums", what: "fuses the square into the sum", patch: func(k *kernels.Set) {
		k.ErrorSums = errorSumsWith(func(acc, e float64) float64 { return math.FMA(e, e, acc) }, false)
	}},
	{kernel: "ErrorSums", what: "takes the difference in float32", patch: func(k *kernels.Set) {
		k.ErrorSums = errorSumsWith(nil, true)
	}},
	{kernel: "ErrorSums", what: "leaves the last pair out", patch: func(k *kernels.Set) {
		k.ErrorSums = func(x, y []float32) (float64, float64, float64) {
			if len(x) > 0 {
				x = x[:len(x)-1]
			}
			return fallback.ErrorSums(x, y)
		}
	}},
	{kernel: "FakeQuantizeMask", what: "masks the clamped value (every mask 1)", patch: func(k *kernels.Set) {
		k.FakeQuantizeMask = func(d, src []float32, m []uint8, s float32, z, qmin, qmax int32) {
			fallback.FakeQuantize(d, src, s, z, qmin, qmax)
			for i := range src {
				m[i] = 1
			}
		}
	}},
	{kernel: "FakeQuantizeMask", what: "compares before rounding (a tie at qmin-0.5 counts as out)", patch: func(k *kernels.Set) {
		k.FakeQuantizeMask = func(d, src []float32, m []uint8, s float32, z, qmin, qmax int32) {
			fallback.FakeQuantizeMask(d, src, m, s, z, qmin, qmax)
			for i, x := range src {
				m[i] = 0
				if v := float32(x*s) + float32(z); v < float32(qmax)+0.5 && v > float32(qmin)-0.5 {
					m[i] = 1
				}
			}
		}
	}},
	{kernel: "FakeQuantizeMask", what: "writes 0xFF for in", patch: func(k *kernels.Set) {
		k.FakeQuantizeMask = func(d, src []float32, m []uint8, s float32, z, qmin, qmax int32) {
			fallback.FakeQuantizeMask(d, src, m, s, z, qmin, qmax)
			for i := range m[:len(src)] {
				m[i] *= 0xFF
			}
		}
	}},
	{kernel: "MaskGradient", what: "reads one mask byte past the end", guard: true, patch: func(k *kernels.Set) {
		k.MaskGradient = func(d, g []float32, m []uint8) {
			if len(g) > 0 {
				sink += float32(*past(m[:len(g)], len(g)))
			}
			fallback.MaskGradient(d, g, m)
		}
	}},
	{kernel: "FakeQuantizeMask", what: "writes one mask byte past the end", guard: true, patch: func(k *kernels.Set) {
		k.FakeQuantizeMask = func(d, x []float32, m []uint8, s float32, z, lo, hi int32) {
			fallback.FakeQuantizeMask(d, x, m, s, z, lo, hi)
			if len(x) > 0 {
				*past(m[:len(x)], len(x)) = 1
			}
		}
	}},
	{kernel: "MaskGradient", what: "passes every gradient", patch: func(k *kernels.Set) {
		k.MaskGradient = func(d, g []float32, m []uint8) { copy(d, g) }
	}},
	{kernel: "MaskGradient", what: "zeroes with the gradient's sign (-0)", patch: func(k *kernels.Set) {
		k.MaskGradient = func(d, g []float32, m []uint8) {
			for i, v := range g {
				if m[i] == 0 {
					v *= 0
				}
				d[i] = v
			}
		}
	}},
	{kernel: "QuantizeAbsmaxChecked", what: "never reports a NaN", patch: func(k *kernels.Set) {
		k.QuantizeAbsmaxChecked = func(d []int8, s []float32, sc float32) bool {
			fallback.QuantizeAbsmaxChecked(d, s, sc)
			return false
		}
	}},
	{kernel: "QuantizeAbsmaxChecked", what: "always reports a NaN", patch: func(k *kernels.Set) {
		k.QuantizeAbsmaxChecked = func(d []int8, s []float32, sc float32) bool {
			fallback.QuantizeAbsmaxChecked(d, s, sc)
			return true
		}
	}},
	{kernel: "QuantizeZeroPointChecked", what: "misses a NaN in the tail", patch: func(k *kernels.Set) {
		k.QuantizeZeroPointChecked = func(d []int8, s []float32, sc, z float32) bool {
			nan := fallback.QuantizeZeroPointChecked(d, s, sc, z)
			return fallback.QuantizeZeroPointChecked(d[:len(s)&^7], s[:len(s)&^7], sc, z) && nan
		}
	}},
	{kernel: "BFloat16.QuantizeAbsmaxChecked", what: "misses a signalling NaN", patch: func(k *kernels.Set) {
		k.BFloat16.QuantizeAbsmaxChecked = func(d []int8, s []uint16, sc float32) bool {
			nan := fallback.QuantizeAbsmaxBFloat16Checked(d, s, sc)
			for _, h := range s {
				if h&0x7FFF > 0x7F80 && h&0x40 == 0 {
					return false
				}
			}
			return nan
		}
	}},
	{kernel: "FakeQuantize", what: "fuses the multiply and add", patch: func(k *kernels.Set) {
		k.FakeQuantize = fakeQuantizeWith(func(x, s, z float32) float32 { return float32(math.FMA(float64(x), float64(s), float64(z))) }, false, false)
	}},
	{kernel: "FakeQuantize", what: "subtracts the zero point in float32", patch: func(k *kernels.Set) {
		k.FakeQuantize = fakeQuantizeWith(nil, true, false)
	}},
	{kernel: "FakeQuantize", what: "multiplies by the reciprocal", patch: func(k *kernels.Set) {
		k.FakeQuantize = fakeQuantizeWith(nil, false, true)
	}},
	{kernel: "FakeQuantize", what: "ignores qmin", patch: func(k *kernels.Set) {
		k.FakeQuantize = func(d, src []float32, s float32, z, qmin, qmax int32) bool {
			return fallback.FakeQuantize(d, src, s, z, -128, qmax)
		}
	}},
	{kernel: "FakeQuantize", what: "leaves the last tail element", patch: func(k *kernels.Set) {
		k.FakeQuantize = func(d, src []float32, s float32, z, qmin, qmax int32) bool {
			n := len(src)
			if n%8 != 0 {
				n--
			}
			nan := fallback.FakeQuantize(d, src[:n], s, z, qmin, qmax)
			if n < len(src) {
				d[n] = src[n]
			}
			return nan
		}
	}},
	{kernel: "FakeQuantize", what: "never reports a NaN", patch: func(k *kernels.Set) {
		k.FakeQuantize = func(d, src []float32, s float32, z, qmin, qmax int32) bool {
			fallback.FakeQuantize(d, src, s, z, qmin, qmax)
			return false
		}
	}},
	{kernel: "FakeQuantize", what: "adds the FMA residual without scaling it by the reciprocal", patch: func(k *kernels.Set) {
		k.FakeQuantize = func(d, src []float32, s float32, z, qmin, qmax int32) bool {
			nan := fallback.FakeQuantize(d, src, s, z, qmin, qmax)
			r := 1 / s
			for i, x := range src {
				if x != x {
					continue
				}
				v := min(max(float32(x*s)+float32(z), float32(qmin)), float32(qmax))
				q := float32(int32(math.RoundToEven(float64(v))) - z)
				y := q * r
				d[i] = float32(math.FMA(float64(-y), float64(s), float64(q))) + y
			}
			return nan
		}
	}},
	{kernel: "DequantizeZeroPoint", what: "subtracts in float32", patch: func(k *kernels.Set) {
		k.DequantizeZeroPoint = func(d []float32, s []int8, sc float32, z int32) {
			for i, q := range s {
				d[i] = (float32(q) - float32(z)) / sc
			}
		}
	}},
	{kernel: "DequantizeZeroPoint", what: "is wrong at zero point math.MinInt32+129 only", patch: func(k *kernels.Set) {
		k.DequantizeZeroPoint = dequantWrongWhen(func(s float32, z int32) bool { return z == math.MinInt32+129 })
	}},
	{kernel: "DequantizeZeroPoint", what: "is wrong at scale 0.1 only", patch: func(k *kernels.Set) {
		k.DequantizeZeroPoint = dequantWrongWhen(func(s float32, z int32) bool { return s == 0.1 })
	}},
	{kernel: "DequantizeZeroPoint", what: "is wrong for q = -128 at index 63", patch: func(k *kernels.Set) {
		k.DequantizeZeroPoint = func(d []float32, s []int8, sc float32, z int32) {
			fallback.DequantizeZeroPoint(d, s, sc, z)
			if len(s) > 63 && s[63] == -128 {
				d[63] = -d[63]
			}
		}
	}},
}

// TestDetectsBrokenKernels proves that the checks fail: each broken
// variant must be reported by Run's check for its kernel (or, for stray
// reads, by GuardPages).
func TestDetectsBrokenKernels(t *testing.T) {
	for _, b := range slices.Concat(brokenKernels, broken16AndQ8_0, brokenNarrowing, brokenBlocks, brokenDequantFMA, brokenFused, brokenInterop, brokenQ4, plumbing(), narrowingQ4(), brokenGemm) {
		t.Run(b.kernel+"/"+strings.ReplaceAll(b.what, " ", "_"), func(t *testing.T) {
			k := wrapped()
			b.patch(&k)
			rec := &recorder{}
			switch {
			case b.guard:
				if err := guardCheck(rec, &k, b.kernel); err != nil {
					t.Skipf("no guard pages: %v", err)
				}
			case b.allocs:
				checkAllocs(rec, &k, b.kernel)
			default:
				checkNamed(b.kernel).check(rec, &k)
			}
			if len(rec.errors) == 0 {
				t.Fatalf("%s that %s passed the suite", b.kernel, b.what)
			}
			t.Logf("reported %d failures; first: %s", len(rec.errors), rec.errors[0])
		})
	}
}

// TestDetectsBrokenConversionsExhaustively proves that the exhaustive
// checks fail on a conversion wrong for a single input, in sample mode
// (the input is a midpoint) and in full mode (over the chunk holding an
// arbitrary input).
func TestDetectsBrokenConversionsExhaustively(t *testing.T) {
	wrongAt := func(bad uint32) func([]uint16, []float32) {
		return func(d []uint16, s []float32) {
			fallback.Float32ToFloat16(d, s)
			for i, x := range s {
				if math.Float32bits(x) == bad {
					d[i] ^= 0x0100
				}
			}
		}
	}
	for _, c := range []struct {
		name string
		bad  uint32
		src  chunkSource
	}{
		{"sample: FP16 midpoint 65520", 0x477FF000, chunkHolding(t, sampleSource(), 0x477FF000)},
		{"sample: FP16 subnormal midpoint", 0x33C00000, chunkHolding(t, sampleSource(), 0x33C00000)}, // 1.5 * 2^-24
		{"full: arbitrary input", 0x12345678, chunkHolding(t, fullSource(), 0x12345678)},
	} {
		rec := &recorder{}
		exhaustNarrow(rec, "broken", wrongAt(c.bad), fallback.Float32ToFloat16, c.src)
		if len(rec.errors) == 0 || !strings.Contains(rec.errors[0], fmt.Sprintf("%#08x", c.bad)) {
			t.Errorf("%s: mismatch at %#08x not reported: %q", c.name, c.bad, rec.errors)
		} else {
			t.Logf("%s: %s", c.name, rec.errors[0])
		}
	}
	rec := &recorder{}
	exhaustWiden(rec, "broken", func(d []float32, s []uint16) {
		fallback.Float16ToFloat32(d, s)
		d[0x7C01] = 0
	}, fallback.Float16ToFloat32)
	expectReport(t, "widening mismatch at 0x7c01", rec, "input 0x7c01")
}

// chunkHolding narrows src to the one chunk that holds the input bits
// (looking past the random chunks of the sample, which are not needed).
func chunkHolding(t *testing.T, src chunkSource, bits uint32) chunkSource {
	t.Helper()
	first := 0
	if src.mode == "full" {
		first = int(bits >> 16)
	} else {
		first = 1 << 24 / chunkLen
	}
	buf := make([]uint32, chunkLen)
	for i := first; i < src.chunks; i++ {
		if slices.Contains(src.fill(i, buf), bits) {
			return chunkSource{mode: src.mode, chunks: 1, fill: func(_ int, dst []uint32) []uint32 { return src.fill(i, dst) }}
		}
	}
	t.Fatalf("%s source has no input %#08x", src.mode, bits)
	return chunkSource{}
}

// TestOracleCatchesBrokenReference proves that CheckReference's parts fail
// on wrong reference conversions.
func TestOracleCatchesBrokenReference(t *testing.T) {
	truncate16 := func(x float32) uint16 { // no rounding at all
		h := fallback.ToFloat16(x)
		if b := math.Float32bits(x); b&0x1FFF >= 0x1000 && h&0x7C00 != 0x7C00 {
			h--
		}
		return h
	}
	rec := &recorder{}
	checkExamples(rec, truncate16, fallback.ToBFloat16)
	if len(rec.errors) == 0 {
		t.Errorf("examples accept a truncating ToFloat16")
	}
	rec = &recorder{}
	exhaustNarrow(rec, "truncating ToFloat16", oracleSlice(func(b uint32) uint16 { return truncate16(math.Float32frombits(b)) }),
		oracleSlice(oracleFloat16), chunkHolding(t, sampleSource(), 0x477FF000))
	if len(rec.errors) == 0 {
		t.Errorf("oracle accepts a truncating ToFloat16")
	}
	rec = &recorder{}
	checkFromFloat16(rec, func(h uint16) float32 { return fallback.FromFloat16(h &^ 1) }, fallback.ToFloat16)
	if len(rec.errors) == 0 {
		t.Errorf("decoder check accepts a wrong FromFloat16")
	}
	rec = &recorder{}
	checkFromBFloat16(rec, fallback.FromBFloat16, func(x float32) uint16 { return fallback.ToBFloat16(x) &^ 1 })
	if len(rec.errors) == 0 {
		t.Errorf("round trip check accepts a wrong ToBFloat16")
	}
	rec = &recorder{}
	checkFromFloat16(rec, fallback.FromFloat16, func(x float32) uint16 { // keeps a widened NaN's quiet bit clear
		h := fallback.ToFloat16(x)
		if b := math.Float32bits(x); b&0x7FFFFFFF > 0x7F800000 && b&0x1FFF == 0 {
			h &^= 0x0200
		}
		return h
	})
	expectReport(t, "round trip of binary16 NaNs that stay signalling", rec, "ToFloat16(FromFloat16(0x7c01)) = 0x7c01, want 0x7e01")
	rec = &recorder{}
	checkFromBFloat16(rec, fallback.FromBFloat16, func(x float32) uint16 {
		h := fallback.ToBFloat16(x)
		if b := math.Float32bits(x); b&0x7FFFFFFF > 0x7F800000 && b&0xFFFF == 0 {
			h &^= 0x0040
		}
		return h
	})
	expectReport(t, "round trip of bfloat16 NaNs that stay signalling", rec, "ToBFloat16(FromBFloat16(0x7f81)) = 0x7f81, want 0x7fc1")
}

// TestOracleSample checks the reference against the oracle on the
// sample's midpoints and subnormal edges even under -short (the full
// check is CheckReference's).
func TestOracleSample(t *testing.T) {
	src := sampleSource()
	skip := 1 << 24 / chunkLen // the random chunks
	src.chunks -= skip
	fill := src.fill
	src.fill = func(i int, dst []uint32) []uint32 { return fill(i+skip, dst) }
	exhaustNarrow(t, "fallback.ToFloat16 vs oracle", fallback.Float32ToFloat16, oracleSlice(oracleFloat16), src)
	exhaustNarrow(t, "fallback.ToBFloat16 vs oracle", fallback.Float32ToBFloat16, oracleSlice(oracleBFloat16), src)
}

// TestOracleHelpers checks the oracle's rounding and exponent helpers
// against package math.
func TestOracleHelpers(t *testing.T) {
	r := newRand(0x4001)
	for i := range 100000 {
		v := float64(i) / 4 // every quarter up to 25000: ties included
		if i%2 == 1 {
			v = r.Float64() * math.Ldexp(1, r.IntN(52))
		}
		if got, want := roundEven(v), math.RoundToEven(v); got != want {
			t.Fatalf("roundEven(%v) = %v, want %v", v, got, want)
		}
		if v == 0 {
			continue
		}
		if _, want := math.Frexp(v); binade(v) != want {
			t.Fatalf("binade(%v) = %d, want %d", v, binade(v), want)
		}
	}
	for e := -149; e <= 127; e++ {
		v := math.Ldexp(1, e)
		if _, want := math.Frexp(v); binade(v) != want {
			t.Fatalf("binade(2^%d) = %d, want %d", e, binade(v), want)
		}
	}
}

// TestPassKey checks that closures of one literal with different captured
// values are told apart, and one function value is recognised.
func TestPassKey(t *testing.T) {
	mk := func(bad uint16) func([]uint16, []float32) {
		return func(d []uint16, s []float32) { fallback.Float32ToFloat16(d, s); d[0] = bad }
	}
	a, b := mk(1), mk(2)
	if passKey(a, "full") == passKey(b, "full") {
		t.Errorf("two closures share a key")
	}
	if passKey(a, "full") != passKey(a, "full") {
		t.Errorf("one closure has two keys")
	}
	if f := fallback.Float32ToFloat16; passKey(f, "full") != passKey(fallback.Float32ToFloat16, "full") {
		t.Errorf("one function has two keys")
	}
}

// fakeQuantizeWith is fallback.FakeQuantize with one step done another
// way: mulAdd (nil: the rounded product, then the rounded sum), the zero
// point subtracted in float32, or a multiplication by 1/scale.
func fakeQuantizeWith(mulAdd func(x, s, z float32) float32, floatSub, reciprocal bool) func(d, src []float32, s float32, z, qmin, qmax int32) bool {
	return func(d, src []float32, s float32, z, qmin, qmax int32) bool {
		nan := false
		for i, x := range src {
			if x != x {
				d[i], nan = 0, true
				continue
			}
			var v float32
			if mulAdd != nil {
				v = mulAdd(x, s, float32(z))
			} else {
				v = float32(x*s) + float32(z)
			}
			q := int32(math.RoundToEven(float64(min(max(v, float32(qmin)), float32(qmax)))))
			n := float32(q - z)
			if floatSub {
				n = float32(q) - float32(z)
			}
			if reciprocal {
				d[i] = n * (1 / s)
			} else {
				d[i] = n / s
			}
		}
		return nan
	}
}

// errorSumsWith is fallback.ErrorSums with the square added by addSquare
// (nil: rounded, then added) and, if float32Diff, the difference taken
// in float32.
func errorSumsWith(addSquare func(acc, e float64) float64, float32Diff bool) func(x, y []float32) (float64, float64, float64) {
	return func(x, y []float32) (float64, float64, float64) {
		var le, lx [16]float64
		var m float64
		for i, v := range x {
			e := float64(v) - float64(y[i])
			if float32Diff {
				e = float64(v - y[i])
			}
			if addSquare != nil {
				le[i%16] = addSquare(le[i%16], e)
			} else {
				le[i%16] += float64(e * e)
			}
			lx[i%16] += float64(float64(v) * float64(v))
			m = max(m, math.Abs(e))
		}
		return kernels.ErrorLanes(&le), kernels.ErrorLanes(&lx), m
	}
}
