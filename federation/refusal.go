package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/metropolis/agora/federation/apply"
	"github.com/metropolis/agora/forum"
)

// Why an activity the inbox accepted (202) was not applied: the codes
// are package apply's (see apply.ReasonMalformed); these names keep the
// admin's and the storage's code as they were.
const (
	ReasonMalformed     = apply.ReasonMalformed
	ReasonNotPublic     = apply.ReasonNotPublic
	ReasonBlocked       = apply.ReasonBlocked
	ReasonUnsupported   = apply.ReasonUnsupported
	ReasonOrigin        = apply.ReasonOrigin
	ReasonForbidden     = apply.ReasonForbidden
	ReasonLocked        = apply.ReasonLocked
	ReasonGone          = apply.ReasonGone
	ReasonInvalid       = apply.ReasonInvalid
	ReasonUnknownTarget = apply.ReasonUnknownTarget
	ReasonFetchRefused  = apply.ReasonFetchRefused
	ReasonPanic         = apply.ReasonPanic
	ReasonGaveUp        = apply.ReasonGaveUp
	ReasonOther         = apply.ReasonOther
)

// RefusalReasons lists every reason code, in the order the admin shows them.
var RefusalReasons = apply.RefusalReasons

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

// refuseItem gives up on an inbox item and keeps why (one transaction),
// then counts it. reason is apply.ReasonOf(cause), or ReasonGaveUp when the
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
