package main

import (
	"strings"
	"testing"
)

func TestTourSurvivesASecondRun(t *testing.T) {
	dir := t.TempDir()
	var first, second strings.Builder
	if err := tour(&first, dir); err != nil {
		t.Fatal(err)
	}
	if err := tour(&second, dir); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"run 2 of the tour", "holds 4 jobs", "urgent job from run 1", "alice visited 2 times",
		"4 distinct words", "clean last close=true", "replayed=0"} {
		if !strings.Contains(second.String(), want) {
			t.Errorf("second run lacks %q:\n%s", want, second.String())
		}
	}
}
