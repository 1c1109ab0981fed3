package gptq

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/qkernels/quant"
)

// ErrNotPositiveDefinite reports a Hessian that, after damping, has no
// Cholesky factorization: more damping (Options.Damp) or more calibration
// inputs usually help.
var ErrNotPositiveDefinite = errors.New("Hessian not positive definite")

// panel is the width of the column panels of the blocked factorizations:
// the unblocked work inside a panel is O(n·panel²), the rest is
// quant.MulAddAtB.
const panel = 64

// inverseCholesky returns U, upper triangular with a positive diagonal,
// such that H⁻¹ = Uᵀ·U, for the symmetric n × n matrix h (only its upper
// triangle is read). With J the reversal of rows and columns and
// L·Lᵀ = J·H·J, U = J·L⁻¹·J: H⁻¹ = (J·L·Lᵀ·J)⁻¹ = (J·L⁻ᵀ·J)·(J·L⁻¹·J).
func inverseCholesky(h []float32, n, workers int) ([]float32, error) {
	a := make([]float32, n*n)
	for i := range n {
		for j := 0; j <= i; j++ {
			a[i*n+j] = h[(n-1-i)*n+(n-1-j)]
		}
	}
	if col, err := cholesky(a, n, workers); err != nil {
		return nil, fmt.Errorf("gptq: %w: pivot of column %d is not positive", err, n-1-col)
	}
	x := invertLower(a, n, workers)
	u := a // reuse: a is no longer needed
	clear(u)
	for i := range n {
		for j := i; j < n; j++ {
			u[i*n+j] = x[(n-1-i)*n+(n-1-j)]
		}
	}
	return u, nil
}

// cholesky overwrites the lower triangle of the n × n matrix a with L,
// a = L·Lᵀ (right-looking, by panels). It returns the column whose pivot
// was not positive, with ErrNotPositiveDefinite.
func cholesky(a []float32, n, workers int) (int, error) {
	var y [panel * panel]float32
	var col [2 * panel]float32
	var below, belowT, negT []float32
	for k0 := 0; k0 < n; k0 += panel {
		kb := min(panel, n-k0)
		// The diagonal block, column by column, each column's update of
		// the rest of the block a rank-1 product: every entry still takes
		// its multiply-adds one at a time in the order of the columns.
		for p := k0; p < k0+kb; p++ {
			d := a[p*n+p]
			if !(d > 0) || math.IsInf(float64(d), 0) {
				return p, ErrNotPositiveDefinite
			}
			lpp := float32(math.Sqrt(float64(d)))
			a[p*n+p] = lpp
			m := k0 + kb - p - 1
			for i := range m {
				v := a[(p+1+i)*n+p] / lpp
				a[(p+1+i)*n+p] = v
				col[i], col[panel+i] = -v, v
			}
			if m > 0 {
				quant.MulAddAtB(a[(p+1)*n+p+1:], n, col[:m], m, col[panel:panel+m], m, m, m, 1, 1)
			}
		}
		r0, rows := k0+kb, n-k0-kb
		if rows == 0 {
			break
		}
		// The panel below: L21 = A21·L11⁻ᵀ, as (A21ᵀ)ᵀ·(L11⁻¹)ᵀ.
		invertSmallLower(y[:], a[k0*n+k0:], n, kb)
		belowT = grow(belowT, kb*rows)
		for i := range rows {
			for p := range kb {
				belowT[p*rows+i] = a[(r0+i)*n+k0+p]
			}
		}
		yT := make([]float32, kb*kb)
		for c := range kb {
			for p := range kb {
				yT[p*kb+c] = y[c*panel+p]
			}
		}
		below = grow(below, rows*kb)
		clear(below)
		quant.MulAddAtB(below, kb, belowT, rows, yT, kb, rows, kb, kb, workers)
		for i := range rows {
			copy(a[(r0+i)*n+k0:(r0+i)*n+k0+kb], below[i*kb:(i+1)*kb])
		}
		// The trailing matrix: A22 -= L21·L21ᵀ, lower triangle only, in
		// strips of rows.
		negT = grow(negT, kb*rows)
		for i := range rows {
			for p := range kb {
				v := below[i*kb+p]
				belowT[p*rows+i], negT[p*rows+i] = v, -v
			}
		}
		parallel((rows+stripRows-1)/stripRows, workers, func(s int) {
			i0 := s * stripRows
			m := min(stripRows, rows-i0)
			quant.MulAddAtB(a[(r0+i0)*n+r0:], n, negT[i0:], rows, belowT, rows, m, i0+m, kb, 1)
		})
	}
	return 0, nil
}

// invertLower returns L⁻¹ for the lower triangle L of the n × n matrix l,
// by block rows: X_kk = L_kk⁻¹, X_k,0:k = -X_kk·(L_k,0:k·X_0:k,0:k).
func invertLower(l []float32, n, workers int) []float32 {
	x := make([]float32, n*n)
	var y [panel * panel]float32
	var lT, t, negYT []float32
	for k0 := 0; k0 < n; k0 += panel {
		kb := min(panel, n-k0)
		invertSmallLower(y[:], l[k0*n+k0:], n, kb)
		for i := range kb {
			copy(x[(k0+i)*n+k0:(k0+i)*n+k0+kb], y[i*panel:i*panel+kb])
		}
		if k0 == 0 {
			continue
		}
		// T = L_k,0:k·X_0:k,0:k (kb × k0), by column blocks of X, whose
		// rows above a block's diagonal are zero and skipped.
		lT = grow(lT, k0*kb)
		for i := range kb {
			for p := range k0 {
				lT[p*kb+i] = l[(k0+i)*n+p]
			}
		}
		t = grow(t, kb*k0)
		clear(t)
		parallel(k0/panel, workers, func(b int) {
			j0 := b * panel
			quant.MulAddAtB(t[j0:], k0, lT[j0*kb:], kb, x[j0*n+j0:], n, kb, panel, k0-j0, 1)
		})
		// X_k,0:k = (-X_kkᵀ)ᵀ·T.
		negYT = grow(negYT, kb*kb)
		for i := range kb {
			for q := range kb {
				negYT[q*kb+i] = -y[i*panel+q]
			}
		}
		parallel((k0+stripCols-1)/stripCols, workers, func(b int) {
			j0 := b * stripCols
			quant.MulAddAtB(x[k0*n+j0:], n, negYT, kb, t[j0:], k0, kb, min(stripCols, k0-j0), kb, 1)
		})
	}
	return x
}

// invertSmallLower writes the inverse of the kb × kb lower triangle of l
// (stride n) to y (stride panel): row by row, each row's part in the rows
// below a rank-1 product, so that entry (i, j) is
// -(Σ_{p=j}^{i-1} l[i][p]·y[p][j]) / l[i][i], its multiply-adds one at a
// time in the order of p.
func invertSmallLower(y []float32, l []float32, n, kb int) {
	for i := range kb {
		clear(y[i*panel : i*panel+kb])
	}
	var col [panel]float32
	for p := range kb {
		lpp := l[p*n+p]
		for j := range p {
			y[p*panel+j] = -y[p*panel+j] / lpp
		}
		y[p*panel+p] = 1 / lpp
		m := kb - p - 1
		if m == 0 {
			break
		}
		for i := range m {
			col[i] = l[(p+1+i)*n+p]
		}
		quant.MulAddAtB(y[(p+1)*panel:], panel, col[:m], m, y[p*panel:], p+1, m, p+1, 1, 1)
	}
}

// grow returns s resliced or reallocated to length n.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// stripCols is the width of the column strips that share out a product
// with few rows.
const stripCols = 256

// parallel calls f(0), ..., f(count-1) on up to workers goroutines
// (runtime.GOMAXPROCS(0) if workers < 1). The calls must be independent:
// each writes its own part of the result, which is then the same however
// they are scheduled.
func parallel(count, workers int, f func(i int)) {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, count)
	if workers <= 1 {
		for i := range count {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(workers)
	for range workers {
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < count; i = int(next.Add(1)) - 1 {
				f(i)
			}
		}()
	}
	wg.Wait()
}
