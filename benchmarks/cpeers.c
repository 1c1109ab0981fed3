//go:build cgo

// C peers of the quant kernels. Every function gives the results of the
// pure-Go reference (package fallback) bit for bit, except the AVX-512
// BF16 conversion, which uses VCVTNEPS2BF16 and so flushes float32
// subnormal inputs to a zero of the same sign, and llama.cpp's reference
// GGUF encoders, whose quants round differently (see peers_test.go).
//
// Built with -O3 -march=native -std=c11. The ISO dialect matters: it turns
// off GCC's default floating-point contraction (-ffp-contract=fast in the
// GNU dialects), which would fuse x*scale + zero into an FMA even through
// the _mm256_mul_ps/_mm256_add_ps intrinsics and change the zero-point
// results. Clang contracts only within one expression, which the code
// never writes.
//
// The SIMD functions carry target attributes, so they compile whatever
// -march says; Go calls them only where the CPU has the features.

#include "cpeers.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define QB_X86 1
// AVX512BF16 needs GCC 10 or Clang 9.
#if defined(__clang__) ? (__clang_major__ >= 9) : (__GNUC__ >= 10)
#define QB_HAVE_AVX512 1
#endif
#elif defined(__aarch64__)
#include <arm_neon.h>
#define QB_ARM64 1
#endif

#if defined(__has_builtin)
#if __has_builtin(__builtin_roundevenf) && __has_builtin(__builtin_roundeven)
#define QB_ROUNDEVENF __builtin_roundevenf
#define QB_ROUNDEVEN __builtin_roundeven
#endif
#endif
#ifndef QB_ROUNDEVENF
// The default rounding mode, which Go never changes, is to nearest even.
#define QB_ROUNDEVENF nearbyintf
#define QB_ROUNDEVEN nearbyint
#endif

// Helpers that take a constant flag are forced inline, so that it folds.
#define QB_INLINE __attribute__((always_inline)) inline

#define QB_STR2(x) #x
#define QB_STR(x) QB_STR2(x)

const char *qb_cc(void) {
#if defined(__clang__)
	return "clang " __clang_version__;
#elif defined(__GNUC__)
	return "gcc " QB_STR(__GNUC__) "." QB_STR(__GNUC_MINOR__) "." QB_STR(__GNUC_PATCHLEVEL__);
#else
	return "cc";
#endif
}

int qb_compiled(int v) {
	switch (v) {
	case QB_SCALAR:
	case QB_LLAMA_REF:
		return 1;
	case QB_SIMD:
#if defined(QB_X86) || defined(QB_ARM64)
		return 1;
#else
		return 0;
#endif
	case QB_AVX512:
#if defined(QB_HAVE_AVX512)
		return 1;
#else
		return 0;
#endif
	}
	return 0;
}

// ---- Scalar: ports of package fallback, element by element. ----

static inline uint32_t f2u(float x) {
	uint32_t u;
	memcpy(&u, &x, sizeof u);
	return u;
}

static inline float u2f(uint32_t u) {
	float x;
	memcpy(&x, &u, sizeof x);
	return x;
}

// v / 2^shift rounded to nearest, ties to even.
static inline uint32_t shift_round_even(uint32_t v, unsigned shift) {
	uint32_t half = (1u << (shift - 1)) - 1;
	uint32_t odd = (v >> shift) & 1;
	return (v + half + odd) >> shift;
}

static inline uint16_t sc_to_f16(float x) {
	uint32_t bits = f2u(x);
	uint16_t sign = (uint16_t)(bits >> 16) & 0x8000;
	int exp = (int)(bits >> 23) & 0xFF;
	uint32_t mant = bits & 0x7FFFFF;
	int e = exp - 127;
	if (exp == 0xFF && mant != 0) // NaN: quiet, top of the payload
		return sign | 0x7E00 | (uint16_t)(mant >> 13);
	if (e > 15) // overflow and Inf
		return sign | 0x7C00;
	if (e >= -14) // normal: rebias, round off 13 bits (a carry is right)
		return sign | (uint16_t)shift_round_even((uint32_t)(e + 15) << 23 | mant, 13);
	if (exp == 0) // float32 zero or subnormal
		return sign;
	unsigned shift = (unsigned)(-(e + 1)); // binary16 subnormal
	if (shift > 25)
		return sign;
	return sign | (uint16_t)shift_round_even(1u << 23 | mant, shift);
}

static inline float sc_from_f16(uint16_t h) {
	uint32_t sign = (uint32_t)(h & 0x8000) << 16;
	uint32_t exp = (uint32_t)(h >> 10) & 0x1F;
	uint32_t mant = (uint32_t)h & 0x3FF;
	if (exp == 0x1F) {
		if (mant != 0)
			mant |= 0x200; // quiet
		return u2f(sign | 0x7F800000 | mant << 13);
	}
	if (exp == 0)
		return u2f(sign | f2u((float)mant * 0x1p-24f));
	return u2f(sign | (exp + 127 - 15) << 23 | mant << 13);
}

static inline uint16_t sc_to_bf16(float x) {
	uint32_t bits = f2u(x);
	if ((bits & 0x7FFFFFFF) > 0x7F800000)
		return (uint16_t)(bits >> 16) | 0x0040;
	return (uint16_t)shift_round_even(bits, 16);
}

static inline int32_t order_key(uint32_t bits) {
	int32_t k = (int32_t)bits;
	return k ^ (int32_t)((uint32_t)(k >> 31) >> 1);
}

// Clamp first (the bounds are integers, so it is the same as after), then
// round to nearest even.
static inline int8_t round_clamp(float v, float lo, float hi) {
	v = v < lo ? lo : v;
	v = v > hi ? hi : v;
	return (int8_t)(int32_t)QB_ROUNDEVENF(v);
}

static void sc_f32_to_f16(uint16_t *dst, const float *src, size_t n) {
	for (size_t i = 0; i < n; i++)
		dst[i] = sc_to_f16(src[i]);
}

static void sc_f16_to_f32(float *dst, const uint16_t *src, size_t n) {
	for (size_t i = 0; i < n; i++)
		dst[i] = sc_from_f16(src[i]);
}

static void sc_f32_to_bf16(uint16_t *dst, const float *src, size_t n) {
	for (size_t i = 0; i < n; i++)
		dst[i] = sc_to_bf16(src[i]);
}

static void sc_bf16_to_f32(float *dst, const uint16_t *src, size_t n) {
	for (size_t i = 0; i < n; i++)
		dst[i] = u2f((uint32_t)src[i] << 16);
}

static uint32_t sc_absmax_bits(const float *src, size_t n) {
	uint32_t m = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t a = f2u(src[i]) & 0x7FFFFFFF;
		m = a > m ? a : m;
	}
	return m;
}

static qb_keys sc_minmax_keys(const float *src, size_t n) {
	qb_keys r = {0, 0};
	if (n == 0)
		return r;
	int32_t lo = INT32_MAX, hi = INT32_MIN;
	for (size_t i = 0; i < n; i++) {
		int32_t k = order_key(f2u(src[i]));
		lo = k < lo ? k : lo;
		hi = k > hi ? k : hi;
	}
	r.lo = lo;
	r.hi = hi;
	return r;
}

static void sc_quantize_absmax(int8_t *dst, const float *src, size_t n, float scale) {
	for (size_t i = 0; i < n; i++)
		dst[i] = round_clamp(src[i] * scale, -127.0f, 127.0f);
}

static void sc_quantize_zeropoint(int8_t *dst, const float *src, size_t n, float scale, float zero) {
	for (size_t i = 0; i < n; i++) {
		float p = src[i] * scale; // rounded: a separate statement, never fused
		dst[i] = round_clamp(p + zero, -128.0f, 127.0f);
	}
}

static void sc_dequantize_zeropoint(float *dst, const int8_t *src, size_t n, float scale, int32_t zero) {
	for (size_t i = 0; i < n; i++)
		dst[i] = (float)((int32_t)src[i] - zero) / scale;
}

// Static quantization (package quant's QuantizeAbsmaxWith and
// QuantizeZeroPointWith): q with parameters given by the caller, the
// arithmetic of the quantizers above, and the NaN check in the same pass.
// Every variant's *_with functions quantize all of src and return 1 if it
// held a NaN (whose quant is then unspecified: the caller reports an
// error), else 0. src is float32 (kind QB_SRC_F32) or bfloat16 bits
// (QB_SRC_BF16), widened by <<16; kind and zp (1: zero point, 0: absmax)
// are constants after inlining.

static QB_INLINE float sc_load(const void *src, size_t i, int kind) {
	if (kind == QB_SRC_BF16)
		return u2f((uint32_t)((const uint16_t *)src)[i] << 16);
	return ((const float *)src)[i];
}

// Values [i, n): the scalar variant, and the tails of the others.
static QB_INLINE int sc_with_from(int8_t *dst, const void *src, size_t i, size_t n, float scale, float zero, int kind,
                                  int zp) {
	const float lo = zp ? -128.0f : -127.0f;
	int nan = 0;
	for (; i < n; i++) {
		float x = sc_load(src, i, kind);
		nan |= x != x;
		float v = x * scale; // rounded: a separate statement, never fused
		if (zp)
			v = v + zero;
		v = v >= lo ? v : lo; // a NaN takes lo: no undefined conversion below
		v = v <= 127.0f ? v : 127.0f;
		dst[i] = (int8_t)(int32_t)QB_ROUNDEVENF(v);
	}
	return nan;
}

static QB_INLINE int sc_quantize_with(int8_t *dst, const void *src, size_t n, float scale, float zero, int kind,
                                      int zp) {
	return sc_with_from(dst, src, 0, n, scale, zero, kind, zp);
}

// QB_WITH_FUNCS defines the four static quantizers of a variant,
// PREFIX_quantize_{absmax,zeropoint}_with{,_bf16}, from its
// PREFIX_quantize_with, returning QB_NOT_FINITE for a NaN, else QB_OK;
// ATTR is the variant's target attribute.
#define QB_WITH_FUNCS(PREFIX, ATTR)                                                                        \
	ATTR static int PREFIX##_quantize_absmax_with(int8_t *dst, const float *src, size_t n, float scale) {  \
		return PREFIX##_quantize_with(dst, src, n, scale, 0, QB_SRC_F32, 0) ? QB_NOT_FINITE : QB_OK;       \
	}                                                                                                      \
	ATTR static int PREFIX##_quantize_zeropoint_with(int8_t *dst, const float *src, size_t n, float scale, \
	                                                 float zero) {                                         \
		return PREFIX##_quantize_with(dst, src, n, scale, zero, QB_SRC_F32, 1) ? QB_NOT_FINITE : QB_OK;    \
	}                                                                                                      \
	ATTR static int PREFIX##_quantize_absmax_with_bf16(int8_t *dst, const uint16_t *src, size_t n,         \
	                                                   float scale) {                                      \
		return PREFIX##_quantize_with(dst, src, n, scale, 0, QB_SRC_BF16, 0) ? QB_NOT_FINITE : QB_OK;      \
	}                                                                                                      \
	ATTR static int PREFIX##_quantize_zeropoint_with_bf16(int8_t *dst, const uint16_t *src, size_t n,      \
	                                                      float scale, float zero) {                       \
		return PREFIX##_quantize_with(dst, src, n, scale, zero, QB_SRC_BF16, 1) ? QB_NOT_FINITE : QB_OK;   \
	}

QB_WITH_FUNCS(sc, )

// Fake quantization (package quant's FakeQuantizeAbsmax and
// FakeQuantizeZeroPoint, the kernel FakeQuantize): each x replaced by
// float32(q - zero) / scale, q = clamp(roundEven(v), lo, 127) with
// v = x*scale rounded, plus zero (zero point) in a separate rounded add;
// the difference is an exact int32, converted with rounding to nearest
// even, then divided (a true division). Absmax has zero 0 and lo -127,
// zero point lo -128. Every variant's *_fake function writes all of dst
// and returns 1 if src held a NaN (its output then unspecified), else 0,
// in the same pass; zp is a constant after inlining.

// Values [i, n): the scalar variant, and the tails of the others.
static QB_INLINE int sc_fake_from(float *dst, const float *src, size_t i, size_t n, float scale, int32_t zero, int zp) {
	const float lo = zp ? -128.0f : -127.0f, z = (float)zero;
	int nan = 0;
	for (; i < n; i++) {
		float x = src[i];
		nan |= x != x;
		float v = x * scale; // rounded: a separate statement, never fused
		if (zp)
			v = v + z;
		v = v >= lo ? v : lo; // a NaN takes lo: no undefined conversion below
		v = v <= 127.0f ? v : 127.0f;
		int32_t q = (int32_t)QB_ROUNDEVENF(v);
		dst[i] = (float)(q - zero) / scale;
	}
	return nan;
}

static QB_INLINE int sc_fake(float *dst, const float *src, size_t n, float scale, int32_t zero, int zp) {
	return sc_fake_from(dst, src, 0, n, scale, zero, zp);
}

// QB_FAKE_FUNCS defines PREFIX_fake_quantize_{absmax,zeropoint} from
// PREFIX_fake, returning QB_NOT_FINITE for a NaN, else QB_OK.
#define QB_FAKE_FUNCS(PREFIX, ATTR)                                                                       \
	ATTR static int PREFIX##_fake_quantize_absmax(float *dst, const float *src, size_t n, float scale) {   \
		return PREFIX##_fake(dst, src, n, scale, 0, 0) ? QB_NOT_FINITE : QB_OK;                           \
	}                                                                                                     \
	ATTR static int PREFIX##_fake_quantize_zeropoint(float *dst, const float *src, size_t n, float scale, \
	                                                 int32_t zero) {                                      \
		return PREFIX##_fake(dst, src, n, scale, zero, 1) ? QB_NOT_FINITE : QB_OK;                        \
	}

QB_FAKE_FUNCS(sc, )

// Interop (package quant's QuantizePyTorch, QuantizeONNX, DequantizeAffine
// and FakeQuantizePyTorch, the kernels of the same names): PyTorch's and
// ONNX's arithmetic, x ~ (q - zero) * scale. p = x*inv (PyTorch, inv the
// float32 1/scale) or x/scale (ONNX), rounded to float32, is rounded to an
// integer (ties to even) before zero is added in float32; the quantizers
// clamp the sum to [-128, 127], the fake quantizer to [qmin, qmax], its
// mask whether it lay within. Every variant's PREFIX_interop and
// PREFIX_fake_pytorch write all of dst (and mask) and return 1 if src
// held a NaN, else 0, in the same pass; onnx and has_mask are constants
// after inlining.

// Values [i, n): the scalar variant, and the tails of the others. k is
// inv (PyTorch) or scale (ONNX).
static QB_INLINE int sc_interop_from(int8_t *dst, const float *src, size_t i, size_t n, float k, int32_t zero,
                                     int onnx) {
	const float z = (float)zero;
	int nan = 0;
	for (; i < n; i++) {
		float x = src[i];
		nan |= x != x;
		float p = onnx ? x / k : x * k;
		float v = QB_ROUNDEVENF(p) + z;
		v = v >= -128.0f ? v : -128.0f; // a NaN takes -128: no undefined conversion below
		v = v <= 127.0f ? v : 127.0f;
		dst[i] = (int8_t)(int32_t)v;
	}
	return nan;
}

static QB_INLINE int sc_interop(int8_t *dst, const float *src, size_t n, float k, int32_t zero, int onnx) {
	return sc_interop_from(dst, src, 0, n, k, zero, onnx);
}

static void sc_dequantize_affine(float *dst, const int8_t *src, size_t n, float scale, int32_t zero) {
	for (size_t i = 0; i < n; i++)
		dst[i] = (float)((int32_t)src[i] - zero) * scale;
}

// Values [i, n) of the fake quantizer: the scalar variant, and the tails
// of the others.
static QB_INLINE int sc_fake_pytorch_from(float *dst, uint8_t *mask, const float *src, size_t i, size_t n, float inv,
                                          float scale, int32_t zero, int32_t qmin, int32_t qmax, int has_mask) {
	const float z = (float)zero, lo = (float)qmin, hi = (float)qmax;
	int nan = 0;
	for (; i < n; i++) {
		float x = src[i];
		nan |= x != x;
		float p = x * inv; // rounded: a separate statement
		float v = QB_ROUNDEVENF(p) + z;
		if (has_mask)
			mask[i] = lo <= v && v <= hi;
		float c = v >= lo ? v : lo;
		c = c <= hi ? c : hi;
		dst[i] = (c - z) * scale;
	}
	return nan;
}

static QB_INLINE int sc_fake_pytorch(float *dst, uint8_t *mask, const float *src, size_t n, float inv, float scale,
                                     int32_t zero, int32_t qmin, int32_t qmax, int has_mask) {
	return sc_fake_pytorch_from(dst, mask, src, 0, n, inv, scale, zero, qmin, qmax, has_mask);
}

// QB_INTEROP_FUNCS defines PREFIX_quantize_{pytorch,onnx} and
// PREFIX_fake_quantize_pytorch from PREFIX_interop and
// PREFIX_fake_pytorch, returning QB_NOT_FINITE for a NaN, else QB_OK;
// the reciprocal is computed here, once, as quant computes it.
#define QB_INTEROP_FUNCS(PREFIX, ATTR)                                                                        \
	ATTR static int PREFIX##_quantize_pytorch(int8_t *dst, const float *src, size_t n, float scale,           \
	                                          int32_t zero) {                                                 \
		return PREFIX##_interop(dst, src, n, 1.0f / scale, zero, 0) ? QB_NOT_FINITE : QB_OK;                   \
	}                                                                                                         \
	ATTR static int PREFIX##_quantize_onnx(int8_t *dst, const float *src, size_t n, float scale,              \
	                                       int32_t zero) {                                                    \
		return PREFIX##_interop(dst, src, n, scale, zero, 1) ? QB_NOT_FINITE : QB_OK;                          \
	}                                                                                                         \
	ATTR static int PREFIX##_fake_quantize_pytorch(float *dst, uint8_t *mask, const float *src, size_t n,     \
	                                               float scale, int32_t zero, int32_t qmin, int32_t qmax) {   \
		const float inv = 1.0f / scale;                                                                       \
		int nan = mask ? PREFIX##_fake_pytorch(dst, mask, src, n, inv, scale, zero, qmin, qmax, 1)            \
		               : PREFIX##_fake_pytorch(dst, mask, src, n, inv, scale, zero, qmin, qmax, 0);           \
		return nan ? QB_NOT_FINITE : QB_OK;                                                                   \
	}

QB_INTEROP_FUNCS(sc, )

// Error sums (package quant's MeasureError, the kernel ErrorSums): over
// chunks of QB_ERROR_CHUNK values from the start, pair i of a chunk goes
// to lane i%16 of 16 float64 running sums of e*e (e = x - y in float64)
// and of x*x, each from +0 in index order, every product and sum rounded
// (never fused); qb_error_lanes adds a chunk's lanes as kernels.ErrorLanes
// does, and the chunks' sums are added in order. A chunk whose sums are
// not finite (a NaN or an infinity in x or y) stops the pass with
// QB_NOT_FINITE, as quant stops at it.
#define QB_ERROR_CHUNK 4096

static double qb_error_lanes(const double l[16]) {
	double a[8];
	for (int i = 0; i < 8; i++)
		a[i] = l[i] + l[i + 8];
	for (int i = 0; i < 4; i++)
		a[i] += a[i + 4];
	for (int i = 0; i < 2; i++)
		a[i] += a[i + 2];
	return a[0] + a[1];
}

// Pairs [i, n) of a chunk into its lanes le and lx (i and n counted from
// the chunk's start, so pair i goes to lane i%16), and their largest |e|
// into *m: the scalar variant, and the tails of the others.
static QB_INLINE void sc_error_from(double le[16], double lx[16], double *m, const float *x, const float *y, size_t i,
                                    size_t n) {
	double mx = *m;
	for (; i < n; i++) {
		double xd = (double)x[i], e = xd - (double)y[i];
		double ee = e * e, xx = xd * xd; // rounded: separate statements, never fused
		le[i % 16] += ee;
		lx[i % 16] += xx;
		double a = fabs(e);
		mx = a > mx ? a : mx;
	}
	*m = mx;
}

// One chunk: the lanes from +0, all n pairs.
static void sc_error_chunk(double le[16], double lx[16], double *m, const float *x, const float *y, size_t n) {
	for (int l = 0; l < 16; l++)
		le[l] = lx[l] = 0;
	sc_error_from(le, lx, m, x, y, 0, n);
}

// QB_ERROR_FUNC defines PREFIX_error_sums over the chunks from the
// variant's PREFIX_error_chunk.
#define QB_ERROR_FUNC(PREFIX, ATTR)                                                                  \
	ATTR static qb_error PREFIX##_error_sums(const float *x, const float *y, size_t n) {             \
		qb_error r = {QB_OK, 0, 0, 0};                                                               \
		for (size_t c = 0; c < n; c += QB_ERROR_CHUNK) {                                             \
			size_t len = n - c < QB_ERROR_CHUNK ? n - c : QB_ERROR_CHUNK;                            \
			double le[16], lx[16], m = 0;                                                            \
			PREFIX##_error_chunk(le, lx, &m, x + c, y + c, len);                                     \
			double sse = qb_error_lanes(le), ss = qb_error_lanes(lx);                                \
			if (!isfinite(sse) || !isfinite(ss)) {                                                   \
				r.status = QB_NOT_FINITE;                                                            \
				return r;                                                                            \
			}                                                                                        \
			r.sse += sse;                                                                            \
			r.ss += ss;                                                                              \
			r.max = m > r.max ? m : r.max;                                                           \
		}                                                                                            \
		return r;                                                                                    \
	}

QB_ERROR_FUNC(sc, )

// Q8_0 (GGUF): blocks of 32 values, each stored as d (binary16,
// little-endian) and 32 int8 q. Lengths are whole blocks.
#define QB_Q8_0_VALUES 32
#define QB_Q8_0_BYTES 34

// The status of an encoding whose d is max|x| / div (127 for Q8_0, 8 for
// Q4_0's |d|) from the largest max|x| (float32 bits) of its input, as
// package quant decides it: a NaN or infinity, or a d beyond binary16. d
// grows with max|x|, so the block holding the largest fails first: one
// reduction over the whole input decides.
static int absmax_status(uint32_t top, float div) {
	if (top >= 0x7F800000)
		return QB_NOT_FINITE;
	if ((sc_to_f16(u2f(top) / div) & 0x7FFF) == 0x7C00)
		return QB_RANGE;
	return QB_OK;
}

static int q8_0_status(uint32_t top) { return absmax_status(top, 127.0f); }

// The same from the largest |x| bits of a 16-bit input of kind QB_SRC_F16
// or QB_SRC_BF16, as package quant widens them: binary16 by its exact
// conversion, bfloat16 by <<16 (infinities and NaNs widen to float32
// infinities and NaNs, the rest in order).
static int q8_0_status16(uint16_t top, int kind) {
	return q8_0_status(kind == QB_SRC_BF16 ? (uint32_t)top << 16 : f2u(sc_from_f16(top)));
}

static uint16_t sc_absmax_bits16(const uint16_t *src, size_t n) {
	uint16_t m = 0;
	for (size_t i = 0; i < n; i++) {
		uint16_t a = src[i] & 0x7FFF;
		m = a > m ? a : m;
	}
	return m;
}

static inline void store_u16le(uint8_t *p, uint16_t v) {
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline uint16_t load_u16le(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

// One block of package quant's algorithm: d = f16(a/127), q =
// clamp(roundEven(x * (1/d)), -127, 127) against d as stored. x is
// finite (the caller checked).
static void sc_encode_block(uint8_t *out, const float *x) {
	uint32_t m = sc_absmax_bits(x, QB_Q8_0_VALUES);
	uint16_t d = sc_to_f16(u2f(m) / 127.0f);
	float id = (d & 0x7FFF) != 0 ? 1.0f / sc_from_f16(d) : 0.0f;
	store_u16le(out, d);
	for (int j = 0; j < QB_Q8_0_VALUES; j++)
		out[2 + j] = (uint8_t)round_clamp(x[j] * id, -127.0f, 127.0f);
}

// The encoders check the whole input first, as package quant does, so
// that a failing call writes nothing: two passes over the input.
static int sc_encode_q8_0(uint8_t *dst, const float *src, size_t n) {
	int status = q8_0_status(sc_absmax_bits(src, n));
	if (status != QB_OK)
		return status;
	for (size_t b = 0; b < n / QB_Q8_0_VALUES; b++)
		sc_encode_block(dst + b * QB_Q8_0_BYTES, src + b * QB_Q8_0_VALUES);
	return QB_OK;
}

// From 16-bit values of kind QB_SRC_F16 or QB_SRC_BF16 (a constant after
// inlining): each block widened exactly, then encoded as above.
static QB_INLINE int sc_encode_q8_0_16(uint8_t *dst, const uint16_t *src, size_t n, int kind) {
	int status = q8_0_status16(sc_absmax_bits16(src, n), kind);
	if (status != QB_OK)
		return status;
	for (size_t b = 0; b < n / QB_Q8_0_VALUES; b++) {
		float x[QB_Q8_0_VALUES];
		if (kind == QB_SRC_BF16)
			sc_bf16_to_f32(x, src + b * QB_Q8_0_VALUES, QB_Q8_0_VALUES);
		else
			sc_f16_to_f32(x, src + b * QB_Q8_0_VALUES, QB_Q8_0_VALUES);
		sc_encode_block(dst + b * QB_Q8_0_BYTES, x);
	}
	return QB_OK;
}

static int sc_encode_q8_0_f16(uint8_t *dst, const uint16_t *src, size_t n) {
	return sc_encode_q8_0_16(dst, src, n, QB_SRC_F16);
}

static int sc_encode_q8_0_bf16(uint8_t *dst, const uint16_t *src, size_t n) {
	return sc_encode_q8_0_16(dst, src, n, QB_SRC_BF16);
}

static void sc_decode_q8_0(float *dst, const uint8_t *src, size_t n) {
	for (size_t b = 0; b < n / QB_Q8_0_VALUES; b++) {
		const uint8_t *in = src + b * QB_Q8_0_BYTES;
		float d = sc_from_f16(load_u16le(in));
		for (int j = 0; j < QB_Q8_0_VALUES; j++)
			dst[b * QB_Q8_0_VALUES + j] = (float)(int8_t)in[2 + j] * d;
	}
}

// Q4_0 and Q4_1 (GGUF): blocks of 32 values, each stored as d (Q4_0), or
// d and m (Q4_1), binary16 little-endian, then 16 bytes, byte j holding q
// of value j in its low nibble and q of value j+16 in its high one.
#define QB_Q4_0_BYTES 18
#define QB_Q4_1_BYTES 20
enum { QB_Q4_0 = 0, QB_Q4_1 = 1 }; // formats, a constant after inlining

static inline uint32_t key_bits(int32_t k) { return (uint32_t)order_key((uint32_t)k); } // its own inverse

// The status of block x as package quant's per-block check decides it: a
// NaN or infinity, or for Q4_0 |e|/8, for Q4_1 min or (max - min)/15,
// beyond binary16.
static int q4_block_status(const float *x, int fmt) {
	uint32_t a = sc_absmax_bits(x, 32);
	if (a >= 0x7F800000)
		return QB_NOT_FINITE;
	if (fmt == QB_Q4_0)
		return absmax_status(a, 8.0f);
	qb_keys k = sc_minmax_keys(x, 32);
	float lo = u2f(key_bits(k.lo)), hi = u2f(key_bits(k.hi));
	if ((sc_to_f16(lo) & 0x7FFF) == 0x7C00 || (sc_to_f16((hi - lo) / 15.0f) & 0x7FFF) == 0x7C00)
		return QB_RANGE;
	return QB_OK;
}

// The status of a Q4 encoding from the largest max|x| (float32 bits) of
// its input, as package quant decides it: for Q4_0 as Q8_0's (|d| grows
// with max|x|); for Q4_1, below 65520 every min and d is representable.
// Beyond, each block in order, for the first failing one's status.
static int q4_status(uint32_t top, const float *src, size_t n, int fmt) {
	if (top < 0x7F800000 && (fmt == QB_Q4_0 ? absmax_status(top, 8.0f) == QB_OK : u2f(top) < 65520.0f))
		return QB_OK;
	for (size_t b = 0; b < n / 32; b++) {
		int status = q4_block_status(src + b * 32, fmt);
		if (status != QB_OK)
			return status;
	}
	return QB_OK;
}

// The nibble of t, clamped to [lo, lo + 15] and rounded to nearest even,
// then offset to [0, 15] (lo = -8 for Q4_0, 0 for Q4_1).
static inline uint8_t sc_nibble(float t, float lo) { return (uint8_t)(round_clamp(t, lo, lo + 15.0f) - (int)lo); }

// One block of package quant's algorithms (fallback.EncodeQ4_0 and
// EncodeQ4_1). x is finite and its d and m representable (the caller
// checked).
static void sc_encode_q4_block(uint8_t *out, const float *x, int fmt) {
	float id, sub = 0.0f, lo = -8.0f;
	int head = 2;
	if (fmt == QB_Q4_0) {
		uint32_t a = 0;
		float e = 0.0f; // the first of largest magnitude (+0 if all are zeros)
		for (int j = 0; j < 32; j++) {
			uint32_t m = f2u(x[j]) & 0x7FFFFFFF;
			if (m > a) {
				a = m;
				e = x[j];
			}
		}
		uint16_t d = sc_to_f16(e / -8.0f);
		id = (d & 0x7FFF) != 0 ? 1.0f / sc_from_f16(d) : 0.0f;
		store_u16le(out, d);
	} else {
		float mn = 0x1.fffffep127f, mx = -0x1.fffffep127f; // the first of equals
		for (int j = 0; j < 32; j++) {
			mn = x[j] < mn ? x[j] : mn;
			mx = x[j] > mx ? x[j] : mx;
		}
		uint16_t d = sc_to_f16((mx - mn) / 15.0f), m = sc_to_f16(mn);
		id = (d & 0x7FFF) != 0 ? 1.0f / sc_from_f16(d) : 0.0f;
		sub = sc_from_f16(m);
		lo = 0.0f;
		head = 4;
		store_u16le(out, d);
		store_u16le(out + 2, m);
	}
	for (int j = 0; j < 16; j++)
		out[head + j] = sc_nibble((x[j] - sub) * id, lo) | sc_nibble((x[j + 16] - sub) * id, lo) << 4;
}

// Check, then encode: a failing call writes nothing.
static QB_INLINE int sc_encode_q4(uint8_t *dst, const float *src, size_t n, int fmt) {
	int status = q4_status(sc_absmax_bits(src, n), src, n, fmt);
	if (status != QB_OK)
		return status;
	size_t bytes = fmt == QB_Q4_0 ? QB_Q4_0_BYTES : QB_Q4_1_BYTES;
	for (size_t b = 0; b < n / 32; b++)
		sc_encode_q4_block(dst + b * bytes, src + b * 32, fmt);
	return QB_OK;
}

static int sc_encode_q4_0(uint8_t *dst, const float *src, size_t n) { return sc_encode_q4(dst, src, n, QB_Q4_0); }
static int sc_encode_q4_1(uint8_t *dst, const float *src, size_t n) { return sc_encode_q4(dst, src, n, QB_Q4_1); }

// (q - 8) * d for Q4_0; q * d + m for Q4_1, a multiply and then an add
// whose NaN, with both operands NaN, is the product's.
static QB_INLINE void sc_decode_q4(float *dst, const uint8_t *src, size_t n, int fmt) {
	size_t bytes = fmt == QB_Q4_0 ? QB_Q4_0_BYTES : QB_Q4_1_BYTES;
	int head = fmt == QB_Q4_0 ? 2 : 4, off = fmt == QB_Q4_0 ? 8 : 0;
	for (size_t b = 0; b < n / 32; b++) {
		const uint8_t *in = src + b * bytes;
		float *out = dst + b * 32, d = sc_from_f16(load_u16le(in));
		float m = fmt == QB_Q4_1 ? sc_from_f16(load_u16le(in + 2)) : 0.0f;
		for (int j = 0; j < 16; j++) {
			float lo = (float)((in[head + j] & 15) - off) * d, hi = (float)((in[head + j] >> 4) - off) * d;
			if (fmt == QB_Q4_1) { // a NaN product wins, as first operand of the add (C may swap them)
				lo = lo != lo ? lo : lo + m;
				hi = hi != hi ? hi : hi + m;
			}
			out[j] = lo;
			out[j + 16] = hi;
		}
	}
}

static void sc_decode_q4_0(float *dst, const uint8_t *src, size_t n) { sc_decode_q4(dst, src, n, QB_Q4_0); }
static void sc_decode_q4_1(float *dst, const uint8_t *src, size_t n) { sc_decode_q4(dst, src, n, QB_Q4_1); }

// ---- llama.cpp's reference Q8_0 algorithm, written from the format's
// definition: d = max|x| / 127 and id = 1/d (or 0) in float32, d stored
// as binary16 (round to nearest even), q = roundf(x*id), half away from
// zero, against d before its rounding and without a clamp. d is package
// quant's byte for byte; q may differ by one. Finite inputs only: it has
// no status. Its decoder is the same product as package quant's, which
// c-scalar measures. ----

static int llama_encode_q8_0(uint8_t *dst, const float *src, size_t n) {
	for (size_t b = 0; b < n / QB_Q8_0_VALUES; b++) {
		const float *x = src + b * QB_Q8_0_VALUES;
		uint8_t *out = dst + b * QB_Q8_0_BYTES;
		float amax = 0.0f;
		for (int j = 0; j < QB_Q8_0_VALUES; j++) {
			float a = fabsf(x[j]);
			amax = a > amax ? a : amax;
		}
		float d = amax / 127.0f;
		float id = d != 0.0f ? 1.0f / d : 0.0f;
		store_u16le(out, sc_to_f16(d));
		for (int j = 0; j < QB_Q8_0_VALUES; j++)
			out[2 + j] = (uint8_t)(int8_t)roundf(x[j] * id);
	}
	return QB_OK;
}

// llama.cpp's reference Q4_0 and Q4_1 algorithms, written from their
// definitions: Q4_0 takes e, the first value of largest magnitude (0 if
// all are zeros), d = e / -8 and id = 1/d (or 0) in float32, d stored as
// binary16, and q = min(15, (int)(x*id + 8.5)); Q4_1 takes min and max
// (the first of equals), d = (max - min) / 15, id = 1/d (or 0), d and min
// stored as binary16, and q = min(15, (int)((x - min)*id + 0.5)): rounded
// half up against d and min before their rounding. d and m are package
// quant's byte for byte; q may differ. Finite inputs only.
static int llama_encode_q4(uint8_t *dst, const float *src, size_t n, int fmt) {
	size_t bytes = fmt == QB_Q4_0 ? QB_Q4_0_BYTES : QB_Q4_1_BYTES;
	for (size_t b = 0; b < n / 32; b++) {
		const float *x = src + b * 32;
		uint8_t *out = dst + b * bytes;
		float d, sub = 0.0f, half = 8.5f;
		int head = 2;
		if (fmt == QB_Q4_0) {
			float amax = 0.0f, e = 0.0f;
			for (int j = 0; j < 32; j++) {
				if (amax < fabsf(x[j])) {
					amax = fabsf(x[j]);
					e = x[j];
				}
			}
			d = e / -8.0f;
			store_u16le(out, sc_to_f16(d));
		} else {
			float mn = 0x1.fffffep127f, mx = -0x1.fffffep127f;
			for (int j = 0; j < 32; j++) {
				if (x[j] < mn)
					mn = x[j];
				if (x[j] > mx)
					mx = x[j];
			}
			d = (mx - mn) / 15.0f;
			sub = mn;
			half = 0.5f;
			head = 4;
			store_u16le(out, sc_to_f16(d));
			store_u16le(out + 2, sc_to_f16(mn));
		}
		float id = d != 0.0f ? 1.0f / d : 0.0f;
		for (int j = 0; j < 16; j++) {
			int q0 = (int)((x[j] - sub) * id + half), q1 = (int)((x[j + 16] - sub) * id + half);
			out[head + j] = (uint8_t)((q0 < 15 ? q0 : 15) | (q1 < 15 ? q1 : 15) << 4);
		}
	}
	return QB_OK;
}

// ---- x86-64 AVX2 + F16C. ----

#if defined(QB_X86)
#define QB_AVX2 __attribute__((target("avx2,f16c")))

QB_AVX2 static void avx2_f32_to_f16(uint16_t *dst, const float *src, size_t n) {
	size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		__m128i a = _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT);
		__m128i b = _mm256_cvtps_ph(_mm256_loadu_ps(src + i + 8), _MM_FROUND_TO_NEAREST_INT);
		_mm_storeu_si128((__m128i *)(dst + i), a);
		_mm_storeu_si128((__m128i *)(dst + i + 8), b);
	}
	for (; i + 8 <= n; i += 8)
		_mm_storeu_si128((__m128i *)(dst + i), _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
	_mm256_zeroupper(); // the tail call below would skip GCC's own VZEROUPPER
	sc_f32_to_f16(dst + i, src + i, n - i);
}

QB_AVX2 static void avx2_f16_to_f32(float *dst, const uint16_t *src, size_t n) {
	size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		__m256 a = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + i)));
		__m256 b = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + i + 8)));
		_mm256_storeu_ps(dst + i, a);
		_mm256_storeu_ps(dst + i + 8, b);
	}
	for (; i + 8 <= n; i += 8)
		_mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + i))));
	_mm256_zeroupper(); // the tail call below would skip GCC's own VZEROUPPER
	sc_f16_to_f32(dst + i, src + i, n - i);
}

// Round to nearest even on the integer bits, NaNs quieted: 8 lanes, each
// result in the low 16 bits of its lane.
QB_AVX2 static inline __m256i avx2_bf16_lanes(__m256i x) {
	const __m256i absmask = _mm256_set1_epi32(0x7FFFFFFF);
	const __m256i inf = _mm256_set1_epi32(0x7F800000);
	__m256i isnan = _mm256_cmpgt_epi32(_mm256_and_si256(x, absmask), inf);
	__m256i hi = _mm256_srli_epi32(x, 16);
	__m256i odd = _mm256_and_si256(hi, _mm256_set1_epi32(1));
	__m256i r = _mm256_add_epi32(_mm256_add_epi32(x, _mm256_set1_epi32(0x7FFF)), odd);
	r = _mm256_srli_epi32(r, 16);
	__m256i nan = _mm256_or_si256(hi, _mm256_set1_epi32(0x0040));
	return _mm256_blendv_epi8(r, nan, isnan);
}

QB_AVX2 static void avx2_f32_to_bf16(uint16_t *dst, const float *src, size_t n) {
	size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		__m256i a = avx2_bf16_lanes(_mm256_loadu_si256((const __m256i *)(src + i)));
		__m256i b = avx2_bf16_lanes(_mm256_loadu_si256((const __m256i *)(src + i + 8)));
		// packus works per 128-bit lane: a0-3 b0-3 | a4-7 b4-7.
		__m256i p = _mm256_permute4x64_epi64(_mm256_packus_epi32(a, b), 0xD8);
		_mm256_storeu_si256((__m256i *)(dst + i), p);
	}
	_mm256_zeroupper(); // the tail call below would skip GCC's own VZEROUPPER
	sc_f32_to_bf16(dst + i, src + i, n - i);
}

QB_AVX2 static void avx2_bf16_to_f32(float *dst, const uint16_t *src, size_t n) {
	size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		__m256i a = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(src + i)));
		__m256i b = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(src + i + 8)));
		_mm256_storeu_si256((__m256i *)(dst + i), _mm256_slli_epi32(a, 16));
		_mm256_storeu_si256((__m256i *)(dst + i + 8), _mm256_slli_epi32(b, 16));
	}
	_mm256_zeroupper(); // the tail call below would skip GCC's own VZEROUPPER
	sc_bf16_to_f32(dst + i, src + i, n - i);
}

QB_AVX2 static inline uint32_t avx2_hmax_epu32(__m256i v) {
	__m128i m = _mm_max_epu32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
	m = _mm_max_epu32(m, _mm_shuffle_epi32(m, 0x4E));
	m = _mm_max_epu32(m, _mm_shuffle_epi32(m, 0xB1));
	return (uint32_t)_mm_cvtsi128_si32(m);
}

QB_AVX2 static uint32_t avx2_absmax_bits(const float *src, size_t n) {
	const __m256i absmask = _mm256_set1_epi32(0x7FFFFFFF);
	__m256i m0 = _mm256_setzero_si256(), m1 = m0, m2 = m0, m3 = m0;
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		m0 = _mm256_max_epu32(m0, _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(src + i)), absmask));
		m1 = _mm256_max_epu32(m1, _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(src + i + 8)), absmask));
		m2 = _mm256_max_epu32(m2, _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(src + i + 16)), absmask));
		m3 = _mm256_max_epu32(m3, _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(src + i + 24)), absmask));
	}
	for (; i + 8 <= n; i += 8)
		m0 = _mm256_max_epu32(m0, _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(src + i)), absmask));
	m0 = _mm256_max_epu32(_mm256_max_epu32(m0, m1), _mm256_max_epu32(m2, m3));
	uint32_t m = avx2_hmax_epu32(m0), t = sc_absmax_bits(src + i, n - i);
	return t > m ? t : m;
}

QB_AVX2 static inline __m256i avx2_keys(__m256i x) {
	return _mm256_xor_si256(x, _mm256_srli_epi32(_mm256_srai_epi32(x, 31), 1));
}

QB_AVX2 static qb_keys avx2_minmax_keys(const float *src, size_t n) {
	if (n < 16)
		return sc_minmax_keys(src, n);
	__m256i lo0 = _mm256_set1_epi32(INT32_MAX), lo1 = lo0;
	__m256i hi0 = _mm256_set1_epi32(INT32_MIN), hi1 = hi0;
	size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		__m256i a = avx2_keys(_mm256_loadu_si256((const __m256i *)(src + i)));
		__m256i b = avx2_keys(_mm256_loadu_si256((const __m256i *)(src + i + 8)));
		lo0 = _mm256_min_epi32(lo0, a);
		hi0 = _mm256_max_epi32(hi0, a);
		lo1 = _mm256_min_epi32(lo1, b);
		hi1 = _mm256_max_epi32(hi1, b);
	}
	__m256i lo = _mm256_min_epi32(lo0, lo1), hi = _mm256_max_epi32(hi0, hi1);
	__m128i l = _mm_min_epi32(_mm256_castsi256_si128(lo), _mm256_extracti128_si256(lo, 1));
	__m128i h = _mm_max_epi32(_mm256_castsi256_si128(hi), _mm256_extracti128_si256(hi, 1));
	l = _mm_min_epi32(l, _mm_shuffle_epi32(l, 0x4E));
	h = _mm_max_epi32(h, _mm_shuffle_epi32(h, 0x4E));
	l = _mm_min_epi32(l, _mm_shuffle_epi32(l, 0xB1));
	h = _mm_max_epi32(h, _mm_shuffle_epi32(h, 0xB1));
	qb_keys r = {_mm_cvtsi128_si32(l), _mm_cvtsi128_si32(h)};
	if (i < n) {
		qb_keys t = sc_minmax_keys(src + i, n - i);
		r.lo = t.lo < r.lo ? t.lo : r.lo;
		r.hi = t.hi > r.hi ? t.hi : r.hi;
	}
	return r;
}

// Four vectors of 8 int32 in [-128, 127] to 32 int8, in order.
QB_AVX2 static inline __m256i avx2_pack_i8(__m256i a, __m256i b, __m256i c, __m256i d) {
	// packs works per 128-bit lane, leaving 4-byte groups in the order
	// a0 b0 c0 d0 a1 b1 c1 d1 (a0 = a's first four bytes).
	__m256i p = _mm256_packs_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
	return _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

// VCVTPS2DQ rounds with MXCSR, which Go leaves at round to nearest even.
#define QB_AVX2_QUANT(NAME, EXPR, LO, HI, TAIL)                                                   \
	QB_AVX2 static void NAME(int8_t *dst, const float *src, size_t n, float scale, float zero) {   \
		const __m256 s = _mm256_set1_ps(scale), z = _mm256_set1_ps(zero);                         \
		const __m256 lo = _mm256_set1_ps(LO), hi = _mm256_set1_ps(HI);                            \
		(void)z;                                                                                   \
		size_t i = 0;                                                                              \
		for (; i + 32 <= n; i += 32) {                                                             \
			__m256i q[4];                                                                          \
			for (int j = 0; j < 4; j++) {                                                          \
				__m256 x = _mm256_loadu_ps(src + i + 8 * j);                                       \
				__m256 v = EXPR;                                                                   \
				v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);                                       \
				q[j] = _mm256_cvtps_epi32(v);                                                      \
			}                                                                                      \
			_mm256_storeu_si256((__m256i *)(dst + i), avx2_pack_i8(q[0], q[1], q[2], q[3]));       \
		}                                                                                          \
		_mm256_zeroupper();                                                                        \
		TAIL;                                                                                      \
	}

QB_AVX2_QUANT(avx2_quantize_absmax_k, _mm256_mul_ps(x, s), -127.0f, 127.0f,
              sc_quantize_absmax(dst + i, src + i, n - i, scale))
QB_AVX2_QUANT(avx2_quantize_zeropoint, _mm256_add_ps(_mm256_mul_ps(x, s), z), -128.0f, 127.0f,
              sc_quantize_zeropoint(dst + i, src + i, n - i, scale, zero))

static void avx2_quantize_absmax(int8_t *dst, const float *src, size_t n, float scale) {
	avx2_quantize_absmax_k(dst, src, n, scale, 0);
}

QB_AVX2 static void avx2_dequantize_zeropoint(float *dst, const int8_t *src, size_t n, float scale, int32_t zero) {
	const __m256 s = _mm256_set1_ps(scale);
	const __m256i z = _mm256_set1_epi32(zero);
	size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		for (int j = 0; j < 2; j++) {
			__m256i q = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(src + i + 8 * j)));
			__m256 v = _mm256_cvtepi32_ps(_mm256_sub_epi32(q, z));
			_mm256_storeu_ps(dst + i + 8 * j, _mm256_div_ps(v, s));
		}
	}
	_mm256_zeroupper(); // the tail call below would skip GCC's own VZEROUPPER
	sc_dequantize_zeropoint(dst + i, src + i, n - i, scale, zero);
}

// Q8_0, four blocks per iteration: their maxima are reduced together
// (one transpose-and-max instead of four horizontal reductions), their
// scales computed in one vector, then each block quantized from L1.

// Eight values from src at element i, as float32: src of kind QB_SRC_F32,
// binary16 widened exactly by VCVTPH2PS (QB_SRC_F16), or bfloat16 widened
// by a zero extension and a shift (QB_SRC_BF16). kind is a constant after
// inlining.
QB_AVX2 static QB_INLINE __m256 avx2_load8(const void *src, size_t i, int kind) {
	if (kind == QB_SRC_F16)
		return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const uint16_t *)src + i)));
	if (kind == QB_SRC_BF16) {
		__m256i h = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)((const uint16_t *)src + i)));
		return _mm256_castsi256_ps(_mm256_slli_epi32(h, 16));
	}
	return _mm256_loadu_ps((const float *)src + i);
}

// The largest |x| bits of the block at element i, in each of 8 lanes.
QB_AVX2 static QB_INLINE __m256i avx2_block_max(const void *src, size_t i, int kind) {
	const __m256i absmask = _mm256_set1_epi32(0x7FFFFFFF);
	__m256i a = _mm256_and_si256(_mm256_castps_si256(avx2_load8(src, i, kind)), absmask);
	__m256i b = _mm256_and_si256(_mm256_castps_si256(avx2_load8(src, i + 8, kind)), absmask);
	__m256i c = _mm256_and_si256(_mm256_castps_si256(avx2_load8(src, i + 16, kind)), absmask);
	__m256i d = _mm256_and_si256(_mm256_castps_si256(avx2_load8(src, i + 24, kind)), absmask);
	return _mm256_max_epu32(_mm256_max_epu32(a, b), _mm256_max_epu32(c, d));
}

// Lane j of the result is the maximum (OP: unsigned max, or signed min or
// max for the Q4_1 keys) of the 8 lanes of mj.
#define QB_AVX2_H4(NAME, OP256, OP128)                                                            \
	QB_AVX2 static QB_INLINE __m128i NAME(__m256i m0, __m256i m1, __m256i m2, __m256i m3) {        \
		/* Per 128-bit half: {m0[0,2], m1[0,2], m0[1,3], m1[1,3]}, then                         \
		   {m0[0..3], m1[0..3], m2[0..3], m3[0..3]}, then both halves. */                         \
		__m256i a = OP256(_mm256_unpacklo_epi32(m0, m1), _mm256_unpackhi_epi32(m0, m1));          \
		__m256i b = OP256(_mm256_unpacklo_epi32(m2, m3), _mm256_unpackhi_epi32(m2, m3));          \
		__m256i c = OP256(_mm256_unpacklo_epi64(a, b), _mm256_unpackhi_epi64(a, b));              \
		return OP128(_mm256_castsi256_si128(c), _mm256_extracti128_si256(c, 1));                  \
	}
QB_AVX2_H4(avx2_hmax4, _mm256_max_epu32, _mm_max_epu32)
QB_AVX2_H4(avx2_hmin4_epi32, _mm256_min_epi32, _mm_min_epi32)
QB_AVX2_H4(avx2_hmax4_epi32, _mm256_max_epi32, _mm_max_epi32)

// The scales of four blocks from their max|x| bits: d = f16(a/div) (div
// 127 for Q8_0, 8 for Q4_0's |d|) in the low four halves of *dh
// (VCVTPS2PH $0 rounds to nearest even), and 1/float(d), 0 where d is 0,
// returned.
QB_AVX2 static QB_INLINE __m128 avx2_absmax_scales(__m128i amax, float div, __m128i *dh) {
	__m128 d = _mm_div_ps(_mm_castsi128_ps(amax), _mm_set1_ps(div));
	__m128i h = _mm_cvtps_ph(d, _MM_FROUND_TO_NEAREST_INT);
	__m128 df = _mm_cvtph_ps(h);
	__m128 id = _mm_div_ps(_mm_set1_ps(1.0f), df);
	*dh = h;
	return _mm_andnot_ps(_mm_cmpeq_ps(df, _mm_setzero_ps()), id);
}

// One 34-byte block: d, then q = roundEven(x*id) (VCVTPS2DQ, MXCSR at
// nearest even) clamped to [-127, 127]. |x*id| stays below 191 for finite
// x, so the saturating packs clamp the top and one byte max the bottom.
QB_AVX2 static QB_INLINE void avx2_q8_0_block(uint8_t *out, const void *src, size_t i, int kind, __m256 id, int d) {
	store_u16le(out, (uint16_t)d);
	__m256i q0 = _mm256_cvtps_epi32(_mm256_mul_ps(avx2_load8(src, i, kind), id));
	__m256i q1 = _mm256_cvtps_epi32(_mm256_mul_ps(avx2_load8(src, i + 8, kind), id));
	__m256i q2 = _mm256_cvtps_epi32(_mm256_mul_ps(avx2_load8(src, i + 16, kind), id));
	__m256i q3 = _mm256_cvtps_epi32(_mm256_mul_ps(avx2_load8(src, i + 24, kind), id));
	__m256i q = _mm256_max_epi8(avx2_pack_i8(q0, q1, q2, q3), _mm256_set1_epi8(-127));
	_mm256_storeu_si256((__m256i *)(out + 2), q);
}

// Four vectors of 8 values t, clamped to [lo, lo + 15] and rounded to
// nearest even (clamping first is the same for integer bounds), offset
// to [0, 15] and stored as 16 bytes of nibbles: byte j holds value j low,
// value j+16 high (lo = -8 for Q4_0, 0 for Q4_1).
QB_AVX2 static QB_INLINE void avx2_q4_nibbles(uint8_t *out, const __m256 t[4], float lo) {
	const __m256 l = _mm256_set1_ps(lo), h = _mm256_set1_ps(lo + 15.0f);
	__m256i q[4];
	for (int j = 0; j < 4; j++)
		q[j] = _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(t[j], l), h));
	__m256i p = _mm256_sub_epi8(avx2_pack_i8(q[0], q[1], q[2], q[3]), _mm256_set1_epi8((char)lo));
	// Each byte is at most 15: shifting 16-bit lanes by 4 carries nothing
	// into the next byte.
	__m128i b = _mm_or_si128(_mm256_castsi256_si128(p), _mm_slli_epi16(_mm256_extracti128_si256(p, 1), 4));
	_mm_storeu_si128((__m128i *)out, b);
}

// The 32 bits of a mask of 32 values, value j at bit j, from the sign
// bits of four vectors.
QB_AVX2 static QB_INLINE uint32_t avx2_mask32(__m256 m0, __m256 m1, __m256 m2, __m256 m3) {
	return (uint32_t)_mm256_movemask_ps(m0) | (uint32_t)_mm256_movemask_ps(m1) << 8 |
	       (uint32_t)_mm256_movemask_ps(m2) << 16 | (uint32_t)_mm256_movemask_ps(m3) << 24;
}

// Bit (1 << 15) set if the first of the 32 values whose |x| bits are a is
// negative (a is their max|x|, so one is).
QB_AVX2 static QB_INLINE int avx2_first_sign(const __m256 x[4], uint32_t a) {
	const __m256i absmask = _mm256_set1_epi32(0x7FFFFFFF), av = _mm256_set1_epi32((int)a);
	__m256 eq[4];
	for (int j = 0; j < 4; j++)
		eq[j] = _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_and_si256(_mm256_castps_si256(x[j]), absmask), av));
	uint32_t first = (uint32_t)__builtin_ctz(avx2_mask32(eq[0], eq[1], eq[2], eq[3]));
	return (int)(avx2_mask32(x[0], x[1], x[2], x[3]) >> first & 1) << 15;
}

// One 18-byte Q4_0 block, given |d| (binary16 bits) and 1/|d| from the
// block's max|x| bits a: e, the first value of largest magnitude (+0 if
// all are zeros), gives d = e/-8 the other sign, then q = roundEven(x*id)
// + 8 clamped to [0, 15] (VCVTPS2DQ, MXCSR at nearest even).
QB_AVX2 static QB_INLINE void avx2_q4_0_block(uint8_t *out, const float *src, __m256 id, int d, uint32_t a) {
	__m256 x[4], t[4];
	for (int j = 0; j < 4; j++)
		x[j] = _mm256_loadu_ps(src + 8 * j);
	int neg = a != 0 ? avx2_first_sign(x, a) : 0; // e's sign bit
	d |= neg ^ 0x8000;
	store_u16le(out, (uint16_t)d);
	id = _mm256_xor_ps(id, _mm256_castsi256_ps(_mm256_set1_epi32((neg ^ 0x8000) << 16)));
	for (int j = 0; j < 4; j++)
		t[j] = _mm256_mul_ps(x[j], id);
	avx2_q4_nibbles(out + 2, t, -8.0f);
}

// Lane j of v in all 8 lanes.
#define QB_AVX2_LANE(v, j) _mm256_permutevar8x32_ps(_mm256_castps128_ps256(v), _mm256_set1_epi32(j))

// Block k of four at out and element i + 32k of src, of format fmt
// (QB_Q8_0_BYTES for Q8_0, QB_Q4_0_BYTES for Q4_0, float32 only), given
// the lanes k of the four blocks' scales (id, dh) and max|x| bits.
#define QB_AVX2_ABSMAX_BLOCK(k, bytes)                                                                   \
	do {                                                                                               \
		if ((bytes) == QB_Q8_0_BYTES)                                                                  \
			avx2_q8_0_block(out + (k) * (bytes), src, i + 32 * (k), kind, QB_AVX2_LANE(id, k),            \
			                _mm_extract_epi16(dh, k));                                                  \
		else                                                                                           \
			avx2_q4_0_block(out + (k) * (bytes), (const float *)src + i + 32 * (k), QB_AVX2_LANE(id, k), \
			                _mm_extract_epi16(dh, k), (uint32_t)_mm_extract_epi32(amax, k));            \
	} while (0)

// The encoding pass over src of the given kind (QB_SRC_*) into blocks of
// bytes (QB_Q8_0_BYTES or QB_Q4_0_BYTES), both constants after inlining:
// finite x only (the callers check first).
QB_AVX2 static QB_INLINE void avx2_encode_absmax_any(uint8_t *dst, const void *src, size_t n, int kind, int bytes) {
	const float div = bytes == QB_Q8_0_BYTES ? 127.0f : 8.0f;
	size_t blocks = n / QB_Q8_0_VALUES, b = 0;
	for (; b + 4 <= blocks; b += 4) {
		size_t i = b * QB_Q8_0_VALUES;
		__m128i amax = avx2_hmax4(avx2_block_max(src, i, kind), avx2_block_max(src, i + 32, kind),
		                          avx2_block_max(src, i + 64, kind), avx2_block_max(src, i + 96, kind));
		__m128i dh;
		__m128 id = avx2_absmax_scales(amax, div, &dh);
		uint8_t *out = dst + b * bytes;
		QB_AVX2_ABSMAX_BLOCK(0, bytes);
		QB_AVX2_ABSMAX_BLOCK(1, bytes);
		QB_AVX2_ABSMAX_BLOCK(2, bytes);
		QB_AVX2_ABSMAX_BLOCK(3, bytes);
	}
	for (; b < blocks; b++) { // the last 0-3 blocks, one at a time
		size_t i = b * QB_Q8_0_VALUES;
		__m128i amax = _mm_cvtsi32_si128((int)avx2_hmax_epu32(avx2_block_max(src, i, kind)));
		__m128i dh;
		__m128 id = avx2_absmax_scales(amax, div, &dh);
		uint8_t *out = dst + b * bytes;
		QB_AVX2_ABSMAX_BLOCK(0, bytes);
	}
}

// Q4_1, four blocks per iteration as Q8_0 and Q4_0: their key minima and
// maxima reduced together, their d and m computed in one vector.

// The smallest and largest keys of the block at src, in each of 8 lanes.
QB_AVX2 static QB_INLINE void avx2_block_keys(const float *src, __m256i *lo, __m256i *hi) {
	__m256i k[4];
	for (int j = 0; j < 4; j++)
		k[j] = avx2_keys(_mm256_loadu_si256((const __m256i *)(src + 8 * j)));
	*lo = _mm256_min_epi32(_mm256_min_epi32(k[0], k[1]), _mm256_min_epi32(k[2], k[3]));
	*hi = _mm256_max_epi32(_mm256_max_epi32(k[0], k[1]), _mm256_max_epi32(k[2], k[3]));
}

// One 20-byte Q4_1 block, given d (binary16 bits), 1/d (0 where d is 0)
// and m (binary16 bits and as float32), and min, the block's smallest
// value (float32 bits): q = roundEven((x - m)*id) clamped to [0, 15]. A
// zero min is the first zero, with its sign: the key reduction found -0
// if there was one, and m takes the first zero's sign instead (d and the
// quants are the same for either).
QB_AVX2 static QB_INLINE void avx2_q4_1_block(uint8_t *out, const float *src, __m256 id, __m256 m, int d, int mh,
                                              uint32_t min) {
	__m256 x[4], t[4];
	for (int j = 0; j < 4; j++)
		x[j] = _mm256_loadu_ps(src + 8 * j);
	if ((min & 0x7FFFFFFF) == 0)
		mh = avx2_first_sign(x, 0);
	store_u16le(out, (uint16_t)d);
	store_u16le(out + 2, (uint16_t)mh);
	for (int j = 0; j < 4; j++)
		t[j] = _mm256_mul_ps(_mm256_sub_ps(x[j], m), id);
	avx2_q4_nibbles(out + 4, t, 0.0f);
}

#define QB_AVX2_Q4_1_BLOCK(k)                                                                        \
	avx2_q4_1_block(out + (k) * QB_Q4_1_BYTES, src + i + 32 * (k), QB_AVX2_LANE(id, k), QB_AVX2_LANE(mf, k), \
	                _mm_extract_epi16(dh, k), _mm_extract_epi16(mh, k), (uint32_t)_mm_extract_epi32(mn, k))

// The d, m (binary16 bits in the low halves of *dh and *mh, and m as
// float32 in *mf) and 1/d (0 where d is 0) of four blocks from their
// smallest and largest keys.
QB_AVX2 static QB_INLINE __m128 avx2_q4_1_scales(__m128i lo, __m128i hi, __m128i *mn, __m128i *dh, __m128i *mh,
                                                 __m128 *mf) {
	const __m128i flip = _mm_set1_epi32(0x7FFFFFFF);
	*mn = _mm_xor_si128(lo, _mm_and_si128(_mm_srai_epi32(lo, 31), flip)); // keys back to bits
	__m128i mx = _mm_xor_si128(hi, _mm_and_si128(_mm_srai_epi32(hi, 31), flip));
	__m128 d = _mm_div_ps(_mm_sub_ps(_mm_castsi128_ps(mx), _mm_castsi128_ps(*mn)), _mm_set1_ps(15.0f));
	*dh = _mm_cvtps_ph(d, _MM_FROUND_TO_NEAREST_INT);
	*mh = _mm_cvtps_ph(_mm_castsi128_ps(*mn), _MM_FROUND_TO_NEAREST_INT);
	*mf = _mm_cvtph_ps(*mh);
	__m128 df = _mm_cvtph_ps(*dh);
	return _mm_andnot_ps(_mm_cmpeq_ps(df, _mm_setzero_ps()), _mm_div_ps(_mm_set1_ps(1.0f), df));
}

QB_AVX2 static void avx2_encode_q4_1_any(uint8_t *dst, const float *src, size_t n) {
	size_t blocks = n / 32, b = 0;
	for (; b + 4 <= blocks; b += 4) {
		size_t i = b * 32;
		__m256i lo[4], hi[4];
		for (int k = 0; k < 4; k++)
			avx2_block_keys(src + i + 32 * k, &lo[k], &hi[k]);
		__m128i mn, dh, mh;
		__m128 mf, id = avx2_q4_1_scales(avx2_hmin4_epi32(lo[0], lo[1], lo[2], lo[3]),
		                                 avx2_hmax4_epi32(hi[0], hi[1], hi[2], hi[3]), &mn, &dh, &mh, &mf);
		uint8_t *out = dst + b * QB_Q4_1_BYTES;
		QB_AVX2_Q4_1_BLOCK(0);
		QB_AVX2_Q4_1_BLOCK(1);
		QB_AVX2_Q4_1_BLOCK(2);
		QB_AVX2_Q4_1_BLOCK(3);
	}
	for (; b < blocks; b++) { // the last 0-3 blocks, one at a time
		size_t i = b * 32;
		__m256i lo, hi;
		avx2_block_keys(src + i, &lo, &hi);
		__m128i mn, dh, mh;
		__m128 mf, id = avx2_q4_1_scales(avx2_hmin4_epi32(lo, lo, lo, lo), avx2_hmax4_epi32(hi, hi, hi, hi), &mn, &dh,
		                                 &mh, &mf);
		uint8_t *out = dst + b * QB_Q4_1_BYTES;
		QB_AVX2_Q4_1_BLOCK(0);
	}
}

// Check, then encode: a failing call writes nothing.
QB_AVX2 static int avx2_encode_q4_0(uint8_t *dst, const float *src, size_t n) {
	int status = q4_status(avx2_absmax_bits(src, n), src, n, QB_Q4_0);
	if (status == QB_OK)
		avx2_encode_absmax_any(dst, src, n, QB_SRC_F32, QB_Q4_0_BYTES);
	return status;
}

QB_AVX2 static int avx2_encode_q4_1(uint8_t *dst, const float *src, size_t n) {
	int status = q4_status(avx2_absmax_bits(src, n), src, n, QB_Q4_1);
	if (status == QB_OK)
		avx2_encode_q4_1_any(dst, src, n);
	return status;
}

// (q - 8) * d for Q4_0, q * d + m for Q4_1 (VMULPS, then VADDPS).
QB_AVX2 static QB_INLINE void avx2_decode_q4(float *dst, const uint8_t *src, size_t n, int fmt) {
	size_t bytes = fmt == QB_Q4_0 ? QB_Q4_0_BYTES : QB_Q4_1_BYTES;
	const __m128i low = _mm_set1_epi8(15), off = _mm_set1_epi8(fmt == QB_Q4_0 ? 8 : 0);
	for (size_t b = 0; b < n / 32; b++) {
		const uint8_t *in = src + b * bytes;
		float *out = dst + b * 32;
		__m256 d = _mm256_set1_ps(_cvtsh_ss(load_u16le(in)));
		__m256 m = _mm256_set1_ps(fmt == QB_Q4_1 ? _cvtsh_ss(load_u16le(in + 2)) : 0.0f);
		__m128i raw = _mm_loadu_si128((const __m128i *)(in + (fmt == QB_Q4_0 ? 2 : 4)));
		__m128i q[2] = {_mm_sub_epi8(_mm_and_si128(raw, low), off),
		                _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(raw, 4), low), off)};
		for (int j = 0; j < 4; j++) {
			__m128i h = q[j >> 1];
			if (j & 1)
				h = _mm_unpackhi_epi64(h, h);
			__m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(h)), d);
			if (fmt == QB_Q4_1)
				v = _mm256_add_ps(v, m);
			_mm256_storeu_ps(out + 8 * j, v);
		}
	}
}

QB_AVX2 static void avx2_decode_q4_0(float *dst, const uint8_t *src, size_t n) { avx2_decode_q4(dst, src, n, QB_Q4_0); }
QB_AVX2 static void avx2_decode_q4_1(float *dst, const uint8_t *src, size_t n) { avx2_decode_q4(dst, src, n, QB_Q4_1); }

QB_AVX2 static uint16_t avx2_absmax_bits16(const uint16_t *src, size_t n) {
	const __m256i absmask = _mm256_set1_epi16(0x7FFF);
	__m256i m0 = _mm256_setzero_si256(), m1 = m0;
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		m0 = _mm256_max_epu16(m0, _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(src + i)), absmask));
		m1 = _mm256_max_epu16(m1, _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(src + i + 16)), absmask));
	}
	m0 = _mm256_max_epu16(m0, m1);
	__m128i m = _mm_max_epu16(_mm256_castsi256_si128(m0), _mm256_extracti128_si256(m0, 1));
	// PHMINPOSUW finds the minimum: of the complements, the maximum.
	m = _mm_minpos_epu16(_mm_xor_si128(m, _mm_set1_epi16(-1)));
	uint16_t top = (uint16_t)~_mm_cvtsi128_si32(m), t = sc_absmax_bits16(src + i, n - i);
	return t > top ? t : top;
}

// Check, then encode: a failing call writes nothing. The 16-bit
// reduction serves both 16-bit formats (both order like their bits).
QB_AVX2 static int avx2_encode_q8_0(uint8_t *dst, const float *src, size_t n) {
	int status = q8_0_status(avx2_absmax_bits(src, n));
	if (status == QB_OK)
		avx2_encode_absmax_any(dst, src, n, QB_SRC_F32, QB_Q8_0_BYTES);
	return status;
}

QB_AVX2 static int avx2_encode_q8_0_f16(uint8_t *dst, const uint16_t *src, size_t n) {
	int status = q8_0_status16(avx2_absmax_bits16(src, n), QB_SRC_F16);
	if (status == QB_OK)
		avx2_encode_absmax_any(dst, src, n, QB_SRC_F16, QB_Q8_0_BYTES);
	return status;
}

QB_AVX2 static int avx2_encode_q8_0_bf16(uint8_t *dst, const uint16_t *src, size_t n) {
	int status = q8_0_status16(avx2_absmax_bits16(src, n), QB_SRC_BF16);
	if (status == QB_OK)
		avx2_encode_absmax_any(dst, src, n, QB_SRC_BF16, QB_Q8_0_BYTES);
	return status;
}

QB_AVX2 static void avx2_decode_q8_0(float *dst, const uint8_t *src, size_t n) {
	for (size_t b = 0; b < n / QB_Q8_0_VALUES; b++) {
		const uint8_t *in = src + b * QB_Q8_0_BYTES;
		float *out = dst + b * QB_Q8_0_VALUES;
		__m256 d = _mm256_set1_ps(_cvtsh_ss(load_u16le(in)));
		for (int j = 0; j < 4; j++) {
			__m256i q = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(in + 2 + 8 * j)));
			_mm256_storeu_ps(out + 8 * j, _mm256_mul_ps(_mm256_cvtepi32_ps(q), d));
		}
	}
}

// The static quantizers, 32 values a step: q as QB_AVX2_QUANT computes it,
// but clamped at 127 only, before VCVTPS2DQ, whose out-of-range result
// (0x80000000) the saturating packs turn into the grid's bottom, -128;
// absmax then takes -127 with one byte max. VCMPUNORDPS finds the NaNs.
QB_AVX2 static QB_INLINE int avx2_quantize_with(int8_t *dst, const void *src, size_t n, float scale, float zero,
                                                int kind, int zp) {
	const __m256 s = _mm256_set1_ps(scale), z = _mm256_set1_ps(zero), hi = _mm256_set1_ps(127.0f);
	const __m256i lo = _mm256_set1_epi8(-127);
	__m256 nan = _mm256_setzero_ps();
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		__m256i q[4];
		for (int j = 0; j < 4; j++) {
			__m256 x = avx2_load8(src, i + 8 * j, kind);
			nan = _mm256_or_ps(nan, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
			__m256 v = _mm256_mul_ps(x, s);
			if (zp)
				v = _mm256_add_ps(v, z);
			q[j] = _mm256_cvtps_epi32(_mm256_min_ps(v, hi));
		}
		__m256i p = avx2_pack_i8(q[0], q[1], q[2], q[3]);
		_mm256_storeu_si256((__m256i *)(dst + i), zp ? p : _mm256_max_epi8(p, lo));
	}
	int seen = !_mm256_testz_ps(nan, nan);
	return sc_with_from(dst, src, i, n, scale, zero, kind, zp) | seen;
}

QB_WITH_FUNCS(avx2, QB_AVX2)

// Fake quantization, 32 values a step: VCVTPS2DQ rounds to nearest even
// (MXCSR as Go leaves it) after the clamp, VCVTDQ2PS rounds the exact
// difference, VDIVPS divides. VCMPUNORDPS finds the NaNs.
QB_AVX2 static QB_INLINE int avx2_fake(float *dst, const float *src, size_t n, float scale, int32_t zero, int zp) {
	const __m256 s = _mm256_set1_ps(scale), z = _mm256_set1_ps((float)zero);
	const __m256 lo = _mm256_set1_ps(zp ? -128.0f : -127.0f), hi = _mm256_set1_ps(127.0f);
	const __m256i zi = _mm256_set1_epi32(zero);
	__m256 nan = _mm256_setzero_ps();
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		for (int j = 0; j < 4; j++) {
			__m256 x = _mm256_loadu_ps(src + i + 8 * j);
			nan = _mm256_or_ps(nan, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
			__m256 v = _mm256_mul_ps(x, s);
			if (zp)
				v = _mm256_add_ps(v, z);
			__m256i q = _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(v, lo), hi));
			if (zp)
				q = _mm256_sub_epi32(q, zi);
			_mm256_storeu_ps(dst + i + 8 * j, _mm256_div_ps(_mm256_cvtepi32_ps(q), s));
		}
	}
	int seen = !_mm256_testz_ps(nan, nan);
	return sc_fake_from(dst, src, i, n, scale, zero, zp) | seen;
}

QB_FAKE_FUNCS(avx2, QB_AVX2)

// Interop, 32 values a step. The quantizers clamp p to
// [-128 - zero, 127 - zero] (integers, so the clamp commutes with the
// rounding, and the sum is clamped where quant clamps it), round it with
// VCVTPS2DQ (to nearest even, MXCSR as Go leaves it), add zero in int32
// (exact, as quant's float32 sum is on the grid) and pack; a NaN takes the
// bottom (VMAXPS returns its second operand). The fake quantizer rounds
// with VROUNDPS, adds and clamps in float32 as quant does, compares for
// the mask (ordered: false for NaNs) and packs it to bytes of 0 or 1.
// VCMPUNORDPS finds the NaNs.
QB_AVX2 static QB_INLINE int avx2_interop(int8_t *dst, const float *src, size_t n, float k, int32_t zero, int onnx) {
	const __m256 kv = _mm256_set1_ps(k);
	const __m256 lo = _mm256_set1_ps((float)(-128 - zero)), hi = _mm256_set1_ps((float)(127 - zero));
	const __m256i zi = _mm256_set1_epi32(zero);
	__m256 nan = _mm256_setzero_ps();
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		__m256i q[4];
		for (int j = 0; j < 4; j++) {
			__m256 x = _mm256_loadu_ps(src + i + 8 * j);
			nan = _mm256_or_ps(nan, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
			__m256 p = onnx ? _mm256_div_ps(x, kv) : _mm256_mul_ps(x, kv);
			p = _mm256_min_ps(_mm256_max_ps(p, lo), hi);
			q[j] = _mm256_add_epi32(_mm256_cvtps_epi32(p), zi);
		}
		_mm256_storeu_si256((__m256i *)(dst + i), avx2_pack_i8(q[0], q[1], q[2], q[3]));
	}
	int seen = !_mm256_testz_ps(nan, nan);
	return sc_interop_from(dst, src, i, n, k, zero, onnx) | seen;
}

QB_AVX2 static void avx2_dequantize_affine(float *dst, const int8_t *src, size_t n, float scale, int32_t zero) {
	const __m256 s = _mm256_set1_ps(scale);
	const __m256i z = _mm256_set1_epi32(zero);
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		for (int j = 0; j < 4; j++) {
			__m256i q = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(src + i + 8 * j)));
			__m256 v = _mm256_cvtepi32_ps(_mm256_sub_epi32(q, z));
			_mm256_storeu_ps(dst + i + 8 * j, _mm256_mul_ps(v, s));
		}
	}
	_mm256_zeroupper(); // the tail call below would skip GCC's own VZEROUPPER
	sc_dequantize_affine(dst + i, src + i, n - i, scale, zero);
}

QB_AVX2 static QB_INLINE int avx2_fake_pytorch(float *dst, uint8_t *mask, const float *src, size_t n, float inv,
                                               float scale, int32_t zero, int32_t qmin, int32_t qmax, int has_mask) {
	const __m256 iv = _mm256_set1_ps(inv), s = _mm256_set1_ps(scale), z = _mm256_set1_ps((float)zero);
	const __m256 lo = _mm256_set1_ps((float)qmin), hi = _mm256_set1_ps((float)qmax);
	const __m256i one = _mm256_set1_epi8(1);
	__m256 nan = _mm256_setzero_ps();
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		__m256i in[4];
		for (int j = 0; j < 4; j++) {
			__m256 x = _mm256_loadu_ps(src + i + 8 * j);
			nan = _mm256_or_ps(nan, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
			__m256 r = _mm256_round_ps(_mm256_mul_ps(x, iv), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
			__m256 v = _mm256_add_ps(r, z);
			if (has_mask)
				in[j] = _mm256_castps_si256(
				    _mm256_and_ps(_mm256_cmp_ps(v, lo, _CMP_GE_OQ), _mm256_cmp_ps(v, hi, _CMP_LE_OQ)));
			__m256 c = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
			_mm256_storeu_ps(dst + i + 8 * j, _mm256_mul_ps(_mm256_sub_ps(c, z), s));
		}
		if (has_mask) // lanes of 0 or -1, packed to bytes of 0 or -1, then 0 or 1
			_mm256_storeu_si256((__m256i *)(mask + i), _mm256_and_si256(avx2_pack_i8(in[0], in[1], in[2], in[3]), one));
	}
	int seen = !_mm256_testz_ps(nan, nan);
	return sc_fake_pytorch_from(dst, mask, src, i, n, inv, scale, zero, qmin, qmax, has_mask) | seen;
}

QB_INTEROP_FUNCS(avx2, QB_AVX2)

// Error sums: the 16 lanes are four vectors of four float64 (lanes 4j to
// 4j+3 in vector j), 16 pairs a step, each float32 widened exactly by
// VCVTPS2PD; |e| clears the sign bit.
QB_AVX2 static void avx2_error_chunk(double le[16], double lx[16], double *m, const float *x, const float *y,
                                     size_t n) {
	const __m256d abs = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7FFFFFFFFFFFFFFF));
	__m256d e2[4], x2[4], mx = _mm256_setzero_pd();
	for (int j = 0; j < 4; j++)
		e2[j] = x2[j] = _mm256_setzero_pd();
	size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		for (int j = 0; j < 4; j++) {
			__m256d xd = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4 * j));
			__m256d e = _mm256_sub_pd(xd, _mm256_cvtps_pd(_mm_loadu_ps(y + i + 4 * j)));
			e2[j] = _mm256_add_pd(e2[j], _mm256_mul_pd(e, e));
			x2[j] = _mm256_add_pd(x2[j], _mm256_mul_pd(xd, xd));
			mx = _mm256_max_pd(mx, _mm256_and_pd(e, abs));
		}
	}
	for (int j = 0; j < 4; j++) {
		_mm256_storeu_pd(le + 4 * j, e2[j]);
		_mm256_storeu_pd(lx + 4 * j, x2[j]);
	}
	double t[4];
	_mm256_storeu_pd(t, mx);
	double a = t[0] > t[1] ? t[0] : t[1], b = t[2] > t[3] ? t[2] : t[3];
	*m = a > b ? a : b;
	sc_error_from(le, lx, m, x, y, i, n);
}

QB_ERROR_FUNC(avx2, QB_AVX2)
#endif // QB_X86

// ---- x86-64 AVX-512. ----

#if defined(QB_HAVE_AVX512)
#define QB_AVX512F __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))
#define QB_AVX512BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

QB_AVX512F static void avx512_f32_to_f16(uint16_t *dst, const float *src, size_t n) {
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		__m256i a = _mm512_cvtps_ph(_mm512_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT);
		__m256i b = _mm512_cvtps_ph(_mm512_loadu_ps(src + i + 16), _MM_FROUND_TO_NEAREST_INT);
		_mm256_storeu_si256((__m256i *)(dst + i), a);
		_mm256_storeu_si256((__m256i *)(dst + i + 16), b);
	}
	_mm256_zeroupper(); // the tail call below would skip GCC's own VZEROUPPER
	sc_f32_to_f16(dst + i, src + i, n - i);
}

QB_AVX512F static void avx512_f16_to_f32(float *dst, const uint16_t *src, size_t n) {
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		__m512 a = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(src + i)));
		__m512 b = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(src + i + 16)));
		_mm512_storeu_ps(dst + i, a);
		_mm512_storeu_ps(dst + i + 16, b);
	}
	_mm256_zeroupper(); // the tail call below would skip GCC's own VZEROUPPER
	sc_f16_to_f32(dst + i, src + i, n - i);
}

// VCVTNEPS2BF16 rounds to nearest even and quiets NaNs as the reference
// does, but treats subnormal inputs as zero (and ignores MXCSR). The tail
// uses masked loads and stores so that every element, wherever it sits,
// goes through the instruction.
QB_AVX512BF16 static void avx512_f32_to_bf16(uint16_t *dst, const float *src, size_t n) {
	size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		__m256bh h = _mm512_cvtneps_pbh(_mm512_loadu_ps(src + i));
		_mm256_storeu_si256((__m256i *)(dst + i), (__m256i)h);
	}
	if (i < n) {
		__mmask16 m = (__mmask16)((1u << (n - i)) - 1);
		__m256bh h = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, src + i));
		_mm256_mask_storeu_epi16(dst + i, m, (__m256i)h);
	}
}

QB_AVX512F static void avx512_bf16_to_f32(float *dst, const uint16_t *src, size_t n) {
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		__m512i a = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(src + i)));
		__m512i b = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(src + i + 16)));
		_mm512_storeu_si512(dst + i, _mm512_slli_epi32(a, 16));
		_mm512_storeu_si512(dst + i + 16, _mm512_slli_epi32(b, 16));
	}
	_mm256_zeroupper(); // the tail call below would skip GCC's own VZEROUPPER
	sc_bf16_to_f32(dst + i, src + i, n - i);
}

QB_AVX512F static uint32_t avx512_absmax_bits(const float *src, size_t n) {
	const __m512i absmask = _mm512_set1_epi32(0x7FFFFFFF);
	__m512i m0 = _mm512_setzero_si512(), m1 = m0, m2 = m0, m3 = m0;
	size_t i = 0;
	for (; i + 64 <= n; i += 64) {
		m0 = _mm512_max_epu32(m0, _mm512_and_si512(_mm512_loadu_si512(src + i), absmask));
		m1 = _mm512_max_epu32(m1, _mm512_and_si512(_mm512_loadu_si512(src + i + 16), absmask));
		m2 = _mm512_max_epu32(m2, _mm512_and_si512(_mm512_loadu_si512(src + i + 32), absmask));
		m3 = _mm512_max_epu32(m3, _mm512_and_si512(_mm512_loadu_si512(src + i + 48), absmask));
	}
	for (; i + 16 <= n; i += 16)
		m0 = _mm512_max_epu32(m0, _mm512_and_si512(_mm512_loadu_si512(src + i), absmask));
	m0 = _mm512_max_epu32(_mm512_max_epu32(m0, m1), _mm512_max_epu32(m2, m3));
	uint32_t m = _mm512_reduce_max_epu32(m0), t = sc_absmax_bits(src + i, n - i);
	return t > m ? t : m;
}

QB_AVX512F static qb_keys avx512_minmax_keys(const float *src, size_t n) {
	if (n < 32)
		return sc_minmax_keys(src, n);
	__m512i lo0 = _mm512_set1_epi32(INT32_MAX), lo1 = lo0;
	__m512i hi0 = _mm512_set1_epi32(INT32_MIN), hi1 = hi0;
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		__m512i a = _mm512_loadu_si512(src + i), b = _mm512_loadu_si512(src + i + 16);
		a = _mm512_xor_si512(a, _mm512_srli_epi32(_mm512_srai_epi32(a, 31), 1));
		b = _mm512_xor_si512(b, _mm512_srli_epi32(_mm512_srai_epi32(b, 31), 1));
		lo0 = _mm512_min_epi32(lo0, a);
		hi0 = _mm512_max_epi32(hi0, a);
		lo1 = _mm512_min_epi32(lo1, b);
		hi1 = _mm512_max_epi32(hi1, b);
	}
	qb_keys r = {_mm512_reduce_min_epi32(_mm512_min_epi32(lo0, lo1)),
	             _mm512_reduce_max_epi32(_mm512_max_epi32(hi0, hi1))};
	if (i < n) {
		qb_keys t = sc_minmax_keys(src + i, n - i);
		r.lo = t.lo < r.lo ? t.lo : r.lo;
		r.hi = t.hi > r.hi ? t.hi : r.hi;
	}
	return r;
}

// VPMOVSDB narrows with saturation; the values are already in range.
#define QB_AVX512_QUANT(NAME, EXPR, LO, HI, TAIL)                                                  \
	QB_AVX512F static void NAME(int8_t *dst, const float *src, size_t n, float scale, float zero) { \
		const __m512 s = _mm512_set1_ps(scale), z = _mm512_set1_ps(zero);                          \
		const __m512 lo = _mm512_set1_ps(LO), hi = _mm512_set1_ps(HI);                             \
		(void)z;                                                                                    \
		size_t i = 0;                                                                               \
		for (; i + 32 <= n; i += 32) {                                                              \
			for (int j = 0; j < 2; j++) {                                                           \
				__m512 x = _mm512_loadu_ps(src + i + 16 * j);                                       \
				__m512 v = EXPR;                                                                    \
				v = _mm512_min_ps(_mm512_max_ps(v, lo), hi);                                        \
				_mm_storeu_si128((__m128i *)(dst + i + 16 * j),                                     \
				                 _mm512_cvtsepi32_epi8(_mm512_cvtps_epi32(v)));                     \
			}                                                                                       \
		}                                                                                           \
		_mm256_zeroupper();                                                                         \
		TAIL;                                                                                       \
	}

QB_AVX512_QUANT(avx512_quantize_absmax_k, _mm512_mul_ps(x, s), -127.0f, 127.0f,
                sc_quantize_absmax(dst + i, src + i, n - i, scale))
QB_AVX512_QUANT(avx512_quantize_zeropoint, _mm512_add_ps(_mm512_mul_ps(x, s), z), -128.0f, 127.0f,
                sc_quantize_zeropoint(dst + i, src + i, n - i, scale, zero))

static void avx512_quantize_absmax(int8_t *dst, const float *src, size_t n, float scale) {
	avx512_quantize_absmax_k(dst, src, n, scale, 0);
}

QB_AVX512F static void avx512_dequantize_zeropoint(float *dst, const int8_t *src, size_t n, float scale, int32_t zero) {
	const __m512 s = _mm512_set1_ps(scale);
	const __m512i z = _mm512_set1_epi32(zero);
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		for (int j = 0; j < 2; j++) {
			__m512i q = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(src + i + 16 * j)));
			__m512 v = _mm512_cvtepi32_ps(_mm512_sub_epi32(q, z));
			_mm512_storeu_ps(dst + i + 16 * j, _mm512_div_ps(v, s));
		}
	}
	_mm256_zeroupper(); // the tail call below would skip GCC's own VZEROUPPER
	sc_dequantize_zeropoint(dst + i, src + i, n - i, scale, zero);
}

// The static quantizers: as avx2_quantize_with, 16 values a vector,
// narrowed by VPMOVSDB (saturating), the NaNs found by a compare into a
// mask register.
QB_AVX512F static QB_INLINE __m512 avx512_load16(const void *src, size_t i, int kind) {
	if (kind == QB_SRC_BF16) {
		__m512i h = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)((const uint16_t *)src + i)));
		return _mm512_castsi512_ps(_mm512_slli_epi32(h, 16));
	}
	return _mm512_loadu_ps((const float *)src + i);
}

QB_AVX512F static QB_INLINE int avx512_quantize_with(int8_t *dst, const void *src, size_t n, float scale, float zero,
                                                     int kind, int zp) {
	const __m512 s = _mm512_set1_ps(scale), z = _mm512_set1_ps(zero), hi = _mm512_set1_ps(127.0f);
	const __m128i lo = _mm_set1_epi8(-127);
	__mmask16 nan = 0;
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		for (int j = 0; j < 2; j++) {
			__m512 x = avx512_load16(src, i + 16 * j, kind);
			nan |= _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
			__m512 v = _mm512_mul_ps(x, s);
			if (zp)
				v = _mm512_add_ps(v, z);
			__m128i q = _mm512_cvtsepi32_epi8(_mm512_cvtps_epi32(_mm512_min_ps(v, hi)));
			_mm_storeu_si128((__m128i *)(dst + i + 16 * j), zp ? q : _mm_max_epi8(q, lo));
		}
	}
	int seen = nan != 0;
	return sc_with_from(dst, src, i, n, scale, zero, kind, zp) | seen;
}

QB_WITH_FUNCS(avx512, QB_AVX512F)
#endif // QB_HAVE_AVX512

// ---- arm64 NEON. ----

#if defined(QB_ARM64)
// FCVTN and FCVTL round and quiet NaNs as the reference does, and keep
// subnormals while FPCR.FZ is clear, as Go leaves it.
static void neon_f32_to_f16(uint16_t *dst, const float *src, size_t n) {
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		float16x4_t lo = vcvt_f16_f32(vld1q_f32(src + i));
		float16x8_t h = vcvt_high_f16_f32(lo, vld1q_f32(src + i + 4));
		vst1q_u16(dst + i, vreinterpretq_u16_f16(h));
	}
	sc_f32_to_f16(dst + i, src + i, n - i);
}

static void neon_f16_to_f32(float *dst, const uint16_t *src, size_t n) {
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		float16x8_t h = vreinterpretq_f16_u16(vld1q_u16(src + i));
		vst1q_f32(dst + i, vcvt_f32_f16(vget_low_f16(h)));
		vst1q_f32(dst + i + 4, vcvt_high_f32_f16(h));
	}
	sc_f16_to_f32(dst + i, src + i, n - i);
}

static inline uint16x4_t neon_bf16_lanes(uint32x4_t x) {
	uint32x4_t isnan = vcgtq_u32(vandq_u32(x, vdupq_n_u32(0x7FFFFFFF)), vdupq_n_u32(0x7F800000));
	uint32x4_t hi = vshrq_n_u32(x, 16);
	uint32x4_t odd = vandq_u32(hi, vdupq_n_u32(1));
	uint32x4_t r = vshrq_n_u32(vaddq_u32(vaddq_u32(x, vdupq_n_u32(0x7FFF)), odd), 16);
	uint32x4_t nan = vorrq_u32(hi, vdupq_n_u32(0x0040));
	return vmovn_u32(vbslq_u32(isnan, nan, r));
}

static void neon_f32_to_bf16(uint16_t *dst, const float *src, size_t n) {
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint16x4_t a = neon_bf16_lanes(vld1q_u32((const uint32_t *)(src + i)));
		uint16x4_t b = neon_bf16_lanes(vld1q_u32((const uint32_t *)(src + i + 4)));
		vst1q_u16(dst + i, vcombine_u16(a, b));
	}
	sc_f32_to_bf16(dst + i, src + i, n - i);
}

static void neon_bf16_to_f32(float *dst, const uint16_t *src, size_t n) {
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint16x8_t h = vld1q_u16(src + i);
		vst1q_u32((uint32_t *)(dst + i), vshll_n_u16(vget_low_u16(h), 16));
		vst1q_u32((uint32_t *)(dst + i + 4), vshll_high_n_u16(h, 16));
	}
	sc_bf16_to_f32(dst + i, src + i, n - i);
}

static uint32_t neon_absmax_bits(const float *src, size_t n) {
	const uint32x4_t absmask = vdupq_n_u32(0x7FFFFFFF);
	uint32x4_t m0 = vdupq_n_u32(0), m1 = m0, m2 = m0, m3 = m0;
	size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		m0 = vmaxq_u32(m0, vandq_u32(vld1q_u32((const uint32_t *)(src + i)), absmask));
		m1 = vmaxq_u32(m1, vandq_u32(vld1q_u32((const uint32_t *)(src + i + 4)), absmask));
		m2 = vmaxq_u32(m2, vandq_u32(vld1q_u32((const uint32_t *)(src + i + 8)), absmask));
		m3 = vmaxq_u32(m3, vandq_u32(vld1q_u32((const uint32_t *)(src + i + 12)), absmask));
	}
	uint32_t m = vmaxvq_u32(vmaxq_u32(vmaxq_u32(m0, m1), vmaxq_u32(m2, m3)));
	uint32_t t = sc_absmax_bits(src + i, n - i);
	return t > m ? t : m;
}

static inline int32x4_t neon_keys(const float *p) {
	int32x4_t k = vld1q_s32((const int32_t *)p);
	uint32x4_t flip = vshrq_n_u32(vreinterpretq_u32_s32(vshrq_n_s32(k, 31)), 1);
	return veorq_s32(k, vreinterpretq_s32_u32(flip));
}

static qb_keys neon_minmax_keys(const float *src, size_t n) {
	if (n < 8)
		return sc_minmax_keys(src, n);
	int32x4_t lo0 = vdupq_n_s32(INT32_MAX), lo1 = lo0;
	int32x4_t hi0 = vdupq_n_s32(INT32_MIN), hi1 = hi0;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		int32x4_t a = neon_keys(src + i), b = neon_keys(src + i + 4);
		lo0 = vminq_s32(lo0, a);
		hi0 = vmaxq_s32(hi0, a);
		lo1 = vminq_s32(lo1, b);
		hi1 = vmaxq_s32(hi1, b);
	}
	qb_keys r = {vminvq_s32(vminq_s32(lo0, lo1)), vmaxvq_s32(vmaxq_s32(hi0, hi1))};
	if (i < n) {
		qb_keys t = sc_minmax_keys(src + i, n - i);
		r.lo = t.lo < r.lo ? t.lo : r.lo;
		r.hi = t.hi > r.hi ? t.hi : r.hi;
	}
	return r;
}

// FCVTNS rounds to nearest even whatever FPCR says; SQXTN narrows.
static inline int8x8_t neon_narrow(float32x4_t a, float32x4_t b) {
	int16x8_t h = vcombine_s16(vqmovn_s32(vcvtnq_s32_f32(a)), vqmovn_s32(vcvtnq_s32_f32(b)));
	return vqmovn_s16(h);
}

static void neon_quantize_absmax(int8_t *dst, const float *src, size_t n, float scale) {
	const float32x4_t lo = vdupq_n_f32(-127.0f), hi = vdupq_n_f32(127.0f);
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		float32x4_t a = vminq_f32(vmaxq_f32(vmulq_n_f32(vld1q_f32(src + i), scale), lo), hi);
		float32x4_t b = vminq_f32(vmaxq_f32(vmulq_n_f32(vld1q_f32(src + i + 4), scale), lo), hi);
		vst1_s8(dst + i, neon_narrow(a, b));
	}
	sc_quantize_absmax(dst + i, src + i, n - i, scale);
}

static void neon_quantize_zeropoint(int8_t *dst, const float *src, size_t n, float scale, float zero) {
	const float32x4_t lo = vdupq_n_f32(-128.0f), hi = vdupq_n_f32(127.0f), z = vdupq_n_f32(zero);
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		float32x4_t a = vaddq_f32(vmulq_n_f32(vld1q_f32(src + i), scale), z);
		float32x4_t b = vaddq_f32(vmulq_n_f32(vld1q_f32(src + i + 4), scale), z);
		a = vminq_f32(vmaxq_f32(a, lo), hi);
		b = vminq_f32(vmaxq_f32(b, lo), hi);
		vst1_s8(dst + i, neon_narrow(a, b));
	}
	sc_quantize_zeropoint(dst + i, src + i, n - i, scale, zero);
}

static void neon_dequantize_zeropoint(float *dst, const int8_t *src, size_t n, float scale, int32_t zero) {
	const float32x4_t s = vdupq_n_f32(scale);
	const int32x4_t z = vdupq_n_s32(zero);
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		int16x8_t h = vmovl_s8(vld1_s8(src + i));
		int32x4_t a = vsubq_s32(vmovl_s16(vget_low_s16(h)), z);
		int32x4_t b = vsubq_s32(vmovl_high_s16(h), z);
		vst1q_f32(dst + i, vdivq_f32(vcvtq_f32_s32(a), s));
		vst1q_f32(dst + i + 4, vdivq_f32(vcvtq_f32_s32(b), s));
	}
	sc_dequantize_zeropoint(dst + i, src + i, n - i, scale, zero);
}

// Q8_0, four blocks per iteration: their maxima come out of two levels of
// pairwise maxima (UMAXP), their scales from one vector of four.

// Four values from src at element i, as float32: src of kind QB_SRC_F32,
// binary16 widened exactly by FCVTL (QB_SRC_F16), or bfloat16 widened by
// SHLL #16 (QB_SRC_BF16). kind is a constant after inlining.
static QB_INLINE float32x4_t neon_load4(const void *src, size_t i, int kind) {
	if (kind == QB_SRC_F16)
		return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16((const uint16_t *)src + i)));
	if (kind == QB_SRC_BF16)
		return vreinterpretq_f32_u32(vshll_n_u16(vld1_u16((const uint16_t *)src + i), 16));
	return vld1q_f32((const float *)src + i);
}

// The largest |x| bits of the block at element i, in each of 4 lanes.
static QB_INLINE uint32x4_t neon_block_max(const void *src, size_t i, int kind) {
	const uint32x4_t absmask = vdupq_n_u32(0x7FFFFFFF);
	uint32x4_t m[8];
	for (int j = 0; j < 8; j++)
		m[j] = vandq_u32(vreinterpretq_u32_f32(neon_load4(src, i + 4 * j, kind)), absmask);
	uint32x4_t a = vmaxq_u32(vmaxq_u32(m[0], m[1]), vmaxq_u32(m[2], m[3]));
	uint32x4_t b = vmaxq_u32(vmaxq_u32(m[4], m[5]), vmaxq_u32(m[6], m[7]));
	return vmaxq_u32(a, b);
}

// One 34-byte block: d, then q = roundEven(x*id) (FCVTNS) clamped to
// [-127, 127]: the saturating narrows clamp the top, one byte max the
// bottom (|x*id| stays below 191 for finite x).
static QB_INLINE void neon_q8_0_block(uint8_t *out, const void *src, size_t i, int kind, float32x4_t id, uint16_t d) {
	store_u16le(out, d);
	int16x4_t h[8];
	for (int j = 0; j < 8; j++)
		h[j] = vqmovn_s32(vcvtnq_s32_f32(vmulq_f32(neon_load4(src, i + 4 * j, kind), id)));
	const int8x16_t lo = vdupq_n_s8(-127);
	int8x16_t a = vcombine_s8(vqmovn_s16(vcombine_s16(h[0], h[1])), vqmovn_s16(vcombine_s16(h[2], h[3])));
	int8x16_t b = vcombine_s8(vqmovn_s16(vcombine_s16(h[4], h[5])), vqmovn_s16(vcombine_s16(h[6], h[7])));
	vst1q_s8((int8_t *)out + 2, vmaxq_s8(a, lo));
	vst1q_s8((int8_t *)out + 18, vmaxq_s8(b, lo));
}

// The scales of four blocks from their max|x| bits: d = f16(a/127)
// (FCVTN rounds to nearest even while FPCR says so, as Go leaves it) in
// *dh, and 1/float(d), 0 where d is 0, returned.
static QB_INLINE float32x4_t neon_q8_0_scales(uint32x4_t amax, uint16x4_t *dh) {
	float16x4_t h = vcvt_f16_f32(vdivq_f32(vreinterpretq_f32_u32(amax), vdupq_n_f32(127.0f)));
	float32x4_t df = vcvt_f32_f16(h);
	uint32x4_t id = vreinterpretq_u32_f32(vdivq_f32(vdupq_n_f32(1.0f), df));
	*dh = vreinterpret_u16_f16(h);
	return vreinterpretq_f32_u32(vbicq_u32(id, vceqzq_f32(df)));
}

// The encoding pass over src of the given kind (QB_SRC_*, a constant
// after inlining): finite x only (the callers check first).
static QB_INLINE void neon_encode_q8_0_any(uint8_t *dst, const void *src, size_t n, int kind) {
	size_t blocks = n / QB_Q8_0_VALUES, b = 0;
	for (; b + 4 <= blocks; b += 4) {
		size_t i = b * QB_Q8_0_VALUES;
		uint32x4_t m01 = vpmaxq_u32(neon_block_max(src, i, kind), neon_block_max(src, i + 32, kind));
		uint32x4_t m23 = vpmaxq_u32(neon_block_max(src, i + 64, kind), neon_block_max(src, i + 96, kind));
		uint32x4_t amax = vpmaxq_u32(m01, m23);
		uint16x4_t dh;
		float32x4_t id = neon_q8_0_scales(amax, &dh);
		uint8_t *out = dst + b * QB_Q8_0_BYTES;
		neon_q8_0_block(out, src, i, kind, vdupq_laneq_f32(id, 0), vget_lane_u16(dh, 0));
		neon_q8_0_block(out + 34, src, i + 32, kind, vdupq_laneq_f32(id, 1), vget_lane_u16(dh, 1));
		neon_q8_0_block(out + 68, src, i + 64, kind, vdupq_laneq_f32(id, 2), vget_lane_u16(dh, 2));
		neon_q8_0_block(out + 102, src, i + 96, kind, vdupq_laneq_f32(id, 3), vget_lane_u16(dh, 3));
	}
	for (; b < blocks; b++) { // the last 0-3 blocks, one at a time
		size_t i = b * QB_Q8_0_VALUES;
		uint32x4_t amax = vdupq_n_u32(vmaxvq_u32(neon_block_max(src, i, kind)));
		uint16x4_t dh;
		float32x4_t id = neon_q8_0_scales(amax, &dh);
		neon_q8_0_block(dst + b * QB_Q8_0_BYTES, src, i, kind, id, vget_lane_u16(dh, 0));
	}
}

static uint16_t neon_absmax_bits16(const uint16_t *src, size_t n) {
	const uint16x8_t absmask = vdupq_n_u16(0x7FFF);
	uint16x8_t m0 = vdupq_n_u16(0), m1 = m0, m2 = m0, m3 = m0;
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		m0 = vmaxq_u16(m0, vandq_u16(vld1q_u16(src + i), absmask));
		m1 = vmaxq_u16(m1, vandq_u16(vld1q_u16(src + i + 8), absmask));
		m2 = vmaxq_u16(m2, vandq_u16(vld1q_u16(src + i + 16), absmask));
		m3 = vmaxq_u16(m3, vandq_u16(vld1q_u16(src + i + 24), absmask));
	}
	uint16_t m = vmaxvq_u16(vmaxq_u16(vmaxq_u16(m0, m1), vmaxq_u16(m2, m3)));
	uint16_t t = sc_absmax_bits16(src + i, n - i);
	return t > m ? t : m;
}

// Check, then encode: a failing call writes nothing. The 16-bit
// reduction serves both 16-bit formats (both order like their bits).
static int neon_encode_q8_0(uint8_t *dst, const float *src, size_t n) {
	int status = q8_0_status(neon_absmax_bits(src, n));
	if (status == QB_OK)
		neon_encode_q8_0_any(dst, src, n, QB_SRC_F32);
	return status;
}

static int neon_encode_q8_0_f16(uint8_t *dst, const uint16_t *src, size_t n) {
	int status = q8_0_status16(neon_absmax_bits16(src, n), QB_SRC_F16);
	if (status == QB_OK)
		neon_encode_q8_0_any(dst, src, n, QB_SRC_F16);
	return status;
}

static int neon_encode_q8_0_bf16(uint8_t *dst, const uint16_t *src, size_t n) {
	int status = q8_0_status16(neon_absmax_bits16(src, n), QB_SRC_BF16);
	if (status == QB_OK)
		neon_encode_q8_0_any(dst, src, n, QB_SRC_BF16);
	return status;
}

static void neon_decode_q8_0(float *dst, const uint8_t *src, size_t n) {
	for (size_t b = 0; b < n / QB_Q8_0_VALUES; b++) {
		const uint8_t *in = src + b * QB_Q8_0_BYTES;
		float *out = dst + b * QB_Q8_0_VALUES;
		float32x4_t d = vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(load_u16le(in))));
		for (int j = 0; j < 2; j++) {
			int8x16_t q = vld1q_s8((const int8_t *)in + 2 + 16 * j);
			int16x8_t lo = vmovl_s8(vget_low_s8(q)), hi = vmovl_high_s8(q);
			float *o = out + 16 * j;
			vst1q_f32(o, vmulq_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(lo))), d));
			vst1q_f32(o + 4, vmulq_f32(vcvtq_f32_s32(vmovl_high_s16(lo)), d));
			vst1q_f32(o + 8, vmulq_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(hi))), d));
			vst1q_f32(o + 12, vmulq_f32(vcvtq_f32_s32(vmovl_high_s16(hi)), d));
		}
	}
}

// The static quantizers, 16 values a step: FCVTNS saturates and SQXTN
// narrows with saturation, so nothing clamps the top or (zero point) the
// bottom; absmax takes -127 with one byte max. FCMEQ x, x is false for
// NaNs only.
static QB_INLINE int neon_quantize_with(int8_t *dst, const void *src, size_t n, float scale, float zero, int kind,
                                        int zp) {
	const float32x4_t s = vdupq_n_f32(scale), z = vdupq_n_f32(zero);
	const int8x16_t lo = vdupq_n_s8(-127);
	uint32x4_t ok = vdupq_n_u32(0xFFFFFFFF);
	size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		int16x4_t h[4];
		for (int j = 0; j < 4; j++) {
			float32x4_t x = neon_load4(src, i + 4 * j, kind);
			ok = vandq_u32(ok, vceqq_f32(x, x));
			float32x4_t v = vmulq_f32(x, s);
			if (zp)
				v = vaddq_f32(v, z);
			h[j] = vqmovn_s32(vcvtnq_s32_f32(v));
		}
		int8x16_t q = vcombine_s8(vqmovn_s16(vcombine_s16(h[0], h[1])), vqmovn_s16(vcombine_s16(h[2], h[3])));
		vst1q_s8(dst + i, zp ? q : vmaxq_s8(q, lo));
	}
	int seen = vminvq_u32(ok) == 0;
	return sc_with_from(dst, src, i, n, scale, zero, kind, zp) | seen;
}

QB_WITH_FUNCS(neon, )

// Fake quantization, 16 values a step: FCVTNS rounds to nearest even
// after the clamp, SCVTF rounds the exact difference (FPCR as Go leaves
// it), FDIV divides. FCMEQ x, x is false for NaNs only.
static QB_INLINE int neon_fake(float *dst, const float *src, size_t n, float scale, int32_t zero, int zp) {
	const float32x4_t s = vdupq_n_f32(scale), z = vdupq_n_f32((float)zero);
	const float32x4_t lo = vdupq_n_f32(zp ? -128.0f : -127.0f), hi = vdupq_n_f32(127.0f);
	const int32x4_t zi = vdupq_n_s32(zero);
	uint32x4_t ok = vdupq_n_u32(0xFFFFFFFF);
	size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		for (int j = 0; j < 4; j++) {
			float32x4_t x = vld1q_f32(src + i + 4 * j);
			ok = vandq_u32(ok, vceqq_f32(x, x));
			float32x4_t v = vmulq_f32(x, s);
			if (zp)
				v = vaddq_f32(v, z);
			int32x4_t q = vcvtnq_s32_f32(vminq_f32(vmaxq_f32(v, lo), hi));
			if (zp)
				q = vsubq_s32(q, zi);
			vst1q_f32(dst + i + 4 * j, vdivq_f32(vcvtq_f32_s32(q), s));
		}
	}
	int seen = vminvq_u32(ok) == 0;
	return sc_fake_from(dst, src, i, n, scale, zero, zp) | seen;
}

QB_FAKE_FUNCS(neon, )

// Interop, 16 values a step. The quantizers round p with FCVTNS (to
// nearest even, saturating; a NaN gives 0), add zero with SQADD and narrow
// with SQXTN twice: roundEven(p) + zero saturated to [-128, 127], where
// quant's float32 sum is clamped (exact on the grid; beyond 2^31 both are
// far outside it). The fake quantizer rounds with FRINTN, adds and clamps
// in float32 as quant does, compares for the mask (false for NaNs) and
// narrows it to bytes of 0 or 1. FCMEQ x, x is false for NaNs only.
static QB_INLINE int neon_interop(int8_t *dst, const float *src, size_t n, float k, int32_t zero, int onnx) {
	const float32x4_t kv = vdupq_n_f32(k);
	const int32x4_t zi = vdupq_n_s32(zero);
	uint32x4_t ok = vdupq_n_u32(0xFFFFFFFF);
	size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		int16x4_t h[4];
		for (int j = 0; j < 4; j++) {
			float32x4_t x = vld1q_f32(src + i + 4 * j);
			ok = vandq_u32(ok, vceqq_f32(x, x));
			float32x4_t p = onnx ? vdivq_f32(x, kv) : vmulq_f32(x, kv);
			h[j] = vqmovn_s32(vqaddq_s32(vcvtnq_s32_f32(p), zi));
		}
		vst1q_s8(dst + i, vcombine_s8(vqmovn_s16(vcombine_s16(h[0], h[1])), vqmovn_s16(vcombine_s16(h[2], h[3]))));
	}
	int seen = vminvq_u32(ok) == 0;
	return sc_interop_from(dst, src, i, n, k, zero, onnx) | seen;
}

static void neon_dequantize_affine(float *dst, const int8_t *src, size_t n, float scale, int32_t zero) {
	const int32x4_t z = vdupq_n_s32(zero);
	size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		int8x16_t b = vld1q_s8(src + i);
		int16x8_t h[2] = {vmovl_s8(vget_low_s8(b)), vmovl_high_s8(b)};
		for (int j = 0; j < 2; j++) {
			int32x4_t a = vsubq_s32(vmovl_s16(vget_low_s16(h[j])), z);
			int32x4_t c = vsubq_s32(vmovl_high_s16(h[j]), z);
			vst1q_f32(dst + i + 8 * j, vmulq_n_f32(vcvtq_f32_s32(a), scale));
			vst1q_f32(dst + i + 8 * j + 4, vmulq_n_f32(vcvtq_f32_s32(c), scale));
		}
	}
	sc_dequantize_affine(dst + i, src + i, n - i, scale, zero);
}

static QB_INLINE int neon_fake_pytorch(float *dst, uint8_t *mask, const float *src, size_t n, float inv, float scale,
                                       int32_t zero, int32_t qmin, int32_t qmax, int has_mask) {
	const float32x4_t iv = vdupq_n_f32(inv), s = vdupq_n_f32(scale), z = vdupq_n_f32((float)zero);
	const float32x4_t lo = vdupq_n_f32((float)qmin), hi = vdupq_n_f32((float)qmax);
	uint32x4_t ok = vdupq_n_u32(0xFFFFFFFF);
	size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		uint16x4_t in[4];
		for (int j = 0; j < 4; j++) {
			float32x4_t x = vld1q_f32(src + i + 4 * j);
			ok = vandq_u32(ok, vceqq_f32(x, x));
			float32x4_t v = vaddq_f32(vrndnq_f32(vmulq_f32(x, iv)), z);
			if (has_mask)
				in[j] = vmovn_u32(vandq_u32(vcgeq_f32(v, lo), vcleq_f32(v, hi)));
			float32x4_t c = vminq_f32(vmaxq_f32(v, lo), hi);
			vst1q_f32(dst + i + 4 * j, vmulq_f32(vsubq_f32(c, z), s));
		}
		if (has_mask) {
			uint8x16_t m = vcombine_u8(vmovn_u16(vcombine_u16(in[0], in[1])), vmovn_u16(vcombine_u16(in[2], in[3])));
			vst1q_u8(mask + i, vandq_u8(m, vdupq_n_u8(1)));
		}
	}
	int seen = vminvq_u32(ok) == 0;
	return sc_fake_pytorch_from(dst, mask, src, i, n, inv, scale, zero, qmin, qmax, has_mask) | seen;
}

QB_INTEROP_FUNCS(neon, )

// Error sums: the 16 lanes are eight vectors of two float64 (lanes 2j and
// 2j+1 in vector j), 16 pairs a step, widened exactly by FCVTL/FCVTL2.
static void neon_error_chunk(double le[16], double lx[16], double *m, const float *x, const float *y, size_t n) {
	float64x2_t e2[8], x2[8], mx = vdupq_n_f64(0);
	for (int j = 0; j < 8; j++)
		e2[j] = x2[j] = vdupq_n_f64(0);
	size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		for (int j = 0; j < 4; j++) {
			float32x4_t xs = vld1q_f32(x + i + 4 * j), ys = vld1q_f32(y + i + 4 * j);
			float64x2_t xd[2] = {vcvt_f64_f32(vget_low_f32(xs)), vcvt_high_f64_f32(xs)};
			float64x2_t yd[2] = {vcvt_f64_f32(vget_low_f32(ys)), vcvt_high_f64_f32(ys)};
			for (int k = 0; k < 2; k++) {
				float64x2_t e = vsubq_f64(xd[k], yd[k]);
				e2[2 * j + k] = vaddq_f64(e2[2 * j + k], vmulq_f64(e, e));
				x2[2 * j + k] = vaddq_f64(x2[2 * j + k], vmulq_f64(xd[k], xd[k]));
				mx = vmaxq_f64(mx, vabsq_f64(e));
			}
		}
	}
	for (int j = 0; j < 8; j++) {
		vst1q_f64(le + 2 * j, e2[j]);
		vst1q_f64(lx + 2 * j, x2[j]);
	}
	*m = vmaxvq_f64(mx);
	sc_error_from(le, lx, m, x, y, i, n);
}

QB_ERROR_FUNC(neon, )
#endif // QB_ARM64

// ---- Dispatch on the variant. ----

#if defined(QB_X86)
#define QB_SIMD_CALL(name, ...) avx2_##name(__VA_ARGS__)
#elif defined(QB_ARM64)
#define QB_SIMD_CALL(name, ...) neon_##name(__VA_ARGS__)
#else
#define QB_SIMD_CALL(name, ...) sc_##name(__VA_ARGS__)
#endif
#if defined(QB_HAVE_AVX512)
#define QB_AVX512_CALL(name, ...) avx512_##name(__VA_ARGS__)
#else
#define QB_AVX512_CALL(name, ...) sc_##name(__VA_ARGS__)
#endif

// QB_DISPATCH returns the result of the variant's function; a void
// function is called by QB_RUN.
#define QB_DISPATCH(name, ...)                                                                     \
	switch (v) {                                                                                   \
	case QB_SIMD:                                                                                  \
		return QB_SIMD_CALL(name, __VA_ARGS__);                                                    \
	case QB_AVX512:                                                                                \
		return QB_AVX512_CALL(name, __VA_ARGS__);                                                  \
	default:                                                                                       \
		return sc_##name(__VA_ARGS__);                                                             \
	}
#define QB_RUN(name, ...)                                                                          \
	switch (v) {                                                                                   \
	case QB_SIMD:                                                                                  \
		QB_SIMD_CALL(name, __VA_ARGS__);                                                           \
		break;                                                                                     \
	case QB_AVX512:                                                                                \
		QB_AVX512_CALL(name, __VA_ARGS__);                                                         \
		break;                                                                                     \
	default:                                                                                       \
		sc_##name(__VA_ARGS__);                                                                    \
	}

void qb_f32_to_f16(int v, uint16_t *dst, const float *src, size_t n) { QB_RUN(f32_to_f16, dst, src, n) }
void qb_f16_to_f32(int v, float *dst, const uint16_t *src, size_t n) { QB_RUN(f16_to_f32, dst, src, n) }
void qb_f32_to_bf16(int v, uint16_t *dst, const float *src, size_t n) { QB_RUN(f32_to_bf16, dst, src, n) }
void qb_bf16_to_f32(int v, float *dst, const uint16_t *src, size_t n) { QB_RUN(bf16_to_f32, dst, src, n) }
uint32_t qb_absmax_bits(int v, const float *src, size_t n) { QB_DISPATCH(absmax_bits, src, n) }
qb_keys qb_minmax_keys(int v, const float *src, size_t n) { QB_DISPATCH(minmax_keys, src, n) }
void qb_quantize_absmax(int v, int8_t *dst, const float *src, size_t n, float scale) {
	QB_RUN(quantize_absmax, dst, src, n, scale)
}
void qb_quantize_zeropoint(int v, int8_t *dst, const float *src, size_t n, float scale, float zero) {
	QB_RUN(quantize_zeropoint, dst, src, n, scale, zero)
}
void qb_dequantize_zeropoint(int v, float *dst, const int8_t *src, size_t n, float scale, int32_t zero) {
	QB_RUN(dequantize_zeropoint, dst, src, n, scale, zero)
}

// Q8_0 has SIMD, scalar and llama.cpp-reference variants; AVX-512 has
// none (the Go side leaves c-avx512 out).
int qb_encode_q8_0(int v, uint8_t *dst, const float *src, size_t n) {
	switch (v) {
	case QB_SIMD:
		return QB_SIMD_CALL(encode_q8_0, dst, src, n);
	case QB_LLAMA_REF:
		return llama_encode_q8_0(dst, src, n);
	default:
		return sc_encode_q8_0(dst, src, n);
	}
}

int qb_encode_q8_0_f16(int v, uint8_t *dst, const uint16_t *src, size_t n) {
	if (v == QB_SIMD)
		return QB_SIMD_CALL(encode_q8_0_f16, dst, src, n);
	return sc_encode_q8_0_f16(dst, src, n);
}

int qb_encode_q8_0_bf16(int v, uint8_t *dst, const uint16_t *src, size_t n) {
	if (v == QB_SIMD)
		return QB_SIMD_CALL(encode_q8_0_bf16, dst, src, n);
	return sc_encode_q8_0_bf16(dst, src, n);
}

void qb_decode_q8_0(int v, float *dst, const uint8_t *src, size_t n) {
	if (v == QB_SIMD)
		QB_SIMD_CALL(decode_q8_0, dst, src, n);
	else
		sc_decode_q8_0(dst, src, n);
}

// Q4_0 and Q4_1 have AVX2, scalar and llama.cpp-reference variants (no
// NEON: QB_SIMD runs the scalar code off x86-64).
#if defined(QB_X86)
#define QB_Q4_SIMD(name, ...) avx2_##name(__VA_ARGS__)
#else
#define QB_Q4_SIMD(name, ...) sc_##name(__VA_ARGS__)
#endif
#define QB_Q4_DISPATCH(name, ...)                                                                  \
	switch (v) {                                                                                   \
	case QB_SIMD:                                                                                  \
		return QB_Q4_SIMD(name, __VA_ARGS__);                                                      \
	default:                                                                                       \
		return sc_##name(__VA_ARGS__);                                                             \
	}

int qb_encode_q4_0(int v, uint8_t *dst, const float *src, size_t n) {
	if (v == QB_LLAMA_REF)
		return llama_encode_q4(dst, src, n, QB_Q4_0);
	QB_Q4_DISPATCH(encode_q4_0, dst, src, n)
}
int qb_encode_q4_1(int v, uint8_t *dst, const float *src, size_t n) {
	if (v == QB_LLAMA_REF)
		return llama_encode_q4(dst, src, n, QB_Q4_1);
	QB_Q4_DISPATCH(encode_q4_1, dst, src, n)
}
void qb_decode_q4_0(int v, float *dst, const uint8_t *src, size_t n) { QB_Q4_DISPATCH(decode_q4_0, dst, src, n) }
void qb_decode_q4_1(int v, float *dst, const uint8_t *src, size_t n) { QB_Q4_DISPATCH(decode_q4_1, dst, src, n) }

// The static quantizers have SIMD, AVX-512 and scalar variants.
int qb_quantize_absmax_with(int v, int8_t *dst, const float *src, size_t n, float scale) {
	QB_DISPATCH(quantize_absmax_with, dst, src, n, scale)
}
int qb_quantize_zeropoint_with(int v, int8_t *dst, const float *src, size_t n, float scale, float zero) {
	QB_DISPATCH(quantize_zeropoint_with, dst, src, n, scale, zero)
}
int qb_quantize_absmax_with_bf16(int v, int8_t *dst, const uint16_t *src, size_t n, float scale) {
	QB_DISPATCH(quantize_absmax_with_bf16, dst, src, n, scale)
}
int qb_quantize_zeropoint_with_bf16(int v, int8_t *dst, const uint16_t *src, size_t n, float scale, float zero) {
	QB_DISPATCH(quantize_zeropoint_with_bf16, dst, src, n, scale, zero)
}

// Fake quantization and the error sums have SIMD and scalar variants;
// AVX-512 has none (the Go side leaves c-avx512 out).
int qb_fake_quantize_absmax(int v, float *dst, const float *src, size_t n, float scale) {
	if (v == QB_SIMD)
		return QB_SIMD_CALL(fake_quantize_absmax, dst, src, n, scale);
	return sc_fake_quantize_absmax(dst, src, n, scale);
}

int qb_fake_quantize_zeropoint(int v, float *dst, const float *src, size_t n, float scale, int32_t zero) {
	if (v == QB_SIMD)
		return QB_SIMD_CALL(fake_quantize_zeropoint, dst, src, n, scale, zero);
	return sc_fake_quantize_zeropoint(dst, src, n, scale, zero);
}

// Interop has SIMD and scalar variants; AVX-512 has none (the Go side
// leaves c-avx512 out).
int qb_quantize_pytorch(int v, int8_t *dst, const float *src, size_t n, float scale, int32_t zero) {
	if (v == QB_SIMD)
		return QB_SIMD_CALL(quantize_pytorch, dst, src, n, scale, zero);
	return sc_quantize_pytorch(dst, src, n, scale, zero);
}

int qb_quantize_onnx(int v, int8_t *dst, const float *src, size_t n, float scale, int32_t zero) {
	if (v == QB_SIMD)
		return QB_SIMD_CALL(quantize_onnx, dst, src, n, scale, zero);
	return sc_quantize_onnx(dst, src, n, scale, zero);
}

void qb_dequantize_affine(int v, float *dst, const int8_t *src, size_t n, float scale, int32_t zero) {
	if (v == QB_SIMD)
		QB_SIMD_CALL(dequantize_affine, dst, src, n, scale, zero);
	else
		sc_dequantize_affine(dst, src, n, scale, zero);
}

int qb_fake_quantize_pytorch(int v, float *dst, uint8_t *mask, const float *src, size_t n, float scale, int32_t zero,
                             int32_t qmin, int32_t qmax) {
	if (v == QB_SIMD)
		return QB_SIMD_CALL(fake_quantize_pytorch, dst, mask, src, n, scale, zero, qmin, qmax);
	return sc_fake_quantize_pytorch(dst, mask, src, n, scale, zero, qmin, qmax);
}

qb_error qb_error_sums(int v, const float *x, const float *y, size_t n) {
	if (v == QB_SIMD)
		return QB_SIMD_CALL(error_sums, x, y, n);
	return sc_error_sums(x, y, n);
}

// ---- Whole quantizers: the parameters exactly as package quant computes them. ----
// A copy of quant's unexported rules (zeroPointParams, absmaxParams), like
// AbsmaxParams and ZeroPointParams in impl.go; the tests compare them.

#define QB_KEY_POS_INF ((int32_t)0x7F800000)
#define QB_KEY_NEG_INF ((int32_t)-0x7F800001)

static qb_params absmax_params(float a) {
	qb_params p = {QB_OK, 1.0f, 0};
	if (a == 0)
		return p;
	p.scale = 127.0f / a;
	if ((f2u(p.scale) & 0x7FFFFFFF) == 0x7F800000)
		p.status = QB_RANGE;
	return p;
}

// The parameters of src as QuantizeAbsmax finds them, and its status.
static qb_params absmax_params_of(int v, const float *src, size_t n) {
	uint32_t m = qb_absmax_bits(v, src, n);
	if (m >= 0x7F800000) {
		qb_params p = {QB_NOT_FINITE, 0, 0};
		return p;
	}
	return absmax_params(u2f(m));
}

// The parameters of src as QuantizeZeroPoint finds them, and its status.
static qb_params zeropoint_params_of(int v, const float *src, size_t n) {
	qb_keys k = qb_minmax_keys(v, src, n);
	qb_params p = {QB_NOT_FINITE, 0, 0};
	if (k.lo <= QB_KEY_NEG_INF || k.hi >= QB_KEY_POS_INF)
		return p;
	// KeyBits is its own inverse: the same flip turns a key back into bits.
	float lo = u2f((uint32_t)order_key((uint32_t)k.lo));
	float hi = u2f((uint32_t)order_key((uint32_t)k.hi));
	if (lo == hi) // constant tensor
		return absmax_params(lo < 0 ? -lo : lo);
	p.status = QB_RANGE; // until every check below passes
	p.scale = (float)(255.0 / ((double)hi - (double)lo));
	if ((f2u(p.scale) & 0x7FFFFFFF) == 0x7F800000)
		return p;
	float sl = p.scale * lo; // a float32 product, as in Go
	double z = -QB_ROUNDEVEN((double)sl) - 128;
	if (z < (double)INT32_MIN + 128 || z > (double)INT32_MAX - 128)
		return p;
	p.zero = (int32_t)z;
	// The grid's ends must dequantize to finite values.
	float ends[2] = {(float)(-128 - p.zero) / p.scale, (float)(127 - p.zero) / p.scale};
	for (int e = 0; e < 2; e++) {
		if ((f2u(ends[e]) & 0x7FFFFFFF) == 0x7F800000)
			return p;
	}
	p.status = QB_OK;
	return p;
}

qb_params qb_absmax_quantize(int v, int8_t *dst, const float *src, size_t n) {
	qb_params p = absmax_params_of(v, src, n);
	if (p.status == QB_OK)
		qb_quantize_absmax(v, dst, src, n, p.scale);
	return p;
}

qb_params qb_zeropoint_quantize(int v, int8_t *dst, const float *src, size_t n) {
	qb_params p = zeropoint_params_of(v, src, n);
	if (p.status == QB_OK)
		qb_quantize_zeropoint(v, dst, src, n, p.scale, (float)p.zero);
	return p;
}

// ---- Per-row quantizers: every row's parameters first, then the rows. ----

int qb_absmax_quantize_rows(int v, int8_t *dst, float *scales, float *scratch, const float *src, size_t rows,
                            size_t cols) {
	for (size_t r = 0; r < rows; r++) {
		qb_params p = absmax_params_of(v, src + r * cols, cols);
		if (p.status != QB_OK)
			return p.status;
		scratch[r] = p.scale;
	}
	for (size_t r = 0; r < rows; r++) {
		scales[r] = scratch[r];
		qb_quantize_absmax(v, dst + r * cols, src + r * cols, cols, scratch[r]);
	}
	return QB_OK;
}

int qb_zeropoint_quantize_rows(int v, int8_t *dst, qb_zp *params, qb_zp *scratch, const float *src, size_t rows,
                               size_t cols) {
	for (size_t r = 0; r < rows; r++) {
		qb_params p = zeropoint_params_of(v, src + r * cols, cols);
		if (p.status != QB_OK)
			return p.status;
		scratch[r].scale = p.scale;
		scratch[r].zero = p.zero;
	}
	for (size_t r = 0; r < rows; r++) {
		params[r] = scratch[r];
		qb_quantize_zeropoint(v, dst + r * cols, src + r * cols, cols, scratch[r].scale, (float)scratch[r].zero);
	}
	return QB_OK;
}

// ---- Per-row quantizers from 16-bit sources: what a C programmer
// composing the kernels above writes. Each row is widened into row by the
// variant's own conversion, in both passes, and then goes through exactly
// what the float32 per-row quantizers do with a row. ----

static void widen_row(int v, int kind, float *row, const uint16_t *src, size_t n) {
	if (kind == QB_SRC_BF16)
		qb_bf16_to_f32(v, row, src, n);
	else
		qb_f16_to_f32(v, row, src, n);
}

int qb_absmax_quantize_rows16(int v, int kind, int8_t *dst, float *scales, float *scratch, float *row,
                              const uint16_t *src, size_t rows, size_t cols) {
	for (size_t r = 0; r < rows; r++) {
		widen_row(v, kind, row, src + r * cols, cols);
		qb_params p = absmax_params_of(v, row, cols);
		if (p.status != QB_OK)
			return p.status;
		scratch[r] = p.scale;
	}
	for (size_t r = 0; r < rows; r++) {
		widen_row(v, kind, row, src + r * cols, cols);
		scales[r] = scratch[r];
		qb_quantize_absmax(v, dst + r * cols, row, cols, scratch[r]);
	}
	return QB_OK;
}

int qb_zeropoint_quantize_rows16(int v, int kind, int8_t *dst, qb_zp *params, qb_zp *scratch, float *row,
                                 const uint16_t *src, size_t rows, size_t cols) {
	for (size_t r = 0; r < rows; r++) {
		widen_row(v, kind, row, src + r * cols, cols);
		qb_params p = zeropoint_params_of(v, row, cols);
		if (p.status != QB_OK)
			return p.status;
		scratch[r].scale = p.scale;
		scratch[r].zero = p.zero;
	}
	for (size_t r = 0; r < rows; r++) {
		widen_row(v, kind, row, src + r * cols, cols);
		params[r] = scratch[r];
		qb_quantize_zeropoint(v, dst + r * cols, row, cols, scratch[r].scale, (float)scratch[r].zero);
	}
	return QB_OK;
}

// ---- The read and write ceilings. ----

// A 32-byte vector of the GNU C vector extension (GCC and Clang, also in
// -std=c11): lowered to one YMM register with AVX, to pairs elsewhere.
typedef uint64_t qb_u64x4 __attribute__((vector_size(32)));

uint64_t qb_read(const void *p, size_t bytes) {
	const unsigned char *b = p;
	// Eight independent accumulators, so that loads issue back to back
	// instead of waiting on one OR chain.
	qb_u64x4 a[8] = {{0}};
	size_t i = 0;
	for (; i + 256 <= bytes; i += 256) {
		for (int j = 0; j < 8; j++) {
			qb_u64x4 w;
			memcpy(&w, b + i + 32 * j, 32);
			a[j] |= w;
		}
	}
	qb_u64x4 v = ((a[0] | a[1]) | (a[2] | a[3])) | ((a[4] | a[5]) | (a[6] | a[7]));
	uint64_t r = v[0] | v[1] | v[2] | v[3];
	for (; i + 8 <= bytes; i += 8) {
		uint64_t w;
		memcpy(&w, b + i, 8);
		r |= w;
	}
	for (; i < bytes; i++)
		r |= b[i];
	return r;
}

void qb_write(void *p, size_t bytes, uint64_t seed) {
	unsigned char *b = p;
	qb_u64x4 w = {seed, seed + 1, seed + 2, seed + 3};
	const qb_u64x4 step = {4, 4, 4, 4};
	size_t i = 0;
	for (; i + 128 <= bytes; i += 128) {
		for (int j = 0; j < 4; j++) {
			memcpy(b + i + 32 * j, &w, 32);
			w += step;
		}
	}
	for (; i + 8 <= bytes; i += 8, seed++)
		memcpy(b + i, &seed, 8);
	for (; i < bytes; i++)
		b[i] = (unsigned char)seed;
}
