//go:build !purego && !noasm

package quant

import "github.com/qkernels/quant/dispatch"

// asmKernels lists the arm64 kernel sets, best first.
var asmKernels []dispatch.Impl
