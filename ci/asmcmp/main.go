// Command asmcmp tells whether two builds of the package hold the same
// machine code for its assembly functions: the proof a refactoring of the
// assembly (a macro for repeated lines, a file split) owes. ci/asmcmp.sh
// builds the binaries and calls it.
//
//	asmcmp OLD.test NEW.test name...
//
// Each name is a TEXT symbol of the root package; llvm-objdump reads both
// binaries (Go's own objdump misreads many AVX instructions). An
// instruction counts as the same when its bytes are, except that one
// holding an address (RIP-relative, an arm64 adrp and the add after it,
// a jump) keeps only its length and its text with the address left out
// (addresses move with the code), a jump inside the function keeping its
// target's offset. It prints each function that differs,
// with its first differing instruction, and exits 1 if any does.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

type inst struct {
	offset uint64
	bytes  string // or "len=N" where the bytes hold an address
	text   string
}

var (
	// hexNumber and displacement match what moves with the code: absolute
	// addresses, and RIP-relative displacements.
	hexNumber    = regexp.MustCompile(`\b0x[0-9a-f]+\b`)
	displacement = regexp.MustCompile(`-?[0-9]+\(%rip\)`)
	// symbol matches llvm-objdump's name for an address, <sym+0xoff>.
	symbol = regexp.MustCompile(`<([^>+]+)(\+0x[0-9a-f]+)?>`)
	line   = regexp.MustCompile(`^\s*([0-9a-f]+):\s+((?:[0-9a-f]{2} )+)\s*(.*)$`)
)

// disassemble returns the instructions of the ABI0 function name in bin.
func disassemble(bin, name string) ([]inst, error) {
	sym := "github.com/qkernels/quant." + name + ".abi0"
	out, err := exec.Command("llvm-objdump", "-d", "--disassemble-symbols="+sym, bin).Output()
	if err != nil {
		return nil, fmt.Errorf("llvm-objdump %s: %v", bin, err)
	}
	var insts []inst
	var start uint64
	addressing := false // the previous instruction was an arm64 adrp
	for _, l := range strings.Split(string(out), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		addr, err := strconv.ParseUint(m[1], 16, 64)
		if err != nil {
			return nil, err
		}
		if insts == nil {
			start = addr
		}
		text, _, _ := strings.Cut(m[3], "#") // drop llvm's comments
		text = strings.Join(strings.Fields(text), " ")
		in := inst{offset: addr - start, bytes: strings.TrimSpace(m[2]), text: text}
		moves := strings.Contains(text, "%rip") || strings.HasPrefix(text, "adrp") || addressing
		addressing = strings.HasPrefix(text, "adrp")
		if symbol.MatchString(text) {
			// A jump: keep the target's offset when it lies inside the
			// function, else only the symbol.
			text = symbol.ReplaceAllStringFunc(text, func(s string) string {
				sm := symbol.FindStringSubmatch(s)
				if sm[1] == sym {
					return "<" + sm[2] + ">"
				}
				return "<" + sm[1] + ">"
			})
			moves = true
		}
		if moves {
			text = displacement.ReplaceAllString(hexNumber.ReplaceAllString(text, "addr"), "disp(%rip)")
			in.text, in.bytes = text, fmt.Sprintf("len=%d", len(strings.Fields(in.bytes)))
		}
		insts = append(insts, in)
	}
	if insts == nil {
		return nil, fmt.Errorf("%s: no function %s", bin, name)
	}
	return insts, nil
}

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: asmcmp OLD.test NEW.test name...")
		os.Exit(2)
	}
	oldBin, newBin, names := os.Args[1], os.Args[2], os.Args[3:]
	differ := 0
	for _, name := range names {
		a, errA := disassemble(oldBin, name)
		b, errB := disassemble(newBin, name)
		if errA != nil || errB != nil {
			fmt.Printf("%s: missing (%v %v)\n", name, errA, errB)
			differ++
			continue
		}
		for i := 0; i < max(len(a), len(b)); i++ {
			if i >= len(a) || i >= len(b) || a[i] != b[i] {
				var was, is inst
				if i < len(a) {
					was = a[i]
				}
				if i < len(b) {
					is = b[i]
				}
				fmt.Printf("%s differs at +%d:\n\told %s %s\n\tnew %s %s\n", name, was.offset, was.bytes, was.text, is.bytes, is.text)
				differ++
				break
			}
		}
	}
	fmt.Printf("%d functions, %d differ\n", len(names), differ)
	if differ > 0 {
		os.Exit(1)
	}
}
