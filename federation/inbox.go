package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/inbox"
	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/forum"
)

// Limits on what the inbox accepts.
const (
	maxInboxBody = 1 << 20
	maxJSONDepth = 32
)

// inboxError is a refusal: a status and a reason the sender may read.
type inboxError struct {
	status int
	reason string
	err    error // for the log
}

func (e *inboxError) Error() string { return fmt.Sprintf("%d %s: %v", e.status, e.reason, e.err) }

func refuse(status int, reason string, err error) *inboxError {
	return &inboxError{status: status, reason: reason, err: err}
}

// Inbox receives activities: POST /inbox and every actor's inbox. Every
// check runs before anything is stored; a verified activity is stored
// durably (deduplicated by id) and applied later by the inbox worker, so
// the answer is 202 Accepted.
func (f *Federation) Inbox() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !f.allowInbox(w, r) {
			return
		}
		err := f.receive(r)
		var ie *inboxError
		switch {
		case err == nil:
			f.obs.InboxAccepted()
			w.WriteHeader(http.StatusAccepted)
		case errors.As(err, &ie):
			f.obs.InboxRejected(rejectReason(ie.status))
			f.log.Info("inbox refused", "status", ie.status, "reason", ie.reason, "err", ie.err, "remote", r.RemoteAddr)
			http.Error(w, ie.reason, ie.status)
		default:
			f.obs.InboxRejected("error")
			f.serverError(w, "inbox failed", err)
		}
	})
}

// envelope is the little of an activity the inbox reads before storing it.
type envelope struct {
	ID    string          `json:"id"`
	Type  json.RawMessage `json:"type"`
	Actor json.RawMessage `json:"actor"`
}

var keyIDParam = regexp.MustCompile(`(?:^|,)\s*keyId\s*=\s*"([^"]*)"`)

// blocked reports whether the host of rawURL is a blocked instance (see
// blocks.List.BlockedURL).
func (f *Federation) blocked(ctx context.Context, rawURL string) (bool, error) {
	return f.blocks.BlockedURL(ctx, rawURL)
}

// signerBlocked reads the keyId of a request's signature, if any, and
// checks its host: blocked instances are refused before their key is
// fetched.
func (f *Federation) signerBlocked(ctx context.Context, r *http.Request) (bool, error) {
	m := keyIDParam.FindStringSubmatch(r.Header.Get("Signature"))
	if m == nil {
		return false, nil
	}
	return f.blocked(ctx, m[1])
}

// signerHost is the host of a request's keyId ("" if none).
func signerHost(r *http.Request) string {
	m := keyIDParam.FindStringSubmatch(r.Header.Get("Signature"))
	if m == nil {
		return ""
	}
	return hostOf(m[1])
}

func (f *Federation) receive(r *http.Request) error {
	ctx := r.Context()
	// Blocked instances are refused before anything else, key fetches included.
	if blocked, err := f.signerBlocked(ctx, r); err != nil {
		return err
	} else if blocked {
		return refuse(http.StatusForbidden, "instance blocked", nil)
	}
	if r.ContentLength > maxInboxBody {
		return refuse(http.StatusRequestEntityTooLarge, "body over 1 MiB", nil)
	}
	if !fetch.IsActivityPubType(r.Header.Get("Content-Type")) {
		return refuse(http.StatusUnsupportedMediaType, "content type must be application/activity+json or application/ld+json with the ActivityStreams profile", nil)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxInboxBody+1))
	if err != nil {
		return refuse(http.StatusBadRequest, "could not read body", err)
	}
	if len(body) > maxInboxBody {
		return refuse(http.StatusRequestEntityTooLarge, "body over 1 MiB", nil)
	}
	if err := fetch.CheckJSONDepth(body, maxJSONDepth); err != nil {
		return refuse(http.StatusBadRequest, "JSON too deep or malformed", err)
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return refuse(http.StatusBadRequest, "body is not a JSON object", err)
	}
	actor := inbox.IRIOf(env.Actor)
	if env.ID == "" || actor == "" || len(env.Type) == 0 {
		return refuse(http.StatusBadRequest, "activity needs id, type and actor", nil)
	}
	// The signer's host was checked above; most activities come from it.
	if host := hostOf(actor); host != signerHost(r) {
		if blocked, err := f.blocked(ctx, actor); err != nil {
			return err
		} else if blocked {
			return refuse(http.StatusForbidden, "instance blocked", nil)
		}
	}
	// The signature covers the Host header: one meant for another server
	// must not be replayable here.
	if !strings.EqualFold(r.Host, f.urls.Host()) {
		return refuse(http.StatusUnauthorized, "request addressed to another host", fmt.Errorf("host %q", r.Host))
	}
	// A key we could not read for lack of a database is no verdict on the
	// signature: the sender is told to retry (503), not refused (401).
	res, err := signature.Verify(r, body, f.actors, signature.Options{Now: f.cfg.Clock.Now, MaxSkew: f.cfg.SignatureSkew})
	if errors.Is(err, forum.ErrUnavailable) {
		return fmt.Errorf("verify signature: %w", err)
	} else if err != nil {
		return refuse(signature.HTTPStatus(err), "signature: "+publicReason(err), err)
	}
	signer, err := f.actors.keyOwner(ctx, res.KeyID)
	if err != nil {
		return refuse(http.StatusUnauthorized, "signing key has no known owner", err)
	}
	if signer != actor && !forwardable[inbox.TypeOf(env.Type)] {
		return refuse(http.StatusUnauthorized, "the signer is not the activity's actor", fmt.Errorf("signer %s, actor %s", signer, actor))
	}
	if !sameHost(env.ID, actor) {
		return refuse(http.StatusBadRequest, "activity id is not on the actor's host", nil)
	}
	now := f.cfg.Clock.Now()
	// ActorURI is the verified signer: for a forwarded activity it differs
	// from the actor, and the worker then trusts nothing in it.
	item := &InboxItem{ID: f.cfg.IDs.New(), ActivityID: env.ID, ActorURI: signer, Body: body, ReceivedAt: now, NextAttemptAt: now}
	if err := f.inboxCommits.Add(ctx, item); errors.Is(err, forum.ErrConflict) {
		return nil // a duplicate delivery changes nothing
	} else if err != nil {
		return fmt.Errorf("store inbox item: %w", err)
	}
	f.wakeInbox()
	return nil
}

// forwardable are the activities another server may pass on (ActivityPub
// §7.1.2 inbox forwarding): their objects are fetched again from their
// origin, so the forwarder's copy is never trusted. A Like and its Undo
// are taken only from the node holding the liked post
// (applyForwardedLike).
var forwardable = map[string]bool{"Create": true, "Update": true, "Delete": true, "Like": true, "Undo": true}
