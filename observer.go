package quant

import (
	"fmt"

	"github.com/qkernels/quant/kernels"
)

// Observer accumulates the range of the values of many batches, as a
// calibration pass over sample inputs does, and gives the parameters of
// that range: PyTorch's MinMaxObserver, or its
// MovingAverageMinMaxObserver with Averaging set. The zero value is ready
// to use. An Observer is not safe for concurrent use.
//
// The parameters are this library's (see AbsmaxParamsFor and
// ZeroPointParamsFor): unlike PyTorch's observers, the range is not
// widened to include 0.
type Observer[T Float] struct {
	// Averaging is the constant c of an exponential moving average of the
	// batches' ranges. The first batch sets the range; each later one
	// moves it by c times the difference, in float32 as PyTorch computes
	// it on float32 tensors (each operation rounded, never fused):
	//
	//	min = min + float32(c * float32(batchMin - min))
	//
	// and the same for max. PyTorch's MovingAverageMinMaxObserver uses
	// c = 0.01. Zero, the default, keeps the smallest and largest values
	// seen instead, as MinMaxObserver does.
	Averaging float32

	min, max float32
	seen     bool
}

// Observe folds the range of src into o; an empty src changes nothing.
// It returns an error wrapping ErrNotFinite, naming the first NaN or
// infinity, if src holds one, and leaves o unchanged then.
func (o *Observer[T]) Observe(src []T) error {
	if len(src) == 0 {
		return nil
	}
	s := sourceOf(active(), src)
	lo, hi := s.minMaxKeys(0, len(src))
	if lo <= kernels.KeyNegInf || hi >= kernels.KeyPosInf {
		i := s.firstNonFinite(0, len(src))
		return fmt.Errorf("quant: Observer.Observe: %w: src[%d] = %v", ErrNotFinite, i, s.at(i))
	}
	bmin, bmax := keyFloat(lo), keyFloat(hi)
	switch {
	case !o.seen:
		o.min, o.max, o.seen = bmin, bmax, true
	case o.Averaging == 0:
		o.min, o.max = min(o.min, bmin), max(o.max, bmax)
	default:
		c := o.Averaging
		o.min += float32(c * float32(bmin-o.min))
		o.max += float32(c * float32(bmax-o.max))
	}
	return nil
}

// Range returns the range observed so far, and ok false before any value
// has been.
func (o *Observer[T]) Range() (min, max float32, ok bool) { return o.min, o.max, o.seen }

// Reset forgets the values observed; Averaging stays.
func (o *Observer[T]) Reset() { o.min, o.max, o.seen = 0, 0, false }

// AbsmaxParams returns AbsmaxParamsFor(max(|min|, |max|)) of the range
// observed. Before any value has been observed it returns an error
// wrapping ErrParams.
func (o *Observer[T]) AbsmaxParams() (AbsmaxParams, error) {
	if !o.seen {
		return AbsmaxParams{}, fmt.Errorf("quant: Observer.AbsmaxParams: %w: no values observed", ErrParams)
	}
	return AbsmaxParamsFor(max(abs32(o.min), abs32(o.max)))
}

// ZeroPointParams returns ZeroPointParamsFor(min, max) of the range
// observed; before any value has been observed, an error wrapping
// ErrParams.
func (o *Observer[T]) ZeroPointParams() (ZeroPointParams, error) {
	if !o.seen {
		return ZeroPointParams{}, fmt.Errorf("quant: Observer.ZeroPointParams: %w: no values observed", ErrParams)
	}
	return ZeroPointParamsFor(o.min, o.max)
}

func abs32(x float32) float32 { return max(x, -x) }
