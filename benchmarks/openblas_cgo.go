//go:build cgo && quantbench_openblas

package benchmarks

// The OpenBLAS peer lives in openblas.c; it links libopenblas (Debian's
// libopenblas-dev: its cblas.h and libopenblas.so, LAPACK included).

/*
#cgo LDFLAGS: -lopenblas -lpthread
#include "openblas.h"
*/
import "C"

// OpenBLASEnabled reports whether this build has the OpenBLAS peer (the
// build tag quantbench_openblas, with cgo).
const OpenBLASEnabled = true

func openBLASDescribe() string {
	return C.GoString(C.qb_openblas_config()) + "; core " + C.GoString(C.qb_openblas_corename())
}

func openBLASMulAddAtB(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k, threads int) {
	C.qb_openblas_mul_add_atb(f32p(c), C.int(ldc), f32p(at), C.int(lda), f32p(b), C.int(ldb),
		C.int(m), C.int(n), C.int(k), C.int(threads))
}

func openBLASGPTQ(dst []byte, w []float32, rows, cols int, h []float32, threads int) error {
	switch C.qb_openblas_gptq_q4_0(u8p(dst), f32p(w), C.int(rows), C.int(cols), f32p(h), C.int(threads)) {
	case 0:
		return nil
	case C.QB_GPTQ_NOT_PD:
		return errNotPD
	}
	return errNoMemory
}
