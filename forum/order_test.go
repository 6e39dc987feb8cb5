package forum_test

import (
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
)

// A reply is listed after the post it answers even when its author's
// server says it was published earlier (a clock behind ours, or a post
// fetched late): on every node the thread reads top to bottom.
func TestRepliesSortAfterTheirParent(t *testing.T) {
	tests := []struct {
		name   string
		offset time.Duration // published time of the remote posts, from now
	}{
		{"published an hour before the parent", -time.Hour},
		{"published in the parent's millisecond", 0},
		{"published later", time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			th := w.ask(t, w.cast.Barcelona, "Digital ID for residents?")
			alice, err := w.rig.Service.SaveRemoteMember(w.ctx, forum.RemoteProfile{
				URI: "https://mastodon.example/users/alice", Username: "alice", Domain: "mastodon.example"})
			if err != nil {
				t.Fatal(err)
			}
			view, err := w.rig.Service.ReadThread(w.ctx, nil, th.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			question := view.Posts.Items[0]
			at := w.rig.Clock.Now().Add(tt.offset)
			answer, err := w.rig.Service.ReceiveAnswer(w.ctx, th, question, forum.RemotePost{
				URI: "https://mastodon.example/users/alice/statuses/1", Author: alice, HTML: "<p>An answer</p>",
				Language: "en", Published: at})
			if err != nil {
				t.Fatal(err)
			}
			local := w.reply(t, w.cast.Toronto, th, answer.ID, "Una respuesta local")
			remote, err := w.rig.Service.ReceiveAnswer(w.ctx, th, answer, forum.RemotePost{
				URI: "https://mastodon.example/users/alice/statuses/2", Author: alice, HTML: "<p>A nested reply</p>",
				Language: "en", Published: at})
			if err != nil {
				t.Fatal(err)
			}
			view, err = w.rig.Service.ReadThread(w.ctx, nil, th.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			var got []forum.ID
			for _, p := range view.Posts.Items {
				got = append(got, p.ID)
			}
			if len(got) != 4 || got[0] != question.ID || got[1] != answer.ID {
				t.Fatalf("order %v; want the question %s, then the answer %s, then its replies", got, question.ID, answer.ID)
			}
			for _, id := range []forum.ID{local.ID, remote.ID} {
				if id <= answer.ID {
					t.Errorf("reply %s sorts before its parent %s", id, answer.ID)
				}
			}
		})
	}
}

// A remote post dated before 1970 or after 9999 (hostile, or a broken
// clock) is stored as published when it arrived: no date from elsewhere
// may stop the node (such a date once panicked the ID generator).
func TestRemoteDatesOutsideWhatWeStore(t *testing.T) {
	for _, tt := range []struct {
		name string
		at   time.Time
	}{
		{"a second before 1970", time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"1900", time.Date(1900, 6, 1, 0, 0, 0, 0, time.UTC)},
		{"after 9999", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"year 30000", time.Date(30000, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			alice, err := w.rig.Service.SaveRemoteMember(w.ctx, forum.RemoteProfile{
				URI: "https://mastodon.example/users/alice", Username: "alice", Domain: "mastodon.example"})
			if err != nil {
				t.Fatal(err)
			}
			th := w.ask(t, w.cast.Barcelona, "Digital ID for residents?")
			view, err := w.rig.Service.ReadThread(w.ctx, nil, th.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			answer, err := w.rig.Service.ReceiveAnswer(w.ctx, th, view.Posts.Items[0], forum.RemotePost{
				URI: "https://mastodon.example/users/alice/statuses/1", Author: alice, HTML: "<p>An answer</p>",
				Language: "en", Published: tt.at})
			if err != nil {
				t.Fatal(err)
			}
			if now := w.rig.Clock.Now(); !answer.CreatedAt.Equal(now) {
				t.Errorf("answer dated %v, want its arrival %v", answer.CreatedAt, now)
			}
			q, err := w.rig.Service.ReceiveQuestion(w.ctx, w.cast.Forum, "", forum.RemotePost{
				URI: "https://mastodon.example/users/alice/statuses/2", Author: alice, Title: "Old?", HTML: "<p>A question</p>",
				Language: "en", Published: tt.at})
			if err != nil {
				t.Fatal(err)
			}
			if !forum.ValidID(q.ID) || !q.CreatedAt.Equal(w.rig.Clock.Now()) {
				t.Errorf("question %s dated %v, want a valid ID dated now", q.ID, q.CreatedAt)
			}
		})
	}
}
