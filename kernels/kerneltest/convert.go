package kerneltest

import (
	"sync"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// maxEvery is the largest length at which special values are put at every
// index: past a few vectors, positions repeat modulo the vector width.
const maxEvery = 70

func checkFloat32ToFloat16(c *checker, k *kernels.Set) {
	checkNarrow(c, k.Float32ToFloat16, fallback.Float32ToFloat16)
}

func checkFloat32ToBFloat16(c *checker, k *kernels.Set) {
	checkNarrow(c, k.Float32ToBFloat16, fallback.Float32ToBFloat16)
}

func checkFloat16ToFloat32(c *checker, k *kernels.Set) {
	checkWiden(c, k.Float16ToFloat32, fallback.Float16ToFloat32)
}

func checkBFloat16ToFloat32(c *checker, k *kernels.Set) {
	checkWiden(c, k.BFloat16ToFloat32, fallback.BFloat16ToFloat32)
}

// checkNarrow tests a float32 to 16-bit conversion.
func checkNarrow(c *checker, got, ref func([]uint16, []float32)) {
	r := newMapRig[uint16, float32](c)
	sweepPools(c, f32Pools(), slots[float32](), slots[uint16](), func(in []float32, so, do, _ int, ci caseInfo) {
		r.check(got, ref, in, so, do, ci)
	})
	everyPosition(c, r, got, ref, specialF32(), "specials")
	// Every binary16 and every bfloat16 value, widened, in one call each:
	// with the reference's round trips (CheckReference) and checkWiden,
	// this makes every set's round trip 16 -> 32 -> 16 the reference's.
	for i, all := range widened16() {
		name := []string{"all-float16-widened", "all-bfloat16-widened"}[i]
		r.check(got, ref, all, i, slots[uint16]()-1-i, caseInfo{data: name})
	}
}

// widened16 holds the float32 values of all 2^16 binary16 patterns and of
// all 2^16 bfloat16 patterns, in pattern order.
var widened16 = sync.OnceValue(func() [2][]float32 {
	var out [2][]float32
	for f, widen := range []func(uint16) float32{fallback.FromFloat16, fallback.FromBFloat16} {
		out[f] = make([]float32, 1<<16)
		for i := range out[f] {
			out[f][i] = widen(uint16(i))
		}
	}
	return out
})

// checkWiden tests a 16-bit to float32 conversion.
func checkWiden(c *checker, got, ref func([]float32, []uint16)) {
	r := newMapRig[float32, uint16](c)
	sweepPools(c, u16Pools(), slots[uint16](), slots[float32](), func(in []uint16, so, do, _ int, ci caseInfo) {
		r.check(got, ref, in, so, do, ci)
	})
	everyPosition(c, r, got, ref, special16, "specials")
	// Every 16-bit pattern in one call, at two placements.
	all := make([]uint16, 1<<16)
	for i := range all {
		all[i] = uint16(i)
	}
	r.check(got, ref, all, 0, 0, caseInfo{data: "all-16-bit"})
	r.check(got, ref, all, slots[uint16]()-1, 1, caseInfo{data: "all-16-bit"})
}

// everyPosition puts each value of list at every index of vectors of every
// length up to maxEvery: windows of the list, repeated, starting at each
// of its elements. The whole list also goes through in one call.
func everyPosition[D, S elem](c *checker, r *mapRig[D, S], got, ref func([]D, []S), list []S, name string) {
	ring := cycle(list, len(list)+maxEvery)
	ss, ds := slots[S](), slots[D]()
	for n := 1; n <= maxEvery && !c.done(); n++ {
		for rot := range list {
			r.check(got, ref, ring[rot:rot+n], (rot+n)%ss, (3*rot+n)%ds, caseInfo{data: name, at: rot})
		}
	}
	for off := range ss {
		r.check(got, ref, list, off, (off*5)%ds, caseInfo{data: name})
	}
}
