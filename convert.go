package quant

import "unsafe"

// Float32ToFloat16 converts src to binary16 in dst, rounding to nearest
// with ties to even: |x| >= 65520 becomes ±Inf, values below 2^-14 become
// correctly rounded subnormals or zeros of the same sign, and a NaN becomes
// the quiet NaN sign|0x7E00|mantissa>>13 (what x86 VCVTPS2PH and arm64
// FCVTN produce). It writes len(src) values and panics if dst is shorter.
func Float32ToFloat16(dst []Float16, src []float32) {
	checkLen("Float32ToFloat16", len(dst), len(src))
	active().Float32ToFloat16(bits16(dst[:len(src)]), src)
}

// Float16ToFloat32 converts binary16 values in src to float32 in dst,
// exactly; a NaN keeps its sign and payload and gets its quiet bit set.
// It writes len(src) values and panics if dst is shorter.
func Float16ToFloat32(dst []float32, src []Float16) {
	checkLen("Float16ToFloat32", len(dst), len(src))
	active().Float16ToFloat32(dst[:len(src)], bits16(src))
}

// Float32ToBFloat16 converts src to bfloat16 in dst, rounding to nearest
// with ties to even. Subnormals are rounded, never flushed to zero; values
// that round above the largest bfloat16 become ±Inf; a NaN becomes
// bits>>16|0x0040 (quiet, sign and top payload kept). It writes len(src)
// values and panics if dst is shorter.
func Float32ToBFloat16(dst []BFloat16, src []float32) {
	checkLen("Float32ToBFloat16", len(dst), len(src))
	active().Float32ToBFloat16(bits16(dst[:len(src)]), src)
}

// BFloat16ToFloat32 converts bfloat16 values in src to float32 in dst
// (bits<<16, exact). It writes len(src) values and panics if dst is shorter.
func BFloat16ToFloat32(dst []float32, src []BFloat16) {
	checkLen("BFloat16ToFloat32", len(dst), len(src))
	active().BFloat16ToFloat32(dst[:len(src)], bits16(src))
}

// bits16 views a slice of 16-bit floats as the raw bits kernels work on.
func bits16[T Float16 | BFloat16](s []T) []uint16 {
	return unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

func checkLen(fn string, ndst, nsrc int) {
	if ndst < nsrc {
		panicLen(fn, ndst, nsrc)
	}
}

func panicLen(fn string, ndst, nsrc int) {
	panic("quant: " + fn + ": len(dst) = " + itoa(ndst) + " < len(src) = " + itoa(nsrc))
}
