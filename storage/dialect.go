package storage

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// Everything that differs between SQLite and PostgreSQL lives in this file
// (and the error codes in errors.go).

// sqliteMaxConns bounds SQLite's connection pool: WAL allows many readers
// and one writer; more connections only add lock contention.
const sqliteMaxConns = 4

// sqlitePath returns the file path of a SQLite database URL and the query
// parameters that came with it.
func sqlitePath(u, dataDir string) (path string, query url.Values, err error) {
	if u == "" {
		if dataDir == "" {
			dataDir = "data"
		}
		return filepath.Join(dataDir, "forum.db"), url.Values{}, nil
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(u, "sqlite://"), "file:")
	path, raw, _ := strings.Cut(rest, "?")
	if query, err = url.ParseQuery(raw); err != nil {
		return "", nil, fmt.Errorf("storage: SQLite URL parameters: %w", err)
	}
	if path == "" {
		return "", nil, errors.New("storage: empty SQLite path in database URL")
	}
	return path, query, nil
}

// sqliteDSN builds modernc.org/sqlite's DSN: WAL, a 10 s busy timeout,
// foreign keys, and BEGIN IMMEDIATE so a write transaction takes the write
// lock up front instead of deadlocking when it upgrades a read lock.
func sqliteDSN(path string, query url.Values) string {
	q := url.Values{}
	for k, v := range query {
		q[k] = append([]string(nil), v...)
	}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if q.Get("_txlock") == "" {
		q.Set("_txlock", "immediate")
	}
	// SQLite reads the DSN as a URI: escape what would end the path.
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + esc + "?" + q.Encode()
}
