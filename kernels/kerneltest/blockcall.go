package kerneltest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unsafe"
)

// The blockwise kernels take several slices: src, a dst of values or of
// per-block results, and per-block scales and zero points. Each slice of
// a call lives in an arena (or a guard-page area) of its own, at an
// offset of its own.

const (
	// maxBlock is the largest block size checked.
	maxBlock = 1024
	// blockEveryCount is the largest block count checked at every
	// block size and offset.
	blockEveryCount = 12
)

// blockSizes are the block sizes of the blockwise checks: the multiples of
// 8 up to 40 (one or a few vectors, and odd numbers of them), the common
// 64..256, and a row.
var blockSizes = []int{8, 16, 24, 32, 40, 64, 128, 256, maxBlock}

// blockLargeCounts are block counts past any unrolling, and an odd one.
var blockLargeCounts = []int{100, 257}

// maxBlockValues is the largest src of a blockwise call.
const maxBlockValues = 257 * maxBlock

// blockArg is one slice argument of a blockwise kernel.
type blockArg struct {
	name string
	size int    // bytes per element
	in   []byte // an input's contents; nil for an output
	want []byte // an output's expected contents
}

func (a *blockArg) bytes() int {
	if a.in != nil {
		return len(a.in)
	}
	return len(a.want)
}

// blockCall is one call of a blockwise kernel: its slices (inputs with
// their contents, outputs with the expected contents), the call on
// slices placed anywhere, and a description of output element i of
// argument arg when it is wrong.
type blockCall struct {
	block, count int
	args         []blockArg
	call         func(views [][]byte)
	explain      func(arg, i int, got []byte) string
}

// inArg and outArg describe typed slices as arguments.
func inArg[T elem](name string, s []T) blockArg {
	b := asBytes(s)
	if b == nil {
		b = []byte{}
	}
	return blockArg{name: name, size: sizeOf[T](), in: b}
}

func outArg[T elem](name string, want []T) blockArg {
	return blockArg{name: name, size: sizeOf[T](), want: asBytes(want)}
}

// view returns the elements of T that b holds.
func view[T elem](b []byte) []T {
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/sizeOf[T]())
}

// blockOffsets returns the start of each argument, in elements past a
// 64-byte boundary, for offset index i: as i runs over 0..63 each
// argument meets every start, each in its own order.
func blockOffsets(args []blockArg, i int, offs []int) []int {
	offs = offs[:0]
	for a := range args {
		offs = append(offs, (i*(2*a+1)+7*a)%(line/args[a].size))
	}
	return offs
}

// blockRig runs blockwise kernels on arguments placed in arenas.
type blockRig struct {
	c      *checker
	arenas []*arena[byte]
	views  [][]byte
	offs   []int
}

// newBlockRig returns a rig for kernels whose arguments have elements of
// the given sizes (src first).
func newBlockRig(c *checker, sizes ...int) *blockRig {
	r := &blockRig{c: c}
	for _, s := range sizes {
		// Room for a src of maxBlockValues; per-block slices use little of it.
		r.arenas = append(r.arenas, newArena[byte](maxBlockValues*s))
	}
	return r
}

// where describes a call whose slices start at offs.
func (bc *blockCall) where(offs []int, desc string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "block=%d blocks=%d", bc.block, bc.count)
	for a, o := range offs {
		fmt.Fprintf(&b, " %sOff=%d", bc.args[a].name, o)
	}
	return b.String() + " " + desc
}

// run places the arguments of bc at offset index i, calls the kernel and
// reports the first problem: a wrong output element, a changed input or a
// damaged guard. It returns whether all was well.
func (r *blockRig) run(bc *blockCall, i int, desc string) bool {
	r.offs = blockOffsets(bc.args, i, r.offs)
	r.views = r.views[:0]
	for a := range bc.args {
		arg := &bc.args[a]
		w := r.arenas[a].window(arg.bytes(), r.offs[a]*arg.size)
		if arg.in != nil {
			copy(w, arg.in)
		} else {
			complementOf(w, arg.want)
		}
		r.views = append(r.views, w)
	}
	bc.call(r.views)
	return bc.verify(r.c, r.views, func() string { return bc.where(r.offs, desc) }, func(a int) (int, bool) { return r.arenas[a].damage() })
}

// verify reports the first wrong output, changed input or (if damage is
// not nil) damaged guard of a call on views.
func (bc *blockCall) verify(c *checker, views [][]byte, where func() string, damage func(arg int) (int, bool)) bool {
	for a := range bc.args {
		arg := &bc.args[a]
		if arg.in != nil {
			continue
		}
		if i := firstDiff(views[a], arg.want); i >= 0 {
			c.errorf("%s: %s", where(), bc.explain(a, i/arg.size, views[a]))
			return false
		}
	}
	for a := range bc.args {
		arg := &bc.args[a]
		if arg.in != nil && !bytes.Equal(views[a], arg.in) {
			c.errorf("%s: %s modified at element %d", where(), arg.name, firstDiff(views[a], arg.in)/arg.size)
			return false
		}
	}
	for a := range bc.args {
		if damage == nil {
			break
		}
		if at, bad := damage(a); bad {
			c.errorf("%s: wrote outside %s: byte %d relative to its start", where(), bc.args[a].name, at)
			return false
		}
	}
	return true
}

// blockOffsetStep returns the step of the offset indices a block size is
// run at: every index for small blocks; for larger ones every step-th,
// starting at count%step, so that the counts 0..blockEveryCount still
// meet every index (step <= blockEveryCount+1).
func blockOffsetStep(block int) int {
	step := 1
	switch {
	case block >= 256:
		step = 8
	case block >= 128:
		step = 4
	case block >= 64:
		step = 2
	}
	if testing.Short() {
		step *= 4
	}
	return min(step, 8)
}

// blocksSweep calls run for every block size and every block count up to
// blockEveryCount at offset indices that give each argument every start
// within a 64-byte line (per block size), then for the large counts at
// two offsets each. salt varies with every case.
func blocksSweep(c *checker, run func(block, count, offIndex, salt int)) {
	salt := 0
	for _, block := range blockSizes {
		step := blockOffsetStep(block)
		for count := 0; count <= blockEveryCount; count++ {
			for i := count % step; i < line; i += step {
				if c.done() {
					return
				}
				run(block, count, i, salt)
				salt++
			}
		}
	}
	for j, count := range blockLargeCounts {
		for bi, block := range blockSizes {
			if block == maxBlock && (j > 0 || testing.Short()) {
				continue
			}
			for oi, i := range [][]int{{0, line/2 + 3}, {1, line - 1}}[j] {
				if c.done() {
					return
				}
				run(block, count, i, 1<<20+j*1000+bi*10+oi)
			}
		}
	}
}
