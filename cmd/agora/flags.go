package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// flagSet is a command's flags and how to describe them.
type flagSet struct {
	*flag.FlagSet
	usage string // e.g. "agora admin invite [flags]"
	about string // what the command does
	// check, if set, validates the command's own flags after parsing.
	check func() error
	// quiet commands log warnings and errors only: their output is for
	// people at a terminal.
	quiet bool
}

// newFlagSet returns the flag set of the command at path (e.g. "admin
// invite"), taking args (e.g. "<username> [flags]"). It never prints or
// exits by itself: parse reports errors and help to the caller.
func newFlagSet(path, args, about string) *flagSet {
	fs := flag.NewFlagSet(path, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, usage: "agora " + path + " " + args, about: about}
}

// parse parses args, allowing flags after positional arguments (as in
// `create-user alice --role admin`), and returns the positional ones.
// -h prints help on stdout and returns flag.ErrHelp.
func (fs *flagSet) parse(args []string, stdout io.Writer) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				fs.printHelp(stdout)
				return nil, err
			}
			return nil, usageErrorf("%s: %v (see 'agora %s -h')", fs.Name(), err, fs.Name())
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		// The flag package stops at "--": everything after it is positional.
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// printHelp writes the usage line, the description and every flag with its
// help text (which names its environment variable and default).
func (fs *flagSet) printHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", fs.usage, fs.about)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	fmt.Fprintln(w, "\nFlags:")
	fs.VisitAll(func(f *flag.Flag) {
		kind, help := flag.UnquoteUsage(f)
		if _, isBool := f.Value.(interface{ IsBoolFlag() bool }); isBool {
			kind = ""
		}
		fmt.Fprintf(w, "  --%s %s\n", f.Name, kind)
		for _, line := range strings.Split(help, "\n") {
			fmt.Fprintf(w, "        %s\n", line)
		}
	})
}

// exactArgs checks the number of positional arguments.
func exactArgs(fs *flagSet, got []string, names ...string) error {
	if len(got) != len(names) {
		if len(names) == 0 {
			return usageErrorf("%s: unexpected argument %q (usage: %s)", fs.Name(), got[0], fs.usage)
		}
		return usageErrorf("%s: want %s (usage: %s)", fs.Name(), strings.Join(names, " "), fs.usage)
	}
	return nil
}

// required reports a missing value of a required flag.
func required(fs *flagSet, flagName, value string) error {
	if strings.TrimSpace(value) == "" {
		return usageErrorf("%s: --%s is required (usage: %s)", fs.Name(), flagName, fs.usage)
	}
	return nil
}
