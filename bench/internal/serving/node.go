// Package serving is what the serving benchmarks (bench/inbox, bench/pages,
// bench/idle) share: a real agora node on a loopback listener with SQLite in
// a temporary directory, a keep-alive HTTP load generator, and the RESULT
// lines every benchmark prints.
package serving

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum/password"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/storage"
)

// Node is an agora node running in this process.
type Node struct {
	*node.Node
	Base string // http://127.0.0.x:port
	Dir  string // its data directory

	temporary bool // Dir was made here: Close removes it
	srv       *http.Server
	cancel    context.CancelFunc
	done      chan struct{}
}

// NodeOptions say where a node listens and how it logs.
type NodeOptions struct {
	Addr   string       // listen address, e.g. 127.0.0.1:0
	Logger *slog.Logger // nil: discard
	// Dir is the data directory, kept after Close; empty makes a
	// temporary one, removed by Close.
	Dir string
	// DatabaseURL is the database (storage.Options); "" for SQLite in Dir.
	DatabaseURL string
	// SQLiteQuery is added to the SQLite database URL when DatabaseURL is
	// "" (e.g. _pragma=mmap_size(268435456)), to compare settings.
	SQLiteQuery string
	// QueryHooks see every statement (e.g. a SQLCounter).
	QueryHooks []bun.QueryHook
	// SearchIndexing tunes (or turns off) SQLite's search indexer.
	SearchIndexing storage.SearchIndexing
}

// StartNode opens (and migrates) the database (SQLite under a data
// directory unless opts.DatabaseURL says otherwise), wires a node
// exactly as `agora serve` does (node.New) and serves it on opts.Addr.
func StartNode(ctx context.Context, opts NodeOptions) (*Node, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dir := opts.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "agora-bench-")
		if err != nil {
			return nil, fmt.Errorf("temp dir: %w", err)
		}
		dir = d
	}
	dbURL := opts.DatabaseURL
	if dbURL == "" && opts.SQLiteQuery != "" {
		dbURL = "sqlite://" + filepath.Join(dir, "forum.db") + "?" + opts.SQLiteQuery
	}
	db, err := storage.Open(ctx, storage.Options{DataDir: dir, DatabaseURL: dbURL, Logger: log,
		QueryHooks: opts.QueryHooks})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := db.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	base := "http://" + ln.Addr().String()
	n, err := node.New(node.Config{BaseURL: base, DefaultLanguage: "en", DB: db, Logger: log,
		AllowLoopbackPeers: true, Hasher: password.NewFast(), Delivery: federation.DeliveryConfig{},
		SearchIndexing: opts.SearchIndexing})
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	rctx, cancel := context.WithCancel(context.Background())
	out := &Node{Node: n, Base: base, Dir: dir, temporary: opts.Dir == "", cancel: cancel, done: make(chan struct{}),
		srv: &http.Server{Handler: n.Handler, ReadHeaderTimeout: 10 * time.Second}}
	go func() {
		if err := out.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("serve", "err", err)
		}
	}()
	go func() { n.Run(rctx); close(out.done) }()
	return out, nil
}

// Close stops the node, closes its database and removes its data
// directory if it made it.
func (n *Node) Close() {
	_ = n.srv.Close()
	n.cancel()
	<-n.done
	_ = n.DB.Close()
	if n.temporary {
		_ = os.RemoveAll(filepath.Clean(n.Dir))
	}
}

// Fatal prints an error and exits: the benchmarks are commands.
func Fatal(what string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
	os.Exit(1)
}

// Settle waits (up to limit) until the node's publisher has handled every
// event recorded so far (the seed's questions and answers), and its
// notifications deriver has read them, so that work does not run during a
// measurement.
func (n *Node) Settle(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		pending, err := n.DB.Store().UnpublishedEvents(ctx, 1)
		if err != nil {
			return fmt.Errorf("unpublished events: %w", err)
		}
		// The deriver's place in the event log (notify's cursor).
		cursor, err := n.DB.Store().Cursor(ctx, "notify:events")
		if err != nil {
			return fmt.Errorf("notifications cursor: %w", err)
		}
		underived, err := n.Service.Events(ctx, cursor, 1)
		if err != nil {
			return fmt.Errorf("events after the notifications cursor: %w", err)
		}
		if len(pending) == 0 && len(underived) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after %v, %d events to publish, %d to derive notifications from", limit, len(pending), len(underived))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
