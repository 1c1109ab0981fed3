//go:build cgo && quantbench_openblas

// The OpenBLAS peer: GPTQ (Frantar et al., 2022) to GGUF Q4_0 and its
// update multiply, written in C as a programmer with OpenBLAS would write
// them, for the benchmarks (openblas_cgo.go). Built only with the tag
// quantbench_openblas (needs libopenblas-dev), with the package's flags:
// -O3 -march=native -std=c11, so no contraction but the explicit fmaf
// below.
//
// GPTQ here is the algorithm of the reference implementation with the
// choices of package gptq:
//
//  1. dead inputs (H[i][i] == 0) get H[i][i] = 1 and W[:, i] = 0;
//  2. H[i][i] += 0.01 * mean(diag(H));
//  3. U, the upper Cholesky factor of H⁻¹ (H⁻¹ = UᵀU);
//  4. for each block of 128 columns [i1, i2), for each column j in
//     order: at the start of each group of 32 columns, each row's Q4_0
//     parameters from its 32 values as updated so far; each row's value
//     quantized, its error err_r = (w - ŵ) / U[j][j] kept in Err and
//     spread over the rest of the block, W[r][j'] -= err_r * U[j][j'];
//     after the block, W[:, i2:] -= Errᵀ · U[i1:i2, i2:], one sgemm.
//
// (The reference finds a group's parameters from W before the updates of
// the block it starts in: stale values for the groups after the first of
// a block. Here, as in package gptq, they come from the updated values.)
//
// Rows are independent within a block (each has its own parameters and
// errors), so step 4 runs on tiles of rows, each tile's block of W in L1
// and every step vectorized across the tile's rows, the tiles split over
// the threads; the update between blocks and the factorizations are
// OpenBLAS's, on the same number of threads.

#define _POSIX_C_SOURCE 200809L

#include "openblas.h"

#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

// OpenBLAS's own entry points (its cblas.h declares them too, another
// vendor's would not) and LAPACK's Fortran interface (OpenBLAS is built
// without LAPACKE here), with the hidden lengths of the character
// arguments that gfortran passes.
void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);
char *openblas_get_config(void);
void spotrf_(const char *uplo, const int *n, float *a, const int *lda, int *info, size_t uplo_len);
void strtri_(const char *uplo, const char *diag, const int *n, float *a, const int *lda, int *info,
             size_t uplo_len, size_t diag_len);

const char *qb_openblas_corename(void) { return openblas_get_corename(); }
const char *qb_openblas_config(void) { return openblas_get_config(); }

void qb_openblas_mul_add_atb(float *c, int ldc, const float *at, int lda, const float *b, int ldb,
                             int m, int n, int k, int threads) {
	if (m == 0 || n == 0 || k == 0) {
		return;
	}
	openblas_set_num_threads(threads);
	// Row-major C = 1·C + 1·op(A)·B with op(A) = Aᵀ, A stored k×m.
	cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, n, k, 1.0f, at, lda, b, ldb, 1.0f, c, ldc);
}

// fma where the target has the instruction (x86-64 with -march=native
// on an FMA CPU, arm64); elsewhere a product and a difference.
#if defined(__FMA__) || defined(__aarch64__)
#define QB_MSUB(a, b, c) fmaf(-(a), (b), (c))
#else
#define QB_MSUB(a, b, c) ((c) - (a) * (b))
#endif

// half_bits rounds f to the nearest binary16, ties to even, and returns
// its bits (±Inf from 65520 in magnitude).
static uint16_t half_bits(float f) {
	uint32_t x;
	memcpy(&x, &f, sizeof x);
	uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
	uint32_t a = x & 0x7fffffff;
	if (a > 0x7f800000) {
		return sign | 0x7e00; // NaN
	}
	if (a >= 0x477ff000) { // 65520 and up, infinity included
		return sign | 0x7c00;
	}
	if (a < 0x38800000) { // below 2^-14: a subnormal binary16 or zero
		float v;
		memcpy(&v, &a, sizeof v);
		// Units of 2^-24, rounded to even (the default mode); 1024 is
		// the bits of the smallest normal, 2^-14, as it should be.
		return sign | (uint16_t)lrintf(v * 0x1p24f);
	}
	uint32_t r = a - 0x38000000; // exponent bias 127 -> 15
	r += 0xfff + ((r >> 13) & 1);
	return sign | (uint16_t)(r >> 13);
}

// half_float is the value of the binary16 bits h (finite).
static float half_float(uint16_t h) {
	uint32_t e = (h >> 10) & 31, m = h & 0x3ff;
	float f;
	if (e == 0) {
		f = (float)m * 0x1p-24f;
	} else {
		uint32_t x = ((e + 112) << 23) | (m << 13);
		memcpy(&f, &x, sizeof f);
	}
	return (h & 0x8000) ? -f : f;
}

enum { GROUP = 32, BLOCK = 128, Q4_0_BYTES = 18, MAX_THREADS = 64, TILE = 32 };

// The work of one block on a range of rows.
typedef struct {
	const float *w; // rows×cols, updated up to column i1
	const float *u; // cols×cols, upper triangle
	float *err;     // BLOCK×rows: err[(j-i1)*rows + r]
	uint8_t *dst;
	int rows, cols, i1, i2, r0, r1;
} block_job;

// quantize_rows quantizes columns [i1, i2) of rows [r0, r1), TILE rows at
// a time: their block of W is copied transposed into t, a column of TILE
// values per step (so that every operation of a step runs across rows,
// which the compiler vectorizes), and each column's errors are spread
// over the tile's columns after it. The block's columns of W are not
// written back: only the columns after the block are read again.
static void quantize_rows(const block_job *jb) {
	float t[BLOCK][TILE]; // 16 KiB
	const int cols = jb->cols, i1 = jb->i1, bw = jb->i2 - jb->i1;
	float d[TILE], id[TILE], e[TILE], qf[TILE];
	for (int r0 = jb->r0; r0 < jb->r1; r0 += TILE) {
		int nr = jb->r1 - r0 < TILE ? jb->r1 - r0 : TILE;
		for (int i = 0; i < TILE; i++) {
			const float *src = jb->w + (size_t)(r0 + (i < nr ? i : 0)) * cols + i1;
			for (int c = 0; c < bw; c++) {
				t[c][i] = i < nr ? src[c] : 0;
			}
		}
		uint8_t *blocks = jb->dst + ((size_t)r0 * (cols / GROUP) + i1 / GROUP) * Q4_0_BYTES;
		const size_t row_bytes = (size_t)(cols / GROUP) * Q4_0_BYTES;
		for (int c = 0; c < bw; c++) {
			const int j = i1 + c, g = c / GROUP, k = c % GROUP;
			if (k == 0) {
				// Each row's first value of the largest magnitude in the
				// group, as updated so far; d = fp16(e / -8).
				for (int i = 0; i < TILE; i++) {
					e[i] = t[c][i];
				}
				for (int s = c + 1; s < c + GROUP; s++) {
					for (int i = 0; i < TILE; i++) {
						e[i] = fabsf(t[s][i]) > fabsf(e[i]) ? t[s][i] : e[i];
					}
				}
				for (int i = 0; i < nr; i++) {
					uint16_t dh = half_bits(e[i] / -8.0f);
					d[i] = half_float(dh);
					id[i] = d[i] == 0 ? 0 : 1.0f / d[i];
					uint8_t *blk = blocks + i * row_bytes + g * Q4_0_BYTES;
					blk[0] = (uint8_t)dh;
					blk[1] = (uint8_t)(dh >> 8);
					memset(blk + 2, 0, 16);
				}
				for (int i = nr; i < TILE; i++) {
					d[i] = id[i] = 0;
				}
			}
			const float *uj = jb->u + (size_t)j * cols + i1;
			const float ujj = uj[c];
			float *errc = jb->err + (size_t)c * jb->rows + r0;
			for (int i = 0; i < TILE; i++) {
				float x = t[c][i];
				float q = rintf(x * id[i]) + 8.0f; // to nearest even: the default mode
				q = q < 0 ? 0 : (q > 15 ? 15 : q);
				qf[i] = q;
				e[i] = (x - d[i] * (q - 8.0f)) / ujj;
			}
			for (int i = 0; i < nr; i++) {
				errc[i] = e[i];
				uint8_t qi = (uint8_t)qf[i];
				uint8_t *blk = blocks + i * row_bytes + g * Q4_0_BYTES;
				blk[2 + k % 16] |= k < 16 ? qi : (uint8_t)(qi << 4);
			}
			for (int s = c + 1; s < bw; s++) {
				const float us = uj[s];
				for (int i = 0; i < TILE; i++) {
					t[s][i] = QB_MSUB(e[i], us, t[s][i]);
				}
			}
		}
	}
}

static void *quantize_rows_thread(void *p) {
	quantize_rows(p);
	return NULL;
}

// quantize_block runs quantize_rows on every row, split over threads
// threads in whole tiles (the caller's one of them). OpenBLAS's own
// threads, idle between two sgemm calls, spin (with sched_yield) for a
// while before they sleep: on a machine with as many CPUs as threads they
// share the CPUs with these (OPENBLAS_THREAD_TIMEOUT shortens the spin).
static void quantize_block(block_job jb, int threads) {
	block_job jobs[MAX_THREADS];
	pthread_t ids[MAX_THREADS];
	int started[MAX_THREADS] = {0};
	const int rows = jb.rows, tiles = (rows + TILE - 1) / TILE;
	if (threads > tiles) {
		threads = tiles;
	}
	for (int t = 0; t < threads; t++) { // whole tiles each
		int r0 = (int)((long)tiles * t / threads) * TILE, r1 = (int)((long)tiles * (t + 1) / threads) * TILE;
		jobs[t] = jb;
		jobs[t].r0 = r0;
		jobs[t].r1 = r1 < rows ? r1 : rows;
	}
	for (int t = 1; t < threads; t++) {
		started[t] = pthread_create(&ids[t], NULL, quantize_rows_thread, &jobs[t]) == 0;
	}
	quantize_rows(&jobs[0]);
	for (int t = 1; t < threads; t++) {
		if (started[t]) {
			pthread_join(ids[t], NULL);
		} else {
			quantize_rows(&jobs[t]); // no thread: do its rows here
		}
	}
}

// reverse reverses the n values of a: the flat reversal of a row-major
// square matrix is J·M·J, its rows and columns in reverse order.
static void reverse(float *a, size_t n) {
	for (size_t i = 0, j = n - 1; i < j; i++, j--) {
		float t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
}

// inverse_cholesky_upper replaces the symmetric positive definite n×n
// matrix a (row-major) with U, the upper Cholesky factor of its inverse
// (a⁻¹ = UᵀU), in its upper triangle; the strict lower triangle is left
// holding garbage. It returns LAPACK's info (0 on success).
//
// The reference implementation computes U as Cholesky (spotrf lower),
// inverse from the factor (spotri), Cholesky again (spotrf upper). This
// is the cheaper equivalent package gptq uses: with J the reversal, J·H·J
// = L̃·L̃ᵀ (one spotrf), and U = J·L̃⁻¹·J (one strtri), since
// (J·L̃⁻¹·J)ᵀ·(J·L̃⁻¹·J) = J·(L̃·L̃ᵀ)⁻¹·J = H⁻¹ and J·L̃⁻¹·J is upper
// triangular with a positive diagonal. In LAPACK's column-major terms the
// row-major array is the transpose: spotrf 'U' leaves R = L̃ᵀ there (L̃
// in row-major), strtri 'U' inverts it (L̃⁻¹ in row-major), and the flat
// reversal of that is U. spotrf 'U' reads the row-major lower triangle
// of J·H·J, which is the upper triangle of H: like gptq.Quantize, this
// reads H's upper triangle only.
static int inverse_cholesky_upper(float *a, int n) {
	int info = 0;
	reverse(a, (size_t)n * n);
	spotrf_("U", &n, a, &n, &info, 1);
	if (info != 0) {
		return info;
	}
	strtri_("U", "N", &n, a, &n, &info, 1, 1);
	if (info != 0) {
		return info;
	}
	reverse(a, (size_t)n * n);
	return 0;
}

int qb_openblas_gptq_q4_0(uint8_t *dst, const float *w_in, int rows, int cols, const float *h_in, int threads) {
	if (threads < 1) {
		threads = 1;
	}
	if (threads > MAX_THREADS) {
		threads = MAX_THREADS;
	}
	size_t nw = (size_t)rows * cols, nh = (size_t)cols * cols;
	float *w = malloc(nw * sizeof *w);
	float *u = malloc(nh * sizeof *u);
	float *err = malloc((size_t)BLOCK * rows * sizeof *err);
	int status = 0;
	if (w == NULL || u == NULL || err == NULL) {
		status = QB_GPTQ_NOMEM;
		goto out;
	}
	memcpy(w, w_in, nw * sizeof *w);
	memcpy(u, h_in, nh * sizeof *u);
	openblas_set_num_threads(threads);

	// Dead inputs, then damping by 1% of the mean diagonal.
	double sum = 0;
	for (int i = 0; i < cols; i++) {
		float *hii = &u[(size_t)i * cols + i];
		if (*hii == 0) {
			*hii = 1;
			for (int r = 0; r < rows; r++) {
				w[(size_t)r * cols + i] = 0;
			}
		}
		sum += *hii;
	}
	float damp = (float)(0.01 * sum / cols);
	for (int i = 0; i < cols; i++) {
		u[(size_t)i * cols + i] += damp;
	}
	if (inverse_cholesky_upper(u, cols) != 0) {
		status = QB_GPTQ_NOT_PD;
		goto out;
	}

	for (int i1 = 0; i1 < cols; i1 += BLOCK) {
		int i2 = i1 + BLOCK < cols ? i1 + BLOCK : cols;
		block_job jb = {w, u, err, dst, rows, cols, i1, i2, 0, rows};
		quantize_block(jb, threads);
		if (i2 < cols) {
			// W[:, i2:] -= Errᵀ·U[i1:i2, i2:]: C rows×(cols-i2), Aᵀ given
			// as the (i2-i1)×rows Err, B the rows i1..i2 of U.
			cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, rows, cols - i2, i2 - i1, -1.0f, err, rows,
			            u + (size_t)i1 * cols + i2, cols, 1.0f, w + i2, cols);
		}
	}
out:
	free(w);
	free(u);
	free(err);
	return status;
}
