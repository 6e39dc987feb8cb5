package federation

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Observer hears what the federation workers and inboxes do, for metrics.
// Its methods must be cheap and safe for concurrent use. federation does
// not depend on a metrics library: the node passes one that counts.
type Observer interface {
	// Delivery reports one delivery attempt's outcome: done, retry, failed,
	// dropped or postponed (a host's circuit was open).
	Delivery(outcome string)
	InboxAccepted()
	// InboxRejected reports a refused activity with a short reason.
	InboxRejected(reason string)
	// RateLimited reports a request answered 429 by the named limit.
	RateLimited(limit string)
}

// nopObserver is the Observer of a node without metrics.
type nopObserver struct{}

func (nopObserver) Delivery(string)      {}
func (nopObserver) InboxAccepted()       {}
func (nopObserver) InboxRejected(string) {}
func (nopObserver) RateLimited(string)   {}

// Limiter counts attempts per key (see package ratelimit): Allow reports
// whether one more is within the limit, and if not when to retry.
type Limiter interface {
	Allow(ctx context.Context, key string) (ok bool, retryAfter time.Duration, err error)
}

// rejectReason is the metrics label of an inbox refusal: one per status,
// so the label set stays small whatever the refusal's text says.
func rejectReason(status int) string {
	switch status {
	case http.StatusForbidden:
		return "blocked"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusUnsupportedMediaType:
		return "content_type"
	case http.StatusUnauthorized:
		return "signature"
	case http.StatusBadRequest:
		return "malformed"
	case http.StatusTooManyRequests:
		return "rate_limited"
	}
	return "other"
}

// allowInbox applies the per-remote-host inbox limit, when one is
// configured, before any costly check. The key is the host of the
// signature's keyId (not verified yet) together with the client's address:
// someone claiming another server's keyId only spends a budget of their
// own. A limiter that fails lets the request through: the inbox never
// answers 500 for a rate limit.
func (f *Federation) allowInbox(w http.ResponseWriter, r *http.Request) bool {
	if f.cfg.InboxLimiter == nil {
		return true
	}
	host := ""
	if m := keyIDParam.FindStringSubmatch(r.Header.Get("Signature")); m != nil {
		host = hostOf(m[1])
	}
	ok, wait, err := f.cfg.InboxLimiter.Allow(r.Context(), "inbox:"+host+"|"+remoteIP(r))
	if err != nil {
		f.log.Warn("inbox rate limit unavailable", "err", err)
		return true
	}
	if ok {
		return true
	}
	f.obs.RateLimited("inbox")
	f.obs.InboxRejected(rejectReason(http.StatusTooManyRequests))
	secs := int((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	http.Error(w, "too many activities from your server; retry later", http.StatusTooManyRequests)
	return false
}

func remoteIP(r *http.Request) string {
	addr := r.RemoteAddr
	if i := strings.LastIndexByte(addr, ':'); i > 0 {
		addr = addr[:i]
	}
	return strings.Trim(addr, "[]")
}
