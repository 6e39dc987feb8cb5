// Command agora runs a forum node for cities: `agora serve` (the default),
// `agora migrate` and `agora admin …`. Configuration comes from flags and
// AGORA_* environment variables; `agora serve -h` lists them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/metropolis/agora/forum"
)

// Env looks up an environment variable (os.LookupEnv outside tests).
type Env func(key string) (string, bool)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand of the binary.
type command struct {
	name, args, summary string
	run                 func(ctx context.Context, cio cmdIO, args []string) error
}

// cmdIO is what every command gets besides its arguments.
type cmdIO struct {
	env            Env
	stdin          io.Reader
	stdout, stderr io.Writer
}

func commands() []command {
	return []command{
		{"serve", "[flags]", "run the node (the default command)", serve},
		{"migrate", "[flags]", "apply database migrations and exit", migrate},
		{"admin", "<command> [flags]", "administer the node: users, invitations, forums", admin},
		{"mail", "receive [flags]", "post a reply to the node's mail, read on stdin (for a site's MTA)", mailCommand},
		{"demo", "[flags]", "run a hub and two cities on this machine, seeded", demoCommand},
	}
}

// run is the whole program: it returns the process exit code — 0 on
// success, 2 for bad usage, settings or input, 1 for other failures.
// ctx is cancelled on SIGINT/SIGTERM.
func run(ctx context.Context, args []string, env Env, stdout, stderr io.Writer) int {
	return runIO(ctx, args, cmdIO{env: env, stdin: os.Stdin, stdout: stdout, stderr: stderr})
}

// runIO is run with the standard input given (`agora mail receive` reads
// a message there).
func runIO(ctx context.Context, args []string, cio cmdIO) int {
	return report(dispatch(ctx, args, cio), cio.stderr)
}

func dispatch(ctx context.Context, args []string, cio cmdIO) error {
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && !isHelp(args[0])) {
		return serve(ctx, cio, args)
	}
	if isHelp(args[0]) || args[0] == "help" {
		printUsage(cio.stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, cio, args[1:])
		}
	}
	var usage strings.Builder
	printUsage(&usage)
	return &usageError{msg: fmt.Sprintf("unknown command %q", args[0]), help: usage.String()}
}

func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "agora: a federated forum node for cities")
	fmt.Fprintln(w, "\nUsage: agora <command> [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %-18s %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'agora <command> -h' for a command's flags and environment variables.")
}

// usageError is a mistake of the person running the command: a bad flag,
// setting or argument. It exits with code 2.
type usageError struct {
	msg  string
	help string // printed after the message, if any
}

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, a ...any) error {
	return &usageError{msg: fmt.Sprintf(format, a...)}
}

// report prints err as one line on stderr and returns the exit code.
func report(err error, stderr io.Writer) int {
	var ue *usageError
	var ee *exitError
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ee):
		fmt.Fprintf(stderr, "agora: %s\n", ee.msg)
		return ee.code
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "agora: %s\n", ue.msg)
		if ue.help != "" {
			fmt.Fprintf(stderr, "\n%s", ue.help)
		}
		return 2
	case forum.IsValidation(err):
		fmt.Fprintf(stderr, "agora: %v\n", err)
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "agora: interrupted")
		return 1
	default:
		fmt.Fprintf(stderr, "agora: %v\n", err)
		return 1
	}
}
