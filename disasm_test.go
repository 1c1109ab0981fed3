package quant

import (
	"bufio"
	"debug/elf"
	"debug/gosym"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The instruction-set checks (isa_*_test.go) read the machine code of this
// very test binary: the bytes that run, as the assembler encoded them, not
// the source that asked for them. Go's assembler silently picks an EVEX
// (AVX-512) encoding for some operand forms that have no VEX one, so
// reading the .s files proves nothing. llvm-objdump is the disassembler:
// Go's own prints "?" for many AVX instructions.

// asmInstruction is one instruction of an assembly function, as
// llvm-objdump printed it.
type asmInstruction struct {
	addr     uint64
	bytes    []byte
	mnemonic string // as LLVM spells it: AT&T on x86 ("vpslld"), lower-case
	operands string
	source   string // file:line of the macro call or instruction, if known
}

func (in asmInstruction) String() string {
	s := strings.TrimSpace(in.mnemonic + " " + in.operands)
	if in.source != "" {
		s += " (" + in.source + ")"
	}
	return s
}

// findObjdump returns the path of llvm-objdump, or skips the test with a
// message when it is absent; under CI=true its absence fails the test.
func findObjdump(t *testing.T) string {
	t.Helper()
	names := []string{"llvm-objdump"}
	for v := 20; v >= 14; v-- {
		names = append(names, "llvm-objdump-"+strconv.Itoa(v))
	}
	for _, name := range names {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("llvm-objdump not found (apt-get install llvm); required under CI=true")
	}
	t.Skip("llvm-objdump not found: the instruction-set check needs it (apt-get install -y llvm)")
	return ""
}

// asmFunctions returns the names of the TEXT symbols in this package's
// assembly files for goarch, sorted.
func asmFunctions(t *testing.T, goarch string) []string {
	t.Helper()
	files, err := filepath.Glob("*_" + goarch + ".s")
	if err != nil || len(files) == 0 {
		t.Fatalf("no *_%s.s files in the package directory (%v)", goarch, err)
	}
	text := regexp.MustCompile(`^TEXT\s+·(\w+)\(SB\)`)
	var names []string
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(src), "\n") {
			if m := text.FindStringSubmatch(line); m != nil {
				names = append(names, m[1])
			}
		}
	}
	sort.Strings(names)
	return names
}

// disassemble returns the instructions of the package's assembly functions
// named in names, as linked into this test binary, keyed by name.
//
// A binary that go test builds and runs at once is linked without a
// symbol table or DWARF (-s -w; one built with -c keeps them), so the
// functions are found, and instructions mapped to source lines, through
// the Go runtime's own table (.gopclntab), which every binary keeps;
// llvm-objdump disassembles the address range they span.
func disassemble(t *testing.T, objdump string, names []string) map[string][]asmInstruction {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := elf.Open(exe)
	if err != nil {
		t.Skipf("this binary is not ELF (%v): the instruction-set check reads ELF only", err)
	}
	defer bin.Close()
	pclntab, text := bin.Section(".gopclntab"), bin.Section(".text")
	if pclntab == nil || text == nil {
		t.Fatalf("%s has no .gopclntab or .text section", exe)
	}
	data, err := pclntab.Data()
	if err != nil {
		t.Fatal(err)
	}
	table, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		t.Fatal(err)
	}

	// The runtime's table names an assembly function and the wrapper that
	// Go code calls it through alike; the function's lines are in a .s file.
	prefix := reflect.TypeOf(Float16(0)).PkgPath() + "."
	isWanted := map[string]bool{}
	for _, name := range names {
		isWanted[prefix+name] = true
	}
	wanted := map[uint64]string{} // entry → name
	lo, hi := ^uint64(0), uint64(0)
	for i := range table.Funcs {
		fn := &table.Funcs[i]
		if !isWanted[fn.Name] {
			continue
		}
		if file, _, _ := table.PCToLine(fn.Entry); !strings.HasSuffix(file, ".s") {
			continue
		}
		wanted[fn.Entry] = strings.TrimPrefix(fn.Name, prefix)
		lo, hi = min(lo, fn.Entry), max(hi, fn.End)
	}
	if len(wanted) == 0 {
		return nil
	}
	cmd := exec.Command(objdump, "--disassemble",
		"--start-address="+strconv.FormatUint(lo, 10),
		"--stop-address="+strconv.FormatUint(hi, 10), exe)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	byName := map[string][]asmInstruction{}
	for _, in := range parseObjdump(string(out)) {
		fn := table.PCToFunc(in.addr)
		if fn == nil || wanted[fn.Entry] == "" {
			continue // Go code placed between the assembly functions
		}
		file, line, _ := table.PCToLine(in.addr)
		in.source = filepath.Base(file) + ":" + strconv.Itoa(line)
		name := wanted[fn.Entry]
		byName[name] = append(byName[name], in)
	}
	return byName
}

// objdumpInst matches one instruction line of llvm-objdump -d: address,
// bytes, mnemonic and operands.
var objdumpInst = regexp.MustCompile(`^\s*([0-9a-f]+):\s+((?:[0-9a-f]{2} )+)\s*\t(\S+)\s*(.*)$`)

// parseObjdump reads the instructions of llvm-objdump -d output.
func parseObjdump(out string) []asmInstruction {
	var insts []asmInstruction
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		m := objdumpInst.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		addr, err := strconv.ParseUint(m[1], 16, 64)
		if err != nil {
			continue
		}
		raw, err := hex.DecodeString(strings.ReplaceAll(m[2], " ", ""))
		if err != nil {
			continue
		}
		operands := m[4]
		for _, comment := range []string{" # ", " // "} { // x86, arm64
			operands, _, _ = strings.Cut(operands, comment)
		}
		insts = append(insts, asmInstruction{
			addr:     addr,
			bytes:    raw,
			mnemonic: m[3],
			operands: strings.TrimSpace(operands),
		})
	}
	return insts
}
