package main_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fscollections/fscollections"
)

// The tests run the built binary on real files.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fsc-bin-")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "fsc")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		panic(fmt.Sprintf("build fsc: %v\n%s", err, out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fsc runs the binary with stdin and returns stdout, stderr and the exit code.
func fsc(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

func TestInfoCheckCompactOnAHealthyMap(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m")
	m, _ := fscollections.OpenMap[string](path, nil)
	for i := range 1000 {
		_ = m.Set(fmt.Sprint("k", i), strings.Repeat("v", 50))
	}
	for i := range 500 {
		_ = m.Delete(fmt.Sprint("k", 2*i))
	}
	m.Close()
	out, _, code := fsc(t, "", "info", "-json", path)
	var info map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &info) != nil || info["kind"] != "map" || info["type"] != "string" ||
		info["length"] != 500.0 || info["clean_shutdown"] != true || info["dead_bytes"].(float64) == 0 {
		t.Fatalf("info -json: exit %d\n%s", code, out)
	}
	if out, _, code := fsc(t, "", "check", path); code != 0 || !strings.Contains(out, "0 damaged") {
		t.Fatalf("check of a healthy map: exit %d\n%s", code, out)
	}
	before, _ := os.Stat(path + ".data.fscollection")
	if out, errOut, code := fsc(t, "", "compact", path); code != 0 {
		t.Fatalf("compact: exit %d %s %s", code, out, errOut)
	}
	after, _ := os.Stat(path + ".data.fscollection")
	if after.Size() >= before.Size()*2/3 {
		t.Fatalf("compact: %d -> %d bytes", before.Size(), after.Size())
	}
	m, _ = fscollections.OpenMap[string](path, nil)
	defer m.Close()
	if m.Len() != 500 || !m.Contains("k1") || m.Contains("k0") {
		t.Fatalf("after compact: Len %d", m.Len())
	}
	// A collection this test holds open is locked for the fsc process.
	if _, errOut, code := fsc(t, "", "compact", path); code != 1 || !strings.Contains(errOut, "locked") {
		t.Fatalf("compact of a held collection: exit %d, %s", code, errOut)
	}
}

// One flipped byte in a middle record: check names the file and offset and
// exits 1, never changing the files; salvage keeps every other record.
func TestCheckAndSalvageADamagedList(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "l")
	l, _ := fscollections.OpenList[string](path, nil)
	var want []string
	for i := range 20 {
		v := fmt.Sprintf("value-%02d", i)
		want = append(want, v)
		_ = l.Append(v)
	}
	l.Close()
	data := path + ".data.fscollection"
	b, _ := os.ReadFile(data)
	rec := int64(14 + 8)
	off := int64(len(b)) - rec*10 // element 10
	b[off+16] ^= 0x20
	os.WriteFile(data, b, 0o600)
	snapshot, _ := os.ReadFile(data)
	out, _, code := fsc(t, "", "check", path)
	if code != 1 || !strings.Contains(out, fmt.Sprintf("%s: offset %d: checksum mismatch", data, off)) {
		t.Fatalf("check: exit %d\n%s", code, out)
	}
	if now, _ := os.ReadFile(data); !bytes.Equal(now, snapshot) {
		t.Fatal("check changed the data file")
	}
	dst := filepath.Join(dir, "saved")
	out, _, code = fsc(t, "", "salvage", path, dst)
	if code != 1 || !strings.Contains(out, fmt.Sprintf("offset %d", off)) || !strings.Contains(out, "1 damaged") {
		t.Fatalf("salvage: exit %d\n%s", code, out)
	}
	s, err := fscollections.OpenList[string](dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, _ := s.Slice(0, s.Len())
	if !slices.Equal(got, slices.Delete(slices.Clone(want), 10, 11)) {
		t.Fatalf("salvaged %v", got)
	}
	if _, _, code := fsc(t, "", "salvage", path, dst); code != 1 {
		t.Fatal("salvage over an existing collection succeeded")
	}
}

// dump | load reproduces collections of every built-in type, encodings
// and all (set membership compares encodings).
func TestDumpLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	tm := time.Date(2026, 12, 1, 12, 0, 0, 123456789, time.FixedZone("", 3600))
	cases := []struct {
		typ  string
		make func(path string) error
		same func(a, b string) bool
	}{
		{"int64", listOf([]int64{-5, 0, math.MaxInt64, math.MinInt64}), sameList[int64]},
		{"int8", listOf([]int8{-128, 127, 0}), sameList[int8]},
		{"uint32", listOf([]uint32{0, math.MaxUint32}), sameList[uint32]},
		{"float64", listOf([]float64{1.5, math.Copysign(0, -1), math.Inf(1), 1e-300}), sameList[float64]},
		{"float32", listOf([]float32{3.25, float32(math.NaN())}), sameList[float32]},
		{"bool", listOf([]bool{true, false}), sameList[bool]},
		{"string", listOf([]string{"héllo", "", "a\nb", string([]byte{0xff, 0xfe})}), sameList[string]},
		{"[]byte", listOf([][]byte{{0, 1, 2}, {}}), sameList[[]byte]},
		{"uuid.UUID", listOf([]uuid.UUID{uuid.New(), uuid.Nil}), sameList[uuid.UUID]},
		{"time.Time", listOf([]time.Time{tm, tm.UTC()}), sameList[time.Time]},
	}
	for _, c := range cases {
		t.Run(c.typ, func(t *testing.T) {
			src, dst := filepath.Join(dir, "src"+strings.NewReplacer("[]", "x", ".", "").Replace(c.typ)), filepath.Join(dir, "dst"+strings.NewReplacer("[]", "x", ".", "").Replace(c.typ))
			if err := c.make(src); err != nil {
				t.Fatal(err)
			}
			out, errOut, code := fsc(t, "", "dump", src)
			if code != 0 || errOut != "" {
				t.Fatalf("dump: exit %d %s", code, errOut)
			}
			if _, errOut, code := fsc(t, out, "load", "-kind", "list", "-type", c.typ, dst); code != 0 {
				t.Fatalf("load: exit %d %s\n%s", code, errOut, out)
			}
			if !c.same(src, dst) {
				t.Fatalf("round trip changed the list; dump was\n%s", out)
			}
		})
	}
	t.Run("map and set", func(t *testing.T) {
		m, _ := fscollections.OpenMap[int](filepath.Join(dir, "m"), nil)
		s, _ := fscollections.OpenSet[string](filepath.Join(dir, "s"), nil)
		for i := range 100 {
			_ = m.Set(fmt.Sprint("key ", i), i*i)
			_ = s.Add(fmt.Sprint("e", i))
		}
		m.Close()
		s.Close()
		for _, kind := range []string{"map", "set"} {
			name := map[string]string{"map": "m", "set": "s"}[kind]
			out, _, _ := fsc(t, "", "dump", filepath.Join(dir, name))
			typ := map[string]string{"map": "int", "set": "string"}[kind]
			if _, errOut, code := fsc(t, out, "load", "-kind", kind, "-type", typ, filepath.Join(dir, name+"2")); code != 0 {
				t.Fatalf("load %s: %s", kind, errOut)
			}
			again, _, _ := fsc(t, "", "dump", filepath.Join(dir, name+"2"))
			if again != out || strings.Count(out, "\n") != 100 {
				t.Fatalf("%s dump after load differs:\n%s\nvs\n%s", kind, again[:100], out[:100])
			}
		}
	})
}

func listOf[T any](vs []T) func(string) error {
	return func(path string) error {
		l, err := fscollections.OpenList[T](path, nil)
		if err != nil {
			return err
		}
		if err := l.Append(vs...); err != nil {
			return err
		}
		return l.Close()
	}
}

// sameList compares two lists of T by their encodings.
func sameList[T any](a, b string) bool {
	codec, _ := fscollections.CodecFor[T]()
	read := func(p string) [][]byte {
		l, err := fscollections.OpenList[T](p, nil)
		if err != nil {
			return nil
		}
		defer l.Close()
		var out [][]byte
		for _, v := range l.All() {
			enc, _ := codec.Append(nil, v)
			out = append(out, enc)
		}
		return out
	}
	x, y := read(a), read(b)
	return x != nil && slices.EqualFunc(x, y, bytes.Equal)
}

func TestLoadIsAllOrNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l")
	_, errOut, code := fsc(t, "1\n2\nthree\n4\n", "load", "-kind", "list", "-type", "int", path)
	if code != 1 || !strings.Contains(errOut, "line 3") || !strings.Contains(errOut, "nothing loaded") {
		t.Fatalf("load of a bad line: exit %d, %s", code, errOut)
	}
	if _, err := os.Stat(path + ".data.fscollection"); !os.IsNotExist(err) {
		t.Fatal("a bad load created the collection")
	}
	if _, _, code := fsc(t, "1\n", "load", "-kind", "queue", "-type", "int", path); code != 2 {
		t.Fatalf("load -kind queue: exit %d", code)
	}
	if _, _, code := fsc(t, "1\n", "load", "-kind", "list", "-type", "main.Job", path); code != 2 {
		t.Fatalf("load -type main.Job: exit %d", code)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"info"}, {"info", "a", "b"}, {"check", "-x", "p"}, {"users"}, {"users", "convert", "in"}} {
		if _, errOut, code := fsc(t, "", args...); code != 2 || !strings.Contains(errOut, "usage: fsc") {
			t.Errorf("fsc %v: exit %d, %q", args, code, errOut)
		}
	}
	if out, _, code := fsc(t, "", "dump", "-help"); code != 0 || !strings.Contains(out, "usage: fsc dump PATH") {
		t.Errorf("dump -help: exit %d, %q", code, out)
	}
	if _, errOut, code := fsc(t, "", "info", filepath.Join(t.TempDir(), "none")); code != 1 || !strings.Contains(errOut, "not a collection") {
		t.Errorf("info of nothing: exit %d, %q", code, errOut)
	}
}

func TestUsersConvert(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "users.jsonl")
	os.WriteFile(in, []byte(`{"name":"Alice \"A\"","age":25,"ID":"8c1e2a51-0ad0-4f34-a4c4-3c3b1d0a6d11","extras":{"x":1}}
{"name":"Bob","age":7,"ID":"4a2f6b10-9c3e-4e71-8a7d-2f5b9e0c1d22","extras":{}}
`), 0o600)
	text := filepath.Join(dir, "users.txt")
	if _, errOut, code := fsc(t, "", "users", "convert", in, text); code != 0 {
		t.Fatalf("convert to text: %s", errOut)
	}
	got, _ := os.ReadFile(text)
	if string(got) != "User \"Alice \\\"A\\\"\" is 25 years old (ID: 8c1e2a51-0ad0-4f34-a4c4-3c3b1d0a6d11)\nUser \"Bob\" is 7 years old (ID: 4a2f6b10-9c3e-4e71-8a7d-2f5b9e0c1d22)\n" {
		t.Fatalf("text:\n%s", got)
	}
	back := filepath.Join(dir, "back.jsonl")
	if _, errOut, code := fsc(t, "", "users", "convert", text, back); code != 0 {
		t.Fatalf("convert back: %s", errOut)
	}
	got, _ = os.ReadFile(back)
	if !strings.Contains(string(got), `{"name":"Alice \"A\"","age":25,"ID":"8c1e2a51-0ad0-4f34-a4c4-3c3b1d0a6d11","extras":{}}`) {
		t.Fatalf("back:\n%s", got)
	}
	os.WriteFile(in, []byte("{\"name\":\"\",\"age\":1,\"ID\":\"8c1e2a51-0ad0-4f34-a4c4-3c3b1d0a6d11\"}\n"), 0o600)
	if _, errOut, code := fsc(t, "", "users", "convert", in, filepath.Join(dir, "x")); code != 1 || !strings.Contains(errOut, "line 1") {
		t.Fatalf("convert of an invalid user: exit %d %s", code, errOut)
	}
}

// A map key that is not UTF-8 (JSON strings are) travels as base64.
func TestDumpLoadOfANonUTF8Key(t *testing.T) {
	dir := t.TempDir()
	m, _ := fscollections.OpenMap[int](filepath.Join(dir, "m"), nil)
	_ = m.Set("\xff\xfe", 1)
	_ = m.Set("plain", 2)
	m.Close()
	out, _, _ := fsc(t, "", "dump", filepath.Join(dir, "m"))
	if _, errOut, code := fsc(t, out, "load", "-kind", "map", "-type", "int", filepath.Join(dir, "m2")); code != 0 {
		t.Fatalf("load: %s\n%s", errOut, out)
	}
	m2, _ := fscollections.OpenMap[int](filepath.Join(dir, "m2"), nil)
	defer m2.Close()
	if v, err := m2.Get("\xff\xfe"); err != nil || v != 1 || m2.Len() != 2 {
		t.Fatalf("Get = %d, %v; dump was\n%s", v, err, out)
	}
}

// Ctrl-C while load reads its input: nothing is written.
func TestLoadInterruptedLoadsNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l")
	cmd := exec.Command(bin, "load", "-kind", "list", "-type", "int", path)
	in, _ := cmd.StdinPipe()
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(in, "1")
	time.Sleep(200 * time.Millisecond) // reading, waiting for more
	_ = cmd.Process.Signal(os.Interrupt)
	time.Sleep(100 * time.Millisecond)
	fmt.Fprintln(in, "2")
	in.Close()
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(errOut.String(), "nothing loaded") {
		t.Fatalf("interrupted load: %v, %s", err, errOut.String())
	}
	if _, err := os.Stat(path + ".data.fscollection"); !os.IsNotExist(err) {
		t.Fatal("an interrupted load created the collection")
	}
}

// A compressed collection dumps its values uncompressed, and load into
// one compresses them.
func TestDumpLoadOfACompressedMap(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	snappy := &fscollections.Options{Compression: fscollections.Snappy}
	m, err := fscollections.OpenMap[string](src, snappy)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("compress me ", 20)
	if err := errors.Join(m.Set("a", long), m.Set("b", ""), m.Close()); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := fsc(t, "", "dump", src)
	if code != 0 || errOut != "" || !strings.Contains(out, `{"key":"a","value":"`+long+`"}`) {
		t.Fatalf("dump: exit %d %s\n%s", code, errOut, out)
	}
	if d, err := fscollections.OpenMap[string](dst, snappy); err != nil || d.Close() != nil {
		t.Fatal(err)
	}
	if _, errOut, code := fsc(t, out, "load", dst); code != 0 {
		t.Fatalf("load: exit %d %s", code, errOut)
	}
	if out, _, code := fsc(t, "", "check", dst); code != 0 || !strings.Contains(out, "0 damaged") {
		t.Fatalf("check: exit %d\n%s", code, out)
	}
	d, err := fscollections.OpenMap[string](dst, snappy)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if v, err := d.Get("a"); err != nil || v != long || d.Len() != 2 {
		t.Fatalf("loaded: %q, %v, %d keys", v, err, d.Len())
	}
}
