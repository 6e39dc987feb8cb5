// Package apply is how a received activity changes the store: the
// handlers of each activity type and the batch that applies a claimed
// batch of them in one transaction. The inbox worker (package inbox)
// claims and orders the items; this package applies them.
package apply

import (
	"errors"
	"fmt"

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

// PermanentError marks an activity that will never apply (refused, malformed,
// about something unknown): it is recorded as failed, not retried.
type PermanentError struct{ err error }

func (e *PermanentError) Error() string { return e.err.Error() }
func (e *PermanentError) Unwrap() error { return e.err }

func Permanent(format string, args ...any) error {
	return &PermanentError{err: fmt.Errorf(format, args...)}
}

// IsPermanent tells failures that no retry can mend.
func IsPermanent(err error) bool {
	var perm *PermanentError
	return errors.As(err, &perm) || errors.Is(err, forum.ErrForbidden) || errors.Is(err, forum.ErrLocked) ||
		errors.Is(err, forum.ErrGone) || forum.IsValidation(err) || fetch.Permanent(err)
}

// reasonedError carries the reason code of a refusal inside an
// PermanentError (see Refused); its text is the wrapped error's, unchanged.
type reasonedError struct {
	reason string
	err    error
}

func (e *reasonedError) Error() string { return e.err.Error() }
func (e *reasonedError) Unwrap() error { return e.err }

// Refused is permanent with a reason code: the activity will never apply,
// and the admin is told why. (federation's refuse is the inbox's answer before the 202.)
func Refused(reason, format string, args ...any) error {
	return &PermanentError{err: &reasonedError{reason: reason, err: fmt.Errorf(format, args...)}}
}

// Panicked turns a value recovered from a panic while applying an
// activity into its refusal.
func Panicked(v any) error {
	return Refused(ReasonPanic, "panic while applying: %v", v)
}

// ParseReason is the reason to refuse a document the parser did not take:
// a type this node does not handle is unsupported, anything else is
// malformed.
func ParseReason(err error) string {
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
	{ErrNotPublic, ReasonNotPublic},
	{fetch.ErrBlocked, ReasonBlocked},
	{forum.ErrForbidden, ReasonForbidden},
	{forum.ErrLocked, ReasonLocked},
	{forum.ErrGone, ReasonGone},
}

// ReasonOf is the reason code of an error that stopped an activity:
// the reason given where it was refused (Refused) first, then what the
// error is (refusalSentinels, forum, fetch), else ReasonOther.
func ReasonOf(err error) string {
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

// ErrNotPublic marks a post refused because nobody but its addressees may
// read it: a direct message, a followers-only post, a private message to a
// member or a thread actor. A forum shows, serves, announces and boosts
// what it holds to everyone, so such a post is never stored. Until members
// get notifications, the message is refused (a permanent failure, logged
// with the inbox item) rather than kept somewhere nobody reads.
var ErrNotPublic = errors.New("not public: no Public in to or cc (visibility followers-only or direct)")

// PublicOnly refuses a post that is not addressed to the public (in to:
// public; in cc: unlisted). The object's own addressing decides, since it
// is what we would store and serve; the activity that carried it, when
// there is one and it names an audience, must be public too: a sender
// that delivered it privately meant it privately, whatever the object
// claims. Every path that stores a received post passes here.
func PublicOnly(act *ap.Activity, o *ap.Object) error {
	if v := o.Visibility(); !v.Readable() {
		return Permanent("post %s refused: %w", o.ID, ErrNotPublic)
	}
	if act != nil && act.Addressed() && !act.Visibility().Readable() {
		return Permanent("%s %s of post %s refused: the activity is %w", act.Type, act.ID, o.ID, ErrNotPublic)
	}
	return nil
}
