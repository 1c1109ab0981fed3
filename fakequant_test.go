package quant

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// Fake quantization is specified by composition: the static quantizer,
// then the dequantizer, into the same type.

func TestFakeQuantizeMatchesComposition(t *testing.T) {
	splitSmall(t)
	for si, sh := range groupShapes() {
		x := groupData(uint64(si), sh.n, sh.g)
		f16, _, bf16, _ := groupInputs(x)
		desc := fmt.Sprintf("n=%d %v", sh.n, sh.g)
		checkFakeMatches(t, desc+" float32", x, sh.g)
		checkFakeMatches(t, desc+" Float16", f16, sh.g)
		checkFakeMatches(t, desc+" BFloat16", bf16, sh.g)
	}
	// Values beyond the grid and infinities, on several parameters and
	// across chunks, serial and split.
	for _, n := range []int{13, staticChunk + 9, 3*staticChunk + 100} {
		x := staticCase(uint64(n), n)
		f16, _, bf16, _ := groupInputs(x)
		for _, g := range []Granularity{PerTensor(), PerTensor().Parallel(3), PerBlock(32), PerBlock(2048).Parallel(2)} {
			desc := fmt.Sprintf("clamping n=%d %v", n, g)
			checkFakeWith(t, desc+" float32", x, g, 0.5, 77)
			checkFakeWith(t, desc+" Float16", f16, g, 3, -3000)
			checkFakeWith(t, desc+" BFloat16", bf16, g, 1e30, 0)
		}
	}
}

// checkFakeMatches feeds the computing quantizers' parameters to
// checkFake.
func checkFakeMatches[T Float](t *testing.T, desc string, src []T, g Granularity) {
	t.Helper()
	n, ng := len(src), g.Groups(len(src))
	q := make([]int8, n)
	pa, pz := make([]AbsmaxParams, ng), make([]ZeroPointParams, ng)
	if QuantizeAbsmaxGroups(q, pa, src, g) == nil {
		checkFake(t, desc, src, g, pa)
	}
	if QuantizeZeroPointGroups(q, pz, src, g) == nil {
		checkFake(t, desc, src, g, pz)
	}
}

// checkFakeWith checks both methods with the same parameters in every
// group.
func checkFakeWith[T Float](t *testing.T, desc string, src []T, g Granularity, scale float32, zero int32) {
	t.Helper()
	ng := g.Groups(len(src))
	checkFake(t, desc, src, g, repeat(AbsmaxParams{Scale: scale}, ng))
	checkFake(t, desc, src, g, repeat(ZeroPointParams{Scale: scale, ZeroPoint: zero}, ng))
}

// checkFake compares the fake quantizers of params' method with their
// composition, into a new dst and in place.
func checkFake[T Float, P AbsmaxParams | ZeroPointParams](t *testing.T, desc string, src []T, g Granularity, params []P) {
	t.Helper()
	n := len(src)
	q, want, got, inPlace := make([]int8, n), make([]T, n), make([]T, n), slices.Clone(src)
	var err, errInPlace error
	switch ps := any(params).(type) {
	case []AbsmaxParams:
		desc += " absmax"
		if err := QuantizeAbsmaxGroupsWith(q, src, ps, g); err != nil {
			t.Fatalf("%s: QuantizeAbsmaxGroupsWith: %v", desc, err)
		}
		DequantizeAbsmaxGroups(want, q, ps, g)
		err = FakeQuantizeAbsmaxGroups(got, src, ps, g)
		if g.size == 0 {
			errInPlace = FakeQuantizeAbsmax(inPlace, inPlace, ps[0])
		}
	case []ZeroPointParams:
		desc += " zero point"
		if err := QuantizeZeroPointGroupsWith(q, src, ps, g); err != nil {
			t.Fatalf("%s: QuantizeZeroPointGroupsWith: %v", desc, err)
		}
		DequantizeZeroPointGroups(want, q, ps, g)
		err = FakeQuantizeZeroPointGroups(got, src, ps, g)
		if g.size == 0 {
			errInPlace = FakeQuantizeZeroPoint(inPlace, inPlace, ps[0])
		}
	}
	if i := firstDiff(bitsOf(got), bitsOf(want)); err != nil || i >= 0 {
		t.Fatalf("%s: %v; at %d: got %v, want %v (q = %v)", desc, err, i, at(bitsOf(got), i), at(bitsOf(want), i), at(bitsOf(q), i))
	}
	if g.size != 0 {
		return
	}
	if i := firstDiff(bitsOf(inPlace), bitsOf(want)); errInPlace != nil || i >= 0 {
		t.Fatalf("%s, per tensor in place: %v; first difference at %d", desc, errInPlace, i)
	}
}

func TestFakeQuantizeErrors(t *testing.T) {
	splitSmall(t)
	n := 2*parallelMin + 1000
	x := tame(randomFloats(newRand(5), n, true))
	at := parallelMin + 3
	x[at] = float32(math.NaN())
	_, _, bf16, _ := groupInputs(x)
	dst := make([]float32, n)
	for _, c := range []struct {
		desc string
		err  error
	}{
		{"FakeQuantizeAbsmax", FakeQuantizeAbsmax(dst, x, AbsmaxParams{Scale: 2})},
		{"FakeQuantizeZeroPoint", FakeQuantizeZeroPoint(bf16, bf16, ZeroPointParams{Scale: 2, ZeroPoint: 1})},
		{"FakeQuantizeAbsmaxGroups", FakeQuantizeAbsmaxGroups(dst, x, repeat(AbsmaxParams{Scale: 2}, 1), PerTensor().Parallel(4))},
		{"FakeQuantizeZeroPointGroups", FakeQuantizeZeroPointGroups(bf16, bf16, repeat(ZeroPointParams{Scale: 2}, n/8), PerRow(8).Parallel(4))},
	} {
		if !errors.Is(c.err, ErrNotFinite) || !strings.Contains(c.err.Error(), fmt.Sprintf("src[%d] = NaN", at)) {
			t.Errorf("%s with a NaN at %d: %v", c.desc, at, c.err)
		}
	}
	src := []float32{1, 2, 3}
	out := fill(make([]float32, 3), 9)
	if err := FakeQuantizeAbsmax(out, src, AbsmaxParams{}); !errors.Is(err, ErrParams) || !slices.Equal(out, []float32{9, 9, 9}) {
		t.Errorf("FakeQuantizeAbsmax, Scale 0: %v, dst %v", err, out)
	}
	if err := FakeQuantizeZeroPointGroups(out, src, []ZeroPointParams{{Scale: 1}, {Scale: 1, ZeroPoint: math.MaxInt32}, {Scale: 1}}, PerRow(1)); !errors.Is(err, ErrParams) || !strings.Contains(err.Error(), "row 1: ") || !slices.Equal(out, []float32{9, 9, 9}) {
		t.Errorf("FakeQuantizeZeroPointGroups, bad row 1: %v, dst %v", err, out)
	}
	if got := panicText(func() { _ = FakeQuantizeAbsmax(make([]Float16, 2), make([]Float16, 3), AbsmaxParams{Scale: 1}) }); got != "quant: FakeQuantizeAbsmax: len(dst) = 2 < len(src) = 3" {
		t.Errorf("short dst: panic %q", got)
	}
}

func TestFakeQuantizeNoAllocations(t *testing.T) {
	x := tame(randomFloats(newRand(3), 3*staticChunk+5, true))
	_, _, bf16, _ := groupInputs(x)
	dst, dst16 := make([]float32, len(x)), make([]BFloat16, len(x))
	pz := repeat(ZeroPointParams{Scale: 3, ZeroPoint: 5}, PerBlock(32).Groups(len(x)))
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"FakeQuantizeAbsmax", func() { _ = FakeQuantizeAbsmax(dst, x, AbsmaxParams{Scale: 3}) }},
		{"FakeQuantizeZeroPoint BFloat16", func() { _ = FakeQuantizeZeroPoint(dst16, bf16, pz[0]) }},
		{"FakeQuantizeZeroPointGroups PerBlock BFloat16", func() { _ = FakeQuantizeZeroPointGroups(dst16, bf16, pz, PerBlock(32)) }},
	} {
		c.f()
		if a := testing.AllocsPerRun(20, c.f); a != 0 {
			t.Errorf("%s: %v allocations per call", c.name, a)
		}
	}
}

// inGrid is the mask's formula, one value at a time.
func inGrid(x, scale float32, zero, qmin, qmax int32) bool {
	r := math.RoundToEven(float64(float32(x*scale) + float32(zero)))
	return float64(qmin) <= r && r <= float64(qmax)
}

func TestFakeQuantizeMask(t *testing.T) {
	splitSmall(t)
	for _, n := range []int{0, 5, 33, staticChunk + 9, 2*parallelMin + 3} {
		x := staticCase(uint64(n)+1, n)
		f16, f16x, bf16, bf16x := groupInputs(x)
		checkMask(t, fmt.Sprintf("n=%d float32", n), x, x)
		checkMask(t, fmt.Sprintf("n=%d Float16", n), f16, f16x)
		checkMask(t, fmt.Sprintf("n=%d BFloat16", n), bf16, bf16x)
	}
}

func checkMask[T Float](t *testing.T, desc string, src []T, x []float32) {
	t.Helper()
	n := len(src)
	const scale, zero = 3, -100
	pa, pz := AbsmaxParams{Scale: scale}, ZeroPointParams{Scale: scale, ZeroPoint: zero}
	want, got := make([]T, n), make([]T, n)
	mask := make([]bool, n)
	check := func(name string, err error, zero, qmin int32) {
		t.Helper()
		if err != nil || firstDiff(bitsOf(got), bitsOf(want)) >= 0 {
			t.Fatalf("%s: %s: %v; values differ from the unmasked call at %d", desc, name, err, firstDiff(bitsOf(got), bitsOf(want)))
		}
		for i, v := range x {
			if mask[i] != inGrid(v, scale, zero, qmin, 127) {
				t.Fatalf("%s: %s: mask[%d] = %v for x = %v", desc, name, i, mask[i], v)
			}
		}
	}
	_ = FakeQuantizeAbsmax(want, src, pa)
	check("FakeQuantizeAbsmaxMask", FakeQuantizeAbsmaxMask(got, mask, src, pa), 0, -127)
	g := PerBlock(64).Parallel(3)
	check("FakeQuantizeAbsmaxGroupsMask", FakeQuantizeAbsmaxGroupsMask(got, mask, src, repeat(pa, g.Groups(n)), g), 0, -127)
	_ = FakeQuantizeZeroPoint(want, src, pz)
	check("FakeQuantizeZeroPointMask", FakeQuantizeZeroPointMask(got, mask, src, pz), zero, -128)
	check("FakeQuantizeZeroPointGroupsMask", FakeQuantizeZeroPointGroupsMask(got, mask, src, repeat(pz, g.Groups(n)), g), zero, -128)
}

func TestFakeQuantizeBackward(t *testing.T) {
	r := newRand(11)
	for _, n := range []int{0, 1, 7, 8, 33, 300, 5000} {
		g := randomFloats(r, n, false) // NaN payloads included
		mask := make([]bool, n)
		for i := range mask {
			mask[i] = r.IntN(3) > 0
		}
		checkBackward(t, g, mask)
		h := make([]uint16, n)
		for i := range h {
			h[i] = uint16(r.Uint32())
		}
		checkBackward(t, convertSlice[Float16](h), mask)
		checkBackward(t, convertSlice[BFloat16](h), mask)
	}
	if got := panicText(func() { FakeQuantizeBackward(make([]float32, 3), make([]float32, 3), make([]bool, 2)) }); got != "quant: FakeQuantizeBackward: len(mask) = 2 < 3 values" {
		t.Errorf("short mask: panic %q", got)
	}
	short := func() {
		_ = FakeQuantizeAbsmaxGroupsMask(make([]float32, 4), nil, make([]float32, 4), repeat(AbsmaxParams{Scale: 1}, 2), PerRow(2))
	}
	if got := panicText(short); got != "quant: FakeQuantizeAbsmaxGroupsMask: len(mask) = 0 < 4 values" {
		t.Errorf("grouped, nil mask: panic %q", got)
	}
}

func checkBackward[T Float](t *testing.T, gradOut []T, mask []bool) {
	t.Helper()
	want := make([]T, len(gradOut))
	for i, v := range gradOut {
		if mask[i] {
			want[i] = v
		}
	}
	got := make([]T, len(gradOut))
	FakeQuantizeBackward(got, gradOut, mask)
	if i := firstDiff(bitsOf(got), bitsOf(want)); i >= 0 {
		t.Fatalf("%T n=%d: at %d (mask %v): got %v, want %v", gradOut, len(gradOut), i, mask[i], got[i], want[i])
	}
	inPlace := slices.Clone(gradOut)
	FakeQuantizeBackward(inPlace, inPlace, mask)
	if i := firstDiff(bitsOf(inPlace), bitsOf(want)); i >= 0 {
		t.Fatalf("%T n=%d in place: at %d", gradOut, len(gradOut), i)
	}
}

func TestFakeQuantizeMaskNoAllocations(t *testing.T) {
	x := tame(randomFloats(newRand(3), 3*staticChunk+5, true))
	_, _, bf16, _ := groupInputs(x)
	dst, dst16, mask := make([]float32, len(x)), make([]BFloat16, len(x)), make([]bool, len(x))
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"FakeQuantizeAbsmaxMask", func() { _ = FakeQuantizeAbsmaxMask(dst, mask, x, AbsmaxParams{Scale: 3}) }},
		{"FakeQuantizeZeroPointMask BFloat16", func() { _ = FakeQuantizeZeroPointMask(dst16, mask, bf16, ZeroPointParams{Scale: 3}) }},
		{"FakeQuantizeBackward", func() { FakeQuantizeBackward(dst, x, mask) }},
		{"FakeQuantizeBackward BFloat16", func() { FakeQuantizeBackward(dst16, bf16, mask) }},
	} {
		c.f()
		if a := testing.AllocsPerRun(20, c.f); a != 0 {
			t.Errorf("%s: %v allocations per call", c.name, a)
		}
	}
}

// In place, a NaN is still named by the error (the kernel may overwrite
// it in its pass).
func TestFakeQuantizeInPlaceNaN(t *testing.T) {
	for _, n := range []int{1, 40, staticChunk + 9} {
		for _, at := range []int{0, n / 2, n - 1} {
			mk := func() []float32 {
				x := make([]float32, n)
				for i := range x {
					x[i] = float32(i%7) - 3
				}
				x[at] = float32(math.NaN())
				return x
			}
			want := fmt.Sprintf("src[%d] = NaN", at)
			x := mk()
			y := mk()
			z := mk()
			m := make([]bool, n)
			for name, err := range map[string]error{
				"FakeQuantizeZeroPoint": FakeQuantizeZeroPoint(x, x, ZeroPointParams{Scale: 1}),
				"FakeQuantizeAbsmax":    FakeQuantizeAbsmax(y, y, AbsmaxParams{Scale: 1}),
				"FakeQuantizePyTorch":   FakeQuantizePyTorch(z, m, z, AffineParams{Scale: 1}, -128, 127),
			} {
				if !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), want) {
					t.Errorf("%s in place, n=%d, NaN at %d: %v", name, n, at, err)
				}
			}
		}
	}
}
