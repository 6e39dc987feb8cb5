package mastoapi

import (
	"net/http"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/media"
)

func (a *API) version() string {
	v := a.cfg.Version
	if v == "" {
		v = "dev"
	}
	return MastodonVersion + " (compatible; agora " + v + ")"
}

// configuration is what apps read to size their compose box.
func (a *API) configuration() map[string]any {
	// Images as the web forms take them (package media's limits); none
	// on a node without a media store.
	maxMedia, types, imageBytes, pixels := 0, []string{}, int64(0), 0
	if a.mediaEnabled() {
		maxMedia, types = forum.MaxImages, media.Accepted()
		imageBytes, pixels = media.DefaultLimits.MaxBytes, media.DefaultLimits.MaxPixels
	}
	return map[string]any{
		"urls":     map[string]any{"streaming": streamingBase(a.cfg.URLs.Base())},
		"accounts": map[string]any{"max_featured_tags": 0, "max_pinned_statuses": 0},
		"statuses": map[string]any{"max_characters": forum.MaxBodyLen, "max_media_attachments": maxMedia,
			"characters_reserved_per_url": 23},
		"media_attachments": map[string]any{"supported_mime_types": types, "image_size_limit": imageBytes,
			"image_matrix_limit": pixels, "description_limit": forum.MaxAltLen, "video_size_limit": 0,
			"video_frame_rate_limit": 0, "video_matrix_limit": 0},
		"polls":       map[string]any{"max_options": 0, "max_characters_per_option": 0, "min_expiration": 0, "max_expiration": 0},
		"translation": map[string]any{"enabled": false},
		"vapid":       map[string]any{"public_key": ""},
	}
}

// streamingBase is the WebSocket origin of the node (ws:// or wss://).
func streamingBase(base string) string {
	if len(base) > 5 && base[:5] == "https" {
		return "wss" + base[5:]
	}
	return "ws" + base[4:]
}

func (a *API) languages() []string {
	return []string{"en", "es", "fr", "pt", "ar"}
}

// instanceV1 is GET /api/v1/instance.
func (a *API) instanceV1(w http.ResponseWriter, r *http.Request, c *call) error {
	members, err := a.cfg.Forum.CountMembers(r.Context())
	if err != nil {
		return err
	}
	posts, err := a.cfg.Forum.CountLocalPosts(r.Context())
	if err != nil {
		return err
	}
	host := a.cfg.URLs.Host()
	conf := a.configuration()
	delete(conf, "urls") // v1 has them at the top
	return ok(w, map[string]any{
		"uri": host, "title": host, "short_description": "A federated forum for cities (agora)",
		"description": "A federated forum for cities (agora)", "email": "", "version": a.version(),
		"urls": map[string]string{"streaming_api": streamingBase(a.cfg.URLs.Base())}, "stats": map[string]int{"user_count": members, "status_count": posts, "domain_count": 0},
		"thumbnail": a.cfg.URLs.Abs("/static/header.png"), "languages": a.languages(),
		"registrations": false, "approval_required": true, "invites_enabled": true,
		"configuration": conf, "contact_account": nil, "rules": []any{},
	})
}

// instanceV2 is GET /api/v2/instance.
func (a *API) instanceV2(w http.ResponseWriter, r *http.Request, c *call) error {
	members, err := a.cfg.Forum.CountMembers(r.Context())
	if err != nil {
		return err
	}
	host := a.cfg.URLs.Host()
	return ok(w, map[string]any{
		"domain": host, "title": host, "version": a.version(), "source_url": "https://github.com/metropolis/agora",
		"description": "A federated forum for cities (agora)",
		"usage":       map[string]any{"users": map[string]int{"active_month": members}},
		"thumbnail":   map[string]any{"url": a.cfg.URLs.Abs("/static/header.png")},
		"languages":   a.languages(), "configuration": a.configuration(),
		"registrations": map[string]any{"enabled": false, "approval_required": true, "message": nil},
		"contact":       map[string]any{"email": "", "account": nil},
		"rules":         []any{},
	})
}

// emptyList answers endpoints agora has nothing for (custom emojis,
// filters, lists…): an empty list rather than a 404 that apps treat as
// a broken server.
func (a *API) emptyList(w http.ResponseWriter, r *http.Request, c *call) error { return ok(w, []any{}) }

// preferences is GET /api/v1/preferences.
func (a *API) preferences(w http.ResponseWriter, r *http.Request, c *call) error {
	return ok(w, map[string]any{
		"posting:default:visibility": "public", "posting:default:sensitive": false,
		"posting:default:language": a.memberLanguage(c.member), "reading:expand:media": "default",
		"reading:expand:spoilers": false,
	})
}

// memberLanguage is the language a member's statuses take when the app
// names none.
func (a *API) memberLanguage(m *forum.Member) string {
	if m != nil && len(m.Languages) > 0 {
		return m.Languages[0]
	}
	if m != nil && m.UILanguage != "" {
		return m.UILanguage
	}
	return a.cfg.DefaultLanguage
}

// verifyCredentials is GET /api/v1/accounts/verify_credentials.
func (a *API) verifyCredentials(w http.ResponseWriter, r *http.Request, c *call) error {
	j, err := a.accountWithCounts(r, c.member)
	if err != nil {
		return err
	}
	j.Source = &sourceJSON{Privacy: "public", Language: a.memberLanguage(c.member), Fields: j.Fields}
	if c.member.Role.AtLeast(forum.RoleModerator) {
		j.Role = &roleJSON{ID: string(c.member.Role), Name: string(c.member.Role), Permissions: "0"}
	}
	return ok(w, j)
}
