package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The tests build the command and run it as a user would.
func TestTodoCommandLine(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "todo")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	file := filepath.Join(t.TempDir(), "todo")
	todo := func(args ...string) (string, int) {
		out, err := exec.Command(bin, append([]string{"--file", file}, args...)...).CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), code
	}
	steps := []struct {
		args []string
		out  string
		code int
	}{
		{[]string{"list"}, "nothing to do\n", 0},
		{[]string{"add", "buy", "milk"}, "added 1: buy milk\n", 0},
		{[]string{"add", "write report"}, "added 2: write report\n", 0},
		{[]string{"add", "call mum"}, "added 3: call mum\n", 0},
		{[]string{"done", "2"}, "done 2: write report\n", 0},
		{[]string{"move", "3", "1"}, "moved 3 to 1: call mum\n", 0},
		{[]string{"list"}, "1. [ ] call mum\n2. [ ] buy milk\n3. [x] write report\n", 0},
		{[]string{"undo", "3"}, "undone 3: write report\n", 0},
		{[]string{"rm", "2"}, "removed 2: buy milk\n", 0},
		{[]string{"list"}, "1. [ ] call mum\n2. [ ] write report\n", 0},
		{[]string{"done", "9"}, "no item 9: items are numbered 1 to 2", 2},
		{[]string{"done", "abc"}, `"abc" is not an item number`, 2},
		{[]string{"move", "1"}, "move takes 2 argument(s), got 1: todo move FROM TO", 2},
		{[]string{"rm"}, "rm takes 1 argument(s), got 0: todo rm N", 2},
		{[]string{"add"}, "add needs the text of the item", 2},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`, 2},
		{[]string{}, "no command", 2},
		{[]string{"clear"}, "removed 2 items\n", 0},
		{[]string{"list"}, "nothing to do\n", 0},
		{[]string{"done", "1"}, "no item 1: the list is empty", 2},
	}
	for _, s := range steps {
		out, code := todo(s.args...)
		if code != s.code || !strings.Contains(out, s.out) {
			t.Fatalf("todo %v: exit %d, output %q; want exit %d containing %q", s.args, code, out, s.code, s.out)
		}
	}
	// --temp leaves nothing behind and does not touch --file.
	out, err := exec.Command(bin, "--temp", "add", "x").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "added 1: x") {
		t.Fatalf("--temp add: %v %s", err, out)
	}
	if out, _ := todo("list"); out != "nothing to do\n" {
		t.Fatalf("--temp touched the file: %q", out)
	}
}
