//go:build race

package main

// raceEnabled scales the tests down under the race detector (5-10x slower).
const raceEnabled = true
