package dispatch

import (
	"fmt"
	"strings"
	"sync"

	"github.com/klauspost/cpuid/v2"
	"github.com/qkernels/quant/kernels"
)

// TuneEnvVar names the environment variable that forces a tuning by name
// (QUANT_TUNE=none, QUANT_TUNE=prefetch), read once at start-up, for A/B
// runs of one binary: ci/ab.sh --tune does that. A name no table has is
// ignored, as QUANT_IMPL ignores one.
const TuneEnvVar = "QUANT_TUNE"

// CPU identifies a processor model as CPUID does: the vendor ("Intel",
// "AMD", as klauspost/cpuid names them) and the family and model numbers,
// extended fields included. Together they name a microarchitecture, which
// is what a tuning is measured on.
type CPU struct {
	Vendor        string
	Family, Model int
}

// String gives the CPU as "Intel 6/0xCF".
func (c CPU) String() string { return fmt.Sprintf("%s %d/0x%02X", c.Vendor, c.Family, c.Model) }

// HostCPU returns the processor this program runs on. Outside x86 the
// family and model are 0: nothing there is tuned per processor yet.
func HostCPU() CPU { return hostCPU() }

var hostCPU = sync.OnceValue(func() CPU {
	return CPU{Vendor: cpuid.CPU.VendorID.String(), Family: cpuid.CPU.Family, Model: cpuid.CPU.Model}
})

// Processor is a range of processor models that share a tuning: one
// vendor and family, models MinModel to MaxModel.
type Processor struct {
	Name               string // the microarchitecture, for reports: "AMD Zen 3"
	Vendor             string
	Family             int
	MinModel, MaxModel int
}

// Matches reports whether c is one of p's models.
func (p Processor) Matches(c CPU) bool {
	return c.Vendor == p.Vendor && c.Family == p.Family && p.MinModel <= c.Model && c.Model <= p.MaxModel
}

// Tuning is one row of a kernel set's tuning table: values its kernels
// read that change their speed, never their results, and the processors
// they were measured best on.
type Tuning struct {
	// Name is what QUANT_TUNE calls it.
	Name string
	// For lists the processors this row was measured best for. The last
	// row of a table is its default: chosen for its own processors and for
	// every processor no row lists, so it must be the choice that does
	// least harm where nobody has measured.
	For      []Processor
	Prefetch kernels.Prefetch
}

// TuningChoice is the tuning chosen for a kernel set, and why.
type TuningChoice struct {
	Tuning
	// Reason says why: the processor row that matched ("AMD Zen 3"),
	// "QUANT_TUNE", or "default: no row for Intel 6/0x3C".
	Reason string
}

func (c TuningChoice) String() string {
	if c.Name == "" {
		return ""
	}
	return c.Name + " (" + c.Reason + ")"
}

// ChooseTuning returns the row of table named by force (case-insensitive),
// else the first row listing cpu, else the last row; the zero TuningChoice
// for an empty table.
func ChooseTuning(table []Tuning, cpu CPU, force string) TuningChoice {
	if len(table) == 0 {
		return TuningChoice{}
	}
	for _, t := range table {
		if force != "" && strings.EqualFold(t.Name, force) {
			return TuningChoice{t, TuneEnvVar}
		}
	}
	for _, t := range table {
		for _, p := range t.For {
			if p.Matches(cpu) {
				return TuningChoice{t, p.Name}
			}
		}
	}
	return TuningChoice{table[len(table)-1], "default: no row for " + cpu.String()}
}
