package kerneltest

import (
	"math"
	"testing"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// quantScales are arbitrary quantization scales: ordinary, tiny and
// subnormal (products underflow), huge (the clamp binds, products
// overflow to infinity) and zero.
var quantScales = []float32{
	1, 127, 0.5, 3, 1.0 / 3, 1e-3, 1e3, 255.0 / 7, 65504, 127.0 / 65504,
	1e-30, f32(minSub), 1e-40, f32(minNormal), 1e30, f32(maxF32), 0,
}

// quantZeros are zero points, cast to float32 as package quant does:
// both signs, beyond the int8 range, and large enough that the cast
// rounds (2^24+1) or that products near them have coarse ulps.
var quantZeros = []int32{
	0, 1, -1, 127, -128, 128, -129, 1 << 20, -(1 << 20), 1<<24 + 1, -(1<<24 + 1),
	1<<31 - 256, -(1<<31 - 256), math.MaxInt32 - 128, math.MinInt32 + 128,
}

// dequantScales add what a caller may pass to dequantization: negative,
// infinite, NaN, and scales whose quotients are subnormal or overflow;
// the ends of the range 2^-64 <= |scale| <= 2^64 in which a kernel may
// replace the division by a reciprocal with an FMA correction (see
// exhaustDequantDomain), and their neighbours outside it; and 2 - 2^-23,
// under which a reciprocal one ulp off still fails after the correction
// (at powers of two); and 3 and 0.1, whose quotients are inexact.
var dequantScales = []float32{
	1, 127, 0.5, 1.0 / 3, 127.0 / 65504, 255.0 / 0.37, 65504, 1e-30, 1e-40, f32(minSub),
	f32(minNormal), 1e30, f32(maxF32), 0, float32(math.Inf(1)), -0.75,
	0x1p-64, 0x1p64, math.Nextafter32(0x1p-64, 0), math.Nextafter32(0x1p64, float32(math.Inf(1))), -0x1p64,
	f32(qnan), math.Nextafter32(2, 0), 3, 0.1,
}

// dequantZeros span [math.MinInt32+128, math.MaxInt32-128] (both ends
// and their inner neighbours), with differences that round when converted
// to float32, and the ends of the range -128 <= zero <= 128 of the FMA
// domain and their neighbours.
var dequantZeros = []int32{
	0, 1, -1, 127, -128, 128, -129, 129, 255, 1 << 20, -(1 << 20), 1 << 24, -(1 << 24),
	1<<24 + 1, -(1<<24 + 1), 1<<24 + 3, 1<<25 + 1, math.MaxInt32 - 128, math.MinInt32 + 128,
	math.MaxInt32 - 129, math.MinInt32 + 129, 123456789, -987654321,
}

// absmaxScale returns the scale package quant computes for in, if it
// computes one.
func absmaxScale(in []float32) (float32, bool) {
	return absmaxScaleOf(f32(fallback.AbsMaxBits(in)))
}

func absmaxScaleOf(a float32) (float32, bool) {
	if a == 0 {
		return 1, true
	}
	s := 127 / a
	return s, !math.IsInf(float64(s), 0) && !math.IsNaN(float64(s))
}

// zeroPointParams returns the scale and zero point package quant computes
// for in, if it computes them.
func zeroPointParams(in []float32) (float32, int32, bool) {
	lo, hi := fallback.MinMaxKeys(in)
	return zeroPointParamsOf(f32(kernels.KeyBits(lo)), f32(kernels.KeyBits(hi)))
}

// zeroPointParamsOf returns the scale and zero point package quant
// computes for data from min to max, if it computes them.
func zeroPointParamsOf(min, max float32) (float32, int32, bool) {
	if min == max {
		s, ok := absmaxScaleOf(float32(math.Abs(float64(min))))
		return s, 0, ok
	}
	s := float32(255 / (float64(max) - float64(min)))
	if math.IsInf(float64(s), 0) {
		return 0, 0, false
	}
	z := -math.RoundToEven(float64(float32(s*min))) - 128
	if z < math.MinInt32+128 || z > math.MaxInt32-128 {
		return 0, 0, false
	}
	return s, int32(z), true
}

// quantBounds are values on the rounding and clamping boundaries of
// quantization at scale 1, and values that underflow or overflow the
// product.
var quantBounds = []float32{
	0, float32(math.Copysign(0, -1)), 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 126.5, -126.5, 127.5,
	-127.5, 128.5, -128.5, 127.49999, -127.49999, -128.49998, -128.50002, 129, -129, 1e30, -1e30,
	f32(maxF32), f32(0x80000000 | maxF32), f32(minSub), f32(0x80000000 | minSub), 0.49999997, -0.49999997,
}

// tieData returns values whose products with s (a power of two) are
// exactly k+0.5 - z for k across the int8 range and beyond, and their
// float32 neighbours.
func tieData(s float32, z int32) []float32 {
	var out []float32
	for k := -140; k <= 140; k++ {
		x := float32((float64(k) + 0.5 - float64(z)) / float64(s))
		out = append(out, x, math.Nextafter32(x, float32(math.Inf(1))), math.Nextafter32(x, float32(math.Inf(-1))))
	}
	return out
}

var tieScales = []float32{1, 0.5, 2, 0.25, 0x1p-10, 0x1p10}

// The quantizers of float32 and of 16-bit sources share their checks: a
// 16-bit kernel computes what the float32 one computes on the widened
// values, so it meets the same cases on finite data of its format.

func checkQuantizeAbsmax(c *checker, k *kernels.Set) {
	checkQuantizeAbsmaxOf(c, quantSource32(), k.QuantizeAbsmax, fallback.QuantizeAbsmax)
}

func (f *format) checkQuantizeAbsmax(c *checker, k *kernels.Set) {
	checkQuantizeAbsmaxOf(c, f.quantSource16(), f.set(k).QuantizeAbsmax, f.set(&fallback.Kernels).QuantizeAbsmax)
}

func checkQuantizeZeroPoint(c *checker, k *kernels.Set) {
	checkQuantizeZeroPointOf(c, quantSource32(), k.QuantizeZeroPoint, fallback.QuantizeZeroPoint)
}

func (f *format) checkQuantizeZeroPoint(c *checker, k *kernels.Set) {
	checkQuantizeZeroPointOf(c, f.quantSource16(), f.set(k).QuantizeZeroPoint, f.set(&fallback.Kernels).QuantizeZeroPoint)
}

// boundScales are the scales the boundary values (source.specials) are
// quantized with by absmax; zero point quantizes them at scale 1 with
// boundZeros.
var (
	boundScales = append([]float32{1, 127.0 / 65504, 1e30}, tieScales...)
	boundZeros  = []int32{0, -1, 128, 1 << 20, -(1<<31 - 256)}
)

// checkQuantizeAbsmaxOf tests a QuantizeAbsmax kernel on src: every
// length and position with the parameters package quant computes or
// arbitrary ones, rounding ties at every position, scaled ties (where src
// has them) and each boundary value at every index.
func checkQuantizeAbsmaxOf[S float32 | uint16](c *checker, src *source[S], got, ref func([]int8, []S, float32)) {
	r := newMapRig[int8, S](c)
	r.show = src.show
	ss, ds := slots[S](), slots[int8]()
	run := func(in []S, so, do int, ci caseInfo, s float32) {
		ci.par, ci.scale = scaleOnly, s
		r.check(func(d []int8, x []S) { got(d, x, s) },
			func(d []int8, x []S) { ref(d, x, s) }, in, so, do, ci)
	}
	pools := src.pools
	sweepPools(c, pools, ss, ds, func(in []S, so, do, salt int, ci caseInfo) {
		s := quantScales[salt/len(pools)%len(quantScales)]
		ci.how = "list"
		if salt%3 == 0 {
			if qs, ok := src.absmax(in); ok {
				s, ci.how = qs, "quant"
			}
		}
		run(in, so, do, ci, s)
	})
	for i, s := range tieScales {
		ties := src.ties(s, 0)
		for off := range ss {
			run(ties, off, (off*7+i)%ds, caseInfo{data: "ties", how: "exact"}, s)
		}
	}
	if src.scaledTies != nil {
		src.scaledTies(c, 0x8101, 0, func(in []S, at int, s float32) {
			run(in, at%ss, (at*5)%ds, caseInfo{data: "scaled-ties", at: at, how: "tie"}, s)
		})
	}
	for i, s := range boundScales {
		everyRotation(c, src.specials, func(in []S, rot int) {
			run(in, (rot+len(in))%ss, (rot*3+i)%ds, caseInfo{data: "bounds", at: rot}, s)
		})
	}
}

// checkQuantizeZeroPointOf tests a QuantizeZeroPoint kernel on src, as
// checkQuantizeAbsmaxOf does, with zero points, and on narrow ranges far
// from zero with their own parameters.
func checkQuantizeZeroPointOf[S float32 | uint16](c *checker, src *source[S], got, ref func([]int8, []S, float32, float32)) {
	r := newMapRig[int8, S](c)
	r.show = src.show
	ss, ds := slots[S](), slots[int8]()
	run := func(in []S, so, do int, ci caseInfo, s, z float32) {
		ci.par, ci.scale, ci.zero = scaleFloatZero, s, z
		r.check(func(d []int8, x []S) { got(d, x, s, z) },
			func(d []int8, x []S) { ref(d, x, s, z) }, in, so, do, ci)
	}
	pools := src.pools
	sweepPools(c, pools, ss, ds, func(in []S, so, do, salt int, ci caseInfo) {
		s := quantScales[salt/len(pools)%len(quantScales)]
		z := float32(quantZeros[salt/7%len(quantZeros)])
		ci.how = "list"
		if salt%3 == 0 {
			if qs, qz, ok := src.zeroPoint(in); ok {
				s, z, ci.how = qs, float32(qz), "quant"
			}
		}
		run(in, so, do, ci, s, z)
	})
	for _, p := range src.narrowFar {
		for n := 1; n <= maxLen && !c.done(); n++ {
			in, at := p.window(n, n*31)
			s, z, ok := src.zeroPoint(in)
			if !ok {
				continue
			}
			ci := p.info(at)
			ci.how = "quant"
			run(in, n%ss, (n*5)%ds, ci, s, float32(z))
		}
	}
	for i, s := range tieScales {
		for j, z := range quantZeros {
			if ties := src.ties(s, z); len(ties) > 0 {
				run(ties, (i+j)%ss, (i*7+j)%ds, caseInfo{data: "ties", how: "exact"}, s, float32(z))
			}
		}
	}
	if src.scaledTies != nil {
		for i, z := range shortened([]int32{0, -1, 127, -128, 1 << 20, -(1 << 20)}, 3) {
			src.scaledTies(c, 0x8201+uint64(i), float32(z), func(in []S, at int, s float32) {
				run(in, at%ss, (at*5+i)%ds, caseInfo{data: "scaled-ties", at: at, how: "tie"}, s, float32(z))
			})
		}
	}
	for i, z := range boundZeros {
		everyRotation(c, src.specials, func(in []S, rot int) {
			run(in, (rot+len(in))%ss, (rot*3+i)%ds, caseInfo{data: "bounds", at: rot}, 1, float32(z))
		})
	}
}

// everyRotation calls run with windows of list, repeated, of every length
// up to maxEvery and starting at each element: each value at every index.
func everyRotation[T elem](c *checker, list []T, run func(in []T, rot int)) {
	ring := cycle(list, len(list)+maxEvery)
	for n := 1; n <= maxEvery && !c.done(); n++ {
		for rot := range list {
			run(ring[rot:rot+n], rot)
		}
	}
}

// shortened returns list, or under -short its first n elements.
func shortened[T any](list []T, n int) []T {
	if testing.Short() {
		return list[:min(n, len(list))]
	}
	return list
}

func checkDequantizeZeroPoint(c *checker, k *kernels.Set) {
	r := newMapRig[float32, int8](c)
	run := func(in []int8, so, do int, ci caseInfo, s float32, z int32) {
		ci.par, ci.scale, ci.izero = scaleIntZero, s, z
		r.check(func(d []float32, x []int8) { k.DequantizeZeroPoint(d, x, s, z) },
			func(d []float32, x []int8) { fallback.DequantizeZeroPoint(d, x, s, z) }, in, so, do, ci)
	}
	pools := i8Pools()
	sweepPools(c, pools, slots[int8](), slots[float32](), func(in []int8, so, do, salt int, ci caseInfo) {
		run(in, so, do, ci, dequantScales[salt/len(pools)%len(dequantScales)], dequantZeros[salt/5%len(dequantZeros)])
	})
	seq := poolNamed(pools, "sequence")
	everyValue(c, func(n, rot int) {
		in := seq.data[rot : rot+n]
		run(in, (rot+n)%slots[int8](), (rot*3+n)%slots[float32](), seq.info(rot),
			dequantScales[(rot+n)%len(dequantScales)], dequantZeros[(rot*7+n)%len(dequantZeros)])
	})
	for i, s := range dequantScales {
		for j, z := range dequantZeros {
			run(seq.data[:256], (i+j)%slots[int8](), (i*3+j)%slots[float32](), seq.info(0), s, z)
		}
	}

	// zero = 0 is absmax dequantization, float32(q) / scale, which has no
	// kernel of its own (package quant calls this one with zero 0): the
	// random sweep, every int8 value at every position and the full range
	// again with zero 0 on every scale, so a kernel wrong only there shows.
	sweepPools(c, pools, slots[int8](), slots[float32](), func(in []int8, so, do, salt int, ci caseInfo) {
		run(in, so, do, ci, dequantScales[salt/len(pools)%len(dequantScales)], 0)
	})
	everyValue(c, func(n, rot int) {
		in := seq.data[rot : rot+n] // in[i] = int8(rot+i)
		run(in, (rot+n)%slots[int8](), (rot*3+n)%slots[float32](), seq.info(rot), dequantScales[(rot+n)%len(dequantScales)], 0)
	})
	for i, s := range dequantScales {
		run(seq.data[:256], i%slots[int8](), i%slots[float32](), seq.info(0), s, 0)
		run(seq.data[200:237], (i+1)%slots[int8](), (i+3)%slots[float32](), seq.info(200), s, 0)
	}
}

// everyValue calls run so that each of the 256 int8 values lands at every
// index of vectors of every length up to maxEvery, and of a few longer
// ones: run(n, rot) uses the values rot, rot+1, ... (mod 256).
func everyValue(c *checker, run func(n, rot int)) {
	lens := []int{256, 257, maxLen}
	for n := 1; n <= maxEvery; n++ {
		lens = append(lens, n)
	}
	for _, n := range lens {
		for rot := range 256 {
			if c.done() {
				return
			}
			run(n, rot)
		}
	}
}
