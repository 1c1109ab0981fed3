//go:build cgo

package benchmarks

// The C peers live in cpeers.c. -std=c11 keeps GCC from contracting
// multiplies and adds into FMAs (see there). The quantbench_portable tag
// drops -march=native, for cross-compilers that do not know it.

/*
#cgo CFLAGS: -O3 -std=c11 -Wall
#cgo !quantbench_portable CFLAGS: -march=native
#cgo LDFLAGS: -lm
#include "cpeers.h"
*/
import "C"

import (
	"runtime"
	"unsafe"

	"github.com/qkernels/quant"
	"github.com/qkernels/quant/dispatch"
	"github.com/qkernels/quant/kernels"
)

// CgoEnabled reports whether this build has the C peers.
const CgoEnabled = true

// CCompiler names the compiler of the C peers.
func CCompiler() string { return C.GoString(C.qb_cc()) }

// cPeers returns the C implementations this CPU runs: c-simd, c-scalar and
// c-avx512.
func cPeers() []*Impl {
	host := dispatch.Host()
	var peers []*Impl
	simd := false
	switch runtime.GOARCH {
	case "amd64":
		simd = host.Has(dispatch.AVX2 | dispatch.F16C)
	case "arm64":
		simd = true // NEON and FP16 conversions are part of every arm64 CPU
	}
	if simd && C.qb_compiled(C.QB_SIMD) != 0 {
		peers = append(peers, cPeer("c-simd", C.QB_SIMD))
	}
	peers = append(peers, cPeer("c-scalar", C.QB_SCALAR))
	if C.qb_compiled(C.QB_AVX512) != 0 && host.Has(dispatch.AVX512F|dispatch.AVX512BW|dispatch.AVX512VL) {
		p := cPeer("c-avx512", C.QB_AVX512)
		if !host.Has(dispatch.AVX512BF16) {
			// No VCVTNEPS2BF16: leave the kernel out rather than
			// measure something else under its name.
			p.Kernels.Float32ToBFloat16 = nil
			p.Float32ToBFloat16 = nil
		}
		peers = append(peers, p)
	}
	return peers
}

// cPeer builds the kernel table of variant v and its operations; the
// quantizers are single calls into C (reduction, parameters, quantization).
func cPeer(name string, v C.int) *Impl {
	k := &kernels.Set{
		Name: name,
		Float32ToFloat16: func(dst []uint16, src []float32) {
			dst = dst[:len(src)]
			C.qb_f32_to_f16(v, u16p(dst), f32p(src), C.size_t(len(src)))
		},
		Float16ToFloat32: func(dst []float32, src []uint16) {
			dst = dst[:len(src)]
			C.qb_f16_to_f32(v, f32p(dst), u16p(src), C.size_t(len(src)))
		},
		Float32ToBFloat16: func(dst []uint16, src []float32) {
			dst = dst[:len(src)]
			C.qb_f32_to_bf16(v, u16p(dst), f32p(src), C.size_t(len(src)))
		},
		BFloat16ToFloat32: func(dst []float32, src []uint16) {
			dst = dst[:len(src)]
			C.qb_bf16_to_f32(v, f32p(dst), u16p(src), C.size_t(len(src)))
		},
		AbsMaxBits: func(src []float32) uint32 {
			return uint32(C.qb_absmax_bits(v, f32p(src), C.size_t(len(src))))
		},
		MinMaxKeys: func(src []float32) (int32, int32) {
			r := C.qb_minmax_keys(v, f32p(src), C.size_t(len(src)))
			return int32(r.lo), int32(r.hi)
		},
		QuantizeAbsmax: func(dst []int8, src []float32, scale float32) {
			dst = dst[:len(src)]
			C.qb_quantize_absmax(v, i8p(dst), f32p(src), C.size_t(len(src)), C.float(scale))
		},
		QuantizeZeroPoint: func(dst []int8, src []float32, scale, zero float32) {
			dst = dst[:len(src)]
			C.qb_quantize_zeropoint(v, i8p(dst), f32p(src), C.size_t(len(src)), C.float(scale), C.float(zero))
		},
		DequantizeZeroPoint: func(dst []float32, src []int8, scale float32, zero int32) {
			dst = dst[:len(src)]
			C.qb_dequantize_zeropoint(v, f32p(dst), i8p(src), C.size_t(len(src)), C.float(scale), C.int32_t(zero))
		},
	}
	im := FromSet(k)
	im.QuantizeAbsmax = func(dst []int8, src []float32) (quant.AbsmaxParams, error) {
		dst = dst[:len(src)]
		r := C.qb_absmax_quantize(v, i8p(dst), f32p(src), C.size_t(len(src)))
		if err := cStatus(r.status); err != nil {
			return quant.AbsmaxParams{}, err
		}
		return quant.AbsmaxParams{Scale: float32(r.scale)}, nil
	}
	im.QuantizeZeroPoint = func(dst []int8, src []float32) (quant.ZeroPointParams, error) {
		dst = dst[:len(src)]
		r := C.qb_zeropoint_quantize(v, i8p(dst), f32p(src), C.size_t(len(src)))
		if err := cStatus(r.status); err != nil {
			return quant.ZeroPointParams{}, err
		}
		return quant.ZeroPointParams{Scale: float32(r.scale), ZeroPoint: int32(r.zero)}, nil
	}
	return im
}

func cStatus(s C.int) error {
	switch s {
	case C.QB_OK:
		return nil
	case C.QB_NOT_FINITE:
		return errNotFinite
	}
	return errRange
}

// Pointers to the first element, nil for an empty slice; the C side reads
// and writes exactly n elements.
func f32p(s []float32) *C.float     { return (*C.float)(unsafe.SliceData(s)) }
func u16p(s []uint16) *C.uint16_t   { return (*C.uint16_t)(unsafe.SliceData(s)) }
func i8p(s []int8) *C.int8_t        { return (*C.int8_t)(unsafe.SliceData(s)) }
func bytep(s []byte) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(s)) }

// readCeiling makes a read-only pass over b as fast as this build can.
func readCeiling(b []byte) uint64 {
	if len(b) < readCgoMin {
		return readCount(b)
	}
	return uint64(C.qb_read(bytep(b), C.size_t(len(b))))
}

// ReadKind describes the read ceiling, for the header of a run.
const ReadKind = "bytes.Count below 16 KiB, from 16 KiB a C loop ORing 8-byte words (-O3 -march=native vectorises it)"
