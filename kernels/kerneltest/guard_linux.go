package kerneltest

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// GuardPages runs every kernel of k on slices that end exactly where an
// inaccessible page begins, and on slices that start right after one, for
// every length 0..300 (every GGUF block count 0..9; for the blockwise
// kernels, block sizes up to 128 with counts 0..9, each slice against a
// page of its own; for MulAddAtB, m up to 13 and n up to 35, C, A and B
// each against a page of its own): a read or write past either end
// faults. Faults are turned into test failures
// (runtime/debug.SetPanicOnFault); results are compared with the
// reference too. Skipped if the pages cannot be mapped.
func GuardPages(t *testing.T, k *kernels.Set) {
	t.Helper()
	pg, err := newGuardPages()
	if err != nil {
		t.Skipf("cannot map guard pages: %v", err)
	}
	defer pg.close()
	guardPages(t, k, pg, "")
}

// pages is an anonymous mapping of usable areas, each between two
// inaccessible pages: [none][area A][none][area B][none]...
type pages struct {
	mem   []byte
	page  int
	size  int   // bytes in an area
	areas []int // start of each area in mem
	a, b  int   // the first two areas
}

// guardAreas and guardAreaBytes size the mapping of GuardPages: an area
// for each slice of the blockwise quantizers (src, dst, scales, zeros),
// each large enough for their largest call.
const (
	guardAreas     = 4
	guardAreaBytes = guardMaxBlock * guardMaxCount * 4
)

func newGuardPages() (*pages, error) { return newPages(max(maxLen*4, guardAreaBytes), guardAreas) }

func newPages(need, areas int) (*pages, error) {
	page := os.Getpagesize()
	size := (need + page - 1) / page * page
	total := (areas+1)*page + areas*size
	mem, err := syscall.Mmap(-1, 0, total, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, err
	}
	p := &pages{mem: mem, page: page, size: size}
	for i := range areas + 1 {
		at := i * (page + size)
		if err := syscall.Mprotect(mem[at:at+page], syscall.PROT_NONE); err != nil {
			p.close()
			return nil, err
		}
		if i < areas {
			p.areas = append(p.areas, at+page)
		}
	}
	p.a, p.b = p.areas[0], p.areas[1]
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
	lens := make([]int, maxLen+1)
	for n := range lens {
		lens[n] = n
	}
	guardShaped(c, p, got, ref, lens, func(n int) int { return n }, data, nil)
}

// guardShaped runs a kernel that writes dstLen(n) elements for n inputs
// on each length of lens and every placement; explain describes a wrong
// output element (nil: it pairs with the input element of its index).
func guardShaped[D, S elem](c *checker, p *pages, got, ref func([]D, []S), lens []int, dstLen func(int) int,
	data func(n int) []S, explain explainer[D, S]) {
	for _, n := range lens {
		if c.done() {
			return
		}
		in := data(n)
		want := make([]D, dstLen(n))
		ref(want, in)
		for _, pl := range placements {
			src := place[S](p, p.a, n, pl.srcEnd)
			dst := place[D](p, p.b, len(want), pl.dstEnd)
			copy(src, in)
			complementOf(dst, want)
			if fault := protect(func() { got(dst, src) }); fault != nil {
				c.errorf("n=%d %s: %v", n, pl.name, faultText(fault, p))
				return
			}
			if i := firstDiff(dst, want); i >= 0 {
				if explain != nil {
					c.errorf("n=%d %s: %s", n, pl.name, explain(i, in, dst, want))
				} else {
					c.errorf("n=%d %s: index %d: input %s: got %s, want %s", n, pl.name, i, hex(in[i]), hex(dst[i]), hex(want[i]))
				}
				return
			}
			if i := firstDiff(src, in); i >= 0 {
				c.errorf("n=%d %s: src modified at index %d", n, pl.name, i)
				return
			}
		}
	}
}

// guardFused runs a fused quantizer on every length and placement, on
// data and on data with a NaN last, which it must refuse without writing.
func guardFused(c *checker, p *pages, got, ref fusedCall, data func(n int) []float32) {
	for n := 0; n <= maxLen && !c.done(); n++ {
		for _, nan := range []bool{false, true} {
			in := append([]float32(nil), data(n)...)
			if nan && n > 0 {
				in[n-1] = f32(qnan)
			}
			want := make([]int8, n)
			untouched(want)
			wres := ref(want, in)
			for _, pl := range placements {
				src := place[float32](p, p.a, n, pl.srcEnd)
				dst := place[int8](p, p.b, n, pl.dstEnd)
				copy(src, in)
				if wres.scale != 0 {
					complementOf(dst, want)
				} else {
					untouched(dst)
				}
				var res fusedResult
				if fault := protect(func() { res = got(dst, src) }); fault != nil {
					c.errorf("n=%d nan=%v %s: %v", n, nan, pl.name, faultText(fault, p))
					return
				}
				if res != wres {
					c.errorf("n=%d nan=%v %s: returned %v, want %v", n, nan, pl.name, res, wres)
					return
				}
				if i := firstDiff(dst, want); i >= 0 {
					c.errorf("n=%d nan=%v %s: index %d: input %s: got %d, want %d", n, nan, pl.name, i, hex(in[i]), dst[i], want[i])
					return
				}
				if i := firstDiff(src, in); i >= 0 {
					c.errorf("n=%d nan=%v %s: src modified at index %d", n, nan, pl.name, i)
					return
				}
			}
		}
	}
}

// guardReduce runs a reduction on every length and placement.
func guardReduce[T elem, R comparable](c *checker, p *pages, got, ref func([]T) R, data func(n int) []T) {
	for n := 0; n <= maxLen && !c.done(); n++ {
		in := data(n)
		want := ref(in)
		for _, atEnd := range []bool{true, false} {
			src := place[T](p, p.a, n, atEnd)
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
			if i := firstDiff(src, in); i >= 0 {
				c.errorf("n=%d src at end=%v: src modified at index %d", n, atEnd, i)
				return
			}
		}
	}
}

func faultText(fault any, p *pages) string {
	if e, ok := fault.(interface{ Addr() uintptr }); ok {
		base := uintptr(unsafe.Pointer(unsafe.SliceData(p.mem)))
		return fmt.Sprintf("memory fault at byte %d of the mapping (areas at %v, %d bytes each, page %d): %v",
			int(e.Addr()-base), p.areas, p.size, p.page, fault)
	}
	return fmt.Sprintf("panic: %v", fault)
}

// guardPages runs the guard-page checks of every kernel of k, or only of
// the kernel called only if that is not empty.
func guardPages(t tb, k *kernels.Set, p *pages, only string) {
	t.Helper()
	f32s, u16s, i8s := f32Pools(), u16Pools(), i8Pools()
	bits := func(n int) []float32 { in, _ := poolNamed(f32s, "bits").window(n, n); return in }
	weights := func(n int) []float32 { in, _ := poolNamed(f32s, "weights").window(n, n); return in }
	half := func(n int) []uint16 { in, _ := poolNamed(u16s, "bits").window(n, n); return in }
	bytes := func(n int) []int8 { in, _ := poolNamed(i8s, "bits").window(n, n); return in }
	run := func(name string, f func(c *checker)) {
		if only != "" && name != only {
			return
		}
		if isReference(k, checkNamed(name).field) {
			t.Logf("%s.%s is the reference function itself: skipped", k.Name, name)
			return
		}
		// Allocation counts are process-wide (see exclusive): a guard
		// check, which allocates, must not run during one.
		exclusive.RLock()
		defer exclusive.RUnlock()
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
		guardReduce(c, p, keysOf(k.MinMaxKeys), keysOf(fallback.MinMaxKeys), weights)
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
	run("QuantizeAbsmaxChecked", func(c *checker) {
		s, _ := absmaxScale(weights(maxLen))
		guardMap(c, p, func(d []int8, x []float32) { k.QuantizeAbsmaxChecked(d, x, s) },
			func(d []int8, x []float32) { fallback.QuantizeAbsmax(d, x, s) }, weights)
	})
	run("QuantizeZeroPointChecked", func(c *checker) {
		s, z, _ := zeroPointParams(weights(maxLen))
		guardMap(c, p, func(d []int8, x []float32) { k.QuantizeZeroPointChecked(d, x, s, float32(z)) },
			func(d []int8, x []float32) { fallback.QuantizeZeroPoint(d, x, s, float32(z)) }, weights)
	})
	run("QuantizeAbsmaxFused", func(c *checker) {
		guardFused(c, p, absmaxFused(k.QuantizeAbsmaxFused), absmaxFused(fallback.QuantizeAbsmaxFused), weights)
	})
	run("QuantizeZeroPointFused", func(c *checker) {
		guardFused(c, p, zeroPointFused(k.QuantizeZeroPointFused), zeroPointFused(fallback.QuantizeZeroPointFused), weights)
	})
	run("DequantizeZeroPoint", func(c *checker) {
		for _, z := range []int32{-3, 0, 200} { // 0: absmax dequantization; 200: outside the FMA domain
			guardMap(c, p, func(d []float32, x []int8) { k.DequantizeZeroPoint(d, x, 0.37, z) },
				func(d []float32, x []int8) { fallback.DequantizeZeroPoint(d, x, 0.37, z) }, bytes)
		}
	})
	run("FakeQuantize", func(c *checker) {
		s, z, _ := zeroPointParams(weights(maxLen))
		guardMap(c, p, func(d, x []float32) { k.FakeQuantize(d, x, s, z, -128, 127) },
			func(d, x []float32) { fallback.FakeQuantize(d, x, s, z, -128, 127) }, weights)
	})
	// The masks sit in an area of their own, against its end and its
	// start in turn, so that a read or write past either end of a mask
	// faults too.
	maskAt := func(n int, end *bool) []uint8 {
		*end = !*end
		return place[uint8](p, p.areas[2], n, *end)
	}
	run("FakeQuantizeMask", func(c *checker) {
		s, z, _ := zeroPointParams(weights(maxLen))
		var end bool
		want := make([]uint8, maxLen)
		guardMap(c, p, func(d, x []float32) {
			m := maskAt(len(x), &end)
			k.FakeQuantizeMask(d, x, m, s, z, -128, 127)
			fallback.FakeQuantizeMask(make([]float32, len(x)), x, want, s, z, -128, 127)
			if i := firstDiff(m, want[:len(x)]); i >= 0 {
				c.errorf("n=%d: mask[%d] = %d, want %d", len(x), i, m[i], want[i])
			}
		}, func(d, x []float32) { fallback.FakeQuantizeMask(d, x, make([]uint8, len(x)), s, z, -128, 127) }, weights)
	})
	run("QuantizePyTorch", func(c *checker) {
		guardMap(c, p, func(d []int8, x []float32) { k.QuantizePyTorch(d, x, 37, -3) },
			func(d []int8, x []float32) { fallback.QuantizePyTorch(d, x, 37, -3) }, weights)
	})
	run("QuantizeONNX", func(c *checker) {
		guardMap(c, p, func(d []int8, x []float32) { k.QuantizeONNX(d, x, 0.03, 5) },
			func(d []int8, x []float32) { fallback.QuantizeONNX(d, x, 0.03, 5) }, weights)
	})
	run("DequantizeAffine", func(c *checker) {
		guardMap(c, p, func(d []float32, x []int8) { k.DequantizeAffine(d, x, 0.37, -3) },
			func(d []float32, x []int8) { fallback.DequantizeAffine(d, x, 0.37, -3) }, bytes)
	})
	run("FakeQuantizePyTorch", func(c *checker) {
		var end bool
		want := make([]uint8, maxLen)
		guardMap(c, p, func(d, x []float32) {
			m := maskAt(len(x), &end)
			k.FakeQuantizePyTorch(d, x, m, 37, 1.0/37, 3, 0, 255)
			fallback.FakeQuantizePyTorch(make([]float32, len(x)), x, want, 37, 1.0/37, 3, 0, 255)
			if i := firstDiff(m, want[:len(x)]); i >= 0 {
				c.errorf("n=%d: mask[%d] = %d, want %d", len(x), i, m[i], want[i])
			}
		}, func(d, x []float32) { fallback.FakeQuantizePyTorch(d, x, nil, 37, 1.0/37, 3, 0, 255) }, weights)
	})
	run("MaskGradient", func(c *checker) {
		pattern := make([]uint8, maxLen)
		for i := range pattern {
			pattern[i] = uint8(i % 3 % 2)
		}
		var end bool
		guardMap(c, p, func(d, g []float32) {
			m := maskAt(len(g), &end)
			copy(m, pattern)
			k.MaskGradient(d, g, m)
		}, func(d, g []float32) { fallback.MaskGradient(d, g, pattern) }, bits)
	})
	run("ErrorSums", func(c *checker) {
		// The guarded slice as x, then as y, against a reconstruction.
		sums := func(f func(x, y []float32) (float64, float64, float64), guardX bool) func([]float32) errorResult {
			return func(w []float32) errorResult {
				o := coarse(w, 3)
				var r errorResult
				if guardX {
					r.sse, r.ss, r.maxAbs = f(w, o)
				} else {
					r.sse, r.ss, r.maxAbs = f(o, w)
				}
				return r
			}
		}
		guardReduce(c, p, sums(k.ErrorSums, true), sums(fallback.ErrorSums, true), weights)
		guardReduce(c, p, sums(k.ErrorSums, false), sums(fallback.ErrorSums, false), weights)
	})
	run("MulAddAtB", func(c *checker) { guardGemm(c, p, k.MulAddAtB) })
	guardPages16(t, k, p, run)
	guardPagesGGUF(k, p, run)
	guardPagesBlocks(t, k, p, run)
}

// guardPages16 runs the checks of the 16-bit kernels: every length up to
// maxLen.
func guardPages16(t tb, k *kernels.Set, p *pages, run func(name string, f func(c *checker))) {
	half := func(n int) []uint16 { in, _ := poolNamed(u16Pools(), "bits").window(n, n); return in }
	run("AbsMaxBits16", func(c *checker) {
		guardReduce(c, p, k.AbsMaxBits16, fallback.AbsMaxBits16, half)
	})
	run("MinMaxKeys16", func(c *checker) {
		guardReduce(c, p, keysOf(k.MinMaxKeys16), keysOf(fallback.MinMaxKeys16), half)
	})
	for _, f := range formats {
		got, ref := f.set(k), f.set(&fallback.Kernels)
		data := func(n int) []uint16 {
			in, _ := poolNamed(f.finitePools(), f.short+"-weights").window(n, n)
			return in
		}
		run(f.name+".QuantizeAbsmax", func(c *checker) {
			s, _ := f.absmaxScale(data(maxLen))
			guardMap(c, p, func(d []int8, x []uint16) { got.QuantizeAbsmax(d, x, s) },
				func(d []int8, x []uint16) { ref.QuantizeAbsmax(d, x, s) }, data)
		})
		run(f.name+".QuantizeZeroPoint", func(c *checker) {
			s, z, _ := f.zeroPointParams(data(maxLen))
			guardMap(c, p, func(d []int8, x []uint16) { got.QuantizeZeroPoint(d, x, s, float32(z)) },
				func(d []int8, x []uint16) { ref.QuantizeZeroPoint(d, x, s, float32(z)) }, data)
		})
		run(f.name+".QuantizePyTorch", func(c *checker) {
			guardMap(c, p, func(d []int8, x []uint16) { got.QuantizePyTorch(d, x, 37, -3) },
				func(d []int8, x []uint16) { ref.QuantizePyTorch(d, x, 37, -3) }, data)
		})
		run(f.name+".QuantizeONNX", func(c *checker) {
			guardMap(c, p, func(d []int8, x []uint16) { got.QuantizeONNX(d, x, 0.03, 5) },
				func(d []int8, x []uint16) { ref.QuantizeONNX(d, x, 0.03, 5) }, data)
		})
		run(f.name+".DequantizeAffine", func(c *checker) {
			in := func(n int) []int8 { b, _ := poolNamed(i8Pools(), "bits").window(n, n); return b }
			guardMap(c, p, func(d []uint16, x []int8) { got.DequantizeAffine(d, x, 0.37, -3) },
				func(d []uint16, x []int8) { ref.DequantizeAffine(d, x, 0.37, -3) }, in)
		})
	}
	bytes := func(n int) []int8 { in, _ := poolNamed(i8Pools(), "bits").window(n, n); return in }
	for _, f := range formats {
		got, ref := f.set(k), f.set(&fallback.Kernels)
		run(f.name+".DequantizeZeroPoint", func(c *checker) {
			for _, z := range []int32{-3, 0, 200} { // 0: absmax dequantization; 200: outside the FMA domain
				guardShaped(c, p, func(d []uint16, x []int8) { got.DequantizeZeroPoint(d, x, 0.37, z) },
					func(d []uint16, x []int8) { ref.DequantizeZeroPoint(d, x, 0.37, z) }, everyLen(), func(n int) int { return n },
					bytes, f.explainDequant(0.37, z))
			}
		})
	}
}

// guardPagesGGUF runs the checks of the GGUF block kernels of every codec,
// from and to each format: every block count up to q8EveryBlocks, on the
// encoder's mixed pool and on random blocks.
func guardPagesGGUF(k *kernels.Set, p *pages, run func(name string, f func(c *checker))) {
	const n = blockValues
	for _, cd := range codecs {
		size := cd.size
		var valueLens, byteLens []int
		for nb := 0; nb <= q8EveryBlocks; nb++ {
			valueLens, byteLens = append(valueLens, nb*n), append(byteLens, nb*size)
		}
		encodedLen := func(v int) int { return v / n * size }
		decodedLen := func(b int) int { return b / size * n }
		random := func(b int) []byte {
			in, _ := blockWindow(poolNamed(cd.decodePools(), "random"), b/size, size, b)
			return in
		}
		run(cd.encodeName(), func(c *checker) {
			src := cd.source32()
			guardShaped(c, p, cd.enc(k), cd.enc(&fallback.Kernels), valueLens, encodedLen,
				func(v int) []float32 { in, _ := blockWindow(src.pools[0], v/n, n, v); return in },
				explainEncode(cd, src.value, src.show))
		})
		run(cd.decodeName(), func(c *checker) {
			guardShaped(c, p, cd.dec(k), cd.dec(&fallback.Kernels), byteLens, decodedLen, random, explainDecode(cd, hex[float32]))
		})
		for _, f := range formats {
			got, ref := f.set(k), f.set(&fallback.Kernels)
			run(f.name+"."+cd.encodeName(), func(c *checker) {
				src := cd.source16(f)
				guardShaped(c, p, cd.enc16(got), cd.enc16(ref), valueLens, encodedLen,
					func(v int) []uint16 { in, _ := blockWindow(src.pools[0], v/n, n, v); return in },
					explainEncode(cd, src.value, src.show))
			})
			run(f.name+"."+cd.decodeName(), func(c *checker) {
				guardShaped(c, p, cd.dec16(got), cd.dec16(ref), byteLens, decodedLen, random, explainDecode(cd, f.show))
			})
		}
	}
}

// guardGemm runs MulAddAtB on every m up to 13 and n up to 35, each with
// one of a few k, tight or with gaps between rows, C, A and B each in an
// area of its own, all against the following page, all after the
// preceding one, and C apart from A and B.
func guardGemm(c *checker, p *pages, f func(c []float32, ldc int, at []float32, lda int, b []float32, ldb int, m, n, k int)) {
	ks := []int{0, 1, 2, 5, 9, 17}
	placements := []struct {
		name       string
		cEnd, aEnd bool // B is placed as A is
	}{
		{"all end at a guard page", true, true},
		{"all start after a guard page", false, false},
		{"C ends, A and B start", true, false},
		{"C starts, A and B end", false, true},
	}
	for m := 0; m <= 13; m++ {
		for n := 0; n <= 35; n++ {
			if c.done() {
				return
			}
			s := gemmShape{m, n, ks[(m*5+n)%len(ks)]}
			at, b, c0 := gemmData(gemmNormal, uint64(m<<8|n), s)
			want := gemmReference(s, at, b, c0)
			gap := (m + n) % 2 * 3
			lda, ldb, ldc := m+gap, n+gap, n+gap
			for _, pl := range placements {
				wc := place[float32](p, p.areas[0], gemmLen(m, n, ldc), pl.cEnd)
				wa := place[float32](p, p.areas[1], gemmLen(s.k, m, lda), pl.aEnd)
				wb := place[float32](p, p.areas[2], gemmLen(s.k, n, ldb), pl.aEnd)
				fillRows(wc, c0, n, ldc)
				fillRows(wa, at, m, lda)
				fillRows(wb, b, n, ldb)
				where := fmt.Sprintf("m=%d n=%d k=%d lda=%d ldb=%d ldc=%d %s", m, n, s.k, lda, ldb, ldc, pl.name)
				if fault := protect(func() { f(wc, ldc, wa, lda, wb, ldb, m, n, s.k) }); fault != nil {
					c.errorf("%s: %v", where, faultText(fault, p))
					return
				}
				for i := range m * n {
					if got := wc[i/n*ldc+i%n]; f32bits(got) != f32bits(want[i]) {
						c.errorf("%s: C[%d][%d]: got %s, want %s", where, i/n, i%n, hex(got), hex(want[i]))
						return
					}
				}
			}
		}
	}
}

// everyLen returns 0..maxLen.
func everyLen() []int {
	lens := make([]int, maxLen+1)
	for n := range lens {
		lens[n] = n
	}
	return lens
}

// The blockwise kernels are run with block sizes up to guardMaxBlock and
// counts up to guardMaxCount.
const (
	guardMaxBlock = 128
	guardMaxCount = 9
)

// guardBlocks runs calls of a blockwise kernel with each slice in an area
// of its own: all against the following page, all after the preceding
// one, and alternating.
func guardBlocks(c *checker, p *pages, mk func(block, count int) *blockCall) {
	views := make([][]byte, guardAreas)
	for _, block := range blockSizes {
		if block > guardMaxBlock {
			break
		}
		for count := 0; count <= guardMaxCount; count++ {
			if c.done() {
				return
			}
			bc := mk(block, count)
			for pl, name := range []string{"every slice ends at a guard page", "every slice starts after a guard page",
				"slices alternately end and start", "slices alternately start and end"} {
				views = views[:len(bc.args)]
				var where []string
				for a := range bc.args {
					arg := &bc.args[a]
					atEnd := pl == 0 || pl >= 2 && (a+pl)%2 == 0
					views[a] = place[byte](p, p.areas[a], arg.bytes(), atEnd)
					if atEnd {
						where = append(where, arg.name+" ends")
					}
					if arg.in != nil {
						copy(views[a], arg.in)
					} else {
						complementOf(views[a], arg.want)
					}
				}
				desc := func() string {
					return fmt.Sprintf("block=%d blocks=%d %s (%s)", block, count, name, strings.Join(where, ", "))
				}
				if fault := protect(func() { bc.call(views) }); fault != nil {
					c.errorf("%s: %v", desc(), faultText(fault, p))
					return
				}
				if !bc.verify(c, views, desc, nil) {
					return
				}
			}
		}
	}
}

// guardPagesBlocks runs the guard-page checks of the blockwise kernels.
func guardPagesBlocks(t tb, k *kernels.Set, p *pages, run func(name string, f func(c *checker))) {
	bits32 := func(block, count int) []float32 {
		in, _ := poolNamed(f32Pools(), "bits").window(block*count, block+count)
		return in
	}
	bits16 := func(block, count int) []uint16 {
		in, _ := poolNamed(u16Pools(), "bits").window(block*count, block+count)
		return in
	}
	run("AbsMaxBitsBlocks", func(c *checker) {
		guardBlocks(c, p, func(block, count int) *blockCall {
			return reduceBlocksCall(k.AbsMaxBitsBlocks, fallback.AbsMaxBitsBlocks, bits32(block, count), block,
				func(x float32) uint32 { return f32bits(x) & 0x7FFFFFFF })
		})
	})
	run("MinMaxKeysBlocks", func(c *checker) {
		guardBlocks(c, p, func(block, count int) *blockCall {
			return minMaxBlocksCall(k.MinMaxKeysBlocks, fallback.MinMaxKeysBlocks, bits32(block, count), block,
				func(x float32) int32 { return kernels.OrderKey(f32bits(x)) })
		})
	})
	run("AbsMaxBits16Blocks", func(c *checker) {
		guardBlocks(c, p, func(block, count int) *blockCall {
			return reduceBlocksCall(k.AbsMaxBits16Blocks, fallback.AbsMaxBits16Blocks, bits16(block, count), block,
				func(h uint16) uint16 { return h & 0x7FFF })
		})
	})
	run("MinMaxKeys16Blocks", func(c *checker) {
		guardBlocks(c, p, func(block, count int) *blockCall {
			return minMaxBlocksCall(k.MinMaxKeys16Blocks, fallback.MinMaxKeys16Blocks, bits16(block, count), block, kernels.OrderKey16)
		})
	})
	run("ZeroPointParamsBlocks", func(c *checker) {
		guardBlocks(c, p, func(block, count int) *blockCall {
			lo, hi := zpKeys(count, block)
			return zpParamsCall(k.ZeroPointParamsBlocks, lo, hi)
		})
	})
	quantCalls(run, p, "", quantSource32(), k.QuantizeAbsmaxBlocks, fallback.QuantizeAbsmaxBlocks,
		k.QuantizeZeroPointBlocks, fallback.QuantizeZeroPointBlocks)
	for _, f := range formats {
		got, ref := f.set(k), f.set(&fallback.Kernels)
		quantCalls(run, p, f.name+".", f.quantSource16(), got.QuantizeAbsmaxBlocks, ref.QuantizeAbsmaxBlocks,
			got.QuantizeZeroPointBlocks, ref.QuantizeZeroPointBlocks)
	}
}

// quantCalls runs the guard-page checks of a pair of blockwise
// quantizers on weights, with the parameters package quant computes for
// each block.
func quantCalls[S float32 | uint16](run func(name string, f func(c *checker)), p *pages, prefix string, src *source[S],
	absmax, absmaxRef func([]int8, []S, []float32, int), zeroPoint, zeroPointRef func([]int8, []S, []float32, []float32, int)) {
	params := func(zp bool, in []S, block int) ([]float32, []float32) {
		bp := &blockParams[S]{src: src, zeroPoint: zp, scales: make([]float32, guardMaxCount), zeros: make([]float32, guardMaxCount)}
		s, z, _ := bp.make(in, block, 0) // "quant"
		return s, z
	}
	data := func(block, count int) []S { in, _ := src.background.window(block*count, block*3+count); return in }
	run(prefix+"QuantizeAbsmaxBlocks", func(c *checker) {
		guardBlocks(c, p, func(block, count int) *blockCall {
			in := data(block, count)
			s, _ := params(false, in, block)
			return quantBlocksCall(absmaxBlocks(absmax), absmaxBlocks(absmaxRef), in, s, nil, block, src.show)
		})
	})
	run(prefix+"QuantizeZeroPointBlocks", func(c *checker) {
		guardBlocks(c, p, func(block, count int) *blockCall {
			in := data(block, count)
			s, z := params(true, in, block)
			return quantBlocksCall(zeroPoint, zeroPointRef, in, s, z, block, src.show)
		})
	})
}
