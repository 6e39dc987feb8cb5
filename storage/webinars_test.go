package storage_test

import (
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

// TestWebinars: a webinar round-trips with its texts and speakers in
// order; lists are by start time, per forum or for all; RSVPs are kept
// once each, in the order given, and removed; members' time zones
// round-trip.
func TestWebinars(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		th, _ := f.newThread(t, s, "Launch webinar")
		later, _ := f.newThread(t, s, "Second webinar")
		launch := &forum.Webinar{ID: f.ids.New(), ForumID: f.forum.ID, ThreadID: th.ID, Language: "en",
			Texts: map[string]forum.WebinarText{
				"en": {Title: "Launch", Description: "World Telecommunication Day"},
				"es": {Title: "Lanzamiento", Description: ""}},
			StartsAt: t0.Add(48 * time.Hour), EndsAt: t0.Add(50 * time.Hour), TimeZone: "Europe/Madrid",
			OnlineURL: "https://meet.example/launch", Programme: "Welcome\nQuestions",
			Speakers:  []forum.Speaker{{MemberID: f.member.ID, Name: "ana"}, {Name: "Emilia Saiz"}},
			CreatedBy: f.member.ID, CreatedAt: t0}
		second := &forum.Webinar{ID: f.ids.New(), ForumID: f.forum.ID, ThreadID: later.ID, Language: "en",
			Texts:    map[string]forum.WebinarText{"en": {Title: "Second"}},
			StartsAt: t0.Add(24 * time.Hour), EndsAt: t0.Add(25 * time.Hour), TimeZone: "UTC", CreatedBy: f.member.ID, CreatedAt: t0}
		wantErr(t, "CreateWebinar", s.CreateWebinar(ctx(t), launch), nil)
		wantErr(t, "CreateWebinar second", s.CreateWebinar(ctx(t), second), nil)
		wantErr(t, "CreateWebinar again", s.CreateWebinar(ctx(t), launch), forum.ErrConflict)

		got, err := s.WebinarByID(ctx(t), launch.ID)
		wantErr(t, "WebinarByID", err, nil)
		same(t, "round trip", got, launch)
		got, err = s.WebinarByThread(ctx(t), th.ID)
		wantErr(t, "WebinarByThread", err, nil)
		same(t, "by thread", got, launch)
		_, err = s.WebinarByThread(ctx(t), f.ids.New())
		wantErr(t, "WebinarByThread none", err, forum.ErrNotFound)

		list, err := s.ListWebinars(ctx(t), f.forum.ID, 10)
		wantErr(t, "ListWebinars", err, nil)
		same(t, "soonest first", list, []*forum.Webinar{second, launch})
		all, err := s.ListWebinars(ctx(t), "", 1)
		wantErr(t, "ListWebinars all", err, nil)
		same(t, "all, limited", all, []*forum.Webinar{second})

		bob := f.newMember(t, s, "bob")
		wantErr(t, "AddRSVP bob", s.AddRSVP(ctx(t), launch.ID, bob.ID, t0), nil)
		wantErr(t, "AddRSVP ana", s.AddRSVP(ctx(t), launch.ID, f.member.ID, t0.Add(time.Minute)), nil)
		wantErr(t, "AddRSVP bob again", s.AddRSVP(ctx(t), launch.ID, bob.ID, t0.Add(2*time.Minute)), nil)
		ids, err := s.ListRSVPs(ctx(t), launch.ID)
		wantErr(t, "ListRSVPs", err, nil)
		same(t, "rsvps", ids, []forum.ID{bob.ID, f.member.ID})
		wantErr(t, "RemoveRSVP", s.RemoveRSVP(ctx(t), launch.ID, bob.ID), nil)
		ids, _ = s.ListRSVPs(ctx(t), launch.ID)
		same(t, "after remove", ids, []forum.ID{f.member.ID})

		bob.TimeZone = "America/Sao_Paulo"
		wantErr(t, "UpdateMember", s.UpdateMember(ctx(t), bob), nil)
		m, err := s.MemberByID(ctx(t), bob.ID)
		wantErr(t, "MemberByID", err, nil)
		if m.TimeZone != "America/Sao_Paulo" {
			t.Errorf("time zone %q", m.TimeZone)
		}
	})
}

// TestUpdateWebinar: an edit replaces the fields, texts and speakers
// (languages dropped are gone), and keeps the sequence and cancellation;
// updating a webinar that is not there is ErrNotFound.
func TestUpdateWebinar(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		th, _ := f.newThread(t, s, "Launch webinar")
		w := &forum.Webinar{ID: f.ids.New(), ForumID: f.forum.ID, ThreadID: th.ID, Language: "en",
			Texts: map[string]forum.WebinarText{
				"en": {Title: "Launch", Description: "World Telecommunication Day"},
				"es": {Title: "Lanzamiento"}},
			StartsAt: t0.Add(48 * time.Hour), EndsAt: t0.Add(50 * time.Hour), TimeZone: "Europe/Madrid",
			Speakers:  []forum.Speaker{{MemberID: f.member.ID, Name: "ana"}, {Name: "Emilia Saiz"}},
			CreatedBy: f.member.ID, CreatedAt: t0}
		wantErr(t, "CreateWebinar", s.CreateWebinar(ctx(t), w), nil)

		edited := *w
		edited.Language = "fr"
		edited.Texts = map[string]forum.WebinarText{"fr": {Title: "Lancement", Description: "Journée mondiale"}}
		edited.StartsAt, edited.EndsAt, edited.TimeZone = t0.Add(72*time.Hour), t0.Add(73*time.Hour), "Africa/Nouakchott"
		edited.OnlineURL, edited.Programme = "https://meet.example/new", "Accueil"
		edited.Speakers = []forum.Speaker{{Name: "Octavi de la Varga"}}
		edited.Sequence, edited.Cancelled = 2, true
		wantErr(t, "UpdateWebinar", s.UpdateWebinar(ctx(t), &edited), nil)
		got, err := s.WebinarByID(ctx(t), w.ID)
		wantErr(t, "WebinarByID", err, nil)
		same(t, "edited", got, &edited)

		gone := edited
		gone.ID = f.ids.New()
		wantErr(t, "UpdateWebinar none", s.UpdateWebinar(ctx(t), &gone), forum.ErrNotFound)

		// Its question deleted, the event is gone: not found, not listed.
		th.DeletedAt = ptr(t0.Add(time.Hour))
		wantErr(t, "UpdateThread (deleted)", s.UpdateThread(ctx(t), th), nil)
		_, err = s.WebinarByID(ctx(t), w.ID)
		wantErr(t, "WebinarByID of a deleted question's event", err, forum.ErrNotFound)
		_, err = s.WebinarByThread(ctx(t), th.ID)
		wantErr(t, "WebinarByThread of a deleted question", err, forum.ErrNotFound)
		list, err := s.ListWebinars(ctx(t), "", 10)
		wantErr(t, "ListWebinars", err, nil)
		if len(list) != 0 {
			t.Errorf("ListWebinars lists %d events whose question is deleted", len(list))
		}
	})
}
