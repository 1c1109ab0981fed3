package results

import (
	"os"
	"path/filepath"
	"testing"
)

const sample = `quant-cpu: Some CPU (2 threads; avx2)
goos: linux
BenchmarkAbsMax/size=256/impl=quant-2   	100	10.0 ns/op	1000.00 MB/s	0 B/op	0 allocs/op
BenchmarkAbsMax/size=256/impl=quant-2   	100	10.0 ns/op	3000.00 MB/s	0 B/op	0 allocs/op
BenchmarkAbsMax/size=256/impl=quant-2   	100	10.0 ns/op	2000.00 MB/s	0 B/op	0 allocs/op
BenchmarkAbsMax/size=256/impl=read-2    	100	10.0 ns/op	4000.00 MB/s
BenchmarkAbsMax/size=256/impl=read-2    	100	10.0 ns/op	5000.00 MB/s
BenchmarkAbsMax/size=64/impl=quant-2    	100	10.0 ns/op	500.00 MB/s
BenchmarkOther-2                        	100	10.0 ns/op
BenchmarkMinMax/size=256/impl=quant-2   	100	10.0 ns/op	7000.00 MB/s
PASS
`

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.txt")
	if err := os.WriteFile(path, []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Config["quant-cpu"]; got != "Some CPU (2 threads; avx2)" {
		t.Errorf("quant-cpu = %q", got)
	}
	if len(r.Kernels) != 2 || r.Kernels[0] != "AbsMax" || r.Kernels[1] != "MinMax" {
		t.Errorf("kernels = %v", r.Kernels)
	}
	if s := r.Sizes["AbsMax"]; len(s) != 2 || s[0] != 64 || s[1] != 256 {
		t.Errorf("sizes = %v", s)
	}
	if im := r.Impls["AbsMax"]; len(im) != 2 || im[0] != "quant" || im[1] != "read" {
		t.Errorf("impls = %v", im)
	}
	for _, c := range []struct {
		impl  string
		want  float64
		count int
	}{{"quant", 2000e6, 3}, {"read", 4500e6, 2}, {"copy", 0, 0}} {
		if m, n := r.Median("AbsMax", 256, c.impl); m != c.want || n != c.count {
			t.Errorf("Median(%s) = %v, %d; want %v, %d", c.impl, m, n, c.want, c.count)
		}
	}
}

func TestLoadEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.txt")
	if err := os.WriteFile(path, []byte("PASS\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil {
		t.Error("Load of a file without results: no error")
	}
}
