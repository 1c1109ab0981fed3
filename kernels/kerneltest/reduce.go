package kerneltest

import (
	"fmt"
	"math"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

func checkAbsMaxBits(t tb, k *kernels.Set) {
	c := newChecker(t, k.Name+".AbsMaxBits")
	r := newReduceRig(c)
	reduceCases(c, func(in []float32, off int, ci caseInfo) {
		w := r.place(in, off)
		got := k.AbsMaxBits(w)
		want := fallback.AbsMaxBits(in)
		if got != want {
			abs := func(b uint32) func(x float32) bool {
				return func(x float32) bool { return f32bits(x)&0x7FFFFFFF == b }
			}
			c.errorf("n=%d off=%d %v: got %#08x%s, want %#08x%s", len(in), off, ci,
				got, source(in, abs(got)), want, source(in, abs(want)))
			return
		}
		r.intact(w, in, off, ci)
	})
}

func checkMinMaxKeys(t tb, k *kernels.Set) {
	c := newChecker(t, k.Name+".MinMaxKeys")
	r := newReduceRig(c)
	reduceCases(c, func(in []float32, off int, ci caseInfo) {
		w := r.place(in, off)
		lo, hi := k.MinMaxKeys(w)
		wlo, whi := fallback.MinMaxKeys(in)
		if lo != wlo || hi != whi {
			key := func(k int32) func(x float32) bool {
				return func(x float32) bool { return kernels.OrderKey(f32bits(x)) == k }
			}
			c.errorf("n=%d off=%d %v: got min key %#08x%s max key %#08x%s, want min %#08x%s max %#08x%s",
				len(in), off, ci, uint32(lo), source(in, key(lo)), uint32(hi), source(in, key(hi)),
				uint32(wlo), source(in, key(wlo)), uint32(whi), source(in, key(whi)))
			return
		}
		r.intact(w, in, off, ci)
	})
}

// source names the first element of in that gives a reduction result.
func source(in []float32, is func(float32) bool) string {
	for i, x := range in {
		if is(x) {
			return fmt.Sprintf(" (from index %d: input %#08x)", i, f32bits(x))
		}
	}
	return " (from no element)"
}

// reduceSpecials are put alone at every position of a background vector:
// a SIMD min or max that depends on lane order, or a NaN lost in one lane
// or in the tail, shows there.
var reduceSpecials = []uint32{
	0, 0x80000000, minSub, 0x80000000 | minSub, maxF32, 0x80000000 | maxF32,
	posInf, 0x80000000 | posInf, qnan, 0x80000000 | qnan, snanMin, 0x80000000 | snanMin,
	nanMax, 0xFFFFFFFF, 0x7FC00001, 0x7149F2CA /*1e30*/, 0xF149F2CA, 0x40200000 /*2.5*/, 0xC0200000,
}

// reducePairs are put at index i and n-1-i together.
var reducePairs = [][2]uint32{
	{qnan, nanMax}, {0xFFC00000, qnan}, {0xFFFFFFFF, snanMin}, {0x80000000 | posInf, posInf},
	{0x80000000, 0}, {0x80000000 | maxF32, maxF32}, {0x80000000 | minSub, minSub},
}

// reduceCases runs one on every length, position and pool, then on the
// special values at every position of several backgrounds.
func reduceCases(c *checker, one func(in []float32, off int, ci caseInfo)) {
	pools := f32Pools()
	ss := slots[float32]()
	sweep(c, ss, 1, func(n, so, _, salt int) {
		p := pools[salt%len(pools)]
		in, at := p.window(n, salt)
		one(in, so, p.info(at))
	})
	named := func(name string) *pool[float32] { return poolNamed(pools, name) }
	backgrounds := []*pool[float32]{named("weights"), named("one-binade"), named("zeros"), named("ascending"), named("abs-weights")}
	buf := make([]float32, maxEvery)
	for bi, bg := range backgrounds {
		for si, s := range reduceSpecials {
			for n := 1; n <= maxEvery && !c.done(); n++ {
				base, at := bg.window(n, (bi*100+si)*100+n)
				copy(buf, base)
				for pos := range n {
					buf[pos] = f32(s)
					ci := bg.info(at)
					ci.nput, ci.put[0], ci.pos[0] = 1, s, pos
					one(buf[:n], (pos+n)%ss, ci)
					buf[pos] = base[pos]
				}
			}
		}
	}
	for pi, pair := range reducePairs {
		bg := backgrounds[0]
		if pair[0] == 0x80000000 { // zeros decide the minimum only without negative values
			bg = named("abs-weights")
		}
		for n := 1; n <= maxEvery && !c.done(); n++ {
			base, at := bg.window(n, pi*1000+n)
			for pos := range n {
				copy(buf, base)
				buf[n-1-pos] = f32(pair[1])
				buf[pos] = f32(pair[0])
				ci := bg.info(at)
				ci.nput, ci.put, ci.pos = 2, pair, [2]int{pos, n - 1 - pos}
				one(buf[:n], (pos*3+n)%ss, ci)
			}
		}
	}
	// A NaN last, after a long finite run: the tail of a long vector.
	for _, n := range largeLens {
		in := make([]float32, n)
		copy(in, named("weights").data)
		in[n-1] = f32(0xFFC00000)
		one(in, 3, caseInfo{data: "weights with -NaN last"})
		in[n-1] = float32(math.Inf(1))
		one(in, 5, caseInfo{data: "weights with +Inf last"})
	}
}
