// Package results reads the raw output of the benchmark suite (go test
// -bench, benchfmt format) into throughputs per kernel, size and
// implementation, for cmd/summary and cmd/plot, and parses the command
// line they share.
package results

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// Run is the content of one or more result files.
type Run struct {
	// Config holds the file configuration lines (goos, cpu, quant-cpu,
	// quant-build, ...), last value wins.
	Config map[string]string
	// Kernels lists the kernels in order of appearance; Sizes and Impls
	// list each kernel's sizes (ascending) and implementations (in order
	// of appearance, which is the suite's column order).
	Kernels []string
	Sizes   map[string][]int
	Impls   map[string][]string

	samples map[key][]float64 // bytes per second
}

type key struct {
	kernel string
	size   int
	impl   string
}

// Args parses the command line of a command that takes flags, then one or
// more result files, and returns the files. Without a file it prints usage
// (such as "usage: plot [-o FILE.png] results.txt...") and the flags, and
// exits with status 2.
func Args(usage string) []string {
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, usage)
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	return flag.Args()
}

// Load reads result files. Lines that are not benchmark results or
// configuration are ignored; results without a size= and impl= part or a
// throughput are skipped.
func Load(paths ...string) (*Run, error) {
	r := &Run{
		Config:  map[string]string{},
		Sizes:   map[string][]int{},
		Impls:   map[string][]string{},
		samples: map[key][]float64{},
	}
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		rd := benchfmt.NewReader(f, path)
		for rd.Scan() {
			res, ok := rd.Result().(*benchfmt.Result)
			if !ok {
				continue // syntax errors and unit metadata
			}
			for _, c := range res.Config {
				if c.File {
					r.Config[c.Key] = string(c.Value)
				}
			}
			r.add(res)
		}
		err = rd.Err()
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	for _, k := range r.Kernels {
		slices.Sort(r.Sizes[k])
	}
	if len(r.samples) == 0 {
		return nil, fmt.Errorf("%s: no benchmark results with size= and impl=", strings.Join(paths, ", "))
	}
	return r, nil
}

func (r *Run) add(res *benchfmt.Result) {
	base, parts := res.Name.Parts()
	k := key{kernel: string(base), size: -1}
	for _, p := range parts {
		s := string(p)
		switch {
		case strings.HasPrefix(s, "/size="):
			n, err := strconv.Atoi(s[len("/size="):])
			if err != nil {
				return
			}
			k.size = n
		case strings.HasPrefix(s, "/impl="):
			k.impl = s[len("/impl="):]
		}
	}
	v, ok := res.Value("B/s")
	if !ok || k.size < 0 || k.impl == "" {
		return
	}
	if _, seen := r.Sizes[k.kernel]; !seen {
		r.Kernels = append(r.Kernels, k.kernel)
	}
	if !slices.Contains(r.Sizes[k.kernel], k.size) {
		r.Sizes[k.kernel] = append(r.Sizes[k.kernel], k.size)
	}
	if !slices.Contains(r.Impls[k.kernel], k.impl) {
		r.Impls[k.kernel] = append(r.Impls[k.kernel], k.impl)
	}
	r.samples[k] = append(r.samples[k], v)
}

// Median returns the median throughput in bytes per second of impl in
// kernel at size, and the number of samples; 0, 0 if there are none.
func (r *Run) Median(kernel string, size int, impl string) (float64, int) {
	s := slices.Clone(r.samples[key{kernel, size, impl}])
	if len(s) == 0 {
		return 0, 0
	}
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return m, len(s)
}
