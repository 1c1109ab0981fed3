package kerneltest

import (
	"fmt"
	"testing"

	"github.com/qkernels/quant/fallback"
	"github.com/qkernels/quant/kernels"
)

// TestEncodeInputsValid checks that the suite feeds the GGUF encoders only
// blocks that meet their preconditions: every pool and the every-d blocks
// of each codec, and the chunks of the sample plan of EncodeQ8_0 (and the
// end of the full one). Under -short the pools are left to Run, which
// checks each input it uses.
func TestEncodeInputsValid(t *testing.T) {
	defer func() {
		if e := recover(); e != nil {
			t.Fatal(e)
		}
	}()
	for _, cd := range codecs {
		if testing.Short() {
			break
		}
		src := cd.source32()
		for _, p := range src.pools {
			requireInput(cd, src.value, p.data)
		}
		requireInput(cd, src.value, src.everyD)
		for _, f := range formats {
			src := cd.source16(f)
			for _, p := range src.pools {
				requireInput(cd, src.value, p.data)
			}
			requireInput(cd, src.value, src.everyD)
		}
	}
	for _, f := range formats {
		plan := f.encodePlan("sample")
		full := f.encodePlan("full")
		plan = append(plan, full[len(full)-1])
		var buf []uint16
		for i, ch := range plan {
			if testing.Short() && ch.part == "pairs" && i != len(plan)-1 && plan[i-1].part == "pairs" {
				continue // the first and the last
			}
			buf = f.fill(ch, buf)
			requireInput(q8Codec, f.widen, buf)
		}
	}
}

// TestExhaustive16AndQ8_0ReferencePasses runs the exhaustive checks of
// the 16-bit and Q8_0 kernels, in sample mode, on the wrapped reference:
// they must report nothing.
func TestExhaustive16AndQ8_0ReferencePasses(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped under -short")
	}
	k := wrapped()
	exhaust16AndQ8_0(t, &k, "sample")
}

// near keeps, under -short, the patterns within 256 of bad; else all.
func near(bad uint16) func(uint16) bool {
	if !testing.Short() {
		return nil
	}
	return func(h uint16) bool { return h-bad+256 < 512 }
}

// TestExhaustive16AndQ8_0Detects proves that the exhaustive checks of the
// 16-bit and Q8_0 kernels fail on kernels wrong for a single input (run on
// the part of the input that holds it).
func TestExhaustive16AndQ8_0Detects(t *testing.T) {
	t.Run("AbsMaxBits16", func(t *testing.T) {
		rec := &recorder{}
		exhaustReduce16(rec, "broken", func(s []uint16) uint16 {
			m := fallback.AbsMaxBits16(s)
			if m == 0x7C01 {
				m = 0x7C00
			}
			return m
		}, fallback.AbsMaxBits16, near(0x7C01))
		expectReport(t, "AbsMaxBits16 wrong for 0x7c01", rec, "0x7c01")
	})
	t.Run("MinMaxKeys16", func(t *testing.T) {
		rec := &recorder{}
		broken := func(s []uint16) (int16, int16) {
			lo, hi := fallback.MinMaxKeys16(s)
			if lo == kernels.OrderKey16(0x8401) {
				lo++
			}
			return lo, hi
		}
		exhaustReduce16(rec, "broken", keysOf(broken), keysOf(fallback.MinMaxKeys16), near(0x8401))
		expectReport(t, "MinMaxKeys16 wrong for 0x8401", rec, "0x8401")
	})
	wrongAt := func(bad uint16, f func([]int8, []uint16)) func([]int8, []uint16) {
		return func(d []int8, s []uint16) {
			f(d, s)
			for i, h := range s {
				if h == bad {
					d[i] ^= 1
				}
			}
		}
	}
	for _, f := range formats {
		t.Run(f.name+".QuantizeAbsmax", func(t *testing.T) {
			rec := &recorder{}
			ref := f.set(&fallback.Kernels).QuantizeAbsmax
			exhaustAbsmax16(rec, "broken", f, func(d []int8, s []uint16, sc float32) {
				wrongAt(0x0123, func(d []int8, s []uint16) { ref(d, s, sc) })(d, s)
			}, ref, shortened(f.exhaustScales(), 2))
			expectReport(t, "wrong for 0x0123", rec, "0x0123")
		})
		t.Run(f.name+".QuantizeZeroPoint", func(t *testing.T) {
			rec := &recorder{}
			ref := f.set(&fallback.Kernels).QuantizeZeroPoint
			exhaustZeroPoint16(rec, "broken", f, func(d []int8, s []uint16, sc, z float32) {
				wrongAt(0xB456, func(d []int8, s []uint16) { ref(d, s, sc, z) })(d, s)
			}, ref, shortened(f.exhaustZeroPoints(), 2))
			expectReport(t, "wrong for 0xb456", rec, "0xb456")
		})
		t.Run(f.name+".EncodeQ8_0", func(t *testing.T) {
			// Wrong for one value under one block maximum that only the
			// full plan's pairs meet: run the chunk holding it.
			const a, x = 0x1235, 0x0A01
			ref := f.set(&fallback.Kernels).EncodeQ8_0
			broken := func(dst []byte, src []uint16) {
				ref(dst, src)
				for b := 0; b < len(src)/32; b++ {
					blk := src[b*32 : (b+1)*32]
					if fallback.AbsMaxBits16(blk) != a {
						continue
					}
					for i, h := range blk {
						if h == x {
							dst[b*34+2+i] ^= 1
						}
					}
				}
			}
			var plan []encodeChunk
			for _, ch := range f.encodePlan("full") {
				if ch.part == "pairs" && ch.as[0] <= a && a <= ch.as[len(ch.as)-1] {
					plan = append(plan, ch)
				}
			}
			rec := &recorder{}
			exhaustEncode16(rec, "broken", f, broken, ref, plan)
			expectReport(t, "wrong for 0x0a01 under 0x1235", rec, "input 0x0a01")
			// And one the sample's selected maxima meet.
			m := f.exhaustMaxima()[0]
			var sample []encodeChunk
			for _, ch := range f.encodePlan("sample") {
				if ch.part == "maximum" && ch.a == m {
					sample = append(sample, ch)
				}
			}
			rec = &recorder{}
			exhaustEncode16(rec, "broken", f, func(dst []byte, src []uint16) {
				ref(dst, src)
				for b := 0; b < len(src)/32; b++ {
					if fallback.AbsMaxBits16(src[b*32:(b+1)*32]) == m {
						for i, h := range src[b*32 : (b+1)*32] {
							if h == 0x8001 {
								dst[b*34+2+i] ^= 0x80
							}
						}
					}
				}
			}, ref, sample)
			expectReport(t, "wrong for 0x8001 under a selected maximum", rec, "input 0x8001")
		})
	}
	t.Run("DecodeQ8_0", func(t *testing.T) {
		rec := &recorder{}
		exhaustDecode(rec, "broken", func(dst []float32, src []byte) {
			fallback.DecodeQ8_0(dst, src)
			for i := range dst {
				if b := src[i/32*34:]; le16(b) == 0x7C00 && int8(b[2+i%32]) == -128 {
					dst[i] = 0
				}
			}
		}, fallback.DecodeQ8_0, 0x7B00, 0x7D00, hex[float32])
		expectReport(t, "wrong for d 0x7c00, q -128", rec, "d 0x7c00 (+Inf), q -128")
	})
	for _, f := range formats {
		ref := f.set(&fallback.Kernels)
		t.Run(f.name+".DecodeQ8_0", func(t *testing.T) {
			rec := &recorder{}
			exhaustDecode(rec, "broken", func(dst []uint16, src []byte) {
				ref.DecodeQ8_0(dst, src)
				for i := range dst {
					if b := src[i/32*34:]; le16(b) == 0x0123 && int8(b[2+i%32]) == 77 {
						dst[i] ^= 1
					}
				}
			}, ref.DecodeQ8_0, 0x0100, 0x0200, f.show)
			expectReport(t, "wrong for d 0x0123, q 77", rec, "d 0x0123 (1.7344952e-05), q 77")
		})
		t.Run(f.name+".DequantizeZeroPoint", func(t *testing.T) {
			// Wrong for one q under one scale of the exhaustive list.
			const j, q = 0x3F85, -99
			bad, zero := exhaustDequantScale(j)
			rec := &recorder{}
			exhaustDequantize16(rec, "broken", f, func(d []uint16, src []int8, s float32, z int32) {
				ref.DequantizeZeroPoint(d, src, s, z)
				for i, x := range src {
					if x == q && s == bad {
						d[i] ^= 1
					}
				}
			}, ref.DequantizeZeroPoint, j&^255, j&^255+256)
			expectReport(t, "wrong for q -99 under one scale", rec, fmt.Sprintf("scale %s zero %d: index %d: q -99", hex(bad), zero, (j&255)*256+(q-j&255)&255))
		})
	}
}
