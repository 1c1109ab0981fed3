package fallback

import "math"

// FMA32 returns a*b + c rounded once to float32: IEEE 754
// fusedMultiplyAdd in binary32, what VFMADD231PS and FMLA compute. Go has
// no float32 FMA, and float32(math.FMA(...)) rounds twice, so FMA32 works
// in float64: the product of two float32s is exact there (48 significant
// bits), and the sum is rounded to odd (round toward zero, then set the
// last bit if anything was lost). A value rounded to odd with 53 bits
// rounds to float32 (24 bits) exactly as the exact sum would, since
// 53 >= 2*24 + 2 (Boldo and Melquiond, "Emulation of FMA and correctly
// rounded sums: proved algorithms using rounding to odd", 2008).
func FMA32(a, b, c float32) float32 {
	p := float64(a) * float64(b)
	cc := float64(c)
	s := p + cc
	if math.IsInf(s, 0) || s != s {
		return float32(s) // an Inf or NaN input: nothing to round
	}
	// TwoSum (Knuth): s + e == p + cc exactly.
	bb := s - p
	e := (p - (s - bb)) + (cc - bb)
	if bits := math.Float64bits(s); e != 0 && bits&1 == 0 {
		// s is even and inexact: step to the odd neighbour on e's side.
		// (s is not 0: a sum that rounds to 0 is exact.)
		if (e > 0) == (s > 0) {
			bits++
		} else {
			bits--
		}
		s = math.Float64frombits(bits)
	}
	return float32(s)
}

// MulAddAtB adds Aᵀ·B to C with one FMA32 per product, for each element
// of C in the order p = 0, 1, ..., k-1:
//
//	c[i*ldc+j] = FMA32(at[p*lda+i], b[p*ldb+j], c[i*ldc+j])
//
// A is at (k rows of m), B is b (k rows of n), C is c (m rows of n), all
// row-major with the strides given.
func MulAddAtB(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int) {
	if n == 0 || k == 0 {
		return // nothing is named: c may even be empty
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		for p := range k {
			a := at[p*lda+i]
			bp := b[p*ldb : p*ldb+n]
			for j := range row {
				row[j] = FMA32(a, bp[j], row[j])
			}
		}
	}
}
