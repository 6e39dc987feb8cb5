package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/metropolis/agora/demo"
	"github.com/metropolis/agora/federation"
)

// demoCommand runs `agora demo`: a hub and two cities on loopback, seeded
// through their public interfaces.
func demoCommand(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlagSet("demo", "[flags]", strings.TrimSpace(`
Start a hub and two city nodes on this machine (hub on 127.0.0.1:PORT, the
cities on PORT+1 and PORT+2), each with its own SQLite database. Seed them
with members, the "Learning forum on digitalisation" and its questions on
the hub; have both cities join and answer in English, Spanish and French —
all through the nodes' web pages and ActivityPub. Then keep serving.`))
	port := fs.Int("base-port", 8080, "the hub's port; the cities take the next two")
	dir := fs.String("dir", "", "directory for the three databases (default: a new temporary directory)")
	seedOnly := fs.Bool("seed-only", false, "exit once seeded")
	fs.quiet = true // the demo prints what matters; logs show warnings only
	fs.check = func() error {
		if *port < 1 || *port > 65533 {
			return usageErrorf("--base-port: must be from 1 to 65533")
		}
		return nil
	}
	_, log, positional, err := configure(fs, cio, args)
	if err != nil {
		return err
	}
	if err := exactArgs(fs, positional); err != nil {
		return err
	}
	if *dir == "" {
		if *dir, err = os.MkdirTemp("", "agora-demo-"); err != nil {
			return fmt.Errorf("temporary directory: %w", err)
		}
	} else if err := os.MkdirAll(*dir, 0o750); err != nil {
		return fmt.Errorf("--dir: %w", err)
	}
	return demo.Run(ctx, demo.Options{BasePort: *port, Dir: *dir, SeedOnly: *seedOnly, Stdout: cio.stdout,
		Logger: log.With(slog.String("component", "demo")), Software: federation.Software{Name: "agora", Version: version}})
}
