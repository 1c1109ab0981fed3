package quant

import (
	"fmt"
	"math"
	"sync"
)

// ErrorStats measures how far a reconstruction (dequantized values, say)
// is from the tensor it stands for. The sums are float64 and
// deterministic: the same bits on every architecture, kernel set and
// worker count (see MeasureError).
type ErrorStats struct {
	N               int     // values compared
	SumSquaredError float64 // Σ (x − y)²
	SumSquares      float64 // Σ x², the signal's energy
	MaxAbsError     float64 // max |x − y|
}

// MSE returns the mean squared error, SumSquaredError/N (0 for N = 0).
func (s ErrorStats) MSE() float64 {
	if s.N == 0 {
		return 0
	}
	return s.SumSquaredError / float64(s.N)
}

// SQNR returns the signal-to-quantization-noise ratio in decibels,
// 10·log10(SumSquares/SumSquaredError): +Inf for an exact
// reconstruction, -Inf for a zero signal reconstructed with an error.
// It goes through math.Log10, which Go computes in assembly on some
// architectures (s390x), so unlike the sums its last bit may differ
// between them.
func (s ErrorStats) SQNR() float64 {
	if s.SumSquaredError == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(s.SumSquares/s.SumSquaredError)
}

// MeasureError compares x with its reconstruction y, value by value:
// with e = float64(x) − float64(y), the sums of e² and of float64(x)²
// and the largest |e|, each operation a float64 one rounded to nearest
// (never fused). The order of the sums is fixed, so that the results
// are the same bits everywhere: x is taken in chunks of 4096 values from
// its start, within a chunk value i goes to lane i%16 of 16 running sums
// that kernels.ErrorLanes then adds, and the chunks' sums are added in
// order. 16-bit values enter at their exact float32 values.
//
// It returns an error wrapping ErrNotFinite, naming the first NaN or
// infinity of x or y, if either holds one. It panics if len(y) !=
// len(x).
func MeasureError[T Float](x, y []T) (ErrorStats, error) {
	const fn = "MeasureError"
	checkSameLen(fn, len(x), len(y))
	var st ErrorStats
	sx, sy := sourceOf(active(), x), sourceOf(active(), y)
	buf := errorBuffer(sx)
	err := measureGroup(fn, PerTensor(), 0, &st, sx, sy, buf, 0, len(x))
	putErrorBuffer(buf)
	return st, err
}

// MeasureErrorGroups is MeasureError for each group of g: stats[i]
// describes group i, computed as MeasureError computes it for that group
// alone, parallel if g is (with the same results). It returns the error
// for the first group holding a NaN or an infinity; it panics if
// len(y) != len(x), if stats holds fewer than g.Groups(len(x)) values,
// or if x is not whole rows of a PerRow g.
func MeasureErrorGroups[T Float](stats []ErrorStats, x, y []T, g Granularity) error {
	const fn = "MeasureErrorGroups"
	checkSameLen(fn, len(x), len(y))
	n := len(x)
	ng := g.groups(fn, n)
	if len(stats) < ng {
		panic("quant: " + fn + ": len(stats) = " + itoa(len(stats)) + " < " + itoa(ng) + " groups (" + g.String() + ")")
	}
	sx, sy := sourceOf(active(), x), sourceOf(active(), y)
	if w := g.workersFor(n); w > 1 {
		return measureParallel(fn, stats[:ng], sx, sy, g, w)
	}
	return measureGroups(fn, stats, sx, sy, g, 0, ng)
}

// measureGroups measures groups [glo, ghi) into stats.
func measureGroups(fn string, stats []ErrorStats, x, y source, g Granularity, glo, ghi int) error {
	buf := errorBuffer(x)
	defer putErrorBuffer(buf)
	n := x.len()
	for i := glo; i < ghi; i++ {
		lo, hi := g.span(i, n)
		if err := measureGroup(fn, g, i, &stats[i], x, y, buf, lo, hi); err != nil {
			return err
		}
	}
	return nil
}

// measureParallel is measureGroups over all groups on w goroutines, in
// a function of its own so that serial calls do not allocate.
func measureParallel(fn string, stats []ErrorStats, x, y source, g Granularity, w int) error {
	errs := make([]error, w)
	split(w, len(stats), func(part, glo, ghi int) { errs[part] = measureGroups(fn, stats, x, y, g, glo, ghi) })
	for _, err := range errs { // in order: the first group at fault
		if err != nil {
			return err
		}
	}
	return nil
}

func checkSameLen(fn string, nx, ny int) {
	if nx != ny {
		panic("quant: " + fn + ": len(x) = " + itoa(nx) + " != len(y) = " + itoa(ny))
	}
}

// errorChunk is the chunk of MeasureError's fixed summation order.
const errorChunk = 4096

// errorScratch holds a chunk of 16-bit x and y widened to float32.
type errorScratch struct{ x, y [errorChunk]float32 }

var errorPool = sync.Pool{New: func() any { return new(errorScratch) }}

// errorBuffer returns scratch for 16-bit inputs like s, nil for float32;
// putErrorBuffer gives it back.
func errorBuffer(s source) *errorScratch {
	if s.kind == elemFloat32 {
		return nil
	}
	return errorPool.Get().(*errorScratch)
}

func putErrorBuffer(buf *errorScratch) {
	if buf != nil {
		errorPool.Put(buf)
	}
}

// measureGroup stores in st the stats of values [lo, hi) of x and y,
// group i of g.
func measureGroup(fn string, g Granularity, i int, st *ErrorStats, x, y source, buf *errorScratch, lo, hi int) error {
	*st = ErrorStats{N: hi - lo}
	for c0 := lo; c0 < hi; c0 += errorChunk {
		c1 := min(c0+errorChunk, hi)
		var sse, ss, m float64
		if buf == nil {
			sse, ss, m = x.k.ErrorSums(x.f32[c0:c1], y.f32[c0:c1])
		} else {
			bx, by := buf.x[:c1-c0], buf.y[:c1-c0]
			x.widenInto(bx, c0, c1)
			y.widenInto(by, c0, c1)
			sse, ss, m = x.k.ErrorSums(bx, by)
		}
		if isInfOrNaN(sse) || isInfOrNaN(ss) {
			return nonFiniteXY(fn, g.label(i), x, y, c0, c1)
		}
		st.SumSquaredError += sse
		st.SumSquares += ss
		st.MaxAbsError = max(st.MaxAbsError, m)
	}
	return nil
}

func isInfOrNaN(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }

// nonFiniteXY builds the error for the first NaN or infinity of x or y in
// [lo, hi), which a chunk's sums have shown is there.
func nonFiniteXY(fn, label string, x, y source, lo, hi int) error {
	for i := lo; i < hi; i++ {
		for _, s := range [2]struct {
			name string
			src  source
		}{{"x", x}, {"y", y}} {
			if v := s.src.at(i); isNonFinite(v) {
				return fmt.Errorf("quant: %s: %s%w: %s[%d] = %v", fn, label, ErrNotFinite, s.name, i, v)
			}
		}
	}
	panic("quant: " + fn + ": sums reported a non-finite value that is not there")
}

// widenInto stores values [lo, hi) of a 16-bit s as float32 in dst.
func (s source) widenInto(dst []float32, lo, hi int) {
	if s.kind == elemFloat16 {
		s.k.Float16ToFloat32(dst, s.u16[lo:hi])
		return
	}
	s.k.BFloat16ToFloat32(dst, s.u16[lo:hi])
}
