package apply

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/metropolis/agora/federation/stored"
)

// Bounds on what a refusal keeps of text a peer controls.
const (
	maxRefusalDetail = 2000
	maxRefusalType   = 64
)

// refuseItem gives up on an inbox item and keeps why (one transaction),
// then counts it. reason is ReasonOf(cause), or ReasonGaveUp when the
// item failed every retry.
func (a *Applier) refuseItem(ctx context.Context, it *stored.InboxItem, at time.Time, reason string, cause error) error {
	r := &stored.Refusal{ID: a.cfg.IDs.New(), ItemID: it.ID, ActivityID: it.ActivityID, ActorURI: it.ActorURI,
		Host: hostOf(it.ActorURI), Type: clean(activityType(it.Body), maxRefusalType), Reason: reason,
		Detail: clean(cause.Error(), maxRefusalDetail), RefusedAt: at}
	a.cfg.Log.Info("inbox activity refused", "activity", it.ActivityID, "host", r.Host, "type", r.Type,
		"reason", reason, "err", cause)
	if err := a.store(ctx).RefuseInboxItem(ctx, r, a.cfg.KeepRefusals); err != nil {
		return fmt.Errorf("refuse inbox item %s: %w", it.ID, err)
	}
	// Counted once stored: an item whose refusal could not be stored is
	// claimed again and counted then.
	a.cfg.Refused(reason)
	return nil
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
