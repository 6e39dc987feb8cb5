package storage

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/notify"
	"github.com/uptrace/bun"
)

// threadMarksSQL reads a member's marks on a page of a thread as rows of
// (kind, value): one per helpful mark in the page's range of post IDs
// (as HelpfulMarks reads them), the watch if any ("y" when watching) and
// the read position if any, and the count of their unread notifications
// (the page's header). One statement instead of four, prepared: a
// member's thread page asks on every request.
const threadMarksSQL = `SELECT 'helpful' AS kind, post_id AS value FROM helpful_marks
WHERE member_id = ? AND post_id >= ? AND post_id <= ?
UNION ALL
SELECT 'watch', CASE WHEN watching THEN 'y' ELSE '' END FROM watches
WHERE member_id = ? AND target = ? AND target_id = ?
UNION ALL
SELECT 'read', post_id FROM read_positions
WHERE member_id = ? AND thread_id = ?
UNION ALL
SELECT 'unread', CAST(count(*) AS TEXT) FROM notifications
WHERE member_id = ? AND read_at IS NULL`

type markRow struct {
	Kind  string `bun:"kind"`
	Value string `bun:"value"`
}

// ThreadMarks reads memberID's watch, read position and helpful marks on
// postIDs of threadID, and their unread notifications, in one statement.
func (s *Store) ThreadMarks(ctx context.Context, memberID, threadID forum.ID, postIDs []forum.ID) (notify.ThreadMarks, error) {
	out := notify.ThreadMarks{Helpful: make(map[forum.ID]bool, len(postIDs))}
	// No posts: an empty range that matches no post ID.
	lo, hi := "1", "0"
	if len(postIDs) > 0 {
		lo, hi = slices.Min(postIDs), slices.Max(postIDs)
	}
	var rows []markRow
	err := s.readPrepared(ctx, "thread marks", func(bun.IDB) string { return threadMarksSQL }, &rows,
		memberID, lo, hi, memberID, string(notify.TargetThread), threadID, memberID, threadID, memberID)
	if err != nil {
		return notify.ThreadMarks{}, dbErr("thread marks", err)
	}
	want := make(map[forum.ID]bool, len(postIDs))
	for _, id := range postIDs {
		want[id] = true
	}
	for _, r := range rows {
		switch r.Kind {
		case "helpful":
			// Marks on other threads' posts in the range are left out.
			if want[r.Value] {
				out.Helpful[r.Value] = true
			}
		case "watch":
			out.Watching = r.Value == "y"
		case "read":
			out.Position = r.Value
		case "unread":
			if out.Unread, err = strconv.Atoi(r.Value); err != nil {
				return notify.ThreadMarks{}, fmt.Errorf("thread marks: unread count %q: %w", r.Value, err)
			}
		}
	}
	return out, nil
}
