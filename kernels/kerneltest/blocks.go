package kerneltest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// The blockwise kernels do per block what their per-slice namesakes do
// per slice. Their checks run every block size of blockSizes with every
// block count up to blockEveryCount (and a few large ones) at every start
// of each slice, on blocks of pool data, of zeros, of one value, with one
// outlier or one special value; special values at every position of a
// block and at block boundaries; and, for the quantizers, per-block
// parameters that differ from block to block: those package quant would
// compute, values from the lists of the per-slice checks, and scales that
// put each block's values on rounding ties.

// blockFill is a way to fill one block.
type blockFill[S float32 | uint16] struct {
	name string
	fill func(r *rand.Rand, src *source[S], b []S)
}

func blockFills[S float32 | uint16]() []blockFill[S] {
	window := func(r *rand.Rand, p *pool[S], b []S) {
		w, _ := p.window(len(b), r.IntN(1<<30))
		copy(b, w)
	}
	return []blockFill[S]{
		{"pool", func(r *rand.Rand, src *source[S], b []S) {
			window(r, src.pools[r.IntN(len(src.pools))], b)
		}},
		{"zeros", func(r *rand.Rand, src *source[S], b []S) {
			mode := r.IntN(3) // all +0, all -0, mixed
			for i := range b {
				if mode < 2 {
					b[i] = src.zeros[mode]
				} else {
					b[i] = src.zeros[r.IntN(2)]
				}
			}
		}},
		{"constant", func(r *rand.Rand, src *source[S], b []S) {
			p := src.pools[r.IntN(len(src.pools))]
			v := p.data[r.IntN(len(p.data))]
			for i := range b {
				b[i] = v
			}
		}},
		{"outlier", func(r *rand.Rand, src *source[S], b []S) {
			window(r, src.background, b)
			b[r.IntN(len(b))] = src.outliers.data[r.IntN(len(src.outliers.data))]
		}},
		{"special", func(r *rand.Rand, src *source[S], b []S) {
			window(r, src.background, b)
			b[r.IntN(len(b))] = src.specials[r.IntN(len(src.specials))]
		}},
		{"background", func(r *rand.Rand, src *source[S], b []S) { window(r, src.background, b) }},
	}
}

// everyNth returns every n-th element of list.
func everyNth[T any](list []T, n int) []T {
	var out []T
	for i := 0; i < len(list); i += n {
		out = append(out, list[i])
	}
	return out
}

// blockData builds the inputs of the blockwise checks.
type blockData[S float32 | uint16] struct {
	src   *source[S]
	fills []blockFill[S]
	buf   []S
	kinds []string // what fills each block, for the report
}

func newBlockData[S float32 | uint16](src *source[S]) *blockData[S] {
	return &blockData[S]{src: src, fills: blockFills[S](), buf: make([]S, maxBlockValues)}
}

// make returns count blocks of block values chosen by salt: a window of a
// pool (its blocks are consecutive pieces of it), or blocks of mixed
// kinds; and a description.
func (d *blockData[S]) make(block, count, salt int) ([]S, string) {
	n := block * count
	in := d.buf[:n]
	d.kinds = d.kinds[:0]
	if salt%2 == 0 {
		p := d.src.pools[salt/2%len(d.src.pools)]
		if n > len(p.data)/2 {
			longWindow(p, in, salt)
			return in, fmt.Sprintf("data=%s seed=%#x (windows from salt %d)", p.name, p.seed, salt)
		}
		w, at := p.window(n, salt)
		copy(in, w)
		return in, fmt.Sprintf("data=%s seed=%#x at=%d", p.name, p.seed, at)
	}
	seed := uint64(salt)<<8 | 0xB1
	r := newRand(seed)
	for b := range count {
		fill := d.fills[r.IntN(len(d.fills))]
		fill.fill(r, d.src, in[b*block:(b+1)*block])
		d.kinds = append(d.kinds, fill.name)
	}
	return in, fmt.Sprintf("data=mixed blocks seed=%#x", seed)
}

// kind names what fills block b, if known.
func (d *blockData[S]) kind(b int) string {
	if b < len(d.kinds) {
		return " (" + d.kinds[b] + ")"
	}
	return ""
}

// fromBlock names the first element of block b of in that gives a
// reduction result.
func fromBlock[S float32 | uint16](in []S, b, block int, is func(S) bool) string {
	for i := b * block; i < (b+1)*block; i++ {
		if is(in[i]) {
			return fmt.Sprintf(" (from input index %d: %s)", i, bitsText(in[i]))
		}
	}
	return " (from no element of the block)"
}

// blockRange describes block b of in.
func blockRange(b, block int) string {
	return fmt.Sprintf("block %d (input %d..%d)", b, b*block, (b+1)*block-1)
}

// Calls of each kind of blockwise kernel, with the reference's results.

func reduceBlocksCall[S float32 | uint16, R uint32 | uint16](got, ref func([]R, []S, int), in []S, block int,
	bitsOf func(S) R) *blockCall {
	count := len(in) / block
	want := make([]R, count)
	ref(want, in, block)
	return &blockCall{
		block: block, count: count,
		args: []blockArg{inArg("src", in), outArg("dst", want)},
		call: func(v [][]byte) { got(view[R](v[1]), view[S](v[0]), block) },
		explain: func(_, i int, g []byte) string {
			gr := view[R](g)[i]
			from := func(r R) string { return fromBlock(in, i, block, func(x S) bool { return bitsOf(x) == r }) }
			return fmt.Sprintf("%s: got %s%s, want %s%s", blockRange(i, block), hex(gr), from(gr), hex(want[i]), from(want[i]))
		},
	}
}

func minMaxBlocksCall[S float32 | uint16, K int32 | int16](got, ref func(lo, hi []K, src []S, block int), in []S, block int,
	key func(S) K) *blockCall {
	count := len(in) / block
	lo, hi := make([]K, count), make([]K, count)
	ref(lo, hi, in, block)
	return &blockCall{
		block: block, count: count,
		args: []blockArg{inArg("src", in), outArg("lo", lo), outArg("hi", hi)},
		call: func(v [][]byte) { got(view[K](v[1]), view[K](v[2]), view[S](v[0]), block) },
		explain: func(arg, i int, g []byte) string {
			want, what := lo, "min"
			if arg == 2 {
				want, what = hi, "max"
			}
			gk := view[K](g)[i]
			from := func(k K) string { return fromBlock(in, i, block, func(x S) bool { return key(x) == k }) }
			return fmt.Sprintf("%s: got %s key %s%s, want %s%s", blockRange(i, block), what, hex(gk), from(gk), hex(want[i]), from(want[i]))
		},
	}
}

// quantBlocksCall is a call of QuantizeAbsmaxBlocks (zeros nil) or
// QuantizeZeroPointBlocks.
func quantBlocksCall[S float32 | uint16](got, ref func(dst []int8, src []S, scales, zeros []float32, block int),
	in []S, scales, zeros []float32, block int, show func(S) string) *blockCall {
	count := len(in) / block
	want := make([]int8, len(in))
	ref(want, in, scales, zeros, block)
	args := []blockArg{inArg("src", in), outArg("dst", want), inArg("scales", scales)}
	if zeros != nil {
		args = append(args, inArg("zeros", zeros))
	}
	return &blockCall{
		block: block, count: count, args: args,
		call: func(v [][]byte) {
			var z []float32
			if zeros != nil {
				z = view[float32](v[3])
			}
			got(view[int8](v[1]), view[S](v[0]), view[float32](v[2]), z, block)
		},
		explain: func(_, i int, g []byte) string {
			b := i / block
			par := "scale " + hex(scales[b])
			if zeros != nil {
				par += " zero " + hex(zeros[b])
			}
			return fmt.Sprintf("index %d (%s, value %d; %s): input %s: got %d, want %d",
				i, blockRange(b, block), i%block, par, show(in[i]), view[int8](g)[i], want[i])
		},
	}
}

// absmaxBlocks gives a blockwise QuantizeAbsmax the shape of
// QuantizeZeroPointBlocks, ignoring the zero points.
func absmaxBlocks[S float32 | uint16](f func([]int8, []S, []float32, int)) func([]int8, []S, []float32, []float32, int) {
	return func(d []int8, s []S, scales, _ []float32, block int) { f(d, s, scales, block) }
}

// Checks of the reductions.

func checkAbsMaxBitsBlocks(c *checker, k *kernels.Set) {
	reduceBlocksCases(c, reduceSource32(), func(in []float32, block int) *blockCall {
		return reduceBlocksCall(k.AbsMaxBitsBlocks, fallback.AbsMaxBitsBlocks, in, block,
			func(x float32) uint32 { return f32bits(x) & 0x7FFFFFFF })
	}, 4, 4)
}

func checkMinMaxKeysBlocks(c *checker, k *kernels.Set) {
	reduceBlocksCases(c, reduceSource32(), func(in []float32, block int) *blockCall {
		return minMaxBlocksCall(k.MinMaxKeysBlocks, fallback.MinMaxKeysBlocks, in, block,
			func(x float32) int32 { return kernels.OrderKey(f32bits(x)) })
	}, 4, 4, 4)
}

func checkAbsMaxBits16Blocks(c *checker, k *kernels.Set) {
	reduceBlocksCases(c, reduceSource16(), func(in []uint16, block int) *blockCall {
		return reduceBlocksCall(k.AbsMaxBits16Blocks, fallback.AbsMaxBits16Blocks, in, block,
			func(h uint16) uint16 { return h & 0x7FFF })
	}, 2, 2)
}

func checkMinMaxKeys16Blocks(c *checker, k *kernels.Set) {
	reduceBlocksCases(c, reduceSource16(), func(in []uint16, block int) *blockCall {
		return minMaxBlocksCall(k.MinMaxKeys16Blocks, fallback.MinMaxKeys16Blocks, in, block, kernels.OrderKey16)
	}, 2, 2, 2)
}

// reducePositions returns the positions within a block that specials are
// put at: all of a block of up to 64; of a larger one, the first and last
// 64 (every lane of the first and last vectors of unrolled loops) and
// every 29th between.
func reducePositions(block int) []int {
	var out []int
	for p := range block {
		if block <= 64 || p < 64 || p >= block-64 || p%29 == 0 {
			out = append(out, p)
		}
	}
	return out
}

// reduceBlocksCases runs the cases of a blockwise reduction: the sweep,
// then each special at every position of reducePositions in blocks that
// alternate with ordinary ones (so a result carried into the next block
// shows), and a last block holding a NaN or an infinity after many finite
// ones.
func reduceBlocksCases[S float32 | uint16](c *checker, src *source[S], mk func(in []S, block int) *blockCall, sizes ...int) {
	r := newBlockRig(c, sizes...)
	data := newBlockData(src)
	blocksSweep(c, func(block, count, i, salt int) {
		in, desc := data.make(block, count, salt)
		r.run(withKinds(mk(in, block), data), i, desc)
	})
	const perCall = 6 // blocks with a special in one call, each followed or preceded by an ordinary one
	buf := make([]S, max(2*perCall*maxBlock, blockLargeCounts[len(blockLargeCounts)-1]*blockSizes[5]))
	specials := src.specials
	if testing.Short() {
		specials = everyNth(specials, 4)
	}
	for si, s := range specials {
		for bi, block := range blockSizes {
			pos := reducePositions(block)
			for j := 0; j < len(pos) && !c.done(); j += perCall {
				group := pos[j:min(j+perCall, len(pos))]
				count := 2 * len(group)
				in := buf[:count*block]
				base, at := src.background.window(len(in), si*1000+bi*100+j)
				copy(in, base)
				first := (j / perCall) % 2 // the special blocks are even or odd
				var where []string
				for g, p := range group {
					b := 2*g + first
					in[b*block+p] = s
					where = append(where, fmt.Sprintf("%d:%d", b, p))
				}
				desc := fmt.Sprintf("data=%s at=%d with %s at block:position %s", src.background.name, at, src.show(s), strings.Join(where, " "))
				r.run(mk(in, block), si*7+bi+j, desc)
			}
		}
	}
	// A NaN or an infinity last, after many finite blocks.
	for _, count := range blockLargeCounts {
		for bi, block := range blockSizes[:6] {
			in := longWindow(src.background, buf[:count*block], bi)
			for _, s := range src.last {
				keep := in[len(in)-1]
				in[len(in)-1] = s
				r.run(mk(in, block), bi, fmt.Sprintf("data=%s with %s last", src.background.name, src.show(s)))
				in[len(in)-1] = keep
			}
		}
	}
}

// longWindow fills buf with windows of p, however long buf is.
func longWindow[S float32 | uint16](p *pool[S], buf []S, salt int) []S {
	for done := 0; done < len(buf); {
		w, _ := p.window(min(len(buf)-done, len(p.data)/2), salt+done)
		done += copy(buf[done:], w)
	}
	return buf
}

// withKinds makes a call's reports name the kind of the failing block.
func withKinds[S float32 | uint16](bc *blockCall, data *blockData[S]) *blockCall {
	explain := bc.explain
	bc.explain = func(arg, i int, got []byte) string {
		b := i
		if bc.args[arg].name == "dst" && bc.args[arg].size == 1 { // quantized values, not per-block results
			b = i / bc.block
		}
		return explain(arg, i, got) + "; block " + fmt.Sprint(b) + data.kind(b)
	}
	return bc
}

// Checks of the quantizers.

func checkQuantizeAbsmaxBlocks(c *checker, k *kernels.Set) {
	quantBlocksCases(c, quantSource32(), absmaxBlocks(k.QuantizeAbsmaxBlocks), absmaxBlocks(fallback.QuantizeAbsmaxBlocks), false)
}

func checkQuantizeZeroPointBlocks(c *checker, k *kernels.Set) {
	quantBlocksCases(c, quantSource32(), k.QuantizeZeroPointBlocks, fallback.QuantizeZeroPointBlocks, true)
}

func (f *format) checkQuantizeAbsmaxBlocks(c *checker, k *kernels.Set) {
	quantBlocksCases(c, f.quantSource16(), absmaxBlocks(f.set(k).QuantizeAbsmaxBlocks),
		absmaxBlocks(f.set(&fallback.Kernels).QuantizeAbsmaxBlocks), false)
}

func (f *format) checkQuantizeZeroPointBlocks(c *checker, k *kernels.Set) {
	quantBlocksCases(c, f.quantSource16(), f.set(k).QuantizeZeroPointBlocks,
		f.set(&fallback.Kernels).QuantizeZeroPointBlocks, true)
}

// blockParams fills the per-block parameters of in.
type blockParams[S float32 | uint16] struct {
	src           *source[S]
	zeroPoint     bool
	scales, zeros []float32
}

// make returns parameters for each block of in chosen by salt: those
// package quant computes for the block ("quant"), entries of quantScales
// and quantZeros that differ from block to block ("list"), or either per
// block ("mixed"); zeros is nil for absmax.
func (p *blockParams[S]) make(in []S, block, salt int) (scales, zeros []float32, how string) {
	count := len(in) / block
	scales = p.scales[:count]
	if p.zeroPoint {
		zeros = p.zeros[:count]
	}
	how = []string{"quant", "list", "mixed"}[salt%3]
	for b := range count {
		// Strides coprime with the list lengths: neighbours differ.
		s := quantScales[(salt+5*b)%len(quantScales)]
		z := float32(quantZeros[(salt/3+4*b)%len(quantZeros)])
		if how == "quant" || how == "mixed" && (salt>>2^b)%2 == 0 {
			blk := in[b*block : (b+1)*block]
			if p.zeroPoint {
				if qs, qz, ok := p.src.zeroPoint(blk); ok {
					s, z = qs, float32(qz)
				}
			} else if qs, ok := p.src.absmax(blk); ok {
				s = qs
			}
		}
		scales[b] = s
		if zeros != nil {
			zeros[b] = z
		}
	}
	return scales, zeros, how
}

// paramsText describes the parameters of a call.
func paramsText(how string, scales, zeros []float32) string {
	var b strings.Builder
	fmt.Fprintf(&b, " params=%s", how)
	if len(scales) <= 4 {
		for i, s := range scales {
			fmt.Fprintf(&b, " scales[%d]=%s", i, hex(s))
			if zeros != nil {
				fmt.Fprintf(&b, " zeros[%d]=%g", i, zeros[i])
			}
		}
	}
	return b.String()
}

// positionScales and positionZeros are the parameters of the blocks of
// boundary values: scale 1 puts them on the rounding and clamping
// boundaries, the others elsewhere.
var (
	positionScales = []float32{1, 127.0 / 65504, 1e30, 0.5, 2, 0x1p-10, 3}
	positionZeros  = []float32{0, -1, 128, 1 << 20, -(1<<31 - 256)}
	tieZeros       = []int32{0, 1, -1, 127, -128, 1 << 20}
)

// quantBlocksCases runs the cases of a blockwise quantizer: the sweep,
// boundary values at every position of every block, and blocks of
// rounding ties each under its own parameters.
func quantBlocksCases[S float32 | uint16](c *checker, src *source[S], got, ref func([]int8, []S, []float32, []float32, int), zeroPoint bool) {
	sizes := []int{sizeOf[S](), 1, 4}
	if zeroPoint {
		sizes = append(sizes, 4)
	}
	r := newBlockRig(c, sizes...)
	data := newBlockData(src)
	params := &blockParams[S]{src: src, zeroPoint: zeroPoint, scales: make([]float32, maxBlockValues/8), zeros: make([]float32, maxBlockValues/8)}
	var noZeros []float32
	blocksSweep(c, func(block, count, i, salt int) {
		in, desc := data.make(block, count, salt)
		scales, zeros, how := params.make(in, block, salt/2)
		if !zeroPoint {
			zeros = noZeros
		}
		r.run(withKinds(quantBlocksCall(got, ref, in, scales, zeros, block, src.show), data), i, desc+paramsText(how, scales, zeros))
	})
	// Each boundary value at every position of each of 3 blocks (2 of
	// 1024), under parameters that differ from block to block.
	scales, zeros := make([]float32, 3), make([]float32, 3)
	for bi, block := range blockSizes {
		count := 3
		if block == maxBlock {
			count = 2
		}
		ring := cycle(src.specials, len(src.specials)+count*block)
		for rot := range src.specials {
			if c.done() {
				return
			}
			for b := range count {
				scales[b] = positionScales[(rot+bi+b)%len(positionScales)]
				zeros[b] = positionZeros[(rot+2*b)%len(positionZeros)]
			}
			z := zeros[:count]
			if !zeroPoint {
				z = nil
			}
			in := ring[rot : rot+count*block]
			r.run(quantBlocksCall(got, ref, in, scales[:count], z, block, src.show), rot*3+bi,
				fmt.Sprintf("data=boundaries at=%d", rot)+paramsText("position", scales[:count], z))
		}
	}
	// Blocks of ties, each under its own scale (and zero point), so that
	// any other block's parameters round them differently.
	type tieSet struct {
		s    float32
		z    int32
		data []S
	}
	var sets []tieSet
	for _, s := range tieScales {
		for _, z := range tieZeros {
			if !zeroPoint && z != 0 {
				continue
			}
			if d := src.ties(s, z); len(d) >= 8 {
				sets = append(sets, tieSet{s, z, d})
			}
		}
	}
	step := 7 // neighbours get other scales, not only other zero points
	if len(sets)%step == 0 {
		step = 1
	}
	buf := make([]S, blockEveryCount*maxBlock)
	tscales, tzeros := make([]float32, blockEveryCount), make([]float32, blockEveryCount)
	for bi, block := range blockSizes {
		reps := max(1, 24*32/block)
		if testing.Short() {
			reps = max(1, reps/4)
		}
		for rep := range reps {
			if c.done() {
				return
			}
			count := 1 + (rep*5+bi)%blockEveryCount
			var names []string
			for b := range count {
				set := sets[(rep+b*step+bi)%len(sets)]
				start := (rep*count + b) * block
				for j := range block {
					buf[b*block+j] = set.data[(start+j)%len(set.data)]
				}
				tscales[b], tzeros[b] = set.s, float32(set.z)
				names = append(names, fmt.Sprintf("%g/%d", set.s, set.z))
			}
			z := tzeros[:count]
			if !zeroPoint {
				z = nil
			}
			r.run(quantBlocksCall(got, ref, buf[:count*block], tscales[:count], z, block, src.show), rep*11+bi,
				"data=ties for scale/zero "+strings.Join(names, " "))
		}
	}
}
