package storage

import (
	"context"
	"fmt"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
)

// importChunk is how many rows one multi-row INSERT of ImportPosts
// writes: a post row has 30-odd columns, and SQLite allows 32,766 bound
// parameters per statement.
const importChunk = 200

// ImportPosts writes threads and posts (each thread's question among
// posts) in one transaction with multi-row INSERTs: the posts, their
// translations, their search documents and tags, as CreateThread and
// CreatePost would write them one by one, in a fraction of the
// statements. It is the bulk path of imports and of the search
// benchmark's corpus (a million posts one statement at a time take
// hours). Nothing is federated or notified: the caller owns the data.
func (s *Store) ImportPosts(ctx context.Context, threads []*forum.Thread, posts []*forum.Post) error {
	byRoot := make(map[forum.ID]*forum.Thread, len(threads))
	trows := make([]*threadRow, len(threads))
	for i, t := range threads {
		byRoot[t.RootPostID] = t
		trows[i] = threadToRow(t)
	}
	prows := make([]*postRow, len(posts))
	var tr []translationRow
	var docs []searchDocRow
	var tags []postTagRow
	for i, p := range posts {
		prows[i] = postToRow(p)
		for lang, t := range p.Translations {
			tr = append(tr, translationRow{PostID: p.ID, Lang: lang, Title: t.Title, HTML: t.HTML,
				Source: t.Source, TranslatorID: t.TranslatorID, CreatedAt: t.CreatedAt})
		}
		if p.DeletedAt != nil {
			continue // as indexNewPost: a tombstone is not indexed
		}
		doc := searchDocRow{PostID: p.ID, Body: s.postTerms(p), Language: p.Language}
		if t := byRoot[p.ID]; t != nil {
			doc.Title, doc.TitleKey = s.analyzer.Terms(t.Language, t.Title), search.TitleKey(t.Title)
		}
		docs = append(docs, doc)
		for _, tag := range search.Tags(p.HTML) {
			tags = append(tags, postTagRow{PostID: p.ID, Tag: tag})
		}
	}
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		// SQLite: the documents are written here, so the indexer that
		// follows the posts (search_follow.go) need not read these again,
		// unless it was behind before them.
		cursor, last, err := tx.followed(ctx)
		if err != nil {
			return err
		}
		if err := insertChunks(ctx, tx, "import threads", trows); err != nil {
			return err
		}
		if err := insertChunks(ctx, tx, "import posts", prows); err != nil {
			return err
		}
		if err := insertChunks(ctx, tx, "import translations", tr); err != nil {
			return err
		}
		if err := insertChunks(ctx, tx, "import search documents", docs); err != nil {
			return err
		}
		if err := insertChunks(ctx, tx, "import tags", tags); err != nil {
			return err
		}
		// The full-text index of the documents, in this transaction: one
		// FTS5 segment for the whole import (search_fts_pending.go).
		if _, err := tx.indexPending(ctx, 0); err != nil {
			return err
		}
		if cursor < last {
			return nil
		}
		_, last, err = tx.followed(ctx)
		if err != nil {
			return err
		}
		return tx.followedUpTo(ctx, last)
	})
}

// insertChunks inserts rows importChunk at a time.
func insertChunks[T any](ctx context.Context, s *Store, what string, rows []T) error {
	for start := 0; start < len(rows); start += importChunk {
		chunk := rows[start:min(start+importChunk, len(rows))]
		if _, err := s.db.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			return dbErr(fmt.Sprintf("%s %d-%d", what, start, start+len(chunk)), err)
		}
	}
	return nil
}
