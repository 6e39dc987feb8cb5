// Package fedrig is the rig of the delivery benchmarks (bench/fanout,
// bench/farpeer): a real agora node on SQLite in a temporary directory,
// remote followers seeded through the storage layer, and loopback sink
// servers that verify every HTTP signature they receive.
package fedrig

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/password"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/storage"
	"github.com/uptrace/bun"
)

// Node is a running agora node on 127.0.0.1, with one forum, one thread
// and the member who writes in it.
type Node struct {
	*node.Node
	Store  *storage.Store
	Author *forum.Member
	Forum  *forum.Forum
	Thread *forum.Thread
	dir    string
	db     *storage.DB
	srv    *http.Server
	cancel context.CancelFunc
	done   chan struct{}
}

// StartNode opens a fresh SQLite database under a temporary directory,
// wires a node with the given delivery settings (zero: the defaults a
// production node uses), serves it on 127.0.0.1:0 and starts its workers.
// hooks see every statement the node runs (serving.SQLCounter).
func StartNode(ctx context.Context, delivery federation.DeliveryConfig, logLevel slog.Level, hooks ...bun.QueryHook) (*Node, error) {
	dir, err := os.MkdirTemp("", "agora-bench-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	n := &Node{dir: dir, done: make(chan struct{})}
	ok := false
	defer func() {
		if !ok {
			_ = os.RemoveAll(dir)
		}
	}()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel}))
	n.db, err = storage.Open(ctx, storage.Options{DatabaseURL: "sqlite://" + filepath.Join(dir, "forum.db"), Logger: log,
		QueryHooks: hooks})
	if err != nil {
		return nil, err
	}
	if err := n.db.Migrate(ctx); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	n.Node, err = node.New(node.Config{BaseURL: "http://" + ln.Addr().String(), DefaultLanguage: "en", DB: n.db,
		Logger: log, AllowLoopbackPeers: true, Hasher: password.NewFast(), Delivery: delivery})
	if err != nil {
		return nil, err
	}
	n.Store = n.db.Store()
	n.srv = &http.Server{Handler: n.Handler}
	go func() { _ = n.srv.Serve(ln) }()
	runCtx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	go func() { n.Run(runCtx); close(n.done) }()
	if err := n.seedForum(ctx); err != nil {
		n.Close()
		return nil, err
	}
	ok = true
	return n, nil
}

func (n *Node) seedForum(ctx context.Context) error {
	var err error
	n.Author, err = n.Service.CreateMember(ctx, forum.SystemActor(), forum.NewAccount{Username: "ana",
		Profile: forum.Profile{DisplayName: "Ana Pérez", Title: "Innovation Coordinator",
			Organisation: "Barcelona Metropolitan Area", Languages: []string{"en"}}}, forum.RoleMember)
	if err != nil {
		return fmt.Errorf("member: %w", err)
	}
	n.Forum, err = n.Service.CreateForum(ctx, forum.SystemActor(), forum.ForumInput{Slug: "digitalisation", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Learning forum on digitalisation"}}})
	if err != nil {
		return fmt.Errorf("forum: %w", err)
	}
	n.Thread, err = n.Service.Ask(ctx, n.Author, n.Forum.ID, forum.Question{Title: "Has Covid-19 been a turning point for internet access?",
		Body: "In our city, *connectivity* became essential.", Language: "en"})
	if err != nil {
		return fmt.Errorf("thread: %w", err)
	}
	n.Federation.Notify()
	return n.WaitPublished(ctx)
}

// WaitPublished waits until the publisher has handled every event so far
// (so that followers seeded next get nothing published before).
func (n *Node) WaitPublished(ctx context.Context) error {
	for range 500 {
		pending, err := n.Store.UnpublishedEvents(ctx, 1)
		if err != nil {
			return err
		}
		if len(pending) == 0 {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("the publisher did not catch up within 5 s")
}

// ForumURI is the forum actor's id.
func (n *Node) ForumURI() string { return n.URLs.Forum(n.Forum.Slug) }

// Answer posts an answer in the thread the way the web handler does:
// through forum.Service, then a nudge to the publisher.
func (n *Node) Answer(ctx context.Context, body string) (*forum.Post, error) {
	p, err := n.Service.Reply(ctx, n.Author, n.Thread.ID, "", forum.Answer{Body: body, Language: "en"})
	if err != nil {
		return nil, fmt.Errorf("answer: %w", err)
	}
	n.Federation.Notify()
	return p, nil
}

// Edit edits a post the way the web handler does.
func (n *Node) Edit(ctx context.Context, postID forum.ID, body string) error {
	if _, err := n.Service.EditPost(ctx, n.Author, postID, forum.Edit{Body: body, Language: "en"}); err != nil {
		return fmt.Errorf("edit: %w", err)
	}
	n.Federation.Notify()
	return nil
}

// Follower is one remote follower to seed.
type Follower struct {
	ActorURI, Inbox, SharedInbox, Type string
}

// SeedFollowers stores accepted followers of target, and their actor
// documents, straight through the storage layer in one transaction: the
// setup of a benchmark, not what it measures.
func (n *Node) SeedFollowers(ctx context.Context, target string, fs []Follower) error {
	return SeedFollowersIn(ctx, n.Store, target, fs)
}

// SeedFollowersIn is SeedFollowers on any node's store (bench/inbox runs
// its node with bench/internal/serving).
func SeedFollowersIn(ctx context.Context, store *storage.Store, target string, fs []Follower) error {
	ids := forum.NewULIDs(forum.SystemClock{}, nil)
	return store.FederationAtomic(ctx, func(ctx context.Context, tx federation.Store) error {
		for _, f := range fs {
			a := &federation.RemoteActor{URI: f.ActorURI, Type: f.Type, Username: filepath.Base(f.ActorURI),
				Domain: hostOf(f.ActorURI), Inbox: f.Inbox, SharedInbox: f.SharedInbox,
				KeyID: f.ActorURI + "#main-key", FetchedAt: forum.SystemClock{}.Now()}
			if err := tx.SaveRemoteActor(ctx, a); err != nil {
				return fmt.Errorf("seed actor: %w", err)
			}
			fl := &federation.Follower{ID: ids.New(), Target: target, ActorURI: f.ActorURI, Inbox: f.Inbox,
				SharedInbox: f.SharedInbox, FollowID: f.ActorURI + "#follow", State: federation.FollowAccepted,
				CreatedAt: forum.SystemClock{}.Now()}
			if err := tx.SaveFollower(ctx, fl); err != nil {
				return fmt.Errorf("seed follower: %w", err)
			}
		}
		return nil
	})
}

// Close stops the node (letting sends in flight finish) and removes its
// directory.
func (n *Node) Close() {
	if n.srv != nil {
		_ = n.srv.Close()
	}
	if n.cancel != nil {
		n.cancel()
		<-n.done
	}
	if n.db != nil {
		_ = n.db.Close()
	}
	_ = os.RemoveAll(n.dir)
}

// Stats counts the node's delivery queue.
func (n *Node) Stats(ctx context.Context) (federation.DeliveryStats, error) {
	st, err := n.Store.DeliveryStats(ctx)
	if err != nil {
		return st, fmt.Errorf("delivery stats: %w", err)
	}
	return st, nil
}

func hostOf(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	return u.Host
}
