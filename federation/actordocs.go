package federation

import (
	"context"
	"html"
	"strings"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply/content"
	"github.com/metropolis/agora/federation/keys"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/media"
	"github.com/metropolis/agora/uris"
)

// memberURI is a member's ActivityPub id, local or remote.
func (f *Federation) memberURI(m *forum.Member) string {
	if !m.Local() {
		return m.URI
	}
	return f.urls.Member(m.Username)
}

// forumURI is a forum's ActivityPub id (its Group actor), local or remote.
func (f *Federation) forumURI(fo *forum.Forum) string {
	if !fo.Local() {
		return fo.URI
	}
	return f.urls.Forum(fo.Slug)
}

// handle is the @name@host a member is mentioned by.
func (f *Federation) handle(m *forum.Member) string {
	if !m.Local() {
		return "@" + m.Username + "@" + m.Domain
	}
	return "@" + m.Username + "@" + f.urls.Host()
}

// memberActor is a local member's Person.
func (f *Federation) memberActor(ctx context.Context, m *forum.Member) (*ap.Actor, error) {
	key, err := f.keys.Get(ctx, keys.Member(m.ID))
	if err != nil {
		return nil, err
	}
	id := f.urls.Member(m.Username)
	path := uris.MemberPath(m.Username)
	a := &ap.Actor{
		ID: id, Type: ap.TypePerson, PreferredUsername: m.Username, Name: m.DisplayName, URL: id,
		Inbox: f.urls.Abs(uris.InboxPath(path)), Outbox: f.urls.Abs(uris.OutboxPath(path)),
		Followers: f.urls.Abs(uris.FollowersPath(path)), Following: f.urls.Abs(uris.FollowingPath(path)),
		SharedInbox: f.urls.SharedInbox(),
		PublicKey:   ap.PublicKey{ID: f.urls.KeyID(id), Owner: id, PEM: key.PublicPEM},
		Published:   m.CreatedAt, Discoverable: true, Indexable: true, Languages: m.Languages,
	}
	if m.Title != "" {
		a.Attachment = append(a.Attachment, ap.PropertyValue{Name: "Role", Value: html.EscapeString(m.Title)})
	}
	if m.Organisation != "" {
		a.Attachment = append(a.Attachment, ap.PropertyValue{Name: "Organisation", Value: html.EscapeString(m.Organisation)})
	}
	if m.Title != "" || m.Organisation != "" {
		a.Summary = "<p>" + html.EscapeString(strings.Trim(m.Title+" · "+m.Organisation, " ·")) + "</p>"
	}
	if m.Avatar != "" {
		a.Icon = &ap.Image{URL: f.urls.Media(m.Avatar), MediaType: media.TypeOf(m.Avatar)}
	}
	return a, nil
}

// forumActor is a local forum's Group (FEP-1b12).
func (f *Federation) forumActor(ctx context.Context, fo *forum.Forum) (*ap.Actor, error) {
	key, err := f.keys.Get(ctx, keys.Forum(fo.ID))
	if err != nil {
		return nil, err
	}
	id := f.urls.Forum(fo.Slug)
	path := uris.ForumPath(fo.Slug)
	text, _ := fo.Text()
	a := &ap.Actor{
		ID: id, Type: ap.TypeGroup, PreferredUsername: fo.Slug, Name: text.Title, URL: id,
		Inbox: f.urls.Abs(uris.InboxPath(path)), Outbox: f.urls.Abs(uris.OutboxPath(path)),
		Followers: f.urls.Abs(uris.FollowersPath(path)), Featured: f.urls.Abs(uris.FeaturedPath(fo.Slug)),
		AttributedTo: f.urls.Abs(uris.ModeratorsPath(fo.Slug)),
		SharedInbox:  f.urls.SharedInbox(),
		PublicKey:    ap.PublicKey{ID: f.urls.KeyID(id), Owner: id, PEM: key.PublicPEM},
		Published:    fo.CreatedAt, Discoverable: true, Indexable: true,
		ManuallyApprovesFollowers: fo.Policy.ApproveFollows,
		Languages:                 []string{fo.Language},
	}
	if text.Description != "" {
		a.Summary = "<p>" + html.EscapeString(text.Description) + "</p>"
	}
	// Every language version: a city's mirror of the forum shows its own.
	a.NameMap, a.SummaryMap = map[string]string{}, map[string]string{}
	for lang, t := range fo.Texts {
		a.NameMap[lang] = t.Title
		if t.Description != "" {
			a.SummaryMap[lang] = "<p>" + html.EscapeString(t.Description) + "</p>"
		}
	}
	return a, nil
}

// threadActor is a thread's followable actor (a Service): Mastodon users
// follow one question through it and get each new answer announced. Its
// profile is the question.
func (f *Federation) threadActor(ctx context.Context, t *forum.Thread) (*ap.Actor, error) {
	key, err := f.keys.Get(ctx, keys.Thread(t.ID))
	if err != nil {
		return nil, err
	}
	id := f.urls.ThreadActor(t.ID)
	path := uris.ThreadActorPath(t.ID)
	a := &ap.Actor{
		ID: id, Type: ap.TypeService, PreferredUsername: uris.ThreadHandle(t.ID), Name: clipRunes(t.Title, 100),
		URL: f.urls.Thread(t.ID), Inbox: f.urls.Abs(uris.InboxPath(path)), Outbox: f.urls.Abs(uris.OutboxPath(path)),
		Followers: f.urls.Abs(uris.FollowersPath(path)), SharedInbox: f.urls.SharedInbox(),
		PublicKey: ap.PublicKey{ID: f.urls.KeyID(id), Owner: id, PEM: key.PublicPEM},
		Published: t.CreatedAt, Discoverable: true, Indexable: true, Languages: []string{t.Language},
	}
	if p, err := f.svc.Post(ctx, t.RootPostID); err == nil {
		a.Summary = "<p>" + html.EscapeString(content.Summarize(p.HTML, 300)) + "</p><p><a href=\"" + html.EscapeString(f.urls.Thread(t.ID)) + "\">" +
			html.EscapeString(f.urls.Thread(t.ID)) + "</a></p>"
	}
	return a, nil
}

func clipRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// instanceActor is the node's Application actor: it signs fetches and
// follows the forums the node joins.
func (f *Federation) instanceActor(ctx context.Context) (*ap.Actor, error) {
	key, err := f.keys.Get(ctx, keys.Instance)
	if err != nil {
		return nil, err
	}
	id := f.urls.InstanceActor()
	path := uris.InstanceActorPath()
	return &ap.Actor{
		ID: id, Type: ap.TypeApplication, PreferredUsername: f.urls.InstanceUsername(), Name: f.urls.Host(), URL: f.urls.Base() + uris.HomePath(),
		Inbox: f.urls.Abs(uris.InboxPath(path)), Outbox: f.urls.Abs(uris.OutboxPath(path)),
		Followers: f.urls.Abs(uris.FollowersPath(path)), Following: f.urls.Abs(uris.FollowingPath(path)),
		SharedInbox:               f.urls.SharedInbox(),
		PublicKey:                 ap.PublicKey{ID: f.urls.KeyID(id), Owner: id, PEM: key.PublicPEM},
		ManuallyApprovesFollowers: true,
	}, nil
}

// InstanceActorURI is this node's instance actor (it follows joined forums).
func (f *Federation) InstanceActorURI() string { return f.urls.InstanceActor() }
