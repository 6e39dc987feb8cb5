package ap

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// Marshal is the one serializer for every document the node publishes or
// delivers: *Actor, *Object, *Activity or *Collection. It builds the go-fed
// vocab value, lets streams.Serialize write it, then repairs what go-fed
// v1.0.0 gets wrong for the fediverse and adds the extension fields it
// lacks (see fix* functions). Nothing else in the node may call
// streams.Serialize.
func Marshal(v any) ([]byte, error) {
	b, err := build(v)
	if err != nil {
		return nil, err
	}
	m, err := streams.Serialize(b.t)
	if err != nil {
		return nil, fmt.Errorf("ap: serialize %s: %w", b.t.GetTypeName(), err)
	}
	b.fix(m)
	m["@context"] = jsonLDContext()
	// Content is HTML: keep "<p>" readable instead of encoding/json's
	// default "\u003cp\u003e" (both are valid JSON).
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("ap: encode %s: %w", b.t.GetTypeName(), err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// built is a vocab value and the repair its serialized map needs. Embedded
// values carry their own repair, applied to the nested map.
type built struct {
	t   vocab.Type
	fix func(m map[string]any)
}

func build(v any) (built, error) {
	switch v := v.(type) {
	case *Actor:
		if v != nil {
			return buildActor(v)
		}
	case *Object:
		if v != nil {
			return buildObject(v)
		}
	case *Activity:
		if v != nil {
			return buildActivity(v, 0)
		}
	case *Collection:
		if v != nil {
			return buildCollection(v, 0)
		}
	default:
		return built{}, fmt.Errorf("ap: cannot marshal %T", v)
	}
	return built{}, errors.New("ap: cannot marshal a nil value")
}

// putTime writes a timestamp with milliseconds (go-fed writes whole
// seconds): nodes order a thread's posts by it, and posts written in the
// same second must keep their order everywhere.
func putTime(m map[string]any, key string, t time.Time) {
	if !t.IsZero() {
		m[key] = t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	}
}

// buildRef builds an embedded value, or reports ok=false for a plain IRI.
func buildRef(r Ref, depth int) (b built, ok bool, err error) {
	switch {
	case r.Object != nil:
		b, err = buildObject(r.Object)
	case r.Activity != nil:
		b, err = buildActivity(r.Activity, depth+1)
	case r.Actor != nil:
		b, err = buildActor(r.Actor)
	default:
		return built{}, false, nil
	}
	return b, true, err
}

// maxEmbedDepth bounds how deeply activities may embed activities, in both
// directions: an Announce of a Create of a Note is depth 2.
const maxEmbedDepth = 8

// iris turns our string IRIs into URLs, keeping the first parse error so
// builders can set properties unconditionally and check once at the end.
type iris struct{ err error }

func (p *iris) parse(field, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		if p.err == nil {
			p.err = fmt.Errorf("ap: %s: %w", field, err)
		}
		return &url.URL{}
	}
	return u
}

// Property constructors for the handful of shapes we emit.

func idProp(p *iris, id string) vocab.JSONLDIdProperty {
	prop := streams.NewJSONLDIdProperty()
	prop.Set(p.parse("id", id))
	return prop
}

func publishedProp(t time.Time) vocab.ActivityStreamsPublishedProperty {
	prop := streams.NewActivityStreamsPublishedProperty()
	prop.Set(t.UTC()) // go-fed formats in the value's zone; UTC keeps output stable
	return prop
}

func updatedProp(t time.Time) vocab.ActivityStreamsUpdatedProperty {
	prop := streams.NewActivityStreamsUpdatedProperty()
	prop.Set(t.UTC())
	return prop
}

// Repairs of the serialized map.

// forceArrays makes each present key an array. streams.Serialize writes a
// one-element list as a bare value, and Mastodon drops scalar `to`, `cc`,
// `tag` and `attachment`.
func forceArrays(m map[string]any, keys ...string) {
	for _, k := range keys {
		v, ok := m[k]
		if !ok {
			continue
		}
		if _, isList := v.([]any); !isList {
			m[k] = []any{v}
		}
	}
}

// fixNested applies an embedded value's repair to m[key], or to its first
// element when the value is a list.
func fixNested(m map[string]any, key string, fix func(map[string]any)) {
	v := m[key]
	if list, ok := v.([]any); ok && len(list) > 0 {
		v = list[0]
	}
	if nested, ok := v.(map[string]any); ok {
		fix(nested)
	}
}

// putLangMap writes a contentMap/nameMap: every translation, plus the
// original-language text under its language when the caller left it out.
func putLangMap(m map[string]any, key string, byLang map[string]string, lang, original string) {
	out := make(map[string]any, len(byLang)+1)
	for l, s := range byLang {
		out[l] = s
	}
	if lang != "" && original != "" {
		if _, ok := out[lang]; !ok {
			out[lang] = original
		}
	}
	if len(out) > 0 {
		m[key] = out
	}
}

// putString sets a plain string field when it is non-empty.
func putString(m map[string]any, key, v string) {
	if v != "" {
		m[key] = v
	}
}
