package kerneltest

import (
	"math"
	"testing"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// The FMA fast path of dequantization (see exhaustDequantDomain), written
// in Go, correct and broken, to show that the suite passes the one and
// catches the others.

// fma32 returns a*b + c rounded once to float32, for operands and results
// far from float64's overflow and underflow: the product is exact in
// float64, and the sum rounded to odd there (TwoSum gives its error) keeps
// 29 bits more than float32 needs, so the rounding to float32 is the only
// one that counts.
func fma32(a, b, c float32) float32 {
	p, x := float64(a)*float64(b), float64(c)
	s := p + x
	bb := s - p
	if err := (p - (s - bb)) + (x - bb); err != 0 && math.Float64bits(s)&1 == 0 {
		s = math.Nextafter(s, math.Copysign(math.Inf(1), err))
	}
	return float32(s)
}

// inDequantDomain reports whether scale and zero are inside the FMA
// domain.
func inDequantDomain(scale float32, zero int32) bool {
	a := math.Float32bits(scale) &^ (1 << 31)
	return -128 <= zero && zero <= 128 && 0x1F800000 <= a && a <= 0x5F800000
}

// dequantFMA is DequantizeZeroPoint that, inside the FMA domain, takes
// r = recip(scale) and multiplies by it, then corrects the product with
// two FMAs if correct is set; outside it divides.
func dequantFMA(recip func(float32) float32, correct bool) func([]float32, []int8, float32, int32) {
	return func(d []float32, src []int8, s float32, z int32) {
		if !inDequantDomain(s, z) {
			fallback.DequantizeZeroPoint(d, src, s, z)
			return
		}
		r := recip(s)
		for i, q := range src {
			n := float32(int32(q) - z)
			y := n * r
			if correct {
				e := fma32(-y, s, n)
				y = fma32(e, r, y)
			}
			d[i] = y
		}
	}
}

func recipExact(s float32) float32 { return 1 / s }

// recipUlpOff is 1/s one ulp toward zero.
func recipUlpOff(s float32) float32 { return math.Nextafter32(1/s, 0) }

// TestDequantFMAPasses checks that the correct FMA fast path passes the
// suite's check of DequantizeZeroPoint, and the exhaustive one on a few
// chunks (among them the one that catches recipUlpOff), so that what
// catches the broken variants below is their flaw.
func TestDequantFMAPasses(t *testing.T) {
	k := wrapped()
	k.DequantizeZeroPoint = dequantFMA(recipExact, true)
	rec := &recorder{}
	checkNamed("DequantizeZeroPoint").check(rec, &k)
	if len(rec.errors) != 0 {
		t.Errorf("the FMA fast path fails the suite: %q", rec.errors)
	}
	last := dequantDomainSignificands - dequantDomainChunk
	for _, from := range []int{0, 0x123456 &^ (dequantDomainChunk - 1), last} {
		rec := &recorder{}
		exhaustDequantDomainOf(rec, "fma", k.DequantizeZeroPoint, fallback.DequantizeZeroPoint, 1, from, from+dequantDomainChunk, hex[float32])
		if len(rec.errors) != 0 {
			t.Errorf("the FMA fast path fails the exhaustive check at significands %#x..: %q", from, rec.errors)
		}
	}
}

// TestExhaustiveDequantDomainDetects proves that the exhaustive check of
// the FMA domain fails on a kernel wrong for one q under one scale, and
// on the fast path with a reciprocal one ulp off, on the chunk that holds
// the input.
func TestExhaustiveDequantDomainDetects(t *testing.T) {
	const m, q = 0x2ABCDE, -77 // significand, and the scale of the second pair
	_, bad := dequantDomainScales(m)
	from := m / dequantDomainChunk * dequantDomainChunk
	rec := &recorder{}
	exhaustDequantDomainOf(rec, "broken", func(d []float32, src []int8, s float32, z int32) {
		fallback.DequantizeZeroPoint(d, src, s, z)
		for i, x := range src {
			if x == q && s == bad && z == -128 {
				d[i] = math.Nextafter32(d[i], 0)
			}
		}
	}, fallback.DequantizeZeroPoint, 1, from, from+dequantDomainChunk, hex[float32])
	expectReport(t, "wrong for one q under one scale", rec, "scale "+hex(bad)+" zero -128: q -77 (n 51)")

	// 2 - 2^-23: a reciprocal one ulp toward zero fails at powers of two.
	const last = dequantDomainSignificands - 1
	rec = &recorder{}
	exhaustDequantDomainOf(rec, "broken", dequantFMA(recipUlpOff, true), fallback.DequantizeZeroPoint,
		1, last&^(dequantDomainChunk-1), last+1, hex[float32])
	expectReport(t, "reciprocal one ulp off", rec, "scale 0x3fffffff")

	for _, f := range formats {
		ref := f.set(&fallback.Kernels).DequantizeZeroPoint
		const i = 0x4321 // every 61st significand: 61*i
		_, bad := dequantDomainScales(61 * i)
		rec := &recorder{}
		exhaustDequantDomainOf(rec, "broken", func(d []uint16, src []int8, s float32, z int32) {
			ref(d, src, s, z)
			for j, x := range src {
				if x == 5 && s == bad && z == 128 {
					d[j] ^= 1
				}
			}
		}, ref, 61, i&^(dequantDomainChunk-1), i&^(dequantDomainChunk-1)+dequantDomainChunk, f.show)
		expectReport(t, f.name+" wrong for one q under one scale", rec, "scale "+hex(bad)+" zero 128: q 5 (n -123)")
	}
}

// brokenDequantFMA are fast paths the suite must catch.
var brokenDequantFMA = []broken{
	{kernel: "DequantizeZeroPoint", what: "multiplies by the reciprocal inside the FMA domain", patch: func(k *kernels.Set) {
		k.DequantizeZeroPoint = dequantFMA(recipExact, false)
	}},
	{kernel: "DequantizeZeroPoint", what: "corrects a reciprocal one ulp off inside the FMA domain", patch: func(k *kernels.Set) {
		k.DequantizeZeroPoint = dequantFMA(recipUlpOff, true)
	}},
	// A domain test off by one: the ends of the lists must meet it.
	{kernel: "DequantizeZeroPoint", what: "multiplies by the reciprocal at zero 129 and -129", patch: func(k *kernels.Set) {
		k.DequantizeZeroPoint = func(d []float32, src []int8, s float32, z int32) {
			if z != 129 && z != -129 {
				fallback.DequantizeZeroPoint(d, src, s, z)
				return
			}
			for i, q := range src {
				d[i] = float32(int32(q)-z) * (1 / s)
			}
		}
	}},
	{kernel: "DequantizeZeroPoint", what: "multiplies by the reciprocal at the scales just outside the FMA domain", patch: func(k *kernels.Set) {
		k.DequantizeZeroPoint = func(d []float32, src []int8, s float32, z int32) {
			if a := math.Float32bits(s) &^ (1 << 31); a != 0x1F7FFFFF && a != 0x5F800001 {
				fallback.DequantizeZeroPoint(d, src, s, z)
				return
			}
			for i, q := range src {
				d[i] = float32(int32(q)-z) * (1 / s)
			}
		}
	}},
}
