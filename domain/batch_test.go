package domain_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/fscollections/fscollections/domain"
	"github.com/fscollections/fscollections/domain/domaintest"
)

func openStringMap(t *testing.T, disk *domaintest.Disk) *domain.Map[string] {
	t.Helper()
	codec, _ := domain.CodecFor[string]()
	cfg := domain.Config{Header: domain.FileHeader{Generation: 1, TypeName: "string"}}
	m, err := domain.OpenMap(domaintest.NewMemStorage(disk), cfg, codec)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A write batch does what the same Map calls would, its writes survive a
// reopen, and a read batch sees them; an error from fn is returned with the
// writes before it kept (a batch is not a transaction).
func TestBatchesAgreeWithMapCalls(t *testing.T) {
	disk := &domaintest.Disk{}
	m := openStringMap(t, disk)
	model := map[string]string{}
	err := m.WriteBatch(func(w domain.MapWriter[string]) error {
		for i := range 500 {
			k := fmt.Sprintf("k%d", i%200) // overwrites too
			if err := w.Set([]byte(k), fmt.Sprint(i)); err != nil {
				return err
			}
			model[k] = fmt.Sprint(i)
		}
		for i := range 50 {
			k := fmt.Sprintf("k%d", 3*i)
			present, err := w.Delete([]byte(k))
			if err != nil || !present {
				return fmt.Errorf("Delete(%s) = %v, %v", k, present, err)
			}
			delete(model, k)
		}
		if present, err := w.Delete([]byte("absent")); present || err != nil {
			return fmt.Errorf("Delete(absent) = %v, %v", present, err)
		}
		// Reads inside the write batch see its writes.
		if v, ok, err := w.Lookup([]byte("k1")); !ok || err != nil || v != model["k1"] {
			return fmt.Errorf("Lookup(k1) in batch = %q, %v, %v", v, ok, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := m.WriteBatch(func(w domain.MapWriter[string]) error {
		if err := w.Set([]byte("kept"), "yes"); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("WriteBatch returned %v, want fn's error", err)
	}
	model["kept"] = "yes"
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m = openStringMap(t, disk)
	defer m.Close()
	if m.Len() != len(model) {
		t.Fatalf("Len %d after reopen, want %d", m.Len(), len(model))
	}
	err = m.ReadBatch(func(r domain.MapReader[string]) error {
		for i := range 210 {
			k := fmt.Sprintf("k%d", i)
			want, in := model[k]
			if r.Contains([]byte(k)) != in {
				return fmt.Errorf("Contains(%s) != %v", k, in)
			}
			b, ok, err := r.View([]byte(k))
			if err != nil || ok != in || string(b) != want {
				return fmt.Errorf("View(%s) = %q, %v, %v; want %q", k, b, ok, err, want)
			}
			v, ok, err := r.Lookup([]byte(k))
			if err != nil || ok != in || v != want {
				return fmt.Errorf("Lookup(%s) = %q, %v, %v; want %q", k, v, ok, err, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.ReadBatch(func(domain.MapReader[string]) error { return nil }); !errors.Is(err, domain.ErrClosed) {
		t.Fatalf("ReadBatch after Close: %v", err)
	}
	if err := m.WriteBatch(func(domain.MapWriter[string]) error { return nil }); !errors.Is(err, domain.ErrClosed) {
		t.Fatalf("WriteBatch after Close: %v", err)
	}
}

// Find answers as the one-key probe does, for present, absent and deleted
// keys, in groups of every size, across table growth and backward-shift
// deletion.
func TestFindAgreesWithContains(t *testing.T) {
	m := openStringMap(t, &domaintest.Disk{})
	defer m.Close()
	var keys [][]byte
	for i := range 3000 {
		keys = append(keys, []byte(fmt.Sprintf("key-%d", i)))
	}
	for i, k := range keys[:2000] {
		if err := m.Set(string(k), fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 2000; i += 3 {
		if err := m.Delete(string(keys[i])); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []int{0, 1, 15, 16, 17, 3000} {
		offs := make([]int64, n)
		err := m.ReadBatch(func(r domain.MapReader[string]) error {
			r.Find(keys[:n], offs)
			for i, k := range keys[:n] {
				present := i < 2000 && i%3 != 0
				if (offs[i] != 0) != present || r.Contains(k) != present {
					return fmt.Errorf("group of %d: key %s found at %d, want present=%v", n, k, offs[i], present)
				}
				if present {
					b, err := r.ViewAt(offs[i])
					if err != nil || string(b) != fmt.Sprint(i) {
						return fmt.Errorf("ViewAt(%s) = %q, %v", k, b, err)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Two keys with the same 32-bit hash: the first slot with the hash may be
// the other key's, and findMany must fall back to the full probe.
func TestFindManyWithAHashCollision(t *testing.T) {
	seen := map[uint32][]byte{}
	var a, b []byte
	for i := 0; a == nil; i++ {
		k := []byte(fmt.Sprintf("k%d", i))
		h := domain.HashKey(k)
		if prev, ok := seen[h]; ok {
			a, b = prev, k
		}
		seen[h] = k
	}
	m := openStringMap(t, &domaintest.Disk{})
	defer m.Close()
	for _, k := range [][]byte{a, b} {
		if err := m.Set(string(k), string(k)); err != nil {
			t.Fatal(err)
		}
	}
	offs := make([]int64, 3)
	_ = m.ReadBatch(func(r domain.MapReader[string]) error {
		r.Find([][]byte{b, a, []byte("absent")}, offs)
		return nil
	})
	if offs[0] == 0 || offs[1] == 0 || offs[0] == offs[1] {
		t.Fatalf("Find(%s, %s) = %d, %d: both present, in different records", b, a, offs[0], offs[1])
	}
	_ = m.ReadBatch(func(r domain.MapReader[string]) error {
		for i, k := range [][]byte{b, a} {
			if v, err := r.ViewAt(offs[i]); err != nil || string(v) != string(k) {
				t.Fatalf("ViewAt(Find(%s)) = %q, %v", k, v, err)
			}
		}
		return nil
	})
	if offs[2] != 0 {
		t.Fatalf("Find(absent) = %d", offs[2])
	}
}
