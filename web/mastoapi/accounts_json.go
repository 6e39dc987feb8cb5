package mastoapi

import (
	"html"
	"strings"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// Mastodon writes times with milliseconds, in UTC.
const timeFormat = "2006-01-02T15:04:05.000Z"

func stamp(t time.Time) string { return t.UTC().Format(timeFormat) }

func stampPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := stamp(*t)
	return &s
}

// accountJSON is Mastodon's Account entity.
type accountJSON struct {
	ID             string      `json:"id"`
	Username       string      `json:"username"`
	Acct           string      `json:"acct"`
	DisplayName    string      `json:"display_name"`
	Locked         bool        `json:"locked"`
	Bot            bool        `json:"bot"`
	Discoverable   bool        `json:"discoverable"`
	Group          bool        `json:"group"`
	CreatedAt      string      `json:"created_at"`
	Note           string      `json:"note"`
	URL            string      `json:"url"`
	URI            string      `json:"uri"`
	Avatar         string      `json:"avatar"`
	AvatarStatic   string      `json:"avatar_static"`
	Header         string      `json:"header"`
	HeaderStatic   string      `json:"header_static"`
	FollowersCount int         `json:"followers_count"`
	FollowingCount int         `json:"following_count"`
	StatusesCount  int         `json:"statuses_count"`
	LastStatusAt   *string     `json:"last_status_at"`
	Emojis         []any       `json:"emojis"`
	Fields         []fieldJSON `json:"fields"`
	Source         *sourceJSON `json:"source,omitempty"`
	Role           *roleJSON   `json:"role,omitempty"`
}

type fieldJSON struct {
	Name       string  `json:"name"`
	Value      string  `json:"value"`
	VerifiedAt *string `json:"verified_at"`
}

// sourceJSON is what verify_credentials adds for the member's own account.
type sourceJSON struct {
	Privacy             string      `json:"privacy"`
	Sensitive           bool        `json:"sensitive"`
	Language            string      `json:"language"`
	Note                string      `json:"note"`
	Fields              []fieldJSON `json:"fields"`
	FollowRequestsCount int         `json:"follow_requests_count"`
}

type roleJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Color       string `json:"color"`
	Permissions string `json:"permissions"`
	Highlighted bool   `json:"highlighted"`
}

func (a *API) blankAccount(id, username, acct, name, note, url, uri string, created time.Time) accountJSON {
	avatar := a.cfg.URLs.Abs("/static/avatar.png")
	header := a.cfg.URLs.Abs("/static/header.png")
	return accountJSON{ID: id, Username: username, Acct: acct, DisplayName: name, Discoverable: true,
		CreatedAt: stamp(created), Note: note, URL: url, URI: uri, Avatar: avatar, AvatarStatic: avatar,
		Header: header, HeaderStatic: header, Emojis: []any{}, Fields: []fieldJSON{}}
}

// memberAccount is a member (local or remote) as an account.
func (a *API) memberAccount(m *forum.Member) accountJSON {
	acct, url, uri := m.Username, a.cfg.URLs.Member(m.Username), a.cfg.URLs.Member(m.Username)
	if !m.Local() {
		acct = m.Username + "@" + m.Domain
		url, uri = m.ProfileURL, m.URI
		if url == "" {
			url = m.URI
		}
	}
	name := m.DisplayName
	if name == "" {
		name = m.Username
	}
	var note []string
	if m.Title != "" {
		note = append(note, html.EscapeString(m.Title))
	}
	if m.Organisation != "" {
		note = append(note, html.EscapeString(m.Organisation))
	}
	j := a.blankAccount(m.ID, m.Username, acct, name, "", url, uri, m.CreatedAt)
	if pic := a.memberAvatar(m); pic != "" {
		j.Avatar, j.AvatarStatic = pic, pic
	}
	if len(note) > 0 {
		j.Note = "<p>" + strings.Join(note, " · ") + "</p>"
	}
	if m.Title != "" {
		j.Fields = append(j.Fields, fieldJSON{Name: "Role", Value: html.EscapeString(m.Title)})
	}
	if m.Organisation != "" {
		j.Fields = append(j.Fields, fieldJSON{Name: "Organisation", Value: html.EscapeString(m.Organisation)})
	}
	return j
}

// forumAccount is a forum as a group account: following it brings its
// new questions to the home timeline.
func (a *API) forumAccount(f *forum.Forum, langs ...string) accountJSON {
	text, _ := f.Text(langs...)
	url, uri, acct := a.cfg.URLs.Forum(f.Slug), a.cfg.URLs.Forum(f.Slug), f.Slug
	username := f.Slug
	if !f.Local() {
		url, uri = f.URI, f.URI
		username, _, _ = strings.Cut(f.Slug, "@")
	}
	j := a.blankAccount(f.ID, username, acct, text.Title, "", url, uri, f.CreatedAt)
	if text.Description != "" {
		j.Note = "<p>" + html.EscapeString(text.Description) + "</p>"
	}
	j.Group = true
	j.Locked = f.Policy.ApproveFollows
	return j
}

// threadAccount is a thread's actor: following it brings the thread's
// new answers to the home timeline.
func (a *API) threadAccount(t *forum.Thread) accountJSON {
	handle := uris.ThreadHandle(t.ID)
	j := a.blankAccount(t.ID, handle, handle, t.Title, "", a.cfg.URLs.Thread(t.ID), a.cfg.URLs.ThreadActor(t.ID), t.CreatedAt)
	j.Note = "<p>" + html.EscapeString(t.Title) + "</p>"
	j.Bot = true
	j.StatusesCount = t.ReplyCount + 1
	j.LastStatusAt = stampPtr(&t.LastPostAt)
	return j
}

// memberAvatar is a member's picture: a local member's upload in the media
// store, a remote member's icon on their server; "" leaves the default
// picture (apps show a broken image for an empty avatar).
func (a *API) memberAvatar(m *forum.Member) string {
	if m.Local() && m.Avatar != "" {
		return a.cfg.URLs.Media(m.Avatar)
	}
	if !m.Local() {
		return m.AvatarURL
	}
	return ""
}
