package kerneltest

import (
	"runtime"
	"sync"

	"github.com/qkernels/quant/kernels"
)

// Allocation counts are process-wide, and the root tests check several
// kernel sets in parallel: counts are taken under the write lock of
// exclusive while every other check holds its read lock.
var exclusive sync.RWMutex

// allocRuns is how many calls a count averages over.
const allocRuns = 100

// allocsPerRun returns the average number of heap allocations of f, like
// testing.AllocsPerRun (which refuses to run in parallel tests).
func allocsPerRun(runs int, f func()) uint64 {
	f() // warm up
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	before := m.Mallocs
	for range runs {
		f()
	}
	runtime.ReadMemStats(&m)
	return (m.Mallocs - before) / uint64(runs)
}

// checkAllocs reports a kernel that allocates: kernels never do.
func checkAllocs(t tb, k *kernels.Set, name string) {
	exclusive.Lock()
	defer exclusive.Unlock()
	if a := allocsPerRun(allocRuns, kernelCall(k, name)); a > 0 {
		t.Errorf("%s.%s: %d allocations per call of length %d, want none", k.Name, name, a, maxLen)
	}
}

// kernelCall returns a call of the kernel name of k on inputs of length
// maxLen (finite ones for the quantizers).
func kernelCall(k *kernels.Set, name string) func() {
	f32, _ := poolNamed(f32Pools(), "weights").window(maxLen, 0)
	u16, _ := poolNamed(u16Pools(), "bits").window(maxLen, 0)
	i8, _ := poolNamed(i8Pools(), "bits").window(maxLen, 0)
	h, x, q := make([]uint16, maxLen), make([]float32, maxLen), make([]int8, maxLen)
	switch name {
	case "Float32ToFloat16":
		return func() { k.Float32ToFloat16(h, f32) }
	case "Float16ToFloat32":
		return func() { k.Float16ToFloat32(x, u16) }
	case "Float32ToBFloat16":
		return func() { k.Float32ToBFloat16(h, f32) }
	case "BFloat16ToFloat32":
		return func() { k.BFloat16ToFloat32(x, u16) }
	case "AbsMaxBits":
		return func() { k.AbsMaxBits(f32) }
	case "MinMaxKeys":
		return func() { k.MinMaxKeys(f32) }
	case "QuantizeAbsmax":
		return func() { k.QuantizeAbsmax(q, f32, 100) }
	case "QuantizeZeroPoint":
		return func() { k.QuantizeZeroPoint(q, f32, 100, -3) }
	case "DequantizeZeroPoint":
		return func() { k.DequantizeZeroPoint(x, i8, 0.5, -3); k.DequantizeZeroPoint(x, i8, 0.5, 0) }
	}
	panic("kerneltest: no kernel " + name)
}
