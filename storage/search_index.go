package storage

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
)

// A post's search document (search_docs) is written from the post: on
// PostgreSQL in the transaction that writes the post (CreatePost,
// CreateThread), on SQLite by the search indexer, which follows the posts
// table (search_follow.go), and on both in the transaction of an edit
// (UpdatePost, UpdateThread). Local posts and received ones all come
// through those, so none is lost; Reindex rebuilds the documents from the
// posts. PostgreSQL's tsvector is part of the row; SQLite's full-text
// table is brought up to date after the commit, and before any search
// that would miss the post (search_fts_pending.go).

// postTerms are the index terms of a post's body: its text in its
// language, then each translation (title and text) in its own.
func (s *Store) postTerms(p *forum.Post) string {
	parts := []string{s.analyzer.Terms(p.Language, search.PlainText(p.HTML))}
	langs := make([]string, 0, len(p.Translations))
	for l := range p.Translations {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		tr := p.Translations[l]
		parts = append(parts, s.analyzer.Terms(l, tr.Title+" "+search.PlainText(tr.HTML)))
	}
	return strings.TrimSpace(strings.Join(parts, " "))
}

// indexNewPost indexes a post just inserted; t is its thread when the post
// is the thread's question (its title is indexed with it). On SQLite it
// writes the post's tags only: the indexer writes its document
// (search_follow.go).
func (s *Store) indexNewPost(ctx context.Context, p *forum.Post, t *forum.Thread) error {
	if p.DeletedAt != nil {
		return nil
	}
	if !isPostgres(s.db) {
		return s.insertTags(ctx, p)
	}
	var title, key string
	if t != nil {
		title, key = s.analyzer.Terms(t.Language, t.Title), search.TitleKey(t.Title)
	}
	doc := &searchDocRow{PostID: p.ID, TitleKey: key, Title: title, Body: s.postTerms(p), Language: p.Language}
	// Prepared: every post, local or received, runs it, and on SQLite its
	// statement carries the trigger's program (search_fts_pending),
	// compiled again each time the statement is parsed.
	if _, err := s.insertPrepared(ctx, "index post", doc); err != nil {
		return dbErr("index post", err)
	}
	return s.insertTags(ctx, p)
}

// reindexPost rewrites a post's document after an update, only when its
// terms changed (most updates are counters: helpful marks, shares). A
// deleted post leaves the index.
func (s *Store) reindexPost(ctx context.Context, p *forum.Post) error {
	if p.DeletedAt != nil {
		return s.unindexPost(ctx, p.ID)
	}
	var changed []string
	err := s.db.NewInsert().Model(&searchDocRow{PostID: p.ID, Body: s.postTerms(p), Language: p.Language}).
		On("CONFLICT (post_id) DO UPDATE").Set("body = EXCLUDED.body").Set("language = EXCLUDED.language").
		Where("?TableAlias.body <> EXCLUDED.body OR ?TableAlias.language <> EXCLUDED.language").
		Returning("post_id").Scan(ctx, &changed)
	if err != nil {
		return dbErr("reindex post", err)
	}
	if len(changed) == 0 {
		return nil
	}
	if _, err := s.db.NewDelete().Model((*postTagRow)(nil)).Where("post_id = ?", p.ID).Exec(ctx); err != nil {
		return dbErr("reindex post tags", err)
	}
	return s.insertTags(ctx, p)
}

func (s *Store) unindexPost(ctx context.Context, id forum.ID) error {
	if _, err := s.db.NewDelete().Model((*searchDocRow)(nil)).Where("post_id = ?", id).Exec(ctx); err != nil {
		return dbErr("unindex post", err)
	}
	if _, err := s.db.NewDelete().Model((*postTagRow)(nil)).Where("post_id = ?", id).Exec(ctx); err != nil {
		return dbErr("unindex post tags", err)
	}
	return nil
}

// searchDocRow is a post's document (SQLite adds an integer id for FTS5).
type searchDocRow struct {
	bun.BaseModel `bun:"table:search_docs"`
	PostID        string `bun:"post_id,pk"`
	TitleKey      string `bun:"title_key"`
	Title         string `bun:"title"`
	Body          string `bun:"body"`
	// Language is the post's: a relevance search on PostgreSQL splits and
	// filters its matches by it without reading their posts
	// (search_rank_walk.go).
	Language string `bun:"language"`
}

type postTagRow struct {
	bun.BaseModel `bun:"table:post_tags"`
	PostID        string `bun:"post_id,pk"`
	Tag           string `bun:"tag,pk"`
}

func (s *Store) insertTags(ctx context.Context, p *forum.Post) error {
	tags := search.Tags(p.HTML)
	if len(tags) == 0 {
		return nil
	}
	rows := make([]postTagRow, len(tags))
	for i, t := range tags {
		rows[i] = postTagRow{PostID: p.ID, Tag: t}
	}
	_, err := s.db.NewInsert().Model(&rows).Exec(ctx)
	return dbErr("store post tags", err)
}

// reindexTitle rewrites the title of a thread's question when it changed
// (UpdateThread runs on every local answer: then nothing is written).
// Prepared for that reason: on SQLite, parsing the UPDATE compiled the
// trigger's program too (then FTS5's, about 40 % of this call's cost).
func (s *Store) reindexTitle(ctx context.Context, t *forum.Thread) error {
	title := s.analyzer.Terms(t.Language, t.Title)
	_, err := s.execPrepared(ctx, "reindex title",
		func(db bun.IDB) bun.Query { return db.NewUpdate().Model((*searchDocRow)(nil)) },
		func(db bun.IDB) string {
			p := bun.Safe("?")
			return db.NewUpdate().Model((*searchDocRow)(nil)).Set("title = ?", p).Set("title_key = ?", p).
				Where("post_id = ?", p).Where("title <> ?", p).String()
		}, title, search.TitleKey(t.Title), t.RootPostID, title)
	return dbErr("reindex title", err)
}

// searchVersionCursor records which search.Version wrote the index.
const searchVersionCursor = "search.version"

// ReindexIfStale rebuilds the index when it was written by another
// version of the analysis (or never: the first start after the search
// migration).
func (s *Store) ReindexIfStale(ctx context.Context, log *slog.Logger) error {
	v, err := s.Cursor(ctx, searchVersionCursor)
	if err != nil {
		return err
	}
	if v == search.Version {
		return nil
	}
	log.Info("search: rebuilding the index", "from_version", v, "to_version", search.Version)
	n, err := s.Reindex(ctx)
	if err != nil {
		return err
	}
	log.Info("search: index rebuilt", "posts", n)
	return nil
}

// reindexBatch is how many posts one transaction of Reindex indexes: the
// node keeps serving (and writing) between batches.
const reindexBatch = 500

// Reindex rebuilds the search index from the posts, batch by batch, and
// returns how many posts it indexed. Posts written meanwhile are indexed
// by their own writes (on SQLite by the indexer that follows them, which
// need not read again the posts stored before Reindex started); documents
// of posts that no longer stand are removed at the end.
func (s *Store) Reindex(ctx context.Context) (int, error) {
	return s.reindex(ctx, nil)
}

// reindex is Reindex, calling read (when not nil) in each batch's
// transaction after the batch is read, before its documents are written.
//
// A batch is read in the transaction that writes its documents, its posts
// and its questions' threads locked on PostgreSQL (on SQLite one writer
// at a time): an edit or a new title committed between a read outside it
// and the write was overwritten in the index by the older text, until the
// post's next edit. An edit now waits for the batch, or the batch reads
// the edit.
func (s *Store) reindex(ctx context.Context, read func()) (int, error) {
	after := ""
	n := 0
	_, last, err := s.followed(ctx)
	if err != nil {
		return 0, err
	}
	for {
		var posts []*forum.Post
		err := s.atomic(ctx, func(ctx context.Context, tx *Store) error {
			var err error
			if posts, err = tx.reindexRead(ctx, after); err != nil || len(posts) == 0 {
				return err
			}
			if read != nil {
				read()
			}
			return tx.reindexBatch(ctx, posts)
		})
		if err != nil {
			return n, err
		}
		if len(posts) == 0 {
			break
		}
		n += len(posts)
		after = posts[len(posts)-1].ID
	}
	err = s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		stale := "post_id NOT IN (SELECT id FROM posts WHERE deleted_at IS NULL)"
		if _, err := tx.db.ExecContext(ctx, "DELETE FROM search_docs WHERE "+stale); err != nil {
			return dbErr("reindex: remove stale documents", err)
		}
		if _, err := tx.db.ExecContext(ctx, "DELETE FROM post_tags WHERE "+stale); err != nil {
			return dbErr("reindex: remove stale tags", err)
		}
		if err := tx.followedUpTo(ctx, last); err != nil {
			return err
		}
		if _, err := tx.indexPending(ctx, 0); err != nil {
			return err
		}
		return tx.SetCursor(ctx, searchVersionCursor, search.Version)
	})
	if err == nil && isPostgres(s.db) {
		// A rebuilt index is a bulk load: refresh the planner's statistics
		// now rather than at autovacuum's next pass (stale ones plan a
		// search as a nested loop over every post).
		if _, aerr := s.db.ExecContext(ctx, "ANALYZE search_docs"); aerr != nil {
			return n, dbErr("reindex: analyze", aerr)
		}
	}
	return n, err
}

// reindexRead reads the next batch of standing posts after the post
// after, locking them on PostgreSQL until the transaction ends (see
// reindex; documents locks their questions' threads as it reads them).
func (s *Store) reindexRead(ctx context.Context, after string) ([]*forum.Post, error) {
	var rows []postRow
	q := s.selectPosts(&rows).Where("deleted_at IS NULL").OrderExpr("id ASC").Limit(reindexBatch)
	if after != "" {
		q = q.Where("id > ?", after)
	}
	if isPostgres(s.db) {
		q = q.For("SHARE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbErr("reindex: list posts", err)
	}
	return s.withTranslations(ctx, rows)
}

// reindexBatch writes the documents and tags of posts, their questions'
// titles included.
func (s *Store) reindexBatch(ctx context.Context, posts []*forum.Post) error {
	docs, _, err := s.documents(ctx, posts)
	if err != nil {
		return err
	}
	if err := s.upsertDocs(ctx, docs); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	for _, p := range posts {
		if _, err := s.db.ExecContext(ctx, "DELETE FROM post_tags WHERE post_id = ?", p.ID); err != nil {
			return dbErr("reindex post tags", err)
		}
		if err := s.insertTags(ctx, p); err != nil {
			return err
		}
	}
	// SQLite: the batch's full-text index, in its transaction.
	_, err = s.indexPending(ctx, 0)
	return err
}
