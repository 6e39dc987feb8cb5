package storage_test

import (
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

func TestActorHandles(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		_, err := s.ActorHandle(ctx(t), "ana@social.example")
		wantErr(t, "ActorHandle unknown", err, forum.ErrNotFound)
		h := &federation.ActorHandle{Acct: "ana@social.example", ActorURI: "https://social.example/users/ana", ResolvedAt: t0}
		wantErr(t, "SaveActorHandle", s.SaveActorHandle(ctx(t), h), nil)
		h.ActorURI, h.ResolvedAt = "https://moved.example/users/ana", t0.Add(time.Hour)
		wantErr(t, "SaveActorHandle again", s.SaveActorHandle(ctx(t), h), nil)
		got, err := s.ActorHandle(ctx(t), h.Acct)
		wantErr(t, "ActorHandle", err, nil)
		same(t, "ActorHandle replaced", got, h)
	})
}
