package kerneltest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// The FMA domain of dequantization: -128 <= zero <= 128, so that every
// numerator n = q - zero is an integer in [-256, 255], and
// 2^-64 <= |scale| <= 2^64. Inside it a kernel may compute n / scale as
//
//	r = 1/scale (correctly rounded), y = n*r, e = n - y*scale (fused),
//	result = e*r + y (fused)
//
// instead of dividing, if that is the correctly rounded quotient for every
// n and scale of the domain, which exhaustDequantDomain checks. Checking
// one binade of scales suffices: multiplying scale by 2^k multiplies r, y
// and the result by 2^-k exactly and leaves e as it is, as long as nothing
// overflows or goes subnormal, which the domain rules out (results within
// [2^-64, 2^72] in magnitude, e zero or at least about 2^-48), and every
// step is odd in the sign of scale. So every significand of scale in
// [1, 2) against every n in [-256, 255] is every case.

// dequantDomainSignificands is the number of float32 significands.
const dequantDomainSignificands = 1 << 23

// dequantDomainChunk is how many significands make one chunk of work.
const dequantDomainChunk = 64

// dequantDomainScales returns the two scales significand m is checked
// under: 1.m, and -1.m * 2^k with k pseudo-random in [-64, 63] (a guard of
// the scaling argument).
func dequantDomainScales(m int) (float32, float32) {
	h := uint32(m) * 0x9E3779B1
	k := int(h>>25) - 64
	return f32(127<<23 | uint32(m)), f32(1<<31 | uint32(127+k)<<23 | uint32(m))
}

// dequantDomainParams returns the scale and zero point of segment seg (of
// 4) of significand m: zero 128 (n in [-256, -1]) and -128 (n in
// [0, 255]) under each scale of dequantDomainScales.
func dequantDomainParams(m, seg int) (float32, int32) {
	s, t := dequantDomainScales(m)
	if seg >= 2 {
		s = t
	}
	return s, [2]int32{128, -128}[seg&1]
}

// dequantDomainInput is the input of a full chunk: for each significand
// four segments of all 256 int8 values, rotating over the lanes.
var dequantDomainInput = sync.OnceValue(func() []int8 {
	in := make([]int8, 0, dequantDomainChunk*4*256)
	for i := range dequantDomainChunk * 4 {
		for q := range 256 {
			in = append(in, int8(q+i))
		}
	}
	return in
})

// exhaustDequantDomain runs DequantizeZeroPoint over the FMA domain: every
// significand (every 61st with QUANT_EXHAUSTIVE=sample), and the 16-bit
// DequantizeZeroPoint kernels on every 61st (every 61*17th in sample
// mode). Skipped for kernels that are the reference.
func exhaustDequantDomain(t *testing.T, k *kernels.Set, mode string) {
	stride32, stride16 := 1, 61
	if mode == "sample" {
		stride32, stride16 = 61, 61*17
	}
	sub := func(name string, run func(t *testing.T) int64) {
		t.Run(name+"Domain", func(t *testing.T) {
			skipIfReference(t, k, name)
			start := time.Now()
			n := run(t)
			t.Logf("%s: %d values in %v", mode, n, time.Since(start).Round(time.Millisecond))
		})
	}
	sub("DequantizeZeroPoint", func(t *testing.T) int64 {
		return exhaustDequantDomainOf(t, k.Name+".DequantizeZeroPoint", k.DequantizeZeroPoint, fallback.DequantizeZeroPoint,
			stride32, 0, dequantDomainCount(stride32), hex[float32])
	})
	for _, f := range formats {
		w, ref := f.set(k), f.set(&fallback.Kernels)
		sub(f.name+".DequantizeZeroPoint", func(t *testing.T) int64 {
			return exhaustDequantDomainOf(t, k.Name+"."+f.name+".DequantizeZeroPoint", w.DequantizeZeroPoint, ref.DequantizeZeroPoint,
				stride16, 0, dequantDomainCount(stride16), f.show)
		})
	}
}

// dequantDomainCount is the number of significands 0, stride, 2*stride...
func dequantDomainCount(stride int) int {
	return (dequantDomainSignificands + stride - 1) / stride
}

// exhaustDequantDomainOf compares got with ref over significands
// stride*i for i in [from, to) (see exhaustDequantDomain), on all CPUs.
// It returns the number of values checked.
func exhaustDequantDomainOf[D float32 | uint16](t tb, name string, got, ref func([]D, []int8, float32, int32),
	stride, from, to int, show func(D) string) int64 {
	t.Helper()
	first := func(chunk int) int { return from + chunk*dequantDomainChunk }
	call := func(kernel func([]D, []int8, float32, int32)) func(chunk int, d []D, q []int8) {
		return func(chunk int, d []D, q []int8) {
			for j := range len(q) / 256 {
				s, z := dequantDomainParams((first(chunk)+j/4)*stride, j%4)
				kernel(d[j*256:(j+1)*256], q[j*256:(j+1)*256], s, z)
			}
		}
	}
	return exhaustChunksWith(t, name, call(got), call(ref), (to-from+dequantDomainChunk-1)/dequantDomainChunk,
		func(chunk int, buf []int8) []int8 {
			n := min(dequantDomainChunk, to-first(chunk))
			return append(buf, dequantDomainInput()[:n*4*256]...)
		},
		func(v int) int { return v },
		func(chunk, i int, in []int8, g, w []D) string {
			s, z := dequantDomainParams((first(chunk)+i/1024)*stride, i/256%4)
			return fmt.Sprintf("scale %s zero %d: q %d (n %d): got %s, want %s", hex(s), z, in[i], int32(in[i])-z, show(g[i]), show(w[i]))
		})
}
