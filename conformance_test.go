package quant

import (
	"testing"

	"github.com/qkernels/quant/dispatch"
	"github.com/qkernels/quant/kernels/kerneltest"
)

// The conformance suite runs on every kernel set this CPU can run, not only
// the one dispatch chose. Select parts with -run: TestConformance,
// TestGuardPages, TestExhaustive (skipped under -short) and TestReference.

// logSets names the kernel sets a test is about to check.
func logSets(t *testing.T) {
	t.Helper()
	var names []string
	for _, k := range dispatch.Runnable() {
		names = append(names, k.Name)
	}
	t.Logf("kernel sets on this CPU (%s): %v; in use: %s", dispatch.Describe(), names, Implementation())
}

func TestConformance(t *testing.T) {
	logSets(t)
	for _, k := range dispatch.Runnable() {
		t.Run(k.Name, func(t *testing.T) {
			t.Parallel() // kernels and the suite's shared data are read-only
			kerneltest.Run(t, k)
		})
	}
}

func TestGuardPages(t *testing.T) {
	logSets(t)
	for _, k := range dispatch.Runnable() {
		t.Run(k.Name, func(t *testing.T) {
			t.Parallel() // each run maps its own pages
			kerneltest.GuardPages(t, k)
		})
	}
}

func TestExhaustive(t *testing.T) {
	logSets(t)
	// Sequential: each run already uses every CPU.
	for _, k := range dispatch.Runnable() {
		t.Run(k.Name, func(t *testing.T) { kerneltest.Exhaustive(t, k) })
	}
}

func TestReference(t *testing.T) {
	kerneltest.CheckReference(t)
}
