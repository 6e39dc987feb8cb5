package ap

import (
	"fmt"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// Collection types.
const (
	TypeCollection            = "Collection"
	TypeCollectionPage        = "CollectionPage"
	TypeOrderedCollection     = "OrderedCollection"
	TypeOrderedCollectionPage = "OrderedCollectionPage"
)

var collectionCtors = map[string]func() collectionSetter{
	TypeCollection:            func() collectionSetter { return streams.NewActivityStreamsCollection() },
	TypeCollectionPage:        func() collectionSetter { return streams.NewActivityStreamsCollectionPage() },
	TypeOrderedCollection:     func() collectionSetter { return streams.NewActivityStreamsOrderedCollection() },
	TypeOrderedCollectionPage: func() collectionSetter { return streams.NewActivityStreamsOrderedCollectionPage() },
}

// itemsKey is where a collection type keeps its members.
func itemsKey(typ string) string {
	if typ == TypeOrderedCollection || typ == TypeOrderedCollectionPage {
		return "orderedItems"
	}
	return "items"
}

func buildCollection(c *Collection, depth int) (built, error) {
	ctor, ok := collectionCtors[c.Type]
	if !ok {
		return built{}, &ErrUnsupportedType{Type: c.Type, Kind: "collection"}
	}
	t := ctor()
	var p iris
	if c.ID != "" {
		t.SetJSONLDId(idProp(&p, c.ID))
	}
	setCollectionLinks(&p, t, c)
	fixes, err := setItems(&p, t, c, depth)
	if err != nil {
		return built{}, err
	}
	if p.err != nil {
		return built{}, p.err
	}
	return built{t: t, fix: func(m map[string]any) { fixCollection(m, c, fixes) }}, nil
}

func setCollectionLinks(p *iris, t collectionSetter, c *Collection) {
	if c.TotalItems != nil {
		prop := streams.NewActivityStreamsTotalItemsProperty()
		prop.Set(*c.TotalItems)
		t.SetActivityStreamsTotalItems(prop)
	}
	if c.AttributedTo != "" {
		prop := streams.NewActivityStreamsAttributedToProperty()
		appendIRIs(p, "attributedTo", prop, c.AttributedTo)
		t.SetActivityStreamsAttributedTo(prop)
	}
	if c.First != "" {
		prop := streams.NewActivityStreamsFirstProperty()
		prop.SetIRI(p.parse("first", c.First))
		t.SetActivityStreamsFirst(prop)
	}
	if c.Last != "" {
		prop := streams.NewActivityStreamsLastProperty()
		prop.SetIRI(p.parse("last", c.Last))
		t.SetActivityStreamsLast(prop)
	}
	page, ok := t.(pageSetter)
	if !ok {
		return
	}
	if c.Next != "" {
		prop := streams.NewActivityStreamsNextProperty()
		prop.SetIRI(p.parse("next", c.Next))
		page.SetActivityStreamsNext(prop)
	}
	if c.Prev != "" {
		prop := streams.NewActivityStreamsPrevProperty()
		prop.SetIRI(p.parse("prev", c.Prev))
		page.SetActivityStreamsPrev(prop)
	}
	if c.PartOf != "" {
		prop := streams.NewActivityStreamsPartOfProperty()
		prop.SetIRI(p.parse("partOf", c.PartOf))
		page.SetActivityStreamsPartOf(prop)
	}
}

// itemAppender is the part of the items/orderedItems properties we use.
type itemAppender interface {
	iriAppender
	AppendType(vocab.Type) error
	Len() int
}

// setItems writes the members and returns, by position, the repair of each
// embedded one (nil for IRIs).
func setItems(p *iris, t collectionSetter, c *Collection, depth int) ([]func(map[string]any), error) {
	if len(c.Items) == 0 {
		return nil, nil
	}
	var prop itemAppender
	switch t := t.(type) {
	case interface {
		SetActivityStreamsOrderedItems(vocab.ActivityStreamsOrderedItemsProperty)
	}:
		ordered := streams.NewActivityStreamsOrderedItemsProperty()
		t.SetActivityStreamsOrderedItems(ordered)
		prop = ordered
	case interface {
		SetActivityStreamsItems(vocab.ActivityStreamsItemsProperty)
	}:
		items := streams.NewActivityStreamsItemsProperty()
		t.SetActivityStreamsItems(items)
		prop = items
	default:
		return nil, fmt.Errorf("ap: %s has no items", c.Type)
	}
	fixes := make([]func(map[string]any), len(c.Items))
	for i, r := range c.Items {
		b, embedded, err := buildRef(r, depth)
		if err != nil {
			return nil, err
		}
		if !embedded {
			appendIRIs(p, "items", prop, r.IRI)
			continue
		}
		if err := prop.AppendType(b.t); err != nil {
			return nil, fmt.Errorf("ap: collection item %s: %w", b.t.GetTypeName(), err)
		}
		fixes[i] = b.fix
	}
	return fixes, nil
}

func fixCollection(m map[string]any, c *Collection, fixes []func(map[string]any)) {
	key := itemsKey(c.Type)
	forceArrays(m, key)
	items, _ := m[key].([]any)
	for i, fix := range fixes {
		if fix == nil || i >= len(items) {
			continue
		}
		if nested, ok := items[i].(map[string]any); ok {
			fix(nested)
		}
	}
}
