package fsredis_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/fscollections/fscollections"
	"github.com/fscollections/fscollections/fsredis"
	"github.com/fscollections/fscollections/internal/redistest"
)

// engineUnderTest opens collections on one engine: files in a directory,
// or a Redis server or Cluster through a client.
type engineUnderTest struct {
	name   string
	dir    string                // files: the directory
	client redis.UniversalClient // Redis: the client
	seq    atomic.Int64
}

// fresh returns a name no other test used on this engine.
func (e *engineUnderTest) fresh(prefix string) string {
	n := fmt.Sprintf("%s-%d", prefix, e.seq.Add(1))
	if e.dir != "" {
		return filepath.Join(e.dir, n)
	}
	return n
}

func openList[T any](e *engineUnderTest, name string, opts *fscollections.Options) (*fscollections.FSList[T], error) {
	if e.client != nil {
		return fsredis.OpenList[T](e.client, name, opts)
	}
	return fscollections.OpenList[T](name, opts)
}

func openMap[V any](e *engineUnderTest, name string, opts *fscollections.Options) (*fscollections.FSMap[V], error) {
	if e.client != nil {
		return fsredis.OpenMap[V](e.client, name, opts)
	}
	return fscollections.OpenMap[V](name, opts)
}

func openSet[T any](e *engineUnderTest, name string, opts *fscollections.Options) (*fscollections.FSSet[T], error) {
	if e.client != nil {
		return fsredis.OpenSet[T](e.client, name, opts)
	}
	return fscollections.OpenSet[T](name, opts)
}

// must takes what an open returned and gives a function that, called
// with t, fails t on the error or returns the collection, closed when t
// ends: must(openList[int](e, name, nil))(t).
func must[H interface{ Close() error }](h H, err error) func(t *testing.T) H {
	return func(t *testing.T) H {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = h.Close() })
		return h
	}
}

// engines starts a standalone Redis server and a 3-master Cluster and
// returns the three engines the contract runs on.
func engines(t *testing.T) []*engineUnderTest {
	t.Helper()
	files := &engineUnderTest{name: "files", dir: t.TempDir()}
	redistest.Require(t)
	srv := redistest.Start(t)
	single := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{srv.Addr}})
	t.Cleanup(func() { single.Close() })
	nodes := redistest.StartCluster(t, 3)
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{nodes[0].Addr, nodes[1].Addr, nodes[2].Addr}})
	t.Cleanup(func() { cluster.Close() })
	return []*engineUnderTest{files, {name: "redis", client: single}, {name: "cluster", client: cluster}}
}

// quiet drops go-redis's own log lines (dial failures while a test has
// killed the server); the tests check the errors the calls return.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	redis.SetLogger(quiet{})
	os.Exit(m.Run())
}
