package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDemo(t *testing.T) {
	dir := t.TempDir()
	var out strings.Builder
	if err := demo(&out, dir, 3000, ""); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"add 3000 generated users", "found 1000 users", "backup to", "reopen"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
	export, err := os.ReadFile(filepath.Join(dir, "users.jsonl"))
	if err != nil || strings.Count(string(export), "\n") != 2900 {
		t.Fatalf("export: %v, %d lines", err, strings.Count(string(export), "\n"))
	}
	// The export imports as the old database's save file would.
	var again strings.Builder
	if err := demo(&again, filepath.Join(dir, "imported"), 0, filepath.Join(dir, "users.jsonl")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(again.String(), "2900 users") {
		t.Fatalf("import demo:\n%s", again.String())
	}
}

func TestBenchmarkTable(t *testing.T) {
	var out strings.Builder
	if err := benchmark(&out, 1, 2000, 5000); err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{"Add 2,000 users", "Search 2,000 names", "Check 2,000 IDs", "Remove 2,000 by ID",
		"Remove 2,000 by name", "Save (Sync) 5,000", "Backup 5,000", "Load (reopen) 5,000"} {
		if !strings.Contains(out.String(), row) {
			t.Errorf("table lacks %q:\n%s", row, out.String())
		}
	}
}
