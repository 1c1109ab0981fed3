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
	s.wide.QuantizeAbsmaxBlocks(dst[lo:hi], s.u16[lo:hi], sc.scales[:m], block)
}

func (s source) quantizeZeroPointBlocks(dst []int8, sc *blockScratch, b0, b1, block int) {
	lo, hi, m := b0*block, b1*block, b1-b0
	if s.kind == elemFloat32 {
		s.k.QuantizeZeroPointBlocks(dst[lo:hi], s.f32[lo:hi], sc.scales[:m], sc.zeros[:m], block)
		return
	}
	s.wide.QuantizeZeroPointBlocks(dst[lo:hi], s.u16[lo:hi], sc.scales[:m], sc.zeros[:m], block)
}

// blockMethod is the part of a method that serves the blockwise path.
type blockMethod[P any] interface {
	// firstDoubtful reduces blocks [b0, b1) and returns the first one that
	// surelyValid would not vouch for, or b1.
	firstDoubtful(s source, sc *blockScratch, b0, b1, block int) int
	// quantizeBlocks reduces blocks [b0, b1), stores their parameters in
	// params[b0:b1] (and the kernel's arguments in sc), and quantizes them
	// into dst.
	quantizeBlocks(dst []int8, params []P, s source, sc *blockScratch, b0, b1, block int)
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
	for b0 := glo; b0 < min(ghi, whole); {
		b1 := min(b0+blockChunk, ghi, whole)
		bad := j.m.firstDoubtful(j.s, sc, b0, b1, block)
		if bad == b1 {
			b0 = b1
			continue
		}
		// A doubtful block: the exact computation decides.
		if err := j.checkEach(nil, bad, bad+1); err != nil {
			return err
		}
		b0 = bad + 1
	}
	if ghi > whole {
		return j.checkEach(nil, whole, ghi)
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
		j.m.quantizeBlocks(j.dst, j.params, j.s, sc, b0, b1, block)
	}
	if ghi > whole {
		j.quantizeEach(nil, whole, ghi)
	}
}

func (absmaxMethod) firstDoubtful(s source, sc *blockScratch, b0, b1, block int) int {
	s.absMaxBitsBlocks(sc, b0, b1, block)
	for i, m := range sc.bits[:b1-b0] {
		if !absmaxSurelyValid(m) {
			return b0 + i
		}
	}
	return b1
}

func (absmaxMethod) quantizeBlocks(dst []int8, params []AbsmaxParams, s source, sc *blockScratch, b0, b1, block int) {
	s.absMaxBitsBlocks(sc, b0, b1, block)
	for i, m := range sc.bits[:b1-b0] {
		p, _ := absmaxParams(math.Float32frombits(m))
		params[b0+i] = p
		sc.scales[i] = p.Scale
	}
	s.quantizeAbsmaxBlocks(dst, sc, b0, b1, block)
}

func (zeroPointMethod) firstDoubtful(s source, sc *blockScratch, b0, b1, block int) int {
	s.minMaxKeysBlocks(sc, b0, b1, block)
	for i := range b1 - b0 {
		if !zeroPointSurelyValid(sc.lo[i], sc.hi[i]) {
			return b0 + i
		}
	}
	return b1
}

func (zeroPointMethod) quantizeBlocks(dst []int8, params []ZeroPointParams, s source, sc *blockScratch, b0, b1, block int) {
	m := b1 - b0
	s.minMaxKeysBlocks(sc, b0, b1, block)
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
