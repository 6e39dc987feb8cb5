package forum

import (
	"errors"
	"fmt"
)

// Domain errors. Storage maps driver errors onto these, web maps them onto
// HTTP statuses; neither needs to know the other.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("already exists")
	ErrForbidden = errors.New("forbidden")
	ErrGone      = errors.New("deleted")
	ErrLocked    = errors.New("thread is locked")
	// ErrStale is an edit from another node older than (or as old as) the
	// version stored: Updates arrive out of order.
	ErrStale = errors.New("not newer than the version stored")
	// ErrBadCredentials hides whether the username or the password was wrong.
	ErrBadCredentials = errors.New("wrong username or password")
	// ErrTokenInvalid covers unknown, used and expired one-time tokens alike,
	// so a client cannot probe which tokens exist.
	ErrTokenInvalid = errors.New("link is invalid, used or expired")
	// ErrUnavailable: the database could not be reached (connection
	// refused or lost, a timeout, a lock held beyond the wait). Nothing was
	// decided: the same request may succeed later, so it is never taken
	// for "not found" or "signed out".
	ErrUnavailable = errors.New("database unavailable")
)

// ValidationError reports bad input on one field. Code is a message ID from
// the UI catalogs (web translates it); Message is the English text for logs
// and the command line.
type ValidationError struct {
	Field   string
	Code    string
	Message string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("%s: %s", e.Field, e.Message)
}

func invalid(field, code, message string) error {
	return &ValidationError{Field: field, Code: code, Message: message}
}

// IsValidation reports whether err is (or wraps) a ValidationError.
func IsValidation(err error) bool {
	var v *ValidationError
	return errors.As(err, &v)
}
