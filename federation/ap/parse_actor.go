package ap

import (
	"strings"

	"github.com/go-fed/activity/streams/vocab"
)

func (r reader) actor(t vocab.Type, typ string) (*Actor, error) {
	g, ok := t.(actorGetter)
	if !ok {
		return nil, &ErrUnsupportedType{Type: typ, Kind: "actor"}
	}
	a := &Actor{
		ID:                        typeID(t),
		Type:                      typ,
		PreferredUsername:         preferredUsername(g.GetActivityStreamsPreferredUsername()),
		Name:                      text(g.GetActivityStreamsName()),
		Summary:                   text(g.GetActivityStreamsSummary()),
		URL:                       urlOf(g.GetActivityStreamsUrl()),
		Inbox:                     valueID(g.GetActivityStreamsInbox()),
		Outbox:                    valueID(g.GetActivityStreamsOutbox()),
		Followers:                 valueID(g.GetActivityStreamsFollowers()),
		Following:                 valueID(g.GetActivityStreamsFollowing()),
		Featured:                  valueID(g.GetTootFeatured()),
		PublicKey:                 publicKeyOf(g.GetW3IDSecurityV1PublicKey()),
		AttributedTo:              firstID(g.GetActivityStreamsAttributedTo()),
		Discoverable:              discoverable(g.GetTootDiscoverable()),
		SharedInbox:               r.sharedInbox(),
		ManuallyApprovesFollowers: r.bool("manuallyApprovesFollowers"),
		Indexable:                 r.bool("indexable"),
		PostingRestrictedToMods:   r.bool("postingRestrictedToMods"),
		Attachment:                r.propertyValues(),
		Languages:                 r.languages(),
		NameMap:                   r.langMap("nameMap"),
		SummaryMap:                r.langMap("summaryMap"),
		Icon:                      r.icon(),
	}
	a.Published = timeOf(g.GetActivityStreamsPublished())
	return a, nil
}

func preferredUsername(p vocab.ActivityStreamsPreferredUsernameProperty) string {
	if p == nil || !p.IsXMLSchemaString() {
		return ""
	}
	return p.GetXMLSchemaString()
}

func discoverable(p vocab.TootDiscoverableProperty) bool {
	return p != nil && p.IsXMLSchemaBoolean() && p.Get()
}

// publicKeyOf reads the first embedded key; a bare key IRI gives only its id.
func publicKeyOf(p vocab.W3IDSecurityV1PublicKeyProperty) PublicKey {
	if p == nil {
		return PublicKey{}
	}
	for i := 0; i < p.Len(); i++ {
		v := p.At(i)
		if !v.IsW3IDSecurityV1PublicKey() {
			continue
		}
		key := v.Get()
		k := PublicKey{ID: typeID(key)}
		if o := key.GetW3IDSecurityV1Owner(); o != nil && o.Get() != nil {
			k.Owner = o.Get().String()
		}
		if pem := key.GetW3IDSecurityV1PublicKeyPem(); pem != nil {
			k.PEM = pem.Get()
		}
		return k
	}
	return PublicKey{}
}

// sharedInbox reads endpoints.sharedInbox (go-fed v1.0.0 has no endpoints).
func (r reader) sharedInbox() string {
	ep, ok := r.raw["endpoints"].(map[string]any)
	if !ok {
		return ""
	}
	s, _ := ep["sharedInbox"].(string)
	return s
}

// propertyValues reads Mastodon profile fields (schema:PropertyValue, which
// go-fed v1.0.0 does not know).
func (r reader) propertyValues() []PropertyValue {
	var out []PropertyValue
	for _, v := range rawList(r.raw["attachment"]) {
		m, ok := v.(map[string]any)
		if !ok || m["type"] != "PropertyValue" {
			continue
		}
		name, _ := m["name"].(string)
		value, _ := m["value"].(string)
		out = append(out, PropertyValue{Name: name, Value: value})
	}
	return out
}

// maxIconURL bounds an icon's URL: apps put it in an <img>, and a longer
// one is no picture anyone serves.
const maxIconURL = 2048

// icon reads the actor's picture: the first icon, an Image or a bare URL,
// kept only when it is an http(s) address an app can load.
func (r reader) icon() *Image {
	for _, v := range rawList(r.raw["icon"]) {
		var u, mediaType string
		switch v := v.(type) {
		case string:
			u = v
		case map[string]any:
			if t, _ := v["type"].(string); t != "" && t != "Image" {
				continue
			}
			u = hrefOf(v["url"])
			mediaType, _ = v["mediaType"].(string)
		}
		if len(u) > maxIconURL || !isAbsoluteIRI(u) || !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) {
			continue
		}
		return &Image{URL: u, MediaType: mediaType}
	}
	return nil
}
