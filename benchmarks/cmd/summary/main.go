// Command summary prints one table from the raw results of the benchmark
// suite: for each kernel and size, the median throughput of the public
// API ("quant") and how it compares with the C intrinsics peer, x448, the
// pure-Go reference and the read ceiling.
//
// Usage:
//
//	go run ./cmd/summary [-md] results/FILE.txt...
//
// Throughput is input bytes per second (GB/s = 1e9 B/s). "vs X" is quant's
// median over X's: above 1 quant is faster. "of read" is quant's median
// over the read ceiling's, the fraction of input-read speed it reaches.
// "of bound" scales the read ceiling by the bytes the kernel must move per
// input byte (reading its input once per pass, writing its output): the
// speed of a kernel limited only by memory traffic at read speed.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/qkernels/quant/benchmarks/internal/results"
)

func main() {
	md := flag.Bool("md", false, "print a Markdown table")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: summary [-md] results.txt...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	run, err := results.Load(flag.Args()...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "summary:", err)
		os.Exit(1)
	}
	write(os.Stdout, run, *md)
}

// The columns after the throughput of quant: the implementations it is
// compared with, and the ceiling.
var peers = []string{"c-simd", "x448", "generic"}

const ceiling = "read"

// traffic is, per element, the input bytes and all the bytes a kernel
// must move: its input once per pass (the quantizers make two, reduction
// then quantization) plus its output.
var traffic = map[string]struct{ in, moved float64 }{
	"Float32ToFloat16":    {4, 4 + 2},
	"Float16ToFloat32":    {2, 2 + 4},
	"Float32ToBFloat16":   {4, 4 + 2},
	"BFloat16ToFloat32":   {2, 2 + 4},
	"AbsMax":              {4, 4},
	"MinMax":              {4, 4},
	"QuantizeAbsmax":      {4, 2*4 + 1},
	"QuantizeZeroPoint":   {4, 2*4 + 1},
	"DequantizeAbsmax":    {1, 1 + 4},
	"DequantizeZeroPoint": {1, 1 + 4},
}

func write(w io.Writer, run *results.Run, md bool) {
	if cpu := run.Config["quant-cpu"]; cpu != "" {
		fmt.Fprintf(w, "CPU: %s\n", cpu)
	}
	if b := run.Config["quant-build"]; b != "" {
		fmt.Fprintf(w, "Build: %s\n", b)
	}
	head := []string{"kernel", "size", "quant GB/s"}
	for _, p := range peers {
		head = append(head, "vs "+p)
	}
	head = append(head, "of "+ceiling, "of bound", "runs", "targets")
	var rows [][]string
	for _, k := range run.Kernels {
		for _, n := range run.Sizes[k] {
			q, count := run.Median(k, n, "quant")
			if count == 0 {
				continue
			}
			row := []string{k, size(n), fmt.Sprintf("%.2f", q/1e9)}
			for _, p := range peers {
				row = append(row, ratio(q, run, k, n, p, "%.2fx"))
			}
			row = append(row, ratio(q*100, run, k, n, ceiling, "%.0f%%"), "-", strconv.Itoa(count))
			if t, ok := traffic[k]; ok {
				row[len(row)-2] = ratio(q*100*t.moved/t.in, run, k, n, ceiling, "%.0f%%")
			}
			row = append(row, targets(run, k, n, q))
			rows = append(rows, row)
		}
	}
	if md {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| "+strings.Join(head, " | ")+" |")
		fmt.Fprintln(w, "|"+strings.Repeat(" ---: |", len(head)))
		for _, r := range rows {
			fmt.Fprintln(w, "| "+strings.Join(r, " | ")+" |")
		}
	} else {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
		for _, r := range rows {
			fmt.Fprintln(tw, strings.Join(r, "\t")+"\t")
		}
		tw.Flush()
	}
	fmt.Fprintln(w, "Throughput of input bytes (medians); vs X = quant / X (>1: quant faster); of read = quant / read ceiling;")
	fmt.Fprintln(w, "of bound = quant / (read ceiling scaled by input bytes / bytes moved: input once per pass, plus output);")
	fmt.Fprintln(w, "targets: 256 ≥ 2x c-simd; 4K, 64K ≥ 1x c-simd; 16M ≥ 0.95x c-simd and ≥ 90% of bound; FP16 at 4K ≥ 30x x448.")
}

// targets checks the throughput targets the project set itself for this
// kind of machine (issue 5), and names the ones missed: at 256 elements
// quant ≥ 2× c-simd (no cgo call to pay); at 4K and 64K ≥ 1× c-simd; at
// 16M ≥ 0.95× c-simd and ≥ 90% of bound; FP16 conversions at 4K ≥ 30×
// x448. "-" where no target applies or a peer is missing.
func targets(run *results.Run, k string, n int, q float64) string {
	var missed []string
	checked := false
	check := func(impl string, min float64, label string) {
		d, count := run.Median(k, n, impl)
		if count == 0 || d == 0 {
			return
		}
		checked = true
		if q/d < min {
			missed = append(missed, label)
		}
	}
	switch n {
	case 256:
		check("c-simd", 2, "<2x c-simd")
	case 4096, 65536:
		check("c-simd", 1, "<1x c-simd")
	case 1 << 24:
		check("c-simd", 0.95, "<0.95x c-simd")
		if t, ok := traffic[k]; ok {
			check(ceiling, 0.9*t.in/t.moved, "<90% of bound")
		}
	}
	if n == 4096 && (k == "Float32ToFloat16" || k == "Float16ToFloat32") {
		check("x448", 30, "<30x x448")
	}
	switch {
	case !checked:
		return "-"
	case len(missed) == 0:
		return "met"
	}
	return "missed: " + strings.Join(missed, ", ")
}

func ratio(num float64, run *results.Run, k string, n int, impl, format string) string {
	d, count := run.Median(k, n, impl)
	if count == 0 || d == 0 {
		return "-"
	}
	return fmt.Sprintf(format, num/d)
}

// size prints element counts the way the sizes are chosen: 4K, 64K, 1M.
func size(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + "M"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + "K"
	}
	return strconv.Itoa(n)
}
