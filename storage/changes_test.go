package storage_test

import (
	"context"
	"testing"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/storetest"
)

// TestChangesCountsWrites: the write counter caches rely on moves on every
// write to a table a cache may hold, again when its transaction commits,
// and not for reads nor for queue rows alone.
func TestChangesCountsWrites(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			s, ch := db.Store(), db.Changes()
			ids := newIDs()
			v := ch.Version()
			moved := func(what string, want bool) {
				t.Helper()
				now := ch.Version()
				if got := now != v; got != want {
					t.Errorf("%s: counter moved = %v, want %v", what, got, want)
				}
				v = now
			}
			if _, err := s.DomainBlocked(ctx(t), "spam.example"); err != nil {
				t.Fatal(err)
			}
			moved("a read", false)
			it := &federation.InboxItem{ID: ids.New(), ActivityID: "https://social.example/activities/1",
				ActorURI: "https://social.example/users/ana", Body: []byte(`{}`), ReceivedAt: t0, NextAttemptAt: t0}
			wantErr(t, "AddInboxItem", s.AddInboxItem(ctx(t), it), nil)
			moved("an inbox row", false)
			err := s.FederationAtomic(ctx(t), func(ctx context.Context, tx federation.Store) error {
				if err := tx.(*storage.Store).SetCursor(ctx, "publisher", "x"); err != nil {
					return err
				}
				// Publishing marks an event: what caches hold is unchanged.
				return tx.MarkEventPublished(ctx, ids.New(), t0)
			})
			wantErr(t, "queue-only transaction", err, nil)
			moved("a transaction on queue tables only", false)
			wantErr(t, "BlockDomain", s.BlockDomain(ctx(t), &federation.DomainBlock{Domain: "spam.example", CreatedAt: t0}), nil)
			moved("a block", true)
			var inside uint64
			err = s.FederationAtomic(ctx(t), func(ctx context.Context, tx federation.Store) error {
				if err := tx.(*storage.Store).BlockDomain(ctx, &federation.DomainBlock{Domain: "spam2.example", CreatedAt: t0}); err != nil {
					return err
				}
				inside = ch.Version()
				return nil
			})
			wantErr(t, "transaction with a block", err, nil)
			if ch.Version() == inside {
				t.Error("the counter did not move when the transaction committed")
			}
		})
	}
}

// TestChangesByThread: a write to one thread moves that thread's version
// and not another's, a write to one post that post's and not another's in
// the same thread; a write of unknown scope (a member, a raw statement, a
// transaction that also wrote elsewhere) moves every thread's and post's;
// inside a transaction the versions move at COMMIT, not before.
func TestChangesByThread(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			s, ch := db.Store(), db.Changes()
			f := newFixture(t, s)
			a, qa := f.newThread(t, s, "Thread A")
			bt, _ := f.newThread(t, s, "Thread B")
			item := &federation.InboxItem{ID: f.ids.New(), ActivityID: "https://remote.example/a/1",
				ActorURI: "https://remote.example/u/x", Body: []byte(`{}`), ReceivedAt: t0, NextAttemptAt: t0}
			wantErr(t, "AddInboxItem", s.AddInboxItem(ctx(t), item), nil)
			var start uint64 // thread A's version before each write
			answer := func(ctx context.Context, tx forum.Store) error {
				p := &forum.Post{ID: f.ids.New(), ThreadID: a.ID, AuthorID: f.member.ID, ParentID: qa.ID,
					Language: "en", Source: "yes", HTML: "<p>yes</p>", CreatedAt: t0}
				p.BranchID = p.ID
				return tx.CreatePost(ctx, p)
			}
			tests := []struct {
				name         string
				write        func(t *testing.T)
				wantA, wantB bool
				wantQ        bool // the question of A
			}{
				{"an answer in A", func(t *testing.T) { f.reply(t, s, qa) }, true, false, false},
				{"thread A updated", func(t *testing.T) {
					a.ReplyCount++
					wantErr(t, "UpdateThread", s.UpdateThread(ctx(t), a), nil)
				}, true, false, false},
				{"the question of A edited", func(t *testing.T) {
					qa.Source, qa.HTML = "Edited", "<p>Edited</p>"
					wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), qa), nil)
				}, true, false, true},
				{"an answer and its thread in one transaction (as Reply)", func(t *testing.T) {
					err := s.Atomic(ctx(t), func(ctx context.Context, tx forum.Store) error {
						if err := answer(ctx, tx); err != nil {
							return err
						}
						a.ReplyCount++
						if err := tx.UpdateThread(ctx, a); err != nil {
							return err
						}
						if ch.ThreadVersion(a.ID) != start {
							t.Error("thread A's version moved before the COMMIT")
						}
						return nil
					})
					wantErr(t, "transaction", err, nil)
				}, true, false, false},
				// The received-reply path's prepared writes report as bun's do.
				{"thread A's replies counted (a prepared update)", func(t *testing.T) {
					wantErr(t, "AddThreadReplies", s.AddThreadReplies(ctx(t), a.ID, 1, f.ids.New(), t0), nil)
				}, true, false, false},
				{"a received answer in A, its count and event in one transaction (prepared)", func(t *testing.T) {
					err := s.Atomic(ctx(t), func(ctx context.Context, tx forum.Store) error {
						if err := answer(ctx, tx); err != nil {
							return err
						}
						if err := tx.AddThreadReplies(ctx, a.ID, 1, f.ids.New(), t0); err != nil {
							return err
						}
						if err := tx.AppendEvent(ctx, &forum.Event{ID: f.ids.New(), Kind: forum.EventPostReceived,
							ThreadID: a.ID, CreatedAt: t0}); err != nil {
							return err
						}
						if ch.ThreadVersion(a.ID) != start {
							t.Error("thread A's version moved before the COMMIT")
						}
						return nil
					})
					wantErr(t, "transaction", err, nil)
				}, true, false, false},
				{"an event appended (a prepared insert a cache never reads)", func(t *testing.T) {
					wantErr(t, "AppendEvent", s.AppendEvent(ctx(t), &forum.Event{ID: f.ids.New(), Kind: forum.EventPostReceived,
						ThreadID: a.ID, CreatedAt: t0}), nil)
				}, false, false, false},
				{"an inbox item finished (likewise)", func(t *testing.T) {
					wantErr(t, "FinishInboxItem", s.FinishInboxItem(ctx(t), item.ID, t0), nil)
				}, false, false, false},
				{"a member renamed (unknown scope)", func(t *testing.T) {
					f.member.DisplayName = "Ana Lima"
					wantErr(t, "UpdateMember", s.UpdateMember(ctx(t), f.member), nil)
				}, true, true, true},
				{"a transaction writing thread A and a member", func(t *testing.T) {
					err := s.Atomic(ctx(t), func(ctx context.Context, tx forum.Store) error {
						if err := answer(ctx, tx); err != nil {
							return err
						}
						f.member.DisplayName = "Ana"
						return tx.UpdateMember(ctx, f.member)
					})
					wantErr(t, "transaction", err, nil)
				}, true, true, true},
				{"a raw statement on posts", func(t *testing.T) {
					_, err := db.Bun().ExecContext(ctx(t), "UPDATE posts SET source = source WHERE thread_id = ?", a.ID)
					wantErr(t, "raw update", err, nil)
				}, true, true, true},
				{"a read", func(t *testing.T) {
					_, err := s.ListPosts(ctx(t), a.ID, forum.PostCursor{}, 10)
					wantErr(t, "ListPosts", err, nil)
				}, false, false, false},
			}
			for _, tt := range tests {
				start = ch.ThreadVersion(a.ID)
				vb, vq, v := ch.ThreadVersion(bt.ID), ch.PostVersion(qa.ID), ch.Version()
				tt.write(t)
				if got := ch.PostVersion(qa.ID) != vq; got != tt.wantQ {
					t.Errorf("%s: A's question's version moved = %v, want %v", tt.name, got, tt.wantQ)
				}
				if got := ch.ThreadVersion(a.ID) != start; got != tt.wantA {
					t.Errorf("%s: thread A's version moved = %v, want %v", tt.name, got, tt.wantA)
				}
				if got := ch.ThreadVersion(bt.ID) != vb; got != tt.wantB {
					t.Errorf("%s: thread B's version moved = %v, want %v", tt.name, got, tt.wantB)
				}
				if got := ch.Version() != v; got != tt.wantA {
					t.Errorf("%s: the version of every write moved = %v, want %v", tt.name, got, tt.wantA)
				}
			}
		})
	}
}
