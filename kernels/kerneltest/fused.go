package kerneltest

import (
	"fmt"
	"math"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// fusedResult is what a fused quantizer returns: the reduction (m for
// absmax, lo and hi for zero point), the scale's bits and the zero point.
type fusedResult struct {
	zeroPoint bool
	m         uint32
	lo, hi    int32
	scale     uint32
	zero      int32
}

func (r fusedResult) String() string {
	if r.zeroPoint {
		return fmt.Sprintf("lo %#08x hi %#08x scale %#08x (%g) zero %d", uint32(r.lo), uint32(r.hi), r.scale, f32(r.scale), r.zero)
	}
	return fmt.Sprintf("max bits %#08x scale %#08x (%g)", r.m, r.scale, f32(r.scale))
}

// fusedCall runs a fused quantizer and collects its results.
type fusedCall func(dst []int8, src []float32) fusedResult

func absmaxFused(f func([]int8, []float32) (uint32, float32)) fusedCall {
	return func(d []int8, x []float32) fusedResult {
		m, s := f(d, x)
		return fusedResult{m: m, scale: f32bits(s)}
	}
}

func zeroPointFused(f func([]int8, []float32) (int32, int32, float32, int32)) fusedCall {
	return func(d []int8, x []float32) fusedResult {
		lo, hi, s, z := f(d, x)
		return fusedResult{zeroPoint: true, lo: lo, hi: hi, scale: f32bits(s), zero: z}
	}
}

// untouched fills dst with what a fused quantizer that returns scale 0
// must leave there: a pattern no quantization writes by chance.
func untouched(dst []int8) {
	for i := range dst {
		dst[i] = int8(0x5A ^ byte(i*37))
	}
}

// fusedRig runs the fused quantizers. dst starts as the complement of the
// reference's output when the reference quantizes (so that an element
// left unwritten shows), and as the untouched pattern when it returns
// scale 0, which must then survive: those kernels write nothing.
type fusedRig struct {
	c    *checker
	src  *arena[float32]
	dst  *arena[int8]
	want []int8
}

func newFusedRig(c *checker) *fusedRig {
	return &fusedRig{c: c, src: newArena[float32](maxRigLen), dst: newArena[int8](maxRigLen), want: make([]int8, maxRigLen)}
}

// check runs got and ref on a copy of in at srcOff, writing to a window at
// dstOff, and reports the first problem: different results, a differing
// or unexpectedly written element, a changed input or a damaged guard.
func (r *fusedRig) check(got, ref fusedCall, in []float32, srcOff, dstOff int, ci caseInfo) bool {
	n := len(in)
	want := r.want[:n]
	untouched(want)
	wres := ref(want, in)
	src := r.src.window(n, srcOff)
	copy(src, in)
	dst := r.dst.window(n, dstOff)
	if wres.scale != 0 {
		complementOf(dst, want)
	} else {
		untouched(dst)
	}
	res := got(dst, src)
	where := func() string { return fmt.Sprintf("n=%d srcOff=%d dstOff=%d %v", n, srcOff, dstOff, ci) }
	if res != wres {
		r.c.errorf("%s: returned %v, want %v", where(), res, wres)
		return false
	}
	if i := firstDiff(dst, want); i >= 0 {
		if wres.scale == 0 {
			r.c.errorf("%s: returned scale 0 but wrote dst[%d] = %d (input %s)", where(), i, dst[i], hex(in[i]))
		} else {
			r.c.errorf("%s: %v: index %d: input %s: got %d, want %d", where(), wres, i, hex(in[i]), dst[i], want[i])
		}
		return false
	}
	return intact(r.c, where, in, src, hex[float32], r.dst, r.src)
}

func checkQuantizeAbsmaxFused(c *checker, k *kernels.Set) {
	checkFused(c, absmaxFused(k.QuantizeAbsmaxFused), absmaxFused(fallback.QuantizeAbsmaxFused))
}

func checkQuantizeZeroPointFused(c *checker, k *kernels.Set) {
	checkFused(c, zeroPointFused(k.QuantizeZeroPointFused), zeroPointFused(fallback.QuantizeZeroPointFused))
}

// checkFused runs a fused quantizer on the cases of the reductions (every
// length and position on every pool, special values at every position)
// and on fusedEdges, whose ranges sit on the limits of the parameters.
func checkFused(c *checker, got, ref fusedCall) {
	r := newFusedRig(c)
	ds := slots[int8]()
	reduceCases(c, reduce32(), func(in []float32, off int, ci caseInfo) {
		r.check(got, ref, in, off, (off*5+len(in))%ds, ci)
	})
	lens := []int{255, 256, 257, maxLen}
	for n := 1; n <= 40; n++ {
		lens = append(lens, n)
	}
	for i, e := range fusedEdges() {
		for _, n := range lens {
			ring := cycle(e.data, len(e.data)+n)
			for rot := range e.data {
				if c.done() {
					return
				}
				ci := caseInfo{data: "edges: " + e.name, at: rot}
				r.check(got, ref, ring[rot:rot+n], (rot+n)%slots[float32](), (rot*3+n+i)%ds, ci)
			}
		}
	}
}

// edge is a named list of values, repeated to the lengths of a case.
type edge struct {
	name string
	data []float32
}

// fusedEdges are inputs on the limits of the fused quantizers' parameters:
// constants and zeros (no range), subnormals, absmax scales at the
// overflow of 127/a, ranges reaching 2^127 and MaxFloat32, ranges so
// small for their magnitude that the zero point leaves int32 (or just
// fits), and ranges whose scale 255/r is at the float32 limit.
var fusedEdges = func() func() []edge {
	var edges []edge
	add := func(name string, data ...float32) { edges = append(edges, edge{name, data}) }
	up := func(x float32) float32 { return math.Nextafter32(x, float32(math.Inf(1))) }
	down := func(x float32) float32 { return math.Nextafter32(x, float32(math.Inf(-1))) }
	negZero := float32(math.Copysign(0, -1))
	const p127 = float32(0x1p127)
	for _, x := range []float32{0, negZero, 1, -2.5, f32(minSub), -f32(maxSub), f32(maxF32), -f32(maxF32), p127, -p127, 1e-38} {
		add(fmt.Sprintf("constant %g", x), x)
	}
	add("zeros of both signs", 0, negZero)
	add("zeros of both signs", negZero, 0, negZero)
	add("subnormals", f32(minSub), f32(maxSub))
	add("subnormals", -f32(maxSub), f32(minSub), 0)
	add("subnormals and a normal", -f32(maxSub), 1e-30)
	// 127/a overflows for a below about 3.7e-37.
	a0 := 127 / f32(maxF32)
	for _, a := range []float32{down(down(a0)), down(a0), a0, up(a0), up(up(a0))} {
		add("absmax scale limit", a, -a/3, 0)
		add("absmax scale limit", -a, a/7)
	}
	for _, m := range []float32{down(p127), p127, up(p127), f32(maxF32)} {
		add("2^127", 0, m)
		add("2^127", -m, 0)
		add("2^127", -m, m)
		add("2^127", 1, m, -3)
		add("2^127", -m, -1)
		add("2^127", down(m), m)
	}
	add("2^127", -f32(maxF32), f32(maxF32))
	// Ranges of a few ulps: 255*2^23 is just below 2^31-128 (1 and
	// 2 fit), 1.5 and most others do not.
	for _, base := range []float32{1, 1.5, 2, 3, 0.75, 1e6, 255, 1 << 23, 1e-20, f32(minNormal)} {
		for _, b := range []float32{base, -base} {
			for d := 1; d <= 4; d++ {
				x := b
				for range d {
					x = up(x)
				}
				add(fmt.Sprintf("%d ulps", d), b, x)
			}
		}
	}
	// Zero points at the ends of [MinInt32+128, MaxInt32-128]: with r
	// one ulp of m in [1, 2), s = 255*2^23 and s*m = 255*2^23 + 255*i
	// for m = 1 + i*2^-23, which rounds to the multiples of 128 around
	// 2^31-256 for i near 32896; with m near 2^31*256/255 and r = 256
	// (its ulp), s = 255/256 and s*m lands on each multiple of 128 there.
	for i := 32880; i <= 32912; i++ {
		m := 1 + float32(i)*0x1p-23
		add("zero point at the int32 limits", m, up(m))
		add("zero point at the int32 limits", -m, up(-m))
	}
	m := float32(0x1p31 * 256 / 255)
	for range 8 {
		m = down(m)
	}
	for range 16 {
		add("zero point at the int32 limits", m, up(m))
		add("zero point at the int32 limits", -up(m), -m)
		m = up(m)
	}
	// 255/r overflows float32 for r below about 7.5e-37.
	r0 := 255 / f32(maxF32)
	for _, r := range []float32{down(down(r0)), down(r0), r0, up(r0), up(up(r0))} {
		add("zero-point scale limit", 0, r)
		add("zero-point scale limit", -r, 0)
		add("zero-point scale limit", -r/2, r/2)
	}
	add("smallest ranges", f32(minSub), 2*f32(minSub))
	add("smallest ranges", -f32(minSub), f32(minSub))
	add("smallest ranges", 0, f32(minSub))
	return func() []edge { return edges }
}()
