package quant

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// The grouped functions are specified by the per-tensor ones: group i of
// the output must be what QuantizeAbsmax (or QuantizeZeroPoint,
// DequantizeAbsmax, DequantizeZeroPoint) computes for group i of the
// input alone, and a 16-bit input must give what its float32 conversion
// gives. These tests hold the selected set to that, on shapes that stress
// the group boundaries; the conformance suite holds every set's blockwise
// and per-slice kernels to the reference's.

// groupShape is an input length and a granularity.
type groupShape struct {
	n int
	g Granularity
}

func groupShapes() []groupShape {
	var s []groupShape
	for _, rc := range [][2]int{{1, 1}, {1, 7}, {7, 1}, {3, 5}, {5, 33}, {4, 64}, {2, 300}, {16, 1000}, {1, 0}, {0, 5}} {
		s = append(s, groupShape{rc[0] * rc[1], PerRow(max(rc[1], 1))})
	}
	for _, b := range []int{8, 32, 64, 128, 256} {
		for _, n := range []int{0, 1, b - 1, b, b + 1, 3*b + 5, 1000} {
			s = append(s, groupShape{n, PerBlock(b)})
		}
	}
	// More blocks than one chunk of the blockwise path holds.
	s = append(s, groupShape{8*blockChunk + 13, PerBlock(8)}, groupShape{32 * (2*blockChunk + 1), PerBlock(32)})
	for _, n := range []int{0, 1, 31, 300, 4099} {
		s = append(s, groupShape{n, PerTensor()})
	}
	return s
}

// groupData returns n finite values whose groups under g differ in kind:
// random, all zeros, constant, one outlier, tiny, negative only.
func groupData(seed uint64, n int, g Granularity) []float32 {
	r := newRand(seed)
	x := tame(randomFloats(r, n, true))
	for i := range g.groups("test", n) {
		lo, hi := g.span(i, n)
		switch i % 6 {
		case 1:
			clear(x[lo:hi])
		case 2:
			for j := lo; j < hi; j++ {
				x[j] = -2.5
			}
		case 3:
			for j := lo; j < hi; j++ {
				x[j] = float32(r.NormFloat64())
			}
			x[lo+(hi-lo)/2] = 1000
		case 4:
			for j := lo; j < hi; j++ {
				x[j] = float32(r.NormFloat64()) * 1e-3
			}
		case 5:
			for j := lo; j < hi; j++ {
				x[j] = -1 - float32(r.Float64())
			}
		}
	}
	return x
}

// perGroup computes the expected output of a grouped quantizer with the
// per-tensor function quantize, group by group.
func perGroup[P any](x []float32, g Granularity, quantize func([]int8, []float32) (P, error)) ([]int8, []P, error) {
	q := make([]int8, len(x))
	params := make([]P, g.Groups(len(x)))
	for i := range params {
		lo, hi := g.span(i, len(x))
		p, err := quantize(q[lo:hi], x[lo:hi])
		if err != nil {
			return nil, nil, err
		}
		params[i] = p
	}
	return q, params, nil
}

func widenFloat16(h []Float16) []float32 {
	x := make([]float32, len(h))
	Float16ToFloat32(x, h)
	return x
}

func widenBFloat16(h []BFloat16) []float32 {
	x := make([]float32, len(h))
	BFloat16ToFloat32(x, h)
	return x
}

// groupInputs returns the float32 input x and its 16-bit versions, each
// with the float32 values that the grouped functions must quantize.
// Values beyond the binary16 range are clamped first, so that f16 is
// finite where x is.
func groupInputs(x []float32) (f16 []Float16, f16x []float32, bf16 []BFloat16, bf16x []float32) {
	f16 = make([]Float16, len(x))
	for i, v := range x {
		if !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) {
			v = min(max(v, -60000), 60000)
		}
		f16[i] = Float16FromFloat32(v)
	}
	bf16 = make([]BFloat16, len(x))
	Float32ToBFloat16(bf16, x)
	return f16, widenFloat16(f16), bf16, widenBFloat16(bf16)
}

func TestQuantizeGroupsMatchPerTensor(t *testing.T) {
	for si, sh := range groupShapes() {
		x := groupData(uint64(si), sh.n, sh.g)
		f16, f16x, bf16, bf16x := groupInputs(x)
		desc := fmt.Sprintf("n=%d %v", sh.n, sh.g)
		checkGroupsPerTensor(t, desc+" float32", groupedAbsmax, QuantizeAbsmaxGroups, x, x, sh.g)
		checkGroupsPerTensor(t, desc+" Float16", groupedAbsmax, QuantizeAbsmaxGroups, f16, f16x, sh.g)
		checkGroupsPerTensor(t, desc+" BFloat16", groupedAbsmax, QuantizeAbsmaxGroups, bf16, bf16x, sh.g)
		checkGroupsPerTensor(t, desc+" float32", groupedZeroPoint, QuantizeZeroPointGroups, x, x, sh.g)
		checkGroupsPerTensor(t, desc+" Float16", groupedZeroPoint, QuantizeZeroPointGroups, f16, f16x, sh.g)
		checkGroupsPerTensor(t, desc+" BFloat16", groupedZeroPoint, QuantizeZeroPointGroups, bf16, bf16x, sh.g)
	}
}

// groupedMethod is a quantization method as the grouped tests see it: its
// per-tensor functions, which specify the grouped ones, and its grouped
// dequantizer at each output type (Go has no generic function values).
type groupedMethod[P comparable] struct {
	name                string // "Absmax" or "ZeroPoint", as in the functions' names
	quantize            func(dst []int8, src []float32) (P, error)
	dequantize          func(dst []float32, src []int8, p P)
	dequantizeGroups32  func(dst []float32, src []int8, params []P, g Granularity)
	dequantizeGroups16  func(dst []Float16, src []int8, params []P, g Granularity)
	dequantizeGroupsB16 func(dst []BFloat16, src []int8, params []P, g Granularity)
}

var (
	groupedAbsmax = groupedMethod[AbsmaxParams]{"Absmax", QuantizeAbsmax, DequantizeAbsmax,
		DequantizeAbsmaxGroups[float32], DequantizeAbsmaxGroups[Float16], DequantizeAbsmaxGroups[BFloat16]}
	groupedZeroPoint = groupedMethod[ZeroPointParams]{"ZeroPoint", QuantizeZeroPoint, DequantizeZeroPoint,
		DequantizeZeroPointGroups[float32], DequantizeZeroPointGroups[Float16], DequantizeZeroPointGroups[BFloat16]}
)

// checkGroupsPerTensor quantizes src (whose float32 values are x) with g and
// quantizeGroups, m's grouped quantizer, and compares with m's per-tensor
// quantizer group by group, then dequantizes into every output type and
// compares with m's per-tensor dequantizer.
func checkGroupsPerTensor[T Float, P comparable](t *testing.T, desc string, m groupedMethod[P], quantizeGroups func([]int8, []P, []T, Granularity) error, src []T, x []float32, g Granularity) {
	t.Helper()
	wantQ, wantP, wantErr := perGroup(x, g, m.quantize)
	q := fill(make([]int8, len(x)), 99)
	p := make([]P, g.Groups(len(x)))
	err := quantizeGroups(q, p, src, g)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%s: Quantize%sGroups error %v, per tensor %v", desc, m.name, err, wantErr)
	}
	if err != nil {
		return
	}
	if !slices.Equal(q, wantQ) || !slices.Equal(p, wantP) {
		t.Fatalf("%s: Quantize%sGroups differs from Quantize%s per group\nq %v\nwant %v\nparams %v\nwant %v", desc, m.name, m.name, q, wantQ, p, wantP)
	}
	want := make([]float32, len(x))
	for i := range p {
		lo, hi := g.span(i, len(x))
		m.dequantize(want[lo:hi], q[lo:hi], p[i])
	}
	checkDequantized(t, desc+" Dequantize"+m.name+"Groups", want, func(dst any) {
		switch dst := dst.(type) {
		case []float32:
			m.dequantizeGroups32(dst, q, p, g)
		case []Float16:
			m.dequantizeGroups16(dst, q, p, g)
		case []BFloat16:
			m.dequantizeGroupsB16(dst, q, p, g)
		}
	})
}

// checkDequantized runs dequantize into a float32, a Float16 and a
// BFloat16 destination and requires want, and want converted.
func checkDequantized(t *testing.T, desc string, want []float32, dequantize func(dst any)) {
	t.Helper()
	want16 := make([]Float16, len(want))
	Float32ToFloat16(want16, want)
	wantB := make([]BFloat16, len(want))
	Float32ToBFloat16(wantB, want)
	checkDequantizedInto(t, desc+" float32", want, dequantize)
	checkDequantizedInto(t, desc+" Float16", want16, dequantize)
	checkDequantizedInto(t, desc+" BFloat16", wantB, dequantize)
}

// checkDequantizedInto runs dequantize into a []T and requires want, bit
// for bit.
func checkDequantizedInto[T Float](t *testing.T, desc string, want []T, dequantize func(dst any)) {
	t.Helper()
	got := make([]T, len(want))
	dequantize(got)
	gotBits, wantBits := bitsOf(got), bitsOf(want)
	if i := firstDiff(gotBits, wantBits); i >= 0 {
		t.Fatalf("%s: [%d] = %v (%#x), want %v (%#x)", desc, i, got[i], gotBits[i], want[i], wantBits[i])
	}
}

// PerTensor through the grouped API is the per-tensor function, for
// every source type, serial and parallel.
// splitSmall lowers the size from which parallel calls split, so that
// tests of the parallel paths stay small (and quick under emulation).
func splitSmall(t *testing.T) {
	old := parallelMin
	parallelMin = 1 << 12
	t.Cleanup(func() { parallelMin = old })
}

func TestPerTensorIsQuantizeAbsmax(t *testing.T) {
	splitSmall(t)
	x := tame(randomFloats(newRand(7), 3*parallelMin+11, true))
	wantQ := make([]int8, len(x))
	wantP, err := QuantizeAbsmax(wantQ, x)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{1, 2, 3} {
		q := make([]int8, len(x))
		p := make([]AbsmaxParams, 1)
		if err := QuantizeAbsmaxGroups(q, p, x, PerTensor().Parallel(w)); err != nil {
			t.Fatal(err)
		}
		if p[0] != wantP || !slices.Equal(q, wantQ) {
			t.Fatalf("workers=%d: PerTensor differs from QuantizeAbsmax", w)
		}
	}
}

// Errors: a NaN or infinity in one group, or a group whose range has no
// float32 factor, fails the whole call, names the group and the index,
// and leaves dst and params untouched, whatever the source type and the
// number of workers.
func TestGroupsErrors(t *testing.T) {
	splitSmall(t)
	const n = 24000 // whole rows of 1000, a last block of 32 values of 56
	for _, c := range []struct {
		name  string
		g     Granularity
		bad   int     // index of the bad value
		val   float32 // the bad value
		is    error
		label string
	}{
		{"NaN in one block", PerBlock(32), 5000, float32(math.NaN()), ErrNotFinite, "block 156: "},
		{"+Inf in one row", PerRow(1000), 12345, float32(math.Inf(1)), ErrNotFinite, "row 12: "},
		{"-Inf in the tensor", PerTensor(), n - 1, float32(math.Inf(-1)), ErrNotFinite, ""},
		{"NaN in the last partial block", PerBlock(56), n - 1, float32(math.NaN()), ErrNotFinite, fmt.Sprintf("block %d: ", (n-1)/56)},
	} {
		for _, w := range []int{1, 2, 3} {
			g := c.g.Parallel(w)
			x := gen(n, newRand(3).NormFloat64)
			x[c.bad] = c.val
			if c.bad < n-2 { // a second bad value later: the first is named
				x[n-2] = float32(math.NaN())
			}
			f16, _, bf16, _ := groupInputs(x)
			desc := fmt.Sprintf("%s %v", c.name, g)
			want := fmt.Sprintf("%sinput is not finite: src[%d] = %v", c.label, c.bad, c.val)
			checkGroupsError(t, desc+" float32", x, g, want)
			checkGroupsError(t, desc+" Float16", f16, g, want)
			checkGroupsError(t, desc+" BFloat16", bf16, g, want)
		}
	}
	// Blocks that fit one chunk of the blockwise path, which checks and
	// quantizes from a single reduction: errors in a whole block and
	// in the partial last one.
	for _, bad := range []int{500, 999} {
		x := gen(1000, newRand(5).NormFloat64)
		x[bad] = float32(math.NaN())
		f16, _, bf16, _ := groupInputs(x)
		want := fmt.Sprintf("block %d: input is not finite: src[%d] = NaN", bad/32, bad)
		desc := fmt.Sprintf("one chunk, NaN at %d", bad)
		checkGroupsError(t, desc+" float32", x, PerBlock(32), want)
		checkGroupsError(t, desc+" Float16", f16, PerBlock(32), want)
		checkGroupsError(t, desc+" BFloat16", bf16, PerBlock(32), want)
	}
	// A block whose values are too small for 127/max|x| in float32.
	x := tame(randomFloats(newRand(4), 256, true))
	for i := 64; i < 96; i++ {
		x[i] = 1e-38
	}
	checkGroupsError(t, "tiny block", x, PerBlock(32), "block 2: "+ErrRange.Error())
	// A block too narrow for a zero point.
	for i := 64; i < 96; i++ {
		x[i] = 1000
	}
	x[70] = nextUp(1000)
	if err := QuantizeZeroPointGroups(make([]int8, 256), make([]ZeroPointParams, 8), x, PerBlock(32)); !errors.Is(err, ErrRange) || !strings.Contains(err.Error(), "block 2: ") {
		t.Errorf("narrow block: QuantizeZeroPointGroups error %v, want ErrRange naming block 2", err)
	}
}

func checkGroupsError[T Float](t *testing.T, desc string, src []T, g Granularity, want string) {
	t.Helper()
	n := len(src)
	orig := slices.Clone(src)
	q := fill(make([]int8, n), 77)
	pa := fill(make([]AbsmaxParams, g.Groups(n)), AbsmaxParams{Scale: 42})
	pz := fill(make([]ZeroPointParams, g.Groups(n)), ZeroPointParams{Scale: 42, ZeroPoint: 42})
	errA := QuantizeAbsmaxGroups(q, pa, src, g)
	errZ := QuantizeZeroPointGroups(q, pz, src, g)
	for _, err := range []error{errA, errZ} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", desc, err, want)
		}
	}
	if errA != nil && !strings.HasPrefix(errA.Error(), "quant: QuantizeAbsmaxGroups: ") {
		t.Errorf("%s: error %q does not name the function", desc, errA)
	}
	if slices.ContainsFunc(q, func(v int8) bool { return v != 77 }) ||
		slices.ContainsFunc(pa, func(p AbsmaxParams) bool { return p.Scale != 42 }) ||
		slices.ContainsFunc(pz, func(p ZeroPointParams) bool { return p != ZeroPointParams{42, 42} }) {
		t.Errorf("%s: dst or params written although an error was returned", desc)
	}
	if firstDiff(bitsOf(src), bitsOf(orig)) >= 0 {
		t.Errorf("%s: source modified", desc)
	}
}

// Parallel calls give the serial results, bit for bit, for any number of
// workers, and leave no goroutine behind.
func TestGroupsParallel(t *testing.T) {
	splitSmall(t)
	before := runtime.NumGoroutine()
	n := 4*parallelMin + 36 // 4 rows of 4105, or 821 rows of 20
	x := gen(n, newRand(9).NormFloat64)
	x[n/3] = 5000 // an outlier in one part only
	f16, _, _, _ := groupInputs(x)
	for _, g := range []Granularity{PerTensor(), PerBlock(32), PerBlock(256), PerRow(1), PerRow(n), PerRow(n / 4), PerRow(20)} {
		wantQ := make([]int8, n)
		wantA := make([]AbsmaxParams, g.Groups(n))
		if err := QuantizeAbsmaxGroups(wantQ, wantA, x, g); err != nil {
			t.Fatal(err)
		}
		wantZQ := make([]int8, n)
		wantZ := make([]ZeroPointParams, g.Groups(n))
		if err := QuantizeZeroPointGroups(wantZQ, wantZ, f16, g); err != nil {
			t.Fatal(err)
		}
		wantD := make([]Float16, n)
		DequantizeZeroPointGroups(wantD, wantZQ, wantZ, g)
		for _, w := range []int{0, 2, 3, 5, 16} {
			pg := g.Parallel(w)
			q := make([]int8, n)
			pa := make([]AbsmaxParams, g.Groups(n))
			if err := QuantizeAbsmaxGroups(q, pa, x, pg); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(q, wantQ) || !slices.Equal(pa, wantA) {
				t.Errorf("%v: QuantizeAbsmaxGroups differs from the serial call", pg)
			}
			pz := make([]ZeroPointParams, g.Groups(n))
			if err := QuantizeZeroPointGroups(q, pz, f16, pg); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(q, wantZQ) || !slices.Equal(pz, wantZ) {
				t.Errorf("%v: QuantizeZeroPointGroups differs from the serial call", pg)
			}
			d := make([]Float16, n)
			DequantizeZeroPointGroups(d, q, pz, pg)
			if !slices.Equal(d, wantD) {
				t.Errorf("%v: DequantizeZeroPointGroups differs from the serial call", pg)
			}
		}
	}
	// Goroutines that have called wg.Done may take a moment to exit: up to
	// 10 s, for a loaded machine emulating another CPU (qemu).
	for range 1000 {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("%d goroutines before, %d after", before, runtime.NumGoroutine())
}

func TestGranularity(t *testing.T) {
	for _, c := range []struct {
		g      Granularity
		n      int
		groups int
		str    string
	}{
		{PerTensor(), 0, 1, "per tensor"},
		{PerTensor(), 100, 1, "per tensor"},
		{Granularity{}, 5, 1, "per tensor"},
		{PerRow(7), 21, 3, "per row of 7"},
		{PerRow(7), 0, 0, "per row of 7"},
		{PerBlock(32), 0, 0, "per block of 32"},
		{PerBlock(32), 33, 2, "per block of 32"},
		{PerBlock(32).Parallel(2), 64, 2, "per block of 32, 2 workers"},
		{PerRow(3).Parallel(1), 3, 1, "per row of 3"},
	} {
		if got := c.g.Groups(c.n); got != c.groups {
			t.Errorf("%v.Groups(%d) = %d, want %d", c.g, c.n, got, c.groups)
		}
		if got := c.g.String(); got != c.str {
			t.Errorf("String() = %q, want %q", got, c.str)
		}
	}
	if PerTensor().Parallel(0).workers != runtime.GOMAXPROCS(0) {
		t.Errorf("Parallel(0) does not use GOMAXPROCS workers")
	}
}

func TestGroupsPanics(t *testing.T) {
	x := make([]float32, 64)
	q := make([]int8, 64)
	pa := make([]AbsmaxParams, 2)
	pz := make([]ZeroPointParams, 2)
	for _, c := range []struct {
		name, want string
		f          func()
	}{
		{"PerRow(0)", "quant: PerRow: cols = 0 < 1", func() { PerRow(0) }},
		{"PerBlock(0)", "quant: PerBlock: size 0 is not a positive multiple of 8", func() { PerBlock(0) }},
		{"PerBlock(12)", "quant: PerBlock: size 12 is not a positive multiple of 8", func() { PerBlock(12) }},
		{"PerBlock(-8)", "quant: PerBlock: size -8 is not a positive multiple of 8", func() { PerBlock(-8) }},
		{"Groups rows", "quant: Groups: 64 values are not whole rows of 5", func() { PerRow(5).Groups(64) }},
		{"short dst", "quant: QuantizeAbsmaxGroups: len(dst) = 63 < len(src) = 64", func() { QuantizeAbsmaxGroups(q[:63], pa, x, PerBlock(32)) }},
		{"short params", "quant: QuantizeAbsmaxGroups: len(params) = 1 < 2 groups (per block of 32)", func() { QuantizeAbsmaxGroups(q, pa[:1], x, PerBlock(32)) }},
		{"not whole rows", "quant: QuantizeZeroPointGroups: 64 values are not whole rows of 6", func() { QuantizeZeroPointGroups(q, pz, x, PerRow(6)) }},
		{"short dequant dst", "quant: DequantizeAbsmaxGroups: len(dst) = 10 < len(src) = 64", func() { DequantizeAbsmaxGroups(make([]Float16, 10), q, pa, PerBlock(32)) }},
		{"short dequant params", "quant: DequantizeZeroPointGroups: len(params) = 0 < 1 groups (per tensor)", func() { DequantizeZeroPointGroups(x, q, nil, PerTensor()) }},
		{"bad zero point", "quant: DequantizeZeroPointGroups: params[1].ZeroPoint 2147483647 out of range", func() {
			DequantizeZeroPointGroups(x, q, []ZeroPointParams{{1, 0}, {1, math.MaxInt32}}, PerBlock(32))
		}},
	} {
		if got := panicText(c.f); got != c.want {
			t.Errorf("%s: panic %q, want %q", c.name, got, c.want)
		}
	}
	// Nothing is written before a panic on bad parameters.
	d := fill(make([]float32, 64), 5)
	panicText(func() { DequantizeZeroPointGroups(d, q, []ZeroPointParams{{1, 0}, {1, math.MinInt32}}, PerBlock(32)) })
	if slices.ContainsFunc(d, func(v float32) bool { return v != 5 }) {
		t.Errorf("DequantizeZeroPointGroups wrote dst before panicking")
	}
}

// The grouped functions do not allocate on the serial path. On every set,
// as TestNoAllocations says: only here is a whole call counted per set.
func TestGroupsNoAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector empties sync.Pool at random; the blockwise path then allocates its scratch")
	}
	const n = 4096
	x := gen(n, newRand(2).NormFloat64)
	f16, _, bf16, _ := groupInputs(x)
	q := make([]int8, n)
	pa := make([]AbsmaxParams, n)
	pz := make([]ZeroPointParams, n)
	out := make([]float32, n)
	out16 := make([]Float16, n)
	outB := make([]BFloat16, n)
	blocks := make([]byte, n/32*34)
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	forEachSet(t, func(t *testing.T) {
		for _, g := range []Granularity{PerTensor(), PerRow(64), PerBlock(32), PerRow(1)} {
			for name, f := range map[string]func(){
				"QuantizeAbsmaxGroups float32":     func() { must(QuantizeAbsmaxGroups(q, pa, x, g)) },
				"QuantizeAbsmaxGroups Float16":     func() { must(QuantizeAbsmaxGroups(q, pa, f16, g)) },
				"QuantizeZeroPointGroups BFloat16": func() { must(QuantizeZeroPointGroups(q, pz, bf16, g)) },
				"DequantizeAbsmaxGroups float32":   func() { DequantizeAbsmaxGroups(out, q, pa, g) },
				"DequantizeZeroPointGroups Float16": func() {
					DequantizeZeroPointGroups(out16, q, pz, g)
				},
				"EncodeQ8_0 Float16": func() { must(EncodeQ8_0(blocks, f16)) },
				"DecodeQ8_0 BFloat16": func() {
					DecodeQ8_0(outB, blocks)
				},
			} {
				if a := testing.AllocsPerRun(5, f); a != 0 {
					t.Errorf("%s %v: %v allocations per call, want 0", name, g, a)
				}
			}
		}
	})
}

// Blocks that the quick check cannot vouch for, though they have
// parameters: a narrow range far from zero (a zero point near the int32
// limit) and values near the float32 limit. The exact computation must
// accept them, in every path.
func TestGroupsDoubtfulBlocks(t *testing.T) {
	x := make([]float32, 32*8)
	for i := range x {
		switch i / 32 % 4 {
		case 0:
			x[i] = 2e6 + 0.125*float32(i%3) // ZeroPoint about -2.04e9
		case 1:
			x[i] = 3e38 - float32(i%5)*1e37
		case 2:
			x[i] = -float32(i%7) * 0.5
		default:
			x[i] = -3e38 + float32(i%3)*1e36
		}
	}
	f16, f16x, bf16, bf16x := groupInputs(x)
	for _, g := range []Granularity{PerBlock(32), PerBlock(8), PerRow(64), PerBlock(32).Parallel(2)} {
		checkGroupsPerTensor(t, "doubtful float32 "+g.String(), groupedZeroPoint, QuantizeZeroPointGroups, x, x, g)
		checkGroupsPerTensor(t, "doubtful Float16 "+g.String(), groupedZeroPoint, QuantizeZeroPointGroups, f16, f16x, g)
		checkGroupsPerTensor(t, "doubtful BFloat16 "+g.String(), groupedZeroPoint, QuantizeZeroPointGroups, bf16, bf16x, g)
		checkGroupsPerTensor(t, "doubtful float32 "+g.String(), groupedAbsmax, QuantizeAbsmaxGroups, x, x, g)
	}
	// The first block's zero point is near the int32 limit indeed.
	p := make([]ZeroPointParams, 8)
	if err := QuantizeZeroPointGroups(make([]int8, len(x)), p, x, PerBlock(32)); err != nil {
		t.Fatal(err)
	}
	if p[0].ZeroPoint > -2e9 {
		t.Errorf("block 0: ZeroPoint %d, want below -2e9", p[0].ZeroPoint)
	}
}
