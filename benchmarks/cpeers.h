// C peers of the quant kernels, for the benchmark suite: the same
// algorithms with the same results, written in C so that the Go assembly
// can be measured against what a C compiler makes of them. See cpeers.c.
#ifndef QB_CPEERS_H
#define QB_CPEERS_H

#include <stddef.h>
#include <stdint.h>

// Variants, passed as the first argument of every function.
enum {
	QB_SIMD = 0,   // intrinsics: AVX2+F16C on x86-64, NEON on arm64
	QB_SCALAR = 1, // plain C loops, the compiler may auto-vectorise them
	QB_AVX512 = 2, // AVX-512 intrinsics (x86-64), VCVTNEPS2BF16 for BF16
	QB_LLAMA_REF = 3, // llama.cpp's reference GGUF encoders, scalar (Q8_0, Q4_0, Q4_1 only)
};

// Status of the whole quantizers.
enum { QB_OK = 0, QB_NOT_FINITE = 1, QB_RANGE = 2 };

// Source kinds: the element type of an input, for the functions that take
// more than one.
enum {
	QB_SRC_F32 = 0,  // float32
	QB_SRC_F16 = 1,  // IEEE 754 binary16 bits
	QB_SRC_BF16 = 2, // bfloat16 bits (the top half of a float32)
};

typedef struct {
	int32_t lo, hi;
} qb_keys;

typedef struct {
	int status;
	float scale;
	int32_t zero;
} qb_params;

// qb_compiled reports whether this build holds the variant's code; the
// caller still checks that the CPU runs it.
int qb_compiled(int variant);
// qb_cc names the C compiler and version.
const char *qb_cc(void);

void qb_f32_to_f16(int v, uint16_t *dst, const float *src, size_t n);
void qb_f16_to_f32(int v, float *dst, const uint16_t *src, size_t n);
void qb_f32_to_bf16(int v, uint16_t *dst, const float *src, size_t n);
void qb_bf16_to_f32(int v, float *dst, const uint16_t *src, size_t n);
uint32_t qb_absmax_bits(int v, const float *src, size_t n);
qb_keys qb_minmax_keys(int v, const float *src, size_t n);
void qb_quantize_absmax(int v, int8_t *dst, const float *src, size_t n, float scale);
void qb_quantize_zeropoint(int v, int8_t *dst, const float *src, size_t n, float scale, float zero);
void qb_dequantize_zeropoint(int v, float *dst, const int8_t *src, size_t n, float scale, int32_t zero);

// Whole quantizers, as package quant's QuantizeAbsmax and QuantizeZeroPoint:
// the reduction, the parameters and the quantization in one call.
qb_params qb_absmax_quantize(int v, int8_t *dst, const float *src, size_t n);
qb_params qb_zeropoint_quantize(int v, int8_t *dst, const float *src, size_t n);

// Per-row quantizers: the whole quantizers on each row of a rows x cols
// matrix, params[r] for row r, in two passes as package quant's grouped
// quantizers: every row's parameters are computed and checked into
// scratch (rows values, from the caller, so that calls do not allocate),
// then stored and their rows quantized. An error, the status of the first
// failing row, leaves dst and params untouched.
typedef struct {
	float scale;
	int32_t zero;
} qb_zp;

int qb_absmax_quantize_rows(int v, int8_t *dst, float *scales, float *scratch, const float *src, size_t rows,
                            size_t cols);
int qb_zeropoint_quantize_rows(int v, int8_t *dst, qb_zp *params, qb_zp *scratch, const float *src, size_t rows,
                               size_t cols);

// The same from a 16-bit source of kind QB_SRC_F16 or QB_SRC_BF16: each row
// is widened into row (cols floats, from the caller) by the variant's own
// qb_f16_to_f32 or qb_bf16_to_f32, in both passes, and the float32 row
// goes through what the functions above do with it.
int qb_absmax_quantize_rows16(int v, int kind, int8_t *dst, float *scales, float *scratch, float *row,
                              const uint16_t *src, size_t rows, size_t cols);
int qb_zeropoint_quantize_rows16(int v, int kind, int8_t *dst, qb_zp *params, qb_zp *scratch, float *row,
                                 const uint16_t *src, size_t rows, size_t cols);

// Static quantizers, as package quant's QuantizeAbsmaxWith and
// QuantizeZeroPointWith: the n values of src quantized with the given
// scale (and zero point, a float32 of an integer), and checked for NaNs,
// in one pass. The status is QB_NOT_FINITE if src holds a NaN (dst is
// then written all the same, the NaNs' quants unspecified), else QB_OK.
// The parameters are the caller's to check. The _bf16 forms take bfloat16
// bits, widened by <<16.
int qb_quantize_absmax_with(int v, int8_t *dst, const float *src, size_t n, float scale);
int qb_quantize_zeropoint_with(int v, int8_t *dst, const float *src, size_t n, float scale, float zero);
int qb_quantize_absmax_with_bf16(int v, int8_t *dst, const uint16_t *src, size_t n, float scale);
int qb_quantize_zeropoint_with_bf16(int v, int8_t *dst, const uint16_t *src, size_t n, float scale, float zero);

// Fake quantization, as package quant's FakeQuantizeAbsmax and
// FakeQuantizeZeroPoint: each of the n values of src replaced in dst by
// float32(q - zero) / scale, q quantized as the static quantizers do (on
// [-127, 127] for absmax, whose zero is 0, [-128, 127] for zero point),
// and checked for NaNs, in one pass. The status is QB_NOT_FINITE if src
// holds a NaN (dst is then written all the same, unspecified where the
// NaNs were), else QB_OK. The parameters are the caller's to check.
int qb_fake_quantize_absmax(int v, float *dst, const float *src, size_t n, float scale);
int qb_fake_quantize_zeropoint(int v, float *dst, const float *src, size_t n, float scale, int32_t zero);

// Interop, as package quant's QuantizePyTorch, QuantizeONNX,
// DequantizeAffine and FakeQuantizePyTorch on float32, with the parameters
// of quant.AffineParams (x ~ (q - zero) * scale) and inv = 1.0f / scale
// (rounded to float32). The quantizers store
// q = clamp(roundEven(p) + zero, -128, 127), p the float32 product x*inv
// (PyTorch) or quotient x/scale (ONNX), rounded to an integer (ties to
// even) before the zero point is added; the dequantizer stores
// (float)(q - zero) * scale; the fake quantizer stores
// (clamp(v, qmin, qmax) - zero) * scale with v = roundEven(x*inv) + zero in
// float32 and, if mask is not NULL, mask[i] = qmin <= v <= qmax (0 or 1).
// The quantizers check src for NaNs in the same pass: the status is
// QB_NOT_FINITE if src holds one (dst and mask are then written all the
// same, unspecified where the NaNs were), else QB_OK. The parameters are
// the caller's to check (quant's rules: scale and inv positive and finite,
// qmin <= zero <= qmax within [-2^23, 2^23], [-128, 127] for the
// quantizers). dst may be src in the fake quantizer.
int qb_quantize_pytorch(int v, int8_t *dst, const float *src, size_t n, float scale, int32_t zero);
int qb_quantize_onnx(int v, int8_t *dst, const float *src, size_t n, float scale, int32_t zero);
void qb_dequantize_affine(int v, float *dst, const int8_t *src, size_t n, float scale, int32_t zero);
int qb_fake_quantize_pytorch(int v, float *dst, uint8_t *mask, const float *src, size_t n, float scale, int32_t zero,
                             int32_t qmin, int32_t qmax);

// Error sums, as package quant's MeasureError on float32: over pairs of x
// and y with e = (double)x - (double)y, the sum of e*e, the sum of x*x and
// the largest |e|, in quant's fixed order (chunks of 4096 pairs, 16 lanes
// within a chunk, kernels.ErrorLanes' tree), so the same bits. status is
// QB_NOT_FINITE, the rest unspecified, if x or y holds a NaN or an
// infinity.
typedef struct {
	int status;
	double sse, ss, max;
} qb_error;

qb_error qb_error_sums(int v, const float *x, const float *y, size_t n);

// GGUF Q8_0: n (a multiple of 32) values to and from n/32 blocks of 34
// bytes. The encoders check the whole input (one reduction) before they
// encode, as package quant's EncodeQ8_0 does, and return its status; on
// an error dst is left untouched. QB_LLAMA_REF is llama.cpp's reference
// encoder as it is: no check, always QB_OK, finite inputs only.
int qb_encode_q8_0(int v, uint8_t *dst, const float *src, size_t n);
int qb_encode_q8_0_f16(int v, uint8_t *dst, const uint16_t *src, size_t n);
int qb_encode_q8_0_bf16(int v, uint8_t *dst, const uint16_t *src, size_t n);
void qb_decode_q8_0(int v, float *dst, const uint8_t *src, size_t n);

// GGUF Q4_0 and Q4_1 (float32 only): n (a multiple of 32) values to and
// from n/32 blocks of 18 or 20 bytes. The encoders check their input as
// package quant's EncodeQ4_0 and EncodeQ4_1 do (one reduction, and only
// where it finds a NaN, an infinity or a magnitude that may fail, a look
// at each block in order) before they encode, and return the status of
// the first failing block; on an error dst is left untouched.
// QB_LLAMA_REF is llama.cpp's reference encoder as it is: no check,
// always QB_OK, finite inputs only. QB_SIMD is AVX2+F16C on x86-64 and
// the scalar code elsewhere (there is no NEON Q4 code).
int qb_encode_q4_0(int v, uint8_t *dst, const float *src, size_t n);
int qb_encode_q4_1(int v, uint8_t *dst, const float *src, size_t n);
void qb_decode_q4_0(int v, float *dst, const uint8_t *src, size_t n);
void qb_decode_q4_1(int v, float *dst, const uint8_t *src, size_t n);

// qb_read ORs together every 8-byte word of p (and the tail bytes): a
// read-only pass at memory speed, the "read" ceiling.
uint64_t qb_read(const void *p, size_t bytes);

// qb_write stores distinct 8-byte words (seed, seed+1, ...) over every
// byte of p with ordinary stores: a write-only pass at memory speed, the
// "write" ceiling. The words differ so that the compiler cannot turn the
// loop into a memset, whose large-size strategies (string stores,
// non-temporal stores) ordinary kernels do not use.
void qb_write(void *p, size_t bytes, uint64_t seed);

#endif
