package mastoapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/oauth"
)

// apiError is a refusal the client may read: Mastodon's {"error": msg}.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

var (
	errNotFound  = &apiError{status: http.StatusNotFound, msg: "Record not found"}
	errForbidden = &apiError{status: http.StatusForbidden, msg: "This action is not allowed"}
)

func unprocessable(msg string) error {
	return &apiError{status: http.StatusUnprocessableEntity, msg: msg}
}

func badRequest(msg string) error { return &apiError{status: http.StatusBadRequest, msg: msg} }

// fieldNames are how Mastodon names the fields agora validates.
var fieldNames = map[string]string{"body": "Text", "title": "Text", "language": "Language", "parent": "In reply to"}

// writeError renders err as Mastodon does: {"error": "…"}, and OAuth's
// error_description beside it for OAuth refusals. What the log may see
// (the wrapped cause) stays in the log.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var ve *forum.ValidationError
	status, body := http.StatusInternalServerError, map[string]string{"error": "An unexpected error occurred"}
	switch {
	case errors.As(err, &ae):
		status, body["error"] = ae.status, ae.msg
	case oauth.AsError(err) != nil:
		oe := oauth.AsError(err)
		status = oe.Status
		body["error"], body["error_description"] = oe.Code, oe.Description
		if oe == oauth.ErrRevoked {
			body = map[string]string{"error": "The access token is invalid"}
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		}
	case errors.As(err, &ve):
		name := fieldNames[ve.Field]
		if name == "" && ve.Field != "" {
			name = strings.ToUpper(ve.Field[:1]) + ve.Field[1:]
		}
		msg := ve.Message
		if ve.Code == "error.too_long" && (ve.Field == "body" || ve.Field == "title") {
			msg = "character limit exceeded"
		}
		status, body["error"] = http.StatusUnprocessableEntity, "Validation failed: "+name+" "+msg
	case errors.Is(err, forum.ErrNotFound), errors.Is(err, forum.ErrGone):
		status, body["error"] = http.StatusNotFound, errNotFound.msg
	case errors.Is(err, forum.ErrForbidden):
		status, body["error"] = http.StatusForbidden, errForbidden.msg
	case errors.Is(err, forum.ErrLocked):
		status, body["error"] = http.StatusUnprocessableEntity, "This thread is locked"
	case errors.Is(err, forum.ErrUnavailable):
		status, body["error"] = http.StatusServiceUnavailable, "Service temporarily unavailable"
		w.Header().Set("Retry-After", "30")
	default:
		a.cfg.Logger.Error("mastodon api", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client went away: nothing to tell it
}

func ok(w http.ResponseWriter, v any) error {
	writeJSON(w, http.StatusOK, v)
	return nil
}
