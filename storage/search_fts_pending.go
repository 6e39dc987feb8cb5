package storage

import (
	"context"
	"database/sql"
)

// On SQLite the FTS5 table search_fts is brought up to date in batches,
// off the post's transaction: writing it there made FTS5 write a new
// segment at every commit, most of what indexing added to posting an
// answer (bench/README.md section 7). The indexer writes a new post's
// document in search_docs (search_follow.go; an edit's transaction
// writes it itself), and search_docs' triggers note the document in
// search_fts_pending (migration 20261207400000: the first change since
// the index caught up wins, so the row says what the index holds for
// that rowid: nothing, or the old title and body FTS5's 'delete' needs).
// Then:
//
//   - indexPending applies up to a batch of pending rows and deletes them,
//     in one transaction: a crash loses nothing (the rows are still there
//     at the next start), and two processes on one file take turns on
//     SQLite's write lock, so no row is indexed twice or skipped;
//   - the indexer (RunSearchIndexer, search_fts_indexer.go) runs it after
//     commits that wrote posts or search_docs, a moment later so one
//     transaction indexes many documents, in the transaction that wrote
//     the new posts' documents;
//   - a search (findRelevantFTS5, findNewestFTS5: every FindPosts on
//     SQLite) catches the index up first when posts or rows are pending, so it
//     never misses a post committed before it started (catchUpIfBehind);
//   - Reindex and ImportPosts index what they wrote in their own
//     transactions.
//
// PostgreSQL needs none of it: its tsvector is a generated column of
// search_docs, written with the row.

// pendingBatch is how many documents one transaction of catchUpSearch
// indexes at most: a burst is indexed in bounded write transactions, the
// node's writers going in between.
const pendingBatch = 1000

// indexPendingSteps index the pending documents up to a rowid (the
// argument). What the index holds for each rowid is removed before what
// search_docs holds now is added: a document updated (or its rowid
// reused) since it was indexed is removed with the values it was indexed
// with. The pending rows are read first (CROSS JOIN): left to choose,
// SQLite walked search_docs up to the bound, every document of the node,
// and looked each up among the pending (TestIndexPendingPlan).
var indexPendingSteps = []struct{ what, sql string }{
	{"remove old terms", `INSERT INTO search_fts (search_fts, rowid, title, body)
		SELECT 'delete', doc_id, old_title, old_body FROM search_fts_pending
		WHERE doc_id <= ? AND old_title IS NOT NULL`},
	{"add terms", `INSERT INTO search_fts (rowid, title, body)
		SELECT d.id, d.title, d.body FROM search_fts_pending AS p CROSS JOIN search_docs AS d ON d.id = p.doc_id
		WHERE p.doc_id <= ?`},
	{"done", `DELETE FROM search_fts_pending WHERE doc_id <= ?`},
}

// indexPending indexes up to limit pending documents (every one when
// limit is 0), the lowest rowids first, and returns how many it took. It
// must run in a write transaction (or be the only writer): the pending
// rows it reads, the index and search_docs must not change under it.
func (s *Store) indexPending(ctx context.Context, limit int) (int, error) {
	if isPostgres(s.db) {
		return 0, nil
	}
	var upTo sql.NullInt64
	var n int
	q := "SELECT MAX(doc_id), COUNT(*) FROM search_fts_pending"
	args := []any{}
	if limit > 0 {
		q = "SELECT MAX(doc_id), COUNT(*) FROM (SELECT doc_id FROM search_fts_pending ORDER BY doc_id LIMIT ?)"
		args = append(args, limit)
	}
	if err := s.db.QueryRowContext(ctx, q, args...).Scan(&upTo, &n); err != nil {
		return 0, dbErr("index pending: bound", err)
	}
	if !upTo.Valid {
		return 0, nil
	}
	for _, st := range indexPendingSteps {
		if _, err := s.db.ExecContext(ctx, st.sql, upTo.Int64); err != nil {
			return 0, dbErr("index pending: "+st.what, err)
		}
	}
	return n, nil
}

// searchBehind reports whether documents are waiting to be indexed, or
// posts to be followed (search_follow.go).
func (s *Store) searchBehind(ctx context.Context) (bool, error) {
	if isPostgres(s.db) {
		return false, nil
	}
	var behind bool
	err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM search_fts_pending)
		OR COALESCE((SELECT MAX(rowid) FROM posts), 0) <>
			COALESCE((SELECT CAST(value AS INTEGER) FROM cursors WHERE name = ?), 0)`, searchPostsCursor).Scan(&behind)
	if err != nil {
		return false, dbErr("search: pending documents", err)
	}
	return behind, nil
}

// catchUpSearch follows every post stored since the indexer last did and
// indexes every pending document, a batch per transaction (in the
// caller's transaction when there is one). Each batch of new posts is
// read and analysed before the write transaction (search_follow.go), and
// read again if another writer followed them first.
func (s *Store) catchUpSearch(ctx context.Context) error {
	if isPostgres(s.db) {
		return nil
	}
	for {
		nd, err := s.readNewPosts(ctx, followBatch)
		if err != nil {
			return err
		}
		wrote, indexed := false, 0
		err = s.atomic(ctx, func(ctx context.Context, tx *Store) error {
			var err error
			if nd != nil {
				if wrote, err = tx.writeNewDocs(ctx, nd); err != nil {
					return err
				}
			}
			indexed, err = tx.indexPending(ctx, pendingBatch)
			return err
		})
		if err != nil {
			return err
		}
		if indexed < pendingBatch && (nd == nil || (wrote && nd.posts < followBatch)) {
			return nil
		}
	}
}

// SearchPending is how many posts wait for their documents and documents
// wait to be indexed (0 on PostgreSQL): the search benchmark waits for 0
// before it reads the CPU time, so the indexer's work is counted with the
// writes that caused it.
func (s *Store) SearchPending(ctx context.Context) (int, error) {
	if isPostgres(s.db) {
		return 0, nil
	}
	posts, err := s.postsBehind(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM search_fts_pending").Scan(&n); err != nil {
		return 0, dbErr("search: count pending documents", err)
	}
	return posts + n, nil
}
