package kerneltest

import (
	"fmt"
	"math"
	"testing"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// The MulAddAtB check: C += Aᵀ·B, compared with fallback.MulAddAtB bit
// for bit. Every m and n up to gemmMaxEvery meets one k of gemmSmallK
// (every k meets every tail of a tile up to 6 rows by 16 columns many
// times), then a few large shapes run past the blocking of the assembly
// kernels (more than 144 rows, 128 steps of k). Each shape runs with
// tight strides and with gaps between the rows, every matrix at its own
// start within a 64-byte line: the gaps and the guards around C must stay
// as they were, and A and B, gaps and guards included, untouched.

// gemmShape is the sizes of one call.
type gemmShape struct{ m, n, k int }

const gemmMaxEvery = 40

// gemmSmallK are the k the small shapes take, in turn: 0 (C untouched),
// every unrolled-loop remainder, and a few long sums.
var gemmSmallK = []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 33, 64, 70}

// gemmLarge are the large shapes: several row blocks and steps of k (a
// last step of 1 at k = 129), many 16-column panels, every tail; -short
// leaves out the last. Under QUANT_SWEEP=sparse (emulators, where the
// reference and the emulated kernel each cost ~100-300 ns a product)
// smaller ones stand in and the small shapes take k up to gemmSparseMaxK.
var (
	gemmLarge       = []gemmShape{{257, 257, 129}, {150, 50, 300}, {13, 21, 300}, {300, 1000, 40}}
	gemmLargeSparse = []gemmShape{{257, 50, 17}, {145, 17, 257}, {13, 21, 300}}
)

const gemmSparseMaxK = 13

// gemmKind is a distribution of A, B and C.
type gemmKind int

const (
	// gemmNormal: every value from N(0, 1): sums in any other order, and
	// most products rounded before their sum, give other bits.
	gemmNormal gemmKind = iota
	// gemmTies: 14-bit integers (a quarter of them halved) for A and B,
	// integers in 2^24..2^26 for C: the sums are integers (or halves)
	// where float32 steps by 2 to 8, so many sit on rounding midpoints,
	// where the order decides, and many products need more than 24 bits,
	// so that rounding them first changes the sum.
	gemmTies
	// gemmCancel: C is -a·b of step 0, rounded (and nudged by an ulp):
	// the FMA leaves a·b's rounding error, a multiply then an add 0 or
	// an ulp.
	gemmCancel
	// gemmSubnormal: products and sums below 2^-126.
	gemmSubnormal
	// gemmZeros: mostly ±0, so that whole sums are zeros whose sign
	// depends on every term (-0 only if C and all products are -0).
	gemmZeros
	// gemmOverflow: products and sums past the largest float32, to ±Inf,
	// with one sign for all the terms of an element (never Inf - Inf).
	gemmOverflow
	gemmKinds
)

func (g gemmKind) String() string {
	return [...]string{"normal", "ties", "cancel", "subnormal", "zeros", "overflow"}[g]
}

// gemmData returns A (k rows of m), B (k rows of n) and C (m rows of n),
// tight, of kind g, from seed.
func gemmData(g gemmKind, seed uint64, s gemmShape) (at, b, c []float32) {
	r := newRand(seed)
	m, n, k := s.m, s.n, s.k
	at, b, c = make([]float32, k*m), make([]float32, k*n), make([]float32, m*n)
	normal := func() float32 { return float32(r.NormFloat64()) }
	fill := func(x []float32, f func() float32) {
		for i := range x {
			x[i] = f()
		}
	}
	switch g {
	case gemmNormal:
		fill(at, normal)
		fill(b, normal)
		fill(c, normal)
	case gemmTies:
		mid := func() float32 {
			v := float32(r.IntN(1<<14+1) - 1<<13)
			if r.IntN(4) == 0 {
				v /= 2
			}
			return v
		}
		fill(at, mid)
		fill(b, mid)
		fill(c, func() float32 { return float32((1<<24 + r.IntN(3<<24)) * (1 - 2*r.IntN(2))) })
	case gemmCancel:
		fill(at, normal)
		fill(b, normal)
		for i := range m {
			for j := range n {
				if k == 0 {
					c[i*n+j] = normal()
					continue
				}
				v := -(at[i] * b[j])
				c[i*n+j] = f32(f32bits(v) + uint32(r.IntN(3)) - 1)
				if x := c[i*n+j]; x != x { // stepped from ±0 across the sign
					c[i*n+j] = v
				}
			}
		}
	case gemmSubnormal:
		fill(at, func() float32 { return normal() * 0x1p-64 })
		fill(b, func() float32 { return normal() * 0x1p-63 })
		fill(c, func() float32 { return normal() * 0x1p-128 })
	case gemmZeros:
		vals := []float32{0, float32(math.Copysign(0, -1)), 0, float32(math.Copysign(0, -1)), 1, -1, 0.5, -3}
		pick := func() float32 {
			if r.IntN(10) < 7 {
				return vals[r.IntN(4)]
			}
			return vals[4+r.IntN(4)]
		}
		fill(at, pick)
		fill(b, pick)
		fill(c, pick)
	case gemmOverflow:
		// Row i of C has sign si, column j sign sj: every a of row i has
		// si, every b of column j has sj and c has si*sj.
		sign := func() float32 { return float32(1 - 2*r.IntN(2)) }
		big := func(lo, hi int) float32 { return float32(math.Ldexp(1+r.Float64(), lo+r.IntN(hi-lo))) }
		si, sj := make([]float32, m), make([]float32, n)
		fill(si, sign)
		fill(sj, sign)
		for p := range k {
			for i := range m {
				at[p*m+i] = si[i] * big(30, 80)
			}
			for j := range n {
				b[p*n+j] = sj[j] * big(30, 80)
			}
		}
		for i := range m {
			for j := range n {
				c[i*n+j] = si[i] * sj[j] * big(100, 127)
			}
		}
	}
	return at, b, c
}

// gemmLayout places a shape in memory: strides and the start of each
// matrix within a 64-byte line.
type gemmLayout struct {
	lda, ldb, ldc    int
	offA, offB, offC int
}

// gemmLayouts returns the tight layout and one with gaps between rows,
// each with starts derived from salt.
func gemmLayouts(s gemmShape, salt int) []gemmLayout {
	sl := slots[float32]()
	off := func(i int) int { return (salt*(3+2*i) + i*5) % sl }
	gap := func(i int) int { return 1 + (salt+7*i)%17 }
	return []gemmLayout{
		{s.m, s.n, s.n, off(0), off(1), off(2)},
		{s.m + gap(0), s.n + gap(1), s.n + gap(2), off(3), off(4), off(5)},
	}
}

// gemmLen is the length of a slice of rows rows of cols elements at
// stride ld: up to the last element named (none if rows or cols is 0).
func gemmLen(rows, cols, ld int) int {
	if rows == 0 || cols == 0 {
		return 0
	}
	return (rows-1)*ld + cols
}

// gemmGap is the value the gaps between rows hold: finite, and unlike
// anything a kernel would write there.
func gemmGap(i int) float32 { return f32(0x3F800000 | uint32(i)*0x9E3779B1>>9) }

// gemmRig holds the arenas of the three matrices and scratch.
type gemmRig struct {
	c          *checker
	a, b, cm   *arena[float32]
	inA, inB   []float32 // the windows of A and B as placed
	wantWindow []float32 // C's window as it must end up
}

func newGemmRig(c *checker, shapes []gemmShape) *gemmRig {
	var na, nb, nc int
	for _, s := range shapes {
		na = max(na, s.k*(s.m+17))
		nb = max(nb, s.k*(s.n+17))
		nc = max(nc, s.m*(s.n+17))
	}
	return &gemmRig{c: c, a: newArena[float32](na), b: newArena[float32](nb), cm: newArena[float32](nc)}
}

// fillRows copies x, rows of cols, into w at stride ld and sets the gaps
// between the rows.
func fillRows(w, x []float32, cols, ld int) {
	for i := range w {
		if i%ld < cols {
			w[i] = x[i/ld*cols+i%ld]
		} else {
			w[i] = gemmGap(i)
		}
	}
}

// place2D copies x, rows of cols, into a window of ar at off with stride
// ld, and returns the window.
func place2D(ar *arena[float32], x []float32, rows, cols, ld, off int) []float32 {
	w := ar.window(gemmLen(rows, cols, ld), off)
	fillRows(w, x, cols, ld)
	return w
}

// run checks one shape on data of kind g from seed in each layout
// against want (the reference's C), and returns whether all was well.
func (r *gemmRig) run(f func(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int),
	s gemmShape, g gemmKind, seed uint64, at, b, c0, want []float32, layouts []gemmLayout) bool {
	m, n, k := s.m, s.n, s.k
	for _, l := range layouts {
		where := func() string {
			return fmt.Sprintf("m=%d n=%d k=%d lda=%d ldb=%d ldc=%d offsets A=%d B=%d C=%d data=%v seed=%#x",
				m, n, k, l.lda, l.ldb, l.ldc, l.offA, l.offB, l.offC, g, seed)
		}
		wa := place2D(r.a, at, k, m, l.lda, l.offA)
		wb := place2D(r.b, b, k, n, l.ldb, l.offB)
		wc := place2D(r.cm, c0, m, n, l.ldc, l.offC)
		r.inA = append(r.inA[:0], wa...)
		r.inB = append(r.inB[:0], wb...)
		r.wantWindow = append(r.wantWindow[:0], wc...)
		for i := range r.wantWindow {
			if i%l.ldc < n {
				r.wantWindow[i] = want[i/l.ldc*n+i%l.ldc]
			}
		}
		f(wc, l.ldc, wa, l.lda, wb, l.ldb, m, n, k)
		if w := firstDiff(wc, r.wantWindow); w >= 0 {
			i, j := w/l.ldc, w%l.ldc
			if j >= n {
				r.c.errorf("%s: wrote into the gap after row %d of C, column %d: %s", where(), i, j, hex(wc[w]))
			} else {
				r.c.errorf("%s: C[%d][%d]: got %s, want %s (C was %s)", where(), i, j, hex(wc[w]), hex(want[i*n+j]), hex(c0[i*n+j]))
			}
			return false
		}
		for _, x := range []struct {
			name  string
			w, in []float32
			ar    *arena[float32]
			ld    int
		}{{"A", wa, r.inA, r.a, l.lda}, {"B", wb, r.inB, r.b, l.ldb}} {
			if i := firstDiff(x.w, x.in); i >= 0 {
				r.c.errorf("%s: %s modified at row %d, column %d: was %s, now %s", where(), x.name, i/x.ld, i%x.ld, hex(x.in[i]), hex(x.w[i]))
				return false
			}
			if at, bad := x.ar.damage(); bad {
				r.c.errorf("%s: wrote outside %s: byte %d relative to its start", where(), x.name, at)
				return false
			}
		}
		if at, bad := r.cm.damage(); bad {
			r.c.errorf("%s: wrote outside C: byte %d relative to its start", where(), at)
			return false
		}
	}
	return true
}

// gemmReference returns C after fallback.MulAddAtB, tight.
func gemmReference(s gemmShape, at, b, c []float32) []float32 {
	want := append([]float32(nil), c...)
	fallback.MulAddAtB(want, s.n, at, s.m, b, s.n, s.m, s.n, s.k)
	return want
}

// checkMulAddAtB tests MulAddAtB: every m, n in 0..gemmMaxEvery (a
// quarter of the pairs under QUANT_SWEEP=sparse), each with a k of
// gemmSmallK and a data kind in turn, in both layouts (under -short or
// sparse, in one of them in turn); then the large shapes on the data
// kinds in turn (under -short in the gapped layout only).
func checkMulAddAtB(c *checker, k *kernels.Set) {
	large := gemmLarge
	switch {
	case sparse:
		large = gemmLargeSparse
	case testing.Short():
		large = gemmLarge[:len(gemmLarge)-1]
	}
	var shapes []gemmShape
	for _, kk := range gemmSmallK {
		shapes = append(shapes, gemmShape{gemmMaxEvery, gemmMaxEvery, kk})
	}
	r := newGemmRig(c, append(shapes, large...))
	salt := 0
	for m := 0; m <= gemmMaxEvery && !c.done(); m++ {
		for n := 0; n <= gemmMaxEvery && !c.done(); n++ {
			if sparse && (m+n)%4 != 0 {
				continue
			}
			h := uint32(m*41+n) * 0x9E3779B1
			s := gemmShape{m, n, gemmSmallK[h>>28%uint32(len(gemmSmallK))]}
			layouts := gemmLayouts(s, salt)
			if sparse || testing.Short() {
				layouts = layouts[salt%2 : salt%2+1]
			}
			if sparse {
				s.k = min(s.k, gemmSparseMaxK)
			}
			g := gemmKind(salt / 2 % int(gemmKinds))
			seed := 0x6E330000 + uint64(m<<8|n)
			at, b, c0 := gemmData(g, seed, s)
			r.run(k.MulAddAtB, s, g, seed, at, b, c0, gemmReference(s, at, b, c0), layouts)
			salt++
		}
	}
	for i, s := range large {
		if c.done() {
			return
		}
		g := gemmKind(i % int(gemmKinds))
		seed := 0x6E340000 + uint64(i)
		at, b, c0 := gemmData(g, seed, s)
		layouts := gemmLayouts(s, i)
		if testing.Short() {
			layouts = layouts[1:]
		}
		r.run(k.MulAddAtB, s, g, seed, at, b, c0, gemmReference(s, at, b, c0), layouts)
	}
}

// gemmCall returns a call of MulAddAtB on a small shape with gaps, for the
// allocation count.
func gemmCall(f func(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int)) func() {
	const m, n, k, gap = 13, 21, 9, 3
	na, nb := k*(m+gap), k*(n+gap)
	w, _ := poolNamed(f32Pools(), "weights").window(na+nb+m*(n+gap), 0)
	x := append([]float32(nil), w...)
	at, b, c := x[:na], x[na:na+nb], x[na+nb:]
	return func() { f(c, n+gap, at, m+gap, b, n+gap, m, n, k) }
}
