package storage_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

// afterWriteHook runs probe once a write statement or a COMMIT has run
// and before the write counter's own AfterQuery (bun calls AfterQuery
// hooks last-added first): the moment a reader on another goroutine may
// already see the write.
type afterWriteHook struct {
	mu    sync.Mutex
	probe func(op string)
}

func (h *afterWriteHook) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (h *afterWriteHook) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	op, _, _ := strings.Cut(strings.TrimSpace(e.Query), " ")
	op = strings.ToUpper(op)
	if op == "SELECT" || op == "BEGIN" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.probe != nil {
		h.probe(op)
	}
}

func (h *afterWriteHook) set(probe func(op string)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.probe = probe
}

// TestChangesMoveBeforeAWriteIsSeen: once a write is visible to readers,
// the versions caches check have moved already. Before, they moved in the
// hook's AfterQuery, after the COMMIT: a reader in between found the old
// version and served the page it had cached before the write (the thread
// page after a remote edit, now and then under load).
func TestChangesMoveBeforeAWriteIsSeen(t *testing.T) {
	eachHookedBackend(t, func() *afterWriteHook { return &afterWriteHook{} }, func(t *testing.T, db *storage.DB, hook *afterWriteHook) {
		s, ch := db.Store(), db.Changes()
		f := newFixture(t, s)
		a, qa := f.newThread(t, s, "Thread A")
		tests := []struct {
			name  string
			write func(t *testing.T)
			when  string // the statement after which the versions are read
			post  bool   // the question's version moves too (a write of unknown scope)
		}{
			{"an answer and its thread in one transaction", func(t *testing.T) {
				err := s.Atomic(ctx(t), func(ctx context.Context, tx forum.Store) error {
					p := &forum.Post{ID: f.ids.New(), ThreadID: a.ID, AuthorID: f.member.ID, ParentID: qa.ID,
						Language: "en", Source: "yes", HTML: "<p>yes</p>", CreatedAt: t0}
					p.BranchID = p.ID
					if err := tx.CreatePost(ctx, p); err != nil {
						return err
					}
					a.ReplyCount++
					return tx.UpdateThread(ctx, a)
				})
				wantErr(t, "transaction", err, nil)
			}, "COMMIT", false},
			{"a raw update outside a transaction", func(t *testing.T) {
				_, err := db.Bun().ExecContext(ctx(t), "UPDATE posts SET source = source WHERE thread_id = ?", a.ID)
				wantErr(t, "raw update", err, nil)
			}, "UPDATE", true},
			{"a prepared update outside a transaction (a thread's count)", func(t *testing.T) {
				wantErr(t, "AddThreadReplies", s.AddThreadReplies(ctx(t), a.ID, 1, f.ids.New(), t0), nil)
			}, "UPDATE", false},
			{"prepared writes in a transaction (a received answer and its count)", func(t *testing.T) {
				err := s.Atomic(ctx(t), func(ctx context.Context, tx forum.Store) error {
					p := &forum.Post{ID: f.ids.New(), ThreadID: a.ID, AuthorID: f.member.ID, ParentID: qa.ID,
						Language: "en", Source: "yes", HTML: "<p>yes</p>", CreatedAt: t0}
					p.BranchID = p.ID
					if err := tx.CreatePost(ctx, p); err != nil {
						return err
					}
					return tx.AddThreadReplies(ctx, a.ID, 1, p.ID, t0)
				})
				wantErr(t, "transaction", err, nil)
			}, "COMMIT", false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				thread, post, all := ch.ThreadVersion(a.ID), ch.PostVersion(qa.ID), ch.Version()
				seen := false
				hook.set(func(op string) {
					if op != tt.when {
						return
					}
					seen = true
					if ch.ThreadVersion(a.ID) == thread || ch.Version() == all {
						t.Errorf("after %s, before the counter's hook: thread version %d, version %d unchanged", op, thread, all)
					}
					if tt.post && ch.PostVersion(qa.ID) == post {
						t.Errorf("after %s: post version unchanged", op)
					}
				})
				tt.write(t)
				hook.set(nil)
				if !seen {
					t.Fatalf("no %s seen", tt.when)
				}
			})
		}
	})
}
