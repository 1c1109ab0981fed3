// Package gptq quantizes the weights of a linear layer with GPTQ (Frantar,
// Ashkboos, Hoefler and Alistarh, "GPTQ: Accurate Post-Training
// Quantization for Generative Pre-trained Transformers", 2022): one input
// column at a time, each column's rounding error spread over the columns
// not yet quantized through the inverse Hessian of the layer's inputs, so
// that the layer's output, not each weight, stays close.
//
// A layer computes y = W·x with W rows × columns (rows outputs, columns
// inputs). Hessian accumulates H = 2/n·Σ x·xᵀ over calibration inputs;
// Quantize runs GPTQ on W and H and writes the result straight into a
// format: GGUF Q4_0, Q4_1 or Q8_0 blocks (byte-compatible with llama.cpp,
// decoded by quant.DecodeQ4_0 and its siblings), or int8 values with
// per-group absmax or zero-point parameters (int4 grids keep their values
// in int8s), dequantized by quant.DequantizeAbsmaxGroups and
// quant.DequantizeZeroPointGroups.
//
// # The algorithm, and where it differs from the reference code
//
// As the authors' code (gptq.py, fasterquant): dead inputs (H_ii = 0) get
// H_ii = 1 and a zero weight column; H_ii += Damp·mean(diag H); U is the
// upper Cholesky factor of H⁻¹; columns are taken in blocks (BlockSize,
// default 128) with the error of each column applied at once inside its
// block and lazily, as one matrix product, to the columns after it; with
// a group size, parameters are computed when a group starts; ActOrder
// takes columns by decreasing H_ii. The differences:
//
//   - U is computed as J·L⁻¹·J, where J reverses the order of rows and
//     columns and L·Lᵀ = J·H·J (a Cholesky factorization and a triangular
//     inverse, 2n³/3 operations), instead of factorizing, inverting and
//     factorizing again (5n³/3). Both give the same U up to rounding.
//   - A group's parameters come from its weights as updated by every
//     column before it. The reference reads them from a copy that misses
//     the updates made inside the current block; here block sizes round up
//     to a multiple of the group size so that no group straddles two
//     blocks.
//   - With ActOrder, groups stay runs of consecutive columns (so that the
//     output is a plain GGUF or grouped tensor, with no index of groups)
//     and their parameters are computed before the first column, from W:
//     the reference's static_groups.
//   - Every operation is float32, with fused multiply-adds in a fixed
//     order (see quant.MulAddAtB), so the output is the same bytes for
//     every worker count and on every architecture. The reference runs on
//     a GPU in float32 in orders of the BLAS's choosing.
//
// Each column is rounded with the grid's own rule, the one the library's
// encoders use (round half to even against the stored parameters), so
// that GPTQ with an identity Hessian reproduces the encoders byte for
// byte.
package gptq
