package gptq_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/qkernels/quant/gptq"
)

// An error report: a 64 × 256 layer whose inputs are correlated (rank 16
// plus noise) and whose weights have a few outlier columns, quantized by
// rounding to nearest (RTN: GPTQ with an identity Hessian) and by GPTQ on
// each grid. The output error is ‖W·X - Ŵ·X‖² / ‖W·X‖² over the
// calibration inputs, and SQNR is its inverse in dB.
func Example_errorReport() {
	const rows, cols, samples = 64, 256, 1024
	rng := rand.New(rand.NewPCG(1, 2))
	w := make([]float32, rows*cols)
	for i := range w {
		w[i] = float32(rng.NormFloat64() * 0.02)
	}
	for _, c := range []int{3, 77, 200} { // outlier input channels
		for r := range rows {
			w[r*cols+c] *= 8
		}
	}
	basis := make([]float64, 16*cols)
	for i := range basis {
		basis[i] = rng.NormFloat64()
	}
	x := make([]float32, samples*cols)
	for s := range samples {
		var z [16]float64
		for i := range z {
			z[i] = rng.NormFloat64()
		}
		for c := range cols {
			v := 0.1 * rng.NormFloat64()
			for i, zi := range z {
				v += zi * basis[i*cols+c]
			}
			x[s*cols+c] = float32(v)
		}
	}

	h := gptq.NewHessian(cols, 0)
	if err := h.Add(x); err != nil {
		panic(err)
	}
	hessian := h.Matrix()
	identity := make([]float32, cols*cols)
	for i := range cols {
		identity[i*cols+i] = 1
	}
	relError := func(opt gptq.Options, hess []float32) float64 {
		l, err := gptq.Quantize(w, rows, cols, hess, opt)
		if err != nil {
			panic(err)
		}
		wq := make([]float32, rows*cols)
		l.Dequantize(wq)
		var num, den float64
		for s := range samples {
			in := x[s*cols : (s+1)*cols]
			for r := range rows {
				var y, d float64
				for c, v := range in {
					y += float64(w[r*cols+c]) * float64(v)
					d += float64(w[r*cols+c]-wq[r*cols+c]) * float64(v)
				}
				num, den = num+d*d, den+y*y
			}
		}
		return num / den
	}
	fmt.Println("grid                 RTN error   GPTQ error   GPTQ/RTN   SQNR RTN → GPTQ")
	for _, opt := range []gptq.Options{
		{Grid: gptq.Q8_0}, {Grid: gptq.Q4_0}, {Grid: gptq.Q4_1},
		{Grid: gptq.Int4Absmax, GroupSize: 32}, {Grid: gptq.Int4ZeroPoint, GroupSize: 128},
	} {
		rtn := relError(opt, identity)
		g := relError(opt, hessian)
		name := opt.Grid.String()
		if opt.Grid >= gptq.Int8Absmax {
			name += fmt.Sprintf(" /%d", opt.GroupSize)
		}
		fmt.Printf("%-20s %9.2e   %10.2e   %8.3f   %5.1f → %.1f dB\n",
			name, rtn, g, g/rtn, -10*math.Log10(rtn), -10*math.Log10(g))
	}
	// Output:
	// grid                 RTN error   GPTQ error   GPTQ/RTN   SQNR RTN → GPTQ
	// Q8_0                  1.16e-04     7.20e-07      0.006    39.4 → 61.4 dB
	// Q4_0                  2.28e-02     1.81e-04      0.008    16.4 → 37.4 dB
	// Q4_1                  1.13e-02     1.78e-04      0.016    19.5 → 37.5 dB
	// int4 absmax /32       3.26e-02     2.64e-04      0.008    14.9 → 35.8 dB
	// int4 zero-point /128  4.29e-02     9.96e-04      0.023    13.7 → 30.0 dB
}
