// Package storetest opens fresh, migrated databases for tests: SQLite
// always, PostgreSQL too when AGORA_TEST_DATABASE_URL is set.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/metropolis/agora/storage"
)

// EnvDatabaseURL names the variable holding a PostgreSQL server URL for
// tests, e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
// Each test database is created through it and dropped afterwards.
const EnvDatabaseURL = "AGORA_TEST_DATABASE_URL"

// Backend opens one kind of test database.
type Backend struct {
	Name string
	// Open returns a fresh, migrated, empty database, closed (and for
	// PostgreSQL dropped) in t.Cleanup.
	Open func(t testing.TB) *storage.DB
}

// Backends returns SQLite, and PostgreSQL when AGORA_TEST_DATABASE_URL is
// set.
func Backends(t testing.TB) []Backend {
	t.Helper()
	bs := []Backend{{Name: "sqlite", Open: openSQLite}}
	if u := os.Getenv(EnvDatabaseURL); u != "" {
		bs = append(bs, Backend{Name: "postgres", Open: func(t testing.TB) *storage.DB { return openPostgres(t, u) }})
	}
	return bs
}

// Open returns a fresh, migrated database: PostgreSQL when
// AGORA_TEST_DATABASE_URL is set (so whole suites run on it in CI), else
// SQLite.
func Open(t testing.TB) *storage.DB {
	t.Helper()
	if u := os.Getenv(EnvDatabaseURL); u != "" {
		return openPostgres(t, u)
	}
	return openSQLite(t)
}

func openSQLite(t testing.TB) *storage.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "forum.db")
	return openMigrated(t, storage.Options{DatabaseURL: "sqlite://" + path})
}

func openPostgres(t testing.TB, adminURL string) *storage.DB {
	t.Helper()
	return openMigrated(t, storage.Options{DatabaseURL: createPostgres(t, adminURL)})
}

// EmptyPostgres creates an empty PostgreSQL database (not migrated) through
// AGORA_TEST_DATABASE_URL, dropped in t.Cleanup, and returns its URL; ""
// when the variable is unset. Tests that start agora processes use it:
// the processes migrate it themselves.
func EmptyPostgres(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvDatabaseURL)
	if u == "" {
		return ""
	}
	return createPostgres(t, u)
}

func createPostgres(t testing.TB, adminURL string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u, err := url.Parse(adminURL)
	if err != nil {
		t.Fatalf("storetest: %s is not a URL: %v", EnvDatabaseURL, err)
	}
	admin := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(adminURL)))
	if err := admin.PingContext(ctx); err != nil {
		_ = admin.Close()
		t.Fatalf("storetest: %s is set but PostgreSQL at %s does not answer: %v", EnvDatabaseURL, u.Redacted(), err)
	}
	name := "agora_t_" + randomHex(t)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		_ = admin.Close()
		t.Fatalf("storetest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("storetest: drop database %s: %v", name, err)
		}
		_ = admin.Close()
	})
	u.Path = "/" + name
	return u.String()
}

// openMigrated opens and migrates; its cleanup (close) runs before the
// database is dropped, because cleanups run last-registered first.
func openMigrated(t testing.TB, opts storage.Options) *storage.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := storage.Open(ctx, opts)
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("storetest: close: %v", err)
		}
	})
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return db
}

func randomHex(t testing.TB) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("storetest: random name: %v", err)
	}
	return hex.EncodeToString(b)
}
