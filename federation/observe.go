package federation

import "net/http"

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
	// InboxRefused reports an activity accepted by an inbox and then
	// refused by the worker that applies it, with its Reason code.
	InboxRefused(reason string)
	// RateLimited reports a request answered 429 by the named limit.
	RateLimited(limit string)
}

// nopObserver is the Observer of a node without metrics.
type nopObserver struct{}

func (nopObserver) Delivery(string)      {}
func (nopObserver) InboxAccepted()       {}
func (nopObserver) InboxRejected(string) {}
func (nopObserver) InboxRefused(string)  {}
func (nopObserver) RateLimited(string)   {}

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
