package ap

import (
	"errors"
	"fmt"

	"github.com/go-fed/activity/streams/vocab"
)

func (r reader) activity(t vocab.Type, typ string) (*Activity, error) {
	g, ok := t.(activityGetter)
	if !ok {
		return nil, &ErrUnsupportedType{Type: typ, Kind: "activity"}
	}
	a := &Activity{
		ID:       typeID(t),
		Type:     typ,
		Actor:    firstID(g.GetActivityStreamsActor()),
		Target:   firstID(g.GetActivityStreamsTarget()),
		To:       audience(r, "to", g.GetActivityStreamsTo()),
		Cc:       audience(r, "cc", g.GetActivityStreamsCc()),
		Audience: firstID(g.GetActivityStreamsAudience()),
		Summary:  text(g.GetActivityStreamsSummary()),
		Content:  text(g.GetActivityStreamsContent()),
	}
	a.Published = timeOf(g.GetActivityStreamsPublished())
	refs, err := r.refs(r.raw["object"], false)
	if err != nil {
		return nil, fmt.Errorf("ap: %s object: %w", typ, err)
	}
	if len(refs) == 0 {
		return nil, fmt.Errorf("ap: %s without an object", typ)
	}
	a.Object = refs[0]
	for _, ref := range refs[1:] {
		a.MoreObjects = append(a.MoreObjects, ref.ID())
	}
	return a, nil
}

func (r reader) collection(t vocab.Type, typ string) (*Collection, error) {
	g, ok := t.(collectionGetter)
	if !ok {
		return nil, &ErrUnsupportedType{Type: typ, Kind: "collection"}
	}
	c := &Collection{
		ID:           typeID(t),
		Type:         typ,
		First:        valueID(g.GetActivityStreamsFirst()),
		Last:         valueID(g.GetActivityStreamsLast()),
		AttributedTo: firstID(g.GetActivityStreamsAttributedTo()),
		TotalItems:   totalItems(g.GetActivityStreamsTotalItems()),
	}
	if p, ok := t.(pageGetter); ok {
		c.Next = valueID(p.GetActivityStreamsNext())
		c.Prev = valueID(p.GetActivityStreamsPrev())
		c.PartOf = valueID(p.GetActivityStreamsPartOf())
	}
	items, ok := r.raw[itemsKey(typ)]
	if !ok {
		items = r.raw["items"] // some servers use `items` on ordered collections too
	}
	var err error
	if c.Items, err = r.refs(items, true); err != nil {
		return nil, fmt.Errorf("ap: %s items: %w", typ, err)
	}
	return c, nil
}

func totalItems(p vocab.ActivityStreamsTotalItemsProperty) *int {
	if p == nil || !p.IsXMLSchemaNonNegativeInteger() {
		return nil
	}
	n := p.Get()
	return &n
}

// refs reads `object` or a collection's items from the raw value: IRIs stay
// IRIs, embedded values are resolved through go-fed one by one (with this
// document's @context), so an embedded Lock or an unknown type is handled
// exactly like a top-level one. lenient keeps an unsupported embedded value
// as its id instead of failing: one odd item must not lose a whole page.
func (r reader) refs(v any, lenient bool) ([]Ref, error) {
	var out []Ref
	for _, e := range rawList(v) {
		ref, err := r.ref(e)
		var unsupported *ErrUnsupportedType
		if lenient && errors.As(err, &unsupported) {
			if m, ok := e.(map[string]any); ok {
				if id, ok := m["id"].(string); ok && id != "" {
					out = append(out, Ref{IRI: id})
				}
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ref)
	}
	return out, nil
}

func (r reader) ref(v any) (Ref, error) {
	switch v := v.(type) {
	case string:
		if !isAbsoluteIRI(v) {
			return Ref{}, fmt.Errorf("%q is not an absolute IRI", v)
		}
		return Ref{IRI: v}, nil
	case map[string]any:
		n, err := parseNode(r.ctx, v, r.context, r.depth+1)
		if err != nil {
			return Ref{}, err
		}
		return n.ref(), nil
	default:
		return Ref{}, fmt.Errorf("want an IRI or an object, got %T", v)
	}
}
