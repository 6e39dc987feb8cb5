package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/forum"
)

// Why an activity the inbox accepted (202) was not applied. The codes are
// stable: admins filter by them (agora admin federation inbox --reason),
// metrics label by them, and the label set stays small whatever the error
// text says. Add a code here, to RefusalReasons and to docs/federation.md.
const (
	ReasonMalformed     = "malformed"      // the activity or a fetched object does not parse
	ReasonNotPublic     = "not_public"     // addressed to no public audience
	ReasonBlocked       = "blocked"        // from, or leading to, a blocked instance
	ReasonUnsupported   = "unsupported"    // a type or shape this node does not handle
	ReasonOrigin        = "origin"         // object not on its actor's host, or attributed to another actor
	ReasonForbidden     = "forbidden"      // the forum's policy or a permission refuses it
	ReasonLocked        = "locked"         // the thread is locked
	ReasonGone          = "gone"           // the object (or its parent) is deleted at its origin
	ReasonInvalid       = "invalid"        // the forum's validation refuses the content
	ReasonUnknownTarget = "unknown_target" // about something this node does not have
	ReasonFetchRefused  = "fetch_refused"  // a fetch that can never succeed (id ≠ URL, content type, size, address…)
	ReasonPanic         = "panic"          // applying it panicked
	ReasonGaveUp        = "gave_up"        // still failing after every retry
	ReasonOther         = "other"          // none of the above
)

// RefusalReasons lists every reason code, in the order the admin shows them.
var RefusalReasons = []string{ReasonMalformed, ReasonNotPublic, ReasonBlocked, ReasonUnsupported, ReasonOrigin,
	ReasonForbidden, ReasonLocked, ReasonGone, ReasonInvalid, ReasonUnknownTarget, ReasonFetchRefused, ReasonPanic,
	ReasonGaveUp, ReasonOther}

// DefaultKeepRefusals is how many refusals a node keeps when its Config
// does not say: enough for days of a busy node, small enough to list.
const DefaultKeepRefusals = 10000

// Refusal is the record of an activity refused after the inbox accepted
// it: kept (the newest Config.KeepRefusals) so an admin can see what was
// dropped and why.
type Refusal struct {
	ID         forum.ID
	ItemID     forum.ID // the inbox item refused
	ActivityID string
	ActorURI   string // the verified signer
	Host       string // the signer's host, lowercased
	Type       string // the activity's type as sent ("" if unreadable)
	Reason     string // one of the Reason codes
	Detail     string // the error, for people
	RefusedAt  time.Time
}

// RefusalQuery selects refusals, newest first. Empty fields select all;
// Limit <= 0 means no limit.
type RefusalQuery struct {
	Reason string
	Host   string
	Limit  int
}

// Bounds on what a refusal keeps of text a peer controls.
const (
	maxRefusalDetail = 2000
	maxRefusalType   = 64
)

// reasonedError carries the reason code of a refusal inside an
// errPermanent (see refused); its text is the wrapped error's, unchanged.
type reasonedError struct {
	reason string
	err    error
}

func (e *reasonedError) Error() string { return e.err.Error() }
func (e *reasonedError) Unwrap() error { return e.err }

// refused is permanent with a reason code: the activity will never apply,
// and the admin is told why. (refuse, in inbox.go, is the inbox's answer
// before the 202.)
func refused(reason, format string, args ...any) error {
	return &errPermanent{err: &reasonedError{reason: reason, err: fmt.Errorf(format, args...)}}
}

// panicked turns a value recovered from a panic while applying an
// activity into its refusal.
func panicked(v any) error {
	return refused(ReasonPanic, "panic while applying: %v", v)
}

// parseReason is the reason to refuse a document the parser did not take:
// a type this node does not handle is unsupported, anything else is
// malformed.
func parseReason(err error) string {
	var ut *ap.ErrUnsupportedType
	if errors.As(err, &ut) {
		return ReasonUnsupported
	}
	return ReasonMalformed
}

// refusalSentinels are errors that name their own reason wherever they
// come from, first match wins, before the fetcher's refusals in general
// (fetch.Permanent).
var refusalSentinels = []struct {
	err    error
	reason string
}{
	{errNotPublic, ReasonNotPublic},
	{fetch.ErrBlocked, ReasonBlocked},
	{forum.ErrForbidden, ReasonForbidden},
	{forum.ErrLocked, ReasonLocked},
	{forum.ErrGone, ReasonGone},
}

// refusalReason is the reason code of an error that stopped an activity:
// the reason given where it was refused (refused) first, then what the
// error is (refusalSentinels, forum, fetch), else ReasonOther.
func refusalReason(err error) string {
	var re *reasonedError
	if errors.As(err, &re) {
		return re.reason
	}
	for _, s := range refusalSentinels {
		if errors.Is(err, s.err) {
			return s.reason
		}
	}
	if forum.IsValidation(err) {
		return ReasonInvalid
	}
	var se *fetch.StatusError
	if errors.As(err, &se) && (se.Code == 404 || se.Code == 410) {
		return ReasonGone
	}
	// What the fetcher says no retry can mend: the id is not the URL, not
	// an ActivityPub type, too many redirects, a refused address, too
	// large, the budget spent, a 4xx.
	if fetch.Permanent(err) {
		return ReasonFetchRefused
	}
	return ReasonOther
}

// refuseItem gives up on an inbox item and keeps why (one transaction),
// then counts it. reason is refusalReason(cause), or ReasonGaveUp when the
// item failed every retry.
func (f *Federation) refuseItem(ctx context.Context, it *InboxItem, at time.Time, reason string, cause error) error {
	r := &Refusal{ID: f.cfg.IDs.New(), ItemID: it.ID, ActivityID: it.ActivityID, ActorURI: it.ActorURI,
		Host: hostOf(it.ActorURI), Type: clean(activityType(it.Body), maxRefusalType), Reason: reason,
		Detail: clean(cause.Error(), maxRefusalDetail), RefusedAt: at}
	f.log.Info("inbox activity refused", "activity", it.ActivityID, "host", r.Host, "type", r.Type,
		"reason", reason, "err", cause)
	if err := f.storeIn(ctx).RefuseInboxItem(ctx, r, f.cfg.KeepRefusals); err != nil {
		return fmt.Errorf("refuse inbox item %s: %w", it.ID, err)
	}
	// Counted once stored: an item whose refusal could not be stored is
	// claimed again and counted then.
	f.obs.InboxRefused(reason)
	return nil
}

// Refusals lists the activities refused after the inbox accepted them,
// newest first.
func (f *Federation) Refusals(ctx context.Context, q RefusalQuery) ([]*Refusal, error) {
	return f.storeIn(ctx).ListRefusals(ctx, q)
}

// activityType is the type of a stored activity as it was sent (the first
// of a list), "" when the body has none.
func activityType(body []byte) string {
	var doc struct {
		Type json.RawMessage `json:"type"`
	}
	if json.Unmarshal(body, &doc) != nil || len(doc.Type) == 0 {
		return ""
	}
	var one string
	if json.Unmarshal(doc.Type, &one) == nil {
		return one
	}
	var list []any
	if json.Unmarshal(doc.Type, &list) == nil {
		for _, v := range list {
			if s, ok := v.(string); ok {
				return s
			}
		}
	}
	return ""
}

// clean makes text a peer controls safe to show anywhere (a terminal
// included): control characters become spaces, invalid UTF-8 is
// replaced, and it is cut to max bytes on a rune boundary.
func clean(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) {
			return ' '
		}
		return r
	}, s)
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
