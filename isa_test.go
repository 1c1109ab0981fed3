package quant

import (
	"encoding/hex"
	"fmt"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/qkernels/quant/dispatch"
	"github.com/qkernels/quant/kernels"
)

// TestInstructionSets proves that every assembly kernel executes only the
// instructions of the CPU features that dispatch checks before choosing a
// set that calls it. A kernel the AVX2 set calls must run on Haswell and
// Zen 3: no EVEX (AVX-512) encoding, no ZMM or mask register, no BMI or
// other extension that dispatch does not check. The test reads the
// machine code linked into this binary (see disasm_test.go), so it sees
// what Go's assembler really encoded.
//
// Each function may use the features of every set that calls it (the
// intersection of their Needs); a function no set calls directly must fit
// the least capable assembly set. A mnemonic the tables below do not know
// fails the test until someone classifies it.
func TestInstructionSets(t *testing.T) {
	if runtime.GOARCH != "amd64" || len(asmKernels) == 0 {
		t.Skipf("no x86 assembly in this build (%s, %d assembly sets)", runtime.GOARCH, len(asmKernels))
	}
	objdump := findObjdump(t)
	names := asmFunctions(t, runtime.GOARCH)
	code := disassemble(t, objdump, names)
	needs := kernelNeeds(asmKernels)
	checked, viaSet := 0, 0
	for _, name := range names {
		insts, ok := code[name]
		if !ok || len(insts) == 0 {
			t.Errorf("%s: not found in this binary's machine code", name)
			continue
		}
		need, ok := needs[name]
		if ok {
			viaSet++
		} else {
			need = asmKernels[len(asmKernels)-1].Needs
		}
		for _, problem := range checkX86(insts, need) {
			t.Errorf("%s (needs %v): %s", name, need, problem)
		}
		checked += len(insts)
	}
	if viaSet == 0 {
		t.Errorf("no assembly function found in any kernel set: kernelNeeds is broken")
	}
	t.Logf("%d instructions in %d assembly functions checked (%d held by a kernel set)", checked, len(names), viaSet)
}

// kernelNeeds maps the name of every function that a kernel set of table
// holds to the features every such set needs (their intersection).
func kernelNeeds(table []dispatch.Impl) map[string]dispatch.Features {
	needs := map[string]dispatch.Features{}
	for _, impl := range table {
		for _, name := range setFunctions(impl.Kernels) {
			if have, ok := needs[name]; ok {
				needs[name] = have & impl.Needs
			} else {
				needs[name] = impl.Needs
			}
		}
	}
	return needs
}

// setFunctions returns the names (without package) of the functions held
// in k, the 16-bit source tables included.
func setFunctions(k *kernels.Set) []string {
	var names []string
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			switch f.Kind() {
			case reflect.Struct:
				walk(f)
			case reflect.Func:
				if f.IsNil() {
					continue
				}
				name := runtime.FuncForPC(f.Pointer()).Name()
				name = name[strings.LastIndexByte(name, '.')+1:]
				names = append(names, strings.TrimSuffix(name, "-fm"))
			}
		}
	}
	walk(reflect.ValueOf(k).Elem())
	return names
}

// x86Extension classifies x86 mnemonics, as LLVM prints them in AT&T
// syntax, by the CPUID feature that provides them. "base" is what every
// x86-64 CPU runs (Go's GOAMD64=v1). Only mnemonics whose feature is
// unambiguous are listed: an AVX-512-only mnemonic, or a BMI one such as
// tzcnt or shlx, is simply unknown and fails the check.
var x86Extension = func() map[string]string {
	m := map[string]string{}
	add := func(ext, mnemonics string) {
		for _, s := range strings.Fields(mnemonics) {
			m[s] = ext
		}
	}
	add("base", `int3 nop nopw nopl ud2 ret retq call callq jmp cqto cltq cltd cwtl
		prefetcht0 prefetcht1 prefetcht2 prefetchnta lfence sfence mfence`)
	add("avx", `vzeroupper vzeroall vmovdqu vmovdqa vmovups vmovaps vmovss vmovsd vmovd vmovq
		vbroadcastss vbroadcastsd vbroadcastf128 vinsertf128 vextractf128 vperm2f128
		vaddps vsubps vmulps vdivps vminps vmaxps vsqrtps vandps vandnps vorps vxorps
		vaddpd vsubpd vmulpd vdivpd vaddss vsubss vmulss vdivss vaddsd vsubsd vmulsd vdivsd
		vminpd vmaxpd vminss vmaxss vminsd vmaxsd vandpd vandnpd vorpd vxorpd vunpcklpd vunpckhpd vshufpd vpermilpd
		vcvtps2dq vcvttps2dq vcvtdq2ps vcvtps2pd vcvtpd2ps vcvtpd2dq vcvttpd2dq
		vcvtss2sd vcvtsd2ss vcvttss2si vcvtss2si vcvttsd2si vcvtsd2si vcvtsi2ss vcvtsi2sd
		vroundps vroundpd vroundss vroundsd vblendvps vblendvpd vblendps vmaskmovps
		vptest vtestps vucomiss vucomisd vcomiss vshufps vunpcklps vunpckhps vpermilps
		vmovmskps vpextrb vpextrw vpextrd vpextrq vpinsrb vpinsrw vpinsrd vpinsrq vpsrldq vpslldq`)
	add("avx2", `vpand vpandn vpor vpxor vpaddb vpaddw vpaddd vpaddq vpsubb vpsubw vpsubd vpsubq
		vpmaxub vpmaxuw vpmaxud vpmaxsb vpmaxsw vpmaxsd vpminub vpminuw vpminud vpminsb vpminsw vpminsd
		vpabsb vpabsw vpabsd vpcmpeqb vpcmpeqw vpcmpeqd vpcmpeqq vpcmpgtb vpcmpgtw vpcmpgtd vpcmpgtq
		vpacksswb vpackssdw vpackuswb vpackusdw vpsllw vpslld vpsllq vpsrlw vpsrld vpsrlq vpsraw vpsrad
		vpsllvd vpsllvq vpsrlvd vpsrlvq vpsravd vpshufb vpshufd vpshufhw vpshuflw vpalignr
		vpermd vpermq vpermps vperm2i128 vextracti128 vinserti128 vbroadcasti128
		vpbroadcastb vpbroadcastw vpbroadcastd vpbroadcastq
		vpmovsxbw vpmovsxbd vpmovsxwd vpmovzxbw vpmovzxbd vpmovzxwd
		vpunpcklbw vpunpckhbw vpunpcklwd vpunpckhwd vpunpckldq vpunpckhdq vpunpcklqdq vpunpckhqdq
		vpblendvb vpblendd vpblendw vpmaskmovd vpmaskmovq vpmovmskb
		vpmulld vpmullw vpmulhw vpmulhuw vpmuludq vpmuldq vpmaddwd vpmaddubsw`)
	add("f16c", `vcvtph2ps vcvtps2ph`)
	return m
}()

// x86Patterns classify the mnemonic families too regular to list.
var x86Patterns = []struct {
	re  *regexp.Regexp
	ext string
}{
	// Integer instructions of every x86-64 CPU, with AT&T size suffixes.
	// The BMI, LZCNT, POPCNT and MOVBE mnemonics (andn, shlx, tzcnt, ...)
	// match none of these.
	{regexp.MustCompile(`^(mov|add|adc|sub|sbb|and|or|xor|cmp|test|lea|inc|dec|neg|not|shl|shr|sar|rol|ror|imul|mul|div|idiv|push|pop|xchg|movabs|bt|bsf|bsr)[bwlq]?$`), "base"},
	{regexp.MustCompile(`^mov[sz][bwl][wlq]$`), "base"}, // movzwl, movslq, ...
	{regexp.MustCompile(`^(j|set|cmov)(n?[abglesopcz]|n?[abgl]e|[np]e)[wlq]?$`), "base"},
	{regexp.MustCompile(`^vcmp[a-z_]*(ps|pd|ss|sd)$`), "avx"},
	{regexp.MustCompile(`^vf(n?)m(add|sub)(132|213|231)(ps|pd|ss|sd)$`), "fma"},
}

// x86Provides lists the instruction-set extensions each dispatch feature
// guarantees. The AVX2 bit (golang.org/x/sys/cpu) also guarantees AVX and
// the SSE generations before it.
var x86Provides = map[dispatch.Features][]string{
	dispatch.AVX2:    {"avx", "avx2"},
	dispatch.F16C:    {"f16c"},
	dispatch.FMA:     {"fma"},
	dispatch.AVX512F: {"avx512"},
}

// Registers only AVX-512 has: ZMM, the masks, and X/Y 16 to 31.
var x86EVEXRegister = regexp.MustCompile(`%(zmm\d+|k[0-7]\b|[xy]mm(1[6-9]|2\d|3[01])\b)`)

// checkX86 returns a description of every instruction in insts that a CPU
// with exactly the features need may not run.
func checkX86(insts []asmInstruction, need dispatch.Features) []string {
	allowed := map[string]bool{"base": true}
	for f, exts := range x86Provides {
		if need.Has(f) {
			for _, e := range exts {
				allowed[e] = true
			}
		}
	}
	var problems []string
	for _, in := range insts {
		ext := x86ExtensionOf(in)
		switch {
		case ext == "":
			problems = append(problems, fmt.Sprintf("%s: mnemonic unknown to this check; classify it in x86Extension", in))
		case !allowed[ext]:
			problems = append(problems, fmt.Sprintf("%s: needs %s, which dispatch does not check", in, ext))
		}
	}
	return problems
}

// x86ExtensionOf returns the extension that in needs, "" if unknown. An
// EVEX-encoded instruction, or one that names a register only AVX-512 has,
// needs AVX-512 whatever its mnemonic.
func x86ExtensionOf(in asmInstruction) string {
	if isEVEX(in.bytes) || x86EVEXRegister.MatchString(in.operands) {
		return "avx512"
	}
	if ext, ok := x86Extension[in.mnemonic]; ok {
		return ext
	}
	for _, p := range x86Patterns {
		if p.re.MatchString(in.mnemonic) {
			return p.ext
		}
	}
	return ""
}

// isEVEX reports whether an x86-64 instruction is EVEX-encoded: after any
// segment or address-size prefix, its first byte is 0x62 (in 64-bit mode
// that byte is no longer BOUND; it always starts EVEX).
func isEVEX(code []byte) bool {
	for _, b := range code {
		switch b {
		case 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x67:
			continue
		}
		return b == 0x62
	}
	return false
}

// TestInstructionSetCheckFires proves that checkX86 reports each kind of
// instruction it exists to catch, from real encodings (llvm-mc), and
// passes what the AVX2 set may use.
func TestInstructionSetCheckFires(t *testing.T) {
	avx2 := dispatch.AVX2 | dispatch.F16C | dispatch.FMA
	inst := func(hexBytes, mnemonic, operands string) asmInstruction {
		b, err := hex.DecodeString(strings.ReplaceAll(hexBytes, " ", ""))
		if err != nil {
			t.Fatalf("bad encoding %q: %v", hexBytes, err)
		}
		return asmInstruction{bytes: b, mnemonic: mnemonic, operands: operands, source: "x.s:1"}
	}
	cases := []struct {
		in   asmInstruction
		need dispatch.Features
		want string // "" for no problem, else a substring of the report
	}{
		// The SIGILL of issue 12: an immediate shift of a memory operand
		// has only an EVEX form, which Go's assembler silently picks.
		{inst("62 f1 7d 28 72 34 46 10", "vpslld", "$16, (%rsi,%rax,2), %ymm0"), avx2, "needs avx512"},
		// The same shift from a register has a VEX form: fine.
		{inst("c5 fd 72 f0 10", "vpslld", "$16, %ymm0, %ymm0"), avx2, ""},
		// EVEX behind an address-size prefix.
		{inst("67 62 f1 7d 28 72 34 46 10", "vpslld", "$16, (%esi,%eax,2), %ymm0"), avx2, "needs avx512"},
		// Registers only AVX-512 has.
		{inst("62 f1 fd 48 6f c1", "vmovdqa64", "%zmm1, %zmm0"), avx2, "needs avx512"},
		{inst("62 b1 7d 28 6f c1", "vmovdqa32", "%ymm17, %ymm0"), avx2, "needs avx512"},
		{inst("62 f1 7d 29 6f c1", "vmovdqa32", "%ymm1, %ymm0 {%k1}"), avx2, "needs avx512"},
		// The register rule alone: the bytes of the VEX form, as a
		// disassembler that misread a prefix might pair them.
		{inst("c5 fd 6f c1", "vmovdqa", "%ymm17, %ymm0"), avx2, "needs avx512"},
		{inst("c5 fd 6f c1", "vmovdqa", "%ymm1, %ymm0"), avx2, ""},
		// BMI: VEX-encoded, no AVX-512, still not checked by dispatch.
		{inst("c4 e2 f9 f7 c1", "shlxq", "%rax, %rcx, %rax"), avx2, "unknown"},
		{inst("f3 48 0f bc c1", "tzcntq", "%rcx, %rax"), avx2, "unknown"},
		// AVX-VNNI is VEX-encoded too.
		{inst("c4 e2 75 50 c2", "{vex}", "vpdpbusd %ymm2, %ymm1, %ymm0"), avx2, "unknown"},
		{inst("c4 e2 75 50 c2", "vpdpbusd", "%ymm2, %ymm1, %ymm0"), avx2, "unknown"},
		// FMA without the FMA feature, F16C without F16C.
		{inst("c4 e2 75 b8 c2", "vfmadd231ps", "%ymm2, %ymm1, %ymm0"), dispatch.AVX2, "needs fma"},
		{inst("c4 e2 7d 13 c0", "vcvtph2ps", "%xmm0, %ymm0"), dispatch.AVX2, "needs f16c"},
		// An AVX-512 set may use EVEX.
		{inst("62 f1 7d 28 72 34 46 10", "vpslld", "$16, (%rsi,%rax,2), %ymm0"), avx2 | dispatch.AVX512F, ""},
		// Base instructions with their AT&T suffixes and conditions.
		{inst("48 0f 4c c1", "cmovlq", "%rcx, %rax"), avx2, ""},
		{inst("0f 18 0e", "prefetcht0", "(%rsi)"), avx2, ""},
		{inst("73 0e", "jae", "0x10"), avx2, ""},
		{inst("0f b7 c0", "movzwl", "%ax, %eax"), avx2, ""},
	}
	for _, c := range cases {
		problems := checkX86([]asmInstruction{c.in}, c.need)
		got := strings.Join(problems, "; ")
		switch {
		case c.want == "" && got != "":
			t.Errorf("%s (needs %v): reported %q, want nothing", c.in, c.need, got)
		case c.want != "" && !strings.Contains(got, c.want):
			t.Errorf("%s (needs %v): reported %q, want %q", c.in, c.need, got, c.want)
		case c.want != "" && !strings.Contains(got, "x.s:1"):
			t.Errorf("%s: report %q does not name the source line", c.in, got)
		}
	}
}
