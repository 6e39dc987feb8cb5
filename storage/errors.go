package storage

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun/driver/pgdriver"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/metropolis/agora/forum"
)

// Driver errors are mapped onto domain errors here and nowhere else.

// dbErr maps err onto forum.ErrNotFound or forum.ErrConflict where it is one
// of those, and otherwise wraps it with what was being done. The domain
// error stays visible to errors.Is; the driver message is kept for logs.
func dbErr(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, forum.ErrNotFound), errors.Is(err, forum.ErrConflict):
		return err
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %w", what, forum.ErrNotFound)
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
)

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
