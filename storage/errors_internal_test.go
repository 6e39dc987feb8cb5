package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/metropolis/agora/forum"
)

// Which driver errors are outages. The outage tests produce these for
// real; this table keeps the cases that must not be one.
func TestDBErrUnavailable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	tests := []struct {
		name string
		err  error
		want error // nil: none of the domain errors
	}{
		{"connection refused", refused, forum.ErrUnavailable},
		{"connection reset", fmt.Errorf("read: %w", syscall.ECONNRESET), forum.ErrUnavailable},
		{"pooled connection closed by the server", io.EOF, forum.ErrUnavailable},
		{"read timeout", &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, forum.ErrUnavailable},
		{"bad connection", driver.ErrBadConn, forum.ErrUnavailable},
		{"connection done", sql.ErrConnDone, forum.ErrUnavailable},
		{"client went away while dialling", &net.OpError{Op: "dial", Net: "tcp", Err: context.Canceled}, nil},
		{"client went away", context.Canceled, nil},
		{"no rows", sql.ErrNoRows, forum.ErrNotFound},
		{"anything else", errors.New("syntax error"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := dbErr("load", tt.err)
			for _, domain := range []error{forum.ErrUnavailable, forum.ErrNotFound, forum.ErrConflict} {
				if errors.Is(got, domain) != (domain == tt.want) {
					t.Errorf("dbErr(%v) = %v: errors.Is %v is %v", tt.err, got, domain, !(domain == tt.want))
				}
			}
			if tt.want == forum.ErrUnavailable && !errors.Is(got, tt.err) {
				t.Errorf("dbErr(%v) = %v lost the driver error", tt.err, got)
			}
		})
	}
}
