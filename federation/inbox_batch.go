package federation

import (
	"context"
	"fmt"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/inbox"
	"github.com/metropolis/agora/forum"
)

// Bounds of one batch of received activities applied in one transaction
// (its size is inbox.BatchMax).
const (
	// inboxBatchTime bounds the time a batch holds its transaction: on
	// SQLite it holds the database's only write lock, and the inbox's
	// group commit (the 202 answers) waits for it. Counted from the
	// transaction's start (not from waiting for the lock), and never
	// before one item is applied. Items not reached are applied by the
	// next batch, in their order.
	inboxBatchTime = 100 * time.Millisecond
)

// applyScope is the store and service a batch's activities are applied
// with: the batch's transaction. The apply code reads them through
// forumIn and storeIn, so the same code applies an item alone (each change
// in a transaction of its own) or inside a batch.
type applyScope struct {
	svc   *forum.Service
	store Store
}

type applyScopeKey struct{}

// forumIn is the forum service to apply with: the batch's, or the node's.
func (f *Federation) forumIn(ctx context.Context) *forum.Service {
	if s, ok := ctx.Value(applyScopeKey{}).(*applyScope); ok {
		return s.svc
	}
	return f.svc
}

// storeIn is the store to apply with: the batch's transaction, or the
// node's store.
func (f *Federation) storeIn(ctx context.Context) Store {
	if s, ok := ctx.Value(applyScopeKey{}).(*applyScope); ok {
		return s.store
	}
	return f.store
}

// batchable are the activities applied in batches: posts, their edits and
// deletions, helpful marks, shares and a forum's announces. Follows and
// their answers, flags, locks and good-practice marks are rare and send or
// fetch as they apply: they are applied alone.
var batchable = map[string]bool{ap.TypeCreate: true, ap.TypeUpdate: true, ap.TypeDelete: true, ap.TypeLike: true,
	ap.TypeUndo: true, ap.TypeAnnounce: true}

// applyBatch applies items in one transaction, each under a savepoint, and
// records each one's outcome in the same transaction: the change, its
// event and the item marked done commit together or not at all. Lookups
// of forums, threads, posts and members are read once per batch
// (batchStore). An item that would fetch is rolled back and left to be
// applied alone, as is any item after it with the same order key; so is an
// item that fails in a way a retry may mend (it is then retried alone,
// with its attempts counted). If the transaction itself fails, every item
// is left to be applied alone.
func (f *Federation) applyBatch(ctx context.Context, items []*inbox.Queued) inbox.Outcome {
	// Parsed before the transaction, which (on SQLite) holds the write lock.
	for _, bi := range items {
		bi.Parse(ctx)
	}
	var out inbox.Outcome
	err := f.store.FederationAtomic(ctx, func(ctx context.Context, tx Store) error {
		start := time.Now()
		out = inbox.Outcome{}
		bs := newBatchStore(tx)
		ctx = context.WithValue(ctx, applyScopeKey{}, &applyScope{svc: f.svc.WithStore(bs), store: tx})
		aloneKeys := map[string]bool{}
		for i, bi := range items {
			if i > 0 && time.Since(start) > inboxBatchTime {
				out.Rest = append(out.Rest, items[i:]...)
				break
			}
			if aloneKeys[bi.Key] || (bi.Act != nil && !batchable[bi.Act.Type]) {
				aloneKeys[bi.Key] = true
				out.Alone = append(out.Alone, bi)
				continue
			}
			recorded, err := f.applyInBatch(ctx, tx, bs, bi)
			if err != nil {
				return err
			}
			if recorded {
				out.Recorded = append(out.Recorded, bi.Item)
			} else {
				aloneKeys[bi.Key] = true
				out.Alone = append(out.Alone, bi)
			}
		}
		return bs.flush(ctx)
	})
	if err != nil {
		if ctx.Err() == nil {
			f.log.Warn("inbox batch failed; its items are applied one by one", "items", len(items), "err", err)
		}
		return inbox.Outcome{Alone: items}
	}
	if len(out.Recorded) > 0 {
		// The changes recorded events: their activities are passed on now
		// rather than at the publisher's next poll.
		f.wakePublisher()
	}
	return out
}

// applyInBatch applies one item of a batch under a savepoint and records
// its outcome in the batch's transaction. It reports false, with every
// change of the item rolled back, when the item is to be applied alone; an
// error only when the transaction can't go on.
func (f *Federation) applyInBatch(ctx context.Context, tx Store, bs *batchStore, bi *inbox.Queued) (recorded bool, err error) {
	now := f.cfg.Clock.Now()
	ctx, fetched := fetch.WithoutFetches(ctx)
	counted := bs.counted()
	var applyErr error
	err = tx.Savepoint(ctx, func(ctx context.Context) error {
		applyErr = f.applySafely(ctx, bi.Item, func(ctx context.Context, it *InboxItem) error {
			if bi.Err != nil {
				return refused(parseReason(bi.Err), "parse: %w", bi.Err)
			}
			return f.applyParsed(ctx, it, bi.Act)
		})
		if applyErr != nil {
			return applyErr
		}
		return tx.FinishInboxItem(ctx, bi.Item.ID, now)
	})
	switch {
	case err == nil:
		return true, nil
	case applyErr == nil:
		return false, err // the savepoint or the finish failed: the transaction is in doubt
	}
	// Rolled back: what was read for the item may have been its own
	// writes, and the replies it counted are gone with them.
	bs.forget()
	bs.replies = counted
	if fetched() || !isPermanent(applyErr) || ctx.Err() != nil {
		return false, nil
	}
	if err := f.refuseItem(ctx, bi.Item, now, refusalReason(applyErr), applyErr); err != nil {
		return false, fmt.Errorf("refuse %s: %w", bi.Item.ActivityID, err)
	}
	return true, nil
}

// batchStore is the forum's store inside a batch's transaction. It keeps
// the forums, threads, posts and members read during the batch (dropped at
// any change to one of them, and when an item is rolled back), and it
// counts the replies the batch adds to each thread, writing each thread's
// count once at the end (flush): the thread's row, which every reply to it
// changes, is then locked only from that statement to the commit, not for
// the whole batch.
type batchStore struct {
	forum.Store
	savepoint func(ctx context.Context, fn func(ctx context.Context) error) error
	forums    map[forum.ID]*forum.Forum
	threads   map[forum.ID]*forum.Thread
	posts     map[forum.ID]*forum.Post
	members   map[string]*forum.Member
	replies   map[forum.ID]*threadReplies
}

type threadReplies struct {
	n      int
	lastID forum.ID
	lastAt time.Time
}

func newBatchStore(tx Store) *batchStore {
	b := &batchStore{Store: tx.ForumStore(), savepoint: tx.Savepoint, replies: map[forum.ID]*threadReplies{}}
	b.forget()
	return b
}

// forget drops what the batch read (the counts stay: they are the
// batch's own writes, rolled back with their item only through Atomic).
func (b *batchStore) forget() {
	b.forums = map[forum.ID]*forum.Forum{}
	b.threads = map[forum.ID]*forum.Thread{}
	b.posts = map[forum.ID]*forum.Post{}
	b.members = map[string]*forum.Member{}
}

// flush writes the counted replies, one statement per thread.
func (b *batchStore) flush(ctx context.Context) error {
	for id, r := range b.replies {
		if err := b.Store.AddThreadReplies(ctx, id, r.n, r.lastID, r.lastAt); err != nil {
			return fmt.Errorf("count %d replies of thread %s: %w", r.n, id, err)
		}
	}
	b.replies = map[forum.ID]*threadReplies{}
	return nil
}

// Atomic runs fn under a savepoint of the batch's transaction: a failed fn
// leaves nothing behind, as its own transaction would (its caller may go
// on, e.g. a duplicate found by its conflict). The reply counts fn added
// are dropped with its writes.
func (b *batchStore) Atomic(ctx context.Context, fn func(ctx context.Context, tx forum.Store) error) error {
	counted := b.counted()
	err := b.savepoint(ctx, func(ctx context.Context) error { return fn(ctx, b) })
	if err != nil {
		b.forget()
		b.replies = counted
	}
	return err
}

// counted is a copy of the replies counted so far, to go back to.
func (b *batchStore) counted() map[forum.ID]*threadReplies {
	c := make(map[forum.ID]*threadReplies, len(b.replies))
	for id, r := range b.replies {
		cp := *r
		c[id] = &cp
	}
	return c
}

// AddThreadReplies counts replies for flush.
func (b *batchStore) AddThreadReplies(_ context.Context, threadID forum.ID, n int, lastID forum.ID, lastAt time.Time) error {
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
func (b *batchStore) ForumByID(ctx context.Context, id forum.ID) (*forum.Forum, error) {
	return cached(b.forums, id, func() (*forum.Forum, error) { return b.Store.ForumByID(ctx, id) })
}

// ReadThread reads a thread once per batch. Its reply count does not
// include the replies the batch added: nothing in applying reads it.
func (b *batchStore) ReadThread(ctx context.Context, id forum.ID) (*forum.Thread, error) {
	return cached(b.threads, id, func() (*forum.Thread, error) { return b.Store.ReadThread(ctx, id) })
}

// ThreadByID reads a thread to write it whole (a deletion, a lock): the
// replies the batch counted are written first, so the row read has them,
// and the read is not kept.
func (b *batchStore) ThreadByID(ctx context.Context, id forum.ID) (*forum.Thread, error) {
	if err := b.flush(ctx); err != nil {
		return nil, err
	}
	delete(b.threads, id)
	return b.Store.ThreadByID(ctx, id)
}

// PostByID reads a post once per batch.
func (b *batchStore) PostByID(ctx context.Context, id forum.ID) (*forum.Post, error) {
	return cached(b.posts, id, func() (*forum.Post, error) { return b.Store.PostByID(ctx, id) })
}

// MemberByURI reads a remote member once per batch.
func (b *batchStore) MemberByURI(ctx context.Context, uri string) (*forum.Member, error) {
	return cached(b.members, uri, func() (*forum.Member, error) { return b.Store.MemberByURI(ctx, uri) })
}

// The writes that change what the batch keeps drop it.

// UpdateThread writes a thread read with ThreadByID (which wrote the
// batch's counts before reading it).
func (b *batchStore) UpdateThread(ctx context.Context, t *forum.Thread) error {
	b.forget()
	return b.Store.UpdateThread(ctx, t)
}

func (b *batchStore) UpdatePost(ctx context.Context, p *forum.Post) error {
	b.forget()
	return b.Store.UpdatePost(ctx, p)
}

func (b *batchStore) UpdateForum(ctx context.Context, fo *forum.Forum) error {
	b.forget()
	return b.Store.UpdateForum(ctx, fo)
}

func (b *batchStore) UpdateMember(ctx context.Context, m *forum.Member) error {
	b.forget()
	return b.Store.UpdateMember(ctx, m)
}

func (b *batchStore) CreateMember(ctx context.Context, m *forum.Member) error {
	b.forget()
	return b.Store.CreateMember(ctx, m)
}

func (b *batchStore) AddHelpful(ctx context.Context, postID, memberID forum.ID, at time.Time) error {
	b.forget()
	return b.Store.AddHelpful(ctx, postID, memberID, at)
}

func (b *batchStore) RemoveHelpful(ctx context.Context, postID, memberID forum.ID) error {
	b.forget()
	return b.Store.RemoveHelpful(ctx, postID, memberID)
}

func (b *batchStore) AddShare(ctx context.Context, postID, memberID forum.ID, at time.Time) error {
	b.forget()
	return b.Store.AddShare(ctx, postID, memberID, at)
}

func (b *batchStore) RemoveShare(ctx context.Context, postID, memberID forum.ID) error {
	b.forget()
	return b.Store.RemoveShare(ctx, postID, memberID)
}

var _ forum.Store = (*batchStore)(nil)
