package kerneltest

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"unsafe"

	"github.com/qkernels/quant/kernels"
)

const (
	// line is the alignment window offsets are taken in: every start
	// position within a 64-byte cache line (and AVX-512 vector).
	line = 64
	// guardBytes are checked on each side of every window: more than any
	// vector store can overshoot.
	guardBytes = 128
	// maxLen is the largest length of the every-length sweeps.
	maxLen = 300
)

// largeLens cover main loops that run many times, unrolled loops and the
// tails after them.
var largeLens = []int{1000, 4095, 4096 + 7, 65536 + 3}

// maxRigLen is the largest length a rig holds: the largest of largeLens,
// or the bytes of the largest Q8_0 block count.
const maxRigLen = max(65536+3, q8MaxBlockCount*kernels.Q8_0Bytes)

// elem is an element type of kernel slices.
type elem interface {
	float32 | uint16 | int8 | uint8 | uint32 | int32 | int16
}

func sizeOf[T elem]() int {
	var z T
	return int(unsafe.Sizeof(z))
}

// slots returns how many element positions a 64-byte line has for T.
func slots[T elem]() int { return line / sizeOf[T]() }

// asBytes views s as its bytes, to compare values by bits.
func asBytes[T elem](s []T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*sizeOf[T]())
}

// firstDiff returns the index of the first element whose bits differ
// between a and b (of equal length), or -1.
func firstDiff[T elem](a, b []T) int {
	ab, bb := asBytes(a), asBytes(b)
	if bytes.Equal(ab, bb) {
		return -1
	}
	for i := range ab {
		if ab[i] != bb[i] {
			return i / sizeOf[T]()
		}
	}
	return -1
}

// complementOf stores the bitwise complement of want in dst, so that any
// element a kernel fails to write differs from the expected value.
func complementOf[T elem](dst, want []T) {
	d, w := asBytes(dst), asBytes(want)
	i := 0
	if len(w) >= 8 && uintptr(unsafe.Pointer(&d[0]))%8 == 0 && uintptr(unsafe.Pointer(&w[0]))%8 == 0 {
		// Words: the exhaustive checks fill billions of bytes.
		n := min(len(d), len(w)) / 8
		dw := unsafe.Slice((*uint64)(unsafe.Pointer(&d[0])), n)
		ww := unsafe.Slice((*uint64)(unsafe.Pointer(&w[0])), n)
		for j, x := range ww {
			dw[j] = ^x
		}
		i = 8 * n
	}
	for ; i < len(w); i++ {
		d[i] = ^w[i]
	}
}

// hex formats the bits of v.
func hex[T elem](v T) string {
	switch x := any(v).(type) {
	case float32:
		return fmt.Sprintf("%#08x (%g)", math.Float32bits(x), x)
	case uint16:
		return fmt.Sprintf("%#04x", x)
	case int8:
		return fmt.Sprintf("%d", x)
	case uint8:
		return fmt.Sprintf("%#02x", x)
	case uint32:
		return fmt.Sprintf("%#08x", x)
	case int32:
		return fmt.Sprintf("%#08x", uint32(x))
	case int16:
		return fmt.Sprintf("%#04x", uint16(x))
	}
	return fmt.Sprint(v)
}

// arena holds one window at a time at a chosen position relative to a
// 64-byte aligned address, between guard bytes that must stay untouched.
type arena[T elem] struct {
	mem    []T
	raw    []byte // the bytes of mem
	base   int    // byte index of a 64-byte aligned address past a guard
	pat    []byte // guard contents: before, then after the window
	lo, hi int    // bytes of the current window
}

func newArena[T elem](n int) *arena[T] {
	es := sizeOf[T]()
	mem := make([]T, (2*guardBytes+2*line+n*es)/es+1)
	raw := asBytes(mem)
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(raw)))
	// Go aligns mem to es, and line and guardBytes are multiples of es,
	// so base stays on an element boundary.
	base := int((line-addr%line)%line) + guardBytes
	pat := make([]byte, 2*guardBytes)
	x := uint32(0x2545F491)
	for i := range pat {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		pat[i] = byte(x >> 24)
	}
	return &arena[T]{mem: mem, raw: raw, base: base, pat: pat}
}

// window returns n elements starting off elements past an aligned address
// and sets the guards around them.
func (a *arena[T]) window(n, off int) []T {
	es := sizeOf[T]()
	a.lo = a.base + off*es
	a.hi = a.lo + n*es
	copy(a.raw[a.lo-guardBytes:a.lo], a.pat[:guardBytes])
	copy(a.raw[a.hi:a.hi+guardBytes], a.pat[guardBytes:])
	// Not a.mem[i:i+n:i+n]: with n == 0 that would point at mem[0],
	// and a kernel that touches an empty window should hit the guard.
	return unsafe.Slice(&a.mem[a.lo/es], n)
}

// damage returns the position, in bytes relative to the start of the
// current window, of the first changed guard byte (negative: before the
// window), and whether there is one.
func (a *arena[T]) damage() (int, bool) {
	before := a.raw[a.lo-guardBytes : a.lo]
	if !bytes.Equal(before, a.pat[:guardBytes]) {
		for i := range before {
			if before[i] != a.pat[i] {
				return i - guardBytes, true
			}
		}
	}
	after := a.raw[a.hi : a.hi+guardBytes]
	if !bytes.Equal(after, a.pat[guardBytes:]) {
		for i := range after {
			if after[i] != a.pat[guardBytes+i] {
				return a.hi - a.lo + i, true
			}
		}
	}
	return 0, false
}

// mapRig runs kernels of the form f(dst []D, src []S).
type mapRig[D, S elem] struct {
	c    *checker
	src  *arena[S]
	dst  *arena[D]
	want []D
	show func(S) string // formats an input element; nil: its bits
}

func newMapRig[D, S elem](c *checker) *mapRig[D, S] {
	return &mapRig[D, S]{c: c, src: newArena[S](maxRigLen), dst: newArena[D](maxRigLen), want: make([]D, maxRigLen)}
}

// check runs got and ref on a copy of in placed at srcOff, writing to a
// window at dstOff, and reports the first problem: a differing element,
// a changed input or a damaged guard. It returns whether all was well.
func (r *mapRig[D, S]) check(got, ref func([]D, []S), in []S, srcOff, dstOff int, ci caseInfo) bool {
	return r.checkShaped(got, ref, in, len(in), srcOff, dstOff, ci, nil)
}

// explainer describes the first differing element i of a kernel's
// output, for kernels whose output elements do not pair with input ones.
type explainer[D, S elem] func(i int, in []S, got, want []D) string

// checkShaped is check for a kernel that writes dstLen elements; explain
// describes a differing element (nil: element i of the input pairs with
// element i of the output).
func (r *mapRig[D, S]) checkShaped(got, ref func([]D, []S), in []S, dstLen, srcOff, dstOff int, ci caseInfo, explain explainer[D, S]) bool {
	n := len(in)
	want := r.want[:dstLen]
	ref(want, in)
	src := r.src.window(n, srcOff)
	copy(src, in)
	dst := r.dst.window(dstLen, dstOff)
	complementOf(dst, want)
	got(dst, src)
	where := func() string {
		return fmt.Sprintf("n=%d srcOff=%d dstOff=%d %v", n, srcOff, dstOff, ci)
	}
	if i := firstDiff(dst, want); i >= 0 {
		if explain != nil {
			r.c.errorf("%s: %s", where(), explain(i, in, dst, want))
		} else {
			r.c.errorf("%s: index %d: input %s: got %s, want %s", where(), i, r.showIn(in[i]), hex(dst[i]), hex(want[i]))
		}
		return false
	}
	return intact(r.c, where, in, src, r.showIn, r.dst, r.src)
}

// guarded is an arena, whose guards tell whether a call wrote outside its
// window.
type guarded interface{ damage() (int, bool) }

// intact reports the first of a src that no longer holds in and a
// damaged guard of dst's or src's arena, and returns whether there was
// none.
func intact[S elem](c *checker, where func() string, in, src []S, show func(S) string, dst, srcArena guarded) bool {
	if i := firstDiff(src, in); i >= 0 {
		c.errorf("%s: src modified at index %d: was %s, now %s", where(), i, show(in[i]), show(src[i]))
		return false
	}
	if at, bad := dst.damage(); bad {
		c.errorf("%s: wrote outside dst: byte %d relative to dst start", where(), at)
		return false
	}
	if at, bad := srcArena.damage(); bad {
		c.errorf("%s: wrote outside src: byte %d relative to src start", where(), at)
		return false
	}
	return true
}

func (r *mapRig[D, S]) showIn(x S) string {
	if r.show != nil {
		return r.show(x)
	}
	return hex(x)
}

// reduceRig places inputs for the reductions.
type reduceRig[T elem] struct {
	c   *checker
	src *arena[T]
}

func newReduceRig[T elem](c *checker) *reduceRig[T] {
	return &reduceRig[T]{c: c, src: newArena[T](maxRigLen)}
}

// place copies in to a window at off.
func (r *reduceRig[T]) place(in []T, off int) []T {
	w := r.src.window(len(in), off)
	copy(w, in)
	return w
}

// intact reports a modified input or damaged guards after a reduction.
func (r *reduceRig[T]) intact(w, in []T, off int, ci caseInfo) bool {
	if i := firstDiff(w, in); i >= 0 {
		r.c.errorf("n=%d off=%d %v: src modified at index %d: was %s, now %s", len(in), off, ci, i, hex(in[i]), hex(w[i]))
		return false
	}
	if at, bad := r.src.damage(); bad {
		r.c.errorf("n=%d off=%d %v: wrote outside src: byte %d relative to src start", len(in), off, ci, at)
		return false
	}
	return true
}

// SweepEnv names the environment variable that thins the sweeps for slow
// emulators: with QUANT_SWEEP=sparse each length meets every fourth start
// position (the lengths rotate through all of them) and each large length
// runs once per position pair instead of three times. ci/test.sh sets it
// for the emulated x86-64 CPUs, whose kernels the native step has checked
// densely, and for the arm64 cortex-a72 step, whose kernels the -cpu max
// step has checked densely.
const SweepEnv = "QUANT_SWEEP"

// sparse is whether SweepEnv asks for thinned sweeps.
var sparse = os.Getenv(SweepEnv) == "sparse"

// sweep calls run for every length 0..maxLen at every start position
// within a 64-byte line of src and of dst (each length pairs them
// differently), then for the large lengths at a few positions. salt
// varies with every case, for run to pick data by.
func sweep(c *checker, srcSlots, dstSlots int, run func(n, srcOff, dstOff, salt int)) {
	k := max(srcSlots, dstSlots)
	for n := 0; n <= maxLen && !c.done(); n++ {
		for i := range k {
			if sparse && (i+n)%4 != 0 {
				continue
			}
			run(n, i%srcSlots, (i+n)%dstSlots, n*k+i)
		}
	}
	sweepLarge(c, largeLens, srcSlots, dstSlots, run)
}

// sweepLarge calls run for each of sizes at a few pairs of start
// positions (both at the start of a line, one just past it and the other
// at its end, both in the middle), three times each with salts of their
// own.
func sweepLarge(c *checker, sizes []int, srcSlots, dstSlots int, run func(n, srcOff, dstOff, salt int)) {
	offs := [][2]int{{0, 0}, {1, dstSlots - 1}, {srcSlots - 1, 1}, {srcSlots / 2, dstSlots / 2}}
	for j, n := range sizes {
		for i, o := range offs {
			for rep := range 3 {
				if c.done() || (sparse && rep > 0) {
					return
				}
				run(n, o[0]%srcSlots, o[1]%dstSlots, 1<<20+j*100+i*10+rep)
			}
		}
	}
}

// sweepPools is sweep on data from pools: each case takes its n values
// from the pool its salt picks, at a start the salt derives, which ci
// describes.
func sweepPools[S elem](c *checker, pools []*pool[S], srcSlots, dstSlots int, run func(in []S, srcOff, dstOff, salt int, ci caseInfo)) {
	sweep(c, srcSlots, dstSlots, func(n, so, do, salt int) {
		p := pools[salt%len(pools)]
		in, at := p.window(n, salt)
		run(in, so, do, salt, p.info(at))
	})
}
