package benchmarks

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
)

// The matrix benchmarks: GPTQ and its update multiply (quant.MulAddAtB),
// against the same work on OpenBLAS. They take square matrices; their
// size=N is the element count of the matrix, so that they share the
// suite's sizes: N = side², side a multiple of MatrixStep (65536 is
// 256×256, 1M 1024×1024, 16M 4096×4096).
//
//   - BenchmarkMulAddAtB: C (side×side) += Aᵀ·B with A side×MatrixDepth,
//     given transposed, and B MatrixDepth×side: the shape of GPTQ's lazy
//     update of a side×side layer (MatrixDepth, 128, is its block size).
//     b.SetBytes counts the bytes of C read and written (8 per element of
//     C); the GFLOP/s metric counts 2·side²·MatrixDepth operations.
//   - BenchmarkGPTQ: a side×side layer (Weights) quantized to GGUF Q4_0
//     with groups of 32, blocks of 128, 1% damping, no act-order, given
//     the Hessian of GPTQHessian. b.SetBytes counts the weights' bytes (4
//     per element).
//
// The implementations are "quant" (quant.MulAddAtB; gptq.Quantize) and
// "openblas" (OpenBLASMulAddAtB; OpenBLASGPTQ), both on
// runtime.GOMAXPROCS(0) threads.
var MatrixKernels = []string{"MulAddAtB", "GPTQ"}

// MatrixStep is the step of the sides of the matrix benchmarks, and
// MatrixDepth the depth k of BenchmarkMulAddAtB's product.
const (
	MatrixStep  = 128
	MatrixDepth = 128
)

// MatrixSide returns the side of the square matrix of n elements that the
// matrix benchmarks measure at size n, or 0 if they skip that size (n is
// not the square of a multiple of MatrixStep).
func MatrixSide(n int) int {
	s := int(math.Sqrt(float64(n)))
	for s*s > n {
		s--
	}
	for (s+1)*(s+1) <= n {
		s++
	}
	if s*s != n || s%MatrixStep != 0 {
		return 0
	}
	return s
}

// MatrixSizes returns the sizes, among sizes, the matrix benchmarks take.
func MatrixSizes(sizes []int) []int {
	var out []int
	for _, n := range sizes {
		if MatrixSide(n) > 0 {
			out = append(out, n)
		}
	}
	return out
}

// MatrixSizeLabel prints size n of a matrix benchmark as its shape,
// "1024x1024".
func MatrixSizeLabel(n int) string {
	s := strconv.Itoa(MatrixSide(n))
	return s + "x" + s
}

// GPTQHessian returns a Hessian of a layer with cols inputs: H = 2·E[x·xᵀ]
// for inputs x whose features are correlated, with neighbours through a
// stationary AR(1) sequence z of unit variance (E[z_i·z_j] = ρ^|i-j|, ρ =
// 0.9) and all of them through four latent factors g (standard normal,
// loadings a_ik normal with σ = 0.7): x_i = s_i·(z_i + Σ_k a_ik·g_k), with
// scales s_i log-normal (σ = 0.5) and one feature in 64 an outlier ten
// times larger. It is the expectation that the calibration sums of a real
// layer estimate, made in O(cols²) rather than O(cols²·samples). GPTQ's
// work does not depend on the values, as long as they stay clear of
// float32's subnormals (which ρ^|i-j| alone would reach, slowing every
// implementation down). The same seed gives the same H.
func GPTQHessian(cols int, seed uint64) []float32 {
	const rho, factors = 0.9, 4
	r := rand.New(rand.NewPCG(seed, 0xD1B54A32D192ED03))
	s := make([]float64, cols)
	load := make([]float64, cols*factors)
	for i := range s {
		s[i] = math.Exp(0.5 * r.NormFloat64())
		if r.IntN(64) == 0 {
			s[i] *= 10
		}
		for k := range factors {
			load[i*factors+k] = 0.7 * r.NormFloat64()
		}
	}
	pow := make([]float64, cols) // ρ^d
	pow[0] = 1
	for d := 1; d < cols; d++ {
		pow[d] = pow[d-1] * rho
	}
	h := make([]float32, cols*cols)
	for i := range cols {
		for j := range cols {
			c := pow[max(i-j, j-i)]
			for k := range factors {
				c += load[i*factors+k] * load[j*factors+k]
			}
			h[i*cols+j] = float32(2 * s[i] * s[j] * c)
		}
	}
	return h
}

// Errors of the OpenBLAS peer.
var (
	errNoOpenBLAS = errors.New("benchmarks: built without the OpenBLAS peer (cgo, libopenblas-dev and -tags quantbench_openblas)")
	errNotPD      = errors.New("benchmarks: OpenBLAS GPTQ: the damped Hessian is not positive definite")
	errNoMemory   = errors.New("benchmarks: OpenBLAS GPTQ: out of memory")
)

// OpenBLASDescribe describes the OpenBLAS peer of this build: OpenBLAS's
// configuration and the core it runs kernels for, which the environment
// variable OPENBLAS_CORETYPE overrides when the process starts.
func OpenBLASDescribe() string { return openBLASDescribe() }

// OpenBLASMulAddAtB adds Aᵀ·B to C as quant.MulAddAtB does (same shapes
// and strides; see there), with one cblas_sgemm on threads threads
// (runtime's GOMAXPROCS if threads < 1). The sums are in OpenBLAS's order,
// so the bits differ. It panics as quant.MulAddAtB does, and without the
// OpenBLAS peer.
func OpenBLASMulAddAtB(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k, threads int) {
	checkMatrix("C", len(c), ldc, m, n)
	checkMatrix("A (transposed)", len(at), lda, k, m)
	checkMatrix("B", len(b), ldb, k, n)
	if m == 0 || n == 0 || k == 0 {
		return
	}
	openBLASMulAddAtB(c, ldc, at, lda, b, ldb, m, n, k, threadCount(threads))
}

// OpenBLASGPTQ quantizes the rows×cols weights w (row-major) with GPTQ on
// the cols×cols Hessian h to GGUF Q4_0 (groups of 32, cols a multiple of
// 32), writing rows·cols/32 blocks to dst, in C on OpenBLAS on threads
// threads: the algorithm and options of gptq.Quantize with Grid Q4_0 (see
// openblas.c). w and h are left as they are. It panics if the sizes do
// not fit, and returns an error if the damped Hessian is not positive
// definite, if C cannot allocate its 4·(rows·cols + cols² + 128·rows)
// bytes, or without the OpenBLAS peer. It checks neither w nor h for
// NaNs and infinities.
func OpenBLASGPTQ(dst []byte, w []float32, rows, cols int, h []float32, threads int) error {
	if rows < 0 || cols < 0 || cols%32 != 0 || len(w) != rows*cols || len(h) != cols*cols ||
		len(dst) != rows*cols/32*18 || int64(rows)*int64(cols) > math.MaxInt32 || int64(cols)*int64(cols) > math.MaxInt32 {
		panic(fmt.Sprintf("benchmarks: OpenBLASGPTQ: %d bytes, %d weights and %d Hessian entries for a %d × %d layer",
			len(dst), len(w), len(h), rows, cols))
	}
	if rows == 0 || cols == 0 {
		return nil
	}
	return openBLASGPTQ(dst, w, rows, cols, h, threadCount(threads))
}

func threadCount(threads int) int {
	if threads < 1 {
		return runtime.GOMAXPROCS(0)
	}
	return threads
}

// checkMatrix panics unless a slice of length have holds rows rows of
// cols values at stride ld, with every index within C's int.
func checkMatrix(name string, have, ld, rows, cols int) {
	switch {
	case rows < 0 || cols < 0:
		panic(fmt.Sprintf("benchmarks: OpenBLASMulAddAtB: %s is %d×%d", name, rows, cols))
	case ld < cols || ld > math.MaxInt32 || rows > math.MaxInt32:
		panic(fmt.Sprintf("benchmarks: OpenBLASMulAddAtB: stride %d of %s for rows of %d", ld, name, cols))
	case rows > 0 && cols > 0 && have < (rows-1)*ld+cols:
		panic(fmt.Sprintf("benchmarks: OpenBLASMulAddAtB: %s holds %d values, not %d rows of %d at stride %d",
			name, have, rows, cols, ld))
	}
}
