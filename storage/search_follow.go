package storage

import (
	"context"
	"fmt"
	"slices"
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
//     given twice; should the cursor ever be past the last rowid (rows
//     removed, or renumbered by a VACUUM after that), every post is
//     followed again;
//   - the cursor moves in the transaction that writes the documents: a
//     crash loses nothing, and two processes on one file take turns on
//     the write lock, so no post is followed twice or skipped;
//   - the indexer reads and analyses a batch of new posts before it takes
//     the write lock (readNewPosts), and writes their documents under it
//     (writeNewDocs), after checking what changed in between: the cursor
//     (another writer followed them: read again), deletions, questions'
//     titles;
//   - edits, deletions and new titles still write the document in their
//     own transactions (reindexPost, reindexTitle): they are rare, and a
//     document an edit wrote before the indexer followed its post is
//     newer than the indexer's, which leaves it as it is (but for a
//     question's title, which an edit of the post alone does not write);
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

// newDocs are the documents of posts stored after the cursor, read and
// analysed outside the write lock (readNewPosts) and written under it
// (writeNewDocs): the analysis, a third of the indexer's work, then no
// longer keeps the node's writers waiting.
type newDocs struct {
	from, upTo int64 // the cursor read, and the last post's rowid
	posts      int   // posts read (tombstones included)
	docs       []searchDocRow
	// titles are the questions' titles the documents hold, by post id,
	// to check under the lock that they did not change meanwhile.
	titles map[string]questionTitle
}

type questionTitle struct{ title, language string }

// readNewPosts reads up to limit posts stored after the cursor, in rowid
// order, and makes their documents; nil when the cursor is at the last
// post (or on PostgreSQL).
func (s *Store) readNewPosts(ctx context.Context, limit int) (*newDocs, error) {
	cursor, last, err := s.followed(ctx)
	if err != nil || cursor == last {
		return nil, err
	}
	after := cursor
	if cursor > last {
		// Posts were removed, or their rowids renumbered (a VACUUM after
		// rows were deleted): which are followed is unknown, so every post
		// is followed again (each document written as it already is).
		after = 0
	}
	ids, upTo, err := s.postsAfter(ctx, after, limit)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var prows []postRow
	if err := s.selectPosts(&prows).Where("?TableAlias.id IN (?)", bun.List(ids)).
		Where("?TableAlias.deleted_at IS NULL").Scan(ctx); err != nil {
		return nil, dbErr("search: read posts to follow", err)
	}
	posts, err := s.withTranslations(ctx, prows)
	if err != nil {
		return nil, err
	}
	docs, titles, err := s.documents(ctx, posts)
	if err != nil {
		return nil, err
	}
	return &newDocs{from: cursor, upTo: upTo, posts: len(ids), docs: docs, titles: titles}, nil
}

// writeNewDocs writes nd's documents and moves the cursor past its posts,
// in the caller's write transaction; false (and nothing written) when the
// cursor moved since nd was read (another indexer, a search, an import
// wrote them). What changed meanwhile is taken into account: a post
// deleted since is left out; a post edited since has its document
// already, written by the edit (UpdatePost), newer than nd's, which is
// then left as it is but for the question's title; a question's title
// changed since (UpdateThread, which finds no document to update) is
// analysed again here.
func (s *Store) writeNewDocs(ctx context.Context, nd *newDocs) (bool, error) {
	cursor, _, err := s.followed(ctx)
	if err != nil || cursor != nd.from {
		return false, err
	}
	docs, err := s.stillStanding(ctx, nd.docs)
	if err != nil {
		return false, err
	}
	if err := s.titlesNow(ctx, docs, nd.titles); err != nil {
		return false, err
	}
	for start := 0; start < len(docs); start += importChunk {
		chunk := docs[start:min(start+importChunk, len(docs))]
		_, err := s.db.NewInsert().Model(&chunk).On("CONFLICT (post_id) DO UPDATE").
			Set("title_key = EXCLUDED.title_key").Set("title = EXCLUDED.title").
			Where("?TableAlias.title_key <> EXCLUDED.title_key OR ?TableAlias.title <> EXCLUDED.title").
			Exec(ctx)
		if err != nil {
			return false, dbErr(fmt.Sprintf("search: write new documents %d-%d", start, start+len(chunk)), err)
		}
	}
	return true, s.SetCursor(ctx, searchPostsCursor, strconv.FormatInt(nd.upTo, 10))
}

// stillStanding is docs less those of posts deleted since they were read.
func (s *Store) stillStanding(ctx context.Context, docs []searchDocRow) ([]searchDocRow, error) {
	if len(docs) == 0 {
		return docs, nil
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.PostID
	}
	var gone []string
	if err := s.db.NewSelect().Table("posts").Column("id").Where("id IN (?)", bun.List(ids)).
		Where("deleted_at IS NOT NULL").Scan(ctx, &gone); err != nil {
		return nil, dbErr("search: posts deleted since read", err)
	}
	if len(gone) == 0 {
		return docs, nil
	}
	out := docs[:0:0]
	for _, d := range docs {
		if !slices.Contains(gone, d.PostID) {
			out = append(out, d)
		}
	}
	return out, nil
}

// titlesNow analyses again the titles of docs' questions that changed
// since read (titles, by post id).
func (s *Store) titlesNow(ctx context.Context, docs []searchDocRow, read map[string]questionTitle) error {
	if len(read) == 0 {
		return nil
	}
	roots := make([]string, 0, len(read))
	for id := range read {
		roots = append(roots, id)
	}
	var rows []threadRow
	if err := s.db.NewSelect().Model(&rows).Column("root_post_id", "title", "language").
		Where("root_post_id IN (?)", bun.List(roots)).Scan(ctx); err != nil {
		return dbErr("search: questions' titles now", err)
	}
	now := make(map[string]questionTitle, len(rows))
	for _, r := range rows {
		now[r.RootPostID] = questionTitle{r.Title, r.Language}
	}
	for i := range docs {
		t, ok := now[docs[i].PostID]
		if ok && t != read[docs[i].PostID] {
			docs[i].Title, docs[i].TitleKey = s.analyzer.Terms(t.language, t.title), search.TitleKey(t.title)
		}
	}
	return nil
}

// followPosts reads and writes the documents of up to limit posts after
// the cursor in the caller's transaction, and returns how many posts it
// followed.
func (s *Store) followPosts(ctx context.Context, limit int) (int, error) {
	nd, err := s.readNewPosts(ctx, limit)
	if err != nil || nd == nil {
		return 0, err
	}
	if _, err := s.writeNewDocs(ctx, nd); err != nil {
		return 0, err
	}
	return nd.posts, nil
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
// included (and the titles, by post id, as they were read). On
// PostgreSQL the threads are read FOR SHARE: in Reindex's transaction a
// new title then waits for the batch's documents, or is what they hold
// (SQLite, which follows posts outside the write lock, has one writer at
// a time and checks titles again under it).
func (s *Store) documents(ctx context.Context, posts []*forum.Post) ([]searchDocRow, map[string]questionTitle, error) {
	var threadIDs []string
	for _, p := range posts {
		if p.IsQuestion() {
			threadIDs = append(threadIDs, p.ThreadID)
		}
	}
	threads := map[string]threadRow{}
	if len(threadIDs) > 0 {
		var rows []threadRow
		sel := s.db.NewSelect().Model(&rows).Where("id IN (?)", bun.List(threadIDs))
		if isPostgres(s.db) {
			sel = sel.For("SHARE")
		}
		if err := sel.Scan(ctx); err != nil {
			return nil, nil, dbErr("search: questions' threads", err)
		}
		for _, r := range rows {
			threads[r.ID] = r
		}
	}
	docs := make([]searchDocRow, 0, len(posts))
	titles := map[string]questionTitle{}
	for _, p := range posts {
		if p.DeletedAt != nil {
			continue
		}
		doc := searchDocRow{PostID: p.ID, Body: s.postTerms(p), Language: p.Language}
		if t, ok := threads[p.ThreadID]; ok && p.IsQuestion() {
			doc.Title, doc.TitleKey = s.analyzer.Terms(t.Language, t.Title), search.TitleKey(t.Title)
			titles[p.ID] = questionTitle{t.Title, t.Language}
		}
		docs = append(docs, doc)
	}
	return docs, titles, nil
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
	if err != nil || cursor == last {
		return 0, err
	}
	if cursor > last {
		cursor = 0 // followed again from the first (readNewPosts)
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
