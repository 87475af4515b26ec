// Command jobqueue is a persistent job queue shared by OS processes:
// producers enqueue jobs, workers lease them (the lease, with its
// deadline, recorded durably), run them, and mark them done, retrying
// failures; a job whose worker died is leased again once its lease expires.
//
//	go run ./examples/jobqueue produce -n 100
//	go run ./examples/jobqueue work -workers 3
//	go run ./examples/jobqueue status
//
// With -redis ADDR (host:port of a Redis server or of any node of a Redis
// Cluster) the same program runs on Redis, and producers and workers may
// be on different machines:
//
//	go run ./examples/jobqueue -redis 127.0.0.1:6379 produce -n 100
//
// On files, every process opens the same three collections in Shared
// mode with SyncAlways; on Redis every collection is shared as it is. Each operation of a Shared collection is linearizable across
// processes, and the queue needs nothing more: Pop hands a queued job ID
// to one worker; SetDefault (set if absent, return the winner) is an
// atomic claim, used to take a lease on an attempt, to mark a job done,
// and to requeue an expired lease — so a job is never done twice, even
// when a dead worker's job is leased again.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fscollections/fscollections"
	"github.com/fscollections/fscollections/fsredis"
)

// Job is one unit of work.
type Job struct {
	ID         string
	Payload    string
	State      string // pending, leased, done, failed
	Attempts   int    // runs started
	Leases     int    // lease numbers used: a claim is per lease number
	Owner      string // the worker holding the lease, or that finished it
	LeaseUntil time.Time
	Since      time.Time // when the job last became pending
	FailFirst  int       // for demos and tests: fail this many attempts first
	Error      string
}

// The job states.
const (
	Pending = "pending"
	Leased  = "leased"
	Done    = "done"
	Failed  = "failed"
)

// MaxAttempts is how often a failing job is tried before it is failed.
const MaxAttempts = 3

// Queue is the three shared collections.
type Queue struct {
	jobs   *fscollections.FSMap[Job]     // every job by ID
	ready  *fscollections.FSList[string] // IDs waiting for a worker
	claims *fscollections.FSMap[string]  // claim key -> winner
	client io.Closer                     // the Redis client, when on Redis
}

// Open opens the queue in dir, or on Redis at addr when addr is not "".
func Open(dir, addr string) (*Queue, error) {
	if addr != "" {
		return openRedis(dir, addr)
	}
	// Many producers and workers take turns on the files, each turn an
	// fsync: an operation may wait longer than the default second.
	opts := &fscollections.Options{Shared: true, Sync: fscollections.SyncAlways, LockTimeout: 30 * time.Second}
	jobs, err := fscollections.OpenMap[Job](filepath.Join(dir, "jobs"), opts)
	if err != nil {
		return nil, err
	}
	ready, err := fscollections.OpenList[string](filepath.Join(dir, "ready"), opts)
	if err != nil {
		jobs.Close()
		return nil, err
	}
	claims, err := fscollections.OpenMap[string](filepath.Join(dir, "claims"), opts)
	if err != nil {
		jobs.Close()
		ready.Close()
		return nil, err
	}
	return &Queue{jobs: jobs, ready: ready, claims: claims}, nil
}

// openRedis opens the queue's collections on the Redis server (or
// Cluster) at addr, named after dir. The rest of the program is the same.
func openRedis(dir, addr string) (*Queue, error) {
	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{addr}})
	name := func(s string) string { return filepath.ToSlash(filepath.Join(dir, s)) }
	jobs, err := fsredis.OpenMap[Job](rdb, name("jobs"), nil)
	if err != nil {
		rdb.Close()
		return nil, err
	}
	ready, err := fsredis.OpenList[string](rdb, name("ready"), nil)
	if err != nil {
		rdb.Close()
		return nil, err
	}
	claims, err := fsredis.OpenMap[string](rdb, name("claims"), nil)
	if err != nil {
		rdb.Close()
		return nil, err
	}
	return &Queue{jobs: jobs, ready: ready, claims: claims, client: rdb}, nil
}

// Close closes the collections.
func (q *Queue) Close() error {
	err := errors.Join(q.jobs.Close(), q.ready.Close(), q.claims.Close())
	if q.client != nil {
		err = errors.Join(err, q.client.Close())
	}
	return err
}

// claim returns whether who won the claim named key.
func (q *Queue) claim(key, who string) (bool, error) {
	winner, err := q.claims.SetDefault(key, who)
	return winner == who, err
}

// Produce enqueues a job. The job is recorded before its ID is queued, so
// a worker never pops an ID it cannot find.
func (q *Queue) Produce(j Job) error {
	j.State, j.Since = Pending, time.Now()
	if err := q.jobs.Set(j.ID, j); err != nil {
		return err
	}
	return q.ready.Append(j.ID)
}

// Lease pops queued IDs until it wins the lease on one, and returns it.
// ok is false when the queue is empty.
func (q *Queue) Lease(worker string, lease time.Duration) (Job, bool, error) {
	for {
		id, err := q.ready.Pop(0)
		if errors.Is(err, fscollections.ErrEmpty) {
			return Job{}, false, nil
		}
		if err != nil {
			return Job{}, false, err
		}
		j, ok, err := q.jobs.Lookup(id)
		if err != nil {
			return Job{}, false, err
		}
		if !ok || j.State != Pending {
			continue // a duplicate queue entry: someone has it
		}
		won, err := q.claim(fmt.Sprintf("lease:%s#%d", id, j.Leases+1), worker)
		if err != nil {
			return Job{}, false, err
		}
		if !won {
			continue
		}
		j.State, j.Leases, j.Attempts = Leased, j.Leases+1, j.Attempts+1
		j.Owner, j.LeaseUntil = worker, time.Now().Add(lease)
		if err := q.jobs.Set(id, j); err != nil {
			return Job{}, false, err
		}
		return j, true, nil
	}
}

// Finish records the outcome of a leased job: done, or after a failure
// pending again (queued) or failed for good. It reports whether this call
// marked the job done: exactly one call ever does.
func (q *Queue) Finish(j Job, worker string, runErr error) (bool, error) {
	if runErr == nil {
		won, err := q.claim("done:"+j.ID, worker)
		if err != nil || !won {
			return false, err // someone else finished it after our lease expired
		}
		j.State, j.Owner, j.Error = Done, worker, ""
		return true, q.jobs.Set(j.ID, j)
	}
	won, err := q.claim(fmt.Sprintf("outcome:%s#%d", j.ID, j.Leases), worker)
	if err != nil || !won {
		return false, err
	}
	j.Error = runErr.Error()
	if j.Attempts >= MaxAttempts {
		j.State = Failed
		return false, q.jobs.Set(j.ID, j)
	}
	j.State, j.Since = Pending, time.Now()
	if err := q.jobs.Set(j.ID, j); err != nil {
		return false, err
	}
	return false, q.ready.Append(j.ID)
}

// Reap requeues the jobs whose lease expired (their worker died or
// stalled), completes jobs whose done claim was won by a worker that died
// before recording it, and, when the queue is empty, requeues pending
// jobs that are in no queue (their worker died between taking the ID and
// recording its lease) and have been pending longer than a lease. It
// returns how many jobs it requeued.
func (q *Queue) Reap(worker string, lease time.Duration) (int, error) {
	now := time.Now()
	queueEmpty := q.ready.Len() == 0
	var stuck []Job
	for _, j := range q.jobs.Scan(func(_ string, j Job) bool {
		return j.State == Leased && now.After(j.LeaseUntil) ||
			j.State == Pending && queueEmpty && now.Sub(j.Since) > lease
	}) {
		stuck = append(stuck, j)
	}
	if err := q.jobs.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, j := range stuck {
		if winner, ok, err := q.claims.Lookup("done:" + j.ID); err != nil {
			return n, err
		} else if ok {
			j.State, j.Owner = Done, winner
			if err := q.jobs.Set(j.ID, j); err != nil {
				return n, err
			}
			continue
		}
		key := fmt.Sprintf("expire:%s#%d", j.ID, j.Leases)
		if j.State == Pending {
			key = fmt.Sprintf("orphan:%s#%d", j.ID, j.Leases)
		}
		won, err := q.claim(key, worker)
		if err != nil {
			return n, err
		}
		if !won {
			continue
		}
		// A new lease number: a claim on the old one may be held by the dead.
		j.State, j.Owner, j.Leases, j.Since = Pending, "", j.Leases+1, now
		if err := q.jobs.Set(j.ID, j); err != nil {
			return n, err
		}
		if err := q.ready.Append(j.ID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Counts returns the number of jobs in each state.
func (q *Queue) Counts() (map[string]int, error) {
	c := map[string]int{}
	for _, j := range q.jobs.All() {
		c[j.State]++
	}
	return c, q.jobs.Err()
}

// run does a job's work: sleep for the given duration, failing the first
// FailFirst attempts.
func run(j Job, work time.Duration) error {
	time.Sleep(work)
	if j.Attempts <= j.FailFirst {
		return fmt.Errorf("attempt %d of %s failed (as asked)", j.Attempts, j.ID)
	}
	return nil
}

func main() {
	if err := cli(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "jobqueue:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage: jobqueue [-dir DIR] [-redis ADDR] produce|work|status [flags]")

func cli(args []string, out io.Writer) error {
	top := flag.NewFlagSet("jobqueue", flag.ContinueOnError)
	dir := top.String("dir", filepath.Join("data", "jobqueue"), "directory of the queue (on Redis: its name prefix)")
	addr := top.String("redis", "", "host:port of a Redis server or Cluster node: keep the queue there instead of in files")
	if err := top.Parse(args); err != nil || top.NArg() == 0 {
		return errUsage
	}
	cmd, rest := top.Arg(0), top.Args()[1:]
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	n := fs.Int("n", 10, "produce: how many jobs")
	name := fs.String("name", "p"+strconv.Itoa(os.Getpid()), "produce: job ID prefix; work: worker name prefix")
	failEvery := fs.Int("fail-every", 0, "produce: every k-th job fails its first attempt (0: none)")
	workers := fs.Int("workers", 2, "work: consumer goroutines")
	lease := fs.Duration("lease", 2*time.Second, "work: lease duration")
	work := fs.Duration("work", 20*time.Millisecond, "work: time each job takes")
	until := fs.Int("until-done", 0, "work: exit once this many jobs are done (0: run until idle for -idle)")
	idle := fs.Duration("idle", 2*time.Second, "work: exit after the queue has been empty this long")
	if err := fs.Parse(rest); err != nil {
		return errUsage
	}
	q, err := Open(*dir, *addr)
	if err != nil {
		return err
	}
	defer q.Close()
	switch cmd {
	case "produce":
		for i := range *n {
			j := Job{ID: fmt.Sprintf("%s-%d", *name, i), Payload: fmt.Sprintf("work item %d", i)}
			if *failEvery > 0 && i%*failEvery == 0 {
				j.FailFirst = 1
			}
			if err := q.Produce(j); err != nil {
				return err
			}
		}
		fmt.Fprintf(out, "produced %d jobs\n", *n)
		return nil
	case "work":
		return workLoop(q, out, *name, *workers, *lease, *work, *until, *idle)
	case "status":
		c, err := q.Counts()
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "pending %d  leased %d  done %d  failed %d  queued %d\n",
			c[Pending], c[Leased], c[Done], c[Failed], q.ready.Len())
		return nil
	}
	return errUsage
}

func workLoop(q *Queue, out io.Writer, name string, workers int, lease, work time.Duration, until int, idle time.Duration) error {
	var (
		mu       sync.Mutex
		lastJob  = time.Now()
		firstErr error
	)
	say := func(format string, args ...any) {
		mu.Lock()
		fmt.Fprintf(out, format+"\n", args...)
		mu.Unlock()
	}
	stop := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if firstErr != nil {
			return true
		}
		if until > 0 {
			c, err := q.Counts()
			return err != nil || c[Done]+c[Failed] >= until
		}
		return time.Since(lastJob) > idle
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			me := fmt.Sprintf("%s/%d", name, w)
			fail := func(err error) {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
			for !stop() {
				j, ok, err := q.Lease(me, lease)
				if err != nil {
					fail(err)
					return
				}
				if !ok {
					if _, err := q.Reap(me, lease); err != nil {
						fail(err)
						return
					}
					time.Sleep(10 * time.Millisecond)
					continue
				}
				mu.Lock()
				lastJob = time.Now()
				mu.Unlock()
				say("start %s attempt %d by %s", j.ID, j.Attempts, me)
				runErr := run(j, work)
				done, err := q.Finish(j, me, runErr)
				if err != nil {
					fail(err)
					return
				}
				switch {
				case done:
					say("done %s by %s", j.ID, me)
				case runErr != nil:
					say("failed %s attempt %d: %v", j.ID, j.Attempts, runErr)
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}
