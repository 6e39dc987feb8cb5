package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/markup"
	"github.com/metropolis/agora/forum/password"
	"github.com/metropolis/agora/media"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/uris"
)

// app is the wired node: storage, the domain service and the URL builder.
type app struct {
	cfg  Config
	log  *slog.Logger
	db   *storage.DB
	svc  *forum.Service
	urls *uris.Builder
}

// configure parses a command's flags into a Config and a logger, and
// returns the positional arguments. fs must come from newFlagSet, with the
// command's own flags already added.
func configure(fs *flagSet, cio cmdIO, args []string) (Config, *slog.Logger, []string, error) {
	cf := addConfigFlags(fs.FlagSet)
	positional, err := fs.parse(args, cio.stdout)
	if err != nil {
		return Config{}, nil, nil, err
	}
	cfg, err := cf.resolve(fs.FlagSet, cio.env)
	if err != nil {
		return Config{}, nil, nil, err
	}
	if fs.check != nil {
		if err := fs.check(); err != nil {
			return Config{}, nil, nil, err
		}
	}
	level := slog.LevelInfo
	if fs.quiet {
		level = slog.LevelWarn
	}
	return cfg, newLogger(cfg.LogFormat, level, cio.stderr), positional, nil
}

func newLogger(format string, level slog.Level, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStorage opens the database the Config names and applies any pending
// migrations.
func openStorage(ctx context.Context, cfg Config, log *slog.Logger) (*storage.DB, error) {
	if cfg.DatabaseURL == "" {
		if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
	}
	db, err := storage.Open(ctx, storage.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := db.Migrate(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("migrate database: %w", err)
	}
	// The first start after the search migration (or after a change of
	// the analysis) fills the index from the posts already there.
	if err := db.Store().ReindexIfStale(ctx, log); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("search index: %w", err)
	}
	return db, nil
}

// newService builds the domain service on a store; hashtags link to pages
// under urls.
func newService(db *storage.DB, urls *uris.Builder) (*forum.Service, error) {
	clock := forum.SystemClock{}
	svc, err := forum.NewService(forum.Deps{
		Store:    db.Store(),
		Clock:    clock,
		IDs:      forum.NewULIDs(clock, nil),
		Hasher:   password.New(),
		Renderer: markup.New(markup.TagURL(urls.Tag)),
	})
	if err != nil {
		return nil, fmt.Errorf("build forum service: %w", err)
	}
	return svc, nil
}

// newApp wires the service and URL builder on an open database, with links
// built under baseURL.
func newApp(cfg Config, log *slog.Logger, db *storage.DB, baseURL string) (*app, error) {
	urls, err := uris.New(baseURL)
	if err != nil {
		return nil, usageErrorf("--base-url: %v", err)
	}
	svc, err := newService(db, urls)
	if err != nil {
		return nil, err
	}
	return &app{cfg: cfg, log: log, db: db, svc: svc, urls: urls}, nil
}

// openApp opens (and migrates) storage and wires the app, with links built
// under the configured base URL or the default one from --listen. The
// caller closes it.
func openApp(ctx context.Context, cfg Config, log *slog.Logger) (*app, error) {
	db, err := openStorage(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a, err := newApp(cfg, log, db, cfg.PublicBaseURL(cfg.Listen))
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return a, nil
}

// node assembles the full node (federation and web) on the app's database.
func (a *app) node(shared node.Shared) (*node.Node, error) {
	n, err := node.New(node.Config{Shared: shared, Delivery: a.cfg.Delivery(), Inbox: a.cfg.Inbox(), InboxLimit: a.cfg.InboxLimitPerMinute(), BaseURL: a.urls.Base(), DefaultLanguage: a.cfg.DefaultLanguage, DefaultCity: a.cfg.DefaultCity, TimeZone: a.cfg.TimeZone, DB: a.db,
		Logger: a.log, AllowLoopbackPeers: a.cfg.LoopbackPeers(), AuthorizedFetch: a.cfg.SignedFetchOnly(), ClientIP: a.cfg.ClientIP(), Software: federation.Software{Name: "agora", Version: version},
		Mail:  node.MailConfig{SMTPURL: a.cfg.SMTPURL, From: a.cfg.MailFrom},
		Media: media.Dir{Path: filepath.Join(a.cfg.DataDir, "media")}})
	if err != nil {
		return nil, fmt.Errorf("build node: %w", err)
	}
	return n, nil
}

func (a *app) close() {
	if err := a.db.Close(); err != nil {
		a.log.Warn("closing the database", "err", err)
	}
}
