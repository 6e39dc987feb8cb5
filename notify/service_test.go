package notify_test

import (
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/notify"
)

// The list groups one kind about one thing, newest first, pages by
// cursor; marking one group read leaves the others unread, and no member
// marks another's.
func TestListGroupsPagesAndMarksRead(t *testing.T) {
	eachBackend(t, func(t *testing.T, w *world) {
		th1 := w.ask(t, w.cast.Barcelona, "One.")
		th2 := w.ask(t, w.cast.Barcelona, "Two.")
		for range 3 {
			w.reply(t, w.cast.BeloHz, th1, "", "Answer.")
		}
		w.reply(t, w.cast.Toronto, th2, "", "Answer.")
		w.pass(t)
		marta := w.cast.Barcelona.ID
		p, err := w.svc.List(w.ctx, marta, "")
		if err != nil {
			t.Fatal(err)
		}
		type g struct {
			kind          notify.Kind
			thread        forum.ID
			count, unread int
			actors        int
		}
		var got []g
		for _, x := range p.Groups {
			got = append(got, g{x.Kind, x.Newest.ThreadID, x.Count, x.Unread, len(x.ActorIDs)})
		}
		want := []g{{notify.KindReply, th2.ID, 1, 1, 1}, {notify.KindReply, th1.ID, 3, 3, 1}}
		if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
			t.Fatalf("groups = %+v, want %+v", got, want)
		}
		if n, _ := w.svc.Unread(w.ctx, marta); n != 4 {
			t.Fatalf("unread = %d, want 4", n)
		}
		// Someone else cannot mark Marta's.
		if err := w.svc.MarkRead(w.ctx, w.cast.Toronto.ID, p.Groups[1].IDs); err != nil {
			t.Fatal(err)
		}
		if n, _ := w.svc.Unread(w.ctx, marta); n != 4 {
			t.Fatalf("unread after another's mark = %d, want 4", n)
		}
		if err := w.svc.MarkRead(w.ctx, marta, p.Groups[1].IDs); err != nil {
			t.Fatal(err)
		}
		if n, _ := w.svc.Unread(w.ctx, marta); n != 1 {
			t.Fatalf("unread after marking a group = %d, want 1", n)
		}
		if err := w.svc.MarkRead(w.ctx, marta, nil); err != nil {
			t.Fatal(err)
		}
		if n, _ := w.svc.Unread(w.ctx, marta); n != 0 {
			t.Fatalf("unread after marking all = %d, want 0", n)
		}
		// Paging: more than a page of answers.
		for range notify.PageSize + 5 {
			w.reply(t, w.cast.BeloHz, th2, "", "More.")
		}
		w.pass(t)
		first, err := w.svc.List(w.ctx, marta, "")
		if err != nil || first.Next == "" {
			t.Fatalf("first page: next %q, %v", first.Next, err)
		}
		second, err := w.svc.List(w.ctx, marta, first.Next)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, pg := range []*notify.Page{first, second} {
			for _, x := range pg.Groups {
				total += x.Count
			}
		}
		if total != notify.PageSize+5+4 || second.Next != "" {
			t.Fatalf("two pages hold %d (next %q), want %d", total, second.Next, notify.PageSize+9)
		}
	})
}

// Read positions move forward only; a thread is unseen when it has posts
// after the position, or was never opened and is newer than the member.
func TestReadPositions(t *testing.T) {
	eachBackend(t, func(t *testing.T, w *world) {
		th := w.ask(t, w.cast.Barcelona, "One.")
		a1 := w.reply(t, w.cast.BeloHz, th, "", "First.")
		a2 := w.reply(t, w.cast.BeloHz, th, "", "Second.")
		priya := w.cast.Toronto
		steps := []struct {
			read   forum.ID
			want   forum.ID
			unseen bool
		}{
			{"", "", true},
			{a1.ID, a1.ID, true},
			{a2.ID, a2.ID, false},
			{a1.ID, a2.ID, false}, // never back
		}
		for _, s := range steps {
			if s.read != "" {
				if err := w.svc.Read(w.ctx, priya.ID, th.ID, s.read); err != nil {
					t.Fatal(err)
				}
			}
			pos, err := w.svc.Position(w.ctx, priya.ID, th.ID)
			if err != nil || pos != s.want {
				t.Fatalf("after reading %q: position %q (%v), want %q", s.read, pos, err, s.want)
			}
			cur, err := w.rig.Service.Thread(w.ctx, th.ID)
			if err != nil {
				t.Fatal(err)
			}
			unseen, err := w.svc.Unseen(w.ctx, priya, []*forum.Thread{cur})
			if err != nil || unseen[th.ID] != s.unseen {
				t.Fatalf("after reading %q: unseen %v (%v), want %v", s.read, unseen[th.ID], err, s.unseen)
			}
		}
		w.rig.Clock.Advance(time.Minute)
	})
}
