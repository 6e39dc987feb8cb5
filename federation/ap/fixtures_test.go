package ap

import "time"

// Fixed ids and times for the node's own documents (agora.example) in
// serializer and round-trip tests.

var (
	t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	t1 = time.Date(2025, 3, 1, 11, 30, 0, 0, time.UTC)
)

const (
	anaID   = "https://agora.example/u/ana"
	benID   = "https://agora.example/u/ben"
	forumID = "https://agora.example/f/transit"
	nodeID  = "https://agora.example/actor"
	pageID  = "https://agora.example/q/42"
	noteID  = "https://agora.example/q/42/a/7"
	ctxID   = "https://agora.example/q/42/context"
)

func person() *Actor {
	return &Actor{
		ID: anaID, Type: TypePerson, PreferredUsername: "ana", Name: "Ana Ruiz",
		Summary: "<p>Cyclist.</p>", URL: "https://agora.example/@ana",
		Inbox: anaID + "/inbox", Outbox: anaID + "/outbox",
		Followers: anaID + "/followers", Following: anaID + "/following",
		SharedInbox:  "https://agora.example/inbox",
		PublicKey:    PublicKey{ID: anaID + "#main-key", Owner: anaID, PEM: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n"},
		Published:    t0,
		Discoverable: true, Indexable: true,
		Attachment: []PropertyValue{
			{Name: "Barrio", Value: "Centro"},
			{Name: "Web", Value: `<a href="https://ana.example">ana.example</a>`},
		},
	}
}

func forumActor() *Actor {
	return &Actor{
		ID: forumID, Type: TypeGroup, PreferredUsername: "transit", Name: "Transporte",
		Summary: "<p>Buses, trams and bikes.</p>",
		Inbox:   forumID + "/inbox", Outbox: forumID + "/outbox", Followers: forumID + "/followers",
		Featured: forumID + "/featured", SharedInbox: "https://agora.example/inbox",
		PublicKey:    PublicKey{ID: forumID + "#main-key", Owner: forumID, PEM: "PEM-F"},
		AttributedTo: forumID + "/moderators", PostingRestrictedToMods: true,
		Languages: []string{"es", "en"},
	}
}

func instance() *Actor {
	return &Actor{
		ID: nodeID, Type: TypeApplication, PreferredUsername: "agora.example",
		Inbox: nodeID + "/inbox", Outbox: nodeID + "/outbox",
		PublicKey:                 PublicKey{ID: nodeID + "#main-key", Owner: nodeID, PEM: "PEM-N"},
		ManuallyApprovesFollowers: true,
	}
}

func question() *Object {
	return &Object{
		ID: pageID, Type: TypePage, AttributedTo: anaID,
		Name:       "When does line 4 run on Sundays?",
		NameMap:    map[string]string{"en": "When does line 4 run on Sundays?", "es": "¿Cuándo pasa la línea 4 los domingos?"},
		Content:    "<p>I can't find the timetable.</p>",
		ContentMap: map[string]string{"en": "<p>I can't find the timetable.</p>", "es": "<p>No encuentro el horario.</p>"},
		Summary:    "I can't find the timetable.",
		Source:     &Source{Content: "I can't find the timetable.", MediaType: "text/markdown"},
		Language:   "en", Audience: forumID, Context: ctxID,
		URL: pageID, To: []string{forumID, Public}, Cc: []string{anaID + "/followers"},
		Published: t0,
	}
}

func answer() *Object {
	updated := t1
	return &Object{
		ID: noteID, Type: TypeNote, AttributedTo: benID,
		Content:    "<p>Cada 20 minutos.</p>",
		ContentMap: map[string]string{"es": "<p>Cada 20 minutos.</p>"},
		Language:   "es", InReplyTo: pageID, Audience: forumID, Context: ctxID,
		To: []string{forumID, Public}, Cc: []string{anaID},
		Tag:       []Tag{{Type: "Mention", Href: anaID, Name: "@ana@agora.example"}},
		Published: t0, Updated: &updated,
	}
}

func tombstone() *Object {
	deleted := t1
	return &Object{ID: noteID, Type: TypeTombstone, FormerType: TypeNote, Deleted: &deleted}
}

func createNote() *Activity {
	return &Activity{
		ID: noteID + "/create", Type: TypeCreate, Actor: benID, Object: Ref{Object: answer()},
		To: []string{forumID, Public}, Cc: []string{anaID}, Audience: forumID, Published: t0,
	}
}

func announceCreate() *Activity {
	return &Activity{
		ID: forumID + "/announce/1", Type: TypeAnnounce, Actor: forumID,
		Object: Ref{Activity: createNote()},
		To:     []string{Public}, Cc: []string{forumID + "/followers"}, Audience: forumID,
	}
}

func follow() *Activity {
	return &Activity{ID: anaID + "/follows/1", Type: TypeFollow, Actor: anaID, Object: Ref{IRI: forumID}}
}

func acceptFollow() *Activity {
	return &Activity{ID: forumID + "/accepts/1", Type: TypeAccept, Actor: forumID, Object: Ref{Activity: follow()}}
}

func undoLike() *Activity {
	like := &Activity{ID: anaID + "/likes/1", Type: TypeLike, Actor: anaID, Object: Ref{IRI: noteID}}
	return &Activity{ID: anaID + "/likes/1/undo", Type: TypeUndo, Actor: anaID, Object: Ref{Activity: like}}
}

func deleteWithReason() *Activity {
	return &Activity{
		ID: forumID + "/deletes/1", Type: TypeDelete, Actor: forumID + "/moderators",
		Object: Ref{IRI: noteID}, Summary: "Spam", To: []string{Public}, Cc: []string{forumID},
	}
}

func flag() *Activity {
	return &Activity{
		ID: anaID + "/flags/1", Type: TypeFlag, Actor: anaID,
		Object: Ref{IRI: benID}, MoreObjects: []string{noteID},
		Content: "Off topic and rude.", To: []string{forumID},
	}
}

func lock() *Activity {
	return &Activity{
		ID: forumID + "/locks/1", Type: TypeLock, Actor: forumID,
		Object: Ref{IRI: pageID}, Summary: "Answered", To: []string{Public}, Cc: []string{forumID},
	}
}

func contextCollection() *Collection {
	n := 12
	return &Collection{ID: ctxID, Type: TypeOrderedCollection, TotalItems: &n, First: ctxID + "?page=1", Last: ctxID + "?page=2", AttributedTo: anaID}
}

func contextPage() *Collection {
	return &Collection{
		ID: ctxID + "?page=1", Type: TypeOrderedCollectionPage, PartOf: ctxID, Next: ctxID + "?page=2",
		Items: []Ref{{IRI: pageID}, {IRI: noteID}},
	}
}
