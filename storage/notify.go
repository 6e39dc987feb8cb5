package storage

import (
	"context"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/notify"
)

var _ notify.Store = (*Store)(nil)

type notificationRow struct {
	bun.BaseModel `bun:"table:notifications"`
	ID            string     `bun:"id,pk"`
	MemberID      string     `bun:"member_id"`
	Kind          string     `bun:"kind"`
	EventID       string     `bun:"event_id"`
	ActorID       string     `bun:"actor_id"`
	ForumID       string     `bun:"forum_id"`
	ThreadID      string     `bun:"thread_id"`
	PostID        string     `bun:"post_id"`
	CreatedAt     time.Time  `bun:"created_at"`
	ReadAt        *time.Time `bun:"read_at"`
}

func (r *notificationRow) notification() *notify.Notification {
	return &notify.Notification{ID: r.ID, MemberID: r.MemberID, Kind: notify.Kind(r.Kind), EventID: r.EventID,
		ActorID: r.ActorID, ForumID: r.ForumID, ThreadID: r.ThreadID, PostID: r.PostID,
		CreatedAt: r.CreatedAt.UTC(), ReadAt: utcPtr(r.ReadAt)}
}

// AddNotifications stores ns in one transaction, skipping those whose
// (member, event) is stored already, and returns those it stored.
func (s *Store) AddNotifications(ctx context.Context, ns []*notify.Notification) ([]*notify.Notification, error) {
	var added []*notify.Notification
	err := s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		added = added[:0]
		for _, n := range ns {
			row := &notificationRow{ID: n.ID, MemberID: n.MemberID, Kind: string(n.Kind), EventID: n.EventID,
				ActorID: n.ActorID, ForumID: n.ForumID, ThreadID: n.ThreadID, PostID: n.PostID,
				CreatedAt: utc(n.CreatedAt), ReadAt: utcPtr(n.ReadAt)}
			res, err := tx.db.NewInsert().Model(row).On("CONFLICT (member_id, event_id) DO NOTHING").Exec(ctx)
			if err != nil {
				return dbErr("add notification", err)
			}
			if k, _ := res.RowsAffected(); k == 1 {
				added = append(added, n)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return added, nil
}

// ListNotifications lists a member's notifications newest first, before
// beforeID ("" for the newest).
func (s *Store) ListNotifications(ctx context.Context, memberID, beforeID forum.ID, limit int) ([]*notify.Notification, error) {
	var rows []notificationRow
	q := s.db.NewSelect().Model(&rows).Where("member_id = ?", memberID)
	if beforeID != "" {
		q = q.Where("id < ?", beforeID)
	}
	if err := q.OrderExpr("id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, dbErr("list notifications", err)
	}
	out := make([]*notify.Notification, len(rows))
	for i := range rows {
		out[i] = rows[i].notification()
	}
	return out, nil
}

// CountUnread counts a member's unread notifications.
func (s *Store) CountUnread(ctx context.Context, memberID forum.ID) (int, error) {
	// The header of every signed-in page shows it: prepared.
	var n []int
	err := s.readPrepared(ctx, "count unread notifications", func(db bun.IDB) string {
		return db.NewSelect().Table("notifications").ColumnExpr("count(*)").Where("member_id = ?", bun.Safe("?")).
			Where("read_at IS NULL").String()
	}, &n, memberID)
	if err != nil || len(n) == 0 {
		return 0, dbErr("count unread notifications", err)
	}
	return n[0], nil
}

// MarkRead marks the member's notifications ids read, or all of them when
// ids is empty.
func (s *Store) MarkRead(ctx context.Context, memberID forum.ID, ids []forum.ID, at time.Time) error {
	q := s.db.NewUpdate().Table("notifications").Set("read_at = ?", utc(at)).
		Where("member_id = ?", memberID).Where("read_at IS NULL")
	if len(ids) > 0 {
		q = q.Where("id IN (?)", bun.List(ids))
	}
	_, err := q.Exec(ctx)
	return dbErr("mark notifications read", err)
}

type watchRow struct {
	bun.BaseModel `bun:"table:watches"`
	MemberID      string    `bun:"member_id,pk"`
	Target        string    `bun:"target,pk"`
	TargetID      string    `bun:"target_id,pk"`
	Watching      bool      `bun:"watching"`
	CreatedAt     time.Time `bun:"created_at"`
}

// SetWatch stores a member's choice about a target; auto (the deriver
// watching a thread one wrote in) never overrides a choice made before.
func (s *Store) SetWatch(ctx context.Context, memberID forum.ID, t notify.Target, id forum.ID, watching, auto bool, at time.Time) error {
	row := &watchRow{MemberID: memberID, Target: string(t), TargetID: id, Watching: watching, CreatedAt: utc(at)}
	q := s.db.NewInsert().Model(row)
	if auto {
		q = q.On("CONFLICT (member_id, target, target_id) DO NOTHING")
	} else {
		q = upsert(q, "member_id, target, target_id", "watching")
	}
	_, err := q.Exec(ctx)
	return dbErr("set watch", err)
}

// Watching reports whether the member watches the target.
func (s *Store) Watching(ctx context.Context, memberID forum.ID, t notify.Target, id forum.ID) (bool, error) {
	// Every signed-in thread or forum page asks: prepared.
	var rows []watchRow
	err := s.readPrepared(ctx, "watching", func(db bun.IDB) string {
		return db.NewSelect().Model((*watchRow)(nil)).Where("member_id = ?", bun.Safe("?")).
			Where("target = ?", bun.Safe("?")).Where("target_id = ?", bun.Safe("?")).String()
	}, &rows, memberID, string(t), id)
	if err != nil {
		return false, dbErr("watch", err)
	}
	return len(rows) > 0 && rows[0].Watching, nil
}

// Watchers lists the members watching a target.
func (s *Store) Watchers(ctx context.Context, t notify.Target, id forum.ID) ([]forum.ID, error) {
	var ids []forum.ID
	err := s.db.NewSelect().Table("watches").Column("member_id").Where("target = ?", string(t)).
		Where("target_id = ?", id).Where("watching").OrderExpr("member_id").Scan(ctx, &ids)
	return ids, dbErr("list watchers", err)
}

type notifyPrefsRow struct {
	bun.BaseModel `bun:"table:notify_prefs"`
	MemberID      string `bun:"member_id,pk"`
	AutoWatch     bool   `bun:"auto_watch"`
}

type mailPrefRow struct {
	bun.BaseModel `bun:"table:notify_mail_prefs"`
	MemberID      string `bun:"member_id,pk"`
	Kind          string `bun:"kind,pk"`
	Mode          string `bun:"mode"`
}

// NotifyPrefs returns a member's settings, the defaults where unset.
func (s *Store) NotifyPrefs(ctx context.Context, memberID forum.ID) (notify.Prefs, error) {
	p := notify.DefaultPrefs()
	var r notifyPrefsRow
	err := dbErr("notify prefs", s.db.NewSelect().Model(&r).Where("member_id = ?", memberID).Scan(ctx))
	switch {
	case err == nil:
		p.AutoWatch = r.AutoWatch
	case !errors.Is(err, forum.ErrNotFound):
		return p, err
	}
	var rows []mailPrefRow
	if err := s.db.NewSelect().Model(&rows).Where("member_id = ?", memberID).Scan(ctx); err != nil {
		return p, dbErr("mail prefs", err)
	}
	for _, r := range rows {
		p.Mail[notify.Kind(r.Kind)] = notify.MailMode(r.Mode)
	}
	return p, nil
}

// SaveNotifyPrefs stores a member's settings, replacing the mail modes.
func (s *Store) SaveNotifyPrefs(ctx context.Context, memberID forum.ID, p notify.Prefs) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		_, err := upsert(tx.db.NewInsert().Model(&notifyPrefsRow{MemberID: memberID, AutoWatch: p.AutoWatch}),
			"member_id", "auto_watch").Exec(ctx)
		if err != nil {
			return dbErr("save notify prefs", err)
		}
		if _, err := tx.db.NewDelete().Model((*mailPrefRow)(nil)).Where("member_id = ?", memberID).Exec(ctx); err != nil {
			return dbErr("clear mail prefs", err)
		}
		for k, m := range p.Mail {
			if _, err := tx.db.NewInsert().Model(&mailPrefRow{MemberID: memberID, Kind: string(k), Mode: string(m)}).Exec(ctx); err != nil {
				return dbErr("save mail pref", err)
			}
		}
		return nil
	})
}

type readPositionRow struct {
	bun.BaseModel `bun:"table:read_positions"`
	MemberID      string    `bun:"member_id,pk"`
	ThreadID      string    `bun:"thread_id,pk"`
	PostID        string    `bun:"post_id"`
	ReadAt        time.Time `bun:"read_at"`
}

// SetReadPosition moves a member's position in a thread forward to postID
// (IDs sort by time); never back.
func (s *Store) SetReadPosition(ctx context.Context, memberID, threadID, postID forum.ID, at time.Time) error {
	row := &readPositionRow{MemberID: memberID, ThreadID: threadID, PostID: postID, ReadAt: utc(at)}
	_, err := s.db.NewInsert().Model(row).On("CONFLICT (member_id, thread_id) DO UPDATE").
		Set("post_id = EXCLUDED.post_id").Set("read_at = EXCLUDED.read_at").
		Where("?TableAlias.post_id < EXCLUDED.post_id").Exec(ctx)
	return dbErr("set read position", err)
}

// ReadPositions returns the member's positions in the threads given.
func (s *Store) ReadPositions(ctx context.Context, memberID forum.ID, threadIDs []forum.ID) (map[forum.ID]forum.ID, error) {
	out := map[forum.ID]forum.ID{}
	if len(threadIDs) == 0 {
		return out, nil
	}
	var rows []readPositionRow
	var err error
	if len(threadIDs) == 1 {
		// A signed-in thread page asks for its thread: prepared.
		err = s.readPrepared(ctx, "read position", func(db bun.IDB) string {
			return db.NewSelect().Model((*readPositionRow)(nil)).Where("member_id = ?", bun.Safe("?")).
				Where("thread_id = ?", bun.Safe("?")).String()
		}, &rows, memberID, threadIDs[0])
	} else {
		err = s.db.NewSelect().Model(&rows).Where("member_id = ?", memberID).Where("thread_id IN (?)", bun.List(threadIDs)).Scan(ctx)
	}
	if err != nil {
		return nil, dbErr("read positions", err)
	}
	for _, r := range rows {
		out[r.ThreadID] = r.PostID
	}
	return out, nil
}
