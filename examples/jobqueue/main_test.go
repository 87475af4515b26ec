package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fscollections/fscollections/internal/redistest"
)

func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "jobqueue")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// Two producers and three worker processes share the queue; one worker is
// killed with SIGKILL in the middle of a job. Every job still ends done,
// and none is reported done twice.
func TestWorkerKilledMidJob(t *testing.T) {
	dir := t.TempDir()
	workerKilledMidJob(t, []string{"-dir", dir})
}

// The same program and the same run on a Redis server: -redis ADDR.
func TestWorkerKilledMidJobOnRedis(t *testing.T) {
	srv := redistest.Start(t)
	workerKilledMidJob(t, []string{"-redis", srv.Addr, "-dir", "test"})
}

func workerKilledMidJob(t *testing.T, where []string) {
	bin := build(t)
	cmd := func(args ...string) *exec.Cmd {
		return exec.Command(bin, append(slices.Clone(where), args...)...)
	}
	var (
		mu    sync.Mutex
		lines []string
		wg    sync.WaitGroup
	)
	collect := func(c *exec.Cmd, started chan<- struct{}) {
		stdout, _ := c.StdoutPipe()
		c.Stderr = os.Stderr
		if err := c.Start(); err != nil {
			t.Error(err)
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				mu.Lock()
				lines = append(lines, sc.Text())
				mu.Unlock()
				if started != nil && strings.HasPrefix(sc.Text(), "start ") {
					close(started)
					started = nil
				}
			}
		}()
	}
	victimStarted := make(chan struct{})
	victim := cmd("work", "-name", "victim", "-workers", "1", "-work", "300ms", "-lease", "500ms", "-until-done", "200")
	collect(victim, victimStarted)
	var workers []*exec.Cmd
	for _, name := range []string{"w1", "w2"} {
		w := cmd("work", "-name", name, "-workers", "2", "-work", "5ms", "-lease", "500ms", "-until-done", "200")
		collect(w, nil)
		workers = append(workers, w)
	}
	for _, name := range []string{"pa", "pb"} {
		out, err := cmd("produce", "-n", "100", "-name", name, "-fail-every", "7").CombinedOutput()
		if err != nil {
			t.Fatalf("produce: %v\n%s", err, out)
		}
	}
	select {
	case <-victimStarted:
	case <-time.After(20 * time.Second):
		t.Fatal("the victim never started a job")
	}
	_ = victim.Process.Signal(syscall.SIGKILL) // mid-job: its jobs take 300 ms
	_ = victim.Wait()
	for _, w := range workers {
		if err := w.Wait(); err != nil {
			t.Fatalf("worker: %v", err)
		}
	}
	wg.Wait()

	done := map[string]int{}
	victimJob := ""
	for _, l := range lines {
		f := strings.Fields(l)
		switch {
		case f[0] == "done":
			done[f[1]]++
		case f[0] == "start" && strings.HasPrefix(f[len(f)-1], "victim"):
			victimJob = f[1]
		}
	}
	for id, n := range done {
		if n != 1 {
			t.Fatalf("%s reported done %d times", id, n)
		}
	}
	out, err := cmd("status").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), "pending 0  leased 0  done 200  failed 0  queued 0") {
		t.Fatalf("status after the run: %s", out)
	}
	if victimJob == "" || done[victimJob] != 1 {
		t.Fatalf("the job the victim died in (%q) was not finished by another worker", victimJob)
	}
	t.Logf("%d jobs done; the victim died in %s", len(done), victimJob)
}

func TestUsageErrors(t *testing.T) {
	bin := build(t)
	for _, args := range [][]string{{}, {"bogus"}, {"produce", "-n", "x"}} {
		err := exec.Command(bin, append([]string{"-dir", t.TempDir()}, args...)...).Run()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
			t.Errorf("%v: %v, want exit status 2", args, err)
		}
	}
}
