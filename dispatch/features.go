package dispatch

import (
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/cpuid/v2"
	"golang.org/x/sys/cpu"
)

// Features is a set of CPU features, one bit each.
type Features uint32

const (
	AVX2       Features = 1 << iota // x86: 256-bit integer SIMD (OS saves YMM)
	F16C                            // x86: VCVTPS2PH, VCVTPH2PS
	FMA                             // x86: fused multiply-add
	BMI2                            // x86: PDEP, PEXT, SHLX, BZHI
	AVX512F                         // x86: 512-bit SIMD foundation
	AVX512BW                        // x86: 512-bit byte and word operations
	AVX512VL                        // x86: AVX-512 on 128- and 256-bit vectors
	AVX512BF16                      // x86: VCVTNEPS2BF16
	ASIMD                           // arm64: Advanced SIMD (NEON), every arm64 CPU
	BF16                            // arm64: FEAT_BF16 (BFCVTN)
)

var featureNames = []string{
	"avx2", "f16c", "fma", "bmi2", "avx512f", "avx512bw", "avx512vl",
	"avx512bf16", "asimd", "bf16",
}

// Has reports whether f holds every feature in want.
func (f Features) Has(want Features) bool { return f&want == want }

// String lists the features in lower case, separated by commas.
func (f Features) String() string {
	var names []string
	for i, name := range featureNames {
		if f&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	return strings.Join(names, ",")
}

// Host returns the features of the CPU this program runs on, as seen
// through GODEBUG.
func Host() Features { return host() }

var host = sync.OnceValue(detect)

func detect() Features {
	var f Features
	set := func(ok bool, bit Features) {
		if ok {
			f |= bit
		}
	}
	switch runtime.GOARCH {
	case "amd64", "386":
		// x/sys/cpu honours GODEBUG=cpu.avx2=off and checks that the OS
		// saves the wide registers; it has no F16C flag, cpuid does.
		set(cpu.X86.HasAVX2, AVX2)
		set(cpu.X86.HasAVX2 && cpuid.CPU.Supports(cpuid.F16C), F16C)
		set(cpu.X86.HasFMA, FMA)
		set(cpu.X86.HasBMI2, BMI2)
		set(cpu.X86.HasAVX512F, AVX512F)
		set(cpu.X86.HasAVX512BW, AVX512BW)
		set(cpu.X86.HasAVX512VL, AVX512VL)
		set(cpu.X86.HasAVX512BF16, AVX512BF16)
	case "arm64":
		set(cpu.ARM64.HasASIMD, ASIMD)
		// x/sys/cpu has no FEAT_BF16 flag; cpuid reads it from HWCAP2.
		set(cpuid.CPU.Supports(cpuid.BF16), BF16)
	}
	return f
}

// Describe returns a one-line description of the CPU for reports and
// benchmark logs, for example "AMD EPYC 7B13 (2 threads; avx2,f16c,fma)".
func Describe() string {
	name := strings.TrimSpace(cpuid.CPU.BrandName)
	if name == "" {
		name = runtime.GOARCH + " CPU"
	}
	var b strings.Builder
	b.WriteString(name)
	b.WriteString(" (")
	b.WriteString(strconv.Itoa(runtime.NumCPU()))
	b.WriteString(" threads")
	if f := Host(); f != 0 {
		b.WriteString("; ")
		b.WriteString(f.String())
	}
	b.WriteString(")")
	return b.String()
}
