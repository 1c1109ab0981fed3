package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qkernels/quant/benchmarks/internal/results"
)

func TestWrite(t *testing.T) {
	raw := `quant-cpu: Some CPU
BenchmarkFloat32ToFloat16/size=4096/impl=quant-2   	1	1 ns/op	8000.00 MB/s
BenchmarkFloat32ToFloat16/size=4096/impl=c-simd-2  	1	1 ns/op	4000.00 MB/s
BenchmarkFloat32ToFloat16/size=4096/impl=x448-2    	1	1 ns/op	500.00 MB/s
BenchmarkFloat32ToFloat16/size=4096/impl=read-2    	1	1 ns/op	16000.00 MB/s
`
	path := filepath.Join(t.TempDir(), "r.txt")
	if err := os.WriteFile(path, []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	run, err := results.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	write(&b, run, false)
	out := b.String()
	for _, want := range []string{"CPU: Some CPU", "Float32ToFloat16", "4K", "8.00", "2.00x", "16.00x", "50%"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	write(&b, run, true)
	if !strings.Contains(b.String(), "| Float32ToFloat16 | 4K | 8.00 | 2.00x | 16.00x | - | 50% | 75% | 1 | missed: <30x x448 |") {
		t.Errorf("markdown:\n%s", b.String())
	}
}
