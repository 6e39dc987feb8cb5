package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
)

// TestTimesInTheReadersZone: times are written in the member's zone, else
// the browser's (the zone cookie zone.js sets), else the site's; a zone
// cookie that names no zone is the site's zone, never an error; and no
// cached page or post shows one reader's zone to another.
func TestTimesInTheReadersZone(t *testing.T) {
	s := newSite(t)
	m := s.signedIn("joao")
	p := m.post("/f/digitalisation/ask", url.Values{"title": {"Wi-Fi in squares"}, "body": {"Who pays?"}, "language": {"en"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("ask: %d", p.status)
	}
	thread := location(p)
	m.post(thread+"/reply", url.Values{"body": {"The city."}, "language": {"en"}})
	// Priya chose Toronto in her profile; the rig's clock is 09:30 UTC on
	// 2 November 2026, 04:30 in Toronto (EST).
	priya, err := s.rig.Service.MemberByUsername(context.Background(), "priya")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.rig.Service.UpdateProfile(context.Background(), priya, priya.ID, forum.Profile{DisplayName: priya.DisplayName,
		Languages: priya.Languages, UILanguage: "en", TimeZone: "America/Toronto"}); err != nil {
		t.Fatal(err)
	}
	toronto := []string{`datetime="2026-11-02T04:30:00-05:00"`, `title="November 2, 2026 at 04:30 EST"`}
	utc := []string{`datetime="2026-11-02T09:30:00Z"`, `title="November 2, 2026 at 09:30 UTC"`}
	tests := []struct {
		name   string
		reader func() *browser
		cookie string // the zone cookie, if any
		want   []string
		zone   bool // the page asks the browser for its zone
	}{
		{"member setting", func() *browser { return s.signedIn("priya") }, "", toronto, false},
		{"member setting beats the cookie", func() *browser { return s.signedIn("priya") }, "Asia/Tokyo", toronto, false},
		{"visitor's browser zone", s.browser, "America/Toronto", toronto, true},
		{"member without a setting, browser zone", func() *browser { return s.signedIn("marta") }, "America/Toronto", toronto, true},
		{"visitor without a cookie: the site's zone", s.browser, "", utc, true},
		{"a cookie naming no zone", s.browser, "Mars/Olympus", utc, true},
		{"a cookie naming a file", s.browser, "../../../etc/passwd", utc, true},
		{"a cookie naming the server's zone", s.browser, "Local", utc, true},
	}
	for _, tt := range tests {
		// Twice each: the second from the caches, which must key on the zone.
		for i := 0; i < 2; i++ {
			b := tt.reader()
			if tt.cookie != "" {
				u, _ := url.Parse(s.srv.URL)
				b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "agora_tz", Value: tt.cookie, Path: "/"}})
			}
			for _, path := range []string{thread, "/f/digitalisation"} {
				page := b.get(path)
				if page.status != http.StatusOK {
					t.Fatalf("%s: %s: %d", tt.name, path, page.status)
				}
				for _, w := range tt.want {
					if !strings.Contains(page.body, w) {
						t.Errorf("%s: %s lacks %s", tt.name, path, w)
					}
				}
				if got := strings.Contains(page.body, "/static/zone.js"); got != tt.zone {
					t.Errorf("%s: %s loads zone.js: %v, want %v", tt.name, path, got, tt.zone)
				}
			}
		}
	}
	if js := s.browser().get("/static/zone.js"); js.status != http.StatusOK || !strings.Contains(js.body, "agora_tz") {
		t.Fatalf("zone.js: %d", js.status)
	}
}

// TestRelativeTimesMove: a post says how long ago it was written, and the
// caches do not keep saying it once the minute has passed.
func TestRelativeTimesMove(t *testing.T) {
	s := newSite(t)
	m := s.signedIn("joao")
	p := m.post("/f/digitalisation/ask", url.Values{"title": {"Wi-Fi in squares"}, "body": {"Who pays?"}, "language": {"en"}})
	thread := location(p)
	m.post(thread+"/reply", url.Values{"body": {"The city."}, "language": {"en"}})
	steps := []struct {
		advance time.Duration
		want    string
	}{
		{0, ">just now</time>"},
		{2 * time.Minute, ">2 minutes ago</time>"},
		{3 * time.Hour, ">3 hours ago</time>"},
		{24 * time.Hour, ">1 day ago</time>"},
		{40 * 24 * time.Hour, ">November 2, 2026</time>"},
	}
	visitor, member := s.browser(), s.signedIn("marta")
	for _, st := range steps {
		s.rig.Clock.Advance(st.advance)
		for _, b := range []*browser{visitor, member} {
			for i := 0; i < 2; i++ {
				mustContain(t, b.get(thread), st.want)
			}
		}
	}
}

// TestProfileOffersTheBrowsersZone: a member who chose no zone finds their
// browser's in their profile form, to keep with one click; a chosen zone
// and a bad cookie change nothing, and an admin editing someone else's
// profile is not offered their own browser's zone.
func TestProfileOffersTheBrowsersZone(t *testing.T) {
	s := newSite(t)
	tests := []struct {
		name, who, profile, cookie, want string
	}{
		{"no zone chosen", "marta", "marta", "America/Toronto", `name="time_zone" value="America/Toronto"`},
		{"no cookie", "marta", "marta", "", `name="time_zone" value=""`},
		{"a bad cookie", "marta", "marta", "Nowhere/Land", `name="time_zone" value=""`},
		{"another's profile", "secretariat", "marta", "America/Toronto", `name="time_zone" value=""`},
	}
	for _, tt := range tests {
		b := s.signedIn(tt.who)
		if tt.cookie != "" {
			u, _ := url.Parse(s.srv.URL)
			b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "agora_tz", Value: tt.cookie, Path: "/"}})
		}
		p := b.get("/u/" + tt.profile + "/edit")
		if p.status != http.StatusOK || !strings.Contains(p.body, tt.want) {
			t.Errorf("%s: %d, want %s", tt.name, p.status, tt.want)
		}
	}
}
