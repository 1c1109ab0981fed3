package gptq

import (
	"fmt"
	"math"

	"github.com/qkernels/quant"
)

// Hessian accumulates the Hessian of a linear layer's reconstruction
// error, H = 2/n·Σ x·xᵀ, over the calibration inputs x (rows of length
// Columns) given to Add. The sums are float32, one fused multiply-add per
// input in the order the inputs were added, so the result does not depend
// on how the inputs were split into batches (the reference code rescales
// its running mean after each batch, whose rounding does). The zero value
// is not usable; call NewHessian.
type Hessian struct {
	columns int
	samples int
	sum     []float32 // Σ x·xᵀ, columns × columns; only j >= i is kept current
	workers int
}

// NewHessian returns an empty Hessian for inputs of columns values, that
// splits its work over up to workers goroutines (runtime.GOMAXPROCS(0) if
// workers < 1). It panics if columns < 1.
func NewHessian(columns, workers int) *Hessian {
	if columns < 1 {
		panic(fmt.Sprintf("gptq: NewHessian: %d columns", columns))
	}
	return &Hessian{columns: columns, sum: make([]float32, columns*columns), workers: workers}
}

// Columns returns the length of the inputs.
func (h *Hessian) Columns() int { return h.columns }

// Samples returns how many inputs have been added.
func (h *Hessian) Samples() int { return h.samples }

// Add adds the inputs x, len(x)/Columns rows of Columns values. It panics
// if len(x) is not a multiple of Columns, and returns an error wrapping
// quant.ErrNotFinite, adding nothing, if x holds a NaN or an infinity.
func (h *Hessian) Add(x []float32) error {
	n := h.columns
	if len(x)%n != 0 {
		panic(fmt.Sprintf("gptq: Hessian.Add: %d values are not rows of %d", len(x), n))
	}
	if i := firstNonFinite(x); i >= 0 {
		return fmt.Errorf("gptq: Hessian.Add: %w: x[%d] = %v", quant.ErrNotFinite, i, x[i])
	}
	rows := len(x) / n
	// Σ x·xᵀ is Xᵀ·X for the batch X (rows × n): the inputs are already
	// the transposed left operand. Only the upper triangle is computed,
	// in strips of stripRows rows of H.
	parallel((n+stripRows-1)/stripRows, h.workers, func(s int) {
		i0 := s * stripRows
		m := min(stripRows, n-i0)
		quant.MulAddAtB(h.sum[i0*n+i0:], n, x[i0:], n, x[i0:], n, m, n-i0, rows, 1)
	})
	h.samples += rows
	return nil
}

// stripRows is the height of the strips in which triangular products are
// computed: the work skipped below the diagonal is at most half a strip.
const stripRows = 128

// Matrix returns H = 2/n·Σ x·xᵀ (n the number of samples) as a new
// Columns × Columns row-major matrix: each element rounded once, from the
// float32 sum, 2/n in float64. With no samples it is all zeros.
func (h *Hessian) Matrix() []float32 {
	n := h.columns
	out := make([]float32, n*n)
	if h.samples == 0 {
		return out
	}
	scale := 2 / float64(h.samples)
	for i := range n {
		for j := i; j < n; j++ {
			v := float32(float64(h.sum[i*n+j]) * scale)
			out[i*n+j], out[j*n+i] = v, v
		}
	}
	return out
}

// firstNonFinite returns the index of the first NaN or infinity in x, or -1.
func firstNonFinite(x []float32) int {
	for i, v := range x {
		if math.Float32bits(v)&0x7F800000 == 0x7F800000 {
			return i
		}
	}
	return -1
}
