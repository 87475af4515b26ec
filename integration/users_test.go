package integration

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fscollections/fscollections"
)

func init() {
	children["users"] = func(raw string) error {
		a, err := decodeArg[compactArg](raw)
		if err != nil {
			return err
		}
		s, err := fscollections.OpenUsers(a.Path, nil)
		if err != nil {
			return err
		}
		logf, err := openAppend(a.Log)
		if err != nil {
			return err
		}
		_, _ = logf.WriteString("R\n")
		r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
		var ids []uuid.UUID
		for u := range s.All() {
			ids = append(ids, u.ID)
		}
		for {
			switch k := r.IntN(10); {
			case k < 6 || len(ids) == 0:
				batch := make([]fscollections.User, 1+r.IntN(20))
				for i := range batch {
					batch[i], _ = fscollections.NewUser(fmt.Sprint("name", r.IntN(30)), r.IntN(100))
					ids = append(ids, batch[i].ID)
				}
				err = s.Add(batch...)
			case k < 8:
				i := r.IntN(len(ids))
				err = s.RemoveIDs(ids[i])
				ids = slices.Delete(ids, i, i+1)
			default:
				err = s.RemoveNames(fmt.Sprint("name", r.IntN(30)))
			}
			if err != nil {
				return err
			}
		}
	}
}

// A process killed while adding and removing users leaves a store whose
// users and name index agree: every user is found by its name, searches
// find only users that exist, and Len counts them.
func TestUsersAndNameIndexAgreeAfterSIGKILL(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "users")
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 4))
	for round := range 30 {
		logPath := filepath.Join(dir, fmt.Sprintf("log%d", round))
		raw, _ := json.Marshal(compactArg{Path: path, Log: logPath})
		cmd := child(t, "users", string(raw))
		waitForLine(t, logPath, "R", 10*time.Second)
		time.Sleep(time.Duration(1+r.IntN(30)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()

		s, err := fscollections.OpenUsers(path, nil)
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		n := 0
		for u := range s.All() {
			n++
			if found := s.SearchByName(u.Name); !slices.ContainsFunc(found, u.Equal) {
				t.Fatalf("round %d: %s not found by its name", round, u.ID)
			}
		}
		for i := range 30 {
			for _, u := range s.SearchByName(fmt.Sprint("name", i)) {
				if !s.Has(u.ID) {
					t.Fatalf("round %d: search returned a user that does not exist", round)
				}
			}
		}
		if s.Len() != n {
			t.Fatalf("round %d: Len %d, but %d users", round, s.Len(), n)
		}
		if err := s.Err(); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
