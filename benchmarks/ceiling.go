package benchmarks

import (
	"bytes"
	"encoding/binary"
)

// ReadCeiling is the "read" ceiling: a read-only pass over every byte of b
// at the speed of memory, as close as this build gets (see ReadKind). Its
// result depends on every byte.
//
// Below 16 KiB, or without cgo, it is bytes.Count, which the Go runtime
// vectorises in assembly (AVX2 on amd64, NEON on arm64) and which costs no
// cgo call. From 16 KiB it is a C loop ORing 8-byte words, which GCC turns
// into full-width vector ORs: cheaper per byte than Count's compare and
// popcount, so the faster of the two wherever the data sits in L2 or
// nearer; from DRAM both run at memory speed.
func ReadCeiling(b []byte) uint64 { return readCeiling(b) }

// readCgoMin is the input size from which the read ceiling calls the C
// loop (with cgo): below it the cost of a cgo call (tens of ns) outweighs
// what the cheaper OR saves over bytes.Count.
const readCgoMin = 16 << 10

// readProbe is the byte bytes.Count looks for; any value does.
var readProbe = []byte{0xA5}

func readCount(b []byte) uint64 { return uint64(bytes.Count(b, readProbe)) }

// WriteCeiling is the "write" ceiling: a write-only pass of ordinary
// stores over every byte of b, the cost of writing a kernel's output. The
// words it stores start at seed and count up, so that no compiler or
// runtime turns it into a memset (whose non-temporal or string stores
// would measure something kernels do not do). Below 16 KiB, or without
// cgo, it is a Go loop of 8-byte stores; from 16 KiB a C loop of 32-byte
// vector stores (see WriteKind).
func WriteCeiling(b []byte, seed uint64) { writeCeiling(b, seed) }

// writeWords stores seed, seed+1, ... little-endian over b.
func writeWords(b []byte, seed uint64) {
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, seed)
		b, seed = b[8:], seed+1
	}
	for i := range b {
		b[i] = byte(seed)
	}
}
