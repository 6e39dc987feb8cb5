package ap

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestMarshalContext(t *testing.T) {
	got, err := Marshal(follow())
	if err != nil {
		t.Fatal(err)
	}
	assertJSON(t, got, `{
	  "@context": [
	    "https://www.w3.org/ns/activitystreams",
	    "https://w3id.org/security/v1",
	    {
	      "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
	      "sensitive": "as:sensitive",
	      "Hashtag": "as:Hashtag",
	      "toot": "http://joinmastodon.org/ns#",
	      "discoverable": "toot:discoverable",
	      "indexable": "toot:indexable",
	      "featured": {"@id": "toot:featured", "@type": "@id"},
	      "schema": "http://schema.org#",
	      "PropertyValue": "schema:PropertyValue",
	      "value": "schema:value",
	      "lemmy": "https://join-lemmy.org/ns#",
	      "postingRestrictedToMods": "lemmy:postingRestrictedToMods",
	      "sc": "http://schema.org/",
	      "language": "sc:inLanguage",
	      "identifier": "sc:identifier",
	      "VirtualLocation": "sc:VirtualLocation",
	      "timezone": "https://w3id.org/fep/8a8e/timezone",
	      "joinMode": "https://w3id.org/fep/8a8e/joinMode",
	      "ical": "http://www.w3.org/2002/12/cal/ical#"
	    }
	  ],
	  "id": "https://agora.example/u/ana/follows/1",
	  "type": "Follow",
	  "actor": "https://agora.example/u/ana",
	  "object": "https://agora.example/f/transit"
	}`)
}

func TestMarshalDeterministic(t *testing.T) {
	first, err := Marshal(announceCreate())
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		again, _ := Marshal(announceCreate())
		if string(again) != string(first) {
			t.Fatalf("output changed between runs:\n%s\n%s", first, again)
		}
	}
}

func TestMarshalActors(t *testing.T) {
	tests := []struct {
		name string
		in   *Actor
		want string
	}{
		{"person", person(), `{
		  "id": "https://agora.example/u/ana",
		  "type": "Person",
		  "preferredUsername": "ana",
		  "name": "Ana Ruiz",
		  "summary": "<p>Cyclist.</p>",
		  "url": "https://agora.example/@ana",
		  "inbox": "https://agora.example/u/ana/inbox",
		  "outbox": "https://agora.example/u/ana/outbox",
		  "followers": "https://agora.example/u/ana/followers",
		  "following": "https://agora.example/u/ana/following",
		  "endpoints": {"sharedInbox": "https://agora.example/inbox"},
		  "publicKey": {
		    "id": "https://agora.example/u/ana#main-key",
		    "owner": "https://agora.example/u/ana",
		    "publicKeyPem": "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n"
		  },
		  "published": "2025-03-01T10:00:00.000Z",
		  "manuallyApprovesFollowers": false,
		  "discoverable": true,
		  "indexable": true,
		  "attachment": [
		    {"type": "PropertyValue", "name": "Barrio", "value": "Centro"},
		    {"type": "PropertyValue", "name": "Web", "value": "<a href=\"https://ana.example\">ana.example</a>"}
		  ]
		}`},
		{"one profile field is still an array", &Actor{
			ID: anaID, Type: TypePerson, Attachment: []PropertyValue{{Name: "Barrio", Value: "Centro"}},
		}, `{
		  "id": "https://agora.example/u/ana",
		  "type": "Person",
		  "manuallyApprovesFollowers": false,
		  "attachment": [{"type": "PropertyValue", "name": "Barrio", "value": "Centro"}]
		}`},
		{"forum group (FEP-1b12)", forumActor(), `{
		  "id": "https://agora.example/f/transit",
		  "type": "Group",
		  "preferredUsername": "transit",
		  "name": "Transporte",
		  "summary": "<p>Buses, trams and bikes.</p>",
		  "inbox": "https://agora.example/f/transit/inbox",
		  "outbox": "https://agora.example/f/transit/outbox",
		  "followers": "https://agora.example/f/transit/followers",
		  "featured": "https://agora.example/f/transit/featured",
		  "attributedTo": "https://agora.example/f/transit/moderators",
		  "endpoints": {"sharedInbox": "https://agora.example/inbox"},
		  "publicKey": {
		    "id": "https://agora.example/f/transit#main-key",
		    "owner": "https://agora.example/f/transit",
		    "publicKeyPem": "PEM-F"
		  },
		  "manuallyApprovesFollowers": false,
		  "postingRestrictedToMods": true,
		  "language": [
		    {"identifier": "es", "name": "Español"},
		    {"identifier": "en", "name": "English"}
		  ]
		}`},
		{"instance application", instance(), `{
		  "id": "https://agora.example/actor",
		  "type": "Application",
		  "preferredUsername": "agora.example",
		  "inbox": "https://agora.example/actor/inbox",
		  "outbox": "https://agora.example/actor/outbox",
		  "publicKey": {
		    "id": "https://agora.example/actor#main-key",
		    "owner": "https://agora.example/actor",
		    "publicKeyPem": "PEM-N"
		  },
		  "manuallyApprovesFollowers": true
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

func TestMarshalObjects(t *testing.T) {
	tests := []struct {
		name string
		in   *Object
		want string
	}{
		{"question page", question(), `{
		  "id": "https://agora.example/q/42",
		  "sensitive": false,
		  "type": "Page",
		  "attributedTo": "https://agora.example/u/ana",
		  "name": "When does line 4 run on Sundays?",
		  "nameMap": {
		    "en": "When does line 4 run on Sundays?",
		    "es": "¿Cuándo pasa la línea 4 los domingos?"
		  },
		  "content": "<p>I can't find the timetable.</p>",
		  "contentMap": {
		    "en": "<p>I can't find the timetable.</p>",
		    "es": "<p>No encuentro el horario.</p>"
		  },
		  "summary": "I can't find the timetable.",
		  "source": {"content": "I can't find the timetable.", "mediaType": "text/markdown"},
		  "language": {"identifier": "en", "name": "English"},
		  "audience": "https://agora.example/f/transit",
		  "context": "https://agora.example/q/42/context",
		  "url": "https://agora.example/q/42",
		  "to": ["https://agora.example/f/transit", "https://www.w3.org/ns/activitystreams#Public"],
		  "cc": ["https://agora.example/u/ana/followers"],
		  "published": "2025-03-01T10:00:00.000Z"
		}`},
		{"answer note", answer(), `{
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
		}`},
		{"original language added to contentMap, sensitive", &Object{
			ID: noteID, Type: TypeNote, Content: "<p>Hola</p>", Language: "es", Sensitive: true,
		}, `{
		  "id": "https://agora.example/q/42/a/7",
		  "type": "Note",
		  "content": "<p>Hola</p>",
		  "contentMap": {"es": "<p>Hola</p>"},
		  "language": {"identifier": "es", "name": "Español"},
		  "sensitive": true
		}`},
		{"tombstone", tombstone(), `{
		  "id": "https://agora.example/q/42/a/7",
		  "type": "Tombstone",
		  "formerType": "Note",
		  "deleted": "2025-03-01T11:30:00.000Z"
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

func TestMarshalRejects(t *testing.T) {
	for _, v := range []any{nil, (*Object)(nil), &Object{ID: noteID, Type: "ChatMessage"}, "a string"} {
		if _, err := Marshal(v); err == nil {
			t.Errorf("Marshal(%#v): want an error", v)
		}
	}
}

// Marshal must not keep state between calls: the output of one document is
// independent of what was marshalled before (a cheap guard against fix-ups
// mutating shared maps such as the @context).
func TestMarshalContextNotShared(t *testing.T) {
	a, _ := Marshal(follow())
	var m map[string]any
	_ = json.Unmarshal(a, &m)
	if !reflect.DeepEqual(m["@context"], roundTripJSON(jsonLDContext())) {
		t.Errorf("@context changed: %v", m["@context"])
	}
}

func roundTripJSON(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}
