package fscollections_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fscollections/fscollections"
)

func TestNewUserValidates(t *testing.T) {
	for _, c := range []struct {
		name   string
		age    int
		reason string
	}{
		{"", 20, "empty name"},
		{"bad\xffutf8", 20, "not valid UTF-8"},
		{strings.Repeat("x", 257), 20, "257 bytes"},
		{"Al", -1, "age -1"},
		{"Al", 151, "age 151"},
	} {
		_, err := fscollections.NewUser(c.name, c.age)
		if !errors.Is(err, fscollections.ErrInvalidUser) || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("NewUser(%.10q, %d) = %v, want ErrInvalidUser mentioning %q", c.name, c.age, err, c.reason)
		}
	}
	u, err := fscollections.NewUser(strings.Repeat("é", 128), 150)
	if err != nil || u.ID == uuid.Nil {
		t.Fatalf("256-byte name, age 150: %v", err)
	}
	a, _ := fscollections.NewUser("Alice", 25)
	if a.String() != `User "Alice" is 25 years old` {
		t.Fatalf("String() = %s", a)
	}
	b := a
	b.Name = "Other"
	if !a.Equal(b) {
		t.Fatal("users with one ID are equal")
	}
}

func TestUserBinaryRoundTrip(t *testing.T) {
	u, _ := fscollections.NewUser("Zoë", 42)
	u.Extras = map[string]any{
		"nil": nil, "yes": true, "no": false, "n": 7, "big": int64(-1 << 40), "pi": 3.14,
		"s": "text", "raw": []byte{0, 1}, "when": time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
		"list": []any{1, "two", []any{3.0}}, "map": map[string]any{"inner": map[string]any{}},
	}
	b, err := u.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var v fscollections.User
	if err := v.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(u, v) {
		t.Fatalf("round trip:\n%#v\n%#v", u, v)
	}
	for i := range b { // no truncation or flip may panic or be silently accepted as another user
		_ = v.UnmarshalBinary(b[:i])
	}
	u.Extras = map[string]any{"ch": make(chan int)}
	if _, err := u.MarshalBinary(); !errors.Is(err, fscollections.ErrInvalidUser) {
		t.Fatalf("unsupported extra: %v", err)
	}
}

func openUsers(t *testing.T, path string) *fscollections.UserStore {
	t.Helper()
	s, err := fscollections.OpenUsers(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func names(us []fscollections.User) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Name)
	}
	return out
}

func TestUserStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users")
	s := openUsers(t, path)
	alice, _ := fscollections.NewUser("Alice", 25)
	bob, _ := fscollections.NewUser("Bob", 30)
	bob2, _ := fscollections.NewUser("Bob", 40)
	if err := s.Add(alice, bob, bob2, alice); err != nil { // the second alice is skipped
		t.Fatal(err)
	}
	if s.Len() != 3 {
		t.Fatalf("Len %d", s.Len())
	}
	if got := s.SearchByName("Bob", "Alice", "Nobody"); !slices.Equal(names(got), []string{"Bob", "Bob", "Alice"}) {
		t.Fatalf("SearchByName = %v", got)
	}
	if !s.Has(alice.ID, bob.ID) || s.Has(alice.ID, uuid.New()) || s.Has() {
		t.Fatal("Has wrong")
	}
	if len(s.SearchByName()) != 0 {
		t.Fatal("SearchByName() not empty")
	}
	for _, err := range []error{s.Add(), s.RemoveIDs(), s.RemoveNames()} {
		if !errors.Is(err, fscollections.ErrEmptyQuery) {
			t.Fatalf("empty query: %v", err)
		}
	}
	if err := s.Add(fscollections.User{Name: "", Age: 3}); !errors.Is(err, fscollections.ErrInvalidUser) {
		t.Fatalf("invalid user: %v", err)
	}
	if _, err := s.Get(uuid.New()); !errors.Is(err, fscollections.ErrNotFound) {
		t.Fatalf("Get missing: %v", err)
	}
	if err := s.RemoveIDs(bob.ID, uuid.New()); err != nil {
		t.Fatal(err)
	}
	if got := s.SearchByName("Bob"); len(got) != 1 || got[0].ID != bob2.ID {
		t.Fatalf("after RemoveIDs(bob): %v", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openUsers(t, path)
	if s.Len() != 2 {
		t.Fatalf("Len after reopen %d", s.Len())
	}
	if err := s.RemoveNames("Bob"); err != nil {
		t.Fatal(err)
	}
	var all []fscollections.User
	for u := range s.All() {
		all = append(all, u)
	}
	if len(all) != 1 || all[0].ID != alice.ID || s.Len() != 1 {
		t.Fatalf("All = %v, Len %d", all, s.Len())
	}
	if err := s.Clear(); err != nil || s.Len() != 0 || len(s.SearchByName("Alice")) != 0 {
		t.Fatalf("Clear: %v, Len %d", err, s.Len())
	}
	s.Close()
}

// Backup while another goroutine keeps adding: the copy holds exactly the
// first k users added, for some k, and opens as a store.
func TestUserStoreOnlineBackup(t *testing.T) {
	dir := t.TempDir()
	s := openUsers(t, filepath.Join(dir, "users"))
	defer s.Close()
	var added []fscollections.User
	var mu sync.Mutex
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			u, _ := fscollections.NewUser(fmt.Sprint("name", i%50), i%100)
			mu.Lock()
			if err := s.Add(u); err != nil {
				t.Error(err)
			}
			added = append(added, u)
			mu.Unlock()
		}
	}()
	time.Sleep(20 * time.Millisecond)
	backup := filepath.Join(dir, "backup")
	if err := s.Backup(backup); err != nil {
		t.Fatal(err)
	}
	close(stop)
	<-done
	b := openUsers(t, backup)
	defer b.Close()
	var got []uuid.UUID
	for u := range b.All() {
		got = append(got, u.ID)
	}
	if len(got) == 0 || b.Len() != len(got) {
		t.Fatalf("backup holds %d users, Len %d", len(got), b.Len())
	}
	for i, id := range got {
		if added[i].ID != id {
			t.Fatalf("backup user %d is not the %dth added: not one consistent state", i, i)
		}
	}
	for _, u := range added[:len(got)] {
		if found := b.SearchByName(u.Name); !slices.ContainsFunc(found, u.Equal) {
			t.Fatalf("backup's name index lacks %s", u.ID)
		}
	}
	if err := s.Backup(backup); err == nil {
		t.Fatal("a backup over an existing store succeeded")
	}
}

const oldSave = `{"name": "Alice", "age": 25, "ID": "0f8fad5b-d9cb-469f-a165-70867728950e", "extras": {"email": "a@x.org", "score": 9.5, "visits": 3}}
{"name": "Bob", "age": 31, "ID": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "extras": {}}

{"name": "Bob", "age": 52, "ID": "a3bb189e-8bf9-3888-9912-ace4e6543002", "extras": {"tags": ["x", 1]}}
`

func TestUserStoreImportExport(t *testing.T) {
	s := openUsers(t, "")
	defer s.Close()
	n, err := s.Import(strings.NewReader(oldSave))
	if err != nil || n != 3 || s.Len() != 3 {
		t.Fatalf("Import = %d, %v (Len %d)", n, err, s.Len())
	}
	alice := s.SearchByName("Alice")[0]
	if alice.Extras["email"] != "a@x.org" || alice.Extras["score"] != 9.5 || alice.Extras["visits"] != 3 {
		t.Fatalf("extras: %#v", alice.Extras)
	}
	var text bytes.Buffer
	if err := s.Export(&text, fscollections.ExportText); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text.String(), `User "Alice" is 25 years old (ID: 0f8fad5b-d9cb-469f-a165-70867728950e)`+"\n") ||
		strings.Count(text.String(), "\n") != 3 {
		t.Fatalf("text export:\n%s", text.String())
	}
	var jl bytes.Buffer
	if err := s.Export(&jl, fscollections.ExportJSONLines); err != nil {
		t.Fatal(err)
	}
	wantFirst := `{"name":"Alice","age":25,"ID":"0f8fad5b-d9cb-469f-a165-70867728950e","extras":{"email":"a@x.org","score":9.5,"visits":3}}`
	if first, _, _ := strings.Cut(jl.String(), "\n"); first != wantFirst {
		t.Fatalf("JSON lines export:\n%s\nwant\n%s", first, wantFirst)
	}
	// The export imports back into an empty store as the same users.
	s2 := openUsers(t, "")
	defer s2.Close()
	if n, err := s2.Import(&jl); err != nil || n != 3 {
		t.Fatalf("re-import: %d, %v", n, err)
	}
	// A malformed line is reported by number and nothing is imported.
	bad := oldSave + "{\"name\": \"Carol\", \"age\": \"old\"}\n"
	s3 := openUsers(t, "")
	defer s3.Close()
	if _, err := s3.Import(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "line 5") || s3.Len() != 0 {
		t.Fatalf("malformed line: %v, Len %d", err, s3.Len())
	}
	if _, err := s3.Import(strings.NewReader(`{"name": "", "age": 3}`)); !errors.Is(err, fscollections.ErrInvalidUser) || s3.Len() != 0 {
		t.Fatalf("invalid user in import: %v", err)
	}
}

// Removals in calls that span several chunks, with repeated and absent IDs
// and names, and many users per name, agree with a model: the same users
// remain, each name finds exactly its users, and the count is right, also
// after a reopen.
func TestUserStoreRemovalsAgreeWithAModel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users")
	s := openUsers(t, path)
	defer func() { s.Close() }()
	r := rand.New(rand.NewPCG(1, 2))
	pool := make([]string, 300)
	for i := range pool {
		pool[i] = fmt.Sprintf("name-%d", i)
	}
	model := map[uuid.UUID]string{}
	var ids []uuid.UUID
	check := func(step string) {
		t.Helper()
		if s.Len() != len(model) {
			t.Fatalf("%s: Len %d, want %d", step, s.Len(), len(model))
		}
		want := map[string][]uuid.UUID{}
		for _, id := range ids {
			if name, ok := model[id]; ok {
				want[name] = append(want[name], id)
			}
		}
		for _, name := range pool {
			var got []uuid.UUID
			for _, u := range s.SearchByName(name) {
				got = append(got, u.ID)
			}
			if !slices.Equal(got, want[name]) {
				t.Fatalf("%s: SearchByName(%q) = %v, want %v", step, name, got, want[name])
			}
		}
		if err := s.Err(); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	for round := 0; round < 6; round++ {
		users := make([]fscollections.User, 2500)
		for i := range users {
			users[i] = fscollections.User{ID: uuid.New(), Name: pool[r.IntN(len(pool))], Age: 30}
			model[users[i].ID] = users[i].Name
			ids = append(ids, users[i].ID)
		}
		if err := s.Add(users...); err != nil {
			t.Fatal(err)
		}
		check("add")
		var remove []uuid.UUID
		for range 1500 {
			switch id := ids[r.IntN(len(ids))]; r.IntN(10) {
			case 0:
				remove = append(remove, uuid.New()) // absent
			case 1:
				remove = append(remove, id, id) // twice in one chunk
			default:
				remove = append(remove, id)
			}
		}
		if err := s.RemoveIDs(remove...); err != nil {
			t.Fatal(err)
		}
		for _, id := range remove {
			delete(model, id)
		}
		check("RemoveIDs")
		var byName []string
		for range 40 {
			name := pool[r.IntN(len(pool))]
			byName = append(byName, name, "nobody")
			if r.IntN(4) == 0 {
				byName = append(byName, name)
			}
		}
		if err := s.RemoveNames(byName...); err != nil {
			t.Fatal(err)
		}
		for id, name := range model {
			if slices.Contains(byName, name) {
				delete(model, id)
			}
		}
		check("RemoveNames")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openUsers(t, path)
	check("reopen")
}

// Calls large enough to be shared out between goroutines answer exactly as
// one goroutine would: results in the order of the names, then of
// insertion, across share boundaries; Has false when any share misses.
func TestUserStoreLargeCallsSplitAcrossGoroutines(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	s := openUsers(t, filepath.Join(t.TempDir(), "users"))
	defer s.Close()
	const n = 20_000
	users := make([]fscollections.User, n)
	byName := map[string][]uuid.UUID{}
	for i := range users {
		name := fmt.Sprintf("user-%05d", i)
		if i%5000 == 7 {
			name = "shared" // a name of several users, in several shares
		}
		users[i] = fscollections.User{ID: uuid.New(), Name: name, Age: i % 100}
		byName[name] = append(byName[name], users[i].ID)
	}
	if err := s.Add(users...); err != nil {
		t.Fatal(err)
	}
	var names []string
	var want []uuid.UUID
	for i := n - 1; i >= 0; i-- {
		name := users[i].Name
		if i%3 == 0 {
			names = append(names, "nobody")
		}
		names = append(names, name)
		want = append(want, byName[name]...)
	}
	var got []uuid.UUID
	found := s.SearchByName(names...)
	for _, u := range found {
		got = append(got, u.ID)
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("SearchByName of %d names: %d users, want %d (or in another order)", len(names), len(got), len(want))
	}
	// More users than names: the shares outgrow their stretches.
	many := slices.Repeat([]string{"shared"}, 9000)
	got = got[:0]
	for _, u := range s.SearchByName(many...) {
		got = append(got, u.ID)
	}
	if want := slices.Repeat(byName["shared"], len(many)); !slices.Equal(got, want) {
		t.Fatalf("SearchByName of %d × shared: %d users, want %d (or in another order)", len(many), len(got), len(want))
	}
	ids := make([]uuid.UUID, 0, n+1)
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	if !s.Has(ids...) {
		t.Fatal("Has(every ID) = false")
	}
	for _, at := range []int{0, n / 2, n} {
		withMissing := slices.Insert(slices.Clone(ids), at, uuid.New())
		if s.Has(withMissing...) {
			t.Fatalf("Has with an absent ID at %d = true", at)
		}
	}

	// Closed, the store refuses writes with ErrClosed and answers large
	// reads with nothing, reporting ErrClosed through Err; users found
	// before (their names carved from shared chunks) are intact.
	if err := s.Clear(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{s.Add(users[0]), s.RemoveIDs(ids...), s.RemoveNames(names...)} {
		if !errors.Is(err, fscollections.ErrClosed) {
			t.Fatalf("write after Close: %v", err)
		}
	}
	if s.Has(ids...) || len(s.SearchByName(names...)) != 0 {
		t.Fatal("a closed store answered a read")
	}
	if err := s.Err(); !errors.Is(err, fscollections.ErrClosed) {
		t.Fatalf("Err after reads of a closed store: %v", err)
	}
	for _, u := range found {
		if !slices.Contains(byName[u.Name], u.ID) {
			t.Fatalf("user %s found before Close now has name %q", u.ID, u.Name)
		}
	}
}

// StartAutosave flushes and syncs in the background at the interval it is
// given, can be re-timed while running, and StopAutosave ends it: what a
// process wrote reaches the file without Sync or Close.
func TestUserStoreAutosaveAtRunTime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users")
	s, err := fscollections.OpenUsers(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.StartAutosave(0); !errors.Is(err, fscollections.ErrInvalidOptions) {
		t.Fatalf("StartAutosave(0) = %v", err)
	}
	if err := s.StartAutosave(time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.StartAutosave(10 * time.Millisecond); err != nil || !s.Autosaving() { // re-timed
		t.Fatalf("re-timing: %v", err)
	}
	st0, _ := os.Stat(path + ".data.fscollection")
	u, _ := fscollections.NewUser("ada", 36)
	if err := s.Add(u); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, _ := os.Stat(path + ".data.fscollection")
		if st.Size() > st0.Size() {
			break // the buffered write reached the file: autosave ran
		}
		if time.Now().After(deadline) {
			t.Fatal("autosave never wrote the buffered user to the file")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.StopAutosave(); err != nil || s.Autosaving() {
		t.Fatalf("StopAutosave = %v, still running %v", err, s.Autosaving())
	}
}

func TestUserStoreGetMany(t *testing.T) {
	s, _ := fscollections.OpenUsers("", nil)
	defer s.Close()
	var users []fscollections.User
	for i := range 3000 {
		u, _ := fscollections.NewUser(fmt.Sprint("user", i), i%100)
		users = append(users, u)
	}
	_ = s.Add(users...)
	absent := uuid.New()
	ids := []uuid.UUID{users[2999].ID, absent, users[0].ID, users[0].ID}
	for _, u := range users[1000:2100] {
		ids = append(ids, u.ID)
	}
	got, err := s.GetMany(ids...)
	if err != nil || len(got) != 3+1100 || got[0].Name != "user2999" || got[1].ID != users[0].ID || got[2].ID != users[0].ID || got[3].Name != "user1000" {
		t.Fatalf("GetMany = %d users, %v", len(got), err)
	}
}
