package storage

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/oauth"
)

var _ oauth.Store = (*Store)(nil)

type oauthAppRow struct {
	bun.BaseModel `bun:"table:oauth_apps"`
	ID            string    `bun:"id,pk"`
	ClientID      string    `bun:"client_id"`
	Name          string    `bun:"name"`
	Website       string    `bun:"website"`
	RedirectURIs  string    `bun:"redirect_uris"`
	Scopes        string    `bun:"scopes"`
	SecretHash    string    `bun:"secret_hash"`
	CreatedAt     time.Time `bun:"created_at"`
}

func (r *oauthAppRow) app() *oauth.App {
	sc, _ := oauth.ParseScopes(r.Scopes) // written by us from parsed scopes
	return &oauth.App{ID: r.ID, ClientID: r.ClientID, Name: r.Name, Website: r.Website,
		RedirectURIs: strings.Split(r.RedirectURIs, "\n"), Scopes: sc, SecretHash: r.SecretHash, CreatedAt: r.CreatedAt.UTC()}
}

type oauthGrantRow struct {
	bun.BaseModel `bun:"table:oauth_grants"`
	CodeHash      string    `bun:"code_hash,pk"`
	AppID         string    `bun:"app_id"`
	MemberID      string    `bun:"member_id"`
	RedirectURI   string    `bun:"redirect_uri"`
	Scopes        string    `bun:"scopes"`
	Challenge     string    `bun:"challenge"`
	CreatedAt     time.Time `bun:"created_at"`
	ExpiresAt     time.Time `bun:"expires_at"`
}

type oauthTokenRow struct {
	bun.BaseModel `bun:"table:oauth_tokens"`
	ID            string     `bun:"id,pk"`
	Hash          string     `bun:"hash"`
	AppID         string     `bun:"app_id"`
	MemberID      string     `bun:"member_id"`
	Scopes        string     `bun:"scopes"`
	CreatedAt     time.Time  `bun:"created_at"`
	RevokedAt     *time.Time `bun:"revoked_at"`
}

func (r *oauthTokenRow) token() *oauth.Token {
	sc, _ := oauth.ParseScopes(r.Scopes)
	return &oauth.Token{ID: r.ID, Hash: r.Hash, AppID: r.AppID, MemberID: r.MemberID, Scopes: sc,
		CreatedAt: r.CreatedAt.UTC(), RevokedAt: utcPtr(r.RevokedAt)}
}

// CreateApp stores a registered app.
func (s *Store) CreateApp(ctx context.Context, a *oauth.App) error {
	row := &oauthAppRow{ID: a.ID, ClientID: a.ClientID, Name: a.Name, Website: a.Website,
		RedirectURIs: strings.Join(a.RedirectURIs, "\n"), Scopes: a.Scopes.String(), SecretHash: a.SecretHash, CreatedAt: utc(a.CreatedAt)}
	_, err := s.db.NewInsert().Model(row).Exec(ctx)
	return dbErr("create app", err)
}

// AppByClientID finds an app by its client id.
func (s *Store) AppByClientID(ctx context.Context, clientID string) (*oauth.App, error) {
	var r oauthAppRow
	if err := s.db.NewSelect().Model(&r).Where("client_id = ?", clientID).Scan(ctx); err != nil {
		return nil, dbErr("app", err)
	}
	return r.app(), nil
}

// AppsByIDs loads apps by id; missing ones are left out.
func (s *Store) AppsByIDs(ctx context.Context, ids []forum.ID) (map[forum.ID]*oauth.App, error) {
	out := map[forum.ID]*oauth.App{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []oauthAppRow
	if err := s.db.NewSelect().Model(&rows).Where("id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, dbErr("apps", err)
	}
	for i := range rows {
		out[rows[i].ID] = rows[i].app()
	}
	return out, nil
}

// CreateGrant stores an authorization code's grant.
func (s *Store) CreateGrant(ctx context.Context, g *oauth.Grant) error {
	row := &oauthGrantRow{CodeHash: g.CodeHash, AppID: g.AppID, MemberID: g.MemberID, RedirectURI: g.RedirectURI,
		Scopes: g.Scopes.String(), Challenge: g.Challenge, CreatedAt: utc(g.CreatedAt), ExpiresAt: utc(g.ExpiresAt)}
	_, err := s.db.NewInsert().Model(row).Exec(ctx)
	return dbErr("create grant", err)
}

// UseGrant deletes and returns the grant: whichever of two racing
// requests deletes the row gets it, the other finds nothing.
func (s *Store) UseGrant(ctx context.Context, codeHash string) (*oauth.Grant, error) {
	var g *oauth.Grant
	err := s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		var r oauthGrantRow
		if err := tx.db.NewSelect().Model(&r).Where("code_hash = ?", codeHash).Scan(ctx); err != nil {
			return dbErr("grant", err)
		}
		res, err := tx.db.NewDelete().Model((*oauthGrantRow)(nil)).Where("code_hash = ?", codeHash).Exec(ctx)
		if err != nil {
			return dbErr("use grant", err)
		}
		if err := affected("use grant", res); err != nil {
			return err
		}
		sc, _ := oauth.ParseScopes(r.Scopes)
		g = &oauth.Grant{CodeHash: r.CodeHash, AppID: r.AppID, MemberID: r.MemberID, RedirectURI: r.RedirectURI,
			Scopes: sc, Challenge: r.Challenge, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}
		return nil
	})
	return g, err
}

// CreateToken stores an access token.
func (s *Store) CreateToken(ctx context.Context, t *oauth.Token) error {
	row := &oauthTokenRow{ID: t.ID, Hash: t.Hash, AppID: t.AppID, MemberID: t.MemberID, Scopes: t.Scopes.String(),
		CreatedAt: utc(t.CreatedAt), RevokedAt: utcPtr(t.RevokedAt)}
	_, err := s.db.NewInsert().Model(row).Exec(ctx)
	return dbErr("create token", err)
}

// TokenByHash finds a token, revoked or not.
func (s *Store) TokenByHash(ctx context.Context, hash string) (*oauth.Token, error) {
	var r oauthTokenRow
	if err := s.db.NewSelect().Model(&r).Where("hash = ?", hash).Scan(ctx); err != nil {
		return nil, dbErr("token", err)
	}
	return r.token(), nil
}

// RevokeToken marks a token revoked.
func (s *Store) RevokeToken(ctx context.Context, id forum.ID, at time.Time) error {
	res, err := s.db.NewUpdate().Model((*oauthTokenRow)(nil)).Set("revoked_at = ?", utc(at)).
		Where("id = ?", id).Where("revoked_at IS NULL").Exec(ctx)
	if err != nil {
		return dbErr("revoke token", err)
	}
	return affected("revoke token", res)
}

// MemberTokens lists a member's live tokens, newest first.
func (s *Store) MemberTokens(ctx context.Context, memberID forum.ID) ([]*oauth.Token, error) {
	var rows []oauthTokenRow
	if err := s.db.NewSelect().Model(&rows).Where("member_id = ?", memberID).Where("revoked_at IS NULL").
		OrderExpr("id DESC").Limit(200).Scan(ctx); err != nil {
		return nil, dbErr("member tokens", err)
	}
	out := make([]*oauth.Token, len(rows))
	for i := range rows {
		out[i] = rows[i].token()
	}
	return out, nil
}
