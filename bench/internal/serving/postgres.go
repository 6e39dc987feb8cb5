package serving

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"
)

// EnvDatabaseURL names the PostgreSQL server a benchmark runs on instead of
// SQLite (an admin URL: the benchmark creates a throwaway database there
// and drops it at the end).
const EnvDatabaseURL = "AGORA_BENCH_DATABASE_URL"

// TempPostgres creates an empty database on the PostgreSQL server at
// adminURL and returns its URL and the function that drops it.
func TempPostgres(ctx context.Context, adminURL string) (string, func(), error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("%s is not a URL: %w", EnvDatabaseURL, err)
	}
	admin := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(adminURL)))
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "agora_bench_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		_ = admin.Close()
		return "", nil, fmt.Errorf("create database %s on %s: %w", name, u.Redacted(), err)
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Printf("drop database %s: %v\n", name, err)
		}
		_ = admin.Close()
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// KeptPostgres is TempPostgres for a database kept across runs: it
// returns the URL of database name on the server at adminURL, creating it
// when missing, and whether it existed. Nothing drops it: the caller says
// where it is.
func KeptPostgres(ctx context.Context, adminURL, name string) (string, bool, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", false, fmt.Errorf("%s is not a URL: %w", EnvDatabaseURL, err)
	}
	admin := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(adminURL)))
	defer func() { _ = admin.Close() }()
	var n int
	if err := admin.QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		return "", false, fmt.Errorf("look for database %s on %s: %w", name, u.Redacted(), err)
	}
	if n == 0 {
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			return "", false, fmt.Errorf("create database %s on %s: %w", name, u.Redacted(), err)
		}
	}
	u.Path = "/" + name
	return u.String(), n > 0, nil
}

// ExecLong runs a long statement (an index build over a million rows) on
// the PostgreSQL database at dbURL, on a connection of its own without
// the driver's read timeout, which a node's connections keep (a build
// answers only when done).
func ExecLong(ctx context.Context, dbURL, stmt string) error {
	db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(dbURL), pgdriver.WithReadTimeout(0)))
	defer func() { _ = db.Close() }()
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("%s: %w", stmt, err)
	}
	return nil
}
