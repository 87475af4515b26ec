// Command todo is a command-line todo list kept in an FSList.
//
//	todo add buy milk          add an item
//	todo list                  show the items, numbered from 1
//	todo done 2 / undo 2       mark item 2 done / not done
//	todo move 3 1              move item 3 to position 1
//	todo rm 2                  remove item 2
//	todo clear                 remove every item
//
// The list lives in --file (default: todo under the user's config
// directory, in fscollections-todo/), or with --temp in a temporary list
// deleted on exit. Exit status: 0 done, 1 the list could not be used,
// 2 a usage error (unknown command, bad or out-of-range position).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fscollections/fscollections"
)

// Item is one todo.
type Item struct {
	Text    string
	Done    bool
	Created time.Time
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

const usage = `usage: todo [--file PATH | --temp] COMMAND
commands:
  add TEXT...     add an item
  list            show the items, numbered from 1
  done N          mark item N done
  undo N          mark item N not done
  move FROM TO    move item FROM to position TO
  rm N            remove item N
  clear           remove every item`

func main() {
	err := run(os.Args[1:], os.Stdout)
	var ue usageError
	switch {
	case err == nil:
	case errors.As(err, &ue):
		fmt.Fprintf(os.Stderr, "todo: %v\n%s\n", err, usage)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "todo:", err)
		os.Exit(1)
	}
}

func defaultFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "fscollections-todo", "todo")
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("todo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	file := fs.String("file", defaultFile(), "where the list lives")
	temp := fs.Bool("temp", false, "use a temporary list")
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if fs.NArg() == 0 {
		return usagef("no command")
	}
	path := *file
	if *temp {
		path = ""
	}
	cmd, rest := fs.Arg(0), fs.Args()[1:]
	if err := checkCommand(cmd, rest); err != nil {
		return err
	}
	l, err := fscollections.OpenList[Item](path, nil)
	if err != nil {
		return err
	}
	defer l.Close()
	position := func(s string, limit int) (int, error) {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil:
			return 0, usagef("%q is not an item number", s)
		case limit == 0:
			return 0, usagef("no item %d: the list is empty", n)
		case n < 1 || n > limit:
			return 0, usagef("no item %d: items are numbered 1 to %d", n, limit)
		}
		return n - 1, nil
	}
	switch cmd {
	case "add":
		text := strings.Join(rest, " ")
		if err := l.Append(Item{Text: text, Created: time.Now()}); err != nil {
			return err
		}
		fmt.Fprintf(out, "added %d: %s\n", l.Len(), text)
	case "list":
		if l.Len() == 0 {
			fmt.Fprintln(out, "nothing to do")
		}
		for i, it := range l.All() {
			mark := " "
			if it.Done {
				mark = "x"
			}
			fmt.Fprintf(out, "%d. [%s] %s\n", i+1, mark, it.Text)
		}
		return l.Err()
	case "done", "undo":
		i, err := position(rest[0], l.Len())
		if err != nil {
			return err
		}
		it, err := l.Get(i)
		if err != nil {
			return err
		}
		it.Done = cmd == "done"
		if err := l.Set(i, it); err != nil {
			return err
		}
		fmt.Fprintf(out, "%s %d: %s\n", map[bool]string{true: "done", false: "undone"}[it.Done], i+1, it.Text)
	case "move":
		from, err := position(rest[0], l.Len())
		if err != nil {
			return err
		}
		to, err := position(rest[1], l.Len())
		if err != nil {
			return err
		}
		it, err := l.Pop(from)
		if err != nil {
			return err
		}
		if err := l.Insert(to, it); err != nil {
			return err
		}
		fmt.Fprintf(out, "moved %d to %d: %s\n", from+1, to+1, it.Text)
	case "rm":
		i, err := position(rest[0], l.Len())
		if err != nil {
			return err
		}
		it, err := l.Pop(i)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "removed %d: %s\n", i+1, it.Text)
	case "clear":
		n := l.Len()
		if err := l.Clear(); err != nil {
			return err
		}
		fmt.Fprintf(out, "removed %d items\n", n)
	}
	return nil
}

// checkCommand says what is wrong with a command line, if anything.
func checkCommand(cmd string, args []string) error {
	want, form := 0, cmd
	switch cmd {
	case "add":
		if len(args) == 0 {
			return usagef("add needs the text of the item: todo add TEXT")
		}
		return nil
	case "list", "clear":
	case "done", "undo", "rm":
		want, form = 1, cmd+" N"
	case "move":
		want, form = 2, "move FROM TO"
	default:
		return usagef("unknown command %q", cmd)
	}
	if len(args) != want {
		return usagef("%s takes %d argument(s), got %d: todo %s", cmd, want, len(args), form)
	}
	return nil
}
