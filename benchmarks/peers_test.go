package benchmarks

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/qkernels/quant"
	"github.com/qkernels/quant/fallback"
)

// Every implementation the benchmarks measure must give the reference's
// results bit for bit, except where a peer's own semantics differ; those
// differences are listed here and asserted to be exactly what they say.
// Every one but c-llama-ref also keeps package quant's contract on
// failure: a call that returns an error writes nothing, to dst or params.

// stale fills the outputs of a call before it runs, so that a failing
// call can be seen to leave them untouched.
const stale = 0x5A

// staleInt8 returns n int8s of the stale pattern.
func staleInt8(n int) []int8 { return slices.Repeat([]int8{stale}, n) }

// Stale parameters: values no quantizer returns for the inputs below.
var (
	staleAbsmax    = quant.AbsmaxParams{Scale: -stale}
	staleZeroPoint = quant.ZeroPointParams{Scale: -stale, ZeroPoint: stale}
)

// allAre reports whether every element of s is v.
func allAre[T comparable](s []T, v T) bool {
	return !slices.ContainsFunc(s, func(x T) bool { return x != v })
}

// knownDiff reports whether got (instead of want) for input x is a
// documented difference of implementation impl in kernel.
func knownDiff(impl, kernel string, x uint32, want, got uint16) bool {
	if impl == "c-avx512" && kernel == "Float32ToBFloat16" {
		// VCVTNEPS2BF16 treats float32 subnormal inputs as zero: it
		// returns a zero of their sign where the reference rounds them
		// (which gives a nonzero bfloat16 for magnitudes above half of
		// 2^-133, e.g. 0x007FFFFF -> 0x0080). Nothing else differs; NaNs
		// become bits>>16|0x0040 as in the reference.
		subnormal := x&0x7F800000 == 0 && x&0x7FFFFF != 0
		return subnormal && got == uint16(x>>16)&0x8000
	}
	return false
}

// f32Inputs returns float32 inputs that hit the rounding boundaries of
// FP16 and BF16 at every exponent, the special values, random bit
// patterns (NaN payloads, subnormals, everything) and model weights.
func f32Inputs(r *rand.Rand) []float32 {
	mants := []uint32{0, 1, 2, 0xFFF, 0x1000, 0x1001, 0x2000, 0x3000, 0x3001, 0x7FFF, 0x8000, 0x8001,
		0x18000, 0x17FFF, 0x200000, 0x400000, 0x400001, 0x7FE000, 0x7FEFFF, 0x7FF000, 0x7FFFFF}
	var bits []uint32
	for exp := uint32(0); exp < 256; exp++ {
		for _, m := range mants {
			bits = append(bits, exp<<23|m, 1<<31|exp<<23|m, exp<<23|m^r.Uint32()&0x7FFFFF)
		}
	}
	for range 1 << 14 {
		bits = append(bits, r.Uint32())
	}
	out := make([]float32, 0, len(bits)+4096)
	for _, b := range bits {
		out = append(out, math.Float32frombits(b))
	}
	return append(out, Weights(4096, 7)...)
}

// lengthsAndOffsets calls f with sub-slices of every length up to 70 and
// a few longer ones, at offsets 0 to 3, to reach every tail and alignment.
func lengthsAndOffsets(total int, f func(lo, hi int)) {
	for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 70, 127, 129, 255, 1000} {
		for off := range 4 {
			if off+n <= total {
				f(off, off+n)
			}
		}
	}
	f(0, total)
}

func TestImplsMatchReference(t *testing.T) {
	list := Impls()
	t.Logf("implementations: %v", implNames(list))
	for _, im := range list {
		t.Run(im.Name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			checkConversions(t, im, r)
			checkReductions(t, im, r)
			checkQuantizers(t, im, r)
			checkStatic(t, im, r)
			checkDequantizers(t, im, r)
			checkDequantizers16(t, im, r)
			checkQ8_0Impl(t, im, r)
			checkQ4Impl(t, im, r)
			checkPerRow(t, im)
			checkPerRow16(t, im)
			checkFake(t, im, r)
			checkMeasureError(t, im, r)
			checkInterop(t, im, r)
		})
	}
}

func implNames(list []*Impl) []string {
	var names []string
	for _, im := range list {
		names = append(names, im.Name)
	}
	return names
}

func checkConversions(t *testing.T, im *Impl, r *rand.Rand) {
	f32 := f32Inputs(r)
	all16 := make([]uint16, 0, 1<<16+1<<12)
	for h := range 1 << 16 {
		all16 = append(all16, uint16(h))
	}
	for range 1 << 12 {
		all16 = append(all16, uint16(r.Uint32()))
	}
	narrow := []struct {
		kernel   string
		got, ref func([]uint16, []float32)
	}{
		{"Float32ToFloat16", im.Float32ToFloat16, Reference.Float32ToFloat16},
		{"Float32ToBFloat16", im.Float32ToBFloat16, Reference.Float32ToBFloat16},
	}
	for _, c := range narrow {
		if c.got == nil {
			continue
		}
		want := make([]uint16, len(f32))
		c.ref(want, f32)
		diffs := 0
		lengthsAndOffsets(len(f32), func(lo, hi int) {
			got := make([]uint16, hi-lo+1)
			got[hi-lo] = 0xBEEF // a canary past the end
			c.got(got[:hi-lo], f32[lo:hi])
			if got[hi-lo] != 0xBEEF {
				t.Fatalf("%s [%d:%d]: wrote past the end", c.kernel, lo, hi)
			}
			for i, g := range got[:hi-lo] {
				x := math.Float32bits(f32[lo+i])
				if w := want[lo+i]; g != w {
					if knownDiff(im.Name, c.kernel, x, w, g) {
						diffs++
						continue
					}
					t.Fatalf("%s [%d:%d]: input %#08x: got %#04x, want %#04x", c.kernel, lo, hi, x, g, w)
				}
			}
		})
		if diffs > 0 {
			t.Logf("%s: %d documented differences (subnormal inputs flushed)", c.kernel, diffs)
		}
	}
	widen := []struct {
		kernel   string
		got, ref func([]float32, []uint16)
		in       []uint16
	}{
		{"Float16ToFloat32", im.Float16ToFloat32, Reference.Float16ToFloat32, all16},
		{"BFloat16ToFloat32", im.BFloat16ToFloat32, Reference.BFloat16ToFloat32, all16},
	}
	for _, c := range widen {
		if c.got == nil {
			continue
		}
		want := make([]float32, len(c.in))
		c.ref(want, c.in)
		lengthsAndOffsets(len(c.in), func(lo, hi int) {
			got := make([]float32, hi-lo+1)
			got[hi-lo] = 12345
			c.got(got[:hi-lo], c.in[lo:hi])
			if got[hi-lo] != 12345 {
				t.Fatalf("%s [%d:%d]: wrote past the end", c.kernel, lo, hi)
			}
			for i, g := range got[:hi-lo] {
				if gb, wb := math.Float32bits(g), math.Float32bits(want[lo+i]); gb != wb {
					t.Fatalf("%s [%d:%d]: input %#04x: got %#08x, want %#08x", c.kernel, lo, hi, c.in[lo+i], gb, wb)
				}
			}
		})
	}
}

func checkReductions(t *testing.T, im *Impl, r *rand.Rand) {
	if im.AbsMax == nil && im.MinMax == nil {
		return
	}
	var inputs [][]float32
	// Random bits (with NaNs here and there), specials, weights.
	bits := make([]float32, 2000)
	for i := range bits {
		bits[i] = math.Float32frombits(r.Uint32())
	}
	f32 := f32Inputs(r)
	lengthsAndOffsets(len(bits), func(lo, hi int) { inputs = append(inputs, bits[lo:hi]) })
	finite := slices.DeleteFunc(slices.Clone(f32), func(x float32) bool { return x-x != 0 })
	lengthsAndOffsets(len(finite), func(lo, hi int) { inputs = append(inputs, finite[lo:hi]) })
	// One special value at every position of a few lengths, among weights.
	w := Weights(67, 3)
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	for _, n := range []int{1, 8, 17, 33, 67} {
		for pos := range n {
			for _, s := range []float32{-inf, inf, nan, -nan, 1e30, -1e30, 0} {
				in := slices.Clone(w[:n])
				in[pos] = s
				inputs = append(inputs, in)
			}
		}
	}
	zeros := [][]float32{{0, float32(math.Copysign(0, -1))}, {float32(math.Copysign(0, -1))}, make([]float32, 40)}
	for i := range 40 {
		zeros[2][i] = float32(math.Copysign(0, float64(i%3-1)))
	}
	inputs = append(inputs, zeros...)
	for _, in := range inputs {
		if im.AbsMax != nil {
			g, w := math.Float32bits(im.AbsMax(in)), math.Float32bits(Reference.AbsMax(in))
			if g != w {
				t.Fatalf("AbsMax(%v): got %#08x, want %#08x", short(in), g, w)
			}
		}
		if im.MinMax != nil {
			glo, ghi := im.MinMax(in)
			wlo, whi := Reference.MinMax(in)
			if math.Float32bits(glo) != math.Float32bits(wlo) || math.Float32bits(ghi) != math.Float32bits(whi) {
				t.Fatalf("MinMax(%v): got (%v, %v), want (%v, %v)", short(in), glo, ghi, wlo, whi)
			}
		}
	}
}

func short[T any](s []T) string {
	if len(s) > 8 {
		return fmt.Sprintf("%v... (%d values)", s[:8], len(s))
	}
	return fmt.Sprint(s)
}

func checkQuantizers(t *testing.T, im *Impl, r *rand.Rand) {
	if im.QuantizeAbsmax == nil && im.QuantizeZeroPoint == nil {
		return
	}
	var inputs [][]float32
	w := Weights(4099, 11)
	lengthsAndOffsets(len(w), func(lo, hi int) { inputs = append(inputs, w[lo:hi]) })
	// Finite values of every magnitude: extreme scales and zero points.
	wide := make([]float32, 1000)
	for i := range wide {
		b := r.Uint32()
		if b&0x7F800000 == 0x7F800000 {
			b &^= 0x00800000
		}
		wide[i] = math.Float32frombits(b)
	}
	lengthsAndOffsets(len(wide), func(lo, hi int) { inputs = append(inputs, wide[lo:hi]) })
	// Values on the rounding ties of q, and near ±127.5.
	ties := make([]float32, 0, 600)
	for q := -130; q <= 130; q++ {
		ties = append(ties, float32(q)+0.5, float32(q)-0.5+1e-5, float32(q))
	}
	inputs = append(inputs, ties)
	c := func(n int, v float32) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = v
		}
		return s
	}
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	inputs = append(inputs,
		c(40, 0), c(40, 0.5), c(40, -3), c(1, 1e-30), c(33, float32(math.Copysign(0, -1))),
		c(40, 1e-38), // 127/a overflows: ErrRange
		[]float32{100, math.Nextafter32(100, 200), 100}, // zero point outside int32: ErrRange
		[]float32{1, math.Nextafter32(1, 2)},
		[]float32{-math.MaxFloat32, math.MaxFloat32},
		[]float32{1, 2, nan, 3}, []float32{inf}, append(c(40, 1), -inf), append(c(40, 1), -nan),
	)
	for _, in := range inputs {
		checkWhole(t, im, in)
	}
}

// checkWhole compares the whole quantizers of im with the reference on
// in: the same parameters and quants, or the same error and dst untouched.
func checkWhole(t *testing.T, im *Impl, in []float32) {
	t.Helper()
	if im.QuantizeAbsmax != nil {
		checkWholeQuantizer(t, "QuantizeAbsmax", im.QuantizeAbsmax, Reference.QuantizeAbsmax, in)
	}
	if im.QuantizeZeroPoint != nil {
		checkWholeQuantizer(t, "QuantizeZeroPoint", im.QuantizeZeroPoint, Reference.QuantizeZeroPoint, in)
	}
}

// checkWholeQuantizer compares the whole quantizer got with the reference
// ref on in: the same parameters and quants, or the same error and dst
// untouched.
func checkWholeQuantizer[P comparable](t *testing.T, kernel string, got, ref func([]int8, []float32) (P, error), in []float32) {
	t.Helper()
	gq, wq := staleInt8(len(in)), make([]int8, len(in))
	gp, gerr := got(gq, in)
	wp, werr := ref(wq, in)
	if !sameErr(gerr, werr) || gp != wp || (werr == nil && !slices.Equal(gq, wq)) {
		t.Fatalf("%s(%v): got %+v, %v, %v; want %+v, %v, %v", kernel, short(in), gp, gerr, gq, wp, werr, wq)
	}
	if werr != nil && !allAre(gq, stale) {
		t.Fatalf("%s(%v): failed (%v) but wrote dst", kernel, short(in), gerr)
	}
}

func sameErr(a, b error) bool {
	return errors.Is(a, quant.ErrNotFinite) == errors.Is(b, quant.ErrNotFinite) &&
		errors.Is(a, quant.ErrRange) == errors.Is(b, quant.ErrRange) &&
		errors.Is(a, quant.ErrParams) == errors.Is(b, quant.ErrParams) && (a == nil) == (b == nil)
}

// checkStatic compares the static quantizers of im (QuantizeAbsmaxWith,
// QuantizeZeroPointWith, from float32 and bfloat16) with the reference's
// on finite inputs of every magnitude, ties and infinities, with the
// parameters the computing quantizers find for each input and fixed ones
// from tiny to huge: the same quants, and with the computed parameters
// those of the computing quantizer. Inputs with a NaN (quiet, signalling,
// negative; first, last, in a vector or in a tail) must give ErrNotFinite,
// parameters that quant rejects ErrParams with dst untouched.
func checkStatic(t *testing.T, im *Impl, r *rand.Rand) {
	if im.QuantizeAbsmaxWith == nil && im.QuantizeZeroPointWith == nil &&
		im.QuantizeAbsmaxWithBFloat16 == nil && im.QuantizeZeroPointWithBFloat16 == nil {
		return
	}
	absmax, zeroPoint, inputs := staticCases(r)
	for _, in := range inputs {
		q := make([]int8, len(in))
		if im.QuantizeAbsmaxWith != nil {
			ps, want := absmax, []int8(nil)
			if p, err := Reference.QuantizeAbsmax(q, in); err == nil {
				ps, want = append(slices.Clone(absmax), p), q
			}
			for i, p := range ps {
				checkStaticQuantizer(t, "QuantizeAbsmaxWith", im.QuantizeAbsmaxWith, Reference.QuantizeAbsmaxWith,
					in, p, validAbsmax(p), isNaN32, computed(want, i == len(absmax)))
			}
		}
		if im.QuantizeZeroPointWith != nil {
			ps, want := zeroPoint, []int8(nil)
			if p, err := Reference.QuantizeZeroPoint(q, in); err == nil {
				ps, want = append(slices.Clone(zeroPoint), p), q
			}
			for i, p := range ps {
				checkStaticQuantizer(t, "QuantizeZeroPointWith", im.QuantizeZeroPointWith, Reference.QuantizeZeroPointWith,
					in, p, validZeroPoint(p), isNaN32, computed(want, i == len(zeroPoint)))
			}
		}
	}

	// bfloat16: the inputs above narrowed, and random bit patterns
	// (NaNs made infinities), NaNs placed as above.
	var inputs16 [][]uint16
	for _, in := range inputs {
		h := make([]uint16, len(in))
		fallback.Float32ToBFloat16(h, in)
		inputs16 = append(inputs16, h)
	}
	bits16 := make([]uint16, 300)
	for i := range bits16 {
		h := uint16(r.Uint32())
		if h&0x7F80 == 0x7F80 {
			h &^= 0x007F
		}
		bits16[i] = h
	}
	lengthsAndOffsets(len(bits16), func(lo, hi int) { inputs16 = append(inputs16, bits16[lo:hi]) })
	for _, in := range inputs16 {
		q := make([]int8, len(in))
		var pa [1]quant.AbsmaxParams
		var pz [1]quant.ZeroPointParams
		if im.QuantizeAbsmaxWithBFloat16 != nil {
			ps, want := absmax, []int8(nil)
			if len(in) > 0 && Reference.QuantizeAbsmaxPerRowBFloat16(q, pa[:], in, len(in)) == nil {
				ps, want = append(slices.Clone(absmax), pa[0]), q
			}
			for i, p := range ps {
				checkStaticQuantizer(t, "QuantizeAbsmaxWithBFloat16", im.QuantizeAbsmaxWithBFloat16,
					Reference.QuantizeAbsmaxWithBFloat16, in, p, validAbsmax(p), isNaNBF16, computed(want, i == len(absmax)))
			}
		}
		if im.QuantizeZeroPointWithBFloat16 != nil {
			ps, want := zeroPoint, []int8(nil)
			if len(in) > 0 && Reference.QuantizeZeroPointPerRowBFloat16(q, pz[:], in, len(in)) == nil {
				ps, want = append(slices.Clone(zeroPoint), pz[0]), q
			}
			for i, p := range ps {
				checkStaticQuantizer(t, "QuantizeZeroPointWithBFloat16", im.QuantizeZeroPointWithBFloat16,
					Reference.QuantizeZeroPointWithBFloat16, in, p, validZeroPoint(p), isNaNBF16,
					computed(want, i == len(zeroPoint)))
			}
		}
	}
}

// staticCases returns the parameters (valid ones, then those quant
// rejects) and the float32 inputs of checkStatic and checkFake: weights
// at every length and offset, values of every magnitude with infinities,
// ties, values a few ulps from the ties of q for large zero points, and
// weights with a NaN (quiet, signalling, negative; first, last, in a
// vector or in a tail).
func staticCases(r *rand.Rand) (absmax []quant.AbsmaxParams, zeroPoint []quant.ZeroPointParams, inputs [][]float32) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	absmax = []quant.AbsmaxParams{{Scale: 1}, {Scale: 127 / 0.02}, {Scale: 1e-30}, {Scale: 1e30},
		{Scale: math.MaxFloat32}, {Scale: math.SmallestNonzeroFloat32},
		{Scale: 0}, {Scale: -1}, {Scale: inf}, {Scale: nan}} // the last four are rejected
	zeroPoint = []quant.ZeroPointParams{{Scale: 1}, {Scale: 127 / 0.05, ZeroPoint: 3}, {Scale: 1e-30, ZeroPoint: -128},
		{Scale: 1e30, ZeroPoint: 127}, {Scale: 0.5, ZeroPoint: 1000}, {Scale: 2, ZeroPoint: -1000},
		{Scale: math.MaxFloat32, ZeroPoint: 1}, {Scale: 3.3, ZeroPoint: 1000}, {Scale: 0.7, ZeroPoint: -1000},
		{Scale: 1, ZeroPoint: math.MinInt32 + 128},
		{Scale: 1, ZeroPoint: math.MaxInt32 - 128},
		// Rejected:
		{Scale: 1, ZeroPoint: math.MinInt32 + 127}, {Scale: 1, ZeroPoint: math.MaxInt32 - 127},
		{Scale: 0, ZeroPoint: 0}, {Scale: -1}, {Scale: inf}, {Scale: nan}}

	w := Weights(4099, 13)
	lengthsAndOffsets(len(w), func(lo, hi int) { inputs = append(inputs, w[lo:hi]) })
	wide := make([]float32, 300)
	for i := range wide {
		b := r.Uint32()
		if b&0x7F800000 == 0x7F800000 {
			b &^= 0x007FFFFF // infinities, no NaN
		}
		wide[i] = math.Float32frombits(b)
	}
	lengthsAndOffsets(len(wide), func(lo, hi int) { inputs = append(inputs, wide[lo:hi]) })
	ties := make([]float32, 0, 800)
	for q := -130; q <= 130; q++ {
		ties = append(ties, float32(q)+0.5, float32(q)-0.5, float32(q)-0.5+1e-5)
	}
	inputs = append(inputs, ties, []float32{inf, -inf, 1, -1, 0}, append(slices.Clone(w[:70]), -inf, inf))
	// Values whose x*scale lands a few ulps from a tie of q for the two
	// large zero points above, where the product's rounding decides q (an
	// FMA would round once and give a different q).
	for _, p := range []quant.ZeroPointParams{{Scale: 3.3, ZeroPoint: 1000}, {Scale: 0.7, ZeroPoint: -1000}} {
		var near []float32
		for q := -129; q <= 128; q++ {
			x := float32((float64(q) + 0.5 - float64(p.ZeroPoint)) / float64(p.Scale))
			for range 4 {
				x = math.Nextafter32(x, 0)
			}
			for range 9 {
				near = append(near, x)
				x = math.Nextafter32(x, float32(math.Copysign(math.Inf(1), float64(x))))
			}
		}
		inputs = append(inputs, near)
	}
	for _, bits := range []uint32{0x7FC00000, 0xFFC00000, 0x7F800001, 0xFF812345} {
		for _, at := range []int{0, 5, 31, 32, 63, 64, 100, 136} {
			x := slices.Clone(w[:137])
			x[at] = math.Float32frombits(bits)
			inputs = append(inputs, x)
		}
	}
	return absmax, zeroPoint, inputs
}

// checkFake compares the fake quantizers of im (FakeQuantizeAbsmax,
// FakeQuantizeZeroPoint and the composed FakeQuantizeAbsmaxComposed) with
// the reference's on checkStatic's inputs and parameters, and those the
// computing quantizers find for each input: the same float32 bits, which
// must also be those of the reference's static quantizer followed by its
// dequantizer. Inputs with a NaN must give ErrNotFinite, parameters that
// quant rejects ErrParams with dst untouched.
func checkFake(t *testing.T, im *Impl, r *rand.Rand) {
	if im.FakeQuantizeAbsmax == nil && im.FakeQuantizeZeroPoint == nil && im.FakeQuantizeAbsmaxComposed == nil {
		return
	}
	absmax, zeroPoint, inputs := staticCases(r)
	composedAbsmax := func(dst, src []float32, p quant.AbsmaxParams) error {
		q := make([]int8, len(src))
		if err := Reference.QuantizeAbsmaxWith(q, src, p); err != nil {
			return err
		}
		Reference.DequantizeAbsmax(dst, q, p)
		return nil
	}
	composedZeroPoint := func(dst, src []float32, p quant.ZeroPointParams) error {
		q := make([]int8, len(src))
		if err := Reference.QuantizeZeroPointWith(q, src, p); err != nil {
			return err
		}
		Reference.DequantizeZeroPoint(dst, q, p)
		return nil
	}
	for _, in := range inputs {
		q := make([]int8, len(in))
		pa, pz := absmax, zeroPoint
		if p, err := Reference.QuantizeAbsmax(q, in); err == nil {
			pa = append(slices.Clone(absmax), p)
		}
		if p, err := Reference.QuantizeZeroPoint(q, in); err == nil {
			pz = append(slices.Clone(zeroPoint), p)
		}
		for _, p := range pa {
			if im.FakeQuantizeAbsmax != nil {
				checkFakeQuantizer(t, "FakeQuantizeAbsmax", im.FakeQuantizeAbsmax, Reference.FakeQuantizeAbsmax,
					composedAbsmax, in, p, validAbsmax(p))
			}
			if f := im.FakeQuantizeAbsmaxComposed; f != nil {
				got := func(dst, src []float32, p quant.AbsmaxParams) error {
					return f(dst, staleInt8(len(src)), src, p)
				}
				checkFakeQuantizer(t, "FakeQuantizeAbsmaxComposed", got, Reference.FakeQuantizeAbsmax,
					composedAbsmax, in, p, validAbsmax(p))
			}
		}
		if im.FakeQuantizeZeroPoint != nil {
			for _, p := range pz {
				checkFakeQuantizer(t, "FakeQuantizeZeroPoint", im.FakeQuantizeZeroPoint, Reference.FakeQuantizeZeroPoint,
					composedZeroPoint, in, p, validZeroPoint(p))
			}
		}
	}
}

// staleF32 fills the float32 outputs of a call before it runs.
const staleF32 = 0x5A5A5A5A

// checkFakeQuantizer compares the fake quantizer got with the reference
// ref and with the composition composed (static quantizer, then
// dequantizer) on in and p: the same error, and without one the same
// float32 bits. It also asserts ErrParams, dst untouched, for parameters
// that are not valid, and else ErrNotFinite where in holds a NaN.
func checkFakeQuantizer[P comparable](t *testing.T, kernel string, got, ref, composed func(dst, src []float32, p P) error,
	in []float32, p P, valid bool) {
	t.Helper()
	g := slices.Repeat([]float32{math.Float32frombits(staleF32)}, len(in))
	w, c := make([]float32, len(in)), make([]float32, len(in))
	gerr, werr, cerr := got(g, in, p), ref(w, in, p), composed(c, in, p)
	if !sameErr(gerr, werr) || !sameErr(werr, cerr) {
		t.Fatalf("%s(%v, %+v): got %v, want %v (composed: %v)", kernel, short(in), p, gerr, werr, cerr)
	}
	switch {
	case !valid:
		if !errors.Is(gerr, quant.ErrParams) || slices.ContainsFunc(g, func(v float32) bool { return math.Float32bits(v) != staleF32 }) {
			t.Fatalf("%s(%v, %+v): %v, dst %v; want ErrParams, dst untouched", kernel, short(in), p, gerr, short(g))
		}
		return
	case slices.ContainsFunc(in, isNaN32):
		if !errors.Is(gerr, quant.ErrNotFinite) {
			t.Fatalf("%s(%v, %+v): %v, want ErrNotFinite", kernel, short(in), p, gerr)
		}
		return
	case gerr != nil:
		t.Fatalf("%s(%v, %+v): %v", kernel, short(in), p, gerr)
	}
	for i := range in {
		if math.Float32bits(g[i]) != math.Float32bits(w[i]) || math.Float32bits(w[i]) != math.Float32bits(c[i]) {
			t.Fatalf("%s(%v, %+v): [%d] = %v for %v, want %v (composed %v)", kernel, short(in), p, i, g[i], in[i], w[i], c[i])
		}
	}
}

// affineCases returns the parameters of checkInterop on [-128, 127]: valid
// ones (scales whose reciprocal is exact and inexact in float32, where
// PyTorch's product and ONNX's quotient differ; tiny and huge scales; zero
// points from end to end), then ones quant rejects.
func affineCases() (valid, rejected []quant.AffineParams) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	valid = []quant.AffineParams{{Scale: 1}, {Scale: 0.25, ZeroPoint: -7}, {Scale: 0.1, ZeroPoint: -128},
		{Scale: 3.3, ZeroPoint: 127}, {Scale: 0.7, ZeroPoint: -5}, {Scale: 0.04 / 255, ZeroPoint: 3},
		{Scale: 1e-30}, {Scale: 1e30, ZeroPoint: 100}, {Scale: 1e-38, ZeroPoint: 1},
		{Scale: math.MaxFloat32, ZeroPoint: -1}}
	rejected = []quant.AffineParams{{Scale: 0}, {Scale: -1}, {Scale: inf}, {Scale: nan},
		{Scale: 1e-45},                                          // 1/Scale overflows
		{Scale: 1, ZeroPoint: 128}, {Scale: 1, ZeroPoint: -129}} // outside the grid
	return valid, rejected
}

// interopInputs returns the float32 inputs of checkInterop: checkStatic's,
// values whose x/p.Scale lands a few ulps from a tie of q for each of
// params (where the product by the reciprocal and the quotient round
// differently), and the extremes of the conversion to int32 (±2^31, ±2^24
// and beyond), with infinities, at every lane of a vector.
func interopInputs(r *rand.Rand, params []quant.AffineParams) [][]float32 {
	_, _, inputs := staticCases(r)
	for _, p := range params {
		var near []float32
		for q := -140; q <= 140; q++ {
			x := float32((float64(q) + 0.5) * float64(p.Scale))
			for range 4 {
				x = math.Nextafter32(x, 0)
			}
			for range 9 {
				near = append(near, x)
				x = math.Nextafter32(x, float32(math.Copysign(math.Inf(1), float64(x))))
			}
		}
		inputs = append(inputs, near)
	}
	inf := float32(math.Inf(1))
	extremes := []float32{1 << 31, -1 << 31, 2147483520, -2147483904, 1e10, -1e10, 1 << 24, -(1 << 24) - 2,
		1<<24 - 1, 127.5, -128.5, 126.5, -127.5, 128.49, math.MaxFloat32, -math.MaxFloat32, inf, -inf, 0,
		float32(math.Copysign(0, -1)), 1e-45, -1e-45, 0.5, -0.5, 1.5, -1.5, 255.5, -255.5}
	var ext []float32
	for range 3 { // shifted by 28 values each time: every value in every lane of 8
		ext = append(ext, extremes...)
	}
	return append(inputs, ext, ext[5:])
}

// checkInterop compares the interop operations of im (QuantizePyTorch,
// QuantizeONNX, DequantizeAffine, FakeQuantizePyTorch) with the
// reference's: the same quants and float32 bits, the same masks (with a
// mask, without one and in place for the fake quantizer), on checkStatic's
// inputs and interopInputs' with affineCases' parameters, the fake
// quantizer on grids from [0, 0] to [-2^23, 2^23], where on torch.qint8's
// [-128, 127] it must also give the reference's QuantizePyTorch followed
// by its DequantizeAffine. Inputs with a NaN must give ErrNotFinite,
// parameters and grids that quant rejects ErrParams with dst and mask
// untouched.
func checkInterop(t *testing.T, im *Impl, r *rand.Rand) {
	if im.QuantizePyTorch == nil && im.QuantizeONNX == nil && im.DequantizeAffine == nil && im.FakeQuantizePyTorch == nil {
		return
	}
	valid, rejected := affineCases()
	params := append(slices.Clone(valid), rejected...)
	inputs := interopInputs(r, valid)
	for _, c := range []struct {
		kernel   string
		got, ref func([]int8, []float32, quant.AffineParams) error
	}{
		{"QuantizePyTorch", im.QuantizePyTorch, Reference.QuantizePyTorch},
		{"QuantizeONNX", im.QuantizeONNX, Reference.QuantizeONNX},
	} {
		if c.got == nil {
			continue
		}
		for _, in := range inputs {
			for _, p := range params {
				checkStaticQuantizer(t, c.kernel, c.got, c.ref, in, p, validAffine(p, -128, 127), isNaN32, nil)
			}
		}
	}
	if im.DequantizeAffine != nil {
		checkDequantizeAffine(t, im.DequantizeAffine, r)
	}
	if im.FakeQuantizePyTorch == nil {
		return
	}
	// Grids with parameters on them (valid ones, then ones off the grid),
	// and grids that quant rejects.
	grids := []struct {
		qmin, qmax int32
		params     []quant.AffineParams
	}{
		{FakeQMin, FakeQMax, params},
		{0, 255, []quant.AffineParams{{Scale: 0.1}, {Scale: 0.04 / 255, ZeroPoint: 128}, {Scale: 3.3, ZeroPoint: 255},
			{Scale: 1, ZeroPoint: -1}, {Scale: 1, ZeroPoint: 256}}},
		{-8, 7, []quant.AffineParams{{Scale: 0.7, ZeroPoint: -8}, {Scale: 0.25, ZeroPoint: 7}, {Scale: 1, ZeroPoint: 8}}},
		{0, 0, []quant.AffineParams{{Scale: 0.1}, {Scale: 1, ZeroPoint: 1}}},
		{-1 << 23, 1 << 23, []quant.AffineParams{{Scale: 1}, {Scale: 1e-30, ZeroPoint: -1 << 23},
			{Scale: 0.1, ZeroPoint: 1 << 23}}},
		{1, 0, []quant.AffineParams{{Scale: 1}}},
		{-1<<23 - 1, 0, []quant.AffineParams{{Scale: 1}}},
		{0, 1<<23 + 1, []quant.AffineParams{{Scale: 1}}},
	}
	for _, in := range inputs {
		for _, g := range grids {
			for _, p := range g.params {
				checkFakePyTorch(t, im.FakeQuantizePyTorch, in, p, g.qmin, g.qmax)
			}
		}
	}
}

// checkFakePyTorch compares the fake quantizer got with the reference's
// on in, p and the grid [qmin, qmax]: with a mask, without one and in
// place (dst = src), the same error and, without one, the same float32
// bits and mask; on [-128, 127] also the bits of the reference's
// QuantizePyTorch followed by its DequantizeAffine. It asserts ErrParams,
// dst and mask untouched, where quant rejects p or the grid, and else
// ErrNotFinite where in holds a NaN.
func checkFakePyTorch(t *testing.T, got func([]float32, []bool, []float32, quant.AffineParams, int32, int32) error,
	in []float32, p quant.AffineParams, qmin, qmax int32) {
	t.Helper()
	n, hasNaN := len(in), slices.ContainsFunc(in, isNaN32)
	stale32 := math.Float32frombits(staleF32)
	g, gm, gn := slices.Repeat([]float32{stale32}, n), slices.Repeat([]bool{true}, n), slices.Repeat([]float32{stale32}, n)
	w, wm, x := make([]float32, n), make([]bool, n), slices.Clone(in)
	gerr := got(g, gm, in, p, qmin, qmax)
	werr := Reference.FakeQuantizePyTorch(w, wm, in, p, qmin, qmax)
	nerr, xerr := got(gn, nil, in, p, qmin, qmax), werr
	if !hasNaN {
		// In place only without NaNs: package quant's fake quantizers
		// overwrite a NaN in place before they look for it to name it.
		xerr = got(x, nil, x, p, qmin, qmax)
	}
	if !sameErr(gerr, werr) || !sameErr(nerr, werr) || !sameErr(xerr, werr) {
		t.Fatalf("FakeQuantizePyTorch(%v, %+v, [%d, %d]): got %v (no mask %v, in place %v), want %v",
			short(in), p, qmin, qmax, gerr, nerr, xerr, werr)
	}
	switch {
	case !validAffine(p, qmin, qmax):
		if !errors.Is(gerr, quant.ErrParams) || !allAre(g, stale32) || !allAre(gm, true) || !allAre(gn, stale32) ||
			!hasNaN && !slices.Equal(x, in) {
			t.Fatalf("FakeQuantizePyTorch(%v, %+v, [%d, %d]): %v, dst %v, mask %v; want ErrParams, dst and mask untouched",
				short(in), p, qmin, qmax, gerr, short(g), short(gm))
		}
		return
	case hasNaN:
		if !errors.Is(gerr, quant.ErrNotFinite) {
			t.Fatalf("FakeQuantizePyTorch(%v, %+v, [%d, %d]): %v, want ErrNotFinite", short(in), p, qmin, qmax, gerr)
		}
		return
	case gerr != nil:
		t.Fatalf("FakeQuantizePyTorch(%v, %+v, [%d, %d]): %v", short(in), p, qmin, qmax, gerr)
	}
	var composed []float32
	if qmin == -128 && qmax == 127 {
		q := make([]int8, n)
		composed = make([]float32, n)
		if err := Reference.QuantizePyTorch(q, in, p); err != nil {
			t.Fatal(err)
		}
		if err := Reference.DequantizeAffine(composed, q, p); err != nil {
			t.Fatal(err)
		}
	}
	for i := range in {
		wb := math.Float32bits(w[i])
		if math.Float32bits(g[i]) != wb || gm[i] != wm[i] || math.Float32bits(gn[i]) != wb || math.Float32bits(x[i]) != wb {
			t.Fatalf("FakeQuantizePyTorch(%v, %+v, [%d, %d]): [%d] = %v, mask %v (no mask %v, in place %v) for %v; want %v, mask %v",
				short(in), p, qmin, qmax, i, g[i], gm[i], gn[i], x[i], in[i], w[i], wm[i])
		}
		if composed != nil && math.Float32bits(composed[i]) != wb {
			t.Fatalf("FakeQuantizePyTorch(%v, %+v): [%d] = %v for %v, but QuantizePyTorch + DequantizeAffine give %v",
				short(in), p, i, w[i], in[i], composed[i])
		}
	}
}

// checkDequantizeAffine compares the affine dequantizer got with the
// reference's on checkDequantizers' quants, scales and zero points (those
// quant rejects included: ErrParams, dst untouched), with a canary past
// the end of dst.
func checkDequantizeAffine(t *testing.T, got func([]float32, []int8, quant.AffineParams) error, r *rand.Rand) {
	q, scales, zeros := dequantInputs(r)
	const canary = 12345
	stale32 := math.Float32frombits(staleF32)
	for _, s := range scales {
		for _, z := range zeros {
			p := quant.AffineParams{Scale: s, ZeroPoint: z}
			valid := validAffine(p, -128, 127)
			lengthsAndOffsets(len(q), func(lo, hi int) {
				in := q[lo:hi]
				g, w := slices.Repeat([]float32{stale32}, len(in)+1), make([]float32, len(in))
				g[len(in)] = canary
				gerr, werr := got(g[:len(in)], in, p), Reference.DequantizeAffine(w, in, p)
				switch {
				case !sameErr(gerr, werr):
					t.Fatalf("DequantizeAffine(q[%d:%d], %+v): got %v, want %v", lo, hi, p, gerr, werr)
				case g[len(in)] != canary:
					t.Fatalf("DequantizeAffine(q[%d:%d], %+v): wrote past the end", lo, hi, p)
				case !valid:
					if !errors.Is(gerr, quant.ErrParams) || !allAre(g[:len(in)], stale32) {
						t.Fatalf("DequantizeAffine(q[%d:%d], %+v): %v; want ErrParams, dst untouched", lo, hi, p, gerr)
					}
				case gerr != nil:
					t.Fatalf("DequantizeAffine(q[%d:%d], %+v): %v", lo, hi, p, gerr)
				default:
					for i := range w {
						if math.Float32bits(g[i]) != math.Float32bits(w[i]) {
							t.Fatalf("DequantizeAffine(q[%d:%d], %+v): [%d] = %v for %d, want %v", lo, hi, p, i, g[i], in[i], w[i])
						}
					}
				}
			})
		}
	}
}

// TestInteropCasesDiscriminate asserts that checkInterop's inputs tell
// PyTorch's product from ONNX's quotient, and rounding before the zero
// point from rounding after it, on the reference: a peer that mixed them
// up would fail.
func TestInteropCasesDiscriminate(t *testing.T) {
	valid, _ := affineCases()
	inputs := interopInputs(rand.New(rand.NewPCG(1, 2)), valid)
	productVsQuotient, roundThenAdd := 0, 0
	for _, in := range inputs {
		if slices.ContainsFunc(in, isNaN32) {
			continue
		}
		pt, ox, zq := make([]int8, len(in)), make([]int8, len(in)), make([]int8, len(in))
		for _, p := range valid {
			if Reference.QuantizePyTorch(pt, in, p) != nil || Reference.QuantizeONNX(ox, in, p) != nil {
				t.Fatalf("%+v: an error on finite inputs", p)
			}
			// The library's own quantizer: round(x·s + z), the zero point
			// added before the rounding.
			zp := quant.ZeroPointParams{Scale: 1 / p.Scale, ZeroPoint: p.ZeroPoint}
			if !validZeroPoint(zp) || Reference.QuantizeZeroPointWith(zq, in, zp) != nil {
				continue
			}
			for i := range in {
				if pt[i] != ox[i] {
					productVsQuotient++
				}
				if pt[i] != zq[i] {
					roundThenAdd++
				}
			}
		}
	}
	t.Logf("PyTorch vs ONNX: %d quants differ; PyTorch vs round(x*s + z): %d", productVsQuotient, roundThenAdd)
	if productVsQuotient == 0 || roundThenAdd == 0 {
		t.Fatal("the inputs do not tell the formulas apart")
	}
}

// checkMeasureError compares MeasureError of im with the reference's,
// bit for bit, on weights against their absmax reconstruction and against
// random perturbations, on pairs of random finite values of every
// magnitude (where the order of the sums shows), values near 1 against
// tiny ones (where the rounding of each product shows), and x == y; at every
// length and offset, and across several chunks of 4096 values with
// tails. A NaN or an infinity in x or y must give ErrNotFinite.
func checkMeasureError(t *testing.T, im *Impl, r *rand.Rand) {
	if im.MeasureError == nil {
		return
	}
	const n = 3*4096 + 77
	var pairs [][2][]float32
	add := func(x, y []float32) {
		lengthsAndOffsets(len(x), func(lo, hi int) { pairs = append(pairs, [2][]float32{x[lo:hi], y[lo:hi]}) })
		for _, m := range []int{4095, 4096, 4097, 8192, 8192 + 15, 8192 + 16, 8192 + 17} {
			if m <= len(x) {
				pairs = append(pairs, [2][]float32{x[:m], y[:m]}, [2][]float32{x[len(x)-m:], y[len(x)-m:]})
			}
		}
	}
	w := Weights(n, 19)
	q, rec := make([]int8, n), make([]float32, n)
	p, err := Reference.QuantizeAbsmax(q, w)
	if err != nil {
		t.Fatal(err)
	}
	Reference.DequantizeAbsmax(rec, q, p)
	add(w, rec)
	noisy := make([]float32, n)
	for i, v := range w {
		noisy[i] = v + float32(0.001*r.NormFloat64())
	}
	add(w, noisy)
	add(w, w)
	finite := func() float32 {
		b := r.Uint32()
		if b&0x7F800000 == 0x7F800000 {
			b &^= 0x40000000 // a finite value of a lower exponent
		}
		return math.Float32frombits(b)
	}
	wx, wy := make([]float32, n), make([]float32, n)
	for i := range wx {
		wx[i], wy[i] = finite(), finite()
	}
	add(wx, wy)
	// x near 1 and y tiny: e = x - y and e*e round (for x and y of close
	// magnitudes both are exact), so an FMA would change the sums.
	mx, my := make([]float32, n), make([]float32, n)
	for i := range mx {
		mx[i], my[i] = float32(0.5+1.5*r.Float64()), float32(1e-9*r.NormFloat64())
	}
	add(mx, my)
	for _, bits := range []uint32{0x7FC00000, 0xFFC00000, 0x7F800001, 0x7F800000, 0xFF800000} {
		for _, at := range []int{0, 5, 15, 16, 100, 4095, 4096, 5000, n - 1} {
			x, y := slices.Clone(w), slices.Clone(rec)
			if at%2 == 0 {
				x[at] = math.Float32frombits(bits)
			} else {
				y[at] = math.Float32frombits(bits)
			}
			pairs = append(pairs, [2][]float32{x, y}, [2][]float32{x[:at+1], y[:at+1]})
		}
	}
	for _, pr := range pairs {
		x, y := pr[0], pr[1]
		got, gerr := im.MeasureError(x, y)
		want, werr := Reference.MeasureError(x, y)
		if !sameErr(gerr, werr) {
			t.Fatalf("MeasureError(%v, %v): got %v, want %v", short(x), short(y), gerr, werr)
		}
		bad := slices.ContainsFunc(x, isNonFinite32) || slices.ContainsFunc(y, isNonFinite32)
		switch {
		case bad && !errors.Is(gerr, quant.ErrNotFinite):
			t.Fatalf("MeasureError(%v, %v): %v, want ErrNotFinite", short(x), short(y), gerr)
		case bad:
		case gerr != nil:
			t.Fatalf("MeasureError(%v, %v): %v", short(x), short(y), gerr)
		case got.N != want.N || math.Float64bits(got.SumSquaredError) != math.Float64bits(want.SumSquaredError) ||
			math.Float64bits(got.SumSquares) != math.Float64bits(want.SumSquares) ||
			math.Float64bits(got.MaxAbsError) != math.Float64bits(want.MaxAbsError):
			t.Fatalf("MeasureError(%v, %v) (%d values): got %+v, want %+v", short(x), short(y), len(x), got, want)
		}
	}
}

func isNonFinite32(x float32) bool { return math.Float32bits(x)&0x7F800000 == 0x7F800000 }

func isNaN32(x float32) bool  { return x != x }
func isNaNBF16(h uint16) bool { return h&0x7FFF > 0x7F80 }
func computed(q []int8, ok bool) []int8 {
	if ok {
		return q
	}
	return nil
}

// checkStaticQuantizer compares the static quantizer got with the
// reference ref on in and p: the same error, and without one the same
// quants, which must also be want where that is not nil (the quants of
// the computing quantizer whose parameters p are). It also asserts what
// the reference must do: ErrParams, dst untouched, for parameters that
// are not valid; else ErrNotFinite where in holds a NaN.
func checkStaticQuantizer[S any, P comparable](t *testing.T, kernel string, got, ref func([]int8, []S, P) error,
	in []S, p P, valid bool, isNaN func(S) bool, want []int8) {
	t.Helper()
	gq, wq := staleInt8(len(in)), make([]int8, len(in))
	gerr, werr := got(gq, in, p), ref(wq, in, p)
	if !sameErr(gerr, werr) {
		t.Fatalf("%s(%v, %+v): got %v, want %v", kernel, short(in), p, gerr, werr)
	}
	if i := firstQuantDiff(gq, wq); werr == nil && i >= 0 {
		t.Fatalf("%s(%v, %+v): q[%d] = %d for %v, want %d", kernel, short(in), p, i, gq[i], in[i], wq[i])
	}
	switch {
	case !valid:
		if !errors.Is(gerr, quant.ErrParams) || !allAre(gq, stale) {
			t.Fatalf("%s(%v, %+v): %v, dst %v; want ErrParams, dst untouched", kernel, short(in), p, gerr, short(gq))
		}
	case slices.ContainsFunc(in, isNaN):
		if !errors.Is(gerr, quant.ErrNotFinite) {
			t.Fatalf("%s(%v, %+v): %v, want ErrNotFinite", kernel, short(in), p, gerr)
		}
	case gerr != nil:
		t.Fatalf("%s(%v, %+v): %v", kernel, short(in), p, gerr)
	case want != nil && firstQuantDiff(gq, want) >= 0:
		i := firstQuantDiff(gq, want)
		t.Fatalf("%s(%v, %+v): q[%d] = %d for %v, but the computing quantizer gives %d", kernel, short(in), p,
			i, gq[i], in[i], want[i])
	}
}

// firstQuantDiff returns the first index where a and b (of one length)
// differ, or -1.
func firstQuantDiff(a, b []int8) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// dequantInputs returns the quants (every int8, then random ones), the
// scales and the zero points the dequantizers are checked on.
func dequantInputs(r *rand.Rand) (q []int8, scales []float32, zeros []int32) {
	q = make([]int8, 0, 1024)
	for v := range 256 {
		q = append(q, int8(v))
	}
	for range 768 {
		q = append(q, int8(r.Uint32()))
	}
	scales = []float32{1, 127, 0.3, 1e-30, 1e30, 3e38, 1e-45, -2.5, float32(math.Inf(1))}
	for range 8 {
		scales = append(scales, math.Float32frombits(r.Uint32()&0x7F7FFFFF|r.Uint32()&0x80000000))
	}
	zeros = []int32{0, 1, -1, 127, -128, 1 << 24, 1<<24 + 1, -(1<<24 + 3), math.MinInt32 + 128, math.MaxInt32 - 128}
	for range 8 {
		zeros = append(zeros, int32(r.Uint32())/2)
	}
	return q, scales, zeros
}

func checkDequantizers(t *testing.T, im *Impl, r *rand.Rand) {
	if im.DequantizeAbsmax == nil && im.DequantizeZeroPoint == nil {
		return
	}
	q, scales, zeros := dequantInputs(r)
	same := func(got, want []float32) bool {
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				return false
			}
		}
		return true
	}
	for _, s := range scales {
		lengthsAndOffsets(len(q), func(lo, hi int) {
			in := q[lo:hi]
			got, want := make([]float32, len(in)), make([]float32, len(in))
			if im.DequantizeAbsmax != nil {
				p := quant.AbsmaxParams{Scale: s}
				im.DequantizeAbsmax(got, in, p)
				Reference.DequantizeAbsmax(want, in, p)
				if !same(got, want) {
					t.Fatalf("DequantizeAbsmax(q[%d:%d], %v): got %v, want %v", lo, hi, s, got, want)
				}
			}
			if im.DequantizeZeroPoint != nil {
				for _, z := range zeros {
					p := quant.ZeroPointParams{Scale: s, ZeroPoint: z}
					im.DequantizeZeroPoint(got, in, p)
					Reference.DequantizeZeroPoint(want, in, p)
					if !same(got, want) {
						t.Fatalf("DequantizeZeroPoint(q[%d:%d], %+v): got %v, want %v", lo, hi, p, got, want)
					}
				}
			}
		})
	}
}

// checkDequantizers16 checks the dequantizers to binary16 and bfloat16
// (the float32 result rounded to the format) on the inputs of
// checkDequantizers, with a canary past the end of dst.
func checkDequantizers16(t *testing.T, im *Impl, r *rand.Rand) {
	q, scales, zeros := dequantInputs(r)
	for _, c := range []struct {
		kernel   string
		got, ref func([]uint16, []int8, quant.ZeroPointParams)
	}{
		{"DequantizeZeroPointFloat16", im.DequantizeZeroPointFloat16, Reference.DequantizeZeroPointFloat16},
		{"DequantizeZeroPointBFloat16", im.DequantizeZeroPointBFloat16, Reference.DequantizeZeroPointBFloat16},
	} {
		if c.got == nil {
			continue
		}
		for _, s := range scales {
			lengthsAndOffsets(len(q), func(lo, hi int) {
				in := q[lo:hi]
				got, want := make([]uint16, len(in)+1), make([]uint16, len(in))
				for _, z := range zeros {
					p := quant.ZeroPointParams{Scale: s, ZeroPoint: z}
					got[len(in)] = 0xBEEF
					c.got(got[:len(in)], in, p)
					c.ref(want, in, p)
					if got[len(in)] != 0xBEEF {
						t.Fatalf("%s(q[%d:%d], %+v): wrote past the end", c.kernel, lo, hi, p)
					}
					if !slices.Equal(got[:len(in)], want) {
						t.Fatalf("%s(q[%d:%d], %+v): got %#04x, want %#04x", c.kernel, lo, hi, p, got[:len(in)], want)
					}
				}
			})
		}
	}
}

// TestQuantizeZeroPointUnfused feeds the zero-point quantize kernel of
// every implementation products that round to a tie: x*scale is just below
// 101.5 but rounds to it in float32, so with zero = -100 the unfused sum is
// exactly 1.5 and q = 2, while an FMA keeps 1.5-δ and gives 1.
func TestQuantizeZeroPointUnfused(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	type pair struct{ x, s float32 }
	var pairs []pair
	for len(pairs) < 40 {
		s := float32(0.5 + r.Float64())
		x0 := float32(101.5 / float64(s))
		for _, x := range []float32{x0, math.Nextafter32(x0, 0), math.Nextafter32(x0, 1000)} {
			p := float64(x) * float64(s) // exact
			if float32(p) == 101.5 && p < 101.5 {
				pairs = append(pairs, pair{x, s}, pair{-x, s})
				break
			}
		}
	}
	n := 0
	for _, im := range Impls() {
		k := im.Kernels
		if k == nil || k.QuantizeZeroPoint == nil {
			continue
		}
		n++
		for _, pr := range pairs {
			for _, length := range []int{1, 7, 8, 33, 64, 67} {
				src := make([]float32, length)
				for i := range src {
					src[i] = pr.x
				}
				zero := float32(-100)
				if pr.x < 0 {
					zero = 100
				}
				got, want := make([]int8, length), make([]int8, length)
				k.QuantizeZeroPoint(got, src, pr.s, zero)
				fallback.QuantizeZeroPoint(want, src, pr.s, zero)
				if want[0] != 2 && want[0] != -2 {
					t.Fatalf("reference: x=%v s=%v gives %d, want ±2", pr.x, pr.s, want[0])
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%s: x=%v s=%v zero=%v n=%d: got %v, want %v (fused multiply-add?)",
						im.Name, pr.x, pr.s, zero, length, got, want)
				}
			}
		}
	}
	t.Logf("%d pairs checked on %d kernel sets", len(pairs), n)
}

func TestCPeers(t *testing.T) {
	if !CgoEnabled {
		t.Skip("cgo disabled: the C peers (c-simd, c-scalar, c-avx512) and the C read loop are not built")
	}
	names := implNames(Impls())
	t.Logf("C compiler %s; implementations %v", CCompiler(), names)
	if !slices.Contains(names, "c-scalar") {
		t.Fatal("c-scalar missing")
	}
	if (runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64") && !slices.Contains(names, "c-simd") {
		t.Log("c-simd missing: this CPU lacks AVX2 or F16C")
	}
}

func TestReadCeiling(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	buf := make([]byte, 40000)
	// The C loop's definition: the OR of the native-endian 8-byte words,
	// then of the tail bytes as small integers.
	ref := func(b []byte) uint64 {
		var acc uint64
		for len(b) >= 8 {
			acc |= binary.NativeEndian.Uint64(b)
			b = b[8:]
		}
		for _, c := range b {
			acc |= uint64(c)
		}
		return acc
	}
	for _, n := range []int{0, 1, 7, 8, 9, 63, 64, 65, 100, 16<<10 - 1, 16 << 10, 16<<10 + 5, 40000} {
		for off := 0; off < 64 && off+n <= len(buf); off += 8 {
			for range 4 {
				clear(buf)
				b := buf[off : off+n]
				for range 3 {
					if n > 0 {
						b[r.IntN(n)] |= 1 << r.IntN(8)
						b[r.IntN(n)] = readProbe[0]
					}
				}
				want := uint64(bytes.Count(b, readProbe))
				if CgoEnabled && n >= readCgoMin {
					want = ref(b)
				}
				if got := ReadCeiling(b); got != want {
					t.Fatalf("ReadCeiling(%d bytes at %d) = %#x, want %#x", n, off, got, want)
				}
			}
		}
	}
}

// TestBenchCases builds every sub-benchmark at a small size (odd where
// the kernel allows it) and runs each body once per buffer, so that the
// harness itself is tested in CI.
func TestBenchCases(t *testing.T) {
	for _, kernel := range KernelNames {
		// 1001 values; 33 Q8_0 blocks; 3 rows; 256 rows (quant.ParallelMin
		// values), which a parallel call splits.
		candidates := []int{1001, 33 * quant.Q8_0Values, 3 * RowLength, quant.ParallelMin}
		n := KernelSizes(kernel, candidates)[0]
		cases := benchCases(kernel, n)
		names := caseNames(kernel)
		if len(cases) != len(names) {
			t.Fatalf("%s: %d cases, %d names", kernel, len(cases), len(names))
		}
		for i, c := range cases {
			if c.impl != names[i] || c.inBytes == 0 || c.count != BufferCount(n) {
				t.Fatalf("%s: case %d = %q (%d bytes, %d buffers), name %q", kernel, i, c.impl, c.inBytes, c.count, names[i])
			}
			body := c.setup()
			for b := range c.count {
				body(b)
			}
		}
	}
}

// parallelChunks runs f over [0, 2^32) in chunks of 2^20, on every CPU.
func parallelChunks(f func(base uint32, n int)) {
	const chunk = 1 << 20
	var next sync.Mutex
	var pos uint64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next.Lock()
				base := pos
				pos += chunk
				next.Unlock()
				if base >= 1<<32 {
					return
				}
				f(uint32(base), chunk)
			}
		}()
	}
	wg.Wait()
}

// TestExhaustiveNarrowing runs every float32 through the FP16 and BF16
// conversions of the C peers and compares them with the reference.
func TestExhaustiveNarrowing(t *testing.T) {
	if testing.Short() {
		t.Skip("exhaustive check skipped under -short")
	}
	var peers []*Impl
	for _, im := range Impls() {
		// The C peers; package quant's own sets go through kerneltest, and
		// x448 through TestFloat16Oracle.
		if strings.HasPrefix(im.Name, "c-") {
			peers = append(peers, im)
		}
	}
	if len(peers) == 0 {
		t.Skip("no C peers")
	}
	var mu sync.Mutex
	diffs := map[string]int{}
	var failure string
	parallelChunks(func(base uint32, n int) {
		src := make([]float32, n)
		for i := range src {
			src[i] = math.Float32frombits(base + uint32(i))
		}
		want16, wantBF, got := make([]uint16, n), make([]uint16, n), make([]uint16, n)
		fallback.Float32ToFloat16(want16, src)
		fallback.Float32ToBFloat16(wantBF, src)
		local := map[string]int{}
		for _, im := range peers {
			// The kernels themselves: the API wrappers switch the global
			// kernel set for each call (dispatch.Swap), which goroutines
			// calling at once would leave pointing at a peer's set.
			k := im.Kernels
			if k == nil {
				continue
			}
			for _, c := range []struct {
				kernel string
				f      func([]uint16, []float32)
				want   []uint16
			}{{"Float32ToFloat16", k.Float32ToFloat16, want16}, {"Float32ToBFloat16", k.Float32ToBFloat16, wantBF}} {
				if c.f == nil {
					continue
				}
				c.f(got, src)
				if slices.Equal(got, c.want) { // memequal: the common case, fast
					continue
				}
				for i := range got {
					if got[i] != c.want[i] {
						x := base + uint32(i)
						if !knownDiff(im.Name, c.kernel, x, c.want[i], got[i]) {
							mu.Lock()
							failure = fmt.Sprintf("%s %s(%#08x) = %#04x, want %#04x", im.Name, c.kernel, x, got[i], c.want[i])
							mu.Unlock()
							return
						}
						local[im.Name+" "+c.kernel]++
					}
				}
			}
		}
		mu.Lock()
		for k, v := range local {
			diffs[k] += v
		}
		mu.Unlock()
	})
	if failure != "" {
		t.Fatal(failure)
	}
	for k, v := range diffs {
		t.Logf("%s: %d documented differences", k, v)
	}
	// VCVTNEPS2BF16 differs on exactly the subnormals whose rounded
	// bfloat16 is not zero: mantissas above 0x8000, of either sign.
	if n, ok := diffs["c-avx512 Float32ToBFloat16"]; ok && n != 2*(0x7FFFFF-0x8000) {
		t.Errorf("c-avx512 Float32ToBFloat16: %d differences, want %d", n, 2*(0x7FFFFF-0x8000))
	}
}

// q8_0Inputs returns float32 inputs of whole Q8_0 blocks: weights at every
// block count up to 13 and at four alignments, then blocks that reach the
// corners of the algorithm, then inputs that fail (NaN, infinities, a d
// beyond binary16).
func q8_0Inputs(r *rand.Rand) (valid, failing [][]float32) {
	const bs = quant.Q8_0Values
	w := Weights(41*bs+3, 13)
	for _, blocks := range []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 41} {
		for off := range 4 {
			if off+blocks*bs <= len(w) {
				valid = append(valid, w[off:off+blocks*bs])
			}
		}
	}
	var corners []float32
	block := func(f func(j int) float32) {
		for j := range bs {
			corners = append(corners, f(j))
		}
	}
	negZero := float32(math.Copysign(0, -1))
	block(func(int) float32 { return 0 })
	block(func(j int) float32 { return []float32{0, negZero}[j%2] })
	// Weights scaled so that a/127 spans the range of d: zero, subnormal
	// binary16 (where the clamp binds), normal, up to 2^15.
	for e := -40; e <= 14; e++ {
		base := r.IntN(len(w) - bs)
		a := math.Float32frombits(fallback.AbsMaxBits(w[base : base+bs]))
		scale := float32(math.Ldexp(127*(1+r.Float64()), e)) / a
		block(func(j int) float32 { return w[base+j] * scale })
	}
	// a = 127: d = 1 and x*id = x, with ties at every half integer.
	block(func(j int) float32 {
		if j == 0 {
			return 127
		}
		return float32(j-16) + 0.5
	})
	// a/127 on and next to the rounding ties of binary16 (normal and
	// subnormal d), so that d rounds either way.
	for _, d := range []uint16{0x0000, 0x0001, 0x0002, 0x0003, 0x03FF, 0x0400, 0x1400, 0x3C00, 0x3C01, 0x7BFE} {
		tie := (fallback.FromFloat16(d) + fallback.FromFloat16(d+1)) / 2
		for _, a := range []float32{tie * 127, math.Nextafter32(tie*127, 0), math.Nextafter32(tie*127, 1e30)} {
			block(func(j int) float32 {
				if j == 5 {
					return -a
				}
				return a * float32(j-16) / 17
			})
		}
	}
	for range 8 { // random finite bits of moderate size
		block(func(int) float32 { return math.Float32frombits(r.Uint32()&0x8FFFFFFF | 0x30000000) })
	}
	valid = append(valid, corners)
	for b := 0; b < len(corners)/bs; b++ {
		valid = append(valid, corners[b*bs:(b+1)*bs])
	}
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, bad := range []float32{nan, inf, -inf, 1e30, -65520 * 127, 65520 * 127} {
		for _, pos := range []int{0, 31, 32, 5*bs + 7} {
			in := slices.Clone(w[:6*bs])
			in[pos] = bad
			failing = append(failing, in)
		}
	}
	// The largest a whose d is finite: a/127 = 65520 ties to 65536,
	// infinite in binary16 (failing, above).
	valid = append(valid, slices.Repeat([]float32{-math.Nextafter32(65520*127, 0)}, bs))
	return valid, failing
}

func checkQ8_0Impl(t *testing.T, im *Impl, r *rand.Rand) {
	if im.EncodeQ8_0 == nil && im.EncodeQ8_0Float16 == nil && im.EncodeQ8_0BFloat16 == nil &&
		im.DecodeQ8_0 == nil && im.DecodeQ8_0Float16 == nil && im.DecodeQ8_0BFloat16 == nil {
		return
	}
	valid, failing := q8_0Inputs(r)
	for _, in := range valid {
		if err := Reference.EncodeQ8_0(make([]byte, len(in)/quant.Q8_0Values*quant.Q8_0Bytes), in); err != nil {
			t.Fatalf("q8_0Inputs: a valid input fails: %v", err)
		}
	}
	for _, in := range failing {
		if err := Reference.EncodeQ8_0(make([]byte, len(in)/quant.Q8_0Values*quant.Q8_0Bytes), in); err == nil {
			t.Fatalf("q8_0Inputs: a failing input passes: %v", short(in))
		}
	}
	// got is stale, with a canary past the end.
	encoded := func(n int) (got, want []byte) { return encodedBuffers(n, quant.Q8_0Bytes) }
	if im.EncodeQ8_0 != nil {
		var approx func(t *testing.T, in []float32, got, want []byte) int
		if im.Name == "c-llama-ref" {
			approx = checkLlamaQ8_0
		}
		qdiffs := checkEncoder(t, "EncodeQ8_0", im.EncodeQ8_0, Reference.EncodeQ8_0, quant.Q8_0Bytes,
			append(slices.Clone(valid), failing...), approx)
		if approx != nil {
			t.Logf("EncodeQ8_0: %d quants one away from package quant's (rounding half away from zero against d before binary16)", qdiffs)
		}
	}
	// From 16-bit sources: the float32 inputs narrowed, every pattern of
	// the format, and non-finite values at every position.
	for _, c := range []struct {
		kernel   string
		got, ref func([]byte, []uint16) error
		f        format16
	}{
		{"EncodeQ8_0Float16", im.EncodeQ8_0Float16, Reference.EncodeQ8_0Float16, float16Format},
		{"EncodeQ8_0BFloat16", im.EncodeQ8_0BFloat16, Reference.EncodeQ8_0BFloat16, bfloat16Format},
	} {
		if c.got == nil {
			continue
		}
		var inputs [][]uint16
		for _, in := range append(slices.Clone(valid), failing...) {
			h := make([]uint16, len(in))
			c.f.narrow(h, in)
			inputs = append(inputs, h)
		}
		// Every pattern, in order, so that blocks hold values of one
		// size: the finite ones (all of them in one input, then 8 blocks
		// at a time, for the blocks beyond binary16's d to fail on their
		// own: bfloat16 reaches them), then the infinities and NaNs.
		var all, bad []uint16
		for h := range 1 << 16 {
			if c.f.finite(uint16(h)) {
				all = append(all, uint16(h))
			} else {
				bad = append(bad, uint16(h))
			}
		}
		all = all[:len(all)/32*32]
		inputs = append(inputs, all, bad[:32], bad[len(bad)-32:])
		for lo := 0; lo < len(all); lo += 8 * quant.Q8_0Values {
			inputs = append(inputs, all[lo:min(lo+8*quant.Q8_0Values, len(all))])
		}
		// The largest magnitudes on either side of the range check, and
		// the largest finite value.
		for _, h := range c.f.edges {
			inputs = append(inputs, slices.Repeat([]uint16{h}, quant.Q8_0Values))
		}
		// An infinity or a NaN at every position of four blocks, so that
		// each lane of the check's reduction meets one.
		w16 := make([]uint16, 4*quant.Q8_0Values)
		c.f.narrow(w16, Weights(len(w16), 23))
		for pos := range w16 {
			in := slices.Clone(w16)
			in[pos] = c.f.nonFinite[pos%3]
			inputs = append(inputs, in)
		}
		errs := 0
		for _, in := range inputs {
			got, want := encoded(len(in))
			werr := c.ref(want, in)
			gerr := c.got(got[:len(want)], in)
			if got[len(want)] != 0xA5 {
				t.Fatalf("%s(%d values): wrote past the end", c.kernel, len(in))
			}
			if !sameErr(gerr, werr) {
				t.Fatalf("%s(%d values): error %v, want %v", c.kernel, len(in), gerr, werr)
			}
			if werr == nil && !bytes.Equal(got[:len(want)], want) {
				t.Fatalf("%s(%d values): first difference at byte %d", c.kernel, len(in), firstDiff(got, want))
			}
			if werr != nil {
				errs++
				if !allAre(got[:len(want)], stale) {
					t.Fatalf("%s(%d values): failed (%v) but wrote dst, first at byte %d",
						c.kernel, len(in), gerr, firstDiff(got, bytes.Repeat([]byte{stale}, len(want))))
				}
			}
		}
		if errs == 0 || errs == len(inputs) {
			t.Fatalf("%s: %d of %d inputs fail: the checks need both kinds", c.kernel, errs, len(inputs))
		}
	}
	if im.DecodeQ8_0 != nil {
		checkDecoder(t, "DecodeQ8_0", im.DecodeQ8_0, Reference.DecodeQ8_0, ggufDecodeInput(r, quant.Q8_0Bytes),
			quant.Q8_0Bytes, 12345, math.Float32bits)
	}
	checkDecode16(t, im, r)
}

// encodedBuffers returns the outputs of an encoding of n values into
// blocks of 32 values and size bytes: got stale, with a canary (0xA5) past
// the end, and want.
func encodedBuffers(n, size int) (got, want []byte) {
	nb := n / quant.Q8_0Values * size
	got, want = bytes.Repeat([]byte{stale}, nb+1), make([]byte, nb)
	got[nb] = 0xA5
	return got, want
}

// checkEncoder compares the float32 GGUF encoder got (blocks of 32 values
// and size bytes) with the reference ref on inputs: the same error, dst
// untouched on one, and the same bytes, nothing written past the end.
// With approx (c-llama-ref, which has no status) the inputs that fail
// are skipped and approx holds the encodings to ref's, returning how many
// quants differ; checkEncoder returns their sum.
func checkEncoder(t *testing.T, kernel string, got, ref func([]byte, []float32) error, size int, inputs [][]float32,
	approx func(t *testing.T, in []float32, got, want []byte) int) int {
	t.Helper()
	qdiffs := 0
	for _, in := range inputs {
		g, want := encodedBuffers(len(in), size)
		werr := ref(want, in)
		if approx != nil && werr != nil {
			continue // no status: finite inputs only
		}
		gerr := got(g[:len(want)], in)
		if g[len(want)] != 0xA5 {
			t.Fatalf("%s(%v): wrote past the end", kernel, short(in))
		}
		if !sameErr(gerr, werr) {
			t.Fatalf("%s(%v): error %v, want %v", kernel, short(in), gerr, werr)
		}
		if werr != nil {
			if !allAre(g[:len(want)], stale) {
				t.Fatalf("%s(%v): failed (%v) but wrote dst, first at byte %d",
					kernel, short(in), gerr, firstDiff(g, bytes.Repeat([]byte{stale}, len(want))))
			}
			continue
		}
		g = g[:len(want)]
		if approx != nil {
			qdiffs += approx(t, in, g, want)
		} else if !bytes.Equal(g, want) {
			t.Fatalf("%s(%v): first difference at byte %d", kernel, short(in), firstDiff(g, want))
		}
	}
	return qdiffs
}

// ggufDecodeInput returns 2^16 GGUF blocks of size bytes (Q8_0, Q4_0 or
// Q4_1), block b with d = b (every binary16, infinities and NaNs too:
// decoding does not check) and random quants (and for Q4_1 a random m),
// and 3 bytes more for the offsets.
func ggufDecodeInput(r *rand.Rand, size int) []byte {
	src := make([]byte, 1<<16*size+3)
	for i := range src {
		src[i] = byte(r.Uint32())
	}
	for b := range 1 << 16 {
		src[b*size], src[b*size+1] = byte(b), byte(b>>8)
	}
	return src
}

// checkDecode16 checks the Q8_0 decoders to binary16 and bfloat16 on every
// d (infinities and NaNs too) with random quants, at four alignments of
// src and dst.
func checkDecode16(t *testing.T, im *Impl, r *rand.Rand) {
	if im.DecodeQ8_0Float16 == nil && im.DecodeQ8_0BFloat16 == nil {
		return
	}
	src := ggufDecodeInput(r, quant.Q8_0Bytes)
	for _, c := range []struct {
		kernel   string
		got, ref func([]uint16, []byte)
	}{
		{"DecodeQ8_0Float16", im.DecodeQ8_0Float16, Reference.DecodeQ8_0Float16},
		{"DecodeQ8_0BFloat16", im.DecodeQ8_0BFloat16, Reference.DecodeQ8_0BFloat16},
	} {
		if c.got != nil {
			checkDecoder(t, c.kernel, c.got, c.ref, src, quant.Q8_0Bytes, 0xBEEF, func(h uint16) uint16 { return h })
		}
	}
}

// checkDecoder compares the GGUF decoder got with the reference ref on
// the blocks of src (size bytes each), a few block counts at four
// alignments of src and dst, with a canary past the end of dst. Values
// compare by bits (their bit pattern).
func checkDecoder[T any, B uint16 | uint32](t *testing.T, kernel string, got, ref func([]T, []byte), src []byte, size int,
	canary T, bits func(T) B) {
	t.Helper()
	for _, blocks := range []int{0, 1, 2, 3, 5, 1 << 16} {
		for off := range 4 {
			if off+blocks*size > len(src) {
				continue
			}
			in := src[off : off+blocks*size]
			n := blocks * quant.Q8_0Values
			out, want := make([]T, n+off+1), make([]T, n)
			out[n+off] = canary
			ref(want, in)
			got(out[off:off+n], in)
			if bits(out[n+off]) != bits(canary) {
				t.Fatalf("%s(%d blocks at %d): wrote past the end", kernel, blocks, off)
			}
			for i := range want {
				if g, w := bits(out[off+i]), bits(want[i]); g != w {
					t.Fatalf("%s(%d blocks at %d): value %d = %#x, want %#x", kernel, blocks, off, i, g, w)
				}
			}
		}
	}
}

// format16 describes a 16-bit source format for the checks.
type format16 struct {
	narrow func([]uint16, []float32) // the reference conversion from float32
	finite func(h uint16) bool
	// nonFinite holds +Inf, a negative quiet NaN and a negative signaling
	// NaN.
	nonFinite [3]uint16
	// max is the largest finite value.
	max uint16
	// edges are values around EncodeQ8_0's range check (the largest
	// magnitude that passes and the smallest that fails, where the format
	// reaches them), the largest finite values and the smallest
	// subnormals.
	edges []uint16
}

var (
	float16Format = format16{
		narrow:    fallback.Float32ToFloat16,
		finite:    func(h uint16) bool { return h&0x7C00 != 0x7C00 },
		nonFinite: [3]uint16{0x7C00, 0xFE00, 0xFC01},
		max:       0x7BFF,
		// 65504, the largest binary16, is far below the range check.
		edges: []uint16{0x7BFF, 0xFBFF, 0x0001, 0x8001},
	}
	bfloat16Format = format16{
		narrow:    fallback.Float32ToBFloat16,
		finite:    func(h uint16) bool { return h&0x7F80 != 0x7F80 },
		nonFinite: [3]uint16{0x7F80, 0xFFC0, 0xFF81},
		max:       0x7F7F,
		// 0x4AFD = 8290304 gives d = f16(65278.0) = 65280, 0x4AFE =
		// 8323072 gives d = f16(65536) = +Inf: ErrRange.
		edges: []uint16{0x4AFD, 0xCAFD, 0x4AFE, 0xCAFE, 0x7F7F, 0xFF7F, 0x0001, 0x8001},
	}
)

// checkLlamaQ8_0 holds llama.cpp's reference encoding got to package
// quant's want: the same d in every block, and where d is a normal
// binary16, quants at most one apart (d's relative rounding error, below
// 2^-11, moves x/d by less than 127 * 2^-11). It returns how many differ.
func checkLlamaQ8_0(t *testing.T, in []float32, got, want []byte) int {
	t.Helper()
	diffs := 0
	for b := 0; b < len(want)/quant.Q8_0Bytes; b++ {
		g, w := got[b*quant.Q8_0Bytes:(b+1)*quant.Q8_0Bytes], want[b*quant.Q8_0Bytes:(b+1)*quant.Q8_0Bytes]
		if g[0] != w[0] || g[1] != w[1] {
			t.Fatalf("c-llama-ref EncodeQ8_0(%v): block %d: d = %#02x%02x, want %#02x%02x", short(in), b, g[1], g[0], w[1], w[0])
		}
		if w[1]&0x7C == 0 { // zero or subnormal d: too coarse for the bound
			continue
		}
		for j := 2; j < quant.Q8_0Bytes; j++ {
			switch d := int(int8(g[j])) - int(int8(w[j])); d {
			case 0:
			case -1, 1:
				diffs++
			default:
				t.Fatalf("c-llama-ref EncodeQ8_0(%v): block %d: q[%d] = %d, package quant gives %d",
					short(in), b, j-2, int8(g[j]), int8(w[j]))
			}
		}
	}
	return diffs
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// perRowInputs returns matrices (values, columns): weights of several
// shapes, and rows with corner cases, one of them failing per matrix.
func perRowInputs() []struct {
	src  []float32
	cols int
} {
	type matrix = struct {
		src  []float32
		cols int
	}
	w := Weights(3*4096+5, 17)
	var out []matrix
	for _, shape := range [][2]int{{0, 5}, {1, 1}, {3, 7}, {5, 33}, {4, 64}, {2, 4096}, {3, 4096}, {7, 100}} {
		out = append(out, matrix{w[1 : 1+shape[0]*shape[1]], shape[1]})
	}
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	rows := [][]float32{
		make([]float32, 40),                              // zero row
		slices.Repeat([]float32{-3}, 40),                 // constant row
		slices.Repeat([]float32{1e-38}, 40),              // absmax: 127/a overflows
		append(slices.Repeat([]float32{100}, 39), 100.5), // zero point beyond int32
		append(slices.Repeat([]float32{1}, 39), nan),
		append(slices.Repeat([]float32{1}, 39), -inf),
	}
	for _, row := range rows {
		for _, at := range []int{0, 2} { // the odd row first, or after two rows of weights
			m := slices.Clone(w[:3*40])
			copy(m[at*40:], row)
			out = append(out, matrix{m, 40})
		}
	}
	return append(out, matrix{append(slices.Clone(w[:80]), inf), 1})
}

func checkPerRow(t *testing.T, im *Impl) {
	for _, m := range perRowInputs() {
		checkPerRowOn(t, im, m.src, m.cols)
	}
}

// perRow16Inputs returns the matrices of perRowInputs narrowed to the
// 16-bit format f, a matrix of many short rows (several chunks of quant's
// blockwise path), and matrices with a row of f's edges (its largest
// finite values and subnormals, which in bfloat16 give every range error)
// first or third.
func perRow16Inputs(f format16) []struct {
	src  []uint16
	cols int
} {
	type matrix = struct {
		src  []uint16
		cols int
	}
	var out []matrix
	for _, m := range perRowInputs() {
		h := make([]uint16, len(m.src))
		f.narrow(h, m.src)
		out = append(out, matrix{h, m.cols})
	}
	w := make([]uint16, 300*BlockLength)
	f.narrow(w, Weights(len(w), 29))
	out = append(out, matrix{w, BlockLength})
	rows := [][]uint16{
		slices.Repeat([]uint16{0x0001}, 40),                        // the smallest subnormal (bfloat16: 127/a overflows)
		slices.Repeat([]uint16{f.max}, 40),                         // the largest finite, constant
		append(slices.Repeat([]uint16{f.max | 0x8000}, 39), f.max), // the widest range
		append(slices.Repeat([]uint16{0x8000}, 39), 0x8001),        // -0 and the negative subnormal nearest it
	}
	for _, row := range rows {
		for _, at := range []int{0, 2} {
			m := slices.Clone(w[:3*40])
			copy(m[at*40:], row)
			out = append(out, matrix{m, 40})
		}
	}
	return out
}

// checkPerRow16 checks the per-row quantizers from binary16 and bfloat16
// as checkPerRow checks those from float32.
func checkPerRow16(t *testing.T, im *Impl) {
	for _, f := range []struct {
		name      string
		format    format16
		absmax    func([]int8, []quant.AbsmaxParams, []uint16, int) error
		refAbsmax func([]int8, []quant.AbsmaxParams, []uint16, int) error
		zp        func([]int8, []quant.ZeroPointParams, []uint16, int) error
		refZp     func([]int8, []quant.ZeroPointParams, []uint16, int) error
	}{
		{"Float16", float16Format, im.QuantizeAbsmaxPerRowFloat16, Reference.QuantizeAbsmaxPerRowFloat16,
			im.QuantizeZeroPointPerRowFloat16, Reference.QuantizeZeroPointPerRowFloat16},
		{"BFloat16", bfloat16Format, im.QuantizeAbsmaxPerRowBFloat16, Reference.QuantizeAbsmaxPerRowBFloat16,
			im.QuantizeZeroPointPerRowBFloat16, Reference.QuantizeZeroPointPerRowBFloat16},
	} {
		if f.absmax == nil && f.zp == nil {
			continue
		}
		var errs [2]int
		inputs := perRow16Inputs(f.format)
		for _, m := range inputs {
			if f.absmax != nil && checkPerRowQuantizer(t, "QuantizeAbsmaxPerRow"+f.name, f.absmax, f.refAbsmax, staleAbsmax, m.src, m.cols) {
				errs[0]++
			}
			if f.zp != nil && checkPerRowQuantizer(t, "QuantizeZeroPointPerRow"+f.name, f.zp, f.refZp, staleZeroPoint, m.src, m.cols) {
				errs[1]++
			}
		}
		if errs[0] == 0 || errs[1] == 0 || errs[0] == len(inputs) || errs[1] == len(inputs) {
			t.Fatalf("QuantizePerRow%s: %v of %d inputs fail: the checks need both kinds", f.name, errs, len(inputs))
		}
	}
}

// checkPerRowQuantizer compares the per-row quantizer got with the
// reference ref on src, a matrix of cols columns: the same parameters and
// quants, or the same error with dst and params untouched. It reports
// whether the call failed.
func checkPerRowQuantizer[S any, P comparable](t *testing.T, kernel string, got, ref func([]int8, []P, []S, int) error, staleP P, src []S, cols int) bool {
	t.Helper()
	rows := len(src) / cols
	gq, wq := staleInt8(len(src)), make([]int8, len(src))
	gp, wp := slices.Repeat([]P{staleP}, rows), make([]P, rows)
	gerr := got(gq, gp, src, cols)
	werr := ref(wq, wp, src, cols)
	if !sameErr(gerr, werr) || (werr == nil && (!slices.Equal(gp, wp) || !slices.Equal(gq, wq))) {
		t.Fatalf("%s(%v, %d x %d): got %v, %v; want %v, %v", kernel, short(src), rows, cols, short2(gp), gerr, short2(wp), werr)
	}
	if werr != nil && (!allAre(gq, stale) || !allAre(gp, staleP)) {
		t.Fatalf("%s(%v, %d x %d): failed (%v) but wrote dst or params %v", kernel, short(src), rows, cols, gerr, short2(gp))
	}
	return werr != nil
}

// TestWorkerImpls checks the parallel implementations on inputs large
// enough to be split (the tests above use small ones), with and without
// a failing value.
func TestWorkerImpls(t *testing.T) {
	w := Weights(quant.ParallelMin+17*RowLength, 19)
	inputs := [][]float32{w, w[:quant.ParallelMin], w[:quant.ParallelMin-1]}
	for _, at := range []int{0, 5*RowLength + 3, len(w) - 1} {
		in := slices.Clone(w)
		in[at] = float32(math.Inf(-1))
		inputs = append(inputs, in)
	}
	for _, im := range WorkerImpls() {
		t.Run(im.Name, func(t *testing.T) {
			for _, in := range inputs {
				checkWhole(t, im, in)
				if len(in)%RowLength != 0 {
					continue
				}
				checkPerRowOn(t, im, in, RowLength)
			}
		})
	}
}

// checkPerRowOn compares the per-row quantizers of im with the
// reference on src, a matrix of cols columns: the same parameters and
// quants, or the same error with dst and params untouched.
func checkPerRowOn(t *testing.T, im *Impl, src []float32, cols int) {
	t.Helper()
	if im.QuantizeAbsmaxPerRow != nil {
		checkPerRowQuantizer(t, "QuantizeAbsmaxPerRow", im.QuantizeAbsmaxPerRow, Reference.QuantizeAbsmaxPerRow, staleAbsmax, src, cols)
	}
	if im.QuantizeZeroPointPerRow != nil {
		checkPerRowQuantizer(t, "QuantizeZeroPointPerRow", im.QuantizeZeroPointPerRow, Reference.QuantizeZeroPointPerRow, staleZeroPoint, src, cols)
	}
}

// short2 prints at most the first 4 parameters.
func short2[P any](p []P) string {
	if len(p) > 4 {
		return fmt.Sprintf("%+v... (%d)", p[:4], len(p))
	}
	return fmt.Sprintf("%+v", p)
}

// q4Inputs returns float32 inputs of whole Q4 blocks for both formats:
// Q8_0's (weights at every block count and alignment, its corners, its
// failing inputs), then blocks that reach the corners of the Q4
// algorithms, as one input and each alone, then inputs with failing
// blocks in either order. Which fail depends on the format: the
// reference decides.
func q4Inputs(r *rand.Rand) [][]float32 {
	const bs = quant.Q4Values
	valid, failing := q8_0Inputs(r)
	inputs := append(valid, failing...)
	var corners []float32
	block := func(f func(j int) float32) {
		for j := range bs {
			corners = append(corners, f(j))
		}
	}
	negZero := float32(math.Copysign(0, -1))
	zeros := []float32{negZero, 0}
	// Zeros: Q4_0's e is +0 whatever their signs, Q4_1's min the first
	// zero (after positive values too).
	for k := range 2 {
		block(func(j int) float32 { return zeros[(j+k)%2] })
		block(func(j int) float32 {
			if j < 3 {
				return float32(j + 1)
			}
			return zeros[(j+k)%2]
		})
	}
	// Magnitude ties of opposite signs: e is the first.
	for _, sign := range []float32{1, -1} {
		block(func(j int) float32 {
			switch j {
			case 4:
				return 3 * sign
			case 9:
				return -3 * sign
			}
			return float32(j-16) / 8
		})
	}
	// d on and next to the rounding ties of binary16 (normal and
	// subnormal), with x/d at every half integer: Q4_0 (e/-8 = t), and
	// Q4_1 (min = -8t, max = 7t).
	for _, d := range []uint16{0x0000, 0x0001, 0x0002, 0x0003, 0x03FF, 0x0400, 0x1400, 0x3C00, 0x3C01, 0x7BFE} {
		tie := (fallback.FromFloat16(d) + fallback.FromFloat16(d+1)) / 2
		for _, s := range []float32{tie, math.Nextafter32(tie, 0), math.Nextafter32(tie, 1e30)} {
			block(func(j int) float32 {
				if j == 5 {
					return -8 * s
				}
				return s * float32(j-16) / 2
			})
			block(func(j int) float32 { return s * float32(min(j-16, 14)) / 2 })
		}
	}
	// Q4_1: a min far from zero against the range (m's rounding moves
	// every quant and the clamp binds), one beyond binary16 (failing), and
	// values beyond 65520 with a representable min and d (valid: Q4_1's
	// per-block check).
	for _, base := range []float32{1000, -1000, 0.3, -65504} {
		block(func(j int) float32 { return base + float32(j)*base*1e-4 })
	}
	block(func(j int) float32 { return float32(j) * 3000 })
	// Weights scaled so that d spans binary16's range and beyond.
	w := Weights(4*bs, 29)
	for e := -40; e <= 24; e += 2 {
		base := r.IntN(3) * bs
		scale := float32(math.Ldexp(1+r.Float64(), e))
		block(func(j int) float32 { return w[base+j] * scale })
	}
	inputs = append(inputs, corners)
	for b := 0; b < len(corners)/bs; b++ {
		inputs = append(inputs, corners[b*bs:(b+1)*bs])
	}
	// Failing blocks: the first one decides the error.
	nan, inf, big := float32(math.NaN()), float32(math.Inf(1)), float32(1e7)
	for _, pair := range [][2]float32{{nan, big}, {big, nan}, {inf, -big}, {-big, -inf}, {70000, -70000}, {-70000, nan}} {
		in := Weights(6*bs, 31)
		in[bs+3], in[4*bs+30] = pair[0], pair[1]
		inputs = append(inputs, in)
	}
	return inputs
}

func checkQ4Impl(t *testing.T, im *Impl, r *rand.Rand) {
	if im.EncodeQ4_0 == nil && im.EncodeQ4_1 == nil && im.DecodeQ4_0 == nil && im.DecodeQ4_1 == nil {
		return
	}
	inputs := q4Inputs(r)
	llama := im.Name == "c-llama-ref"
	for _, c := range []struct {
		kernel   string
		got, ref func([]byte, []float32) error
		size     int
		approx   func(t *testing.T, in []float32, got, want []byte) int
	}{
		{"EncodeQ4_0", im.EncodeQ4_0, Reference.EncodeQ4_0, quant.Q4_0Bytes, checkLlamaQ4},
		{"EncodeQ4_1", im.EncodeQ4_1, Reference.EncodeQ4_1, quant.Q4_1Bytes, checkLlamaQ4},
	} {
		if c.got == nil {
			continue
		}
		errs := 0
		for _, in := range inputs {
			if c.ref(make([]byte, len(in)/quant.Q4Values*c.size), in) != nil {
				errs++
			}
		}
		if errs == 0 || errs == len(inputs) {
			t.Fatalf("%s: %d of %d inputs fail: the checks need both kinds", c.kernel, errs, len(inputs))
		}
		if !llama {
			c.approx = nil
		}
		n := checkEncoder(t, c.kernel, c.got, c.ref, c.size, inputs, c.approx)
		if llama {
			t.Logf("%s: %d quants differ from package quant's (rounding half up against d and min before binary16)", c.kernel, n)
		}
	}
	if im.DecodeQ4_0 != nil {
		checkDecoder(t, "DecodeQ4_0", im.DecodeQ4_0, Reference.DecodeQ4_0, ggufDecodeInput(r, quant.Q4_0Bytes),
			quant.Q4_0Bytes, 12345, math.Float32bits)
	}
	if im.DecodeQ4_1 != nil {
		checkDecoder(t, "DecodeQ4_1", im.DecodeQ4_1, Reference.DecodeQ4_1, ggufDecodeInput(r, quant.Q4_1Bytes),
			quant.Q4_1Bytes, 12345, math.Float32bits)
	}
}

// checkLlamaQ4 holds llama.cpp's reference Q4_0 or Q4_1 encoding got (the
// format by its length) to package quant's want: the same d (and m) in
// every block, and where d is a normal binary16, quants at most
// 1 + |min - m|/d apart (Q4_0 has no min): d's relative rounding error,
// below 2^-11, moves x/d by less than 16 * 2^-11, and llama.cpp's
// subtracting min rather than m by |min - m|/d more. It returns how many
// differ.
func checkLlamaQ4(t *testing.T, in []float32, got, want []byte) int {
	t.Helper()
	size := quant.Q4_0Bytes
	if len(want) == len(in)/quant.Q4Values*quant.Q4_1Bytes {
		size = quant.Q4_1Bytes
	}
	head, diffs := size-quant.Q4Values/2, 0
	for b := 0; b < len(want)/size; b++ {
		g, w := got[b*size:(b+1)*size], want[b*size:(b+1)*size]
		if !bytes.Equal(g[:head], w[:head]) {
			t.Fatalf("c-llama-ref Q4 (%d bytes)(%v): block %d: d, m = % x, want % x", size, short(in), b, g[:head], w[:head])
		}
		if w[1]&0x7C == 0 { // zero or subnormal d: too coarse for the bound
			continue
		}
		bound := 1
		if size == quant.Q4_1Bytes {
			lo, _ := fallback.Q4_1Range(in[b*quant.Q4Values : (b+1)*quant.Q4Values])
			d := fallback.FromFloat16(binary.LittleEndian.Uint16(w))
			m := fallback.FromFloat16(binary.LittleEndian.Uint16(w[2:]))
			bound += int(math.Abs(float64(lo)-float64(m))/float64(d) + 0.01)
		}
		for j := head; j < size; j++ {
			for _, sh := range []uint{0, 4} {
				dq := int(g[j]>>sh&15) - int(w[j]>>sh&15)
				if dq != 0 {
					diffs++
				}
				if dq > bound || -dq > bound {
					t.Fatalf("c-llama-ref Q4 (%d bytes)(%v): block %d: byte %d: %#02x, package quant gives %#02x (bound %d)",
						size, short(in), b, j, g[j], w[j], bound)
				}
			}
		}
	}
	return diffs
}
