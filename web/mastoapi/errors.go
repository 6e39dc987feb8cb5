package mastoapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/oauth"
)

// Messages translates the API's refusals with the catalogs the web pages
// use (package web provides it), so an app shows them in the member's
// language.
type Messages interface {
	// Language picks the reader's language: the member's setting when
	// they chose one, else the request's Accept-Language, else the node's.
	Language(memberSetting string, r *http.Request) string
	// T translates message id into lang; args are key, value pairs.
	T(lang, id string, args ...any) string
}

// apiError is a refusal the client may read: Mastodon's {"error": msg},
// msg the catalog's message id translated for the reader.
type apiError struct {
	status int
	id     string // catalog message id
	args   []any  // key, value pairs for the message
	// problem, when set, is a catalog id translated and given to the
	// message as its Problem (a media refusal in a "Validation failed").
	problem string
}

func (e *apiError) Error() string { return e.id }

var (
	errNotFound  = &apiError{status: http.StatusNotFound, id: "api.error.not_found"}
	errForbidden = &apiError{status: http.StatusForbidden, id: "api.error.forbidden"}
)

// invalid is Mastodon's 422 "Validation failed: …", the problem being the
// message id given.
func invalid(id string, args ...any) error {
	return &apiError{status: http.StatusUnprocessableEntity, id: id, args: args}
}

// problem is Mastodon's 422 "Validation failed: …" with a problem the
// catalog words under id (an upload's refusal, as the web form says it).
func problem(id string) error {
	return &apiError{status: http.StatusUnprocessableEntity, id: "api.error.validation_text", problem: id}
}

func badRequest(id string) error { return &apiError{status: http.StatusBadRequest, id: id} }

// validation wraps a problem already in words (an OAuth description) in
// Mastodon's "Validation failed: …".
func validation(problem string) error {
	return &apiError{status: http.StatusUnprocessableEntity, id: "api.error.validation_text", args: []any{"Problem", problem}}
}

// writeError renders err as Mastodon does: {"error": "…"} in the reader's
// language, and OAuth's error_description beside it for OAuth refusals
// (their codes are part of the protocol, never translated). What the log
// may see (the wrapped cause) stays in the log.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, c *call, err error) {
	setting := ""
	if c.member != nil {
		setting = c.member.UILanguage
	}
	lang := a.cfg.Messages.Language(setting, r)
	t := func(id string, args ...any) string { return a.cfg.Messages.T(lang, id, args...) }
	var ae *apiError
	var ve *forum.ValidationError
	status, body := http.StatusInternalServerError, map[string]string{"error": t("api.error.internal")}
	switch {
	case errors.As(err, &ae):
		args := ae.args
		if ae.problem != "" {
			args = append([]any{"Problem", t(ae.problem)}, args...)
		}
		status, body["error"] = ae.status, t(ae.id, args...)
	case oauth.AsError(err) != nil:
		oe := oauth.AsError(err)
		status = oe.Status
		body["error"], body["error_description"] = oe.Code, oe.Description
		if oe == oauth.ErrRevoked {
			body = map[string]string{"error": t("api.error.token_invalid")}
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		}
	case errors.As(err, &ve):
		// The same words as the web form's refusal of the same field.
		problem := t(ve.Code)
		if ve.Field != "" {
			problem = t("error.field", "Field", t("field."+ve.Field), "Problem", problem)
		}
		status, body["error"] = http.StatusUnprocessableEntity, t("api.error.validation_text", "Problem", problem)
	case errors.Is(err, forum.ErrNotFound), errors.Is(err, forum.ErrGone):
		status, body["error"] = http.StatusNotFound, t(errNotFound.id)
	case errors.Is(err, forum.ErrForbidden):
		status, body["error"] = http.StatusForbidden, t(errForbidden.id)
	case errors.Is(err, forum.ErrLocked):
		status, body["error"] = http.StatusUnprocessableEntity, t("api.error.locked")
	case errors.Is(err, forum.ErrUnavailable):
		status, body["error"] = http.StatusServiceUnavailable, t("api.error.unavailable")
		w.Header().Set("Retry-After", "30")
	default:
		a.cfg.Logger.Error("mastodon api", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, body)
}

// limitArg is a number for a message, written as Mastodon writes it
// (digits only: apps and scripts read "20000").
func limitArg(n int) string { return strconv.Itoa(n) }

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
