package storage

import (
	"context"
	"time"

	"github.com/metropolis/agora/forum"
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
