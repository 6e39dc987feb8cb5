package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/metropolis/agora/search"
)

// FindNewestFTS5 is FindPosts newest first on SQLite with the threshold
// between its two ways given (search_newest_fts5.go): tests run both on
// the same corpus.
func FindNewestFTS5(ctx context.Context, s *Store, q search.PostQuery, scanAbove int) ([]string, error) {
	rows, err := s.findNewestFTS5(ctx, q, scanAbove)
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return ids, err
}

// FindRelevantRecent is a PostgreSQL relevance search from the window
// newest documents (search_rank_recent.go): ok is false when it could not
// tell the page.
func FindRelevantRecent(ctx context.Context, s *Store, q search.PostQuery, window int) (ids []string, ok bool, err error) {
	hits, ok, err := s.findRelevantRecent(ctx, q, window)
	for _, h := range hits[min(q.Offset, len(hits)):] {
		ids = append(ids, h.ID)
	}
	return ids, ok, err
}

// FindRelevantAll is a PostgreSQL relevance search that ranks every match.
func FindRelevantAll(ctx context.Context, s *Store, q search.PostQuery) ([]string, error) {
	hits, err := s.rankedPage(ctx, q, s.pgMatches(q))
	var ids []string
	for _, h := range hits[min(q.Offset, len(hits)):] {
		ids = append(ids, h.ID)
	}
	return ids, err
}

// HoldingMatches counts the documents matching q that hold at least n
// of its terms (search_rank_recent.go).
func HoldingMatches(ctx context.Context, s *Store, q search.Parsed, n int) (int, error) {
	tsq, ok := holdingTSQuery(queryTerms(q), n)
	if !ok || tsq == "" {
		return 0, fmt.Errorf("no tsquery for %d of %d terms", n, len(queryTerms(q)))
	}
	c, err := s.db.NewSelect().TableExpr("search_docs AS d").Where("d.tsv @@ ?::tsquery", q.TSQuery()).
		Where("d.tsv @@ ?::tsquery", tsq).Count(ctx)
	return int(c), err
}

// FindRelevantWalk is a PostgreSQL relevance search by newest-first walks
// of chunk, then four times more, up to most documents per hit wanted
// (search_rank_walk.go): ok is false when a walk went past most.
func FindRelevantWalk(ctx context.Context, s *Store, q search.PostQuery, chunk, most int) (ids []string, ok bool, err error) {
	hits, ok, err := s.findRelevantWalk(ctx, q, walkSize{chunk: chunk, most: most})
	for _, h := range hits[min(q.Offset, len(hits)):] {
		ids = append(ids, h.ID)
	}
	return ids, ok, err
}

// SearchDocLanguages are the language column of search_docs, by post.
func SearchDocLanguages(ctx context.Context, s *Store) (map[string]string, error) {
	// As a search sees them: on SQLite the indexer writes new posts'
	// documents (search_follow.go).
	if err := s.catchUpIfBehind(ctx); err != nil {
		return nil, err
	}
	var rows []searchDocRow
	if err := s.db.NewSelect().Model(&rows).Column("post_id", "language").Scan(ctx); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.PostID] = r.Language
	}
	return out, nil
}

// ExecForTest runs a statement on s's database.
func ExecForTest(ctx context.Context, s *Store, stmt string) error {
	_, err := s.db.ExecContext(ctx, stmt)
	return err
}

// FindRelevantFirst is a PostgreSQL relevance search by one short walk
// per class and one ranking query (search_rank_walk.go): ok is false when
// it could not tell the page; each walk reads the window newest
// documents first.
func FindRelevantFirst(ctx context.Context, s *Store, q search.PostQuery, window int) (ids []string, ok bool, err error) {
	hits, ok, err := s.findRelevantFirst(ctx, q, window)
	for _, h := range hits[min(q.Offset, len(hits)):] {
		ids = append(ids, h.ID)
	}
	return ids, ok, err
}

// FindNewestPG is FindPosts newest first on PostgreSQL, walking the
// window newest documents first (0: one query joining every match).
func FindNewestPG(ctx context.Context, s *Store, q search.PostQuery, window int) ([]string, error) {
	rows, err := s.findNewestPG(ctx, q, window)
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return ids, err
}

// WalkNewest is the post ids of the newest limit matches of q (in q's
// language, if any) as a walk reads them: the window newest documents
// first, in parts, then the rest (0: the rest alone).
func WalkNewest(ctx context.Context, s *Store, q search.PostQuery, limit, window int) ([]string, error) {
	c := walkClass{all: true}
	if q.Language != "" {
		c = walkClass{language: q.Language}
	}
	walked, err := s.walkNewest(ctx, q, c, walkFrom{before: q.Before}, limit, window)
	var ids []string
	for _, w := range walked {
		ids = append(ids, w.PostID)
	}
	return ids, err
}

// FollowPosts writes the documents of every post the SQLite indexer has
// not followed yet, without bringing the full-text table up to date: the
// documents are then in search_docs and noted in search_fts_pending, as
// an edit's own write of a document leaves them.
func FollowPosts(ctx context.Context, s *Store) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		for {
			n, err := tx.followPosts(ctx, followBatch)
			if err != nil || n < followBatch {
				return err
			}
		}
	})
}

// NewDocs is a batch of new posts' documents read outside the write lock
// (search_follow.go).
type NewDocs = newDocs

// ReadNewPosts reads the posts the SQLite indexer has not followed yet and
// makes their documents, as the indexer does before its transaction.
func ReadNewPosts(ctx context.Context, s *Store) (*NewDocs, error) {
	return s.readNewPosts(ctx, followBatch)
}

// WriteNewDocs writes documents read by ReadNewPosts in a transaction of
// their own; false when the cursor moved since.
func WriteNewDocs(ctx context.Context, s *Store, nd *NewDocs) (bool, error) {
	var ok bool
	err := s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		var err error
		ok, err = tx.writeNewDocs(ctx, nd)
		return err
	})
	return ok, err
}

// RestSpans is restSpans: the time prefixes a walk's rest is read from.
func RestSpans(newest, oldest string, found, limit int) []string {
	return restSpans(newest, oldest, found, limit)
}

// IDTimeSpanPlan is PostgreSQL's plan, sequential scans off, of the
// documents whose id's time prefix is since or later, the condition a
// walk's span reads with: it must be the BRIN index's expression.
func IDTimeSpanPlan(ctx context.Context, s *Store, since string) (string, error) {
	var plan string
	err := s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		if _, err := tx.db.ExecContext(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
			return err
		}
		var lines []string
		if err := tx.db.NewRaw("EXPLAIN SELECT d.post_id FROM search_docs AS d WHERE "+idTimeExpr+" >= ?", since).
			Scan(ctx, &lines); err != nil {
			return err
		}
		plan = strings.Join(lines, "\n")
		return nil
	})
	return plan, err
}

// WalkNewestHolding is WalkNewest over the matches holding at least
// level of the query's terms (a relevance walk's level).
func WalkNewestHolding(ctx context.Context, s *Store, q search.PostQuery, level, limit, window int) ([]string, error) {
	from, err := levelWalk(q, level)
	if err != nil {
		return nil, err
	}
	c := walkClass{all: true}
	if q.Language != "" {
		c = walkClass{language: q.Language}
	}
	walked, err := s.walkNewest(ctx, q, c, from, limit, window)
	var ids []string
	for _, w := range walked {
		ids = append(ids, w.PostID)
	}
	return ids, err
}

// ReindexPausing is Reindex, calling read in each batch's transaction
// between reading the batch and writing its documents.
func ReindexPausing(ctx context.Context, s *Store, read func()) (int, error) {
	return s.reindex(ctx, read)
}

// WalkClass is walkNewest over q's matches in q.RankLanguage (or, with
// other, in any other language) holding at least level of its terms: the
// ids walked, newest first.
func WalkClass(ctx context.Context, s *Store, q search.PostQuery, other bool, level, limit, window int) ([]string, error) {
	from, err := levelWalk(q, level)
	if err != nil {
		return nil, err
	}
	walked, err := s.walkNewest(ctx, q, walkClass{language: q.RankLanguage, other: other}, from, limit, window)
	var ids []string
	for _, w := range walked {
		ids = append(ids, w.PostID)
	}
	return ids, err
}

// levelWalk is how a walk reads q's matches holding at least level of
// its terms (for level 1: all).
func levelWalk(q search.PostQuery, level int) (walkFrom, error) {
	if level <= 1 {
		return walkFrom{}, nil
	}
	from, ok := levelFrom(q.Parsed, queryTerms(q.Parsed), level)
	if !ok {
		return walkFrom{}, fmt.Errorf("no tsquery holding %d of %q", level, q.Parsed.Words)
	}
	return from, nil
}

// WalkClassPlan is PostgreSQL's plan, run (EXPLAIN ANALYZE, no timing),
// of a walk's read of q's matches in q.RankLanguage (or, with other, in
// any other language) holding at least level of its terms through the
// GIN index (a walk without window), the table's own scans off: a small
// table would be read whole.
func WalkClassPlan(ctx context.Context, s *Store, q search.PostQuery, other bool, level, limit int) (string, error) {
	from, err := levelWalk(q, level)
	if err != nil {
		return "", err
	}
	var plan string
	err = s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		for _, set := range []string{"SET LOCAL enable_seqscan = off", "SET LOCAL enable_indexscan = off"} {
			if _, err := tx.db.ExecContext(ctx, set); err != nil {
				return err
			}
		}
		sel := tx.walkScan(q, walkClass{language: q.RankLanguage, other: other}, from,
			tx.db.NewSelect().TableExpr("search_docs"), "", limit, true)
		var lines []string
		if err := tx.db.NewRaw("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) "+sel.String()).
			Scan(ctx, &lines); err != nil {
			return err
		}
		plan = strings.Join(lines, "\n")
		return nil
	})
	return plan, err
}

// LevelMatches are the ids of q's matches holding at least n of its
// terms, read as a walk's level is (word by word when it can), or, with
// sets, with the query's tsquery and the sets of n terms.
func LevelMatches(ctx context.Context, s *Store, q search.PostQuery, n int, sets bool) (ids []string, wordByWord bool, err error) {
	terms := queryTerms(q.Parsed)
	sel := s.db.NewSelect().TableExpr("search_docs AS d").Where("d.tsv @@ ?::tsquery", q.Parsed.TSQuery())
	switch {
	case sets && n > 1:
		holding, ok := holdingTSQuery(terms, n)
		if !ok {
			return nil, false, fmt.Errorf("no sets of %d terms of %q", n, q.Parsed.Words)
		}
		sel = sel.Where("d.tsv @@ ?::tsquery", holding)
	case n > 1:
		var ok bool
		if sel, ok = s.pgLevelMatches(q, terms, n); !ok {
			return nil, false, fmt.Errorf("no tsquery holding %d of %q", n, q.Parsed.Words)
		}
		_, wordByWord = wordLevelTSQuery(q.Parsed.Groups, n)
	}
	err = sel.Column("d.post_id").OrderExpr("d.post_id").Scan(ctx, &ids)
	return ids, wordByWord, err
}

// QueryTerms is queryTerms: q's distinct terms.
func QueryTerms(p search.Parsed) []string { return queryTerms(p) }
