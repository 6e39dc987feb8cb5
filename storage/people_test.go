package storage_test

import (
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/personal"
	"github.com/metropolis/agora/storage"
)

// A member's follow of a remote person: requested, then accepted (the
// plain follow comes with it), found by our Follow's id, removed with the
// plain follow; only accepted follows bring the person's statuses home,
// which are replaced by URI and page by id.
func TestPersonFollowsAndStatuses(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		reader, other, person := f.newMember(t, s, "reader"), f.newMember(t, s, "other"), f.newMember(t, s, "person")
		fl := &personal.PersonFollow{ID: f.ids.New(), MemberID: reader.ID, PersonID: person.ID,
			PersonURI: "https://social.example/users/person", FollowID: "https://agora.example/activities/1",
			State: personal.FollowRequested, CreatedAt: t0}
		wantErr(t, "SavePersonFollow", s.SavePersonFollow(ctx(t), fl), nil)
		followed := func() bool {
			t.Helper()
			ok, err := s.PersonFollowed(ctx(t), person.ID)
			wantErr(t, "PersonFollowed", err, nil)
			return ok
		}
		plain := func() bool {
			t.Helper()
			m, err := s.Followed(ctx(t), reader.ID, []forum.ID{person.ID})
			wantErr(t, "Followed", err, nil)
			return m[person.ID]
		}
		same(t, "requested: followed", followed(), false)
		same(t, "requested: plain follow", plain(), false)
		got, err := s.PersonFollowByActivity(ctx(t), fl.FollowID)
		wantErr(t, "PersonFollowByActivity", err, nil)
		same(t, "by activity", got, fl)
		_, err = s.PersonFollowByActivity(ctx(t), "https://agora.example/activities/2")
		wantErr(t, "unknown activity", err, forum.ErrNotFound)

		fl.State = personal.FollowAccepted
		wantErr(t, "accept", s.SavePersonFollow(ctx(t), fl), nil)
		same(t, "accepted: followed", followed(), true)
		same(t, "accepted: plain follow", plain(), true)
		byPerson, err := s.PersonFollows(ctx(t), reader.ID, []forum.ID{person.ID, other.ID})
		wantErr(t, "PersonFollows", err, nil)
		same(t, "PersonFollows", byPerson, map[forum.ID]*personal.PersonFollow{person.ID: fl})

		var sts []*personal.Status
		for i := range 3 {
			st := &personal.Status{ID: f.ids.New(), URI: "https://social.example/statuses/" + string(rune('a'+i)),
				AuthorID: person.ID, HTML: "<p>x</p>", Language: "en", Visibility: "public", Published: t0}
			wantErr(t, "SavePersonStatus", s.SavePersonStatus(ctx(t), st), nil)
			sts = append(sts, st)
		}
		// Another author nobody follows: never home.
		wantErr(t, "SavePersonStatus", s.SavePersonStatus(ctx(t), &personal.Status{ID: f.ids.New(),
			URI: "https://social.example/statuses/z", AuthorID: other.ID, HTML: "<p>z</p>", Visibility: "public", Published: t0}), nil)
		home := func(r personal.Range, limit int) []string {
			t.Helper()
			got, err := s.HomeStatuses(ctx(t), reader.ID, r, limit)
			wantErr(t, "HomeStatuses", err, nil)
			out := []string{}
			for _, st := range got {
				out = append(out, st.ID)
			}
			return out
		}
		same(t, "home", home(personal.Range{}, 20), []string{sts[2].ID, sts[1].ID, sts[0].ID})
		same(t, "max_id", home(personal.Range{MaxID: sts[2].ID}, 1), []string{sts[1].ID})
		same(t, "min_id", home(personal.Range{MinID: sts[0].ID}, 1), []string{sts[1].ID})
		same(t, "other's home", func() []*personal.Status {
			got, _ := s.HomeStatuses(ctx(t), other.ID, personal.Range{}, 20)
			return got
		}(), []*personal.Status{})

		// An edit replaces the content and keeps the id.
		edit := *sts[0]
		edit.ID, edit.HTML, edit.Edited = f.ids.New(), "<p>edited</p>", t0.Add(time.Hour)
		wantErr(t, "edit", s.SavePersonStatus(ctx(t), &edit), nil)
		back, err := s.PersonStatusByURI(ctx(t), sts[0].URI)
		wantErr(t, "PersonStatusByURI", err, nil)
		edit.ID = sts[0].ID
		same(t, "edited", back, &edit)
		byID, err := s.Status(ctx(t), sts[0].ID)
		wantErr(t, "Status", err, nil)
		same(t, "by id", byID, &edit)
		_, err = s.Status(ctx(t), f.ids.New())
		wantErr(t, "unknown status", err, forum.ErrNotFound)
		since, err := s.StatusesSince(ctx(t), sts[0].ID, 10)
		wantErr(t, "StatusesSince", err, nil)
		same(t, "since", len(since), 3)

		wantErr(t, "delete", s.DeletePersonStatus(ctx(t), sts[0].URI), nil)
		wantErr(t, "delete again", s.DeletePersonStatus(ctx(t), sts[0].URI), forum.ErrNotFound)
		same(t, "after delete", home(personal.Range{}, 20), []string{sts[2].ID, sts[1].ID})

		wantErr(t, "DeletePersonFollow", s.DeletePersonFollow(ctx(t), reader.ID, person.ID), nil)
		wantErr(t, "DeletePersonFollow again", s.DeletePersonFollow(ctx(t), reader.ID, person.ID), forum.ErrNotFound)
		same(t, "unfollowed: plain follow", plain(), false)
		same(t, "unfollowed: home", home(personal.Range{}, 20), []string{})
	})
}
