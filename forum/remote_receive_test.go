package forum_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
)

// An answer received again (a retried inbox item, the same Create from
// two paths) is the post stored the first time: the thread counts it once
// and it has one event, on both databases (on PostgreSQL the second
// attempt's insert conflict aborts its transaction, which is rolled back
// whole). Each case receives the answer a first time, then again as the
// case says.
func TestReceiveAnswerAgainIsTheSamePost(t *testing.T) {
	tests := []struct {
		name     string
		received forum.ID // the second attempt's inbox item
	}{
		{"the same inbox item again", "01kbxr0000000000000000000a"},
		{"another inbox item with the same post", "01kbxr0000000000000000000b"},
	}
	for _, b := range storetest.Backends(t) {
		for _, tt := range tests {
			t.Run(b.Name+"/"+tt.name, func(t *testing.T) {
				ctx := context.Background()
				rig := testrig.NewOn(t, b.Open(t))
				cast := rig.Seed(t)
				th, err := rig.Service.Ask(ctx, cast.Barcelona, cast.Forum.ID, forum.Question{Title: "Digital ID for residents?",
					Body: "What did you choose?", Language: "en"})
				if err != nil {
					t.Fatal(err)
				}
				question, _, err := rig.Service.PostInThread(ctx, th.RootPostID)
				if err != nil {
					t.Fatal(err)
				}
				alice, err := rig.Service.SaveRemoteMember(ctx, forum.RemoteProfile{
					URI: "https://mastodon.example/users/alice", Username: "alice", Domain: "mastodon.example"})
				if err != nil {
					t.Fatal(err)
				}
				in := forum.RemotePost{URI: "https://mastodon.example/users/alice/statuses/1", Author: alice,
					HTML: "<p>An answer</p>", Language: "en", Published: rig.Clock.Now(), ReceivedID: "01kbxr0000000000000000000a"}
				first, err := rig.Service.ReceiveAnswer(ctx, th, question, in)
				if err != nil {
					t.Fatalf("first: %v", err)
				}
				in.ReceivedID = tt.received
				again, err := rig.Service.ReceiveAnswer(ctx, th, question, in)
				if err != nil {
					t.Fatalf("again: %v", err)
				}
				if again == nil || again.ID != first.ID {
					t.Fatalf("received again: %+v; want the post stored first, %s", again, first.ID)
				}
				got, err := rig.Service.Thread(ctx, th.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.ReplyCount != 1 || got.LastPostID != first.ID {
					t.Errorf("thread: %d replies, last post %s; want 1 and %s", got.ReplyCount, got.LastPostID, first.ID)
				}
				events, err := rig.DB.Store().UnpublishedEvents(ctx, 100)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, e := range events {
					if e.Kind == forum.EventPostReceived {
						n++
						if e.PostID != first.ID || e.ReceivedID != "01kbxr0000000000000000000a" {
							t.Errorf("event %+v; want post %s from the first inbox item", e, first.ID)
						}
					}
				}
				if n != 1 {
					t.Errorf("%d %s events; want 1", n, forum.EventPostReceived)
				}
			})
		}
	}
}

// Replies to one thread received at once (the inbox worker applies them
// concurrently) are all counted: the thread's reply count and last post
// are not lost between concurrent transactions (PostgreSQL: read committed).
func TestConcurrentReceivedAnswersAreAllCounted(t *testing.T) {
	const replies = 24
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			rig := testrig.NewOn(t, b.Open(t))
			cast := rig.Seed(t)
			th, err := rig.Service.Ask(ctx, cast.Barcelona, cast.Forum.ID, forum.Question{Title: "Digital ID for residents?",
				Body: "What did you choose?", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			question, _, err := rig.Service.PostInThread(ctx, th.RootPostID)
			if err != nil {
				t.Fatal(err)
			}
			alice, err := rig.Service.SaveRemoteMember(ctx, forum.RemoteProfile{
				URI: "https://mastodon.example/users/alice", Username: "alice", Domain: "mastodon.example"})
			if err != nil {
				t.Fatal(err)
			}
			errs := make(chan error, replies)
			for i := range replies {
				go func() {
					_, err := rig.Service.ReceiveAnswer(ctx, th, question, forum.RemotePost{
						URI: fmt.Sprintf("https://mastodon.example/users/alice/statuses/%d", i), Author: alice,
						HTML: "<p>An answer</p>", Language: "en", Published: rig.Clock.Now()})
					errs <- err
				}()
			}
			for range replies {
				if err := <-errs; err != nil {
					t.Fatalf("receive: %v", err)
				}
			}
			got, err := rig.Service.Thread(ctx, th.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ReplyCount != replies {
				t.Errorf("the thread counts %d replies; want %d", got.ReplyCount, replies)
			}
		})
	}
}
