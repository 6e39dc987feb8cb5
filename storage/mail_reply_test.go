package storage_test

import (
	"errors"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/mailin"
	"github.com/metropolis/agora/storage"
)

// A reply token round-trips; saving it again moves its expiry on and
// keeps what it names.
func TestReplyTokens(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		tok := &mailin.Token{Token: "abcdefghijklmnopqrstuvwx", MemberID: "m1", PostID: "p1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		if err := s.SaveReplyToken(ctx(t), tok); err != nil {
			t.Fatal(err)
		}
		again := *tok
		again.CreatedAt, again.ExpiresAt = t0.Add(time.Hour), t0.Add(48*time.Hour)
		if err := s.SaveReplyToken(ctx(t), &again); err != nil {
			t.Fatal(err)
		}
		got, err := s.ReplyToken(ctx(t), tok.Token)
		if err != nil {
			t.Fatal(err)
		}
		if got.MemberID != "m1" || got.PostID != "p1" || !got.CreatedAt.Equal(t0) || !got.ExpiresAt.Equal(t0.Add(48*time.Hour)) {
			t.Fatalf("got %+v", got)
		}
		if _, err := s.ReplyToken(ctx(t), "nosuchtokennosuchtokenxx"); !errors.Is(err, forum.ErrNotFound) {
			t.Fatalf("unknown token: %v", err)
		}
		// Purging keeps what has not expired yet, then deletes it.
		if err := s.PurgeReplyTokens(ctx(t), t0.Add(47*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ReplyToken(ctx(t), tok.Token); err != nil {
			t.Fatalf("purged too soon: %v", err)
		}
		if err := s.PurgeReplyTokens(ctx(t), t0.Add(49*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ReplyToken(ctx(t), tok.Token); !errors.Is(err, forum.ErrNotFound) {
			t.Fatalf("after purging: %v", err)
		}
	})
}
