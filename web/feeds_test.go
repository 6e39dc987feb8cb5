package web_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/metropolis/agora/forum"
)

// entryLangs reads the xml:lang of a feed's entries (Atom entry, RSS
// item), in order: gofeed keeps only the feed's language.
func entryLangs(t *testing.T, body string) []string {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(body))
	var out []string
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok && (se.Name.Local == "entry" || se.Name.Local == "item") {
			l := ""
			for _, a := range se.Attr {
				if a.Name.Local == "lang" && a.Name.Space == "http://www.w3.org/XML/1998/namespace" {
					l = a.Value
				}
			}
			out = append(out, l)
		}
	}
	return out
}

func parseFeed(t *testing.T, p page) *gofeed.Feed {
	t.Helper()
	if p.status != http.StatusOK {
		t.Fatalf("status %d: %s", p.status, p.body)
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader([]byte(p.body)))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, p.body)
	}
	return f
}

func titles(f *gofeed.Feed) []string {
	var out []string
	for _, it := range f.Items {
		out = append(out, it.Title)
	}
	return out
}

// TestFeeds: every feed, in both formats, parsed by a real feed reader's
// parser: what a visitor may read (no deleted answer), each entry in its
// language, and the feed's own type.
func TestFeeds(t *testing.T) {
	s := newSearchSite(t)
	ctx := context.Background()
	if _, err := s.rig.Service.SetGoodPractice(ctx, s.cast.Moderator, s.answer.ID, true); err != nil {
		t.Fatal(err)
	}
	q := s.question.Title
	b := s.browser()
	for _, tc := range []struct {
		name, path string
		title      string
		want       []string // entry titles, newest first
		langs      string
	}{
		{"node", "/feed", "Latest questions on", []string{q}, "es"},
		{"forum", "/f/digitalisation/feed", "Learning forum on digitalisation", []string{q}, "es"},
		{"thread", "/t/" + s.question.ID + "/feed", q, []string{"Re: " + q, q}, "pt,es"},
		{"tag", "/tags/govdigital/feed", "Tagged #govdigital", []string{"Re: " + q}, "pt"},
		{"member", "/u/joao/feed", "Posts by João Silva", []string{"Re: " + q}, "pt"},
		{"member without posts", "/u/secretariat/feed", "Posts by Metropolis Secretariat", nil, ""},
		{"good practices", "/good-practices/feed", "Good practices", []string{"Re: " + q}, "pt"},
		{"forum's good practices", "/f/digitalisation/good-practices/feed",
			"Good practices: Learning forum on digitalisation", []string{"Re: " + q}, "pt"},
	} {
		for _, format := range []string{"atom", "rss"} {
			t.Run(tc.name+" "+format, func(t *testing.T) {
				p := b.get(tc.path + "." + format)
				wantType := "application/" + format + "+xml; charset=utf-8"
				if got := p.header.Get("Content-Type"); got != wantType {
					t.Errorf("Content-Type %q, want %q", got, wantType)
				}
				f := parseFeed(t, p)
				if f.FeedType != format {
					t.Errorf("feed type %q", f.FeedType)
				}
				if !strings.HasPrefix(f.Title, tc.title) {
					t.Errorf("title %q, want %q…", f.Title, tc.title)
				}
				if got := titles(f); strings.Join(got, "|") != strings.Join(tc.want, "|") {
					t.Errorf("entries %q, want %q", got, tc.want)
				}
				if got := strings.Join(entryLangs(t, p.body), ","); got != tc.langs {
					t.Errorf("entries' xml:lang %q, want %q", got, tc.langs)
				}
				if strings.Contains(p.body, "deleted later") {
					t.Error("a deleted answer is in the feed")
				}
				if len(f.Items) > 0 && !strings.HasPrefix(f.Items[0].Link, s.srv.URL+"/t/"+s.question.ID) {
					t.Errorf("entry link %q", f.Items[0].Link)
				}
			})
		}
	}
	for _, path := range []string{"/f/nope/feed.atom", "/u/nobody/feed.rss", "/t/01ARZ3NDEKTSV4RRFFQ69G5FAV/feed.atom", "/tags/%20/feed.atom"} {
		if p := b.get(path); p.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, p.status)
		}
	}
}

// TestFeedConditionalGet: a repeat with the ETag, or with the time of the
// last change, is answered 304 without a body; a change to what the feed
// lists (a new answer in a thread's Atom feed, a new question in a
// forum's RSS feed) changes both.
func TestFeedConditionalGet(t *testing.T) {
	s := newSearchSite(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name, path string
		change     func() error
		shown      string
	}{
		{"thread atom", "/t/" + s.question.ID + "/feed.atom", func() error {
			_, err := s.rig.Service.Reply(ctx, s.cast.Toronto, s.question.ID, "", forum.Answer{Body: "A new answer.", Language: "en"})
			return err
		}, "A new answer."},
		{"forum rss", "/f/digitalisation/feed.rss", func() error {
			_, err := s.rig.Service.Ask(ctx, s.cast.Toronto, s.cast.Forum.ID,
				forum.Question{Title: "A new question", Body: "Asked later.", Language: "en"})
			return err
		}, "A new question"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := s.browser()
			first := b.get(tc.path)
			etag, modified := first.header.Get("ETag"), first.header.Get("Last-Modified")
			if first.status != http.StatusOK || etag == "" || modified == "" {
				t.Fatalf("first: %d, ETag %q, Last-Modified %q", first.status, etag, modified)
			}
			conditional := func(header, value string) page {
				req, _ := http.NewRequest("GET", s.srv.URL+tc.path, nil)
				req.Header.Set(header, value)
				return b.do(req)
			}
			for _, h := range [][2]string{{"If-None-Match", etag}, {"If-Modified-Since", modified}} {
				if p := conditional(h[0], h[1]); p.status != http.StatusNotModified || p.body != "" {
					t.Errorf("%s: %d with %d bytes, want 304 and none", h[0], p.status, len(p.body))
				}
			}
			s.rig.Clock.Advance(time.Minute)
			if err := tc.change(); err != nil {
				t.Fatal(err)
			}
			for _, h := range [][2]string{{"If-None-Match", etag}, {"If-Modified-Since", modified}} {
				p := conditional(h[0], h[1])
				if p.status != http.StatusOK || !strings.Contains(p.body, tc.shown) {
					t.Errorf("%s after the change: %d", h[0], p.status)
				}
				if p.header.Get("ETag") == etag {
					t.Errorf("%s: the ETag did not change", h[0])
				}
			}
		})
	}
}

// TestFeedAutodiscovery: pages with feeds link them in their head; a
// page without one (search) does not.
func TestFeedAutodiscovery(t *testing.T) {
	s := newSearchSite(t)
	b := s.browser()
	for _, path := range []string{"/", "/f/digitalisation", "/t/" + s.question.ID, "/tags/govdigital", "/u/joao",
		"/good-practices", "/f/digitalisation/good-practices"} {
		p := b.get(path)
		feedPath := strings.TrimSuffix(path, "/") + "/feed"
		mustContain(t, p, `<link rel="alternate" type="application/atom+xml"`, `href="`+feedPath+`.atom"`,
			`<link rel="alternate" type="application/rss+xml"`, `href="`+feedPath+`.rss"`)
	}
	if p := b.get("/search?q=x"); strings.Contains(p.body, "application/atom+xml") {
		t.Error("the search page links a feed")
	}
	if p := b.get("/f/nope"); strings.Contains(p.body, "application/atom+xml") {
		t.Error("a missing forum's page links a feed")
	}
}
