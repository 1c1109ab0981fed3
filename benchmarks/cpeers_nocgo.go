//go:build !cgo

package benchmarks

// CgoEnabled reports whether this build has the C peers.
const CgoEnabled = false

// CCompiler names the compiler of the C peers: none without cgo.
func CCompiler() string { return "none (cgo disabled)" }

// Without cgo there are no C peers.
func cPeers() []*Impl { return nil }

// readCeiling makes a read-only pass over b.
func readCeiling(b []byte) uint64 { return readCount(b) }

// ReadKind describes the read ceiling, for the header of a run.
const ReadKind = "bytes.Count (cgo disabled: no C loop)"

// writeCeiling makes a write-only pass over b.
func writeCeiling(b []byte, seed uint64) { writeWords(b, seed) }

// WriteKind describes the write ceiling, for the header of a run.
const WriteKind = "a Go loop of 8-byte stores (cgo disabled: no C loop)"
