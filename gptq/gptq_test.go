package gptq

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/qkernels/quant"
	"github.com/qkernels/quant/dispatch"
)

// fixture is a layer and its calibration inputs.
type fixture struct {
	name          string
	rows, columns int
	w             []float32 // rows × columns
	x             []float32 // samples × columns
	h             []float32 // Hessian of x
}

// newFixture builds W (normal, with outlier columns scaled by 10) and
// inputs of low rank plus noise: x = z·A + noise·ε, z of the given rank.
// Some inputs are dead (always 0) when dead > 0.
func newFixture(name string, rows, columns, samples, rank int, noise float64, outliers, dead int, seed uint64) fixture {
	rng := rand.New(rand.NewPCG(seed, 99))
	f := fixture{name: name, rows: rows, columns: columns}
	f.w = make([]float32, rows*columns)
	for i := range f.w {
		f.w[i] = float32(rng.NormFloat64() * 0.02)
	}
	for range outliers {
		c := rng.IntN(columns)
		for r := range rows {
			f.w[r*columns+c] *= 10
		}
	}
	a := make([]float64, rank*columns)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	f.x = make([]float32, samples*columns)
	z := make([]float64, rank)
	for s := range samples {
		for i := range z {
			z[i] = rng.NormFloat64()
		}
		for c := range columns {
			v := noise * rng.NormFloat64()
			for i, zi := range z {
				v += float64(zi * a[i*columns+c]) // rounded: no FMA on any arch
			}
			f.x[s*columns+c] = float32(v)
		}
	}
	for d := range dead {
		c := (d*7 + 3) % columns
		for s := range samples {
			f.x[s*columns+c] = 0
		}
	}
	hs := NewHessian(columns, 0)
	if err := hs.Add(f.x); err != nil {
		panic(err)
	}
	f.h = hs.Matrix()
	return f
}

// outputError returns ‖(W - Ŵ)·X‖² over the fixture's inputs, in float64.
func (f fixture) outputError(wq []float32) float64 {
	var sum float64
	n := f.columns
	for s := 0; s < len(f.x)/n; s++ {
		x := f.x[s*n : (s+1)*n]
		for r := range f.rows {
			var d float64
			for c, xv := range x {
				d += (float64(f.w[r*n+c]) - float64(wq[r*n+c])) * float64(xv)
			}
			sum += d * d
		}
	}
	return sum
}

// rtn quantizes W by rounding to nearest on the grid: GPTQ with an
// identity Hessian, whose U has nothing off its diagonal.
func rtn(t *testing.T, f fixture, opt Options) *Layer {
	t.Helper()
	id := make([]float32, f.columns*f.columns)
	for i := range f.columns {
		id[i*f.columns+i] = 1
	}
	l, err := Quantize(f.w, f.rows, f.columns, id, opt)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func dequant(l *Layer) []float32 {
	out := make([]float32, l.Rows*l.Columns)
	l.Dequantize(out)
	return out
}

var grids = []Options{
	{Grid: Q4_0}, {Grid: Q4_1}, {Grid: Q8_0},
	{Grid: Int4Absmax, GroupSize: 32}, {Grid: Int4ZeroPoint, GroupSize: 32},
	{Grid: Int8Absmax, GroupSize: 32}, {Grid: Int8ZeroPoint},
}

// TestIdentityHessianIsRTN: with nothing to spread the errors over, GPTQ
// must be the library's own encoders, byte for byte.
func TestIdentityHessianIsRTN(t *testing.T) {
	f := newFixture("normal", 24, 96, 8, 4, 1, 2, 0, 1)
	for _, opt := range grids {
		l := rtn(t, f, opt)
		switch opt.Grid {
		case Q4_0, Q4_1, Q8_0:
			want := make([]byte, len(l.Blocks))
			var err error
			switch opt.Grid {
			case Q4_0:
				err = quant.EncodeQ4_0(want, f.w)
			case Q4_1:
				err = quant.EncodeQ4_1(want, f.w)
			default:
				err = quant.EncodeQ8_0(want, f.w)
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(l.Blocks, want) {
				t.Errorf("%v: GPTQ with H = I differs from the encoder", opt.Grid)
			}
		case Int8Absmax:
			want := make([]int8, len(f.w))
			params := make([]quant.AbsmaxParams, len(l.Absmax))
			err := quant.QuantizeAbsmaxGroups(want, params, f.w, l.Granularity())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(l.Values, want) || !slices.Equal(l.Absmax, params) {
				t.Errorf("%v: GPTQ with H = I differs from QuantizeAbsmaxGroups", opt.Grid)
			}
		case Int8ZeroPoint:
			want := make([]int8, len(f.w))
			params := make([]quant.ZeroPointParams, len(l.ZeroPoint))
			err := quant.QuantizeZeroPointGroups(want, params, f.w, l.Granularity())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(l.Values, want) || !slices.Equal(l.ZeroPoint, params) {
				t.Errorf("%v: GPTQ with H = I differs from QuantizeZeroPointGroups", opt.Grid)
			}
		}
	}
}

// TestDeterministic: the same bytes for every worker count, kernel set
// and block size that rounds to the same blocks.
func TestDeterministic(t *testing.T) {
	// 130 rows: three chunks of rows, the last a partial one.
	f := newFixture("correlated", 130, 192, 300, 16, 0.3, 3, 2, 2)
	for _, base := range []Options{{Grid: Q4_0}, {Grid: Int4ZeroPoint, GroupSize: 64, ActOrder: true, BlockSize: 48}} {
		var want *Layer
		for _, k := range dispatch.Runnable() {
			for _, w := range []int{1, 2, 5} {
				opt := base
				opt.Workers = w
				restore := dispatch.Use(k)
				l, err := Quantize(f.w, f.rows, f.columns, f.h, opt)
				restore()
				if err != nil {
					t.Fatal(err)
				}
				if want == nil {
					want = l
					continue
				}
				if !bytes.Equal(l.Blocks, want.Blocks) || !slices.Equal(l.Values, want.Values) || !slices.Equal(l.ZeroPoint, want.ZeroPoint) {
					t.Errorf("%v on %s with %d workers differs from the first run", opt.Grid, k.Name, w)
				}
			}
		}
	}
}

// TestHessianBatches: the sums do not depend on how inputs are batched.
func TestHessianBatches(t *testing.T) {
	f := newFixture("correlated", 1, 70, 50, 5, 0.5, 0, 1, 3)
	h := NewHessian(70, 3)
	for _, cut := range [][2]int{{0, 1}, {1, 17}, {17, 50}} {
		if err := h.Add(f.x[cut[0]*70 : cut[1]*70]); err != nil {
			t.Fatal(err)
		}
	}
	if got := h.Matrix(); !slices.Equal(got, f.h) {
		t.Error("the Hessian of three batches differs from that of one")
	}
	if h.Samples() != 50 {
		t.Errorf("Samples() = %d, want 50", h.Samples())
	}
	for i := range 70 {
		for j := range 70 {
			if f.h[i*70+j] != f.h[j*70+i] {
				t.Fatalf("H[%d][%d] != H[%d][%d]", i, j, j, i)
			}
		}
	}
	bad := slices.Clone(f.x[:70])
	bad[5] = float32(math.Inf(1))
	if err := h.Add(bad); !errors.Is(err, quant.ErrNotFinite) || h.Samples() != 50 {
		t.Errorf("Add(+Inf) = %v, samples %d", err, h.Samples())
	}
}

func TestErrors(t *testing.T) {
	f := newFixture("small", 4, 64, 10, 2, 0.1, 0, 0, 4)
	nan := slices.Clone(f.w)
	nan[9] = float32(math.NaN())
	if _, err := Quantize(nan, 4, 64, f.h, Options{Grid: Q4_0}); !errors.Is(err, quant.ErrNotFinite) {
		t.Errorf("NaN weight: %v", err)
	}
	for _, opt := range []Options{{}, {Grid: Q4_0, GroupSize: 64}, {Grid: Int4Absmax, GroupSize: 12}, {Grid: Q8_0, BlockSize: -1}} {
		if _, err := Quantize(f.w, 4, 64, f.h, opt); !errors.Is(err, ErrOptions) {
			t.Errorf("%+v: %v, want ErrOptions", opt, err)
		}
	}
	if _, err := Quantize(f.w[:4*48], 4, 48, make([]float32, 48*48), Options{Grid: Q4_0}); !errors.Is(err, ErrOptions) {
		t.Errorf("48 columns for Q4_0: %v", err)
	}
	// Rank 2 inputs, no damping: H is singular.
	if _, err := Quantize(f.w, 4, 64, f.h, Options{Grid: Q4_0, Damp: -1}); !errors.Is(err, ErrNotPositiveDefinite) {
		t.Errorf("singular H: %v", err)
	}
	orig := slices.Clone(f.w)
	origH := slices.Clone(f.h)
	if _, err := Quantize(f.w, 4, 64, f.h, Options{Grid: Q4_1, ActOrder: true}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(orig, f.w) || !slices.Equal(origH, f.h) {
		t.Error("Quantize modified its inputs")
	}
}

// TestSubBlocksKeepTheBits: sub-blocks reorder the work, not the
// operations on any weight.
func TestSubBlocksKeepTheBits(t *testing.T) {
	f := newFixture("correlated", 70, 128, 200, 8, 0.3, 2, 1, 8)
	for _, opt := range []Options{{Grid: Q4_0}, {Grid: Int4Absmax, GroupSize: 8, BlockSize: 40}, {Grid: Int8ZeroPoint}, {Grid: Int4ZeroPoint, GroupSize: 64}} {
		l, err := Quantize(f.w, f.rows, f.columns, f.h, opt)
		if err != nil {
			t.Fatal(err)
		}
		subBlock = 1
		want, err := Quantize(f.w, f.rows, f.columns, f.h, opt)
		subBlock = 16
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(l.Blocks, want.Blocks) || !slices.Equal(l.Values, want.Values) {
			t.Errorf("%+v: sub-blocks changed the result", opt)
		}
	}
}
