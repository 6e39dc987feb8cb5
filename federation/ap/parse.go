package ap

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// ErrUnsupportedType reports a document whose type we don't handle (or not
// in that place: an actor where an activity was expected). Callers usually
// drop such documents quietly rather than answer with an error.
type ErrUnsupportedType struct {
	Type string // the document's type as sent
	Kind string // what was expected: "activity", "object", "actor", "collection" or "" for any
}

func (e *ErrUnsupportedType) Error() string {
	if e.Kind == "" {
		return fmt.Sprintf("ap: unsupported type %q", e.Type)
	}
	return fmt.Sprintf("ap: unsupported %s type %q", e.Kind, e.Type)
}

// Parse reads an activity delivered to an inbox.
func Parse(ctx context.Context, body []byte) (*Activity, error) {
	n, err := parseDocument(ctx, body, "activity")
	if err != nil {
		return nil, err
	}
	return n.activity, nil
}

// ParseObject reads a fetched post (Page, Note, Article, Question, Tombstone).
func ParseObject(ctx context.Context, body []byte) (*Object, error) {
	n, err := parseDocument(ctx, body, "object")
	if err != nil {
		return nil, err
	}
	return n.object, nil
}

// ParseActor reads a fetched actor (Person, Group, Application, Service).
func ParseActor(ctx context.Context, body []byte) (*Actor, error) {
	n, err := parseDocument(ctx, body, "actor")
	if err != nil {
		return nil, err
	}
	return n.actor, nil
}

// ParseCollection reads a fetched collection or collection page.
func ParseCollection(ctx context.Context, body []byte) (*Collection, error) {
	n, err := parseDocument(ctx, body, "collection")
	if err != nil {
		return nil, err
	}
	return n.collection, nil
}

// node is one parsed document or embedded value; exactly one field is set.
type node struct {
	activity   *Activity
	object     *Object
	actor      *Actor
	collection *Collection
}

func (n node) id() string {
	if n.collection != nil {
		return n.collection.ID
	}
	return n.ref().ID()
}

// ref is the node as an activity's object; collections are referenced by id.
func (n node) ref() Ref {
	switch {
	case n.activity != nil:
		return Ref{Activity: n.activity}
	case n.object != nil:
		return Ref{Object: n.object}
	case n.actor != nil:
		return Ref{Actor: n.actor}
	case n.collection != nil:
		return Ref{IRI: n.collection.ID}
	}
	return Ref{}
}

// readOnlyObjects are object types we read and never write.
var readOnlyObjects = []string{TypeVideo}

// kinds maps each accepted type to its kind.
var kinds = func() map[string]string {
	k := map[string]string{}
	for t := range activityCtors {
		k[t] = "activity"
	}
	for t := range objectCtors {
		k[t] = "object"
	}
	for _, t := range readOnlyObjects {
		k[t] = "object"
	}
	for t := range actorCtors {
		k[t] = "actor"
	}
	for t := range collectionCtors {
		k[t] = "collection"
	}
	return k
}()

func parseDocument(ctx context.Context, body []byte, want string) (node, error) {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return node{}, fmt.Errorf("ap: not a JSON object: %w", err)
	}
	if m == nil {
		return node{}, errors.New("ap: not a JSON object")
	}
	typ, err := typeName(m)
	if err != nil {
		return node{}, err
	}
	if kinds[typ] != want {
		return node{}, &ErrUnsupportedType{Type: typ, Kind: want}
	}
	n, err := parseNode(ctx, m, nil, 0)
	if err != nil {
		return node{}, err
	}
	if !isAbsoluteIRI(n.id()) {
		return node{}, fmt.Errorf("ap: %s without an absolute id", typ)
	}
	return n, nil
}

// parseNode converts one JSON object. parentContext is the enclosing
// document's @context: embedded values usually have none, and go-fed needs
// one to resolve aliases.
func parseNode(ctx context.Context, m map[string]any, parentContext any, depth int) (node, error) {
	if depth > maxEmbedDepth {
		return node{}, fmt.Errorf("ap: values embedded more than %d deep", maxEmbedDepth)
	}
	typ, err := typeName(m)
	if err != nil {
		return node{}, err
	}
	kind, ok := kinds[typ]
	if !ok {
		return node{}, &ErrUnsupportedType{Type: typ}
	}
	t, err := toType(ctx, m, typ, parentContext)
	if err != nil {
		return node{}, err
	}
	r := reader{ctx: ctx, raw: m, context: contextOf(m, parentContext), depth: depth}
	switch kind {
	case "activity":
		a, err := r.activity(t, typ)
		return node{activity: a}, err
	case "object":
		o, err := r.object(t, typ)
		return node{object: o}, err
	case "actor":
		a, err := r.actor(t, typ)
		return node{actor: a}, err
	default:
		c, err := r.collection(t, typ)
		return node{collection: c}, err
	}
}

// typeName is the document's type: a string, or the first string of a list
// that we know (extensions may add types such as "Hashtag").
func typeName(m map[string]any) (string, error) {
	switch v := m["type"].(type) {
	case string:
		return v, nil
	case []any:
		first := ""
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				continue
			}
			if _, known := kinds[s]; known {
				return s, nil
			}
			if first == "" {
				first = s
			}
		}
		if first != "" {
			return first, nil
		}
	}
	return "", errors.New("ap: missing or malformed type")
}

// contextOf is the @context that applies to m.
func contextOf(m map[string]any, parentContext any) any {
	if c, ok := m["@context"]; ok {
		return c
	}
	if parentContext != nil {
		return parentContext
	}
	// ActivityStreams 2.0 §2.1: without a @context, the normative one applies.
	return nsActivityStreams
}

// toType resolves m with go-fed. It works on a shallow copy, to fill in the
// @context go-fed insists on and to present Lock (unknown to go-fed v1.0.0)
// as the generic Activity it is.
func toType(ctx context.Context, m map[string]any, typ string, parentContext any) (t vocab.Type, err error) {
	cp := maps.Clone(m)
	cp["@context"] = contextOf(m, parentContext)
	if typ == TypeLock {
		cp["type"] = "Activity"
	}
	// go-fed's generated code is not hardened against hostile input; a
	// panic in it must become a rejected document, not a crashed worker.
	defer func() {
		if p := recover(); p != nil {
			t, err = nil, fmt.Errorf("ap: malformed %s: %v", typ, p)
		}
	}()
	t, err = streams.ToType(ctx, cp)
	if errors.Is(err, streams.ErrUnhandledType) {
		return nil, &ErrUnsupportedType{Type: typ}
	}
	if err != nil {
		return nil, fmt.Errorf("ap: malformed %s: %w", typ, err)
	}
	return t, nil
}
