package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"

	"github.com/fscollections/fscollections"
	"github.com/google/uuid"
)

// cmdUsers runs "fsc users convert IN OUT": the old user database's
// convert_file. A JSON-lines save file ({"name":…,"age":…,"ID":…,
// "extras":{…}} per line) becomes the readable text format (User "Alice"
// is 25 years old (ID: …)), and a text file becomes JSON lines; the
// direction is told by IN's first line. Text holds no extras: converting
// back gives users without them. OUT is written whole, then renamed into
// place, so an interrupted conversion leaves no half file.
func cmdUsers(e *env, args []string) error {
	if len(args) == 0 || args[0] != "convert" {
		return usagef("users has one subcommand: fsc users convert IN OUT")
	}
	fs := flags("users convert", "IN OUT")
	a, err := parse(e, fs, args[1:], 2)
	if err != nil {
		return err
	}
	in, err := os.ReadFile(a[0])
	if err != nil {
		return err
	}
	var out bytes.Buffer
	toText := len(bytes.TrimSpace(in)) == 0 || bytes.TrimSpace(in)[0] == '{'
	sc := bufio.NewScanner(bytes.NewReader(in))
	sc.Buffer(make([]byte, 1<<16), 1<<26)
	n := 0
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var err error
		if toText {
			err = jsonToText(&out, text)
		} else {
			err = textToJSON(&out, text)
		}
		if err != nil {
			return fmt.Errorf("%s line %d: %w (nothing written)", a[0], line, err)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return err
	}
	tmp := a[1] + ".fsc-tmp"
	if err := os.WriteFile(tmp, out.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, a[1]); err != nil {
		return errors.Join(err, os.Remove(tmp))
	}
	to := "text"
	if !toText {
		to = "JSON lines"
	}
	fmt.Fprintf(e.stderr, "converted %d users to %s: %s\n", n, to, a[1])
	return nil
}

type savedUser struct {
	Name   string         `json:"name"`
	Age    int            `json:"age"`
	ID     string         `json:"ID"`
	Extras map[string]any `json:"extras"`
}

func jsonToText(out *bytes.Buffer, line []byte) error {
	var u savedUser
	if err := json.Unmarshal(line, &u); err != nil {
		return err
	}
	id, err := uuid.Parse(u.ID)
	if err != nil {
		return fmt.Errorf("ID %q: %w", u.ID, err)
	}
	user := fscollections.User{ID: id, Name: u.Name, Age: u.Age}
	if err := user.Validate(); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s (ID: %s)\n", user, id)
	return nil
}

// textLine is the text format: User "NAME" is AGE years old (ID: UUID),
// with NAME quoted as Go quotes strings.
var textLine = regexp.MustCompile(`^User ("(?:[^"\\]|\\.)*") is (\d+) years old \(ID: ([0-9a-fA-F-]{36})\)$`)

func textToJSON(out *bytes.Buffer, line []byte) error {
	m := textLine.FindSubmatch(line)
	if m == nil {
		return fmt.Errorf("not a user line: %s", line)
	}
	name, err := strconv.Unquote(string(m[1]))
	if err != nil {
		return fmt.Errorf("name %s: %w", m[1], err)
	}
	age, _ := strconv.Atoi(string(m[2]))
	id, err := uuid.Parse(string(m[3]))
	if err != nil {
		return err
	}
	b, err := json.Marshal(savedUser{Name: name, Age: age, ID: id.String(), Extras: map[string]any{}})
	if err != nil {
		return err
	}
	out.Write(b)
	out.WriteByte('\n')
	return nil
}
