// Package quant converts and quantizes neural-network weights at memory
// speed: FP32↔FP16 and FP32↔BF16 over slices, max-abs and min/max
// reductions, and symmetric (absmax) and asymmetric (zero-point) INT8
// quantization.
//
// Every function has one exact, documented result. Hand-written assembly
// (AVX2 on amd64, NEON on arm64) is chosen at start-up by CPU feature
// detection, and each kernel matches the pure-Go reference in package
// fallback bit for bit; Implementation tells which kernel set runs. The
// package needs no cgo and builds for every GOOS/GOARCH.
//
// # Conversions
//
// Float32ToFloat16 and Float32ToBFloat16 round to nearest, ties to even.
// Values beyond the target's range become ±Inf (for FP16, |x| ≥ 65520);
// values below its normal range become correctly rounded subnormals or
// zeros, and zeros keep their sign. A NaN stays a quiet NaN with its sign
// and the top bits of its payload: sign|0x7E00|mantissa>>13 for FP16 (what
// x86 VCVTPS2PH and arm64 FCVTN produce) and bits>>16|0x0040 for BF16.
// Float16ToFloat32 and BFloat16ToFloat32 are exact; FP16 NaNs get their
// quiet bit set, as VCVTPH2PS and FCVTL do.
//
// # Quantization
//
// All arithmetic below is float32, each operation rounded to nearest even,
// and roundEven rounds half to even (like PyTorch's torch.round and the
// SIMD conversion instructions).
//
// Absmax (symmetric), with a = max|x|:
//
//	Scale = 127 / a                      (Scale = 1 if a = 0)
//	q     = roundEven(x * Scale)         in [-127, 127]
//	x'    = float32(q) / Scale
//
// Zero-point (asymmetric), with min and max of the input:
//
//	Scale     = float32(255 / (float64(max) - float64(min)))
//	ZeroPoint = -roundEven(Scale * min) - 128
//	q         = clamp(roundEven((x * Scale) + float32(ZeroPoint)), -128, 127)
//	x'        = float32(q - ZeroPoint) / Scale
//
// The product x*Scale is rounded before the zero point is added: the two
// operations are never fused into one multiply-add, on any architecture.
// A constant input (min = max = c) gets Scale = 127/|c| and ZeroPoint = 0.
//
// Scale is the reciprocal of PyTorch's scale: PyTorch dequantizes
// scale*(q - zero_point), this package (q - ZeroPoint)/Scale. To hand
// parameters to PyTorch, pass scale = 1/Scale and the same zero point.
//
// For example, for a tensor whose min is -3.0 and max 3.2, absmax gives
// Scale = 39.6875 and quantizes 0.1 to 4; zero-point gives Scale ≈ 41.13,
// ZeroPoint = -5, and quantizes 0.1 to -1.
//
// # Per row, per block, 16-bit sources and Q8_0
//
// QuantizeAbsmaxGroups and QuantizeZeroPointGroups give each group of a
// Granularity (PerTensor, PerRow of a row-major matrix, PerBlock of
// consecutive values) its own parameters, and quantize each group exactly
// as the per-tensor functions quantize it alone. They and their inverses
// are generic over Float: float32, or Float16 and BFloat16 weights as
// stored in model files, read at their exact float32 value without a
// float32 copy, or written rounded from the float32 result. EncodeQ8_0
// and DecodeQ8_0 read and write llama.cpp's GGUF Q8_0 blocks. A
// Granularity's Parallel method splits large calls over goroutines, with
// the same results for any number of them.
//
// # Errors and panics
//
// A destination shorter than its source is a programmer error: the call
// panics with a message naming the function and both lengths. Bad data is
// an error: a quantizer returns an error wrapping ErrNotFinite (naming the
// first NaN or infinity) or ErrRange (a range too small for a float32
// factor), and then writes nothing to dst (nor to params). No function
// modifies its source, and none allocates but a parallel call.
//
// # Choosing the implementation
//
// The kernel set is chosen once, at start-up; see package dispatch. The
// environment variable QUANT_IMPL caps it (QUANT_IMPL=generic runs the
// pure-Go kernels), GODEBUG=cpu.avx2=off hides AVX2, and the build tags
// purego or noasm leave the assembly out altogether. The AVX2 kernels'
// software prefetch is tuned per processor family at the same time
// (measured rows; no hints where nobody has measured), and QUANT_TUNE=none
// or QUANT_TUNE=prefetch forces a row: a tuning changes speed, never a
// result.
package quant
