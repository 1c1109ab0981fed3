package benchmarks

import "bytes"

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
