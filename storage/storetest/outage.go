package storetest

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/metropolis/agora/storage"
)

// Outage cuts a test database off and brings it back.
type Outage interface {
	// Cut makes the database unreachable: open connections die, new ones
	// fail.
	Cut()
	// Restore makes it reachable again (connections cut stay dead).
	Restore()
}

// OutageBackend opens one kind of test database that can be cut off.
type OutageBackend struct {
	Name string
	// Open returns a fresh, migrated, empty database and its switch.
	Open func(t testing.TB) (*storage.DB, Outage)
}

// OutageBackends returns SQLite, and PostgreSQL when
// AGORA_TEST_DATABASE_URL is set.
//
// PostgreSQL is reached through a loopback TCP proxy: Cut closes its
// listener (new connections are refused) and every connection through it
// (pooled ones end with EOF or a reset), as when the server or the network
// goes away. SQLite is a file, so its outage is simulated under
// database/sql: Cut makes open connections report driver.ErrBadConn and
// new ones fail as the driver fails to open a file that is not there
// (SQLITE_CANTOPEN), which is what a lost disk looks like.
func OutageBackends(t testing.TB) []OutageBackend {
	t.Helper()
	bs := []OutageBackend{{Name: "sqlite", Open: openCuttableSQLite}}
	if u := os.Getenv(EnvDatabaseURL); u != "" {
		bs = append(bs, OutageBackend{Name: "postgres", Open: func(t testing.TB) (*storage.DB, Outage) {
			return openCuttablePostgres(t, u)
		}})
	}
	return bs
}

func openCuttablePostgres(t testing.TB, adminURL string) (*storage.DB, Outage) {
	t.Helper()
	u, err := url.Parse(createPostgres(t, adminURL))
	if err != nil {
		t.Fatal(err)
	}
	p := newTCPProxy(t, u.Host)
	u.Host = p.addr
	return openMigrated(t, storage.Options{DatabaseURL: u.String()}), p
}

func openCuttableSQLite(t testing.TB) (*storage.DB, Outage) {
	t.Helper()
	dir := t.TempDir()
	sw := &sqliteSwitch{missing: filepath.Join(dir, "gone", "forum.db")}
	db := openMigrated(t, storage.Options{DatabaseURL: "sqlite://" + filepath.Join(dir, "forum.db"),
		Connector: func(c driver.Connector) driver.Connector { sw.inner = c; return sw }})
	return db, sw
}

// sqliteSwitch is a driver.Connector whose connections die when it is cut.
type sqliteSwitch struct {
	inner   driver.Connector
	missing string // a path in a directory that does not exist
	mu      sync.Mutex
	down    bool
	epoch   int // connections from before the last Cut are dead
}

func (s *sqliteSwitch) Cut() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = true
	s.epoch++
}

func (s *sqliteSwitch) Restore() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = false
}

func (s *sqliteSwitch) alive(epoch int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.down && epoch == s.epoch
}

func (s *sqliteSwitch) Connect(ctx context.Context) (driver.Conn, error) {
	s.mu.Lock()
	down, epoch := s.down, s.epoch
	s.mu.Unlock()
	if down {
		// The driver's own error for a file it cannot open.
		c, err := s.inner.Driver().Open("file:" + s.missing + "?mode=rw")
		if err == nil {
			_ = c.Close()
			return nil, errors.New("storetest: opened a file that should be missing")
		}
		return nil, err
	}
	c, err := s.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &switchedConn{conn: c, sw: s, epoch: epoch}, nil
}

func (s *sqliteSwitch) Driver() driver.Driver { return s.inner.Driver() }

// switchedConn passes everything to the driver's connection while its
// switch is on, and reports driver.ErrBadConn after a Cut, so database/sql
// drops it and dials again.
type switchedConn struct {
	conn  driver.Conn
	sw    *sqliteSwitch
	epoch int
}

func (c *switchedConn) ok() error {
	if !c.sw.alive(c.epoch) {
		return driver.ErrBadConn
	}
	return nil
}

func (c *switchedConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *switchedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.ok(); err != nil {
		return nil, err
	}
	if p, ok := c.conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.conn.Prepare(query)
}

func (c *switchedConn) Close() error { return c.conn.Close() }

func (c *switchedConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *switchedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := c.ok(); err != nil {
		return nil, err
	}
	b, ok := c.conn.(driver.ConnBeginTx)
	if !ok {
		return nil, errors.New("storetest: the driver's connections lack BeginTx")
	}
	return b.BeginTx(ctx, opts)
}

func (c *switchedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.ok(); err != nil {
		return nil, err
	}
	if e, ok := c.conn.(driver.ExecerContext); ok {
		return e.ExecContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

func (c *switchedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.ok(); err != nil {
		return nil, err
	}
	if q, ok := c.conn.(driver.QueryerContext); ok {
		return q.QueryContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

func (c *switchedConn) ResetSession(ctx context.Context) error {
	if err := c.ok(); err != nil {
		return err
	}
	if r, ok := c.conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *switchedConn) IsValid() bool {
	if c.ok() != nil {
		return false
	}
	if v, ok := c.conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// tcpProxy forwards loopback connections to a database server until cut.
type tcpProxy struct {
	t      testing.TB
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]struct{}
	closed bool
}

func newTCPProxy(t testing.TB, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("storetest: proxy listen: %v", err)
	}
	p := &tcpProxy{t: t, target: target, addr: ln.Addr().String(), conns: map[net.Conn]struct{}{}}
	p.serve(ln)
	// Registered before the database is opened, so it runs after the
	// database is closed (cleanups run last-registered first).
	t.Cleanup(func() {
		p.mu.Lock()
		p.closed = true
		p.mu.Unlock()
		p.Cut()
	})
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // the listener was closed by Cut
			}
			go p.forward(c)
		}
	}()
}

func (p *tcpProxy) forward(client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = client.Close()
		return
	}
	if !p.track(client, server) {
		_ = client.Close()
		_ = server.Close()
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src) // ends when either side is closed
		done <- struct{}{}
	}
	go pipe(server, client)
	go pipe(client, server)
	<-done
	p.mu.Lock()
	delete(p.conns, client)
	delete(p.conns, server)
	p.mu.Unlock()
	_ = client.Close()
	_ = server.Close()
}

// track registers a forwarded pair, unless the proxy was cut meanwhile.
func (p *tcpProxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		return false
	}
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *tcpProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
	clear(p.conns)
}

func (p *tcpProxy) Restore() {
	p.mu.Lock()
	if p.closed || p.ln != nil {
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("storetest: proxy listen again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}
