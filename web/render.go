package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/report"
	"github.com/metropolis/agora/uris"
)

//go:embed templates/*.html
var templateFiles embed.FS

// view is what every page template receives. Page-specific data is in Data.
type view struct {
	*translator
	Title  string
	Viewer *forum.Member
	// SessionUnknown: a member whose session could not be loaded; the
	// page neither offers to sign in nor to sign out.
	SessionUnknown bool
	CSRF           string
	Path           string // the current request URI, where the language switcher returns
	Switcher       []langOption
	Data           any
	// Unread counts the viewer's unread notifications (the header's link).
	Unread int
	// Notify: the node gives notifications (the header links them).
	Notify bool
	// zone is the time zone the reader sees times in; now is when the
	// page is made (relative times).
	zone *time.Location
	now  time.Time
	// Site is this site's name, for "from Barcelona" (Config.SiteName).
	Site string
	// Reports: the node has forum reports (forum pages link them).
	Reports bool
	// Feeds are the page's feeds, linked in its head for feed readers'
	// autodiscovery.
	Feeds *pageFeeds
	// Flash says that the action the reader just took worked (see
	// flash.go); clearFlash: the response clears the flash cookie.
	Flash      string
	clearFlash bool
	// splice, when set, is written where the page has Server.spliceMarker
	// (a thread's answers, see showThread).
	splice []string
}

type langOption struct {
	Tag, Name string
	Current   bool
}

// IsModerator and IsAdmin let templates show the right controls; the
// service checks permissions again on every action.
func (v *view) IsModerator() bool { return forum.CanModerate(v.Viewer) == nil }

// IsAdmin reports whether the viewer administers the node.
func (v *view) IsAdmin() bool { return forum.CanAdminister(v.Viewer) == nil }

var templateFuncs = template.FuncMap{
	"forumPath":         uris.ForumPath,
	"askPath":           uris.AskPath,
	"threadPath":        uris.ThreadPath,
	"postPath":          uris.PostPath,
	"postImagePath":     uris.PostImagePath,
	"inc":               func(i int) int { return i + 1 },
	"memberPath":        uris.MemberPath,
	"tagPath":           uris.TagPath,
	"mediaPath":         uris.MediaPath,
	"citiesPath":        uris.CitiesPath,
	"cityPath":          uris.CityPath,
	"membersPath":       uris.MembersPath,
	"goodPracticesPath": uris.GoodPracticesPath,
	"reportsPath":       uris.ForumReportsPath,
	"reportPath":        uris.ForumReportPath,
	"newReportPath":     uris.NewForumReportPath,
	"isRTL":             report.IsRTL,
	"authorURL":         authorURL,
	"postAnchor":        uris.PostAnchor,
	"langName":          languageName,
	"iso":               func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"join":              strings.Join,
	"deref":             func(t *time.Time) time.Time { return *t },
	"forumText":         forumText,
	// hostOf names the server a link leads to (media and link cards of
	// posts from other servers are links, never embedded).
	"hostOf": func(u string) string {
		if p, err := url.Parse(u); err == nil {
			return p.Host
		}
		return ""
	},
	// withForm hands a post form its page and its fields.
	"withForm": func(v *view, f composeData) map[string]any { return map[string]any{"V": v, "F": f} },
	// withList hands the events partial its page and its events.
	"withList": func(v *view, l []*forum.Webinar) map[string]any { return map[string]any{"V": v, "L": l} },
	// webinarText is an event's text in the reader's language (else its
	// original) and that language.
	"webinarText": func(w *forum.Webinar, lang string) []any {
		t, l := w.Text(lang)
		return []any{t, l}
	},
	"webinarPath":       uris.WebinarPath,
	"webinarICSPath":    uris.WebinarICSPath,
	"newWebinarPath":    uris.NewWebinarPath,
	"forumCalendarPath": uris.ForumCalendarPath,
	"calendarPath":      uris.CalendarPath,
	// postContext hands the post partial its page and its post.
	"postContext": func(v *view, p *postItem) map[string]any { return map[string]any{"V": v, "P": p} },
	// replyForm points the answer form at an answer instead of the question.
	"replyForm": func(f composeData, parent string) composeData { f.Parent = parent; return f },
	// sanitized marks post HTML as safe: it went through the markup
	// allowlist before it was stored.
	"sanitized": func(s string) template.HTML { return template.HTML(s) },
}

// authorURL is where a post's author is presented: the local profile for
// members of this node, their own node's profile page for others.
func authorURL(m *forum.Member) string {
	switch {
	case m.Local():
		return uris.MemberPath(m.Username)
	case m.ProfileURL != "":
		return m.ProfileURL
	}
	return m.URI
}

// forumText is a forum's title and description in the reader's language if
// it has one, with the language it is in (for lang attributes).
func forumText(f *forum.Forum, lang string) map[string]string {
	t, in := f.Text(lang)
	return map[string]string{"Title": t.Title, "Description": t.Description, "Lang": in}
}

// parseTemplates parses every page with the layout and the partials; with
// label, each label is that constant (see langTemplates).
func parseTemplates(label func(id string) string) (map[string]*template.Template, error) {
	pages, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		t, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFiles, "templates/layout.html", "templates/partials.html", p)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", p, err)
		}
		if label != nil {
			inlineLabels(t, label)
			if err := foldLabels(t); err != nil {
				return nil, fmt.Errorf("parse %s: %w", p, err)
			}
		}
		out[name] = t
	}
	return out, nil
}

// render executes a page into a buffer first, so a template error becomes a
// 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page, title string, data any) {
	v := s.pageView(r, title, data)
	if status == http.StatusOK {
		v.Feeds = s.pageFeeds(r, title)
	}
	s.renderView(w, r, status, page, v)
}

// pageView is what a page's templates receive for request r.
func (s *Server) pageView(r *http.Request, title string, data any) *view {
	st := stateOf(r)
	v := &view{translator: st.tr, Title: title, Viewer: st.viewer, SessionUnknown: st.sessionUnknown, CSRF: st.csrf, Path: r.URL.RequestURI(), Data: data,
		Notify: s.cfg.Notify != nil, Reports: s.cfg.Reports != nil, Unread: s.unread(r.Context(), st), zone: st.zone, now: st.now, Site: s.siteName()}
	v.Flash, v.clearFlash = s.takeFlash(r)
	for _, tag := range s.catalog.tags {
		v.Switcher = append(v.Switcher, langOption{Tag: tag, Name: languageName(tag), Current: tag == st.tr.lang})
	}
	return v
}

// renderView is render with the view already made.
func (s *Server) renderView(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	st := stateOf(r)
	t, err := s.templates.page(v.lang, name)
	if err != nil {
		s.cfg.Logger.Error("page template", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	buf := s.pageBuffer()
	defer s.putPageBuffer(buf)
	if err := t.Execute(buf, v); err != nil {
		s.cfg.Logger.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", st.tr.lang)
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Cookie, Accept-Language")
	if v.clearFlash {
		s.clearCookie(w, cookieFlash)
	}
	if v.splice == nil {
		w.WriteHeader(status)
		_, _ = w.Write(buf.Bytes())
		return
	}
	page := buf.Bytes()
	at := bytes.Index(page, []byte(s.spliceMarker))
	if at < 0 {
		s.cfg.Logger.Error("render page: no place for its posts", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	// One buffer, written once: the pieces written one by one would each
	// go through the connection's 4 KB buffer, a system call per 4 KB.
	out := s.pageBuffer()
	defer s.putPageBuffer(out)
	n := len(page) - len(s.spliceMarker)
	for _, c := range v.splice {
		n += len(c)
	}
	out.Grow(n)
	out.Write(page[:at])
	for _, c := range v.splice {
		out.WriteString(c)
	}
	out.Write(page[at+len(s.spliceMarker):])
	h.Set("Content-Length", strconv.Itoa(out.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(out.Bytes())
}

// pageBuffer is a buffer to render a page into, from Server.buffers: a
// thread page is about 100 KB, which would otherwise be allocated (and
// collected) again for every request.
func (s *Server) pageBuffer() *bytes.Buffer {
	if b, ok := s.buffers.Get().(*bytes.Buffer); ok {
		return b
	}
	return new(bytes.Buffer)
}

// putPageBuffer gives b back, unless it grew past what pages usually need
// (one huge page should not stay in memory).
func (s *Server) putPageBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	s.buffers.Put(b)
}
