package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Notifications (derived from the event log by package notify), what
// members watch, their read positions in threads and their notification
// settings.
//
// Frozen copy of what this migration creates, as it shipped. Never edit it.

type notifyNotification struct {
	bun.BaseModel `bun:"table:notifications"`
	ID            string     `bun:"id,pk"`
	MemberID      string     `bun:"member_id,notnull"`
	Kind          string     `bun:"kind,notnull"`
	EventID       string     `bun:"event_id,notnull"`
	ActorID       string     `bun:"actor_id,notnull"`
	ForumID       string     `bun:"forum_id,notnull"`
	ThreadID      string     `bun:"thread_id,notnull"`
	PostID        string     `bun:"post_id,notnull"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	ReadAt        *time.Time `bun:"read_at"`
}

type notifyWatch struct {
	bun.BaseModel `bun:"table:watches"`
	MemberID      string    `bun:"member_id,pk"`
	Target        string    `bun:"target,pk"`
	TargetID      string    `bun:"target_id,pk"`
	Watching      bool      `bun:"watching,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

type notifyReadPosition struct {
	bun.BaseModel `bun:"table:read_positions"`
	MemberID      string    `bun:"member_id,pk"`
	ThreadID      string    `bun:"thread_id,pk"`
	PostID        string    `bun:"post_id,notnull"`
	ReadAt        time.Time `bun:"read_at,notnull"`
}

type notifyPrefs struct {
	bun.BaseModel `bun:"table:notify_prefs"`
	MemberID      string `bun:"member_id,pk"`
	AutoWatch     bool   `bun:"auto_watch,notnull"`
}

type notifyMailPref struct {
	bun.BaseModel `bun:"table:notify_mail_prefs"`
	MemberID      string `bun:"member_id,pk"`
	Kind          string `bun:"kind,pk"`
	Mode          string `bun:"mode,notnull"`
}

var (
	notifyTables = []initTable{
		{model: (*notifyNotification)(nil)}, {model: (*notifyWatch)(nil)}, {model: (*notifyReadPosition)(nil)},
		{model: (*notifyPrefs)(nil)}, {model: (*notifyMailPref)(nil)},
	}
	notifyIndexes = []initIndex{
		// One notification per member and event: deriving twice adds none.
		{name: "notifications_member_event_idx", table: "notifications", columns: []string{"member_id", "event_id"}, unique: true},
		// A member's notifications, newest first (keyset by id).
		{name: "notifications_member_id_idx", table: "notifications", columns: []string{"member_id", "id"}},
		// The unread count in every page's header.
		{name: "notifications_unread_idx", table: "notifications", columns: []string{"member_id"}, where: "read_at IS NULL"},
		// Who watches a thread or forum.
		{name: "watches_target_idx", table: "watches", columns: []string{"target", "target_id"}, where: "watching"},
	}
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return createTablesAndIndexes(ctx, tx, notifyTables, notifyIndexes)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return dropTablesAndIndexes(ctx, tx, notifyTables, notifyIndexes)
		})
	})
}
