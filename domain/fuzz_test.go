package domain_test

import (
	"testing"

	"github.com/fscollections/fscollections/domain"
	"github.com/fscollections/fscollections/domain/domaintest"
)

func validLog(kind domain.Kind, fill func(domain.Storage)) []byte {
	disk := &domaintest.Disk{}
	fill(domaintest.NewMemStorage(disk))
	return disk.Data()
}

// FuzzReplay: arbitrary bytes after a valid data file header, replayed as
// the records of a list, a map and a set (no index: everything is
// replayed). Open may fail with ErrCorrupt; it must not panic, hang or
// allocate by a size a record claims, and whatever opens must read.
func FuzzReplay(f *testing.F) {
	codec, _ := domain.CodecFor[string]()
	cfg := func() domain.Config {
		return domain.Config{Header: domain.FileHeader{Generation: 1, TypeName: "string"}}
	}
	hdrLen := cfg().Header.Len()
	seed := func(b []byte) []byte { return b[hdrLen:] }
	f.Add(seed(validLog(domain.KindList, func(s domain.Storage) {
		l, _ := domain.OpenList(s, cfg(), codec)
		_ = l.Append("a", "bb", "ccc")
		_ = l.Insert(1, "x")
		_, _ = l.Pop(0)
		_ = l.Set(0, "y")
		_ = l.Reverse()
		_ = l.Sync()
	})))
	f.Add(seed(validLog(domain.KindMap, func(s domain.Storage) {
		m, _ := domain.OpenMap(s, cfg(), codec)
		_ = m.Set("k", "v")
		_ = m.Set("k2", "v2")
		_ = m.Delete("k")
		_ = m.Sync()
	})))
	// A header claiming 2^63 bytes.
	f.Add([]byte{6, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0})
	f.Fuzz(func(t *testing.T, tail []byte) {
		for _, kind := range []domain.Kind{domain.KindList, domain.KindMap, domain.KindSet} {
			c := cfg()
			c.Header.Kind = kind
			data := append(c.Header.Encode(), tail...)
			disk := &domaintest.Disk{}
			domaintest.SetData(disk, data)
			s := domaintest.NewMemStorage(disk)
			switch kind {
			case domain.KindList:
				l, err := domain.OpenList(s, c, codec)
				if err == nil {
					for range l.All() {
					}
					_ = l.Close()
				}
			case domain.KindMap:
				m, err := domain.OpenMap(s, c, codec)
				if err == nil {
					for range m.All() {
					}
					_ = m.Close()
				}
			default:
				set, err := domain.OpenSet(s, c, codec)
				if err == nil {
					for range set.All() {
					}
					_ = set.Close()
				}
			}
		}
	})
}
