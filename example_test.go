package quant_test

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/qkernels/quant"
)

func ExampleFloat32ToFloat16() {
	src := []float32{1, 0.1, 65504, 65519, 65520, 0x1p-25, -2.5e-8}
	dst := make([]quant.Float16, len(src))
	quant.Float32ToFloat16(dst, src)
	for i, h := range dst {
		fmt.Printf("%v -> %#04x = %v\n", src[i], uint16(h), h)
	}
	// Output:
	// 1 -> 0x3c00 = 1
	// 0.1 -> 0x2e66 = 0.099975586
	// 65504 -> 0x7bff = 65504
	// 65519 -> 0x7bff = 65504
	// 65520 -> 0x7c00 = +Inf
	// 2.9802322e-08 -> 0x0000 = 0
	// -2.5e-08 -> 0x8000 = -0
}

func ExampleQuantizeAbsmax() {
	weights := []float32{-3.0, 3.2, 0.1, 0, 1.5}
	q := make([]int8, len(weights))
	p, err := quant.QuantizeAbsmax(q, weights)
	if err != nil {
		panic(err)
	}
	fmt.Println("q:", q)
	fmt.Println("Scale:", p.Scale)
	// PyTorch's scale is the reciprocal: x ≈ scale*q.
	fmt.Println("PyTorch scale:", 1/p.Scale)

	back := make([]float32, len(q))
	quant.DequantizeAbsmax(back, q, p)
	fmt.Println("dequantized:", back)
	// Output:
	// q: [-119 127 4 0 60]
	// Scale: 39.6875
	// PyTorch scale: 0.02519685
	// dequantized: [-2.9984252 3.2 0.1007874 0 1.511811]
}

func ExampleQuantizeZeroPoint() {
	activations := []float32{-3.0, 3.2, 0.1, 0, 1.5}
	q := make([]int8, len(activations))
	p, err := quant.QuantizeZeroPoint(q, activations)
	if err != nil {
		panic(err)
	}
	fmt.Println("q:", q)
	fmt.Printf("Scale: %v, ZeroPoint: %v\n", p.Scale, p.ZeroPoint)
	// PyTorch: scale = 1/Scale, zero_point = ZeroPoint, x ≈ scale*(q - zero_point).
	fmt.Printf("PyTorch scale: %v, zero_point: %v\n", 1/p.Scale, p.ZeroPoint)

	back := make([]float32, len(q))
	quant.DequantizeZeroPoint(back, q, p)
	fmt.Println("dequantized:", back)
	// Output:
	// q: [-128 127 -1 -5 57]
	// Scale: 41.129032, ZeroPoint: -5
	// PyTorch scale: 0.024313726, zero_point: -5
	// dequantized: [-2.9905882 3.2094119 0.0972549 0 1.5074509]
}

func ExampleViewFloat16s() {
	// Two binary16 values as a safetensors file stores them: little-endian.
	raw := binary.LittleEndian.AppendUint16(nil, 0x3C00) // 1
	raw = binary.LittleEndian.AppendUint16(raw, 0xC248)  // -3.140625
	halves, ok := quant.ViewFloat16s(raw)                // the bytes themselves, if the host allows
	if !ok {
		halves = make([]quant.Float16, len(raw)/2) // big-endian, or odd address
		quant.DecodeFloat16s(halves, raw)
	}
	values := make([]float32, len(halves))
	quant.Float16ToFloat32(values, halves)
	fmt.Println(values)
	fmt.Println(quant.AppendFloat16s(nil, halves))
	// Output:
	// [1 -3.140625]
	// [0 60 72 194]
}

func ExampleImplementation() {
	// "avx2", "neon" or "generic", depending on the CPU, the QUANT_IMPL
	// environment variable and the build tags.
	fmt.Println(quant.Implementation())
}

// A weight matrix quantized per row (per output channel): one outlier
// only coarsens its own row.
func ExampleQuantizeAbsmaxGroups() {
	const rows, cols = 2, 4
	weights := []float32{
		0.1, -0.2, 0.3, -0.4, // row 0
		0.1, -0.2, 0.3, 40, // row 1: an outlier
	}
	q := make([]int8, rows*cols)
	params := make([]quant.AbsmaxParams, rows)
	if err := quant.QuantizeAbsmaxGroups(q, params, weights, quant.PerRow(cols)); err != nil {
		panic(err)
	}
	fmt.Println("q:", q)
	fmt.Println("scales:", params[0].Scale, params[1].Scale)

	back := make([]float32, len(q))
	quant.DequantizeAbsmaxGroups(back, q, params, quant.PerRow(cols))
	fmt.Println("row 0 back:", back[:cols])
	// Output:
	// q: [32 -64 95 -127 0 -1 1 127]
	// scales: 317.5 3.175
	// row 0 back: [0.1007874 -0.2015748 0.2992126 -0.4]
}

// Blockwise zero-point quantization straight from binary16 weights, as
// stored in a model file, and back to binary16.
func ExampleQuantizeZeroPointGroups() {
	raw := []byte{ // 8 little-endian binary16 values: 0.5, 1, 1.5, 2, -1, 0, 1, 3
		0x00, 0x38, 0x00, 0x3C, 0x00, 0x3E, 0x00, 0x40,
		0x00, 0xBC, 0x00, 0x00, 0x00, 0x3C, 0x00, 0x42,
	}
	w := make([]quant.Float16, len(raw)/2)
	quant.DecodeFloat16s(w, raw) // a copy, on any host
	q := make([]int8, len(w))
	g := quant.PerBlock(8)
	params := make([]quant.ZeroPointParams, g.Groups(len(w)))
	if err := quant.QuantizeZeroPointGroups(q, params, w, g); err != nil {
		panic(err)
	}
	fmt.Println("q:", q)
	fmt.Printf("scale %.4g, zero point %d\n", params[0].Scale, params[0].ZeroPoint)

	back := make([]quant.Float16, len(q))
	quant.DequantizeZeroPointGroups(back, q, params, g)
	fmt.Println("back:", back)
	// Output:
	// q: [-32 0 32 64 -128 -64 0 127]
	// scale 63.75, zero point -64
	// back: [0.5019531 1.0039062 1.5058594 2.0078125 -1.0039062 0 1.0039062 2.9960938]
}

// Q8_0 blocks as llama.cpp writes them into GGUF files: per 32 values, a
// binary16 scale and 32 int8 quants.
func Example_q8_0() {
	weights := make([]float32, 64) // two blocks
	for i := range weights {
		weights[i] = float32(i-32) / 8
	}
	blocks := make([]byte, len(weights)/quant.Q8_0Values*quant.Q8_0Bytes)
	if err := quant.EncodeQ8_0(blocks, weights); err != nil {
		panic(err)
	}
	fmt.Printf("block 0: d = % x, first q: %d %d %d\n", blocks[:2], int8(blocks[2]), int8(blocks[3]), int8(blocks[4]))

	back := make([]float32, len(weights))
	quant.DecodeQ8_0(back, blocks)
	fmt.Println(weights[1], "->", back[1])
	// Output:
	// block 0: d = 08 28, first q: -127 -123 -119
	// -3.875 -> -3.8737793
}

// Large tensors can be split over goroutines; the results are the same,
// bit for bit, for any number of workers.
func ExampleGranularity_Parallel() {
	weights := make([]float32, 1<<20)
	for i := range weights {
		weights[i] = float32(i%1000) - 500
	}
	g := quant.PerRow(4096)
	q1 := make([]int8, len(weights))
	q2 := make([]int8, len(weights))
	p1 := make([]quant.ZeroPointParams, g.Groups(len(weights)))
	p2 := make([]quant.ZeroPointParams, g.Groups(len(weights)))
	if err := quant.QuantizeZeroPointGroups(q1, p1, weights, g); err != nil {
		panic(err)
	}
	if err := quant.QuantizeZeroPointGroups(q2, p2, weights, g.Parallel(0)); err != nil { // GOMAXPROCS workers
		panic(err)
	}
	fmt.Println(slices.Equal(q1, q2) && slices.Equal(p1, p2))
	// Output: true
}

// Activations are quantized with parameters calibrated in advance: an
// Observer collects the range of sample batches, and every later batch is
// quantized with the same parameters in one pass, values beyond the
// calibrated range taking the grid's ends.
func ExampleQuantizeZeroPointWith() {
	var obs quant.Observer[float32]
	for _, batch := range [][]float32{{-1.0, 0.5, 2.0}, {-0.5, 3.0, 1.0}} {
		if err := obs.Observe(batch); err != nil {
			panic(err)
		}
	}
	lo, hi, _ := obs.Range()
	p, err := obs.ZeroPointParams()
	if err != nil {
		panic(err)
	}
	fmt.Printf("range [%v, %v]: Scale %v, ZeroPoint %v\n", lo, hi, p.Scale, p.ZeroPoint)

	live := []float32{-1.0, 0, 3.0, 7.5, -2.0}
	q := make([]int8, len(live))
	if err := quant.QuantizeZeroPointWith(q, live, p); err != nil {
		panic(err)
	}
	fmt.Println("q:", q)

	live[1] = float32(math.NaN())
	fmt.Println(quant.QuantizeZeroPointWith(q, live, p))
	// Output:
	// range [-1, 3]: Scale 63.75, ZeroPoint -64
	// q: [-128 -64 127 127 -128]
	// quant: QuantizeZeroPointWith: input is not finite: src[1] = NaN
}

// A model quantized in PyTorch or exported to ONNX comes with scale and
// zero point in their form, x ≈ (q − zero_point) · scale; these functions
// reproduce that framework's integers. −0.05, 0.25 and 0.35 lie halfway
// (x/scale = −0.5, 2.5, 3.5): PyTorch and ONNX round them to even, then
// add the zero point (2 + 3 = 5); the library's own arithmetic,
// round(x·s + z), rounds the sum (5.5 → 6).
func ExampleQuantizePyTorch() {
	x := []float32{-20, -0.05, 0.25, 0.35, 1.3, float32(math.Inf(1))}
	p := quant.AffineParams{Scale: 0.1, ZeroPoint: 3} // torch.quantize_per_tensor(x, 0.1, 3, torch.qint8)
	q := make([]int8, len(x))
	if err := quant.QuantizePyTorch(q, x, p); err != nil {
		panic(err)
	}
	fmt.Println("PyTorch:", q)
	if err := quant.QuantizeONNX(q, x, p); err != nil { // QuantizeLinear(x, 0.1, int8(3))
		panic(err)
	}
	fmt.Println("ONNX:   ", q)
	own := make([]int8, len(x))
	if err := quant.QuantizeZeroPointWith(own, x, quant.ZeroPointParams{Scale: 1 / p.Scale, ZeroPoint: p.ZeroPoint}); err != nil {
		panic(err)
	}
	fmt.Println("own:    ", own)

	back := make([]float32, len(q))
	if err := quant.DequantizeAffine(back, q, p); err != nil { // q.dequantize()
		panic(err)
	}
	fmt.Println(back)

	y, mask := make([]float32, len(x)), make([]bool, len(x))
	// torch.fake_quantize_per_tensor_affine(x, 0.1, 3, 0, 255) and its mask
	if err := quant.FakeQuantizePyTorch(y, mask, x, p, 0, 255); err != nil {
		panic(err)
	}
	fmt.Println(y, mask)
	// Output:
	// PyTorch: [-128 3 5 7 16 127]
	// ONNX:    [-128 3 5 7 16 127]
	// own:     [-128 2 6 6 16 127]
	// [-13.1 0 0.2 0.4 1.3000001 12.400001]
	// [-0.3 0 0.2 0.4 1.3000001 25.2] [false true true true true false]
}
