// Package redistest starts real redis-server processes for tests: a
// standalone server or a Cluster of masters, each on a free loopback port
// and in its own temporary directory, stopped when the test ends.
//
// When redis-server is not installed the tests that need it skip, unless
// the environment sets FSC_REQUIRE_REDIS=1 (make test does, after
// installing it), in which case they fail.
package redistest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Server is a redis-server process started by a test.
type Server struct {
	Addr string // host:port on the loopback interface
	Port int
	Dir  string // its working directory (AOF and RDB files)
	args []string
	cmd  *exec.Cmd
	log  string
	t    testing.TB
}

// Require skips (or, with FSC_REQUIRE_REDIS=1, fails) t when redis-server
// is not installed.
func Require(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		msg := "redis-server is not installed (apt-get install -y redis-server; make test installs it)"
		if os.Getenv("FSC_REQUIRE_REDIS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// freePort returns a loopback port that is free, and (for a Cluster
// node) whose bus port, port+10000, is free too.
func freePort(t testing.TB, withBus bool) int {
	t.Helper()
	for range 100 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if !withBus {
			return port
		}
		if port+10000 > 65535 {
			continue
		}
		bus, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+10000))
		if err != nil {
			continue
		}
		bus.Close()
		return port
	}
	t.Fatal("redistest: no free port pair found")
	return 0
}

// Start starts a standalone redis-server with no persistence, plus the
// extra configuration directives given ("appendonly", "yes", …), and
// stops it when t ends.
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	Require(t)
	return start(t, freePort(t, false), extra)
}

func start(t testing.TB, port int, extra []string) *Server {
	t.Helper()
	s := &Server{Port: port, Addr: fmt.Sprintf("127.0.0.1:%d", port), Dir: t.TempDir(), t: t}
	s.args = append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--dir", s.Dir, "--save", "", "--appendonly", "no", "--daemonize", "no",
		"--protected-mode", "no"}, prefixed(extra)...)
	s.log = filepath.Join(s.Dir, "redis.log")
	s.run()
	t.Cleanup(s.Stop)
	return s
}

// prefixed turns "name", "value" pairs into "--name", "value".
func prefixed(kv []string) []string {
	out := make([]string, len(kv))
	for i, a := range kv {
		if i%2 == 0 && !strings.HasPrefix(a, "--") {
			a = "--" + a
		}
		out[i] = a
	}
	return out
}

// run starts the process and waits until it answers PING.
func (s *Server) run() {
	s.t.Helper()
	logf, err := os.OpenFile(s.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	defer logf.Close()
	s.cmd = exec.Command("redis-server", s.args...)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("redistest: start redis-server: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if reply, err := s.Command("PING"); err == nil && reply == "+PONG" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	log, _ := os.ReadFile(s.log)
	s.Stop()
	s.t.Fatalf("redistest: redis-server on %s did not answer; its log:\n%s", s.Addr, log)
}

// Command sends one command over a fresh connection and returns the first
// line of the reply ("+PONG", ":1", "$5" …). It is for set-up and checks,
// not for the code under test, which uses its own client.
func (s *Server) Command(args ...string) (string, error) {
	c, err := net.DialTimeout("tcp", s.Addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.Write([]byte(b.String())); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return strings.TrimRight(line, "\r\n"), err
}

// Kill ends the server with SIGKILL, as a crash would.
func (s *Server) Kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Stop ends the server (SIGTERM, then SIGKILL after 5 s).
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	s.cmd = nil
}

// Restart starts the server again on the same port and directory (after
// Kill or Stop), with the same configuration: with appendonly, it reloads
// what it had acknowledged.
func (s *Server) Restart() {
	s.t.Helper()
	s.run()
}

// StartCluster starts n masters with cluster mode on, joins them with
// redis-cli --cluster create (no replicas) and waits until the cluster
// state is ok. It returns the nodes; any of their Addrs seeds a client.
func StartCluster(t testing.TB, n int) []*Server {
	t.Helper()
	Require(t)
	if _, err := exec.LookPath("redis-cli"); err != nil {
		t.Fatal("redistest: redis-cli is needed to create a cluster")
	}
	nodes := make([]*Server, n)
	addrs := make([]string, n)
	for i := range nodes {
		nodes[i] = start(t, freePort(t, true), []string{"cluster-enabled", "yes",
			"cluster-config-file", "nodes.conf", "cluster-node-timeout", "5000"})
		addrs[i] = nodes[i].Addr
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command("redis-cli", args...).CombinedOutput(); err != nil {
		t.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, s := range nodes {
		for !s.clusterOK() {
			if time.Now().After(deadline) {
				t.Fatalf("redistest: cluster state of %s is not ok after 30 s", s.Addr)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nodes
}

// clusterOK reports whether the node says cluster_state:ok.
func (s *Server) clusterOK() bool {
	c, err := net.DialTimeout("tcp", s.Addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("*2\r\n$7\r\nCLUSTER\r\n$4\r\nINFO\r\n")); err != nil {
		return false
	}
	buf := make([]byte, 4096)
	n, _ := c.Read(buf)
	return strings.Contains(string(buf[:n]), "cluster_state:ok")
}
