package web

import (
	"net/http"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/uris"
)

type homeData struct {
	Forums forum.Page[*forum.Forum]
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	page, err := s.cfg.Service.ListForums(r.Context(), r.URL.Query().Get("after"))
	if err != nil {
		return err
	}
	st := stateOf(r)
	s.render(w, r, http.StatusOK, "home", st.tr.T("home.title"), homeData{Forums: page})
	return nil
}

type forumData struct {
	List *forum.ThreadList
	Text map[string]string
	// Handle is the forum's fediverse handle (@slug@host), for local forums.
	Handle string
	// GoodPractices counts the marked answers of the threads listed.
	GoodPractices map[forum.ID]int
	// Watch and Unseen are for members: the watch control, and the
	// threads with posts since their last visit.
	Watch  *watchState
	Unseen map[forum.ID]bool
	// Upcoming and Past are the forum's events (first page only).
	Upcoming, Past []*forum.Webinar
}

func (s *Server) forumPage(w http.ResponseWriter, r *http.Request) error {
	f, err := s.cfg.Service.ForumBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	list, err := s.cfg.Service.ListThreads(r.Context(), f.ID, r.URL.Query().Get("after"))
	if err != nil {
		return err
	}
	st := stateOf(r)
	text := forumText(f, st.tr.lang)
	ids := make([]forum.ID, 0, len(list.Threads.Items))
	for _, t := range list.Threads.Items {
		ids = append(ids, t.ID)
	}
	counts, err := s.cfg.Service.GoodPracticeCounts(r.Context(), ids)
	if err != nil {
		return err
	}
	d := forumData{List: list, Text: text, GoodPractices: counts}
	if s.cfg.Federation != nil && f.Local() {
		d.Handle = "@" + f.Slug + "@" + s.cfg.URLs.Host()
	}
	if err := s.forumMarks(r.Context(), st, &d); err != nil {
		return err
	}
	if r.URL.Query().Get("after") == "" {
		if d.Upcoming, d.Past, err = s.forumWebinars(r, f); err != nil {
			return err
		}
		// An upcoming event turns past with no write to the store.
		st.uncacheable = len(d.Upcoming) > 0
	}
	s.render(w, r, http.StatusOK, "forum", text["Title"], d)
	return nil
}

// composeData fills the question, answer and edit forms; on a validation
// error the form comes back with what was typed and the message.
type composeData struct {
	Action    string
	Forum     *forum.Forum
	ForumText map[string]string
	Parent    string // the answer being answered, for replies to answers
	IsEdit    bool
	HasTitle  bool
	Title     string
	Body      string
	Language  string
	Languages []string
	Error     string
	// Similar are questions like the title, shown on the ask form when
	// asked for ("was this asked before?"); Checked says they were
	// looked for (none found is then said).
	Similar []search.Result
	Checked bool
	// SimilarOn: the node can search (the ask form offers the check).
	SimilarOn bool
	// Preview is the body rendered as it would show (sanitized HTML),
	// when the member asked for a preview.
	Preview string
	// Images: the form takes images (a new question or answer, on a node
	// with a media store); Alts are their alt texts as typed, one per
	// image field (files cannot be given back: they are chosen again).
	Images bool
	Alts   []string
	// Kept are the images the post being edited has, with what the
	// member typed for them (a new alt text, "remove"); the new files
	// come in the Alts fields beside them.
	Kept []keptImage
}

// AltsTyped reports whether an alt text was typed: the form's image
// fields then come back open.
func (d composeData) AltsTyped() bool {
	for _, a := range d.Alts {
		if a != "" {
			return true
		}
	}
	return false
}

// previewing reports whether the form's Preview button was pressed.
func previewing(r *http.Request) bool { return r.PostForm.Get("preview") != "" }

// preview fills d.Preview from d.Body, or d.Error when the body would be
// refused.
func (s *Server) preview(st *state, d *composeData) {
	html, err := s.cfg.Service.Preview(d.Body)
	if ve := asValidation(err); ve != nil {
		d.Error = s.validationMessage(st.tr, ve)
		return
	}
	d.Preview = html
}

func (s *Server) askForm(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if st.viewer == nil {
		return errSignIn
	}
	f, err := s.cfg.Service.ForumBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	d := composeData{Action: uris.AskPath(f.Slug), Forum: f, ForumText: forumText(f, st.tr.lang), HasTitle: true,
		Language: defaultPostLanguage(st), Languages: postLanguages(st.viewer, ""), SimilarOn: s.cfg.Search != nil,
		Images: s.cfg.Media != nil, Alts: make([]string, forum.MaxImages)}
	s.render(w, r, http.StatusOK, "compose", st.tr.T("ask.title"), d)
	return nil
}

func (s *Server) ask(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if st.viewer == nil {
		return errSignIn
	}
	f, err := s.cfg.Service.ForumBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	q := forum.Question{Title: r.PostForm.Get("title"), Body: r.PostForm.Get("body"), Language: r.PostForm.Get("language")}
	// typed is the form as sent, to give back with a message.
	typed := func() composeData {
		return composeData{Action: uris.AskPath(f.Slug), Forum: f, ForumText: forumText(f, st.tr.lang), HasTitle: true,
			Title: q.Title, Body: q.Body, Language: q.Language, Languages: postLanguages(st.viewer, q.Language),
			SimilarOn: s.cfg.Search != nil, Images: s.cfg.Media != nil, Alts: typedAlts(r)}
	}
	if r.PostForm.Get("similar") != "" && s.cfg.Search != nil {
		// "Was this asked before?" without JavaScript: the form comes
		// back as typed, with the questions like its title. Nothing is
		// asked.
		similar, err := s.cfg.Search.Similar(r.Context(), q.Title, similarLimit)
		if err != nil {
			return err
		}
		d := typed()
		d.Similar, d.Checked = similar, true
		s.render(w, r, http.StatusOK, "compose", st.tr.T("ask.title"), d)
		return nil
	}
	if previewing(r) {
		d := typed()
		s.preview(st, &d)
		s.render(w, r, http.StatusOK, "compose", st.tr.T("ask.title"), d)
		return nil
	}
	images, refused, err := s.postImages(r, st)
	if err != nil {
		return err
	}
	if refused != "" {
		d := typed()
		d.Error = refused
		s.render(w, r, http.StatusUnprocessableEntity, "compose", st.tr.T("ask.title"), d)
		return nil
	}
	q.Images = images
	t, err := s.cfg.Service.Ask(r.Context(), st.viewer, f.ID, q)
	if ve := asValidation(err); ve != nil {
		d := typed()
		d.Error = s.validationMessage(st.tr, ve)
		s.render(w, r, http.StatusBadRequest, "compose", st.tr.T("ask.title"), d)
		return nil
	} else if err != nil {
		return err
	}
	return s.redirectFlash(w, r, uris.ThreadPath(t.ID), "flash.question_posted")
}

// commonLanguages are offered for posts besides the member's own.
var commonLanguages = []string{"en", "es", "fr", "pt", "ar", "ca", "de", "it", "ko", "zh"}

// postLanguages lists the languages a post form offers first: the one
// already chosen (an edited post's), the member's, then the common ones.
// Every other ISO 639-1 language follows in a second group (languages.go).
func postLanguages(m *forum.Member, current string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(tags ...string) {
		for _, t := range tags {
			if t != "" && !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	add(current)
	if m != nil {
		add(m.Languages...)
	}
	add(commonLanguages...)
	return out
}

// defaultPostLanguage is the first language the member writes in, else the
// page's language.
func defaultPostLanguage(st *state) string {
	if st.viewer != nil && len(st.viewer.Languages) > 0 {
		return st.viewer.Languages[0]
	}
	return st.tr.lang
}
