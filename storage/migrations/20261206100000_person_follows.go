package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Members following remote people from apps (package personal): the
// follow sent in the member's name, and the statuses of those people that
// belong to no forum.
//
// Frozen copy of what this migration creates, as it shipped. Never edit it.

type personFollow struct {
	bun.BaseModel `bun:"table:person_follows"`
	ID            string    `bun:"id,pk"`
	MemberID      string    `bun:"member_id,notnull"`
	PersonID      string    `bun:"person_id,notnull"`
	PersonURI     string    `bun:"person_uri,notnull"`
	FollowID      string    `bun:"follow_id,notnull"`
	State         string    `bun:"state,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

type personStatus struct {
	bun.BaseModel `bun:"table:person_statuses"`
	ID            string    `bun:"id,pk"`
	URI           string    `bun:"uri,notnull"`
	URL           string    `bun:"url,notnull"`
	AuthorID      string    `bun:"author_id,notnull"`
	HTML          string    `bun:"html,notnull"`
	Summary       string    `bun:"summary,notnull"`
	Sensitive     bool      `bun:"sensitive,notnull"`
	Language      string    `bun:"language,notnull"`
	Visibility    string    `bun:"visibility,notnull"`
	PublishedAt   time.Time `bun:"published_at,notnull"`
	EditedAt      time.Time `bun:"edited_at,nullzero"`
}

var (
	personTables = []initTable{
		{model: (*personFollow)(nil), fks: []string{
			`("member_id") REFERENCES "members" ("id") ON DELETE CASCADE`,
			`("person_id") REFERENCES "members" ("id") ON DELETE CASCADE`}},
		{model: (*personStatus)(nil), fks: []string{`("author_id") REFERENCES "members" ("id") ON DELETE CASCADE`}},
	}
	personIndexes = []initIndex{
		// One follow per member and person; answers find it by our Follow's id.
		{name: "person_follows_member_person_key", table: "person_follows", unique: true, columns: []string{"member_id", "person_id"}},
		{name: "person_follows_follow_id_key", table: "person_follows", unique: true, columns: []string{"follow_id"}},
		// Is anyone following this person (received statuses)?
		{name: "person_follows_person_idx", table: "person_follows", columns: []string{"person_id", "state"}},
		{name: "person_statuses_uri_key", table: "person_statuses", unique: true, columns: []string{"uri"}},
		// A home timeline: the statuses of the people followed, by id.
		{name: "person_statuses_author_idx", table: "person_statuses", columns: []string{"author_id", "id"}},
	}
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return createTablesAndIndexes(ctx, tx, personTables, personIndexes)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return dropTablesAndIndexes(ctx, tx, personTables, personIndexes)
		})
	})
}
