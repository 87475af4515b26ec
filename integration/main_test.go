// Package integration tests the collections on real files and real OS
// processes: crash recovery under SIGKILL, torn and corrupt files,
// locking, and several processes sharing one collection.
//
// Child processes are this test binary re-executed with FSC_CHILD naming
// the role to play (see children below).
package integration

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fscollections/fscollections"
)

// -rounds scales the crash harness (make stress sets it high).
var rounds = flag.Int("rounds", 50, "SIGKILL rounds per collection kind")

func TestMain(m *testing.M) {
	if role := os.Getenv("FSC_CHILD"); role != "" {
		fn, ok := children[role]
		if !ok {
			fmt.Fprintf(os.Stderr, "unknown child role %q\n", role)
			os.Exit(2)
		}
		if err := fn(os.Args[len(os.Args)-1]); err != nil {
			fmt.Fprintf(os.Stderr, "child %s: %v\n", role, err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	flag.Parse()
	os.Exit(m.Run())
}

// children maps a role to the function a child process runs with its
// argument (a JSON or plain string chosen by the test).
var children = map[string]func(arg string) error{}

// child starts this binary as a child playing role with arg.
func child(t *testing.T, role, arg string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", arg)
	cmd.Env = append(os.Environ(), "FSC_CHILD="+role)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// waitForLine polls file until it holds a line starting with prefix.
func waitForLine(t *testing.T, file, prefix string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if f, err := os.Open(file); err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), prefix) {
					f.Close()
					return
				}
			}
			f.Close()
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("no %q line in %s after %v", prefix, filepath.Base(file), timeout)
}

func openAppend(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
}

// decodeArg decodes a child's JSON argument.
func decodeArg[T any](raw string) (T, error) {
	var a T
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		return a, fmt.Errorf("child argument %q: %w", raw, err)
	}
	return a, nil
}

// openSharedList opens a list of strings in Shared mode, as the
// multi-process children do.
func openSharedList(path string) (*fscollections.FSList[string], error) {
	return fscollections.OpenList[string](path, &fscollections.Options{Shared: true, LockTimeout: time.Minute})
}

func removeFile(path string) error { return os.Remove(path) }
