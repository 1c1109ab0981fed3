package benchmarks

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/qkernels/quant"
	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/gptq"
)

// The correctness of the matrix benchmarks' implementations: the OpenBLAS
// peer's sgemm against quant.MulAddAtB, and both GPTQs (OpenBLASGPTQ and
// gptq.Quantize) against gptqPort64, a float64 port of the algorithm
// written here, column by column without blocks, with its inverse
// Cholesky factor computed the reference's way (factorize, invert,
// factorize again) rather than the reversed way both implementations use.
// GPTQ's rounding decisions hang on the last bits of float32 sums, so the
// comparison is statistical: the layer's output error within a few
// percent of the port's, and most nibbles equal.

// Tolerances of the GPTQ comparisons.
const (
	gptqErrorTolerance = 0.03 // |error / port's error - 1|
	gptqNibblesEqual   = 0.90 // fraction of q equal to the port's
)

func TestOpenBLASMulAddAtB(t *testing.T) {
	if !OpenBLASEnabled {
		t.Skip("no OpenBLAS peer in this build: " + OpenBLASDescribe())
	}
	t.Log(OpenBLASDescribe())
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range []struct{ m, n, k int }{{1, 1, 1}, {3, 5, 2}, {17, 33, 9}, {130, 67, 128}, {64, 300, 129}} {
		// Strides longer than the rows, and padding that must stay as it is.
		ldc, lda, ldb := s.n+3, s.m+1, s.n+5
		fill := func(n int) []float32 {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(r.NormFloat64())
			}
			return x
		}
		c, at, b := fill(s.m*ldc), fill(s.k*lda), fill(s.k*ldb)
		got := append([]float32(nil), c...)
		OpenBLASMulAddAtB(got, ldc, at, lda, b, ldb, s.m, s.n, s.k, 2)
		ours := append([]float32(nil), c...)
		quant.MulAddAtB(ours, ldc, at, lda, b, ldb, s.m, s.n, s.k, 2)
		for i := range s.m {
			for j := range ldc {
				x := i*ldc + j
				if j >= s.n {
					if got[x] != c[x] {
						t.Fatalf("%v: padding C[%d][%d] changed", s, i, j)
					}
					continue
				}
				// Any order of k float32 operations lies within
				// k·2⁻²³ of the exact sum, relative to Σ|terms|.
				exact, mag := float64(c[x]), math.Abs(float64(c[x]))
				for p := range s.k {
					v := float64(at[p*lda+i]) * float64(b[p*ldb+j])
					exact += v
					mag += math.Abs(v)
				}
				tol := float64(s.k+1) * 0x1p-23 * mag
				if math.Abs(float64(got[x])-exact) > tol || math.Abs(float64(ours[x])-exact) > tol {
					t.Fatalf("%v: C[%d][%d] = %v (openblas), %v (quant), want %v ± %.3g", s, i, j, got[x], ours[x], exact, tol)
				}
			}
		}
	}
}

// gptqFixture is a 72×320 layer (two blocks of 128 columns and part of a
// third) and the Hessian of 1024 correlated inputs (neighbours through an
// AR(1) sequence, all through four latent factors), with input 5 dead
// (always 0) and input 200 an outlier.
type gptqFixture struct {
	rows, cols int
	w          []float32
	h          []float32 // 2/n·Σ x·xᵀ, rounded to float32
	h64        []float64 // the same in float64, for the output error
}

func newGPTQFixture() gptqFixture {
	const rows, cols, samples, rho = 72, 320, 1024, 0.8
	f := gptqFixture{rows: rows, cols: cols, w: Weights(rows*cols, 7)}
	r := rand.New(rand.NewPCG(3, 4))
	scale := make([]float64, cols)
	for i := range scale {
		scale[i] = math.Exp(0.5 * r.NormFloat64())
	}
	scale[5], scale[200] = 0, 20
	// Four latent factors shared by every input, so that errors matter
	// across blocks, not only between neighbours.
	const factors = 4
	load := make([]float64, cols*factors)
	for i := range load {
		load[i] = 0.7 * r.NormFloat64()
	}
	x, g := make([]float64, cols), make([]float64, factors)
	f.h64 = make([]float64, cols*cols)
	for range samples {
		for k := range g {
			g[k] = r.NormFloat64()
		}
		z := r.NormFloat64()
		for i := range x {
			if i > 0 {
				z = rho*z + math.Sqrt(1-rho*rho)*r.NormFloat64()
			}
			v := z
			for k, gk := range g {
				v += load[i*factors+k] * gk
			}
			x[i] = scale[i] * v
		}
		for i, xi := range x {
			for j, xj := range x {
				f.h64[i*cols+j] += 2 * xi * xj / samples
			}
		}
	}
	f.h = make([]float32, cols*cols)
	for i, v := range f.h64 {
		f.h[i] = float32(v)
	}
	return f
}

// outputError is ‖(W - Ŵ)·X‖² up to a constant factor, Σ_r δ_rᵀ·H·δ_r,
// for the weights the Q4_0 blocks stand for.
func (f gptqFixture) outputError(blocks []byte) float64 {
	wq := make([]float32, f.rows*f.cols)
	quant.DecodeQ4_0(wq, blocks)
	var sum float64
	d := make([]float64, f.cols)
	for r := range f.rows {
		for j := range d {
			d[j] = float64(f.w[r*f.cols+j]) - float64(wq[r*f.cols+j])
		}
		for i, di := range d {
			var s float64
			for j, dj := range d {
				s += f.h64[i*f.cols+j] * dj
			}
			sum += di * s
		}
	}
	return sum
}

// gptqPort64 is GPTQ to Q4_0 (groups of 32, 1% damping, columns in order)
// in float64, one column at a time, each error applied to every later
// column at once; the Q4_0 parameters and rounding are the format's
// (binary16 d from the float32 e/-8).
func gptqPort64(w []float32, rows, cols int, h32 []float32) []byte {
	n := cols
	wr := make([]float64, rows*n)
	for i, v := range w {
		wr[i] = float64(v)
	}
	h := make([]float64, n*n)
	for i, v := range h32 {
		h[i] = float64(v)
	}
	var sum float64
	for i := range n {
		if h[i*n+i] == 0 {
			h[i*n+i] = 1
			for r := range rows {
				wr[r*n+i] = 0
			}
		}
		sum += h[i*n+i]
	}
	for i := range n {
		h[i*n+i] += 0.01 * sum / float64(n)
	}
	// U: H = L·Lᵀ, H⁻¹ = L⁻ᵀ·L⁻¹ = L₂·L₂ᵀ, U = L₂ᵀ.
	l := cholesky64(h, n)
	x := invertLower64(l, n)
	hinv := make([]float64, n*n)
	for i := range n {
		for j := range n {
			var s float64
			for p := max(i, j); p < n; p++ {
				s += x[p*n+i] * x[p*n+j]
			}
			hinv[i*n+j] = s
		}
	}
	l2 := cholesky64(hinv, n)
	u := func(i, j int) float64 { return l2[j*n+i] }

	out := make([]byte, rows*n/32*quant.Q4_0Bytes)
	d, id := make([]float64, rows), make([]float64, rows)
	for j := range n {
		for r := range rows {
			row := wr[r*n : (r+1)*n]
			blk := out[(r*(n/32)+j/32)*quant.Q4_0Bytes:][:quant.Q4_0Bytes]
			if j%32 == 0 {
				e := row[j]
				for _, v := range row[j+1 : j+32] {
					if math.Abs(v) > math.Abs(e) {
						e = v
					}
				}
				dh := fallback.ToFloat16(float32(e) / -8)
				blk[0], blk[1] = byte(dh), byte(dh>>8)
				d[r], id[r] = float64(fallback.FromFloat16(dh)), 0
				if d[r] != 0 {
					id[r] = 1 / d[r]
				}
			}
			q := min(max(math.RoundToEven(row[j]*id[r])+8, 0), 15)
			if t := j % 32; t < 16 {
				blk[2+t] |= byte(q)
			} else {
				blk[2+t-16] |= byte(q) << 4
			}
			e := (row[j] - d[r]*(q-8)) / u(j, j)
			for c := j + 1; c < n; c++ {
				row[c] -= e * u(j, c)
			}
		}
	}
	return out
}

// cholesky64 returns L, lower triangular, with a = L·Lᵀ (a n×n,
// row-major, positive definite).
func cholesky64(a []float64, n int) []float64 {
	l := make([]float64, n*n)
	for j := range n {
		for i := j; i < n; i++ {
			s := a[i*n+j]
			for p := range j {
				s -= l[i*n+p] * l[j*n+p]
			}
			if i == j {
				if s <= 0 {
					panic("cholesky64: not positive definite")
				}
				l[j*n+j] = math.Sqrt(s)
			} else {
				l[i*n+j] = s / l[j*n+j]
			}
		}
	}
	return l
}

// invertLower64 returns the inverse of the lower triangular l.
func invertLower64(l []float64, n int) []float64 {
	x := make([]float64, n*n)
	for j := range n {
		x[j*n+j] = 1 / l[j*n+j]
		for i := j + 1; i < n; i++ {
			var s float64
			for p := j; p < i; p++ {
				s += l[i*n+p] * x[p*n+j]
			}
			x[i*n+j] = -s / l[i*n+i]
		}
	}
	return x
}

// compareGPTQ checks the Q4_0 blocks got against the port's, want.
func compareGPTQ(t *testing.T, name string, f gptqFixture, got, want []byte) {
	t.Helper()
	eg, ew := f.outputError(got), f.outputError(want)
	same, total := 0, 0
	for b := 0; b < len(got); b += quant.Q4_0Bytes {
		for i := 2; i < quant.Q4_0Bytes; i++ {
			g, w := got[b+i], want[b+i]
			same += b2i(g&15 == w&15) + b2i(g>>4 == w>>4)
			total += 2
		}
	}
	frac := float64(same) / float64(total)
	t.Logf("%s: output error %.6g, port %.6g (%+.2f%%); nibbles equal %.1f%%", name, eg, ew, 100*(eg/ew-1), 100*frac)
	if math.Abs(eg/ew-1) > gptqErrorTolerance {
		t.Errorf("%s: output error %.6g, the float64 port's %.6g: beyond %.0f%%", name, eg, ew, 100*gptqErrorTolerance)
	}
	if frac < gptqNibblesEqual {
		t.Errorf("%s: %.1f%% of the nibbles equal the port's, want %.0f%%", name, 100*frac, 100*gptqNibblesEqual)
	}
	// The point of GPTQ: well below rounding each weight to nearest.
	rtn := make([]byte, len(got))
	if err := quant.EncodeQ4_0(rtn, f.w); err != nil {
		t.Fatal(err)
	}
	if er := f.outputError(rtn); !(eg < 0.8*er) {
		t.Errorf("%s: output error %.6g, round to nearest's %.6g", name, eg, er)
	} else {
		t.Logf("%s: round to nearest's output error %.6g", name, er)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestOpenBLASGPTQ(t *testing.T) {
	if !OpenBLASEnabled {
		t.Skip("no OpenBLAS peer in this build: " + OpenBLASDescribe())
	}
	f := newGPTQFixture()
	want := gptqPort64(f.w, f.rows, f.cols, f.h)
	w0, h0 := append([]float32(nil), f.w...), append([]float32(nil), f.h...)
	for _, threads := range []int{1, 2, 3} {
		got := make([]byte, len(want))
		if err := OpenBLASGPTQ(got, f.w, f.rows, f.cols, f.h, threads); err != nil {
			t.Fatal(err)
		}
		compareGPTQ(t, "openblas threads="+strconv.Itoa(threads), f, got, want)
		// The dead input's weights are zero: q = 8 in every row.
		for r := range f.rows {
			blk := got[(r*(f.cols/32))*quant.Q4_0Bytes:]
			if q := blk[2+5] & 15; q != 8 {
				t.Fatalf("threads=%d: row %d, dead input 5: q = %d, want 8", threads, r, q)
			}
		}
	}
	// Only the upper triangle of h is read, as by gptq.Quantize.
	ref := make([]byte, len(want))
	if err := OpenBLASGPTQ(ref, f.w, f.rows, f.cols, f.h, 2); err != nil {
		t.Fatal(err)
	}
	upper := append([]float32(nil), f.h...)
	for i := range f.cols {
		for j := range i {
			upper[i*f.cols+j] = float32(math.NaN())
		}
	}
	got := make([]byte, len(want))
	if err := OpenBLASGPTQ(got, f.w, f.rows, f.cols, upper, 2); err != nil {
		t.Fatal(err)
	}
	if string(got) != string(ref) {
		t.Error("OpenBLASGPTQ reads the lower triangle of h")
	}
	for i := range w0 {
		if math.Float32bits(w0[i]) != math.Float32bits(f.w[i]) {
			t.Fatal("OpenBLASGPTQ modified w")
		}
	}
	for i := range h0 {
		if math.Float32bits(h0[i]) != math.Float32bits(f.h[i]) {
			t.Fatal("OpenBLASGPTQ modified h")
		}
	}
}

func TestGPTQQuantizeMatchesPort(t *testing.T) {
	f := newGPTQFixture()
	want := gptqPort64(f.w, f.rows, f.cols, f.h)
	// On one worker first, on this goroutine, so that a panic fails this
	// test rather than the package's whole binary; the result is the same
	// for every worker count, which the default count then checks.
	var l *gptq.Layer
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		l, err = gptq.Quantize(f.w, f.rows, f.cols, f.h, gptq.Options{Grid: gptq.Q4_0, GroupSize: 32, Workers: 1})
	}()
	if err != nil {
		t.Fatalf("gptq.Quantize of a %d×%d layer: %v", f.rows, f.cols, err)
	}
	lp, err := gptq.Quantize(f.w, f.rows, f.cols, f.h, gptq.Options{Grid: gptq.Q4_0, GroupSize: 32})
	if err != nil {
		t.Fatal(err)
	}
	if string(lp.Blocks) != string(l.Blocks) {
		t.Error("gptq.Quantize: other bytes on GOMAXPROCS workers than on one")
	}
	compareGPTQ(t, "gptq.Quantize", f, l.Blocks, want)
	if OpenBLASEnabled {
		peer := make([]byte, len(want))
		if err := OpenBLASGPTQ(peer, f.w, f.rows, f.cols, f.h, 2); err != nil {
			t.Fatal(err)
		}
		// The two float32 implementations against each other, to the
		// same tolerances.
		compareGPTQ(t, "openblas vs gptq.Quantize", f, peer, l.Blocks)
	}
}

func TestMatrixSide(t *testing.T) {
	for n, want := range map[int]int{0: 0, 256: 0, 4096: 0, 65536: 256, 1 << 20: 1024, 1 << 24: 4096, 65537: 0, 384 * 384: 384} {
		if got := MatrixSide(n); got != want {
			t.Errorf("MatrixSide(%d) = %d, want %d", n, got, want)
		}
	}
}
