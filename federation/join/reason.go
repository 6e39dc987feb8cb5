package join

import (
	"context"
	"encoding/json"
	"errors"
	"net"

	"github.com/metropolis/agora/federation/fetch"
)

// Why a join failed, as the admin page says it. The error's own text is
// English and technical (a Go error chain); pages name the reason in the
// admin's language from these codes (message "join_reason.<code>"), and
// the text stays in the log and on the command line. Add a code here, to
// Reasons and to every catalog.
const (
	ReasonNotFound    = "not_found"   // the other node has no such forum (404, 410)
	ReasonNotAForum   = "not_a_forum" // the address names something that is not a forum
	ReasonUnreachable = "unreachable" // the other node did not answer (network, timeout)
	ReasonUnavailable = "unavailable" // it answered with an error of its own (5xx, 429)
	ReasonBadAnswer   = "bad_answer"  // it answered with something this node cannot read
	ReasonAddress     = "address"     // the address is a private or local one, never fetched
	ReasonOther       = "other"       // anything else: this node's own trouble; the log says more
)

// Reasons lists every reason code.
var Reasons = []string{ReasonNotFound, ReasonNotAForum, ReasonUnreachable, ReasonUnavailable, ReasonBadAnswer, ReasonAddress, ReasonOther}

// Reason names why err stopped a join.
func Reason(err error) string {
	var se *fetch.StatusError
	var ne net.Error
	var syntax *json.SyntaxError
	var shape *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		if se.Code == 404 || se.Code == 410 {
			return ReasonNotFound
		}
		return ReasonUnavailable
	case errors.Is(err, errRefused):
		return ReasonNotAForum
	case errors.Is(err, fetch.ErrForbiddenURL), errors.Is(err, fetch.ErrForbiddenAddress):
		return ReasonAddress
	case errors.Is(err, fetch.ErrTooManyRedirects), errors.Is(err, fetch.ErrContentType), errors.Is(err, fetch.ErrTooLarge),
		errors.Is(err, fetch.ErrTooDeep), errors.Is(err, fetch.ErrMalformedJSON), errors.Is(err, fetch.ErrIDMismatch),
		errors.As(err, &syntax), errors.As(err, &shape):
		return ReasonBadAnswer
	case errors.As(err, &ne), errors.Is(err, context.DeadlineExceeded):
		return ReasonUnreachable
	}
	return ReasonOther
}
