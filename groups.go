package quant

import (
	"fmt"
	"math"
	"slices"

	"github.com/qkernels/quant/kernels"
)

// QuantizeAbsmaxGroups quantizes src into dst symmetrically, with one
// AbsmaxParams per group of g: each group is quantized exactly as
// QuantizeAbsmax quantizes it on its own, and its parameters are stored in
// params[i] for group i. With PerTensor it computes what QuantizeAbsmax
// does.
//
// It returns an error wrapping ErrNotFinite or ErrRange, naming the first
// group at fault, if any group is; dst and params are then left
// untouched. It panics if dst is shorter than src, if params holds fewer
// than g.Groups(len(src)) values, or if src is not whole rows of a PerRow
// g.
func QuantizeAbsmaxGroups[T Float](dst []int8, params []AbsmaxParams, src []T, g Granularity) error {
	const fn = "QuantizeAbsmaxGroups"
	s := sourceOf(active(), src)
	return quantizeGroups(fn, dst, params, s, g, absmaxMethod{})
}

// QuantizeZeroPointGroups quantizes src into dst asymmetrically, with one
// ZeroPointParams per group of g: each group is quantized exactly as
// QuantizeZeroPoint quantizes it on its own, and its parameters are stored
// in params[i] for group i. With PerTensor it computes what
// QuantizeZeroPoint does.
//
// Errors and panics are those of QuantizeAbsmaxGroups.
func QuantizeZeroPointGroups[T Float](dst []int8, params []ZeroPointParams, src []T, g Granularity) error {
	const fn = "QuantizeZeroPointGroups"
	s := sourceOf(active(), src)
	return quantizeGroups(fn, dst, params, s, g, zeroPointMethod{})
}

// DequantizeAbsmaxGroups stores float32(q) / params[i].Scale for each q of
// group i of src, converted to T. It panics if dst is shorter than src,
// if params holds fewer than g.Groups(len(src)) values, or if src is not
// whole rows of a PerRow g.
func DequantizeAbsmaxGroups[T Float](dst []T, src []int8, params []AbsmaxParams, g Granularity) {
	const fn = "DequantizeAbsmaxGroups"
	ng := checkGroups(fn, len(dst), len(src), len(params), g)
	dequantizeGroups(sinkOf(active(), dst), src, params[:ng], g)
}

// DequantizeZeroPointGroups stores float32(int32(q) - params[i].ZeroPoint)
// / params[i].Scale for each q of group i of src, converted to T. Its
// panics are those of DequantizeAbsmaxGroups, and those of
// DequantizeZeroPoint for each params value.
func DequantizeZeroPointGroups[T Float](dst []T, src []int8, params []ZeroPointParams, g Granularity) {
	const fn = "DequantizeZeroPointGroups"
	ng := checkGroups(fn, len(dst), len(src), len(params), g)
	for i, p := range params[:ng] {
		if p.ZeroPoint < minZeroPoint || p.ZeroPoint > maxZeroPoint {
			panic(fmt.Sprintf("quant: %s: params[%d].ZeroPoint %d out of range", fn, i, p.ZeroPoint))
		}
	}
	dequantizeGroups(sinkOf(active(), dst), src, params[:ng], g)
}

// checkGroups checks the lengths of a grouped call and returns the number
// of groups.
func checkGroups(fn string, ndst, nsrc, nparams int, g Granularity) int {
	checkLen(fn, ndst, nsrc)
	ng := g.groups(fn, nsrc)
	if nparams < ng {
		panic("quant: " + fn + ": len(params) = " + itoa(nparams) + " < " + itoa(ng) + " groups (" + g.String() + ")")
	}
	return ng
}

// method is one way to quantize a group: its parameters, from a reduction
// of the group, and the quantizing pass with them.
type method[P any] interface {
	// reduce returns the parameters of values [lo, hi) of s, with the
	// reduction split over w goroutines.
	reduce(s source, lo, hi, w int) (P, error)
	// surelyValid reports, without computing them, that values [lo, hi)
	// have parameters. It may answer false for some that do: then reduce
	// decides. It lets the checking pass skip the divisions.
	surelyValid(s source, lo, hi, w int) bool
	quantize(dst []int8, s source, lo, hi int, p P)
	// fused quantizes values [lo, hi) of s in one kernel call, reduction
	// included, when they are ordinary (see kernels.Set's fused
	// quantizers) and returns their parameters and true; otherwise it
	// writes nothing and returns false. A single group needs no separate
	// checking pass.
	fused(dst []int8, s source, lo, hi int) (P, bool)
	blockMethod[P]
}

// paramsCache is how many groups' parameters the second pass takes from
// the first instead of computing them again. With more groups than this,
// each is small next to the input, and its second reduction reads what
// the quantizing pass reads next from cache.
const paramsCache = 64

// quantizeGroups runs m over the groups of g in two passes: the first
// computes and checks every group's parameters, so that an error leaves
// dst and params untouched; the second stores them and quantizes.
func quantizeGroups[P any](fn string, dst []int8, params []P, s source, g Granularity, m method[P]) error {
	n := s.len()
	ng := checkGroups(fn, len(dst), n, len(params), g)
	j := groupJob[P]{fn: fn, dst: dst[:n], params: params[:ng], s: s, g: g, m: m, n: n, inner: 1}
	if w := g.workersFor(n); w > 1 {
		return j.parallel(w)
	}
	if ng == 1 {
		if p, ok := m.fused(j.dst, s, 0, n); ok {
			j.params[0] = p
			return nil
		}
	}
	if j.oneChunk() {
		return j.checkQuantizeChunk()
	}
	var buf [paramsCache]P
	var cache []P
	if ng <= paramsCache && !j.blocked() {
		cache = buf[:ng]
	}
	if err := j.check(cache, 0, ng); err != nil {
		return err
	}
	j.quantize(cache, 0, ng)
	return nil
}

// groupJob is one grouped quantization. The parallel paths live in
// functions of their own and the parameters cache is passed apart, so
// that serial calls do not allocate.
type groupJob[P any] struct {
	fn     string
	dst    []int8
	params []P
	s      source
	g      Granularity
	m      method[P]
	n      int // values
	inner  int // goroutines per group
}

// parallel runs the two passes on w goroutines: over the groups if there
// are many, else within each group.
func (j groupJob[P]) parallel(w int) error {
	ng, outer := len(j.params), w
	if !splitsGroups(ng, w) {
		j.inner, outer = w, 1
	}
	var cache []P
	if ng <= paramsCache && !j.blocked() {
		cache = make([]P, ng)
	}
	errs := make([]error, outer)
	split(outer, ng, func(part, glo, ghi int) { errs[part] = j.check(cache, glo, ghi) })
	for _, err := range errs { // the first failing group, whatever w is
		if err != nil {
			return err
		}
	}
	split(outer, ng, func(_, glo, ghi int) { j.quantize(cache, glo, ghi) })
	return nil
}

// check computes the parameters of groups [glo, ghi), keeping them in
// cache if it is not nil, and returns the error of the first that has
// none.
func (j groupJob[P]) check(cache []P, glo, ghi int) error {
	if j.blocked() {
		return j.checkBlocks(glo, ghi)
	}
	return j.checkEach(cache, glo, ghi)
}

// checkEach is check one group at a time.
func (j groupJob[P]) checkEach(cache []P, glo, ghi int) error {
	for i := glo; i < ghi; i++ {
		lo, hi := j.g.span(i, j.n)
		if cache == nil && j.m.surelyValid(j.s, lo, hi, j.inner) {
			continue
		}
		p, err := j.m.reduce(j.s, lo, hi, j.inner)
		if err != nil {
			return groupError(j.fn, j.g, i, j.s, lo, hi, err)
		}
		if cache != nil {
			cache[i] = p
		}
	}
	return nil
}

// quantize stores the parameters of groups [glo, ghi), from cache if it
// is not nil, and quantizes them.
func (j groupJob[P]) quantize(cache []P, glo, ghi int) {
	if j.blocked() {
		j.quantizeBlocks(glo, ghi)
		return
	}
	j.quantizeEach(cache, glo, ghi)
}

// quantizeEach is quantize one group at a time.
func (j groupJob[P]) quantizeEach(cache []P, glo, ghi int) {
	for i := glo; i < ghi; i++ {
		lo, hi := j.g.span(i, j.n)
		var p P
		if cache != nil {
			p = cache[i]
		} else {
			p, _ = j.m.reduce(j.s, lo, hi, j.inner)
		}
		j.params[i] = p
		if j.inner > 1 {
			quantizeSplit(j.m, j.dst, j.s, lo, hi, j.inner, p)
		} else {
			j.m.quantize(j.dst, j.s, lo, hi, p)
		}
	}
}

// quantizeSplit quantizes [lo, hi) on w goroutines. It takes only what
// it needs, not the job, so that the job need not escape to the heap.
func quantizeSplit[P any](m method[P], dst []int8, s source, lo, hi, w int, p P) {
	split(w, hi-lo, func(_, a, b int) { m.quantize(dst, s, lo+a, lo+b, p) })
}

// groupError describes the failure err of group i, [lo, hi) of s.
func groupError(fn string, g Granularity, i int, s source, lo, hi int, err error) error {
	if err == ErrNotFinite {
		j := s.firstNonFinite(lo, hi)
		return fmt.Errorf("quant: %s: %s%w: src[%d] = %v", fn, g.label(i), err, j, s.at(j))
	}
	return fmt.Errorf("quant: %s: %s%w", fn, g.label(i), err)
}

// dequantizer is a parameters type: AbsmaxParams dequantizes as a zero
// point of 0, AffineParams with a product where the others divide.
type dequantizer interface {
	AbsmaxParams | ZeroPointParams | AffineParams
	// dequantize writes the values of src to [lo, hi) of out.
	dequantize(out sink, lo, hi int, src []int8)
}

func (p AbsmaxParams) dequantize(out sink, lo, hi int, src []int8) {
	out.dequantizeZeroPoint(lo, hi, src, p.Scale, 0)
}

func (p ZeroPointParams) dequantize(out sink, lo, hi int, src []int8) {
	out.dequantizeZeroPoint(lo, hi, src, p.Scale, p.ZeroPoint)
}

// dequantJob is one grouped dequantization; see groupJob.
type dequantJob[P dequantizer] struct {
	out    sink
	src    []int8
	params []P
	g      Granularity
}

func dequantizeGroups[P dequantizer](out sink, src []int8, params []P, g Granularity) {
	j := dequantJob[P]{out: out, src: src, params: params, g: g}
	if w := g.workersFor(len(src)); w > 1 {
		j.parallel(w)
		return
	}
	j.run(0, len(params))
}

func (j dequantJob[P]) run(glo, ghi int) {
	for i := glo; i < ghi; i++ {
		lo, hi := j.g.span(i, len(j.src))
		j.span(i, lo, hi)
	}
}

// span dequantizes values [lo, hi) of group i.
func (j dequantJob[P]) span(i, lo, hi int) {
	j.params[i].dequantize(j.out, lo, hi, j.src[lo:hi])
}

func (j dequantJob[P]) parallel(w int) {
	n, ng := len(j.src), len(j.params)
	if splitsGroups(ng, w) {
		split(w, ng, func(_, glo, ghi int) { j.run(glo, ghi) })
		return
	}
	for i := range ng {
		lo, hi := j.g.span(i, n)
		split(j.g.workersFor(hi-lo), hi-lo, func(_, a, b int) { j.span(i, lo+a, lo+b) })
	}
}

type absmaxMethod struct{}

func (absmaxMethod) reduce(s source, lo, hi, w int) (AbsmaxParams, error) {
	m := absMaxBits(s, lo, hi, w)
	if m >= 0x7F800000 {
		return AbsmaxParams{}, ErrNotFinite
	}
	a := math.Float32frombits(m)
	p, err := absmaxParams(a)
	if err != nil {
		return p, fmt.Errorf("%w: max|x| = %g", err, a)
	}
	return p, nil
}

func (absmaxMethod) surelyValid(s source, lo, hi, w int) bool {
	return absmaxSurelyValid(absMaxBits(s, lo, hi, w))
}

// absmaxSurelyValid reports whether a group whose AbsMaxBits is m has
// absmax parameters (exactly: absmax needs no margin).
func absmaxSurelyValid(m uint32) bool {
	return m < 0x7F800000 && (m == 0 || m >= minAbsmaxBits)
}

// minAbsmaxBits is the bit pattern of the smallest a for which 127/a is
// finite in float32.
var minAbsmaxBits = func() uint32 {
	lo, hi := uint32(1), uint32(0x7F7FFFFF) // 127/lo overflows, 127/hi does not
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if math.IsInf(float64(127/math.Float32frombits(mid)), 0) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}()

func absMaxBits(s source, lo, hi, w int) uint32 {
	if w > 1 {
		return parallelAbsMaxBits(s, lo, hi, w)
	}
	return s.absMaxBits(lo, hi)
}

func parallelAbsMaxBits(s source, lo, hi, w int) uint32 {
	parts := make([]uint32, w)
	split(w, hi-lo, func(p, a, b int) { parts[p] = s.absMaxBits(lo+a, lo+b) })
	return slices.Max(parts)
}

func (absmaxMethod) quantize(dst []int8, s source, lo, hi int, p AbsmaxParams) {
	s.quantizeAbsmax(dst, lo, hi, p.Scale)
}

func (absmaxMethod) fused(dst []int8, s source, lo, hi int) (AbsmaxParams, bool) {
	if s.kind != elemFloat32 {
		return AbsmaxParams{}, false
	}
	_, scale := s.k.QuantizeAbsmaxFused(dst[lo:hi], s.f32[lo:hi])
	return AbsmaxParams{Scale: scale}, scale != 0
}

type zeroPointMethod struct{}

func (zeroPointMethod) reduce(s source, lo, hi, w int) (ZeroPointParams, error) {
	kl, kh := minMaxKeys(s, lo, hi, w)
	if kl <= kernels.KeyNegInf || kh >= kernels.KeyPosInf {
		return ZeroPointParams{}, ErrNotFinite
	}
	min, max := keyFloat(kl), keyFloat(kh)
	p, err := zeroPointParams(min, max)
	if err != nil {
		return p, fmt.Errorf("%w: min = %g, max = %g", err, min, max)
	}
	return p, nil
}

// surelyValid accepts, with margins, what zeroPointParams accepts: a
// factor 255/r well below MaxFloat32, a zero point well inside int32, a
// grid well inside float32, or a constant block whose absmax factor is
// finite.
func (zeroPointMethod) surelyValid(s source, lo, hi, w int) bool {
	return zeroPointSurelyValid(minMaxKeys(s, lo, hi, w))
}

func zeroPointSurelyValid(kl, kh int32) bool {
	if kl <= kernels.KeyNegInf || kh >= kernels.KeyPosInf {
		return false
	}
	lo, hi := keyFloat(kl), keyFloat(kh)
	m := max(-lo, hi) // max |x|
	if kl == kh {
		return m == 0 || math.Float32bits(m) >= minAbsmaxBits
	}
	// In float32, with margins far above its rounding: r >= 1e-36 keeps
	// 255/r below MaxFloat32, m/r < 2^22 keeps |Scale*min| below 2^30,
	// and m < 2^126 keeps the grid inside float32.
	r := hi - lo
	return m < 0x1p126 && r >= 1e-36 && m*0x1p-22 < r
}

func minMaxKeys(s source, lo, hi, w int) (kl, kh int32) {
	if w > 1 {
		return parallelMinMaxKeys(s, lo, hi, w)
	}
	return s.minMaxKeys(lo, hi)
}

func parallelMinMaxKeys(s source, lo, hi, w int) (kl, kh int32) {
	los, his := make([]int32, w), make([]int32, w)
	split(w, hi-lo, func(p, a, b int) { los[p], his[p] = s.minMaxKeys(lo+a, lo+b) })
	return slices.Min(los), slices.Max(his)
}

func (zeroPointMethod) fused(dst []int8, s source, lo, hi int) (ZeroPointParams, bool) {
	if s.kind != elemFloat32 {
		return ZeroPointParams{}, false
	}
	_, _, scale, zero := s.k.QuantizeZeroPointFused(dst[lo:hi], s.f32[lo:hi])
	return ZeroPointParams{Scale: scale, ZeroPoint: zero}, scale != 0
}

func (zeroPointMethod) quantize(dst []int8, s source, lo, hi int, p ZeroPointParams) {
	s.quantizeZeroPoint(dst, lo, hi, p.Scale, float32(p.ZeroPoint))
}
