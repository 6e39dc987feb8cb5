package web

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Versioner counts the writes made to the store by this process (see
// storage.Changes): a page rendered at version N is good while the version
// is still N.
type Versioner interface {
	Version() uint64
}

// ThreadVersioner also versions each thread apart (storage.Changes): its
// ThreadVersion(id) moves on writes to that thread and on writes of
// unknown scope, not on writes to other threads. A thread's page is kept
// by it, so answers elsewhere do not drop it.
type ThreadVersioner interface {
	Versioner
	ThreadVersion(id string) uint64
}

// PostVersioner also versions each post apart (storage.Changes):
// PostVersion(id) moves on writes to that post and on writes of unknown
// scope; a write to a post moves its thread's version before the post's.
type PostVersioner interface {
	PostVersion(id string) uint64
}

// Bounds of the page cache: how long a page is served without rendering it
// again (for changes made by another process on the same database), and
// how many bytes of pages it holds before it starts again empty.
const (
	pageCacheTTL   = 5 * time.Second
	pageCacheBytes = 16 << 20
)

// pageCache keeps the pages visitors (not signed in) read most, rendered:
// a thread page runs several queries and renders dozens of posts. A page
// depends on the URL, the interface language and, for its forms, the
// visitor's CSRF token; it is rendered with a placeholder token, replaced
// by each visitor's own when it is served. An entry is used only while the
// store's version is the one read before the page was rendered, so no
// change (a new answer, an edit, a delete, a renamed member) is hidden by
// it.
type pageCache struct {
	changes     Versioner
	placeholder string // stands for the CSRF token in cached pages
	mu          sync.RWMutex
	m           map[string]*cachedPage
	size        int
	// renders are the pages being rendered, by key and version: when a
	// write drops a busy page, the requests that miss it wait for one
	// render instead of each rendering it.
	flightMu sync.Mutex
	renders  map[flightKey]*flight
}

type flightKey struct {
	key     string
	version uint64
}

// flight is one render that other requests for the same page and version
// wait for.
type flight struct {
	done chan struct{}
	page *cachedPage // nil: not cacheable, render it yourself
}

type cachedPage struct {
	version uint64
	expires time.Time
	header  http.Header
	body    []byte
	parts   [][]byte // body split around the placeholder token
}

func newPageCache(changes Versioner) *pageCache {
	if changes == nil {
		return nil
	}
	return &pageCache{changes: changes, placeholder: randomToken(), m: map[string]*cachedPage{},
		renders: map[flightKey]*flight{}}
}

// versionOf returns what a page depends on: a thread's own version for a
// thread page (when the store versions threads apart), every write
// otherwise.
func (c *pageCache) versionOf(thread string) func() uint64 {
	if tv, ok := c.changes.(ThreadVersioner); ok && thread != "" {
		return func() uint64 { return tv.ThreadVersion(thread) }
	}
	return c.changes.Version
}

func (c *pageCache) get(key string, v uint64) (*cachedPage, bool) {
	c.mu.RLock()
	p, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || p.version != v || time.Now().After(p.expires) {
		return nil, false
	}
	return p, true
}

func (c *pageCache) put(key string, p *cachedPage, version func() uint64) {
	if version() != p.version {
		return // already stale
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[key]; ok {
		c.size -= len(old.body)
	}
	if c.size+len(p.body) > pageCacheBytes {
		clear(c.m)
		c.size = 0
	}
	c.m[key] = p
	c.size += len(p.body)
}

// cached serves h's page to visitors from the page cache. Signed-in
// members always get a fresh page: theirs shows what they may do.
func (s *Server) cached(h handlerFunc) handlerFunc { return s.cachedBy("", h) }

// cachedThread is cached for a thread's page (/t/{id}): it is kept while
// that thread and what unscoped writes change (its forum, its authors)
// are unchanged, whatever other threads receive.
func (s *Server) cachedThread(h handlerFunc) handlerFunc { return s.cachedBy("id", h) }

// cachedBy is cached; threadParam names the path value holding the
// thread the page shows ("" for a page that depends on anything).
func (s *Server) cachedBy(threadParam string, h handlerFunc) handlerFunc {
	c := s.pages
	if c == nil {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) error {
		st := stateOf(r)
		// A page that shows a flash message is the reader's own, never
		// shared (see flash.go).
		if st.viewer != nil || r.Method != http.MethodGet || st.flash != "" {
			return h(w, r)
		}
		key := pageKey(st, r)
		versionOf := c.versionOf("")
		if threadParam != "" {
			versionOf = c.versionOf(r.PathValue(threadParam))
		}
		// The version is read before the database (by the render below).
		version := versionOf()
		if p, ok := c.get(key, version); ok {
			c.write(w, p, st.csrf)
			return nil
		}
		fk := flightKey{key, version}
		c.flightMu.Lock()
		if f, ok := c.renders[fk]; ok {
			c.flightMu.Unlock()
			select {
			case <-f.done:
				if f.page != nil {
					c.write(w, f.page, st.csrf)
					return nil
				}
			case <-r.Context().Done():
				return r.Context().Err()
			}
			return h(w, r) // the other render was not cacheable
		}
		f := &flight{done: make(chan struct{})}
		c.renders[fk] = f
		c.flightMu.Unlock()
		defer func() {
			c.flightMu.Lock()
			delete(c.renders, fk)
			c.flightMu.Unlock()
			close(f.done)
		}()

		// Render with the placeholder token, into a recorder.
		anon := *st
		anon.csrf = c.placeholder
		rec := &recorder{header: http.Header{}}
		err := h(rec, r.WithContext(context.WithValue(r.Context(), stateKey{}, &anon)))
		if err != nil && rec.status == 0 {
			return err // the error page is rendered for the real request
		}
		// Entries made together expire spread over ±20% of the TTL.
		body := rec.body.Bytes()
		p := &cachedPage{version: version, expires: time.Now().Add(pageCacheTTL*4/5 + rand.N(pageCacheTTL*2/5)),
			header: rec.header, body: body, parts: bytes.Split(body, []byte(c.placeholder))}
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		// A page that changes with the time of day (a forum with an
		// upcoming event, which becomes past without any write) is
		// rendered each time.
		if rec.status == http.StatusOK && !anon.uncacheable {
			c.put(key, p, versionOf)
			f.page = p
		}
		c.writeStatus(w, p, st.csrf, rec.status)
		return err
	}
}

// pageKey is what a visitor's page depends on besides the store: its
// address, the language, and the zone its times are written in, some
// relative to the minute.
func pageKey(st *state, r *http.Request) string {
	return st.tr.lang + " " + st.zone.String() + " " + strconv.FormatInt(minuteOf(st.now), 10) + " " + r.URL.RequestURI()
}

func (c *pageCache) write(w http.ResponseWriter, p *cachedPage, csrf string) {
	c.writeStatus(w, p, csrf, http.StatusOK)
}

func (c *pageCache) writeStatus(w http.ResponseWriter, p *cachedPage, csrf string, status int) {
	h := w.Header()
	for k, v := range p.header {
		h[k] = append(h[k], v...)
	}
	// The page is written in pieces with the visitor's token between them:
	// no copy of it per request, and a Content-Length instead of chunks.
	n := len(p.body) + (len(p.parts)-1)*(len(csrf)-len(c.placeholder))
	h.Set("Content-Length", strconv.Itoa(n))
	w.WriteHeader(status)
	token := []byte(csrf)
	for i, part := range p.parts {
		if i > 0 {
			_, _ = w.Write(token)
		}
		_, _ = w.Write(part)
	}
}

// recorder is a ResponseWriter that keeps the response.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
