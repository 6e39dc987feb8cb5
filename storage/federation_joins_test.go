package storage_test

import (
	"errors"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

func TestJoinJobs(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		ids := newIDs()
		job := func(target string, at time.Time) *federation.JoinJob {
			t.Helper()
			j := &federation.JoinJob{ID: ids.New(), Target: target, State: federation.JoinQueued, NextAttemptAt: at, CreatedAt: at, UpdatedAt: at}
			if err := s.AddJoinJob(ctx(t), j); err != nil {
				t.Fatal(err)
			}
			return j
		}
		a := job("@a@hub.example", t0)
		b := job("@b@hub.example", t0.Add(time.Second))
		later := job("@c@hub.example", t0.Add(time.Hour)) // not due yet

		// One claimer gets the oldest due job; a second gets the next; a
		// third finds none.
		got1, err := s.ClaimJoinJob(ctx(t), "", "p1", t0.Add(time.Minute), time.Minute)
		if err != nil || got1.ID != a.ID || got1.LeaseHolder != "p1" {
			t.Fatalf("first claim: %+v, %v; want %s by p1", got1, err, a.ID)
		}
		got2, err := s.ClaimJoinJob(ctx(t), "", "p2", t0.Add(time.Minute), time.Minute)
		if err != nil || got2.ID != b.ID {
			t.Fatalf("second claim: %+v, %v; want %s", got2, err, b.ID)
		}
		if _, err := s.ClaimJoinJob(ctx(t), "", "p3", t0.Add(time.Minute), time.Minute); !errors.Is(err, forum.ErrNotFound) {
			t.Fatalf("third claim: %v, want ErrNotFound", err)
		}
		if _, err := s.ClaimJoinJob(ctx(t), a.ID, "p3", t0.Add(time.Minute), time.Minute); !errors.Is(err, forum.ErrNotFound) {
			t.Fatalf("claim of a leased job by id: %v, want ErrNotFound", err)
		}
		// Progress is saved by the holder only.
		got1.State, got1.Done, got1.Total, got1.ForumURI = federation.JoinBackfilling, 2, 5, "https://hub.example/f/a"
		got1.Error, got1.Reason = "fetch outbox: 503 Service Unavailable", "unavailable"
		if err := s.SaveJoinJob(ctx(t), got1, "p2"); !errors.Is(err, forum.ErrConflict) {
			t.Errorf("save by another holder: %v, want ErrConflict", err)
		}
		if err := s.SaveJoinJob(ctx(t), got1, "p1"); err != nil {
			t.Fatal(err)
		}
		if err := s.RenewJoinJob(ctx(t), a.ID, "p2", t0.Add(time.Hour)); !errors.Is(err, forum.ErrConflict) {
			t.Errorf("renew by another holder: %v, want ErrConflict", err)
		}
		// A lease that runs out lets another claimer take the job over.
		over, err := s.ClaimJoinJob(ctx(t), a.ID, "p3", t0.Add(3*time.Minute), time.Minute)
		if err != nil || over.LeaseHolder != "p3" || over.State != federation.JoinBackfilling || over.Done != 2 || over.Total != 5 ||
			over.Error != got1.Error || over.Reason != "unavailable" {
			t.Fatalf("take over: %+v, %v", over, err)
		}
		// Waiting for an Accept: done once the follow is accepted; failed
		// when the follow is gone.
		over.State, over.LeaseHolder, over.LeaseUntil = federation.JoinWaiting, "", nil
		if err := s.SaveJoinJob(ctx(t), over, "p3"); err != nil {
			t.Fatal(err)
		}
		got2.State, got2.ForumURI, got2.LeaseHolder, got2.LeaseUntil = federation.JoinWaiting, "https://hub.example/f/b", "", nil
		if err := s.SaveJoinJob(ctx(t), got2, "p2"); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveFollowing(ctx(t), &federation.Following{ID: ids.New(), ActorURI: "https://city.example/actor",
			ObjectURI: "https://hub.example/f/a", FollowID: "https://city.example/activities/1", State: federation.FollowAccepted, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if err := s.SettleJoinJobs(ctx(t), t0.Add(4*time.Minute)); err != nil {
			t.Fatal(err)
		}
		for id, want := range map[forum.ID]federation.JoinState{a.ID: federation.JoinDone, b.ID: federation.JoinFailed, later.ID: federation.JoinQueued} {
			j, err := s.JoinJob(ctx(t), id)
			if err != nil || j.State != want {
				t.Errorf("job %s: %+v, %v; want %s", id, j, err, want)
			}
		}
		// The Accept's second backfill queues the done job again.
		if found, err := s.RequeueJoinJob(ctx(t), "https://hub.example/f/a", t0.Add(5*time.Minute)); err != nil || !found {
			t.Errorf("requeue: %v, %v", found, err)
		}
		if j, err := s.JoinJob(ctx(t), a.ID); err != nil || j.State != federation.JoinQueued {
			t.Errorf("requeued job: %+v, %v", j, err)
		}
		if found, err := s.RequeueJoinJob(ctx(t), "https://hub.example/f/none", t0); err != nil || found {
			t.Errorf("requeue of a forum without a job: %v, %v", found, err)
		}
		list, err := s.ListJoinJobs(ctx(t), 10)
		if err != nil || len(list) != 3 || list[0].ID != later.ID || list[2].ID != a.ID {
			t.Errorf("list: %v, %v; want newest first", list, err)
		}
	})
}
