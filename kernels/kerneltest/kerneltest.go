// Package kerneltest is the conformance suite for kernel sets: it proves
// that a kernels.Set matches the reference set in package fallback bit for
// bit, on every length, alignment and input class.
//
// Run compares every kernel on lengths 0..300 and a few large ones (the
// GGUF Q8_0, Q4_0 and Q4_1 kernels on every block count 0..9 and a few
// large ones, every d and special parameters in every block position; the
// blockwise kernels on block sizes 8..1024 with every block count 0..12
// and a few large ones; MulAddAtB on every m and n up to 40, each with
// one of several k, and on a few large shapes, with and without gaps
// between rows, at starts rotating through the line), at every start
// position within a 64-byte line,
// with guard bytes around every output and a check that the inputs are
// left alone, on random data of several distributions and on special
// values placed at every position. Exhaustive pushes every float32 bit
// pattern through the narrowing conversions and every 16-bit pattern
// through the widening ones, the 16-bit reductions and quantizers and the
// Q8_0 kernels, and every int8 through the narrowing dequantizers under
// 2^16 scales. GuardPages puts slices against inaccessible pages so that
// any read or write outside them faults.
// CheckReference tests the reference conversions themselves against an
// independent float64 computation.
//
// Kernels that are the reference function itself are skipped: comparing
// the reference with itself proves nothing.
package kerneltest

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// tb is the part of testing.TB the checks report through. *testing.T
// satisfies it; the suite's own tests pass a recorder instead to prove
// that each check reports a broken kernel.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	Logf(format string, args ...any)
}

// kernelCheck ties a kernel of a Set to the check that tests it.
type kernelCheck struct {
	name  string
	field func(k *kernels.Set) any // the kernel, to spot the reference itself
	run   func(c *checker, k *kernels.Set)
}

// check runs the check on k, reporting through t under the kernel's name.
func (kc kernelCheck) check(t tb, k *kernels.Set) {
	kc.run(newChecker(t, k.Name+"."+kc.name), k)
}

var checks = append([]kernelCheck{
	{"Float32ToFloat16", func(k *kernels.Set) any { return k.Float32ToFloat16 }, checkFloat32ToFloat16},
	{"Float16ToFloat32", func(k *kernels.Set) any { return k.Float16ToFloat32 }, checkFloat16ToFloat32},
	{"Float32ToBFloat16", func(k *kernels.Set) any { return k.Float32ToBFloat16 }, checkFloat32ToBFloat16},
	{"BFloat16ToFloat32", func(k *kernels.Set) any { return k.BFloat16ToFloat32 }, checkBFloat16ToFloat32},
	{"AbsMaxBits", func(k *kernels.Set) any { return k.AbsMaxBits }, checkAbsMaxBits},
	{"MinMaxKeys", func(k *kernels.Set) any { return k.MinMaxKeys }, checkMinMaxKeys},
	{"QuantizeAbsmax", func(k *kernels.Set) any { return k.QuantizeAbsmax }, checkQuantizeAbsmax},
	{"QuantizeZeroPoint", func(k *kernels.Set) any { return k.QuantizeZeroPoint }, checkQuantizeZeroPoint},
	{"QuantizeAbsmaxChecked", func(k *kernels.Set) any { return k.QuantizeAbsmaxChecked }, checkQuantizeAbsmaxChecked},
	{"QuantizeZeroPointChecked", func(k *kernels.Set) any { return k.QuantizeZeroPointChecked }, checkQuantizeZeroPointChecked},
	{"DequantizeZeroPoint", func(k *kernels.Set) any { return k.DequantizeZeroPoint }, checkDequantizeZeroPoint},
	{"FakeQuantize", func(k *kernels.Set) any { return k.FakeQuantize }, checkFakeQuantize},
	{"FakeQuantizeMask", func(k *kernels.Set) any { return k.FakeQuantizeMask }, checkFakeQuantizeMask},
	{"MaskGradient", func(k *kernels.Set) any { return k.MaskGradient }, checkMaskGradient},
	{"ErrorSums", func(k *kernels.Set) any { return k.ErrorSums }, checkErrorSums},
	{"QuantizePyTorch", func(k *kernels.Set) any { return k.QuantizePyTorch }, checkQuantizePyTorch},
	{"QuantizeONNX", func(k *kernels.Set) any { return k.QuantizeONNX }, checkQuantizeONNX},
	{"DequantizeAffine", func(k *kernels.Set) any { return k.DequantizeAffine }, checkDequantizeAffine},
	{"FakeQuantizePyTorch", func(k *kernels.Set) any { return k.FakeQuantizePyTorch }, checkFakeQuantizePyTorch},
	{"QuantizeAbsmaxFused", func(k *kernels.Set) any { return k.QuantizeAbsmaxFused }, checkQuantizeAbsmaxFused},
	{"QuantizeZeroPointFused", func(k *kernels.Set) any { return k.QuantizeZeroPointFused }, checkQuantizeZeroPointFused},
	{"AbsMaxBits16", func(k *kernels.Set) any { return k.AbsMaxBits16 }, checkAbsMaxBits16},
	{"MinMaxKeys16", func(k *kernels.Set) any { return k.MinMaxKeys16 }, checkMinMaxKeys16},
	{"Float16.QuantizeAbsmax", func(k *kernels.Set) any { return k.Float16.QuantizeAbsmax }, float16Format.checkQuantizeAbsmax},
	{"Float16.QuantizeZeroPoint", func(k *kernels.Set) any { return k.Float16.QuantizeZeroPoint }, float16Format.checkQuantizeZeroPoint},
	{"Float16.QuantizeAbsmaxChecked", func(k *kernels.Set) any { return k.Float16.QuantizeAbsmaxChecked }, float16Format.checkQuantizeAbsmaxChecked},
	{"Float16.QuantizeZeroPointChecked", func(k *kernels.Set) any { return k.Float16.QuantizeZeroPointChecked }, float16Format.checkQuantizeZeroPointChecked},
	{"BFloat16.QuantizeAbsmax", func(k *kernels.Set) any { return k.BFloat16.QuantizeAbsmax }, bfloat16Format.checkQuantizeAbsmax},
	{"BFloat16.QuantizeZeroPoint", func(k *kernels.Set) any { return k.BFloat16.QuantizeZeroPoint }, bfloat16Format.checkQuantizeZeroPoint},
	{"BFloat16.QuantizeAbsmaxChecked", func(k *kernels.Set) any { return k.BFloat16.QuantizeAbsmaxChecked }, bfloat16Format.checkQuantizeAbsmaxChecked},
	{"BFloat16.QuantizeZeroPointChecked", func(k *kernels.Set) any { return k.BFloat16.QuantizeZeroPointChecked }, bfloat16Format.checkQuantizeZeroPointChecked},
	{"Float16.DequantizeZeroPoint", func(k *kernels.Set) any { return k.Float16.DequantizeZeroPoint }, float16Format.checkDequantizeZeroPoint},
	{"BFloat16.DequantizeZeroPoint", func(k *kernels.Set) any { return k.BFloat16.DequantizeZeroPoint }, bfloat16Format.checkDequantizeZeroPoint},
	{"AbsMaxBitsBlocks", func(k *kernels.Set) any { return k.AbsMaxBitsBlocks }, checkAbsMaxBitsBlocks},
	{"MinMaxKeysBlocks", func(k *kernels.Set) any { return k.MinMaxKeysBlocks }, checkMinMaxKeysBlocks},
	{"AbsMaxBits16Blocks", func(k *kernels.Set) any { return k.AbsMaxBits16Blocks }, checkAbsMaxBits16Blocks},
	{"MinMaxKeys16Blocks", func(k *kernels.Set) any { return k.MinMaxKeys16Blocks }, checkMinMaxKeys16Blocks},
	{"QuantizeAbsmaxBlocks", func(k *kernels.Set) any { return k.QuantizeAbsmaxBlocks }, checkQuantizeAbsmaxBlocks},
	{"QuantizeZeroPointBlocks", func(k *kernels.Set) any { return k.QuantizeZeroPointBlocks }, checkQuantizeZeroPointBlocks},
	{"Float16.QuantizeAbsmaxBlocks", func(k *kernels.Set) any { return k.Float16.QuantizeAbsmaxBlocks }, float16Format.checkQuantizeAbsmaxBlocks},
	{"Float16.QuantizeZeroPointBlocks", func(k *kernels.Set) any { return k.Float16.QuantizeZeroPointBlocks }, float16Format.checkQuantizeZeroPointBlocks},
	{"BFloat16.QuantizeAbsmaxBlocks", func(k *kernels.Set) any { return k.BFloat16.QuantizeAbsmaxBlocks }, bfloat16Format.checkQuantizeAbsmaxBlocks},
	{"BFloat16.QuantizeZeroPointBlocks", func(k *kernels.Set) any { return k.BFloat16.QuantizeZeroPointBlocks }, bfloat16Format.checkQuantizeZeroPointBlocks},
	{"ZeroPointParamsBlocks", func(k *kernels.Set) any { return k.ZeroPointParamsBlocks }, checkZeroPointParamsBlocks},
	{"Float16.QuantizePyTorch", func(k *kernels.Set) any { return k.Float16.QuantizePyTorch }, float16Format.checkQuantizePyTorch},
	{"Float16.QuantizeONNX", func(k *kernels.Set) any { return k.Float16.QuantizeONNX }, float16Format.checkQuantizeONNX},
	{"Float16.DequantizeAffine", func(k *kernels.Set) any { return k.Float16.DequantizeAffine }, float16Format.checkDequantizeAffine},
	{"BFloat16.QuantizePyTorch", func(k *kernels.Set) any { return k.BFloat16.QuantizePyTorch }, bfloat16Format.checkQuantizePyTorch},
	{"BFloat16.QuantizeONNX", func(k *kernels.Set) any { return k.BFloat16.QuantizeONNX }, bfloat16Format.checkQuantizeONNX},
	{"BFloat16.DequantizeAffine", func(k *kernels.Set) any { return k.BFloat16.DequantizeAffine }, bfloat16Format.checkDequantizeAffine},
	{"MulAddAtB", func(k *kernels.Set) any { return k.MulAddAtB }, checkMulAddAtB},
}, ggufChecks()...)

// checkNamed returns the check of the kernel called name.
func checkNamed(name string) kernelCheck {
	for _, c := range checks {
		if c.name == name {
			return c
		}
	}
	panic("kerneltest: no kernel " + name)
}

// Run checks every kernel of k against fallback.Kernels, one subtest per
// kernel, and that no kernel allocates. A failure names the kernel, the
// length, the offsets, the data (pattern, seed and position, so that it
// can be reproduced), the index of the first differing element and the
// input, result and expected bits; each case reports its first mismatch
// only, and each kernel its first few failing cases.
func Run(t *testing.T, k *kernels.Set) {
	t.Helper()
	requireComplete(t, k)
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			skipIfReference(t, k, c.name)
			func() {
				exclusive.RLock()
				defer exclusive.RUnlock()
				c.check(t, k)
			}()
			checkAllocs(t, k, c.name)
		})
	}
}

// requireComplete stops the test if k has a nil kernel: calling it would
// only panic.
func requireComplete(t *testing.T, k *kernels.Set) {
	t.Helper()
	var missing []string
	for _, c := range checks {
		if reflect.ValueOf(c.field(k)).IsNil() {
			missing = append(missing, c.name)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("kernel set %q has nil kernels: %s", k.Name, strings.Join(missing, ", "))
	}
}

// isReference reports whether the kernel that field picks from k is the
// very function of the reference set (a wrapper around it is not).
func isReference(k *kernels.Set, field func(*kernels.Set) any) bool {
	return sameFunc(field(k), field(&fallback.Kernels))
}

// skipIfReference skips t if k's kernel called name is the reference
// function itself.
func skipIfReference(t *testing.T, k *kernels.Set, name string) {
	t.Helper()
	if isReference(k, checkNamed(name).field) {
		t.Skipf("%s.%s is the reference function itself", k.Name, name)
	}
}

// maxFails caps the failures one check reports: a broken kernel usually
// fails everywhere, and the first few cases say all there is to say.
const maxFails = 6

// checker reports the failures of one kernel, stopping after maxFails.
type checker struct {
	t     tb
	name  string // "set.Kernel"
	fails int
}

func newChecker(t tb, name string) *checker { return &checker{t: t, name: name} }

func (c *checker) errorf(format string, args ...any) {
	c.t.Helper()
	c.fails++
	if c.fails <= maxFails {
		c.t.Errorf("%s: %s", c.name, fmt.Sprintf(format, args...))
	}
	if c.fails == maxFails {
		c.t.Errorf("%s: %d failures, not checking this kernel further", c.name, maxFails)
	}
}

// done reports whether the check should stop.
func (c *checker) done() bool { return c.fails >= maxFails }

// caseInfo describes the data of a case, to be printed only on failure.
type caseInfo struct {
	data  string // pool or list name
	seed  uint64 // seed of the pool (0: fixed list)
	at    int    // start of the input in the pool
	par   paramKind
	how   string // where the parameters came from
	scale float32
	zero  float32 // QuantizeZeroPoint
	izero int32   // DequantizeZeroPoint
	nput  int     // special values put into the data:
	put   [2]uint32
	pos   [2]int // at these indices
	// bits16 says put holds 16-bit patterns.
	bits16 bool
}

type paramKind uint8

const (
	noParams paramKind = iota
	scaleOnly
	scaleFloatZero
	scaleIntZero
)

func (ci caseInfo) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "data=%s", ci.data)
	if ci.seed != 0 {
		fmt.Fprintf(&b, " seed=%#x", ci.seed)
	}
	fmt.Fprintf(&b, " at=%d", ci.at)
	for i := range ci.nput {
		if ci.bits16 {
			fmt.Fprintf(&b, " with %#04x at index %d", ci.put[i], ci.pos[i])
		} else {
			fmt.Fprintf(&b, " with %#08x at index %d", ci.put[i], ci.pos[i])
		}
	}
	if ci.par != noParams {
		fmt.Fprintf(&b, " scale=%#08x (%g)", math.Float32bits(ci.scale), ci.scale)
	}
	switch ci.par {
	case scaleFloatZero:
		fmt.Fprintf(&b, " zero=%#08x (%g)", math.Float32bits(ci.zero), ci.zero)
	case scaleIntZero:
		fmt.Fprintf(&b, " zero=%d", ci.izero)
	}
	if ci.how != "" {
		fmt.Fprintf(&b, " params=%s", ci.how)
	}
	return b.String()
}
