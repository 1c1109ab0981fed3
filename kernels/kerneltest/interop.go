package kerneltest

import (
	"fmt"
	"math"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// The interop kernels (PyTorch's and ONNX Runtime's arithmetic). The
// quantizers take the checked zero-point quantizers' cases, with the
// scale as PyTorch's reciprocal or ONNX's divisor; ONNX gets ties of the
// quotient besides. The dequantizer takes DequantizeZeroPoint's cases and
// the fake quantizer FakeQuantize's, on grids that hold the zero point.

func checkQuantizePyTorch(c *checker, k *kernels.Set) {
	checkZeroPointChecked(c, quantSource32(), nans32(), k.QuantizePyTorch, uncheck(fallback.QuantizePyTorch))
}

func checkQuantizeONNX(c *checker, k *kernels.Set) {
	got, ref := divisorOnly(k.QuantizeONNX), divisorOnly(fallback.QuantizeONNX)
	checkZeroPointChecked(c, quantSource32(), nans32(), got, uncheck(ref))
	checkQuotientTies(c, quantSource32(), func(x float32) (float32, bool) { return x, true }, got, ref)
}

func (f *format) checkQuantizePyTorch(c *checker, k *kernels.Set) {
	checkZeroPointChecked(c, f.quantSource16(), f.nans(), f.set(k).QuantizePyTorch, uncheck(f.set(&fallback.Kernels).QuantizePyTorch))
}

func (f *format) checkQuantizeONNX(c *checker, k *kernels.Set) {
	got, ref := divisorOnly(f.set(k).QuantizeONNX), divisorOnly(f.set(&fallback.Kernels).QuantizeONNX)
	checkZeroPointChecked(c, f.quantSource16(), f.nans(), got, uncheck(ref))
	checkQuotientTies(c, f.quantSource16(), func(x float32) (uint16, bool) {
		h := f.narrow(x)
		return h, f.widen(h) == x
	}, got, ref)
}

// uncheck drops a checked kernel's report, for use as a reference.
func uncheck[S float32 | uint16](q func([]int8, []S, float32, float32) bool) func([]int8, []S, float32, float32) {
	return func(d []int8, x []S, s, z float32) { q(d, x, s, z) }
}

// divisorOnly passes scale 1 for the scale 0 of the shared lists: ONNX
// divides by its scale, which must be positive (0/0 would be a NaN that
// no kernel has to agree on).
func divisorOnly[S float32 | uint16](q func([]int8, []S, float32, float32) bool) func([]int8, []S, float32, float32) bool {
	return func(d []int8, x []S, s, z float32) bool {
		if s == 0 {
			s = 1
		}
		return q(d, x, s, z)
	}
}

// quotientTieScales divide ties exactly: powers of two, 3 and 0.75.
var quotientTieScales = []float32{1, 0.5, 0.25, 2, 1.0 / 1024, 3, 0.75, 0x1p-20}

// checkQuotientTies checks x/scale = k + 1/2 for k from -300 to 299 under
// every zero point, both parities of k side by side.
func checkQuotientTies[S float32 | uint16](c *checker, src *source[S], from func(float32) (S, bool), got func([]int8, []S, float32, float32) bool, ref func([]int8, []S, float32, float32) bool) {
	r := newMapRig[int8, S](c)
	r.show = src.show
	for i, s := range quotientTieScales {
		var in []S
		for k := -300; k < 300; k++ {
			x := float32(float64(k)+0.5) * s
			if x/s != float32(k)+0.5 {
				continue
			}
			if v, ok := from(x); ok {
				in = append(in, v)
			}
		}
		for j, z := range []float32{0, 1, -1, 3, -128, 127} {
			ci := caseInfo{data: "quotient ties", how: "exact", par: scaleFloatZero, scale: s, zero: z}
			r.check(func(d []int8, x []S) { got(d, x, s, z) }, func(d []int8, x []S) { ref(d, x, s, z) },
				in[:min(len(in), maxLen)], (i+j)%slots[S](), (i*3+j)%slots[int8](), ci)
		}
	}
}

func checkDequantizeAffine(c *checker, k *kernels.Set) {
	r := newMapRig[float32, int8](c)
	run := func(in []int8, so, do int, ci caseInfo, s float32, z int32) {
		ci.par, ci.scale, ci.izero = scaleIntZero, s, z
		r.check(func(d []float32, x []int8) { k.DequantizeAffine(d, x, s, z) },
			func(d []float32, x []int8) { fallback.DequantizeAffine(d, x, s, z) }, in, so, do, ci)
	}
	dequantAffineCases(c, run, slots[float32]())
}

func (f *format) checkDequantizeAffine(c *checker, k *kernels.Set) {
	got, ref := f.set(k).DequantizeAffine, f.set(&fallback.Kernels).DequantizeAffine
	r := newMapRig[uint16, int8](c)
	run := func(in []int8, so, do int, ci caseInfo, s float32, z int32) {
		ci.par, ci.scale, ci.izero = scaleIntZero, s, z
		r.checkShaped(func(d []uint16, x []int8) { got(d, x, s, z) }, func(d []uint16, x []int8) { ref(d, x, s, z) },
			in, len(in), so, do, ci, func(i int, in []int8, g, w []uint16) string {
				return fmt.Sprintf("index %d: q %d: product %s: got %s, want %s", i, in[i],
					hex(float32(int32(in[i])-z)*s), f.show(g[i]), f.show(w[i]))
			})
	}
	dequantAffineCases(c, run, slots[uint16]())
}

// dequantAffineCases are DequantizeZeroPoint's: random bytes under the
// listed scales and zero points, and every int8 value at every position
// and under every pair of them.
func dequantAffineCases(c *checker, run func(in []int8, so, do int, ci caseInfo, s float32, z int32), ds int) {
	pools := i8Pools()
	sweepPools(c, pools, slots[int8](), ds, func(in []int8, so, do, salt int, ci caseInfo) {
		run(in, so, do, ci, dequantScales[salt/len(pools)%len(dequantScales)], dequantZeros[salt/5%len(dequantZeros)])
	})
	seq := poolNamed(pools, "sequence")
	everyValue(c, func(n, rot int) {
		run(seq.data[rot:rot+n], (rot+n)%slots[int8](), (rot*3+n)%ds, seq.info(rot),
			dequantScales[(rot+n)%len(dequantScales)], dequantZeros[(rot*7+n)%len(dequantZeros)])
	})
	for i, s := range dequantScales {
		for j, z := range dequantZeros {
			if !c.done() {
				run(seq.data[:256], (i+j)%slots[int8](), (i*3+j)%ds, seq.info(0), s, z)
			}
		}
	}
}

// pytorchGrids are the fake quantizer's grids: FakeQuantize's, PyTorch's
// quint8 and the widest the kernel takes.
var pytorchGrids = append(fakeGrids[:len(fakeGrids):len(fakeGrids)], [2]int32{0, 255}, [2]int32{-1 << 23, 1 << 23})

// pytorchFakeArgs turns a FakeQuantize case into FakeQuantizePyTorch's
// arguments: s is the reciprocal, the scale its float32 inverse (or 1e30
// where that overflows), the zero point clamped into the grid.
func pytorchFakeArgs(s float32, z int32, grid [2]int32) (inv, scale float32, zero int32) {
	scale = 1 / s
	if math.IsInf(float64(scale), 0) {
		scale = 1e30
	}
	return s, scale, min(max(z, grid[0]), grid[1])
}

// checkFakeQuantizePyTorch tests FakeQuantizePyTorch on FakeQuantize's
// cases with and without a mask, the mask in a guarded window of its own,
// and its NaN report.
func checkFakeQuantizePyTorch(c *checker, k *kernels.Set) {
	r := newMapRig[float32, float32](c)
	masks, want := newArena[uint8](maxRigLen), make([]uint8, maxRigLen)
	src := quantSource32()
	r.show = src.show
	ss, ds := slots[float32](), slots[float32]()
	salt := 0
	run := func(in []float32, so, do int, ci caseInfo, s float32, z int32, grid [2]int32) {
		salt++
		if salt%5 == 0 {
			grid = pytorchGrids[salt/5%len(pytorchGrids)]
		}
		inv, scale, zero := pytorchFakeArgs(s, z, grid)
		ci.par, ci.scale, ci.izero = scaleIntZero, inv, zero
		ci.how += fmt.Sprintf(" grid=[%d,%d] scale=%v", grid[0], grid[1], scale)
		n, withMask := len(in), salt%2 == 0
		var m []uint8
		ok := r.check(func(d, x []float32) {
			if withMask {
				m = masks.window(n, (so+do)%slots[uint8]())
				complementOf(m, want[:n])
			}
			if k.FakeQuantizePyTorch(d, x, m, inv, scale, zero, grid[0], grid[1]) {
				c.errorf("n=%d %v: reported a NaN in NaN-free input", n, ci)
			}
		}, func(d, x []float32) {
			fallback.FakeQuantizePyTorch(d, x, want[:n], inv, scale, zero, grid[0], grid[1])
		}, in, so, do, ci)
		if !ok || !withMask {
			return
		}
		if i := firstDiff(m, want[:n]); i >= 0 {
			c.errorf("n=%d srcOff=%d %v: mask[%d] of input %s: got %d, want %d", n, so, ci, i, src.show(in[i]), m[i], want[i])
		} else if at, bad := masks.damage(); bad {
			c.errorf("n=%d srcOff=%d %v: wrote outside mask: byte %d relative to its start", n, so, ci, at)
		}
	}
	fakeCases(c, src, ss, ds, run)
	mask := make([]uint8, maxRigLen)
	checkNaNReported(c, src, nans32(), func(d, x []float32) bool {
		return k.FakeQuantizePyTorch(d, x, nil, 37, 1.0/37, -3, -128, 127)
	})
	checkNaNReported(c, src, nans32(), func(d, x []float32) bool {
		return k.FakeQuantizePyTorch(d, x, mask[:len(x)], 37, 1.0/37, 100, 0, 255)
	})
}
