package ap

import (
	"fmt"

	"github.com/go-fed/activity/streams"
)

// activityCtors are the activity types we publish. Lock is Lemmy's and not in
// AS2 core, so go-fed has no type for it: it is built as a plain Activity and
// renamed by fixActivity.
var activityCtors = map[string]func() activitySetter{
	TypeCreate:   func() activitySetter { return streams.NewActivityStreamsCreate() },
	TypeUpdate:   func() activitySetter { return streams.NewActivityStreamsUpdate() },
	TypeDelete:   func() activitySetter { return streams.NewActivityStreamsDelete() },
	TypeFollow:   func() activitySetter { return streams.NewActivityStreamsFollow() },
	TypeAccept:   func() activitySetter { return streams.NewActivityStreamsAccept() },
	TypeReject:   func() activitySetter { return streams.NewActivityStreamsReject() },
	TypeUndo:     func() activitySetter { return streams.NewActivityStreamsUndo() },
	TypeJoin:     func() activitySetter { return streams.NewActivityStreamsJoin() },
	TypeLeave:    func() activitySetter { return streams.NewActivityStreamsLeave() },
	TypeLike:     func() activitySetter { return streams.NewActivityStreamsLike() },
	TypeAnnounce: func() activitySetter { return streams.NewActivityStreamsAnnounce() },
	TypeFlag:     func() activitySetter { return streams.NewActivityStreamsFlag() },
	TypeBlock:    func() activitySetter { return streams.NewActivityStreamsBlock() },
	TypeAdd:      func() activitySetter { return streams.NewActivityStreamsAdd() },
	TypeRemove:   func() activitySetter { return streams.NewActivityStreamsRemove() },
	TypeLock:     func() activitySetter { return streams.NewActivityStreamsActivity() },
}

func buildActivity(a *Activity, depth int) (built, error) {
	if depth > maxEmbedDepth {
		return built{}, fmt.Errorf("ap: activities embedded more than %d deep", maxEmbedDepth)
	}
	ctor, ok := activityCtors[a.Type]
	if !ok {
		return built{}, &ErrUnsupportedType{Type: a.Type, Kind: "activity"}
	}
	t := ctor()
	var p iris
	setCommon(&p, t, common{
		ID: a.ID, Summary: a.Summary, Content: a.Content, Audience: a.Audience,
		To: a.To, Cc: a.Cc, Published: a.Published,
	})
	if a.Actor != "" {
		prop := streams.NewActivityStreamsActorProperty()
		appendIRIs(&p, "actor", prop, a.Actor)
		t.SetActivityStreamsActor(prop)
	}
	if a.Target != "" {
		prop := streams.NewActivityStreamsTargetProperty()
		appendIRIs(&p, "target", prop, a.Target)
		t.SetActivityStreamsTarget(prop)
	}
	nested, err := setObject(&p, t, a, depth)
	if err != nil {
		return built{}, err
	}
	if p.err != nil {
		return built{}, p.err
	}
	return built{t: t, fix: func(m map[string]any) {
		fixActivity(m, a)
		if nested != nil {
			fixNested(m, "object", nested)
		}
	}}, nil
}

// setObject writes `object` (plus MoreObjects) and returns the repair for
// an embedded value.
func setObject(p *iris, t activitySetter, a *Activity, depth int) (func(map[string]any), error) {
	prop := streams.NewActivityStreamsObjectProperty()
	b, embedded, err := buildRef(a.Object, depth)
	switch {
	case err != nil:
		return nil, err
	case embedded:
		if err := prop.AppendType(b.t); err != nil {
			return nil, fmt.Errorf("ap: embed %s: %w", b.t.GetTypeName(), err)
		}
	case a.Object.IRI != "":
		appendIRIs(p, "object", prop, a.Object.IRI)
	}
	appendIRIs(p, "object", prop, a.MoreObjects...)
	if prop.Len() > 0 {
		t.SetActivityStreamsObject(prop)
	}
	if embedded {
		return b.fix, nil
	}
	return nil, nil
}

func fixActivity(m map[string]any, a *Activity) {
	forceArrays(m, "to", "cc")
	putTime(m, "published", a.Published)
	if a.Type == TypeLock {
		m["type"] = TypeLock
	}
}
