package kerneltest

import (
	"math"
	"reflect"
	"strings"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// Parts of the Q4_0 and Q4_1 kernels, to build broken variants from.

// q4Enc builds an EncodeQ4_0 (or, with one, an EncodeQ4_1); nil parts
// are the reference's.
type q4Enc struct {
	one bool // Q4_1
	// e is Q4_0's first value of largest magnitude; rng Q4_1's minimum
	// and maximum.
	e   func(x []float32) float32
	rng func(x []float32) (lo, hi float32)
	// d is d from e (Q4_0) or from min and max (Q4_1); m is Q4_1's m.
	d func(e, lo, hi float32) uint16
	m func(lo float32) uint16
	// id is id from d and e (Q4_0) or d, min and max (Q4_1).
	id func(d uint16, e, lo, hi float32) float32
	// q is the unclamped quant of x: for Q4_0, roundEven(x*id) + 8;
	// for Q4_1, roundEven((x - m)*id), with mf = FromFloat16(m).
	q func(x, id, mf, lo float32) float32
	// pack stores the clamped quants of a block as 16 bytes.
	pack func(out []byte, q *[32]float32)
}

func (p q4Enc) encode(dst []byte, src []float32) {
	const n = blockValues
	size := kernels.Q4_0Bytes
	if p.one {
		size = kernels.Q4_1Bytes
	}
	for b := range len(src) / n {
		x, out := src[b*n:(b+1)*n], dst[b*size:(b+1)*size]
		var e, lo, hi float32
		var d, m uint16
		switch {
		case !p.one && p.e != nil:
			e = p.e(x)
		case !p.one:
			e = fallback.Q4_0Extreme(x)
		case p.rng != nil:
			lo, hi = p.rng(x)
		default:
			lo, hi = fallback.Q4_1Range(x)
		}
		switch {
		case p.d != nil:
			d = p.d(e, lo, hi)
		case p.one:
			d = fallback.ToFloat16((hi - lo) / 15)
		default:
			d = fallback.ToFloat16(e / -8)
		}
		out[0], out[1] = byte(d), byte(d>>8)
		if p.one {
			m = fallback.ToFloat16(lo)
			if p.m != nil {
				m = p.m(lo)
			}
			out[2], out[3] = byte(m), byte(m>>8)
		}
		var id float32
		switch {
		case p.id != nil:
			id = p.id(d, e, lo, hi)
		case d&0x7FFF != 0:
			id = 1 / fallback.FromFloat16(d)
		}
		mf := fallback.FromFloat16(m)
		var q [n]float32
		for i, v := range x {
			switch {
			case p.q != nil:
				q[i] = p.q(v, id, mf, lo)
			case p.one:
				q[i] = float32(math.RoundToEven(float64((v - mf) * id)))
			default:
				q[i] = float32(math.RoundToEven(float64(v*id))) + 8
			}
		}
		if p.pack != nil {
			p.pack(out[size-16:], &q)
		} else {
			packClamped(out[size-16:], &q)
		}
	}
}

// encode16 is p on the values widen gives.
func (p q4Enc) encode16(widen func(uint16) float32) func([]byte, []uint16) {
	return func(dst []byte, src []uint16) {
		x := make([]float32, len(src)) // allocates: fine in a broken kernel
		for i, h := range src {
			x[i] = widen(h)
		}
		p.encode(dst, x)
	}
}

func clamp15(q float32) byte { return byte(min(max(q, 0), 15)) }

// packClamped is the reference packing: value j low, j+16 high.
func packClamped(out []byte, q *[32]float32) {
	for j := range 16 {
		out[j] = clamp15(q[j]) | clamp15(q[j+16])<<4
	}
}

// roundHalfUp8 is llama.cpp's Q4_0 rounding: (int8)(x*id + 8.5),
// truncated, at most 15.
func roundHalfUp8(x, id, _, _ float32) float32 { return float32(int8(x*id + 8.5)) }

// q4Dec builds a DecodeQ4_0 or DecodeQ4_1 from a function of the block's
// parameters and a quant.
func q4Dec(size int, value func(d, m float32, q byte) float32) func([]float32, []byte) {
	return func(dst []float32, src []byte) {
		for b := range len(src) / size {
			in := src[b*size : (b+1)*size]
			d, m := fallback.FromFloat16(le16(in)), float32(0)
			if size == kernels.Q4_1Bytes {
				m = fallback.FromFloat16(le16(in[2:]))
			}
			for j, c := range in[size-16:] {
				dst[b*32+j] = value(d, m, c&15)
				dst[b*32+j+16] = value(d, m, c>>4)
			}
		}
	}
}

// narrowingQ4 returns broken variants of the narrowing Q4 decoders: the
// float32 decoder followed by a wrong narrowing.
func narrowingQ4() []broken {
	wrong := map[*format][]struct {
		what   string
		narrow func(float32) uint16
	}{
		float16Format: {{"narrows by truncation", truncFloat16}, {"overflows at 65536 instead of 65520", float16Overflow65536},
			{"flushes binary16 subnormals to zero", flushed(fallback.ToFloat16, 0x7C00)}, {"drops NaN payloads", float16NaNNoPayload}},
		bfloat16Format: {{"truncates instead of rounding", truncBFloat16}, {"rounds NaNs like numbers", bfloat16NaNRounded},
			{"narrows as binary16", fallback.ToFloat16}},
	}
	var out []broken
	for _, cd := range codecs[1:] {
		for _, f := range formats {
			for _, w := range wrong[f] {
				v := decode16With(cd.dec(&fallback.Kernels), w.narrow)
				out = append(out, broken{kernel: f.name + "." + cd.decodeName(), what: w.what, patch: func(k *kernels.Set) {
					reflect.ValueOf(f.set(k)).Elem().FieldByName(cd.decodeName()).Set(reflect.ValueOf(v))
				}})
			}
		}
	}
	return out
}

// laneRange is Q4_1's minimum and maximum as an AVX2 kernel might take
// them with VMINPS and VMAXPS: 8 lanes, then a tree over the lanes, each
// step keeping its second operand on ties (-0 and +0 compare equal).
func laneRange(x []float32) (lo, hi float32) {
	minps := func(a, b float32) float32 {
		if a < b {
			return a
		}
		return b
	}
	maxps := func(a, b float32) float32 {
		if a > b {
			return a
		}
		return b
	}
	var l, h [8]float32
	copy(l[:], x)
	copy(h[:], x)
	for i := 8; i < len(x); i++ {
		l[i%8], h[i%8] = minps(l[i%8], x[i]), maxps(h[i%8], x[i])
	}
	for w := 4; w > 0; w /= 2 {
		for i := range w {
			l[i], h[i] = minps(l[i], l[i+w]), maxps(h[i], h[i+w])
		}
	}
	return l[0], h[0]
}

// plumbing returns the broken variants every block kernel must be
// caught in, whatever its arithmetic: for each kernel of each codec, from
// and to each format, one that skips a tail block, one that writes past
// the end of dst, ones that read past the end and before the start of src
// and one that allocates.
func plumbing() []broken {
	var out []broken
	for _, cd := range codecs[1:] { // Q8_0's are in broken16AndQ8_0
		ref := &fallback.Kernels
		out = append(out, plumbingOf(cd.encodeName(), cd.enc(ref), blockValues, cd.size, nil)...)
		out = append(out, plumbingOf(cd.decodeName(), cd.dec(ref), cd.size, blockValues, nil)...)
		for _, f := range formats {
			out = append(out, plumbingOf(f.name+"."+cd.encodeName(), cd.enc16(f.set(ref)), blockValues, cd.size, f)...)
			out = append(out, plumbingOf(f.name+"."+cd.decodeName(), cd.dec16(f.set(ref)), cd.size, blockValues, f)...)
		}
	}
	return out
}

// plumbingOf returns the plumbing variants of the kernel called name (of
// the 16-bit format f, or of the Set if f is nil), made from its
// reference ref, which reads srcBlock elements a block and writes
// dstBlock.
func plumbingOf[D elem, S float32 | uint16 | byte](name string, ref func([]D, []S), srcBlock, dstBlock int, f *format) []broken {
	field := name[strings.LastIndex(name, ".")+1:]
	set := func(v func([]D, []S)) func(k *kernels.Set) {
		return func(k *kernels.Set) {
			var target any = k
			if f != nil {
				target = f.set(k)
			}
			reflect.ValueOf(target).Elem().FieldByName(field).Set(reflect.ValueOf(v))
		}
	}
	return []broken{
		{kernel: name, what: "skips the last block when there are 3 mod 4", patch: set(withTailBlockSkipped(ref, srcBlock, dstBlock))},
		{kernel: name, what: "writes one element past the end", patch: set(writingPastEnd(ref))},
		{kernel: name, what: "reads one element past the end of src", guard: true, patch: set(reading(ref, 1))},
		{kernel: name, what: "reads one element before the start of src", guard: true, patch: set(reading(ref, -1))},
		{kernel: name, what: "allocates", allocs: true, patch: set(func(d []D, s []S) {
			sinkAny = append([]S(nil), s...)
			ref(d, s)
		})},
	}
}

// sinkAny keeps the allocations of broken kernels.
var sinkAny any

// reading is f followed by a read of the element of src just past its end
// (dir 1) or just before its start (dir -1).
func reading[D any, S float32 | uint16 | byte](f func([]D, []S), dir int) func([]D, []S) {
	return func(d []D, s []S) {
		f(d, s)
		if dir > 0 {
			sink += float32(*past(s, len(s)))
		} else {
			sink += float32(*past(s, -1))
		}
	}
}

var brokenQ4 = []broken{
	// EncodeQ4_0.
	{kernel: "EncodeQ4_0", what: "takes the last value of largest magnitude", patch: func(k *kernels.Set) {
		k.EncodeQ4_0 = q4Enc{e: func(x []float32) float32 {
			var e float32
			for _, v := range x {
				if abs32(v) >= abs32(e) {
					e = v
				}
			}
			return e
		}}.encode
	}},
	{kernel: "EncodeQ4_0", what: "picks e = max if max >= -min, else min (a vector max and min)", patch: func(k *kernels.Set) {
		k.EncodeQ4_0 = q4Enc{e: func(x []float32) float32 {
			lo, hi := fallback.Q4_1Range(x)
			if hi >= -lo {
				return hi
			}
			return lo
		}}.encode
	}},
	{kernel: "EncodeQ4_0", what: "starts e at x[0] (an all-zero block led by -0 gets d = +0)", patch: func(k *kernels.Set) {
		k.EncodeQ4_0 = q4Enc{e: func(x []float32) float32 {
			e := x[0]
			for _, v := range x {
				if abs32(v) > abs32(e) {
					e = v
				}
			}
			return e
		}}.encode
	}},
	{kernel: "EncodeQ4_0", what: "rounds half up (llama.cpp's x*id + 8.5, truncated)", patch: func(k *kernels.Set) {
		k.EncodeQ4_0 = q4Enc{q: roundHalfUp8}.encode
	}},
	{kernel: "EncodeQ4_0", what: "takes id from the unrounded d (-8/e)", patch: func(k *kernels.Set) {
		k.EncodeQ4_0 = q4Enc{id: func(d uint16, e, _, _ float32) float32 {
			if d&0x7FFF == 0 {
				return 0
			}
			return -8 / e
		}}.encode
	}},
	{kernel: "EncodeQ4_0", what: "swaps the nibble halves", patch: func(k *kernels.Set) {
		k.EncodeQ4_0 = q4Enc{pack: func(out []byte, q *[32]float32) {
			for j := range 16 {
				out[j] = clamp15(q[j])<<4 | clamp15(q[j+16])
			}
		}}.encode
	}},
	{kernel: "EncodeQ4_0", what: "packs neighbouring values into a byte", patch: func(k *kernels.Set) {
		k.EncodeQ4_0 = q4Enc{pack: func(out []byte, q *[32]float32) {
			for j := range 16 {
				out[j] = clamp15(q[2*j]) | clamp15(q[2*j+1])<<4
			}
		}}.encode
	}},
	{kernel: "EncodeQ4_0", what: "does not clamp 16 to 15 (the bit spills into the high nibble)", patch: func(k *kernels.Set) {
		k.EncodeQ4_0 = q4Enc{pack: func(out []byte, q *[32]float32) {
			for j := range 16 {
				out[j] = byte(max(q[j], 0)) | byte(max(q[j+16], 0))<<4
			}
		}}.encode
	}},
	{kernel: "EncodeQ4_0", what: "divides x by d instead of multiplying by id", patch: func(k *kernels.Set) {
		k.EncodeQ4_0 = q4Enc{q: func(x, id, _, _ float32) float32 {
			if id == 0 {
				return 8
			}
			return float32(math.RoundToEven(float64(x/(1/id)))) + 8
		}}.encode
	}},
	{kernel: "EncodeQ4_0", what: "adds 8 before rounding", patch: func(k *kernels.Set) {
		k.EncodeQ4_0 = q4Enc{q: func(x, id, _, _ float32) float32 {
			return float32(math.RoundToEven(float64(x*id + 8)))
		}}.encode
	}},
	{kernel: "EncodeQ4_0", what: "divides by d even when d is ±0", patch: func(k *kernels.Set) {
		k.EncodeQ4_0 = q4Enc{id: func(d uint16, _, _, _ float32) float32 { return 1 / fallback.FromFloat16(d) }}.encode
	}},
	{kernel: "EncodeQ4_0", what: "uses a 12-bit reciprocal estimate", patch: func(k *kernels.Set) {
		k.EncodeQ4_0 = q4Enc{id: func(d uint16, _, _, _ float32) float32 {
			if d&0x7FFF == 0 {
				return 0
			}
			return f32(f32bits(1/fallback.FromFloat16(d)) &^ 0x7FF)
		}}.encode
	}},
	{kernel: "EncodeQ4_0", what: "rounds e to binary16 before dividing by -8", patch: func(k *kernels.Set) {
		k.EncodeQ4_0 = q4Enc{d: func(e, _, _ float32) uint16 {
			return fallback.ToFloat16(fallback.FromFloat16(fallback.ToFloat16(e)) / -8)
		}}.encode
	}},
	{kernel: "EncodeQ4_0", what: "stores |d| (sign of e dropped, q still signed)", patch: func(k *kernels.Set) {
		k.EncodeQ4_0 = func(dst []byte, src []float32) {
			fallback.EncodeQ4_0(dst, src)
			for b := 0; b < len(dst); b += kernels.Q4_0Bytes {
				dst[b+1] &= 0x7F
			}
		}
	}},
	{kernel: "Float16.EncodeQ4_0", what: "flushes binary16 subnormals to zero", patch: func(k *kernels.Set) {
		k.Float16.EncodeQ4_0 = q4Enc{}.encode16(fromFloat16FTZ)
	}},
	{kernel: "Float16.EncodeQ4_0", what: "takes the last value of largest magnitude", patch: func(k *kernels.Set) {
		k.Float16.EncodeQ4_0 = q4Enc{e: func(x []float32) float32 {
			var e float32
			for _, v := range x {
				if abs32(v) >= abs32(e) {
					e = v
				}
			}
			return e
		}}.encode16(fallback.FromFloat16)
	}},
	{kernel: "BFloat16.EncodeQ4_0", what: "rounds half up", patch: func(k *kernels.Set) {
		k.BFloat16.EncodeQ4_0 = q4Enc{q: roundHalfUp8}.encode16(fallback.FromBFloat16)
	}},
	{kernel: "BFloat16.EncodeQ4_0", what: "reads the low half", patch: func(k *kernels.Set) {
		k.BFloat16.EncodeQ4_0 = q4Enc{}.encode16(fromBFloat16LowHalf)
	}},

	// EncodeQ4_1.
	{kernel: "EncodeQ4_1", what: "subtracts the unrounded min", patch: func(k *kernels.Set) {
		k.EncodeQ4_1 = q4Enc{one: true, q: func(x, id, _, lo float32) float32 {
			return float32(math.RoundToEven(float64((x - lo) * id)))
		}}.encode
	}},
	{kernel: "EncodeQ4_1", what: "orders -0 below +0 for the minimum (m is -0 if any zero is)", patch: func(k *kernels.Set) {
		k.EncodeQ4_1 = q4Enc{one: true, rng: func(x []float32) (float32, float32) {
			lo, hi := fallback.Q4_1Range(x)
			for _, v := range x {
				if f32bits(v) == 0x80000000 && lo == 0 {
					lo = v
				}
			}
			return lo, hi
		}}.encode
	}},
	{kernel: "EncodeQ4_1", what: "takes min and max with VMINPS/VMAXPS lane trees (a zero's sign)", patch: func(k *kernels.Set) {
		k.EncodeQ4_1 = q4Enc{one: true, rng: laneRange}.encode
	}},
	{kernel: "BFloat16.EncodeQ4_1", what: "takes min and max with VMINPS/VMAXPS lane trees", patch: func(k *kernels.Set) {
		k.BFloat16.EncodeQ4_1 = q4Enc{one: true, rng: laneRange}.encode16(fallback.FromBFloat16)
	}},
	{kernel: "EncodeQ4_1", what: "takes the last of equal minima (a zero's sign)", patch: func(k *kernels.Set) {
		k.EncodeQ4_1 = q4Enc{one: true, rng: func(x []float32) (float32, float32) {
			lo, hi := fallback.Q4_1Range(x)
			for _, v := range x {
				if v == lo {
					lo = v
				}
			}
			return lo, hi
		}}.encode
	}},
	{kernel: "EncodeQ4_1", what: "multiplies the range by 1/15", patch: func(k *kernels.Set) {
		k.EncodeQ4_1 = q4Enc{one: true, d: func(_, lo, hi float32) uint16 { return fallback.ToFloat16((hi - lo) * (1.0 / 15)) }}.encode
	}},
	{kernel: "EncodeQ4_1", what: "computes (max - min)/15 in float64", patch: func(k *kernels.Set) {
		k.EncodeQ4_1 = q4Enc{one: true, d: func(_, lo, hi float32) uint16 {
			return fallback.ToFloat16(roundOdd32((float64(hi) - float64(lo)) / 15))
		}}.encode
	}},
	{kernel: "EncodeQ4_1", what: "takes id from the unrounded d (15/(max - min))", patch: func(k *kernels.Set) {
		k.EncodeQ4_1 = q4Enc{one: true, id: func(d uint16, _, lo, hi float32) float32 {
			if d&0x7FFF == 0 {
				return 0
			}
			return 15 / (hi - lo)
		}}.encode
	}},
	{kernel: "EncodeQ4_1", what: "rounds half up ((x - m)*id + 0.5, truncated)", patch: func(k *kernels.Set) {
		k.EncodeQ4_1 = q4Enc{one: true, q: func(x, id, mf, _ float32) float32 {
			return float32(int8((x-mf)*id + 0.5))
		}}.encode
	}},
	{kernel: "EncodeQ4_1", what: "fuses (x - m)*id into x*id - m*id", patch: func(k *kernels.Set) {
		k.EncodeQ4_1 = q4Enc{one: true, q: func(x, id, mf, _ float32) float32 {
			return float32(math.RoundToEven(math.FMA(float64(x), float64(id), float64(-(mf * id)))))
		}}.encode
	}},
	{kernel: "EncodeQ4_1", what: "does not clamp below 0 (q wraps)", patch: func(k *kernels.Set) {
		k.EncodeQ4_1 = q4Enc{one: true, pack: func(out []byte, q *[32]float32) {
			for j := range 16 {
				out[j] = byte(int8(min(q[j], 15)))&15 | byte(int8(min(q[j+16], 15)))<<4
			}
		}}.encode
	}},
	{kernel: "EncodeQ4_1", what: "does not clamp above 15", patch: func(k *kernels.Set) {
		k.EncodeQ4_1 = q4Enc{one: true, pack: func(out []byte, q *[32]float32) {
			for j := range 16 {
				out[j] = byte(max(q[j], 0))&15 | byte(max(q[j+16], 0))<<4
			}
		}}.encode
	}},
	{kernel: "EncodeQ4_1", what: "divides by d even when d is 0", patch: func(k *kernels.Set) {
		k.EncodeQ4_1 = q4Enc{one: true, id: func(d uint16, _, _, _ float32) float32 { return 1 / fallback.FromFloat16(d) }}.encode
	}},
	{kernel: "EncodeQ4_1", what: "swaps the nibble halves", patch: func(k *kernels.Set) {
		k.EncodeQ4_1 = q4Enc{one: true, pack: func(out []byte, q *[32]float32) {
			for j := range 16 {
				out[j] = clamp15(q[j])<<4 | clamp15(q[j+16])
			}
		}}.encode
	}},
	{kernel: "EncodeQ4_1", what: "stores m before d", patch: func(k *kernels.Set) {
		k.EncodeQ4_1 = func(dst []byte, src []float32) {
			fallback.EncodeQ4_1(dst, src)
			for b := 0; b < len(dst); b += kernels.Q4_1Bytes {
				dst[b], dst[b+1], dst[b+2], dst[b+3] = dst[b+2], dst[b+3], dst[b], dst[b+1]
			}
		}
	}},
	{kernel: "Float16.EncodeQ4_1", what: "orders -0 below +0 for the minimum", patch: func(k *kernels.Set) {
		k.Float16.EncodeQ4_1 = q4Enc{one: true, rng: func(x []float32) (float32, float32) {
			lo, hi := fallback.Q4_1Range(x)
			for _, v := range x {
				if f32bits(v) == 0x80000000 && lo == 0 {
					lo = v
				}
			}
			return lo, hi
		}}.encode16(fallback.FromFloat16)
	}},
	{kernel: "Float16.EncodeQ4_1", what: "rounds half up", patch: func(k *kernels.Set) {
		k.Float16.EncodeQ4_1 = q4Enc{one: true, q: func(x, id, mf, _ float32) float32 {
			return float32(int8((x-mf)*id + 0.5))
		}}.encode16(fallback.FromFloat16)
	}},
	{kernel: "BFloat16.EncodeQ4_1", what: "multiplies the range by 1/15", patch: func(k *kernels.Set) {
		k.BFloat16.EncodeQ4_1 = q4Enc{one: true, d: func(_, lo, hi float32) uint16 {
			return fallback.ToFloat16((hi - lo) * (1.0 / 15))
		}}.encode16(fallback.FromBFloat16)
	}},
	{kernel: "BFloat16.EncodeQ4_1", what: "flushes bfloat16 subnormals to zero", patch: func(k *kernels.Set) {
		k.BFloat16.EncodeQ4_1 = q4Enc{one: true}.encode16(fromBFloat16FTZ)
	}},

	// DecodeQ4_0.
	{kernel: "DecodeQ4_0", what: "reads nibbles as signed (two's complement) values", patch: func(k *kernels.Set) {
		k.DecodeQ4_0 = q4Dec(kernels.Q4_0Bytes, func(d, _ float32, q byte) float32 { return float32(int8(q<<4)>>4) * d })
	}},
	{kernel: "DecodeQ4_0", what: "swaps the nibble halves", patch: func(k *kernels.Set) {
		k.DecodeQ4_0 = func(dst []float32, src []byte) {
			fallback.DecodeQ4_0(dst, src)
			for b := 0; b < len(dst); b += 32 {
				for j := range 16 {
					dst[b+j], dst[b+j+16] = dst[b+j+16], dst[b+j]
				}
			}
		}
	}},
	{kernel: "DecodeQ4_0", what: "computes q*d - 8*d", patch: func(k *kernels.Set) {
		k.DecodeQ4_0 = q4Dec(kernels.Q4_0Bytes, func(d, _ float32, q byte) float32 { return float32(q)*d - 8*d })
	}},
	{kernel: "DecodeQ4_0", what: "writes +0 for q = 8", patch: func(k *kernels.Set) {
		k.DecodeQ4_0 = q4Dec(kernels.Q4_0Bytes, func(d, _ float32, q byte) float32 {
			if q == 8 {
				return 0
			}
			return float32(int(q)-8) * d
		})
	}},
	{kernel: "DecodeQ4_0", what: "flushes subnormal d to zero", patch: func(k *kernels.Set) {
		k.DecodeQ4_0 = func(dst []float32, src []byte) {
			q4Dec(kernels.Q4_0Bytes, func(d, _ float32, q byte) float32 { return float32(int(q)-8) * d })(dst, src)
			for b := 0; b < len(src)/kernels.Q4_0Bytes; b++ {
				if h := le16(src[b*kernels.Q4_0Bytes:]); h&0x7C00 == 0 {
					for j := range 32 {
						dst[b*32+j] = float32(int(src[b*kernels.Q4_0Bytes+2+j%16]>>(4*(j/16))&15)-8) * fromFloat16FTZ(h)
					}
				}
			}
		}
	}},
	{kernel: "DecodeQ4_0", what: "decodes exponent 31 as a number", patch: func(k *kernels.Set) {
		k.DecodeQ4_0 = func(dst []float32, src []byte) {
			fallback.DecodeQ4_0(dst, src)
			for b := 0; b < len(src)/kernels.Q4_0Bytes; b++ {
				if h := le16(src[b*kernels.Q4_0Bytes:]); h&0x7C00 == 0x7C00 {
					for j := range 32 {
						dst[b*32+j] = float32(int(src[b*kernels.Q4_0Bytes+2+j%16]>>(4*(j/16))&15)-8) * fromFloat16NoSpecials(h)
					}
				}
			}
		}
	}},

	// DecodeQ4_1.
	{kernel: "DecodeQ4_1", what: "computes (q + m/d)*d", patch: func(k *kernels.Set) {
		k.DecodeQ4_1 = q4Dec(kernels.Q4_1Bytes, func(d, m float32, q byte) float32 { return (float32(q) + m/d) * d })
	}},
	{kernel: "DecodeQ4_1", what: "writes m for q = 0", patch: func(k *kernels.Set) {
		k.DecodeQ4_1 = q4Dec(kernels.Q4_1Bytes, func(d, m float32, q byte) float32 {
			if q == 0 {
				return m
			}
			return float32(q)*d + m
		})
	}},
	{kernel: "DecodeQ4_1", what: "propagates the other NaN when d and m are both NaN (operands swapped)", patch: func(k *kernels.Set) {
		k.DecodeQ4_1 = func(dst []float32, src []byte) {
			fallback.DecodeQ4_1(dst, src)
			const size = kernels.Q4_1Bytes
			for b := range len(src) / size {
				d, m := fallback.FromFloat16(le16(src[b*size:])), fallback.FromFloat16(le16(src[b*size+2:]))
				if !isNaN(d) || !isNaN(m) || f32bits(d) == f32bits(m) {
					continue
				}
				for j := range 32 {
					if f32bits(dst[b*32+j]) == f32bits(d) {
						dst[b*32+j] = m
					} else {
						dst[b*32+j] = d
					}
				}
			}
		}
	}},
	{kernel: "DecodeQ4_1", what: "reads d and m swapped", patch: func(k *kernels.Set) {
		k.DecodeQ4_1 = q4Dec(kernels.Q4_1Bytes, func(d, m float32, q byte) float32 { return float32(q)*m + d })
	}},
	{kernel: "DecodeQ4_1", what: "adds m rounded to bfloat16", patch: func(k *kernels.Set) {
		k.DecodeQ4_1 = q4Dec(kernels.Q4_1Bytes, func(d, m float32, q byte) float32 {
			return float32(q)*d + fallback.FromBFloat16(fallback.ToBFloat16(m))
		})
	}},
	{kernel: "DecodeQ4_1", what: "uses the m of the first block of each pair", patch: func(k *kernels.Set) {
		k.DecodeQ4_1 = func(dst []float32, src []byte) {
			fallback.DecodeQ4_1(dst, src)
			const size = kernels.Q4_1Bytes
			for b := 1; b < len(src)/size; b += 2 {
				blk := append([]byte(nil), src[b*size:(b+1)*size]...)
				copy(blk[2:4], src[(b-1)*size+2:])
				fallback.DecodeQ4_1(dst[b*32:(b+1)*32], blk)
			}
		}
	}},
	{kernel: "Float16.DecodeQ4_1", what: "computes in binary16 (rounds q*d, then the sum)", patch: func(k *kernels.Set) {
		k.Float16.DecodeQ4_1 = func(dst []uint16, src []byte) {
			const size = kernels.Q4_1Bytes
			r := func(x float32) float32 { return fallback.FromFloat16(fallback.ToFloat16(x)) }
			for b := range len(src) / size {
				in := src[b*size : (b+1)*size]
				d, m := fallback.FromFloat16(le16(in)), fallback.FromFloat16(le16(in[2:]))
				for j := range 32 {
					q := float32(in[4+j%16] >> (4 * (j / 16)) & 15)
					dst[b*32+j] = fallback.ToFloat16(r(q*d) + m)
				}
			}
		}
	}},
}
