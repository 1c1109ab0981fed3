package quant

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// errorStatsRef is MeasureError's documented order, written out: chunks
// of errorChunk values, 16 lanes in each, the lanes added as a tree, the
// chunks in order.
func errorStatsRef(x, y []float32) ErrorStats {
	st := ErrorStats{N: len(x)}
	for c0 := 0; c0 < len(x); c0 += errorChunk {
		c1 := min(c0+errorChunk, len(x))
		var le, lx [16]float64
		for i := c0; i < c1; i++ {
			e := float64(x[i]) - float64(y[i])
			le[(i-c0)%16] += float64(e * e)
			lx[(i-c0)%16] += float64(float64(x[i]) * float64(x[i]))
			st.MaxAbsError = max(st.MaxAbsError, math.Abs(e))
		}
		st.SumSquaredError += tree16(le)
		st.SumSquares += tree16(lx)
	}
	return st
}

func tree16(l [16]float64) float64 {
	for w := 8; w >= 1; w /= 2 {
		for i := range w {
			l[i] += l[i+w]
		}
	}
	return l[0]
}

func sameStats(a, b ErrorStats) bool {
	return a.N == b.N && bits64(a.SumSquaredError) == bits64(b.SumSquaredError) &&
		bits64(a.SumSquares) == bits64(b.SumSquares) && bits64(a.MaxAbsError) == bits64(b.MaxAbsError)
}

func bits64(v float64) uint64 { return math.Float64bits(v) }

func TestMeasureErrorOrder(t *testing.T) {
	r := newRand(9)
	for _, n := range []int{0, 1, 15, 16, 17, 300, errorChunk - 1, errorChunk, errorChunk + 1, 3*errorChunk + 77} {
		x := tame(randomFloats(r, n, true))
		q := make([]int8, n)
		p, _ := QuantizeZeroPoint(q, x)
		y := make([]float32, n)
		DequantizeZeroPoint(y, q, p)
		for _, c := range []struct {
			name string
			y    []float32
		}{{"reconstruction", y}, {"unrelated", tame(randomFloats(r, n, true))}} {
			got, err := MeasureError(x, c.y)
			if want := errorStatsRef(x, c.y); err != nil || !sameStats(got, want) {
				t.Fatalf("n=%d %s: MeasureError = %+v, %v; want %+v", n, c.name, got, err, want)
			}
		}
		// 16-bit inputs are measured at their float32 values.
		f16, f16x, bf16, bf16x := groupInputs(x)
		g16, _, gb16, _ := groupInputs(y)
		if got, err := MeasureError(f16, g16); err != nil || !sameStats(got, errorStatsRef(f16x, widenFloat16(g16))) {
			t.Fatalf("n=%d Float16: %+v, %v", n, got, err)
		}
		if got, err := MeasureError(bf16, gb16); err != nil || !sameStats(got, errorStatsRef(bf16x, widenBFloat16(gb16))) {
			t.Fatalf("n=%d BFloat16: %+v, %v", n, got, err)
		}
	}
}

func TestMeasureErrorGroups(t *testing.T) {
	splitSmall(t)
	for si, sh := range groupShapes() {
		x := groupData(uint64(si), sh.n, sh.g)
		y := make([]float32, sh.n)
		for i, v := range x {
			y[i] = float32(math.RoundToEven(float64(v*8))) / 8
		}
		for _, g := range []Granularity{sh.g, sh.g.Parallel(3)} {
			stats := make([]ErrorStats, g.Groups(sh.n))
			if err := MeasureErrorGroups(stats, x, y, g); err != nil {
				t.Fatalf("n=%d %v: %v", sh.n, g, err)
			}
			for i, st := range stats {
				lo, hi := g.span(i, sh.n)
				if want, _ := MeasureError(x[lo:hi], y[lo:hi]); !sameStats(st, want) {
					t.Fatalf("n=%d %v group %d: %+v, want %+v", sh.n, g, i, st, want)
				}
			}
		}
	}
}

func TestMeasureErrorNonFinite(t *testing.T) {
	splitSmall(t)
	n := 3*errorChunk + 4
	x := tame(randomFloats(newRand(4), n, true))
	for _, c := range []struct {
		at   int
		inY  bool
		v    float32
		want string
	}{
		{0, false, float32(math.NaN()), "x[0] = NaN"},
		{errorChunk + 3, true, float32(math.Inf(-1)), fmt.Sprintf("y[%d] = -Inf", errorChunk+3)},
		{n - 1, false, float32(math.Inf(1)), fmt.Sprintf("x[%d] = +Inf", n-1)},
	} {
		bx, by := append([]float32(nil), x...), append([]float32(nil), x...)
		if c.inY {
			by[c.at] = c.v
		} else {
			bx[c.at] = c.v
		}
		_, err := MeasureError(bx, by)
		if !errors.Is(err, ErrNotFinite) || !strings.HasSuffix(err.Error(), c.want) {
			t.Errorf("MeasureError: %v, want %q", err, c.want)
		}
		stats := make([]ErrorStats, n/4)
		err = MeasureErrorGroups(stats, bx, by, PerRow(4).Parallel(4))
		label := fmt.Sprintf("row %d: ", c.at/4)
		if !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), label+"input is not finite: "+c.want) {
			t.Errorf("MeasureErrorGroups: %v, want %q", err, label+c.want)
		}
	}
}

func TestErrorStatsDerived(t *testing.T) {
	x := []float32{3, 4, 0, 0}
	y := []float32{3, 4, 0, 1}
	st, err := MeasureError(x, y)
	if err != nil || st.MSE() != 0.25 || st.MaxAbsError != 1 || st.SumSquares != 25 || st.SQNR() != 10*math.Log10(25) {
		t.Errorf("stats %+v (MSE %v, SQNR %v), %v", st, st.MSE(), st.SQNR(), err)
	}
	if st, _ := MeasureError(x, x); !math.IsInf(st.SQNR(), 1) || st.MSE() != 0 {
		t.Errorf("exact: MSE %v, SQNR %v", st.MSE(), st.SQNR())
	}
	if st, _ := MeasureError([]float32{0}, []float32{1}); !math.IsInf(st.SQNR(), -1) {
		t.Errorf("zero signal: SQNR %v", st.SQNR())
	}
	if st, _ := MeasureError([]float32{}, []float32{}); st.MSE() != 0 || st.N != 0 {
		t.Errorf("empty: %+v", st)
	}
	if got := panicText(func() { _, _ = MeasureError(make([]float32, 3), make([]float32, 2)) }); got != "quant: MeasureError: len(x) = 3 != len(y) = 2" {
		t.Errorf("length mismatch: panic %q", got)
	}
	if got := panicText(func() {
		_ = MeasureErrorGroups(make([]ErrorStats, 1), make([]float32, 4), make([]float32, 4), PerRow(2))
	}); got != "quant: MeasureErrorGroups: len(stats) = 1 < 2 groups (per row of 2)" {
		t.Errorf("short stats: panic %q", got)
	}
}

func TestMeasureErrorNoAllocations(t *testing.T) {
	x := tame(randomFloats(newRand(3), 3*errorChunk+5, true))
	_, _, bf16, _ := groupInputs(x)
	stats := make([]ErrorStats, PerBlock(64).Groups(len(x)))
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"MeasureError", func() { _, _ = MeasureError(x, x) }},
		{"MeasureError BFloat16", func() { _, _ = MeasureError(bf16, bf16) }},
		{"MeasureErrorGroups PerBlock", func() { _ = MeasureErrorGroups(stats, bf16, bf16, PerBlock(64)) }},
	} {
		c.f()
		if a := testing.AllocsPerRun(20, c.f); a != 0 {
			t.Errorf("%s: %v allocations per call", c.name, a)
		}
	}
}
