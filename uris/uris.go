// Package uris builds every URL the node publishes. Page URLs double as
// ActivityPub ids, and ids are forever: nothing else in the code base
// concatenates paths.
package uris

import (
	"fmt"
	"net/url"
	"strings"
)

// Builder builds absolute URLs under the node's public base URL.
type Builder struct {
	base string // scheme://host[:port], no trailing slash
	host string
}

// New checks base (an absolute http(s) URL without path, query or fragment)
// and returns a Builder.
func New(base string) (*Builder, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil {
		return nil, fmt.Errorf("base URL %q: %w", base, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("base URL %q: want http(s)://host[:port] with no path", base)
	}
	return &Builder{base: u.Scheme + "://" + u.Host, host: u.Host}, nil
}

// Base is the node's base URL.
func (b *Builder) Base() string { return b.base }

// Host is the node's host[:port], the domain part of its handles.
func (b *Builder) Host() string { return b.host }

// Secure reports whether the node is served over https (cookies get Secure).
func (b *Builder) Secure() bool { return strings.HasPrefix(b.base, "https://") }

// Path builders return the path alone, for links within pages and routing;
// the same-named URL builders return absolute URLs.

// HomePath is the forum list.
func HomePath() string { return "/" }

// ForumPath is a forum's page (and, later, its Group actor).
func ForumPath(slug string) string { return "/f/" + url.PathEscape(slug) }

// AskPath is the form for a new question in a forum.
func AskPath(slug string) string { return ForumPath(slug) + "/ask" }

// ThreadPath is a thread's page (and its question's id).
func ThreadPath(id string) string { return "/t/" + url.PathEscape(id) }

// PostPath is an answer's permalink.
func PostPath(id string) string { return "/p/" + url.PathEscape(id) }

// PostEditPath is the form that edits a post.
func PostEditPath(id string) string { return PostPath(id) + "/edit" }

// ThreadReplyPath receives a thread's answer form.
func ThreadReplyPath(id string) string { return ThreadPath(id) + "/reply" }

// ThreadEventsPath streams a thread's new posts (server-sent events).
func ThreadEventsPath(id string) string { return ThreadPath(id) + "/events" }

// MemberEditPath is the form that edits a member's profile.
func MemberEditPath(username string) string { return MemberPath(username) + "/edit" }

// UnsubscribePath stops the mail a signed token names.
func UnsubscribePath(token string) string { return "/unsubscribe/" + url.PathEscape(token) }

// PostAnchor is where a post sits on its thread's page.
func PostAnchor(threadID, postID string) string { return ThreadPath(threadID) + "#p-" + postID }

// MemberPath is a member's profile (and, later, its Person actor).
func MemberPath(username string) string { return "/u/" + url.PathEscape(username) }

// InvitationPath is the link an invited person opens.
func InvitationPath(token string) string { return "/invite/" + url.PathEscape(token) }

// LoginTokenPath is a one-time sign-in link (first admin, password reset).
func LoginTokenPath(token string) string { return "/login/token/" + url.PathEscape(token) }

// TagPath is a hashtag's page: the threads whose posts carry #tag. Tags
// are lower-cased, as written in links.
func TagPath(tag string) string { return "/tags/" + url.PathEscape(strings.ToLower(tag)) }

// Tag is the absolute URL of a hashtag's page.
func (b *Builder) Tag(tag string) string { return b.base + TagPath(tag) }

// MediaPath is where an image of the media store is served (its name is
// the hash of its content, so the URL never changes meaning).
func MediaPath(name string) string { return "/media/" + url.PathEscape(name) }

// Media is the absolute URL of an image of the media store.
func (b *Builder) Media(name string) string { return b.base + MediaPath(name) }

// PostImagePath serves an image of a post while the post is visible.
func PostImagePath(postID, name string) string {
	return PostPath(postID) + "/images/" + url.PathEscape(name)
}

// PostImage is the absolute URL of an image of a post.
func (b *Builder) PostImage(postID, name string) string { return b.base + PostImagePath(postID, name) }

// Forum is the absolute URL of a forum.
func (b *Builder) Forum(slug string) string { return b.base + ForumPath(slug) }

// Thread is the absolute URL of a thread.
func (b *Builder) Thread(id string) string { return b.base + ThreadPath(id) }

// Post is the absolute URL of a post.
func (b *Builder) Post(id string) string { return b.base + PostPath(id) }

// Member is the absolute URL of a member.
func (b *Builder) Member(username string) string { return b.base + MemberPath(username) }

// Invitation is the absolute URL of an invitation link.
func (b *Builder) Invitation(token string) string { return b.base + InvitationPath(token) }

// LoginToken is the absolute URL of a one-time sign-in link.
func (b *Builder) LoginToken(token string) string { return b.base + LoginTokenPath(token) }
