package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Webinars: a forum's events (FEP-8a8e `Event`), each with its title and
// description per language (webinar_texts), its speakers in order
// (webinar_speakers: a member, or a name as typed) and who said they
// come (webinar_rsvps: members here and fediverse people who sent a
// Join). starts_at/ends_at are instants in UTC; time_zone is the IANA
// zone the organiser gave them in (the calendar files say it).
// members.time_zone is the zone a member reads times in ('' for the
// node's).
//
// Frozen copy of what this migration creates, as it shipped. Never edit it.

type webinarsWebinar struct {
	bun.BaseModel `bun:"table:webinars"`
	ID            string    `bun:"id,pk,type:varchar(26)"`
	ForumID       string    `bun:"forum_id,notnull,type:varchar(26)"`
	ThreadID      string    `bun:"thread_id,notnull,type:varchar(26)"`
	Language      string    `bun:"language,notnull"`
	StartsAt      time.Time `bun:"starts_at,notnull"`
	EndsAt        time.Time `bun:"ends_at,notnull"`
	TimeZone      string    `bun:"time_zone,notnull"`
	OnlineURL     string    `bun:"online_url,notnull"`
	Programme     string    `bun:"programme,notnull"`
	CreatedBy     string    `bun:"created_by,notnull,type:varchar(26)"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

type webinarsText struct {
	bun.BaseModel `bun:"table:webinar_texts"`
	WebinarID     string `bun:"webinar_id,pk,type:varchar(26)"`
	Lang          string `bun:"lang,pk"`
	Title         string `bun:"title,notnull"`
	Description   string `bun:"description,notnull"`
}

type webinarsSpeaker struct {
	bun.BaseModel `bun:"table:webinar_speakers"`
	WebinarID     string `bun:"webinar_id,pk,type:varchar(26)"`
	Position      int    `bun:"position,pk"`
	MemberID      string `bun:"member_id,notnull,type:varchar(26)"`
	Name          string `bun:"name,notnull"`
}

type webinarsRSVP struct {
	bun.BaseModel `bun:"table:webinar_rsvps"`
	WebinarID     string    `bun:"webinar_id,pk,type:varchar(26)"`
	MemberID      string    `bun:"member_id,pk,type:varchar(26)"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

var (
	webinarsTables = []initTable{
		{model: (*webinarsWebinar)(nil), fks: []string{`("forum_id") REFERENCES "forums" ("id") ON DELETE CASCADE`}},
		{model: (*webinarsText)(nil), fks: []string{`("webinar_id") REFERENCES "webinars" ("id") ON DELETE CASCADE`}},
		{model: (*webinarsSpeaker)(nil), fks: []string{`("webinar_id") REFERENCES "webinars" ("id") ON DELETE CASCADE`}},
		{model: (*webinarsRSVP)(nil), fks: []string{`("webinar_id") REFERENCES "webinars" ("id") ON DELETE CASCADE`,
			`("member_id") REFERENCES "members" ("id") ON DELETE CASCADE`}},
	}
	webinarsIndexes = []initIndex{
		{name: "webinars_forum_starts_idx", table: "webinars", columns: []string{"forum_id", "starts_at"}},
		{name: "webinars_starts_idx", table: "webinars", columns: []string{"starts_at"}},
		{name: "webinars_thread_idx", table: "webinars", columns: []string{"thread_id"}},
	}
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewAddColumn().Table("members").ColumnExpr("time_zone VARCHAR NOT NULL DEFAULT ''").Exec(ctx); err != nil {
				return fmt.Errorf("add column members.time_zone: %w", err)
			}
			return createTablesAndIndexes(ctx, tx, webinarsTables, webinarsIndexes)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if err := dropTablesAndIndexes(ctx, tx, webinarsTables, webinarsIndexes); err != nil {
				return err
			}
			_, err := tx.NewDropColumn().Table("members").Column("time_zone").Exec(ctx)
			return err
		})
	})
}
