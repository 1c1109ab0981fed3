// Package dispatch detects the CPU features that matter to the kernels once,
// at start-up, and chooses the kernel set that package quant uses.
//
// Package quant registers its kernel sets, best first, each with the
// features it executes; the first one the CPU has every feature for wins,
// and the pure-Go reference set (which needs nothing) ends every table.
//
// # Forcing an implementation
//
// The environment variable QUANT_IMPL, read once at start-up, caps the
// choice: QUANT_IMPL=generic forces the pure-Go kernels, QUANT_IMPL=avx2
// allows nothing above AVX2. A name the CPU cannot run falls through to the
// next set in the table that it can; an unknown name is ignored. Go's own
// GODEBUG switches work too, since features come from golang.org/x/sys/cpu:
// GODEBUG=cpu.avx2=off hides AVX2 and with it every set that needs it.
//
// # Tuning per processor
//
// A set's speed, but never its results, may also depend on values its
// kernels read, chosen per processor model: today whether and from what
// length the AVX2 kernels issue software prefetch hints. Package quant
// gives each such set a tuning table of measured rows, and Register
// installs the row for the host's vendor, family and model (HostCPU),
// the table's last row where no row lists it. QUANT_TUNE=<row name>
// forces a row, for A/B runs; Tuned reports which one is in effect.
//
// Tests and benchmarks reach every set the CPU can run through Runnable,
// and run the public API on one of them through Use.
package dispatch

import (
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/qkernels/quant/kernels"
)

// EnvVar names the environment variable that caps the implementation.
const EnvVar = "QUANT_IMPL"

// Impl is one row of a dispatch table: a kernel set, the CPU features
// its code executes and, for a set with something to tune, its tuning
// table and the function that installs a row of it where its kernels
// read it.
type Impl struct {
	Kernels *kernels.Set
	Needs   Features
	Tunings []Tuning
	Tune    func(kernels.Prefetch)
}

var (
	registered []Impl
	selected   atomic.Pointer[kernels.Set]

	tunedMu sync.Mutex
	tuned   = map[*kernels.Set]TuningChoice{}
)

// Register installs the dispatch table of package quant, best set first,
// and returns the set chosen for this CPU and environment; it tunes every
// set that has a tuning table for this processor (or as QUANT_TUNE says).
// Only package quant calls it, once, during initialization.
func Register(table []Impl) *kernels.Set {
	registered = table
	for _, impl := range table {
		if impl.Tune != nil {
			c := ChooseTuning(impl.Tunings, HostCPU(), os.Getenv(TuneEnvVar))
			install(impl, c)
		}
	}
	k := Choose(table, Host(), os.Getenv(EnvVar))
	selected.Store(k)
	return k
}

func install(impl Impl, c TuningChoice) {
	tunedMu.Lock()
	defer tunedMu.Unlock()
	impl.Tune(c.Prefetch)
	tuned[impl.Kernels] = c
}

// Tuned returns the tuning in effect for k, and why it was chosen; the
// zero TuningChoice for a set with nothing to tune.
func Tuned(k *kernels.Set) TuningChoice {
	tunedMu.Lock()
	defer tunedMu.Unlock()
	return tuned[k]
}

// Tunings returns the tuning table of k, or nil if it has none.
func Tunings(k *kernels.Set) []Tuning {
	for _, impl := range registered {
		if impl.Kernels == k {
			return impl.Tunings
		}
	}
	return nil
}

// UseTuning makes k's kernels run with t until restore is called: the hook
// through which tests run every loop of a set, hinted and not. The values
// are plain words the assembly reads, so a kernel running meanwhile may see
// either tuning; both give the same results.
func UseTuning(k *kernels.Set, t Tuning) (restore func()) {
	for _, impl := range registered {
		if impl.Kernels == k && impl.Tune != nil {
			old := Tuned(k)
			install(impl, TuningChoice{t, "UseTuning"})
			return func() { install(impl, old) }
		}
	}
	panic("dispatch: UseTuning of " + k.Name + ", a set with no tuning table")
}

// Choose returns the first set in table that host can run and that is not
// above the set named by force (an empty or unknown name caps nothing).
// The last row must need no features.
func Choose(table []Impl, host Features, force string) *kernels.Set {
	capped := false
	for _, impl := range table {
		if strings.EqualFold(impl.Kernels.Name, force) {
			capped = true
		}
	}
	for _, impl := range table {
		if capped && !strings.EqualFold(impl.Kernels.Name, force) {
			continue
		}
		capped = false
		if host.Has(impl.Needs) {
			return impl.Kernels
		}
	}
	panic("dispatch: no kernel set in the table runs on this CPU")
}

// Selected returns the kernel set package quant uses: every public function
// of quant loads it on each call.
func Selected() *kernels.Set { return selected.Load() }

// Use makes package quant call k until restore is called: the hook through
// which tests run the public API on each kernel set.
//
// Use and Swap are safe for concurrent use, with each other and with
// package quant: a call of quant that overlaps them may run some of its
// kernels on the old set and some on the new one, and since every set
// computes the same bits, its results are the same either way. What they
// change is the speed of the calls of every goroutine, so a program
// switches sets where it measures them, not in production.
func Use(k *kernels.Set) (restore func()) {
	old := Swap(k)
	return func() { Swap(old) }
}

// Swap makes package quant call k and returns the set it called before:
// Use without the closure, for benchmarks that switch sets on every call
// and must not allocate.
func Swap(k *kernels.Set) (old *kernels.Set) { return selected.Swap(k) }

// Runnable returns every registered kernel set this CPU can run, best first,
// whatever QUANT_IMPL says. Tests and benchmarks use it to reach each one.
func Runnable() []*kernels.Set {
	var sets []*kernels.Set
	for _, impl := range registered {
		if Host().Has(impl.Needs) {
			sets = append(sets, impl.Kernels)
		}
	}
	return sets
}
