package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/report"
	"github.com/metropolis/agora/uris"
)

// The report's compose form: the report's languages and texts, then every
// question of the forum with a box to include it, its position, its
// highlights per language and its good-practice answers to box. No
// JavaScript: ordering is a number per question.

// maxReportFormBytes caps a report form: every text of a report at its
// limit in several languages fits, and a text far over its limit (10 MB
// pasted by mistake) still arrives whole, to be refused with a message
// and given back, rather than cut off unread.
const maxReportFormBytes = 24 << 20

// reportThreadScan bounds the questions the form offers.
const reportThreadScan = 200

type composeReportData struct {
	Forum     *forum.Forum
	ForumText map[string]string
	Report    *report.Report // nil for a new report
	Action    string
	Error     string
	Language  string
	Languages []string
	Texts     map[string]report.Text
	Questions []*reportFormQuestion
}

type reportFormQuestion struct {
	Thread     *forum.Thread
	Included   bool
	Position   int
	Highlights map[string]string
	Answers    []*reportFormAnswer
}

type reportFormAnswer struct {
	Post   *forum.Post
	Author *forum.Member
	Boxed  bool
	// Gone: the answer was deleted since it was boxed; the form shows it
	// so the moderator sees what changed.
	Gone    bool
	Excerpt string
}

func (s *Server) newReportForm(w http.ResponseWriter, r *http.Request) error {
	f, err := s.cfg.Service.ForumBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	st := stateOf(r)
	if err := forum.CanModerate(st.viewer); err != nil {
		return err
	}
	in := report.Input{Language: st.tr.lang, Texts: map[string]report.Text{}}
	return s.renderReportForm(w, r, http.StatusOK, f, nil, in, "")
}

func (s *Server) editReportForm(w http.ResponseWriter, r *http.Request) error {
	f, rep, err := s.reportOf(r)
	if err != nil {
		return err
	}
	if err := forum.CanModerate(stateOf(r).viewer); err != nil {
		return err
	}
	in := report.Input{Language: rep.Language, Texts: rep.Texts, Questions: rep.Questions}
	return s.renderReportForm(w, r, http.StatusOK, f, rep, in, "")
}

func (s *Server) createReport(w http.ResponseWriter, r *http.Request) error {
	f, err := s.cfg.Service.ForumBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	in := parseReportForm(r.PostForm)
	rep, err := s.cfg.Reports.Create(r.Context(), stateOf(r).viewer, f.ID, in)
	if ve := asValidation(err); ve != nil {
		return s.renderReportForm(w, r, http.StatusUnprocessableEntity, f, nil, in, s.validationMessage(stateOf(r).tr, ve))
	} else if err != nil {
		return err
	}
	return s.redirectFlash(w, r, uris.ForumReportPath(f.Slug, rep.ID), "flash.report_saved")
}

func (s *Server) updateReport(w http.ResponseWriter, r *http.Request) error {
	f, rep, err := s.reportOf(r)
	if err != nil {
		return err
	}
	in := parseReportForm(r.PostForm)
	_, err = s.cfg.Reports.Update(r.Context(), stateOf(r).viewer, rep.ID, in)
	if ve := asValidation(err); ve != nil {
		return s.renderReportForm(w, r, http.StatusUnprocessableEntity, f, rep, in, s.validationMessage(stateOf(r).tr, ve))
	} else if err != nil {
		return err
	}
	return s.redirectFlash(w, r, uris.ForumReportPath(f.Slug, rep.ID), "flash.report_saved")
}

// parseReportForm reads the form's fields: language; title.<lang>,
// introduction.<lang>, conclusion.<lang>; q (the questions included),
// pos.<thread>, hl.<thread>.<lang>, box.<thread> (answers).
func parseReportForm(form url.Values) report.Input {
	in := report.Input{Language: strings.TrimSpace(form.Get("language")), Texts: map[string]report.Text{}}
	for name, vs := range form {
		field, lang, ok := strings.Cut(name, ".")
		if !ok || len(vs) == 0 {
			continue
		}
		t := in.Texts[lang]
		switch field {
		case "title":
			t.Title = vs[0]
		case "introduction":
			t.Introduction = vs[0]
		case "conclusion":
			t.Conclusion = vs[0]
		default:
			continue
		}
		in.Texts[lang] = t
	}
	type placed struct {
		q   report.Question
		pos int
		at  int
	}
	var qs []placed
	for i, id := range form["q"] {
		pos, err := strconv.Atoi(strings.TrimSpace(form.Get("pos." + id)))
		if err != nil {
			pos = 1000 + i
		}
		q := report.Question{ThreadID: id, Highlights: map[string]string{}, Boxes: form["box."+id]}
		prefix := "hl." + id + "."
		for name, vs := range form {
			if lang, ok := strings.CutPrefix(name, prefix); ok && len(vs) > 0 {
				q.Highlights[lang] = vs[0]
			}
		}
		qs = append(qs, placed{q: q, pos: pos, at: i})
	}
	sort.SliceStable(qs, func(i, j int) bool { return qs[i].pos < qs[j].pos })
	for _, p := range qs {
		in.Questions = append(in.Questions, p.q)
	}
	return in
}

// renderReportForm shows the compose form with in (what is stored, or
// what was just typed) and an error message.
func (s *Server) renderReportForm(w http.ResponseWriter, r *http.Request, status int, f *forum.Forum, rep *report.Report, in report.Input, msg string) error {
	st := stateOf(r)
	d := composeReportData{Forum: f, ForumText: forumText(f, st.tr.lang), Report: rep, Error: msg,
		Language: in.Language, Texts: in.Texts, Action: uris.NewForumReportPath(f.Slug)}
	if rep != nil {
		d.Action = uris.ForumReportEditPath(f.Slug, rep.ID)
	}
	d.Languages = append(d.Languages, s.catalog.tags...)
	add := func(l string) {
		if l != "" && !slices.Contains(d.Languages, l) {
			d.Languages = append(d.Languages, l)
		}
	}
	add(in.Language)
	for l := range in.Texts {
		add(l)
	}
	qs, err := s.reportFormQuestions(r, f, in)
	if err != nil {
		return err
	}
	for _, q := range qs {
		for l := range q.Highlights {
			add(l)
		}
	}
	d.Questions = qs
	title := st.tr.T("forumreport.new_title")
	if rep != nil {
		title = st.tr.T("forumreport.edit_title", "Title", rep.Title(st.tr.lang))
	}
	s.render(w, r, status, "forumreport_form", title, d)
	return nil
}

// reportFormQuestions lists the forum's questions for the form: those the
// report includes first (in its order), then the others newest first; under
// each, its good-practice answers and the answers already boxed.
func (s *Server) reportFormQuestions(r *http.Request, f *forum.Forum, in report.Input) ([]*reportFormQuestion, error) {
	ctx := r.Context()
	var threads []*forum.Thread
	cursor := ""
	for len(threads) < reportThreadScan {
		list, err := s.cfg.Service.ListThreads(ctx, f.ID, cursor)
		if err != nil {
			return nil, err
		}
		threads = append(threads, list.Threads.Items...)
		if cursor = list.Threads.Next; cursor == "" {
			break
		}
	}
	gps, err := s.cfg.Service.GoodPractices(ctx, forum.GoodPracticeFilter{ForumID: f.ID})
	if err != nil {
		return nil, err
	}
	byThread := map[forum.ID]*reportFormQuestion{}
	var out []*reportFormQuestion
	for _, t := range threads {
		q := &reportFormQuestion{Thread: t, Highlights: map[string]string{}}
		byThread[t.ID] = q
	}
	for i, iq := range in.Questions {
		q := byThread[iq.ThreadID]
		if q == nil {
			t, err := s.cfg.Service.Thread(ctx, iq.ThreadID)
			if errors.Is(err, forum.ErrNotFound) || errors.Is(err, forum.ErrGone) {
				continue // gone: the error message says so
			} else if err != nil {
				return nil, err
			}
			q = &reportFormQuestion{Thread: t}
			byThread[t.ID] = q
		}
		q.Included, q.Position, q.Highlights = true, i+1, iq.Highlights
		out = append(out, q)
	}
	for _, t := range threads {
		if q := byThread[t.ID]; !q.Included {
			out = append(out, q)
		}
	}
	boxed := map[forum.ID]bool{}
	for _, iq := range in.Questions {
		for _, id := range iq.Boxes {
			boxed[id] = true
		}
	}
	seen := map[forum.ID]bool{}
	for _, g := range gps.Items {
		if q := byThread[g.Thread.ID]; q != nil {
			q.Answers = append(q.Answers, &reportFormAnswer{Post: g.Post, Author: g.Author, Boxed: boxed[g.Post.ID],
				Excerpt: excerpt(g.Post.HTML)})
			seen[g.Post.ID] = true
		}
	}
	// Boxed answers that are no longer marked, or were deleted.
	for _, iq := range in.Questions {
		q := byThread[iq.ThreadID]
		if q == nil {
			continue
		}
		for _, id := range iq.Boxes {
			if seen[id] {
				continue
			}
			seen[id] = true
			p, err := s.cfg.Service.Post(ctx, id)
			if errors.Is(err, forum.ErrNotFound) {
				q.Answers = append(q.Answers, &reportFormAnswer{Post: &forum.Post{ID: id}, Boxed: true, Gone: true})
				continue
			} else if err != nil {
				return nil, err
			}
			a := &reportFormAnswer{Post: p, Boxed: true, Gone: p.Deleted() || p.ThreadID != iq.ThreadID, Excerpt: excerpt(p.HTML)}
			if ms, err := s.cfg.Service.Members(ctx, []forum.ID{p.AuthorID}); err == nil {
				a.Author = ms[p.AuthorID]
			} else {
				return nil, err
			}
			q.Answers = append(q.Answers, a)
		}
	}
	return out, nil
}

// excerpt is the start of an answer's text, for the form's choices.
func excerpt(html string) string {
	return shortText(report.Blocks(html).Text(), 240)
}

func shortText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
