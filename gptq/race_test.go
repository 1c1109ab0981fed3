//go:build race

package gptq

// raceEnabled: the race detector slows the float64 reference tenfold; the
// concurrency it checks is in TestDeterministic.
const raceEnabled = true
