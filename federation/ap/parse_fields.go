package ap

import (
	"context"
	"net/url"
	"slices"
	"sort"
	"time"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/metropolis/agora/forum"
)

// reader converts one resolved value. Properties go-fed models are read
// through its getters; extensions it drops or mangles come from raw.
type reader struct {
	ctx     context.Context
	raw     map[string]any
	context any // the @context in force, for embedded values
	depth   int
}

// Generic accessors over go-fed's property types.

// idValue is a property value that is an IRI or an embedded value with an id.
type idValue interface {
	IsIRI() bool
	GetIRI() *url.URL
	GetType() vocab.Type
}

// list is go-fed's non-functional property.
type list[I any] interface {
	Len() int
	At(int) I
}

func typeID(t vocab.Type) string {
	p := t.GetJSONLDId()
	if p == nil || p.Get() == nil {
		return ""
	}
	return p.Get().String()
}

func valueID(v idValue) string {
	if v == nil {
		return ""
	}
	if v.IsIRI() {
		if u := v.GetIRI(); u != nil {
			return u.String()
		}
		return ""
	}
	if t := v.GetType(); t != nil {
		return typeID(t)
	}
	return ""
}

func ids[I idValue](p list[I]) []string {
	if p == nil {
		return nil
	}
	var out []string
	for i := 0; i < p.Len(); i++ {
		if id := valueID(p.At(i)); id != "" {
			out = append(out, id)
		}
	}
	return out
}

func firstID[I idValue](p list[I]) string {
	if all := ids(p); len(all) > 0 {
		return all[0]
	}
	return ""
}

// audience reads to/cc (key names the raw member), writing the compact
// forms of the public collection some servers use ("as:Public", "Public")
// as the full IRI. go-fed drops a bare "Public" (not an IRI): it is read
// from the raw document, so that an unlisted post is not taken for a
// private one.
func audience[I idValue](r reader, key string, p list[I]) []string {
	out := ids(p)
	for i, id := range out {
		if id == "as:Public" || id == "Public" {
			out[i] = Public
		}
	}
	if slices.Contains(out, Public) {
		return out
	}
	for _, v := range rawList(r.raw[key]) {
		if s, ok := v.(string); ok && (s == "Public" || s == "as:Public" || s == Public) {
			return append(out, Public)
		}
	}
	return out
}

type textValue interface {
	IsXMLSchemaString() bool
	GetXMLSchemaString() string
}

// text is the first plain string of name/content/summary.
func text[I textValue](p list[I]) string {
	if p == nil {
		return ""
	}
	for i := 0; i < p.Len(); i++ {
		if v := p.At(i); v.IsXMLSchemaString() {
			return v.GetXMLSchemaString()
		}
	}
	return ""
}

type timeValue interface {
	IsXMLSchemaDateTime() bool
	Get() time.Time
}

// timeOf reads a timestamp; the zero time means unknown. A value that is
// not an RFC 3339 time (go-fed keeps it opaque), or one the node cannot
// store and order by (before 1970, after 9999), is unknown too: a peer's odd
// date must not cost the post it dates, nor reach code that assumes a sane
// one.
func timeOf(p timeValue) time.Time {
	if p == nil || !p.IsXMLSchemaDateTime() {
		return time.Time{}
	}
	t := p.Get().UTC()
	if !forum.Storable(t) {
		return time.Time{}
	}
	return t
}

func isAbsoluteIRI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.IsAbs() && u.Host != ""
}

// Raw-map accessors, for what go-fed v1.0.0 drops or cannot type.

func (r reader) bool(key string) bool {
	b, _ := r.raw[key].(bool)
	return b
}

// langMap reads contentMap/nameMap. go-fed v1.0.0 reads a map only when
// the plain value is absent, so it is read here in every case.
func (r reader) langMap(key string) map[string]string {
	m, ok := r.raw[key].(map[string]any)
	if !ok {
		return nil
	}
	out := make(map[string]string, len(m))
	for lang, v := range m {
		if s, ok := v.(string); ok && lang != "" {
			out[lang] = s
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// rawList is a raw value as a list, whether sent as one value or many.
func rawList(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	default:
		return []any{v}
	}
}

// languages reads Lemmy's `language`: one object on posts, a list on groups.
func (r reader) languages() []string {
	var out []string
	for _, v := range rawList(r.raw["language"]) {
		if id := languageID(v); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// textLanguage picks the language of a post's plain text: Lemmy's language
// object first, else the map key whose text is the plain text, else the
// only key (Mastodon sends a one-entry contentMap and no language object).
func textLanguage(declared []string, plain string, byLang map[string]string) string {
	if len(declared) > 0 {
		return declared[0]
	}
	keys := make([]string, 0, len(byLang))
	for k := range byLang {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if plain != "" && byLang[k] == plain {
			return k
		}
	}
	if len(keys) == 1 {
		return keys[0]
	}
	return ""
}

// original is the plain text, or failing that the declared language's
// entry of the map, or its first entry in key order.
func original(plain, lang string, byLang map[string]string) string {
	if plain != "" || len(byLang) == 0 {
		return plain
	}
	if s, ok := byLang[lang]; ok {
		return s
	}
	keys := make([]string, 0, len(byLang))
	for k := range byLang {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return byLang[keys[0]]
}
