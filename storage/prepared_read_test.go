package storage_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/storetest"
)

// TestPreparedReadRows: each prepared read returns, field by field, what
// the bun statement it replaced returned, outside a transaction and
// inside one (where it runs on the transaction's connection). The rows
// read have a value in every column, so a column scanned into the wrong
// field, or not at all, shows.
func TestPreparedReadRows(t *testing.T) {
	odd := time.Date(2026, 11, 22, 12, 30, 15, 123456000, time.UTC)
	later := time.Date(2026, 11, 23, 8, 0, 0, 120000, time.UTC)
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t).Store()
			f := newFixture(t, s)
			c := ctx(t)
			author := &forum.Member{ID: f.ids.New(), Username: "rui@city.example", Domain: "city.example",
				URI: "https://city.example/users/rui", ProfileURL: "https://city.example/@rui", DisplayName: "Rui",
				Title: "Data officer", Organisation: "Porto", CityID: f.ids.New(), Languages: []string{"pt", "es", "en"},
				UILanguage: "pt", TimeZone: "Europe/Lisbon", Role: forum.RoleMember, PasswordHash: "x$hash",
				CreatedAt: odd, Avatar: "avatar.png", AvatarURL: "https://city.example/rui.png"}
			wantErr(t, "CreateMember", s.CreateMember(c, author), nil)
			hub := &forum.Forum{ID: f.ids.New(), Slug: "mobility@hub.example", Position: 7, Language: "es",
				Texts: map[string]forum.ForumText{"es": {Title: "Movilidad", Description: "Foro"},
					"en": {Title: "Mobility", Description: "Forum"}},
				URI: "https://hub.example/forums/mobility", Domain: "hub.example", CreatedAt: odd,
				Policy: forum.ForumPolicy{ApproveFollows: true, ListedOnly: true,
					Instances: []string{"b.example", "a.example", "c.example"}}}
			wantErr(t, "CreateForum", s.CreateForum(c, hub), nil)
			tid := f.ids.New()
			th := &forum.Thread{ID: tid, URI: "https://hub.example/q/1", ContextURI: "https://hub.example/q/1/context",
				ForumID: hub.ID, AuthorID: author.ID, RootPostID: tid, Title: "Bus lanes", Language: "es",
				Pinned: true, Locked: true, ReplyCount: 4, LastPostID: tid, LastPostAt: later, CreatedAt: odd,
				DeletedAt: &later}
			q := &forum.Post{ID: tid, URI: th.URI, ThreadID: tid, AuthorID: author.ID, BranchID: tid, Language: "es",
				Source: "¿carriles?", HTML: "<p>¿carriles?</p>", CreatedAt: odd}
			wantErr(t, "CreateThread", s.CreateThread(c, th, q), nil)
			p := &forum.Post{ID: f.ids.New(), URI: "https://city.example/notes/9", ThreadID: tid, AuthorID: author.ID,
				ParentID: q.ID, BranchID: q.ID, Language: "pt", Source: "it's \"quoted\" — ção", HTML: "<p>sim</p>",
				Translations: map[string]forum.Translation{"en": {Title: "t", HTML: "<p>yes</p>", Source: "yes",
					TranslatorID: f.member.ID}},
				Extras:       forum.Extras{Warning: "spoiler", Sensitive: true},
				HelpfulCount: 3, ShareCount: 5, GoodPracticeAt: &later, GoodPracticeBy: f.member.ID,
				CreatedAt: odd, EditedAt: &later, OriginUpdatedAt: &odd, DeletedAt: &later, DeletedBy: f.member.ID}
			wantErr(t, "CreatePost", s.CreatePost(c, p), nil)
			wantErr(t, "AddTombstone", s.AddTombstone(c, &federation.Tombstone{URI: "https://city.example/notes/1",
				DeletedAt: odd}), nil)
			out := &federation.OutboxActivity{ID: f.ids.New(), URI: "https://node.example/activities/1",
				ActorURI: "https://node.example/forums/digital", Type: "Announce", ObjectURI: p.URI,
				Body: []byte(`{"type":"Announce"}`), Public: true, CreatedAt: odd}
			wantErr(t, "AddOutboxActivity", s.AddOutboxActivity(c, out), nil)
			local := "https://node.example/forums/digital"
			wantErr(t, "SaveRemoteActor", s.SaveRemoteActor(c, &federation.RemoteActor{URI: "https://city.example/actor",
				Type: "Application", Domain: "city.example", Inbox: "https://city.example/actor/inbox", FetchedAt: odd}), nil)
			wantErr(t, "SaveFollower", s.SaveFollower(c, &federation.Follower{ID: f.ids.New(), Target: local,
				ActorURI: "https://city.example/actor", Inbox: "https://city.example/actor/inbox",
				SharedInbox: "https://city.example/inbox", FollowID: "https://city.example/follows/1",
				State: federation.FollowAccepted, CreatedAt: odd}), nil)
			wantErr(t, "SaveRemoteActor", s.SaveRemoteActor(c, &federation.RemoteActor{URI: "https://town.example/users/eva",
				Type: "Person", Domain: "town.example", Inbox: "https://town.example/users/eva/inbox", FetchedAt: odd}), nil)
			wantErr(t, "SaveFollower", s.SaveFollower(c, &federation.Follower{ID: f.ids.New(), Target: local,
				ActorURI: "https://town.example/users/eva", Inbox: "https://town.example/users/eva/inbox", SharedInbox: "https://town.example/inbox",
				FollowID: "https://town.example/follows/2", State: federation.FollowAccepted, CreatedAt: later}), nil)
			wantErr(t, "AppendEvent", s.AppendEvent(c, &forum.Event{ID: f.ids.New(), Kind: forum.EventKind("received.post"),
				ActorID: author.ID, ForumID: hub.ID, ThreadID: tid, PostID: p.ID, MemberID: author.ID,
				ReceivedID: f.ids.New(), ReportID: f.ids.New(), CreatedAt: odd}), nil)
			item := f.ids.New()
			wantErr(t, "AddInboxItem", s.AddInboxItem(c, &federation.InboxItem{ID: item,
				ActivityID: "https://city.example/activities/1", ActorURI: author.URI, Body: []byte(`{"type":"Create"}`),
				ReceivedAt: odd, Attempts: 2, NextAttemptAt: later, LastError: "timeout"}), nil)
			now := later.Add(time.Hour)
			expired, leased := later.Add(-time.Hour), now.Add(time.Hour)
			delivery := func(host, key string, next time.Time, lease *time.Time) *federation.Delivery {
				return &federation.Delivery{ID: f.ids.New(), ActivityID: out.ID, Inbox: "https://" + host + "/inbox",
					Host: host, OrderKey: key, State: federation.DeliveryPending, Attempts: 1, NextAttemptAt: next,
					LeaseUntil: lease, LastStatus: 503, LastError: "busy", CreatedAt: odd}
			}
			wantErr(t, "AddDeliveries", s.AddDeliveries(c, []*federation.Delivery{
				delivery("a.example", "k1", later, &expired),         // due, its lease expired: a candidate
				delivery("b.example", "k2", now.Add(time.Hour), nil), // awaiting its retry
				delivery("c.example", "k3", later, &leased),          // in flight
			}), nil)

			tests := []struct {
				name string
				// read returns what the statement read: prepared, or by
				// the bun statement it replaced.
				read func(c context.Context, s *storage.Store, prepared bool) (any, error)
				zero []string // fields the rows leave zero (none can hold a value)
			}{
				{"member by uri", func(c context.Context, s *storage.Store, prepared bool) (any, error) {
					if prepared {
						return s.MemberByURI(c, author.URI)
					}
					return storage.BunMemberByURI(c, s, author.URI)
				}, nil},
				{"forum by id", func(c context.Context, s *storage.Store, prepared bool) (any, error) {
					if prepared {
						return s.ForumByID(c, hub.ID)
					}
					return storage.BunForumByID(c, s, hub.ID)
				}, nil},
				{"forum by uri", func(c context.Context, s *storage.Store, prepared bool) (any, error) {
					if prepared {
						return s.ForumByURI(c, hub.URI)
					}
					return storage.BunForumByID(c, s, hub.ID)
				}, nil},
				{"post by id", func(c context.Context, s *storage.Store, prepared bool) (any, error) {
					if prepared {
						return s.PostByID(c, p.ID)
					}
					return storage.BunPostByURI(c, s, p.URI)
				}, []string{"Images"}},
				{"post by uri", func(c context.Context, s *storage.Store, prepared bool) (any, error) {
					if prepared {
						return s.PostByURI(c, p.URI)
					}
					return storage.BunPostByURI(c, s, p.URI)
				}, []string{"Images"}},
				{"read thread", func(c context.Context, s *storage.Store, prepared bool) (any, error) {
					if prepared {
						return s.ReadThread(c, tid)
					}
					return storage.BunReadThread(c, s, tid)
				}, nil},
				{"tombstone", func(c context.Context, s *storage.Store, prepared bool) (any, error) {
					if prepared {
						return s.Tombstone(c, "https://city.example/notes/1")
					}
					return storage.BunTombstone(c, s, "https://city.example/notes/1")
				}, nil},
				{"list followers", func(c context.Context, s *storage.Store, prepared bool) (any, error) {
					if prepared {
						return s.ListFollowers(c, local, "", 50)
					}
					return storage.BunListFollowers(c, s, local, "", 50)
				}, nil},
				{"follower inboxes", func(c context.Context, s *storage.Store, prepared bool) (any, error) {
					if prepared {
						return s.FollowerInboxes(c, local)
					}
					return storage.BunFollowerInboxes(c, s, local)
				}, []string{"Person"}}, // one of each: see the fixture
				{"list events", func(c context.Context, s *storage.Store, prepared bool) (any, error) {
					if prepared {
						return s.ListEvents(c, "", 50)
					}
					return storage.BunListEvents(c, s, "", 50)
				}, nil},
				{"unpublished events", func(c context.Context, s *storage.Store, prepared bool) (any, error) {
					if prepared {
						return s.UnpublishedEvents(c, 50)
					}
					return storage.BunUnpublishedEvents(c, s, 50)
				}, nil},
				{"inbox item", func(c context.Context, s *storage.Store, prepared bool) (any, error) {
					if prepared {
						return s.InboxItem(c, item)
					}
					return storage.BunInboxItem(c, s, item)
				}, []string{"ProcessedAt", "FailedAt"}},
				{"claimable inbox items", func(c context.Context, s *storage.Store, prepared bool) (any, error) {
					if prepared {
						return storage.ClaimableInboxItems(c, s, now, 32)
					}
					return storage.BunClaimableInboxItems(c, s, now, 32)
				}, []string{"ProcessedAt", "FailedAt"}},
				{"delivery candidates", func(c context.Context, s *storage.Store, prepared bool) (any, error) {
					if prepared {
						return storage.DeliveryCandidates(c, s, now, "", nil)
					}
					return storage.BunDeliveryCandidates(c, s, now, "", nil)
				}, []string{"FinishedAt"}},
				{"hosts awaiting retry, deliveries in flight", func(c context.Context, s *storage.Store, prepared bool) (any, error) {
					if prepared {
						return storage.DeliveryHosts(c, s, now)
					}
					return storage.BunDeliveryHosts(c, s, now)
				}, nil},
				{"outbox activity", func(c context.Context, s *storage.Store, prepared bool) (any, error) {
					if prepared {
						return s.OutboxActivity(c, out.ID)
					}
					return storage.BunOutboxActivity(c, s, out.ID)
				}, nil},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					want, err := tt.read(ctx(t), s, false)
					wantErr(t, "bun read", err, nil)
					allSet(t, want, tt.zero...)
					got, err := tt.read(ctx(t), s, true)
					wantErr(t, "prepared read", err, nil)
					same(t, "outside a transaction", got, want)
					// Twice in a transaction: prepared on its connection,
					// then reused there.
					err = s.Atomic(ctx(t), func(c context.Context, tx forum.Store) error {
						for range 2 {
							got, err := tt.read(c, tx.(*storage.Store), true)
							if err != nil {
								return err
							}
							same(t, "in a transaction", got, want)
						}
						return nil
					})
					wantErr(t, "prepared read in a transaction", err, nil)
				})
			}
		})
	}
}

// TestPreparedReadNotFound: a prepared read that finds no row says
// forum.ErrNotFound, as bun's Scan of one row did.
func TestPreparedReadNotFound(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		c := ctx(t)
		reads := map[string]func() error{
			"member by uri": func() error { _, err := s.MemberByURI(c, "https://nowhere.example/u"); return err },
			"forum by id":   func() error { _, err := s.ForumByID(c, "nothing"); return err },
			"post by id":    func() error { _, err := s.PostByID(c, "nothing"); return err },
			"read thread":   func() error { _, err := s.ReadThread(c, "nothing"); return err },
			"tombstone":     func() error { _, err := s.Tombstone(c, "https://nowhere.example/n"); return err },
			"outbox":        func() error { _, err := s.OutboxActivity(c, "nothing"); return err },
			"inbox item":    func() error { _, err := s.InboxItem(c, "nothing"); return err },
		}
		for name, read := range reads {
			wantErr(t, name, read(), forum.ErrNotFound)
		}
	})
}

// allSet fails if a field of the struct v points to is zero, but those
// named in zero: the comparison would not see that column scanned wrong.
// Of a slice or a map, it fails if it is empty, and looks into each
// element.
func allSet(t *testing.T, v any, zero ...string) {
	t.Helper()
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Map:
		if rv.Len() == 0 {
			t.Errorf("%T: the fixture reads nothing", v)
		}
		if rv.Kind() == reflect.Map {
			return
		}
		for i := range rv.Len() {
			allSet(t, rv.Index(i).Interface(), zero...)
		}
		return
	case reflect.Pointer:
		rv = rv.Elem()
	case reflect.Struct:
	default:
		t.Fatalf("allSet(%T)", v)
	}
	skip := map[string]bool{}
	for _, z := range zero {
		skip[z] = true
	}
	for i := range rv.NumField() {
		if name := rv.Type().Field(i).Name; !skip[name] && rv.Field(i).IsZero() {
			t.Errorf("%T: the fixture leaves %s zero", v, name)
		}
	}
}
