package storage

import (
	"context"
	"fmt"
	"strconv"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
)

// On SQLite a post's search document is written after the post's
// transaction, not in it: analysing the text and writing the document
// there was most of what indexing still added to posting an answer and to
// applying a received one (bench/README.md section 7). The indexer
// follows the posts table instead, in rowid order, from the cursor
// searchPostsCursor (the highest rowid it has followed):
//
//   - SQLite has one writer at a time and gives a new row the highest
//     rowid plus one, so rowids are committed in increasing order: a
//     post committed after the indexer read the table has a rowid above
//     all it read, and none is skipped. Posts are never deleted (a
//     deleted post is a tombstone, whose rowid stays), so no rowid is
//     given twice;
//   - the cursor moves in the transaction that writes the documents: a
//     crash loses nothing, and two processes on one file take turns on
//     the write lock, so no post is followed twice or skipped;
//   - edits, deletions and new titles still write the document in their
//     own transactions (reindexPost, reindexTitle): they are rare, and a
//     post edited before it was followed is then written twice with the
//     same terms (the upsert changes nothing the second time);
//   - a search catches up first (catchUpIfBehind), so it finds every post
//     committed before it started, as it does for search_fts_pending.
//
// The documents then reach the full-text table as any other write of
// search_docs does (search_fts_pending.go), in the same transaction.
//
// PostgreSQL writes the document in the post's transaction: its rows are
// not committed in any order a cursor could follow, and there indexing
// added nothing measurable to posting (its tsvector and GIN entry cost
// the server less than the benchmark's noise).

// searchPostsCursor names the cursor: the highest rowid of posts whose
// documents are written (migration 20261208200000).
const searchPostsCursor = "search.posts"

// followBatch is how many posts one transaction of the indexer documents
// at most.
const followBatch = 500

// followed is the cursor and the highest rowid of posts; the indexer is
// behind while the second is higher (both 0 on PostgreSQL). A missing
// cursor reads 0: every
// post is followed again (each document written as it already is).
func (s *Store) followed(ctx context.Context) (cursor, last int64, err error) {
	if isPostgres(s.db) {
		return 0, 0, nil // PostgreSQL has no rowid and follows nothing
	}
	err = s.db.QueryRowContext(ctx, `SELECT
		COALESCE((SELECT CAST(value AS INTEGER) FROM cursors WHERE name = ?), 0),
		COALESCE((SELECT MAX(rowid) FROM posts), 0)`, searchPostsCursor).Scan(&cursor, &last)
	if err != nil {
		return 0, 0, dbErr("search: followed posts", err)
	}
	return cursor, last, nil
}

// followPosts writes the documents of up to limit posts stored after the
// cursor, in rowid order, moves the cursor past them and returns how many
// it followed. It must run in a write transaction, as indexPending.
func (s *Store) followPosts(ctx context.Context, limit int) (int, error) {
	if isPostgres(s.db) {
		return 0, nil
	}
	cursor, last, err := s.followed(ctx)
	if err != nil || cursor >= last {
		return 0, err
	}
	ids, upTo, err := s.postsAfter(ctx, cursor, limit)
	if err != nil {
		return 0, err
	}
	var prows []postRow
	if err := s.selectPosts(&prows).Where("?TableAlias.id IN (?)", bun.List(ids)).
		Where("?TableAlias.deleted_at IS NULL").Scan(ctx); err != nil {
		return 0, dbErr("search: read posts to follow", err)
	}
	posts, err := s.withTranslations(ctx, prows)
	if err != nil {
		return 0, err
	}
	docs, err := s.documents(ctx, posts)
	if err != nil {
		return 0, err
	}
	if err := s.upsertDocs(ctx, docs); err != nil {
		return 0, err
	}
	if err := s.SetCursor(ctx, searchPostsCursor, strconv.FormatInt(upTo, 10)); err != nil {
		return 0, err
	}
	return len(ids), nil
}

// postsAfter lists the ids of up to limit posts after rowid cursor, in
// rowid order, and the last one's rowid.
func (s *Store) postsAfter(ctx context.Context, cursor int64, limit int) (ids []string, upTo int64, err error) {
	rows, err := s.db.QueryContext(ctx, "SELECT rowid, id FROM posts WHERE rowid > ? ORDER BY rowid LIMIT ?", cursor, limit)
	if err != nil {
		return nil, 0, dbErr("search: posts to follow", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&upTo, &id); err != nil {
			return nil, 0, dbErr("search: posts to follow", err)
		}
		ids = append(ids, id)
	}
	return ids, upTo, dbErr("search: posts to follow", rows.Err())
}

// documents are posts' search documents, their questions' titles
// included.
func (s *Store) documents(ctx context.Context, posts []*forum.Post) ([]searchDocRow, error) {
	var threadIDs []string
	for _, p := range posts {
		if p.IsQuestion() {
			threadIDs = append(threadIDs, p.ThreadID)
		}
	}
	threads := map[string]threadRow{}
	if len(threadIDs) > 0 {
		var rows []threadRow
		if err := s.db.NewSelect().Model(&rows).Where("id IN (?)", bun.List(threadIDs)).Scan(ctx); err != nil {
			return nil, dbErr("search: questions' threads", err)
		}
		for _, r := range rows {
			threads[r.ID] = r
		}
	}
	docs := make([]searchDocRow, 0, len(posts))
	for _, p := range posts {
		if p.DeletedAt != nil {
			continue
		}
		doc := searchDocRow{PostID: p.ID, Body: s.postTerms(p), Language: p.Language}
		if t, ok := threads[p.ThreadID]; ok && p.IsQuestion() {
			doc.Title, doc.TitleKey = s.analyzer.Terms(t.Language, t.Title), search.TitleKey(t.Title)
		}
		docs = append(docs, doc)
	}
	return docs, nil
}

// upsertDocs writes documents, importChunk to a statement; a document
// already written with the same values is left as it is (on SQLite an
// unchanged row notes nothing for the full-text index).
func (s *Store) upsertDocs(ctx context.Context, docs []searchDocRow) error {
	for start := 0; start < len(docs); start += importChunk {
		chunk := docs[start:min(start+importChunk, len(docs))]
		_, err := s.db.NewInsert().Model(&chunk).On("CONFLICT (post_id) DO UPDATE").
			Set("title_key = EXCLUDED.title_key").Set("title = EXCLUDED.title").
			Set("body = EXCLUDED.body").Set("language = EXCLUDED.language").
			Where("?TableAlias.title_key <> EXCLUDED.title_key OR ?TableAlias.title <> EXCLUDED.title" +
				" OR ?TableAlias.body <> EXCLUDED.body OR ?TableAlias.language <> EXCLUDED.language").
			Exec(ctx)
		if err != nil {
			return dbErr(fmt.Sprintf("search: write documents %d-%d", start, start+len(chunk)), err)
		}
	}
	return nil
}

// postsBehind counts the posts the indexer has not followed yet.
func (s *Store) postsBehind(ctx context.Context) (int, error) {
	if isPostgres(s.db) {
		return 0, nil
	}
	cursor, last, err := s.followed(ctx)
	if err != nil || cursor >= last {
		return 0, err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM posts WHERE rowid > ?", cursor).Scan(&n); err != nil {
		return 0, dbErr("search: posts behind", err)
	}
	return n, nil
}

// followedUpTo moves the cursor to rowid when it is behind it, for a
// writer that wrote the documents of every post up to rowid itself
// (Reindex, ImportPosts): the indexer need not read them again.
func (s *Store) followedUpTo(ctx context.Context, rowid int64) error {
	if isPostgres(s.db) {
		return nil
	}
	cursor, _, err := s.followed(ctx)
	if err != nil || cursor >= rowid {
		return err
	}
	return s.SetCursor(ctx, searchPostsCursor, strconv.FormatInt(rowid, 10))
}
