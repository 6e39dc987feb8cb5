package ap

import (
	"net/url"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// common is the Object-level properties shared by objects, actors and
// activities; setCommon writes them onto any vocab type.
type common struct {
	ID, AttributedTo, Name, Content, Summary, URL string
	InReplyTo, Audience, Context                  string
	To, Cc                                        []string
	Published                                     time.Time
	Updated                                       *time.Time
}

type iriAppender interface{ AppendIRI(*url.URL) }

func appendIRIs(p *iris, field string, prop iriAppender, vals ...string) {
	for _, v := range vals {
		prop.AppendIRI(p.parse(field, v))
	}
}

func setCommon(p *iris, t objectSetter, c common) {
	if c.ID != "" {
		t.SetJSONLDId(idProp(p, c.ID))
	}
	setIRIs(p, t, c)
	setTexts(t, c)
	if !c.Published.IsZero() {
		t.SetActivityStreamsPublished(publishedProp(c.Published))
	}
	if c.Updated != nil {
		t.SetActivityStreamsUpdated(updatedProp(*c.Updated))
	}
}

func setIRIs(p *iris, t objectSetter, c common) {
	if c.AttributedTo != "" {
		prop := streams.NewActivityStreamsAttributedToProperty()
		appendIRIs(p, "attributedTo", prop, c.AttributedTo)
		t.SetActivityStreamsAttributedTo(prop)
	}
	if c.URL != "" {
		prop := streams.NewActivityStreamsUrlProperty()
		appendIRIs(p, "url", prop, c.URL)
		t.SetActivityStreamsUrl(prop)
	}
	if c.InReplyTo != "" {
		prop := streams.NewActivityStreamsInReplyToProperty()
		appendIRIs(p, "inReplyTo", prop, c.InReplyTo)
		t.SetActivityStreamsInReplyTo(prop)
	}
	if c.Audience != "" {
		prop := streams.NewActivityStreamsAudienceProperty()
		appendIRIs(p, "audience", prop, c.Audience)
		t.SetActivityStreamsAudience(prop)
	}
	if c.Context != "" {
		prop := streams.NewActivityStreamsContextProperty()
		appendIRIs(p, "context", prop, c.Context)
		t.SetActivityStreamsContext(prop)
	}
	if len(c.To) > 0 {
		prop := streams.NewActivityStreamsToProperty()
		appendIRIs(p, "to", prop, c.To...)
		t.SetActivityStreamsTo(prop)
	}
	if len(c.Cc) > 0 {
		prop := streams.NewActivityStreamsCcProperty()
		appendIRIs(p, "cc", prop, c.Cc...)
		t.SetActivityStreamsCc(prop)
	}
}

// setTexts writes the plain strings only: go-fed v1.0.0 cannot hold a plain
// `content` and a `contentMap` at once (it serializes the pair as a mixed
// array), so the maps are added by fixObject.
func setTexts(t objectSetter, c common) {
	if c.Name != "" {
		prop := streams.NewActivityStreamsNameProperty()
		prop.AppendXMLSchemaString(c.Name)
		t.SetActivityStreamsName(prop)
	}
	if c.Content != "" {
		prop := streams.NewActivityStreamsContentProperty()
		prop.AppendXMLSchemaString(c.Content)
		t.SetActivityStreamsContent(prop)
	}
	if c.Summary != "" {
		prop := streams.NewActivityStreamsSummaryProperty()
		prop.AppendXMLSchemaString(c.Summary)
		t.SetActivityStreamsSummary(prop)
	}
}

// objectCtors are the object types we publish.
var objectCtors = map[string]func() objectSetter{
	TypePage:      func() objectSetter { return streams.NewActivityStreamsPage() },
	TypeNote:      func() objectSetter { return streams.NewActivityStreamsNote() },
	TypeArticle:   func() objectSetter { return streams.NewActivityStreamsArticle() },
	TypeQuestion:  func() objectSetter { return streams.NewActivityStreamsQuestion() },
	TypeTombstone: func() objectSetter { return streams.NewActivityStreamsTombstone() },
	TypeEvent:     func() objectSetter { return streams.NewActivityStreamsEvent() },
}

func buildObject(o *Object) (built, error) {
	ctor, ok := objectCtors[o.Type]
	if !ok {
		return built{}, &ErrUnsupportedType{Type: o.Type, Kind: "object"}
	}
	t := ctor()
	var p iris
	setCommon(&p, t, common{
		ID: o.ID, AttributedTo: o.AttributedTo, Name: o.Name, Content: o.Content,
		Summary: o.Summary, URL: o.URL, InReplyTo: o.InReplyTo, Audience: o.Audience,
		Context: o.Context, To: o.To, Cc: o.Cc, Published: o.Published, Updated: o.Updated,
	})
	if o.Source != nil {
		setSource(t, o.Source)
	}
	if tomb, ok := t.(tombstoneSetter); ok {
		setTombstone(tomb, o)
	}
	if p.err != nil {
		return built{}, p.err
	}
	return built{t: t, fix: func(m map[string]any) { fixObject(m, o) }}, nil
}

type tombstoneSetter interface {
	SetActivityStreamsFormerType(vocab.ActivityStreamsFormerTypeProperty)
	SetActivityStreamsDeleted(vocab.ActivityStreamsDeletedProperty)
}

func setTombstone(t tombstoneSetter, o *Object) {
	if o.FormerType != "" {
		prop := streams.NewActivityStreamsFormerTypeProperty()
		prop.AppendXMLSchemaString(o.FormerType)
		t.SetActivityStreamsFormerType(prop)
	}
	if o.Deleted != nil {
		prop := streams.NewActivityStreamsDeletedProperty()
		prop.Set(o.Deleted.UTC())
		t.SetActivityStreamsDeleted(prop)
	}
}

func setSource(t objectSetter, s *Source) {
	src := streams.NewActivityStreamsObject()
	content := streams.NewActivityStreamsContentProperty()
	content.AppendXMLSchemaString(s.Content)
	src.SetActivityStreamsContent(content)
	mt := streams.NewActivityStreamsMediaTypeProperty()
	mt.Set(s.MediaType)
	src.SetActivityStreamsMediaType(mt)
	prop := streams.NewActivityStreamsSourceProperty()
	prop.SetActivityStreamsObject(src)
	t.SetActivityStreamsSource(prop)
}

// fixObject adds what go-fed cannot express on a post.
func fixObject(m map[string]any, o *Object) {
	forceArrays(m, "to", "cc")
	putTime(m, "published", o.Published)
	if o.Updated != nil {
		putTime(m, "updated", *o.Updated)
	}
	if o.Deleted != nil {
		putTime(m, "deleted", *o.Deleted)
	}
	putLangMap(m, "contentMap", o.ContentMap, o.Language, o.Content)
	putLangMap(m, "nameMap", o.NameMap, o.Language, o.Name)
	if o.Language != "" {
		m["language"] = languageObject(o.Language)
	}
	if o.Type != TypeTombstone {
		// Mastodon writes sensitive on every status; false says "no
		// content warning" to servers that default otherwise.
		m["sensitive"] = o.Sensitive
	}
	if len(o.Tag) > 0 {
		m["tag"] = tagList(o.Tag)
	}
	putString(m, "replies", o.Replies)
	if len(o.Attachments) > 0 && o.Type != TypeTombstone {
		m["attachment"] = attachmentList(o.Attachments)
	}
	if o.Type == TypeEvent {
		fixEvent(m, o)
	}
	// go-fed writes source as a full Object with "type":"Object"; every
	// server (and FEP-c16b) expects the bare {content, mediaType} pair.
	if src, ok := m["source"].(map[string]any); ok {
		delete(src, "type")
	}
}

// attachmentList writes media attachments the way Mastodon reads them:
// type, mediaType, url and the alt text as name.
func attachmentList(as []Attachment) []any {
	out := make([]any, 0, len(as))
	for _, a := range as {
		att := map[string]any{"type": a.Type, "url": a.URL}
		putString(att, "mediaType", a.MediaType)
		putString(att, "name", a.Name)
		out = append(out, att)
	}
	return out
}

// tagList writes tags ourselves: go-fed v1.0.0 has Mention but no Hashtag.
func tagList(tags []Tag) []any {
	out := make([]any, 0, len(tags))
	for _, t := range tags {
		tag := map[string]any{"type": t.Type}
		putString(tag, "href", t.Href)
		putString(tag, "name", t.Name)
		out = append(out, tag)
	}
	return out
}

// fixEvent writes an Event's times, zone and online location (FEP-8a8e),
// which go-fed v1.0.0 types only partly: written here, all together.
func fixEvent(m map[string]any, o *Object) {
	if o.StartTime != nil {
		putTime(m, "startTime", *o.StartTime)
	}
	if o.EndTime != nil {
		putTime(m, "endTime", *o.EndTime)
	}
	putString(m, "timezone", o.TimeZone)
	putString(m, "ical:status", o.EventStatus)
	if o.LocationURL != "" {
		name := o.Location
		if name == "" {
			name = o.LocationURL
		}
		m["location"] = map[string]any{"type": "VirtualLocation", "name": name, "url": o.LocationURL}
	}
	// Members of the forum's node say they come on its page; anyone else
	// may send a Join, which is accepted at once (Mobilizon's "free").
	m["joinMode"] = "free"
}
