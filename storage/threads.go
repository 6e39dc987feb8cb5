package storage

import (
	"context"
	"database/sql"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
)

type threadRow struct {
	bun.BaseModel `bun:"table:threads"`
	ID            string     `bun:"id,pk"`
	URI           string     `bun:"uri,nullzero"` // NULL for local threads
	ContextURI    string     `bun:"context_uri"`
	ForumID       string     `bun:"forum_id"`
	AuthorID      string     `bun:"author_id"`
	RootPostID    string     `bun:"root_post_id"`
	Title         string     `bun:"title"`
	Language      string     `bun:"language"`
	Pinned        bool       `bun:"pinned"`
	Locked        bool       `bun:"locked"`
	ReplyCount    int        `bun:"reply_count"`
	LastPostID    string     `bun:"last_post_id"`
	LastPostAt    time.Time  `bun:"last_post_at"`
	CreatedAt     time.Time  `bun:"created_at"`
	DeletedAt     *time.Time `bun:"deleted_at"`
}

func threadToRow(t *forum.Thread) *threadRow {
	return &threadRow{
		ID: t.ID, URI: t.URI, ContextURI: t.ContextURI, ForumID: t.ForumID, AuthorID: t.AuthorID, RootPostID: t.RootPostID,
		Title: t.Title, Language: t.Language, Pinned: t.Pinned, Locked: t.Locked,
		ReplyCount: t.ReplyCount, LastPostID: t.LastPostID, LastPostAt: utc(t.LastPostAt),
		CreatedAt: utc(t.CreatedAt), DeletedAt: utcPtr(t.DeletedAt),
	}
}

func (r *threadRow) toForum() *forum.Thread {
	return &forum.Thread{
		ID: r.ID, URI: r.URI, ContextURI: r.ContextURI, ForumID: r.ForumID, AuthorID: r.AuthorID, RootPostID: r.RootPostID,
		Title: r.Title, Language: r.Language, Pinned: r.Pinned, Locked: r.Locked,
		ReplyCount: r.ReplyCount, LastPostID: r.LastPostID, LastPostAt: r.LastPostAt.UTC(),
		CreatedAt: r.CreatedAt.UTC(), DeletedAt: utcPtr(r.DeletedAt),
	}
}

// CreateThread stores the thread and its question post together;
// ErrConflict if the thread's (or the post's) ID or URI is taken.
func (s *Store) CreateThread(ctx context.Context, t *forum.Thread, question *forum.Post) error {
	ctx = withThreadScope(ctx, t.ID)
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		if _, err := tx.db.NewInsert().Model(threadToRow(t)).Exec(ctx); err != nil {
			return dbErr("create thread", err)
		}
		return tx.createPost(ctx, question, t)
	})
}

// UpdateThread stores every field of t (and its title in the search
// index).
func (s *Store) UpdateThread(ctx context.Context, t *forum.Thread) error {
	ctx = withThreadScope(ctx, t.ID)
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		res, err := tx.db.NewUpdate().Model(threadToRow(t)).WherePK().Exec(ctx)
		if err != nil {
			return dbErr("update thread", err)
		}
		if err := affected("update thread", res); err != nil {
			return err
		}
		return tx.reindexTitle(ctx, t)
	})
}

// AddThreadReplies counts n new replies to a thread in one statement and
// moves its last post to lastPostID when that is newer. The increment is
// done by the database (reply_count = reply_count + n), so concurrent
// writers need no lock on the thread row beyond the statement's own: a
// batch of received replies holds it only from this statement to its
// commit. The search index is untouched (the title did not change).
// ErrNotFound if there is no such thread.
func (s *Store) AddThreadReplies(ctx context.Context, threadID forum.ID, n int, lastPostID forum.ID, lastPostAt time.Time) error {
	ctx = withThreadScope(ctx, threadID)
	// Every SET expression reads the row as it was before the statement,
	// so both CASEs compare with the old last_post_id.
	// Prepared: every batch of received replies runs it per thread.
	res, err := s.execPrepared(ctx, "add thread replies",
		func(db bun.IDB) bun.Query { return db.NewUpdate().Model((*threadRow)(nil)) },
		func(db bun.IDB) string {
			p := bun.Safe("?")
			return db.NewUpdate().Model((*threadRow)(nil)).
				Set("reply_count = reply_count + ?", p).
				Set("last_post_at = CASE WHEN last_post_id < ? THEN ? ELSE last_post_at END", p, p).
				Set("last_post_id = CASE WHEN last_post_id < ? THEN ? ELSE last_post_id END", p, p).
				Where("id = ?", p).String()
		}, n, lastPostID, utc(lastPostAt), lastPostID, lastPostID, threadID)
	if err != nil {
		return dbErr("add thread replies", err)
	}
	return affected("add thread replies", res)
}

// ReadThread is ThreadByID without the row lock a read inside a
// transaction takes on PostgreSQL: for a writer that changes the thread
// only through AddThreadReplies.
//
// Prepared: the received side reads every reply's thread.
func (s *Store) ReadThread(ctx context.Context, id forum.ID) (*forum.Thread, error) {
	var rows []threadRow
	err := s.selectPrepared(ctx, "read thread", &rows, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("id = ?", bun.Safe("?"))
	}, id)
	if err != nil {
		return nil, dbErr("read thread", err)
	}
	if len(rows) == 0 {
		return nil, dbErr("read thread", sql.ErrNoRows)
	}
	return rows[0].toForum(), nil
}

// ThreadByID returns a thread, deleted or not.
func (s *Store) ThreadByID(ctx context.Context, id forum.ID) (*forum.Thread, error) {
	return s.oneThread(ctx, "thread by id", "id = ?", id)
}

// ThreadByURI finds a remote thread by its question's ActivityPub id,
// deleted or not.
func (s *Store) ThreadByURI(ctx context.Context, uri string) (*forum.Thread, error) {
	return s.oneThread(ctx, "thread by uri", "uri = ?", uri)
}

func (s *Store) oneThread(ctx context.Context, what, where string, arg any) (*forum.Thread, error) {
	var row threadRow
	q := s.db.NewSelect().Model(&row).Where(where, arg)
	if s.inTx && isPostgres(s.db) {
		// A thread read in a transaction is read to be changed (its reply
		// count, its last post): under READ COMMITTED two transactions would
		// both read the old count and one increment would be lost, as when
		// replies to one thread are applied concurrently. SQLite runs one
		// write transaction at a time.
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbErr(what, err)
	}
	return row.toForum(), nil
}

// ListThreads lists a forum's threads that are not deleted, ordered pinned
// first, then LastPostID descending, then ID descending, strictly after the
// cursor (the zero cursor starts at the top).
func (s *Store) ListThreads(ctx context.Context, forumID forum.ID, after forum.ThreadCursor, limit int) ([]*forum.Thread, error) {
	var rows []threadRow
	q := s.db.NewSelect().Model(&rows).
		Where("forum_id = ?", forumID).Where("deleted_at IS NULL").
		OrderExpr("pinned DESC, last_post_id DESC, id DESC").Limit(int64(limit))
	if after != (forum.ThreadCursor{}) {
		// "After" in a descending order is "less than". pinned is spelled
		// out so the boolean never enters a row-value comparison.
		if after.Pinned {
			q = q.Where("pinned = ? OR (pinned = ? AND (last_post_id, id) < (?, ?))",
				false, true, after.LastPostID, after.ID)
		} else {
			q = q.Where("pinned = ? AND (last_post_id, id) < (?, ?)", false, after.LastPostID, after.ID)
		}
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbErr("list threads", err)
	}
	out := make([]*forum.Thread, len(rows))
	for i := range rows {
		out[i] = rows[i].toForum()
	}
	return out, nil
}

// CountThreads counts a forum's threads that are not deleted.
func (s *Store) CountThreads(ctx context.Context, forumID forum.ID) (int, error) {
	n, err := s.db.NewSelect().Model((*threadRow)(nil)).
		Where("forum_id = ?", forumID).Where("deleted_at IS NULL").Count(ctx)
	return int(n), dbErr("count threads", err)
}
