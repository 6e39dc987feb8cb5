package ap

import "testing"

func TestMarshalActivities(t *testing.T) {
	tests := []struct {
		name string
		in   *Activity
		want string
	}{
		{"create embeds the note", createNote(), `{
		  "id": "https://agora.example/q/42/a/7/create",
		  "type": "Create",
		  "actor": "https://agora.example/u/ben",
		  "to": ["https://agora.example/f/transit", "https://www.w3.org/ns/activitystreams#Public"],
		  "cc": ["https://agora.example/u/ana"],
		  "audience": "https://agora.example/f/transit",
		  "published": "2025-03-01T10:00:00.000Z",
		  "object": {
		    "id": "https://agora.example/q/42/a/7",
		    "sensitive": false,
		    "type": "Note",
		    "attributedTo": "https://agora.example/u/ben",
		    "content": "<p>Cada 20 minutos.</p>",
		    "contentMap": {"es": "<p>Cada 20 minutos.</p>"},
		    "language": {"identifier": "es", "name": "Español"},
		    "inReplyTo": "https://agora.example/q/42",
		    "audience": "https://agora.example/f/transit",
		    "context": "https://agora.example/q/42/context",
		    "to": ["https://agora.example/f/transit", "https://www.w3.org/ns/activitystreams#Public"],
		    "cc": ["https://agora.example/u/ana"],
		    "tag": [{"type": "Mention", "href": "https://agora.example/u/ana", "name": "@ana@agora.example"}],
		    "published": "2025-03-01T10:00:00.000Z",
		    "updated": "2025-03-01T11:30:00.000Z"
		  }
		}`},
		{"forum announces the create unchanged", announceCreate(), `{
		  "id": "https://agora.example/f/transit/announce/1",
		  "type": "Announce",
		  "actor": "https://agora.example/f/transit",
		  "to": ["https://www.w3.org/ns/activitystreams#Public"],
		  "cc": ["https://agora.example/f/transit/followers"],
		  "audience": "https://agora.example/f/transit",
		  "object": {
		    "id": "https://agora.example/q/42/a/7/create",
		    "type": "Create",
		    "actor": "https://agora.example/u/ben",
		    "to": ["https://agora.example/f/transit", "https://www.w3.org/ns/activitystreams#Public"],
		    "cc": ["https://agora.example/u/ana"],
		    "audience": "https://agora.example/f/transit",
		    "published": "2025-03-01T10:00:00.000Z",
		    "object": {
		      "id": "https://agora.example/q/42/a/7",
		      "sensitive": false,
		      "type": "Note",
		      "attributedTo": "https://agora.example/u/ben",
		      "content": "<p>Cada 20 minutos.</p>",
		      "contentMap": {"es": "<p>Cada 20 minutos.</p>"},
		      "language": {"identifier": "es", "name": "Español"},
		      "inReplyTo": "https://agora.example/q/42",
		      "audience": "https://agora.example/f/transit",
		      "context": "https://agora.example/q/42/context",
		      "to": ["https://agora.example/f/transit", "https://www.w3.org/ns/activitystreams#Public"],
		      "cc": ["https://agora.example/u/ana"],
		      "tag": [{"type": "Mention", "href": "https://agora.example/u/ana", "name": "@ana@agora.example"}],
		      "published": "2025-03-01T10:00:00.000Z",
		      "updated": "2025-03-01T11:30:00.000Z"
		    }
		  }
		}`},
		{"follow", follow(), `{
		  "id": "https://agora.example/u/ana/follows/1",
		  "type": "Follow",
		  "actor": "https://agora.example/u/ana",
		  "object": "https://agora.example/f/transit"
		}`},
		{"accept embeds the follow", acceptFollow(), `{
		  "id": "https://agora.example/f/transit/accepts/1",
		  "type": "Accept",
		  "actor": "https://agora.example/f/transit",
		  "object": {
		    "id": "https://agora.example/u/ana/follows/1",
		    "type": "Follow",
		    "actor": "https://agora.example/u/ana",
		    "object": "https://agora.example/f/transit"
		  }
		}`},
		{"undo like", undoLike(), `{
		  "id": "https://agora.example/u/ana/likes/1/undo",
		  "type": "Undo",
		  "actor": "https://agora.example/u/ana",
		  "object": {
		    "id": "https://agora.example/u/ana/likes/1",
		    "type": "Like",
		    "actor": "https://agora.example/u/ana",
		    "object": "https://agora.example/q/42/a/7"
		  }
		}`},
		{"delete with a reason", deleteWithReason(), `{
		  "id": "https://agora.example/f/transit/deletes/1",
		  "type": "Delete",
		  "actor": "https://agora.example/f/transit/moderators",
		  "object": "https://agora.example/q/42/a/7",
		  "summary": "Spam",
		  "to": ["https://www.w3.org/ns/activitystreams#Public"],
		  "cc": ["https://agora.example/f/transit"]
		}`},
		{"flag lists the account then the posts", flag(), `{
		  "id": "https://agora.example/u/ana/flags/1",
		  "type": "Flag",
		  "actor": "https://agora.example/u/ana",
		  "object": ["https://agora.example/u/ben", "https://agora.example/q/42/a/7"],
		  "content": "Off topic and rude.",
		  "to": ["https://agora.example/f/transit"]
		}`},
		{"lock (not in go-fed)", lock(), `{
		  "id": "https://agora.example/f/transit/locks/1",
		  "type": "Lock",
		  "actor": "https://agora.example/f/transit",
		  "object": "https://agora.example/q/42",
		  "summary": "Answered",
		  "to": ["https://www.w3.org/ns/activitystreams#Public"],
		  "cc": ["https://agora.example/f/transit"]
		}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			assertJSON(t, got, tt.want)
		})
	}
}

func TestMarshalCollections(t *testing.T) {
	tests := []struct {
		name string
		in   *Collection
		want string
	}{
		{"thread context", contextCollection(), `{
		  "id": "https://agora.example/q/42/context",
		  "type": "OrderedCollection",
		  "totalItems": 12,
		  "first": "https://agora.example/q/42/context?page=1",
		  "last": "https://agora.example/q/42/context?page=2",
		  "attributedTo": "https://agora.example/u/ana"
		}`},
		{"page of IRIs", contextPage(), `{
		  "id": "https://agora.example/q/42/context?page=1",
		  "type": "OrderedCollectionPage",
		  "partOf": "https://agora.example/q/42/context",
		  "next": "https://agora.example/q/42/context?page=2",
		  "orderedItems": ["https://agora.example/q/42", "https://agora.example/q/42/a/7"]
		}`},
		{"one item is still an array, embedded items are repaired", &Collection{
			ID: ctxID + "?page=2", Type: TypeOrderedCollectionPage,
			Items: []Ref{{Object: &Object{ID: noteID, Type: TypeNote, To: []string{Public}}}},
		}, `{
		  "id": "https://agora.example/q/42/context?page=2",
		  "type": "OrderedCollectionPage",
		  "orderedItems": [{
		    "id": "https://agora.example/q/42/a/7",
		    "sensitive": false,
		    "type": "Note",
		    "to": ["https://www.w3.org/ns/activitystreams#Public"]
		  }]
		}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			assertJSON(t, got, tt.want)
		})
	}
}
