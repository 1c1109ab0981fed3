package kerneltest

import (
	"fmt"
	"math"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// The checked quantizers: on NaN-free input the unchecked quantizer's
// results and no NaN reported (the quantizer checks' cases); with a NaN
// anywhere, a NaN reported, whatever else is stored, and nothing touched
// outside the slices.

func checkQuantizeAbsmaxChecked(c *checker, k *kernels.Set) {
	checkAbsmaxChecked(c, quantSource32(), nans32(), k.QuantizeAbsmaxChecked, fallback.QuantizeAbsmax)
}

func checkQuantizeZeroPointChecked(c *checker, k *kernels.Set) {
	checkZeroPointChecked(c, quantSource32(), nans32(), k.QuantizeZeroPointChecked, fallback.QuantizeZeroPoint)
}

func (f *format) checkQuantizeAbsmaxChecked(c *checker, k *kernels.Set) {
	checkAbsmaxChecked(c, f.quantSource16(), f.nans(), f.set(k).QuantizeAbsmaxChecked, f.set(&fallback.Kernels).QuantizeAbsmax)
}

func (f *format) checkQuantizeZeroPointChecked(c *checker, k *kernels.Set) {
	checkZeroPointChecked(c, f.quantSource16(), f.nans(), f.set(k).QuantizeZeroPointChecked, f.set(&fallback.Kernels).QuantizeZeroPoint)
}

func checkAbsmaxChecked[S float32 | uint16](c *checker, src *source[S], nans []S, got func([]int8, []S, float32) bool, ref func([]int8, []S, float32)) {
	checkQuantizeAbsmaxOf(c, src, func(d []int8, x []S, s float32) {
		if got(d, x, s) {
			c.errorf("n=%d scale=%v: reported a NaN in NaN-free input", len(x), s)
		}
	}, ref)
	checkNaNReported(c, src, nans, func(d []int8, x []S) bool { return got(d, x, 3) })
}

func checkZeroPointChecked[S float32 | uint16](c *checker, src *source[S], nans []S, got func([]int8, []S, float32, float32) bool, ref func([]int8, []S, float32, float32)) {
	checkQuantizeZeroPointOf(c, src, func(d []int8, x []S, s, z float32) {
		if got(d, x, s, z) {
			c.errorf("n=%d scale=%v zero=%v: reported a NaN in NaN-free input", len(x), s, z)
		}
	}, ref)
	checkNaNReported(c, src, nans, func(d []int8, x []S) bool { return got(d, x, 3, -7) })
}

// checkNaNReported puts each of nans at every index of inputs of every
// length up to 70 and at a few indices of long ones, in a guarded window
// of the source's background, and requires call to report it, to leave
// src as it was and to write nothing outside dst.
func checkNaNReported[D elem, S float32 | uint16](c *checker, src *source[S], nans []S, call func(d []D, x []S) bool) {
	srcs, dsts := newArena[S](maxRigLen), newArena[D](maxRigLen)
	in := make([]S, maxRigLen)
	try := func(n, at int) {
		bg, _ := src.background.window(n, n*7+at)
		copy(in, bg)
		in[at] = nans[(n+at)%len(nans)]
		x := srcs.window(n, (n+at)%slots[S]())
		copy(x, in[:n])
		d := dsts.window(n, (n*3+at)%slots[D]())
		where := fmt.Sprintf("n=%d NaN %s at %d", n, hex(in[at]), at)
		if !call(d, x) {
			c.errorf("%s: not reported", where)
		} else if i := firstDiff(x, in[:n]); i >= 0 {
			c.errorf("%s: src modified at %d", where, i)
		} else if b, bad := dsts.damage(); bad {
			c.errorf("%s: wrote outside dst: byte %d", where, b)
		} else if b, bad := srcs.damage(); bad {
			c.errorf("%s: wrote outside src: byte %d", where, b)
		}
	}
	for n := 1; n <= 70 && !c.done(); n++ {
		for at := range n {
			try(n, at)
		}
	}
	for _, n := range largeLens {
		for _, at := range []int{0, 31, n / 2, n - 9, n - 1} {
			if !c.done() {
				try(n, at)
			}
		}
	}
}

// nans32 are float32 NaNs of both signs, quiet and signalling.
func nans32() []float32 {
	var out []float32
	for _, b := range []uint32{0x7FC00000, 0xFFC00000, 0x7F800001, 0xFF800001, 0x7FBFFFFF, 0xFFFFFFFF, 0x7FA00000} {
		out = append(out, math.Float32frombits(b))
	}
	return out
}

// nans returns NaN patterns of f: quiet and signalling, both signs, the
// smallest and largest payloads.
func (f *format) nans() []uint16 {
	e := uint16(0x7C00) // binary16's exponent field
	if f == bfloat16Format {
		e = 0x7F80
	}
	m := ^e & 0x7FFF  // the mantissa field
	q := (m + 1) >> 1 // its top bit: quiet
	return []uint16{e | q, 0x8000 | e | q, e | 1, 0x8000 | e | 1, e | m, 0x8000 | e | m, e | q | 1}
}
