package join

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/metropolis/agora/federation/fetch"
)

// TestReason: each failure a join meets is named by the code pages
// translate, whatever wraps it.
func TestReason(t *testing.T) {
	var syntax error = &json.SyntaxError{Offset: 1}
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("fetch forum: %w", &fetch.StatusError{Code: 404}), ReasonNotFound},
		{&fetch.StatusError{Code: 410}, ReasonNotFound},
		{&fetch.StatusError{Code: 503}, ReasonUnavailable},
		{&fetch.StatusError{Code: 429}, ReasonUnavailable},
		{fmt.Errorf("%w: https://hub.example/u/ana is a Person, not a forum (Group)", errRefused), ReasonNotAForum},
		{fmt.Errorf("fetch: %w", fetch.ErrForbiddenAddress), ReasonAddress},
		{fetch.ErrForbiddenURL, ReasonAddress},
		{fmt.Errorf("fetch: %w", fetch.ErrContentType), ReasonBadAnswer},
		{fetch.ErrIDMismatch, ReasonBadAnswer},
		{fmt.Errorf("webfinger ana@hub.example: %w", syntax), ReasonBadAnswer},
		{fmt.Errorf("get: %w", &net.OpError{Op: "dial", Err: errors.New("connection refused")}), ReasonUnreachable},
		{fmt.Errorf("get: %w", context.DeadlineExceeded), ReasonUnreachable},
		{errors.New("save following: database is locked"), ReasonOther},
	}
	for _, tt := range tests {
		if got := Reason(tt.err); got != tt.want {
			t.Errorf("Reason(%v) = %s, want %s", tt.err, got, tt.want)
		}
	}
}
