package gptq

import (
	"math"
	"testing"
)

// referenceGPTQ is GPTQ as the paper states it, in float64, column by
// column with no blocks and no lazy updates: the fast path must match it
// up to the rounding of its float32 arithmetic. Only the rounding to the
// grid (and the parameters) use the grid's float32 rules. It returns the
// dequantized weights, row-major.
func referenceGPTQ(t *testing.T, f fixture, opt Options) []float32 {
	t.Helper()
	rows, n := f.rows, f.columns
	l, err := newLayer(rows, n, opt)
	if err != nil {
		t.Fatal(err)
	}
	gs := l.GroupSize
	w := make([]float64, rows*n)
	for i, v := range f.w {
		w[i] = float64(v)
	}
	h := make([]float64, n*n)
	for i, v := range f.h {
		h[i] = float64(v)
	}
	for i := range n {
		if h[i*n+i] == 0 {
			h[i*n+i] = 1
			for r := range rows {
				w[r*n+i] = 0
			}
		}
	}
	order := columnOrder(n, opt.ActOrder, func(i int) float32 { return float32(h[i*n+i]) })
	damp := opt.Damp
	if damp == 0 {
		damp = 0.01
	}
	var mean float64
	for i := range n {
		mean += h[i*n+i]
	}
	for i := range n {
		h[i*n+i] += damp * mean / float64(n)
	}
	// Permuted H, its inverse, and the upper Cholesky factor of that.
	hp := make([]float64, n*n)
	for i, pi := range order {
		for j, pj := range order {
			hp[i*n+j] = h[pi*n+pj]
		}
	}
	u := upperCholesky(invertSPD(hp, n), n)

	r := rounder{opt.Grid}
	block := make([]byte, 34) // the largest GGUF block, Q8_0
	x := make([]float32, gs)
	out := make([]float32, rows*n)
	ps := make([]params, rows*(n/gs))
	group := func(row, g int) {
		for t := range gs {
			x[t] = float32(w[row*n+g*gs+t])
		}
		p, err := r.groupParams(l, x, block, 0)
		if err != nil {
			t.Fatal(err)
		}
		ps[row*(n/gs)+g] = p
	}
	if opt.ActOrder {
		for row := range rows {
			for g := range n / gs {
				group(row, g)
			}
		}
	}
	for j, c := range order {
		for row := range rows {
			if !opt.ActOrder && c%gs == 0 {
				group(row, c/gs)
			}
			wv := w[row*n+c]
			_, back := r.round(float32(wv), ps[row*(n/gs)+c/gs])
			out[row*n+c] = back
			e := (wv - float64(back)) / u[j*n+j]
			for k := j + 1; k < n; k++ {
				w[row*n+order[k]] -= e * u[j*n+k]
			}
		}
	}
	return out
}

// invertSPD inverts a symmetric positive definite matrix through its
// Cholesky factor.
func invertSPD(a []float64, n int) []float64 {
	l := upperCholesky(a, n) // a = lᵀ·l
	// a⁻¹ = l⁻¹·l⁻ᵀ, l⁻¹ upper.
	li := make([]float64, n*n)
	for j := range n {
		li[j*n+j] = 1 / l[j*n+j]
		for i := j - 1; i >= 0; i-- {
			var s float64
			for p := i + 1; p <= j; p++ {
				s += l[i*n+p] * li[p*n+j]
			}
			li[i*n+j] = -s / l[i*n+i]
		}
	}
	inv := make([]float64, n*n)
	for i := range n {
		for j := range n {
			var s float64
			for p := max(i, j); p < n; p++ {
				s += li[i*n+p] * li[j*n+p]
			}
			inv[i*n+j] = s
		}
	}
	return inv
}

// upperCholesky returns the upper triangular u with a = uᵀ·u.
func upperCholesky(a []float64, n int) []float64 {
	u := make([]float64, n*n)
	for i := range n {
		s := a[i*n+i]
		for p := range i {
			s -= u[p*n+i] * u[p*n+i]
		}
		u[i*n+i] = math.Sqrt(s)
		for j := i + 1; j < n; j++ {
			s := a[i*n+j]
			for p := range i {
				s -= u[p*n+i] * u[p*n+j]
			}
			u[i*n+j] = s / u[i*n+i]
		}
	}
	return u
}

var fixtures = []struct {
	name                         string
	rows, columns, samples, rank int
	noise                        float64
	outliers, dead               int
}{
	{"correlated", 32, 256, 512, 12, 0.1, 4, 0},
	{"dead inputs", 24, 128, 256, 24, 0.5, 2, 5},
	{"near white", 16, 128, 1024, 128, 1, 0, 0},
}

// TestMatchesReference compares the fast path with the float64 reference
// and with rounding to nearest, on every fixture, grid and order.
func TestMatchesReference(t *testing.T) {
	if raceEnabled {
		t.Skip("sequential arithmetic; under -race only TestDeterministic's concurrency matters")
	}
	fxs := fixtures
	if testing.Short() {
		fxs = fxs[:1] // the correlated one, which carries the 0.7 target
	}
	for _, fx := range fxs {
		f := newFixture(fx.name, fx.rows, fx.columns, fx.samples, fx.rank, fx.noise, fx.outliers, fx.dead, 5)
		for _, base := range grids {
			for _, act := range []bool{false, true} {
				opt := base
				opt.ActOrder = act
				l, err := Quantize(f.w, f.rows, f.columns, f.h, opt)
				if err != nil {
					t.Fatal(err)
				}
				fast := dequant(l)
				ref := referenceGPTQ(t, f, opt)
				near := dequant(rtn(t, f, Options{Grid: opt.Grid, GroupSize: opt.GroupSize}))
				same, close := 0, 0
				for i := range fast {
					if fast[i] == ref[i] {
						same++
					}
					if math.Abs(float64(fast[i]-ref[i])) <= 1e-5*math.Abs(float64(ref[i])) {
						close++
					}
				}
				ef, er, en := f.outputError(fast), f.outputError(ref), f.outputError(near)
				t.Logf("%-11s %-15v act=%-5v: weights equal to the reference %5.1f%%, within 1e-5 %5.1f%%; error fast/ref %.4f, GPTQ/RTN %.3f",
					f.name, opt.Grid, act, 100*float64(same)/float64(len(fast)), 100*float64(close)/float64(len(fast)), ef/er, ef/en)
				if ef >= en {
					t.Errorf("%s %v act=%v: GPTQ's output error %g is not below RTN's %g", f.name, opt.Grid, act, ef, en)
				}
				if f.name == "correlated" && opt.Grid == Q4_0 && ef > 0.7*en {
					t.Errorf("correlated inputs, Q4_0: GPTQ's error is %.3f× RTN's, above the 0.7 target", ef/en)
				}
				if ef > 1.05*er || ef < 0.95*er {
					t.Errorf("%s %v act=%v: output error %g, the float64 reference's %g", f.name, opt.Grid, act, ef, er)
				}
			}
		}
	}
}
