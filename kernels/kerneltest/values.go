package kerneltest

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// poolLen leaves room for the largest length at many starts.
const poolLen = 1<<16 + 4096

// pool is a fixed stream of test inputs; cases take windows of it.
type pool[T elem] struct {
	name   string
	seed   uint64 // 0 for fixed lists
	finite bool   // holds no NaN and no infinity
	data   []T
}

// window returns n values of p from a start derived from salt, and that
// start.
func (p *pool[T]) window(n, salt int) ([]T, int) {
	span := len(p.data) - n + 1
	at := int(uint64(salt)*0x9E3779B97F4A7C15>>33) % span
	return p.data[at : at+n], at
}

// poolNamed returns the pool called name.
func poolNamed[T elem](pools []*pool[T], name string) *pool[T] {
	for _, p := range pools {
		if p.name == name {
			return p
		}
	}
	panic("kerneltest: no pool " + name)
}

func (p *pool[T]) info(at int) caseInfo { return caseInfo{data: p.name, seed: p.seed, at: at} }

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x9b1d5c3e7a4f2086)) }

func f32(b uint32) float32 { return math.Float32frombits(b) }

func f32bits(x float32) uint32 { return math.Float32bits(x) }

// randExp returns a value of random sign and mantissa with a biased
// exponent in [lo, hi].
func randExp(r *rand.Rand, lo, hi int) float32 {
	e := uint32(lo + r.IntN(hi-lo+1))
	return f32(r.Uint32()&0x80000000 | e<<23 | r.Uint32()&0x7FFFFF)
}

// weight returns a value like a neural-network weight: mostly normal
// around 0, with a heavy tail and a few exact zeros.
func weight(r *rand.Rand) float32 {
	switch u := r.Float64(); {
	case u < 0.005:
		return 0
	case u < 0.015: // Cauchy tail
		return float32(0.02 * math.Tan(math.Pi*(r.Float64()-0.5)))
	case u < 0.025:
		return float32(r.NormFloat64() * 20)
	default:
		return float32(r.NormFloat64() * 0.02)
	}
}

// tie returns a value in or near the FP16 range whose low mantissa bits
// sit on, or one ulp beside, a rounding midpoint of FP16 or of BF16.
func tie(r *rand.Rand) float32 {
	b := f32bits(randExp(r, 100, 143))
	if r.IntN(2) == 0 {
		return f32(b&^0x1FFF | []uint32{0x1000, 0x0FFF, 0x1001}[r.IntN(3)])
	}
	return f32(b&^0xFFFF | []uint32{0x8000, 0x7FFF, 0x8001}[r.IntN(3)])
}

func makePool(name string, seed uint64, finite bool, gen func(r *rand.Rand) float32) *pool[float32] {
	r := newRand(seed)
	data := make([]float32, poolLen)
	for i := range data {
		data[i] = gen(r)
	}
	return &pool[float32]{name: name, seed: seed, finite: finite, data: data}
}

// f32Pools are the float32 input distributions.
var f32Pools = sync.OnceValue(func() []*pool[float32] {
	constant := func(v float32) func(*rand.Rand) float32 { return func(*rand.Rand) float32 { return v } }
	ps := []*pool[float32]{
		makePool("bits", 0x1001, false, func(r *rand.Rand) float32 { return f32(r.Uint32()) }),
		makePool("finite-bits", 0x1002, true, func(r *rand.Rand) float32 { return randExp(r, 0, 254) }),
		makePool("weights", 0x1003, true, weight),
		makePool("abs-weights", 0x1011, true, func(r *rand.Rand) float32 { return float32(math.Abs(float64(weight(r)))) }),
		makePool("one-binade", 0x1004, true, func(r *rand.Rand) float32 { return randExp(r, 127, 127) }),
		makePool("fp16-range", 0x1005, true, func(r *rand.Rand) float32 { return randExp(r, 100, 143) }),
		makePool("fp16-subnormal", 0x1006, true, func(r *rand.Rand) float32 { return randExp(r, 101, 112) }),
		makePool("ties", 0x1007, true, tie),
		makePool("f32-subnormal", 0x1008, true, func(r *rand.Rand) float32 { return randExp(r, 0, 0) }),
		makePool("all-equal", 0x1009, true, constant(-0.0371)),
		makePool("zeros", 0x100A, true, func(r *rand.Rand) float32 {
			switch r.IntN(3) {
			case 0:
				return 0
			case 1:
				return float32(math.Copysign(0, -1))
			}
			return weight(r)
		}),
		makePool("huge", 0x100B, true, func(r *rand.Rand) float32 { return randExp(r, 200, 254) }),
		makePool("tiny", 0x100C, true, func(r *rand.Rand) float32 { return randExp(r, 1, 40) }),
		// A narrow range far from zero: quantized with its own parameters
		// the products land near large zero points, where a fused
		// multiply-add rounds differently.
		makePool("narrow-far", 0x100D, true, func(r *rand.Rand) float32 {
			return float32(1000 * (1 + 1e-4*r.NormFloat64()))
		}),
		makePool("narrow-far-negative", 0x100E, true, func(r *rand.Rand) float32 {
			return float32(-3e5 * (1 + 1e-6*r.NormFloat64()))
		}),
	}
	asc := makePool("ascending", 0x100F, true, weight)
	slices.Sort(asc.data)
	desc := makePool("descending", 0x1010, true, weight)
	slices.Sort(desc.data)
	slices.Reverse(desc.data)
	eqNaN := makePool("all-nan", 0, false, constant(f32(0xFFC01234)))
	specs := &pool[float32]{name: "specials", data: cycle(specialF32(), poolLen)}
	return append(ps, asc, desc, eqNaN, specs)
})

// finitePools are the pools quantization may take.
var finitePools = sync.OnceValue(func() []*pool[float32] {
	var ps []*pool[float32]
	for _, p := range f32Pools() {
		if p.finite {
			ps = append(ps, p)
		}
	}
	return append(ps, &pool[float32]{name: "finite-specials", finite: true, data: cycle(finiteSpecials(), poolLen)})
})

func cycle[T elem](list []T, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = list[i%len(list)]
	}
	return out
}

// named float32 bit patterns.
const (
	qnan      = 0x7FC00000
	snanMin   = 0x7F800001 // smallest signalling NaN payload
	snanMax   = 0x7FBFFFFF
	nanMax    = 0x7FFFFFFF
	posInf    = 0x7F800000
	maxF32    = 0x7F7FFFFF
	minNormal = 0x00800000
	maxSub    = 0x007FFFFF
	minSub    = 0x00000001
)

// specialF32 lists float32 patterns at the edges of the conversions and
// reductions, each with both signs: zeros, infinities, quiet and
// signalling NaNs with various payloads, float32 subnormals, the limits of
// FP16 and BF16, and the exact midpoints between neighbouring FP16 and
// BF16 values (where ties to even decide), with their float32 neighbours;
// and the inputs of the worked examples (float16Examples,
// bfloat16Examples).
var specialF32 = sync.OnceValue(func() []float32 {
	var bits []uint32
	add := func(b ...uint32) { bits = append(bits, b...) }
	exact := func(x float64) uint32 { return f32bits(float32(x)) }
	add(0, posInf, qnan, snanMin, snanMax, nanMax, 0x7FC00001, 0x7F802000, 0x7F801FFF,
		0x7FA00000, 0x7FFFE000, 0x7F80E000, 0x7FD55555, 0x7F8AAAAA, 0x7FC01234)
	add(minSub, 2, 3, maxSub, 0x00400000, 0x00012345, minNormal, 0x00800001, maxF32,
		0x7F7F0000, 0x7E967699 /*1e38*/, 0x0DA24260 /*1e-30*/)
	// FP16: largest finite, around the overflow threshold 65520, smallest
	// normal and subnormals, the underflow threshold 2^-25.
	add(0x477FE000, 0x477FEF00, 0x477FEFFF, 0x477FF000, 0x477FF001, 0x477FFFFF, 0x47800000,
		0x38800000, 0x387FFFFF, exact(1023*0x1p-24), 0x33800000, 0x337FFFFF, 0x33000000,
		0x33000001, exact(0x1p-25+0x1p-35), 0x32FFFFFF, exact(3*0x1p-25), 0x32800000, 0x3F800000,
		exact(1+0x1p-11), exact(1+3*0x1p-11), exact(2048+1))
	// Midpoints between FP16 neighbours in every binade (and one ulp on
	// either side), at even, odd and largest mantissas.
	for e := uint32(127 - 14); e <= 127+15; e++ {
		for _, m := range []uint32{0, 1, 0x3FF} {
			b := e<<23 | m<<13 | 0x1000
			add(b-1, b, b+1)
		}
	}
	// Midpoints between FP16 subnormals k*2^-24 and (k+1)*2^-24.
	for _, k := range []float64{0, 1, 2, 3, 511, 512, 1022, 1023} {
		b := exact((k + 0.5) * 0x1p-24)
		add(b-1, b, b+1)
	}
	// BF16 midpoints: even and odd, subnormal, the one to overflow.
	add(0x3F808000, 0x3F818000, 0x3F807FFF, 0x3F808001, 0x00018000, 0x00008000, 0x00007FFF,
		0x007F8000, 0x007F7FFF, 0x7F7F8000, 0x7F7F7FFF, 0x7F7E8000, 0x7F808000, 0x4B7F8000)
	// The inputs of the worked examples not listed yet.
	for _, e := range slices.Concat(float16Examples, bfloat16Examples) {
		if b := e.in &^ 0x80000000; !slices.Contains(bits, b) {
			add(b)
		}
	}
	n := len(bits)
	for _, b := range bits[:n] {
		add(b | 0x80000000)
	}
	out := make([]float32, len(bits))
	for i, b := range bits {
		out[i] = f32(b)
	}
	return out
})

// finiteSpecials are the finite special values plus values that sit on
// the rounding and clamping boundaries of quantization at scale 1.
func finiteSpecials() []float32 {
	var out []float32
	for _, x := range specialF32() {
		if !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0) {
			out = append(out, x)
		}
	}
	for _, x := range []float32{0.5, 1.5, 2.5, 126.5, 127.5, 128.5, 129.5, 127.49999, 127.50001,
		-0.5, -1.5, -2.5, -126.5, -127.5, -128.5, -129.5, -127.49999, -128.49998, -128.50002,
		8388607.5, 8388609, 16777217, -4194303.5, 1e30, -1e30} {
		out = append(out, x)
	}
	return out
}

// special16 lists binary16 and bfloat16 patterns: zeros, subnormals,
// normal limits, infinities and NaNs of both kinds, both signs.
var special16 = func() []uint16 {
	var out []uint16
	for _, h := range []uint16{
		0x0000, 0x0001, 0x0002, 0x01FF, 0x0200, 0x03FF, 0x0400, 0x0401, 0x3BFF, 0x3C00, 0x3C01,
		0x7BFF, 0x7C00, 0x7C01, 0x7D00, 0x7DFF, 0x7E00, 0x7E01, 0x7FFF, // binary16
		0x007F, 0x0080, 0x3F80, 0x7F7F, 0x7F80, 0x7F81, 0x7FBF, 0x7FC0, 0x7FC1, // bfloat16
	} {
		out = append(out, h, h|0x8000)
	}
	return out
}()

// u16Pools are the 16-bit input distributions.
var u16Pools = sync.OnceValue(func() []*pool[uint16] {
	r := newRand(0x2001)
	bits := make([]uint16, poolLen)
	for i := range bits {
		bits[i] = uint16(r.Uint32())
	}
	// Every pattern once, shuffled, then a wrap-around so windows can
	// start anywhere.
	perm := make([]uint16, 1<<16)
	for i := range perm {
		perm[i] = uint16(i)
	}
	r2 := newRand(0x2002)
	r2.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	perm = append(perm, perm[:poolLen-len(perm)]...)
	return []*pool[uint16]{
		{name: "bits", seed: 0x2001, data: bits},
		{name: "permutation", seed: 0x2002, data: perm},
		{name: "specials", data: cycle(special16, poolLen)},
	}
})

// i8Pools are the int8 input distributions.
var i8Pools = sync.OnceValue(func() []*pool[int8] {
	r := newRand(0x3001)
	bits := make([]int8, poolLen)
	for i := range bits {
		bits[i] = int8(r.Uint32())
	}
	ext := make([]int8, poolLen)
	for i := range ext {
		ext[i] = []int8{-128, 127, -127, 0, -1, 1}[r.IntN(6)]
	}
	seq := make([]int8, poolLen)
	for i := range seq {
		seq[i] = int8(i)
	}
	return []*pool[int8]{
		{name: "bits", seed: 0x3001, data: bits},
		{name: "extremes", seed: 0x3001, data: ext},
		{name: "sequence", data: seq},
	}
})
