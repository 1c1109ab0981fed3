package benchmarks

import (
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/qkernels/quant/fallback"
	"github.com/x448/float16"
)

// TestFloat16Oracle holds the reference FP16 conversions to an independent
// implementation, github.com/x448/float16: every binary16 pattern through
// FromFloat16 and, unless -short, every float32 pattern through ToFloat16.
//
// They agree everywhere, NaNs included: x448 also maps a float32 NaN to
// sign|0x7E00|mantissa>>13 (it sets the quiet bit 0x0200 and keeps the top
// ten payload bits) and quiets binary16 NaNs when widening (|0x7FC00000).
// So any difference is a failure.
func TestFloat16Oracle(t *testing.T) {
	t.Run("Float16ToFloat32", func(t *testing.T) {
		for h := range 1 << 16 {
			got := math.Float32bits(fallback.FromFloat16(uint16(h)))
			want := math.Float32bits(float16.Frombits(uint16(h)).Float32())
			if got != want {
				t.Errorf("FromFloat16(%#04x) = %#08x, x448 gives %#08x", h, got, want)
			}
		}
	})
	t.Run("Float32ToFloat16", func(t *testing.T) {
		if testing.Short() {
			t.Skip("all 2^32 inputs: skipped under -short")
		}
		var mu sync.Mutex
		var failures []string
		var nans uint64
		parallelChunks(func(base uint32, n int) {
			var localNaNs uint64
			for i := range n {
				x := math.Float32frombits(base + uint32(i))
				got, want := fallback.ToFloat16(x), uint16(float16.Fromfloat32(x))
				if x != x {
					localNaNs++
				}
				if got != want {
					mu.Lock()
					if len(failures) < 10 {
						failures = append(failures, fmt.Sprintf("ToFloat16(%#08x) = %#04x, x448 gives %#04x",
							base+uint32(i), got, want))
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			nans += localNaNs
			mu.Unlock()
		})
		for _, f := range failures {
			t.Error(f)
		}
		t.Logf("2^32 inputs compared, %d of them NaNs", nans)
	})
}
