package serve

import (
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"strings"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// Discovery: WebFinger (RFC 7033), host-meta (RFC 6415) and NodeInfo 2.1.

// JRDLink is a link of a WebFinger answer.
type JRDLink struct {
	Rel  string `json:"rel"`
	Type string `json:"type,omitempty"`
	Href string `json:"href,omitempty"`
}

// JRD is a WebFinger answer (RFC 7033): join reads it too.
type JRD struct {
	Subject string    `json:"subject"`
	Aliases []string  `json:"aliases,omitempty"`
	Links   []JRDLink `json:"links"`
}

// webfinger answers acct:name@host (or an actor URL) for members, forums and
// the instance actor (acct:host@host). Members and forums share one
// namespace, so a name is never both.
func (s *Server) webfinger(w http.ResponseWriter, r *http.Request) {
	resource := r.URL.Query().Get("resource")
	name, ok := s.acctName(resource)
	if !ok {
		http.Error(w, "resource must be acct:name@"+s.urls.Host()+" or one of its actor URLs", http.StatusBadRequest)
		return
	}
	var actor, page string
	switch {
	case s.urls.IsInstanceName(name):
		actor, page = s.urls.InstanceActor(), s.urls.Base()+uris.HomePath()
		name = s.urls.InstanceUsername()
	case strings.HasPrefix(name, uris.ThreadHandlePrefix):
		if t, err := LocalThread(r.Context(), s.cfg.Forum, strings.TrimPrefix(name, uris.ThreadHandlePrefix)); err == nil {
			actor, page = s.urls.ThreadActor(t.ID), s.urls.Thread(t.ID)
		} else if errors.Is(err, forum.ErrUnavailable) {
			ServerError(s.cfg.Log, w, "webfinger "+resource, err)
			return
		}
	default:
		// Only "not found" moves on to the next kind of account: an
		// unreachable database is not an unknown account.
		m, err := s.cfg.Forum.MemberByUsername(r.Context(), name)
		var fo *forum.Forum
		if errors.Is(err, forum.ErrNotFound) {
			fo, err = LocalForum(r.Context(), s.cfg.Forum, name)
		}
		switch {
		case m != nil && err == nil:
			actor, page = s.urls.Member(m.Username), s.urls.Member(m.Username)
			name = m.Username
		case fo != nil && err == nil:
			actor, page = s.urls.Forum(fo.Slug), s.urls.Forum(fo.Slug)
			name = fo.Slug
		case err != nil && !errors.Is(err, forum.ErrNotFound):
			ServerError(s.cfg.Log, w, "webfinger "+resource, err)
			return
		}
	}
	if actor == "" {
		http.Error(w, "no such account", http.StatusNotFound)
		return
	}
	doc := JRD{
		Subject: "acct:" + name + "@" + s.urls.Host(),
		Aliases: []string{actor},
		Links: []JRDLink{
			{Rel: "self", Type: ap.ContentType, Href: actor},
			{Rel: "http://webfinger.net/rel/profile-page", Type: "text/html", Href: page},
		},
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writePlainJSON(w, "application/jrd+json", doc)
}

// acctName takes the local name out of a WebFinger resource: acct:name@host
// (a leading @ tolerated) or the URL of one of our actors.
func (s *Server) acctName(resource string) (string, bool) {
	if rest, ok := strings.CutPrefix(resource, "acct:"); ok {
		rest = strings.TrimPrefix(rest, "@")
		i := strings.LastIndex(rest, "@")
		if i <= 0 || !strings.EqualFold(rest[i+1:], s.urls.Host()) {
			return "", false
		}
		return strings.ToLower(rest[:i]), true
	}
	switch kind, key := s.urls.Parse(resource); kind {
	case uris.KindInstance:
		return s.urls.InstanceUsername(), true
	case uris.KindMember, uris.KindForum:
		return key, true
	case uris.KindThreadActor:
		return uris.ThreadHandle(key), true
	}
	return "", false
}

func (s *Server) hostMeta(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/xrd+xml; charset=utf-8")
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>
<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">
  <Link rel="lrdd" template="` + html.EscapeString(s.urls.WebFingerTemplate()) + `"/>
</XRD>
`))
}

func (s *Server) nodeinfoLinks(w http.ResponseWriter, _ *http.Request) {
	writePlainJSON(w, "application/json", map[string]any{"links": []JRDLink{{
		Rel:  "http://nodeinfo.diaspora.software/ns/schema/2.1",
		Href: s.urls.NodeInfo(),
	}}})
}

// nodeinfo reports the software truthfully: members join by invitation,
// so registrations are closed.
func (s *Server) nodeinfo(w http.ResponseWriter, r *http.Request) {
	users, err := s.cfg.Forum.CountMembers(r.Context())
	if err != nil {
		ServerError(s.cfg.Log, w, "nodeinfo", err)
		return
	}
	posts, err := s.cfg.Forum.CountLocalPosts(r.Context())
	if err != nil {
		ServerError(s.cfg.Log, w, "nodeinfo", err)
		return
	}
	writePlainJSON(w, `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"`, map[string]any{
		"version": "2.1",
		"software": map[string]any{
			"name": s.cfg.Software.Name, "version": s.cfg.Software.Version,
			"homepage": "https://github.com/metropolis/agora",
		},
		"protocols":         []string{"activitypub"},
		"services":          map[string]any{"inbound": []string{}, "outbound": []string{}},
		"openRegistrations": false,
		"usage":             map[string]any{"users": map[string]any{"total": users}, "localPosts": posts},
		"metadata":          map[string]any{"nodeName": s.urls.Host()},
	})
}

func writePlainJSON(w http.ResponseWriter, contentType string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(body)
}
