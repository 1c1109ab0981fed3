package kerneltest

import (
	"math"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// gemmFunc is the type of kernels.Set.MulAddAtB.
type gemmFunc = func(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int)

// gemmSumming is a MulAddAtB that computes each element of C with sum,
// from its value c and the k pairs of factors in the order of p.
func gemmSumming(sum func(c float32, a, b []float32) float32) gemmFunc {
	return func(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int) {
		as, bs := make([]float32, k), make([]float32, k) // allocates: fine in a broken kernel
		for i := range m {
			for j := range n {
				for p := range k {
					as[p], bs[p] = at[p*lda+i], b[p*ldb+j]
				}
				c[i*ldc+j] = sum(c[i*ldc+j], as, bs)
			}
		}
	}
}

// fmaFrom adds the products of a[lo:hi] and b[lo:hi] into acc with
// fallback.FMA32, in the order of step (1 or -1 from the far end).
func fmaFrom(acc float32, a, b []float32, lo, hi, step int) float32 {
	if step > 0 {
		for p := lo; p < hi; p++ {
			acc = fallback.FMA32(a[p], b[p], acc)
		}
	} else {
		for p := hi - 1; p >= lo; p-- {
			acc = fallback.FMA32(a[p], b[p], acc)
		}
	}
	return acc
}

func patchGemm(f gemmFunc) func(k *kernels.Set) {
	return func(k *kernels.Set) { k.MulAddAtB = f }
}

var brokenGemm = []broken{
	{kernel: "MulAddAtB", what: "multiplies, rounds, then adds", patch: patchGemm(gemmSumming(func(c float32, a, b []float32) float32 {
		for p := range a {
			c += float32(a[p] * b[p]) // the conversion keeps Go from fusing
		}
		return c
	}))},
	{kernel: "MulAddAtB", what: "runs k in reverse order", patch: patchGemm(gemmSumming(func(c float32, a, b []float32) float32 {
		return fmaFrom(c, a, b, 0, len(a), -1)
	}))},
	{kernel: "MulAddAtB", what: "splits k into two accumulators added at the end", patch: patchGemm(gemmSumming(func(c float32, a, b []float32) float32 {
		h := len(a) / 2
		return fmaFrom(c, a, b, 0, h, 1) + fmaFrom(0, a, b, h, len(a), 1)
	}))},
	{kernel: "MulAddAtB", what: "sums the products from +0 and adds C last", patch: patchGemm(gemmSumming(func(c float32, a, b []float32) float32 {
		return fmaFrom(0, a, b, 0, len(a), 1) + c
	}))},
	{kernel: "MulAddAtB", what: "skips the last row of C when m is odd", patch: patchGemm(
		func(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int) {
			fallback.MulAddAtB(c, ldc, at, lda, b, ldb, m-m%2, n, k)
		})},
	{kernel: "MulAddAtB", what: "writes one element past n into the gap after each row", patch: patchGemm(
		func(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int) {
			fallback.MulAddAtB(c, ldc, at, lda, b, ldb, m, n, k)
			for i := range m {
				if n > 0 {
					*past(c, i*ldc+n) = c[i*ldc+n-1]
				}
			}
		})},
	{kernel: "MulAddAtB", what: "reads A with stride m (ignores lda)", patch: patchGemm(
		func(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int) {
			fallback.MulAddAtB(c, ldc, at, m, b, ldb, m, n, k)
		})},
	{kernel: "MulAddAtB", what: "assumes ldc == n", patch: patchGemm(
		func(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int) {
			fallback.MulAddAtB(c, n, at, lda, b, ldb, m, n, k)
		})},
	{kernel: "MulAddAtB", what: "flushes subnormal results to zero", patch: patchGemm(
		func(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int) {
			fallback.MulAddAtB(c, ldc, at, lda, b, ldb, m, n, k)
			for i := range m {
				for j := range n {
					if x := c[i*ldc+j]; x != 0 && math.Abs(float64(x)) < 0x1p-126 {
						c[i*ldc+j] = float32(math.Copysign(0, float64(x)))
					}
				}
			}
		})},
	{kernel: "MulAddAtB", what: "saturates overflow at the largest finite value", patch: patchGemm(
		func(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int) {
			fallback.MulAddAtB(c, ldc, at, lda, b, ldb, m, n, k)
			for i := range m {
				for j := range n {
					if x := c[i*ldc+j]; math.IsInf(float64(x), 0) {
						c[i*ldc+j] = float32(math.Copysign(math.MaxFloat32, float64(x)))
					}
				}
			}
		})},
	{kernel: "MulAddAtB", what: "reads one element past the end of B", guard: true, patch: patchGemm(
		func(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int) {
			fallback.MulAddAtB(c, ldc, at, lda, b, ldb, m, n, k)
			sink += *past(b, len(b))
		})},
	{kernel: "MulAddAtB", what: "allocates", allocs: true, patch: patchGemm(
		func(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int) {
			sinkSlice = append([]float32(nil), c...)
			fallback.MulAddAtB(c, ldc, at, lda, b, ldb, m, n, k)
		})},
}
