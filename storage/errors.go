package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/uptrace/bun/driver/pgdriver"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/metropolis/agora/forum"
)

// Driver errors are mapped onto domain errors here and nowhere else.

// dbErr maps err onto forum.ErrNotFound, forum.ErrConflict or
// forum.ErrUnavailable where it is one of those, and otherwise wraps it with
// what was being done. The domain error stays visible to errors.Is; the
// driver error too (errors.As), and its message is kept for logs.
func dbErr(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, forum.ErrNotFound), errors.Is(err, forum.ErrConflict), errors.Is(err, forum.ErrUnavailable):
		return err
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %w", what, forum.ErrNotFound)
	case isUnavailable(err):
		return fmt.Errorf("%s: %w: %w", what, forum.ErrUnavailable, err)
	case isUniqueViolation(err):
		return fmt.Errorf("%s: %w (%s)", what, forum.ErrConflict, err.Error())
	case isForeignKeyViolation(err):
		// A row refers to something that does not exist (a thread in an
		// unknown forum, a post by an unknown author).
		return fmt.Errorf("%s: referenced row: %w (%s)", what, forum.ErrNotFound, err.Error())
	}
	return fmt.Errorf("%s: %w", what, err)
}

// SQLSTATE codes of PostgreSQL.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
	// Class 08 is "connection exception".
	pgConnectionClass = "08"
	// The server is shutting down, crashed, starting up or full: the
	// same request succeeds once it is back.
	pgAdminShutdown      = "57P01"
	pgCrashShutdown      = "57P02"
	pgCannotConnectNow   = "57P03"
	pgTooManyConnections = "53300"
)

// isUnavailable reports whether err says the database could not be
// reached, rather than anything about the request: the connection was
// refused, reset or closed under us (pooled connections to a restarted
// PostgreSQL end with io.EOF or driver.ErrBadConn), a network timeout, the
// server refusing connections for now, or SQLite's lock still held by
// another process when busy_timeout ran out (SQLITE_BUSY) or its file
// could not be opened (SQLITE_CANTOPEN). A request the client abandoned
// (context.Canceled) is not an outage.
func isUnavailable(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var netErr net.Error
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.As(err, &netErr):
		return true
	}
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		code := pgErr.Field('C')
		return strings.HasPrefix(code, pgConnectionClass) || code == pgAdminShutdown ||
			code == pgCrashShutdown || code == pgCannotConnectNow || code == pgTooManyConnections
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		// Extended codes (SQLITE_BUSY_SNAPSHOT…) carry the primary code
		// in their low byte.
		switch sqErr.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_CANTOPEN:
			return true
		}
	}
	return false
}

func isUniqueViolation(err error) bool {
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		return pgErr.Field('C') == pgUniqueViolation
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		code := sqErr.Code()
		return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

func isForeignKeyViolation(err error) bool {
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		return pgErr.Field('C') == pgForeignKeyViolation
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}
