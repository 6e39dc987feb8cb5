package oauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/metropolis/agora/forum"
)

// Service registers apps, issues codes and tokens, and checks them.
type Service struct {
	Store Store
	IDs   forum.IDs
	Now   func() time.Time
	// Revoked, when set, is told each token revoked, after the store
	// records it (open streams close on it).
	Revoked func(tokenID forum.ID)
}

// CodeLifetime is how long an authorization code can be traded.
const CodeLifetime = 10 * time.Minute

// Limits on what an app registers.
const (
	maxAppName      = 200
	maxRedirectURIs = 10
	maxURILen       = 2000
)

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// NewApp is what an app registers.
type NewApp struct {
	Name         string
	Website      string
	RedirectURIs []string
	Scopes       string // space-separated; "" means read
}

// RegisterApp stores an app and returns it with its client secret, which
// is never available again.
func (s *Service) RegisterApp(ctx context.Context, in NewApp) (*App, string, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > maxAppName {
		return nil, "", oauthErr(http.StatusUnprocessableEntity, "invalid_request", "client_name is required (at most 200 characters)")
	}
	if in.Website != "" && !webURL(in.Website) {
		return nil, "", oauthErr(http.StatusUnprocessableEntity, "invalid_request", "website must be an http(s) URL")
	}
	var uris []string
	for _, u := range in.RedirectURIs {
		for _, line := range strings.Split(u, "\n") {
			if line = strings.TrimSpace(line); line != "" && !slices.Contains(uris, line) {
				uris = append(uris, line)
			}
		}
	}
	if len(uris) == 0 || len(uris) > maxRedirectURIs {
		return nil, "", oauthErr(http.StatusUnprocessableEntity, "invalid_request", "redirect_uris needs 1 to 10 URIs")
	}
	for _, u := range uris {
		if !redirectURI(u) {
			return nil, "", oauthErr(http.StatusUnprocessableEntity, "invalid_request", fmt.Sprintf("redirect URI %q must be absolute, without a fragment, or "+OOB, u))
		}
	}
	scopes := Scopes{ScopeRead}
	if strings.TrimSpace(in.Scopes) != "" {
		var ok bool
		if scopes, ok = ParseScopes(in.Scopes); !ok || len(scopes) == 0 {
			return nil, "", oauthErr(http.StatusUnprocessableEntity, "invalid_scope", "unknown scope in "+in.Scopes)
		}
	}
	secret, secretHash, err := newSecret()
	if err != nil {
		return nil, "", err
	}
	clientID, _, err := newSecret()
	if err != nil {
		return nil, "", err
	}
	a := &App{ID: s.IDs.New(), Name: name, Website: in.Website, RedirectURIs: uris, Scopes: scopes,
		ClientID: clientID, SecretHash: secretHash, CreatedAt: s.now()}
	if err := s.Store.CreateApp(ctx, a); err != nil {
		return nil, "", fmt.Errorf("register app: %w", err)
	}
	return a, secret, nil
}

// webURL: an absolute http(s) URL.
func webURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && len(raw) <= maxURILen && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// redirectURI: OOB, or an absolute URI without a fragment (RFC 6749
// §3.1.2). Custom schemes are allowed: phone apps come back through them.
func redirectURI(raw string) bool {
	if raw == OOB {
		return true
	}
	u, err := url.Parse(raw)
	if err != nil || len(raw) > maxURILen || u.Scheme == "" || u.Fragment != "" || strings.Contains(raw, "#") {
		return false
	}
	lower := strings.ToLower(u.Scheme)
	if lower == "javascript" || lower == "data" || lower == "vbscript" {
		return false
	}
	return u.Opaque == "" || u.Host != "" || strings.Contains(raw, ":/")
}

// AuthRequest is what an app asks for on /oauth/authorize.
type AuthRequest struct {
	ResponseType        string
	ClientID            string
	RedirectURI         string
	Scope               string
	State               string
	CodeChallenge       string
	CodeChallengeMethod string
}

// Checked is an authorization request found valid: what the consent page
// shows and what the grant will hold.
type Checked struct {
	App         *App
	RedirectURI string
	Scopes      Scopes
}

// ErrBadClient and ErrBadRedirect are refusals that must not redirect
// back to the app (the redirect URI cannot be trusted): the page says so.
var (
	ErrBadClient   = oauthErr(http.StatusBadRequest, "invalid_client", "unknown client_id")
	ErrBadRedirect = oauthErr(http.StatusBadRequest, "invalid_request", "redirect_uri is not one the app registered")
)

// Check validates an authorization request. ErrBadClient and
// ErrBadRedirect are shown to the member; other *Error values go back to
// the app on its redirect URI.
func (s *Service) Check(ctx context.Context, r AuthRequest) (*Checked, error) {
	app, err := s.Store.AppByClientID(ctx, r.ClientID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, ErrBadClient
	} else if err != nil {
		return nil, fmt.Errorf("load app: %w", err)
	}
	redirect := r.RedirectURI
	if redirect == "" && len(app.RedirectURIs) == 1 {
		redirect = app.RedirectURIs[0]
	}
	// Matched exactly: no prefix, no normalisation (RFC 9700 §4.1.3).
	if !slices.Contains(app.RedirectURIs, redirect) {
		return nil, ErrBadRedirect
	}
	c := &Checked{App: app, RedirectURI: redirect}
	if r.ResponseType != "code" {
		return c, oauthErr(http.StatusBadRequest, "unsupported_response_type", "only response_type=code is supported")
	}
	c.Scopes = app.Scopes
	if strings.TrimSpace(r.Scope) != "" {
		sc, ok := ParseScopes(r.Scope)
		if !ok || len(sc) == 0 || !app.Scopes.Covers(sc) {
			return c, oauthErr(http.StatusBadRequest, "invalid_scope", "the scopes asked for are unknown or more than the app registered")
		}
		c.Scopes = sc
	}
	switch {
	case r.CodeChallenge == "" && r.CodeChallengeMethod == "":
	case r.CodeChallengeMethod != "S256":
		return c, oauthErr(http.StatusBadRequest, "invalid_request", "code_challenge_method must be S256")
	case !validChallenge(r.CodeChallenge):
		return c, oauthErr(http.StatusBadRequest, "invalid_request", "code_challenge must be 43 base64url characters")
	}
	return c, nil
}

func validChallenge(c string) bool {
	if len(c) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(c)
	return err == nil
}

// Grant issues an authorization code for a checked request the member
// approved.
func (s *Service) Grant(ctx context.Context, member *forum.Member, c *Checked, challenge string) (string, error) {
	if member == nil || !member.Local() {
		return "", forum.ErrForbidden
	}
	code, hash, err := newSecret()
	if err != nil {
		return "", err
	}
	now := s.now()
	g := &Grant{CodeHash: hash, AppID: c.App.ID, MemberID: member.ID, RedirectURI: c.RedirectURI, Scopes: c.Scopes,
		Challenge: challenge, CreatedAt: now, ExpiresAt: now.Add(CodeLifetime)}
	if err := s.Store.CreateGrant(ctx, g); err != nil {
		return "", fmt.Errorf("store grant: %w", err)
	}
	return code, nil
}

// TokenRequest is what an app posts to /oauth/token.
type TokenRequest struct {
	GrantType    string
	ClientID     string
	ClientSecret string
	Code         string
	RedirectURI  string
	CodeVerifier string
	Scope        string
}

// Issued is a new access token, with the secret the app uses.
type Issued struct {
	Token  *Token
	Access string
}

var (
	errInvalidClient = oauthErr(http.StatusUnauthorized, "invalid_client", "client authentication failed")
	errInvalidGrant  = oauthErr(http.StatusBadRequest, "invalid_grant", "the code is invalid, used, expired, or was issued to another client or redirect URI")
)

// Exchange trades a code (authorization_code) or the app's own credentials
// (client_credentials) for an access token.
func (s *Service) Exchange(ctx context.Context, r TokenRequest) (*Issued, error) {
	app, err := s.Store.AppByClientID(ctx, r.ClientID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, errInvalidClient
	} else if err != nil {
		return nil, fmt.Errorf("load app: %w", err)
	}
	// An app that sends no secret is a public client: PKCE is then its
	// only proof that it started the flow.
	public := r.ClientSecret == ""
	if !public && !equalHash(HashSecret(r.ClientSecret), app.SecretHash) {
		return nil, errInvalidClient
	}
	switch r.GrantType {
	case "authorization_code":
		return s.exchangeCode(ctx, app, public, r)
	case "client_credentials":
		if public {
			return nil, errInvalidClient
		}
		scopes := Scopes{ScopeRead}
		if strings.TrimSpace(r.Scope) != "" {
			sc, ok := ParseScopes(r.Scope)
			if !ok || !app.Scopes.Covers(sc) {
				return nil, oauthErr(http.StatusBadRequest, "invalid_scope", "the scopes asked for are unknown or more than the app registered")
			}
			scopes = sc
		}
		return s.issue(ctx, app, "", scopes)
	case "":
		return nil, oauthErr(http.StatusBadRequest, "invalid_request", "grant_type is required")
	default:
		return nil, oauthErr(http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code or client_credentials")
	}
}

func (s *Service) exchangeCode(ctx context.Context, app *App, public bool, r TokenRequest) (*Issued, error) {
	if r.Code == "" {
		return nil, oauthErr(http.StatusBadRequest, "invalid_request", "code is required")
	}
	// The code is used up whatever follows: a code tried with a wrong
	// verifier or redirect URI must not be tried again.
	g, err := s.Store.UseGrant(ctx, HashSecret(r.Code))
	if errors.Is(err, forum.ErrNotFound) {
		return nil, errInvalidGrant
	} else if err != nil {
		return nil, fmt.Errorf("use grant: %w", err)
	}
	if g.AppID != app.ID || !s.now().Before(g.ExpiresAt) {
		return nil, errInvalidGrant
	}
	redirect := r.RedirectURI
	if redirect == "" && len(app.RedirectURIs) == 1 {
		redirect = app.RedirectURIs[0]
	}
	if redirect != g.RedirectURI {
		return nil, errInvalidGrant
	}
	switch {
	case g.Challenge != "":
		if !verifierMatches(r.CodeVerifier, g.Challenge) {
			return nil, oauthErr(http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
		}
	case public:
		return nil, oauthErr(http.StatusBadRequest, "invalid_grant", "a client without a secret must use PKCE (S256)")
	case r.CodeVerifier != "":
		return nil, oauthErr(http.StatusBadRequest, "invalid_grant", "code_verifier sent for a code issued without a code_challenge")
	}
	return s.issue(ctx, app, g.MemberID, g.Scopes)
}

// verifierMatches checks RFC 7636 S256: BASE64URL(SHA256(verifier)) ==
// challenge, with the verifier's own length and alphabet rules.
func verifierMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	for _, r := range verifier {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~", r)) {
			return false
		}
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}

func (s *Service) issue(ctx context.Context, app *App, memberID forum.ID, scopes Scopes) (*Issued, error) {
	access, hash, err := newSecret()
	if err != nil {
		return nil, err
	}
	t := &Token{ID: s.IDs.New(), Hash: hash, AppID: app.ID, MemberID: memberID, Scopes: scopes, CreatedAt: s.now()}
	if err := s.Store.CreateToken(ctx, t); err != nil {
		return nil, fmt.Errorf("store token: %w", err)
	}
	return &Issued{Token: t, Access: access}, nil
}

// Authenticate returns the token a bearer secret stands for; ErrRevoked
// when it is unknown or revoked.
func (s *Service) Authenticate(ctx context.Context, bearer string) (*Token, error) {
	if bearer == "" || len(bearer) > 200 {
		return nil, ErrRevoked
	}
	t, err := s.Store.TokenByHash(ctx, HashSecret(bearer))
	if errors.Is(err, forum.ErrNotFound) {
		return nil, ErrRevoked
	} else if err != nil {
		return nil, fmt.Errorf("load token: %w", err)
	}
	if t.RevokedAt != nil {
		return nil, ErrRevoked
	}
	return t, nil
}

// App returns an app by client id.
func (s *Service) App(ctx context.Context, clientID string) (*App, error) {
	return s.Store.AppByClientID(ctx, clientID)
}

// Apps returns apps by id.
func (s *Service) Apps(ctx context.Context, ids []forum.ID) (map[forum.ID]*App, error) {
	return s.Store.AppsByIDs(ctx, ids)
}

// Revoke is RFC 7009 for the app that holds the token: an unknown token,
// or one of another app, is not an error (nothing to tell a prober), but
// the client must authenticate.
func (s *Service) Revoke(ctx context.Context, clientID, clientSecret, token string) error {
	app, err := s.Store.AppByClientID(ctx, clientID)
	if errors.Is(err, forum.ErrNotFound) {
		return errInvalidClient
	} else if err != nil {
		return fmt.Errorf("load app: %w", err)
	}
	if !equalHash(HashSecret(clientSecret), app.SecretHash) {
		return errInvalidClient
	}
	t, err := s.Store.TokenByHash(ctx, HashSecret(token))
	if errors.Is(err, forum.ErrNotFound) || (err == nil && (t.AppID != app.ID || t.RevokedAt != nil)) {
		return nil
	} else if err != nil {
		return fmt.Errorf("load token: %w", err)
	}
	return s.revoke(ctx, t.ID)
}

func (s *Service) revoke(ctx context.Context, id forum.ID) error {
	if err := s.Store.RevokeToken(ctx, id, s.now()); err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if s.Revoked != nil {
		s.Revoked(id)
	}
	return nil
}

// Authorizations lists the apps a member has let in, newest first.
func (s *Service) Authorizations(ctx context.Context, memberID forum.ID) ([]Authorization, error) {
	tokens, err := s.Store.MemberTokens(ctx, memberID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	ids := make([]forum.ID, 0, len(tokens))
	for _, t := range tokens {
		ids = append(ids, t.AppID)
	}
	apps, err := s.Store.AppsByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("load apps: %w", err)
	}
	out := make([]Authorization, 0, len(tokens))
	for _, t := range tokens {
		if a := apps[t.AppID]; a != nil {
			out = append(out, Authorization{Token: t, App: a})
		}
	}
	return out, nil
}

// RevokeForMember revokes one of the member's own tokens (the profile
// page's button); another member's token is not found.
func (s *Service) RevokeForMember(ctx context.Context, memberID, tokenID forum.ID) error {
	tokens, err := s.Store.MemberTokens(ctx, memberID)
	if err != nil {
		return fmt.Errorf("list tokens: %w", err)
	}
	for _, t := range tokens {
		if t.ID == tokenID {
			return s.revoke(ctx, t.ID)
		}
	}
	return forum.ErrNotFound
}

// newSecret returns a random secret and its stored hash.
func newSecret() (secret, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("random secret: %w", err)
	}
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret), nil
}

// HashSecret is how codes, tokens and client secrets are stored: a leaked
// database holds none that works.
func HashSecret(s string) string { return forum.HashSecret(s) }

func equalHash(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
