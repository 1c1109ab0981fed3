//go:build !cgo || !quantbench_openblas

package benchmarks

// OpenBLASEnabled reports whether this build has the OpenBLAS peer (the
// build tag quantbench_openblas, with cgo).
const OpenBLASEnabled = false

func openBLASDescribe() string {
	return "not built (needs cgo, libopenblas-dev and -tags quantbench_openblas)"
}

func openBLASMulAddAtB(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k, threads int) {
	panic(errNoOpenBLAS)
}

func openBLASGPTQ(dst []byte, w []float32, rows, cols int, h []float32, threads int) error {
	return errNoOpenBLAS
}
