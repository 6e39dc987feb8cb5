package storage

import (
	"context"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/uptrace/bun"
)

// The bun statements the prepared writes replaced, kept here so that
// TestPreparedWriteEncoding compares what each stores.

func BunInsertPost(ctx context.Context, s *Store, p *forum.Post) error {
	_, err := s.db.NewInsert().Model(postToRow(p)).Exec(ctx)
	return err
}

func BunAppendEvent(ctx context.Context, s *Store, e *forum.Event) error {
	row := &eventRow{ID: e.ID, Kind: string(e.Kind), ActorID: e.ActorID, ForumID: e.ForumID,
		ThreadID: e.ThreadID, PostID: e.PostID, MemberID: e.MemberID, ReceivedID: e.ReceivedID, ReportID: e.ReportID, CreatedAt: utc(e.CreatedAt)}
	_, err := s.db.NewInsert().Model(row).Exec(ctx)
	return err
}

func BunFinishInboxItem(ctx context.Context, s *Store, id forum.ID, at time.Time) error {
	_, err := s.db.NewUpdate().Model((*inboxRow)(nil)).
		Set("processed_at = ?", utc(at)).Set("lease_until = NULL").Where("id = ?", id).Exec(ctx)
	return err
}

func BunAddThreadReplies(ctx context.Context, s *Store, threadID forum.ID, n int, lastPostID forum.ID, lastPostAt time.Time) error {
	_, err := s.db.NewUpdate().Model((*threadRow)(nil)).
		Set("reply_count = reply_count + ?", n).
		Set("last_post_at = CASE WHEN last_post_id < ? THEN ? ELSE last_post_at END", lastPostID, utc(lastPostAt)).
		Set("last_post_id = CASE WHEN last_post_id < ? THEN ? ELSE last_post_id END", lastPostID, lastPostID).
		Where("id = ?", threadID).Exec(ctx)
	return err
}

// The bun reads the prepared reads replaced (prepared_read.go), kept here
// so that TestPreparedReadRows compares what each returns.

func BunMemberByURI(ctx context.Context, s *Store, uri string) (*forum.Member, error) {
	var row memberRow
	if err := s.db.NewSelect().Model(&row).Where("uri = ?", uri).Scan(ctx); err != nil {
		return nil, dbErr("member by uri", err)
	}
	var langs []memberLanguageRow
	err := s.db.NewSelect().Model(&langs).Where("member_id IN (?)", bun.List([]string{row.ID})).
		OrderExpr("member_id, position").Scan(ctx)
	if err != nil {
		return nil, dbErr("load member languages", err)
	}
	m := row.toForum()
	for _, l := range langs {
		m.Languages = append(m.Languages, l.Tag)
	}
	return m, nil
}

func BunForumByID(ctx context.Context, s *Store, id forum.ID) (*forum.Forum, error) {
	var r forumRow
	if err := s.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, dbErr("forum by id", err)
	}
	f := &forum.Forum{ID: r.ID, Slug: r.Slug, Position: r.Position, Language: r.Language,
		Texts: map[string]forum.ForumText{}, URI: r.URI, Domain: r.Domain,
		Policy:    forum.ForumPolicy{ApproveFollows: r.ApproveFollows, ListedOnly: r.ListedOnly},
		CreatedAt: r.CreatedAt.UTC()}
	var texts []forumTextRow
	if err := s.db.NewSelect().Model(&texts).Where("forum_id IN (?)", bun.List([]string{r.ID})).Scan(ctx); err != nil {
		return nil, dbErr("load forum texts", err)
	}
	for _, t := range texts {
		f.Texts[t.Lang] = forum.ForumText{Title: t.Title, Description: t.Description}
	}
	var hosts []forumInstanceRow
	err := s.db.NewSelect().Model(&hosts).Where("forum_id IN (?)", bun.List([]string{r.ID})).
		OrderExpr("forum_id, position").Scan(ctx)
	if err != nil {
		return nil, dbErr("load forum instances", err)
	}
	for _, h := range hosts {
		f.Policy.Instances = append(f.Policy.Instances, h.Host)
	}
	return f, nil
}

func BunPostByURI(ctx context.Context, s *Store, uri string) (*forum.Post, error) {
	var row postRow
	if err := s.selectPosts(&row).Where("uri = ?", uri).Scan(ctx); err != nil {
		return nil, dbErr("post by uri", err)
	}
	ps, err := s.withTranslations(ctx, []postRow{row})
	if err != nil {
		return nil, err
	}
	return ps[0], nil
}

func BunReadThread(ctx context.Context, s *Store, id forum.ID) (*forum.Thread, error) {
	var row threadRow
	if err := s.db.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, dbErr("read thread", err)
	}
	return row.toForum(), nil
}

func BunTombstone(ctx context.Context, s *Store, uri string) (*federation.Tombstone, error) {
	var r tombstoneRow
	if err := s.db.NewSelect().Model(&r).Where("uri = ?", uri).Scan(ctx); err != nil {
		return nil, dbErr("tombstone", err)
	}
	return &federation.Tombstone{URI: r.URI, DeletedAt: r.DeletedAt.UTC()}, nil
}

func BunOutboxActivity(ctx context.Context, s *Store, id forum.ID) (*federation.OutboxActivity, error) {
	var r outboxRow
	if err := s.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, dbErr("outbox activity", err)
	}
	return r.toFederation(), nil
}
