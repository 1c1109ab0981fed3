package quant

import (
	"runtime"
	"sync"
)

// Granularity says which values share one set of quantization parameters
// (the whole tensor, each row of a matrix, or each block of consecutive
// values) and how many goroutines may share the work of one call. The
// zero value is PerTensor.
type Granularity struct {
	size    int  // values per group; 0 means the whole input
	rows    bool // size is a row length, and the input whole rows
	workers int  // at most this many goroutines; 0 or 1: the caller's only
}

// PerTensor gives the whole input one set of parameters, as QuantizeAbsmax
// and QuantizeZeroPoint do.
func PerTensor() Granularity { return Granularity{} }

// PerRow gives each row of a row-major matrix with cols columns its own
// parameters (per output channel, for a weight matrix stored rows × cols).
// The input must hold whole rows. PerRow panics if cols < 1.
func PerRow(cols int) Granularity {
	if cols < 1 {
		panic("quant: PerRow: cols = " + itoa(cols) + " < 1")
	}
	return Granularity{size: cols, rows: true}
}

// PerBlock gives each run of size consecutive values its own parameters;
// the last block may be shorter. size must be a positive multiple of 8
// (a vector of float32 on every architecture); PerBlock panics otherwise.
// Common sizes are 32 (GGUF Q8_0), 64, 128 and 256.
func PerBlock(size int) Granularity {
	if size < 8 || size%8 != 0 {
		panic("quant: PerBlock: size " + itoa(size) + " is not a positive multiple of 8")
	}
	return Granularity{size: size}
}

// Parallel returns g with the work of each call split over up to workers
// goroutines (runtime.GOMAXPROCS(0) if workers < 1) when the input holds
// at least ParallelMin values. The results are the same, bit for bit,
// for every number of workers; the call returns when every goroutine it
// started has finished.
func (g Granularity) Parallel(workers int) Granularity {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	g.workers = workers
	return g
}

// ParallelMin is the smallest input, in values, that a parallel call
// splits; a smaller one runs on the calling goroutine alone. Below it,
// starting goroutines and sharing caches cost more than they save on the
// machines measured so far; the Benchmark*Parallel benchmarks of
// benchmarks/ measure the trade-off on yours.
const ParallelMin = 1 << 20

// parallelMin is ParallelMin; tests lower it so that small inputs take
// the parallel paths.
var parallelMin = ParallelMin

// Groups returns how many parameter values an input of n values has:
// 1 for PerTensor, n/cols for PerRow (it panics if n is not a multiple
// of cols), and n/size rounded up for PerBlock.
func (g Granularity) Groups(n int) int { return g.groups("Groups", n) }

func (g Granularity) groups(fn string, n int) int {
	switch {
	case g.size == 0:
		return 1
	case g.rows && n%g.size != 0:
		panic("quant: " + fn + ": " + itoa(n) + " values are not whole rows of " + itoa(g.size))
	}
	return (n + g.size - 1) / g.size
}

// String describes g, for example "per row of 4096" or "per block of 32,
// 2 workers".
func (g Granularity) String() string {
	s := "per tensor"
	switch {
	case g.rows:
		s = "per row of " + itoa(g.size)
	case g.size > 0:
		s = "per block of " + itoa(g.size)
	}
	if g.workers > 1 {
		s += ", " + itoa(g.workers) + " workers"
	}
	return s
}

// span returns the values [lo, hi) of group i of n values.
func (g Granularity) span(i, n int) (lo, hi int) {
	if g.size == 0 {
		return 0, n
	}
	return i * g.size, min((i+1)*g.size, n)
}

// label names group i in errors: "row 3", "block 3", or nothing.
func (g Granularity) label(i int) string {
	switch {
	case g.rows:
		return "row " + itoa(i) + ": "
	case g.size > 0:
		return "block " + itoa(i) + ": "
	}
	return ""
}

// workersFor returns how many goroutines should share n values.
func (g Granularity) workersFor(n int) int {
	if g.workers <= 1 || n < parallelMin {
		return 1
	}
	return min(g.workers, n/(parallelMin/2)) // at least parallelMin/2 values each
}

// splitsGroups reports whether w workers share out whole groups among
// ng (else each group's work is split): with fewer than four groups a
// worker, whole groups balance poorly.
func splitsGroups(ng, w int) bool { return ng >= 4*w }

// split runs f on parts of [0, n): with w workers, on w contiguous parts
// of nearly equal size, each on its own goroutine but the last, which
// runs on the caller's. It returns when all have finished.
func split(w, n int, f func(part, lo, hi int)) {
	if w <= 1 {
		f(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	wg.Add(w - 1)
	for p := range w - 1 {
		go func() {
			defer wg.Done()
			f(p, p*n/w, (p+1)*n/w)
		}()
	}
	f(w-1, (w-1)*n/w, n)
	wg.Wait()
}
