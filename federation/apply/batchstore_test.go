package apply_test

import (
	"context"
	"testing"

	"github.com/metropolis/agora/federation/apply"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
)

// storeTx is a store as a batch's transaction (the test needs no
// transaction: what it checks is which reads the batch keeps).
type storeTx struct{ forum.Store }

func (s storeTx) ForumStore() forum.Store { return s.Store }
func (s storeTx) Savepoint(ctx context.Context, fn func(ctx context.Context) error) error {
	return fn(ctx)
}

// TestBatchStoreThreadReadDropsItsPosts: a batch keeps the posts it read,
// until it reads a thread to change it or one of its posts. That read
// waits for the thread's lock on PostgreSQL, and the post is read again
// holding it (forum's postAndThread): the copy kept from before may miss
// a change committed meanwhile, and written back whole would undo it.
func TestBatchStoreThreadReadDropsItsPosts(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			rig := testrig.NewOn(t, b.Open(t))
			cast := rig.Seed(t)
			th, err := rig.Service.Ask(ctx, cast.Toronto, cast.Forum.ID, forum.Question{Title: "Digital ID for residents?",
				Body: "What did you choose?", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			answer, err := rig.Service.Reply(ctx, cast.Barcelona, th.ID, "", forum.Answer{Body: "A pilot", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			bs := apply.NewBatchStore(storeTx{rig.DB.Store()})
			if _, err := bs.PostByID(ctx, answer.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := rig.Service.EditPost(ctx, cast.Barcelona, answer.ID, forum.Edit{Body: "A pilot in 2025", Language: "en"}); err != nil {
				t.Fatal(err)
			}
			if kept, err := bs.PostByID(ctx, answer.ID); err != nil || kept.EditedAt != nil {
				t.Fatalf("the batch's post before a thread read: %+v, %v; want the copy it read first", kept, err)
			}
			if _, err := bs.ThreadByID(ctx, th.ID); err != nil {
				t.Fatal(err)
			}
			got, err := bs.PostByID(ctx, answer.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.EditedAt == nil || got.Source != "A pilot in 2025" {
				t.Fatalf("after the thread's read, the batch gives the post as read before the edit: %q", got.Source)
			}
		})
	}
}
