// Package oauth is the node's OAuth 2 authorization server for Mastodon
// client apps: apps register (Mastodon's POST /api/v1/apps), a member
// grants an app access on a consent page, the app trades the code for a
// bearer token (authorization_code with PKCE, or client_credentials), and
// the member can revoke it. No HTTP here: web/mastoapi speaks the wire
// format, web shows the consent page; this package decides.
//
// No library: the Go modules available (golang.org/x/oauth2 is a client;
// the servers in the list bring OpenID Connect, JWT and storage layers we
// do not need) do not fit a server this small, and its rules (exact
// redirect URIs, PKCE S256 only, hashed tokens, single-use codes) are
// easier to check in one file we own.
package oauth

import (
	"context"
	"errors"
	"time"

	"github.com/metropolis/agora/forum"
)

// OOB is the redirect URI of apps without one (command-line tools): the
// code is shown on a page for the member to copy.
const OOB = "urn:ietf:wg:oauth:2.0:oob"

// App is a registered client application.
type App struct {
	ID           forum.ID
	Name         string
	Website      string
	RedirectURIs []string
	Scopes       Scopes
	ClientID     string
	// SecretHash is the SHA-256 of the client secret: the secret itself
	// is shown once, at registration.
	SecretHash string
	CreatedAt  time.Time
}

// Grant is an authorization code a member gave an app: single use, short
// lived, bound to the redirect URI and the PKCE challenge of its request.
type Grant struct {
	CodeHash    string
	AppID       forum.ID
	MemberID    forum.ID
	RedirectURI string
	Scopes      Scopes
	Challenge   string // PKCE S256 code_challenge; "" when the app sent none
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// Token is an access token. MemberID is empty for an app's own token
// (client_credentials), which acts for nobody.
type Token struct {
	ID        forum.ID
	Hash      string
	AppID     forum.ID
	MemberID  forum.ID
	Scopes    Scopes
	CreatedAt time.Time
	RevokedAt *time.Time
}

// Authorization is a member's token with its app, as the profile page
// lists them.
type Authorization struct {
	Token *Token
	App   *App
}

// Store is what the OAuth server keeps. Implementations map driver errors
// onto forum.ErrNotFound and forum.ErrConflict.
type Store interface {
	CreateApp(ctx context.Context, a *App) error
	AppByClientID(ctx context.Context, clientID string) (*App, error)
	AppsByIDs(ctx context.Context, ids []forum.ID) (map[forum.ID]*App, error)

	CreateGrant(ctx context.Context, g *Grant) error
	// UseGrant deletes the grant with this code hash and returns it, so a
	// code works once even when two requests race; ErrNotFound if none.
	UseGrant(ctx context.Context, codeHash string) (*Grant, error)

	CreateToken(ctx context.Context, t *Token) error
	// TokenByHash returns a token, revoked or not; ErrNotFound if none.
	TokenByHash(ctx context.Context, hash string) (*Token, error)
	// RevokeToken marks the token revoked at at; ErrNotFound if there is
	// no such token not yet revoked.
	RevokeToken(ctx context.Context, id forum.ID, at time.Time) error
	// MemberTokens lists a member's tokens not revoked, newest first.
	MemberTokens(ctx context.Context, memberID forum.ID) ([]*Token, error)
}

// Error is a refusal in OAuth's terms (RFC 6749 §5.2): Code is the
// "error" field clients read, Description a sentence for their
// developers; Status is the HTTP status to answer with.
type Error struct {
	Status      int
	Code        string
	Description string
}

func (e *Error) Error() string { return e.Code + ": " + e.Description }

func oauthErr(status int, code, desc string) *Error {
	return &Error{Status: status, Code: code, Description: desc}
}

// AsError returns err's *Error, if it is one.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// ErrRevoked is a token that was revoked (or never existed): every use
// is refused at once.
var ErrRevoked = oauthErr(401, "invalid_token", "The access token is invalid")
