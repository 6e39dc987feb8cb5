package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Remote content (members, forums, threads and posts of other nodes),
// forum policies, post translations and the event log.
//
// Frozen copies of what this migration creates, as it shipped. Never edit
// them; never replace them with the live models.

// remoteColumns are added to the tables of the init migration. A URI is
// NULL for local rows (unique indexes allow many NULLs), so each new NOT
// NULL column has a default for the rows already there.
var remoteColumns = []struct{ table, column, def string }{
	{"members", "uri", "VARCHAR"},
	{"members", "profile_url", "VARCHAR NOT NULL DEFAULT ''"},
	{"forums", "uri", "VARCHAR"},
	{"forums", "domain", "VARCHAR NOT NULL DEFAULT ''"},
	{"forums", "approve_follows", "BOOLEAN NOT NULL DEFAULT FALSE"},
	{"forums", "listed_only", "BOOLEAN NOT NULL DEFAULT FALSE"},
	{"threads", "uri", "VARCHAR"},
	{"threads", "context_uri", "VARCHAR NOT NULL DEFAULT ''"},
	{"posts", "uri", "VARCHAR"},
}

type remoteForumInstance struct {
	bun.BaseModel `bun:"table:forum_instances"`
	ForumID       string `bun:"forum_id,pk,type:varchar(26)"`
	Position      int    `bun:"position,pk"`
	Host          string `bun:"host,notnull"`
}

type remotePostTranslation struct {
	bun.BaseModel `bun:"table:post_translations"`
	PostID        string `bun:"post_id,pk,type:varchar(26)"`
	Lang          string `bun:"lang,pk"`
	Title         string `bun:"title,notnull"`
	HTML          string `bun:"html,notnull,type:text"`
}

type remoteEvent struct {
	bun.BaseModel `bun:"table:events"`
	ID            string    `bun:"id,pk,type:varchar(26)"`
	Kind          string    `bun:"kind,notnull"`
	ActorID       string    `bun:"actor_id,notnull,type:varchar(26)"`
	ForumID       string    `bun:"forum_id,notnull,type:varchar(26)"`
	ThreadID      string    `bun:"thread_id,notnull,type:varchar(26)"`
	PostID        string    `bun:"post_id,notnull,type:varchar(26)"`
	MemberID      string    `bun:"member_id,notnull,type:varchar(26)"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

// remoteTables in creation order. Events have no foreign keys: the log
// outlives what it mentions.
var remoteTables = []initTable{
	{model: (*remoteForumInstance)(nil), fks: []string{`("forum_id") REFERENCES "forums" ("id") ON DELETE CASCADE`}},
	{model: (*remotePostTranslation)(nil), fks: []string{`("post_id") REFERENCES "posts" ("id") ON DELETE CASCADE`}},
	{model: (*remoteEvent)(nil)},
}

var remoteIndexes = []initIndex{
	// MemberByURI, ForumByURI, ThreadByURI, PostByURI; NULL (local) rows
	// never collide.
	{name: "members_uri_key", table: "members", unique: true, columns: []string{"uri"}},
	{name: "forums_uri_key", table: "forums", unique: true, columns: []string{"uri"}},
	{name: "threads_uri_key", table: "threads", unique: true, columns: []string{"uri"}},
	{name: "posts_uri_key", table: "posts", unique: true, columns: []string{"uri"}},
}

func init() {
	Migrations.MustRegister(remoteUp, remoteDown)
}

func remoteUp(ctx context.Context, db *bun.DB) error {
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, c := range remoteColumns {
			_, err := tx.NewAddColumn().Table(c.table).ColumnExpr(c.column + " " + c.def).Exec(ctx)
			if err != nil {
				return fmt.Errorf("add column %s.%s: %w", c.table, c.column, err)
			}
		}
		return createTablesAndIndexes(ctx, tx, remoteTables, remoteIndexes)
	})
}

func remoteDown(ctx context.Context, db *bun.DB) error {
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := dropTablesAndIndexes(ctx, tx, remoteTables, remoteIndexes); err != nil {
			return err
		}
		for i := len(remoteColumns) - 1; i >= 0; i-- {
			c := remoteColumns[i]
			if _, err := tx.NewDropColumn().Table(c.table).Column(c.column).Exec(ctx); err != nil {
				return fmt.Errorf("drop column %s.%s: %w", c.table, c.column, err)
			}
		}
		return nil
	})
}
