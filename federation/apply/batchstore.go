package apply

import (
	"context"
	"fmt"
	"time"

	"github.com/metropolis/agora/forum"
)

// BatchTx is the batch's transaction as BatchStore uses it: the forum's
// store inside it, and savepoints.
type BatchTx interface {
	// ForumStore is the transaction as the forum's store.
	ForumStore() forum.Store
	// Savepoint runs fn under a savepoint, rolling back to it when fn
	// fails (the transaction goes on).
	Savepoint(ctx context.Context, fn func(ctx context.Context) error) error
}

// Replies are the replies a batch counted per thread, not yet written.
type Replies map[forum.ID]*threadReplies

// Restore goes back to replies counted before (Counted), when what was
// counted since is rolled back.
func (b *BatchStore) Restore(counted Replies) { b.replies = counted }

// BatchStore is the forum's store inside a batch's transaction. It keeps
// the forums, threads, posts and members read during the batch (dropped at
// any change to one of them, and when an item is rolled back), and it
// counts the replies the batch adds to each thread, writing each thread's
// count once at the end (Flush): the thread's row, which every reply to it
// changes, is then locked only from that statement to the commit, not for
// the whole batch.
type BatchStore struct {
	forum.Store
	savepoint func(ctx context.Context, fn func(ctx context.Context) error) error
	forums    map[forum.ID]*forum.Forum
	threads   map[forum.ID]*forum.Thread
	posts     map[forum.ID]*forum.Post
	members   map[string]*forum.Member
	replies   Replies
}

type threadReplies struct {
	n      int
	lastID forum.ID
	lastAt time.Time
}

func NewBatchStore(tx BatchTx) *BatchStore {
	b := &BatchStore{Store: tx.ForumStore(), savepoint: tx.Savepoint, replies: Replies{}}
	b.Forget()
	return b
}

// Forget drops what the batch read (the counts stay: they are the
// batch's own writes, rolled back with their item only through Atomic).
func (b *BatchStore) Forget() {
	b.forums = map[forum.ID]*forum.Forum{}
	b.threads = map[forum.ID]*forum.Thread{}
	b.posts = map[forum.ID]*forum.Post{}
	b.members = map[string]*forum.Member{}
}

// Flush writes the counted replies, one statement per thread.
func (b *BatchStore) Flush(ctx context.Context) error {
	for id, r := range b.replies {
		if err := b.Store.AddThreadReplies(ctx, id, r.n, r.lastID, r.lastAt); err != nil {
			return fmt.Errorf("count %d replies of thread %s: %w", r.n, id, err)
		}
	}
	b.replies = Replies{}
	return nil
}

// Atomic runs fn under a savepoint of the batch's transaction: a failed fn
// leaves nothing behind, as its own transaction would (its caller may go
// on, e.g. a duplicate found by its conflict). The reply counts fn added
// are dropped with its writes.
func (b *BatchStore) Atomic(ctx context.Context, fn func(ctx context.Context, tx forum.Store) error) error {
	counted := b.Counted()
	err := b.savepoint(ctx, func(ctx context.Context) error { return fn(ctx, b) })
	if err != nil {
		b.Forget()
		b.replies = counted
	}
	return err
}

// Counted is a copy of the replies counted so far, to go back to.
func (b *BatchStore) Counted() Replies {
	c := make(Replies, len(b.replies))
	for id, r := range b.replies {
		cp := *r
		c[id] = &cp
	}
	return c
}

// AddThreadReplies counts replies for flush.
func (b *BatchStore) AddThreadReplies(_ context.Context, threadID forum.ID, n int, lastID forum.ID, lastAt time.Time) error {
	r := b.replies[threadID]
	if r == nil {
		r = &threadReplies{}
		b.replies[threadID] = r
	}
	r.n += n
	if lastID > r.lastID {
		r.lastID, r.lastAt = lastID, lastAt
	}
	return nil
}

func cached[K comparable, V any](m map[K]V, k K, read func() (V, error)) (V, error) {
	if v, ok := m[k]; ok {
		return v, nil
	}
	v, err := read()
	if err == nil {
		m[k] = v
	}
	return v, err
}

// ForumByID reads a forum once per batch.
func (b *BatchStore) ForumByID(ctx context.Context, id forum.ID) (*forum.Forum, error) {
	return cached(b.forums, id, func() (*forum.Forum, error) { return b.Store.ForumByID(ctx, id) })
}

// ReadThread reads a thread once per batch. Its reply count does not
// include the replies the batch added: nothing in applying reads it.
func (b *BatchStore) ReadThread(ctx context.Context, id forum.ID) (*forum.Thread, error) {
	return cached(b.threads, id, func() (*forum.Thread, error) { return b.Store.ReadThread(ctx, id) })
}

// ThreadByID reads a thread to write it or one of its posts (a deletion, a
// lock, an edit): the replies the batch counted are written first, so the
// row read has them, and the read is not kept. Nor are the thread's posts
// read before: on PostgreSQL this read waits for the thread's lock, and a
// post is read again holding it, to be written whole (forum's
// postAndThread); a copy from before the wait may miss a change.
func (b *BatchStore) ThreadByID(ctx context.Context, id forum.ID) (*forum.Thread, error) {
	if err := b.Flush(ctx); err != nil {
		return nil, err
	}
	delete(b.threads, id)
	for pid, p := range b.posts {
		if p.ThreadID == id {
			delete(b.posts, pid)
		}
	}
	return b.Store.ThreadByID(ctx, id)
}

// PostByID reads a post once per batch.
func (b *BatchStore) PostByID(ctx context.Context, id forum.ID) (*forum.Post, error) {
	return cached(b.posts, id, func() (*forum.Post, error) { return b.Store.PostByID(ctx, id) })
}

// MemberByURI reads a remote member once per batch.
func (b *BatchStore) MemberByURI(ctx context.Context, uri string) (*forum.Member, error) {
	return cached(b.members, uri, func() (*forum.Member, error) { return b.Store.MemberByURI(ctx, uri) })
}

// The writes that change what the batch keeps drop it.

// UpdateThread writes a thread read with ThreadByID (which wrote the
// batch's counts before reading it).
func (b *BatchStore) UpdateThread(ctx context.Context, t *forum.Thread) error {
	b.Forget()
	return b.Store.UpdateThread(ctx, t)
}

func (b *BatchStore) UpdatePost(ctx context.Context, p *forum.Post) error {
	b.Forget()
	return b.Store.UpdatePost(ctx, p)
}

func (b *BatchStore) UpdateForum(ctx context.Context, fo *forum.Forum) error {
	b.Forget()
	return b.Store.UpdateForum(ctx, fo)
}

func (b *BatchStore) UpdateMember(ctx context.Context, m *forum.Member) error {
	b.Forget()
	return b.Store.UpdateMember(ctx, m)
}

func (b *BatchStore) CreateMember(ctx context.Context, m *forum.Member) error {
	b.Forget()
	return b.Store.CreateMember(ctx, m)
}

func (b *BatchStore) AddHelpful(ctx context.Context, postID, memberID forum.ID, at time.Time) error {
	b.Forget()
	return b.Store.AddHelpful(ctx, postID, memberID, at)
}

func (b *BatchStore) RemoveHelpful(ctx context.Context, postID, memberID forum.ID) error {
	b.Forget()
	return b.Store.RemoveHelpful(ctx, postID, memberID)
}

func (b *BatchStore) AddShare(ctx context.Context, postID, memberID forum.ID, at time.Time) error {
	b.Forget()
	return b.Store.AddShare(ctx, postID, memberID, at)
}

func (b *BatchStore) RemoveShare(ctx context.Context, postID, memberID forum.ID) error {
	b.Forget()
	return b.Store.RemoveShare(ctx, postID, memberID)
}

var _ forum.Store = (*BatchStore)(nil)
