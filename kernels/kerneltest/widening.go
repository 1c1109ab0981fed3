package kerneltest

import (
	"math"
	"testing"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// The widening quantizers compute what QuantizeAbsmax and
// QuantizeZeroPoint compute on the widened values; their checks follow
// the float32 ones, on finite 16-bit data.

func checkWideningAbsmax(f *format) func(t tb, k *kernels.Set) {
	return func(t tb, k *kernels.Set) {
		c := newChecker(t, k.Name+"."+f.name+".QuantizeAbsmax")
		got, ref := f.set(k).QuantizeAbsmax, f.set(&fallback.Kernels).QuantizeAbsmax
		r := newMapRig[int8, uint16](c)
		r.show = f.show
		run := func(in []uint16, so, do int, ci caseInfo, s float32) {
			ci.par, ci.scale = scaleOnly, s
			r.check(func(d []int8, x []uint16) { got(d, x, s) },
				func(d []int8, x []uint16) { ref(d, x, s) }, in, so, do, ci)
		}
		pools := f.finitePools()
		sweep(c, slots[uint16](), slots[int8](), func(n, so, do, salt int) {
			p := pools[salt%len(pools)]
			in, at := p.window(n, salt)
			ci := p.info(at)
			s := quantScales[salt/len(pools)%len(quantScales)]
			ci.how = "list"
			if salt%3 == 0 {
				if qs, ok := f.absmaxScale(in); ok {
					s, ci.how = qs, "quant"
				}
			}
			run(in, so, do, ci, s)
		})
		for i, s := range tieScales {
			ties := f.tieData(s, 0)
			for off := range slots[uint16]() {
				run(ties, off, (off*7+i)%slots[int8](), caseInfo{data: "ties", how: "exact"}, s)
			}
		}
		f.scaledTies(c, 0x8101, 0, func(in []uint16, at int, s float32) {
			run(in, at%slots[uint16](), (at*5)%slots[int8](), caseInfo{data: "scaled-ties", at: at, how: "tie"}, s)
		})
		bounds := f.finiteSpecials()
		for i, s := range shortened(append([]float32{1, 127.0 / 65504, 1e30}, tieScales...), 3) {
			everyRotation(c, bounds, func(in []uint16, rot int) {
				n := len(in)
				run(in, (rot+n)%slots[uint16](), (rot*3+i)%slots[int8](), caseInfo{data: "bounds", at: rot}, s)
			})
		}
	}
}

func checkWideningZeroPoint(f *format) func(t tb, k *kernels.Set) {
	return func(t tb, k *kernels.Set) {
		c := newChecker(t, k.Name+"."+f.name+".QuantizeZeroPoint")
		got, ref := f.set(k).QuantizeZeroPoint, f.set(&fallback.Kernels).QuantizeZeroPoint
		r := newMapRig[int8, uint16](c)
		r.show = f.show
		run := func(in []uint16, so, do int, ci caseInfo, s, z float32) {
			ci.par, ci.scale, ci.zero = scaleFloatZero, s, z
			r.check(func(d []int8, x []uint16) { got(d, x, s, z) },
				func(d []int8, x []uint16) { ref(d, x, s, z) }, in, so, do, ci)
		}
		pools := f.finitePools()
		sweep(c, slots[uint16](), slots[int8](), func(n, so, do, salt int) {
			p := pools[salt%len(pools)]
			in, at := p.window(n, salt)
			ci := p.info(at)
			s := quantScales[salt/len(pools)%len(quantScales)]
			z := float32(quantZeros[salt/7%len(quantZeros)])
			ci.how = "list"
			if salt%3 == 0 {
				if qs, qz, ok := f.zeroPointParams(in); ok {
					s, z, ci.how = qs, float32(qz), "quant"
				}
			}
			run(in, so, do, ci, s, z)
		})
		// Data far from zero with its own parameters, where a fused
		// multiply-add differs.
		for _, name := range []string{"narrow-far", "narrow-far-negative"} {
			p := poolNamed(pools, f.short+"-"+name)
			for n := 1; n <= maxLen && !c.done(); n++ {
				in, at := p.window(n, n*31)
				s, z, ok := f.zeroPointParams(in)
				if !ok {
					continue
				}
				ci := p.info(at)
				ci.how = "quant"
				run(in, n%slots[uint16](), (n*5)%slots[int8](), ci, s, float32(z))
			}
		}
		for i, s := range tieScales {
			for j, z := range quantZeros {
				if ties := f.tieData(s, z); len(ties) > 0 {
					run(ties, (i+j)%slots[uint16](), (i*7+j)%slots[int8](), caseInfo{data: "ties", how: "exact"}, s, float32(z))
				}
			}
		}
		for i, z := range shortened([]int32{0, -1, 127, -128, 1 << 20, -(1 << 20)}, 3) {
			f.scaledTies(c, 0x8201+uint64(i), float32(z), func(in []uint16, at int, s float32) {
				run(in, at%slots[uint16](), (at*5+i)%slots[int8](), caseInfo{data: "scaled-ties", at: at, how: "tie"}, s, float32(z))
			})
		}
		bounds := f.finiteSpecials()
		for i, z := range shortened([]int32{0, -1, 128, 1 << 20, -(1<<31 - 256)}, 3) {
			everyRotation(c, bounds, func(in []uint16, rot int) {
				n := len(in)
				run(in, (rot+n)%slots[uint16](), (rot*3+i)%slots[int8](), caseInfo{data: "bounds", at: rot}, 1, float32(z))
			})
		}
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

// tieData returns the patterns whose values times s (a power of two) are
// exactly k+0.5-z for k across the int8 range and beyond, where the
// format holds them, with their neighbouring patterns.
func (f *format) tieData(s float32, z int32) []uint16 {
	var out []uint16
	for k := -140; k <= 140; k++ {
		x := (float64(k) + 0.5 - float64(z)) / float64(s)
		if float64(f.fit(float32(x))) != x {
			continue
		}
		h := f.narrow(float32(x))
		for _, n := range []uint16{h, h + 1, h - 1} {
			if f.finite(n) && n&0x7FFF != 0x7FFF {
				out = append(out, n)
			}
		}
	}
	return out
}

// scaledTiesPerCheck is how many scaled ties one check tries (a quarter
// under -short).
const scaledTiesPerCheck = 1500

// shortened returns list, or under -short its first n elements.
func shortened[T any](list []T, n int) []T {
	if testing.Short() {
		return list[:min(n, len(list))]
	}
	return list
}

// scaledTies calls run with vectors holding a value x and a scale s
// picked so that the float32 product x*s is k+0.5-z, mostly rounded onto
// it rather than exact: there rounding the product to float32 before
// rounding to an integer (or before adding z) decides the result. x sits
// among weights, at varying indices of vectors of every length up to
// maxEvery.
func (f *format) scaledTies(c *checker, seed uint64, z float32, run func(in []uint16, at int, s float32)) {
	r := newRand(seed)
	values := poolNamed(f.finitePools(), f.short+"-bits").data
	bg := poolNamed(f.finitePools(), f.short+"-weights")
	buf := make([]uint16, maxEvery)
	count := scaledTiesPerCheck
	if testing.Short() {
		count /= 4
	}
	for i := 0; i < count && !c.done(); i++ {
		k := r.IntN(261) - 130
		t := float32(float64(k) + 0.5 - float64(z))
		h := values[r.IntN(len(values))]&0x7FFF | uint16(math.Float32bits(t)>>16)&0x8000
		x := f.widen(h)
		s := float32(float64(t) / float64(x))
		for _, cand := range []float32{s, math.Nextafter32(s, 0), math.Nextafter32(s, float32(math.Inf(1)))} {
			if x*cand == t {
				s = cand
				break
			}
		}
		if x*s != t || s == 0 || math.IsInf(float64(s), 0) {
			continue
		}
		n := 1 + i%maxEvery
		base, at := bg.window(n, i)
		copy(buf, base)
		buf[(i/maxEvery)%n] = h
		run(buf[:n], at, s)
	}
}
