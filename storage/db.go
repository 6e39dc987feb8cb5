// Package storage implements forum.Store with bun on SQLite (the default,
// pure Go) or PostgreSQL.
package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/pgdriver"
	"github.com/uptrace/bun/driver/sqliteshim"
	"github.com/uptrace/bun/migrate"

	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/storage/migrations"
)

// Dialect names returned by DB.Dialect.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// Options say which database to open.
type Options struct {
	// DatabaseURL is "" for SQLite at DataDir/forum.db, "postgres://…" or
	// "postgresql://…" for PostgreSQL, "sqlite://<path>" or "file:<path>"
	// for SQLite at that path. Anything else is an error.
	DatabaseURL string
	// DataDir holds the default SQLite file ("data" if empty); it is
	// created when SQLite is used and it is missing.
	DataDir string
	Logger  *slog.Logger
	// Connector, when set, wraps the driver's connector: tests put a
	// switch in it to cut the database off and bring it back. nil in
	// production.
	Connector func(driver.Connector) driver.Connector
	// QueryHooks see every statement after the write counter (Changes)
	// does: the benchmarks count statements and transactions with one.
	// nil in production.
	QueryHooks []bun.QueryHook
}

// DB is an open database.
type DB struct {
	bun     *bun.DB
	dialect string
	log     *slog.Logger
	// writers queues this process's write transactions on SQLite (nil on
	// PostgreSQL); see writeGate in dialect.go.
	writers writeGate
	changes *Changes
	stmts   *statements // the request path's reads, prepared once
	// analyzer computes the search terms of every post written through
	// this database's stores, its cache shared by all of them.
	analyzer *search.Analyzer
	// searchWake wakes RunSearchIndexer after commits that wrote
	// search_docs (SQLite).
	searchWake *searchWake
	// migrationPool opens the connections Migrate runs migrations on
	// (PostgreSQL; nil on SQLite): see Migrate.
	migrationPool func() *sql.DB
}

// Open opens the database and checks that it answers. It does not migrate.
func Open(ctx context.Context, opts Options) (*DB, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	u := opts.DatabaseURL
	var db *DB
	switch {
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		sqldb := sql.OpenDB(opts.wrap(pgdriver.NewConnector(pgdriver.WithDSN(u))))
		sqldb.SetMaxIdleConns(pgMaxIdleConns)
		sqldb.SetConnMaxIdleTime(pgConnMaxIdleTime)
		db = &DB{bun: bun.NewDB(sqldb, pgdialect.New()), dialect: DialectPostgres, log: log,
			migrationPool: func() *sql.DB {
				return sql.OpenDB(opts.wrap(pgdriver.NewConnector(pgdriver.WithDSN(u), pgdriver.WithReadTimeout(0))))
			}}
	case u == "", strings.HasPrefix(u, "sqlite://"), strings.HasPrefix(u, "file:"):
		path, query, err := sqlitePath(u, opts.DataDir)
		if err != nil {
			return nil, err
		}
		dir := opts.DataDir
		if u == "" {
			dir = filepath.Dir(path)
		}
		if dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("storage: create data directory: %w", err)
			}
		}
		sqldb := sql.OpenDB(opts.wrap(dsnConnector{dsn: sqliteDSN(path, query), driver: sqliteshim.Driver()}))
		// WAL lets readers run beside the single writer; writers queue on
		// busy_timeout. A few connections are enough and keep lock
		// contention low.
		sqldb.SetMaxOpenConns(sqliteMaxConns)
		sqldb.SetMaxIdleConns(sqliteMaxConns)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		db = &DB{bun: bun.NewDB(sqldb, sqlitedialect.New()), dialect: DialectSQLite, log: log, writers: make(writeGate, 1)}
	default:
		scheme, _, _ := strings.Cut(u, ":")
		return nil, fmt.Errorf("storage: unsupported database URL scheme %q (want postgres://, postgresql://, sqlite:// or file:)", scheme)
	}
	db.changes = NewChanges()
	db.analyzer = search.NewAnalyzer(search.DefaultCacheWords)
	hooks := []bun.QueryHook{db.changes}
	db.searchWake = newSearchWake()
	if db.writers != nil {
		hooks = append(hooks, gateHook{gate: db.writers}, searchWakeHook{wake: db.searchWake})
	}
	hooks = append(hooks, opts.QueryHooks...)
	for _, h := range hooks {
		db.bun = db.bun.WithQueryHook(h)
	}
	if err := db.bun.PingContext(ctx); err != nil {
		_ = db.bun.Close()
		return nil, fmt.Errorf("storage: connect to %s database: %w", db.dialect, err)
	}
	db.stmts = newStatements(db.bun, hooks)
	return db, nil
}

func (o Options) wrap(c driver.Connector) driver.Connector {
	if o.Connector == nil {
		return c
	}
	return o.Connector(c)
}

// dsnConnector is what sql.Open makes of a driver and a DSN, as a
// connector that Options.Connector can wrap.
type dsnConnector struct {
	dsn    string
	driver driver.Driver
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.driver.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.driver }

// Migrate applies the migrations that have not run yet, in one process at
// a time. On PostgreSQL it holds a session advisory lock for the whole run
// (released by the server if the process dies, so a crash never leaves a
// stale lock); on SQLite it takes bun migrate's table lock. A second
// process waits for the first and then finds nothing to do.
//
// PostgreSQL's migrations run on a pool of their own, whose connections
// wait for an answer as long as ctx allows: the node's connections give
// up after the driver's read timeout (10 s), and a statement over every
// document of a large node answers later than that (an index built over
// 1,000,000 documents: about 40 s, 20261210100000_search_terms_index.go).
func (db *DB) Migrate(ctx context.Context) error {
	ctx = ungated(ctx)
	if db.dialect == DialectPostgres {
		unlock, err := db.advisoryLock(ctx, migrationLock)
		if err != nil {
			return err
		}
		defer unlock()
		pool := bun.NewDB(db.migrationPool(), pgdialect.New())
		defer func() {
			if err := pool.Close(); err != nil {
				db.log.Error("storage: close the migrations' connections", "err", err)
			}
		}()
		m := migrate.NewMigrator(pool, migrations.Migrations, migrate.WithMarkAppliedOnSuccess(true))
		if err := m.Init(ctx); err != nil {
			return fmt.Errorf("storage: init migration tables: %w", err)
		}
		return db.runMigrations(ctx, m)
	}
	m := migrate.NewMigrator(db.bun, migrations.Migrations, migrate.WithMarkAppliedOnSuccess(true))
	// Two processes creating the migration tables at the same moment can
	// collide, so try again before giving up.
	var err error
	for range 3 {
		if err = m.Init(ctx); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("storage: init migration tables: %w", err)
	}
	if err := lockMigrations(ctx, m); err != nil {
		return err
	}
	defer func() {
		// Unlock even when ctx is cancelled, or the lock would stay.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := m.Unlock(uctx); err != nil {
			db.log.Error("storage: release migration lock", "err", err)
		}
	}()
	return db.runMigrations(ctx, m)
}

func (db *DB) runMigrations(ctx context.Context, m *migrate.Migrator) error {
	group, err := m.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("storage: migrate: %w", err)
	}
	for _, mig := range group.Migrations {
		db.log.Info("storage: applied migration", "name", mig.Name, "comment", mig.Comment)
	}
	return nil
}

// migrationLock is the PostgreSQL advisory lock key of Migrate ("agora", 2).
const migrationLock = 0x61676f7261_02

// advisoryLock takes a session-level PostgreSQL advisory lock on a
// connection of its own, waiting for it (as long as ctx allows), and
// returns the function that releases it and returns the connection.
func (db *DB) advisoryLock(ctx context.Context, key int64) (func(), error) {
	conn, err := db.bun.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: connection for the migration lock: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", key); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("storage: wait for the migration lock: %w", err)
	}
	return func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(uctx, "SELECT pg_advisory_unlock(?)", key); err != nil {
			db.log.Error("storage: release migration lock", "err", err)
		}
		_ = conn.Close()
	}, nil
}

// migrationLockWait is how long Migrate waits for another process's lock.
const migrationLockWait = time.Minute

func lockMigrations(ctx context.Context, m *migrate.Migrator) error {
	deadline := time.Now().Add(migrationLockWait)
	for {
		err := m.Lock(ctx)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("storage: %w; if no other process is migrating, a crashed one left the lock: "+
				"delete the row from bun_migration_locks", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("storage: wait for migration lock: %w", ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// Store returns the forum.Store on this database.
func (db *DB) Store() *Store {
	return &Store{db: db.bun, root: db.bun, writers: db.writers, stmts: db.stmts, changes: db.changes, analyzer: db.analyzer}
}

// Changes counts this process's writes, for caches (see Changes).
func (db *DB) Changes() *Changes { return db.changes }

// Close closes the database.
func (db *DB) Close() error {
	db.stmts.close()
	return db.bun.Close()
}

// Dialect reports "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect }

// Bun returns the underlying bun handle, for other storage in this module
// (the federation queue).
func (db *DB) Bun() *bun.DB { return db.bun }
