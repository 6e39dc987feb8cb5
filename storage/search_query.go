package storage

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
)

var _ search.Index = (*Store)(nil)

type searchHitRow struct {
	ID             string     `bun:"id"`
	ThreadID       string     `bun:"thread_id"`
	ForumID        string     `bun:"forum_id"`
	AuthorID       string     `bun:"author_id"`
	Title          string     `bun:"title"`
	Language       string     `bun:"language"`
	HTML           string     `bun:"html"`
	ParentID       string     `bun:"parent_id"`
	GoodPracticeAt *time.Time `bun:"good_practice_at"`
	CreatedAt      time.Time  `bun:"created_at"`
}

// notBlocked keeps rows whose domain column (members.domain,
// forums.domain: "" on this node) is not blocked, nor a subdomain of a
// blocked domain, as DomainsBlocked decides.
func notBlocked(col string) string {
	return "NOT EXISTS (SELECT 1 FROM domain_blocks AS b WHERE " + col + " <> '' AND (" +
		col + " = b.domain OR " + col + " LIKE '%.' || b.domain))"
}

// visiblePosts joins, to a query over posts (alias p), their thread (t),
// author (m) and forum (f), and keeps the posts anyone may read: not
// deleted, in a thread that is not, by an author and in a forum of no
// blocked instance. Search and feeds share it.
func visiblePosts(sel *bun.SelectQuery, join string) *bun.SelectQuery {
	return sel.
		Join(join + " threads AS t ON t.id = p.thread_id").
		Join(join + " members AS m ON m.id = p.author_id").
		Join(join + " forums AS f ON f.id = t.forum_id").
		Where("p.deleted_at IS NULL").Where("t.deleted_at IS NULL").
		Where(notBlocked("m.domain")).Where(notBlocked("f.domain"))
}

// FindPosts finds the posts anyone may read that match q: not deleted, in
// a thread that is not, by an author and in a forum of no blocked
// instance. The terms are matched by the database's full-text index;
// filters and order are the same on both databases (relevance:
// search_rank.go).
func (s *Store) FindPosts(ctx context.Context, q search.PostQuery) ([]search.PostHit, error) {
	if q.Parsed.Empty() || q.Limit <= 0 {
		return nil, nil
	}
	var rows []searchHitRow
	if q.Sort == search.Newest && !isPostgres(s.db) {
		var err error
		if rows, err = s.findNewestFTS5(ctx, q, newestScanAbove); err != nil {
			return nil, err
		}
	} else if q.Sort == search.Newest {
		var err error
		if rows, err = s.findNewestPG(ctx, q, firstWindow); err != nil {
			return nil, err
		}
	} else {
		hits, err := s.findRelevant(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, h := range hits[min(q.Offset, len(hits)):min(q.Offset+q.Limit, len(hits))] {
			rows = append(rows, h.searchHitRow)
		}
	}
	out := make([]search.PostHit, len(rows))
	for i, r := range rows {
		out[i] = search.PostHit{PostID: r.ID, ThreadID: r.ThreadID, ForumID: r.ForumID, AuthorID: r.AuthorID,
			Title: r.Title, Language: r.Language, HTML: r.HTML, Question: r.ParentID == "",
			GoodPractice: r.GoodPracticeAt != nil, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// postFilters adds q's filters to a query over posts (p), their thread
// (t) and author (m), each value placed by arg (inline: written by bun;
// a prepared statement's params: bound).
func postFilters(sel *bun.SelectQuery, q search.PostQuery, arg argFunc) *bun.SelectQuery {
	if q.ForumID != "" {
		sel = sel.Where("t.forum_id = ?", arg(q.ForumID))
	}
	if q.AuthorID != "" {
		sel = sel.Where("p.author_id = ?", arg(q.AuthorID))
	}
	if q.Organisation != "" {
		sel = sel.Where("m.organisation = ?", arg(q.Organisation))
	}
	if q.Language != "" {
		sel = sel.Where("p.language = ?", arg(q.Language))
	}
	if q.GoodPractice {
		sel = sel.Where("p.good_practice_at IS NOT NULL")
	}
	if q.Questions {
		sel = sel.Where("p.parent_id = ''")
	}
	if !q.Since.IsZero() {
		sel = sel.Where("p.created_at >= ?", arg(utc(q.Since)))
	}
	if !q.Until.IsZero() {
		sel = sel.Where("p.created_at < ?", arg(utc(q.Until)))
	}
	return sel
}

// likeEscaper escapes LIKE's wildcards (with '\' as ESCAPE).
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// containsPattern is a LIKE pattern for text anywhere, lower-cased.
func containsPattern(text string) string {
	return "%" + likeEscaper.Replace(strings.ToLower(strings.TrimSpace(text))) + "%"
}

// FindMembers finds members whose username, name or organisation contains
// text (ignoring ASCII case), none of a blocked instance, local ones
// first, then by username.
func (s *Store) FindMembers(ctx context.Context, text string, limit int) ([]*forum.Member, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	like := containsPattern(text)
	var rows []memberRow
	err := s.db.NewSelect().Model(&rows).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(`LOWER(username) LIKE ? ESCAPE '\'`, like).
				WhereOr(`LOWER(display_name) LIKE ? ESCAPE '\'`, like).
				WhereOr(`LOWER(organisation) LIKE ? ESCAPE '\'`, like)
		}).
		Where(notBlocked("?TableAlias.domain")).
		OrderExpr("CASE WHEN domain = '' THEN 0 ELSE 1 END, username ASC, id ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbErr("find members", err)
	}
	return s.withLanguages(ctx, rows)
}

// FindForums finds forums whose slug or a title contains text (ignoring
// ASCII case), none of a blocked instance, in their order.
func (s *Store) FindForums(ctx context.Context, text string, limit int) ([]*forum.Forum, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	like := containsPattern(text)
	var rows []forumRow
	err := s.db.NewSelect().Model(&rows).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(`LOWER(slug) LIKE ? ESCAPE '\'`, like).
				WhereOr(`id IN (SELECT forum_id FROM forum_texts WHERE LOWER(title) LIKE ? ESCAPE '\')`, like)
		}).
		Where(notBlocked("?TableAlias.domain")).
		OrderExpr("position ASC, id ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbErr("find forums", err)
	}
	return s.withDetails(ctx, rows)
}
