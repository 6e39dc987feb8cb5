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
	return &pageCache{changes: changes, placeholder: randomToken(), m: map[string]*cachedPage{}}
}

func (c *pageCache) get(key string) (*cachedPage, bool) {
	v := c.changes.Version()
	c.mu.RLock()
	p, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || p.version != v || time.Now().After(p.expires) {
		return nil, false
	}
	return p, true
}

func (c *pageCache) put(key string, p *cachedPage) {
	if c.changes.Version() != p.version {
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
func (s *Server) cached(h handlerFunc) handlerFunc {
	c := s.pages
	if c == nil {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) error {
		st := stateOf(r)
		if st.viewer != nil || r.Method != http.MethodGet {
			return h(w, r)
		}
		key := st.tr.lang + " " + r.URL.RequestURI()
		if p, ok := c.get(key); ok {
			c.write(w, p, st.csrf)
			return nil
		}
		version := c.changes.Version()
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
		if rec.status == http.StatusOK {
			c.put(key, p)
		}
		c.writeStatus(w, p, st.csrf, rec.status)
		return err
	}
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
