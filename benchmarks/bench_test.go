package benchmarks

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/qkernels/quant"
	"github.com/qkernels/quant/dispatch"
)

func BenchmarkFloat32ToFloat16(b *testing.B)    { benchKernel(b, "Float32ToFloat16") }
func BenchmarkFloat16ToFloat32(b *testing.B)    { benchKernel(b, "Float16ToFloat32") }
func BenchmarkFloat32ToBFloat16(b *testing.B)   { benchKernel(b, "Float32ToBFloat16") }
func BenchmarkBFloat16ToFloat32(b *testing.B)   { benchKernel(b, "BFloat16ToFloat32") }
func BenchmarkAbsMax(b *testing.B)              { benchKernel(b, "AbsMax") }
func BenchmarkMinMax(b *testing.B)              { benchKernel(b, "MinMax") }
func BenchmarkQuantizeAbsmax(b *testing.B)      { benchKernel(b, "QuantizeAbsmax") }
func BenchmarkQuantizeZeroPoint(b *testing.B)   { benchKernel(b, "QuantizeZeroPoint") }
func BenchmarkDequantizeAbsmax(b *testing.B)    { benchKernel(b, "DequantizeAbsmax") }
func BenchmarkDequantizeZeroPoint(b *testing.B) { benchKernel(b, "DequantizeZeroPoint") }

// Ceilings are measured in every benchmark, after the implementations.
var ceilings = []string{"copy", "read"}

// benchCase is one sub-benchmark: an implementation (or a ceiling) of a
// kernel at one size.
type benchCase struct {
	impl    string
	inBytes int
	count   int
	// setup allocates the outputs and returns the body of one iteration,
	// which works on buffer i.
	setup func() func(i int)
}

func benchKernel(b *testing.B, kernel string) {
	sizes, err := BenchSizes(testing.Short())
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range sizes {
		b.Run("size="+strconv.Itoa(n), func(b *testing.B) {
			for _, c := range benchCases(kernel, n) {
				b.Run("impl="+c.impl, func(b *testing.B) {
					body := c.setup()
					for i := range c.count { // warm up, touch every page
						body(i)
					}
					if c.inBytes >= 4<<20 {
						// Free the outputs of earlier cases now rather
						// than in a collection during the timing (cheap:
						// the heap holds no pointers to scan).
						runtime.GC()
					}
					b.SetBytes(int64(c.inBytes))
					b.ReportAllocs()
					i := 0
					for b.Loop() {
						body(i)
						if i++; i == c.count {
							i = 0
						}
					}
				})
			}
		})
	}
}

// caseNames lists the sub-benchmarks of kernel, in order, without making
// any data.
func caseNames(kernel string) []string {
	var names []string
	for _, im := range Impls() {
		if im.Has(kernel) {
			names = append(names, im.Name)
		}
	}
	return append(names, ceilings...)
}

// Sinks keep the results of the reductions alive.
var (
	sinkF32 float32
	sinkU64 uint64
)

// benchCases returns the sub-benchmarks of kernel at n elements: every
// implementation that has it, then the ceilings.
func benchCases(kernel string, n int) []benchCase {
	in := InputsFor(n)
	// The input of kernel as bytes, for b.SetBytes and the ceilings.
	var raw [][]byte
	switch kernel {
	case "Float32ToFloat16", "Float32ToBFloat16", "AbsMax", "MinMax", "QuantizeAbsmax", "QuantizeZeroPoint":
		raw = asBytes(in.F32())
	case "Float16ToFloat32":
		raw = asBytes(in.F16())
	case "BFloat16ToFloat32":
		raw = asBytes(in.BF16())
	case "DequantizeAbsmax":
		q, _ := in.Absmax()
		raw = asBytes(q)
	case "DequantizeZeroPoint":
		q, _ := in.ZeroPoint()
		raw = asBytes(q)
	default:
		panic("benchmarks: unknown kernel " + kernel)
	}
	count, inBytes := in.Count, len(raw[0])
	var cases []benchCase
	add := func(name string, setup func() func(int)) {
		cases = append(cases, benchCase{name, inBytes, count, setup})
	}
	for _, im := range Impls() {
		if !im.Has(kernel) {
			continue
		}
		var setup func() func(int)
		switch kernel {
		case "Float32ToFloat16", "Float32ToBFloat16":
			f := im.Float32ToFloat16
			if kernel == "Float32ToBFloat16" {
				f = im.Float32ToBFloat16
			}
			setup = func() func(int) {
				src, dst := in.F32(), Buffers[uint16](count, n)
				return func(i int) { f(dst[i], src[i]) }
			}
		case "Float16ToFloat32", "BFloat16ToFloat32":
			f, input := im.Float16ToFloat32, in.F16
			if kernel == "BFloat16ToFloat32" {
				f, input = im.BFloat16ToFloat32, in.BF16
			}
			setup = func() func(int) {
				src, dst := input(), Buffers[float32](count, n)
				return func(i int) { f(dst[i], src[i]) }
			}
		case "AbsMax":
			f := im.AbsMax
			setup = func() func(int) {
				src := in.F32()
				return func(i int) { sinkF32 = f(src[i]) }
			}
		case "MinMax":
			f := im.MinMax
			setup = func() func(int) {
				src := in.F32()
				return func(i int) { _, sinkF32 = f(src[i]) }
			}
		case "QuantizeAbsmax":
			f := im.QuantizeAbsmax
			setup = func() func(int) {
				src, dst := in.F32(), Buffers[int8](count, n)
				return func(i int) {
					if _, err := f(dst[i], src[i]); err != nil {
						panic(err)
					}
				}
			}
		case "QuantizeZeroPoint":
			f := im.QuantizeZeroPoint
			setup = func() func(int) {
				src, dst := in.F32(), Buffers[int8](count, n)
				return func(i int) {
					if _, err := f(dst[i], src[i]); err != nil {
						panic(err)
					}
				}
			}
		case "DequantizeAbsmax":
			f := im.DequantizeAbsmax
			setup = func() func(int) {
				src, params := in.Absmax()
				dst := Buffers[float32](count, n)
				return func(i int) { f(dst[i], src[i], params[i]) }
			}
		case "DequantizeZeroPoint":
			f := im.DequantizeZeroPoint
			setup = func() func(int) {
				src, params := in.ZeroPoint()
				dst := Buffers[float32](count, n)
				return func(i int) { f(dst[i], src[i], params[i]) }
			}
		default:
			panic("benchmarks: unknown kernel " + kernel)
		}
		add(im.Name, setup)
	}
	add("copy", func() func(int) {
		dst := Buffers[byte](count, inBytes)
		return func(i int) { copy(dst[i], raw[i]) }
	})
	add("read", func() func(int) {
		return func(i int) { sinkU64 = ReadCeiling(raw[i]) }
	})
	return cases
}

// asBytes views each buffer as its bytes.
func asBytes[T any](bufs [][]T) [][]byte {
	out := make([][]byte, len(bufs))
	for i, s := range bufs {
		var zero T
		out[i] = unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
	}
	return out
}

var planFlag = flag.Bool("quant.plan", false,
	"print the sub-benchmarks that -test.bench selects, one a line, and exit (for progress reports)")

func TestMain(m *testing.M) {
	flag.Parse()
	if *planFlag {
		if err := printPlan(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		printHeader()
	}
	os.Exit(m.Run())
}

// printHeader writes what a reader of the results needs to know about the
// run as benchfmt configuration lines, which benchstat repeats.
func printHeader() {
	var names []string
	for _, im := range Impls() {
		names = append(names, im.Name)
	}
	peers := "cc: " + CCompiler()
	if !CgoEnabled {
		peers = "cgo disabled: no C peers (c-simd, c-scalar, c-avx512)"
	}
	fmt.Printf("quant-cpu: %s\n", dispatch.Describe())
	fmt.Printf("quant-build: %s %s/%s; quant.Implementation()=%s; %s\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, quant.Implementation(), peers)
	fmt.Printf("quant-impls: %s; ceilings: copy (Go copy), read (%s)\n", strings.Join(names, " "), ReadKind)
}

// printPlan prints the full names of the sub-benchmarks the -test.bench
// pattern selects, matching each slash-separated element of the pattern
// against one level of the name, as package testing does.
func printPlan() error {
	pattern := ""
	if f := flag.Lookup("test.bench"); f != nil {
		pattern = f.Value.String()
	}
	if pattern == "" {
		return nil
	}
	var res []*regexp.Regexp
	for _, p := range strings.Split(pattern, "/") {
		re, err := regexp.Compile(p)
		if err != nil {
			return err
		}
		res = append(res, re)
	}
	match := func(level int, s string) bool { return level >= len(res) || res[level].MatchString(s) }
	short := false
	if f := flag.Lookup("test.short"); f != nil {
		short = f.Value.String() == "true"
	}
	sizes, err := BenchSizes(short)
	if err != nil {
		return err
	}
	for _, kernel := range KernelNames {
		if !match(0, "Benchmark"+kernel) {
			continue
		}
		for _, n := range sizes {
			size := "size=" + strconv.Itoa(n)
			if !match(1, size) {
				continue
			}
			for _, name := range caseNames(kernel) {
				if match(2, "impl="+name) {
					fmt.Printf("Benchmark%s/%s/impl=%s\n", kernel, size, name)
				}
			}
		}
	}
	return nil
}
