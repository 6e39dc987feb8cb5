package main

import (
	"context"
	"fmt"
	"strings"
)

func migrate(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlagSet("migrate", "[flags]", strings.TrimSpace(`
Apply pending database migrations and exit. (serve and the admin commands
also apply them when they start.)`))
	cfg, log, positional, err := configure(fs, cio, args)
	if err != nil {
		return err
	}
	if err := exactArgs(fs, positional); err != nil {
		return err
	}
	db, err := openStorage(ctx, cfg, log)
	if err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	fmt.Fprintf(cio.stdout, "Database (%s) is up to date.\n", databaseKind(cfg))
	return nil
}
