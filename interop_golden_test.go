package quant

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"sync"
	"testing"

	"github.com/qkernels/quant/dispatch"
)

// The interop functions against PyTorch's own results and the ONNX
// specification's formulas: testdata/interop/golden.json.gz, made by
// testdata/interop/gen.py (see there). Every kernel set this CPU runs is
// checked.

type goldenTensor struct {
	Scale   float64  `json:"scale"` // PyTorch's: a Python float
	Zero    int32    `json:"zero"`
	X       []uint32 `json:"x"`
	Q       []int8   `json:"q"`
	Dequant []uint32 `json:"dequant"`
}

type goldenChannels struct {
	Rows, Cols int
	Double     bool      // scales not float32 values
	Scales     []float64 `json:"scales"`
	Zeros      []int32   `json:"zeros"`
	X          []uint32  `json:"x"`
	Q          []int8    `json:"q"`
	Dequant    []uint32  `json:"dequant"`
}

type goldenFake struct {
	Type  string   `json:"type"` // float32 or float16
	Scale float64  `json:"scale"`
	Zero  int32    `json:"zero"`
	QMin  int32    `json:"qmin"`
	QMax  int32    `json:"qmax"`
	X, Y  []uint32 // bits of the type
	Mask  []int
}

type goldenFakeChannels struct {
	Type       string
	Rows, Cols int
	QMin       int32 `json:"qmin"`
	QMax       int32 `json:"qmax"`
	Scales     []uint32
	Zeros      []int32
	X, Y       []uint32
	Mask       []int
}

type goldenONNX struct {
	Scale   uint32 `json:"scale"`
	Zero    int32  `json:"zero"`
	X       []uint32
	Q       []int8
	Dequant []uint32
}

type goldenONNXGroups struct {
	Size    int
	Scales  []uint32
	Zeros   []int32
	X       []uint32
	Q       []int8
	Dequant []uint32
}

type goldenObserver struct {
	X         []uint32
	Symmetric struct {
		Scale uint32
		Zero  int32
	}
	Affine struct {
		Scale uint32
		Zero  int32
	}
}

type goldenFile struct {
	Generator             string               `json:"generator"`
	TorchQuantize         []goldenTensor       `json:"torch_quantize"`
	TorchQuantizeChannels []goldenChannels     `json:"torch_quantize_channels"`
	TorchFake             []goldenFake         `json:"torch_fake"`
	TorchFakeChannels     []goldenFakeChannels `json:"torch_fake_channels"`
	TorchObservers        []goldenObserver     `json:"torch_observers"`
	ONNX                  struct {
		Tensor []goldenONNX     `json:"tensor"`
		Axis   goldenONNXGroups `json:"axis"`
		Block  goldenONNXGroups `json:"block"`
	} `json:"onnx"`
}

var loadGolden = sync.OnceValues(func() (*goldenFile, error) {
	f, err := os.Open("testdata/interop/golden.json.gz")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var g goldenFile
	return &g, json.NewDecoder(z).Decode(&g)
})

func golden(t *testing.T) *goldenFile {
	t.Helper()
	g, err := loadGolden()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func floats(bits []uint32) []float32 {
	x := make([]float32, len(bits))
	for i, b := range bits {
		x[i] = math.Float32frombits(b)
	}
	return x
}

func halves(bits []uint32) []Float16 {
	x := make([]Float16, len(bits))
	for i, b := range bits {
		x[i] = Float16(b)
	}
	return x
}

// torchQuantizeDeviates reports an input on which PyTorch's x86 kernels
// store -128 by accident and QuantizePyTorch saturates to 127: +Inf, and
// x*inv at or beyond 2^31 (an out-of-range conversion to int32 in its
// vector code; its scalar tail converts to int64, which overflows at
// 2^63 only).
func torchQuantizeDeviates(x, inv float32, torchQ, q int8) bool {
	return torchQ == -128 && q == 127 && x*inv >= 0x1p31
}

// checkTorchQuantized compares QuantizePyTorch's q with PyTorch's and
// returns how many deviate as documented.
func checkTorchQuantized(t *testing.T, what string, x []float32, q, want []int8, inv func(i int) float32) (deviations int) {
	t.Helper()
	for i := range x {
		if q[i] == want[i] {
			continue
		}
		if torchQuantizeDeviates(x[i], inv(i), want[i], q[i]) {
			deviations++
			continue
		}
		t.Errorf("%s: x[%d] = %v (%#08x): q = %d, PyTorch %d", what, i, x[i], math.Float32bits(x[i]), q[i], want[i])
		return deviations
	}
	return deviations
}

func checkBits[T ~uint16 | ~uint32](t *testing.T, what string, x []float32, got []T, want []uint32) {
	t.Helper()
	for i := range want {
		if uint32(got[i]) != want[i] {
			t.Errorf("%s: index %d (x = %v): got %#x, want %#x", what, i, x[i], got[i], want[i])
			return
		}
	}
}

func TestGoldenPyTorch(t *testing.T) {
	g := golden(t)
	t.Logf("golden vectors from %s", g.Generator)
	for _, k := range dispatch.Runnable() {
		t.Run(k.Name, func(t *testing.T) {
			defer dispatch.Use(k)()
			total, dev := 0, 0
			for _, c := range g.TorchQuantize {
				x := floats(c.X)
				p := AffineParams{Scale: float32(c.Scale), ZeroPoint: c.Zero}
				inv := 1 / p.Scale
				q := make([]int8, len(x))
				if err := QuantizePyTorch(q, x, p); err != nil {
					t.Fatal(err)
				}
				dev += checkTorchQuantized(t, fmt.Sprintf("quantize_per_tensor %+v", p), x, q, c.Q, func(int) float32 { return inv })
				total += len(x)
				d := make([]float32, len(x))
				if err := DequantizeAffine(d, c.Q, p); err != nil {
					t.Fatal(err)
				}
				checkBits(t, fmt.Sprintf("dequantize %+v", p), x, bitsOf(d), c.Dequant)
			}

			for _, ch := range g.TorchQuantizeChannels {
				x := floats(ch.X)
				params := make([]AffineParams, ch.Rows)
				for i := range params {
					params[i] = AffineParams{Scale: float32(ch.Scales[i]), ZeroPoint: ch.Zeros[i]}
				}
				q := make([]int8, len(x))
				if err := QuantizePyTorchGroups(q, x, params, PerRow(ch.Cols)); err != nil {
					t.Fatal(err)
				}
				dev += checkTorchQuantized(t, "quantize_per_channel", x, q, ch.Q, func(i int) float32 { return 1 / params[i/ch.Cols].Scale })
				total += len(x)
				d := make([]float32, len(x))
				if err := DequantizeAffineGroups(d, ch.Q, params, PerRow(ch.Cols)); err != nil {
					t.Fatal(err)
				}
				if !ch.Double {
					checkBits(t, "per-channel dequantize", x, bitsOf(d), ch.Dequant)
					continue
				}
				// With float64 scales PyTorch's per-channel dequantize
				// rounds (q - zero) * scale from float64: every value
				// that differs must be that.
				differ := 0
				for i, v := range d {
					c := i / ch.Cols
					if math.Float32bits(v) == ch.Dequant[i] {
						continue
					}
					differ++
					if want := float32(float64(int32(ch.Q[i])-ch.Zeros[c]) * ch.Scales[c]); math.Float32bits(want) != ch.Dequant[i] {
						t.Errorf("per-channel dequantize, float64 scales: index %d: PyTorch %#x is not the float64 product %#x", i, ch.Dequant[i], math.Float32bits(want))
					}
				}
				t.Logf("per-channel dequantize with float64 scales: %d of %d values differ (PyTorch multiplies in float64)", differ, len(d))
			}
			t.Logf("quantize: %d values, %d deviate as documented (+Inf, x/scale >= 2^31)", total, dev)
		})
	}
}

// torchFakeDeviates reports an input that PyTorch fake-quantizes to qmin
// by accident (+Inf, x*inv at or beyond 2^63: an out-of-range conversion
// to int64) where FakeQuantizePyTorch saturates to qmax.
func torchFakeDeviates(x, inv float32) bool { return x*inv >= 0x1p63 }

func TestGoldenPyTorchFake(t *testing.T) {
	g := golden(t)
	for _, k := range dispatch.Runnable() {
		t.Run(k.Name, func(t *testing.T) {
			defer dispatch.Use(k)()
			total, dev := 0, 0
			check := func(what, typ string, xb, yb []uint32, mask []int, p func(i int) AffineParams, run func(x []float32, h []Float16, y []float32, yh []Float16, m []bool) error, qmin, qmax int32) {
				n := len(xb)
				m := make([]bool, n)
				var got []uint32
				var x []float32
				if typ == "float32" {
					x = floats(xb)
					y := make([]float32, n)
					if err := run(x, nil, y, nil, m); err != nil {
						t.Fatal(err)
					}
					got = bitsOf(y)
				} else {
					h := halves(xb)
					yh := make([]Float16, n)
					if err := run(nil, h, nil, yh, m); err != nil {
						t.Fatal(err)
					}
					x = make([]float32, n)
					Float16ToFloat32(x, h)
					got = make([]uint32, n)
					for i, v := range yh {
						got[i] = uint32(v)
					}
				}
				total += n
				for i := range n {
					pi := p(i)
					if torchFakeDeviates(x[i], 1/pi.Scale) {
						dev++
						qminValue := float32(qmin-pi.ZeroPoint) * pi.Scale
						if typ == "float16" {
							qminValue = Float16FromFloat32(qminValue).Float32()
						}
						if math.Float32frombits(yb[i]) != qminValue && typ == "float32" || mask[i] != 0 || m[i] {
							t.Errorf("%s: x[%d] = %v: PyTorch's documented deviation not seen: y %#x, mask %d", what, i, x[i], yb[i], mask[i])
						}
						continue
					}
					if got[i] != yb[i] || m[i] != (mask[i] == 1) {
						t.Errorf("%s %s: x[%d] = %v: got %#x mask %v, PyTorch %#x mask %d", what, typ, i, x[i], got[i], m[i], yb[i], mask[i])
						return
					}
				}
			}
			for _, c := range g.TorchFake {
				p := AffineParams{Scale: float32(c.Scale), ZeroPoint: c.Zero}
				check(fmt.Sprintf("fake_quantize_per_tensor_affine %+v", p), c.Type, c.X, c.Y, c.Mask, func(int) AffineParams { return p },
					func(x []float32, h []Float16, y []float32, yh []Float16, m []bool) error {
						if x != nil {
							return FakeQuantizePyTorch(y, m, x, p, c.QMin, c.QMax)
						}
						return FakeQuantizePyTorch(yh, m, h, p, c.QMin, c.QMax)
					}, c.QMin, c.QMax)
			}
			for _, c := range g.TorchFakeChannels {
				params := make([]AffineParams, c.Rows)
				for i := range params {
					params[i] = AffineParams{Scale: math.Float32frombits(c.Scales[i]), ZeroPoint: c.Zeros[i]}
				}
				gr := PerRow(c.Cols)
				check("fake_quantize_per_channel_affine", c.Type, c.X, c.Y, c.Mask, func(i int) AffineParams { return params[i/c.Cols] },
					func(x []float32, h []Float16, y []float32, yh []Float16, m []bool) error {
						if x != nil {
							return FakeQuantizePyTorchGroups(y, m, x, params, c.QMin, c.QMax, gr)
						}
						return FakeQuantizePyTorchGroups(yh, m, h, params, c.QMin, c.QMax, gr)
					}, c.QMin, c.QMax)
			}
			t.Logf("fake quantize: %d values, %d deviate as documented (+Inf, x/scale >= 2^63)", total, dev)
		})
	}
}

func TestGoldenONNX(t *testing.T) {
	g := golden(t)
	for _, k := range dispatch.Runnable() {
		t.Run(k.Name, func(t *testing.T) {
			defer dispatch.Use(k)()
			exact := func(what string, x []float32, q, wantQ []int8, d []float32, wantD []uint32) {
				for i := range x {
					if q[i] != wantQ[i] {
						t.Errorf("%s: x[%d] = %v: q = %d, ONNX %d", what, i, x[i], q[i], wantQ[i])
						return
					}
				}
				checkBits(t, what+" dequantize", x, bitsOf(d), wantD)
			}
			for _, c := range g.ONNX.Tensor {
				x := floats(c.X)
				p := AffineParams{Scale: math.Float32frombits(c.Scale), ZeroPoint: c.Zero}
				q, d := make([]int8, len(x)), make([]float32, len(x))
				if err := QuantizeONNX(q, x, p); err != nil {
					t.Fatal(err)
				}
				if err := DequantizeAffine(d, c.Q, p); err != nil {
					t.Fatal(err)
				}
				exact(fmt.Sprintf("QuantizeLinear %+v", p), x, q, c.Q, d, c.Dequant)
			}
			for _, c := range []struct {
				name string
				gg   goldenONNXGroups
				g    Granularity
			}{{"per axis", g.ONNX.Axis, PerRow(g.ONNX.Axis.Size)}, {"blocked", g.ONNX.Block, PerBlock(g.ONNX.Block.Size)}} {
				x := floats(c.gg.X)
				params := make([]AffineParams, len(c.gg.Scales))
				for i := range params {
					params[i] = AffineParams{Scale: math.Float32frombits(c.gg.Scales[i]), ZeroPoint: c.gg.Zeros[i]}
				}
				q, d := make([]int8, len(x)), make([]float32, len(x))
				if err := QuantizeONNXGroups(q, x, params, c.g); err != nil {
					t.Fatal(err)
				}
				if err := DequantizeAffineGroups(d, c.gg.Q, params, c.g); err != nil {
					t.Fatal(err)
				}
				exact("QuantizeLinear "+c.name, x, q, c.gg.Q, d, c.gg.Dequant)
			}
		})
	}
}

func TestInteropErrors(t *testing.T) {
	x := []float32{1, 2, float32(math.NaN()), 4}
	q := make([]int8, len(x))
	p := AffineParams{Scale: 0.1, ZeroPoint: 3}
	for _, err := range []error{QuantizePyTorch(q, x, p), QuantizeONNX(q, x, p),
		FakeQuantizePyTorch(make([]float32, 4), nil, x, p, -128, 127)} {
		if !errors.Is(err, ErrNotFinite) {
			t.Errorf("NaN input: error %v, want ErrNotFinite", err)
		}
	}
	for _, bad := range []AffineParams{{Scale: 0}, {Scale: -1}, {Scale: float32(math.Inf(1))}, {Scale: 1e-45},
		{Scale: 1, ZeroPoint: 128}, {Scale: 1, ZeroPoint: -129}} {
		fill(q, 7)
		if err := QuantizePyTorch(q, x[:2], bad); !errors.Is(err, ErrParams) || q[0] != 7 {
			t.Errorf("%+v: error %v, q[0] %d; want ErrParams and dst untouched", bad, err, q[0])
		}
		if err := DequantizeAffine(make([]float32, 2), q[:2], bad); !errors.Is(err, ErrParams) {
			t.Errorf("%+v: DequantizeAffine error %v, want ErrParams", bad, err)
		}
	}
	for _, grid := range [][2]int32{{5, 4}, {-1<<23 - 1, 0}, {0, 1<<23 + 1}, {4, 10}} {
		if err := FakeQuantizePyTorch(make([]float32, 2), nil, x[:2], p, grid[0], grid[1]); !errors.Is(err, ErrParams) {
			t.Errorf("grid %v, zero point 3: error %v, want ErrParams", grid, err)
		}
	}
}

// torchObserverParams are the int8 parameters PyTorch's MinMaxObserver
// computes for values from min to max (torch.per_tensor_symmetric, or
// torch.per_tensor_affine), in its float32 tensor arithmetic; the golden
// observers check the formulas.
func torchObserverParams(min, max float32, symmetric bool) AffineParams {
	const eps = 0x1p-23 // torch.finfo(torch.float32).eps
	minNeg, maxPos := float32(math.Min(float64(min), 0)), float32(math.Max(float64(max), 0))
	if symmetric {
		s := float32(math.Max(float64(-minNeg), float64(maxPos))) / 127.5
		return AffineParams{Scale: float32(math.Max(float64(s), eps))}
	}
	s := float32(math.Max(float64((maxPos-minNeg)/255), eps))
	z := -128 - int32(math.RoundToEven(float64(minNeg/s)))
	return AffineParams{Scale: s, ZeroPoint: min32(max32(z, -128), 127)}
}

func min32(a, b int32) int32 { return min(a, b) }
func max32(a, b int32) int32 { return max(a, b) }

func TestGoldenObservers(t *testing.T) {
	for i, o := range golden(t).TorchObservers {
		lo, hi := MinMax(floats(o.X))
		for _, c := range []struct {
			sym   bool
			scale uint32
			zero  int32
		}{{true, o.Symmetric.Scale, o.Symmetric.Zero}, {false, o.Affine.Scale, o.Affine.Zero}} {
			p := torchObserverParams(lo, hi, c.sym)
			if math.Float32bits(p.Scale) != c.scale || p.ZeroPoint != c.zero {
				t.Errorf("observer %d (symmetric %v, range [%v, %v]): got %+v, PyTorch scale %v zero %d",
					i, c.sym, lo, hi, p, math.Float32frombits(c.scale), c.zero)
			}
		}
	}
}

// The library's own arithmetic against PyTorch's, on a stated data set:
// 2^20 values, normally distributed (math/rand/v2 PCG seeded 2026,
// NormFloat64), in 1024 tensors of 1024, as float32 and rounded to
// bfloat16 (as weights loaded from a bfloat16 file are). The README
// quotes these counts; QuantizePyTorch is PyTorch bit for bit
// (TestGoldenPyTorch), so each difference from it is a difference from
// PyTorch.
type ownVsPyTorch struct {
	ties, sums     int // same parameters: ties with an odd zero point; other roundings of the sum
	affine, absmax int // own computed parameters vs MinMaxObserver's (affine, symmetric)
	paramsDiffer   int // tensors whose affine parameters differ (1/scale or zero point)
	atQMin         int // of the symmetric ones, PyTorch's -128 (the library's grid ends at -127)
}

var ownVsPyTorchCounts = map[string]ownVsPyTorch{
	"float32":  {ties: 1, affine: 0, paramsDiffer: 290, absmax: 122817, atQMin: 388},
	"bfloat16": {ties: 837, affine: 5876, paramsDiffer: 183, absmax: 122017, atQMin: 354},
}

const ownVsPyTorchTensor, ownVsPyTorchTensors = 1024, 1024

func ownVsPyTorchData(bf16 bool) [][]float32 {
	r := newRand(2026)
	tensors := make([][]float32, ownVsPyTorchTensors)
	for i := range tensors {
		x := make([]float32, ownVsPyTorchTensor)
		for j := range x {
			x[j] = float32(r.NormFloat64())
			if bf16 {
				x[j] = BFloat16FromFloat32(x[j]).Float32()
			}
		}
		tensors[i] = x
	}
	return tensors
}

func TestOwnArithmeticVsPyTorch(t *testing.T) {
	for _, name := range []string{"float32", "bfloat16"} {
		got := ownArithmeticVsPyTorch(t, ownVsPyTorchData(name == "bfloat16"))
		t.Logf("%s, %d values: same parameters: %d ties with an odd zero point, %d other sums; "+
			"computed parameters vs MinMaxObserver: affine %d (parameters differ in %d tensors), symmetric %d (%d at -128)",
			name, ownVsPyTorchTensor*ownVsPyTorchTensors, got.ties, got.sums, got.affine, got.paramsDiffer, got.absmax, got.atQMin)
		if got != ownVsPyTorchCounts[name] {
			t.Errorf("%s: counts changed from %+v: update ownVsPyTorchCounts and the README", name, ownVsPyTorchCounts[name])
		}
	}
}

func ownArithmeticVsPyTorch(t *testing.T, data [][]float32) (c ownVsPyTorch) {
	q, want := make([]int8, ownVsPyTorchTensor), make([]int8, ownVsPyTorchTensor)
	zeros := []int32{0, 1, -1, 3, -7, 127, -128, 50}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	for ti, x := range data {
		// Same parameters: PyTorch's (scale, zero) and the library's
		// (1/scale, zero).
		p := AffineParams{Scale: float32(3.5 / 127), ZeroPoint: zeros[ti%len(zeros)]}
		inv := 1 / p.Scale
		must(QuantizePyTorch(want, x, p))
		must(QuantizeZeroPointWith(q, x, ZeroPointParams{Scale: inv, ZeroPoint: p.ZeroPoint}))
		for i := range x {
			if q[i] != want[i] {
				if v := float32(x[i] * inv); v-float32(math.Floor(float64(v))) == 0.5 {
					c.ties++
				} else {
					c.sums++
				}
			}
		}
		// Computed parameters: each side's own from the tensor's range.
		lo, hi := MinMax(x)
		own, err := QuantizeZeroPoint(q, x)
		must(err)
		theirs := torchObserverParams(lo, hi, false)
		if own.Scale != 1/theirs.Scale || own.ZeroPoint != theirs.ZeroPoint {
			c.paramsDiffer++
		}
		must(QuantizePyTorch(want, x, theirs))
		c.affine += countDiff(q, want)
		_, err = QuantizeAbsmax(q, x)
		must(err)
		must(QuantizePyTorch(want, x, torchObserverParams(lo, hi, true)))
		c.absmax += countDiff(q, want)
		for i := range want {
			if want[i] == -128 {
				c.atQMin++
			}
		}
	}
	return c
}

func countDiff(a, b []int8) (n int) {
	for i := range a {
		if a[i] != b[i] {
			n++
		}
	}
	return n
}

func TestInteropAllocs(t *testing.T) {
	x := tame(randomFloats(newRand(4), 3*staticChunk+5, true))
	f16, _, bf16, _ := groupInputs(x)
	q, y, y16 := make([]int8, len(x)), make([]float32, len(x)), make([]Float16, len(x))
	mask := make([]bool, len(x))
	p := AffineParams{Scale: 0.02, ZeroPoint: 3}
	pb := repeat(p, PerBlock(32).Groups(len(x)))
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"QuantizePyTorch", func() { _ = QuantizePyTorch(q, x, p) }},
		{"QuantizeONNX BFloat16", func() { _ = QuantizeONNX(q, bf16, p) }},
		{"QuantizeONNXGroups PerBlock", func() { _ = QuantizeONNXGroups(q, x, pb, PerBlock(32)) }},
		{"DequantizeAffine", func() { _ = DequantizeAffine(y, q, p) }},
		{"FakeQuantizePyTorch mask", func() { _ = FakeQuantizePyTorch(y, mask, x, p, 0, 255) }},
		{"FakeQuantizePyTorch Float16", func() { _ = FakeQuantizePyTorch(y16, nil, f16, p, -128, 127) }},
	} {
		c.f()
		if a := testing.AllocsPerRun(20, c.f); a != 0 {
			t.Errorf("%s: %v allocations per call", c.name, a)
		}
	}
}
