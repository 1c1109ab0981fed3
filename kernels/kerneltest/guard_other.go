//go:build !linux

package kerneltest

import (
	"testing"

	"github.com/qkernels/quant/kernels"
)

// GuardPages runs every kernel of k on slices against inaccessible pages;
// it needs Linux and is skipped elsewhere.
func GuardPages(t *testing.T, k *kernels.Set) {
	t.Helper()
	t.Skip("guard-page checks run on Linux only")
}
