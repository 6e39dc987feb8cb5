package ap

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// Fixtures in the shapes other servers send, written from their public
// documentation (Mastodon's ActivityPub spec page, Lemmy's federation
// assets, NodeBB's and Discourse's ActivityPub notes).

const mastodonContext = `[
  "https://www.w3.org/ns/activitystreams",
  {
    "ostatus": "http://ostatus.org#",
    "atomUri": "ostatus:atomUri",
    "inReplyToAtomUri": "ostatus:inReplyToAtomUri",
    "conversation": "ostatus:conversation",
    "sensitive": "as:sensitive",
    "toot": "http://joinmastodon.org/ns#",
    "votersCount": "toot:votersCount",
    "Hashtag": "as:Hashtag"
  }
]`

func TestParseMastodonCreateReply(t *testing.T) {
	a := mustParse(t, `{
	  "@context": `+mastodonContext+`,
	  "id": "https://social.example/users/carla/statuses/1101/activity",
	  "type": "Create",
	  "actor": "https://social.example/users/carla",
	  "published": "2025-03-02T08:15:30Z",
	  "to": ["https://www.w3.org/ns/activitystreams#Public"],
	  "cc": ["https://social.example/users/carla/followers", "https://agora.example/u/ana"],
	  "object": {
	    "id": "https://social.example/users/carla/statuses/1101",
	    "type": "Note",
	    "summary": null,
	    "inReplyTo": "https://agora.example/q/42",
	    "published": "2025-03-02T08:15:30Z",
	    "url": "https://social.example/@carla/1101",
	    "attributedTo": "https://social.example/users/carla",
	    "to": ["https://www.w3.org/ns/activitystreams#Public"],
	    "cc": ["https://social.example/users/carla/followers", "https://agora.example/u/ana"],
	    "sensitive": true,
	    "atomUri": "https://social.example/users/carla/statuses/1101",
	    "inReplyToAtomUri": "https://agora.example/q/42",
	    "conversation": "tag:social.example,2025-03-02:objectId=99:objectType=Conversation",
	    "content": "<p><span class=\"h-card\"><a href=\"https://agora.example/@ana\" class=\"u-url mention\">@<span>ana</span></a></span> Try the night bus.</p>",
	    "contentMap": {"en": "<p><span class=\"h-card\"><a href=\"https://agora.example/@ana\" class=\"u-url mention\">@<span>ana</span></a></span> Try the night bus.</p>"},
	    "attachment": [],
	    "tag": [
	      {"type": "Mention", "href": "https://agora.example/u/ana", "name": "@ana@agora.example"},
	      {"type": "Hashtag", "href": "https://social.example/tags/transit", "name": "#transit"},
	      {"type": "Emoji", "id": "https://social.example/emojis/1", "name": ":bus:", "icon": {"type": "Image", "url": "https://social.example/bus.png"}}
	    ],
	    "replies": {
	      "id": "https://social.example/users/carla/statuses/1101/replies",
	      "type": "Collection",
	      "first": {"type": "CollectionPage", "next": "https://social.example/users/carla/statuses/1101/replies?page=true", "partOf": "https://social.example/users/carla/statuses/1101/replies", "items": []}
	    }
	  }
	}`)
	if a.Type != TypeCreate || a.Actor != "https://social.example/users/carla" {
		t.Errorf("activity: %+v", a)
	}
	want := []string{"https://social.example/users/carla/followers", "https://agora.example/u/ana"}
	if !reflect.DeepEqual(a.Cc, want) || !reflect.DeepEqual(a.To, []string{Public}) {
		t.Errorf("to %v cc %v", a.To, a.Cc)
	}
	o := a.Object.Object
	if o == nil {
		t.Fatalf("object not embedded: %+v", a.Object)
	}
	check(t, "type", o.Type, TypeNote)
	check(t, "inReplyTo", o.InReplyTo, pageID)
	check(t, "language (from contentMap)", o.Language, "en")
	check(t, "url", o.URL, "https://social.example/@carla/1101")
	if !o.Sensitive {
		t.Error("sensitive lost")
	}
	if o.ContentMap["en"] != o.Content || o.Content == "" {
		t.Errorf("content %q contentMap %v", o.Content, o.ContentMap)
	}
	wantTags := []Tag{
		{Type: "Mention", Href: anaID, Name: "@ana@agora.example"},
		{Type: "Hashtag", Href: "https://social.example/tags/transit", Name: "#transit"},
	}
	if !reflect.DeepEqual(o.Tag, wantTags) {
		t.Errorf("tags %+v", o.Tag)
	}
	if !o.Published.Equal(time.Date(2025, 3, 2, 8, 15, 30, 0, time.UTC)) {
		t.Errorf("published %v", o.Published)
	}
}

func TestParseMastodonSimpleActivities(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *Activity
	}{
		{"follow", `{
		  "@context": "https://www.w3.org/ns/activitystreams",
		  "id": "https://social.example/0f3b6c2e-follow",
		  "type": "Follow",
		  "actor": "https://social.example/users/carla",
		  "object": "https://agora.example/f/transit"
		}`, &Activity{
			ID: "https://social.example/0f3b6c2e-follow", Type: TypeFollow,
			Actor: "https://social.example/users/carla", Object: Ref{IRI: forumID},
		}},
		{"undo follow embeds the follow", `{
		  "@context": "https://www.w3.org/ns/activitystreams",
		  "id": "https://social.example/users/carla#follows/77/undo",
		  "type": "Undo",
		  "actor": "https://social.example/users/carla",
		  "object": {
		    "id": "https://social.example/0f3b6c2e-follow",
		    "type": "Follow",
		    "actor": "https://social.example/users/carla",
		    "object": "https://agora.example/f/transit"
		  }
		}`, &Activity{
			ID: "https://social.example/users/carla#follows/77/undo", Type: TypeUndo,
			Actor: "https://social.example/users/carla",
			Object: Ref{Activity: &Activity{
				ID: "https://social.example/0f3b6c2e-follow", Type: TypeFollow,
				Actor: "https://social.example/users/carla", Object: Ref{IRI: forumID},
			}},
		}},
		{"like", `{
		  "@context": "https://www.w3.org/ns/activitystreams",
		  "id": "https://social.example/users/carla#likes/5",
		  "type": "Like",
		  "actor": "https://social.example/users/carla",
		  "object": "https://agora.example/q/42/a/7"
		}`, &Activity{
			ID: "https://social.example/users/carla#likes/5", Type: TypeLike,
			Actor: "https://social.example/users/carla", Object: Ref{IRI: noteID},
		}},
		{"delete with tombstone", `{
		  "@context": ["https://www.w3.org/ns/activitystreams", {"ostatus": "http://ostatus.org#", "atomUri": "ostatus:atomUri"}],
		  "id": "https://social.example/users/carla/statuses/1101#delete",
		  "type": "Delete",
		  "actor": "https://social.example/users/carla",
		  "to": ["https://www.w3.org/ns/activitystreams#Public"],
		  "object": {
		    "id": "https://social.example/users/carla/statuses/1101",
		    "type": "Tombstone",
		    "atomUri": "https://social.example/users/carla/statuses/1101"
		  },
		  "signature": {"type": "RsaSignature2017", "creator": "https://social.example/users/carla#main-key", "created": "2025-03-02T09:00:00Z", "signatureValue": "c2ln"}
		}`, &Activity{
			ID: "https://social.example/users/carla/statuses/1101#delete", Type: TypeDelete,
			Actor: "https://social.example/users/carla", To: []string{Public},
			Object: Ref{Object: &Object{ID: "https://social.example/users/carla/statuses/1101", Type: TypeTombstone}},
		}},
		{"lemmy lock", `{
		  "id": "https://lemmy.example/activities/lock/5d2e",
		  "actor": "https://lemmy.example/u/mod",
		  "to": ["https://www.w3.org/ns/activitystreams#Public"],
		  "object": "https://lemmy.example/post/2",
		  "cc": ["https://lemmy.example/c/bikes"],
		  "type": "Lock",
		  "summary": "Resolved"
		}`, &Activity{
			ID: "https://lemmy.example/activities/lock/5d2e", Type: TypeLock,
			Actor: "https://lemmy.example/u/mod", To: []string{Public}, Cc: []string{"https://lemmy.example/c/bikes"},
			Object: Ref{IRI: "https://lemmy.example/post/2"}, Summary: "Resolved",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, tt.body)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseMastodonUpdate(t *testing.T) {
	a := mustParse(t, `{
	  "@context": `+mastodonContext+`,
	  "id": "https://social.example/users/carla/statuses/1101#updates/1741000000",
	  "type": "Update",
	  "actor": "https://social.example/users/carla",
	  "published": "2025-03-02T09:30:00Z",
	  "to": ["https://www.w3.org/ns/activitystreams#Public"],
	  "object": {
	    "id": "https://social.example/users/carla/statuses/1101",
	    "type": "Note",
	    "attributedTo": "https://social.example/users/carla",
	    "content": "<p>Try the night bus (N4).</p>",
	    "contentMap": {"en": "<p>Try the night bus (N4).</p>"},
	    "published": "2025-03-02T08:15:30Z",
	    "updated": "2025-03-02T09:30:00Z",
	    "to": ["https://www.w3.org/ns/activitystreams#Public"],
	    "tag": {"type": "Mention", "href": "https://agora.example/u/ana", "name": "@ana@agora.example"}
	  }
	}`)
	o := a.Object.Object
	if a.Type != TypeUpdate || o == nil {
		t.Fatalf("%+v", a)
	}
	if o.Updated == nil || !o.Updated.Equal(time.Date(2025, 3, 2, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("updated %v", o.Updated)
	}
	check(t, "content", o.Content, "<p>Try the night bus (N4).</p>")
	if len(o.Tag) != 1 || o.Tag[0].Href != anaID {
		t.Errorf("a single tag object must read as one tag: %+v", o.Tag)
	}
}

func TestParseMastodonPerson(t *testing.T) {
	a, err := ParseActor(context.Background(), []byte(`{
	  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1",
	    {"manuallyApprovesFollowers": "as:manuallyApprovesFollowers", "toot": "http://joinmastodon.org/ns#",
	     "featured": {"@id": "toot:featured", "@type": "@id"}, "discoverable": "toot:discoverable",
	     "indexable": "toot:indexable", "schema": "http://schema.org#", "PropertyValue": "schema:PropertyValue",
	     "value": "schema:value", "Emoji": "toot:Emoji", "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"}}],
	  "id": "https://social.example/users/carla",
	  "type": "Person",
	  "following": "https://social.example/users/carla/following",
	  "followers": "https://social.example/users/carla/followers",
	  "inbox": "https://social.example/users/carla/inbox",
	  "outbox": "https://social.example/users/carla/outbox",
	  "featured": "https://social.example/users/carla/collections/featured",
	  "featuredTags": "https://social.example/users/carla/collections/tags",
	  "preferredUsername": "carla",
	  "name": "Carla",
	  "summary": "<p>Urbanist.</p>",
	  "url": "https://social.example/@carla",
	  "manuallyApprovesFollowers": false,
	  "discoverable": true,
	  "indexable": true,
	  "published": "2022-11-05T00:00:00Z",
	  "memorial": false,
	  "publicKey": {
	    "id": "https://social.example/users/carla#main-key",
	    "owner": "https://social.example/users/carla",
	    "publicKeyPem": "-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----\n"
	  },
	  "tag": [],
	  "attachment": [
	    {"type": "PropertyValue", "name": "Pronouns", "value": "she/her"},
	    {"type": "PropertyValue", "name": "Blog", "value": "<a href=\"https://carla.example\" rel=\"me\">carla.example</a>"}
	  ],
	  "endpoints": {"sharedInbox": "https://social.example/inbox"},
	  "icon": {"type": "Image", "mediaType": "image/png", "url": "https://social.example/avatar.png"}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	want := &Actor{
		ID: "https://social.example/users/carla", Type: TypePerson, PreferredUsername: "carla", Name: "Carla",
		Summary: "<p>Urbanist.</p>", URL: "https://social.example/@carla",
		Inbox: "https://social.example/users/carla/inbox", Outbox: "https://social.example/users/carla/outbox",
		Followers: "https://social.example/users/carla/followers", Following: "https://social.example/users/carla/following",
		Featured: "https://social.example/users/carla/collections/featured", SharedInbox: "https://social.example/inbox",
		PublicKey: PublicKey{
			ID: "https://social.example/users/carla#main-key", Owner: "https://social.example/users/carla",
			PEM: "-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----\n",
		},
		Published:    time.Date(2022, 11, 5, 0, 0, 0, 0, time.UTC),
		Discoverable: true, Indexable: true,
		Attachment: []PropertyValue{
			{Name: "Pronouns", Value: "she/her"},
			{Name: "Blog", Value: `<a href="https://carla.example" rel="me">carla.example</a>`},
		},
		Icon: &Image{URL: "https://social.example/avatar.png", MediaType: "image/png"},
	}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("got  %+v\nwant %+v", a, want)
	}
}

func mustParse(t *testing.T, body string) *Activity {
	t.Helper()
	a, err := Parse(context.Background(), []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func parseObject(t *testing.T, body string) *Object {
	t.Helper()
	o, err := ParseObject(context.Background(), []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func check(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}
