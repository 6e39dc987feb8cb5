package oauth_test

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/oauth"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
)

// server is an OAuth service on every test backend's store, with the
// rig's clock.
func eachServer(t *testing.T, fn func(t *testing.T, s *oauth.Service, clock *testrig.Clock)) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			clock := testrig.NewClock()
			fn(t, &oauth.Service{Store: b.Open(t).Store(), IDs: testrig.IDs(clock), Now: clock.Now}, clock)
		})
	}
}

var member = &forum.Member{ID: "01kbm0aaaaaaaaaaaaaaaaaaaa", Username: "marta"}

func challengeOf(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

const verifier = "a-verifier-of-forty-three-characters-or-more.~_"

func register(t *testing.T, s *oauth.Service, scopes string, uris ...string) (*oauth.App, string) {
	t.Helper()
	app, secret, err := s.RegisterApp(t.Context(), oauth.NewApp{Name: "Tusky", RedirectURIs: uris, Scopes: scopes})
	if err != nil {
		t.Fatal(err)
	}
	return app, secret
}

func code(t *testing.T, s *oauth.Service, app *oauth.App, req oauth.AuthRequest) string {
	t.Helper()
	req.ClientID, req.ResponseType = app.ClientID, "code"
	c, err := s.Check(t.Context(), req)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	code, err := s.Grant(t.Context(), member, c, req.CodeChallenge)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func errCode(err error) string {
	if e := oauth.AsError(err); e != nil {
		return e.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func TestCodeFlow(t *testing.T) {
	eachServer(t, func(t *testing.T, s *oauth.Service, clock *testrig.Clock) {
		ctx := t.Context()
		app, secret := register(t, s, "read write:statuses", "https://app.example/cb", oauth.OOB)
		if app.SecretHash == secret || strings.Contains(app.SecretHash, secret) {
			t.Fatal("secret stored in clear")
		}
		pkce := oauth.AuthRequest{RedirectURI: "https://app.example/cb", Scope: "read:statuses write:statuses", CodeChallenge: challengeOf(verifier), CodeChallengeMethod: "S256"}
		tests := []struct {
			name string
			req  oauth.AuthRequest
			tok  oauth.TokenRequest
			want string // OAuth error code, "" for a token
		}{
			{"public client with PKCE", pkce, oauth.TokenRequest{RedirectURI: "https://app.example/cb", CodeVerifier: verifier}, ""},
			{"PKCE mismatch", pkce, oauth.TokenRequest{RedirectURI: "https://app.example/cb", CodeVerifier: strings.Repeat("b", 43)}, "invalid_grant"},
			{"PKCE verifier missing", pkce, oauth.TokenRequest{ClientSecret: secret, RedirectURI: "https://app.example/cb"}, "invalid_grant"},
			{"public client without PKCE", oauth.AuthRequest{RedirectURI: oauth.OOB}, oauth.TokenRequest{RedirectURI: oauth.OOB}, "invalid_grant"},
			{"confidential client without PKCE", oauth.AuthRequest{RedirectURI: oauth.OOB}, oauth.TokenRequest{ClientSecret: secret, RedirectURI: oauth.OOB}, ""},
			{"wrong secret", oauth.AuthRequest{RedirectURI: oauth.OOB}, oauth.TokenRequest{ClientSecret: "nope", RedirectURI: oauth.OOB}, "invalid_client"},
			{"another redirect URI at the token endpoint", pkce, oauth.TokenRequest{RedirectURI: oauth.OOB, CodeVerifier: verifier}, "invalid_grant"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := code(t, s, app, tt.req)
				tt.tok.GrantType, tt.tok.ClientID, tt.tok.Code = "authorization_code", app.ClientID, c
				got, err := s.Exchange(ctx, tt.tok)
				if errCode(err) != tt.want {
					t.Fatalf("exchange: %v, want %q", err, tt.want)
				}
				if tt.want != "" {
					return
				}
				tok, err := s.Authenticate(ctx, got.Access)
				if err != nil || tok.MemberID != member.ID {
					t.Fatalf("authenticate: %+v %v", tok, err)
				}
				// A code works once.
				if _, err := s.Exchange(ctx, tt.tok); errCode(err) != "invalid_grant" {
					t.Fatalf("second exchange: %v", err)
				}
			})
		}
		t.Run("expired code", func(t *testing.T) {
			c := code(t, s, app, oauth.AuthRequest{RedirectURI: oauth.OOB})
			clock.Advance(oauth.CodeLifetime + time.Second)
			_, err := s.Exchange(ctx, oauth.TokenRequest{GrantType: "authorization_code", ClientID: app.ClientID, ClientSecret: secret, Code: c, RedirectURI: oauth.OOB})
			if errCode(err) != "invalid_grant" {
				t.Fatalf("expired: %v", err)
			}
		})
	})
}

func TestCheckRefusals(t *testing.T) {
	eachServer(t, func(t *testing.T, s *oauth.Service, _ *testrig.Clock) {
		app, _ := register(t, s, "read", "https://app.example/cb")
		base := oauth.AuthRequest{ResponseType: "code", ClientID: app.ClientID, RedirectURI: "https://app.example/cb"}
		tests := []struct {
			name   string
			change func(*oauth.AuthRequest)
			want   error
			code   string
		}{
			{"unknown client", func(r *oauth.AuthRequest) { r.ClientID = "nope" }, oauth.ErrBadClient, ""},
			{"redirect URI with a suffix", func(r *oauth.AuthRequest) { r.RedirectURI += "/evil" }, oauth.ErrBadRedirect, ""},
			{"redirect URI with a query", func(r *oauth.AuthRequest) { r.RedirectURI += "?x=1" }, oauth.ErrBadRedirect, ""},
			{"redirect URI case changed", func(r *oauth.AuthRequest) { r.RedirectURI = "https://APP.example/cb" }, oauth.ErrBadRedirect, ""},
			{"out of band not registered", func(r *oauth.AuthRequest) { r.RedirectURI = oauth.OOB }, oauth.ErrBadRedirect, ""},
			{"more scopes than registered", func(r *oauth.AuthRequest) { r.Scope = "read write" }, nil, "invalid_scope"},
			{"unknown scope", func(r *oauth.AuthRequest) { r.Scope = "read:everything" }, nil, "invalid_scope"},
			{"plain PKCE", func(r *oauth.AuthRequest) { r.CodeChallenge, r.CodeChallengeMethod = verifier, "plain" }, nil, "invalid_request"},
			{"token response", func(r *oauth.AuthRequest) { r.ResponseType = "token" }, nil, "unsupported_response_type"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := base
				tt.change(&r)
				_, err := s.Check(t.Context(), r)
				if tt.want != nil && !errors.Is(err, tt.want) {
					t.Fatalf("got %v, want %v", err, tt.want)
				}
				if tt.code != "" && errCode(err) != tt.code {
					t.Fatalf("got %v, want %s", err, tt.code)
				}
			})
		}
		if c, err := s.Check(t.Context(), base); err != nil || c.Scopes.String() != "read" {
			t.Fatalf("valid request: %+v %v", c, err)
		}
	})
}

func TestRevoke(t *testing.T) {
	eachServer(t, func(t *testing.T, s *oauth.Service, _ *testrig.Clock) {
		ctx := t.Context()
		var revoked []forum.ID
		s.Revoked = func(id forum.ID) { revoked = append(revoked, id) }
		app, secret := register(t, s, "read", oauth.OOB)
		other, otherSecret := register(t, s, "read", oauth.OOB)
		issue := func() *oauth.Issued {
			c := code(t, s, app, oauth.AuthRequest{RedirectURI: oauth.OOB})
			got, err := s.Exchange(ctx, oauth.TokenRequest{GrantType: "authorization_code", ClientID: app.ClientID, ClientSecret: secret, Code: c})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		a, b := issue(), issue()
		// Another app cannot revoke it (and is told nothing).
		if err := s.Revoke(ctx, other.ClientID, otherSecret, a.Access); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, a.Access); err != nil {
			t.Fatalf("revoked by another app: %v", err)
		}
		if err := s.Revoke(ctx, app.ClientID, "wrong", a.Access); errCode(err) != "invalid_client" {
			t.Fatalf("revoke with a wrong secret: %v", err)
		}
		if err := s.Revoke(ctx, app.ClientID, secret, a.Access); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, a.Access); !errors.Is(err, oauth.ErrRevoked) {
			t.Fatalf("revoked token: %v", err)
		}
		auths, err := s.Authorizations(ctx, member.ID)
		if err != nil || len(auths) != 1 || auths[0].Token.ID != b.Token.ID || auths[0].App.Name != "Tusky" {
			t.Fatalf("authorizations: %+v %v", auths, err)
		}
		if err := s.RevokeForMember(ctx, "01kbm0bbbbbbbbbbbbbbbbbbbb", b.Token.ID); !errors.Is(err, forum.ErrNotFound) {
			t.Fatalf("another member revoked it: %v", err)
		}
		if err := s.RevokeForMember(ctx, member.ID, b.Token.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, b.Access); !errors.Is(err, oauth.ErrRevoked) {
			t.Fatalf("revoked from the profile: %v", err)
		}
		if len(revoked) != 2 || revoked[0] != a.Token.ID || revoked[1] != b.Token.ID {
			t.Fatalf("told of %v", revoked)
		}
	})
}

func TestClientCredentials(t *testing.T) {
	eachServer(t, func(t *testing.T, s *oauth.Service, _ *testrig.Clock) {
		app, secret := register(t, s, "read write", oauth.OOB)
		got, err := s.Exchange(t.Context(), oauth.TokenRequest{GrantType: "client_credentials", ClientID: app.ClientID, ClientSecret: secret, Scope: "read"})
		if err != nil || got.Token.MemberID != "" || got.Token.Scopes.String() != "read" {
			t.Fatalf("client credentials: %+v %v", got, err)
		}
		if _, err := s.Exchange(t.Context(), oauth.TokenRequest{GrantType: "client_credentials", ClientID: app.ClientID, ClientSecret: secret, Scope: "push"}); errCode(err) != "invalid_scope" {
			t.Fatalf("scope beyond the app: %v", err)
		}
		if _, err := s.Exchange(t.Context(), oauth.TokenRequest{GrantType: "client_credentials", ClientID: app.ClientID}); errCode(err) != "invalid_client" {
			t.Fatalf("without a secret: %v", err)
		}
		if _, err := s.Exchange(t.Context(), oauth.TokenRequest{GrantType: "password", ClientID: app.ClientID, ClientSecret: secret}); errCode(err) != "unsupported_grant_type" {
			t.Fatalf("password grant: %v", err)
		}
	})
}

func TestScopes(t *testing.T) {
	tests := []struct {
		granted string
		need    oauth.Scope
		want    bool
	}{
		{"read", "read:statuses", true},
		{"read:statuses", "read:statuses", true},
		{"read:statuses", "read:notifications", false},
		{"read:statuses", "read", false},
		{"write", "read:statuses", false},
		{"follow", "write:follows", true},
		{"follow", "write:statuses", false},
		{"write:favourites", "write:bookmarks", false},
	}
	for _, tt := range tests {
		sc, ok := oauth.ParseScopes(tt.granted)
		if !ok {
			t.Fatalf("parse %q", tt.granted)
		}
		if got := sc.Allows(tt.need); got != tt.want {
			t.Errorf("%q allows %q = %v, want %v", tt.granted, tt.need, got, tt.want)
		}
	}
	if _, ok := oauth.ParseScopes("read admin:read"); ok {
		t.Error("admin scope accepted")
	}
}
