package quant

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

const u = 0x1p-24 // unit roundoff of float32

func TestReductionsEmpty(t *testing.T) {
	for _, s := range [][]float32{nil, {}} {
		if a := AbsMax(s); bits32(a) != 0 {
			t.Errorf("AbsMax(%v) = %v (%#08x), want +0", s, a, bits32(a))
		}
		if lo, hi := MinMax(s); bits32(lo) != 0 || bits32(hi) != 0 {
			t.Errorf("MinMax(%v) = (%v, %v), want (+0, +0)", s, lo, hi)
		}
	}
}

// A NaN anywhere, of either sign, quiet or signalling, makes both
// reductions return the quiet NaN 0x7FC00000, whatever else is there.
func TestReductionsNaNAnywhere(t *testing.T) {
	maxN := 100
	if testing.Short() {
		maxN = 70
	}
	r := newRand(4)
	for n := 1; n <= maxN; n++ {
		base := randomFloats(r, n, true)
		if n%3 == 0 { // infinities must not hide a NaN either
			base[r.IntN(n)] = float32(math.Inf(1 - 2*(n%2)))
		}
		for i := range n {
			for _, nb := range nanBits {
				s := slices.Clone(base)
				s[i] = f32(nb)
				if a := AbsMax(s); bits32(a) != quietNaN {
					t.Fatalf("n = %d, NaN %#08x at %d: AbsMax = %#08x, want %#08x", n, nb, i, bits32(a), quietNaN)
				}
				if lo, hi := MinMax(s); bits32(lo) != quietNaN || bits32(hi) != quietNaN {
					t.Fatalf("n = %d, NaN %#08x at %d: MinMax = (%#08x, %#08x), want the quiet NaN twice", n, nb, i, bits32(lo), bits32(hi))
				}
			}
		}
	}
}

func TestReductionsInfinities(t *testing.T) {
	r := newRand(5)
	for n := 1; n <= 40; n++ {
		base := randomFloats(r, n, true)
		for i := range n {
			for _, sign := range []int{1, -1} {
				s := slices.Clone(base)
				s[i] = float32(math.Inf(sign))
				if a := AbsMax(s); bits32(a) != 0x7F800000 {
					t.Fatalf("n = %d, Inf(%d) at %d: AbsMax = %v, want +Inf", n, sign, i, a)
				}
				lo, hi := MinMax(s)
				if sign < 0 && bits32(lo) != 0xFF800000 || sign > 0 && bits32(hi) != 0x7F800000 {
					t.Fatalf("n = %d, Inf(%d) at %d: MinMax = (%v, %v)", n, sign, i, lo, hi)
				}
			}
		}
	}
}

// Zeros order as -0 < +0, and AbsMax is never negative.
func TestReductionsSignedZeros(t *testing.T) {
	negZero := f32(0x80000000)
	cases := []struct {
		in     []float32
		lo, hi uint32
	}{
		{[]float32{0, negZero}, 0x80000000, 0},
		{[]float32{negZero, 0}, 0x80000000, 0},
		{[]float32{negZero, 0, negZero}, 0x80000000, 0},
		{[]float32{negZero}, 0x80000000, 0x80000000},
		{[]float32{negZero, negZero, negZero, negZero, negZero, negZero, negZero, negZero, negZero}, 0x80000000, 0x80000000},
		{[]float32{0, 0}, 0, 0},
		{[]float32{negZero, 1}, 0x80000000, bits32(1)},
		{[]float32{0, -1}, bits32(-1), 0},
		{[]float32{negZero, -1}, bits32(-1), 0x80000000},
		{[]float32{0, negZero, 1, -1}, bits32(-1), bits32(1)},
	}
	for _, c := range cases {
		for _, lead := range []int{0, 3, 8, 31} { // repeat the first value to move the rest across lanes
			s := append(fill(make([]float32, lead), c.in[0]), c.in...)
			lo, hi := MinMax(s)
			if bits32(lo) != c.lo || bits32(hi) != c.hi {
				t.Errorf("MinMax(%v) = (%#08x, %#08x), want (%#08x, %#08x)", s, bits32(lo), bits32(hi), c.lo, c.hi)
			}
			if a := AbsMax(s); math.Signbit(float64(a)) {
				t.Errorf("AbsMax(%v) = %v: negative", s, a)
			}
		}
	}
	if a := AbsMax([]float32{-5, 3}); bits32(a) != bits32(5) {
		t.Errorf("AbsMax(-5, 3) = %v, want +5", a)
	}
}

// totalLess orders non-NaN values with -0 < +0.
func totalLess(a, b float32) bool {
	if a == b {
		return math.Signbit(float64(a)) && !math.Signbit(float64(b))
	}
	return a < b
}

func TestReductionsReference(t *testing.T) {
	r := newRand(6)
	for n := 1; n <= 300; n += 1 + n/8 {
		for range 20 {
			s := randomFloats(r, n, r.IntN(2) == 0)
			for i, x := range s {
				if x != x {
					s[i] = float32(math.Inf(1 - 2*(i%2)))
				}
			}
			a, lo, hi := float32(0), s[0], s[0]
			for _, x := range s {
				a = max(a, float32(math.Abs(float64(x))))
				if totalLess(x, lo) {
					lo = x
				}
				if totalLess(hi, x) {
					hi = x
				}
			}
			if got := AbsMax(s); bits32(got) != bits32(a) {
				t.Fatalf("AbsMax(%v) = %v, want %v", s, got, a)
			}
			if glo, ghi := MinMax(s); bits32(glo) != bits32(lo) || bits32(ghi) != bits32(hi) {
				t.Fatalf("MinMax(%v) = (%v, %v), want (%v, %v)", s, glo, ghi, lo, hi)
			}
		}
	}
}

// The worked example of the specification: a tensor from -3.0 to 3.2.
func TestWorkedExample(t *testing.T) {
	src := []float32{-3.0, 3.2, 0.1, 0, 1.5, -0.7}
	q := make([]int8, len(src))
	ap, err := QuantizeAbsmax(q, src)
	if err != nil {
		t.Fatal(err)
	}
	if ap.Scale != 127/float32(3.2) {
		t.Errorf("absmax Scale = %v, want 127/3.2 = %v", ap.Scale, 127/float32(3.2))
	}
	if want := []int8{-119, 127, 4, 0, 60, -28}; !slices.Equal(q, want) {
		t.Errorf("absmax q = %v, want %v", q, want)
	}

	zp, err := QuantizeZeroPoint(q, src)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(float64(zp.Scale)-41.13) > 0.005 || zp.ZeroPoint != -5 {
		t.Errorf("zero-point params = %+v, want Scale ≈ 41.13 (255/6.2), ZeroPoint -5", zp)
	}
	if want := []int8{-128, 127, -1, -5, 57, -34}; !slices.Equal(q, want) {
		t.Errorf("zero-point q = %v, want %v", q, want)
	}
	d := make([]float32, len(q))
	DequantizeZeroPoint(d, q, zp)
	if d[3] != 0 {
		t.Errorf("0 round-trips to %v: zero must be exact", d[3])
	}
}

func TestQuantizeAllZeros(t *testing.T) {
	negZero := f32(0x80000000)
	for _, n := range []int{1, 7, 8, 9, 33, 100} {
		for _, src := range [][]float32{make([]float32, n), fill(make([]float32, n), negZero)} {
			src[n/2] = negZero
			q := fill(make([]int8, n), sentinel8)
			ap, err := QuantizeAbsmax(q, src)
			if err != nil || ap.Scale != 1 || slices.ContainsFunc(q, func(v int8) bool { return v != 0 }) {
				t.Fatalf("QuantizeAbsmax(%d zeros) = %v, %v, q %v; want Scale 1, all q 0", n, ap, err, q)
			}
			d := fill(make([]float32, n), sentinel32)
			DequantizeAbsmax(d, q, ap)
			for _, v := range d {
				if v != 0 {
					t.Fatalf("absmax zeros dequantize to %v", v)
				}
			}

			q = fill(make([]int8, n), sentinel8)
			zp, err := QuantizeZeroPoint(q, src)
			if err != nil || zp != (ZeroPointParams{Scale: 1}) || slices.ContainsFunc(q, func(v int8) bool { return v != 0 }) {
				t.Fatalf("QuantizeZeroPoint(%d zeros) = %+v, %v, q %v; want Scale 1, ZeroPoint 0, all q 0", n, zp, err, q)
			}
			DequantizeZeroPoint(d, q, zp)
			for _, v := range d {
				if v != 0 {
					t.Fatalf("zero-point zeros dequantize to %v", v)
				}
			}
		}
	}
}

// distributions of test tensors, each a function of a random source and
// a length. Products are converted before a sum so that no GOARCH fuses
// them: every host tests the same data.
var distributions = []struct {
	name string
	gen  func(r *rand.Rand, n int) []float32
}{
	{"uniform", func(r *rand.Rand, n int) []float32 { return gen(n, func() float64 { return 2*r.Float64() - 1 }) }},
	{"weights", func(r *rand.Rand, n int) []float32 { return gen(n, func() float64 { return 0.02 * r.NormFloat64() }) }},
	{"wide-normal", func(r *rand.Rand, n int) []float32 { return gen(n, func() float64 { return 1e3 * r.NormFloat64() }) }},
	{"log-uniform", func(r *rand.Rand, n int) []float32 {
		return gen(n, func() float64 { return math.Ldexp(1-2*float64(r.IntN(2)), r.IntN(240)-120) * (1 + r.Float64()) })
	}},
	{"outlier", func(r *rand.Rand, n int) []float32 {
		s := gen(n, func() float64 { return r.NormFloat64() })
		s[r.IntN(n)] = 1e4
		return s
	}},
	{"positive", func(r *rand.Rand, n int) []float32 { return gen(n, func() float64 { return 10 + r.Float64() }) }},
	{"negative", func(r *rand.Rand, n int) []float32 {
		return gen(n, func() float64 { return -1e6 + float64(9e5*r.Float64()) })
	}},
	{"offset", func(r *rand.Rand, n int) []float32 {
		return gen(n, func() float64 { return 1000 + float64(0.01*r.NormFloat64()) })
	}},
	{"small-ints", func(r *rand.Rand, n int) []float32 { return gen(n, func() float64 { return float64(r.IntN(17) - 8) }) }},
	{"halves", func(r *rand.Rand, n int) []float32 {
		return gen(n, func() float64 { return float64(r.IntN(255)-127) / 2 })
	}},
	{"tiny", func(r *rand.Rand, n int) []float32 { return gen(n, func() float64 { return 1e-30 * r.NormFloat64() }) }},
	{"huge", func(r *rand.Rand, n int) []float32 { return gen(n, func() float64 { return 1e37 * r.NormFloat64() }) }},
	{"random-bits", func(r *rand.Rand, n int) []float32 {
		return gen(n, func() float64 {
			for {
				if x := f32(r.Uint32()); !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0) {
					return float64(x)
				}
			}
		})
	}},
}

func gen(n int, f func() float64) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(f())
	}
	return s
}

var testLengths = []int{1, 2, 7, 8, 9, 16, 31, 32, 33, 64, 65, 100, 1000}

// Absmax quantization of finite data: q is within 1 of the exact
// 127x/max|x|, and dequantizing gets back within half a step of x, up to
// float32 rounding.
func TestQuantizeAbsmaxProperties(t *testing.T) {
	r := newRand(7)
	for _, dist := range distributions {
		for _, n := range testLengths {
			src := dist.gen(r, n)
			orig := slices.Clone(src)
			q := make([]int8, n)
			p, err := QuantizeAbsmax(q, src)
			a := AbsMax(src)
			if err != nil {
				if errors.Is(err, ErrRange) && float64(127)/float64(a) > math.MaxFloat32 {
					continue
				}
				t.Fatalf("%s n=%d: %v", dist.name, n, err)
			}
			if p.Scale != 127/a || p.Scale == 0 || math.IsInf(float64(p.Scale), 0) {
				t.Fatalf("%s n=%d: Scale = %v, want 127/%v = %v", dist.name, n, p.Scale, a, 127/a)
			}
			d := make([]float32, n)
			DequantizeAbsmax(d, q, p)
			step := float64(a) / 127
			for i, x := range src {
				exact := math.RoundToEven(127 * float64(x) / float64(a))
				if math.Abs(float64(q[i])-exact) > 1 || q[i] == -128 {
					t.Fatalf("%s n=%d: x = %v, a = %v: q = %d, want %v ± 1", dist.name, n, x, a, q[i], exact)
				}
				if err := math.Abs(float64(d[i]) - float64(x)); err > 0.5*step*(1+4*u)+4*u*float64(a) {
					t.Fatalf("%s n=%d: x = %v -> q %d -> %v: error %g is more than half a step (%g)", dist.name, n, x, q[i], d[i], err, step/2)
				}
			}
			if !slices.Equal(bitsOf(src), bitsOf(orig)) {
				t.Fatalf("%s n=%d: source modified", dist.name, n)
			}
		}
	}
}

// 127/a overflows float32 exactly when a is below a threshold near
// 3.7e-37: below it QuantizeAbsmax fails with ErrRange and writes nothing.
func TestQuantizeAbsmaxErrRange(t *testing.T) {
	// The smallest a with a finite 127/a.
	a0 := float32(127 / math.MaxFloat32)
	for !math.IsInf(float64(127/nextDown(a0)), 0) {
		a0 = nextDown(a0)
	}
	for math.IsInf(float64(127/a0), 0) {
		a0 = nextUp(a0)
	}
	if a0 < 3.7e-37 || a0 > 3.8e-37 {
		t.Fatalf("threshold %v is not near 3.7e-37 as documented", a0)
	}
	for _, n := range []int{1, 8, 33} {
		q := fill(make([]int8, n), sentinel8)
		src := fill(make([]float32, n), -a0)
		if p, err := QuantizeAbsmax(q, src); err != nil || math.IsInf(float64(p.Scale), 0) || q[0] != -127 {
			t.Errorf("max|x| = %v: %+v, %v, q[0] = %d; want success", a0, p, err, q[0])
		}
		for _, src := range [][]float32{
			fill(make([]float32, n), nextDown(a0)),
			fill(make([]float32, n), 1e-38),
			fill(make([]float32, n), -1e-38),
			fill(make([]float32, n), f32(1)),
			fill(make([]float32, n), f32(0x807FFFFF)),
			append(make([]float32, n), 3e-37),
		} {
			q := fill(make([]int8, len(src)), sentinel8)
			p, err := QuantizeAbsmax(q, src)
			if !errors.Is(err, ErrRange) || errors.Is(err, ErrNotFinite) {
				t.Errorf("max|x| = %v: err = %v, want ErrRange", AbsMax(src), err)
			}
			if p.Scale != 0 {
				t.Errorf("max|x| = %v: params %+v returned with the error", AbsMax(src), p)
			}
			if err != nil && !strings.Contains(err.Error(), "QuantizeAbsmax") {
				t.Errorf("error %q does not name QuantizeAbsmax", err)
			}
			if slices.ContainsFunc(q, func(v int8) bool { return v != sentinel8 }) {
				t.Errorf("max|x| = %v: dst written on error: %v", AbsMax(src), q)
			}
		}
	}
}

// Both quantizers reject NaNs and infinities wherever they are, naming the
// first one, and write nothing.
func TestQuantizeNotFinite(t *testing.T) {
	bad := append(slices.Clone(nanBits), 0x7F800000, 0xFF800000)
	type quantizer struct {
		name string
		f    func(dst []int8, src []float32) error
	}
	qs := []quantizer{
		{"QuantizeAbsmax", func(d []int8, s []float32) error { _, err := QuantizeAbsmax(d, s); return err }},
		{"QuantizeZeroPoint", func(d []int8, s []float32) error { _, err := QuantizeZeroPoint(d, s); return err }},
	}
	r := newRand(8)
	for n := 1; n <= 40; n++ {
		base := randomFloats(r, n, true)
		for i := range n {
			for bi, b := range bad {
				src := slices.Clone(base)
				src[i] = f32(b)
				if i+1 < n { // a later offender must not be the one named
					src[n-1] = f32(bad[(bi+1)%len(bad)])
				}
				for _, qz := range qs {
					q := fill(make([]int8, n+3), sentinel8)
					err := qz.f(q, src)
					if !errors.Is(err, ErrNotFinite) || errors.Is(err, ErrRange) {
						t.Fatalf("%s: %#08x at %d of %d: err = %v, want ErrNotFinite", qz.name, b, i, n, err)
					}
					msg := err.Error()
					if !strings.Contains(msg, fmt.Sprintf("src[%d]", i)) || !strings.Contains(msg, qz.name) {
						t.Fatalf("%s: %#08x at %d of %d: error %q does not name the function and src[%d]", qz.name, b, i, n, msg, i)
					}
					if slices.ContainsFunc(q, func(v int8) bool { return v != sentinel8 }) {
						t.Fatalf("%s: %#08x at %d of %d: dst written on error", qz.name, b, i, n)
					}
				}
			}
		}
	}
	// The parameters returned with an error are zero.
	if p, _ := QuantizeAbsmax(make([]int8, 2), []float32{1, float32(math.NaN())}); p != (AbsmaxParams{}) {
		t.Errorf("QuantizeAbsmax returned %+v with an error", p)
	}
	if p, _ := QuantizeZeroPoint(make([]int8, 2), []float32{1, float32(math.Inf(-1))}); p != (ZeroPointParams{}) {
		t.Errorf("QuantizeZeroPoint returned %+v with an error", p)
	}
}

// ulpDiff returns the distance in float32 steps between a and b of equal sign.
func ulpDiff(a, b float32) int64 {
	if math.Signbit(float64(a)) != math.Signbit(float64(b)) {
		return math.MaxInt64
	}
	d := int64(bits32(a)&0x7FFFFFFF) - int64(bits32(b)&0x7FFFFFFF)
	return max(d, -d)
}

// A constant tensor has no range: it gets Scale 127/|c|, ZeroPoint 0, q =
// ±127 and comes back within an ulp.
func TestQuantizeZeroPointConstant(t *testing.T) {
	consts := []float32{1, -1, 0.1, -7.5, 1e-30, -1e-30, 3e38, -3e38, 1000.001, 1e-36, -4e-37, math.MaxFloat32, -math.MaxFloat32}
	r := newRand(9)
	for range 200 {
		consts = append(consts, f32(r.Uint32()&0x807FFFFF|uint32(8+r.IntN(246))<<23))
	}
	for _, c := range consts {
		for _, n := range []int{1, 9, 33} {
			src := fill(make([]float32, n), c)
			q := make([]int8, n)
			p, err := QuantizeZeroPoint(q, src)
			if err != nil {
				t.Fatalf("constant %v: %v", c, err)
			}
			a := float32(math.Abs(float64(c)))
			if p.Scale != 127/a || p.ZeroPoint != 0 {
				t.Fatalf("constant %v: params %+v, want Scale 127/|c| = %v, ZeroPoint 0", c, p, 127/a)
			}
			want := int8(127)
			if c < 0 {
				want = -127
			}
			d := make([]float32, n)
			DequantizeZeroPoint(d, q, p)
			for i := range q {
				if q[i] != want || ulpDiff(d[i], c) > 1 {
					t.Fatalf("constant %v (%#08x): q = %d -> %v (%#08x), want %d and within an ulp", c, bits32(c), q[i], d[i], bits32(d[i]), want)
				}
			}
		}
	}
}

// Ranges wider than float32 (computed in float64) still give finite
// parameters and a sensible round trip.
func TestQuantizeZeroPointHugeRange(t *testing.T) {
	for _, c := range [][]float32{
		{3e38, -3e38, 0, 1e38, -1e37},
		{-3e38, 3e38},
		{3.3e38, -3.3e38},
		{math.MaxFloat32, 0, -1},
		{-math.MaxFloat32, 0, 1},
	} {
		checkZeroPoint(t, "huge", c)
	}
}

// When max is within half a step of MaxFloat32 (or min of -MaxFloat32),
// the integer zero point can put the grid point nearest to it beyond
// MaxFloat32, so q would dequantize to ±Inf: {M, -M} always, {M, x} for
// about half of all x. zeroPointParams refuses such grids with ErrRange;
// this test fails, naming the values, if a quantizer returns one.
func TestQuantizeZeroPointNearMaxFloat32(t *testing.T) {
	const m = math.MaxFloat32
	cases := [][]float32{
		{m, -m, 0},
		{m, 1.1009643e+38},
		{m, 3.3999872e+38, m},
		{-m, -2.4998155e+38},
		{m, 0}, {m, -1}, {-m, 0}, {-m, 1},
	}
	var bad []string
	for _, src := range cases {
		q := make([]int8, len(src))
		p, err := QuantizeZeroPoint(q, src)
		if err != nil {
			continue // ErrRange: the documented answer where the grid would overflow
		}
		d := make([]float32, len(src))
		DequantizeZeroPoint(d, q, p)
		for i, v := range d {
			if math.IsInf(float64(v), 0) {
				bad = append(bad, fmt.Sprintf("%v %+v: %v -> q %d -> %v", src, p, src[i], q[i], v))
			}
		}
	}
	if len(bad) > 0 {
		t.Fatalf("zero-point grid overflows float32 (want ErrRange instead):\n%s", strings.Join(bad, "\n"))
	}
	for _, src := range cases {
		checkZeroPoint(t, "near-max", src)
	}
}

// checkZeroPoint quantizes src with QuantizeZeroPoint and checks every
// documented property: the formulas for Scale and ZeroPoint, the bounds of
// ZeroPoint, q of min and max, and the round trip error.
func checkZeroPoint(t *testing.T, name string, src []float32) {
	t.Helper()
	n := len(src)
	orig := slices.Clone(src)
	q := fill(make([]int8, n), sentinel8)
	p, err := QuantizeZeroPoint(q, src)
	lo, hi := MinMax(src)
	if !slices.Equal(bitsOf(src), bitsOf(orig)) {
		t.Fatalf("%s n=%d: source modified", name, n)
	}
	if lo == hi {
		return // constants: TestQuantizeZeroPointConstant
	}
	s64 := 255 / (float64(hi) - float64(lo))
	if err != nil {
		// Only where Scale overflows or ZeroPoint leaves its bounds.
		s := float32(s64)
		z := -math.RoundToEven(float64(float32(s*lo))) - 128
		if errors.Is(err, ErrRange) && (math.IsInf(float64(s), 0) || z < math.MinInt32+128 || z > math.MaxInt32-128 ||
			gridOverflows(s, int64(z))) {
			return
		}
		t.Fatalf("%s n=%d [%v, %v]: unexpected %v", name, n, lo, hi, err)
	}
	if p.Scale != float32(s64) || p.Scale == 0 || math.IsInf(float64(p.Scale), 0) {
		t.Fatalf("%s n=%d [%v, %v]: Scale = %v, want float32(255/(max-min)) = %v", name, n, lo, hi, p.Scale, float32(s64))
	}
	// A zero point one off the formula is acceptable only where the
	// formula's grid does not fit in float32 and the shifted one does.
	shifted := false
	if want := -math.RoundToEven(float64(float32(p.Scale*lo))) - 128; float64(p.ZeroPoint) != want {
		if math.Abs(float64(p.ZeroPoint)-want) != 1 || !gridOverflows(p.Scale, int64(want)) || gridOverflows(p.Scale, int64(p.ZeroPoint)) {
			t.Fatalf("%s n=%d [%v, %v]: ZeroPoint = %d, want -roundEven(float32(Scale*min)) - 128 = %v", name, n, lo, hi, p.ZeroPoint, want)
		}
		shifted = true
	}
	if p.ZeroPoint < math.MinInt32+128 || p.ZeroPoint > math.MaxInt32-128 {
		t.Fatalf("%s n=%d: ZeroPoint %d out of bounds", name, n, p.ZeroPoint)
	}
	if lo <= 0 && hi >= 0 && (p.ZeroPoint < -128 || p.ZeroPoint > 127) {
		t.Fatalf("%s n=%d [%v, %v]: ZeroPoint %d of a range holding 0 is not an int8", name, n, lo, hi, p.ZeroPoint)
	}
	d := make([]float32, n)
	DequantizeZeroPoint(d, q, p)
	zp := float64(p.ZeroPoint)
	inv := 1 / float64(p.Scale) // one step
	for i, x := range src {
		if math.Abs(zp) <= 1<<24 && !shifted { // float32(ZeroPoint) exact: the ends map to the ends
			if x == lo && q[i] != -128 {
				t.Fatalf("%s n=%d [%v, %v] %+v: min -> %d, want -128", name, n, lo, hi, p, q[i])
			}
			if x == hi && q[i] < 126 {
				t.Fatalf("%s n=%d [%v, %v] %+v: max -> %d, want 127 (or 126 after a tie)", name, n, lo, hi, p, q[i])
			}
		}
		// Half a step, plus the roundings: of x*Scale and float32(ZeroPoint)
		// (relative to their size, |x| and about |min|), of the sum, the
		// int32-to-float32 conversion and the division.
		// A shifted grid clamps one end: up to a whole step there.
		half := 0.5
		if shifted {
			half = 1
		}
		tol := half*inv*(1+8*u) + 2*u*(math.Abs(float64(x))+math.Abs(float64(lo))+math.Abs(float64(d[i]))+300*inv)
		if e := math.Abs(float64(d[i]) - float64(x)); e > tol || math.IsInf(float64(d[i]), 0) {
			t.Fatalf("%s n=%d [%v, %v] %+v: x = %v -> q %d -> %v: error %g > %g (half a step is %g)",
				name, n, lo, hi, p, x, q[i], d[i], e, tol, inv/2)
		}
	}
}

// gridOverflows reports whether some q in [-128, 127] dequantizes to an
// infinity with Scale s and zero point z.
func gridOverflows(s float32, z int64) bool {
	return math.IsInf(float64(float32(127-z)/s), 0) || math.IsInf(float64(float32(-128-z)/s), 0)
}

func TestQuantizeZeroPointProperties(t *testing.T) {
	r := newRand(10)
	for _, dist := range distributions {
		for _, n := range testLengths {
			checkZeroPoint(t, dist.name, dist.gen(r, n))
		}
	}
}

// A tensor that does not contain 0 gets a ZeroPoint outside int8, as is.
func TestQuantizeZeroPointNoZero(t *testing.T) {
	cases := []struct {
		src  []float32
		zero int32
	}{
		{[]float32{10, 11, 10.5}, -2678},   // Scale 255: -2550 - 128
		{[]float32{-11, -10, -10.5}, 2677}, // 2805 - 128
		{[]float32{1, nextUp(1)}, -255<<23 - 128},
	}
	for _, c := range cases {
		q := make([]int8, len(c.src))
		p, err := QuantizeZeroPoint(q, c.src)
		if err != nil || p.ZeroPoint != c.zero {
			t.Errorf("QuantizeZeroPoint(%v) = %+v, %v; want ZeroPoint %d", c.src, p, err, c.zero)
		}
		checkZeroPoint(t, "no-zero", c.src)
	}
}

// ErrRange: a range too small for a finite Scale, or so narrow for its
// magnitude that ZeroPoint leaves int32.
func TestQuantizeZeroPointErrRange(t *testing.T) {
	cases := [][]float32{
		{0, 1e-38},
		{1e-39, 2e-39},
		{-1e-38, 0, 1e-39},
		{1e-38, 1e-38}, // constant, but 127/|c| overflows
		{f32(1), f32(1)},
		{1e30, nextUp(1e30)},
		{-1e30, nextDown(-1e30)},
		{3e38, nextDown(3e38)},
		{3, nextUp(3), 3},
		{1000.001, nextUp(1000.001)},
	}
	for _, c := range cases {
		for _, lead := range []int{0, 9} {
			src := append(fill(make([]float32, lead), c[0]), c...)
			q := fill(make([]int8, len(src)), sentinel8)
			p, err := QuantizeZeroPoint(q, src)
			if !errors.Is(err, ErrRange) || errors.Is(err, ErrNotFinite) {
				t.Errorf("QuantizeZeroPoint(%v) = %+v, %v; want ErrRange", src, p, err)
				continue
			}
			if p != (ZeroPointParams{}) {
				t.Errorf("QuantizeZeroPoint(%v) returned params %+v with its error", src, p)
			}
			if !strings.Contains(err.Error(), "QuantizeZeroPoint") {
				t.Errorf("error %q does not name QuantizeZeroPoint", err)
			}
			if slices.ContainsFunc(q, func(v int8) bool { return v != sentinel8 }) {
				t.Errorf("QuantizeZeroPoint(%v) wrote dst on error: %v", src, q)
			}
		}
	}
}

// The zero-point kernel rounds x*Scale to float32, then rounds the sum
// with ZeroPoint: two roundings. Build a tensor where a fused multiply-add
// (one rounding) gives a different q, and check the two-rounding answer.
func TestQuantizeZeroPointNotFused(t *testing.T) {
	src, want, fused, ok := fmaSensitiveTensor()
	if !ok {
		t.Fatal("no FMA-sensitive tensor found")
	}
	t.Logf("tensor %v (%#08x): x*Scale rounds to a tie; q = %d, a fused multiply-add would give %d", src, bits32(src[2]), want, fused)
	for _, lead := range []int{0, 5, 30, 61} { // the value at several lanes, vector and tail
		s := append(fill(make([]float32, lead), src[0]), src...)
		q := make([]int8, len(s))
		if _, err := QuantizeZeroPoint(q, s); err != nil {
			t.Fatal(err)
		}
		if got := q[lead+2]; got != want {
			t.Errorf("lane %d: q = %d, want %d (a fused multiply-add gives %d)", lead+2, got, want, fused)
		}
	}
}

// fmaSensitiveTensor returns {min, max, x} such that with the parameters
// QuantizeZeroPoint picks for it, roundEven(float32(float32(x*Scale) + z))
// differs from roundEven(float32(x*Scale + z)), and both answers.
func fmaSensitiveTensor() (src []float32, twoRoundings, fused int8, ok bool) {
	lo := float32(8.72) // Scale ≈ 100 puts x*Scale near 1000, ZeroPoint near -1000
	hi := float32(11.27)
	for range 10000 {
		hi = nextUp(hi)
		s := float32(255 / (float64(hi) - float64(lo)))
		zp := -math.RoundToEven(float64(float32(s*lo))) - 128
		z := float32(zp)
		x0 := float32((-float64(z) + 0.5) / float64(s)) // x*Scale + z near the tie 0.5
		x := x0
		for range 8 {
			x = nextDown(x)
		}
		for range 16 {
			x = nextUp(x)
			p := float64(x) * float64(s) // exact: 24+24 bits
			// p + z is exact in float64 (|p| < 2^11 with bits down to 2^-37),
			// so rounding it once to float32 is what an FMA does.
			two := math.RoundToEven(float64(float32(float32(p) + z)))
			one := math.RoundToEven(float64(float32(p + float64(z))))
			if two != one && x > lo && x < hi {
				return []float32{lo, hi, x}, int8(two), int8(one), true
			}
		}
	}
	return nil, 0, 0, false
}
