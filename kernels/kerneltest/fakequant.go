package kerneltest

import (
	"fmt"
	"math"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// fakeGrids are the grids FakeQuantize is checked on: absmax's, zero
// point's, and two 4-bit ones (signed, and unsigned with a zero point).
var fakeGrids = [][2]int32{{-127, 127}, {-128, 127}, {-8, 7}, {0, 15}}

// fakeScales are quantScales without 0, which the callers never pass
// (an infinite input would make a NaN), and the ends of the range
// 2^-64 <= scale <= 2^64 where a kernel may multiply by the reciprocal
// instead of dividing (see exhaustDequantDomain), with their neighbours
// outside it.
var fakeScales = append(quantScales[:len(quantScales)-1:len(quantScales)-1],
	0x1p-64, 0x1p64, math.Nextafter32(0x1p-64, 0), math.Nextafter32(0x1p64, float32(math.Inf(1))),
	math.Nextafter32(2, 0), 0.1)

// fakeSpecials are the quantizers' boundary values with the infinities,
// which FakeQuantize takes to the ends of the grid.
var fakeSpecials = append(append([]float32(nil), quantBounds...), float32(math.Inf(1)), float32(math.Inf(-1)))

// checkFakeQuantize tests FakeQuantize as the quantizer checks test
// theirs: random data of every length and position with the parameters
// package quant computes or arbitrary ones, on every grid; narrow ranges
// far from zero with their own parameters; rounding ties; and each
// boundary value and infinity at every index.
func checkFakeQuantize(c *checker, k *kernels.Set) {
	r := newMapRig[float32, float32](c)
	src := quantSource32()
	r.show = src.show
	run := func(in []float32, so, do int, ci caseInfo, s float32, z int32, grid [2]int32) {
		ci.par, ci.scale, ci.izero = scaleIntZero, s, z
		ci.how += fmt.Sprintf(" grid=[%d,%d]", grid[0], grid[1])
		r.check(func(d, x []float32) {
			if k.FakeQuantize(d, x, s, z, grid[0], grid[1]) {
				c.errorf("n=%d %v: reported a NaN in NaN-free input", len(x), ci)
			}
		}, func(d, x []float32) { fallback.FakeQuantize(d, x, s, z, grid[0], grid[1]) }, in, so, do, ci)
	}
	fakeCases(c, src, slots[float32](), slots[float32](), run)
	// A NaN at every index, inside the reciprocal's domain and outside.
	for _, p := range []struct {
		s float32
		z int32
	}{{37, -3}, {1e30, 1000}} {
		checkNaNReported(c, src, nans32(), func(d []float32, x []float32) bool { return k.FakeQuantize(d, x, p.s, p.z, -128, 127) })
	}
}

// fakeCases calls run with the cases of the fake quantizers (see
// checkFakeQuantize): input, offsets, case, scale, zero point and grid.
func fakeCases(c *checker, src *source[float32], ss, ds int, run func(in []float32, so, do int, ci caseInfo, s float32, z int32, grid [2]int32)) {
	pools := src.pools
	sweepPools(c, pools, ss, ds, func(in []float32, so, do, salt int, ci caseInfo) {
		s := fakeScales[salt/len(pools)%len(fakeScales)]
		z := quantZeros[salt/7%len(quantZeros)]
		grid := fakeGrids[salt/3%len(fakeGrids)]
		ci.how = "list"
		if salt%3 == 0 {
			if qs, qz, ok := src.zeroPoint(in); ok {
				s, z, grid, ci.how = qs, qz, fakeGrids[1], "quant"
			} else if qs, ok := src.absmax(in); ok {
				s, z, grid, ci.how = qs, 0, fakeGrids[0], "quant"
			}
		}
		run(in, so, do, ci, s, z, grid)
	})
	for _, p := range src.narrowFar {
		for n := 1; n <= maxLen && !c.done(); n++ {
			in, at := p.window(n, n*31)
			if s, z, ok := src.zeroPoint(in); ok {
				ci := p.info(at)
				ci.how = "quant"
				run(in, n%ss, (n*5)%ds, ci, s, z, fakeGrids[1])
			}
		}
	}
	for i, s := range tieScales {
		for j, z := range quantZeros {
			if ties := src.ties(s, z); len(ties) > 0 {
				run(ties, (i+j)%ss, (i*7+j)%ds, caseInfo{data: "ties", how: "exact"}, s, z, fakeGrids[(i+j)%len(fakeGrids)])
			}
		}
	}
	for i, z := range boundZeros {
		for j, grid := range fakeGrids {
			everyRotation(c, fakeSpecials, func(in []float32, rot int) {
				run(in, (rot+len(in))%ss, (rot*3+i+j)%ds, caseInfo{data: "bounds", at: rot}, boundScales[(i+j)%len(boundScales)], z, grid)
			})
		}
	}
}

// checkFakeQuantizeMask tests FakeQuantizeMask on checkFakeQuantize's
// cases: its values must be FakeQuantize's reference and its mask the
// reference's, the mask written in a guarded window of its own at an
// offset of its own.
func checkFakeQuantizeMask(c *checker, k *kernels.Set) {
	r := newMapRig[float32, float32](c)
	masks, want := newArena[uint8](maxRigLen), make([]uint8, maxRigLen)
	src := quantSource32()
	r.show = src.show
	ss, ds := slots[float32](), slots[float32]()
	run := func(in []float32, so, do int, ci caseInfo, s float32, z int32, grid [2]int32) {
		ci.par, ci.scale, ci.izero = scaleIntZero, s, z
		ci.how += fmt.Sprintf(" grid=[%d,%d]", grid[0], grid[1])
		n := len(in)
		var m []uint8
		ok := r.check(func(d, x []float32) {
			m = masks.window(n, (so+do)%slots[uint8]())
			complementOf(m, want[:n])
			k.FakeQuantizeMask(d, x, m, s, z, grid[0], grid[1])
		}, func(d, x []float32) {
			fallback.FakeQuantizeMask(d, x, want[:n], s, z, grid[0], grid[1])
		}, in, so, do, ci)
		if !ok {
			return
		}
		if i := firstDiff(m, want[:n]); i >= 0 {
			c.errorf("n=%d srcOff=%d %v: mask[%d] of input %s: got %d, want %d", n, so, ci, i, src.show(in[i]), m[i], want[i])
		} else if at, bad := masks.damage(); bad {
			c.errorf("n=%d srcOff=%d %v: wrote outside mask: byte %d relative to its start", n, so, ci, at)
		}
	}
	fakeCases(c, src, ss, ds, run)
}

// checkMaskGradient tests MaskGradient on gradients of every kind and
// masks of random, all-set and all-clear bytes.
func checkMaskGradient(c *checker, k *kernels.Set) {
	r := newMapRig[float32, float32](c)
	masks := newArena[uint8](maxRigLen)
	pools := f32Pools()
	rng := newRand(0x6d61736b)
	pattern := make([]uint8, maxRigLen)
	sweepPools(c, pools, slots[float32](), slots[float32](), func(in []float32, so, do, salt int, ci caseInfo) {
		n := len(in)
		for i := range pattern[:n] {
			switch salt % 3 {
			case 0:
				pattern[i] = uint8(rng.IntN(2))
			case 1:
				pattern[i] = 1
			default:
				pattern[i] = 0
			}
		}
		ci.how = []string{"random mask", "all set", "all clear"}[salt%3]
		m := masks.window(n, salt%slots[uint8]())
		copy(m, pattern[:n])
		if !r.check(func(d, g []float32) { k.MaskGradient(d, g, m) },
			func(d, g []float32) { fallback.MaskGradient(d, g, pattern[:n]) }, in, so, do, ci) {
			return
		}
		if i := firstDiff(m, pattern[:n]); i >= 0 {
			c.errorf("n=%d %v: mask modified at %d", n, ci, i)
		} else if at, bad := masks.damage(); bad {
			c.errorf("n=%d %v: mask guard damaged at byte %d", n, ci, at)
		}
	})
}
