package domain_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/fscollections/fscollections/domain"
	"github.com/fscollections/fscollections/domain/domaintest"
)

func openIdleSyncMap(t *testing.T, disk *domaintest.Disk, sync domain.SyncMode) *domain.Map[string] {
	t.Helper()
	codec, _ := domain.CodecFor[string]()
	cfg := domain.Config{Header: domain.FileHeader{Generation: 1, TypeName: "string"},
		Sync: sync, IdleSyncBytes: 4 << 10, IdleSyncQuiet: 20 * time.Millisecond}
	if sync == domain.SyncInterval {
		cfg.SyncEvery = time.Hour
	}
	m, err := domain.OpenMap(domaintest.NewMemStorage(disk), cfg, codec)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Under SyncNever, writes past IdleSyncBytes are fsynced once they pause:
// a power cut after the pause keeps them all.
func TestIdleSyncMakesPausedWritesDurable(t *testing.T) {
	disk := &domaintest.Disk{}
	m := openIdleSyncMap(t, disk, domain.SyncNever)
	var keys, vals []string
	for i := range 200 { // about 10 KiB, in one write: no pause inside
		keys, vals = append(keys, fmt.Sprint("key", i)), append(vals, "a value of some length")
	}
	before := disk.Synced()
	if err := m.SetMany(keys, vals); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for disk.Synced() == before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if disk.Synced() == before {
		t.Fatal("no fsync within 10 s of the writes pausing")
	}
	// Written later, under the threshold: not synced by a pause.
	if err := m.Set("late", "x"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	crashed := disk.Clone()
	crashed.PowerLoss()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	r := openIdleSyncMap(t, crashed, domain.SyncNever)
	defer r.Close()
	if r.Len() != 200 {
		t.Fatalf("after a power cut following the pause: %d keys, want the 200 written before it", r.Len())
	}
	if v, err := r.Get("key199"); err != nil || v != "a value of some length" {
		t.Fatalf("key199 = %q, %v", v, err)
	}
}

// Only SyncNever has it: SyncInterval's loop and SyncAlways's group commit
// decide when those collections sync.
func TestIdleSyncOnlyUnderSyncNever(t *testing.T) {
	disk := &domaintest.Disk{}
	m := openIdleSyncMap(t, disk, domain.SyncInterval)
	defer m.Close()
	for i := range 200 {
		if err := m.Set(fmt.Sprint("key", i), "a value of some length"); err != nil {
			t.Fatal(err)
		}
	}
	before := disk.Synced()
	time.Sleep(200 * time.Millisecond)
	if disk.Synced() != before {
		t.Fatal("a SyncInterval collection synced on a pause")
	}
}
