package benchmarks

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/qkernels/quant"
	"github.com/qkernels/quant/dispatch"
)

func BenchmarkFloat32ToFloat16(b *testing.B)  { benchKernel(b, "Float32ToFloat16") }
func BenchmarkFloat16ToFloat32(b *testing.B)  { benchKernel(b, "Float16ToFloat32") }
func BenchmarkFloat32ToBFloat16(b *testing.B) { benchKernel(b, "Float32ToBFloat16") }
func BenchmarkBFloat16ToFloat32(b *testing.B) { benchKernel(b, "BFloat16ToFloat32") }
func BenchmarkAbsMax(b *testing.B)            { benchKernel(b, "AbsMax") }
func BenchmarkMinMax(b *testing.B)            { benchKernel(b, "MinMax") }
func BenchmarkQuantizeAbsmax(b *testing.B)    { benchKernel(b, "QuantizeAbsmax") }
func BenchmarkQuantizeZeroPoint(b *testing.B) { benchKernel(b, "QuantizeZeroPoint") }

// The static quantizers, given the parameters the computing quantizers
// find for the same input, from float32 and bfloat16.
func BenchmarkQuantizeAbsmaxWith(b *testing.B)    { benchKernel(b, "QuantizeAbsmaxWith") }
func BenchmarkQuantizeZeroPointWith(b *testing.B) { benchKernel(b, "QuantizeZeroPointWith") }
func BenchmarkQuantizeAbsmaxWithBFloat16(b *testing.B) {
	benchKernel(b, "QuantizeAbsmaxWithBFloat16")
}
func BenchmarkQuantizeZeroPointWithBFloat16(b *testing.B) {
	benchKernel(b, "QuantizeZeroPointWithBFloat16")
}

func BenchmarkDequantizeAbsmax(b *testing.B)    { benchKernel(b, "DequantizeAbsmax") }
func BenchmarkDequantizeZeroPoint(b *testing.B) { benchKernel(b, "DequantizeZeroPoint") }

// DequantizeZeroPoint to binary16 and bfloat16 (DequantizeZeroPointGroups
// with PerTensor, which calls the 16-bit output kernels): no C peer.
func BenchmarkDequantizeZeroPointFloat16(b *testing.B) { benchKernel(b, "DequantizeZeroPointFloat16") }
func BenchmarkDequantizeZeroPointBFloat16(b *testing.B) {
	benchKernel(b, "DequantizeZeroPointBFloat16")
}

// EncodeQ8_0 from float32, binary16 and bfloat16.
func BenchmarkEncodeQ8_0(b *testing.B)         { benchKernel(b, "EncodeQ8_0") }
func BenchmarkEncodeQ8_0Float16(b *testing.B)  { benchKernel(b, "EncodeQ8_0Float16") }
func BenchmarkEncodeQ8_0BFloat16(b *testing.B) { benchKernel(b, "EncodeQ8_0BFloat16") }

// DecodeQ8_0 to float32, binary16 and bfloat16 (the 16-bit outputs have
// no C peer).
func BenchmarkDecodeQ8_0(b *testing.B)         { benchKernel(b, "DecodeQ8_0") }
func BenchmarkDecodeQ8_0Float16(b *testing.B)  { benchKernel(b, "DecodeQ8_0Float16") }
func BenchmarkDecodeQ8_0BFloat16(b *testing.B) { benchKernel(b, "DecodeQ8_0BFloat16") }

// EncodeQ4_0 and EncodeQ4_1 from float32, DecodeQ4_0 and DecodeQ4_1 to
// float32.
func BenchmarkEncodeQ4_0(b *testing.B) { benchKernel(b, "EncodeQ4_0") }
func BenchmarkDecodeQ4_0(b *testing.B) { benchKernel(b, "DecodeQ4_0") }
func BenchmarkEncodeQ4_1(b *testing.B) { benchKernel(b, "EncodeQ4_1") }
func BenchmarkDecodeQ4_1(b *testing.B) { benchKernel(b, "DecodeQ4_1") }

// Per row of RowLength values (size=16777216 is a 4096 × 4096 matrix),
// from float32, binary16 and bfloat16.
func BenchmarkQuantizeAbsmaxPerRow(b *testing.B)    { benchKernel(b, "QuantizeAbsmaxPerRow") }
func BenchmarkQuantizeZeroPointPerRow(b *testing.B) { benchKernel(b, "QuantizeZeroPointPerRow") }
func BenchmarkQuantizeAbsmaxPerRowFloat16(b *testing.B) {
	benchKernel(b, "QuantizeAbsmaxPerRowFloat16")
}
func BenchmarkQuantizeZeroPointPerRowFloat16(b *testing.B) {
	benchKernel(b, "QuantizeZeroPointPerRowFloat16")
}
func BenchmarkQuantizeAbsmaxPerRowBFloat16(b *testing.B) {
	benchKernel(b, "QuantizeAbsmaxPerRowBFloat16")
}
func BenchmarkQuantizeZeroPointPerRowBFloat16(b *testing.B) {
	benchKernel(b, "QuantizeZeroPointPerRowBFloat16")
}

// Per block of BlockLength values: the per-row implementations with rows
// of BlockLength, which are the same groups as quant.PerBlock(BlockLength).
func BenchmarkQuantizeAbsmaxPerBlock(b *testing.B)    { benchKernel(b, "QuantizeAbsmaxPerBlock") }
func BenchmarkQuantizeZeroPointPerBlock(b *testing.B) { benchKernel(b, "QuantizeZeroPointPerBlock") }
func BenchmarkQuantizeAbsmaxPerBlockFloat16(b *testing.B) {
	benchKernel(b, "QuantizeAbsmaxPerBlockFloat16")
}
func BenchmarkQuantizeZeroPointPerBlockFloat16(b *testing.B) {
	benchKernel(b, "QuantizeZeroPointPerBlockFloat16")
}
func BenchmarkQuantizeAbsmaxPerBlockBFloat16(b *testing.B) {
	benchKernel(b, "QuantizeAbsmaxPerBlockBFloat16")
}
func BenchmarkQuantizeZeroPointPerBlockBFloat16(b *testing.B) {
	benchKernel(b, "QuantizeZeroPointPerBlockBFloat16")
}

// Fake quantization of float32, given the parameters the computing
// quantizers find for the same input: fused (one pass), and for absmax
// composed of QuantizeAbsmaxWith into an int8 buffer and DequantizeAbsmax
// from it, as a user without fake quantization would write it (the
// public API only; one int8 buffer of N values, reused by every call).
func BenchmarkFakeQuantizeAbsmax(b *testing.B)    { benchKernel(b, "FakeQuantizeAbsmax") }
func BenchmarkFakeQuantizeZeroPoint(b *testing.B) { benchKernel(b, "FakeQuantizeZeroPoint") }
func BenchmarkFakeQuantizeAbsmaxComposed(b *testing.B) {
	benchKernel(b, "FakeQuantizeAbsmaxComposed")
}

// MeasureError of the weights against their absmax reconstruction
// (Inputs.ErrorPairs): it reads 8 bytes per element, x and y, and
// b.SetBytes counts both.
func BenchmarkMeasureError(b *testing.B) { benchKernel(b, "MeasureError") }

// The interop operations, from and to float32, given the parameters of
// Inputs.Affine (the zero-point quantizer's, in PyTorch's form): PyTorch's
// quantize_per_tensor (a product by the reciprocal), ONNX QuantizeLinear (a
// quotient), the affine dequantizer (from the weights QuantizePyTorch
// quantizes), and PyTorch's fake quantizer with its mask (the bool per
// value of fake_quantize_per_tensor_affine_cachemask) on the grid
// [FakeQMin, FakeQMax].
func BenchmarkQuantizePyTorch(b *testing.B)     { benchKernel(b, "QuantizePyTorch") }
func BenchmarkQuantizeONNX(b *testing.B)        { benchKernel(b, "QuantizeONNX") }
func BenchmarkDequantizeAffine(b *testing.B)    { benchKernel(b, "DequantizeAffine") }
func BenchmarkFakeQuantizePyTorch(b *testing.B) { benchKernel(b, "FakeQuantizePyTorch") }

// The public API split over 1, 2, ... goroutines (impl=workers=N), per
// tensor and per row, from quant.ParallelMin values.
func BenchmarkQuantizeAbsmaxParallel(b *testing.B)    { benchKernel(b, "QuantizeAbsmaxParallel") }
func BenchmarkQuantizeZeroPointParallel(b *testing.B) { benchKernel(b, "QuantizeZeroPointParallel") }
func BenchmarkQuantizeAbsmaxPerRowParallel(b *testing.B) {
	benchKernel(b, "QuantizeAbsmaxPerRowParallel")
}
func BenchmarkQuantizeZeroPointPerRowParallel(b *testing.B) {
	benchKernel(b, "QuantizeZeroPointPerRowParallel")
}

// Ceilings are measured in every benchmark but the parallel ones, after
// the implementations: they run on one goroutine. write is left out where
// a kernel writes nothing (the reductions).
var ceilings = []string{"copy", "read", "write"}

// kernelCeilings returns the ceilings measured in kernel.
func kernelCeilings(kernel string) []string {
	if op, _ := KernelOp(kernel); op != kernel {
		return nil
	}
	if outBytes(kernel, 1<<10) == 0 {
		return ceilings[:2]
	}
	return ceilings
}

// outBytes is the size of op's output for n elements.
func outBytes(op string, n int) int {
	switch op {
	case "AbsMax", "MinMax", "MeasureError":
		return 0
	case "FakeQuantizeAbsmax", "FakeQuantizeZeroPoint":
		return 4 * n
	case "FakeQuantizeAbsmaxComposed":
		return 5 * n // the int8 quants, then the float32 values
	case "FakeQuantizePyTorch":
		return 5 * n // the float32 values and the mask's bools
	case "Float32ToFloat16", "Float32ToBFloat16":
		return 2 * n
	case "Float16ToFloat32", "BFloat16ToFloat32", "DequantizeAbsmax", "DequantizeZeroPoint", "DequantizeAffine", "DecodeQ8_0",
		"DecodeQ4_0", "DecodeQ4_1":
		return 4 * n
	case "DequantizeZeroPointFloat16", "DequantizeZeroPointBFloat16", "DecodeQ8_0Float16", "DecodeQ8_0BFloat16":
		return 2 * n
	case "EncodeQ8_0", "EncodeQ8_0Float16", "EncodeQ8_0BFloat16", "EncodeQ4_0", "EncodeQ4_1":
		return n / quant.Q8_0Values * ggufBlockBytes(op)
	}
	return n // the quantizers: one int8 per element
}

// benchCase is one sub-benchmark: an implementation (or a ceiling) of a
// kernel at one size.
type benchCase struct {
	impl    string
	inBytes int
	count   int
	// setup allocates the outputs and returns the body of one iteration,
	// which works on buffer i.
	setup func() func(i int)
}

func benchKernel(b *testing.B, kernel string) {
	sizes, err := BenchSizes(testing.Short())
	if err != nil {
		b.Fatal(err)
	}
	sizes = KernelSizes(kernel, sizes)
	if len(sizes) == 0 {
		b.Skip("no size to measure applies to " + kernel)
	}
	for _, n := range sizes {
		b.Run("size="+strconv.Itoa(n), func(b *testing.B) {
			for _, c := range benchCases(kernel, n) {
				b.Run("impl="+c.impl, func(b *testing.B) {
					body := c.setup()
					for i := range c.count { // warm up, touch every page
						body(i)
					}
					if c.inBytes >= 4<<20 {
						// Free the outputs of earlier cases now rather
						// than in a collection during the timing (cheap:
						// the heap holds no pointers to scan).
						runtime.GC()
					}
					b.SetBytes(int64(c.inBytes))
					b.ReportAllocs()
					i := 0
					for b.Loop() {
						body(i)
						if i++; i == c.count {
							i = 0
						}
					}
				})
			}
		})
	}
}

// caseNames lists the sub-benchmarks of kernel, in order, without making
// any data.
func caseNames(kernel string) []string {
	op, impls := KernelOp(kernel)
	var names []string
	for _, im := range impls {
		if im.Has(op) {
			names = append(names, im.Name)
		}
	}
	return append(names, kernelCeilings(kernel)...)
}

// Sinks keep the results of the reductions alive.
var (
	sinkF32 float32
	sinkF64 float64
	sinkU64 uint64
)

// benchCases returns the sub-benchmarks of kernel at n elements: every
// implementation that has its operation, then the ceilings.
func benchCases(kernel string, n int) []benchCase {
	op, impls := KernelOp(kernel)
	in := InputsFor(n)
	// The input of the operation as bytes, for b.SetBytes and the ceilings.
	var raw [][]byte
	switch op {
	case "Float32ToFloat16", "Float32ToBFloat16", "AbsMax", "MinMax", "QuantizeAbsmax", "QuantizeZeroPoint",
		"QuantizeAbsmaxWith", "QuantizeZeroPointWith",
		"FakeQuantizeAbsmax", "FakeQuantizeZeroPoint", "FakeQuantizeAbsmaxComposed",
		"EncodeQ8_0", "EncodeQ4_0", "EncodeQ4_1", "QuantizeAbsmaxPerRow", "QuantizeZeroPointPerRow",
		"QuantizeAbsmaxPerBlock", "QuantizeZeroPointPerBlock",
		"QuantizePyTorch", "QuantizeONNX", "FakeQuantizePyTorch":
		raw = asBytes(in.F32())
	case "Float16ToFloat32", "EncodeQ8_0Float16",
		"QuantizeAbsmaxPerRowFloat16", "QuantizeZeroPointPerRowFloat16",
		"QuantizeAbsmaxPerBlockFloat16", "QuantizeZeroPointPerBlockFloat16":
		raw = asBytes(in.F16())
	case "BFloat16ToFloat32", "EncodeQ8_0BFloat16", "QuantizeAbsmaxWithBFloat16", "QuantizeZeroPointWithBFloat16",
		"QuantizeAbsmaxPerRowBFloat16", "QuantizeZeroPointPerRowBFloat16",
		"QuantizeAbsmaxPerBlockBFloat16", "QuantizeZeroPointPerBlockBFloat16":
		raw = asBytes(in.BF16())
	case "DequantizeAbsmax":
		q, _ := in.Absmax()
		raw = asBytes(q)
	case "DequantizeZeroPoint", "DequantizeZeroPointFloat16", "DequantizeZeroPointBFloat16":
		q, _ := in.ZeroPoint()
		raw = asBytes(q)
	case "DequantizeAffine":
		q, _ := in.Affine()
		raw = asBytes(q)
	case "DecodeQ8_0", "DecodeQ8_0Float16", "DecodeQ8_0BFloat16":
		raw = in.Q8_0()
	case "DecodeQ4_0":
		raw = in.Q4_0()
	case "DecodeQ4_1":
		raw = in.Q4_1()
	case "MeasureError":
		raw = asBytes(in.ErrorPairs()) // x and y, 8 bytes per element
	default:
		panic("benchmarks: unknown kernel " + kernel)
	}
	count, inBytes := in.Count, len(raw[0])
	var cases []benchCase
	add := func(name string, setup func() func(int)) {
		cases = append(cases, benchCase{name, inBytes, count, setup})
	}
	for _, im := range impls {
		if im.Has(op) {
			add(im.Name, caseSetup(op, im, in))
		}
	}
	for _, c := range kernelCeilings(kernel) {
		switch c {
		case "copy":
			add(c, func() func(int) {
				dst := Buffers[byte](count, inBytes)
				return func(i int) { copy(dst[i], raw[i]) }
			})
		case "read":
			add(c, func() func(int) {
				return func(i int) { sinkU64 = ReadCeiling(raw[i]) }
			})
		case "write":
			add(c, func() func(int) {
				out := Buffers[byte](count, outBytes(op, in.N))
				return func(i int) { WriteCeiling(out[i], uint64(i)) }
			})
		}
	}
	return cases
}

// caseSetup returns the setup of the sub-benchmark of operation op of im
// on the inputs in.
func caseSetup(op string, im *Impl, in *Inputs) func() func(int) {
	switch op {
	case "Float32ToFloat16":
		return convertSetup(im.Float32ToFloat16, in.F32, in)
	case "Float32ToBFloat16":
		return convertSetup(im.Float32ToBFloat16, in.F32, in)
	case "Float16ToFloat32":
		return convertSetup(im.Float16ToFloat32, in.F16, in)
	case "BFloat16ToFloat32":
		return convertSetup(im.BFloat16ToFloat32, in.BF16, in)
	case "AbsMax":
		f := im.AbsMax
		return func() func(int) {
			src := in.F32()
			return func(i int) { sinkF32 = f(src[i]) }
		}
	case "MinMax":
		f := im.MinMax
		return func() func(int) {
			src := in.F32()
			return func(i int) { _, sinkF32 = f(src[i]) }
		}
	case "QuantizeAbsmax":
		return quantizeSetup(im.QuantizeAbsmax, in)
	case "QuantizeZeroPoint":
		return quantizeSetup(im.QuantizeZeroPoint, in)
	case "QuantizeAbsmaxWith":
		return withSetup(im.QuantizeAbsmaxWith, in.F32, func() []quant.AbsmaxParams {
			_, p := in.Absmax()
			return p
		}, in)
	case "QuantizeZeroPointWith":
		return withSetup(im.QuantizeZeroPointWith, in.F32, func() []quant.ZeroPointParams {
			_, p := in.ZeroPoint()
			return p
		}, in)
	case "QuantizeAbsmaxWithBFloat16":
		return withSetup(im.QuantizeAbsmaxWithBFloat16, in.BF16, in.AbsmaxParamsBF16, in)
	case "QuantizeZeroPointWithBFloat16":
		return withSetup(im.QuantizeZeroPointWithBFloat16, in.BF16, in.ZeroPointParamsBF16, in)
	case "DequantizeAbsmax":
		return dequantizeSetup(im.DequantizeAbsmax, in.Absmax, in)
	case "DequantizeZeroPoint":
		return dequantizeSetup(im.DequantizeZeroPoint, in.ZeroPoint, in)
	case "DequantizeZeroPointFloat16":
		return dequantizeSetup(im.DequantizeZeroPointFloat16, in.ZeroPoint, in)
	case "DequantizeZeroPointBFloat16":
		return dequantizeSetup(im.DequantizeZeroPointBFloat16, in.ZeroPoint, in)
	case "EncodeQ8_0":
		return encodeSetup(im.EncodeQ8_0, in.F32, quant.Q8_0Bytes, in)
	case "EncodeQ8_0Float16":
		return encodeSetup(im.EncodeQ8_0Float16, in.F16, quant.Q8_0Bytes, in)
	case "EncodeQ8_0BFloat16":
		return encodeSetup(im.EncodeQ8_0BFloat16, in.BF16, quant.Q8_0Bytes, in)
	case "DecodeQ8_0":
		return convertSetup(im.DecodeQ8_0, in.Q8_0, in)
	case "DecodeQ8_0Float16":
		return convertSetup(im.DecodeQ8_0Float16, in.Q8_0, in)
	case "DecodeQ8_0BFloat16":
		return convertSetup(im.DecodeQ8_0BFloat16, in.Q8_0, in)
	case "EncodeQ4_0":
		return encodeSetup(im.EncodeQ4_0, in.F32, quant.Q4_0Bytes, in)
	case "DecodeQ4_0":
		return convertSetup(im.DecodeQ4_0, in.Q4_0, in)
	case "EncodeQ4_1":
		return encodeSetup(im.EncodeQ4_1, in.F32, quant.Q4_1Bytes, in)
	case "DecodeQ4_1":
		return convertSetup(im.DecodeQ4_1, in.Q4_1, in)
	case "QuantizeAbsmaxPerRow", "QuantizeAbsmaxPerBlock":
		return perRowSetup(im.QuantizeAbsmaxPerRow, in.F32, groupLength(op), in)
	case "QuantizeZeroPointPerRow", "QuantizeZeroPointPerBlock":
		return perRowSetup(im.QuantizeZeroPointPerRow, in.F32, groupLength(op), in)
	case "QuantizeAbsmaxPerRowFloat16", "QuantizeAbsmaxPerBlockFloat16":
		return perRowSetup(im.QuantizeAbsmaxPerRowFloat16, in.F16, groupLength(op), in)
	case "QuantizeAbsmaxPerRowBFloat16", "QuantizeAbsmaxPerBlockBFloat16":
		return perRowSetup(im.QuantizeAbsmaxPerRowBFloat16, in.BF16, groupLength(op), in)
	case "QuantizeZeroPointPerRowFloat16", "QuantizeZeroPointPerBlockFloat16":
		return perRowSetup(im.QuantizeZeroPointPerRowFloat16, in.F16, groupLength(op), in)
	case "QuantizeZeroPointPerRowBFloat16", "QuantizeZeroPointPerBlockBFloat16":
		return perRowSetup(im.QuantizeZeroPointPerRowBFloat16, in.BF16, groupLength(op), in)
	case "FakeQuantizeAbsmax":
		return fakeSetup(im.FakeQuantizeAbsmax, func() []quant.AbsmaxParams {
			_, p := in.Absmax()
			return p
		}, in)
	case "FakeQuantizeZeroPoint":
		return fakeSetup(im.FakeQuantizeZeroPoint, func() []quant.ZeroPointParams {
			_, p := in.ZeroPoint()
			return p
		}, in)
	case "FakeQuantizeAbsmaxComposed":
		f := im.FakeQuantizeAbsmaxComposed
		return func() func(int) {
			src, dst, q := in.F32(), Buffers[float32](in.Count, in.N), Buffers[int8](1, in.N)[0]
			_, ps := in.Absmax()
			return func(i int) {
				if err := f(dst[i], q, src[i], ps[i]); err != nil {
					panic(err)
				}
			}
		}
	case "MeasureError":
		f := im.MeasureError
		return func() func(int) {
			pairs, n := in.ErrorPairs(), in.N
			return func(i int) {
				st, err := f(pairs[i][:n], pairs[i][n:])
				if err != nil {
					panic(err)
				}
				sinkF64 = st.SumSquaredError
			}
		}
	case "QuantizePyTorch":
		return withSetup(im.QuantizePyTorch, in.F32, in.AffineParams, in)
	case "QuantizeONNX":
		return withSetup(im.QuantizeONNX, in.F32, in.AffineParams, in)
	case "DequantizeAffine":
		f := im.DequantizeAffine
		return dequantizeSetup(func(dst []float32, src []int8, p quant.AffineParams) {
			if err := f(dst, src, p); err != nil {
				panic(err)
			}
		}, in.Affine, in)
	case "FakeQuantizePyTorch":
		return fakeMaskSetup(im.FakeQuantizePyTorch, in.AffineParams, FakeQMin, FakeQMax, in)
	}
	panic("benchmarks: unknown operation " + op)
}

// The setups of the operations by shape. Each takes the input buffers of
// in that input returns and allocates the outputs when it runs; the body
// it returns calls f on buffer i.

// convertSetup is the setup of f writing in.N values of D (the
// conversions and the GGUF decoders).
func convertSetup[D, S any](f func(dst []D, src []S), input func() [][]S, in *Inputs) func() func(int) {
	return func() func(int) {
		src, dst := input(), Buffers[D](in.Count, in.N)
		return func(i int) { f(dst[i], src[i]) }
	}
}

// quantizeSetup is the setup of a whole quantizer f of the weights.
func quantizeSetup[P any](f func(dst []int8, src []float32) (P, error), in *Inputs) func() func(int) {
	return func() func(int) {
		src, dst := in.F32(), Buffers[int8](in.Count, in.N)
		return func(i int) {
			if _, err := f(dst[i], src[i]); err != nil {
				panic(err)
			}
		}
	}
}

// withSetup is the setup of a static quantizer f of the inputs that input
// returns, given for buffer i the parameters params()[i].
func withSetup[S, P any](f func(dst []int8, src []S, p P) error, input func() [][]S, params func() []P, in *Inputs) func() func(int) {
	return func() func(int) {
		src, ps, dst := input(), params(), Buffers[int8](in.Count, in.N)
		return func(i int) {
			if err := f(dst[i], src[i], ps[i]); err != nil {
				panic(err)
			}
		}
	}
}

// fakeSetup is the setup of a fake quantizer f of the weights, given for
// buffer i the parameters params()[i].
func fakeSetup[P any](f func(dst, src []float32, p P) error, params func() []P, in *Inputs) func() func(int) {
	return func() func(int) {
		src, ps, dst := in.F32(), params(), Buffers[float32](in.Count, in.N)
		return func(i int) {
			if err := f(dst[i], src[i], ps[i]); err != nil {
				panic(err)
			}
		}
	}
}

// fakeMaskSetup is the setup of a fake quantizer f of the weights on the
// grid [qmin, qmax] that also writes the mask (one bool per value), given
// for buffer i the parameters params()[i].
func fakeMaskSetup[P any](f func(dst []float32, mask []bool, src []float32, p P, qmin, qmax int32) error,
	params func() []P, qmin, qmax int32, in *Inputs) func() func(int) {
	return func() func(int) {
		src, ps := in.F32(), params()
		dst, mask := Buffers[float32](in.Count, in.N), Buffers[bool](in.Count, in.N)
		return func(i int) {
			if err := f(dst[i], mask[i], src[i], ps[i], qmin, qmax); err != nil {
				panic(err)
			}
		}
	}
}

// dequantizeSetup is the setup of a dequantizer f of the quants and
// parameters that input returns, writing values of D.
func dequantizeSetup[D, P any](f func(dst []D, src []int8, p P), input func() ([][]int8, []P), in *Inputs) func() func(int) {
	return func() func(int) {
		src, params := input()
		dst := Buffers[D](in.Count, in.N)
		return func(i int) { f(dst[i], src[i], params[i]) }
	}
}

// encodeSetup is the setup of a GGUF encoder f into blocks of 32 values
// and blockBytes bytes.
func encodeSetup[S any](f func(dst []byte, src []S) error, input func() [][]S, blockBytes int, in *Inputs) func() func(int) {
	return func() func(int) {
		src, dst := input(), Buffers[byte](in.Count, in.N/quant.Q8_0Values*blockBytes)
		return func(i int) {
			if err := f(dst[i], src[i]); err != nil {
				panic(err)
			}
		}
	}
}

// perRowSetup is the setup of a per-row or per-block quantizer f, in rows
// of cols values.
func perRowSetup[S, P any](f func([]int8, []P, []S, int) error, input func() [][]S, cols int, in *Inputs) func() func(int) {
	return func() func(int) {
		src, dst := input(), Buffers[int8](in.Count, in.N)
		params := Buffers[P](in.Count, in.N/cols)
		return func(i int) {
			if err := f(dst[i], params[i], src[i], cols); err != nil {
				panic(err)
			}
		}
	}
}

// asBytes views each buffer as its bytes.
func asBytes[T any](bufs [][]T) [][]byte {
	out := make([][]byte, len(bufs))
	for i, s := range bufs {
		var zero T
		out[i] = unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
	}
	return out
}

var planFlag = flag.Bool("quant.plan", false,
	"print the sub-benchmarks that -test.bench selects, one a line, and exit (for progress reports)")

func TestMain(m *testing.M) {
	flag.Parse()
	if *planFlag {
		if err := printPlan(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		printHeader()
	}
	os.Exit(m.Run())
}

// printHeader writes what a reader of the results needs to know about the
// run as benchfmt configuration lines, which benchstat repeats.
func printHeader() {
	var names []string
	for _, im := range Impls() {
		names = append(names, im.Name)
	}
	peers := "cc: " + CCompiler()
	if !CgoEnabled {
		peers = "cgo disabled: no C peers (c-simd, c-scalar, c-avx512, c-llama-ref)"
	}
	fmt.Printf("quant-cpu: %s\n", dispatch.Describe())
	fmt.Printf("quant-build: %s %s/%s; quant.Implementation()=%s; %s\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, quant.Implementation(), peers)
	var workers []string
	for _, im := range WorkerImpls() {
		workers = append(workers, im.Name)
	}
	fmt.Printf("quant-impls: %s; ceilings: copy (Go copy), read (%s), write of the output bytes (%s); *Parallel: %s (GOMAXPROCS=%d)\n",
		strings.Join(names, " "), ReadKind, WriteKind, strings.Join(workers, " "), runtime.GOMAXPROCS(0))
	fmt.Printf("quant-openblas: %s\n", OpenBLASDescribe())
	tune := []string{dispatch.HostCPU().String()}
	for _, k := range dispatch.Runnable() {
		if c := dispatch.Tuned(k); c.Name != "" {
			tune = append(tune, k.Name+"="+c.String())
		}
	}
	fmt.Printf("quant-tune: %s\n", strings.Join(tune, "; "))
}

// printPlan prints the full names of the sub-benchmarks the -test.bench
// pattern selects, matching each slash-separated element of the pattern
// against one level of the name, as package testing does.
func printPlan() error {
	pattern := ""
	if f := flag.Lookup("test.bench"); f != nil {
		pattern = f.Value.String()
	}
	if pattern == "" {
		return nil
	}
	var res []*regexp.Regexp
	for _, p := range strings.Split(pattern, "/") {
		re, err := regexp.Compile(p)
		if err != nil {
			return err
		}
		res = append(res, re)
	}
	match := func(level int, s string) bool { return level >= len(res) || res[level].MatchString(s) }
	short := false
	if f := flag.Lookup("test.short"); f != nil {
		short = f.Value.String() == "true"
	}
	sizes, err := BenchSizes(short)
	if err != nil {
		return err
	}
	for _, kernel := range KernelNames {
		if !match(0, "Benchmark"+kernel) {
			continue
		}
		for _, n := range KernelSizes(kernel, sizes) {
			size := "size=" + strconv.Itoa(n)
			if !match(1, size) {
				continue
			}
			for _, name := range caseNames(kernel) {
				if match(2, "impl="+name) {
					fmt.Printf("Benchmark%s/%s/impl=%s\n", kernel, size, name)
				}
			}
		}
	}
	matrixPlan(sizes, match, func(s string) { fmt.Println(s) })
	return nil
}
