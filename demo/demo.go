// Package demo runs a hub and two city nodes on loopback and seeds them
// with the Metropolis learning forum: members, the forum on digitalisation,
// its questions, and answers in English, Spanish and French from each city.
// Everything is done through the nodes' public interfaces (their web pages
// and ActivityPub), never by writing another node's database.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/storage"
)

// Options configure a demo.
type Options struct {
	BasePort int    // the hub listens on 127.0.0.1:BasePort, the cities on the next two ports
	Dir      string // holds the three SQLite databases
	SeedOnly bool   // stop once seeded instead of serving
	Stdout   io.Writer
	Logger   *slog.Logger
	// Hasher overrides the password KDF (tests use a cheap one).
	Hasher forum.PasswordHasher
	// Software is reported by the nodes.
	Software federation.Software
}

// site is one running node of the demo.
type site struct {
	name string
	base string
	n    *node.Node
	db   *storage.DB
	srv  *http.Server
}

// Run starts the three nodes, seeds them, prints their addresses and the
// accounts, then serves until ctx ends (or returns at once with SeedOnly).
func Run(ctx context.Context, opt Options) error {
	names := []string{"hub", "barcelona", "belo-horizonte"}
	var sites []*site
	defer func() {
		for _, s := range sites {
			_ = s.srv.Close()
			_ = s.db.Close()
		}
	}()
	workers, stop := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	for i, name := range names {
		s, err := startSite(ctx, opt, name, opt.BasePort+i)
		if err != nil {
			return err
		}
		sites = append(sites, s)
		wg.Add(1)
		go func() { defer wg.Done(); s.n.Run(workers) }()
	}
	accounts, err := seed(ctx, sites[0], sites[1:], opt.Stdout)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintln(opt.Stdout, "\nagora demo: a hub and two cities, federated on this machine.")
	for _, s := range sites {
		fmt.Fprintf(opt.Stdout, "  %-15s %s\n", s.name, s.base)
	}
	fmt.Fprintln(opt.Stdout, "\nAccounts (username / password, on their own node):")
	for _, a := range accounts {
		fmt.Fprintf(opt.Stdout, "  %-15s %-12s %s\n", a.site, a.username, a.password)
	}
	fmt.Fprintf(opt.Stdout, "\nDatabases are in %s.\n", opt.Dir)
	if opt.SeedOnly {
		return nil
	}
	fmt.Fprintln(opt.Stdout, "Serving until interrupted (Ctrl-C).")
	<-ctx.Done()
	return nil
}

func startSite(ctx context.Context, opt Options, name string, port int) (*site, error) {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return nil, fmt.Errorf("%s: %w (choose another --base-port)", name, err)
	}
	db, err := storage.Open(ctx, storage.Options{DatabaseURL: "sqlite://" + filepath.Join(opt.Dir, name+".db"), Logger: opt.Logger})
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := db.Migrate(ctx); err != nil {
		ln.Close()
		db.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	base := "http://" + ln.Addr().String()
	n, err := node.New(node.Config{BaseURL: base, DefaultLanguage: "en", DB: db, Logger: opt.Logger.With("node", name),
		AllowLoopbackPeers: true, Hasher: opt.Hasher, Software: opt.Software,
		Delivery: federation.DeliveryConfig{Poll: 200 * time.Millisecond, BaseBackoff: time.Second}})
	if err != nil {
		ln.Close()
		db.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	srv := &http.Server{Handler: n.Handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			opt.Logger.Error("demo node stopped", "node", name, "err", err)
		}
	}()
	return &site{name: name, base: base, n: n, db: db, srv: srv}, nil
}
