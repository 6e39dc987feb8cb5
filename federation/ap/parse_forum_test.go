package ap

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// Fixtures from Lemmy and the forum servers (NodeBB, Discourse), written
// from their public federation documentation and examples.

func TestParseLemmyAnnounceCreatePage(t *testing.T) {
	a := mustParse(t, `{
	  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1",
	    {"lemmy": "https://join-lemmy.org/ns#", "sc": "http://schema.org/", "sensitive": "as:sensitive",
	     "language": "sc:inLanguage", "identifier": "sc:identifier", "stickied": "lemmy:stickied"}],
	  "id": "https://lemmy.example/activities/announce/create/9c1f",
	  "type": "Announce",
	  "actor": "https://lemmy.example/c/bikes",
	  "to": ["https://www.w3.org/ns/activitystreams#Public"],
	  "cc": ["https://lemmy.example/c/bikes/followers"],
	  "object": {
	    "id": "https://lemmy.example/activities/create/41aa",
	    "type": "Create",
	    "actor": "https://lemmy.example/u/dani",
	    "to": ["https://www.w3.org/ns/activitystreams#Public"],
	    "cc": ["https://lemmy.example/c/bikes"],
	    "audience": "https://lemmy.example/c/bikes",
	    "object": {
	      "id": "https://lemmy.example/post/77",
	      "type": "Page",
	      "attributedTo": "https://lemmy.example/u/dani",
	      "to": ["https://lemmy.example/c/bikes", "https://www.w3.org/ns/activitystreams#Public"],
	      "audience": "https://lemmy.example/c/bikes",
	      "name": "Carril bici en la avenida",
	      "content": "<p>¿Alguien sabe cuándo abre?</p>\n",
	      "mediaType": "text/html",
	      "source": {"content": "¿Alguien sabe cuándo abre?", "mediaType": "text/markdown"},
	      "attachment": [{"type": "Link", "href": "https://lemmy.example/pictrs/image/a.png"}],
	      "sensitive": false,
	      "stickied": false,
	      "commentsEnabled": true,
	      "language": {"identifier": "es", "name": "Español"},
	      "published": "2025-03-01T12:11:22.871846+00:00"
	    }
	  },
	  "audience": "https://lemmy.example/c/bikes"
	}`)
	check(t, "announce audience", a.Audience, "https://lemmy.example/c/bikes")
	create := a.Object.Activity
	if create == nil || create.Type != TypeCreate {
		t.Fatalf("announce object: %+v", a.Object)
	}
	p := create.Object.Object
	if p == nil {
		t.Fatalf("create object: %+v", create.Object)
	}
	check(t, "type", p.Type, TypePage)
	check(t, "name", p.Name, "Carril bici en la avenida")
	check(t, "language", p.Language, "es")
	check(t, "audience", p.Audience, "https://lemmy.example/c/bikes")
	if p.Source == nil || p.Source.MediaType != "text/markdown" || p.Source.Content != "¿Alguien sabe cuándo abre?" {
		t.Errorf("source %+v", p.Source)
	}
	if !p.Published.Equal(time.Date(2025, 3, 1, 12, 11, 22, 871846000, time.UTC)) {
		t.Errorf("published %v", p.Published)
	}
}

func TestParseForumArticles(t *testing.T) {
	// NodeBB: a topic's first post as an Article in a category (audience)
	// and a topic context (FEP-7888), with a preview Note for microblogs.
	nodebb := parseObject(t, `{
	  "@context": "https://www.w3.org/ns/activitystreams",
	  "id": "https://forum.example/post/310",
	  "type": "Article",
	  "to": ["https://www.w3.org/ns/activitystreams#Public"],
	  "cc": ["https://forum.example/uid/4/followers", "https://forum.example/category/2"],
	  "inReplyTo": null,
	  "published": "2025-02-27T18:04:11.532Z",
	  "url": "https://forum.example/post/310",
	  "attributedTo": "https://forum.example/uid/4",
	  "context": "https://forum.example/topic/88",
	  "audience": "https://forum.example/category/2",
	  "name": "Tram extension: public hearing",
	  "content": "<p>The hearing is on Thursday.</p>",
	  "source": {"content": "The hearing is on Thursday.", "mediaType": "text/markdown"},
	  "preview": {"type": "Note", "attributedTo": "https://forum.example/uid/4", "content": "<p>The hearing is on Thursday.</p>", "published": "2025-02-27T18:04:11.532Z"},
	  "tag": [{"type": "Hashtag", "href": "https://forum.example/tags/tram", "name": "#tram"}]
	}`)
	check(t, "type", nodebb.Type, TypeArticle)
	check(t, "context", nodebb.Context, "https://forum.example/topic/88")
	check(t, "audience", nodebb.Audience, "https://forum.example/category/2")
	check(t, "name", nodebb.Name, "Tram extension: public hearing")
	check(t, "inReplyTo (null)", nodebb.InReplyTo, "")

	// Discourse: a full-topic Article with an updated time and no source.
	discourse := parseObject(t, `{
	  "@context": "https://www.w3.org/ns/activitystreams",
	  "id": "https://discuss.example/ap/object/6b0c",
	  "type": "Article",
	  "audience": "https://discuss.example/ap/actor/2f1e",
	  "to": "https://www.w3.org/ns/activitystreams#Public",
	  "attributedTo": "https://discuss.example/ap/actor/8a9d",
	  "name": "Parking reform",
	  "content": "<p>Draft proposal attached.</p>",
	  "url": "https://discuss.example/t/parking-reform/120",
	  "published": "2025-02-20T09:00:00Z",
	  "updated": "2025-02-21T10:00:00Z"
	}`)
	if !reflect.DeepEqual(discourse.To, []string{Public}) {
		t.Errorf("a scalar to must read as a one-element list: %v", discourse.To)
	}
	check(t, "url", discourse.URL, "https://discuss.example/t/parking-reform/120")
}

func TestParseLemmyGroup(t *testing.T) {
	g, err := ParseActor(context.Background(), []byte(`{
	  "id": "https://lemmy.example/c/bikes", "type": "Group", "preferredUsername": "bikes",
	  "inbox": "https://lemmy.example/c/bikes/inbox", "followers": "https://lemmy.example/c/bikes/followers",
	  "attributedTo": "https://lemmy.example/c/bikes/moderators", "featured": "https://lemmy.example/c/bikes/featured",
	  "postingRestrictedToMods": true, "endpoints": {"sharedInbox": "https://lemmy.example/inbox"},
	  "language": [{"identifier": "es", "name": "Español"}, {"identifier": "ca", "name": "Català"}],
	  "publicKey": {"id": "https://lemmy.example/c/bikes#main-key", "owner": "https://lemmy.example/c/bikes", "publicKeyPem": "PEM"}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "moderators", g.AttributedTo, "https://lemmy.example/c/bikes/moderators")
	check(t, "featured", g.Featured, "https://lemmy.example/c/bikes/featured")
	if !g.PostingRestrictedToMods || !reflect.DeepEqual(g.Languages, []string{"es", "ca"}) {
		t.Errorf("%+v", g)
	}
}

func TestParseCollectionWithEmbeddedItems(t *testing.T) {
	c, err := ParseCollection(context.Background(), []byte(`{
	  "@context": "https://www.w3.org/ns/activitystreams",
	  "id": "https://forum.example/topic/88?page=1", "type": "OrderedCollectionPage",
	  "partOf": "https://forum.example/topic/88",
	  "orderedItems": [
	    "https://forum.example/post/310",
	    {"id": "https://forum.example/post/311", "type": "Note", "content": "<p>+1</p>"},
	    {"id": "https://forum.example/chat/9", "type": "ChatMessage"}
	  ]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Items) != 3 || c.Items[0].IRI == "" || c.Items[1].Object == nil || c.Items[2].IRI != "https://forum.example/chat/9" {
		t.Errorf("items %+v", c.Items)
	}
}
