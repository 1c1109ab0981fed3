package kerneltest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// format is a 16-bit format of the kernels.Format16 tables: binary16 or
// bfloat16.
type format struct {
	name     string // the kernels.Set field: "Float16" or "BFloat16"
	short    string // prefix of its pool names: "fp16" or "bf16"
	widen    func(uint16) float32
	narrow   func(float32) uint16
	mantBits uint
	seed     uint64
	set      func(k *kernels.Set) *kernels.Format16

	pools       lazy[[]*pool[uint16]]
	patterns    lazy[[]uint16]
	valueFormat lazy[*valueFormat]
	sources     [3]lazy[*blockSource[uint16]] // of each codec's encoder
	valid       lazy[[2][]uint16]
}

var (
	float16Format = &format{
		name: "Float16", short: "fp16", widen: fallback.FromFloat16, narrow: fallback.ToFloat16,
		mantBits: 10, seed: 0x6000, set: func(k *kernels.Set) *kernels.Format16 { return &k.Float16 },
	}
	bfloat16Format = &format{
		name: "BFloat16", short: "bf16", widen: fallback.FromBFloat16, narrow: fallback.ToBFloat16,
		mantBits: 7, seed: 0x7000, set: func(k *kernels.Set) *kernels.Format16 { return &k.BFloat16 },
	}
	formats = []*format{float16Format, bfloat16Format}
)

// lazy holds a value computed on first use.
type lazy[T any] struct {
	once sync.Once
	v    T
}

func (l *lazy[T]) get(compute func() T) T {
	l.once.Do(func() { l.v = compute() })
	return l.v
}

// expMask is the exponent field: all ones for infinities and NaNs.
func (f *format) expMask() uint16 { return 0x7FFF >> f.mantBits << f.mantBits }

func (f *format) mantMask() uint16 { return 1<<f.mantBits - 1 }

// maxFinite is the pattern of the largest finite value.
func (f *format) maxFinite() uint16 { return f.expMask() - 1 }

func (f *format) finite(h uint16) bool { return h&f.expMask() != f.expMask() }

// fit returns the value of the format nearest to x (or an infinity).
func (f *format) fit(x float32) float32 { return f.widen(f.narrow(x)) }

// show formats a pattern with its value.
func (f *format) show(h uint16) string { return fmt.Sprintf("%#04x (%g)", h, f.widen(h)) }

// finitePatterns returns every finite pattern, in ascending bit order.
func (f *format) finitePatterns() []uint16 {
	return f.patterns.get(func() []uint16 {
		var out []uint16
		for i := range 1 << 16 {
			if f.finite(uint16(i)) {
				out = append(out, uint16(i))
			}
		}
		return out
	})
}

// absmaxScale returns the scale package quant computes for in, if it
// computes one: as for float32, on the widened maximum.
func (f *format) absmaxScale(in []uint16) (float32, bool) {
	return absmaxScaleOf(f.widen(fallback.AbsMaxBits16(in)))
}

// zeroPointParams returns the scale and zero point package quant
// computes for in, if it computes them.
func (f *format) zeroPointParams(in []uint16) (float32, int32, bool) {
	lo, hi := fallback.MinMaxKeys16(in)
	return zeroPointParamsOf(f.widen(kernels.KeyBits16(lo)), f.widen(kernels.KeyBits16(hi)))
}

// randPattern returns a pattern of random sign and mantissa with a biased
// exponent in [lo, hi].
func (f *format) randPattern(r *rand.Rand, lo, hi int) uint16 {
	e := uint16(lo + r.IntN(hi-lo+1))
	return uint16(r.Uint32())&(0x8000|f.mantMask()) | e<<f.mantBits
}

// maxExp is the largest biased exponent of finite values.
func (f *format) maxExp() int { return int(f.expMask()>>f.mantBits) - 1 }

// finiteSpecials lists finite patterns at the edges of the format and of
// quantization, both signs: zeros, subnormals, the smallest normals, one,
// the largest finite values, and the rounding and clamping boundaries
// k+0.5 of quantization at scale 1 with their neighbours.
func (f *format) finiteSpecials() []uint16 {
	m := f.mantMask()
	one := f.narrow(1)
	list := []uint16{0, 1, 2, m, m + 1, m + 2, one - 1, one, one + 1, f.maxFinite(), f.maxFinite() - 1,
		f.narrow(65504), f.narrow(65504) - 1, f.narrow(127.0 / 65504)}
	for _, v := range []float32{0.5, 1.5, 2.5, 125.5, 126.5, 127.5, 128.5, 129.5, 126, 127, 128} {
		h := f.narrow(v)
		list = append(list, h-1, h, h+1)
	}
	var out []uint16
	for _, h := range list {
		if f.finite(h) {
			out = append(out, h, h|0x8000)
		}
	}
	return out
}

// finitePools are the finite input distributions of the format, for the
// quantizers (and, with others, the reductions).
func (f *format) finitePools() []*pool[uint16] {
	return f.pools.get(func() []*pool[uint16] {
		seed := f.seed
		mk := func(name string, gen func(r *rand.Rand) uint16) *pool[uint16] {
			seed++
			r := newRand(seed)
			data := make([]uint16, poolLen)
			for i := range data {
				h := gen(r)
				for !f.finite(h) {
					h = gen(r)
				}
				data[i] = h
			}
			return &pool[uint16]{name: f.short + "-" + name, seed: seed, finite: true, data: data}
		}
		value := func(gen func(r *rand.Rand) float32) func(r *rand.Rand) uint16 {
			return func(r *rand.Rand) uint16 { return f.narrow(gen(r)) }
		}
		emax := f.maxExp()
		ps := []*pool[uint16]{
			mk("bits", func(r *rand.Rand) uint16 { return uint16(r.Uint32()) }),
			mk("weights", value(weight)),
			mk("abs-weights", value(func(r *rand.Rand) float32 { return float32(math.Abs(float64(weight(r)))) })),
			mk("one-binade", value(func(r *rand.Rand) float32 { return randExp(r, 127, 127) })),
			mk("subnormal", func(r *rand.Rand) uint16 { return f.randPattern(r, 0, 0) }),
			mk("tiny", func(r *rand.Rand) uint16 { return f.randPattern(r, 1, 3) }),
			mk("huge", func(r *rand.Rand) uint16 { return f.randPattern(r, emax-2, emax) }),
			mk("ties", f.tie),
			// Narrow ranges far from zero: quantized with their own
			// parameters the products land near large zero points, where
			// a fused multiply-add rounds differently.
			mk("narrow-far", value(func(r *rand.Rand) float32 { return float32(1000 * (1 + 0.02*r.NormFloat64())) })),
			mk("narrow-far-negative", value(func(r *rand.Rand) float32 { return float32(-30000 * (1 + 0.02*r.NormFloat64())) })),
			mk("zeros", func(r *rand.Rand) uint16 {
				switch r.IntN(3) {
				case 0:
					return 0
				case 1:
					return 0x8000
				}
				return f.narrow(weight(r))
			}),
			mk("all-equal", func(*rand.Rand) uint16 { return f.narrow(-0.0371) }),
		}
		byKey := func(a, b uint16) int { return int(kernels.OrderKey16(a)) - int(kernels.OrderKey16(b)) }
		asc := mk("ascending", value(weight))
		slices.SortFunc(asc.data, byKey)
		desc := mk("descending", value(weight))
		slices.SortFunc(desc.data, byKey)
		slices.Reverse(desc.data)
		// Every finite pattern once, shuffled, wrapped around.
		perm := slices.Clone(f.finitePatterns())
		seed++
		newRand(seed).Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		perm = cycle(perm, poolLen)
		specials := &pool[uint16]{name: f.short + "-specials", finite: true, data: cycle(f.finiteSpecials(), poolLen)}
		return append(ps, asc, desc, &pool[uint16]{name: f.short + "-permutation", seed: seed, finite: true, data: perm}, specials)
	})
}

// tie returns a value (k+0.5)*2^j for k across the int8 range and a
// little beyond, or a neighbouring pattern: a rounding midpoint of
// quantization at power-of-two scales.
func (f *format) tie(r *rand.Rand) uint16 {
	k := r.IntN(281) - 140
	h := f.narrow(float32(math.Ldexp(float64(k)+0.5, r.IntN(21)-12)))
	return h + []uint16{0, 0, 1, 0xFFFF}[r.IntN(4)]
}

// reduce16Pools are the inputs of the 16-bit reductions: any patterns,
// and the finite pools of both formats.
var reduce16Pools = sync.OnceValue(func() []*pool[uint16] {
	ps := slices.Clone(u16Pools())
	for _, f := range formats {
		ps = append(ps, f.finitePools()...)
	}
	ps = append(ps,
		&pool[uint16]{name: "fp16-all-nan", data: cycle([]uint16{0xFE01}, poolLen)},
		&pool[uint16]{name: "bf16-all-nan", data: cycle([]uint16{0xFFC1}, poolLen)})
	return ps
})

// tieData returns the patterns whose values times s (a power of two) are
// exactly k+0.5-z for k across the int8 range and beyond, where the
// format holds them, with their neighbouring patterns.
func (f *format) tieData(s float32, z int32) []uint16 {
	var out []uint16
	for k := -140; k <= 140; k++ {
		x := (float64(k) + 0.5 - float64(z)) / float64(s)
		if float64(f.fit(float32(x))) != x {
			continue
		}
		h := f.narrow(float32(x))
		for _, n := range []uint16{h, h + 1, h - 1} {
			if f.finite(n) && n&0x7FFF != 0x7FFF {
				out = append(out, n)
			}
		}
	}
	return out
}

// scaledTiesPerCheck is how many scaled ties one check tries (a quarter
// under -short).
const scaledTiesPerCheck = 1500

// scaledTies calls run with vectors holding a value x and a scale s
// picked so that the float32 product x*s is k+0.5-z, mostly rounded onto
// it rather than exact: there rounding the product to float32 before
// rounding to an integer (or before adding z) decides the result. x sits
// among weights, at varying indices of vectors of every length up to
// maxEvery.
func (f *format) scaledTies(c *checker, seed uint64, z float32, run func(in []uint16, at int, s float32)) {
	r := newRand(seed)
	values := poolNamed(f.finitePools(), f.short+"-bits").data
	bg := poolNamed(f.finitePools(), f.short+"-weights")
	buf := make([]uint16, maxEvery)
	count := scaledTiesPerCheck
	if testing.Short() {
		count /= 4
	}
	for i := 0; i < count && !c.done(); i++ {
		k := r.IntN(261) - 130
		t := float32(float64(k) + 0.5 - float64(z))
		h := values[r.IntN(len(values))]&0x7FFF | uint16(math.Float32bits(t)>>16)&0x8000
		x := f.widen(h)
		s := float32(float64(t) / float64(x))
		for _, cand := range []float32{s, math.Nextafter32(s, 0), math.Nextafter32(s, float32(math.Inf(1)))} {
			if x*cand == t {
				s = cand
				break
			}
		}
		if x*s != t || s == 0 || math.IsInf(float64(s), 0) {
			continue
		}
		n := 1 + i%maxEvery
		base, at := bg.window(n, i)
		copy(buf, base)
		buf[(i/maxEvery)%n] = h
		run(buf[:n], at, s)
	}
}
