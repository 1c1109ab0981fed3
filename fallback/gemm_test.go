package fallback

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// exactFMA32 rounds a*b + c once, through math/big's exact arithmetic.
func exactFMA32(a, b, c float32) float32 {
	x := new(big.Float).SetPrec(0).SetFloat64(float64(a))
	x.SetPrec(400).Mul(x, new(big.Float).SetFloat64(float64(b)))
	x.Add(x, new(big.Float).SetFloat64(float64(c)))
	f, _ := x.Float32()
	if x.Sign() == 0 {
		// big.Float has no signed zero sum rules: IEEE gives -0 only when
		// both addends are -0 (a*b and c), else +0.
		if math.Signbit(float64(a)) != math.Signbit(float64(b)) && (a == 0 || b == 0) && math.Signbit(float64(c)) {
			return float32(math.Copysign(0, -1))
		}
		return 0
	}
	return f
}

func TestFMA32(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 12))
	pick := func() float32 {
		switch rng.IntN(6) {
		case 0: // any bits below 2, subnormals included
			return math.Float32frombits(rng.Uint32() &^ (0x40 << 24))
		case 1: // a small integer, so that sums tie
			return float32(rng.IntN(64) - 32)
		case 2:
			return float32(rng.NormFloat64())
		case 3: // near the subnormal range
			return float32(rng.NormFloat64()) * 0x1p-120
		case 4: // ±0
			return float32(math.Copysign(0, float64(rng.IntN(2)*2-1)))
		default: // a power of two, where rounding to odd crosses a binade
			return float32(math.Ldexp(1, rng.IntN(60)-30)) * float32(rng.IntN(3)-1)
		}
	}
	var n, ties int
	for range 400000 {
		a, b, c := pick(), pick(), pick()
		if rng.IntN(4) == 0 {
			// c cancels most of a*b: its low bits decide the rounding.
			c = -float32(float64(a) * float64(b))
			if math.IsInf(float64(c), 0) {
				continue
			}
			c = math.Float32frombits(math.Float32bits(c) + uint32(rng.IntN(5)) - 2)
			if c != c {
				continue // stepped from ±0 across the sign
			}
		}
		if p := float64(a) * float64(b); math.IsInf(float64(float32(p+float64(c))), 0) {
			continue
		}
		got, want := FMA32(a, b, c), exactFMA32(a, b, c)
		if math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("FMA32(%x, %x, %x) = %x, want %x", math.Float32bits(a), math.Float32bits(b), math.Float32bits(c), math.Float32bits(got), math.Float32bits(want))
		}
		if float32(float64(a)*float64(b)+float64(c)) != want {
			ties++ // where double rounding would have been wrong
		}
		n++
	}
	if ties == 0 {
		t.Fatalf("no case of %d where rounding twice differs: the test cannot tell FMA32 from float32(a*b+c)", n)
	}
	t.Logf("%d cases, %d where rounding twice is wrong", n, ties)
}
