package kerneltest

import (
	"math"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// Parts of the 16-bit and Q8_0 kernels, to build broken variants from.

func fromFloat16FTZ(h uint16) float32 { // flushes subnormals to zero
	if h&0x7C00 == 0 {
		return math.Float32frombits(uint32(h&0x8000) << 16)
	}
	return fallback.FromFloat16(h)
}

func fromBFloat16FTZ(b uint16) float32 {
	if b&0x7F80 == 0 {
		return math.Float32frombits(uint32(b&0x8000) << 16)
	}
	return fallback.FromBFloat16(b)
}

func fromBFloat16LowHalf(b uint16) float32 { return math.Float32frombits(uint32(b)) }

// fromFloat16NoSpecials decodes exponent 31 as a number, as a naive
// rebias does: Inf becomes 65536.
func fromFloat16NoSpecials(h uint16) float32 {
	if h&0x7C00 == 0x7C00 {
		return math.Float32frombits(uint32(h&0x8000)<<16 | (uint32(h&0x7FFF)<<13 + (127-15)<<23))
	}
	return fallback.FromFloat16(h)
}

func roundEvenClamp(lo, hi float32) func(float32) int8 {
	return func(v float32) int8 { return int8(math.RoundToEven(float64(min(max(v, lo), hi)))) }
}

func roundAwayClamp(lo, hi float32) func(float32) int8 {
	return func(v float32) int8 { return int8(math.Round(float64(min(max(v, lo), hi)))) }
}

// absmax16 is a 16-bit QuantizeAbsmax made of a widening and a rounding.
func absmax16(widen func(uint16) float32, round func(float32) int8) func([]int8, []uint16, float32) {
	return func(d []int8, s []uint16, sc float32) {
		for i, h := range s {
			d[i] = round(widen(h) * sc)
		}
	}
}

// zeroPoint16 is a 16-bit QuantizeZeroPoint made of a widening and the
// arithmetic from x, scale and zero to q.
func zeroPoint16(widen func(uint16) float32, q func(x, s, z float32) int8) func([]int8, []uint16, float32, float32) {
	return func(d []int8, src []uint16, s, z float32) {
		for i, h := range src {
			d[i] = q(widen(h), s, z)
		}
	}
}

func zeroPointQ(x, s, z float32) int8 { return roundEvenClamp(-128, 127)(float32(x*s) + z) }

// q8Parts builds an EncodeQ8_0; nil parts are the reference's.
type q8Parts struct {
	widen func(uint16) float32
	amax  func(b []float32) float32
	d     func(a float32) uint16
	id    func(a float32, d uint16) float32
	q     func(x, id float32, d uint16) int8
	putD  func(out []byte, d uint16)
}

func (p q8Parts) encode(dst []byte, src []float32) {
	const n, size = kernels.Q8_0Values, kernels.Q8_0Bytes
	for b := 0; b < len(src)/n; b++ {
		x, out := src[b*n:(b+1)*n], dst[b*size:(b+1)*size]
		var a float32
		if p.amax != nil {
			a = p.amax(x)
		} else {
			a = math.Float32frombits(fallback.AbsMaxBits(x))
		}
		var d uint16
		if p.d != nil {
			d = p.d(a)
		} else {
			d = fallback.ToFloat16(a / 127)
		}
		var id float32
		switch {
		case p.id != nil:
			id = p.id(a, d)
		case d&0x7FFF != 0:
			id = 1 / fallback.FromFloat16(d)
		}
		if p.putD != nil {
			p.putD(out, d)
		} else {
			out[0], out[1] = byte(d), byte(d>>8)
		}
		for i, v := range x {
			if p.q != nil {
				out[2+i] = byte(p.q(v, id, d))
			} else {
				out[2+i] = byte(roundEvenClamp(-127, 127)(v * id))
			}
		}
	}
}

// encode16 is p on the values widen gives (FromFloat16 if p.widen is nil).
func (p q8Parts) encode16(widen func(uint16) float32) func([]byte, []uint16) {
	if p.widen != nil {
		widen = p.widen
	}
	return func(dst []byte, src []uint16) {
		x := make([]float32, len(src)) // allocates: fine in a broken kernel
		for i, h := range src {
			x[i] = widen(h)
		}
		p.encode(dst, x)
	}
}

// decodeWith is a DecodeQ8_0 made of its parts.
func decodeWith(readD func(b []byte) uint16, dv func(uint16) float32, qv func(byte) float32) func([]float32, []byte) {
	return func(dst []float32, src []byte) {
		const n, size = kernels.Q8_0Values, kernels.Q8_0Bytes
		for b := 0; b < len(src)/size; b++ {
			in := src[b*size : (b+1)*size]
			d := dv(readD(in))
			for i, q := range in[2:] {
				dst[b*n+i] = qv(q) * d
			}
		}
	}
}

func signedQ(q byte) float32 { return float32(int8(q)) }

// broken16AndQ8_0 are broken variants of the 16-bit reductions, the
// quantizers of 16-bit sources and the Q8_0 kernels that read float32 or
// 16-bit values (EncodeQ8_0 of each source, DecodeQ8_0 to float32).
var broken16AndQ8_0 = []broken{
	{kernel: "AbsMaxBits16", what: "ignores the last element when n%16 == 15", patch: func(k *kernels.Set) {
		k.AbsMaxBits16 = withLastIgnoredInTail(fallback.AbsMaxBits16, 16)
	}},
	{kernel: "AbsMaxBits16", what: "masks the sign after the maximum", patch: func(k *kernels.Set) {
		k.AbsMaxBits16 = func(s []uint16) uint16 {
			var m uint16
			for _, h := range s {
				m = max(m, h)
			}
			return m & 0x7FFF
		}
	}},
	{kernel: "AbsMaxBits16", what: "loses a NaN in lane 9 of 16", patch: func(k *kernels.Set) {
		k.AbsMaxBits16 = func(s []uint16) uint16 {
			var m uint16
			for i, h := range s {
				if i%16 == 9 && h&0x7FFF > 0x7C00 {
					continue
				}
				m = max(m, h&0x7FFF)
			}
			return m
		}
	}},
	{kernel: "AbsMaxBits16", what: "compares widened binary16 values (loses NaNs)", patch: func(k *kernels.Set) {
		k.AbsMaxBits16 = func(s []uint16) uint16 {
			var m uint16
			for _, h := range s {
				if a := h & 0x7FFF; fallback.FromFloat16(a) > fallback.FromFloat16(m) {
					m = a
				}
			}
			return m
		}
	}},
	{kernel: "AbsMaxBits16", what: "reads one element past the end", guard: true, patch: func(k *kernels.Set) {
		k.AbsMaxBits16 = func(s []uint16) uint16 {
			if len(s)%16 != 0 {
				sink += float32(*past(s, len(s)))
			}
			return fallback.AbsMaxBits16(s)
		}
	}},
	{kernel: "MinMaxKeys16", what: "compares keys as unsigned", patch: func(k *kernels.Set) {
		k.MinMaxKeys16 = func(s []uint16) (int16, int16) {
			if len(s) == 0 {
				return 0, 0
			}
			lo, hi := uint16(0xFFFF), uint16(0)
			for _, h := range s {
				key := uint16(kernels.OrderKey16(h))
				lo, hi = min(lo, key), max(hi, key)
			}
			return int16(lo), int16(hi)
		}
	}},
	{kernel: "MinMaxKeys16", what: "treats -0 and +0 as equal (first wins)", patch: func(k *kernels.Set) {
		k.MinMaxKeys16 = func(s []uint16) (int16, int16) {
			lo, hi := fallback.MinMaxKeys16(s)
			var first int16 = 1
			for _, h := range s {
				if h&0x7FFF == 0 {
					first = kernels.OrderKey16(h)
					break
				}
			}
			if first != 1 && (lo == -1 || lo == 0) {
				lo = first
			}
			if first != 1 && (hi == -1 || hi == 0) {
				hi = first
			}
			return lo, hi
		}
	}},
	{kernel: "MinMaxKeys16", what: "keys with an arithmetic shift (flips the sign too)", patch: func(k *kernels.Set) {
		k.MinMaxKeys16 = func(s []uint16) (int16, int16) {
			if len(s) == 0 {
				return 0, 0
			}
			lo, hi := int16(math.MaxInt16), int16(math.MinInt16)
			for _, h := range s {
				key := int16(h) ^ int16(h)>>15
				lo, hi = min(lo, key), max(hi, key)
			}
			return lo, hi
		}
	}},
	{kernel: "MinMaxKeys16", what: "skips element 0 when n%16 == 1", patch: func(k *kernels.Set) {
		k.MinMaxKeys16 = func(s []uint16) (int16, int16) {
			if len(s)%16 == 1 && len(s) > 1 {
				s = s[1:]
			}
			return fallback.MinMaxKeys16(s)
		}
	}},
	{kernel: "MinMaxKeys16", what: "allocates", allocs: true, patch: func(k *kernels.Set) {
		k.MinMaxKeys16 = func(s []uint16) (int16, int16) {
			return fallback.MinMaxKeys16(append([]uint16(nil), s...))
		}
	}},

	{kernel: "Float16.QuantizeAbsmax", what: "flushes binary16 subnormals to zero", patch: func(k *kernels.Set) {
		k.Float16.QuantizeAbsmax = absmax16(fromFloat16FTZ, roundEvenClamp(-127, 127))
	}},
	{kernel: "Float16.QuantizeAbsmax", what: "rounds half away from zero", patch: func(k *kernels.Set) {
		k.Float16.QuantizeAbsmax = absmax16(fallback.FromFloat16, roundAwayClamp(-127, 127))
	}},
	{kernel: "Float16.QuantizeAbsmax", what: "multiplies in float64", patch: func(k *kernels.Set) {
		k.Float16.QuantizeAbsmax = func(d []int8, s []uint16, sc float32) {
			for i, h := range s {
				v := min(max(float64(fallback.FromFloat16(h))*float64(sc), -127), 127)
				d[i] = int8(math.RoundToEven(v))
			}
		}
	}},
	{kernel: "Float16.QuantizeAbsmax", what: "clamps to -128", patch: func(k *kernels.Set) {
		k.Float16.QuantizeAbsmax = absmax16(fallback.FromFloat16, roundEvenClamp(-128, 127))
	}},
	{kernel: "Float16.QuantizeAbsmax", what: "widens as bfloat16", patch: func(k *kernels.Set) {
		k.Float16.QuantizeAbsmax = fallback.QuantizeAbsmaxBFloat16
	}},
	{kernel: "Float16.QuantizeAbsmax", what: "leaves the last element unwritten when n%16 == 15", patch: func(k *kernels.Set) {
		k.Float16.QuantizeAbsmax = func(d []int8, s []uint16, sc float32) {
			n := len(s)
			if n%16 == 15 {
				n--
			}
			fallback.QuantizeAbsmaxFloat16(d[:n], s[:n], sc)
		}
	}},
	{kernel: "Float16.QuantizeAbsmax", what: "writes one element past the end", patch: func(k *kernels.Set) {
		k.Float16.QuantizeAbsmax = func(d []int8, s []uint16, sc float32) {
			fallback.QuantizeAbsmaxFloat16(d, s, sc)
			*past(d, len(d)) = 0
		}
	}},
	{kernel: "Float16.QuantizeAbsmax", what: "reads one element past the end of src", guard: true, patch: func(k *kernels.Set) {
		k.Float16.QuantizeAbsmax = func(d []int8, s []uint16, sc float32) {
			fallback.QuantizeAbsmaxFloat16(d, s, sc)
			if len(s)%16 != 0 {
				sink += float32(*past(s, len(s)))
			}
		}
	}},
	{kernel: "Float16.QuantizeZeroPoint", what: "fuses the multiply and add", patch: func(k *kernels.Set) {
		k.Float16.QuantizeZeroPoint = zeroPoint16(fallback.FromFloat16, func(x, s, z float32) int8 {
			return roundEvenClamp(-128, 127)(float32(math.FMA(float64(x), float64(s), float64(z))))
		})
	}},
	{kernel: "Float16.QuantizeZeroPoint", what: "clamps to -127", patch: func(k *kernels.Set) {
		k.Float16.QuantizeZeroPoint = zeroPoint16(fallback.FromFloat16, func(x, s, z float32) int8 {
			return roundEvenClamp(-127, 127)(float32(x*s) + z)
		})
	}},
	{kernel: "Float16.QuantizeZeroPoint", what: "flushes binary16 subnormals to zero", patch: func(k *kernels.Set) {
		k.Float16.QuantizeZeroPoint = zeroPoint16(fromFloat16FTZ, zeroPointQ)
	}},
	{kernel: "BFloat16.QuantizeAbsmax", what: "reads the low half (bits, not bits<<16)", patch: func(k *kernels.Set) {
		k.BFloat16.QuantizeAbsmax = absmax16(fromBFloat16LowHalf, roundEvenClamp(-127, 127))
	}},
	{kernel: "BFloat16.QuantizeAbsmax", what: "treats subnormals as zero", patch: func(k *kernels.Set) {
		k.BFloat16.QuantizeAbsmax = absmax16(fromBFloat16FTZ, roundEvenClamp(-127, 127))
	}},
	{kernel: "BFloat16.QuantizeAbsmax", what: "rounds half away from zero", patch: func(k *kernels.Set) {
		k.BFloat16.QuantizeAbsmax = absmax16(fallback.FromBFloat16, roundAwayClamp(-127, 127))
	}},
	{kernel: "BFloat16.QuantizeZeroPoint", what: "reads the low half", patch: func(k *kernels.Set) {
		k.BFloat16.QuantizeZeroPoint = zeroPoint16(fromBFloat16LowHalf, zeroPointQ)
	}},
	{kernel: "BFloat16.QuantizeZeroPoint", what: "fuses the multiply and add", patch: func(k *kernels.Set) {
		k.BFloat16.QuantizeZeroPoint = zeroPoint16(fallback.FromBFloat16, func(x, s, z float32) int8 {
			return roundEvenClamp(-128, 127)(float32(math.FMA(float64(x), float64(s), float64(z))))
		})
	}},
	{kernel: "BFloat16.QuantizeZeroPoint", what: "rounds before adding the zero point", patch: func(k *kernels.Set) {
		k.BFloat16.QuantizeZeroPoint = zeroPoint16(fallback.FromBFloat16, func(x, s, z float32) int8 {
			return roundEvenClamp(-128, 127)(float32(math.RoundToEven(float64(x*s))) + z)
		})
	}},

	{kernel: "EncodeQ8_0", what: "rounds q half away from zero", patch: func(k *kernels.Set) {
		k.EncodeQ8_0 = q8Parts{q: func(x, id float32, _ uint16) int8 { return roundAwayClamp(-127, 127)(x * id) }}.encode
	}},
	{kernel: "EncodeQ8_0", what: "computes d from a*(1/127)", patch: func(k *kernels.Set) {
		k.EncodeQ8_0 = q8Parts{d: func(a float32) uint16 { return fallback.ToFloat16(a * (1.0 / 127)) }}.encode
	}},
	{kernel: "EncodeQ8_0", what: "computes id as 127/a (d unrounded)", patch: func(k *kernels.Set) {
		k.EncodeQ8_0 = q8Parts{id: func(a float32, d uint16) float32 {
			if d&0x7FFF == 0 {
				return 0
			}
			return 127 / a
		}}.encode
	}},
	{kernel: "EncodeQ8_0", what: "divides x by d instead of multiplying by id", patch: func(k *kernels.Set) {
		k.EncodeQ8_0 = q8Parts{q: func(x, id float32, d uint16) int8 {
			if id == 0 {
				return 0
			}
			return roundEvenClamp(-127, 127)(x / fallback.FromFloat16(d))
		}}.encode
	}},
	{kernel: "EncodeQ8_0", what: "ignores the clamp (q wraps)", patch: func(k *kernels.Set) {
		k.EncodeQ8_0 = q8Parts{q: func(x, id float32, _ uint16) int8 {
			return int8(int32(math.RoundToEven(float64(x * id))))
		}}.encode
	}},
	{kernel: "EncodeQ8_0", what: "clamps to -128", patch: func(k *kernels.Set) {
		k.EncodeQ8_0 = q8Parts{q: func(x, id float32, _ uint16) int8 { return roundEvenClamp(-128, 127)(x * id) }}.encode
	}},
	{kernel: "EncodeQ8_0", what: "truncates a/127 to binary16", patch: func(k *kernels.Set) {
		k.EncodeQ8_0 = q8Parts{d: func(a float32) uint16 {
			d := fallback.ToFloat16(a / 127)
			if fallback.FromFloat16(d) > a/127 {
				d--
			}
			return d
		}}.encode
	}},
	{kernel: "EncodeQ8_0", what: "stores d big-endian", patch: func(k *kernels.Set) {
		k.EncodeQ8_0 = q8Parts{putD: func(out []byte, d uint16) { out[0], out[1] = byte(d>>8), byte(d) }}.encode
	}},
	{kernel: "EncodeQ8_0", what: "divides by d even when d is 0", patch: func(k *kernels.Set) {
		k.EncodeQ8_0 = q8Parts{id: func(_ float32, d uint16) float32 { return 1 / fallback.FromFloat16(d) }}.encode
	}},
	{kernel: "EncodeQ8_0", what: "takes the maximum over the first 31 values", patch: func(k *kernels.Set) {
		k.EncodeQ8_0 = q8Parts{amax: func(b []float32) float32 { return f32(fallback.AbsMaxBits(b[:31])) }}.encode
	}},
	{kernel: "EncodeQ8_0", what: "keeps the maximum across blocks", patch: func(k *kernels.Set) {
		k.EncodeQ8_0 = func(dst []byte, src []float32) {
			var running float32
			q8Parts{amax: func(b []float32) float32 {
				running = max(running, f32(fallback.AbsMaxBits(b)))
				return running
			}}.encode(dst, src)
		}
	}},
	{kernel: "EncodeQ8_0", what: "skips the last block when there are 3 mod 4", patch: func(k *kernels.Set) {
		k.EncodeQ8_0 = withTailBlockSkipped(fallback.EncodeQ8_0, kernels.Q8_0Values, kernels.Q8_0Bytes)
	}},
	{kernel: "EncodeQ8_0", what: "writes one byte past the end", patch: func(k *kernels.Set) {
		k.EncodeQ8_0 = writingPastEnd(fallback.EncodeQ8_0)
	}},
	{kernel: "EncodeQ8_0", what: "reads one value past the end", guard: true, patch: func(k *kernels.Set) {
		k.EncodeQ8_0 = func(d []byte, s []float32) {
			fallback.EncodeQ8_0(d, s)
			sink += *past(s, len(s))
		}
	}},
	{kernel: "EncodeQ8_0", what: "allocates", allocs: true, patch: func(k *kernels.Set) {
		k.EncodeQ8_0 = func(d []byte, s []float32) {
			sinkSlice = append([]float32(nil), s...)
			fallback.EncodeQ8_0(d, sinkSlice)
		}
	}},
	{kernel: "Float16.EncodeQ8_0", what: "flushes binary16 subnormals to zero", patch: func(k *kernels.Set) {
		k.Float16.EncodeQ8_0 = q8Parts{}.encode16(fromFloat16FTZ)
	}},
	{kernel: "Float16.EncodeQ8_0", what: "rounds q half away from zero", patch: func(k *kernels.Set) {
		k.Float16.EncodeQ8_0 = q8Parts{q: func(x, id float32, _ uint16) int8 {
			return roundAwayClamp(-127, 127)(x * id)
		}}.encode16(fallback.FromFloat16)
	}},
	// (a*(1/127) in place of a/127 gives the same d for every binary16
	// and bfloat16 a: not a bug there.)
	{kernel: "Float16.EncodeQ8_0", what: "computes id as 127/a (d unrounded)", patch: func(k *kernels.Set) {
		k.Float16.EncodeQ8_0 = q8Parts{id: func(a float32, d uint16) float32 {
			if d&0x7FFF == 0 {
				return 0
			}
			return 127 / a
		}}.encode16(fallback.FromFloat16)
	}},
	{kernel: "Float16.EncodeQ8_0", what: "truncates a/127 to binary16", patch: func(k *kernels.Set) {
		k.Float16.EncodeQ8_0 = q8Parts{d: func(a float32) uint16 {
			d := fallback.ToFloat16(a / 127)
			if fallback.FromFloat16(d) > a/127 {
				d--
			}
			return d
		}}.encode16(fallback.FromFloat16)
	}},
	{kernel: "Float16.EncodeQ8_0", what: "ignores the clamp (q wraps)", patch: func(k *kernels.Set) {
		k.Float16.EncodeQ8_0 = q8Parts{q: func(x, id float32, _ uint16) int8 {
			return int8(int32(math.RoundToEven(float64(x * id))))
		}}.encode16(fallback.FromFloat16)
	}},
	{kernel: "Float16.EncodeQ8_0", what: "skips the last block when there are 3 mod 4", patch: func(k *kernels.Set) {
		k.Float16.EncodeQ8_0 = withTailBlockSkipped(fallback.EncodeQ8_0Float16, kernels.Q8_0Values, kernels.Q8_0Bytes)
	}},
	{kernel: "BFloat16.EncodeQ8_0", what: "reads the low half", patch: func(k *kernels.Set) {
		k.BFloat16.EncodeQ8_0 = q8Parts{}.encode16(fromBFloat16LowHalf)
	}},
	{kernel: "BFloat16.EncodeQ8_0", what: "divides by d even when d is 0", patch: func(k *kernels.Set) {
		k.BFloat16.EncodeQ8_0 = q8Parts{id: func(_ float32, d uint16) float32 {
			return 1 / fallback.FromFloat16(d)
		}}.encode16(fallback.FromBFloat16)
	}},
	{kernel: "BFloat16.EncodeQ8_0", what: "rounds q half away from zero", patch: func(k *kernels.Set) {
		k.BFloat16.EncodeQ8_0 = q8Parts{q: func(x, id float32, _ uint16) int8 {
			return roundAwayClamp(-127, 127)(x * id)
		}}.encode16(fallback.FromBFloat16)
	}},
	{kernel: "BFloat16.EncodeQ8_0", what: "keeps the maximum across pairs of blocks", patch: func(k *kernels.Set) {
		k.BFloat16.EncodeQ8_0 = func(dst []byte, src []uint16) {
			var blocks int
			var running float32
			q8Parts{amax: func(b []float32) float32 {
				if blocks%2 == 0 {
					running = 0
				}
				blocks++
				running = max(running, f32(fallback.AbsMaxBits(b)))
				return running
			}}.encode16(fallback.FromBFloat16)(dst, src)
		}
	}},
	{kernel: "BFloat16.EncodeQ8_0", what: "writes one byte past the end", patch: func(k *kernels.Set) {
		k.BFloat16.EncodeQ8_0 = writingPastEnd(fallback.EncodeQ8_0BFloat16)
	}},
	{kernel: "BFloat16.EncodeQ8_0", what: "reads one value before the start", guard: true, patch: func(k *kernels.Set) {
		k.BFloat16.EncodeQ8_0 = func(d []byte, s []uint16) {
			fallback.EncodeQ8_0BFloat16(d, s)
			sink += float32(*past(s, -1))
		}
	}},

	{kernel: "DecodeQ8_0", what: "treats q as unsigned", patch: func(k *kernels.Set) {
		k.DecodeQ8_0 = decodeWith(le16, fallback.FromFloat16, func(q byte) float32 { return float32(q) })
	}},
	{kernel: "DecodeQ8_0", what: "flushes subnormal d to zero", patch: func(k *kernels.Set) {
		k.DecodeQ8_0 = decodeWith(le16, fromFloat16FTZ, signedQ)
	}},
	{kernel: "DecodeQ8_0", what: "reads d big-endian", patch: func(k *kernels.Set) {
		k.DecodeQ8_0 = decodeWith(func(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }, fallback.FromFloat16, signedQ)
	}},
	{kernel: "DecodeQ8_0", what: "writes +0 for q = 0", patch: func(k *kernels.Set) {
		k.DecodeQ8_0 = func(dst []float32, src []byte) {
			fallback.DecodeQ8_0(dst, src)
			for i := range dst {
				if src[i/32*34+2+i%32] == 0 {
					dst[i] = 0
				}
			}
		}
	}},
	{kernel: "DecodeQ8_0", what: "decodes exponent 31 as a number", patch: func(k *kernels.Set) {
		k.DecodeQ8_0 = decodeWith(le16, fromFloat16NoSpecials, signedQ)
	}},
	{kernel: "DecodeQ8_0", what: "uses the d of the first block of each pair", patch: func(k *kernels.Set) {
		k.DecodeQ8_0 = func(dst []float32, src []byte) {
			fallback.DecodeQ8_0(dst, src)
			for b := 1; b < len(src)/34; b += 2 {
				d := fallback.FromFloat16(le16(src[(b-1)*34:]))
				for i, q := range src[b*34+2 : (b+1)*34] {
					dst[b*32+i] = float32(int8(q)) * d
				}
			}
		}
	}},
	{kernel: "DecodeQ8_0", what: "skips the last block when there are 3 mod 4", patch: func(k *kernels.Set) {
		k.DecodeQ8_0 = withTailBlockSkipped(fallback.DecodeQ8_0, kernels.Q8_0Bytes, kernels.Q8_0Values)
	}},
	{kernel: "DecodeQ8_0", what: "writes one value past the end", patch: func(k *kernels.Set) {
		k.DecodeQ8_0 = writingPastEnd(fallback.DecodeQ8_0)
	}},
	{kernel: "DecodeQ8_0", what: "reads one byte past the end", guard: true, patch: func(k *kernels.Set) {
		k.DecodeQ8_0 = func(d []float32, s []byte) {
			fallback.DecodeQ8_0(d, s)
			if len(s) > 0 {
				sink += float32(*past(s, len(s)))
			}
		}
	}},
}
