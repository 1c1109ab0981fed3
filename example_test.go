package quant_test

import (
	"encoding/binary"
	"fmt"

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

func ExampleFloat16sFromBytes() {
	// Two binary16 values as a safetensors file stores them: little-endian.
	raw := binary.LittleEndian.AppendUint16(nil, 0x3C00) // 1
	raw = binary.LittleEndian.AppendUint16(raw, 0xC248)  // -3.140625
	halves := quant.Float16sFromBytes(raw)               // no copy on little-endian hosts
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
