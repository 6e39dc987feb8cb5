package ap

import (
	"fmt"
	"net/url"

	"github.com/go-fed/activity/streams/vocab"
)

func (r reader) object(t vocab.Type, typ string) (*Object, error) {
	g, ok := t.(objectGetter)
	if !ok {
		return nil, &ErrUnsupportedType{Type: typ, Kind: "object"}
	}
	o := &Object{
		ID:           typeID(t),
		Type:         typ,
		AttributedTo: firstID(g.GetActivityStreamsAttributedTo()),
		Summary:      text(g.GetActivityStreamsSummary()),
		InReplyTo:    firstID(g.GetActivityStreamsInReplyTo()),
		Audience:     firstID(g.GetActivityStreamsAudience()),
		Context:      firstID(g.GetActivityStreamsContext()),
		URL:          urlOf(g.GetActivityStreamsUrl()),
		To:           audience(r, "to", g.GetActivityStreamsTo()),
		Cc:           audience(r, "cc", g.GetActivityStreamsCc()),
		Source:       r.source(),
		Tag:          r.tags(),
		Sensitive:    r.bool("sensitive"),
		Links:        r.links(),
		Attachments:  r.media(typ),
	}
	r.texts(g, o)
	objectTimes(g, o)
	switch typ {
	case TypeQuestion:
		r.poll(o)
	case TypeEvent:
		r.event(o)
	}
	if typ == TypeTombstone {
		if err := r.tombstone(t, o); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// texts reads name and content with their translations and the language.
func (r reader) texts(g objectGetter, o *Object) {
	name, content := text(g.GetActivityStreamsName()), text(g.GetActivityStreamsContent())
	o.NameMap, o.ContentMap = r.langMap("nameMap"), r.langMap("contentMap")
	o.Language = textLanguage(r.languages(), content, o.ContentMap)
	if o.Language == "" {
		o.Language = textLanguage(nil, name, o.NameMap)
	}
	if o.Language == "" {
		// Mbin states a body-less thread's language as the one key of a
		// contentMap whose value is null.
		if m, ok := r.raw["contentMap"].(map[string]any); ok && len(m) == 1 {
			for lang := range m {
				o.Language = lang
			}
		}
	}
	o.Content = original(content, o.Language, o.ContentMap)
	o.Name = original(name, o.Language, o.NameMap)
}

// objectTimes reads when an object was published and last updated; an
// unknown updated time (absent, null, unreadable) leaves Updated nil.
func objectTimes(g objectGetter, o *Object) {
	o.Published = timeOf(g.GetActivityStreamsPublished())
	if u := timeOf(g.GetActivityStreamsUpdated()); !u.IsZero() {
		o.Updated = &u
	}
}

type tombstoneGetter interface {
	GetActivityStreamsFormerType() vocab.ActivityStreamsFormerTypeProperty
	GetActivityStreamsDeleted() vocab.ActivityStreamsDeletedProperty
}

func (r reader) tombstone(t vocab.Type, o *Object) error {
	g, ok := t.(tombstoneGetter)
	if !ok {
		return fmt.Errorf("ap: Tombstone without Tombstone properties")
	}
	o.FormerType = text(g.GetActivityStreamsFormerType())
	if d := timeOf(g.GetActivityStreamsDeleted()); !d.IsZero() {
		o.Deleted = &d
	}
	return nil
}

// urlOf reads the first url: a plain IRI, or a Link's href (Lemmy, PeerTube).
func urlOf(p vocab.ActivityStreamsUrlProperty) string {
	if p == nil {
		return ""
	}
	for i := 0; i < p.Len(); i++ {
		v := p.At(i)
		switch {
		case v.IsXMLSchemaAnyURI() && v.GetXMLSchemaAnyURI() != nil:
			return v.GetXMLSchemaAnyURI().String()
		case v.IsIRI() && v.GetIRI() != nil:
			return v.GetIRI().String()
		case v.IsActivityStreamsLink():
			if href := v.GetActivityStreamsLink().GetActivityStreamsHref(); href != nil && href.Get() != nil {
				return href.Get().String()
			}
		}
	}
	return ""
}

// source reads {content, mediaType} from the raw map: go-fed v1.0.0 only
// resolves embedded values that carry a "type", and no server gives source one.
func (r reader) source() *Source {
	m, ok := r.raw["source"].(map[string]any)
	if !ok {
		return nil
	}
	content, _ := m["content"].(string)
	mediaType, _ := m["mediaType"].(string)
	return &Source{Content: content, MediaType: mediaType}
}

// maxLinks bounds how many Link attachments of one object are kept.
const maxLinks = 4

// links reads the hrefs of Link attachments (http and https only) from the
// raw map: Lemmy, Mbin and PieFed put a link post's link there.
func (r reader) links() []string {
	var out []string
	for _, v := range rawList(r.raw["attachment"]) {
		m, ok := v.(map[string]any)
		if !ok || m["type"] != "Link" || len(out) == maxLinks {
			continue
		}
		href, _ := m["href"].(string)
		if u, err := url.Parse(href); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
			out = append(out, href)
		}
	}
	return out
}

// tags reads Mention and Hashtag tags from the raw map: go-fed v1.0.0 has
// no Hashtag type, and one reader for both keeps them in order.
func (r reader) tags() []Tag {
	var out []Tag
	for _, v := range rawList(r.raw["tag"]) {
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		typ, _ := m["type"].(string)
		if typ != "Mention" && typ != "Hashtag" {
			continue // Emoji and others: not ours to show
		}
		href, _ := m["href"].(string)
		name, _ := m["name"].(string)
		out = append(out, Tag{Type: typ, Href: href, Name: name})
	}
	return out
}
