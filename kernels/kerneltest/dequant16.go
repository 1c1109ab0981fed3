package kerneltest

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// The narrowing DequantizeZeroPoint kernels round the float32 quotient of
// DequantizeZeroPoint to binary16 or bfloat16. Their checks run the data
// of the float32 check, then quotients placed on the rounding, overflow
// and subnormal boundaries of the 16-bit formats, and scales that are
// zeros, infinities or NaNs.

// explainDequant describes the first wrong element i of a narrowing
// DequantizeZeroPoint result at scale s and zero point z.
func (f *format) explainDequant(s float32, z int32) explainer[uint16, int8] {
	return func(i int, in []int8, got, want []uint16) string {
		quo := float32(int32(in[i])-z) / s
		return fmt.Sprintf("index %d: q %d: quotient %s: got %s, want %s", i, in[i], hex(quo), f.show(got[i]), f.show(want[i]))
	}
}

// dequantOddScales are scales whose quotients are zeros, infinities or
// NaNs: NaNs of both signs with payloads that a bfloat16 rounding of the
// bits would carry into (0x...A345, 0xFFFFFFFF), and signalling ones that
// the division quiets.
var dequantOddScales = []float32{
	0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
	f32(qnan), f32(0xFFC00000), f32(0x7FC1A345), f32(0xFFFFFFFF), f32(snanMin), f32(snanMax), f32(0xFF812345),
}

// dequantTarget is a quotient float32(v)/s that lands exactly on a chosen
// float32 value.
type dequantTarget struct {
	t float32
	v int32
	s float32
}

// dequantTargets returns, for each finite value of specialF32 (binary16
// and bfloat16 rounding midpoints in every binade and one float32 ulp
// beside them, their overflow thresholds 65520 and 0x7F7F8000, their
// subnormal steps and 2^-25) and a few more, differences v and scales s
// whose quotient is exactly that value: ordinary scales where a search
// finds them, and powers of two.
var dequantTargets = sync.OnceValue(func() []dequantTarget {
	var ts []float32
	seen := map[uint32]bool{}
	add := func(x float32) {
		if !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0) && x != 0 && !seen[f32bits(x)] {
			seen[f32bits(x)] = true
			ts = append(ts, x)
		}
	}
	for _, x := range specialF32() {
		add(x)
	}
	// More binary16 edges, and bfloat16 subnormal midpoints that
	// quotients reach (v/s >= 2^-128).
	for _, x := range []float32{65504, 65536, 0x1p-24, 3 * 0x1p-25, 0x1p-14 - 0x1p-25, 1 + 0x1p-8, 1 + 3*0x1p-8, 255.5, 256.5,
		f32(0x00208000), f32(0x00218000), f32(0x00408000), f32(0x00417FFF)} {
		for _, y := range []float32{x, math.Nextafter32(x, 0), math.Nextafter32(x, float32(math.Inf(1)))} {
			add(y)
			add(-y)
		}
	}
	vs := []int32{3, 127, 255, 1000, 65535, 1<<20 + 1, 7, 1, 4095}
	var out []dequantTarget
	for _, t := range ts {
		found := 0
		for _, v := range vs {
			if found == 2 {
				break
			}
			if found == 1 {
				v = -v // the second with a negative scale
			}
			s0 := float32(float64(v) / float64(t))
			for _, s := range []float32{s0, math.Nextafter32(s0, 0), math.Nextafter32(s0, float32(math.Inf(1)))} {
				if s != 0 && !math.IsInf(float64(s), 0) && f32bits(float32(v)/s) == f32bits(t) {
					out = append(out, dequantTarget{t, v, s})
					found++
					break
				}
			}
		}
		// t = m * 2^e: v = m, s = 2^-e.
		frac, exp := math.Frexp(float64(t))
		m, e := frac*(1<<24), exp-24
		for m == math.Trunc(m/2)*2 {
			m, e = m/2, e+1
		}
		if s := float32(math.Ldexp(1, -e)); math.Abs(m) <= 1<<24 && f32bits(s)&0x7F800000 != 0 && !math.IsInf(float64(s), 0) &&
			f32bits(float32(m)/s) == f32bits(t) {
			out = append(out, dequantTarget{t, int32(m), s})
		}
	}
	return out
})

func (f *format) checkDequantizeZeroPoint(c *checker, k *kernels.Set) {
	got, ref := f.set(k).DequantizeZeroPoint, f.set(&fallback.Kernels).DequantizeZeroPoint
	r := newMapRig[uint16, int8](c)
	ss, ds := slots[int8](), slots[uint16]()
	run := func(in []int8, so, do int, ci caseInfo, s float32, z int32) {
		ci.par, ci.scale, ci.izero = scaleIntZero, s, z
		r.checkShaped(func(d []uint16, x []int8) { got(d, x, s, z) },
			func(d []uint16, x []int8) { ref(d, x, s, z) }, in, len(in), so, do, ci, f.explainDequant(s, z))
	}
	pools := i8Pools()
	seq := poolNamed(pools, "sequence") // seq.data[i] = int8(i)
	// Every q around each boundary quotient: q0 - z = v, so q0 meets
	// the boundary and its neighbours the values around it.
	for i, dt := range dequantTargets() {
		if c.done() {
			break
		}
		if testing.Short() && i%2 == 1 {
			continue
		}
		q0 := int32(i*37%256 - 128)
		run(seq.data[i:i+256], i%ss, (i*5)%ds, caseInfo{data: fmt.Sprintf("sequence, q %d on quotient %s", q0, hex(dt.t)), at: i},
			dt.s, q0-dt.v)
	}
	// Every q under each scale and zero point of the lists.
	for i, s := range slices.Concat(dequantScales, dequantOddScales) {
		for j, z := range append([]int32{0}, dequantZeros...) {
			if c.done() {
				return
			}
			run(seq.data[i+j:i+j+256], (i+j)%ss, (i*3+j)%ds, seq.info(i+j), s, z)
		}
	}
	sweepPools(c, pools, ss, ds, func(in []int8, so, do, salt int, ci caseInfo) {
		if testing.Short() && salt%3 != 0 {
			return // a third of the offsets
		}
		z := dequantZeros[salt/5%len(dequantZeros)]
		if salt%4 == 0 {
			z = 0 // absmax dequantization
		}
		run(in, so, do, ci, dequantScales[salt/len(pools)%len(dequantScales)], z)
	})
	everyValue(c, func(n, rot int) {
		z := dequantZeros[(rot*7+n)%len(dequantZeros)]
		if rot%2 == 0 {
			z = 0
		}
		run(seq.data[rot:rot+n], (rot+n)%ss, (rot*3+n)%ds, seq.info(rot), dequantScales[(rot+n)%len(dequantScales)], z)
	})
}
