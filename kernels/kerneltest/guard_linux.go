package kerneltest

import (
	"fmt"
	"os"
	"runtime/debug"
	"syscall"
	"testing"
	"unsafe"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// GuardPages runs every kernel of k on slices that end exactly where an
// inaccessible page begins, and on slices that start right after one, for
// every length 0..300: a read or write past either end faults. Faults are
// turned into test failures (runtime/debug.SetPanicOnFault); results are
// compared with the reference too. Skipped if the pages cannot be mapped.
func GuardPages(t *testing.T, k *kernels.Set) {
	t.Helper()
	pg, err := newPages(maxLen * 4)
	if err != nil {
		t.Skipf("cannot map guard pages: %v", err)
	}
	defer pg.close()
	guardPages(t, k, pg)
}

// pages is an anonymous mapping of two usable areas, each between two
// inaccessible pages: [none][area A][none][area B][none].
type pages struct {
	mem  []byte
	page int
	size int // bytes in an area
	a, b int // start of each area in mem
}

func newPages(need int) (*pages, error) {
	page := os.Getpagesize()
	size := (need + page - 1) / page * page
	total := 3*page + 2*size
	mem, err := syscall.Mmap(-1, 0, total, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, err
	}
	p := &pages{mem: mem, page: page, size: size, a: page, b: 2*page + size}
	for _, at := range []int{0, page + size, 2*page + 2*size} {
		if err := syscall.Mprotect(mem[at:at+page], syscall.PROT_NONE); err != nil {
			p.close()
			return nil, err
		}
	}
	return p, nil
}

func (p *pages) close() { _ = syscall.Munmap(p.mem) }

// place returns n elements of T in the area starting at area, against
// its end (the following page) or its start (the preceding page).
func place[T elem](p *pages, area, n int, atEnd bool) []T {
	off := area
	if atEnd {
		off = area + p.size - n*sizeOf[T]()
	}
	// &p.mem[off] is at most the first byte of the next page, which
	// belongs to the mapping: taking its address touches nothing.
	return unsafe.Slice((*T)(unsafe.Pointer(&p.mem[off])), n)
}

// protect calls f, turning a memory fault into a returned value.
func protect(f func()) (fault any) {
	defer func() { fault = recover() }()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	f()
	return nil
}

// placements of the input and output: against the page after, or
// the page before.
var placements = []struct {
	name           string
	srcEnd, dstEnd bool
}{
	{"src and dst end at a guard page", true, true},
	{"src and dst start after a guard page", false, false},
	{"src ends, dst starts", true, false},
	{"src starts, dst ends", false, true},
}

// guardMap runs a map kernel on every length and placement.
func guardMap[D, S elem](c *checker, p *pages, got, ref func([]D, []S), data func(n int) []S) {
	want := make([]D, maxLen)
	for n := 0; n <= maxLen && !c.done(); n++ {
		in := data(n)
		ref(want[:n], in)
		for _, pl := range placements {
			src := place[S](p, p.a, n, pl.srcEnd)
			dst := place[D](p, p.b, n, pl.dstEnd)
			copy(src, in)
			complementOf(dst, want[:n])
			if fault := protect(func() { got(dst, src) }); fault != nil {
				c.errorf("n=%d %s: %v", n, pl.name, faultText(fault, p))
				return
			}
			if i := firstDiff(dst, want[:n]); i >= 0 {
				c.errorf("n=%d %s: index %d: input %s: got %s, want %s", n, pl.name, i, hex(in[i]), hex(dst[i]), hex(want[i]))
				return
			}
			if i := firstDiff(src, in); i >= 0 {
				c.errorf("n=%d %s: src modified at index %d", n, pl.name, i)
				return
			}
		}
	}
}

// guardReduce runs a reduction on every length and placement.
func guardReduce[R comparable](c *checker, p *pages, got, ref func([]float32) R, data func(n int) []float32) {
	for n := 0; n <= maxLen && !c.done(); n++ {
		in := data(n)
		want := ref(in)
		for _, atEnd := range []bool{true, false} {
			src := place[float32](p, p.a, n, atEnd)
			copy(src, in)
			var res R
			if fault := protect(func() { res = got(src) }); fault != nil {
				c.errorf("n=%d src at end=%v: %v", n, atEnd, faultText(fault, p))
				return
			}
			if res != want {
				c.errorf("n=%d src at end=%v: got %s, want %s", n, atEnd, showResult(res), showResult(want))
				return
			}
		}
	}
}

func faultText(fault any, p *pages) string {
	if e, ok := fault.(interface{ Addr() uintptr }); ok {
		base := uintptr(unsafe.Pointer(unsafe.SliceData(p.mem)))
		return fmt.Sprintf("memory fault at byte %d of the mapping (areas at %d and %d, %d bytes each, page %d): %v",
			int(e.Addr()-base), p.a, p.b, p.size, p.page, fault)
	}
	return fmt.Sprintf("panic: %v", fault)
}

type pair struct{ lo, hi int32 }

func showResult(r any) string {
	if p, ok := r.(pair); ok {
		return fmt.Sprintf("min key %#08x max key %#08x", uint32(p.lo), uint32(p.hi))
	}
	return fmt.Sprintf("%#08x", r)
}

func guardPages(t tb, k *kernels.Set, p *pages) {
	t.Helper()
	f32s, u16s, i8s := f32Pools(), u16Pools(), i8Pools()
	bits := func(n int) []float32 { in, _ := poolNamed(f32s, "bits").window(n, n); return in }
	weights := func(n int) []float32 { in, _ := poolNamed(f32s, "weights").window(n, n); return in }
	half := func(n int) []uint16 { in, _ := poolNamed(u16s, "bits").window(n, n); return in }
	bytes := func(n int) []int8 { in, _ := poolNamed(i8s, "bits").window(n, n); return in }
	run := func(name string, f func(c *checker)) {
		if isReference(k, checkNamed(name).field) {
			t.Logf("%s.%s is the reference function itself: skipped", k.Name, name)
			return
		}
		f(newChecker(t, k.Name+"."+name+" (guard pages)"))
	}
	run("Float32ToFloat16", func(c *checker) {
		guardMap(c, p, k.Float32ToFloat16, fallback.Float32ToFloat16, bits)
	})
	run("Float16ToFloat32", func(c *checker) {
		guardMap(c, p, k.Float16ToFloat32, fallback.Float16ToFloat32, half)
	})
	run("Float32ToBFloat16", func(c *checker) {
		guardMap(c, p, k.Float32ToBFloat16, fallback.Float32ToBFloat16, bits)
	})
	run("BFloat16ToFloat32", func(c *checker) {
		guardMap(c, p, k.BFloat16ToFloat32, fallback.BFloat16ToFloat32, half)
	})
	run("AbsMaxBits", func(c *checker) {
		guardReduce(c, p, k.AbsMaxBits, fallback.AbsMaxBits, weights)
	})
	run("MinMaxKeys", func(c *checker) {
		mm := func(f func([]float32) (int32, int32)) func([]float32) pair {
			return func(s []float32) pair { lo, hi := f(s); return pair{lo, hi} }
		}
		guardReduce(c, p, mm(k.MinMaxKeys), mm(fallback.MinMaxKeys), weights)
	})
	run("QuantizeAbsmax", func(c *checker) {
		s, _ := absmaxScale(weights(maxLen))
		guardMap(c, p, func(d []int8, x []float32) { k.QuantizeAbsmax(d, x, s) },
			func(d []int8, x []float32) { fallback.QuantizeAbsmax(d, x, s) }, weights)
	})
	run("QuantizeZeroPoint", func(c *checker) {
		s, z, _ := zeroPointParams(weights(maxLen))
		guardMap(c, p, func(d []int8, x []float32) { k.QuantizeZeroPoint(d, x, s, float32(z)) },
			func(d []int8, x []float32) { fallback.QuantizeZeroPoint(d, x, s, float32(z)) }, weights)
	})
	run("DequantizeZeroPoint", func(c *checker) {
		for _, z := range []int32{-3, 0} { // 0: absmax dequantization
			guardMap(c, p, func(d []float32, x []int8) { k.DequantizeZeroPoint(d, x, 0.37, z) },
				func(d []float32, x []int8) { fallback.DequantizeZeroPoint(d, x, 0.37, z) }, bytes)
		}
	})
}
