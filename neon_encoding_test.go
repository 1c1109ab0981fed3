package quant

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// The arm64 kernels emit the instructions Go's assembler lacks as WORDs,
// through the macros of neon_arm64.h. TestNEONEncodings proves, on any
// host, that each macro encodes the instruction its comment names, for
// any registers:
//
//   - every macro, expanded by Go's own assembler with several register
//     assignments, must equal the encoding LLVM's assembler gives for that
//     instruction (recorded in neonGolden) with Rd in bits 0-4, Rn in 5-9
//     and Rm in 16-20;
//   - Go's disassembler must read each word back as the comment's
//     instruction, where it knows it (it lacks BFCVTN);
//   - if llvm-mc is installed, it must read back every word too
//     (ci/check-arm64-encodings.sh makes that mandatory);
//   - every register number passed to a macro in the arm64 assembly
//     (every *_arm64.s file and kernels_arm64.h) must be in 0..31, where it
//     cannot spill into other fields.

// neonGolden is each macro's encoding with registers 1, 2, 3 (d, n, m)
// as printed by `llvm-mc -triple=aarch64 -mattr=+bf16 -show-encoding`
// for the instruction in the comment.
var neonGolden = map[string]uint32{
	"FCVTN_4H":   0x0E216841, // fcvtn v1.4h, v2.4s
	"FCVTN2_8H":  0x4E216841, // fcvtn2 v1.8h, v2.4s
	"FCVTL_4S":   0x0E217841, // fcvtl v1.4s, v2.4h
	"FCVTL2_4S":  0x4E217841, // fcvtl2 v1.4s, v2.8h
	"BFCVTN_4H":  0x0EA16841, // bfcvtn v1.4h, v2.4s
	"BFCVTN2_8H": 0x4EA16841, // bfcvtn2 v1.8h, v2.4s
	"FCVTNS_4S":  0x4E21A841, // fcvtns v1.4s, v2.4s
	"SCVTF_4S":   0x4E21D841, // scvtf v1.4s, v2.4s
	"FRINTN_4S":  0x4E218841, // frintn v1.4s, v2.4s
	"SQXTN_4H":   0x0E614841, // sqxtn v1.4h, v2.4s
	"SQXTN2_8H":  0x4E614841, // sqxtn2 v1.8h, v2.4s
	"SQXTN_8B":   0x0E214841, // sqxtn v1.8b, v2.8h
	"SQXTN2_16B": 0x4E214841, // sqxtn2 v1.16b, v2.8h
	"SXTL_8H":    0x0F08A441, // sshll v1.8h, v2.8b, #0
	"SXTL2_8H":   0x4F08A441, // sshll2 v1.8h, v2.16b, #0
	"SXTL_4S":    0x0F10A441, // sshll v1.4s, v2.4h, #0
	"SXTL2_4S":   0x4F10A441, // sshll2 v1.4s, v2.8h, #0
	"FMUL_4S":    0x6E23DC41, // fmul v1.4s, v2.4s, v3.4s
	"FADD_4S":    0x4E23D441, // fadd v1.4s, v2.4s, v3.4s
	"FDIV_4S":    0x6E23FC41, // fdiv v1.4s, v2.4s, v3.4s
	"FCMEQ_4S":   0x4E23E441, // fcmeq v1.4s, v2.4s, v3.4s
	"FMAX_4S":    0x4E23F441, // fmax v1.4s, v2.4s, v3.4s
	"FSUB_4S":    0x4EA3D441, // fsub v1.4s, v2.4s, v3.4s
	"FMIN_4S":    0x4EA3F441, // fmin v1.4s, v2.4s, v3.4s
	"FMINV_4S":   0x6EB0F841, // fminv s1, v2.4s
	"FMAXV_4S":   0x6E30F841, // fmaxv s1, v2.4s
	"FCVTL_2D":   0x0E617841, // fcvtl v1.2d, v2.2s
	"FCVTL2_2D":  0x4E617841, // fcvtl2 v1.2d, v2.4s
	"FSUB_2D":    0x4EE3D441, // fsub v1.2d, v2.2d, v3.2d
	"FMUL_2D":    0x6E63DC41, // fmul v1.2d, v2.2d, v3.2d
	"FADD_2D":    0x4E63D441, // fadd v1.2d, v2.2d, v3.2d
	"FABS_2D":    0x4EE0F841, // fabs v1.2d, v2.2d
	"FMAX_2D":    0x4E63F441, // fmax v1.2d, v2.2d, v3.2d
	"FADDP_D":    0x7E70D841, // faddp d1, v2.2d
	"FMAXP_D":    0x7E70F841, // fmaxp d1, v2.2d
	"SMAX_4S":    0x4EA36441, // smax v1.4s, v2.4s, v3.4s
	"SMIN_4S":    0x4EA36C41, // smin v1.4s, v2.4s, v3.4s
	"SMAX_16B":   0x4E236441, // smax v1.16b, v2.16b, v3.16b
	"SSHR31_4S":  0x4F210441, // sshr v1.4s, v2.4s, #31
	"UMAXV_4S":   0x6EB0A841, // umaxv s1, v2.4s
	"SMAXV_4S":   0x4EB0A841, // smaxv s1, v2.4s
	"SMINV_4S":   0x4EB1A841, // sminv s1, v2.4s
	"SMAX_8H":    0x4E636441, // smax v1.8h, v2.8h, v3.8h
	"SMIN_8H":    0x4E636C41, // smin v1.8h, v2.8h, v3.8h
	"SSHR15_8H":  0x4F110441, // sshr v1.8h, v2.8h, #15
	"UMAXV_8H":   0x6E70A841, // umaxv h1, v2.8h
	"SMAXV_8H":   0x4E70A841, // smaxv h1, v2.8h
	"SMINV_8H":   0x4E71A841, // sminv h1, v2.8h
	"UMAXP_4S":   0x6EA3A441, // umaxp v1.4s, v2.4s, v3.4s
	"UMAXP_8H":   0x6E63A441, // umaxp v1.8h, v2.8h, v3.8h
	"UMAXV_16B":  0x6E30A841, // umaxv b1, v2.16b

	"FMLA_4S_LANE0": 0x4F831041, // fmla v1.4s, v2.4s, v3.s[0]
	"FMLA_4S_LANE1": 0x4FA31041, // fmla v1.4s, v2.4s, v3.s[1]
	"FMLA_4S_LANE2": 0x4F831841, // fmla v1.4s, v2.4s, v3.s[2]
	"FMLA_4S_LANE3": 0x4FA31841, // fmla v1.4s, v2.4s, v3.s[3]
}

// neonRegSets are the register numbers (d, n, m) each macro is probed
// with: together they set and clear every bit of every register field.
var neonRegSets = [][3]uint32{{1, 2, 3}, {0, 0, 0}, {31, 31, 31}, {30, 29, 28}, {16, 8, 4}, {5, 17, 26}, {10, 21, 15}}

type neonMacro struct {
	name   string
	params []string // d, n and maybe m
	asm    string   // the comment: Arm syntax with vd, vn, vm, bd, sd, hd, dd
}

var (
	neonDefine   = regexp.MustCompile(`^#define\s+(\w+)\(([^)]*)\)\s+WORD\s+\$\(.*\)\s*$`)
	neonOperand  = regexp.MustCompile(`\b([vbshd])([dnm])\b`)
	neonSXTL     = regexp.MustCompile(`^sshll(2?) (\S+), (\S+), #0$`)
	neonSpaces   = regexp.MustCompile(`\s+`)
	neonMacroUse = regexp.MustCompile(`\b([A-Z][A-Z0-9_]*)\(([^)]*)\)`)
)

func parseNEONMacros(t *testing.T) []neonMacro {
	t.Helper()
	src, err := os.ReadFile("neon_arm64.h")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	var macros []neonMacro
	for i, line := range lines {
		if !strings.HasPrefix(line, "#define") {
			continue
		}
		m := neonDefine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("neon_arm64.h:%d: not a WORD macro: %s", i+1, line)
		}
		comment, ok := strings.CutPrefix(lines[max(i-1, 0)], "// ")
		if !ok {
			t.Fatalf("neon_arm64.h:%d: %s has no instruction comment above it", i+1, m[1])
		}
		params := strings.Split(m[2], ",")
		for j := range params {
			params[j] = strings.TrimSpace(params[j])
		}
		if p := strings.Join(params, ","); p != "d,n" && p != "d,n,m" {
			t.Fatalf("neon_arm64.h:%d: %s: parameters %v, want (d, n) or (d, n, m)", i+1, m[1], params)
		}
		macros = append(macros, neonMacro{m[1], params, comment})
	}
	if len(macros) == 0 {
		t.Fatal("no macros in neon_arm64.h")
	}
	return macros
}

// instantiate returns the macro's instruction with registers r, in the
// normal form of normAsm.
func (m neonMacro) instantiate(r [3]uint32) string {
	return normAsm(neonOperand.ReplaceAllStringFunc(m.asm, func(op string) string {
		return op[:1] + strconv.Itoa(int(r[strings.IndexByte("dnm", op[1])]))
	}))
}

// normAsm lower-cases an instruction, reduces its spacing and writes
// sshll #0 as its alias sxtl, as Go's disassembler does.
func normAsm(s string) string {
	s = strings.ToLower(strings.TrimSpace(neonSpaces.ReplaceAllString(s, " ")))
	s = strings.ReplaceAll(s, " ,", ",")
	return neonSXTL.ReplaceAllString(s, "sxtl$1 $2, $3")
}

func goTool(t *testing.T) string {
	t.Helper()
	for _, p := range []string{filepath.Join(runtime.GOROOT(), "bin", "go"), "go"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Skip("go command not found")
	return ""
}

func run(t *testing.T, dir string, env []string, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

type probe struct {
	macro neonMacro
	regs  [3]uint32
	word  uint32
	goAsm string // Go's disassembly (GNU syntax), "" if unknown
}

func TestNEONEncodings(t *testing.T) {
	macros := parseNEONMacros(t)
	for _, m := range macros {
		g, ok := neonGolden[m.name]
		if !ok {
			t.Errorf("macro %s has no golden encoding in neonGolden", m.name)
		}
		if g&0x1F != 1 || g>>5&0x1F != 2 || len(m.params) == 3 && g>>16&0x1F != 3 {
			t.Errorf("neonGolden[%s] = %#08x is not for registers 1, 2, 3", m.name, g)
		}
	}
	if len(neonGolden) != len(macros) {
		t.Errorf("neonGolden has %d entries, neon_arm64.h %d macros", len(neonGolden), len(macros))
	}

	probes := assembleProbes(t, macros)
	for _, p := range probes {
		want := p.macro.instantiate(p.regs)
		// The golden word with the probe's registers in the standard
		// fields.
		g := neonGolden[p.macro.name] &^ (0x1F | 0x1F<<5 | 0x1F<<16)
		g |= p.regs[0] | p.regs[1]<<5
		if len(p.macro.params) == 3 {
			g |= p.regs[2] << 16
		} else {
			g |= neonGolden[p.macro.name] & (0x1F << 16) // opcode bits there
		}
		if p.word != g {
			t.Errorf("%s%v = %#08x, want %#08x (%s)", p.macro.name, p.regs, p.word, g, want)
		}
		if p.goAsm != "" && normAsm(p.goAsm) != want {
			t.Errorf("%s%v = %#08x: Go disassembles %q, the comment says %q", p.macro.name, p.regs, p.word, normAsm(p.goAsm), want)
		}
	}

	if mc := findLLVMMC(); mc != "" {
		checkWithLLVM(t, mc, probes)
	} else if os.Getenv("QUANT_REQUIRE_LLVM_MC") != "" {
		t.Error("llvm-mc not found and QUANT_REQUIRE_LLVM_MC is set")
	} else {
		t.Log("llvm-mc not found: encodings checked against neonGolden and Go's disassembler only")
	}

	checkMacroArgs(t, macros)
}

// assembleProbes expands every macro with every register set through
// `go tool asm` for arm64 and reads the words back with `go tool objdump`.
func assembleProbes(t *testing.T, macros []neonMacro) []probe {
	gocmd := goTool(t)
	dir := t.TempDir()
	header, err := os.ReadFile("neon_arm64.h")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "neon_arm64.h"), header, 0o644); err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	src.WriteString("#include \"textflag.h\"\n#include \"neon_arm64.h\"\nTEXT ·probe(SB), NOSPLIT, $0\n")
	byLine := map[int]*probe{}
	var probes []probe
	for _, m := range macros {
		for _, r := range neonRegSets {
			var args []string
			for i := range m.params {
				args = append(args, strconv.Itoa(int(r[i])))
			}
			fmt.Fprintf(&src, "\t%s(%s)\n", m.name, strings.Join(args, ", "))
			probes = append(probes, probe{macro: m, regs: r})
		}
	}
	src.WriteString("\tRET\n")
	for i := range probes {
		byLine[4+i] = &probes[i] // after the three lines of preamble
	}
	if err := os.WriteFile(filepath.Join(dir, "probe.s"), []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	goroot := strings.TrimSpace(string(run(t, dir, nil, gocmd, "env", "GOROOT")))
	env := []string{"GOARCH=arm64", "GOOS=linux"}
	run(t, dir, env, gocmd, "tool", "asm", "-p", "probe", "-I", dir, "-I", filepath.Join(goroot, "pkg", "include"), "-o", "probe.o", "probe.s")
	dump := run(t, dir, env, gocmd, "tool", "objdump", "-gnu", "probe.o")

	seen := 0
	for _, l := range strings.Split(string(dump), "\n") {
		f := strings.Fields(l)
		if len(f) < 3 || !strings.HasPrefix(f[0], "probe.s:") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimPrefix(f[0], "probe.s:"))
		if err != nil {
			t.Fatalf("objdump line %q", l)
		}
		p := byLine[n]
		if p == nil {
			continue // RET and padding
		}
		w, err := strconv.ParseUint(f[2], 16, 32)
		if err != nil {
			t.Fatalf("objdump line %q: %v", l, err)
		}
		p.word = uint32(w)
		if _, gnu, ok := strings.Cut(l, "//"); ok {
			p.goAsm = strings.TrimSpace(gnu)
		}
		seen++
	}
	if seen != len(probes) {
		t.Fatalf("objdump showed %d probe instructions, want %d:\n%s", seen, len(probes), dump)
	}
	return probes
}

func findLLVMMC() string {
	for _, name := range []string{"llvm-mc", "llvm-mc-20", "llvm-mc-19", "llvm-mc-18", "llvm-mc-17", "llvm-mc-16", "llvm-mc-15", "llvm-mc-14"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	return ""
}

// checkWithLLVM disassembles every probe word with LLVM, which knows every
// instruction here, and compares it with the macro's comment.
func checkWithLLVM(t *testing.T, mc string, probes []probe) {
	var in strings.Builder
	for _, p := range probes {
		w := p.word
		fmt.Fprintf(&in, "0x%02x 0x%02x 0x%02x 0x%02x\n", w&0xFF, w>>8&0xFF, w>>16&0xFF, w>>24)
	}
	cmd := exec.Command(mc, "-triple=aarch64", "-mattr=+bf16", "-disassemble")
	cmd.Stdin = strings.NewReader(in.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("%s: %v\n%s", mc, err, stderr.Bytes())
	}
	var got []string
	for _, l := range strings.Split(string(out), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, ".") {
			continue
		}
		got = append(got, normAsm(l))
	}
	if len(got) != len(probes) {
		t.Fatalf("llvm-mc disassembled %d instructions, want %d:\n%s", len(got), len(probes), out)
	}
	for i, p := range probes {
		if want := p.macro.instantiate(p.regs); got[i] != want {
			t.Errorf("%s%v = %#08x: llvm-mc disassembles %q, the comment says %q", p.macro.name, p.regs, p.word, got[i], want)
		}
	}
	t.Logf("%d words checked with %s", len(probes), mc)
}

// arm64AsmFiles returns the arm64 assembly that calls the macros: every
// *_arm64.s file and every *_arm64.h header but neon_arm64.h, which
// defines them.
func arm64AsmFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"*_arm64.s", "*_arm64.h"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			if f != "neon_arm64.h" {
				files = append(files, f)
			}
		}
	}
	if len(files) == 0 {
		t.Fatal("no *_arm64.s files in the package directory")
	}
	return files
}

// checkMacroArgs checks that every number passed to a macro in the arm64
// assembly files is a register number.
func checkMacroArgs(t *testing.T, macros []neonMacro) {
	files := arm64AsmFiles(t)
	uses, calls := 0, 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			code, _, _ := strings.Cut(line, "//")
			for _, m := range neonMacroUse.FindAllStringSubmatch(code, -1) {
				numbers := 0
				for _, arg := range strings.Split(m[2], ",") {
					arg = strings.TrimSpace(arg)
					n, err := strconv.ParseInt(arg, 0, 64)
					if err != nil {
						continue // a register name or a parameter of a local macro
					}
					if n < 0 || n > 31 {
						t.Errorf("%s:%d: %s: argument %d is not a register number", file, i+1, m[0], n)
					}
					numbers++
				}
				uses += numbers
				if numbers > 0 {
					calls++
				}
			}
		}
	}
	if uses == 0 {
		t.Errorf("no macro uses found in %s", strings.Join(files, ", "))
	}
	t.Logf("%d register numbers in %d macro calls checked in %s", uses, calls, strings.Join(files, ", "))
}
