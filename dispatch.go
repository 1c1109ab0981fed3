package quant

import (
	"github.com/qkernels/quant/dispatch"
	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// active is the kernel set every public function calls, chosen once at
// start-up: the first set of asmKernels (kernels_$GOARCH.go) this CPU can
// run, else the pure-Go reference.
var active = dispatch.Register(append(asmKernels, dispatch.Impl{Kernels: &fallback.Kernels}))

// Implementation returns the name of the kernel set in use: "avx2", "neon",
// "generic" (the pure-Go kernels), ... See package dispatch for how it is
// chosen and how to force another one.
func Implementation() string { return active.Name }

// use makes the public API call k until the returned function is called.
// Tests use it to run the API on every kernel set; it is not safe while
// other goroutines call the API.
func use(k *kernels.Set) (restore func()) {
	old := active
	active = k
	return func() { active = old }
}
