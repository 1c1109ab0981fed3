package benchmarks

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/qkernels/quant"
	"github.com/qkernels/quant/gptq"
)

// The matrix benchmarks (see MatrixKernels): sub-benchmarks
// size=<elements>/impl=<name> like the others, at the sizes that are
// squares of a multiple of MatrixStep. One GPTQ of 4096×4096 takes
// seconds, so each sub-benchmark runs one or a few iterations at the
// suite's benchtime; measure them in passes of their own, e.g.
//
//	ci/bench.sh --bench 'MulAddAtB|GPTQ' --sizes 1048576,16777216 --count 6 --no-plot
//
// Both implementations run on runtime.GOMAXPROCS(0) threads; OpenBLAS's
// kernels are those of the core OPENBLAS_CORETYPE names, or that it
// detects (the quant-openblas line of the header says which).
func BenchmarkMulAddAtB(b *testing.B) { benchMatrix(b, "MulAddAtB") }
func BenchmarkGPTQ(b *testing.B)      { benchMatrix(b, "GPTQ") }

// openBLASIdle is how long an openblas sub-benchmark waits when it is
// done: OpenBLAS's idle threads spin (with sched_yield) for 2^28 cycles
// of the time-stamp counter after each call before they sleep, about
// 0.1 s at 2-3 GHz, and would take a CPU from the sub-benchmark after it.
const openBLASIdle = 250 * time.Millisecond

// matrixCase is one sub-benchmark of a matrix benchmark.
type matrixCase struct {
	impl  string
	bytes int64   // b.SetBytes
	flops float64 // per iteration, for the GFLOP/s metric; 0: none
	// setup makes the inputs and returns the body of one iteration.
	setup func() func()
}

// matrixImpls names the implementations of a matrix benchmark, in order.
func matrixImpls() []string {
	if OpenBLASEnabled {
		return []string{"quant", "openblas"}
	}
	return []string{"quant"}
}

// matrixCases returns the sub-benchmarks of kernel at n elements.
func matrixCases(kernel string, n int) []matrixCase {
	side, workers := MatrixSide(n), runtime.GOMAXPROCS(0)
	var cases []matrixCase
	switch kernel {
	case "MulAddAtB":
		m, k := side, MatrixDepth
		inputs := func() (c, at, b []float32) {
			return Weights(m*m, 1), Weights(k*m, 2), Weights(k*m, 3)
		}
		for _, impl := range matrixImpls() {
			f := quant.MulAddAtB
			if impl == "openblas" {
				f = OpenBLASMulAddAtB
			}
			cases = append(cases, matrixCase{impl, 8 * int64(m) * int64(m), 2 * float64(m) * float64(m) * float64(k),
				func() func() {
					c, at, b := inputs()
					return func() { f(c, m, at, m, b, m, m, m, k, workers) }
				}})
		}
	case "GPTQ":
		w, h := Weights(side*side, 4), GPTQHessian(side, 5)
		for _, impl := range matrixImpls() {
			var body func() func()
			if impl == "openblas" {
				body = func() func() {
					dst := make([]byte, side*side/32*quant.Q4_0Bytes)
					return func() {
						if err := OpenBLASGPTQ(dst, w, side, side, h, workers); err != nil {
							panic(err)
						}
					}
				}
			} else {
				body = func() func() {
					opt := gptq.Options{Grid: gptq.Q4_0, GroupSize: 32, Workers: workers}
					return func() {
						if _, err := gptq.Quantize(w, side, side, h, opt); err != nil {
							panic(err)
						}
					}
				}
			}
			cases = append(cases, matrixCase{impl, 4 * int64(side) * int64(side), 0, body})
		}
	default:
		panic("benchmarks: unknown matrix kernel " + kernel)
	}
	return cases
}

func benchMatrix(b *testing.B, kernel string) {
	sizes, err := BenchSizes(testing.Short())
	if err != nil {
		b.Fatal(err)
	}
	sizes = MatrixSizes(sizes)
	if len(sizes) == 0 {
		b.Skip("no size to measure is the square of a multiple of " + strconv.Itoa(MatrixStep))
	}
	for _, n := range sizes {
		b.Run("size="+strconv.Itoa(n), func(b *testing.B) {
			for _, c := range matrixCases(kernel, n) {
				b.Run("impl="+c.impl, func(b *testing.B) {
					body := c.setup()
					body() // warm up: touch every page, start the threads
					runtime.GC()
					b.SetBytes(c.bytes)
					b.ReportAllocs()
					for b.Loop() {
						body()
					}
					if c.flops > 0 {
						b.ReportMetric(c.flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					}
					if c.impl == "openblas" {
						b.StopTimer()
						time.Sleep(openBLASIdle)
					}
				})
			}
		})
	}
}

// matrixPlan prints the sub-benchmarks of the matrix benchmarks that
// match selects, as printPlan does.
func matrixPlan(sizes []int, match func(level int, s string) bool, print func(string)) {
	for _, kernel := range MatrixKernels {
		if !match(0, "Benchmark"+kernel) {
			continue
		}
		for _, n := range MatrixSizes(sizes) {
			size := "size=" + strconv.Itoa(n)
			if !match(1, size) {
				continue
			}
			for _, impl := range matrixImpls() {
				if match(2, "impl="+impl) {
					print("Benchmark" + kernel + "/" + size + "/impl=" + impl)
				}
			}
		}
	}
}
