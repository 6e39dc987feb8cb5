package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

// Parked events leave the publisher's list of unpublished events, are
// listed apart with their retry time, attempts and reason, and return to
// nowhere once published or given up.
func TestParkedEvents(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		ids := newIDs()
		var evs []*forum.Event
		for i := range 4 {
			e := &forum.Event{ID: ids.New(), Kind: forum.EventPostCreated, ThreadID: fmt.Sprint("t", i), CreatedAt: t0}
			if err := s.AppendEvent(ctx(t), e); err != nil {
				t.Fatal(err)
			}
			evs = append(evs, e)
		}
		listed := func() (unpublished, parked []string) {
			t.Helper()
			un, err := s.UnpublishedEvents(ctx(t), 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range un {
				unpublished = append(unpublished, e.ID)
			}
			pk, err := s.ParkedEvents(ctx(t), "", 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range pk {
				parked = append(parked, fmt.Sprintf("%s %s %d %s", p.Event.ID, p.RetryAt.Format(time.RFC3339), p.Attempts, p.Reason))
			}
			return unpublished, parked
		}
		retry := t0.Add(time.Minute)
		if err := s.ParkEvent(ctx(t), evs[1].ID, retry, 2, "forum unreachable"); err != nil {
			t.Fatal(err)
		}
		if err := s.ParkEvent(ctx(t), evs[2].ID, t0, 0, "behind"); err != nil {
			t.Fatal(err)
		}
		un, pk := listed()
		wantUn := []string{evs[0].ID, evs[3].ID}
		wantPk := []string{evs[1].ID + " " + retry.Format(time.RFC3339) + " 2 forum unreachable", evs[2].ID + " " + t0.Format(time.RFC3339) + " 0 behind"}
		if fmt.Sprint(un) != fmt.Sprint(wantUn) || fmt.Sprint(pk) != fmt.Sprint(wantPk) {
			t.Fatalf("unpublished %v, parked %v; want %v, %v", un, pk, wantUn, wantPk)
		}
		if parked, givenUp, err := s.PublisherStats(ctx(t)); err != nil || parked != 2 || givenUp != 0 {
			t.Errorf("stats: %d parked, %d given up, %v; want 2, 0", parked, givenUp, err)
		}
		// Paging: after the first parked event.
		page, err := s.ParkedEvents(ctx(t), evs[1].ID, 10)
		if err != nil || len(page) != 1 || page[0].Event.ID != evs[2].ID {
			t.Errorf("parked after %s: %v, %v", evs[1].ID, page, err)
		}
		if err := s.MarkEventPublished(ctx(t), evs[1].ID, t0); err != nil {
			t.Fatal(err)
		}
		if err := s.GiveUpEvent(ctx(t), evs[2].ID, t0, "gave up"); err != nil {
			t.Fatal(err)
		}
		// Parking a published event changes nothing.
		if err := s.ParkEvent(ctx(t), evs[1].ID, retry, 3, "late"); err != nil {
			t.Fatal(err)
		}
		if un, pk := listed(); fmt.Sprint(un) != fmt.Sprint(wantUn) || len(pk) != 0 {
			t.Errorf("after publishing and giving up: unpublished %v, parked %v; want %v, none", un, pk, wantUn)
		}
		if parked, givenUp, err := s.PublisherStats(ctx(t)); err != nil || parked != 0 || givenUp != 1 {
			t.Errorf("stats: %d parked, %d given up, %v; want 0, 1", parked, givenUp, err)
		}
	})
}
