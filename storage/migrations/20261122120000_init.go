package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Frozen copies of the models as they were when this migration shipped.
// Never edit them; never replace them with the live models.

type initMember struct {
	bun.BaseModel `bun:"table:members"`
	ID            string    `bun:"id,pk,type:varchar(26)"`
	Username      string    `bun:"username,notnull"`
	Domain        string    `bun:"domain,notnull"`
	DisplayName   string    `bun:"display_name,notnull"`
	Title         string    `bun:"title,notnull"`
	Organisation  string    `bun:"organisation,notnull"`
	UILanguage    string    `bun:"ui_language,notnull"`
	Role          string    `bun:"role,notnull"`
	PasswordHash  string    `bun:"password_hash,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

type initMemberLanguage struct {
	bun.BaseModel `bun:"table:member_languages"`
	MemberID      string `bun:"member_id,pk,type:varchar(26)"`
	Position      int    `bun:"position,pk"`
	Tag           string `bun:"tag,notnull"`
}

type initInvitation struct {
	bun.BaseModel `bun:"table:invitations"`
	ID            string     `bun:"id,pk,type:varchar(26)"`
	TokenHash     string     `bun:"token_hash,notnull,unique"`
	Note          string     `bun:"note,notnull"`
	Role          string     `bun:"role,notnull"`
	CreatedBy     string     `bun:"created_by,notnull"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	ExpiresAt     time.Time  `bun:"expires_at,notnull"`
	UsedAt        *time.Time `bun:"used_at"`
	UsedBy        string     `bun:"used_by,notnull"`
}

type initLoginToken struct {
	bun.BaseModel `bun:"table:login_tokens"`
	TokenHash     string     `bun:"token_hash,pk"`
	MemberID      string     `bun:"member_id,notnull,type:varchar(26)"`
	Purpose       string     `bun:"purpose,notnull"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	ExpiresAt     time.Time  `bun:"expires_at,notnull"`
	UsedAt        *time.Time `bun:"used_at"`
}

type initSession struct {
	bun.BaseModel `bun:"table:sessions"`
	TokenHash     string    `bun:"token_hash,pk"`
	MemberID      string    `bun:"member_id,notnull,type:varchar(26)"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
	ExpiresAt     time.Time `bun:"expires_at,notnull"`
}

type initForum struct {
	bun.BaseModel `bun:"table:forums"`
	ID            string    `bun:"id,pk,type:varchar(26)"`
	Slug          string    `bun:"slug,notnull,unique"`
	Position      int       `bun:"position,notnull"`
	Language      string    `bun:"language,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

type initForumText struct {
	bun.BaseModel `bun:"table:forum_texts"`
	ForumID       string `bun:"forum_id,pk,type:varchar(26)"`
	Lang          string `bun:"lang,pk"`
	Title         string `bun:"title,notnull"`
	Description   string `bun:"description,notnull"`
}

type initThread struct {
	bun.BaseModel `bun:"table:threads"`
	ID            string     `bun:"id,pk,type:varchar(26)"`
	ForumID       string     `bun:"forum_id,notnull,type:varchar(26)"`
	AuthorID      string     `bun:"author_id,notnull,type:varchar(26)"`
	RootPostID    string     `bun:"root_post_id,notnull,type:varchar(26)"`
	Title         string     `bun:"title,notnull"`
	Language      string     `bun:"language,notnull"`
	Pinned        bool       `bun:"pinned,notnull"`
	Locked        bool       `bun:"locked,notnull"`
	ReplyCount    int        `bun:"reply_count,notnull"`
	LastPostID    string     `bun:"last_post_id,notnull,type:varchar(26)"`
	LastPostAt    time.Time  `bun:"last_post_at,notnull"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	DeletedAt     *time.Time `bun:"deleted_at"`
}

type initPost struct {
	bun.BaseModel  `bun:"table:posts"`
	ID             string     `bun:"id,pk,type:varchar(26)"`
	ThreadID       string     `bun:"thread_id,notnull,type:varchar(26)"`
	AuthorID       string     `bun:"author_id,notnull,type:varchar(26)"`
	ParentID       string     `bun:"parent_id,notnull,type:varchar(26)"`
	BranchID       string     `bun:"branch_id,notnull,type:varchar(26)"`
	Language       string     `bun:"language,notnull"`
	Source         string     `bun:"source,notnull,type:text"`
	HTML           string     `bun:"html,notnull,type:text"`
	HelpfulCount   int        `bun:"helpful_count,notnull"`
	GoodPracticeAt *time.Time `bun:"good_practice_at"`
	GoodPracticeBy string     `bun:"good_practice_by,notnull,type:varchar(26)"`
	CreatedAt      time.Time  `bun:"created_at,notnull"`
	EditedAt       *time.Time `bun:"edited_at"`
	DeletedAt      *time.Time `bun:"deleted_at"`
	DeletedBy      string     `bun:"deleted_by,notnull,type:varchar(26)"`
}

type initRevision struct {
	bun.BaseModel `bun:"table:revisions"`
	ID            string    `bun:"id,pk,type:varchar(26)"`
	PostID        string    `bun:"post_id,notnull,type:varchar(26)"`
	EditorID      string    `bun:"editor_id,notnull,type:varchar(26)"`
	Title         string    `bun:"title,notnull"`
	Source        string    `bun:"source,notnull,type:text"`
	Language      string    `bun:"language,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

type initHelpfulMark struct {
	bun.BaseModel `bun:"table:helpful_marks"`
	PostID        string    `bun:"post_id,pk,type:varchar(26)"`
	MemberID      string    `bun:"member_id,pk,type:varchar(26)"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

type initTable struct {
	model any
	fks   []string
}

// initTables in creation order (referenced tables first).
var initTables = []initTable{
	{model: (*initMember)(nil)},
	{model: (*initMemberLanguage)(nil), fks: []string{`("member_id") REFERENCES "members" ("id") ON DELETE CASCADE`}},
	{model: (*initInvitation)(nil)},
	{model: (*initLoginToken)(nil), fks: []string{`("member_id") REFERENCES "members" ("id") ON DELETE CASCADE`}},
	{model: (*initSession)(nil), fks: []string{`("member_id") REFERENCES "members" ("id") ON DELETE CASCADE`}},
	{model: (*initForum)(nil)},
	{model: (*initForumText)(nil), fks: []string{`("forum_id") REFERENCES "forums" ("id") ON DELETE CASCADE`}},
	{model: (*initThread)(nil), fks: []string{
		`("forum_id") REFERENCES "forums" ("id")`,
		`("author_id") REFERENCES "members" ("id")`,
	}},
	{model: (*initPost)(nil), fks: []string{
		`("thread_id") REFERENCES "threads" ("id")`,
		`("author_id") REFERENCES "members" ("id")`,
	}},
	{model: (*initRevision)(nil), fks: []string{`("post_id") REFERENCES "posts" ("id") ON DELETE CASCADE`}},
	{model: (*initHelpfulMark)(nil), fks: []string{
		`("post_id") REFERENCES "posts" ("id") ON DELETE CASCADE`,
		`("member_id") REFERENCES "members" ("id") ON DELETE CASCADE`,
	}},
}

type initIndex struct {
	name, table string
	unique      bool
	columns     []string
	where       string // partial index predicate
}

// initIndexes serve the lookups and the keyset (cursor) queries of storage.
var initIndexes = []initIndex{
	// Unique (username, domain); domain first so that ListMembers
	// (domain = '' AND username > ? ORDER BY username) walks this index.
	{name: "members_domain_username_key", table: "members", unique: true, columns: []string{"domain", "username"}},
	{name: "login_tokens_member_id_idx", table: "login_tokens", columns: []string{"member_id"}},
	{name: "sessions_member_id_idx", table: "sessions", columns: []string{"member_id"}},
	// ListForums: ORDER BY position, id.
	{name: "forums_position_id_idx", table: "forums", columns: []string{"position", "id"}},
	// ListThreads: forum_id = ? AND deleted_at IS NULL ORDER BY pinned DESC,
	// last_post_id DESC, id DESC (the index read backwards).
	{name: "threads_forum_order_idx", table: "threads", columns: []string{"forum_id", "pinned", "last_post_id", "id"}, where: "deleted_at IS NULL"},
	// ListPosts: thread_id = ? ORDER BY branch_id, id.
	{name: "posts_thread_order_idx", table: "posts", columns: []string{"thread_id", "branch_id", "id"}},
	// ListMemberPosts: author_id = ? AND deleted_at IS NULL ORDER BY id DESC.
	{name: "posts_author_id_idx", table: "posts", columns: []string{"author_id", "id"}, where: "deleted_at IS NULL"},
	// ListRevisions: post_id = ? ORDER BY id.
	{name: "revisions_post_id_idx", table: "revisions", columns: []string{"post_id", "id"}},
	{name: "helpful_marks_member_id_idx", table: "helpful_marks", columns: []string{"member_id", "post_id"}},
}

func init() {
	Migrations.MustRegister(initUp, initDown)
}

func initUp(ctx context.Context, db *bun.DB) error {
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, t := range initTables {
			q := tx.NewCreateTable().Model(t.model)
			for _, fk := range t.fks {
				q = q.ForeignKey(fk)
			}
			if _, err := q.Exec(ctx); err != nil {
				return fmt.Errorf("create table %T: %w", t.model, err)
			}
		}
		for _, ix := range initIndexes {
			q := tx.NewCreateIndex().Table(ix.table).Index(ix.name).Column(ix.columns...)
			if ix.unique {
				q = q.Unique()
			}
			if ix.where != "" {
				q = q.Where(ix.where)
			}
			if _, err := q.Exec(ctx); err != nil {
				return fmt.Errorf("create index %s: %w", ix.name, err)
			}
		}
		return nil
	})
}

func initDown(ctx context.Context, db *bun.DB) error {
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for i := len(initTables) - 1; i >= 0; i-- {
			if _, err := tx.NewDropTable().Model(initTables[i].model).IfExists().Exec(ctx); err != nil {
				return fmt.Errorf("drop table %T: %w", initTables[i].model, err)
			}
		}
		return nil
	})
}
