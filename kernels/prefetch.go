package kernels

import "math"

// Prefetch says where the streaming loops of an assembly kernel set issue
// software prefetch hints, by the length of the slice they walk, in
// values. A hint changes no result, only speed, and how much (or whether)
// hints help differs between processors: the set's tuning table, in
// package quant, gives each processor family the values measured best for
// it, and package dispatch installs them at start-up.
type Prefetch struct {
	// Near is the length from which the main loops hint the lines of
	// their input about 2 KiB ahead and of their output 1024 values ahead.
	Near int
	// Far is the length from which the float32 reductions (AbsMax,
	// MinMax), which do the least work per byte, switch to hints that
	// reach further, into L2 as well as L1.
	Far int
}

// Never, as a length of Prefetch, turns those hints off.
const Never = math.MaxInt
