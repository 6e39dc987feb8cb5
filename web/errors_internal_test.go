package web

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
)

// What each error answers. A form's error of 500 or more keeps the form's
// text (post), so nothing the client did wrong may land there.
func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		msgID  string
		retry  time.Duration
	}{
		{"database unreachable", fmt.Errorf("load session: %w", forum.ErrUnavailable), http.StatusServiceUnavailable, "error.unavailable", outageRetryAfter},
		{"unreachable beats what else it says", errors.Join(forum.ErrNotFound, forum.ErrUnavailable), http.StatusServiceUnavailable, "error.unavailable", outageRetryAfter},
		{"validation", fmt.Errorf("edit: %w", &forum.ValidationError{Field: "body", Code: "error.required"}), http.StatusBadRequest, "", 0},
		{"refusal with its status", &httpError{status: http.StatusTooManyRequests, msgID: "error.too_many_attempts", retryAfter: time.Minute}, http.StatusTooManyRequests, "error.too_many_attempts", time.Minute},
		{"sign in", errSignIn, http.StatusUnauthorized, "error.forbidden", 0},
		{"not found", forum.ErrNotFound, http.StatusNotFound, "error.not_found", 0},
		{"locked", forum.ErrLocked, http.StatusConflict, "error.locked", 0},
		{"anything else", errors.New("boom"), http.StatusInternalServerError, "error.internal", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, msgID, retry := classify(tt.err)
			if status != tt.status || msgID != tt.msgID || retry != tt.retry {
				t.Errorf("classify(%v) = %d %q %v, want %d %q %v", tt.err, status, msgID, retry, tt.status, tt.msgID, tt.retry)
			}
		})
	}
}
