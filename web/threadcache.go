package web

import (
	"bytes"
	"context"
	"html/template"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/metropolis/agora/forum"
)

// threadCache keeps what a member's thread page is made of and does not
// depend on who reads it, by the thread's version (ThreadVersioner): the
// page of posts as read from the store, and each post's rendered HTML for
// each language and set of controls. A member's page then costs the
// viewer's marks (one query, viewerMarks) and the page around the posts,
// instead of four queries and the post template run 50 times through
// reflection. Entries are used only while the thread's version is the one
// read before the store was, and for at most pageCacheTTL (another
// process's writes), like the page cache's.
type threadCache struct {
	changes     ThreadVersioner
	posts       PostVersioner // nil: fragments by their thread's version
	placeholder string        // stands for the CSRF token in cached fragments

	mu    sync.RWMutex
	views map[viewKey]cachedView
	frags map[fragKey]cachedFrag
	// forums is the forum list a moderator's thread page offers to move
	// the thread to, by thread: forums change only by writes of unknown
	// scope, which move every thread's version.
	forums map[string]cachedForums
	size   int // bytes of fragments
}

// Bounds of the thread cache: past them it starts again empty.
const (
	threadCacheViews = 1024
	threadCacheBytes = 16 << 20
)

type viewKey struct {
	thread, cursor string
	order          forum.PostOrder
}

type cachedView struct {
	version uint64
	expires time.Time
	view    *forum.ThreadView // shared: never modified
}

// fragKey is one post rendered for one language and one set of controls.
// version is the post's own version (PostVersioner), else its thread's:
// either covers the post and its author.
// zone and minute: the post's times are in the reader's zone, one
// relative to the minute it is rendered in.
type fragKey struct {
	post    string
	version uint64
	lang    string
	zone    string
	minute  int64
	flags   postFlags
}

// postFlags are what the post partial shows differently per viewer.
type postFlags uint16

const (
	flagSignedIn postFlags = 1 << iota
	flagModerator
	flagCanEdit
	flagCanDelete
	flagCanHelpful
	flagCanReport
	flagMarked
	flagCanTranslate
	flagCanReply
	flagOwn
)

type cachedForums struct {
	version uint64
	expires time.Time
	list    []*forum.Forum // shared: never modified
}

// flagsOf is what the post partial shows differently for v's viewer.
func flagsOf(v *view, item *postItem) postFlags {
	var f postFlags
	for _, c := range [...]struct {
		flag postFlags
		on   bool
	}{{flagSignedIn, v.Viewer != nil}, {flagModerator, v.IsModerator()}, {flagCanEdit, item.CanEdit},
		{flagCanDelete, item.CanDelete}, {flagCanHelpful, item.CanHelpful}, {flagCanReport, item.CanReport},
		{flagMarked, item.Marked}, {flagCanTranslate, item.CanTranslate}, {flagCanReply, item.CanReply}, {flagOwn, item.Own}} {
		if c.on {
			f |= c.flag
		}
	}
	return f
}

type cachedFrag struct {
	expires time.Time
	parts   []string // the HTML split around the placeholder token
}

func newThreadCache(changes Versioner) *threadCache {
	tv, ok := changes.(ThreadVersioner)
	if !ok {
		return nil
	}
	pv, _ := changes.(PostVersioner)
	return &threadCache{changes: tv, posts: pv, placeholder: randomToken(),
		views: map[viewKey]cachedView{}, frags: map[fragKey]cachedFrag{}, forums: map[string]cachedForums{}}
}

// readThread is Service.ReadThread through the cache, without the
// viewer's marks (viewerMarks reads them each time): the view is kept
// while the thread's version holds. It returns the version read before
// the store, for fragments.
func (s *Server) readThread(ctx context.Context, id, cursor string, order forum.PostOrder) (*forum.ThreadView, uint64, bool, error) {
	c := s.threads
	if c == nil {
		v, err := s.cfg.Service.ReadThreadIn(ctx, nil, id, cursor, order)
		return v, 0, false, err
	}
	version := c.changes.ThreadVersion(id)
	key := viewKey{id, cursor, order}
	c.mu.RLock()
	e, ok := c.views[key]
	c.mu.RUnlock()
	if !ok || e.version != version || time.Now().After(e.expires) {
		v, err := s.cfg.Service.ReadThreadIn(ctx, nil, id, cursor, order)
		if err != nil {
			return nil, 0, false, err
		}
		e = cachedView{version: version, expires: cacheExpiry(), view: v}
		if c.changes.ThreadVersion(id) == version {
			c.mu.Lock()
			if len(c.views) >= threadCacheViews {
				clear(c.views)
			}
			c.views[key] = e
			c.mu.Unlock()
		}
	}
	v := *e.view
	return &v, version, true, nil
}

// appendPost appends item rendered with the post partial to chunks (the
// cached fragment's pieces with the viewer's token between them, nothing
// copied), from the cache when the thread's version is known (versioned).
func (s *Server) appendPost(chunks []string, v *view, item *postItem, version uint64, versioned bool) ([]string, error) {
	c := s.threads
	if c == nil || !versioned {
		h, err := s.renderPost(v, item)
		return append(chunks, string(h)), err
	}
	flags := flagsOf(v, item)
	key := fragKey{post: item.ID, version: version, lang: v.lang, zone: v.Zone(), minute: minuteOf(v.now), flags: flags}
	if c.posts != nil {
		// By the post's own version, a new answer does not render the
		// thread's other posts again.
		key.version = c.posts.PostVersion(item.ID)
	}
	c.mu.RLock()
	f, ok := c.frags[key]
	c.mu.RUnlock()
	if !ok || time.Now().After(f.expires) {
		anon := *v
		anon.CSRF = c.placeholder
		h, err := s.renderPost(&anon, item)
		if err != nil {
			return chunks, err
		}
		f = cachedFrag{expires: cacheExpiry(), parts: strings.Split(string(h), c.placeholder)}
		// item was read at the thread's version; if that still holds, no
		// write to the post came since (a post's write moves its thread's
		// version first), so the post's version read above is item's.
		if c.posts != nil && c.changes.ThreadVersion(item.ThreadID) != version {
			return appendParts(chunks, f.parts, v.CSRF), nil
		}
		c.mu.Lock()
		if c.size+len(h) > threadCacheBytes {
			clear(c.frags)
			c.size = 0
		}
		c.frags[key] = f
		c.size += len(h)
		c.mu.Unlock()
	}
	return appendParts(chunks, f.parts, v.CSRF), nil
}

// appendParts appends a fragment's parts with the viewer's token between.
func appendParts(chunks, parts []string, csrf string) []string {
	for i, part := range parts {
		if i > 0 {
			chunks = append(chunks, csrf)
		}
		chunks = append(chunks, part)
	}
	return chunks
}

// moveTargets lists the forums a moderator may move thread id to, from the
// cache while the thread's version (read before the thread) holds.
func (s *Server) moveTargets(ctx context.Context, id string, version uint64, versioned bool) ([]*forum.Forum, error) {
	c := s.threads
	if c != nil && versioned {
		c.mu.RLock()
		e, ok := c.forums[id]
		c.mu.RUnlock()
		if ok && e.version == version && time.Now().Before(e.expires) {
			return e.list, nil
		}
	}
	list, err := s.cfg.Service.ListForums(ctx, "")
	if err != nil {
		return nil, err
	}
	if c != nil && versioned && c.changes.ThreadVersion(id) == version {
		c.mu.Lock()
		if len(c.forums) >= threadCacheViews {
			clear(c.forums)
		}
		c.forums[id] = cachedForums{version: version, expires: cacheExpiry(), list: list.Items}
		c.mu.Unlock()
	}
	return list.Items, nil
}

// renderPost runs the post partial for one post.
func (s *Server) renderPost(v *view, item *postItem) (template.HTML, error) {
	t, err := s.templates.page(v.lang, "thread")
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "post", map[string]any{"V": v, "P": item}); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil
}

// cacheExpiry is when an entry made now expires: pageCacheTTL spread over
// ±20%, so entries made together do not expire together.
func cacheExpiry() time.Time {
	return time.Now().Add(pageCacheTTL*4/5 + rand.N(pageCacheTTL*2/5))
}
