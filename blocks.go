package quant

import (
	"math"
	"sync"

	"github.com/qkernels/quant/kernels"
)

// Small groups (blocks, or short rows) go through the blockwise kernels a
// chunk of blocks at a time, rather than through a call per group: the
// reductions of a chunk land in a scratch buffer, the parameters are
// computed from them, and one call quantizes the chunk.

// maxBlock is the largest group the blockwise path takes; longer groups
// amortize a call of their own.
const maxBlock = 1024

// blockChunk is how many blocks one call of a blockwise kernel covers.
const blockChunk = 256

// blockScratch holds a chunk's reductions and kernel arguments. It comes
// from a pool because a buffer on the stack would escape through the
// kernel calls (func values) and be allocated anyway.
type blockScratch struct {
	bits          [blockChunk]uint32
	lo, hi        [blockChunk]int32
	bits16        [blockChunk]uint16
	lo16, hi16    [blockChunk]int16
	scales, zeros [blockChunk]float32
	zeroPoints    [blockChunk]int32
}

var scratchPool = sync.Pool{New: func() any { return new(blockScratch) }}

// absMaxBitsBlocks stores in sc.bits the AbsMaxBits of blocks [b0, b1)
// of s, at their float32 values.
func (s source) absMaxBitsBlocks(sc *blockScratch, b0, b1, block int) {
	lo, hi, m := b0*block, b1*block, b1-b0
	if s.kind == elemFloat32 {
		s.k.AbsMaxBitsBlocks(sc.bits[:m], s.f32[lo:hi], block)
		return
	}
	s.k.AbsMaxBits16Blocks(sc.bits16[:m], s.u16[lo:hi], block)
	for i, h := range sc.bits16[:m] {
		sc.bits[i] = s.widen(h)
	}
}

// minMaxKeysBlocks stores in sc.lo and sc.hi the MinMaxKeys of blocks
// [b0, b1) of s, at their float32 values.
func (s source) minMaxKeysBlocks(sc *blockScratch, b0, b1, block int) {
	lo, hi, m := b0*block, b1*block, b1-b0
	if s.kind == elemFloat32 {
		s.k.MinMaxKeysBlocks(sc.lo[:m], sc.hi[:m], s.f32[lo:hi], block)
		return
	}
	s.k.MinMaxKeys16Blocks(sc.lo16[:m], sc.hi16[:m], s.u16[lo:hi], block)
	for i := range m {
		sc.lo[i] = kernels.OrderKey(s.widen(kernels.KeyBits16(sc.lo16[i])))
		sc.hi[i] = kernels.OrderKey(s.widen(kernels.KeyBits16(sc.hi16[i])))
	}
}

func (s source) quantizeAbsmaxBlocks(dst []int8, sc *blockScratch, b0, b1, block int) {
	lo, hi, m := b0*block, b1*block, b1-b0
	if s.kind == elemFloat32 {
		s.k.QuantizeAbsmaxBlocks(dst[lo:hi], s.f32[lo:hi], sc.scales[:m], block)
		return
	}
	s.k16.QuantizeAbsmaxBlocks(dst[lo:hi], s.u16[lo:hi], sc.scales[:m], block)
}

func (s source) quantizeZeroPointBlocks(dst []int8, sc *blockScratch, b0, b1, block int) {
	lo, hi, m := b0*block, b1*block, b1-b0
	if s.kind == elemFloat32 {
		s.k.QuantizeZeroPointBlocks(dst[lo:hi], s.f32[lo:hi], sc.scales[:m], sc.zeros[:m], block)
		return
	}
	s.k16.QuantizeZeroPointBlocks(dst[lo:hi], s.u16[lo:hi], sc.scales[:m], sc.zeros[:m], block)
}

// blockMethod is the part of a method that serves the blockwise path. A
// chunk of blocks [b0, b1) is reduced into sc once; its blocks are then
// indexed from 0 in sc.
type blockMethod[P any] interface {
	// reduceBlocks stores the reductions of blocks [b0, b1) in sc.
	reduceBlocks(s source, sc *blockScratch, b0, b1, block int)
	// firstDoubtful returns the first of the reduced blocks [i, m) that
	// surelyValid would not vouch for, or m.
	firstDoubtful(sc *blockScratch, i, m int) int
	// quantizeReduced stores the parameters of the reduced blocks
	// [b0, b1) in params[b0:b1] (and the kernel's arguments in sc), and
	// quantizes them into dst.
	quantizeReduced(dst []int8, params []P, s source, sc *blockScratch, b0, b1, block int)
}

// blocked reports whether j's groups go through the blockwise kernels.
func (j groupJob[P]) blocked() bool {
	return j.inner == 1 && j.g.size > 0 && j.g.size%8 == 0 && j.g.size <= maxBlock
}

// checkBlocks is check for a blocked job: the whole blocks among groups
// [glo, ghi) a chunk at a time, and a last, partial block on its own.
func (j groupJob[P]) checkBlocks(glo, ghi int) error {
	block, whole := j.g.size, j.n/j.g.size
	sc := scratchPool.Get().(*blockScratch)
	defer scratchPool.Put(sc)
	for b0 := glo; b0 < min(ghi, whole); b0 += blockChunk {
		b1 := min(b0+blockChunk, ghi, whole)
		if err := j.checkReduced(sc, b0, b1, block); err != nil {
			return err
		}
	}
	if ghi > whole {
		return j.checkEach(nil, whole, ghi)
	}
	return nil
}

// checkReduced reduces blocks [b0, b1) into sc and checks them: the
// blocks surelyValid does not vouch for go through the exact computation.
func (j groupJob[P]) checkReduced(sc *blockScratch, b0, b1, block int) error {
	j.m.reduceBlocks(j.s, sc, b0, b1, block)
	for i := j.m.firstDoubtful(sc, 0, b1-b0); i < b1-b0; i = j.m.firstDoubtful(sc, i+1, b1-b0) {
		if err := j.checkEach(nil, b0+i, b0+i+1); err != nil {
			return err
		}
	}
	return nil
}

// quantizeBlocks is quantize for a blocked job.
func (j groupJob[P]) quantizeBlocks(glo, ghi int) {
	block, whole := j.g.size, j.n/j.g.size
	sc := scratchPool.Get().(*blockScratch)
	defer scratchPool.Put(sc)
	for b0 := glo; b0 < min(ghi, whole); b0 += blockChunk {
		b1 := min(b0+blockChunk, ghi, whole)
		j.m.reduceBlocks(j.s, sc, b0, b1, block)
		j.m.quantizeReduced(j.dst, j.params, j.s, sc, b0, b1, block)
	}
	if ghi > whole {
		j.quantizeEach(nil, whole, ghi)
	}
}

// oneChunk reports whether j is a serial blocked job whose whole blocks
// fit one chunk: it can check and quantize from a single reduction.
func (j groupJob[P]) oneChunk() bool {
	return j.blocked() && j.inner == 1 && j.n/j.g.size <= blockChunk
}

// checkQuantizeChunk is check and then quantize for a oneChunk job, with
// one reduction of the blocks for both passes.
func (j groupJob[P]) checkQuantizeChunk() error {
	block, whole, ng := j.g.size, j.n/j.g.size, len(j.params)
	sc := scratchPool.Get().(*blockScratch)
	defer scratchPool.Put(sc)
	if err := j.checkReduced(sc, 0, whole, block); err != nil {
		return err
	}
	if ng > whole { // a partial last block
		if err := j.checkEach(nil, whole, ng); err != nil {
			return err
		}
	}
	j.m.quantizeReduced(j.dst, j.params, j.s, sc, 0, whole, block)
	if ng > whole {
		j.quantizeEach(nil, whole, ng)
	}
	return nil
}

func (absmaxMethod) reduceBlocks(s source, sc *blockScratch, b0, b1, block int) {
	s.absMaxBitsBlocks(sc, b0, b1, block)
}

func (absmaxMethod) firstDoubtful(sc *blockScratch, i, m int) int {
	for ; i < m; i++ {
		if !absmaxSurelyValid(sc.bits[i]) {
			break
		}
	}
	return i
}

func (absmaxMethod) quantizeReduced(dst []int8, params []AbsmaxParams, s source, sc *blockScratch, b0, b1, block int) {
	for i, m := range sc.bits[:b1-b0] {
		p, _ := absmaxParams(math.Float32frombits(m))
		params[b0+i] = p
		sc.scales[i] = p.Scale
	}
	s.quantizeAbsmaxBlocks(dst, sc, b0, b1, block)
}

func (zeroPointMethod) reduceBlocks(s source, sc *blockScratch, b0, b1, block int) {
	s.minMaxKeysBlocks(sc, b0, b1, block)
}

func (zeroPointMethod) firstDoubtful(sc *blockScratch, i, m int) int {
	for ; i < m; i++ {
		if !zeroPointSurelyValid(sc.lo[i], sc.hi[i]) {
			break
		}
	}
	return i
}

func (zeroPointMethod) quantizeReduced(dst []int8, params []ZeroPointParams, s source, sc *blockScratch, b0, b1, block int) {
	m := b1 - b0
	// The first pass checked every block, as the kernel requires.
	s.k.ZeroPointParamsBlocks(sc.scales[:m], sc.zeroPoints[:m], sc.lo[:m], sc.hi[:m])
	for i := range m {
		p := ZeroPointParams{Scale: sc.scales[i], ZeroPoint: sc.zeroPoints[i]}
		if p.Scale == 0 { // a constant block
			p, _ = zeroPointParams(keyFloat(sc.lo[i]), keyFloat(sc.hi[i]))
			sc.scales[i] = p.Scale
		}
		params[b0+i] = p
		sc.zeros[i] = float32(p.ZeroPoint)
	}
	s.quantizeZeroPointBlocks(dst, sc, b0, b1, block)
}
