package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply"
	"github.com/metropolis/agora/federation/apply/content"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// A member pastes a link or a handle into search, as on Mastodon: a post's
// or thread's URL, a forum's or a person's handle (@name@host) or URL. What
// this node already holds is found at once; anything else is fetched from
// its origin with the fetcher's rules (SSRF guard, size and time limits,
// the block list, the id checked against the URL) and stored by the
// received side's rules, so it can be opened here.

// Lookup errors.
var (
	// ErrNotLink: the text is neither an http(s) URL nor a handle.
	ErrNotLink = errors.New("not a link or a handle")
	// ErrLookupUnknown: this node does not hold what the link names, and
	// the caller did not allow a fetch (visitors never fetch).
	ErrLookupUnknown = errors.New("not known here")
	// ErrLookupRefused: the link names something this node will not show
	// (not public, of a blocked instance, in no forum, not a post or an
	// actor, or gone at its origin).
	ErrLookupRefused = errors.New("cannot be shown here")
)

// Found is what a link or handle named, as this node holds it: a post (and
// its thread), a forum, or a member.
type Found struct {
	Post   *forum.Post
	Thread *forum.Thread
	Forum  *forum.Forum
	Member *forum.Member
}

// LinkTarget reads text as a link or a handle: an http(s) URL with a
// host, or @name@host (also name@host, acct:name@host). ok is false for
// anything else (ordinary search words).
func LinkTarget(text string) (target string, isURL, ok bool) {
	text = strings.TrimSpace(text)
	if strings.ContainsAny(text, " \t\r\n") || len(text) > 2048 {
		return "", false, false
	}
	if strings.HasPrefix(text, "http://") || strings.HasPrefix(text, "https://") {
		u, err := url.Parse(text)
		if err != nil || u.Host == "" || u.User != nil {
			return "", false, false
		}
		return text, true, true
	}
	acct := strings.TrimPrefix(strings.TrimPrefix(text, "acct:"), "@")
	name, host, found := strings.Cut(acct, "@")
	if !found || name == "" || host == "" || strings.ContainsAny(host, "@/?#") || !strings.Contains(host, ".") && !strings.Contains(host, ":") {
		return "", false, false
	}
	return "@" + name + "@" + host, false, true
}

// Lookup finds what text (a link or a handle) names. With fetch false
// only what this node holds is found (ErrLookupUnknown otherwise).
func (f *Federation) Lookup(ctx context.Context, text string, fetch bool) (*Found, error) {
	target, isURL, ok := LinkTarget(text)
	if !ok {
		return nil, ErrNotLink
	}
	if !isURL {
		return f.lookupHandle(ctx, target, fetch)
	}
	if f.urls.IsLocal(target) {
		return f.lookupLocal(ctx, target)
	}
	if found, err := f.lookupKnown(ctx, target); err == nil {
		return found, nil
	} else if !errors.Is(err, forum.ErrNotFound) {
		return nil, err
	}
	if !fetch {
		return nil, ErrLookupUnknown
	}
	if blocked, err := f.blocked(ctx, target); err != nil {
		return nil, fmt.Errorf("block list: %w", err)
	} else if blocked {
		return nil, fmt.Errorf("%w: %s is on a blocked instance", ErrLookupRefused, target)
	}
	return f.lookupFetch(ctx, target)
}

// lookupHandle finds a forum or a person by handle: ours by name, others
// by WebFinger.
func (f *Federation) lookupHandle(ctx context.Context, handle string, fetch bool) (*Found, error) {
	name, host, _ := strings.Cut(strings.TrimPrefix(handle, "@"), "@")
	if strings.EqualFold(host, f.urls.Host()) {
		if m, err := f.svc.MemberByUsername(ctx, name); err == nil {
			return &Found{Member: m}, nil
		}
		if fo, err := f.svc.ForumBySlug(ctx, name); err == nil {
			return &Found{Forum: fo}, nil
		}
		return nil, fmt.Errorf("%w: %s", forum.ErrNotFound, handle)
	}
	if !fetch {
		return nil, ErrLookupUnknown
	}
	if blocked, err := f.blocked(ctx, "https://"+host+"/"); err != nil {
		return nil, fmt.Errorf("block list: %w", err)
	} else if blocked {
		return nil, fmt.Errorf("%w: %s is on a blocked instance", ErrLookupRefused, handle)
	}
	uri, err := f.resolveTarget(ctx, handle)
	if err != nil {
		return nil, err
	}
	if found, err := f.lookupKnown(ctx, uri); err == nil {
		return found, nil
	}
	return f.lookupActor(ctx, uri)
}

// lookupLocal finds what one of this node's URLs names.
func (f *Federation) lookupLocal(ctx context.Context, raw string) (*Found, error) {
	kind, key := f.urls.Parse(raw)
	switch kind {
	case uris.KindMember:
		m, err := f.svc.MemberByUsername(ctx, key)
		return &Found{Member: m}, err
	case uris.KindForum:
		fo, err := f.svc.ForumBySlug(ctx, key)
		return &Found{Forum: fo}, err
	case uris.KindThread, uris.KindPost:
		p, err := f.applier.FindPost(ctx, raw)
		if err != nil {
			return nil, err
		}
		return f.foundPost(ctx, p)
	}
	return nil, fmt.Errorf("%w: %s", forum.ErrNotFound, raw)
}

// lookupKnown finds what a remote id names among what this node holds.
func (f *Federation) lookupKnown(ctx context.Context, uri string) (*Found, error) {
	if p, err := f.svc.PostByURI(ctx, uri); err == nil {
		return f.foundPost(ctx, p)
	} else if !errors.Is(err, forum.ErrNotFound) {
		return nil, err
	}
	if fo, err := f.svc.ForumByURI(ctx, uri); err == nil {
		return &Found{Forum: fo}, nil
	} else if !errors.Is(err, forum.ErrNotFound) {
		return nil, err
	}
	m, err := f.svc.MemberByURI(ctx, uri)
	if err != nil {
		return nil, err
	}
	return &Found{Member: m}, nil
}

func (f *Federation) foundPost(ctx context.Context, p *forum.Post) (*Found, error) {
	if p.DeletedAt != nil {
		return nil, fmt.Errorf("%w: deleted", ErrLookupRefused)
	}
	_, t, err := f.svc.PostInThread(ctx, p.ID)
	if errors.Is(err, forum.ErrGone) {
		return nil, fmt.Errorf("%w: its thread was deleted", ErrLookupRefused)
	} else if err != nil {
		return nil, err
	}
	return &Found{Post: p, Thread: t}, nil
}

// lookupFetch fetches a remote URL: a post is stored (with its missing
// ancestors, and its forum's mirror), an actor saved. A page URL that
// answers a document with another id on the same host (Mastodon's
// /@name/123) is fetched again by that id, once.
func (f *Federation) lookupFetch(ctx context.Context, target string) (*Found, error) {
	doc, err := f.client.GetObject(ctx, target)
	var mismatch *fetch.IDMismatchError
	if errors.As(err, &mismatch) && mismatch.ID != "" && sameHost(mismatch.ID, target) {
		if found, kerr := f.lookupKnown(ctx, mismatch.ID); kerr == nil {
			return found, nil
		}
		doc, err = f.client.GetObject(ctx, mismatch.ID)
	}
	var se *fetch.StatusError
	switch {
	case errors.As(err, &se) && (se.Code == 404 || se.Code == 410):
		return nil, fmt.Errorf("%w: %s is gone at its origin", ErrLookupRefused, target)
	case errors.Is(err, fetch.ErrBlocked):
		return nil, fmt.Errorf("%w: %w", ErrLookupRefused, err)
	case err != nil:
		return nil, err
	}
	if actorTypes[documentType(doc.Body)] {
		return f.lookupActor(ctx, doc.URL)
	}
	o, err := ap.ParseObject(ctx, doc.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrLookupRefused, target, err)
	}
	return f.lookupPost(ctx, o)
}

// actorTypes are the types a person's or a forum's document has.
var actorTypes = map[string]bool{ap.TypePerson: true, ap.TypeGroup: true, ap.TypeService: true,
	ap.TypeApplication: true, "Organization": true}

// documentType is a document's type (the first, when it has several; ""
// when it has none). The body was checked as JSON by the fetcher.
func documentType(body []byte) string {
	var head struct {
		Type json.RawMessage `json:"type"`
	}
	if json.Unmarshal(body, &head) != nil {
		return ""
	}
	var one string
	if json.Unmarshal(head.Type, &one) == nil {
		return one
	}
	var many []string
	if json.Unmarshal(head.Type, &many) == nil && len(many) > 0 {
		return many[0]
	}
	return ""
}

// lookupActor saves a remote actor: a forum's mirror, or a member.
func (f *Federation) lookupActor(ctx context.Context, uri string) (*Found, error) {
	ra, err := f.actors.actor(ctx, uri, false)
	if err != nil {
		return nil, err
	}
	if ra.Type == ap.TypeGroup {
		fo, err := f.joins.Mirror(ctx, ra.URI)
		if err != nil {
			return nil, err
		}
		return &Found{Forum: fo}, nil
	}
	m, err := f.applier.RemoteMember(ctx, ra.URI)
	if err != nil {
		return nil, err
	}
	return &Found{Member: m}, nil
}

// lookupPost stores a fetched post by the received side's rules. A
// question goes into the forum it names as its audience (mirrored first
// when unknown); an answer under its thread, whose missing ancestors are
// fetched (bounded).
func (f *Federation) lookupPost(ctx context.Context, o *ap.Object) (*Found, error) {
	if !content.IsPost(o.Type) {
		return nil, fmt.Errorf("%w: %s is a %s", ErrLookupRefused, o.ID, o.Type)
	}
	if err := apply.PublicOnly(nil, o); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLookupRefused, err)
	}
	var fo *forum.Forum
	if o.Audience != "" && !f.urls.IsLocal(o.Audience) {
		known, err := f.svc.ForumByURI(ctx, o.Audience)
		switch {
		case err == nil:
			fo = known
		case errors.Is(err, forum.ErrNotFound):
			found, err := f.lookupActor(ctx, o.Audience)
			if err != nil {
				return nil, fmt.Errorf("the forum of %s: %w", o.ID, err)
			}
			fo = found.Forum
		default:
			return nil, err
		}
	}
	if err := f.applier.StoreFetched(ctx, o, fo); err != nil {
		var p *apply.PermanentError
		if errors.As(err, &p) {
			return nil, fmt.Errorf("%w: %w", ErrLookupRefused, err)
		}
		return nil, err
	}
	p, err := f.svc.PostByURI(ctx, o.ID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s was not stored", ErrLookupRefused, o.ID)
	} else if err != nil {
		return nil, err
	}
	return f.foundPost(ctx, p)
}
