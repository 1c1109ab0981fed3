// The OpenBLAS peer of GPTQ and of its update multiply, quant.MulAddAtB:
// the same work built on OpenBLAS (cblas_sgemm, LAPACK's spotrf and
// strtri), for the benchmarks. See openblas.c.
#ifndef QB_OPENBLAS_H
#define QB_OPENBLAS_H

#include <stdint.h>

// qb_openblas_corename names the kernels OpenBLAS chose for this CPU
// (openblas_get_corename: "SkylakeX", "Haswell", ..., or "Prescott" where
// its detection does not know the CPU); qb_openblas_config is its build
// (openblas_get_config).
const char *qb_openblas_corename(void);
const char *qb_openblas_config(void);

// qb_openblas_mul_add_atb adds Aᵀ·B to C as quant.MulAddAtB does, on the
// same shapes: C m×n (stride ldc), A given transposed as k×m (stride lda),
// B k×n (stride ldb), all row-major; one cblas_sgemm on threads threads.
void qb_openblas_mul_add_atb(float *c, int ldc, const float *at, int lda, const float *b, int ldb,
                             int m, int n, int k, int threads);

// Status of qb_openblas_gptq_q4_0 besides 0 (success): the memory it
// needs could not be allocated, or the damped Hessian is not positive
// definite in float32 (spotrf failed).
enum { QB_GPTQ_NOMEM = -1, QB_GPTQ_NOT_PD = -2 };

// qb_openblas_gptq_q4_0 quantizes the rows×cols weights w (row-major, one
// row per output) with GPTQ on the Hessian h (cols×cols, row-major) to
// GGUF Q4_0 with groups of 32 (cols a multiple of 32): rows × cols/32
// blocks of 18 bytes in dst, row-major as a GGUF tensor. Blocks of 128
// columns, damping 0.01, no act-order; threads threads for OpenBLAS and
// for the quantization within a block. Of h only the upper triangle is
// read; w and h are left as they are.
int qb_openblas_gptq_q4_0(uint8_t *dst, const float *w, int rows, int cols, const float *h, int threads);

#endif
