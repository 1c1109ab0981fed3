package quant

import (
	"github.com/qkernels/quant/dispatch"
	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

func init() {
	// The first set of asmKernels (kernels_$GOARCH.go) this CPU can run,
	// else the pure-Go reference.
	dispatch.Register(append(asmKernels, dispatch.Impl{Kernels: &fallback.Kernels}))
}

// active returns the kernel set every public function calls.
func active() *kernels.Set { return dispatch.Selected() }

// Implementation returns the name of the kernel set in use: "avx2", "neon",
// "generic" (the pure-Go kernels), ... See package dispatch for how it is
// chosen and how to force another one.
func Implementation() string { return active().Name }
