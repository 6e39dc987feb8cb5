package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// The OAuth 2 server of the Mastodon client API (package oauth): apps,
// authorization codes and access tokens. Codes, tokens and client secrets
// are stored as SHA-256 hashes.
//
// Frozen copy of what this migration creates, as it shipped. Never edit it.

type oauthApp struct {
	bun.BaseModel `bun:"table:oauth_apps"`
	ID            string `bun:"id,pk"`
	ClientID      string `bun:"client_id,notnull"`
	Name          string `bun:"name,notnull"`
	Website       string `bun:"website,notnull"`
	// RedirectURIs are newline-separated, as Mastodon writes them: never
	// queried one by one, read with the app.
	RedirectURIs string    `bun:"redirect_uris,notnull"`
	Scopes       string    `bun:"scopes,notnull"`
	SecretHash   string    `bun:"secret_hash,notnull"`
	CreatedAt    time.Time `bun:"created_at,notnull"`
}

type oauthGrant struct {
	bun.BaseModel `bun:"table:oauth_grants"`
	CodeHash      string    `bun:"code_hash,pk"`
	AppID         string    `bun:"app_id,notnull"`
	MemberID      string    `bun:"member_id,notnull"`
	RedirectURI   string    `bun:"redirect_uri,notnull"`
	Scopes        string    `bun:"scopes,notnull"`
	Challenge     string    `bun:"challenge,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
	ExpiresAt     time.Time `bun:"expires_at,notnull"`
}

type oauthToken struct {
	bun.BaseModel `bun:"table:oauth_tokens"`
	ID            string     `bun:"id,pk"`
	Hash          string     `bun:"hash,notnull"`
	AppID         string     `bun:"app_id,notnull"`
	MemberID      string     `bun:"member_id,notnull"`
	Scopes        string     `bun:"scopes,notnull"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	RevokedAt     *time.Time `bun:"revoked_at"`
}

var (
	oauthTables = []initTable{
		{model: (*oauthApp)(nil)},
		{model: (*oauthGrant)(nil), fks: []string{`("app_id") REFERENCES "oauth_apps" ("id") ON DELETE CASCADE`}},
		{model: (*oauthToken)(nil), fks: []string{`("app_id") REFERENCES "oauth_apps" ("id") ON DELETE CASCADE`}},
	}
	oauthIndexes = []initIndex{
		{name: "oauth_apps_client_id_idx", table: "oauth_apps", columns: []string{"client_id"}, unique: true},
		{name: "oauth_tokens_hash_idx", table: "oauth_tokens", columns: []string{"hash"}, unique: true},
		// A member's authorized apps (the profile page).
		{name: "oauth_tokens_member_idx", table: "oauth_tokens", columns: []string{"member_id", "id"}, where: "revoked_at IS NULL"},
	}
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return createTablesAndIndexes(ctx, tx, oauthTables, oauthIndexes)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return dropTablesAndIndexes(ctx, tx, oauthTables, oauthIndexes)
		})
	})
}
