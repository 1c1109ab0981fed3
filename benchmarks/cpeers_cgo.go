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
	"strconv"
	"unsafe"

	"github.com/qkernels/quant"
	"github.com/qkernels/quant/dispatch"
	"github.com/qkernels/quant/kernels"
)

// CgoEnabled reports whether this build has the C peers.
const CgoEnabled = true

// CCompiler names the compiler of the C peers.
func CCompiler() string { return C.GoString(C.qb_cc()) }

// cPeers returns the C implementations this CPU runs: c-simd, c-scalar,
// c-avx512 and c-llama-ref.
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
	return append(peers, llamaPeer())
}

// cPeer builds the kernel table of variant v and its operations; the
// quantizers are single calls into C (reduction, parameters, quantization).
// The 16-bit outputs (DecodeQ8_0 and DequantizeZeroPoint to binary16 or
// bfloat16) have no C peer: the table leaves their kernels nil.
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
	// The static quantizers: one fused C pass that quantizes and finds the
	// NaNs, its status read afterwards (package quant checks each chunk of
	// 4096 values with its reduction, then quantizes it). On a NaN, dst
	// is written all the same, which quant's contract allows. The
	// parameters are checked here, as quant checks them.
	im.QuantizeAbsmaxWith = func(dst []int8, src []float32, p quant.AbsmaxParams) error {
		dst = dst[:len(src)]
		if !validAbsmax(p) {
			return errParams
		}
		return cStatus(C.qb_quantize_absmax_with(v, i8p(dst), f32p(src), C.size_t(len(src)), C.float(p.Scale)))
	}
	im.QuantizeZeroPointWith = func(dst []int8, src []float32, p quant.ZeroPointParams) error {
		dst = dst[:len(src)]
		if !validZeroPoint(p) {
			return errParams
		}
		return cStatus(C.qb_quantize_zeropoint_with(v, i8p(dst), f32p(src), C.size_t(len(src)),
			C.float(p.Scale), C.float(float32(p.ZeroPoint))))
	}
	im.QuantizeAbsmaxWithBFloat16 = func(dst []int8, src []uint16, p quant.AbsmaxParams) error {
		dst = dst[:len(src)]
		if !validAbsmax(p) {
			return errParams
		}
		return cStatus(C.qb_quantize_absmax_with_bf16(v, i8p(dst), u16p(src), C.size_t(len(src)), C.float(p.Scale)))
	}
	im.QuantizeZeroPointWithBFloat16 = func(dst []int8, src []uint16, p quant.ZeroPointParams) error {
		dst = dst[:len(src)]
		if !validZeroPoint(p) {
			return errParams
		}
		return cStatus(C.qb_quantize_zeropoint_with_bf16(v, i8p(dst), u16p(src), C.size_t(len(src)),
			C.float(p.Scale), C.float(float32(p.ZeroPoint))))
	}
	// The per-row quantizers: every row's parameters, then every row, in
	// one call; they write the parameters in place (see below). Their
	// scratch holds the parameters between the two passes: grown to the
	// largest call and kept, so that calls do not allocate, it makes them
	// one call at a time per peer.
	var scales []C.float
	var zps []C.qb_zp
	im.QuantizeAbsmaxPerRow = func(dst []int8, params []quant.AbsmaxParams, src []float32, cols int) error {
		rows := checkRows(dst, len(src), len(params), cols)
		scales = scratch(scales, rows)
		out := (*C.float)(unsafe.Pointer(unsafe.SliceData(params)))
		return cStatus(C.qb_absmax_quantize_rows(v, i8p(dst), out, unsafe.SliceData(scales), f32p(src),
			C.size_t(rows), C.size_t(cols)))
	}
	im.QuantizeZeroPointPerRow = func(dst []int8, params []quant.ZeroPointParams, src []float32, cols int) error {
		rows := checkRows(dst, len(src), len(params), cols)
		zps = scratch(zps, rows)
		out := (*C.qb_zp)(unsafe.Pointer(unsafe.SliceData(params)))
		return cStatus(C.qb_zeropoint_quantize_rows(v, i8p(dst), out, unsafe.SliceData(zps), f32p(src),
			C.size_t(rows), C.size_t(cols)))
	}
	// From 16-bit sources, C widens each row (in both passes) into a
	// float32 row of cols values, kept and grown here as the scratch
	// above is.
	var row []C.float
	absmax16 := func(kind C.int) func([]int8, []quant.AbsmaxParams, []uint16, int) error {
		return func(dst []int8, params []quant.AbsmaxParams, src []uint16, cols int) error {
			rows := checkRows(dst, len(src), len(params), cols)
			scales, row = scratch(scales, rows), scratch(row, cols)
			out := (*C.float)(unsafe.Pointer(unsafe.SliceData(params)))
			return cStatus(C.qb_absmax_quantize_rows16(v, kind, i8p(dst), out, unsafe.SliceData(scales),
				unsafe.SliceData(row), u16p(src), C.size_t(rows), C.size_t(cols)))
		}
	}
	zeroPoint16 := func(kind C.int) func([]int8, []quant.ZeroPointParams, []uint16, int) error {
		return func(dst []int8, params []quant.ZeroPointParams, src []uint16, cols int) error {
			rows := checkRows(dst, len(src), len(params), cols)
			zps, row = scratch(zps, rows), scratch(row, cols)
			out := (*C.qb_zp)(unsafe.Pointer(unsafe.SliceData(params)))
			return cStatus(C.qb_zeropoint_quantize_rows16(v, kind, i8p(dst), out, unsafe.SliceData(zps),
				unsafe.SliceData(row), u16p(src), C.size_t(rows), C.size_t(cols)))
		}
	}
	im.QuantizeAbsmaxPerRowFloat16 = absmax16(C.QB_SRC_F16)
	im.QuantizeAbsmaxPerRowBFloat16 = absmax16(C.QB_SRC_BF16)
	im.QuantizeZeroPointPerRowFloat16 = zeroPoint16(C.QB_SRC_F16)
	im.QuantizeZeroPointPerRowBFloat16 = zeroPoint16(C.QB_SRC_BF16)
	if v == C.QB_AVX512 {
		return im // no Q8_0, fake quantization, error-sums or interop code
	}
	// Fake quantization: one fused C pass that quantizes, dequantizes and
	// finds the NaNs, as the static quantizers above (package quant checks
	// each chunk of 4096 values with its reduction, then runs its
	// FakeQuantize kernel on it from L1). The parameters are checked here.
	im.FakeQuantizeAbsmax = func(dst, src []float32, p quant.AbsmaxParams) error {
		dst = dst[:len(src)]
		if !validAbsmax(p) {
			return errParams
		}
		return cStatus(C.qb_fake_quantize_absmax(v, f32p(dst), f32p(src), C.size_t(len(src)), C.float(p.Scale)))
	}
	im.FakeQuantizeZeroPoint = func(dst, src []float32, p quant.ZeroPointParams) error {
		dst = dst[:len(src)]
		if !validZeroPoint(p) {
			return errParams
		}
		return cStatus(C.qb_fake_quantize_zeropoint(v, f32p(dst), f32p(src), C.size_t(len(src)),
			C.float(p.Scale), C.int32_t(p.ZeroPoint)))
	}
	// Interop: one fused C pass each that quantizes (or fake-quantizes,
	// the mask with it) and finds the NaNs, the reciprocal 1/scale taken
	// in C as quant takes it (quant's kernels find them in the same pass
	// too). The parameters are checked here.
	im.QuantizePyTorch = func(dst []int8, src []float32, p quant.AffineParams) error {
		dst = dst[:len(src)]
		if !validAffine(p, -128, 127) {
			return errParams
		}
		return cStatus(C.qb_quantize_pytorch(v, i8p(dst), f32p(src), C.size_t(len(src)),
			C.float(p.Scale), C.int32_t(p.ZeroPoint)))
	}
	im.QuantizeONNX = func(dst []int8, src []float32, p quant.AffineParams) error {
		dst = dst[:len(src)]
		if !validAffine(p, -128, 127) {
			return errParams
		}
		return cStatus(C.qb_quantize_onnx(v, i8p(dst), f32p(src), C.size_t(len(src)),
			C.float(p.Scale), C.int32_t(p.ZeroPoint)))
	}
	im.DequantizeAffine = func(dst []float32, src []int8, p quant.AffineParams) error {
		dst = dst[:len(src)]
		if !validAffine(p, -128, 127) {
			return errParams
		}
		C.qb_dequantize_affine(v, f32p(dst), i8p(src), C.size_t(len(src)), C.float(p.Scale), C.int32_t(p.ZeroPoint))
		return nil
	}
	im.FakeQuantizePyTorch = func(dst []float32, mask []bool, src []float32, p quant.AffineParams, qmin, qmax int32) error {
		dst = dst[:len(src)]
		if mask != nil {
			mask = mask[:len(src)]
		}
		if !validAffine(p, qmin, qmax) {
			return errParams
		}
		return cStatus(C.qb_fake_quantize_pytorch(v, f32p(dst), boolp(mask), f32p(src), C.size_t(len(src)),
			C.float(p.Scale), C.int32_t(p.ZeroPoint), C.int32_t(qmin), C.int32_t(qmax)))
	}
	// MeasureError: the same float64 sums in the same order, in one call.
	im.MeasureError = func(x, y []float32) (quant.ErrorStats, error) {
		if len(x) != len(y) {
			panic("benchmarks: MeasureError: len(x) = " + strconv.Itoa(len(x)) + " != len(y) = " + strconv.Itoa(len(y)))
		}
		r := C.qb_error_sums(v, f32p(x), f32p(y), C.size_t(len(x)))
		if err := cStatus(r.status); err != nil {
			return quant.ErrorStats{}, err
		}
		return quant.ErrorStats{N: len(x), SumSquaredError: float64(r.sse), SumSquares: float64(r.ss),
			MaxAbsError: float64(r.max)}, nil
	}
	im.EncodeQ8_0 = func(dst []byte, src []float32) error {
		checkEncode("Q8_0", kernels.Q8_0Bytes, len(dst), len(src))
		return cStatus(C.qb_encode_q8_0(v, u8p(dst), f32p(src), C.size_t(len(src))))
	}
	im.EncodeQ8_0Float16 = func(dst []byte, src []uint16) error {
		checkEncode("Q8_0", kernels.Q8_0Bytes, len(dst), len(src))
		return cStatus(C.qb_encode_q8_0_f16(v, u8p(dst), u16p(src), C.size_t(len(src))))
	}
	im.EncodeQ8_0BFloat16 = func(dst []byte, src []uint16) error {
		checkEncode("Q8_0", kernels.Q8_0Bytes, len(dst), len(src))
		return cStatus(C.qb_encode_q8_0_bf16(v, u8p(dst), u16p(src), C.size_t(len(src))))
	}
	im.DecodeQ8_0 = func(dst []float32, src []byte) {
		n := checkDecode("Q8_0", kernels.Q8_0Bytes, len(dst), len(src))
		C.qb_decode_q8_0(v, f32p(dst), u8p(src), C.size_t(n))
	}
	if v == C.QB_SIMD && runtime.GOARCH != "amd64" {
		return im // no NEON Q4 code: c-scalar is the C Q4 peer there
	}
	im.EncodeQ4_0 = func(dst []byte, src []float32) error {
		checkEncode("Q4_0", kernels.Q4_0Bytes, len(dst), len(src))
		return cStatus(C.qb_encode_q4_0(v, u8p(dst), f32p(src), C.size_t(len(src))))
	}
	im.EncodeQ4_1 = func(dst []byte, src []float32) error {
		checkEncode("Q4_1", kernels.Q4_1Bytes, len(dst), len(src))
		return cStatus(C.qb_encode_q4_1(v, u8p(dst), f32p(src), C.size_t(len(src))))
	}
	im.DecodeQ4_0 = func(dst []float32, src []byte) {
		n := checkDecode("Q4_0", kernels.Q4_0Bytes, len(dst), len(src))
		C.qb_decode_q4_0(v, f32p(dst), u8p(src), C.size_t(n))
	}
	im.DecodeQ4_1 = func(dst []float32, src []byte) {
		n := checkDecode("Q4_1", kernels.Q4_1Bytes, len(dst), len(src))
		C.qb_decode_q4_1(v, f32p(dst), u8p(src), C.size_t(n))
	}
	return im
}

// llamaPeer is llama.cpp's reference encoders in C: Q8_0
// (quantize_row_q8_0_ref's algorithm), Q4_0 and Q4_1
// (quantize_row_q4_0_ref's and quantize_row_q4_1_ref's): the same d (and
// m) as package quant, byte for byte, but q rounded half away from zero
// (Q8_0) or half up (Q4) against d (and min) before their rounding to
// binary16, so that q may differ. Like llama.cpp it checks nothing (one
// pass, no status): finite inputs only.
func llamaPeer() *Impl {
	return &Impl{
		Name:    "c-llama-ref",
		Kernels: &kernels.Set{Name: "c-llama-ref"},
		EncodeQ8_0: func(dst []byte, src []float32) error {
			checkEncode("Q8_0", kernels.Q8_0Bytes, len(dst), len(src))
			C.qb_encode_q8_0(C.QB_LLAMA_REF, u8p(dst), f32p(src), C.size_t(len(src)))
			return nil
		},
		EncodeQ4_0: func(dst []byte, src []float32) error {
			checkEncode("Q4_0", kernels.Q4_0Bytes, len(dst), len(src))
			C.qb_encode_q4_0(C.QB_LLAMA_REF, u8p(dst), f32p(src), C.size_t(len(src)))
			return nil
		},
		EncodeQ4_1: func(dst []byte, src []float32) error {
			checkEncode("Q4_1", kernels.Q4_1Bytes, len(dst), len(src))
			C.qb_encode_q4_1(C.QB_LLAMA_REF, u8p(dst), f32p(src), C.size_t(len(src)))
			return nil
		},
	}
}

// checkEncode panics unless an encoding's values are whole GGUF blocks of
// 32 values and its bytes have room for them, blockBytes each: the C side
// reads and writes them all.
func checkEncode(format string, blockBytes, bytes, values int) {
	if values%kernels.Q8_0Values != 0 || bytes < values/kernels.Q8_0Values*blockBytes {
		panic("benchmarks: " + format + ": " + strconv.Itoa(values) + " values, " + strconv.Itoa(bytes) + " bytes")
	}
}

// checkDecode panics unless a decoding's bytes are whole GGUF blocks of
// blockBytes and its values have room for them, and returns the number
// of values.
func checkDecode(format string, blockBytes, values, bytes int) int {
	n := bytes / blockBytes * kernels.Q8_0Values
	if bytes%blockBytes != 0 || values < n {
		panic("benchmarks: Decode" + format + ": " + strconv.Itoa(bytes) + " bytes, " + strconv.Itoa(values) + " values")
	}
	return n
}

// scratch returns s resliced to n values, reallocated if it is too short.
func scratch[T any](s []T, n int) []T {
	if cap(s) < n {
		s = make([]T, n)
	}
	return s[:n]
}

// checkRows panics unless n source values are whole rows of cols values
// with room in dst and nparams for them, and returns the number of rows.
func checkRows(dst []int8, n, nparams, cols int) int {
	if cols < 1 || n%cols != 0 || len(dst) < n || nparams < n/cols {
		panic("benchmarks: per-row: " + strconv.Itoa(n) + " values in rows of " + strconv.Itoa(cols))
	}
	return n / cols
}

// The per-row peers write quant.AbsmaxParams as C floats and
// quant.ZeroPointParams as qb_zp: the layouts must agree (an index out of
// range here fails the build).
var (
	_ = [1]int{}[unsafe.Sizeof(quant.AbsmaxParams{})-unsafe.Sizeof(C.float(0))]
	_ = [1]int{}[unsafe.Sizeof(quant.ZeroPointParams{})-unsafe.Sizeof(C.qb_zp{})]
	_ = [1]int{}[unsafe.Offsetof(quant.ZeroPointParams{}.ZeroPoint)-unsafe.Offsetof(C.qb_zp{}.zero)]
)

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
func u8p(s []byte) *C.uint8_t       { return (*C.uint8_t)(unsafe.SliceData(s)) }
func boolp(s []bool) *C.uint8_t     { return (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(s))) }
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

// writeCeiling makes a write-only pass over b with ordinary stores.
func writeCeiling(b []byte, seed uint64) {
	if len(b) < readCgoMin {
		writeWords(b, seed)
		return
	}
	C.qb_write(bytep(b), C.size_t(len(b)), C.uint64_t(seed))
}

// WriteKind describes the write ceiling, for the header of a run.
const WriteKind = "a Go loop of 8-byte stores below 16 KiB, from 16 KiB a C loop of 32-byte stores"
