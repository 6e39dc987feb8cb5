package storage_test

import (
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

// TestListModerationEvents: the moderation log lists events of the kinds
// asked for, newest first, paged by ID, and leaves out a member deleting
// their own post while keeping a moderator's deletion of someone's post.
func TestListModerationEvents(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		mod := f.newMember(t, s, "moderator")
		th, q := f.newThread(t, s, "one")
		own := f.reply(t, s, q)    // ana deletes it herself
		theirs := f.reply(t, s, q) // the moderator deletes it
		at := t0
		var want []forum.ID
		add := func(kind forum.EventKind, actor, post forum.ID, listed bool) {
			at = at.Add(time.Minute)
			e := &forum.Event{ID: f.ids.New(), Kind: kind, ActorID: actor, ForumID: f.forum.ID, ThreadID: th.ID, PostID: post, CreatedAt: at}
			wantErr(t, "AppendEvent", s.AppendEvent(ctx(t), e), nil)
			if listed {
				want = append([]forum.ID{e.ID}, want...)
			}
		}
		add(forum.EventThreadLocked, mod.ID, q.ID, true)
		add(forum.EventPostCreated, f.member.ID, own.ID, false) // not a kind asked for
		add(forum.EventPostDeleted, f.member.ID, own.ID, false) // her own answer
		add(forum.EventPostDeleted, mod.ID, theirs.ID, true)
		add(forum.EventRoleChanged, mod.ID, "", true)
		add(forum.EventThreadDeleted, f.member.ID, q.ID, false) // her own question

		kinds := []forum.EventKind{forum.EventThreadLocked, forum.EventPostDeleted, forum.EventThreadDeleted, forum.EventRoleChanged}
		got, err := s.ListModerationEvents(ctx(t), kinds, "", 10)
		wantErr(t, "ListModerationEvents", err, nil)
		if len(got) != len(want) {
			t.Fatalf("listed %d events, want %d", len(got), len(want))
		}
		for i, e := range got {
			if e.ID != want[i] {
				t.Errorf("event %d = %s %s, want %s", i, e.Kind, e.ID, want[i])
			}
		}
		// The next page starts after the cursor.
		rest, err := s.ListModerationEvents(ctx(t), kinds, want[0], 10)
		wantErr(t, "ListModerationEvents after", err, nil)
		if len(rest) != 2 || rest[0].ID != want[1] {
			t.Fatalf("second page = %d events, want 2 starting at %s", len(rest), want[1])
		}
	})
}
