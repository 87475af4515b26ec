// Command lfucache demonstrates a persistent LFU cache: run it twice and
// the second run starts with the entries and use counts of the first. It
// serves keys drawn from a Zipf distribution and prints its telemetry
// beside an in-memory LRU cache (hashicorp/golang-lru) of the same size.
//
//	go run ./examples/lfucache [-dir data/lfucache] [-size 1000] [-n 200000]
package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

func main() {
	dir := flag.String("dir", filepath.Join("data", "lfucache"), "where the cache lives")
	size := flag.Int("size", 1000, "entries the cache holds")
	n := flag.Int("n", 200_000, "requests to serve")
	flag.Parse()
	if err := demo(os.Stdout, *dir, *size, *n); err != nil {
		fmt.Fprintln(os.Stderr, "lfucache:", err)
		os.Exit(1)
	}
}

// zipfKeys draws n keys from 100,000 with a Zipf distribution (s = 1.1).
func zipfKeys(seed int64, n int) []string {
	z := rand.NewZipf(rand.New(rand.NewSource(seed)), 1.1, 1, 99_999)
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("key-%d", z.Uint64())
	}
	return keys
}

// serve runs requests through get/put as a read-through cache would.
func serve(keys []string, get func(string) bool, put func(string)) time.Duration {
	start := time.Now()
	for _, k := range keys {
		if !get(k) {
			put(k)
		}
	}
	return time.Since(start)
}

func demo(w io.Writer, dir string, size, n int) error {
	c, err := Open(dir, size)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "opened %s: %d entries kept from earlier runs\n", dir, c.Stats().Len)
	keys := zipfKeys(time.Now().UnixNano(), n)
	value := make([]byte, 64)
	elapsed := serve(keys, func(k string) bool {
		_, ok, err := c.Get(k)
		return ok && err == nil
	}, func(k string) { _ = c.Put(k, value) })
	s := c.Stats()
	fmt.Fprintf(w, "persistent LFU: %d requests, hits %d, misses %d, evictions %d, hit ratio %.3f, %.0f ns/request\n",
		n, s.Hits, s.Misses, s.Evictions, s.HitRatio(), float64(elapsed.Nanoseconds())/float64(n))
	if err := c.Close(); err != nil {
		return err
	}
	mem, _ := lru.New[string, []byte](size)
	hits := 0
	elapsed = serve(keys, func(k string) bool {
		_, ok := mem.Get(k)
		if ok {
			hits++
		}
		return ok
	}, func(k string) { mem.Add(k, value) })
	fmt.Fprintf(w, "in-memory LRU:  %d requests, hit ratio %.3f, %.0f ns/request (lost on restart)\n",
		n, float64(hits)/float64(n), float64(elapsed.Nanoseconds())/float64(n))
	return nil
}
