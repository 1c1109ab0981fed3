package quant

import (
	"os"
	"runtime"
	"testing"

	"github.com/qkernels/quant/dispatch"
	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
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
			if maskedLoadsFault(k) {
				t.Skipf("%s under %s: the emulator loads all 32 bytes of a VMASKMOVPS/VPMASKMOVD, "+
					"so the masked-off lanes of a tail fault at a guard page where the CPU does not; "+
					"native runs check the guard pages", k.Name, os.Getenv("QUANT_EMULATOR"))
			}
			t.Parallel() // each run maps its own pages
			kerneltest.GuardPages(t, k)
		})
	}
}

// maskedLoadsFault reports whether the guard pages cannot check k here:
// ci/test.sh sets QUANT_EMULATOR for its qemu steps, and qemu-x86_64 (7.2)
// emulates the masked loads of the AVX2 tails as full loads. (qemu-aarch64
// is faithful: the NEON kernels have no masked loads.)
func maskedLoadsFault(k *kernels.Set) bool {
	return runtime.GOARCH == "amd64" && os.Getenv("QUANT_EMULATOR") != "" && k != &fallback.Kernels
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
