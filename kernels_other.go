//go:build purego || noasm || !(amd64 || arm64)

package quant

import "github.com/qkernels/quant/dispatch"

// Without assembly (other architectures, or the purego and noasm build
// tags) only the pure-Go reference kernels run.
var asmKernels []dispatch.Impl
