package forum_test

import (
	"context"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
)

// pausingStore holds a transaction just before it writes a post, a
// member, a forum or a webinar, until
// the test lets it go: another change then runs against a post read but
// not yet written.
type pausingStore struct {
	forum.Store
	paused  chan<- struct{} // told once the write is reached
	proceed <-chan struct{}
}

func (s pausingStore) Atomic(ctx context.Context, fn func(ctx context.Context, tx forum.Store) error) error {
	return s.Store.Atomic(ctx, func(ctx context.Context, tx forum.Store) error {
		return fn(ctx, pausingStore{Store: tx, paused: s.paused, proceed: s.proceed})
	})
}

// pause tells of the first write (paused has room for one) and holds
// every write until proceed is closed.
func (s pausingStore) pause() {
	select {
	case s.paused <- struct{}{}:
	default:
	}
	<-s.proceed
}

func (s pausingStore) UpdatePost(ctx context.Context, p *forum.Post) error {
	s.pause()
	return s.Store.UpdatePost(ctx, p)
}

func (s pausingStore) UpdateMember(ctx context.Context, m *forum.Member) error {
	s.pause()
	return s.Store.UpdateMember(ctx, m)
}

func (s pausingStore) UpdateWebinar(ctx context.Context, w *forum.Webinar) error {
	s.pause()
	return s.Store.UpdateWebinar(ctx, w)
}

func (s pausingStore) UpdateForum(ctx context.Context, f *forum.Forum) error {
	s.pause()
	return s.Store.UpdateForum(ctx, f)
}

// TestConcurrentChanges: two changes of one post, member or forum at the
// same time both stay. The first has read the row and is about to write it
// whole when the second runs; the second waits for the first (PostgreSQL:
// the row, or the post's thread, is locked; SQLite: one write transaction
// at a time) and changes what the first wrote. Without the post read again
// under its thread's lock, on PostgreSQL the first wrote back the copy it
// read before the second committed: the mentions' linking reverted an edit
// (the Update sent without its `updated`, in the federation tests), and of
// two helpful marks one was counted. Members and forums were read before
// the transaction, on both databases: a demotion was undone by the
// profile the demoted moderator saved, a forum's policy by its texts.
func TestConcurrentChanges(t *testing.T) {
	tests := []struct {
		name   string
		remote bool // the answer is Alice's, received from mastodon.example
		event  bool // the post is the question of an event (a webinar)
		first  func(ctx context.Context, svc *forum.Service, c *testrig.Cast, p *forum.Post) error
		second func(ctx context.Context, svc *forum.Service, c *testrig.Cast, p *forum.Post) error
		check  func(t *testing.T, p *forum.Post, c *testrig.Cast, svc *forum.Service)
	}{
		{
			name: "mentions linked, then an edit",
			first: func(ctx context.Context, svc *forum.Service, _ *testrig.Cast, p *forum.Post) error {
				return svc.LinkMentions(ctx, p.ID, p.Source, `<p>Hola <a href="https://city.example/u/ana">@ana</a></p>`)
			},
			second: func(ctx context.Context, svc *forum.Service, c *testrig.Cast, p *forum.Post) error {
				_, err := svc.EditPost(ctx, c.Barcelona, p.ID, forum.Edit{Body: "Hola @ana@city.example, en 2025", Language: "es"})
				return err
			},
			check: func(t *testing.T, p *forum.Post, _ *testrig.Cast, _ *forum.Service) {
				if p.EditedAt == nil || p.Source != "Hola @ana@city.example, en 2025" {
					t.Errorf("the edit was undone: edited %v, source %q", p.EditedAt, p.Source)
				}
			},
		},
		{
			name: "two helpful marks",
			first: func(ctx context.Context, svc *forum.Service, c *testrig.Cast, p *forum.Post) error {
				_, err := svc.SetHelpful(ctx, c.BeloHz, p.ID, true)
				return err
			},
			second: func(ctx context.Context, svc *forum.Service, c *testrig.Cast, p *forum.Post) error {
				_, err := svc.SetHelpful(ctx, c.Toronto, p.ID, true)
				return err
			},
			check: func(t *testing.T, p *forum.Post, _ *testrig.Cast, _ *forum.Service) {
				if p.HelpfulCount != 2 {
					t.Errorf("helpful count %d, want 2", p.HelpfulCount)
				}
			},
		},
		{
			name:   "a helpful mark, then the received deletion",
			remote: true,
			first: func(ctx context.Context, svc *forum.Service, c *testrig.Cast, p *forum.Post) error {
				_, err := svc.SetHelpful(ctx, c.BeloHz, p.ID, true)
				return err
			},
			second: func(ctx context.Context, svc *forum.Service, _ *testrig.Cast, p *forum.Post) error {
				alice, err := svc.MemberByURI(ctx, "https://mastodon.example/users/alice")
				if err != nil {
					return err
				}
				return svc.ReceiveDelete(ctx, p, alice, "")
			},
			check: func(t *testing.T, p *forum.Post, _ *testrig.Cast, _ *forum.Service) {
				if !p.Deleted() || p.HelpfulCount != 1 {
					t.Errorf("deleted %v, helpful count %d: want deleted, 1", p.Deleted(), p.HelpfulCount)
				}
			},
		},
		{
			name: "a demotion, then the profile of the demoted",
			first: func(ctx context.Context, svc *forum.Service, c *testrig.Cast, _ *forum.Post) error {
				_, err := svc.SetRole(ctx, c.Admin, c.Moderator.ID, forum.RoleMember)
				return err
			},
			second: func(ctx context.Context, svc *forum.Service, c *testrig.Cast, _ *forum.Post) error {
				_, err := svc.UpdateProfile(ctx, c.Moderator, c.Moderator.ID, forum.Profile{DisplayName: "Nadia Ould",
					Title: "Lead facilitator", Organisation: "Nouakchott", Languages: []string{"fr", "ar"}})
				return err
			},
			check: func(t *testing.T, _ *forum.Post, c *testrig.Cast, svc *forum.Service) {
				m, err := svc.MemberByUsername(context.Background(), c.Moderator.Username)
				if err != nil {
					t.Fatal(err)
				}
				if m.Role != forum.RoleMember || m.Title != "Lead facilitator" {
					t.Errorf("role %q, title %q: want member, Lead facilitator", m.Role, m.Title)
				}
			},
		},
		{
			name: "a forum's policy, then its texts",
			first: func(ctx context.Context, svc *forum.Service, c *testrig.Cast, _ *forum.Post) error {
				_, err := svc.SetPolicy(ctx, c.Admin, c.Forum.ID, forum.ForumPolicy{ListedOnly: true, Instances: []string{"bcn.example"}})
				return err
			},
			second: func(ctx context.Context, svc *forum.Service, c *testrig.Cast, _ *forum.Post) error {
				_, err := svc.UpdateForum(ctx, c.Admin, c.Forum.ID, forum.ForumInput{Language: "en",
					Texts: map[string]forum.ForumText{"en": {Title: "Digitalisation, city to city"}}})
				return err
			},
			check: func(t *testing.T, _ *forum.Post, c *testrig.Cast, svc *forum.Service) {
				f, err := svc.ForumByID(context.Background(), c.Forum.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !f.Policy.ListedOnly || f.Texts["en"].Title != "Digitalisation, city to city" {
					t.Errorf("listed only %v, title %q: want true, the new title", f.Policy.ListedOnly, f.Texts["en"].Title)
				}
			},
		},
		{
			name: "two edits of an event",
			first: func(ctx context.Context, svc *forum.Service, c *testrig.Cast, p *forum.Post) error {
				return editEvent(ctx, svc, c.Moderator, p, "Launch of the Learning Forum", "Welcome.")
			},
			second: func(ctx context.Context, svc *forum.Service, c *testrig.Cast, p *forum.Post) error {
				return editEvent(ctx, svc, c.Admin, p, "Launch", "Agenda attached.")
			},
			check: func(t *testing.T, p *forum.Post, _ *testrig.Cast, svc *forum.Service) {
				w, err := svc.WebinarOfThread(context.Background(), p.ThreadID)
				if err != nil {
					t.Fatal(err)
				}
				// Created at 0, each edit one more: a calendar applies a
				// new version only with a higher number.
				if w.Sequence != 2 || w.Texts["en"].Description != "Agenda attached." {
					t.Errorf("sequence %d, description %q: want 2, the second edit's", w.Sequence, w.Texts["en"].Description)
				}
			},
			event: true,
		},
	}
	for _, b := range storetest.Backends(t) {
		for _, tt := range tests {
			t.Run(b.Name+"/"+tt.name, func(t *testing.T) {
				ctx := context.Background()
				rig := testrig.NewOn(t, b.Open(t))
				cast := rig.Seed(t)
				th, err := rig.Service.Ask(ctx, cast.Toronto, cast.Forum.ID, forum.Question{Title: "Digital ID for residents?",
					Body: "What did you choose?", Language: "en"})
				if err != nil {
					t.Fatal(err)
				}
				answer, err := rig.Service.Reply(ctx, cast.Barcelona, th.ID, "", forum.Answer{Body: "Hola @ana@city.example", Language: "es"})
				if err != nil {
					t.Fatal(err)
				}
				if tt.event {
					w, err := rig.Service.CreateWebinar(ctx, cast.Moderator, cast.Forum.ID, eventInput(rig, "Launch", "Welcome."))
					if err != nil {
						t.Fatal(err)
					}
					et, err := rig.Service.Thread(ctx, w.ThreadID)
					if err != nil {
						t.Fatal(err)
					}
					if answer, err = rig.Service.Post(ctx, et.RootPostID); err != nil {
						t.Fatal(err)
					}
				}
				if tt.remote {
					alice, err := rig.Service.SaveRemoteMember(ctx, forum.RemoteProfile{
						URI: "https://mastodon.example/users/alice", Username: "alice", Domain: "mastodon.example"})
					if err != nil {
						t.Fatal(err)
					}
					answer, err = rig.Service.ReceiveAnswer(ctx, th, answer, forum.RemotePost{URI: "https://mastodon.example/users/alice/statuses/1",
						Author: alice, HTML: "<p>A pilot</p>", Language: "en", Published: rig.Clock.Now()})
					if err != nil {
						t.Fatal(err)
					}
				}

				paused, proceed := make(chan struct{}, 1), make(chan struct{})
				pausing := rig.Service.WithStore(pausingStore{Store: rig.DB.Store(), paused: paused, proceed: proceed})
				firstDone := make(chan error, 1)
				go func() { firstDone <- tt.first(ctx, pausing, cast, answer) }()
				select {
				case <-paused:
				case err := <-firstDone:
					t.Fatalf("the first change ended without writing the post: %v", err)
				case <-time.After(10 * time.Second):
					t.Fatal("the first change did not reach its write")
				}
				secondDone := make(chan error, 1)
				go func() { secondDone <- tt.second(ctx, rig.Service, cast, answer) }()
				// Unfixed, the second change commits at once on PostgreSQL;
				// fixed, it waits for the first. Either way the first goes
				// on after this wait or once the second has ended.
				select {
				case err := <-secondDone:
					secondDone <- err
				case <-time.After(300 * time.Millisecond):
				}
				close(proceed)
				for what, done := range map[string]chan error{"first": firstDone, "second": secondDone} {
					select {
					case err := <-done:
						if err != nil {
							t.Fatalf("%s change: %v", what, err)
						}
					case <-time.After(10 * time.Second):
						t.Fatalf("the %s change did not end", what)
					}
				}
				got, err := rig.Service.Post(ctx, answer.ID)
				if err != nil {
					t.Fatal(err)
				}
				tt.check(t, got, cast, rig.Service)
			})
		}
	}
}

// eventInput is an event two days after the rig's clock.
func eventInput(rig *testrig.Rig, title, description string) forum.WebinarInput {
	start := rig.Clock.Now().Add(48 * time.Hour).Truncate(time.Hour)
	return forum.WebinarInput{Language: "en", Texts: map[string]forum.WebinarText{"en": {Title: title, Description: description}},
		Starts: start.Format(forum.WebinarTimeLayout), Ends: start.Add(90 * time.Minute).Format(forum.WebinarTimeLayout),
		TimeZone: "UTC", OnlineURL: "https://meet.example/launch"}
}

// editEvent edits the event whose question is p.
func editEvent(ctx context.Context, svc *forum.Service, by *forum.Member, p *forum.Post, title, description string) error {
	w, err := svc.WebinarOfThread(ctx, p.ThreadID)
	if err != nil {
		return err
	}
	in := forum.WebinarInput{Language: "en", Texts: map[string]forum.WebinarText{"en": {Title: title, Description: description}},
		Starts: w.StartsAt.UTC().Format(forum.WebinarTimeLayout), Ends: w.EndsAt.UTC().Format(forum.WebinarTimeLayout),
		TimeZone: "UTC", OnlineURL: w.OnlineURL}
	_, err = svc.EditWebinar(ctx, by, w.ID, in)
	return err
}
