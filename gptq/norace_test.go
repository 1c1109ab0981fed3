//go:build !race

package gptq

const raceEnabled = false
