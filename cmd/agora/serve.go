package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/node"
)

// Timeouts of the HTTP server.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	shutdownTimeout   = 15 * time.Second
)

// bootstrapUsername is the first admin's account, made on first start.
const bootstrapUsername = "admin"

func serve(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlagSet("serve", "[flags]", strings.TrimSpace(`
Run the node: open the database (SQLite in the data directory unless a
PostgreSQL URL is set), apply migrations, and serve HTTP until SIGINT or
SIGTERM. On first start, with no member yet, it creates the administrator
"admin" and prints a one-time sign-in link on stdout.`))
	cfg, log, positional, err := configure(fs, cio, args)
	if err != nil {
		return err
	}
	if err := exactArgs(fs, positional); err != nil {
		return err
	}
	// Open the database before listening: a node that cannot store
	// anything should not accept connections.
	db, err := openStorage(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := db.Close(); err != nil {
			log.Warn("closing the database", "err", err)
		}
	}()
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("--listen: %w", err)
	}
	defer ln.Close()
	a, err := newApp(cfg, log, db, cfg.PublicBaseURL(ln.Addr().String()))
	if err != nil {
		return err
	}
	shared, closeShared, err := sharedServices(ctx, cfg, log, db, a.urls.Base())
	if err != nil {
		return err
	}
	defer closeShared()
	if err := bootstrap(ctx, a, cio.stdout); err != nil {
		return err
	}
	n, err := a.node(shared)
	if err != nil {
		return err
	}
	if cfg.MetricsListen != "" {
		stopMetrics, err := serveMetrics(ctx, cfg.MetricsListen, shared, log)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}
	if cfg.SMTPListen != "" {
		at, stopSMTP, err := serveSMTP(cfg.SMTPListen, a.urls.Host(), n, log)
		if err != nil {
			return err
		}
		defer stopSMTP()
		fmt.Fprintf(cio.stdout, "Receiving replies by email on %s\n", at)
	}
	log.Info("serving", "addr", ln.Addr().String(), "base_url", a.urls.Base(),
		"database", databaseKind(cfg), "default_language", cfg.DefaultLanguage,
		// Which RSA code signs deliveries: "go", or "boringcrypto" in a
		// build made for faster signing (README "Faster signing").
		"rsa_signing", signature.Backend())
	// The line scripts and tests wait for comes last, once the log above
	// is written: whoever reads it may read the log next.
	fmt.Fprintf(cio.stdout, "Listening on %s — public URL %s\n", ln.Addr(), a.urls.Base())
	// Federation workers stop after the HTTP server: deliveries in flight
	// finish, and what is still queued waits in the database.
	workers, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { n.Run(workers); close(done) }()
	err = serveHTTP(ctx, ln, n.Handler, log)
	stopWorkers()
	<-done
	return err
}

// bootstrap creates the first admin on an empty node and prints its
// one-time sign-in link. The link is the only way in: there is no default
// password.
func bootstrap(ctx context.Context, a *app, stdout io.Writer) error {
	m, token, created, err := a.svc.Bootstrap(ctx, bootstrapUsername)
	if err != nil {
		// Several processes started on one empty database: the one that
		// lost the race finds the administrator another one created (and
		// whose link that one printed).
		if n, cerr := a.svc.CountMembers(ctx); cerr == nil && n > 0 {
			a.log.Info("the first administrator was created by another process")
			return nil
		}
		return fmt.Errorf("create the first administrator: %w", err)
	}
	if !created {
		return nil
	}
	a.log.Info("created the first administrator", "username", m.Username)
	rule := strings.Repeat("=", 72)
	fmt.Fprintf(stdout, "\n%s\n", rule)
	fmt.Fprintf(stdout, "First start: created the administrator account %q.\n", m.Username)
	fmt.Fprintf(stdout, "Open this one-time link within %s to sign in and set a password:\n\n",
		lifetime(forum.DefaultLifetimes().LoginToken))
	fmt.Fprintf(stdout, "    %s\n\n", a.urls.LoginToken(token))
	fmt.Fprintln(stdout, "Anyone with the link can take the account. Lost it or let it expire?")
	fmt.Fprintf(stdout, "Run: agora admin reset-password %s\n", m.Username)
	fmt.Fprintf(stdout, "%s\n\n", rule)
	return nil
}

// serveHTTP serves until ctx is cancelled, then shuts down gracefully:
// in-flight requests get shutdownTimeout to finish.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// Open event streams would hold a graceful shutdown until its timeout:
	// they end when it starts, and browsers reconnect elsewhere.
	if st, ok := h.(interface{ StopStreams() }); ok {
		srv.RegisterOnShutdown(st.StopStreams)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve HTTP: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down HTTP server: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve HTTP: %w", err)
	}
	log.Info("stopped")
	return nil
}

func databaseKind(cfg Config) string {
	if strings.HasPrefix(cfg.DatabaseURL, "postgres") {
		return "PostgreSQL"
	}
	return "SQLite"
}

// serveMetrics serves /metrics alone on addr (an internal address that
// Prometheus scrapes), until the returned function is called.
func serveMetrics(ctx context.Context, addr string, shared node.Shared, log *slog.Logger) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", shared.Metrics.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: readHeaderTimeout, WriteTimeout: writeTimeout,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "err", err)
		}
	}()
	log.Info("metrics", "addr", ln.Addr().String())
	return func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}, nil
}
