package kerneltest

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// Test data of the GGUF block kernels: whole blocks, each meeting its
// encoder's precondition (for Q8_0, a/127 rounds to a finite binary16).

const (
	// q8EveryBlocks is the largest block count swept at every pair of
	// start positions: 288 values, about maxLen.
	q8EveryBlocks = 9
	// q8MaxBlockCount is the largest block count of a call.
	q8MaxBlockCount = 2049
	// q8PoolBlocks is the number of blocks of a pool.
	q8PoolBlocks = poolLen / kernels.Q8_0Values
)

// q8SmallPoolBlocks is the number of blocks of the pools that hold one
// kind of block: enough for the every-length sweep.
const q8SmallPoolBlocks = 512

// q8LargeBlocks cover main loops that run many times and the tails after
// them.
var q8LargeBlocks = []int{31, 128, q8MaxBlockCount}

// q8Valid reports whether a block whose max|x| has the bits a may be
// encoded: a/127 rounds to a finite binary16.
func q8Valid(a uint32) bool { return validSpread(f32(a), 127) }

// validSpread reports whether a spread a >= 0 (a block's largest
// magnitude, or its range) gives a finite d = a/div.
func validSpread(a, div float32) bool {
	return f32bits(a) < posInf && fallback.ToFloat16(a/div)&0x7C00 != 0x7C00
}

// scaleOf returns d and id of a block of spread a, as the encoders
// compute them from a/div.
func scaleOf(a, div float32) (d uint16, id float32) {
	d = fallback.ToFloat16(a / div)
	if d&0x7FFF != 0 {
		id = 1 / fallback.FromFloat16(d)
	}
	return d, id
}

// stepOf returns the value of d of a block of spread a: the step between
// the values its quants encode.
func stepOf(a, div float32) float32 {
	d, _ := scaleOf(a, div)
	return fallback.FromFloat16(d)
}

// blockWindow returns whole blocks of size elements of p, from a block
// start derived from salt, and that start.
func blockWindow[T elem](p *pool[T], blocks, size, salt int) ([]T, int) {
	span := len(p.data)/size - blocks + 1
	at := int(uint64(salt)*0x9E3779B97F4A7C15>>33) % span * size
	return p.data[at : at+blocks*size], at
}

// valueFormat is what the block generators need to know of a source
// format: its values are those fit returns.
type valueFormat struct {
	fit    func(float32) float32
	random func(r *rand.Rand) float32 // a random finite value of the format
	seed   uint64
	// maxLog2 is the binary logarithm of the largest finite value.
	maxLog2 float64
	// edges computes the spreadEdges of a divisor.
	edges func(div float32) *spreadEdges

	mu        sync.Mutex
	byDivisor map[float32]*spreadEdges
}

// spreadEdges are spreads a (maxima, or ranges) of blocks of a format
// for a divisor div: those whose a/div lies nearest a binary16 rounding
// boundary (where d rounds either way), and the largest the precondition
// allows.
type spreadEdges struct {
	ties, limits []float32
}

// spread returns the spreadEdges of div, computing them once.
func (vf *valueFormat) spread(div float32) *spreadEdges {
	vf.mu.Lock()
	defer vf.mu.Unlock()
	if e, ok := vf.byDivisor[div]; ok {
		return e
	}
	if vf.byDivisor == nil {
		vf.byDivisor = map[float32]*spreadEdges{}
	}
	e := vf.edges(div)
	vf.byDivisor[div] = e
	return e
}

var float32Values = sync.OnceValue(func() *valueFormat {
	return &valueFormat{
		fit:     func(x float32) float32 { return x },
		random:  func(r *rand.Rand) float32 { return randExp(r, 0, 150) },
		seed:    0x9000,
		maxLog2: 128,
		edges: func(div float32) *spreadEdges {
			// a = div*t for t a binary16 midpoint is exact, and a/div
			// = t; one ulp either side makes a/div round either way.
			e := &spreadEdges{}
			for h := uint16(0); h < 0x7BFF; h += 97 {
				t := float32((float64(fallback.FromFloat16(h)) + float64(fallback.FromFloat16(h+1))) / 2)
				a := t * div
				e.ties = append(e.ties, a, math.Nextafter32(a, 0), math.Nextafter32(a, float32(math.Inf(1))))
			}
			// a/div = 65520 rounds to infinity: the limits lie below.
			e.limits = largestValid(65520*div, div, func(a float32) float32 { return math.Nextafter32(a, 0) })
			return e
		},
	}
})

// values returns the valueFormat of a 16-bit format.
func (f *format) values() *valueFormat {
	return f.valueFormat.get(func() *valueFormat {
		return &valueFormat{
			fit: f.fit,
			random: func(r *rand.Rand) float32 {
				// Biased exponents up to 150 (2^23): beyond, a/127
				// overflows binary16.
				return f.widen(f.randPattern(r, 0, min(f.maxExp(), 150)))
			},
			seed:    f.seed + 0x100,
			maxLog2: math.Log2(float64(f.widen(f.maxFinite()))),
			edges:   f.spreadEdges,
		}
	})
}

// spreadEdges returns the spreadEdges of the format for div: the
// positive values whose a/div lies nearest a binary16 midpoint, in
// float32 ulps (few, if any, sit on one), and the largest valid ones.
func (f *format) spreadEdges(div float32) *spreadEdges {
	type near struct {
		a    float32
		ulps float64
	}
	var best []near
	for _, h := range f.finitePatterns() {
		a := f.widen(h)
		if h&0x8000 != 0 || a == 0 || !validSpread(a, div) {
			continue
		}
		q := a / div
		d := fallback.ToFloat16(q)
		ulp := float64(math.Nextafter32(q, 1e30) - q)
		exact := float64(a) / float64(div)
		nearest := math.Inf(1)
		for _, n := range []uint16{d - 1, d + 1} {
			if n&0x7C00 == 0x7C00 || n&0x8000 != 0 {
				continue
			}
			mid := (float64(fallback.FromFloat16(d)) + float64(fallback.FromFloat16(n))) / 2
			nearest = min(nearest, math.Abs(exact-mid)/ulp)
		}
		best = append(best, near{a, nearest})
	}
	slices.SortFunc(best, func(x, y near) int { return cmp.Compare(x.ulps, y.ulps) })
	e := &spreadEdges{}
	for _, b := range best[:64] {
		e.ties = append(e.ties, b.a)
	}
	e.limits = largestValid(f.widen(f.maxFinite()), div, func(a float32) float32 { return f.widen(f.narrow(a) - 1) })
	return e
}

// largestValid returns the 8 largest valid spreads for div from start
// down, stepping with down.
func largestValid(start, div float32, down func(float32) float32) []float32 {
	var out []float32
	for a := start; len(out) < 8 && a > 0; a = down(a) {
		if validSpread(a, div) {
			out = append(out, a)
		}
	}
	return out
}

// blockGen fills blocks with values of a format, for a codec whose d is
// near a/div for blocks of largest magnitude a.
type blockGen struct {
	r     *rand.Rand
	vf    *valueFormat
	div   float32
	edges *spreadEdges
}

// scale returns d and id of a block of largest magnitude a.
func (g *blockGen) scale(a float32) (uint16, float32) { return scaleOf(a, g.div) }

// step returns the value of d of a block of largest magnitude a.
func (g *blockGen) step(a float32) float32 { return stepOf(a, g.div) }

// qRange returns div as an int: quants span [-qRange, qRange].
func (g *blockGen) qRange() int { return int(g.div) }

func (g *blockGen) fit(x float32) float32 { return g.vf.fit(x) }

// unit returns a random value in [-1, 1).
func (g *blockGen) unit() float32 { return float32(2*g.r.Float64() - 1) }

// sign returns ±x at random.
func (g *blockGen) sign(x float32) float32 {
	if g.r.IntN(2) == 0 {
		return -x
	}
	return x
}

// magnitude returns a random value of the format from 2^lo to 2^hi (or
// its largest).
func (g *blockGen) magnitude(lo, hi float64) float32 {
	hi = min(hi, g.vf.maxLog2)
	return g.fit(float32(math.Exp2(lo + (hi-lo)*g.r.Float64())))
}

// place puts ±a at a random index: the block maximum.
func (g *blockGen) place(b []float32, a float32) { b[g.r.IntN(len(b))] = g.sign(g.fit(a)) }

// spread fills b with values of magnitude up to a, with ±a somewhere.
func (g *blockGen) spread(b []float32, a float32) {
	for i := range b {
		b[i] = g.fit(a * g.unit())
	}
	g.place(b, a)
}

// blockKind is a way to fill one block.
type blockKind struct {
	name string
	fill func(g *blockGen, b []float32)
}

var blockKinds = []blockKind{
	{"weights", func(g *blockGen, b []float32) {
		for i := range b {
			b[i] = g.fit(weight(g.r))
		}
	}},
	{"bits", func(g *blockGen, b []float32) {
		for i := range b {
			b[i] = g.vf.random(g.r)
		}
	}},
	{"zeros", func(g *blockGen, b []float32) {
		for i := range b {
			b[i] = g.sign(0)
		}
	}},
	// a/div below 2^-25: d is 0, and so is every q.
	{"d-zero", func(g *blockGen, b []float32) {
		g.spread(b, g.fit(g.div*0x1p-25*float32(g.r.Float64())))
	}},
	// a/div at 2^-25 (a tie between d = 0 and the smallest subnormal)
	// or an ulp beside it.
	{"d-zero-edge", func(g *blockGen, b []float32) {
		a := g.div * 0x1p-25
		g.spread(b, []float32{a, math.Nextafter32(a, 0), math.Nextafter32(a, 1)}[g.r.IntN(3)])
	}},
	// d a binary16 subnormal: few significant bits.
	{"d-subnormal", func(g *blockGen, b []float32) {
		g.spread(b, g.magnitude(math.Log2(float64(g.div))-24, math.Log2(float64(g.div))-14))
	}},
	// d rounded down by far more than half a step of q, as only
	// subnormal d can be: x*id for x = ±a rounds beyond ±div, and the
	// clamp binds.
	{"clamp", func(g *blockGen, b []float32) {
		m := float64(1 + g.r.IntN(8))
		a := g.fit(float32(float64(g.div) * (m + 0.2 + 0.29*g.r.Float64()) * 0x1p-24))
		for i := range b {
			b[i] = g.sign(g.fit(a * float32(1-0.05*g.r.Float64())))
		}
		g.place(b, a)
	}},
	// d a power of two: id is exact and x = (k+0.5)*d makes x*id an
	// exact tie.
	{"pow2-ties", func(g *blockGen, b []float32) {
		j := g.r.IntN(40) - 15
		d := float32(math.Ldexp(1, -j))
		if g.fit(g.div*d) != g.div*d { // beyond the format
			d = 1
		}
		for i := range b {
			k := float32(g.r.IntN(2*g.qRange()) - g.qRange())
			if g.r.IntN(4) != 0 {
				k += 0.5
			}
			b[i] = g.fit(k * d)
		}
		g.place(b, g.div*d)
	}},
	// x*id rounded onto k+0.5, as near as the format allows.
	{"product-ties", func(g *blockGen, b []float32) {
		a := g.magnitude(-17, 20)
		_, id := g.scale(a)
		if id == 0 {
			g.spread(b, a)
			return
		}
		for i := range b {
			t := float32(g.r.IntN(2*g.qRange())-g.qRange()) + 0.5
			x := float32(float64(t) / float64(id))
			b[i] = g.fit(x)
			for _, cand := range []float32{x, math.Nextafter32(x, 0), math.Nextafter32(x, 2*x)} {
				if c := g.fit(cand); c*id == t && math.Abs(float64(c)) <= float64(a) {
					b[i] = c
					break
				}
			}
		}
		g.place(b, a)
	}},
	// One large value, the rest far smaller or near ±d/2 (q = ±0 or ±1).
	{"mixed", func(g *blockGen, b []float32) {
		a := g.magnitude(-15, 15)
		dv := g.step(a)
		for i := range b {
			switch i % 3 {
			case 0:
				b[i] = g.sign(g.fit(a * float32(math.Ldexp(1, -1-g.r.IntN(40)))))
			case 1:
				b[i] = g.sign(g.fit(dv * float32(0.5+0x1p-12*float64(g.r.IntN(5)-2))))
			default:
				b[i] = g.fit(a * weight(g.r))
			}
		}
		g.place(b, a)
	}},
	{"d-ties", func(g *blockGen, b []float32) {
		g.spread(b, g.edges.ties[g.r.IntN(len(g.edges.ties))])
	}},
	{"limit", func(g *blockGen, b []float32) {
		a := g.edges.limits[g.r.IntN(len(g.edges.limits))]
		g.spread(b, a)
		for range 4 {
			g.place(b, g.edges.limits[g.r.IntN(len(g.edges.limits))])
		}
		g.place(b, a)
	}},
	// Values near (k+0.5)*d.
	{"near-ties", func(g *blockGen, b []float32) {
		a := g.magnitude(-24, 22)
		dv := g.step(a)
		for i := range b {
			b[i] = g.fit((float32(g.r.IntN(2*g.qRange()-1)-(g.qRange()-1)) + 0.5) * dv)
		}
		g.place(b, a)
	}},
	{"equal", func(g *blockGen, b []float32) {
		c := g.sign(g.magnitude(-30, 22))
		for i := range b {
			b[i] = c
		}
	}},
	{"negative", func(g *blockGen, b []float32) {
		for i := range b {
			b[i] = -g.fit(float32(math.Abs(float64(weight(g.r)))))
		}
	}},
}

// fixBlock stores in out the values of raw fitted to the format, scaled
// down by powers of two until the block is finite and valid.
func fixBlock(vf *valueFormat, valid func([]float32) bool, raw, out []float32) {
	for i, x := range raw {
		if math.IsInf(float64(x), 0) || x != x {
			raw[i] = 0
		}
	}
	for {
		for i, x := range raw {
			out[i] = vf.fit(x)
		}
		if valid(out) {
			return
		}
		for i := range raw {
			raw[i] *= 0x1p-16
		}
	}
}

// valuePools are the encoder inputs of a format, as float32 values:
// blocks of mixed kinds (the only pool long enough for every block
// count), of each kind (the shared ones, then the codec's own), and of
// the finite float32 pools fitted to the format block by block. kinds is
// the number of pools, after the first, of a single kind.
func (cd *codec) valuePools(vf *valueFormat) (pools []*pool[float32], kinds int) {
	const n = blockValues
	all := slices.Concat(blockKinds, cd.kinds)
	raw := make([]float32, n)
	blocks := q8PoolBlocks
	edges := vf.spread(cd.div)
	mk := func(name string, seed uint64, fill func(g *blockGen, blk int, b []float32)) *pool[float32] {
		g := &blockGen{r: newRand(seed), vf: vf, div: cd.div, edges: edges}
		data := make([]float32, blocks*n)
		for blk := range blocks {
			fill(g, blk, raw)
			fixBlock(vf, cd.valid, raw, data[blk*n:(blk+1)*n])
		}
		return &pool[float32]{name: cd.prefix + "-" + name, seed: seed, finite: true, data: data}
	}
	seed := vf.seed + cd.seed
	pools = append(pools, mk("mixed", seed, func(g *blockGen, _ int, b []float32) {
		all[g.r.IntN(len(all))].fill(g, b)
	}))
	blocks = q8SmallPoolBlocks
	for _, k := range all {
		seed++
		pools = append(pools, mk(k.name, seed, func(g *blockGen, _ int, b []float32) { k.fill(g, b) }))
	}
	for _, p := range finitePools() {
		if p.name == "weights" || p.name == "zeros" {
			continue // kinds of their own
		}
		pools = append(pools, mk(p.name, p.seed+cd.seed, func(_ *blockGen, blk int, b []float32) {
			copy(b, p.data[blk*n:])
		}))
	}
	return pools, len(all)
}

// blockSource is the input of an encoder from a source format.
type blockSource[S float32 | uint16] struct {
	value  func(S) float32
	show   func(S) string
	pools  []*pool[S] // pools[1 : 1+kinds] hold one kind of block each
	kinds  int
	everyD []S // a block for every d the format reaches
}

// source32 returns the float32 inputs of the codec's encoder.
func (cd *codec) source32() *blockSource[float32] {
	return cd.src32.get(func() *blockSource[float32] {
		pools, kinds := cd.valuePools(float32Values())
		return &blockSource[float32]{
			value:  func(x float32) float32 { return x },
			show:   func(x float32) string { return hex(x) },
			pools:  pools,
			kinds:  kinds,
			everyD: cd.everyD32(),
		}
	})
}

// source16 returns the inputs of the codec's encoder from f.
func (cd *codec) source16(f *format) *blockSource[uint16] {
	return f.sources[cd.id].get(func() *blockSource[uint16] {
		vpools, kinds := cd.valuePools(f.values())
		var pools []*pool[uint16]
		for _, p := range vpools {
			data := make([]uint16, len(p.data))
			for i, x := range p.data {
				data[i] = f.narrow(x)
			}
			pools = append(pools, &pool[uint16]{name: p.name, seed: p.seed, finite: true, data: data})
		}
		return &blockSource[uint16]{value: f.widen, show: f.show, pools: pools, kinds: kinds, everyD: cd.everyD16(f)}
	})
}

// everyMaxFloat32 returns a block for every finite d >= 0 (of a codec
// whose d is a/div for a block of largest magnitude a): its maximum a =
// div*d exactly (so that a/div = d), at an index and with a sign that
// vary with d, and values (k+0.5)*d and their neighbours, near the ties
// of x*id for k spread over [0, div), of both signs.
func everyMaxFloat32(div int) []float32 {
	const n = blockValues
	var out []float32
	for d := range 0x7C00 {
		dv := fallback.FromFloat16(uint16(d))
		for i := range n {
			x := (float32((i*4+d)%div) + 0.5) * dv
			switch i % 3 {
			case 1:
				x = math.Nextafter32(x, 0)
			case 2:
				x = math.Nextafter32(x, 1e30)
			}
			if i%2 == 1 {
				x = -x
			}
			out = append(out, x)
		}
		a := float32(div) * dv
		if d&32 != 0 {
			a = -a
		}
		out[len(out)-n+d%n] = a
	}
	return out
}

// everyMax returns a block for every valid maximum a >= 0 of the format
// (and so every d it reaches, for a codec whose d is a/div), with a at an
// index and with a sign that vary, and values near (k+0.5)*d for k spread
// over [0, div).
func (f *format) everyMax(div int) []uint16 {
	const n = blockValues
	var out []uint16
	for _, h := range f.finitePatterns() {
		a := f.widen(h)
		if h&0x8000 != 0 || !validSpread(a, float32(div)) {
			continue
		}
		dv := stepOf(a, float32(div))
		for i := range n {
			x := f.narrow((float32((i*4+int(h))%div) + 0.5) * dv)
			x += []uint16{0, 1, 0xFFFF}[i%3]
			if !f.finite(x) || x&0x8000 != 0 || f.widen(x) > a {
				x = h
			}
			out = append(out, x|uint16(i%2)<<15)
		}
		if h&32 != 0 {
			out[len(out)-n+int(h)%n] = h | 0x8000
		} else {
			out[len(out)-n+int(h)%n] = h
		}
	}
	return out
}

// decodePools are the inputs of the codec's decoders, in whole blocks:
// random bytes, finite parameters, special ones, quants in sequence, and
// the encodings of two of the encoder's pools.
func (cd *codec) decodePools() []*pool[byte] {
	return cd.decodeData.get(func() []*pool[byte] {
		size := cd.size
		mk := func(name string, seed uint64, fill func(r *rand.Rand, blk int, b []byte)) *pool[byte] {
			r := newRand(seed + cd.seed)
			data := make([]byte, q8PoolBlocks*size)
			for blk := range q8PoolBlocks {
				fill(r, blk, data[blk*size:(blk+1)*size])
			}
			return &pool[byte]{name: name, seed: seed + cd.seed, data: data}
		}
		randomQ := func(r *rand.Rand, b []byte) {
			for i := range b {
				b[i] = byte(r.Uint32())
			}
		}
		finiteD := func(r *rand.Rand) uint16 {
			for {
				if d := uint16(r.Uint32()); d&0x7C00 != 0x7C00 {
					return d
				}
			}
		}
		// setParams sets parameter i of b to param(i).
		setParams := func(b []byte, param func(i int) uint16) {
			for i := range cd.params {
				d := param(i)
				b[2*i], b[2*i+1] = byte(d), byte(d>>8)
			}
		}
		finite := func(r *rand.Rand) func(int) uint16 { return func(int) uint16 { return finiteD(r) } }
		ps := []*pool[byte]{
			mk("random", 0xA001, func(r *rand.Rand, _ int, b []byte) { randomQ(r, b) }),
			mk("finite-d", 0xA002, func(r *rand.Rand, _ int, b []byte) { randomQ(r, b); setParams(b, finite(r)) }),
			mk("special-d", 0xA003, func(r *rand.Rand, blk int, b []byte) {
				for i := range b {
					b[i] = cd.specialQ[r.IntN(len(cd.specialQ))]
				}
				// d cycles through special16; m too, shifted by one more
				// each round.
				setParams(b, func(i int) uint16 { return special16[(blk+i*blk/len(special16))%len(special16)] })
			}),
			mk("q-sequence", 0xA004, func(r *rand.Rand, blk int, b []byte) {
				p := cd.paramBytes()
				for i := range b {
					b[i] = byte(blk*(size-p) + i - p)
				}
				setParams(b, finite(r))
			}),
		}
		for _, name := range []string{"mixed", "weights"} {
			src := poolNamed(cd.source32().pools, cd.prefix+"-"+name)
			enc := make([]byte, len(src.data)/blockValues*size)
			cd.enc(&fallback.Kernels)(enc, src.data)
			ps = append(ps, &pool[byte]{name: "encoded-" + src.name, seed: src.seed, data: enc})
		}
		return ps
	})
}
