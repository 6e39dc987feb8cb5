package node_test

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/uris"
)

// TestSearchLookup: a member of a city pastes a hub post's URL, a thread's
// URL, a forum's and a person's handle into search; the city fetches each
// from the hub (real nodes on loopback, real HTTP and signatures) and
// offers it here. A visitor's search fetches nothing; what cannot be shown
// (deleted at its origin, an address the fetcher refuses) is said so.
func TestSearchLookup(t *testing.T) {
	ctx := context.Background()
	var hubGETs atomic.Int32
	var signedGETs sync.Map // path → the Signature header of an ActivityPub GET of it
	hubLn := listenOn(t, 1)
	hub := runPeerWith(t, "hub", hubLn, storetest.Open(t), fastDelivery, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet {
				hubGETs.Add(1)
				if strings.Contains(r.Header.Get("Accept"), "application/activity+json") {
					signedGETs.Store(r.URL.Path, r.Header.Get("Signature"))
				}
			}
			h.ServeHTTP(w, r)
		})
	})
	city := startPeer(t, "city", 2)
	sec := hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
	ana := hub.member(t, "ana", "Ana Lima", "Belo Horizonte", forum.RoleMember, "pt")
	f := hub.forum(t, "digitalisation", "Learning forum on digitalisation")
	q := hub.ask(t, sec, f, "Has Covid-19 been a turning point for internet access?", "Tell us.")
	a := hub.reply(t, ana, q.ID, "Belo Horizonte opened free wifi in every square.")
	gone := hub.reply(t, ana, q.ID, "An answer deleted later.")
	// A question in a forum of the hub's that the city has never seen.
	mob := hub.forum(t, "mobility", "Learning forum on mobility")
	q2 := hub.ask(t, sec, mob, "Who runs your bike-share scheme?", "Ours is run by the transport authority.")
	if _, err := hub.Service.DeletePost(ctx, ana, gone.ID); err != nil {
		t.Fatal(err)
	}

	search := func(get func(string) (int, string), text string) string {
		t.Helper()
		status, body := get("/search?q=" + url.QueryEscape(text))
		if status != http.StatusOK {
			t.Fatalf("search %q: %d", text, status)
		}
		return html.UnescapeString(body)
	}
	visitor := func(path string) (int, string) {
		st, body, _ := getPage(t, city.URLs.Base()+path)
		return st, body
	}

	// A visitor: nothing fetched, told to sign in.
	before := hubGETs.Load()
	if page := search(visitor, hub.URLs.Post(a.ID)); !strings.Contains(page, "Sign in to look up") {
		t.Errorf("visitor's search of a remote link: no sign-in message")
	}
	if n := hubGETs.Load() - before; n != 0 {
		t.Errorf("a visitor's search made the city fetch %d documents from the hub", n)
	}

	member := newAdminBrowser(t, city)
	link := regexp.MustCompile(`<section class="lookup"[^>]*>\s*<h2[^>]*>[^<]*</h2>\s*<p><a href="([^"]+)"[^>]*>([^<]*)</a>`)
	found := func(text string) (path, title string) {
		t.Helper()
		page := search(member.get, text)
		m := link.FindStringSubmatch(page)
		if m == nil {
			i := strings.Index(page, `class="lookup"`)
			t.Fatalf("search %q: nothing found to open here: %.400s", text, page[max(i, 0):])
		}
		return m[1], m[2]
	}

	// An answer's URL: the answer, its question and the hub's forum are
	// now here, and the result opens the local thread at the answer.
	path, title := found(hub.URLs.Post(a.ID))
	if title != q.Title || !strings.HasPrefix(path, "/t/") || !strings.Contains(path, "#p-") {
		t.Errorf("answer found as %q %q", path, title)
	}
	local, err := city.Service.PostByURI(ctx, hub.URLs.Post(a.ID))
	if err != nil {
		t.Fatalf("the answer is not stored on the city: %v", err)
	}
	if _, page := member.get(strings.Split(path, "#")[0]); !strings.Contains(html.UnescapeString(page), "free wifi in every square") {
		t.Errorf("the local thread page lacks the answer")
	}
	if want := "#p-" + local.ID; !strings.HasSuffix(path, want) {
		t.Errorf("path %q, want the anchor %q", path, want)
	}

	// The thread's URL is known now: found without a fetch, by a visitor too.
	before = hubGETs.Load()
	vpage := search(visitor, hub.URLs.Thread(q.ID))
	if m := link.FindStringSubmatch(vpage); m == nil || m[1] != strings.Split(path, "#")[0] {
		t.Errorf("visitor's search of a known thread URL: %v", m)
	}
	if n := hubGETs.Load() - before; n != 0 {
		t.Errorf("a known thread fetched %d documents", n)
	}

	// A thread's URL never fetched here: fetched from the hub by the
	// fetcher, stored with its forum mirrored first, and the result opens
	// the local thread (the question: no answer's anchor).
	if _, err := city.Service.PostByURI(ctx, hub.URLs.Thread(q2.ID)); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("before its lookup, the city holds the mobility question: %v", err)
	}
	before = hubGETs.Load()
	path, title = found(hub.URLs.Thread(q2.ID))
	if n := hubGETs.Load() - before; n == 0 {
		t.Errorf("an unknown thread URL was found without fetching from the hub")
	}
	// By the fetcher: an ActivityPub GET signed with a key of the city's.
	if sig, _ := signedGETs.Load(uris.ThreadPath(q2.ID)); !strings.Contains(fmt.Sprint(sig), `keyId="`+city.URLs.Base()) {
		t.Errorf("the hub's thread was not fetched with a signed ActivityPub GET by the city (Signature %q)", sig)
	}
	local, err = city.Service.PostByURI(ctx, hub.URLs.Thread(q2.ID))
	if err != nil {
		t.Fatalf("the mobility question is not stored on the city: %v", err)
	}
	if want := "/t/" + local.ThreadID; title != q2.Title || path != want {
		t.Errorf("thread found as %q %q, want %q %q", path, title, want, q2.Title)
	}
	if local.ParentID != "" {
		t.Errorf("the thread's URL was stored as an answer (parent %q)", local.ParentID)
	}
	if st, page := member.get(path); st != http.StatusOK || !strings.Contains(html.UnescapeString(page), "run by the transport authority") {
		t.Errorf("the local thread page %s: %d, or it lacks the question", path, st)
	}
	if _, err := city.Service.ForumByURI(ctx, hub.URLs.Forum("mobility")); err != nil {
		t.Errorf("the question's forum is not mirrored on the city: %v", err)
	}

	// The forum's handle: its mirror here.
	host := hub.URLs.Host()
	if path, title := found("@digitalisation@" + host); path != "/f/"+url.PathEscape("digitalisation@"+host) || title != "Learning forum on digitalisation" {
		t.Errorf("forum handle found as %q %q", path, title)
	}
	// Looked up is not joined: the city's home page does not list the
	// hub's forum among its own.
	if _, home := member.get("/"); strings.Contains(html.UnescapeString(home), "Learning forum on digitalisation") {
		t.Errorf("the city's home lists a forum it only looked up")
	}
	// A person's handle: shown with their name; a member record here.
	if page := search(member.get, "@ana@"+host); !strings.Contains(page, "Ana Lima") || !strings.Contains(page, "@ana@"+host) {
		t.Errorf("person handle: Ana not shown")
	}
	if _, err := city.Service.MemberByURI(ctx, hub.URLs.Member("ana")); err != nil {
		t.Errorf("Ana is not known on the city: %v", err)
	}

	// What cannot be shown, or cannot be fetched, is said so.
	for _, tc := range []struct{ text, want string }{
		{hub.URLs.Post(gone.ID), "is not a public post, forum or person"},
		{"http://169.254.169.254/latest/meta-data", "could not be looked up"},
		{"@nobody@" + host, "could not be looked up"},
	} {
		if page := search(member.get, tc.text); !strings.Contains(page, tc.want) {
			t.Errorf("search %q: no %q", tc.text, tc.want)
		}
	}
	// Words are still words.
	if page := search(member.get, "wifi"); strings.Contains(page, `class="lookup"`) || !strings.Contains(page, "<mark>wifi</mark>") {
		t.Errorf("a word search shows a lookup, or misses the stored answer")
	}
}
