// Command summary prints two tables from the raw results of the benchmark
// suite: for each kernel and size, the median throughput of the public
// API ("quant") and how it compares with the C intrinsics peer, x448,
// llama.cpp's reference GGUF encoders, the pure-Go reference and the read
// ceiling; then, for the parallel benchmarks, the throughput of the API on
// 1, 2, ... goroutines and the speedup over one; then, for GPTQ and its
// update multiply (MulAddAtB), quant against the OpenBLAS peer.
//
// Usage:
//
//	go run ./cmd/summary [-md] results/FILE.txt...
//
// Throughput is input bytes per second (GB/s = 1e9 B/s). "vs X" is quant's
// median over X's: above 1 quant is faster. "of read" is quant's median
// over the read ceiling's, the fraction of input-read speed it reaches.
// "of bound" compares quant with a kernel limited only by memory traffic:
// one pass over the input per pass of the kernel at the read ceiling's
// speed, plus the output at the write ceiling's (ordinary stores of the
// output's bytes). The
// per-row kernels work on rows of 4096 values; their sizes print as rows
// x 4096 (4096x4096 is 16M values).
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/qkernels/quant/benchmarks/internal/results"
)

func main() {
	md := flag.Bool("md", false, "print a Markdown table")
	run, err := results.Load(results.Args("usage: summary [-md] results.txt...")...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "summary:", err)
		os.Exit(1)
	}
	write(os.Stdout, run, *md)
}

// The columns after the throughput of quant: the implementations it is
// compared with, and the ceiling.
var peers = []string{"c-simd", "x448", "c-llama-ref", "generic"}

const ceiling = "read"

// traffic is, per element, the input bytes, how many passes a kernel
// makes over them (the quantizers make two, reduction then quantization)
// and the output bytes it writes.
var traffic = map[string]struct{ in, passes, out float64 }{
	"Float32ToFloat16":    {4, 1, 2},
	"Float16ToFloat32":    {2, 1, 4},
	"Float32ToBFloat16":   {4, 1, 2},
	"BFloat16ToFloat32":   {2, 1, 4},
	"AbsMax":              {4, 1, 0},
	"MinMax":              {4, 1, 0},
	"QuantizeAbsmax":      {4, 2, 1},
	"QuantizeZeroPoint":   {4, 2, 1},
	"DequantizeAbsmax":    {1, 1, 4},
	"DequantizeZeroPoint": {1, 1, 4},
	// The 16-bit outputs write 2 bytes per value.
	"DequantizeZeroPointFloat16":  {1, 1, 2},
	"DequantizeZeroPointBFloat16": {1, 1, 2},
	// EncodeQ8_0 checks its whole input (one reduction) before it writes
	// anything, then encodes: two passes, as the per-row quantizers, which
	// find every row's parameters first. So do the C peers, all but
	// c-llama-ref, which checks nothing.
	"EncodeQ8_0":         {4, 2, q8_0Bytes},
	"EncodeQ8_0Float16":  {2, 2, q8_0Bytes},
	"EncodeQ8_0BFloat16": {2, 2, q8_0Bytes},
	"DecodeQ8_0":         {q8_0Bytes, 1, 4},
	"DecodeQ8_0Float16":  {q8_0Bytes, 1, 2},
	"DecodeQ8_0BFloat16": {q8_0Bytes, 1, 2},
	// EncodeQ4_0 and EncodeQ4_1 check the same way (the per-block look
	// that may follow, from 65520 in magnitude, never runs on the
	// weights): two passes.
	"EncodeQ4_0": {4, 2, q4_0Bytes},
	"EncodeQ4_1": {4, 2, q4_1Bytes},
	"DecodeQ4_0": {q4_0Bytes, 1, 4},
	"DecodeQ4_1": {q4_1Bytes, 1, 4},
	// The grouped quantizers, from float32 and from 16-bit sources.
	"QuantizeAbsmaxPerRow":              {4, 2, 1},
	"QuantizeZeroPointPerRow":           {4, 2, 1},
	"QuantizeAbsmaxPerRowFloat16":       {2, 2, 1},
	"QuantizeZeroPointPerRowFloat16":    {2, 2, 1},
	"QuantizeAbsmaxPerRowBFloat16":      {2, 2, 1},
	"QuantizeZeroPointPerRowBFloat16":   {2, 2, 1},
	"QuantizeAbsmaxPerBlock":            {4, 2, 1},
	"QuantizeZeroPointPerBlock":         {4, 2, 1},
	"QuantizeAbsmaxPerBlockFloat16":     {2, 2, 1},
	"QuantizeZeroPointPerBlockFloat16":  {2, 2, 1},
	"QuantizeAbsmaxPerBlockBFloat16":    {2, 2, 1},
	"QuantizeZeroPointPerBlockBFloat16": {2, 2, 1},
	// The static quantizers with given parameters (and their C peers)
	// read src from memory once: package quant checks each chunk of 4096
	// values for NaNs and then quantizes it from L1, the C peers check
	// and quantize in one pass.
	"QuantizeAbsmaxWith":            {4, 1, 1},
	"QuantizeZeroPointWith":         {4, 1, 1},
	"QuantizeAbsmaxWithBFloat16":    {2, 1, 1},
	"QuantizeZeroPointWithBFloat16": {2, 1, 1},
	// Fake quantization reads src from memory once (quant checks and
	// fake-quantizes each chunk from L1, the C peers do both in one pass)
	// and writes a float32 per value. Composed of QuantizeAbsmaxWith and
	// DequantizeAbsmax, it also writes the int8 quants and reads them
	// back: a quarter pass more, and 1 + 4 bytes out.
	"FakeQuantizeAbsmax":         {4, 1, 4},
	"FakeQuantizeZeroPoint":      {4, 1, 4},
	"FakeQuantizeAbsmaxComposed": {4, 1.25, 5},
	// MeasureError reads x and y (8 bytes per value, both counted as
	// input) and writes nothing: its bound is the read ceiling.
	"MeasureError": {8, 1, 0},
	// The interop operations find the NaNs in the pass that quantizes
	// (quant and the C peers alike): one pass over the input. The fake
	// quantizer writes a float32 and a mask bool per value.
	"QuantizePyTorch":     {4, 1, 1},
	"QuantizeONNX":        {4, 1, 1},
	"DequantizeAffine":    {1, 1, 4},
	"FakeQuantizePyTorch": {4, 1, 5},
}

// Targets of the fake quantization issue, at 64K: the fused fake
// quantizer at least 1.5 times as fast as the composed one (quant's
// medians, same run), and MeasureError at 80% of the read ceiling.
const (
	fusedKernel       = "FakeQuantizeAbsmax"
	composedKernel    = "FakeQuantizeAbsmaxComposed"
	fusedOverComposed = 1.5
	errorKernel       = "MeasureError"
	errorOfRead       = 0.8
)

// bound is the throughput (input bytes per second) of a kernel limited
// only by memory traffic: its passes over the input at the read ceiling's
// speed plus its output at the write ceiling's. Both ceilings report
// input bytes per second of their own run, so their times add as
// reciprocals. Runs recorded before the write ceiling existed count the
// output at read speed, as the summary then did. ok is false without a
// read ceiling.
func bound(run *results.Run, k string, n int) (b float64, ok bool) {
	t, known := traffic[k]
	if !known {
		return 0, false
	}
	r, count := run.Median(k, n, "read")
	if count == 0 || r == 0 {
		return 0, false
	}
	secs := t.passes / r
	if w, count := run.Median(k, n, "write"); count > 0 && w > 0 {
		secs += 1 / w
	} else {
		secs += t.out / t.in / r
	}
	return 1 / secs, true
}

// q8_0Bytes, q4_0Bytes and q4_1Bytes are the sizes of a Q8_0, Q4_0 and
// Q4_1 value: a 34-, 18- or 20-byte block per 32 values.
const (
	q8_0Bytes = 34.0 / 32
	q4_0Bytes = 18.0 / 32
	q4_1Bytes = 20.0 / 32
)

// rowLength is benchmarks.RowLength, the row length of the per-row kernels.
const rowLength = 4096

// firstWorker names the single-goroutine implementation of the parallel
// benchmarks, the base of their speedups; the others are "workers=N".
const firstWorker = "workers=1"

func write(w io.Writer, run *results.Run, md bool) {
	if cpu := run.Config["quant-cpu"]; cpu != "" {
		fmt.Fprintf(w, "CPU: %s\n", cpu)
	}
	if b := run.Config["quant-build"]; b != "" {
		fmt.Fprintf(w, "Build: %s\n", b)
	}
	if tune := run.Config["quant-tune"]; tune != "" {
		fmt.Fprintf(w, "Processor and tuning (QUANT_TUNE): %s\n", tune)
	}
	head := []string{"kernel", "size", "quant GB/s"}
	for _, p := range peers {
		head = append(head, "vs "+p)
	}
	head = append(head, "of "+ceiling, "of bound", "runs", "targets")
	var rows [][]string
	for _, k := range run.Kernels {
		if _, ok := matrixKernels[k]; ok {
			continue // writeMatrix
		}
		for _, n := range run.Sizes[k] {
			q, count := run.Median(k, n, "quant")
			if count == 0 {
				continue
			}
			row := []string{k, sizeLabel(k, n), fmt.Sprintf("%.2f", q/1e9)}
			for _, p := range peers {
				row = append(row, ratio(q, run, k, n, p, "%.2fx"))
			}
			row = append(row, ratio(q*100, run, k, n, ceiling, "%.0f%%"), "-", strconv.Itoa(count))
			if b, ok := bound(run, k, n); ok {
				row[len(row)-2] = fmt.Sprintf("%.0f%%", q*100/b)
			}
			row = append(row, targets(run, k, n, q))
			rows = append(rows, row)
		}
	}
	if len(rows) > 0 {
		table(w, head, rows, md)
		fmt.Fprintln(w, "Throughput of input bytes (medians); vs X = quant / X (>1: quant faster); of read = quant / read ceiling;")
		fmt.Fprintln(w, "of bound = quant / the speed of memory traffic alone: the input read once per pass at the read ceiling, plus")
		fmt.Fprintln(w, "the output written at the write ceiling (ordinary stores of the output bytes);")
		fmt.Fprintln(w, "EncodeQ8_0, EncodeQ4_0, EncodeQ4_1, PerRow and PerBlock make two passes: every block or row is checked before anything is written,")
		fmt.Fprintln(w, "in quant and the C peers alike; c-llama-ref checks nothing and makes one);")
		fmt.Fprintln(w, "PerRow sizes are rows x 4096 values, PerBlock blocks of 32; targets (every kernel, by size): 256 ≥ 2x c-simd; 4K, 64K ≥ 1x c-simd;")
		fmt.Fprintln(w, "16M ≥ 0.95x c-simd, ≥ 0.9x the fastest C peer (c-simd, c-scalar, c-avx512) and ≥ 90% of bound; FP16 at 4K ≥ 30x x448.")
		if slices.Contains(run.Kernels, fusedKernel) || slices.Contains(run.Kernels, errorKernel) {
			fmt.Fprintf(w, "%s at 64K ≥ %.1fx %s (quant); %s at 64K ≥ %.0f%% of read.\n",
				fusedKernel, fusedOverComposed, composedKernel, errorKernel, errorOfRead*100)
		}
	}
	writeParallel(w, run, md)
	writeMatrix(w, run, md)
}

// matrixKernels are the benchmarks of GPTQ and its update multiply, which
// compare quant with OpenBLAS on square matrices (size = side²): the
// bytes b.SetBytes counts per element (MulAddAtB: C read and written;
// GPTQ: the weights) and the floating-point operations per element
// (MulAddAtB: 2·k, k = 128; none counted for GPTQ).
var matrixKernels = map[string]struct{ bytes, flops float64 }{
	"MulAddAtB": {8, 2 * matrixDepth},
	"GPTQ":      {4, 0},
}

// matrixDepth is benchmarks.MatrixDepth, the k of BenchmarkMulAddAtB.
const matrixDepth = 128

// Targets of the GPTQ issue: the update multiply ≥ 0.7× OpenBLAS's sgemm
// (at 1024×1024 and 4096×4096), GPTQ end to end ≥ 0.5× the OpenBLAS
// peer at 4096×4096.
var matrixTargets = map[string]struct {
	min   float64
	sizes []int
}{
	"MulAddAtB": {0.7, []int{1 << 20, 1 << 24}},
	"GPTQ":      {0.5, []int{1 << 24}},
}

// writeMatrix prints the table of the matrix benchmarks: the median time
// per call of quant and openblas, MulAddAtB's GFLOP/s, and quant's speed
// over openblas's.
func writeMatrix(w io.Writer, run *results.Run, md bool) {
	head := []string{"kernel", "size", "quant ms", "openblas ms", "quant GFLOP/s", "openblas GFLOP/s", "vs openblas", "runs", "targets"}
	var rows [][]string
	for _, k := range run.Kernels {
		mk, ok := matrixKernels[k]
		if !ok {
			continue
		}
		for _, n := range run.Sizes[k] {
			q, count := run.Median(k, n, "quant")
			o, ocount := run.Median(k, n, "openblas")
			if count == 0 && ocount == 0 {
				continue
			}
			per := func(v float64, c int, unit string) string {
				if c == 0 || v == 0 {
					return "-"
				}
				if unit == "ms" {
					return fmt.Sprintf("%.1f", mk.bytes*float64(n)/v*1e3)
				}
				if mk.flops == 0 {
					return "-"
				}
				return fmt.Sprintf("%.1f", v/mk.bytes*mk.flops/1e9)
			}
			row := []string{k, matrixSize(n), per(q, count, "ms"), per(o, ocount, "ms"),
				per(q, count, "GFLOP/s"), per(o, ocount, "GFLOP/s"), "-", strconv.Itoa(count), "-"}
			if count > 0 && ocount > 0 && o > 0 {
				row[6] = fmt.Sprintf("%.2fx", q/o)
				if t := matrixTargets[k]; slices.Contains(t.sizes, n) {
					row[8] = "met"
					if q/o < t.min {
						row[8] = fmt.Sprintf("missed: <%.1fx openblas", t.min)
					}
				}
			}
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w)
	if o := run.Config["quant-openblas"]; o != "" {
		fmt.Fprintf(w, "OpenBLAS: %s\n", o)
	}
	table(w, head, rows, md)
	fmt.Fprintln(w, "GPTQ (Q4_0, groups of 32) and its update multiply C += Aᵀ·B (side×side, k = 128) against the same on OpenBLAS")
	fmt.Fprintln(w, "(sgemm; spotrf and strtri), same thread count; ms per call and vs openblas = quant / openblas speed (medians);")
	fmt.Fprintln(w, "targets: MulAddAtB ≥ 0.7x openblas at 1024x1024 and 4096x4096, GPTQ ≥ 0.5x at 4096x4096.")
}

// matrixSize prints the size of a matrix benchmark as its shape, side x
// side, where size is a square.
func matrixSize(n int) string {
	s := int(math.Sqrt(float64(n)))
	for s*s > n {
		s--
	}
	for (s+1)*(s+1) <= n {
		s++
	}
	if s*s != n {
		return size(n)
	}
	return strconv.Itoa(s) + "x" + strconv.Itoa(s)
}

// writeParallel prints the table of the parallel benchmarks: the median
// throughput of each number of workers, and its speedup over one worker.
func writeParallel(w io.Writer, run *results.Run, md bool) {
	var workers []string // in order of appearance
	for _, k := range run.Kernels {
		if !slices.Contains(run.Impls[k], firstWorker) {
			continue
		}
		for _, im := range run.Impls[k] {
			if strings.HasPrefix(im, "workers=") && !slices.Contains(workers, im) {
				workers = append(workers, im)
			}
		}
	}
	if len(workers) == 0 {
		return
	}
	head := []string{"kernel", "size"}
	for _, wk := range workers {
		head = append(head, wk+" GB/s")
	}
	for _, wk := range workers[1:] {
		head = append(head, "speedup "+strings.TrimPrefix(wk, "workers=")+"/1")
	}
	head = append(head, "runs")
	var rows [][]string
	for _, k := range run.Kernels {
		if !slices.Contains(run.Impls[k], firstWorker) {
			continue
		}
		for _, n := range run.Sizes[k] {
			_, count := run.Median(k, n, firstWorker)
			if count == 0 {
				continue
			}
			row := []string{k, sizeLabel(k, n)}
			for _, wk := range workers {
				if m, c := run.Median(k, n, wk); c > 0 {
					row = append(row, fmt.Sprintf("%.2f", m/1e9))
				} else {
					row = append(row, "-")
				}
			}
			for _, wk := range workers[1:] {
				m, c := run.Median(k, n, wk)
				if c == 0 {
					row = append(row, "-")
					continue
				}
				row = append(row, ratio(m, run, k, n, firstWorker, "%.2fx"))
			}
			rows = append(rows, append(row, strconv.Itoa(count)))
		}
	}
	fmt.Fprintln(w)
	table(w, head, rows, md)
	fmt.Fprintf(w, "Parallel: the public API split over N goroutines (Granularity.Parallel(N)); speedup N/1 = workers=N / workers=1 (medians).\n")
}

// table prints rows under head, aligned, or as Markdown.
func table(w io.Writer, head []string, rows [][]string, md bool) {
	if md {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| "+strings.Join(head, " | ")+" |")
		fmt.Fprintln(w, "|"+strings.Repeat(" ---: |", len(head)))
		for _, r := range rows {
			fmt.Fprintln(w, "| "+strings.Join(r, " | ")+" |")
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t")+"\t")
	}
	tw.Flush()
}

// cPeers are the C implementations; at 16M quant must come within 10% of
// the fastest of them, whichever instructions it uses.
var cPeers = []string{"c-simd", "c-scalar", "c-avx512"}

// targets checks the throughput targets the project set itself for this
// kind of machine (issues 3 and 5), and names the ones missed: at 256
// elements quant ≥ 2× c-simd (no cgo call to pay); at 4K and 64K ≥ 1×
// c-simd; at 16M ≥ 0.95× c-simd, ≥ 0.9× the best C peer and ≥ 90% of
// bound; FP16 conversions at 4K ≥ 30× x448; and those of the fake
// quantization issue at 64K: FakeQuantizeAbsmax ≥ 1.5×
// FakeQuantizeAbsmaxComposed (quant's medians), MeasureError ≥ 80% of the
// read ceiling. "-" where no target applies or a peer is missing.
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
		best, bestMedian := "", 0.0
		for _, c := range cPeers {
			if m, count := run.Median(k, n, c); count > 0 && m > bestMedian {
				best, bestMedian = c, m
			}
		}
		if best != "" && best != "c-simd" { // else 0.95x c-simd says more
			check(best, 0.9, "<0.9x "+best)
		}
		if b, ok := bound(run, k, n); ok {
			checked = true
			if q < 0.9*b {
				missed = append(missed, "<90% of bound")
			}
		}
	}
	if n == 4096 && (k == "Float32ToFloat16" || k == "Float16ToFloat32") {
		check("x448", 30, "<30x x448")
	}
	if n == 65536 && k == fusedKernel {
		if c, count := run.Median(composedKernel, n, "quant"); count > 0 && c > 0 {
			checked = true
			if q/c < fusedOverComposed {
				missed = append(missed, fmt.Sprintf("<%.1fx composed", fusedOverComposed))
			}
		}
	}
	if n == 65536 && k == errorKernel {
		check(ceiling, errorOfRead, fmt.Sprintf("<%.0f%% of read", errorOfRead*100))
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

// sizeLabel prints the size of kernel: rows x 4096 for the per-row
// kernels, else the element count.
func sizeLabel(kernel string, n int) string {
	if strings.Contains(kernel, "PerRow") && n%rowLength == 0 {
		return strconv.Itoa(n/rowLength) + "x" + strconv.Itoa(rowLength)
	}
	return size(n)
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
