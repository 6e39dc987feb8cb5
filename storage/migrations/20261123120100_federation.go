package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Federation: keys, the remote actor cache, follows, the inbox and outbox,
// the delivery queue, host health, tombstones, domain blocks and cursors.
//
// Frozen copies of the tables as this migration shipped. Never edit them;
// never replace them with the live models.

type fedActorKey struct {
	bun.BaseModel `bun:"table:actor_keys"`
	Owner         string    `bun:"owner,pk"`
	PrivatePEM    string    `bun:"private_pem,notnull,type:text"`
	PublicPEM     string    `bun:"public_pem,notnull,type:text"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

type fedRemoteActor struct {
	bun.BaseModel `bun:"table:remote_actors"`
	URI           string    `bun:"uri,pk"`
	Type          string    `bun:"type,notnull"`
	Username      string    `bun:"username,notnull"`
	Domain        string    `bun:"domain,notnull"`
	Inbox         string    `bun:"inbox,notnull"`
	SharedInbox   string    `bun:"shared_inbox,notnull"`
	Outbox        string    `bun:"outbox,notnull"`
	Followers     string    `bun:"followers,notnull"`
	KeyID         string    `bun:"key_id,notnull"`
	PublicKeyPEM  string    `bun:"public_key_pem,notnull,type:text"`
	Document      []byte    `bun:"document,notnull"`
	FetchedAt     time.Time `bun:"fetched_at,notnull"`
}

type fedFollower struct {
	bun.BaseModel `bun:"table:followers"`
	ID            string    `bun:"id,pk,type:varchar(26)"`
	Target        string    `bun:"target,notnull"`
	ActorURI      string    `bun:"actor_uri,notnull"`
	Inbox         string    `bun:"inbox,notnull"`
	SharedInbox   string    `bun:"shared_inbox,notnull"`
	FollowID      string    `bun:"follow_id,notnull"`
	State         string    `bun:"state,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

type fedFollowing struct {
	bun.BaseModel `bun:"table:following"`
	ID            string    `bun:"id,pk,type:varchar(26)"`
	ActorURI      string    `bun:"actor_uri,notnull"`
	ObjectURI     string    `bun:"object_uri,notnull"`
	FollowID      string    `bun:"follow_id,notnull"`
	ForumID       string    `bun:"forum_id,notnull,type:varchar(26)"`
	State         string    `bun:"state,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

type fedInboxItem struct {
	bun.BaseModel `bun:"table:inbox_items"`
	ID            string     `bun:"id,pk,type:varchar(26)"`
	ActivityID    string     `bun:"activity_id,notnull"`
	ActorURI      string     `bun:"actor_uri,notnull"`
	Body          []byte     `bun:"body,notnull"`
	ReceivedAt    time.Time  `bun:"received_at,notnull"`
	Attempts      int        `bun:"attempts,notnull"`
	NextAttemptAt time.Time  `bun:"next_attempt_at,notnull"`
	LeaseUntil    *time.Time `bun:"lease_until"`
	ProcessedAt   *time.Time `bun:"processed_at"`
	FailedAt      *time.Time `bun:"failed_at"`
	LastError     string     `bun:"last_error,notnull,type:text"`
}

type fedOutboxActivity struct {
	bun.BaseModel `bun:"table:outbox_activities"`
	ID            string    `bun:"id,pk,type:varchar(26)"`
	URI           string    `bun:"uri,notnull"`
	ActorURI      string    `bun:"actor_uri,notnull"`
	Type          string    `bun:"type,notnull"`
	ObjectURI     string    `bun:"object_uri,notnull"`
	Body          []byte    `bun:"body,notnull"`
	Public        bool      `bun:"public,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

type fedDelivery struct {
	bun.BaseModel `bun:"table:deliveries"`
	ID            string     `bun:"id,pk,type:varchar(26)"`
	ActivityID    string     `bun:"activity_id,notnull,type:varchar(26)"`
	Inbox         string     `bun:"inbox,notnull"`
	Host          string     `bun:"host,notnull"`
	State         string     `bun:"state,notnull"`
	Attempts      int        `bun:"attempts,notnull"`
	NextAttemptAt time.Time  `bun:"next_attempt_at,notnull"`
	LeaseUntil    *time.Time `bun:"lease_until"`
	LastStatus    int        `bun:"last_status,notnull"`
	LastError     string     `bun:"last_error,notnull,type:text"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	FinishedAt    *time.Time `bun:"finished_at"`
}

type fedHost struct {
	bun.BaseModel    `bun:"table:hosts"`
	Host             string     `bun:"host,pk"`
	ConsecutiveFails int        `bun:"consecutive_fails,notnull"`
	OpenUntil        *time.Time `bun:"open_until"`
	LastSuccess      *time.Time `bun:"last_success"`
	LastFailure      *time.Time `bun:"last_failure"`
	Delivered        int        `bun:"delivered,notnull"`
	Failed           int        `bun:"failed,notnull"`
}

type fedTombstone struct {
	bun.BaseModel `bun:"table:tombstones"`
	URI           string    `bun:"uri,pk"`
	DeletedAt     time.Time `bun:"deleted_at,notnull"`
}

type fedDomainBlock struct {
	bun.BaseModel `bun:"table:domain_blocks"`
	Domain        string    `bun:"domain,pk"`
	Reason        string    `bun:"reason,notnull,type:text"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

type fedCursor struct {
	bun.BaseModel `bun:"table:cursors"`
	Name          string `bun:"name,pk"`
	Value         string `bun:"value,notnull,type:text"`
}

var fedTables = []initTable{
	{model: (*fedActorKey)(nil)},
	{model: (*fedRemoteActor)(nil)},
	{model: (*fedFollower)(nil)},
	{model: (*fedFollowing)(nil)},
	{model: (*fedInboxItem)(nil)},
	{model: (*fedOutboxActivity)(nil)},
	{model: (*fedDelivery)(nil), fks: []string{`("activity_id") REFERENCES "outbox_activities" ("id") ON DELETE CASCADE`}},
	{model: (*fedHost)(nil)},
	{model: (*fedTombstone)(nil)},
	{model: (*fedDomainBlock)(nil)},
	{model: (*fedCursor)(nil)},
}

var fedIndexes = []initIndex{
	// RemoteActorByKeyID.
	{name: "remote_actors_key_id_idx", table: "remote_actors", columns: []string{"key_id"}},
	// One follow per (target, actor); ListFollowers and
	// ListPendingFollowers: target = ? AND state = ? ORDER BY id.
	{name: "followers_target_actor_key", table: "followers", unique: true, columns: []string{"target", "actor_uri"}},
	{name: "followers_target_state_id_idx", table: "followers", columns: []string{"target", "state", "id"}},
	{name: "following_object_uri_key", table: "following", unique: true, columns: []string{"object_uri"}},
	{name: "following_follow_id_idx", table: "following", columns: []string{"follow_id"}},
	// A second delivery of one activity is a duplicate.
	{name: "inbox_items_activity_id_key", table: "inbox_items", unique: true, columns: []string{"activity_id"}},
	// ClaimInboxItems: open items by next_attempt_at.
	{name: "inbox_items_claim_idx", table: "inbox_items", columns: []string{"next_attempt_at", "id"},
		where: "processed_at IS NULL AND failed_at IS NULL"},
	{name: "outbox_activities_uri_key", table: "outbox_activities", unique: true, columns: []string{"uri"}},
	// ListOutbox: actor_uri = ? AND public ORDER BY id DESC.
	{name: "outbox_activities_actor_idx", table: "outbox_activities", columns: []string{"actor_uri", "public", "id"}},
	{name: "deliveries_activity_inbox_key", table: "deliveries", unique: true, columns: []string{"activity_id", "inbox"}},
	// ClaimDeliveries: state = 'pending' AND next_attempt_at <= now.
	{name: "deliveries_state_next_idx", table: "deliveries", columns: []string{"state", "next_attempt_at"}},
	// In-flight per host; DropHostDeliveries.
	{name: "deliveries_host_state_idx", table: "deliveries", columns: []string{"host", "state"}},
}

func init() {
	Migrations.MustRegister(
		func(ctx context.Context, db *bun.DB) error {
			return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				return createTablesAndIndexes(ctx, tx, fedTables, fedIndexes)
			})
		},
		func(ctx context.Context, db *bun.DB) error {
			return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				return dropTablesAndIndexes(ctx, tx, fedTables, fedIndexes)
			})
		})
}
