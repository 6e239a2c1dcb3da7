// Command axioms is the command-line companion of axioms-echo: it explains why a token is
// accepted or rejected, prints and lints the policy table compiled from an OpenAPI
// document, and runs a local development issuer.
//
// Usage:
//
//	axioms <command> [flags] [arguments]
//
// Run "axioms help" for the list of commands, "axioms <command> -h" for one command's
// flags and "axioms version" (or --version) for the version. Exit status: 0 success, 1
// the checked thing failed (invalid token, lint errors), 2 usage or configuration error,
// 3 signing keys unavailable.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Exit statuses shared by every command.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitUnavailable = 3
)

// env is what a command sees of the outside world, so tests can run commands in-process.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand. run returns the process exit status.
type command struct {
	name    string
	summary string
	run     func(e env, args []string) int
}

var commands = map[string]command{}

// register adds a subcommand; each command's file calls it from init.
func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("axioms: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func main() {
	os.Exit(run(env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}, os.Args[1:]))
}

func run(e env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(e.stdout)
		return exitOK
	case "-version", "--version":
		args = []string{"version"}
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "axioms: unknown command %q\n\n", args[0])
		usage(e.stderr)
		return exitUsage
	}
	return c.run(e, args[1:])
}

func usage(w io.Writer) {
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("usage: axioms <command> [flags] [arguments]\n\ncommands:\n")
	for _, name := range names {
		fmt.Fprintf(&b, "  %-8s %s\n", name, commands[name].summary)
	}
	b.WriteString("\nRun \"axioms <command> -h\" for a command's flags.\n")
	io.WriteString(w, b.String())
}
