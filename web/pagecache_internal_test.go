package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// stillCounter never moves: it stands for writes this process does not
// see (another process's), which only the entries' lifetime bounds.
type stillCounter struct{}

func (stillCounter) Version() uint64                { return 1 }
func (stillCounter) ThreadVersion(id string) uint64 { return 1 }

// TestPageCacheBoundsOtherProcessesWrites: a page cached by a thread's
// version is served for at most 1.2 × pageCacheTTL, even when no write
// this process sees moves the version: another process's answer shows
// within that bound.
func TestPageCacheBoundsOtherProcessesWrites(t *testing.T) {
	s := &Server{pages: newPageCache(stillCounter{})}
	renders := 0
	h := s.cachedThread(func(w http.ResponseWriter, r *http.Request) error {
		renders++
		_, err := w.Write([]byte("page"))
		return err
	})
	get := func() {
		r := httptest.NewRequest(http.MethodGet, "/t/A", nil)
		r.SetPathValue("id", "A")
		r = r.WithContext(context.WithValue(r.Context(), stateKey{}, &state{tr: &translator{lang: "en"}}))
		if err := h(httptest.NewRecorder(), r); err != nil {
			t.Fatal(err)
		}
	}
	get()
	get()
	if renders != 1 {
		t.Fatalf("renders = %d after two requests, want 1 (the second from the cache)", renders)
	}
	p, ok := s.pages.get(pageKey(&state{tr: &translator{lang: "en"}}, httptest.NewRequest(http.MethodGet, "/t/A", nil)), 1)
	if !ok {
		t.Fatal("the page is not cached")
	}
	if max := time.Now().Add(pageCacheTTL * 6 / 5); p.expires.After(max) {
		t.Fatalf("entry lives until %v, past the bound %v", p.expires, max)
	}
	p.expires = time.Now().Add(-time.Millisecond) // the lifetime is over
	get()
	if renders != 2 {
		t.Fatalf("renders = %d, want 2: an expired page was served", renders)
	}
}
