package web

import (
	"net/http"
	"sort"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// translateData is the form for a post's version in another language,
// with the original beside it.
type translateData struct {
	Post        *forum.Post
	ThreadTitle string
	Existing    []string // languages the post already has versions in
	Form        composeData
}

func (s *Server) translateForm(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if st.viewer == nil {
		return errSignIn
	}
	p, t, err := s.cfg.Service.PostInThread(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := forum.CanTranslate(st.viewer, t, p, ""); err != nil {
		return err
	}
	lang := r.URL.Query().Get("language")
	if lang == "" {
		lang = translationLanguage(st.viewer, p)
	}
	f := composeData{Language: lang}
	if tr, ok := p.Translations[lang]; ok {
		f.Title, f.Body = tr.Title, tr.Source
		if f.Body == "" {
			f.Body = tr.HTML // a version that arrived: edited from what it shows
		}
	}
	s.renderTranslate(w, r, http.StatusOK, p, t, f)
	return nil
}

func (s *Server) translate(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if st.viewer == nil {
		return errSignIn
	}
	id := r.PathValue("id")
	in := forum.TranslationInput{Language: r.PostForm.Get("language"), Title: r.PostForm.Get("title"), Body: r.PostForm.Get("body")}
	p, err := s.cfg.Service.TranslatePost(r.Context(), st.viewer, id, in)
	if ve := asValidation(err); ve != nil {
		p, t, err := s.cfg.Service.PostInThread(r.Context(), id)
		if err != nil {
			return err
		}
		f := composeData{Title: in.Title, Body: in.Body, Language: in.Language, Error: s.validationMessage(st.tr, ve)}
		if ve.Code == "error.translation_same_language" {
			f.Error = st.tr.T("translate.same_language", "Language", st.tr.LanguageName(p.Language))
		}
		s.renderTranslate(w, r, http.StatusBadRequest, p, t, f)
		return nil
	} else if err != nil {
		return err
	}
	return redirect(w, r, uris.PostAnchor(p.ThreadID, p.ID))
}

// renderTranslate shows the translation form; f holds what was typed.
func (s *Server) renderTranslate(w http.ResponseWriter, r *http.Request, status int, p *forum.Post, t *forum.Thread, f composeData) {
	st := stateOf(r)
	f.Action, f.IsEdit, f.HasTitle = uris.PostPath(p.ID)+"/translate", true, p.IsQuestion()
	// The post's own language stays in the list: the service says why it
	// is refused rather than the choice vanishing.
	f.Languages = postLanguages(st.viewer, f.Language)
	d := translateData{Post: p, ThreadTitle: t.Title, Form: f}
	for l := range p.Translations {
		d.Existing = append(d.Existing, l)
	}
	sort.Strings(d.Existing)
	s.render(w, r, status, "translate", st.tr.T("translate.title"), d)
}

// translationLanguage is the first language the member writes that the
// post is not in.
func translationLanguage(m *forum.Member, p *forum.Post) string {
	for _, l := range m.Languages {
		if l != p.Language {
			return l
		}
	}
	return ""
}
