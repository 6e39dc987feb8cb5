package notify_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/markup"
	"github.com/metropolis/agora/notify"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
	"github.com/metropolis/agora/uris"
)

// world is a rig with its cast, a deriver and the notify service.
type world struct {
	rig   *testrig.Rig
	cast  *testrig.Cast
	ctx   context.Context
	store notify.Store
	d     *notify.Deriver
	svc   *notify.Service
}

func newWorld(t *testing.T, open func(testing.TB) *testrig.Rig) *world {
	rig := open(t)
	w := &world{rig: rig, cast: rig.Seed(t), ctx: context.Background(), store: rig.DB.Store()}
	urls, err := uris.New(testrig.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	w.d = &notify.Deriver{Events: rig.Service.Events, Store: w.store, Forum: rig.Service, URLs: urls,
		Markup: markup.New(), IDs: testrig.IDs(rig.Clock), Logger: slog.New(slog.DiscardHandler), Now: rig.Clock.Now}
	w.svc = &notify.Service{Store: w.store, Now: rig.Clock.Now}
	return w
}

// eachBackend runs fn on a world on SQLite, and on PostgreSQL when the
// environment names one.
func eachBackend(t *testing.T, fn func(t *testing.T, w *world)) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			fn(t, newWorld(t, func(tb testing.TB) *testrig.Rig { return testrig.NewOn(tb, b.Open(tb)) }))
		})
	}
}

func (w *world) pass(t *testing.T) {
	t.Helper()
	if err := w.d.Pass(w.ctx, true); err != nil {
		t.Fatalf("derive: %v", err)
	}
}

func (w *world) ask(t *testing.T, by *forum.Member, body string) *forum.Thread {
	t.Helper()
	w.rig.Clock.Advance(time.Second)
	th, err := w.rig.Service.Ask(w.ctx, by, w.cast.Forum.ID, forum.Question{Title: "Has Covid-19 been a turning point?", Body: body, Language: "en"})
	if err != nil {
		t.Fatalf("ask: %v", err)
	}
	return th
}

func (w *world) reply(t *testing.T, by *forum.Member, th *forum.Thread, parent, body string) *forum.Post {
	t.Helper()
	w.rig.Clock.Advance(time.Second)
	p, err := w.rig.Service.Reply(w.ctx, by, th.ID, parent, forum.Answer{Body: body, Language: "en"})
	if err != nil {
		t.Fatalf("reply: %v", err)
	}
	return p
}

func (w *world) remote(t *testing.T) *forum.Member {
	t.Helper()
	m, err := w.rig.Service.SaveRemoteMember(w.ctx, forum.RemoteProfile{URI: "https://city.example/u/lina", Username: "lina",
		Domain: "city.example", DisplayName: "Lina"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (w *world) receive(t *testing.T, th *forum.Thread, parent *forum.Post, by *forum.Member, html string) {
	t.Helper()
	w.rig.Clock.Advance(time.Second)
	_, err := w.rig.Service.ReceiveAnswer(w.ctx, th, parent, forum.RemotePost{URI: "https://city.example/p/" + w.rig.Clock.Now().Format("150405"),
		Author: by, HTML: html, Language: "en", Published: w.rig.Clock.Now(), ReceivedID: testrig.IDs(w.rig.Clock).New()})
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
}

// told lists who has which unread notification, as "username:kind".
func (w *world) told(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, m := range []*forum.Member{w.cast.Admin, w.cast.Moderator, w.cast.Barcelona, w.cast.BeloHz, w.cast.Toronto} {
		ns, err := w.store.ListNotifications(w.ctx, m.ID, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns {
			if n.ReadAt == nil {
				out = append(out, m.Username+":"+string(n.Kind))
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestDeriveNotifications(t *testing.T) {
	tests := []struct {
		name string
		act  func(t *testing.T, w *world)
		want []string
	}{
		{"an answer to my question", func(t *testing.T, w *world) {
			th := w.ask(t, w.cast.Barcelona, "Context.")
			w.reply(t, w.cast.BeloHz, th, "", "In Belo Horizonte it was.")
		}, []string{"marta:reply"}},
		{"an answer to my answer", func(t *testing.T, w *world) {
			th := w.ask(t, w.cast.Barcelona, "Context.")
			a := w.reply(t, w.cast.BeloHz, th, "", "First.")
			w.reply(t, w.cast.Toronto, th, a.ID, "Second.")
		}, []string{"joao:reply", "marta:answer", "marta:reply"}},
		{"my own answer tells me nothing", func(t *testing.T, w *world) {
			th := w.ask(t, w.cast.Barcelona, "Context.")
			w.reply(t, w.cast.Barcelona, th, "", "An update of mine.")
		}, nil},
		{"a new answer in a thread I watch", func(t *testing.T, w *world) {
			th := w.ask(t, w.cast.Barcelona, "Context.")
			if err := w.svc.SetWatch(w.ctx, w.cast.Toronto.ID, notify.TargetThread, th.ID, true); err != nil {
				t.Fatal(err)
			}
			w.reply(t, w.cast.BeloHz, th, "", "An answer.")
		}, []string{"marta:reply", "priya:answer"}},
		{"a thread I answered is watched", func(t *testing.T, w *world) {
			th := w.ask(t, w.cast.Barcelona, "Context.")
			w.reply(t, w.cast.Toronto, th, "", "Mine.")
			w.pass(t)
			w.reply(t, w.cast.BeloHz, th, "", "Another.")
		}, []string{"marta:reply", "marta:reply", "priya:answer"}},
		{"unless I turned that off", func(t *testing.T, w *world) {
			p := notify.DefaultPrefs()
			p.AutoWatch = false
			if err := w.svc.SavePrefs(w.ctx, w.cast.Toronto.ID, p); err != nil {
				t.Fatal(err)
			}
			th := w.ask(t, w.cast.Barcelona, "Context.")
			w.reply(t, w.cast.Toronto, th, "", "Mine.")
			w.pass(t)
			w.reply(t, w.cast.BeloHz, th, "", "Another.")
		}, []string{"marta:reply", "marta:reply"}},
		{"an unwatched thread stays unwatched", func(t *testing.T, w *world) {
			th := w.ask(t, w.cast.Barcelona, "Context.")
			if err := w.svc.SetWatch(w.ctx, w.cast.Toronto.ID, notify.TargetThread, th.ID, false); err != nil {
				t.Fatal(err)
			}
			w.reply(t, w.cast.Toronto, th, "", "Mine.")
			w.pass(t)
			w.reply(t, w.cast.BeloHz, th, "", "Another.")
		}, []string{"marta:reply", "marta:reply"}},
		{"a new question in a forum I watch", func(t *testing.T, w *world) {
			if err := w.svc.SetWatch(w.ctx, w.cast.Toronto.ID, notify.TargetForum, w.cast.Forum.ID, true); err != nil {
				t.Fatal(err)
			}
			w.ask(t, w.cast.Barcelona, "Context.")
		}, []string{"priya:question"}},
		{"a mention, over a watched thread's answer", func(t *testing.T, w *world) {
			th := w.ask(t, w.cast.Barcelona, "Context.")
			if err := w.svc.SetWatch(w.ctx, w.cast.Toronto.ID, notify.TargetThread, th.ID, true); err != nil {
				t.Fatal(err)
			}
			w.reply(t, w.cast.BeloHz, th, "", "What does @priya think? And @nobody, and `@joao` in code.")
		}, []string{"marta:reply", "priya:mention"}},
		{"a mention with this node's host", func(t *testing.T, w *world) {
			w.ask(t, w.cast.Barcelona, "Ask @priya@agora.test please.")
		}, []string{"priya:mention"}},
		{"a received answer counts the same", func(t *testing.T, w *world) {
			th := w.ask(t, w.cast.Barcelona, "Context.")
			q, err := w.rig.Service.Post(w.ctx, th.RootPostID)
			if err != nil {
				t.Fatal(err)
			}
			w.receive(t, th, q, w.remote(t), `<p>Hello <a href="`+testrig.BaseURL+`/u/priya" class="u-url mention">@priya</a></p>`)
		}, []string{"marta:reply", "priya:mention"}},
		{"someone found my answer helpful", func(t *testing.T, w *world) {
			th := w.ask(t, w.cast.Barcelona, "Context.")
			a := w.reply(t, w.cast.BeloHz, th, "", "Answer.")
			w.pass(t)
			if err := w.svc.MarkRead(w.ctx, w.cast.Barcelona.ID, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := w.rig.Service.SetHelpful(w.ctx, w.cast.Toronto, a.ID, true); err != nil {
				t.Fatal(err)
			}
		}, []string{"joao:helpful"}},
		{"a received helpful mark, and its removal", func(t *testing.T, w *world) {
			th := w.ask(t, w.cast.Barcelona, "Context.")
			a := w.reply(t, w.cast.BeloHz, th, "", "Answer.")
			lina := w.remote(t)
			if err := w.rig.Service.ReceiveHelpful(w.ctx, a, lina, true, "01kbtest000000000000000001"); err != nil {
				t.Fatal(err)
			}
			w.pass(t)
			if err := w.svc.MarkRead(w.ctx, w.cast.BeloHz.ID, nil); err != nil {
				t.Fatal(err)
			}
			if err := w.rig.Service.ReceiveHelpful(w.ctx, a, lina, false, "01kbtest000000000000000002"); err != nil {
				t.Fatal(err)
			}
		}, []string{"marta:reply"}},
		{"my answer marked a good practice", func(t *testing.T, w *world) {
			th := w.ask(t, w.cast.Barcelona, "Context.")
			a := w.reply(t, w.cast.BeloHz, th, "", "Answer.")
			w.pass(t)
			if err := w.svc.MarkRead(w.ctx, w.cast.Barcelona.ID, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := w.rig.Service.SetGoodPractice(w.ctx, w.cast.Moderator, a.ID, true); err != nil {
				t.Fatal(err)
			}
		}, []string{"joao:good_practice"}},
		{"moderators hear of a report", func(t *testing.T, w *world) {
			th := w.ask(t, w.cast.Barcelona, "Context.")
			if _, err := w.rig.Service.Report(w.ctx, w.cast.BeloHz, th.RootPostID, "spam"); err != nil {
				t.Fatal(err)
			}
		}, []string{"moderator:report", "secretariat:report"}},
		{"and of a report from another node", func(t *testing.T, w *world) {
			th := w.ask(t, w.cast.Barcelona, "Context.")
			q, _ := w.rig.Service.Post(w.ctx, th.RootPostID)
			if _, err := w.rig.Service.ReceiveReport(w.ctx, q, w.remote(t), "spam", "https://city.example/flag/1"); err != nil {
				t.Fatal(err)
			}
		}, []string{"moderator:report", "secretariat:report"}},
		{"admins hear of an accepted invitation", func(t *testing.T, w *world) {
			_, token, err := w.rig.Service.Invite(w.ctx, w.cast.Admin, forum.RoleMember, "for Nouakchott")
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := w.rig.Service.AcceptInvitation(w.ctx, token, forum.NewAccount{Username: "aminata", Password: testrig.Password,
				Profile: forum.Profile{DisplayName: "Aminata"}}); err != nil {
				t.Fatal(err)
			}
		}, []string{"secretariat:invitation"}},
		{"admins hear of a follow request", func(t *testing.T, w *world) {
			if err := w.rig.Service.NoteFollowRequest(w.ctx, w.cast.Forum.ID); err != nil {
				t.Fatal(err)
			}
		}, []string{"secretariat:follow_request"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachBackend(t, func(t *testing.T, w *world) {
				tt.act(t, w)
				w.pass(t)
				if got := w.told(t); !slices.Equal(got, tt.want) {
					t.Errorf("notifications = %q, want %q", got, tt.want)
				}
			})
		})
	}
}

// A restarted deriver (nothing seen in memory) derives again what it
// derived before, and stores nothing twice; an event committed after a
// later one was read is derived by the next sweep.
func TestDeriveOnceAndLateEvents(t *testing.T) {
	eachBackend(t, func(t *testing.T, w *world) {
		th := w.ask(t, w.cast.Barcelona, "Context.")
		w.reply(t, w.cast.BeloHz, th, "", "One.")
		w.pass(t)
		old := w.d
		w.d = &notify.Deriver{Events: w.rig.Service.Events, Store: w.store, Forum: w.rig.Service, URLs: old.URLs,
			Markup: old.Markup, IDs: testrig.IDs(w.rig.Clock), Logger: old.Logger, Now: w.rig.Clock.Now}
		w.pass(t)
		if got, want := w.told(t), []string{"marta:reply"}; !slices.Equal(got, want) {
			t.Fatalf("after a restart: %q, want %q", got, want)
		}
		// An event whose ID sorts before the cursor, as one committed late.
		a := w.reply(t, w.cast.Toronto, th, "", "Two.")
		late := &forum.Event{Kind: forum.EventGoodPracticeMarked, ActorID: w.cast.Moderator.ID,
			ForumID: th.ForumID, ThreadID: th.ID, PostID: a.ID, CreatedAt: w.rig.Clock.Now()}
		w.pass(t) // the cursor passes the reply
		late.ID = forum.ID(string(a.ID[:len(a.ID)-1]) + "0")
		if late.ID >= a.ID {
			t.Fatalf("late id %s does not sort before %s", late.ID, a.ID)
		}
		if err := w.rig.DB.Store().AppendEvent(w.ctx, late); err != nil {
			t.Fatal(err)
		}
		w.pass(t)
		want := []string{"joao:answer", "marta:reply", "marta:reply", "priya:good_practice"}
		if got := w.told(t); !slices.Equal(got, want) {
			t.Fatalf("after a late event: %q, want %q", got, want)
		}
	})
}
