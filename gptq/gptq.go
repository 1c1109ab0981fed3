package gptq

import (
	"errors"
	"fmt"
	"slices"

	"github.com/qkernels/quant"
)

// Options configure Quantize. The zero value, with a Grid, is the
// reference's defaults: groups as the grid has them, blocks of 128
// columns, 1% damping, columns in order, every CPU.
type Options struct {
	Grid Grid
	// GroupSize is how many consecutive weights of a row share
	// parameters. The GGUF grids have 32 (0 means 32); for the int grids
	// 0 means the whole row, and any other size must divide Columns and
	// be a multiple of 8 (quant.PerBlock's rule).
	GroupSize int
	// BlockSize is how many columns are quantized between two lazy
	// updates of the rest (0 means 128). It is rounded up to a multiple
	// of the group size. It changes the order of the float32 operations
	// and so the result's last bits, not what is computed.
	BlockSize int
	// Damp is the fraction of the mean of diag(H) added to the diagonal
	// (0 means 0.01, the reference's percdamp; negative means none).
	Damp float64
	// ActOrder takes the columns by decreasing H_ii, the inputs with the
	// most energy first; groups keep their columns and get parameters
	// from W before the first column (see the package documentation).
	ActOrder bool
	// Workers caps the goroutines (0 means runtime.GOMAXPROCS(0)). The
	// result is the same for every value.
	Workers int
}

// ErrOptions reports options Quantize cannot use with the layer.
var ErrOptions = errors.New("invalid GPTQ options")

// Layer is a quantized weight matrix, Rows × Columns, in the format of
// its Grid.
type Layer struct {
	Rows, Columns int
	Grid          Grid
	GroupSize     int // weights per group along a row
	// Blocks holds the GGUF grids' blocks, row after row, Columns/32 per
	// row: the bytes of a GGUF tensor of that type with ne = [Columns, Rows].
	Blocks []byte
	// Values holds the int grids' q, row-major.
	Values []int8
	// Absmax and ZeroPoint hold the int grids' parameters, one per group,
	// row after row: what Granularity groups.
	Absmax    []quant.AbsmaxParams
	ZeroPoint []quant.ZeroPointParams
}

// Granularity returns the grouping of an int grid's parameters, for
// quant.DequantizeAbsmaxGroups and its siblings.
func (l *Layer) Granularity() quant.Granularity {
	if l.GroupSize == l.Columns {
		return quant.PerRow(l.Columns)
	}
	return quant.PerBlock(l.GroupSize)
}

// Dequantize writes the weights the layer stands for to dst, row-major,
// with the library's decoders. It panics if len(dst) < Rows·Columns.
func (l *Layer) Dequantize(dst []float32) {
	dst = dst[:l.Rows*l.Columns]
	switch l.Grid {
	case Q4_0:
		quant.DecodeQ4_0(dst, l.Blocks)
	case Q4_1:
		quant.DecodeQ4_1(dst, l.Blocks)
	case Q8_0:
		quant.DecodeQ8_0(dst, l.Blocks)
	case Int8Absmax, Int4Absmax:
		quant.DequantizeAbsmaxGroups(dst, l.Values, l.Absmax, l.Granularity())
	default:
		quant.DequantizeZeroPointGroups(dst, l.Values, l.ZeroPoint, l.Granularity())
	}
}

// Quantize runs GPTQ on the weights w (rows × columns, row-major) with the
// Hessian h (columns × columns, symmetric; only its upper triangle is
// read), such as Hessian.Matrix returns, and returns the quantized layer.
// w and h are left unmodified.
//
// It panics if rows or columns is below 1 or the slices are not of those
// sizes. It returns an error wrapping ErrOptions for options the layer
// cannot use (a GGUF grid needs columns divisible by 32), quant.ErrNotFinite
// for a NaN or an infinity in w or h, ErrNotPositiveDefinite if the damped
// Hessian has no Cholesky factorization, and quant.ErrRange if a group's
// parameters overflow (the grid's encoder would refuse those weights).
func Quantize(w []float32, rows, columns int, h []float32, opt Options) (*Layer, error) {
	if rows < 1 || columns < 1 || len(w) != rows*columns || len(h) != columns*columns {
		panic(fmt.Sprintf("gptq: Quantize: %d weights and %d Hessian entries for a %d × %d layer", len(w), len(h), rows, columns))
	}
	l, err := newLayer(rows, columns, opt)
	if err != nil {
		return nil, err
	}
	if i := firstNonFinite(w); i >= 0 {
		return nil, fmt.Errorf("gptq: Quantize: %w: w[%d] = %v", quant.ErrNotFinite, i, w[i])
	}
	if i := firstNonFinite(h); i >= 0 {
		return nil, fmt.Errorf("gptq: Quantize: %w: h[%d] = %v", quant.ErrNotFinite, i, h[i])
	}
	s := newState(l, w, h, opt)
	if err := s.run(); err != nil {
		return nil, fmt.Errorf("gptq: Quantize: %w", err)
	}
	return l, nil
}

// newLayer checks the options and allocates the storage of the result.
func newLayer(rows, columns int, opt Options) (*Layer, error) {
	l := &Layer{Rows: rows, Columns: columns, Grid: opt.Grid, GroupSize: opt.GroupSize}
	bad := func(format string, args ...any) (*Layer, error) {
		return nil, fmt.Errorf("gptq: Quantize: %w: "+format, append([]any{ErrOptions}, args...)...)
	}
	switch {
	case opt.Grid.gguf():
		if l.GroupSize == 0 {
			l.GroupSize = quant.Q4Values
		}
		if l.GroupSize != quant.Q4Values {
			return bad("%v has groups of 32, not %d", opt.Grid, opt.GroupSize)
		}
		if columns%quant.Q4Values != 0 {
			return bad("%v needs columns divisible by 32, not %d", opt.Grid, columns)
		}
		size := quant.Q4_0Bytes
		switch opt.Grid {
		case Q4_1:
			size = quant.Q4_1Bytes
		case Q8_0:
			size = quant.Q8_0Bytes
		}
		l.Blocks = make([]byte, rows*columns/quant.Q4Values*size)
	case opt.Grid >= Int8Absmax && opt.Grid <= Int4ZeroPoint:
		if l.GroupSize == 0 {
			l.GroupSize = columns
		}
		if l.GroupSize != columns && (l.GroupSize < 8 || l.GroupSize%8 != 0 || columns%l.GroupSize != 0) {
			return bad("group size %d neither divides %d columns nor is a multiple of 8", opt.GroupSize, columns)
		}
		l.Values = make([]int8, rows*columns)
		groups := rows * (columns / l.GroupSize)
		if opt.Grid == Int8Absmax || opt.Grid == Int4Absmax {
			l.Absmax = make([]quant.AbsmaxParams, groups)
		} else {
			l.ZeroPoint = make([]quant.ZeroPointParams, groups)
		}
	default:
		return bad("no grid %v", opt.Grid)
	}
	if opt.BlockSize < 0 {
		return bad("block size %d", opt.BlockSize)
	}
	return l, nil
}

// state is one run of GPTQ.
type state struct {
	l        *Layer
	r        rounder
	rows, n  int       // rows, and columns
	wt       []float32 // the weights being updated, transposed: column j at wt[j*rows:]
	h        []float32 // the damped Hessian, permuted
	perm     []int     // perm[j]: the column of W taken j-th
	block    int
	sub      int // columns per sub-block
	workers  int
	actOrder bool
	static   []params // with ActOrder: every group's parameters, row after row
	cur      []params // without: the current group's parameters, per row
	blockSz  int      // bytes per GGUF block
	buf      []float32
}

func newState(l *Layer, w, h []float32, opt Options) *state {
	rows, n := l.Rows, l.Columns
	s := &state{l: l, r: rounder{l.Grid}, rows: rows, n: n, workers: opt.Workers, actOrder: opt.ActOrder}
	s.wt = make([]float32, n*rows)
	transpose(s.wt, w, rows, n)
	s.h = slices.Clone(h)
	s.block = opt.BlockSize
	if s.block == 0 {
		s.block = 128
	}
	// Sub-blocks inside a block, by the same lazy scheme: a group must
	// start at a sub-block's start or lie inside one, so that its weights
	// are up to date when its parameters are computed.
	s.sub = subBlock
	if gs := l.GroupSize; gs < n {
		s.block = (s.block + gs - 1) / gs * gs
		if gs%s.sub != 0 {
			s.sub = min(s.sub, 8) // group sizes are multiples of 8
		}
	}
	if l.Grid.gguf() {
		s.blockSz = len(l.Blocks) / (rows * n / quant.Q4Values)
	}
	// Dead inputs: never seen by the calibration data, so their weights
	// cannot matter; the reference zeroes them and sets H_ii = 1.
	for i := range n {
		if s.h[i*n+i] == 0 {
			s.h[i*n+i] = 1
			clear(s.wt[i*rows : (i+1)*rows])
		}
	}
	s.perm = columnOrder(n, opt.ActOrder, func(i int) float32 { return s.h[i*n+i] })
	damp := opt.Damp
	if damp == 0 {
		damp = 0.01
	}
	if damp > 0 {
		var sum float64
		for i := range n {
			sum += float64(s.h[i*n+i])
		}
		d := float32(damp * sum / float64(n))
		for i := range n {
			s.h[i*n+i] += d
		}
	}
	if opt.ActOrder {
		hp := make([]float32, n*n)
		wp := make([]float32, n*rows)
		for i, pi := range s.perm {
			for j, pj := range s.perm {
				hp[i*n+j] = s.h[pi*n+pj]
			}
			copy(wp[i*rows:(i+1)*rows], s.wt[pi*rows:(pi+1)*rows])
		}
		s.h, s.wt = hp, wp
	}
	return s
}

// columnOrder returns the order in which the n columns are quantized:
// 0, 1, ..., n-1, or with actOrder by decreasing diag(i), ties in column
// order (a stable sort, where the reference's torch.argsort is not).
func columnOrder(n int, actOrder bool, diag func(i int) float32) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if actOrder {
		slices.SortStableFunc(order, func(a, b int) int {
			da, db := diag(a), diag(b)
			switch {
			case da > db:
				return -1
			case da < db:
				return 1
			}
			return 0
		})
	}
	return order
}

// blockOf returns the storage of the GGUF block holding group g of row r.
func (s *state) blockOf(r, g int) []byte {
	if s.blockSz == 0 {
		return nil
	}
	i := r*(s.n/quant.Q4Values) + g
	return s.l.Blocks[i*s.blockSz : (i+1)*s.blockSz]
}

// groupParams computes the parameters of group g of row r from the
// weights x.
func (s *state) groupParams(r, g int, x []float32) (params, error) {
	p, err := s.r.groupParams(s.l, x, s.blockOf(r, g), r*(s.n/s.l.GroupSize)+g)
	if err != nil {
		return params{}, fmt.Errorf("row %d, columns %d to %d: %w", r, g*s.l.GroupSize, (g+1)*s.l.GroupSize-1, err)
	}
	return p, nil
}

// store records q for row r, column c of W.
func (s *state) store(r, c int, q int32) {
	switch s.l.Grid {
	case Q4_0, Q4_1:
		b := s.blockOf(r, c/quant.Q4Values)
		t := c % quant.Q4Values
		hdr := s.blockSz - quant.Q4Values/2
		if t < quant.Q4Values/2 {
			b[hdr+t] = b[hdr+t]&0xF0 | byte(q)
		} else {
			b[hdr+t-16] = b[hdr+t-16]&0x0F | byte(q)<<4
		}
	case Q8_0:
		s.blockOf(r, c/quant.Q4Values)[2+c%quant.Q4Values] = byte(int8(q))
	default:
		s.l.Values[r*s.n+c] = int8(q)
	}
}

func (s *state) run() error {
	rows, n, gs := s.rows, s.n, s.l.GroupSize
	u, err := inverseCholesky(s.h, n, s.workers)
	if err != nil {
		return err
	}
	if s.actOrder {
		// Every group's parameters from W as it stands.
		s.static = make([]params, rows*(n/gs))
		inv := make([]int, n)
		for j, c := range s.perm {
			inv[c] = j
		}
		err := s.forRows(func(r0, r1 int, buf []float32) error {
			for r := r0; r < r1; r++ {
				for g := range n / gs {
					for t := range gs {
						buf[t] = s.wt[inv[g*gs+t]*rows+r]
					}
					p, err := s.groupParams(r, g, buf)
					if err != nil {
						return err
					}
					s.static[r*(n/gs)+g] = p
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	} else {
		s.cur = make([]params, rows)
	}
	errs := make([]float32, s.block*rows) // (q - w)/U_jj, a row per column of the block
	for i1 := 0; i1 < n; i1 += s.block {
		i2 := min(i1+s.block, n)
		// Inside a block, each row depends on itself alone: chunks of
		// rows run the whole block on their own, in cache, in parallel.
		err := s.forRows(func(r0, r1 int, buf []float32) error {
			return s.quantizeBlock(u, errs, i1, i2, r0, r1, buf)
		})
		if err != nil {
			return err
		}
		// The block's errors, into every column after it.
		if i2 < n {
			quant.MulAddAtB(s.wt[i2*rows:], rows, u[i1*n+i2:], n, errs, rows, n-i2, rows, i2-i1, s.workers)
		}
	}
	return nil
}

// quantizeBlock quantizes columns i1..i2-1 (in the order taken) of rows
// r0..r1-1, spreading each column's error over the rest of the block, and
// leaves the errors in errs, a row of rows values per column.
func (s *state) quantizeBlock(u, errs []float32, i1, i2, r0, r1 int, buf []float32) error {
	rows, n, gs := s.rows, s.n, s.l.GroupSize
	for j := i1; j < i2; j++ {
		c := s.perm[j]
		if s.cur != nil && j%gs == 0 {
			for r := r0; r < r1; r++ {
				for t := range gs {
					buf[t] = s.wt[(j+t)*rows+r]
				}
				p, err := s.groupParams(r, j/gs, buf)
				if err != nil {
					return err
				}
				s.cur[r] = p
			}
		}
		d := u[j*n+j]
		e := errs[(j-i1)*rows+r0 : (j-i1)*rows+r1]
		for r := r0; r < r1; r++ {
			var p params
			if s.cur != nil {
				p = s.cur[r]
			} else {
				p = s.static[r*(n/gs)+c/gs]
			}
			wv := s.wt[j*rows+r]
			q, back := s.r.round(wv, p)
			s.store(r, c, q)
			e[r-r0] = (back - wv) / d
		}
		// This column's error, into the rest of its sub-block at once;
		// at the end of a sub-block, the sub-block's errors into the rest
		// of the block. Each weight still takes the errors of the columns
		// before it one at a time, in order: the bits are those of
		// updating the whole block after every column.
		s0 := i1 + (j-i1)/s.sub*s.sub
		s1 := min(s0+s.sub, i2)
		if j+1 < s1 {
			quant.MulAddAtB(s.wt[(j+1)*rows+r0:], rows, u[j*n+j+1:], n, e, r1-r0, s1-j-1, r1-r0, 1, 1)
		} else if s1 < i2 {
			quant.MulAddAtB(s.wt[s1*rows+r0:], rows, u[s0*n+s1:], n, errs[(s0-i1)*rows+r0:], rows, i2-s1, r1-r0, s1-s0, 1)
		}
	}
	return nil
}

// subBlock is the width of the sub-blocks; tests set it to 1 (a whole
// block updated after every column) to prove the bits do not change.
var subBlock = 16

// rowChunk is how many rows a goroutine takes at a time: a block of
// columns of them (128 × 64 float32, 32 KiB) stays in L1 or L2.
const rowChunk = 64

// forRows runs f over chunks of rows on up to s.workers goroutines, each
// chunk with a buffer of a group's length, and returns the error of the
// first chunk that failed, so that the error too does not depend on
// scheduling.
func (s *state) forRows(f func(r0, r1 int, buf []float32) error) error {
	errs := make([]error, (s.rows+rowChunk-1)/rowChunk)
	parallel(len(errs), s.workers, func(ch int) {
		errs[ch] = f(ch*rowChunk, min((ch+1)*rowChunk, s.rows), make([]float32, s.l.GroupSize))
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// transpose writes the transpose of src (rows × cols) to dst, in square
// tiles so that both sides are read and written a cache line at a time.
func transpose(dst, src []float32, rows, cols int) {
	const tile = 32
	for r0 := 0; r0 < rows; r0 += tile {
		for c0 := 0; c0 < cols; c0 += tile {
			for r := r0; r < min(r0+tile, rows); r++ {
				for c := c0; c < min(c0+tile, cols); c++ {
					dst[c*rows+r] = src[r*cols+c]
				}
			}
		}
	}
}
