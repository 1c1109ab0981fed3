package quant

import (
	"runtime"

	"github.com/qkernels/quant/dispatch"
)

// MulAddAtB adds the matrix product Aᵀ·B to C, one float32 fused
// multiply-add at a time: for i < m and j < n,
//
//	c[i*ldc+j] = fma(at[p*lda+i], b[p*ldb+j], c[i*ldc+j])   for p = 0, 1, ..., k-1 in order
//
// where fma rounds a*b + c once (IEEE 754 fusedMultiplyAdd in binary32).
// A is given transposed, as k rows of m values (so the rows of A are its
// columns, which is how GPTQ holds its errors and a batch of inputs), B
// as k rows of n and C as m rows of n, each row-major with the stride
// given. Because the order of the operations on each element is fixed,
// the result is the same, bit for bit, on every kernel set, architecture
// and number of workers; it differs from a BLAS sgemm, which sums in an
// order of its own choosing (and may not fuse).
//
// The work is split over up to workers goroutines (runtime.GOMAXPROCS(0)
// if workers < 1) in tiles of C; small products run on the caller's
// goroutine. Inputs should be finite: a result that overflows is ±Inf,
// and a NaN that follows from it has unspecified bits. C must not overlap
// A or B. MulAddAtB panics if a dimension is negative, a stride is
// shorter than its row, or a slice is shorter than the elements it names.
func MulAddAtB(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k, workers int) {
	checkMatrix("C", len(c), ldc, m, n)
	checkMatrix("A (transposed)", len(at), lda, k, m)
	checkMatrix("B", len(b), ldb, k, n)
	if m == 0 || n == 0 || k == 0 {
		return
	}
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	mulAddAtB(c, ldc, at, lda, b, ldb, m, n, k, workers)
}

// checkMatrix panics unless a slice of length have holds rows rows of
// cols values at stride ld.
func checkMatrix(name string, have, ld, rows, cols int) {
	switch {
	case rows < 0 || cols < 0:
		panic("quant: MulAddAtB: " + name + " is " + itoa(rows) + "×" + itoa(cols))
	case ld < cols:
		panic("quant: MulAddAtB: stride " + itoa(ld) + " of " + name + " is shorter than its rows of " + itoa(cols))
	case rows > 0 && cols > 0 && have < (rows-1)*ld+cols:
		panic("quant: MulAddAtB: " + name + " holds " + itoa(have) + " values, not " + itoa(rows) + " rows of " + itoa(cols) + " at stride " + itoa(ld))
	}
}

// Tiles of C that one kernel call computes, and the depth of the
// products it takes at once: an mTile×kTile panel of A (128 KiB) stays in
// L2 while the kernel walks the columns of B, and a kTile×16 strip of B
// (16 KiB) in L1 while it walks the rows of A. Splitting k keeps the
// order of each element's operations (the kernel accumulates into C).
const (
	mTile = 128
	nTile = 1024
	kTile = 256
	// parallelFlops is the smallest product, in multiply-adds, that is
	// split over goroutines: below it, starting them costs more.
	parallelFlops = 1 << 18
)

func mulAddAtB(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k, workers int) {
	tiles := (m + mTile - 1) / mTile * ((n + nTile - 1) / nTile)
	workers = min(workers, tiles)
	if workers <= 1 || int64(m)*int64(n)*int64(k) < parallelFlops {
		for t := range tiles {
			mulAddTile(t, c, ldc, at, lda, b, ldb, m, n, k)
		}
		return
	}
	// Tiles cost the same but for the partial ones at the edges: equal
	// runs of them balance.
	split(workers, tiles, func(_, lo, hi int) {
		for t := lo; t < hi; t++ {
			mulAddTile(t, c, ldc, at, lda, b, ldb, m, n, k)
		}
	})
}

// mulAddTile computes tile t of C (tiles numbered row by row), in steps of
// kTile products.
func mulAddTile(t int, c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int) {
	kern := dispatch.Selected().MulAddAtB
	tilesN := (n + nTile - 1) / nTile
	i0, j0 := t/tilesN*mTile, t%tilesN*nTile
	mm, nn := min(mTile, m-i0), min(nTile, n-j0)
	for p0 := 0; p0 < k; p0 += kTile {
		kern(c[i0*ldc+j0:], ldc, at[p0*lda+i0:], lda, b[p0*ldb+j0:], ldb, mm, nn, min(kTile, k-p0))
	}
}
