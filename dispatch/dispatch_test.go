package dispatch

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/qkernels/quant/kernels"
)

// A fabricated table shaped like a real one: two vector sets with growing
// needs, then the reference set, which needs nothing.
var (
	setWide    = &kernels.Set{Name: "avx512"}
	setNarrow  = &kernels.Set{Name: "avx2"}
	setGeneric = &kernels.Set{Name: "generic"}
	table      = []Impl{
		{Kernels: setWide, Needs: AVX2 | F16C | FMA | AVX512F | AVX512BW},
		{Kernels: setNarrow, Needs: AVX2 | F16C | FMA},
		{Kernels: setGeneric},
	}
	allX86  = AVX2 | F16C | FMA | BMI2 | AVX512F | AVX512BW | AVX512VL
	onlyAVX = AVX2 | F16C | FMA
)

func TestChoose(t *testing.T) {
	cases := []struct {
		host  Features
		force string
		want  string
	}{
		{allX86, "", "avx512"},                // best runnable
		{onlyAVX, "", "avx2"},                 // AVX-512 missing
		{AVX2 | FMA, "", "generic"},           // F16C missing: no vector set
		{0, "", "generic"},                    // nothing at all
		{allX86, "avx2", "avx2"},              // capped
		{allX86, "AVX2", "avx2"},              // names are case-insensitive
		{allX86, "generic", "generic"},        // forced reference
		{allX86, "Generic", "generic"},        //
		{allX86, "avx512", "avx512"},          // cap at the top caps nothing
		{allX86, "bogus", "avx512"},           // unknown names are ignored
		{onlyAVX, "neon", "avx2"},             // a name from another table too
		{onlyAVX, "avx512", "avx2"},           // named set not runnable: fall through
		{AVX2 | F16C, "avx512", "generic"},    // ... as far as needed
		{AVX2 | F16C, "avx2", "generic"},      //
		{0, "avx512", "generic"},              //
		{allX86, " avx2", "avx512"},           // not trimmed: unknown
		{ASIMD | BF16, "avx2", "generic"},     // wrong architecture entirely
		{allX86 | ASIMD | BF16, "", "avx512"}, // extra features do not matter
	}
	for _, c := range cases {
		if got := Choose(table, c.host, c.force); got.Name != c.want {
			t.Errorf("Choose(host %q, force %q) = %q, want %q", c.host, c.force, got.Name, c.want)
		}
	}
}

func TestChooseNoRunnableSetPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Error("Choose with no runnable set did not panic")
		}
	}()
	Choose(table[:2], 0, "")
}

func TestFeatures(t *testing.T) {
	f := AVX2 | FMA | BF16
	if got := f.String(); got != "avx2,fma,bf16" {
		t.Errorf("String() = %q", got)
	}
	if Features(0).String() != "" {
		t.Errorf("no features: %q", Features(0).String())
	}
	if !f.Has(AVX2|FMA) || !f.Has(0) || f.Has(AVX2|F16C) {
		t.Error("Has is wrong")
	}
	if len(featureNames) != 10 || (Features(1)<<len(featureNames)-1).String() != strings.Join(featureNames, ",") {
		t.Errorf("featureNames out of step with the constants: %v", featureNames)
	}
}

// Register reads QUANT_IMPL; Runnable ignores it and filters by the host.
func TestRegister(t *testing.T) {
	defer func(r []Impl, s *kernels.Set) { registered = r; selected.Store(s) }(registered, Selected())
	host := Host()
	sets := []Impl{
		{Kernels: &kernels.Set{Name: "impossible"}, Needs: 1 << 31},
		{Kernels: &kernels.Set{Name: "hostset"}, Needs: host},
		{Kernels: setGeneric},
	}
	t.Setenv(EnvVar, "")
	if got := Register(sets); got.Name != "hostset" || Selected() != got {
		t.Errorf("Register chose %q", got.Name)
	}
	t.Setenv(EnvVar, "generic")
	if got := Register(sets); got.Name != "generic" || Selected() != got {
		t.Errorf("with %s=generic, Register chose %q", EnvVar, got.Name)
	}
	var names []string
	for _, k := range Runnable() {
		names = append(names, k.Name)
	}
	if strings.Join(names, " ") != "hostset generic" {
		t.Errorf("Runnable() = %v, want [hostset generic]", names)
	}
}

// Swap and Use may run while other goroutines call Selected (go test
// -race fails here if they are not synchronized).
func TestSwapConcurrent(t *testing.T) {
	defer Swap(Swap(setNarrow))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if k := Selected(); k != setNarrow && k != setWide {
					t.Errorf("Selected() = %q, a set nobody installed", k.Name)
					return
				}
			}
		}()
	}
	for range 1000 {
		restore := Use(setWide)
		Swap(Swap(setNarrow))
		restore()
	}
	close(stop)
	wg.Wait()
}

func TestDescribe(t *testing.T) {
	d := Describe()
	t.Logf("%s (features %q)", d, Host())
	if !strings.Contains(d, "threads") || (Host() != 0 && !strings.Contains(d, Host().String())) {
		t.Errorf("Describe() = %q", d)
	}
	if v := os.Getenv(EnvVar); v != "" {
		t.Logf("%s=%s", EnvVar, v)
	}
}

var (
	zen3      = Processor{Name: "Zen 3", Vendor: "AMD", Family: 0x19, MinModel: 0x00, MaxModel: 0x0F}
	emerald   = Processor{Name: "Emerald Rapids", Vendor: "Intel", Family: 6, MinModel: 0xCF, MaxModel: 0xCF}
	hinted    = Tuning{Name: "prefetch", For: []Processor{emerald}, Prefetch: kernels.Prefetch{Near: 0, Far: 1 << 21}}
	noHints   = Tuning{Name: "none", For: []Processor{zen3}, Prefetch: kernels.Prefetch{Near: kernels.Never, Far: kernels.Never}}
	tuneTable = []Tuning{hinted, noHints}
)

func TestChooseTuning(t *testing.T) {
	cases := []struct {
		cpu         CPU
		force, want string
		reason      string
	}{
		{CPU{"Intel", 6, 0xCF}, "", "prefetch", "Emerald Rapids"},
		{CPU{"AMD", 0x19, 0x01}, "", "none", "Zen 3"},
		{CPU{"AMD", 0x19, 0x0F}, "", "none", "Zen 3"},                               // last model of the range
		{CPU{"AMD", 0x19, 0x11}, "", "none", "default: no row for AMD 25/0x11"},     // Zen 4: unmeasured
		{CPU{"Intel", 6, 0x8F}, "", "none", "default: no row for Intel 6/0x8F"},     // another model
		{CPU{"AMD", 6, 0xCF}, "", "none", "default: no row for AMD 6/0xCF"},         // vendor counts
		{CPU{"Intel", 0x19, 0xCF}, "", "none", "default: no row for Intel 25/0xCF"}, // family counts
		{CPU{"Intel", 6, 0xCF}, "none", "none", TuneEnvVar},                         // forced
		{CPU{"AMD", 0x19, 0x01}, "PREFETCH", "prefetch", TuneEnvVar},                // case-insensitive
		{CPU{"Intel", 6, 0xCF}, "bogus", "prefetch", "Emerald Rapids"},              // unknown names are ignored
	}
	for _, c := range cases {
		got := ChooseTuning(tuneTable, c.cpu, c.force)
		if got.Name != c.want || got.Reason != c.reason {
			t.Errorf("ChooseTuning(%v, force %q) = %s, want %s (%s)", c.cpu, c.force, got, c.want, c.reason)
		}
	}
	if got := ChooseTuning(nil, CPU{"Intel", 6, 0xCF}, "prefetch"); got.Name != "" || got.String() != "" {
		t.Errorf("empty table: %q", got)
	}
}

func TestCPUString(t *testing.T) {
	if got := (CPU{"Intel", 6, 0xCF}).String(); got != "Intel 6/0xCF" {
		t.Errorf("String() = %q", got)
	}
	if c := HostCPU(); c.Vendor == "" {
		t.Errorf("HostCPU() = %+v: no vendor", c)
	}
}

// Register tunes each set that has a table (QUANT_TUNE forcing a row);
// UseTuning switches and restores.
func TestRegisterTunes(t *testing.T) {
	defer func(r []Impl, s *kernels.Set) { registered = r; selected.Store(s) }(registered, Selected())
	var installed kernels.Prefetch
	set := &kernels.Set{Name: "tuned"}
	table := []Impl{
		{Kernels: set, Tunings: tuneTable, Tune: func(p kernels.Prefetch) { installed = p }},
		{Kernels: setGeneric},
	}
	t.Setenv(TuneEnvVar, "none")
	Register(table)
	if installed != noHints.Prefetch || Tuned(set).Name != "none" || Tuned(set).Reason != TuneEnvVar {
		t.Errorf("QUANT_TUNE=none: installed %+v, Tuned %s", installed, Tuned(set))
	}
	if Tuned(setGeneric).Name != "" || Tunings(setGeneric) != nil || len(Tunings(set)) != 2 {
		t.Errorf("untuned set: Tuned %q, Tunings %v", Tuned(setGeneric), Tunings(setGeneric))
	}
	restore := UseTuning(set, hinted)
	if installed != hinted.Prefetch || Tuned(set).Name != "prefetch" {
		t.Errorf("UseTuning: installed %+v, Tuned %s", installed, Tuned(set))
	}
	restore()
	if installed != noHints.Prefetch || Tuned(set).Name != "none" {
		t.Errorf("after restore: installed %+v, Tuned %s", installed, Tuned(set))
	}
	defer func() {
		if recover() == nil {
			t.Error("UseTuning of a set without a table did not panic")
		}
	}()
	UseTuning(setGeneric, hinted)
}
