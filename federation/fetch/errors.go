package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Sentinel errors; test with errors.Is. Messages may carry the URL or the
// address for the log; they never carry response bodies.
var (
	// ErrForbiddenURL: not http(s), userinfo present, no host, a malformed
	// port, or a redirect from https to http.
	ErrForbiddenURL = errors.New("fetch: forbidden URL")
	// ErrForbiddenAddress: the host resolves to a refused address, or the
	// port is not allowed for that address.
	ErrForbiddenAddress = errors.New("fetch: forbidden address")
	// ErrTooManyRedirects: more than Config.MaxRedirects redirects.
	ErrTooManyRedirects = errors.New("fetch: too many redirects")
	// ErrContentType: the response is not an ActivityPub document.
	ErrContentType = errors.New("fetch: not an ActivityPub content type")
	// ErrTooLarge: a response or request body over Config.MaxBody.
	ErrTooLarge = errors.New("fetch: body too large")
	// ErrTooDeep: JSON nested deeper than allowed.
	ErrTooDeep = errors.New("fetch: JSON nested too deep")
	// ErrMalformedJSON: the body is not one well-formed JSON object.
	ErrMalformedJSON = errors.New("fetch: malformed JSON")
	// ErrIDMismatch: the document's top-level id is not the final URL.
	ErrIDMismatch = errors.New("fetch: document id does not match its URL")
	// ErrBudgetExhausted: the context's request budget (WithBudget) is spent.
	ErrBudgetExhausted = errors.New("fetch: request budget exhausted")
	// ErrBlocked: the host (or a domain it is a subdomain of) is a blocked
	// instance (Config.Blocklist). Permanent: nothing is sent, and asking
	// again changes nothing while the block stands.
	ErrBlocked = errors.New("fetch: instance blocked")
)

// StatusError is returned by GetObject for a non-2xx response.
type StatusError struct {
	Code       int
	RetryAfter time.Duration // from the Retry-After header; 0 if absent
}

func (e *StatusError) Error() string {
	s := "fetch: HTTP status " + strconv.Itoa(e.Code) + " " + http.StatusText(e.Code)
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// maxRetryAfter bounds a peer's Retry-After so that a hostile value cannot
// overflow a time.Duration; the delivery queue applies its own policy.
const maxRetryAfter = 365 * 24 * time.Hour

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP-date.
// Absent, malformed or past values give 0.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseUint(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if err != nil || secs > uint64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	d := t.Sub(now)
	if d <= 0 {
		return 0
	}
	return min(d, maxRetryAfter)
}

// Permanent reports whether err is a fetch failure that asking again can
// never mend: the URL or its address is refused, the answer is not an
// ActivityPub document of that id, it is too large or too deep, the host
// is blocked, or the request budget of the work at hand is spent. A 4xx other than 408 and
// 429 is permanent too. Timeouts, refused connections and 5xx are not:
// the host may come back.
func Permanent(err error) bool {
	for _, e := range []error{ErrBlocked, ErrForbiddenURL, ErrForbiddenAddress, ErrTooManyRedirects, ErrContentType,
		ErrTooLarge, ErrTooDeep, ErrMalformedJSON, ErrIDMismatch, ErrBudgetExhausted} {
		if errors.Is(err, e) {
			return true
		}
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code >= 400 && se.Code < 500 && se.Code != http.StatusRequestTimeout && se.Code != http.StatusTooManyRequests
	}
	return false
}

// IDMismatchError is ErrIDMismatch with what was fetched: a page URL
// (Mastodon's https://host/@name/123) answers the document whose id is
// the canonical one (https://host/users/name/statuses/123). A caller
// that was handed the page URL by a person may fetch ID in turn, which is
// checked like any fetch.
type IDMismatchError struct {
	URL string // the final URL fetched
	ID  string // the document's id ("" when it has none)
}

func (e *IDMismatchError) Error() string {
	if e.ID == "" {
		return fmt.Sprintf("GET %s: %v: no id", e.URL, ErrIDMismatch)
	}
	return fmt.Sprintf("GET %s: %v: id is %q", e.URL, ErrIDMismatch, e.ID)
}

// Unwrap makes errors.Is(err, ErrIDMismatch) hold.
func (e *IDMismatchError) Unwrap() error { return ErrIDMismatch }
