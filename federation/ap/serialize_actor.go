package ap

import (
	"github.com/go-fed/activity/streams"
)

// actorCtors are the actor types we publish.
var actorCtors = map[string]func() actorSetter{
	TypePerson:      func() actorSetter { return streams.NewActivityStreamsPerson() },
	TypeGroup:       func() actorSetter { return streams.NewActivityStreamsGroup() },
	TypeApplication: func() actorSetter { return streams.NewActivityStreamsApplication() },
	TypeService:     func() actorSetter { return streams.NewActivityStreamsService() },
}

func buildActor(a *Actor) (built, error) {
	ctor, ok := actorCtors[a.Type]
	if !ok {
		return built{}, &ErrUnsupportedType{Type: a.Type, Kind: "actor"}
	}
	t := ctor()
	var p iris
	setCommon(&p, t, common{
		ID: a.ID, AttributedTo: a.AttributedTo, Name: a.Name, Summary: a.Summary,
		URL: a.URL, Published: a.Published,
	})
	setCollections(&p, t, a)
	if a.PreferredUsername != "" {
		prop := streams.NewActivityStreamsPreferredUsernameProperty()
		prop.SetXMLSchemaString(a.PreferredUsername)
		t.SetActivityStreamsPreferredUsername(prop)
	}
	if a.PublicKey.ID != "" {
		setPublicKey(&p, t, a.PublicKey)
	}
	if a.Discoverable {
		prop := streams.NewTootDiscoverableProperty()
		prop.Set(true)
		t.SetTootDiscoverable(prop)
	}
	if p.err != nil {
		return built{}, p.err
	}
	return built{t: t, fix: func(m map[string]any) { fixActor(m, a) }}, nil
}

// setCollections writes the actor's endpoint collections as IRIs.
func setCollections(p *iris, t actorSetter, a *Actor) {
	if a.Inbox != "" {
		prop := streams.NewActivityStreamsInboxProperty()
		prop.SetIRI(p.parse("inbox", a.Inbox))
		t.SetActivityStreamsInbox(prop)
	}
	if a.Outbox != "" {
		prop := streams.NewActivityStreamsOutboxProperty()
		prop.SetIRI(p.parse("outbox", a.Outbox))
		t.SetActivityStreamsOutbox(prop)
	}
	if a.Followers != "" {
		prop := streams.NewActivityStreamsFollowersProperty()
		prop.SetIRI(p.parse("followers", a.Followers))
		t.SetActivityStreamsFollowers(prop)
	}
	if a.Following != "" {
		prop := streams.NewActivityStreamsFollowingProperty()
		prop.SetIRI(p.parse("following", a.Following))
		t.SetActivityStreamsFollowing(prop)
	}
	if a.Featured != "" {
		prop := streams.NewTootFeaturedProperty()
		prop.SetIRI(p.parse("featured", a.Featured))
		t.SetTootFeatured(prop)
	}
}

func setPublicKey(p *iris, t actorSetter, k PublicKey) {
	key := streams.NewW3IDSecurityV1PublicKey()
	key.SetJSONLDId(idProp(p, k.ID))
	owner := streams.NewW3IDSecurityV1OwnerProperty()
	owner.Set(p.parse("publicKey.owner", k.Owner))
	key.SetW3IDSecurityV1Owner(owner)
	pem := streams.NewW3IDSecurityV1PublicKeyPemProperty()
	pem.Set(k.PEM)
	key.SetW3IDSecurityV1PublicKeyPem(pem)
	prop := streams.NewW3IDSecurityV1PublicKeyProperty()
	prop.AppendW3IDSecurityV1PublicKey(key)
	t.SetW3IDSecurityV1PublicKey(prop)
}

// fixActor adds the Mastodon and Lemmy actor extensions go-fed v1.0.0 has no
// properties for (endpoints, manuallyApprovesFollowers, indexable,
// PropertyValue, postingRestrictedToMods, language).
func fixActor(m map[string]any, a *Actor) {
	putTime(m, "published", a.Published)
	// Always present: Mastodon reads a missing value as "unknown" and shows
	// follow buttons accordingly; false must be said.
	m["manuallyApprovesFollowers"] = a.ManuallyApprovesFollowers
	if a.Indexable {
		m["indexable"] = true
	}
	if a.PostingRestrictedToMods {
		m["postingRestrictedToMods"] = true
	}
	if a.SharedInbox != "" {
		m["endpoints"] = map[string]any{"sharedInbox": a.SharedInbox}
	}
	if len(a.Attachment) > 0 {
		m["attachment"] = propertyValues(a.Attachment)
	}
	if a.Icon != nil {
		m["icon"] = map[string]any{"type": "Image", "mediaType": a.Icon.MediaType, "url": a.Icon.URL}
	}
	if len(a.Languages) > 0 {
		langs := make([]any, 0, len(a.Languages))
		for _, l := range a.Languages {
			langs = append(langs, languageObject(l))
		}
		m["language"] = langs
	}
	// go-fed v1.0.0 cannot hold a plain name and a nameMap at once (see
	// setTexts): the maps are written here.
	lang := ""
	if len(a.Languages) > 0 {
		lang = a.Languages[0]
	}
	if len(a.NameMap) > 0 {
		putLangMap(m, "nameMap", a.NameMap, lang, a.Name)
	}
	if len(a.SummaryMap) > 0 {
		putLangMap(m, "summaryMap", a.SummaryMap, lang, a.Summary)
	}
}

func propertyValues(fields []PropertyValue) []any {
	out := make([]any, 0, len(fields))
	for _, f := range fields {
		out = append(out, map[string]any{"type": "PropertyValue", "name": f.Name, "value": f.Value})
	}
	return out
}
