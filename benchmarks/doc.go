// Package benchmarks measures the kernels of package quant against each
// other, against C written for the same job and against the speed of
// memory. It is a module of its own so that its dependencies (x448/float16,
// benchstat, gonum/plot) never reach the library's go.mod.
//
// Run it with ci/bench.sh (see there), or directly:
//
//	go test -run '^$' -bench . -count 10 -timeout 0  # every size: beyond go test's 10m default
//	go test -run '^$' -bench . -short                # sizes up to 65536
//	QUANT_BENCH_SIZES=4096,1048576 go test -run '^$' -bench 'AbsMax$'
//
// go test -count 10 repeats each sub-benchmark ten times back to back, so
// the implementations of one case are measured minutes apart; ci/bench.sh
// runs the suite ten times with -count 1 instead, which puts them seconds
// apart in every pass, and a slow minute on a shared machine then falls on
// all of them.
//
// The tests (go test ./...) check that every implementation measured here
// computes what package quant specifies, bit for bit, and document where a
// peer's semantics differ; they take no timings. -short skips the loops
// over all 2^32 float32 values.
//
// # Names
//
// There is one benchmark per operation of the API and element type:
//
//   - BenchmarkFloat32ToFloat16, ..., BenchmarkDequantizeZeroPoint (to
//     float32);
//   - the static quantizers BenchmarkQuantizeAbsmaxWith and
//     BenchmarkQuantizeZeroPointWith from float32, and
//     BenchmarkQuantizeAbsmaxWithBFloat16 and
//     BenchmarkQuantizeZeroPointWithBFloat16 from bfloat16, each given the
//     parameters that the computing quantizer finds for the same input;
//   - BenchmarkDequantizeZeroPointFloat16 and
//     BenchmarkDequantizeZeroPointBFloat16, the dequantizer to binary16 and
//     bfloat16 (DequantizeZeroPointGroups with PerTensor);
//   - BenchmarkEncodeQ8_0 from float32, BenchmarkEncodeQ8_0Float16 from
//     binary16 and BenchmarkEncodeQ8_0BFloat16 from bfloat16;
//   - BenchmarkDecodeQ8_0 to float32, BenchmarkDecodeQ8_0Float16 and
//     BenchmarkDecodeQ8_0BFloat16;
//   - BenchmarkEncodeQ4_0 and BenchmarkEncodeQ4_1 from float32,
//     BenchmarkDecodeQ4_0 and BenchmarkDecodeQ4_1 to float32;
//   - the per-row quantizers BenchmarkQuantizeAbsmaxPerRow and
//     BenchmarkQuantizeZeroPointPerRow on rows of RowLength = 4096 values,
//     and BenchmarkQuantizeAbsmaxPerBlock and
//     BenchmarkQuantizeZeroPointPerBlock on blocks of BlockLength = 32,
//     through the per-row implementations; each of the four also from
//     binary16 and bfloat16 (BenchmarkQuantizeAbsmaxPerRowFloat16,
//     BenchmarkQuantizeAbsmaxPerRowBFloat16, ...,
//     BenchmarkQuantizeZeroPointPerBlockBFloat16);
//   - fake quantization of float32, BenchmarkFakeQuantizeAbsmax and
//     BenchmarkFakeQuantizeZeroPoint, given the parameters the computing
//     quantizer finds for the same input, and
//     BenchmarkFakeQuantizeAbsmaxComposed, the same result composed of
//     QuantizeAbsmaxWith into an int8 buffer (one of N values, reused by
//     every call) and DequantizeAbsmax from it, as a user without fake
//     quantization would write it: on the public API only ("quant"), to
//     compare with the fused form;
//   - BenchmarkMeasureError, the weights against their absmax
//     reconstruction (the dequantized quants), both in one buffer of 2N
//     values (x, then y): its MB/s counts the 8 bytes it reads per
//     element, x and y, and its read ceiling passes over the same buffer;
//   - the interop operations on float32, given the parameters of
//     Inputs.Affine (the zero-point quantizer's in PyTorch's form,
//     quant.AffineParams{Scale: 1/s, ZeroPoint: z}): BenchmarkQuantizePyTorch
//     (torch.quantize_per_tensor to qint8: the product by the float32
//     reciprocal rounded, then the zero point added),
//     BenchmarkQuantizeONNX (QuantizeLinear: the quotient),
//     BenchmarkDequantizeAffine (from the weights QuantizePyTorch
//     quantizes; (q - z) · Scale, a product) and
//     BenchmarkFakeQuantizePyTorch (fake_quantize_per_tensor_affine with
//     its _cachemask mask, one bool per value, on torch.qint8's grid
//     [FakeQMin, FakeQMax] = [-128, 127]: PyTorch's grid for weights, which
//     the inputs are, and QuantizePyTorch's, so that the four share their
//     parameters; it writes 5 bytes per value).
//
// Together they run every kernel of the kernel sets (the 16-bit
// operations reach the Float16 and BFloat16 kernels of kernels.Set, not
// the float32 kernels plus a conversion) but the 16-bit interop kernels
// (QuantizePyTorch, QuantizeONNX and DequantizeAffine of Format16): the
// interop benchmarks are float32 only. The 16-bit outputs have no C
// peer. Each benchmark has sub-benchmarks size=<elements>/impl=<name>.
// b.SetBytes counts the input bytes, so MB/s is input throughput (4 bytes
// per float32, 2 per FP16/BF16, 1 per int8, 34/32 per Q8_0 value, 18/32
// per Q4_0 and 20/32 per Q4_1 value). Each runs at the sizes that apply:
// whole 32-value blocks for Q8_0, Q4_0 and Q4_1, whole rows
// for the per-row quantizers (4096 is one row, 16M a 4096 × 4096 matrix).
//
// The parallel benchmarks (BenchmarkQuantizeAbsmaxParallel,
// BenchmarkQuantizeZeroPointParallel, per tensor, and their PerRow
// versions) run the public API with Granularity.Parallel(N) as
// impl=workers=N, for N = 1, 2 and GOMAXPROCS if larger, at the sizes a
// parallel call splits (quant.ParallelMin values and up). They have no
// ceilings: those run on one goroutine.
//
// The matrix benchmarks, BenchmarkMulAddAtB and BenchmarkGPTQ, measure
// GPTQ (package gptq, Q4_0 with groups of 32) and its update multiply
// (quant.MulAddAtB, C += Aᵀ·B with k = 128, the shape of GPTQ's lazy
// update) against the same work on OpenBLAS, both on GOMAXPROCS threads,
// as impl=quant and impl=openblas (see MatrixKernels). Their size=N is a
// square matrix of N elements, side a multiple of 128 (65536, 1M and
// 16M: 256×256, 1024×1024, 4096×4096); MulAddAtB reports GFLOP/s and
// counts the bytes of C read and written, GPTQ the weights' bytes. The
// OpenBLAS peer (openblas.c: cblas_sgemm; LAPACK's spotrf and strtri for
// the inverse Cholesky factor; the quantization within a block in C on
// pthreads) is built with the tag quantbench_openblas and
// libopenblas-dev; ci/openblas-tags.sh prints the flag where it builds,
// and ci/bench.sh and ci/test.sh pass it. Without it, impl=openblas is
// left out and its tests skip.
//
// The implementations are:
//
//   - quant: the public API as dispatched on this CPU (quant.Implementation).
//   - avx2, neon, ..., generic: every kernel set of dispatch.Runnable(),
//     through the same public API with dispatch.Swap pointing it at that
//     set for the call (two stores, no allocation).
//   - c-simd: the same algorithms in C with intrinsics (AVX2+F16C on
//     x86-64, NEON on arm64), one cgo call per slice (the quantizers do
//     reduction, parameters and quantization in that one call), built with
//     -O3 -march=native. A cgo call costs tens of nanoseconds, which
//     dominates at 256 elements: read the C columns at the larger sizes.
//     Its Q4_0 and Q4_1 code is AVX2+F16C only: on arm64 c-simd has no Q4
//     operations, and c-scalar is the C Q4 peer there.
//   - c-avx512: the same with AVX-512, where the CPU has AVX512F/BW/VL; its
//     FP32->BF16 is VCVTNEPS2BF16 (only with AVX512_BF16), which treats
//     float32 subnormal inputs as zero: a documented difference, absent from
//     the weights measured here.
//   - c-scalar: the reference algorithm as a plain C loop at
//     -O3 -march=native, which the compiler may auto-vectorise.
//   - c-llama-ref (EncodeQ8_0, EncodeQ4_0 and EncodeQ4_1 only): llama.cpp's
//     reference encoders (the algorithms of quantize_row_q8_0_ref,
//     quantize_row_q4_0_ref and quantize_row_q4_1_ref) as scalar C loops:
//     the same d (and m), but for Q8_0 q = roundf(x*id), half away from
//     zero, against d before its rounding to binary16, so that a q may
//     differ by one; for Q4_0 q = min(15, (int)(x*id + 8.5)) and for Q4_1
//     q = min(15, (int)((x - min)*id + 0.5)), half up, against d and min
//     before their rounding, so that a q may differ by one plus
//     |min - m|/d.
//   - The C peers keep package quant's contract on failure: a call that
//     returns an error writes nothing, to dst or params. So the C Q8_0
//     encoders check their whole input first (one SIMD reduction: NaN,
//     infinity, d beyond binary16), then encode; so do the C Q4 encoders,
//     with quant's per-block look (first failing block's error) where the
//     reduction finds a NaN, an infinity or a magnitude that may fail
//     (for Q4_1, from 65520), which the weights never reach; and the C
//     per-row
//     quantizers compute and check every row's parameters (into a scratch
//     array kept by the Go side), then quantize the rows: two passes over
//     the input, as quant makes. c-llama-ref, like llama.cpp, checks
//     nothing and makes one.
//   - The C static quantizers make one fused pass: each vector is
//     quantized with the given parameters and checked for NaNs (compared
//     unordered with itself, the masks ORed), and a NaN is reported after
//     the pass, dst then written, as package quant's contract allows.
//     Package quant checks each chunk of 4096 values with its reduction
//     kernel and then quantizes it from L1: src comes from memory once in
//     both. From bfloat16 the C peer widens in registers (<<16).
//   - The C fake quantizers (c-simd and c-scalar; c-avx512 has none) make
//     the same one fused pass: product, separate add (zero point), clamp,
//     conversion rounding to nearest even, integer subtraction of the
//     zero point, conversion back and a true division, the NaNs found as
//     the static quantizers find them. Package quant checks each chunk of
//     4096 values with its reduction and then runs its FakeQuantize kernel
//     on it from L1. The C MeasureError (c-simd, c-scalar) makes package
//     quant's float64 sums in its order (16 lanes per chunk of 4096
//     values, kernels.ErrorLanes' tree, the chunks in order): the same
//     bits.
//   - The C interop peers (c-simd and c-scalar; c-avx512 has none) make
//     one fused pass each, the NaNs found as above, as package quant's
//     interop kernels find them in the pass that quantizes (no reduction
//     first). QuantizePyTorch takes the float32 reciprocal 1/Scale once
//     and multiplies, QuantizeONNX divides (VDIVPS, FDIV); on AVX2 the
//     quantizers clamp the product to [-128 - z, 127 - z], round it with
//     VCVTPS2DQ and add z in int32, on NEON they round with FCVTNS, add
//     z with SQADD and narrow with saturation (both equal to quant's
//     float32 round-then-add-then-clamp). DequantizeAffine subtracts z in
//     int32, converts and multiplies. FakeQuantizePyTorch rounds with
//     VROUNDPS or FRINTN, adds z, compares for the mask and clamps in
//     float32, subtracts z and multiplies, storing the values and the
//     mask bytes (0 or 1) in the same pass; without a mask it stores
//     none. The Go side checks the parameters as quant does.
//   - From binary16 and bfloat16, the C per-row quantizers do what a C
//     programmer composing these kernels would write: each row is widened
//     into a float32 row (kept by the Go side) by the variant's own
//     conversion, in both passes, and quantized as a float32 row. The C
//     Q8_0 encoders widen in registers as they load.
//   - The C Q4 encoders (c-simd) take four blocks per step as the Q8_0
//     one does: Q4_0 from the blocks' max|x| (the sign of e, the first
//     value of that magnitude, from two movemasks), Q4_1 from their
//     order-key minima and maxima (a zero min takes its first
//     occurrence's sign the same way), then VCVTPS2PH for d (and m), and
//     the quants clamped in float32, rounded by VCVTPS2DQ and packed into
//     nibbles. The decoders widen the nibbles, then multiply (Q4_1: then
//     add m, a separate VADDPS).
//   - x448: github.com/x448/float16, one element at a time (FP16 only).
//   - copy, read and write, the ceilings: copy moves the input bytes into a
//     buffer of the same size with Go's copy (memmove); read is a read-only
//     pass over the input bytes (ReadCeiling): bytes.Count, which the Go
//     runtime vectorises, below 16 KiB; from 16 KiB, with cgo, a C loop
//     ORing 8-byte words that the compiler vectorises. write stores as many
//     bytes as the kernel writes (WriteCeiling) with ordinary stores, 8-byte
//     Go stores below 16 KiB and a C loop of 32-byte vectors from 16 KiB;
//     the reductions, which write nothing, have none. Read and write
//     together make the memory-traffic bound of cmd/summary. At the
//     smallest sizes the ceilings are bound by call overhead, and a kernel
//     may beat them.
//
// Without cgo the C peers and the C read loop are left out, and the header
// of a benchmark run says so.
//
// # Inputs
//
// The float32 input is model-like weights: normal with standard deviation
// 0.02 and about one element in 4096 an outlier 8 to 64 times larger. The
// FP16, BF16 and int8 inputs are those weights converted or quantized. Each
// size has several input and output buffers (up to 8, at most 256 MiB in
// all), rotated between iterations so that branch predictors cannot learn
// the data; every buffer is written before timing starts. The working set
// is therefore up to eight times one buffer: at 65536 elements it outgrows
// a 2 MiB L2, at 1M elements it needs a large last-level cache, and at 16M
// elements (two buffers) it comes from memory.
package benchmarks
