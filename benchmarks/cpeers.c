//go:build cgo

// C peers of the quant kernels. Every function gives the results of the
// pure-Go reference (package fallback) bit for bit, except the AVX-512
// BF16 conversion, which uses VCVTNEPS2BF16 and so flushes float32
// subnormal inputs to a zero of the same sign (see peers_test.go).
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
#include <math.h>
// The default rounding mode, which Go never changes, is to nearest even.
#define QB_ROUNDEVENF nearbyintf
#define QB_ROUNDEVEN nearbyint
#endif

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

qb_params qb_absmax_quantize(int v, int8_t *dst, const float *src, size_t n) {
	uint32_t m = qb_absmax_bits(v, src, n);
	if (m >= 0x7F800000) {
		qb_params p = {QB_NOT_FINITE, 0, 0};
		return p;
	}
	qb_params p = absmax_params(u2f(m));
	if (p.status == QB_OK)
		qb_quantize_absmax(v, dst, src, n, p.scale);
	return p;
}

qb_params qb_zeropoint_quantize(int v, int8_t *dst, const float *src, size_t n) {
	qb_keys k = qb_minmax_keys(v, src, n);
	qb_params p = {QB_NOT_FINITE, 0, 0};
	if (k.lo <= QB_KEY_NEG_INF || k.hi >= QB_KEY_POS_INF)
		return p;
	// KeyBits is its own inverse: the same flip turns a key back into bits.
	float lo = u2f((uint32_t)order_key((uint32_t)k.lo));
	float hi = u2f((uint32_t)order_key((uint32_t)k.hi));
	if (lo == hi) { // constant tensor
		p = absmax_params(lo < 0 ? -lo : lo);
	} else {
		p.status = QB_OK;
		p.scale = (float)(255.0 / ((double)hi - (double)lo));
		if ((f2u(p.scale) & 0x7FFFFFFF) == 0x7F800000) {
			p.status = QB_RANGE;
			return p;
		}
		float sl = p.scale * lo; // a float32 product, as in Go
		double z = -QB_ROUNDEVEN((double)sl) - 128;
		if (z < (double)INT32_MIN + 128 || z > (double)INT32_MAX - 128) {
			p.status = QB_RANGE;
			return p;
		}
		p.zero = (int32_t)z;
		// The grid's ends must dequantize to finite values.
		float ends[2] = {(float)(-128 - p.zero) / p.scale, (float)(127 - p.zero) / p.scale};
		for (int e = 0; e < 2; e++) {
			if ((f2u(ends[e]) & 0x7FFFFFFF) == 0x7F800000) {
				p.status = QB_RANGE;
				return p;
			}
		}
	}
	if (p.status == QB_OK)
		qb_quantize_zeropoint(v, dst, src, n, p.scale, (float)p.zero);
	return p;
}

// ---- The read ceiling. ----

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
