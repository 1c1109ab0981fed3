package gptq

import (
	"fmt"
	"math"

	"github.com/qkernels/quant"
)

// Grid is the set of values a weight can take after quantization, and the
// format the result is stored in.
type Grid int

const (
	// Q4_0 is GGUF Q4_0: per 32 weights of a row, d (binary16) and 4-bit
	// q, w ≈ d·(q - 8), d = -e/8 for e the weight of largest magnitude.
	Q4_0 Grid = iota + 1
	// Q4_1 is GGUF Q4_1: per 32 weights, d and m (binary16) and 4-bit q,
	// w ≈ d·q + m, m the smallest weight and d its range / 15.
	Q4_1
	// Q8_0 is GGUF Q8_0: per 32 weights, d (binary16) and int8 q in
	// [-127, 127], w ≈ d·q, d = max|w| / 127.
	Q8_0
	// Int8Absmax is int8 q in [-127, 127] with quant.AbsmaxParams per
	// group (quant.QuantizeAbsmax's rules).
	Int8Absmax
	// Int8ZeroPoint is int8 q in [-128, 127] with quant.ZeroPointParams
	// per group (quant.QuantizeZeroPoint's rules).
	Int8ZeroPoint
	// Int4Absmax is 4-bit q in [-7, 7], kept in int8s, with
	// quant.AbsmaxParams per group: Scale = 7/max|w| (1 for an all-zero
	// group), q = clamp(roundEven(w·Scale), -7, 7).
	Int4Absmax
	// Int4ZeroPoint is 4-bit q in [-8, 7], kept in int8s, with
	// quant.ZeroPointParams per group: Scale = float32(15/(max - min)),
	// ZeroPoint = -roundEven(Scale·min) - 8, q = clamp(roundEven(w·Scale
	// + ZeroPoint), -8, 7), both operations rounded; a constant group gets
	// Scale = 7/|c| and ZeroPoint 0, an all-zero one Scale 1.
	Int4ZeroPoint
)

func (g Grid) String() string {
	switch g {
	case Q4_0:
		return "Q4_0"
	case Q4_1:
		return "Q4_1"
	case Q8_0:
		return "Q8_0"
	case Int8Absmax:
		return "int8 absmax"
	case Int8ZeroPoint:
		return "int8 zero-point"
	case Int4Absmax:
		return "int4 absmax"
	case Int4ZeroPoint:
		return "int4 zero-point"
	}
	return fmt.Sprintf("Grid(%d)", int(g))
}

// gguf reports whether g is stored as GGUF blocks of 32 weights.
func (g Grid) gguf() bool { return g == Q4_0 || g == Q4_1 || g == Q8_0 }

// params are one group's parameters in the form the rounding needs.
type params struct {
	scale  float32 // what a weight is multiplied by: 1/d, or Scale
	offset float32 // Q4_1's m, or the zero point
	step   float32 // the GGUF grids' d
	lo, hi float32 // the range of q
}

// rounder holds the rule of a grid: how a group's parameters follow from
// its weights, and how one weight rounds.
type rounder struct {
	grid Grid
}

// groupParams computes the parameters of a group from its weights x and
// writes them to the layer's storage: the block header (GGUF) or the
// params slot g.
func (r rounder) groupParams(l *Layer, x []float32, block []byte, g int) (params, error) {
	switch r.grid {
	case Q4_0, Q4_1, Q8_0:
		// The library's encoder sets the header; the quants it writes
		// are overwritten column by column.
		var err error
		switch r.grid {
		case Q4_0:
			err = quant.EncodeQ4_0(block, x)
		case Q4_1:
			err = quant.EncodeQ4_1(block, x)
		default:
			err = quant.EncodeQ8_0(block, x)
		}
		if err != nil {
			return params{}, err
		}
		d := quant.Float16(uint16(block[0]) | uint16(block[1])<<8).Float32()
		id := float32(0)
		if d != 0 {
			id = 1 / d
		}
		switch r.grid {
		case Q4_0:
			return params{scale: id, step: d, lo: 0, hi: 15}, nil
		case Q4_1:
			m := quant.Float16(uint16(block[2]) | uint16(block[3])<<8).Float32()
			return params{scale: id, offset: m, step: d, lo: 0, hi: 15}, nil
		}
		return params{scale: id, step: d, lo: -127, hi: 127}, nil
	case Int8Absmax, Int4Absmax:
		var a float32
		for _, v := range x {
			a = max(a, float32(math.Abs(float64(v))))
		}
		var p quant.AbsmaxParams
		var err error
		if r.grid == Int8Absmax {
			p, err = quant.AbsmaxParamsFor(a)
		} else {
			p, err = int4AbsmaxParams(a)
		}
		if err != nil {
			return params{}, err
		}
		l.Absmax[g] = p
		lim := float32(127)
		if r.grid == Int4Absmax {
			lim = 7
		}
		return params{scale: p.Scale, lo: -lim, hi: lim}, nil
	default: // Int8ZeroPoint, Int4ZeroPoint
		lo, hi := x[0], x[0]
		for _, v := range x {
			lo, hi = min(lo, v), max(hi, v)
		}
		var p quant.ZeroPointParams
		var err error
		if r.grid == Int8ZeroPoint {
			p, err = quant.ZeroPointParamsFor(lo, hi)
		} else {
			p, err = int4ZeroPointParams(lo, hi)
		}
		if err != nil {
			return params{}, err
		}
		l.ZeroPoint[g] = p
		if r.grid == Int8ZeroPoint {
			return params{scale: p.Scale, offset: float32(p.ZeroPoint), lo: -128, hi: 127}, nil
		}
		return params{scale: p.Scale, offset: float32(p.ZeroPoint), lo: -8, hi: 7}, nil
	}
}

// round returns q for the weight w and the weight q stands for, both by
// the grid's rules: those of the library's encoders and decoders.
func (r rounder) round(w float32, p params) (q int32, back float32) {
	var t float32
	switch r.grid {
	case Q4_0:
		t = float32(math.RoundToEven(float64(w*p.scale))) + 8
	case Q4_1:
		t = float32(math.RoundToEven(float64(float32(w-p.offset) * p.scale)))
	case Int8ZeroPoint, Int4ZeroPoint:
		t = float32(math.RoundToEven(float64(float32(w*p.scale) + p.offset)))
	default: // Q8_0, Int8Absmax, Int4Absmax
		t = float32(math.RoundToEven(float64(w * p.scale)))
	}
	q = int32(min(max(t, p.lo), p.hi))
	switch r.grid {
	case Q4_0:
		back = float32(q-8) * p.step // exact
	case Q4_1:
		back = float32(float32(q)*p.step) + p.offset // exact product, rounded sum
	case Q8_0:
		back = float32(q) * p.step // exact
	case Int8ZeroPoint, Int4ZeroPoint:
		back = float32(q-int32(p.offset)) / p.scale
	default:
		back = float32(q) / p.scale
	}
	return q, back
}

// int4AbsmaxParams is quant.AbsmaxParamsFor with 7 for 127.
func int4AbsmaxParams(a float32) (quant.AbsmaxParams, error) {
	if a == 0 {
		return quant.AbsmaxParams{Scale: 1}, nil
	}
	s := 7 / a
	if math.IsInf(float64(s), 0) {
		return quant.AbsmaxParams{}, fmt.Errorf("%w: max|w| = %g", quant.ErrRange, a)
	}
	return quant.AbsmaxParams{Scale: s}, nil
}

// int4ZeroPointParams is quant.ZeroPointParamsFor with 15 for 255 and 8
// for 128.
func int4ZeroPointParams(lo, hi float32) (quant.ZeroPointParams, error) {
	if lo == hi {
		p, err := int4AbsmaxParams(float32(math.Abs(float64(lo))))
		return quant.ZeroPointParams{Scale: p.Scale}, err
	}
	s := float32(15 / (float64(hi) - float64(lo)))
	if math.IsInf(float64(s), 0) || s == 0 {
		return quant.ZeroPointParams{}, fmt.Errorf("%w: weights from %g to %g", quant.ErrRange, lo, hi)
	}
	z := -int32(math.RoundToEven(float64(s*lo))) - 8
	return quant.ZeroPointParams{Scale: s, ZeroPoint: z}, nil
}
