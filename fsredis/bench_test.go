package fsredis_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/fscollections/fscollections/fsredis"
	"github.com/fscollections/fscollections/internal/redistest"
)

// The benchmarks compare each operation with the raw go-redis command it
// stands for, against the same local server:
//
//	go test -run '^$' -bench . -benchmem -count 6 ./fsredis
//
// "Ours" is the fsredis operation, "Raw" the plain command.

func benchClient(b *testing.B) *redis.Client {
	srv := redistest.Start(b)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr})
	b.Cleanup(func() { c.Close() })
	return c
}

var value = []byte("0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789")

func BenchmarkListAppend(b *testing.B) {
	c := benchClient(b)
	b.Run("Ours", func(b *testing.B) {
		l, err := fsredis.OpenList[[]byte](c, "bench-append", nil)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := l.Append(value); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Raw", func(b *testing.B) {
		for b.Loop() {
			if err := c.RPush(context.Background(), "raw-append", value).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkListGet(b *testing.B) {
	c := benchClient(b)
	l, err := fsredis.OpenList[[]byte](c, "bench-get", nil)
	if err != nil {
		b.Fatal(err)
	}
	batch := make([][]byte, 1000)
	for i := range batch {
		batch[i] = value
	}
	if err := l.Append(batch...); err != nil {
		b.Fatal(err)
	}
	b.Run("Ours", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := l.Get(i % 1000); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("Raw", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if err := c.LIndex(context.Background(), "fsc:{bench-get}:list", int64(i%1000)).Err(); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkMapSet(b *testing.B) {
	c := benchClient(b)
	b.Run("Ours", func(b *testing.B) {
		m, err := fsredis.OpenMap[[]byte](c, "bench-set", nil)
		if err != nil {
			b.Fatal(err)
		}
		i := 0
		for b.Loop() {
			if err := m.Set(strconv.Itoa(i%10000), value); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("Raw", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if err := c.HSet(context.Background(), "raw-set", strconv.Itoa(i%10000), value).Err(); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkMapGet(b *testing.B) {
	c := benchClient(b)
	m, err := fsredis.OpenMap[[]byte](c, "bench-mget", nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 10000 {
		if err := m.Set(strconv.Itoa(i), value); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("Ours", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := m.Get(strconv.Itoa(i % 10000)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("Raw", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if err := c.HGet(context.Background(), "fsc:{bench-mget}:vals", strconv.Itoa(i%10000)).Err(); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkSetAdd(b *testing.B) {
	c := benchClient(b)
	b.Run("Ours", func(b *testing.B) {
		s, err := fsredis.OpenSet[int](c, "bench-sadd", nil)
		if err != nil {
			b.Fatal(err)
		}
		i := 0
		for b.Loop() {
			if err := s.Add(i); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("Raw", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if err := c.SAdd(context.Background(), "raw-sadd", i).Err(); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkSetContains(b *testing.B) {
	c := benchClient(b)
	s, err := fsredis.OpenSet[int](c, "bench-scontains", nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 1000 {
		if err := s.Add(i); err != nil {
			b.Fatal(err)
		}
		if err := c.SAdd(context.Background(), "raw-scontains", i).Err(); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("Ours", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if !s.Contains(i % 1000) {
				b.Fatal("missing")
			}
			i++
		}
	})
	b.Run("Raw", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if !c.SIsMember(context.Background(), "raw-scontains", i%1000).Val() {
				b.Fatal("missing")
			}
			i++
		}
	})
}

// BenchmarkIterate reads a 100,000-element list, map and set from the
// server; elements/s is the figure.
func BenchmarkIterate(b *testing.B) {
	c := benchClient(b)
	const n = 100000
	l, _ := fsredis.OpenList[int](c, "bench-iter-list", nil)
	m, _ := fsredis.OpenMap[int](c, "bench-iter-map", nil)
	s, _ := fsredis.OpenSet[int](c, "bench-iter-set", nil)
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	if err := l.Append(all...); err != nil {
		b.Fatal(err)
	}
	if err := m.Update(func(yield func(string, int) bool) {
		for i := range n {
			if !yield(strconv.Itoa(i), i) {
				return
			}
		}
	}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.AddAll(func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}); err != nil {
		b.Fatal(err)
	}
	count := func(b *testing.B, seq func(yield func() bool)) {
		for b.Loop() {
			k := 0
			seq(func() bool { k++; return true })
			if k != n {
				b.Fatalf("iterated %d", k)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "elements/s")
	}
	b.Run("List", func(b *testing.B) {
		count(b, func(y func() bool) {
			for range l.All() {
				y()
			}
		})
	})
	b.Run("Map", func(b *testing.B) {
		count(b, func(y func() bool) {
			for range m.All() {
				y()
			}
		})
	})
	b.Run("Set", func(b *testing.B) {
		count(b, func(y func() bool) {
			for range s.All() {
				y()
			}
		})
	})
}
