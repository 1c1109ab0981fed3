package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRun(t *testing.T) {
	raw := `quant-cpu: Some CPU
BenchmarkAbsMax/size=256/impl=quant-2    	1	1 ns/op	8000.00 MB/s
BenchmarkAbsMax/size=4096/impl=quant-2   	1	1 ns/op	9000.00 MB/s
BenchmarkAbsMax/size=256/impl=read-2     	1	1 ns/op	16000.00 MB/s
BenchmarkAbsMax/size=4096/impl=read-2    	1	1 ns/op	20000.00 MB/s
BenchmarkMinMax/size=256/impl=generic-2  	1	1 ns/op	1000.00 MB/s
`
	dir := t.TempDir()
	in := filepath.Join(dir, "r.txt")
	if err := os.WriteFile(in, []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{"", filepath.Join(dir, "x.svg")} {
		if err := run(out, []string{in}); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"r.png", "x.svg"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if err := run(filepath.Join(dir, "x.gif"), []string{in}); err == nil {
		t.Error("x.gif: no error")
	}
}
