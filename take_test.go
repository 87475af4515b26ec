package fscollections_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fscollections/fscollections"
)

func TestTakeWaitsForAnAppend(t *testing.T) {
	l, err := fscollections.OpenList[int]("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_ = l.Append(1)
	if v, err := l.Take(context.Background()); err != nil || v != 1 {
		t.Fatalf("Take of a present element = %d, %v", v, err)
	}
	// Consumers wait; each appended element goes to exactly one.
	const consumers, items = 4, 400
	got := make(chan int, items)
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	for range consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				v, err := l.Take(ctx)
				if err != nil {
					if !errors.Is(err, context.Canceled) {
						t.Error(err)
					}
					return
				}
				got <- v
			}
		}()
	}
	for i := range items {
		if err := l.Append(i); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[int]bool{}
	for range items {
		v := <-got
		if seen[v] {
			t.Fatalf("%d taken twice", v)
		}
		seen[v] = true
	}
	cancel()
	wg.Wait()
	if l.Len() != 0 {
		t.Fatalf("%d left", l.Len())
	}
	// ctx ending first.
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := l.Take(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Take on an empty list = %v", err)
	}
}

func TestTakeReturnsErrClosedToAWaiter(t *testing.T) {
	l, _ := fscollections.OpenList[string]("", nil)
	done := make(chan error, 1)
	go func() {
		_, err := l.Take(context.Background())
		done <- err
	}()
	time.Sleep(10 * time.Millisecond) // let it wait
	l.Close()
	select {
	case err := <-done:
		if !errors.Is(err, fscollections.ErrClosed) {
			t.Fatalf("Take = %v; want ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a waiting Take was not woken by Close")
	}
	if _, err := l.Take(context.Background()); !errors.Is(err, fscollections.ErrClosed) {
		t.Fatalf("Take on a closed list = %v", err)
	}
}

// BenchmarkTakeWakeup measures how long an Append in this process takes to
// reach a Take waiting on an empty list.
func BenchmarkTakeWakeup(b *testing.B) {
	l, _ := fscollections.OpenList[int64]("", nil)
	defer l.Close()
	taken := make(chan time.Time)
	go func() {
		for {
			if _, err := l.Take(context.Background()); err != nil {
				close(taken)
				return
			}
			taken <- time.Now()
		}
	}()
	var worst time.Duration
	var lat []time.Duration
	for range b.N {
		time.Sleep(50 * time.Microsecond) // the taker is waiting again
		start := time.Now()
		_ = l.Append(1)
		d := (<-taken).Sub(start)
		lat = append(lat, d)
		worst = max(worst, d)
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(worst.Microseconds()), "max-µs")
}

func ExampleFSList_Take() {
	jobs, _ := fscollections.OpenList[string]("", nil)
	defer jobs.Close()
	go func() { _ = jobs.Append("resize image 42") }()
	job, err := jobs.Take(context.Background()) // waits for the Append
	fmt.Println(job, err)
	// Output: resize image 42 <nil>
}
