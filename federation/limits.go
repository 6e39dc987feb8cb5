package federation

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// Limiter counts attempts per key (see package ratelimit): Allow reports
// whether one more is within the limit, and if not when to retry.
type Limiter interface {
	Allow(ctx context.Context, key string) (ok bool, retryAfter time.Duration, err error)
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
	ok, wait, err := f.cfg.InboxLimiter.Allow(r.Context(), "inbox:"+host+"|"+f.cfg.ClientIP.Of(r))
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
