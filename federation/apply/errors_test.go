package apply

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"testing"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/forum"
)

func TestRefusalReason(t *testing.T) {
	// As the fetcher's errors reach the worker: through net/http's
	// url.Error (redirects, dials) and our own wrapping.
	viaHTTP := func(err error) error {
		return fmt.Errorf("fetch parent https://x.example/p/1: %w", &url.Error{Op: "Get", URL: "https://x.example/p/1", Err: err})
	}
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: fmt.Errorf("%w: 10.0.0.1:443", fetch.ErrForbiddenAddress)}
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"refused", Refused(ReasonUnsupported, "%s objects are not posts", "Video"), ReasonUnsupported},
		{"Refused, wrapped", fmt.Errorf("announce: %w", Refused(ReasonGone, "gone")), ReasonGone},
		{"the refusal's reason before what it wraps", Refused(ReasonOrigin, "parent: %w", forum.ErrForbidden), ReasonOrigin},
		{"the outermost refusal", Refused(ReasonMalformed, "a: %w", Refused(ReasonGone, "b")), ReasonMalformed},
		{"permanent without a reason", Permanent("something odd"), ReasonOther},
		{"panic", Panicked("ulid: time too big"), ReasonPanic},
		{"forum: forbidden", fmt.Errorf("receive answer: %w", forum.ErrForbidden), ReasonForbidden},
		{"forum: locked", fmt.Errorf("receive answer: %w", forum.ErrLocked), ReasonLocked},
		{"forum: deleted", fmt.Errorf("receive edit: %w", forum.ErrGone), ReasonGone},
		{"forum: validation", fmt.Errorf("receive question: %w", &forum.ValidationError{Field: "title", Code: "error.required"}), ReasonInvalid},
		{"fetch: id mismatch", fmt.Errorf("fetch: %w", fmt.Errorf("GET u: %w: id is %q", fetch.ErrIDMismatch, "v")), ReasonFetchRefused},
		{"fetch: content type", fmt.Errorf("GET u: %w: %q", fetch.ErrContentType, "text/html"), ReasonFetchRefused},
		{"fetch: too many redirects", viaHTTP(fmt.Errorf("%w (3)", fetch.ErrTooManyRedirects)), ReasonFetchRefused},
		{"fetch: forbidden address", viaHTTP(dial), ReasonFetchRefused},
		{"fetch: forbidden URL", viaHTTP(fmt.Errorf("%w: redirect from https to http", fetch.ErrForbiddenURL)), ReasonFetchRefused},
		{"fetch: too large", fmt.Errorf("fetch: %w: more than 1048576 bytes", fetch.ErrTooLarge), ReasonFetchRefused},
		{"fetch: too deep", fmt.Errorf("fetch: %w", fetch.ErrTooDeep), ReasonFetchRefused},
		{"fetch: malformed JSON", fmt.Errorf("fetch: %w", fetch.ErrMalformedJSON), ReasonFetchRefused},
		{"fetch: 404", fmt.Errorf("fetch: %w", &fetch.StatusError{Code: 404}), ReasonGone},
		{"fetch: 410", fmt.Errorf("fetch: %w", &fetch.StatusError{Code: 410}), ReasonGone},
		{"fetch: 503 may pass", fmt.Errorf("fetch: %w", &fetch.StatusError{Code: 503}), ReasonOther},
		{"fetch: 403", fmt.Errorf("fetch: %w", &fetch.StatusError{Code: 403}), ReasonFetchRefused},
		{"fetch: 429 may pass", fmt.Errorf("fetch: %w", &fetch.StatusError{Code: 429}), ReasonOther},
		{"fetch: budget spent", fmt.Errorf("fetch: %w", fetch.ErrBudgetExhausted), ReasonFetchRefused},
		{"fetch: blocked host", viaHTTP(fmt.Errorf("%w: bad.example", fetch.ErrBlocked)), ReasonBlocked},
		{"not public", fmt.Errorf("reply %s: %w", "https://x.example/n/1", ErrNotPublic), ReasonNotPublic},
		{"refused as blocked", Permanent("reply to %s: %w", "https://bad.example/p/1", fetch.ErrBlocked), ReasonBlocked},
		{"timeout", fmt.Errorf("fetch: %w", context.DeadlineExceeded), ReasonOther},
		{"connection refused", viaHTTP(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}), ReasonOther},
		{"not found in the store", fmt.Errorf("remote actor: %w", forum.ErrNotFound), ReasonOther},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReasonOf(tt.err); got != tt.want {
				t.Errorf("ReasonOf(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

// Every code ReasonOf can give is a listed one.
func TestRefusalReasonsListed(t *testing.T) {
	listed := map[string]bool{}
	for _, r := range RefusalReasons {
		if listed[r] {
			t.Errorf("%q listed twice", r)
		}
		listed[r] = true
	}
	for _, s := range refusalSentinels {
		if !listed[s.reason] {
			t.Errorf("sentinel %v gives %q, not in RefusalReasons", s.err, s.reason)
		}
	}
	for _, r := range []string{ReasonInvalid, ReasonGone, ReasonFetchRefused, ReasonOther, ReasonGaveUp, ReasonPanic} {
		if !listed[r] {
			t.Errorf("%q not in RefusalReasons", r)
		}
	}
}

// A refusal is permanent (failed at once, not retried) and keeps its text.
func TestRefusedIsPermanent(t *testing.T) {
	err := Refused(ReasonUnknownTarget, "like of %s, which this node doesn't have", "https://x.example/p/1")
	var perm *PermanentError
	if !errors.As(err, &perm) {
		t.Errorf("Refused(…) is not an PermanentError")
	}
	if got, want := err.Error(), "like of https://x.example/p/1, which this node doesn't have"; got != want {
		t.Errorf("text %q, want %q", got, want)
	}
	inner := errors.New("inner")
	if err := Refused(ReasonMalformed, "parse: %w", inner); !errors.Is(err, inner) {
		t.Errorf("Refused(…%%w) does not wrap its cause")
	}
}

func TestParseReason(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct{ body, want string }{
		{`{"id":"https://x.example/a/1","type":"Create","actor":"https://x.example/u/a","object":{"id":"https://x.example/o/1","type":"Audio"}}`, ReasonUnsupported},
		{`{"id":"https://x.example/a/1","type":"EmojiReact","actor":"https://x.example/u/a","object":"https://x.example/o/1"}`, ReasonUnsupported},
		{`{"id":"https://x.example/a/1","actor":"https://x.example/u/a"}`, ReasonMalformed},
		{`[1,2]`, ReasonMalformed},
	} {
		_, err := ap.Parse(ctx, []byte(tt.body))
		if err == nil {
			t.Fatalf("ap.Parse(%s) took it", tt.body)
		}
		if got := ParseReason(err); got != tt.want {
			t.Errorf("ParseReason(%v) = %q, want %q", err, got, tt.want)
		}
	}
}
