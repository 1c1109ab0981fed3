package kerneltest

import (
	"fmt"
	"math"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// errorResult is what ErrorSums returns.
type errorResult struct{ sse, ss, maxAbs float64 }

func (r errorResult) String() string {
	return fmt.Sprintf("sse %v (%#x) ss %v (%#x) max|e| %v (%#x)",
		r.sse, math.Float64bits(r.sse), r.ss, math.Float64bits(r.ss), r.maxAbs, math.Float64bits(r.maxAbs))
}

func (r errorResult) same(o errorResult) bool {
	return math.Float64bits(r.sse) == math.Float64bits(o.sse) && math.Float64bits(r.ss) == math.Float64bits(o.ss) &&
		math.Float64bits(r.maxAbs) == math.Float64bits(o.maxAbs)
}

// checkErrorSums tests ErrorSums on pairs of finite inputs, each of
// every length and at every position: a value and a reconstruction of it
// (x rounded to a coarse grid), two unrelated windows, and the boundary
// values against each other; its results must be the reference's, bit
// for bit. With a NaN or an infinity in either input, sse or ss must not
// be finite.
func checkErrorSums(c *checker, k *kernels.Set) {
	rx, ry := newReduceRig[float32](c), newReduceRig[float32](c)
	call := func(x, y []float32, xo, yo int, ci caseInfo) {
		wx, wy := rx.place(x, xo), ry.place(y, yo)
		var g, want errorResult
		g.sse, g.ss, g.maxAbs = k.ErrorSums(wx, wy)
		want.sse, want.ss, want.maxAbs = fallback.ErrorSums(x, y)
		finite := isFiniteAll(x) && isFiniteAll(y)
		switch {
		case finite && !g.same(want):
			c.errorf("n=%d xOff=%d yOff=%d %v: got %v, want %v", len(x), xo, yo, ci, g, want)
			return
		case !finite && !math.IsNaN(g.sse) && !math.IsInf(g.sse, 0) && !math.IsNaN(g.ss) && !math.IsInf(g.ss, 0):
			c.errorf("n=%d xOff=%d yOff=%d %v: non-finite input, finite sums: %v", len(x), xo, yo, ci, g)
			return
		}
		rx.intact(wx, x, xo, ci)
		ry.intact(wy, y, yo, ci)
	}
	pools := finitePools()
	s := slots[float32]()
	sweep(c, s, s, func(n, xo, yo, salt int) {
		p := pools[salt%len(pools)]
		x, at := p.window(n, salt)
		ci := p.info(at)
		var y []float32
		if salt%2 == 0 {
			ci.how = "reconstruction"
			y = coarse(x, []float32{1, 1.0 / 3, 1e-3, 1e30}[salt/2%4])
		} else {
			ci.how = "unrelated"
			y, _ = pools[(salt/2)%len(pools)].window(n, salt*7)
		}
		call(x, y, xo, yo, ci)
	})
	ring := cycle(quantBounds, len(quantBounds)+maxEvery)
	for n := 1; n <= maxEvery && !c.done(); n++ {
		for rot := range quantBounds {
			x := ring[rot : rot+n]
			y := ring[(rot*7+3)%len(quantBounds):][:n]
			call(x, y, (rot+n)%s, (rot*3)%s, caseInfo{data: "bounds", at: rot})
		}
	}
	// A NaN or an infinity in either input, at every index of a few lengths.
	for _, n := range []int{1, 7, 8, 16, 17, 33, 100} {
		x, _ := poolNamed(pools, "weights").window(n, n)
		for i := range n {
			for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
				bx := append([]float32(nil), x...)
				bx[i] = bad
				call(bx, x, i%s, 0, caseInfo{data: "non-finite x", at: i})
				call(x, bx, 0, i%s, caseInfo{data: "non-finite y", at: i})
			}
		}
	}
}

// coarse returns x rounded to multiples of 1/scale, a stand-in for a
// quantized reconstruction.
func coarse(x []float32, scale float32) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(math.RoundToEven(float64(v*scale))) / scale
		if math.IsNaN(float64(y[i])) || math.IsInf(float64(y[i]), 0) {
			y[i] = v
		}
	}
	return y
}

func isFiniteAll(s []float32) bool {
	for _, v := range s {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return false
		}
	}
	return true
}
