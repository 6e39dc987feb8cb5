package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
)

type postRow struct {
	bun.BaseModel `bun:"table:posts"`
	ID            string `bun:"id,pk"`
	URI           string `bun:"uri,nullzero"` // NULL for local posts
	ThreadID      string `bun:"thread_id"`
	AuthorID      string `bun:"author_id"`
	ParentID      string `bun:"parent_id"`
	BranchID      string `bun:"branch_id"`
	Language      string `bun:"language"`
	Source        string `bun:"source"`
	HTML          string `bun:"html"`
	// Extras is forum.Extras as JSON, '' when there are none (local posts).
	Extras         string     `bun:"extras"`
	HelpfulCount   int        `bun:"helpful_count"`
	ShareCount     int        `bun:"share_count"`
	GoodPracticeAt *time.Time `bun:"good_practice_at"`
	GoodPracticeBy string     `bun:"good_practice_by"`
	CreatedAt      time.Time  `bun:"created_at"`
	EditedAt       *time.Time `bun:"edited_at"`
	// OriginUpdatedAt orders a remote post's Updates (forum.Post).
	OriginUpdatedAt *time.Time `bun:"origin_updated_at"`
	DeletedAt       *time.Time `bun:"deleted_at"`
	DeletedBy       string     `bun:"deleted_by"`
	// HasTranslations is read with the post (selectPosts), so the
	// translations are loaded only for the posts that have some: most
	// have none, and a statement less per post read is a statement less on
	// the received-reply path.
	HasTranslations bool `bun:"has_translations,scanonly"`
	// HasImages, likewise, loads images only for posts that have some.
	HasImages bool `bun:"has_images,scanonly"`
}

// selectPosts selects posts with HasTranslations and HasImages.
func (s *Store) selectPosts(model any) *bun.SelectQuery {
	return withPostFlags(s.db.NewSelect().Model(model))
}

// withPostFlags selects a post's columns and whether it has translations
// and images.
func withPostFlags(q *bun.SelectQuery) *bun.SelectQuery {
	return q.ColumnExpr("?TableAlias.*").
		ColumnExpr("EXISTS (SELECT 1 FROM post_translations AS pt WHERE pt.post_id = ?TableAlias.id) AS has_translations").
		ColumnExpr("EXISTS (SELECT 1 FROM post_images AS pi WHERE pi.post_id = ?TableAlias.id) AS has_images")
}

func postToRow(p *forum.Post) *postRow {
	return &postRow{
		ID: p.ID, URI: p.URI, ThreadID: p.ThreadID, AuthorID: p.AuthorID, ParentID: p.ParentID,
		BranchID: p.BranchID, Language: p.Language, Source: p.Source, HTML: p.HTML, Extras: encodeExtras(p.Extras),
		HelpfulCount: p.HelpfulCount, ShareCount: p.ShareCount, GoodPracticeAt: utcPtr(p.GoodPracticeAt),
		GoodPracticeBy: p.GoodPracticeBy, CreatedAt: utc(p.CreatedAt), EditedAt: utcPtr(p.EditedAt),
		OriginUpdatedAt: utcPtr(p.OriginUpdatedAt), DeletedAt: utcPtr(p.DeletedAt), DeletedBy: p.DeletedBy,
	}
}

func (r *postRow) toForum() *forum.Post {
	return &forum.Post{
		ID: r.ID, URI: r.URI, ThreadID: r.ThreadID, AuthorID: r.AuthorID, ParentID: r.ParentID,
		BranchID: r.BranchID, Language: r.Language, Source: r.Source, HTML: r.HTML, Extras: decodeExtras(r.Extras),
		HelpfulCount: r.HelpfulCount, ShareCount: r.ShareCount, GoodPracticeAt: utcPtr(r.GoodPracticeAt),
		GoodPracticeBy: r.GoodPracticeBy, CreatedAt: r.CreatedAt.UTC(), EditedAt: utcPtr(r.EditedAt),
		OriginUpdatedAt: utcPtr(r.OriginUpdatedAt), DeletedAt: utcPtr(r.DeletedAt), DeletedBy: r.DeletedBy,
	}
}

// encodeExtras is e as stored: ” when there is nothing, so local posts
// cost no bytes.
func encodeExtras(e forum.Extras) string {
	if e.IsZero() {
		return ""
	}
	b, err := json.Marshal(e)
	if err != nil {
		// A struct of strings, ints, bools and times always encodes.
		panic(fmt.Sprintf("storage: encode post extras: %v", err))
	}
	return string(b)
}

// decodeExtras reads what encodeExtras wrote. Only this package writes the
// column; a value it cannot read (edited by hand) shows the post without
// its extras rather than not at all: the text is the post.
func decodeExtras(s string) forum.Extras {
	var e forum.Extras
	if s == "" || json.Unmarshal([]byte(s), &e) != nil {
		return forum.Extras{}
	}
	return e
}

type revisionRow struct {
	bun.BaseModel `bun:"table:revisions"`
	ID            string    `bun:"id,pk"`
	PostID        string    `bun:"post_id"`
	EditorID      string    `bun:"editor_id"`
	Title         string    `bun:"title"`
	Source        string    `bun:"source"`
	Language      string    `bun:"language"`
	CreatedAt     time.Time `bun:"created_at"`
}

type shareRow struct {
	bun.BaseModel `bun:"table:post_shares"`
	PostID        string    `bun:"post_id,pk"`
	MemberID      string    `bun:"member_id,pk"`
	CreatedAt     time.Time `bun:"created_at"`
}

// AddShare records a share; ErrConflict if the member shared it already.
func (s *Store) AddShare(ctx context.Context, postID, memberID forum.ID, at time.Time) error {
	_, err := s.db.NewInsert().Model(&shareRow{PostID: postID, MemberID: memberID, CreatedAt: utc(at)}).Exec(ctx)
	return dbErr("add share", err)
}

// RemoveShare removes a share; ErrNotFound if there was none.
func (s *Store) RemoveShare(ctx context.Context, postID, memberID forum.ID) error {
	res, err := s.db.NewDelete().Model((*shareRow)(nil)).
		Where("post_id = ?", postID).Where("member_id = ?", memberID).Exec(ctx)
	if err != nil {
		return dbErr("remove share", err)
	}
	return affected("remove share", res)
}

type helpfulRow struct {
	bun.BaseModel `bun:"table:helpful_marks"`
	PostID        string    `bun:"post_id,pk"`
	MemberID      string    `bun:"member_id,pk"`
	CreatedAt     time.Time `bun:"created_at"`
}

// CreatePost stores a post and its translations; ErrConflict if its ID or
// URI is taken.
func (s *Store) CreatePost(ctx context.Context, p *forum.Post) error {
	return s.createPost(ctx, p, nil)
}

// createPost is CreatePost; question's thread t is indexed with it.
func (s *Store) createPost(ctx context.Context, p *forum.Post, t *forum.Thread) error {
	ctx = withPostScope(ctx, p.ThreadID, p.ID)
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		// Prepared: every reply, local or received, runs it.
		if _, err := tx.insertPrepared(ctx, "insert post", postToRow(p)); err != nil {
			return dbErr("create post", err)
		}
		if err := tx.insertTranslations(ctx, p); err != nil {
			return err
		}
		if err := tx.insertImages(ctx, p); err != nil {
			return err
		}
		return tx.indexNewPost(ctx, p, t)
	})
}

// UpdatePost stores every field of p, replacing its translations and
// images.
func (s *Store) UpdatePost(ctx context.Context, p *forum.Post) error {
	ctx = withPostScope(ctx, p.ThreadID, p.ID)
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		res, err := tx.db.NewUpdate().Model(postToRow(p)).WherePK().Exec(ctx)
		if err != nil {
			return dbErr("update post", err)
		}
		if err := affected("update post", res); err != nil {
			return err
		}
		if _, err := tx.db.NewDelete().Model((*translationRow)(nil)).
			Where("post_id = ?", p.ID).Exec(ctx); err != nil {
			return dbErr("update post translations", err)
		}
		if err := tx.insertTranslations(ctx, p); err != nil {
			return err
		}
		if err := tx.replaceImages(ctx, p); err != nil {
			return err
		}
		return tx.reindexPost(ctx, p)
	})
}

// PostByID returns a post, tombstone or not.
func (s *Store) PostByID(ctx context.Context, id forum.ID) (*forum.Post, error) {
	return s.onePost(ctx, "post by id", "id = ?", id)
}

// PostByURI finds a remote post by ActivityPub id, tombstone or not.
func (s *Store) PostByURI(ctx context.Context, uri string) (*forum.Post, error) {
	return s.onePost(ctx, "post by uri", "uri = ?", uri)
}

// onePost reads the post where holds (what names the statement,
// prepared: the received side reads every reply's parent).
func (s *Store) onePost(ctx context.Context, what, where string, arg any) (*forum.Post, error) {
	var rows []postRow
	err := s.selectPrepared(ctx, what, &rows, func(q *bun.SelectQuery) *bun.SelectQuery {
		return withPostFlags(q).Where(where, bun.Safe("?"))
	}, arg)
	if err != nil {
		return nil, dbErr(what, err)
	}
	if len(rows) == 0 {
		return nil, dbErr(what, sql.ErrNoRows)
	}
	ps, err := s.withTranslations(ctx, rows[:1])
	if err != nil {
		return nil, err
	}
	return ps[0], nil
}

// ListPosts lists a thread's posts, tombstones included, in reading order
// (BranchID, ID), strictly after the cursor.
func (s *Store) ListPosts(ctx context.Context, threadID forum.ID, after forum.PostCursor, limit int) ([]*forum.Post, error) {
	var rows []postRow
	q := s.selectPosts(&rows).Where("thread_id = ?", threadID).
		OrderExpr("branch_id ASC, id ASC").Limit(int64(limit))
	if after != (forum.PostCursor{}) {
		q = q.Where("(branch_id, id) > (?, ?)", after.BranchID, after.ID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbErr("list posts", err)
	}
	return s.withTranslations(ctx, rows)
}

// ListMemberPosts lists a member's posts that are not deleted, newest
// first, before beforeID ("" for the newest).
func (s *Store) ListMemberPosts(ctx context.Context, memberID, beforeID forum.ID, limit int) ([]*forum.Post, error) {
	var rows []postRow
	q := s.selectPosts(&rows).Where("author_id = ?", memberID).Where("deleted_at IS NULL").
		OrderExpr("id DESC").Limit(int64(limit))
	if beforeID != "" {
		q = q.Where("id < ?", beforeID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbErr("list member posts", err)
	}
	return s.withTranslations(ctx, rows)
}

// CreateRevision stores an earlier version of a post.
func (s *Store) CreateRevision(ctx context.Context, r *forum.Revision) error {
	row := &revisionRow{ID: r.ID, PostID: r.PostID, EditorID: r.EditorID, Title: r.Title,
		Source: r.Source, Language: r.Language, CreatedAt: utc(r.CreatedAt)}
	_, err := s.db.NewInsert().Model(row).Exec(ctx)
	return dbErr("create revision", err)
}

// ListRevisions lists a post's earlier versions, oldest first.
func (s *Store) ListRevisions(ctx context.Context, postID forum.ID) ([]*forum.Revision, error) {
	var rows []revisionRow
	if err := s.db.NewSelect().Model(&rows).Where("post_id = ?", postID).OrderExpr("id ASC").Scan(ctx); err != nil {
		return nil, dbErr("list revisions", err)
	}
	out := make([]*forum.Revision, len(rows))
	for i, r := range rows {
		out[i] = &forum.Revision{ID: r.ID, PostID: r.PostID, EditorID: r.EditorID, Title: r.Title,
			Source: r.Source, Language: r.Language, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// AddHelpful records memberID's mark on postID; ErrConflict if present.
func (s *Store) AddHelpful(ctx context.Context, postID, memberID forum.ID, at time.Time) error {
	_, err := s.db.NewInsert().Model(&helpfulRow{PostID: postID, MemberID: memberID, CreatedAt: utc(at)}).Exec(ctx)
	return dbErr("add helpful mark", err)
}

// RemoveHelpful removes the mark; ErrNotFound if there was none.
func (s *Store) RemoveHelpful(ctx context.Context, postID, memberID forum.ID) error {
	res, err := s.db.NewDelete().Model((*helpfulRow)(nil)).
		Where("post_id = ?", postID).Where("member_id = ?", memberID).Exec(ctx)
	if err != nil {
		return dbErr("remove helpful mark", err)
	}
	return affected("remove helpful mark", res)
}

// HelpfulMarks reports which of postIDs memberID has marked.
func (s *Store) HelpfulMarks(ctx context.Context, memberID forum.ID, postIDs []forum.ID) (map[forum.ID]bool, error) {
	out := make(map[forum.ID]bool, len(postIDs))
	if len(postIDs) == 0 {
		return out, nil
	}
	// A signed-in thread page asks for its page of posts on every
	// request: one prepared statement over the range of their IDs (the
	// index on member_id, post_id reads only the member's marks in it),
	// not an IN list of 50 to bind and look up one by one; marks on posts
	// of other threads in the range are left out here.
	lo, hi := slices.Min(postIDs), slices.Max(postIDs)
	var ids []string
	err := s.readPrepared(ctx, "helpful marks in range", func(db bun.IDB) string {
		return db.NewSelect().Model((*helpfulRow)(nil)).Column("post_id").Where("member_id = ?", bun.Safe("?")).
			Where("post_id >= ?", bun.Safe("?")).Where("post_id <= ?", bun.Safe("?")).String()
	}, &ids, memberID, lo, hi)
	if err != nil {
		return nil, dbErr("helpful marks", err)
	}
	want := make(map[forum.ID]bool, len(postIDs))
	for _, id := range postIDs {
		want[id] = true
	}
	for _, id := range ids {
		if want[id] {
			out[id] = true
		}
	}
	return out, nil
}

// CountLocalPosts counts posts written here (no URI) that are not deleted,
// in threads that are not deleted.
func (s *Store) CountLocalPosts(ctx context.Context) (int, error) {
	n, err := s.db.NewSelect().TableExpr("posts AS p").Join("JOIN threads AS t ON t.id = p.thread_id").
		Where("p.uri IS NULL").Where("p.deleted_at IS NULL").Where("t.deleted_at IS NULL").Count(ctx)
	return int(n), dbErr("count local posts", err)
}

// ListPostsByHelpful implements forum.Store. Each post is ranked by its
// branch's answer (joined as b): the row value below is compared in one
// expression, so a page starts right after the last one's place, on
// SQLite and PostgreSQL alike.
func (s *Store) ListPostsByHelpful(ctx context.Context, threadID forum.ID, after forum.HelpfulCursor, limit int) ([]forum.RankedPost, error) {
	var rows []struct {
		postRow `bun:",extend"`
		Answer  int `bun:"rank_answer"`
		Plain   int `bun:"rank_plain"`
		Helpful int `bun:"rank_helpful"`
	}
	const answer = "CASE WHEN b.parent_id = '' THEN 0 ELSE 1 END"
	const plain = "CASE WHEN b.good_practice_at IS NULL THEN 1 ELSE 0 END"
	q := s.selectPosts(&rows).
		ColumnExpr(answer+" AS rank_answer").ColumnExpr(plain+" AS rank_plain").ColumnExpr("b.helpful_count AS rank_helpful").
		Join("JOIN posts AS b ON b.id = ?TableAlias.branch_id").
		Where("?TableAlias.thread_id = ?", threadID).
		OrderExpr("rank_answer ASC, rank_plain ASC, rank_helpful DESC, ?TableAlias.branch_id ASC, ?TableAlias.id ASC").Limit(int64(limit))
	if after != (forum.HelpfulCursor{}) {
		q = q.Where("("+answer+", "+plain+", -b.helpful_count, ?TableAlias.branch_id, ?TableAlias.id) > (?, ?, ?, ?, ?)",
			boolInt(after.Answer), boolInt(after.Plain), -after.Helpful, after.BranchID, after.ID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbErr("list posts by helpful", err)
	}
	plainRows := make([]postRow, len(rows))
	for i := range rows {
		plainRows[i] = rows[i].postRow
	}
	posts, err := s.withTranslations(ctx, plainRows)
	if err != nil {
		return nil, err
	}
	out := make([]forum.RankedPost, len(posts))
	for i, p := range posts {
		out[i] = forum.RankedPost{Post: p, Place: forum.HelpfulCursor{Answer: rows[i].Answer == 1, Plain: rows[i].Plain == 1,
			Helpful: rows[i].Helpful, BranchID: p.BranchID, ID: p.ID}}
	}
	return out, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
