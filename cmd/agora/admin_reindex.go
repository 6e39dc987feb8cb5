package main

import (
	"context"
	"fmt"
	"time"
)

// adminReindex rebuilds the search index from the posts: after restoring
// the database from a dump without it, or to check that it is whole. The
// node may keep running: posts written meanwhile index themselves.
func adminReindex(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlagSet("admin reindex", "[flags]", "Rebuild the search index from the posts.")
	return withApp(ctx, fs, cio, args, nil, func(a *app, _ []string) error {
		start := time.Now()
		n, err := a.db.Store().Reindex(ctx)
		if err != nil {
			return fmt.Errorf("reindex: %w", err)
		}
		fmt.Fprintf(cio.stdout, "Indexed %d posts in %s.\n", n, time.Since(start).Round(time.Millisecond))
		return nil
	})
}
