package quant

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/qkernels/quant/dispatch"
	"github.com/qkernels/quant/kernels"
	"github.com/qkernels/quant/kernels/kerneltest"
)

// A tuning changes which loops run, never what they compute: each row of
// a set's table, and the extremes, must pass the conformance suite and the
// guard pages. The thresholds row splits the lengths the suite sweeps
// (0 to a few hundred) among the plain, hinted and far loops.
func TestTunings(t *testing.T) {
	if os.Getenv("QUANT_EMULATOR") != "" {
		t.Skip("under emulation: a prefetch does nothing there, and the native run checks every tuning")
	}
	everyHint := dispatch.Tuning{Name: "every-hint", Prefetch: kernels.Prefetch{Near: 0, Far: 0}}
	thresholds := dispatch.Tuning{Name: "thresholds", Prefetch: kernels.Prefetch{Near: 100, Far: 200}}
	tested := 0
	for _, k := range dispatch.Runnable() {
		table := dispatch.Tunings(k)
		if len(table) == 0 {
			continue
		}
		// Every loop runs under the two extremes; -short stops there.
		tunings := []dispatch.Tuning{everyHint, table[len(table)-1]}
		if !testing.Short() {
			tunings = append(table[:len(table)-1:len(table)-1], everyHint, thresholds, table[len(table)-1])
		}
		for _, tuning := range tunings {
			t.Run(k.Name+"/"+tuning.Name, func(t *testing.T) {
				defer dispatch.UseTuning(k, tuning)()
				t.Run("Conformance", func(t *testing.T) { kerneltest.Run(t, k) })
				t.Run("GuardPages", func(t *testing.T) {
					if maskedLoadsFault(k) {
						t.Skip("masked loads fault under this emulator (see TestGuardPages)")
					}
					kerneltest.GuardPages(t, k)
				})
			})
			tested++
		}
	}
	if tested == 0 {
		t.Skipf("no kernel set with a tuning table runs here (%s)", Implementation())
	}
}

// The rules every tuning table keeps: the default (last) row issues no
// hint, the least harm where nobody has measured; names are unique, so
// QUANT_TUNE is unambiguous; no processor is listed by two rows.
func TestTuningTables(t *testing.T) {
	for _, impl := range asmKernels {
		table := impl.Tunings
		if (impl.Tune == nil) != (len(table) == 0) {
			t.Errorf("%s: a tuning table needs a Tune function and the reverse", impl.Kernels.Name)
		}
		if len(table) == 0 {
			continue
		}
		if last := table[len(table)-1]; last.Prefetch != (kernels.Prefetch{Near: kernels.Never, Far: kernels.Never}) {
			t.Errorf("%s: default row %q hints (%+v); unmeasured processors must get none", impl.Kernels.Name, last.Name, last.Prefetch)
		}
		names := map[string]bool{}
		for i, row := range table {
			if names[strings.ToLower(row.Name)] || row.Name == "" {
				t.Errorf("%s: row %d: name %q empty or repeated", impl.Kernels.Name, i, row.Name)
			}
			names[strings.ToLower(row.Name)] = true
			for _, p := range row.For {
				if p.MinModel > p.MaxModel || p.Vendor == "" || p.Name == "" {
					t.Errorf("%s: row %q: bad processor %+v", impl.Kernels.Name, row.Name, p)
				}
				for _, other := range table[i+1:] {
					for _, q := range other.For {
						if p.Vendor == q.Vendor && p.Family == q.Family && p.MinModel <= q.MaxModel && q.MinModel <= p.MaxModel {
							t.Errorf("%s: %s in rows %q and %q", impl.Kernels.Name, p.Name, row.Name, other.Name)
						}
					}
				}
			}
		}
		c := dispatch.Tuned(impl.Kernels)
		t.Logf("%s on %s: tuning %s", impl.Kernels.Name, dispatch.HostCPU(), c)
		if c.Name == "" {
			t.Errorf("%s: Register installed no tuning", impl.Kernels.Name)
		}
	}
}

// NEARFROM and FARFROM (kernels_amd64.h) read kernels.Prefetch at fixed
// offsets.
func TestPrefetchLayout(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skipf("only the amd64 kernels read kernels.Prefetch (%s)", runtime.GOARCH)
	}
	var p kernels.Prefetch
	if unsafe.Offsetof(p.Near) != 0 || unsafe.Offsetof(p.Far) != 8 || unsafe.Sizeof(p.Near) != 8 {
		t.Errorf("kernels.Prefetch: Near at %d, Far at %d, %d bytes each; the AVX2 kernels read 8-byte words at 0 and 8",
			unsafe.Offsetof(p.Near), unsafe.Offsetof(p.Far), unsafe.Sizeof(p.Near))
	}
}

// gemmBlockAVX2's hints of the next tile's rows of C stay on under every
// tuning: its tiles are bound by arithmetic, not by memory, and the hints
// are 12 per 128 steps of k.
var untunedPrefetches = map[string]bool{"gemmBlockAVX2": true}

// Every software prefetch of the streaming kernels must sit behind a HINTS
// gate, or a tuning that turns hints off (the default on every processor
// nobody measured) would leave it running: checked on the machine code of
// this binary.
func TestPrefetchesAreTuned(t *testing.T) {
	if len(asmKernels) == 0 || !strings.HasPrefix(asmKernels[0].Kernels.Name, "avx") {
		t.Skipf("no x86 assembly in this build (%s)", Implementation())
	}
	objdump := findObjdump(t)
	names := asmFunctions(t, "amd64")
	code := disassemble(t, objdump, names)
	gated, functions := 0, 0
	for _, name := range names {
		if untunedPrefetches[name] {
			continue
		}
		n, problems := checkPrefetchGates(code[name])
		for _, p := range problems {
			t.Errorf("%s: %s", name, p)
		}
		if n > 0 {
			gated += n
			functions++
		}
	}
	if gated == 0 {
		t.Error("no gated prefetch found: the check reads nothing")
	}
	t.Logf("%d prefetches in %d functions, each behind a gate", gated, functions)
}

// checkPrefetchGates returns the number of prefetches in insts and a
// problem for each run of them that is not gated as HINTS gates it: after
// "test %r13, %r13" and a "jne" to the end of the run, in a function that
// set R13 first (HINTGATE's sbb, or REDUCE32's xor for its far loop).
func checkPrefetchGates(insts []asmInstruction) (prefetches int, problems []string) {
	set := false
	for i := 0; i < len(insts); i++ {
		in := insts[i]
		if in.operands == "%r13, %r13" && (in.mnemonic == "sbbq" || in.mnemonic == "xorq") {
			set = true
		}
		if !strings.HasPrefix(in.mnemonic, "prefetch") {
			continue
		}
		end := i
		for end < len(insts) && strings.HasPrefix(insts[end].mnemonic, "prefetch") {
			end++
		}
		prefetches += end - i
		switch {
		case end == len(insts):
			problems = append(problems, fmt.Sprintf("%v: prefetches end the function", in))
		case i < 2 || insts[i-2].mnemonic != "testq" || insts[i-2].operands != "%r13, %r13" || insts[i-1].mnemonic != "jne":
			problems = append(problems, fmt.Sprintf("%v: not behind a test of R13 and a jne (HINTS)", in))
		case jumpTarget(insts[i-1]) != insts[end].addr:
			problems = append(problems, fmt.Sprintf("%v: the gate's jne does not jump to the end of the hints (%#x)", in, insts[end].addr))
		case !set:
			problems = append(problems, fmt.Sprintf("%v: gated on R13 before anything set it (HINTGATE)", in))
		}
		i = end - 1
	}
	return prefetches, problems
}

// jumpTarget returns the address of a direct jump as llvm-objdump prints
// it ("0x6e9fdd <symbol+0x5d>"), or 0.
func jumpTarget(in asmInstruction) uint64 {
	field, _, _ := strings.Cut(in.operands, " ")
	addr, err := strconv.ParseUint(strings.TrimPrefix(field, "0x"), 16, 64)
	if err != nil {
		return 0
	}
	return addr
}

// The gate check must fire on each way a prefetch can escape the tuning.
func TestPrefetchGateCheckFires(t *testing.T) {
	at := func(addr uint64, mnemonic, operands string) asmInstruction {
		return asmInstruction{addr: addr, mnemonic: mnemonic, operands: operands}
	}
	gate := []asmInstruction{at(0x10, "sbbq", "%r13, %r13"), at(0x13, "testq", "%r13, %r13")}
	hints := []asmInstruction{at(0x18, "prefetcht0", "2048(%rsi,%rax,4)"), at(0x20, "prefetcht0", "2112(%rsi,%rax,4)")}
	after := at(0x28, "vmovups", "(%rsi,%rax,4), %ymm0")
	build := func(parts ...[]asmInstruction) []asmInstruction {
		var all []asmInstruction
		for _, p := range parts {
			all = append(all, p...)
		}
		return all
	}
	jne := func(target uint64) []asmInstruction {
		return []asmInstruction{at(0x16, "jne", fmt.Sprintf("0x%x <f+0x%x>", target, target))}
	}
	cases := []struct {
		name  string
		insts []asmInstruction
		want  string
	}{
		{"gated", build(gate, jne(0x28), hints, []asmInstruction{after}), ""},
		{"no gate", build(hints, []asmInstruction{after}), "not behind"},
		{"wrong register", build([]asmInstruction{gate[0], at(0x13, "testq", "%r12, %r12")}, jne(0x28), hints, []asmInstruction{after}), "not behind"},
		{"je, not jne", build(gate, []asmInstruction{at(0x16, "je", "0x28 <f+0x28>")}, hints, []asmInstruction{after}), "not behind"},
		{"jumps into the hints", build(gate, jne(0x20), hints, []asmInstruction{after}), "does not jump"},
		{"gate never set", build(gate[1:], jne(0x28), hints, []asmInstruction{after}), "before anything set"},
		{"hints at the end", build(gate, jne(0x28), hints), "end the function"},
	}
	for _, c := range cases {
		n, problems := checkPrefetchGates(c.insts)
		got := strings.Join(problems, "; ")
		if n != 2 || (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s: %d prefetches, problems %q; want %q", c.name, n, got, c.want)
		}
	}
}
