package federation

import (
	"context"

	"github.com/metropolis/agora/federation/apply"
	"github.com/metropolis/agora/federation/stored"
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
// it (stored.Refusal); RefusalQuery selects refusals.
type (
	Refusal      = stored.Refusal
	RefusalQuery = stored.RefusalQuery
)

// Refusals lists the activities refused after the inbox accepted them,
// newest first.
func (f *Federation) Refusals(ctx context.Context, q RefusalQuery) ([]*Refusal, error) {
	return f.store.ListRefusals(ctx, q)
}
