package join

import (
	"errors"
	"fmt"
	"testing"

	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/forum"
)

func TestCheckTarget(t *testing.T) {
	tests := []struct {
		target string
		ok     bool
	}{
		{"https://hub.example/f/digitalisation", true},
		{"http://127.0.0.2:8080/f/digitalisation", true},
		{"@digitalisation@hub.example", true},
		{"digitalisation@hub.example:8443", true},
		{"acct:digitalisation@hub.example", true},
		{"  @digitalisation@hub.example  ", true},
		{"https://", false},
		{"ftp://hub.example/f/x", false},
		{"digitalisation", false},
		{"@digitalisation@", false},
		{"@a b@hub.example", false},
	}
	for _, tt := range tests {
		err := CheckTarget(tt.target)
		if (err == nil) != tt.ok {
			t.Errorf("CheckTarget(%q) = %v, want ok=%v", tt.target, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrTarget) {
			t.Errorf("CheckTarget(%q) = %v, not ErrTarget", tt.target, err)
		}
	}
}

// A join retried later is one that may pass: the host down or slow, the
// database; a refusal is final.
func TestRetryable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&fetch.StatusError{Code: 503}, true},
		{&fetch.StatusError{Code: 429}, true},
		{&fetch.StatusError{Code: 404}, false},
		{&fetch.StatusError{Code: 410}, false},
		{fmt.Errorf("webfinger: %w", errRefused), false},
		{forum.ErrForbidden, false},
		{fetch.ErrForbiddenAddress, false},
		{fetch.ErrIDMismatch, false},
		{&forum.ValidationError{}, false},
		{errors.New("connection reset"), true},
		{forum.ErrUnavailable, true},
	}
	for _, tt := range tests {
		if got := retryable(tt.err); got != tt.want {
			t.Errorf("retryable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
