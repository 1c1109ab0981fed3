package benchmarks

import (
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"github.com/qkernels/quant"
	"github.com/qkernels/quant/fallback"
)

// Sizes are the numbers of elements measured by default; quick runs
// (-short) stop at QuickSizes.
var (
	Sizes      = []int{256, 4096, 65536, 1 << 20, 1 << 24}
	QuickSizes = []int{256, 4096, 65536}
)

// SizesEnv names the environment variable that overrides the sizes: a
// comma-separated list of element counts.
const SizesEnv = "QUANT_BENCH_SIZES"

// BenchSizes returns the sizes to measure: $QUANT_BENCH_SIZES if set, else
// QuickSizes if short, else Sizes.
func BenchSizes(short bool) ([]int, error) {
	if env := strings.TrimSpace(os.Getenv(SizesEnv)); env != "" {
		var sizes []int
		for _, f := range strings.Split(env, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				return nil, &sizeError{f}
			}
			sizes = append(sizes, n)
		}
		return sizes, nil
	}
	if short {
		return QuickSizes, nil
	}
	return Sizes, nil
}

type sizeError struct{ field string }

func (e *sizeError) Error() string {
	return SizesEnv + ": " + strconv.Quote(e.field) + " is not a positive element count"
}

// Buffers rotate between iterations: up to maxBuffers, with at most
// rotationBytes of inputs and outputs together (counting 8 bytes per
// element, the most any kernel moves).
const (
	maxBuffers    = 8
	rotationBytes = 256 << 20
)

// BufferCount returns how many input (and output) buffers rotate at n
// elements.
func BufferCount(n int) int {
	return max(1, min(maxBuffers, rotationBytes/(8*n)))
}

// Weights returns n model-like weights: normal with standard deviation
// 0.02, and about one element in 4096 an outlier 8 to 64 times larger.
// The same seed gives the same weights.
func Weights(n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 0x9E3779B97F4A7C15))
	w := make([]float32, n)
	for i := range w {
		x := 0.02 * r.NormFloat64()
		if r.Uint32()&4095 == 0 {
			x *= 8 + 56*r.Float64()
		}
		w[i] = float32(x)
	}
	return w
}

// Inputs are the rotating input buffers of one size, made on first use,
// each kind from the float32 weights.
type Inputs struct {
	N, Count int

	f32       [][]float32
	f16, bf16 [][]uint16
	qa, qz    [][]int8
	pa        []quant.AbsmaxParams
	pz        []quant.ZeroPointParams
	qaf       [][]int8
	paf       []quant.AffineParams
	pabf      []quant.AbsmaxParams
	pzbf      []quant.ZeroPointParams
	q8        [][]byte
	q40, q41  [][]byte
	pairs     [][]float32
}

var inputCache = map[int]*Inputs{}

// InputsFor returns the (cached) inputs of n elements. Benchmarks run one
// at a time, so the cache needs no lock.
func InputsFor(n int) *Inputs {
	in := inputCache[n]
	if in == nil {
		in = &Inputs{N: n, Count: BufferCount(n)}
		inputCache[n] = in
	}
	return in
}

// F32 returns the weights.
func (in *Inputs) F32() [][]float32 {
	if in.f32 == nil {
		for i := range in.Count {
			in.f32 = append(in.f32, Weights(in.N, uint64(in.N)<<8|uint64(i)))
		}
	}
	return in.f32
}

// F16 returns the weights as binary16.
func (in *Inputs) F16() [][]uint16 { return in.narrowed(&in.f16, fallback.Float32ToFloat16) }

// BF16 returns the weights as bfloat16.
func (in *Inputs) BF16() [][]uint16 { return in.narrowed(&in.bf16, fallback.Float32ToBFloat16) }

// narrowed returns *bufs, first filled with the weights converted by
// narrow.
func (in *Inputs) narrowed(bufs *[][]uint16, narrow func(dst []uint16, src []float32)) [][]uint16 {
	if *bufs == nil {
		for _, w := range in.F32() {
			h := make([]uint16, len(w))
			narrow(h, w)
			*bufs = append(*bufs, h)
		}
	}
	return *bufs
}

// Absmax returns the weights quantized symmetrically, with their
// parameters.
func (in *Inputs) Absmax() ([][]int8, []quant.AbsmaxParams) {
	return quantized(in, &in.qa, &in.pa, Reference.QuantizeAbsmax)
}

// ZeroPoint returns the weights quantized asymmetrically, with their
// parameters.
func (in *Inputs) ZeroPoint() ([][]int8, []quant.ZeroPointParams) {
	return quantized(in, &in.qz, &in.pz, Reference.QuantizeZeroPoint)
}

// Affine returns the weights quantized as PyTorch does (QuantizePyTorch),
// with their parameters: ZeroPoint's in PyTorch's form, the step 1/Scale
// (rounded to float32) and the same zero point, which the weights (of
// both signs) put within [-128, 127].
func (in *Inputs) Affine() ([][]int8, []quant.AffineParams) {
	_, zps := in.ZeroPoint()
	i := 0 // quantized quantizes the weights in order
	return quantized(in, &in.qaf, &in.paf, func(dst []int8, src []float32) (quant.AffineParams, error) {
		p := quant.AffineParams{Scale: 1 / zps[i].Scale, ZeroPoint: zps[i].ZeroPoint}
		i++
		return p, Reference.QuantizePyTorch(dst, src, p)
	})
}

// AffineParams returns the parameters of Affine.
func (in *Inputs) AffineParams() []quant.AffineParams {
	_, p := in.Affine()
	return p
}

// quantized returns *qs and *params, first filled with the weights
// quantized by quantize.
func quantized[P any](in *Inputs, qs *[][]int8, params *[]P, quantize func(dst []int8, src []float32) (P, error)) ([][]int8, []P) {
	if *qs == nil {
		for _, w := range in.F32() {
			q := make([]int8, len(w))
			p, err := quantize(q, w)
			if err != nil {
				panic(err)
			}
			*qs, *params = append(*qs, q), append(*params, p)
		}
	}
	return *qs, *params
}

// AbsmaxParamsBF16 returns the parameters QuantizeAbsmax finds for each
// bfloat16 input (QuantizeAbsmaxGroups with PerTensor).
func (in *Inputs) AbsmaxParamsBF16() []quant.AbsmaxParams {
	return paramsOf(in, &in.pabf, in.BF16, Reference.QuantizeAbsmaxPerRowBFloat16)
}

// ZeroPointParamsBF16 returns the parameters QuantizeZeroPoint finds for
// each bfloat16 input.
func (in *Inputs) ZeroPointParamsBF16() []quant.ZeroPointParams {
	return paramsOf(in, &in.pzbf, in.BF16, Reference.QuantizeZeroPointPerRowBFloat16)
}

// paramsOf returns *params, first filled with the parameters that the
// per-row quantizer quantize finds for each input of input as one row.
func paramsOf[S, P any](in *Inputs, params *[]P, input func() [][]S, quantize func([]int8, []P, []S, int) error) []P {
	if *params == nil {
		q := make([]int8, in.N)
		for _, src := range input() {
			p := make([]P, 1)
			if err := quantize(q, p, src, len(src)); err != nil {
				panic(err)
			}
			*params = append(*params, p[0])
		}
	}
	return *params
}

// ErrorPairs returns, for each input, the weights x followed by their
// reconstruction y in one buffer of 2N values: y = DequantizeAbsmax of
// the weights' absmax quants (the output of FakeQuantizeAbsmax with the
// computing quantizer's parameters). MeasureError compares x = p[:N]
// with y = p[N:]; one buffer lets the read ceiling pass over the same
// 8N bytes.
func (in *Inputs) ErrorPairs() [][]float32 {
	if in.pairs == nil {
		qs, ps := in.Absmax()
		for i, w := range in.F32() {
			p := make([]float32, 2*in.N)
			copy(p, w)
			Reference.DequantizeAbsmax(p[in.N:], qs[i], ps[i])
			in.pairs = append(in.pairs, p)
		}
	}
	return in.pairs
}

// Q8_0 returns the weights encoded as Q8_0 blocks (N must be a multiple
// of 32).
func (in *Inputs) Q8_0() [][]byte { return in.encoded(&in.q8, quant.Q8_0Bytes, Reference.EncodeQ8_0) }

// Q4_0 returns the weights encoded as Q4_0 blocks (N must be a multiple
// of 32).
func (in *Inputs) Q4_0() [][]byte { return in.encoded(&in.q40, quant.Q4_0Bytes, Reference.EncodeQ4_0) }

// Q4_1 returns the weights encoded as Q4_1 blocks (N must be a multiple
// of 32).
func (in *Inputs) Q4_1() [][]byte { return in.encoded(&in.q41, quant.Q4_1Bytes, Reference.EncodeQ4_1) }

// encoded returns *bufs, first filled with the weights encoded by encode
// into GGUF blocks of 32 values and blockBytes bytes.
func (in *Inputs) encoded(bufs *[][]byte, blockBytes int, encode func([]byte, []float32) error) [][]byte {
	if *bufs == nil {
		for _, w := range in.F32() {
			b := make([]byte, len(w)/quant.Q8_0Values*blockBytes)
			if err := encode(b, w); err != nil {
				panic(err)
			}
			*bufs = append(*bufs, b)
		}
	}
	return *bufs
}

// Buffers allocates count output buffers of n elements and writes every
// page of them, so that page faults stay out of the timings.
func Buffers[T any](count, n int) [][]T {
	bufs := make([][]T, count)
	var one T
	for i := range bufs {
		bufs[i] = make([]T, n)
		for j := range bufs[i] {
			bufs[i][j] = one
		}
	}
	return bufs
}
