package mastoapi

import (
	"net/http"
	"net/url"

	"github.com/metropolis/agora/oauth"
)

// appJSON is Mastodon's Application entity (with credentials when just
// registered).
type appJSON struct {
	ID           string   `json:"id,omitempty"`
	Name         string   `json:"name"`
	Website      *string  `json:"website"`
	RedirectURI  string   `json:"redirect_uri,omitempty"`
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	Scopes       []string `json:"scopes,omitempty"`
	ClientID     string   `json:"client_id,omitempty"`
	ClientSecret string   `json:"client_secret,omitempty"`
	VapidKey     string   `json:"vapid_key,omitempty"`
}

func appOf(app *oauth.App) appJSON {
	j := appJSON{ID: app.ID, Name: app.Name, RedirectURIs: app.RedirectURIs}
	if app.Website != "" {
		j.Website = &app.Website
	}
	for i, u := range app.RedirectURIs {
		if i > 0 {
			j.RedirectURI += "\n"
		}
		j.RedirectURI += u
	}
	for _, s := range app.Scopes {
		j.Scopes = append(j.Scopes, string(s))
	}
	return j
}

// createApp is POST /api/v1/apps.
func (a *API) createApp(w http.ResponseWriter, r *http.Request, c *call) error {
	app, secret, err := a.cfg.OAuth.RegisterApp(r.Context(), oauth.NewApp{Name: c.params.get("client_name"),
		Website: c.params.get("website"), RedirectURIs: c.params.all("redirect_uris"), Scopes: c.params.get("scopes")})
	if oe := oauth.AsError(err); oe != nil {
		return validation(oe.Description)
	} else if err != nil {
		return err
	}
	j := appOf(app)
	j.ClientID, j.ClientSecret = app.ClientID, secret
	return ok(w, j)
}

// verifyApp is GET /api/v1/apps/verify_credentials.
func (a *API) verifyApp(w http.ResponseWriter, r *http.Request, c *call) error {
	apps, err := a.cfg.OAuth.Apps(r.Context(), []string{c.token.AppID})
	if err != nil {
		return err
	}
	app := apps[c.token.AppID]
	if app == nil {
		return oauth.ErrRevoked
	}
	j := appOf(app)
	j.ID, j.RedirectURI, j.RedirectURIs = "", "", nil
	return ok(w, j)
}

// clientAuth reads the client's credentials from HTTP Basic or the body
// (RFC 6749 §2.3.1 allows both; Mastodon apps use the body).
func clientAuth(r *http.Request, p params) (id, secret string) {
	if u, s, ok := r.BasicAuth(); ok {
		id, _ = url.QueryUnescape(u)
		secret, _ = url.QueryUnescape(s)
		return id, secret
	}
	return p.get("client_id"), p.get("client_secret")
}

// token is POST /oauth/token.
func (a *API) token(w http.ResponseWriter, r *http.Request, c *call) error {
	id, secret := clientAuth(r, c.params)
	got, err := a.cfg.OAuth.Exchange(r.Context(), oauth.TokenRequest{GrantType: c.params.get("grant_type"),
		ClientID: id, ClientSecret: secret, Code: c.params.get("code"), RedirectURI: c.params.get("redirect_uri"),
		CodeVerifier: c.params.get("code_verifier"), Scope: c.params.get("scope")})
	if err != nil {
		return err
	}
	w.Header().Set("Pragma", "no-cache")
	return ok(w, map[string]any{"access_token": got.Access, "token_type": "Bearer",
		"scope": got.Token.Scopes.String(), "created_at": got.Token.CreatedAt.Unix()})
}

// revoke is POST /oauth/revoke (RFC 7009): 200 with {} whether or not
// the token existed.
func (a *API) revoke(w http.ResponseWriter, r *http.Request, c *call) error {
	id, secret := clientAuth(r, c.params)
	if err := a.cfg.OAuth.Revoke(r.Context(), id, secret, c.params.get("token")); err != nil {
		return err
	}
	return ok(w, map[string]any{})
}

// discovery is /.well-known/oauth-authorization-server (RFC 8414), which
// Mastodon 4.3 serves and apps read to find PKCE and the OOB URI.
func (a *API) discovery(w http.ResponseWriter, r *http.Request, c *call) error {
	u := a.cfg.URLs
	var scopes []string
	for _, s := range []oauth.Scope{oauth.ScopeRead, oauth.ScopeWrite, oauth.ScopeFollow, oauth.ScopePush, oauth.ScopeProfile} {
		scopes = append(scopes, string(s))
	}
	scopes = append(scopes, oauth.GranularScopes()...)
	return ok(w, map[string]any{
		"issuer":                                u.Base() + "/",
		"service_documentation":                 "https://docs.joinmastodon.org/",
		"authorization_endpoint":                u.Abs("/oauth/authorize"),
		"token_endpoint":                        u.Abs("/oauth/token"),
		"revocation_endpoint":                   u.Abs("/oauth/revoke"),
		"app_registration_endpoint":             u.Abs("/api/v1/apps"),
		"scopes_supported":                      scopes,
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code", "client_credentials"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
	})
}
