// Command fsc inspects, checks, repairs and converts fscollections files.
//
//	fsc info [-json] PATH            kind, type, length, sizes, fragmentation, clean flag
//	fsc check PATH                   verify every record and the index (exit 1 on damage)
//	fsc compact PATH                 compact in place
//	fsc dump PATH                    every element as a JSON line, in order
//	fsc load -kind K -type T PATH    add JSON lines from stdin (all or nothing)
//	fsc salvage PATH NEWPATH         copy every readable record to a new collection
//	fsc users convert IN OUT         the user database's JSON-lines save file <-> text
//
// PATH is a collection's base path: the one given to OpenList, OpenMap or
// OpenSet (its files are PATH.data.fscollection and PATH.index.fscollection).
// Exit status: 0 success, 1 failure or damage found, 2 usage error.
//
// The commands use the standard flag package: a tool this small needs no
// framework, and each command's -help lists its flags.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: fsc COMMAND [flags] ARGS

commands:
  info [-json] PATH            kind, value type, length, file sizes, fragmentation, clean flag
  check PATH                   verify every record's checksum and the index; exit 1 on damage
  compact PATH                 compact the collection in place
  dump PATH                    print every element as one JSON line, in order
  load -kind K -type T PATH    create or append from JSON lines on stdin (all or nothing)
  salvage PATH NEWPATH         copy every readable record into a new collection
  users convert IN OUT         convert a user database save file: JSON lines <-> text

PATH is a collection's base path (its files are PATH.data.fscollection, ...).
Run "fsc COMMAND -help" for a command's flags.`

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// errDamage says a command found damage it reported itself: exit status 1.
var errDamage = errors.New("damage found")

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// env is what a command may use: its streams and whether to draw progress.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	interrupted    <-chan os.Signal // Ctrl-C, caught so that nothing is left half-written
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, interrupted: sig}
	commands := map[string]func(*env, []string) error{
		"info": cmdInfo, "check": cmdCheck, "compact": cmdCompact, "dump": cmdDump,
		"load": cmdLoad, "salvage": cmdSalvage, "users": cmdUsers,
	}
	name := args[0]
	if name == "-h" || name == "-help" || name == "--help" || name == "help" {
		fmt.Fprintln(stdout, usage)
		return 0
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "fsc: unknown command %q\n%s\n", name, usage)
		return 2
	}
	err := cmd(e, args[1:])
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "fsc %s: %v\n%s\n", name, err, usage)
		return 2
	case errors.Is(err, errDamage):
		return 1
	}
	fmt.Fprintf(stderr, "fsc %s: %v\n", name, err)
	return 1
}

// flags returns a flag set for command name, whose synopsis is args.
func flags(name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	synopsis[fs] = args
	return fs
}

var synopsis = map[*flag.FlagSet]string{}

// parse parses args, wanting n positional arguments. -help prints the
// command's synopsis and flags to stdout.
func parse(e *env, fs *flag.FlagSet, args []string, n int) ([]string, error) {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(e.stdout, "usage: fsc %s %s\n", fs.Name(), synopsis[fs])
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		return nil, err
	}
	if err != nil {
		return nil, usagef("%v", err)
	}
	if fs.NArg() != n {
		return nil, usagef("%s takes %d argument(s), got %d", fs.Name(), n, fs.NArg())
	}
	return fs.Args(), nil
}
