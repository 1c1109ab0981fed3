//go:build race

package quant

// raceEnabled: the race detector makes sync.Pool drop items at random, so
// pooled scratch buffers are allocated again.
const raceEnabled = true
