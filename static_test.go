package quant

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// The static quantizers are specified by the computing ones: with the
// parameters a computing quantizer returns they must write its bytes, and
// beyond those parameters' range they clamp as the scalar formulas below
// say. Like the other glue tests these run on the selected set; the
// kernels they call are the conformance suite's.

// absmaxRef and zeroPointRef are the static formulas, one value at a time:
// a float32 product (and a float32 sum), clamped, rounded half to even.
func absmaxRef(x, scale float32) int8 {
	return int8(math.RoundToEven(float64(min(max(x*scale, -127), 127))))
}

func zeroPointRef(x, scale float32, zero int32) int8 {
	v := float32(x*scale) + float32(zero)
	return int8(math.RoundToEven(float64(min(max(v, -128), 127))))
}

func TestParamsForMatchComputing(t *testing.T) {
	r := newRand(41)
	for n := range 300 {
		x := tame(randomFloats(r, n, true))
		q := make([]int8, n)
		pa, errA := QuantizeAbsmax(q, x)
		ga, gerrA := AbsmaxParamsFor(AbsMax(x))
		if pa != ga || (errA == nil) != (gerrA == nil) {
			t.Fatalf("n=%d: AbsmaxParamsFor(AbsMax) = %+v, %v; QuantizeAbsmax: %+v, %v", n, ga, gerrA, pa, errA)
		}
		pz, errZ := QuantizeZeroPoint(q, x)
		lo, hi := MinMax(x)
		gz, gerrZ := ZeroPointParamsFor(lo, hi)
		if pz != gz || (errZ == nil) != (gerrZ == nil) {
			t.Fatalf("n=%d: ZeroPointParamsFor(MinMax) = %+v, %v; QuantizeZeroPoint: %+v, %v", n, gz, gerrZ, pz, errZ)
		}
	}
}

func TestParamsForErrors(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	for _, c := range []struct {
		maxAbs float32
		want   error
	}{{nan, ErrNotFinite}, {inf, ErrNotFinite}, {-1, ErrParams}, {1e-38, ErrRange}, {0, nil}, {3, nil}} {
		p, err := AbsmaxParamsFor(c.maxAbs)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("AbsmaxParamsFor(%v) = %+v, %v; want %v", c.maxAbs, p, err, c.want)
		}
	}
	for _, c := range []struct {
		min, max float32
		want     error
	}{
		{nan, 1, ErrNotFinite}, {0, inf, ErrNotFinite}, {-inf, 0, ErrNotFinite},
		{2, 1, ErrParams},
		{1e6, nextUp(1e6), ErrRange},                  // the zero point overflows int32
		{-math.MaxFloat32, math.MaxFloat32, ErrRange}, // the grid ends beyond float32
		{-1, 1, nil}, {5, 5, nil}, {f32(0x80000000), 0, nil},
	} {
		p, err := ZeroPointParamsFor(c.min, c.max)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("ZeroPointParamsFor(%v, %v) = %+v, %v; want %v", c.min, c.max, p, err, c.want)
		}
	}
}

// TestQuantizeWithMatchesComputing feeds the grouped computing quantizers'
// parameters back to the static ones, on every shape of the grouped tests
// and every source format.
func TestQuantizeWithMatchesComputing(t *testing.T) {
	for si, sh := range groupShapes() {
		x := groupData(uint64(si), sh.n, sh.g)
		f16, _, bf16, _ := groupInputs(x)
		desc := fmt.Sprintf("n=%d %v", sh.n, sh.g)
		checkWithMatches(t, desc+" float32", x, sh.g)
		checkWithMatches(t, desc+" Float16", f16, sh.g)
		checkWithMatches(t, desc+" BFloat16", bf16, sh.g)
	}
}

func checkWithMatches[T Float](t *testing.T, desc string, src []T, g Granularity) {
	t.Helper()
	n, ng := len(src), g.Groups(len(src))
	wantA, wantZ, got := make([]int8, n), make([]int8, n), make([]int8, n)
	pa, pz := make([]AbsmaxParams, ng), make([]ZeroPointParams, ng)
	// A range the computing quantizer refuses (groupData has tiny ones)
	// has no parameters to feed back: that method is skipped.
	errA := QuantizeAbsmaxGroups(wantA, pa, src, g)
	errZ := QuantizeZeroPointGroups(wantZ, pz, src, g)
	check := func(name string, err error, want []int8) {
		t.Helper()
		if want == nil {
			return
		}
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("%s: %s: %v; first difference at %d", desc, name, err, firstDiff(bitsOf(got), bitsOf(want)))
		}
	}
	if errA != nil {
		wantA = nil
	}
	if errZ != nil {
		wantZ = nil
	}
	check("QuantizeAbsmaxGroupsWith", QuantizeAbsmaxGroupsWith(got, src, pa, g), wantA)
	check("QuantizeZeroPointGroupsWith", QuantizeZeroPointGroupsWith(got, src, pz, g), wantZ)
	if g.size == 0 {
		check("QuantizeAbsmaxWith", QuantizeAbsmaxWith(got, src, pa[0]), wantA)
		check("QuantizeZeroPointWith", QuantizeZeroPointWith(got, src, pz[0]), wantZ)
	}
}

// staticCase is an input of the saturation tests: values of every kind,
// infinities included, against parameters made for a narrower range, so
// that many clamp.
func staticCase(seed uint64, n int) []float32 {
	x := tame(randomFloats(newRand(seed), n, false))
	for i, v := range x {
		switch {
		case v != v:
			x[i] = float32(math.Inf(1 - 2*(i%2)))
		case i%5 == 0:
			x[i] = float32(i%61-30) * 0.25 // many exact ties
		}
	}
	return x
}

func TestQuantizeWithSaturates(t *testing.T) {
	splitSmall(t)
	scales := []float32{0.5, 1, 2, 127.0 / 3, 1e-30, 1e30}
	for _, n := range []int{0, 1, 7, 33, staticChunk - 1, staticChunk + 9, 3*staticChunk + 100} {
		x := staticCase(uint64(n), n)
		f16, f16x, bf16, bf16x := groupInputs(x)
		for _, s := range scales {
			for _, z := range []int32{0, -128, 77, 1000, -3000} {
				desc := fmt.Sprintf("n=%d scale=%g zero=%d", n, s, z)
				checkSaturates(t, desc+" float32", x, x, s, z)
				checkSaturates(t, desc+" Float16", f16, f16x, s, z)
				checkSaturates(t, desc+" BFloat16", bf16, bf16x, s, z)
			}
		}
	}
}

func checkSaturates[T Float](t *testing.T, desc string, src []T, x []float32, scale float32, zero int32) {
	t.Helper()
	n := len(src)
	wantA, wantZ := make([]int8, n), make([]int8, n)
	for i, v := range x {
		wantA[i], wantZ[i] = absmaxRef(v, scale), zeroPointRef(v, scale, zero)
	}
	got := make([]int8, n)
	pa, pz := AbsmaxParams{Scale: scale}, ZeroPointParams{Scale: scale, ZeroPoint: zero}
	if err := QuantizeAbsmaxWith(got, src, pa); err != nil || !slices.Equal(got, wantA) {
		i := firstDiff(bitsOf(got), bitsOf(wantA))
		t.Fatalf("%s: QuantizeAbsmaxWith: %v; at %d: x=%v got %d want %d", desc, err, i, at32(x, i), at8(got, i), at8(wantA, i))
	}
	if err := QuantizeZeroPointWith(got, src, pz); err != nil || !slices.Equal(got, wantZ) {
		i := firstDiff(bitsOf(got), bitsOf(wantZ))
		t.Fatalf("%s: QuantizeZeroPointWith: %v; at %d: x=%v got %d want %d", desc, err, i, at32(x, i), at8(got, i), at8(wantZ, i))
	}
	// The same parameters for every group, split over goroutines.
	for _, g := range []Granularity{PerBlock(32).Parallel(3), PerBlock(2048).Parallel(3), PerTensor().Parallel(2)} {
		ng := g.Groups(n)
		if err := QuantizeAbsmaxGroupsWith(got, src, repeat(pa, ng), g); err != nil || !slices.Equal(got, wantA) {
			t.Fatalf("%s %v: QuantizeAbsmaxGroupsWith: %v; first difference at %d", desc, g, err, firstDiff(bitsOf(got), bitsOf(wantA)))
		}
		if err := QuantizeZeroPointGroupsWith(got, src, repeat(pz, ng), g); err != nil || !slices.Equal(got, wantZ) {
			t.Fatalf("%s %v: QuantizeZeroPointGroupsWith: %v; first difference at %d", desc, g, err, firstDiff(bitsOf(got), bitsOf(wantZ)))
		}
	}
}

func repeat[P any](p P, n int) []P { return slices.Repeat([]P{p}, n) }

func at32(s []float32, i int) any {
	if i < len(s) {
		return s[i]
	}
	return "none"
}

func at8(s []int8, i int) any {
	if i < len(s) {
		return s[i]
	}
	return "none"
}

// TestQuantizeWithNaN puts a NaN at chunk edges, in every source format
// and on every path, and wants it named.
func TestQuantizeWithNaN(t *testing.T) {
	splitSmall(t)
	n := 2*parallelMin + 3*staticChunk + 5
	for _, at := range []int{0, 5, staticChunk - 1, staticChunk, parallelMin + 1, n - 1} {
		x := tame(randomFloats(newRand(uint64(at)), n, true))
		x[at] = f32(0xFFC01234)
		x[min(at+staticChunk/2, n-1)] = float32(math.NaN()) // a later one never wins
		f16, _, bf16, _ := groupInputs(x)
		want := fmt.Sprintf("src[%d] = NaN", at)
		checkNaN(t, x, at, want)
		checkNaN(t, f16, at, want)
		checkNaN(t, bf16, at, want)
	}
}

func checkNaN[T Float](t *testing.T, src []T, at int, want string) {
	t.Helper()
	dst := make([]int8, len(src))
	check := func(desc string, err error, label string) {
		t.Helper()
		if !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), label+"input is not finite: "+want) {
			t.Errorf("%T %s, NaN at %d: got %v, want %q", src, desc, at, err, label+want)
		}
	}
	check("QuantizeAbsmaxWith", QuantizeAbsmaxWith(dst, src, AbsmaxParams{Scale: 1}), "")
	check("QuantizeZeroPointWith", QuantizeZeroPointWith(dst, src, ZeroPointParams{Scale: 1, ZeroPoint: 3}), "")
	for _, g := range []Granularity{PerTensor().Parallel(4), PerBlock(64), PerBlock(64).Parallel(4), PerBlock(2000).Parallel(3), PerRow(241).Parallel(3)} {
		ng := g.Groups(len(src))
		label := ""
		if g.size > 0 {
			label = g.label(at / g.size)
		}
		ng = g.Groups(len(src))
		check(fmt.Sprintf("QuantizeAbsmaxGroupsWith %v", g), QuantizeAbsmaxGroupsWith(dst, src, repeat(AbsmaxParams{Scale: 2}, ng), g), label)
		check(fmt.Sprintf("QuantizeZeroPointGroupsWith %v", g), QuantizeZeroPointGroupsWith(dst, src, repeat(ZeroPointParams{Scale: 2}, ng), g), label)
	}
}

func TestQuantizeWithBadParams(t *testing.T) {
	src := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	for _, s := range []float32{0, f32(0x80000000), -1, inf, nan} {
		dst := fill(make([]int8, len(src)), 99)
		err := QuantizeAbsmaxWith(dst, src, AbsmaxParams{Scale: s})
		if !errors.Is(err, ErrParams) || slices.ContainsFunc(dst, func(q int8) bool { return q != 99 }) {
			t.Errorf("QuantizeAbsmaxWith, Scale %v: %v, dst %v", s, err, dst)
		}
		err = QuantizeZeroPointWith(dst, src, ZeroPointParams{Scale: s})
		if !errors.Is(err, ErrParams) || slices.ContainsFunc(dst, func(q int8) bool { return q != 99 }) {
			t.Errorf("QuantizeZeroPointWith, Scale %v: %v, dst %v", s, err, dst)
		}
	}
	for _, z := range []int32{minZeroPoint - 1, maxZeroPoint + 1, math.MinInt32} {
		dst := fill(make([]int8, len(src)), 99)
		err := QuantizeZeroPointWith(dst, src, ZeroPointParams{Scale: 1, ZeroPoint: z})
		if !errors.Is(err, ErrParams) || slices.ContainsFunc(dst, func(q int8) bool { return q != 99 }) {
			t.Errorf("QuantizeZeroPointWith, ZeroPoint %d: %v, dst %v", z, err, dst)
		}
	}
	// The first bad group is named, and nothing is written.
	params := repeat(ZeroPointParams{Scale: 1}, 5)
	params[3].Scale, params[4].Scale = -2, 0
	dst := fill(make([]int8, len(src)), 99)
	err := QuantizeZeroPointGroupsWith(dst, src, params, PerRow(2))
	if !errors.Is(err, ErrParams) || !strings.Contains(err.Error(), "row 3: ") || slices.ContainsFunc(dst, func(q int8) bool { return q != 99 }) {
		t.Errorf("QuantizeZeroPointGroupsWith, bad row 3: %v, dst %v", err, dst)
	}
	// With valid parameters the same call works: the check was the params'.
	params[3].Scale, params[4].Scale = 2, 2
	if err := QuantizeZeroPointGroupsWith(dst, src, params, PerRow(2)); err != nil {
		t.Errorf("QuantizeZeroPointGroupsWith, good params: %v", err)
	}
}

func TestQuantizeWithPanics(t *testing.T) {
	src := make([]float32, 12)
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { _ = QuantizeAbsmaxWith(make([]int8, 11), src, AbsmaxParams{Scale: 1}) }, "quant: QuantizeAbsmaxWith: len(dst) = 11 < len(src) = 12"},
		{func() { _ = QuantizeZeroPointWith(make([]int8, 3), src, ZeroPointParams{Scale: 1}) }, "quant: QuantizeZeroPointWith: len(dst) = 3 < len(src) = 12"},
		{func() { _ = QuantizeAbsmaxGroupsWith(make([]int8, 12), src, make([]AbsmaxParams, 2), PerRow(4)) }, "quant: QuantizeAbsmaxGroupsWith: len(params) = 2 < 3 groups (per row of 4)"},
		{func() { _ = QuantizeZeroPointGroupsWith(make([]int8, 12), src, make([]ZeroPointParams, 9), PerRow(5)) }, "quant: QuantizeZeroPointGroupsWith: 12 values are not whole rows of 5"},
	} {
		if got := panicText(c.f); got != c.want {
			t.Errorf("panic %q, want %q", got, c.want)
		}
	}
}

func TestQuantizeWithNoAllocations(t *testing.T) {
	x := tame(randomFloats(newRand(3), 3*staticChunk+5, true))
	_, _, bf16, _ := groupInputs(x)
	dst := make([]int8, len(x))
	pa := repeat(AbsmaxParams{Scale: 3}, PerRow(77).Groups(len(x)-len(x)%77))
	pz := repeat(ZeroPointParams{Scale: 3, ZeroPoint: 5}, PerBlock(32).Groups(len(x)))
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"QuantizeAbsmaxWith", func() { _ = QuantizeAbsmaxWith(dst, x, pa[0]) }},
		{"QuantizeZeroPointWith BFloat16", func() { _ = QuantizeZeroPointWith(dst, bf16, pz[0]) }},
		{"QuantizeAbsmaxGroupsWith PerRow", func() { _ = QuantizeAbsmaxGroupsWith(dst, x[:len(x)-len(x)%77], pa, PerRow(77)) }},
		{"QuantizeZeroPointGroupsWith PerBlock", func() { _ = QuantizeZeroPointGroupsWith(dst, bf16, pz, PerBlock(32)) }},
	} {
		c.f()
		if a := testing.AllocsPerRun(20, c.f); a != 0 {
			t.Errorf("%s: %v allocations per call", c.name, a)
		}
	}
}

func TestObserver(t *testing.T) {
	r := newRand(17)
	batches := make([][]float32, 7)
	var all []float32
	for i := range batches {
		batches[i] = tame(randomFloats(r, 50+30*i, true))
		all = append(all, batches[i]...)
	}
	var o Observer[float32]
	if _, _, ok := o.Range(); ok {
		t.Fatal("Range before any value: ok")
	}
	if _, err := o.ZeroPointParams(); !errors.Is(err, ErrParams) {
		t.Fatalf("ZeroPointParams before any value: %v", err)
	}
	if _, err := o.AbsmaxParams(); !errors.Is(err, ErrParams) {
		t.Fatalf("AbsmaxParams before any value: %v", err)
	}
	for _, b := range batches {
		if err := o.Observe(b); err != nil {
			t.Fatal(err)
		}
		if err := o.Observe(nil); err != nil {
			t.Fatal(err)
		}
	}
	lo, hi, ok := o.Range()
	wlo, whi := MinMax(all)
	if !ok || bits32(lo) != bits32(wlo) || bits32(hi) != bits32(whi) {
		t.Fatalf("Range = %v, %v, %v; MinMax of all = %v, %v", lo, hi, ok, wlo, whi)
	}
	q := make([]int8, len(all))
	wz, _ := QuantizeZeroPoint(q, all)
	wa, _ := QuantizeAbsmax(q, all)
	if pz, err := o.ZeroPointParams(); pz != wz || err != nil {
		t.Errorf("ZeroPointParams = %+v, %v; QuantizeZeroPoint of all: %+v", pz, err, wz)
	}
	if pa, err := o.AbsmaxParams(); pa != wa || err != nil {
		t.Errorf("AbsmaxParams = %+v, %v; QuantizeAbsmax of all: %+v", pa, err, wa)
	}

	// A NaN or an infinity is refused and changes nothing.
	bad := slices.Clone(batches[0])
	bad[7] = float32(math.Inf(-1))
	if err := o.Observe(bad); !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), "src[7] = -Inf") {
		t.Errorf("Observe with -Inf at 7: %v", err)
	}
	if l, h, _ := o.Range(); l != lo || h != hi {
		t.Errorf("a refused batch changed the range to %v, %v", l, h)
	}

	// The moving average, as PyTorch computes it.
	avg := Observer[BFloat16]{Averaging: 0.01}
	var rlo, rhi float32
	for i, b := range batches {
		h := make([]BFloat16, len(b))
		Float32ToBFloat16(h, b)
		if err := avg.Observe(h); err != nil {
			t.Fatal(err)
		}
		blo, bhi := MinMax(widenBFloat16(h))
		if i == 0 {
			rlo, rhi = blo, bhi
		} else {
			c := float32(0.01)
			d := blo - rlo
			e := c * d
			rlo = rlo + e
			d = bhi - rhi
			e = c * d
			rhi = rhi + e
		}
	}
	if l, h, _ := avg.Range(); bits32(l) != bits32(rlo) || bits32(h) != bits32(rhi) {
		t.Errorf("moving average = %v, %v; want %v, %v", l, h, rlo, rhi)
	}
	avg.Reset()
	if _, _, ok := avg.Range(); ok || avg.Averaging != 0.01 {
		t.Errorf("after Reset: ok %v, Averaging %v", ok, avg.Averaging)
	}
}
