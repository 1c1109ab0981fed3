package quant_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/qkernels/quant"
)

// The seed's claim for quantization-aware training, on a problem small
// enough to read: a linear model y = w·x with correlated inputs, whose
// float32 weights are fitted, then quantized to INT8 after training
// (PTQ), or fine-tuned with fake quantization in the forward pass first
// (QAT). Rounding each weight to its nearest grid point ignores that the
// inputs move together; training through the rounding learns weights
// whose quantized errors cancel.
//
// Every product is converted explicitly, so that no platform fuses a
// multiply and an add and the output is the same everywhere.

const (
	qatFeatures = 32
	qatSamples  = 512
)

// qatData returns n inputs whose features share one common component,
// and their targets under the teacher weights.
func qatData(r *rand.Rand, n int, teacher []float32) (x [][]float32, y []float32) {
	for range n {
		u := r.NormFloat64()
		row := make([]float32, qatFeatures)
		var t float64
		for j := range row {
			row[j] = float32(u + float64(0.1*r.NormFloat64()))
			t += float64(float64(row[j]) * float64(teacher[j]))
		}
		x, y = append(x, row), append(y, float32(t))
	}
	return x, y
}

// mse is the mean squared error of weights w on (x, y).
func mse(w []float32, x [][]float32, y []float32) float64 {
	var sum float64
	for i, row := range x {
		var p float64
		for j, v := range row {
			p += float64(float64(v) * float64(w[j]))
		}
		e := p - float64(y[i])
		sum += float64(e * e)
	}
	return sum / float64(len(x))
}

// qatStep is one step of gradient descent on the loss of the weights the
// forward pass uses (fwd), applied to w: with fake quantization, fwd is
// the fake-quantized w and the gradient passes straight through.
func qatStep(w, fwd []float32, x [][]float32, y []float32, rate float64) {
	grad := make([]float64, len(w))
	for i, row := range x {
		var p float64
		for j, v := range row {
			p += float64(float64(v) * float64(fwd[j]))
		}
		e := p - float64(y[i])
		for j, v := range row {
			grad[j] += float64(e * float64(v))
		}
	}
	for j := range w {
		w[j] -= float32(rate * 2 * grad[j] / float64(len(x)))
	}
}

// int8Model returns the weights an INT8 deployment of w computes with:
// per-tensor absmax, dequantized.
func int8Model(w []float32) []float32 {
	q := make([]int8, len(w))
	p, err := quant.QuantizeAbsmax(q, w)
	if err != nil {
		panic(err)
	}
	out := make([]float32, len(w))
	quant.DequantizeAbsmax(out, q, p)
	return out
}

// qatVersusPTQ trains the float model, then fine-tunes a copy with fake
// quantization, and returns the test errors of both INT8 models.
func qatVersusPTQ() (fp, ptq, qat float64) {
	r := rand.New(rand.NewPCG(1, 2))
	// Weights of about ±0.5 and one of 4, which sets the per-tensor grid
	// to steps of 4/127.
	teacher := make([]float32, qatFeatures)
	for j := range teacher {
		teacher[j] = float32(0.5 * r.NormFloat64())
	}
	teacher[0] = 4
	x, y := qatData(r, qatSamples, teacher)
	tx, ty := qatData(r, qatSamples, teacher)

	// The float32 model: the least-squares fit, trained to the end.
	w := leastSquares(x, y)

	// QAT: the same model fine-tuned with the INT8 rounding in the
	// forward pass, the parameters taken from the weights at each step,
	// the rate decaying linearly to 0.
	const steps = 300
	tuned := append([]float32(nil), w...)
	fwd := make([]float32, qatFeatures)
	for s := range steps {
		p, err := quant.AbsmaxParamsFor(quant.AbsMax(tuned))
		if err != nil {
			panic(err)
		}
		if err := quant.FakeQuantizeAbsmax(fwd, tuned, p); err != nil {
			panic(err)
		}
		qatStep(tuned, fwd, x, y, 0.001*(1-float64(s)/steps))
	}
	return mse(w, tx, ty), mse(int8Model(w), tx, ty), mse(int8Model(tuned), tx, ty)
}

// leastSquares solves the normal equations (XᵀX)w = Xᵀy in float64 by
// Gaussian elimination with partial pivoting.
func leastSquares(x [][]float32, y []float32) []float32 {
	n := qatFeatures
	a := make([][]float64, n)
	for j := range a {
		a[j] = make([]float64, n+1)
		for i, row := range x {
			for k := range n {
				a[j][k] += float64(float64(row[j]) * float64(row[k]))
			}
			a[j][n] += float64(float64(row[j]) * float64(y[i]))
		}
	}
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		for r := c + 1; r < n; r++ {
			f := a[r][c] / a[c][c]
			for k := c; k <= n; k++ {
				a[r][k] -= float64(f * a[c][k])
			}
		}
	}
	w := make([]float64, n)
	for c := n - 1; c >= 0; c-- {
		s := a[c][n]
		for k := c + 1; k < n; k++ {
			s -= float64(a[c][k] * w[k])
		}
		w[c] = s / a[c][c]
	}
	out := make([]float32, n)
	for j, v := range w {
		out[j] = float32(v)
	}
	return out
}

func Example_quantizationAwareTraining() {
	fp, ptq, qat := qatVersusPTQ()
	fmt.Printf("float32 model:     test MSE %.2e\n", fp)
	fmt.Printf("INT8 after PTQ:    test MSE %.2e\n", ptq)
	fmt.Printf("INT8 after QAT:    test MSE %.2e\n", qat)
	fmt.Printf("QAT/PTQ error:     %.4f\n", qat/ptq)
	// Output:
	// float32 model:     test MSE 2.20e-14
	// INT8 after PTQ:    test MSE 3.74e-03
	// INT8 after QAT:    test MSE 5.02e-05
	// QAT/PTQ error:     0.0134
}

// TestQATBeatsPTQ pins the example's claim: on this fixed problem the
// INT8 model fine-tuned with fake quantization has the lower error.
func TestQATBeatsPTQ(t *testing.T) {
	_, ptq, qat := qatVersusPTQ()
	if !(qat < ptq) || math.IsNaN(qat) {
		t.Errorf("INT8 test MSE after QAT %g, after PTQ %g: QAT should be lower", qat, ptq)
	}
}
