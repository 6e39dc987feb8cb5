package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/metropolis/agora/feed"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// Feeds (Atom and RSS) of the node's questions, a forum's, a thread's
// posts, a tag's, a member's and the good practices. They are the same for
// everyone: what a visitor may read, titled in the node's default
// language, each entry in its own; so they are served without a session,
// before the page chain, and validated by ETag (a hash of the document:
// any change, an edit or a deletion included, changes it) and
// Last-Modified (the newest entry), with 304 on a repeat.

// feedSource says what one feed holds: its head and its query, for the
// request's path values. It returns forum.ErrNotFound (or ErrGone) for
// what has no feed.
type feedSource func(ctx context.Context, r *http.Request) (head feed.Document, q feed.Query, err error)

// feedRoutes registers each feed in both formats.
func (s *Server) feedRoutes(mux *http.ServeMux) {
	// Route patterns: the pages' paths with their wildcards.
	for page, src := range map[string]feedSource{
		uris.HomePath():                        s.nodeFeed,
		uris.NodeGoodPracticesPath():           s.goodPracticesFeed,
		"/f/{slug}":                            s.forumFeed,
		"/f/{slug}" + uris.GoodPracticesSuffix: s.forumGoodPracticesFeed,
		"/t/{id}":                              s.threadFeed,
		"/tags/{tag}":                          s.tagFeed,
		"/u/{username}":                        s.memberFeed,
	} {
		mux.Handle("GET "+uris.AtomFeedPath(page), securityHeaders(s.serveFeed(src, false)))
		mux.Handle("GET "+uris.RSSFeedPath(page), securityHeaders(s.serveFeed(src, true)))
	}
}

// feedLinks builds entries' URLs.
type feedLinks struct{ urls *uris.Builder }

func (l feedLinks) Post(p feed.Post) (id, read string) {
	read = l.urls.Thread(p.ThreadID)
	if !p.Question {
		read = l.urls.Abs(uris.PostAnchor(p.ThreadID, p.PostID))
	}
	return l.urls.Post(p.PostID), read
}

func (l feedLinks) Author(m *forum.Member) string {
	if m.Local() {
		return l.urls.Member(m.Username)
	}
	return authorURL(m)
}

// serveFeed answers one feed in one format.
func (s *Server) serveFeed(src feedSource, rss bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Feeds == nil {
			http.NotFound(w, r)
			return
		}
		doc, err := s.buildFeed(r, src)
		var body []byte
		if err == nil {
			if rss {
				body, err = feed.RSS(doc)
			} else {
				body, err = feed.Atom(doc)
			}
		}
		if err != nil {
			status, _, _ := classify(err)
			if status >= 500 {
				s.cfg.Logger.Error("feed", "path", r.URL.Path, "err", err)
			}
			http.Error(w, http.StatusText(status), status)
			return
		}
		sum := sha256.Sum256(body)
		h := w.Header()
		h.Set("ETag", `"`+base64.RawURLEncoding.EncodeToString(sum[:18])+`"`)
		h.Set("Cache-Control", "public, max-age=60")
		if rss {
			h.Set("Content-Type", "application/rss+xml; charset=utf-8")
		} else {
			h.Set("Content-Type", "application/atom+xml; charset=utf-8")
		}
		// ServeContent answers If-None-Match (first) and
		// If-Modified-Since with 304.
		http.ServeContent(w, r, "", doc.Updated, bytes.NewReader(body))
	})
}

func (s *Server) buildFeed(r *http.Request, src feedSource) (*feed.Document, error) {
	head, q, err := src(r.Context(), r)
	if err != nil {
		return nil, err
	}
	if head.Language == "" {
		head.Language = s.catalog.def
	}
	return feed.Build(r.Context(), s.cfg.Feeds, feedLinks{s.cfg.URLs}, head, q)
}

// feedTr translates feeds' titles: the node's default language.
func (s *Server) feedTr() *translator { return s.catalog.translator(s.catalog.def) }

// feedHead is a feed's head for the page at pagePath.
func (s *Server) feedHead(title, pagePath string, since time.Time) feed.Document {
	u := s.cfg.URLs
	return feed.Document{ID: u.Abs(uris.AtomFeedPath(pagePath)), Title: title, Page: u.Abs(pagePath),
		Atom: u.Abs(uris.AtomFeedPath(pagePath)), RSS: u.Abs(uris.RSSFeedPath(pagePath)), Updated: since.UTC()}
}

func (s *Server) nodeFeed(_ context.Context, _ *http.Request) (feed.Document, feed.Query, error) {
	return s.feedHead(s.feedTr().T("feed.node", "Host", s.cfg.URLs.Host()), uris.HomePath(), time.Time{}),
		feed.Query{Questions: true}, nil
}

func (s *Server) goodPracticesFeed(_ context.Context, _ *http.Request) (feed.Document, feed.Query, error) {
	return s.feedHead(s.feedTr().T("goodpractices.title_node"), uris.NodeGoodPracticesPath(), time.Time{}),
		feed.Query{GoodPractice: true}, nil
}

// forumHead is a forum's feed head; its texts in their language.
func (s *Server) forumHead(ctx context.Context, r *http.Request, title func(forumTitle string) string, path func(slug string) string) (feed.Document, *forum.Forum, error) {
	f, err := s.cfg.Service.ForumBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		return feed.Document{}, nil, err
	}
	text, lang := f.Text(s.catalog.def)
	d := s.feedHead(title(text.Title), path(f.Slug), f.CreatedAt)
	d.Language = lang
	return d, f, nil
}

func (s *Server) forumFeed(ctx context.Context, r *http.Request) (feed.Document, feed.Query, error) {
	d, f, err := s.forumHead(ctx, r, func(t string) string { return t }, uris.ForumPath)
	if err != nil {
		return d, feed.Query{}, err
	}
	return d, feed.Query{ForumID: f.ID, Questions: true}, nil
}

func (s *Server) forumGoodPracticesFeed(ctx context.Context, r *http.Request) (feed.Document, feed.Query, error) {
	d, f, err := s.forumHead(ctx, r, func(t string) string {
		return s.feedTr().T("goodpractices.title_forum", "Forum", t)
	}, uris.GoodPracticesPath)
	if err != nil {
		return d, feed.Query{}, err
	}
	d.Language = s.catalog.def // the title is a sentence of the catalog
	return d, feed.Query{ForumID: f.ID, GoodPractice: true}, nil
}

func (s *Server) threadFeed(ctx context.Context, r *http.Request) (feed.Document, feed.Query, error) {
	t, err := s.cfg.Service.Thread(ctx, r.PathValue("id"))
	if err != nil {
		return feed.Document{}, feed.Query{}, err
	}
	d := s.feedHead(t.Title, uris.ThreadPath(t.ID), t.CreatedAt)
	d.Language = t.Language
	return d, feed.Query{ThreadID: t.ID}, nil
}

func (s *Server) tagFeed(_ context.Context, r *http.Request) (feed.Document, feed.Query, error) {
	tag, ok := forum.NormalizeTag(r.PathValue("tag"))
	if !ok {
		return feed.Document{}, feed.Query{}, forum.ErrNotFound
	}
	return s.feedHead(s.feedTr().T("tag.title", "Tag", tag), uris.TagPath(tag), time.Time{}), feed.Query{Tag: tag}, nil
}

func (s *Server) memberFeed(ctx context.Context, r *http.Request) (feed.Document, feed.Query, error) {
	m, err := s.cfg.Service.MemberByUsername(ctx, r.PathValue("username"))
	if err != nil {
		return feed.Document{}, feed.Query{}, err
	}
	name := m.DisplayName
	if name == "" {
		name = m.Username
	}
	return s.feedHead(s.feedTr().T("feed.member", "Name", name), uris.MemberPath(m.Username), m.CreatedAt),
		feed.Query{AuthorID: m.ID}, nil
}

// pageFeeds are a page's feeds, for its head's autodiscovery links.
type pageFeeds struct{ Title, Atom, RSS string }

// feedPages are the route patterns of the pages that have feeds.
var feedPages = map[string]bool{}

func init() {
	for _, p := range []string{"/{$}", "/good-practices", "/f/{slug}", "/f/{slug}/good-practices", "/t/{id}",
		"/tags/{tag}", "/u/{username}"} {
		feedPages["GET "+p] = true
	}
}

// pageFeeds are the feeds of the page r asked for (nil for a page
// without), titled after the page: the route that matched tells which
// pages have them, and they are at the page's path.
func (s *Server) pageFeeds(r *http.Request, title string) *pageFeeds {
	if s.cfg.Feeds == nil || !feedPages[r.Pattern] {
		return nil
	}
	return &pageFeeds{Title: title, Atom: uris.AtomFeedPath(r.URL.EscapedPath()), RSS: uris.RSSFeedPath(r.URL.EscapedPath())}
}
