package quant

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/qkernels/quant/dispatch"
	"github.com/qkernels/quant/fallback"
)

// TestMulAddAtBTiles checks the tiled, parallel driver against one call
// of the reference kernel, on every kernel set and worker count, with
// shapes that leave partial tiles in m, n and k.
func TestMulAddAtBTiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	// Partial tiles in m and n, then in k, with products big enough to be
	// split over goroutines.
	shapes := [][3]int{{1, 1, 1}, {257, 1030, 2}, {3, 90, 1000}}
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		ldc, lda, ldb := n+3, m+1, n+5
		at := make([]float32, k*lda)
		b := make([]float32, k*ldb)
		c0 := make([]float32, m*ldc)
		for i := range at {
			at[i] = float32(rng.NormFloat64())
		}
		for i := range b {
			b[i] = float32(rng.NormFloat64())
		}
		for i := range c0 {
			c0[i] = float32(rng.NormFloat64())
		}
		want := append([]float32(nil), c0...)
		fallback.MulAddAtB(want, ldc, at, lda, b, ldb, m, n, k)
		for _, ks := range dispatch.Runnable() {
			for _, w := range []int{1, 2, 3, 8} {
				func() {
					defer dispatch.Use(ks)()
					got := append([]float32(nil), c0...)
					MulAddAtB(got, ldc, at, lda, b, ldb, m, n, k, w)
					for i := range got {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%s, %d workers, %d×%d×%d: c[%d] = %v, want %v", ks.Name, w, m, n, k, i, got[i], want[i])
						}
					}
				}()
			}
		}
	}
}

func TestMulAddAtBPanics(t *testing.T) {
	c, a, b := make([]float32, 6), make([]float32, 6), make([]float32, 9)
	for _, tc := range []struct {
		want string
		call func()
	}{
		{"C is -1×3", func() { MulAddAtB(c, 3, a, 2, b, 3, -1, 3, 3, 1) }},
		{"stride 2 of C", func() { MulAddAtB(c, 2, a, 2, b, 3, 2, 3, 3, 1) }},
		{"B holds 9 values, not 4 rows", func() { MulAddAtB(c, 3, make([]float32, 8), 2, b, 3, 2, 3, 4, 1) }},
		{"A (transposed) holds 6 values, not 3 rows of 3", func() { MulAddAtB(make([]float32, 9), 3, a, 3, b, 3, 3, 3, 3, 1) }},
	} {
		func() {
			defer func() {
				if r, _ := recover().(string); !strings.Contains(r, tc.want) {
					t.Errorf("panic %q, want one containing %q", r, tc.want)
				}
			}()
			tc.call()
		}()
	}
}

func TestMulAddAtBAllocs(t *testing.T) {
	c, a, b := make([]float32, 64*64), make([]float32, 64*64), make([]float32, 64*64)
	if n := testing.AllocsPerRun(10, func() { MulAddAtB(c, 64, a, 64, b, 64, 64, 64, 64, 1) }); n != 0 {
		t.Errorf("MulAddAtB on one worker: %v allocations per call", n)
	}
}
