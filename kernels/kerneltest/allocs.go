package kerneltest

import (
	"runtime"
	"sync"
	"unsafe"

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

// checkAllocs reports a kernel that allocates: kernels never do. The lock
// keeps the other sets' checks out, not the testing package, which
// allocates as it ends one subtest and starts the next on other
// goroutines; so a count is taken up to three times and the smallest
// kept: a kernel that allocates does so every time.
func checkAllocs(t tb, k *kernels.Set, name string) {
	exclusive.Lock()
	defer exclusive.Unlock()
	call := kernelCall(k, name)
	a := allocsPerRun(allocRuns, call)
	for try := 1; try < 3 && a > 0; try++ {
		a = min(a, allocsPerRun(allocRuns, call))
	}
	if a > 0 {
		t.Errorf("%s.%s: %d allocations per call of length %d, want none", k.Name, name, a, maxLen)
	}
}

// kernelCall returns a call of the kernel name of k on inputs of length
// maxLen (finite ones for the quantizers), of q8EveryBlocks GGUF blocks,
// or of whole blocks of 32 values.
func kernelCall(k *kernels.Set, name string) func() {
	if call := ggufCall(k, name); call != nil {
		return call
	}
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
	case "QuantizeAbsmaxChecked":
		return func() { k.QuantizeAbsmaxChecked(q, f32, 100) }
	case "QuantizeZeroPointChecked":
		return func() { k.QuantizeZeroPointChecked(q, f32, 100, -3) }
	case "QuantizeAbsmaxFused":
		return func() { k.QuantizeAbsmaxFused(q, f32) }
	case "QuantizeZeroPointFused":
		return func() { k.QuantizeZeroPointFused(q, f32) }
	case "DequantizeZeroPoint":
		return func() { k.DequantizeZeroPoint(x, i8, 0.5, -3); k.DequantizeZeroPoint(x, i8, 0.5, 0) }
	case "ErrorSums":
		return func() { k.ErrorSums(f32, f32) }
	case "FakeQuantizeMask":
		return func() { k.FakeQuantizeMask(x, f32, i8u(i8), 100, -3, -128, 127) }
	case "MaskGradient":
		return func() { k.MaskGradient(x, f32, i8u(i8)) }
	case "QuantizePyTorch":
		return func() { k.QuantizePyTorch(q, f32, 100, -3) }
	case "QuantizeONNX":
		return func() { k.QuantizeONNX(q, f32, 0.01, -3) }
	case "DequantizeAffine":
		return func() { k.DequantizeAffine(x, i8, 0.5, -3) }
	case "FakeQuantizePyTorch":
		return func() {
			k.FakeQuantizePyTorch(x, f32, nil, 100, 0.01, -3, -128, 127)
			k.FakeQuantizePyTorch(x, f32, i8u(i8), 100, 0.01, 3, 0, 255)
		}
	case "FakeQuantize":
		return func() { k.FakeQuantize(x, f32, 100, -3, -128, 127) }
	case "AbsMaxBits16":
		return func() { k.AbsMaxBits16(u16) }
	case "MinMaxKeys16":
		return func() { k.MinMaxKeys16(u16) }
	case "MulAddAtB":
		return gemmCall(k.MulAddAtB)
	}
	// The blockwise kernels: blocks of 32 over most of maxLen values.
	const block, count = 32, maxLen / 32
	scales, zeros := make([]float32, count), make([]float32, count)
	for i := range scales {
		scales[i], zeros[i] = 100+float32(i), -3-float32(i)
	}
	u32, i32, i32b := make([]uint32, count), make([]int32, count), make([]int32, count)
	o16, i16, i16b := make([]uint16, count), make([]int16, count), make([]int16, count)
	f32b, u16b, qb := f32[:block*count], u16[:block*count], q[:block*count]
	switch name {
	case "AbsMaxBitsBlocks":
		return func() { k.AbsMaxBitsBlocks(u32, f32b, block) }
	case "MinMaxKeysBlocks":
		return func() { k.MinMaxKeysBlocks(i32, i32b, f32b, block) }
	case "AbsMaxBits16Blocks":
		return func() { k.AbsMaxBits16Blocks(o16, u16b, block) }
	case "MinMaxKeys16Blocks":
		return func() { k.MinMaxKeys16Blocks(i16, i16b, u16b, block) }
	case "QuantizeAbsmaxBlocks":
		return func() { k.QuantizeAbsmaxBlocks(qb, f32b, scales, block) }
	case "QuantizeZeroPointBlocks":
		return func() { k.QuantizeZeroPointBlocks(qb, f32b, scales, zeros, block) }
	case "ZeroPointParamsBlocks":
		lo, hi := zpKeys(count, 1)
		zp := make([]int32, count)
		return func() { k.ZeroPointParamsBlocks(scales, zp, lo, hi) }
	}
	for _, f := range formats {
		w := f.set(k)
		src16, _ := f.finitePools()[0].window(maxLen, 0)
		switch name {
		case f.name + ".QuantizeAbsmax":
			return func() { w.QuantizeAbsmax(q, src16, 100) }
		case f.name + ".QuantizeZeroPoint":
			return func() { w.QuantizeZeroPoint(q, src16, 100, -3) }
		case f.name + ".QuantizeAbsmaxChecked":
			return func() { w.QuantizeAbsmaxChecked(q, src16, 100) }
		case f.name + ".QuantizeZeroPointChecked":
			return func() { w.QuantizeZeroPointChecked(q, src16, 100, -3) }
		case f.name + ".DequantizeZeroPoint":
			return func() { w.DequantizeZeroPoint(h, i8, 0.5, -3); w.DequantizeZeroPoint(h, i8, 0.5, 0) }
		case f.name + ".QuantizePyTorch":
			return func() { w.QuantizePyTorch(q, src16, 100, -3) }
		case f.name + ".QuantizeONNX":
			return func() { w.QuantizeONNX(q, src16, 0.01, -3) }
		case f.name + ".DequantizeAffine":
			return func() { w.DequantizeAffine(h, i8, 0.5, -3) }
		case f.name + ".QuantizeAbsmaxBlocks":
			return func() { w.QuantizeAbsmaxBlocks(qb, src16[:block*count], scales, block) }
		case f.name + ".QuantizeZeroPointBlocks":
			return func() { w.QuantizeZeroPointBlocks(qb, src16[:block*count], scales, zeros, block) }
		}
	}
	panic("kerneltest: no kernel " + name)
}

// ggufCall returns a call of the GGUF kernel name of k on q8EveryBlocks
// blocks (nil if name is not one): the encoders on their mixed pool, the
// decoders on random blocks.
func ggufCall(k *kernels.Set, name string) func() {
	const nb, n = q8EveryBlocks, blockValues
	for _, cd := range codecs {
		blocks := func() []byte { return make([]byte, nb*cd.size) }
		encoded := func() []byte {
			in, _ := blockWindow(poolNamed(cd.decodePools(), "random"), nb, cd.size, 0)
			return in
		}
		values := func(p *pool[float32]) []float32 { in, _ := blockWindow(p, nb, n, 0); return in }
		switch name {
		case cd.encodeName():
			enc, dst, src := cd.enc(k), blocks(), values(cd.source32().pools[0])
			return func() { enc(dst, src) }
		case cd.decodeName():
			dec, dst, src := cd.dec(k), make([]float32, nb*n), encoded()
			return func() { dec(dst, src) }
		}
		for _, f := range formats {
			switch name {
			case f.name + "." + cd.encodeName():
				enc, dst := cd.enc16(f.set(k)), blocks()
				in, _ := blockWindow(cd.source16(f).pools[0], nb, n, 0)
				return func() { enc(dst, in) }
			case f.name + "." + cd.decodeName():
				dec, dst, src := cd.dec16(f.set(k)), make([]uint16, nb*n), encoded()
				return func() { dec(dst, src) }
			}
		}
	}
	return nil
}

// i8u views int8 test data as the uint8 of a mask (any bytes serve an
// allocation count).
func i8u(s []int8) []uint8 {
	return unsafe.Slice((*uint8)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}
