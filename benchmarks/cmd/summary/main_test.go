package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/qkernels/quant/benchmarks"
	"github.com/qkernels/quant/benchmarks/internal/results"
)

func load(t *testing.T, raw string) *results.Run {
	t.Helper()
	path := filepath.Join(t.TempDir(), "r.txt")
	if err := os.WriteFile(path, []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	run, err := results.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func TestWrite(t *testing.T) {
	run := load(t, `quant-cpu: Some CPU
BenchmarkFloat32ToFloat16/size=4096/impl=quant-2   	1	1 ns/op	8000.00 MB/s
BenchmarkFloat32ToFloat16/size=4096/impl=c-simd-2  	1	1 ns/op	4000.00 MB/s
BenchmarkFloat32ToFloat16/size=4096/impl=x448-2    	1	1 ns/op	500.00 MB/s
BenchmarkFloat32ToFloat16/size=4096/impl=read-2    	1	1 ns/op	16000.00 MB/s
`)
	out := written(run, false)
	checkContains(t, out, "CPU: Some CPU", "Float32ToFloat16", "4K", "8.00", "2.00x", "16.00x", "50%")
	if strings.Contains(out, "Parallel") {
		t.Errorf("a parallel table without parallel results:\n%s", out)
	}
	checkContains(t, written(run, true),
		"| Float32ToFloat16 | 4K | 8.00 | 2.00x | 16.00x | - | - | 50% | 75% | 1 | missed: <30x x448 |")
}

// written returns what write prints for run.
func written(run *results.Run, markdown bool) string {
	var b strings.Builder
	write(&b, run, markdown)
	return b.String()
}

// checkContains reports each of wants that out lacks.
func checkContains(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestWriteNewKernels(t *testing.T) {
	run := load(t, `
BenchmarkEncodeQ8_0/size=16777216/impl=quant-2         	1	1 ns/op	4000.00 MB/s
BenchmarkEncodeQ8_0/size=16777216/impl=c-simd-2        	1	1 ns/op	8000.00 MB/s
BenchmarkEncodeQ8_0/size=16777216/impl=c-llama-ref-2   	1	1 ns/op	1000.00 MB/s
BenchmarkEncodeQ8_0/size=16777216/impl=read-2          	1	1 ns/op	9062.50 MB/s
BenchmarkQuantizeAbsmaxPerRow/size=65536/impl=quant-2  	1	1 ns/op	3000.00 MB/s
BenchmarkQuantizeAbsmaxPerRow/size=65536/impl=c-simd-2 	1	1 ns/op	2000.00 MB/s
BenchmarkQuantizeAbsmaxParallel/size=16777216/impl=workers=1-2 	1	1 ns/op	2000.00 MB/s
BenchmarkQuantizeAbsmaxParallel/size=16777216/impl=workers=1-2 	1	1 ns/op	2200.00 MB/s
BenchmarkQuantizeAbsmaxParallel/size=16777216/impl=workers=2-2 	1	1 ns/op	3150.00 MB/s
BenchmarkQuantizeAbsmaxParallel/size=16777216/impl=workers=2-2 	1	1 ns/op	3150.00 MB/s
`)
	out := written(run, true)
	checkContains(t, out,
		// Two passes of 4 bytes and 34/32 bytes out per value: 9.0625
		// bytes moved per 4 read, so 4000 MB/s is 4000*9.0625/4 =
		// 9062.5 MB/s of traffic, 100% of the read ceiling.
		"| EncodeQ8_0 | 16M | 4.00 | 0.50x | - | 4.00x | - | 44% | 100% | 1 | missed: <0.95x c-simd |",
		"| QuantizeAbsmaxPerRow | 16x4096 | 3.00 | 1.50x | - | - | - | - | - | 1 | met |",
		"| kernel | size | workers=1 GB/s | workers=2 GB/s | speedup 2/1 | runs |",
		"| QuantizeAbsmaxParallel | 16M | 2.10 | 3.15 | 1.50x | 2 |",
	)
	if strings.Contains(out, "| QuantizeAbsmaxParallel | 16M | - |") {
		t.Errorf("parallel kernel in the main table:\n%s", out)
	}
}

func TestBoundWithWriteCeiling(t *testing.T) {
	run := load(t, `
BenchmarkFloat16ToFloat32/size=16777216/impl=quant-2   	1	1 ns/op	3000.00 MB/s
BenchmarkFloat16ToFloat32/size=16777216/impl=c-simd-2  	1	1 ns/op	3000.00 MB/s
BenchmarkFloat16ToFloat32/size=16777216/impl=read-2    	1	1 ns/op	15000.00 MB/s
BenchmarkFloat16ToFloat32/size=16777216/impl=write-2   	1	1 ns/op	5000.00 MB/s
BenchmarkAbsMax/size=16777216/impl=quant-2             	1	1 ns/op	9000.00 MB/s
BenchmarkAbsMax/size=16777216/impl=read-2              	1	1 ns/op	10000.00 MB/s
BenchmarkMinMax/size=16777216/impl=quant-2             	1	1 ns/op	9000.00 MB/s
BenchmarkMinMax/size=16777216/impl=c-simd-2            	1	1 ns/op	9000.00 MB/s
BenchmarkMinMax/size=16777216/impl=c-scalar-2          	1	1 ns/op	8000.00 MB/s
BenchmarkMinMax/size=16777216/impl=c-avx512-2          	1	1 ns/op	10100.00 MB/s
BenchmarkMinMax/size=16777216/impl=read-2              	1	1 ns/op	9000.00 MB/s
BenchmarkDecodeQ8_0Float16/size=16777216/impl=quant-2  	1	1 ns/op	3200.00 MB/s
BenchmarkDecodeQ8_0Float16/size=16777216/impl=read-2   	1	1 ns/op	8000.00 MB/s
BenchmarkDecodeQ8_0Float16/size=16777216/impl=write-2  	1	1 ns/op	8000.00 MB/s
`)
	checkContains(t, written(run, true),
		// One pass at 15000 and the output at 5000 (both in input bytes
		// per second): 1/(1/15000 + 1/5000) = 3750, of which 3000 is 80%.
		"| Float16ToFloat32 | 16M | 3.00 | 1.00x | - | - | - | 20% | 80% | 1 | missed: <90% of bound |",
		// A reduction writes nothing: its bound is the read ceiling.
		"| AbsMax | 16M | 9.00 | - | - | - | - | 90% | 90% | 1 | met |",
		// 9000/10100 = 0.89 of the fastest C peer, whichever it is.
		"| MinMax | 16M | 9.00 | 1.00x | - | - | - | 100% | 100% | 1 | missed: <0.9x c-avx512 |",
		// A 16-bit output, no C peer: one pass at 8000 and the output at
		// 8000, 4000 in all, of which 3200 is 80%.
		"| DecodeQ8_0Float16 | 16M | 3.20 | - | - | - | - | 40% | 80% | 1 | missed: <90% of bound |",
	)
}

// TestTrafficCoversKernels checks that the traffic table has every kernel
// of the suite but the parallel ones (which have a table of their own),
// and nothing else.
func TestTrafficCoversKernels(t *testing.T) {
	for _, k := range benchmarks.KernelNames {
		if _, ok := traffic[k]; !ok && !strings.HasSuffix(k, "Parallel") {
			t.Errorf("traffic lacks kernel %s", k)
		}
	}
	for k := range traffic {
		if !slices.Contains(benchmarks.KernelNames, k) {
			t.Errorf("traffic has %s, which is no kernel of the suite", k)
		}
	}
}

// TestFakeQuantTargets checks the targets of the fake quantization issue
// at 64K: the fused fake quantizer over the composed one, MeasureError
// over the read ceiling; and their traffic models.
func TestFakeQuantTargets(t *testing.T) {
	run := load(t, `
BenchmarkFakeQuantizeAbsmax/size=65536/impl=quant-2           	1	1 ns/op	6000.00 MB/s
BenchmarkFakeQuantizeAbsmax/size=65536/impl=c-simd-2          	1	1 ns/op	6000.00 MB/s
BenchmarkFakeQuantizeAbsmaxComposed/size=65536/impl=quant-2   	1	1 ns/op	5000.00 MB/s
BenchmarkMeasureError/size=65536/impl=quant-2                 	1	1 ns/op	7000.00 MB/s
BenchmarkMeasureError/size=65536/impl=c-simd-2                	1	1 ns/op	7000.00 MB/s
BenchmarkMeasureError/size=65536/impl=read-2                  	1	1 ns/op	10000.00 MB/s
BenchmarkFakeQuantizeZeroPoint/size=16777216/impl=quant-2     	1	1 ns/op	2000.00 MB/s
BenchmarkFakeQuantizeZeroPoint/size=16777216/impl=read-2      	1	1 ns/op	8000.00 MB/s
BenchmarkFakeQuantizeZeroPoint/size=16777216/impl=write-2     	1	1 ns/op	8000.00 MB/s
`)
	checkContains(t, written(run, true),
		// 6000/5000 = 1.2, below 1.5.
		"| FakeQuantizeAbsmax | 64K | 6.00 | 1.00x | - | - | - | - | - | 1 | missed: <1.5x composed |",
		// 7000/10000 = 70% of read, below 80%; the bound is the read ceiling.
		"| MeasureError | 64K | 7.00 | 1.00x | - | - | - | 70% | 70% | 1 | missed: <80% of read |",
		// One pass at 8000 and 4 bytes out at 8000: 4000, of which 2000 is 50%.
		"| FakeQuantizeZeroPoint | 16M | 2.00 | - | - | - | - | 25% | 50% | 1 | missed: <90% of bound |",
		"FakeQuantizeAbsmax at 64K ≥ 1.5x FakeQuantizeAbsmaxComposed (quant); MeasureError at 64K ≥ 80% of read.",
	)
	if out := written(load(t, `
BenchmarkAbsMax/size=65536/impl=quant-2  	1	1 ns/op	6000.00 MB/s
`), false); strings.Contains(out, "FakeQuantizeAbsmax at 64K") {
		t.Errorf("the fake quantization targets printed without its kernels:\n%s", out)
	}
}

func TestWriteMatrix(t *testing.T) {
	// 1024×1024 C: 8 MiB read and written per call; 16M elements of W:
	// 64 MiB of weights per call.
	run := load(t, `quant-openblas: OpenBLAS 0.3.21 DYNAMIC_ARCH; core SkylakeX
BenchmarkMulAddAtB/size=1048576/impl=quant-2      	1	1 ns/op	1000.00 MB/s
BenchmarkMulAddAtB/size=1048576/impl=openblas-2   	1	1 ns/op	2000.00 MB/s
BenchmarkGPTQ/size=16777216/impl=quant-2          	1	1 ns/op	60.00 MB/s
BenchmarkGPTQ/size=16777216/impl=openblas-2       	1	1 ns/op	100.00 MB/s
BenchmarkGPTQ/size=65536/impl=openblas-2          	1	1 ns/op	100.00 MB/s
`)
	out := written(run, true)
	checkContains(t, out,
		"| kernel | size | quant ms | openblas ms | quant GFLOP/s | openblas GFLOP/s | vs openblas | runs | targets |",
		"| MulAddAtB | 1024x1024 | 8.4 | 4.2 | 32.0 | 64.0 | 0.50x | 1 | missed: <0.7x openblas |",
		"| GPTQ | 4096x4096 | 1118.5 | 671.1 | - | - | 0.60x | 1 | met |",
		"| GPTQ | 256x256 | - | 2.6 | - | - | - | 0 | - |",
		"OpenBLAS: OpenBLAS 0.3.21 DYNAMIC_ARCH; core SkylakeX")
	if strings.Contains(out, "| MulAddAtB | 1M |") {
		t.Errorf("the matrix benchmarks in the main table:\n%s", out)
	}
	// The summary's constants are the suite's.
	for _, k := range benchmarks.MatrixKernels {
		if _, ok := matrixKernels[k]; !ok {
			t.Errorf("matrix kernel %s unknown to the summary", k)
		}
	}
	if matrixDepth != benchmarks.MatrixDepth {
		t.Errorf("matrixDepth = %d, benchmarks.MatrixDepth = %d", matrixDepth, benchmarks.MatrixDepth)
	}
}
