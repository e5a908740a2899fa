//go:build !race

package kv

// raceEnabled is false: lock-free reads are on (see race_on.go).
const raceEnabled = false
