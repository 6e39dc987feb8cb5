package federation

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// Discovery: WebFinger (RFC 7033), host-meta (RFC 6415) and NodeInfo 2.1.

type jrdLink struct {
	Rel  string `json:"rel"`
	Type string `json:"type,omitempty"`
	Href string `json:"href,omitempty"`
}

type jrd struct {
	Subject string    `json:"subject"`
	Aliases []string  `json:"aliases,omitempty"`
	Links   []jrdLink `json:"links"`
}

// webfinger answers acct:name@host (or an actor URL) for members, forums and
// the instance actor (acct:host@host). Members and forums share one
// namespace, so a name is never both.
func (f *Federation) webfinger(w http.ResponseWriter, r *http.Request) {
	resource := r.URL.Query().Get("resource")
	name, ok := f.acctName(resource)
	if !ok {
		http.Error(w, "resource must be acct:name@"+f.urls.Host()+" or one of its actor URLs", http.StatusBadRequest)
		return
	}
	var actor, page string
	switch {
	case f.isInstanceName(name):
		actor, page = f.urls.InstanceActor(), f.urls.Base()+uris.HomePath()
		name = f.instanceUsername()
	case strings.HasPrefix(name, uris.ThreadHandlePrefix):
		if t, err := f.localThread(r.Context(), strings.TrimPrefix(name, uris.ThreadHandlePrefix)); err == nil {
			actor, page = f.urls.ThreadActor(t.ID), f.urls.Thread(t.ID)
		} else if errors.Is(err, forum.ErrUnavailable) {
			f.serverError(w, "webfinger "+resource, err)
			return
		}
	default:
		// Only "not found" moves on to the next kind of account: an
		// unreachable database is not an unknown account.
		m, err := f.svc.MemberByUsername(r.Context(), name)
		var fo *forum.Forum
		if errors.Is(err, forum.ErrNotFound) {
			fo, err = f.localForum(r.Context(), name)
		}
		switch {
		case m != nil && err == nil:
			actor, page = f.urls.Member(m.Username), f.urls.Member(m.Username)
			name = m.Username
		case fo != nil && err == nil:
			actor, page = f.urls.Forum(fo.Slug), f.urls.Forum(fo.Slug)
			name = fo.Slug
		case err != nil && !errors.Is(err, forum.ErrNotFound):
			f.serverError(w, "webfinger "+resource, err)
			return
		}
	}
	if actor == "" {
		http.Error(w, "no such account", http.StatusNotFound)
		return
	}
	doc := jrd{
		Subject: "acct:" + name + "@" + f.urls.Host(),
		Aliases: []string{actor},
		Links: []jrdLink{
			{Rel: "self", Type: ContentType, Href: actor},
			{Rel: "http://webfinger.net/rel/profile-page", Type: "text/html", Href: page},
		},
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writePlainJSON(w, "application/jrd+json", doc)
}

// acctName takes the local name out of a WebFinger resource: acct:name@host
// (a leading @ tolerated) or the URL of one of our actors.
func (f *Federation) acctName(resource string) (string, bool) {
	if rest, ok := strings.CutPrefix(resource, "acct:"); ok {
		rest = strings.TrimPrefix(rest, "@")
		i := strings.LastIndex(rest, "@")
		if i <= 0 || !strings.EqualFold(rest[i+1:], f.urls.Host()) {
			return "", false
		}
		return strings.ToLower(rest[:i]), true
	}
	switch kind, key := f.urls.Parse(resource); kind {
	case uris.KindInstance:
		return f.instanceUsername(), true
	case uris.KindMember, uris.KindForum:
		return key, true
	case uris.KindThreadActor:
		return uris.ThreadHandle(key), true
	}
	return "", false
}

func (f *Federation) hostMeta(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/xrd+xml; charset=utf-8")
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>
<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">
  <Link rel="lrdd" template="` + f.urls.Base() + `/.well-known/webfinger?resource={uri}"/>
</XRD>
`))
}

func (f *Federation) nodeinfoLinks(w http.ResponseWriter, _ *http.Request) {
	writePlainJSON(w, "application/json", map[string]any{"links": []jrdLink{{
		Rel:  "http://nodeinfo.diaspora.software/ns/schema/2.1",
		Href: f.urls.Base() + "/nodeinfo/2.1",
	}}})
}

// nodeinfo reports the software truthfully: members join by invitation,
// so registrations are closed.
func (f *Federation) nodeinfo(w http.ResponseWriter, r *http.Request) {
	users, err := f.svc.CountMembers(r.Context())
	if err != nil {
		f.serverError(w, "nodeinfo", err)
		return
	}
	posts, err := f.svc.CountLocalPosts(r.Context())
	if err != nil {
		f.serverError(w, "nodeinfo", err)
		return
	}
	writePlainJSON(w, `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"`, map[string]any{
		"version": "2.1",
		"software": map[string]any{
			"name": f.cfg.Software.Name, "version": f.cfg.Software.Version,
			"homepage": "https://github.com/metropolis/agora",
		},
		"protocols":         []string{"activitypub"},
		"services":          map[string]any{"inbound": []string{}, "outbound": []string{}},
		"openRegistrations": false,
		"usage":             map[string]any{"users": map[string]any{"total": users}, "localPosts": posts},
		"metadata":          map[string]any{"nodeName": f.urls.Host()},
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
