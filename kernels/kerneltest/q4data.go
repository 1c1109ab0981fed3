package kerneltest

import (
	"math"
	"slices"

	"github.com/qkernels/quant/fallback"
)

// Test data of the Q4_0 and Q4_1 kernels. Their encoders also get every
// shared block kind (blockKinds), Q4_0 with d near a/8 for a block of
// largest magnitude a, as it is, and Q4_1 near a/15.

// validQ4_0 reports whether a block meets EncodeQ4_0's precondition:
// finite, with |e|/8 below 65520 for e its first value of largest
// magnitude.
func validQ4_0(x []float32) bool {
	return allFinite(x) && validSpread(abs32(fallback.Q4_0Extreme(x)), 8)
}

// validQ4_1 reports whether a block meets EncodeQ4_1's precondition:
// finite, with max - min finite and (max - min)/15 and min within
// binary16's range.
func validQ4_1(x []float32) bool {
	lo, hi := fallback.Q4_1Range(x)
	return allFinite(x) && validSpread(hi-lo, 15) && fallback.ToFloat16(lo)&0x7C00 != 0x7C00
}

func allFinite(x []float32) bool {
	for _, v := range x {
		if f32bits(v)&0x7FFFFFFF >= posInf {
			return false
		}
	}
	return true
}

// q4_1Keys returns the indices of the first minimum and the first
// maximum of a block (the first of equal values, as EncodeQ4_1 takes
// them).
func q4_1Keys(x []float32) []keyAt {
	lo, hi := fallback.Q4_1Range(x)
	return []keyAt{{"min", slices.Index(x, lo)}, {"max", slices.Index(x, hi)}}
}

// q4SpecialQ are the quant bytes of the special-d decode pool: both
// nibbles at 0, 8 (q - 8 = 0) and 15, and beside 8.
var q4SpecialQ = []byte{0x00, 0xFF, 0x0F, 0xF0, 0x88, 0x08, 0x80, 0x87, 0x78, 0x77, 0x99}

// q4SpecialD are the d (and m) of Q4 blocks put into every block position
// besides decodeSpecialD: 9360 and 4368, whose products with q - 8 = 7
// and with q = 15 are 65520, the binary16 overflow threshold.
var q4SpecialD = []uint16{0x7092, 0xF092, 0x6C44, 0xEC44}

// q4_0Kinds are the kinds of block of EncodeQ4_0 of its own.
var q4_0Kinds = []blockKind{
	// The largest magnitude with both signs, several times: the first
	// one sets the sign of d, and x = -e gives x*id = 8 (q = 16,
	// clamped to 15).
	{"both-signs", func(g *blockGen, b []float32) {
		a := g.fit(g.magnitude(-22, 18))
		g.spread(b, a)
		for range 1 + g.r.IntN(4) {
			b[g.r.IntN(len(b))] = a
			b[g.r.IntN(len(b))] = -a
		}
	}},
	// Zeros of both signs, one ±e among them, or none: e is the first
	// non-zero value, or +0 (d = -0) whatever the zeros' signs.
	{"zeros-and-one", func(g *blockGen, b []float32) {
		for i := range b {
			b[i] = g.sign(0)
		}
		if g.r.IntN(3) != 0 {
			b[g.r.IntN(len(b))] = g.sign(g.magnitude(-26, 10))
		}
	}},
}

// q4_1Kinds are the kinds of block of EncodeQ4_1 of its own; the shared
// kinds that spread values over [-a, a] give ranges of a to 2a.
var q4_1Kinds = []blockKind{
	// Non-negative values with zeros of both signs: the minimum is the
	// first zero, whose sign m keeps.
	{"zero-min", func(g *blockGen, b []float32) {
		for i := range b {
			b[i] = g.fit(float32(math.Abs(float64(weight(g.r)))))
		}
		for range 1 + g.r.IntN(6) {
			b[g.r.IntN(len(b))] = g.sign(0)
		}
	}},
	// Non-positive values with zeros of both signs: the maximum is a
	// zero.
	{"zero-max", func(g *blockGen, b []float32) {
		for i := range b {
			b[i] = -g.fit(float32(math.Abs(float64(weight(g.r)))))
		}
		for range 1 + g.r.IntN(6) {
			b[g.r.IntN(len(b))] = g.sign(0)
		}
	}},
	// d a power of two and m a multiple of it, so that min = m and max
	// = m + 15d exactly: x = m + (k+0.5)*d is an exact tie of (x-m)*id.
	{"grid-ties", func(g *blockGen, b []float32) {
		d := float32(math.Ldexp(1, g.r.IntN(25)-14)) // 2^-14 to 2^10
		kmax := min(1024, int(60000/d))
		m := g.fit(float32(g.r.IntN(2*kmax+1)-kmax) * d)
		for i := range b {
			k := float32(g.r.IntN(15))
			if g.r.IntN(4) != 0 {
				k += 0.5
			}
			b[i] = g.fit(m + k*d)
		}
		b[g.r.IntN(len(b))] = m
		b[g.r.IntN(len(b))] = g.fit(m + 15*d)
	}},
	// (x - m)*id rounded onto k+0.5, as near as the format allows, for
	// any d.
	{"product-ties", func(g *blockGen, b []float32) {
		lo := g.sign(g.magnitude(-14, 14))
		if g.r.IntN(4) == 0 {
			lo = 0
		}
		lo = g.fit(lo)
		hi := g.fit(lo + g.magnitude(-12, 14))
		_, id := scaleOf(hi-lo, 15)
		mf := fallback.FromFloat16(fallback.ToFloat16(lo))
		for i := range b {
			b[i] = g.fit(lo + (hi-lo)*float32(g.r.Float64()))
			if id == 0 {
				continue
			}
			t := float32(g.r.IntN(15)) + 0.5
			x := mf + float32(float64(t)/float64(id))
			for _, cand := range []float32{x, math.Nextafter32(x, -1e30), math.Nextafter32(x, 1e30)} {
				if c := g.fit(cand); (c-mf)*id == t && c >= lo && c <= hi {
					b[i] = c
					break
				}
			}
		}
		b[g.r.IntN(len(b))] = lo
		b[g.r.IntN(len(b))] = hi
	}},
	// A narrow range far from zero: m = ToFloat16(min) lies off min by
	// more than d/2, so (x - m)*id goes below -0.5 or beyond 15.5 and the
	// clamps bind.
	{"narrow-far", func(g *blockGen, b []float32) {
		c := g.sign(g.magnitude(3, 15.9))
		w := float32(math.Abs(float64(c))) * float32(math.Ldexp(1, -4-g.r.IntN(12)))
		for i := range b {
			b[i] = g.fit(c + w*float32(g.r.Float64()))
		}
	}},
	// Ranges whose r/15 lies nearest a binary16 midpoint: from ±0, to
	// ±0, or from a minimum too small to change max - min in float32
	// (where the exact range lies off the midpoint).
	{"range-ties", func(g *blockGen, b []float32) {
		r := g.edges.ties[g.r.IntN(len(g.edges.ties))]
		lo := g.sign(0)
		switch g.r.IntN(3) {
		case 0:
			if r < 65504 {
				lo = -r
			}
		case 1:
			lo = g.sign(g.fit(r * float32(math.Ldexp(1+g.r.Float64(), -30-g.r.IntN(10)))))
		}
		g.fill(b, lo, g.fit(lo+r))
	}},
	// The largest ranges the precondition allows, from ±0.
	{"range-limit", func(g *blockGen, b []float32) {
		g.fill(b, g.sign(0), g.edges.limits[g.r.IntN(len(g.edges.limits))])
	}},
	// A minimum of magnitude just below 65520 (m is ±65504), with
	// ranges up to the largest allowed.
	{"min-limit", func(g *blockGen, b []float32) {
		a := float32(65519.996)
		for fallback.ToFloat16(g.fit(a))&0x7C00 == 0x7C00 {
			a *= 0.999
		}
		lo := g.fit(a)
		if g.r.IntN(2) == 0 {
			lo = -lo
		}
		g.fill(b, lo, g.fit(lo+g.magnitude(-10, 19.8)))
	}},
	// (max - min)/15 a binary16 subnormal.
	{"d-subnormal-range", func(g *blockGen, b []float32) {
		lo := g.sign(g.magnitude(-24, -10))
		r := g.magnitude(math.Log2(15)-24, math.Log2(15)-14)
		g.fill(b, g.fit(lo), g.fit(lo+r))
	}},
	// Values within a few float32 ulps of each other: d = 0 (q = 0) or
	// subnormal, or, in a 16-bit format, a constant block.
	{"near-constant", func(g *blockGen, b []float32) {
		c := g.sign(g.magnitude(-30, 15))
		for i := range b {
			b[i] = g.fit(c * (1 + float32(g.r.IntN(4))*0x1p-22))
		}
	}},
}

// fill fills b with values from lo to hi, both of them somewhere, lo
// first (the first minimum sets the sign of a zero m).
func (g *blockGen) fill(b []float32, lo, hi float32) {
	for i := range b {
		b[i] = g.fit(lo + (hi-lo)*float32(g.r.Float64()))
		if b[i] < lo || b[i] > hi {
			b[i] = hi
		}
	}
	i := g.r.IntN(len(b))
	b[i] = hi
	b[g.r.IntN(i+1)] = lo
}

// everyRangeFloat32 returns a block for every finite d >= 0 of Q4_1:
// min = ±j*d (j varying from 0 up to what keeps m finite, a zero min of
// either sign) and max = min + 15*d, both exact, so that (max - min)/15 =
// d; m rounds min to binary16. The other values are min + (k+0.5)*d and
// their neighbours, for k spread over [0, 15).
func everyRangeFloat32() []float32 {
	const n = blockValues
	var out []float32
	for d := range 0x7C00 {
		dv := fallback.FromFloat16(uint16(d))
		jmax := 63
		if dv > 0 {
			jmax = min(jmax, int(65504/dv))
		}
		j := float32(d * 37 % (jmax + 1))
		lo := j * dv
		if d&64 != 0 {
			lo = -lo
			if j == 0 {
				lo = f32(0x80000000)
			}
		}
		for i := range n {
			x := lo + (float32((i*4+d)%15)+0.5)*dv
			switch i % 3 {
			case 1:
				x = math.Nextafter32(x, lo)
			case 2:
				x = math.Nextafter32(x, 1e30)
			}
			out = append(out, x)
		}
		blk := out[len(out)-n:]
		blk[(d/32+7)%n] = lo + 15*dv
		blk[d%n] = lo
	}
	return out
}

// everyMin returns a block for every pattern of the format that is a
// valid minimum (and so every m it reaches), with ranges that vary from
// 2^-12 to 2^4 times its magnitude, and values near the ties of (x - m)*id
// between.
func (f *format) everyMin() []uint16 {
	const n = blockValues
	var out []uint16
	var x [n]float32
	for _, h := range f.finitePatterns() {
		lo := f.widen(h)
		if fallback.ToFloat16(lo)&0x7C00 == 0x7C00 {
			continue
		}
		r := float32(math.Ldexp(float64(max(abs32(lo), 0x1p-20)), int(h)%17-12))
		hi := f.fit(lo + r)
		for !validQ4_1([]float32{lo, hi}) || hi <= lo {
			r /= 2
			hi = f.fit(lo + r)
			if r == 0 {
				hi = lo
				break
			}
		}
		dv := stepOf(hi-lo, 15)
		for i := range n {
			v := f.narrow(lo + (float32((i*4+int(h))%15)+0.5)*dv)
			v += []uint16{0, 1, 0xFFFF}[i%3]
			if !f.finite(v) || f.widen(v) < lo || f.widen(v) > hi {
				v = f.narrow(hi)
			}
			out = append(out, v)
		}
		blk := out[len(out)-n:]
		blk[(int(h)/32+7)%n] = f.narrow(hi)
		blk[int(h)%n] = h
		for i, v := range blk {
			x[i] = f.widen(v)
		}
		if !validQ4_1(x[:]) {
			panic("kerneltest: invalid every-min block")
		}
	}
	return out
}
