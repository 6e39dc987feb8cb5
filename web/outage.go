package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/language"
)

// What a member typed survives a failure on our side: a form that could not
// be saved (the database unreachable, or a fault) is answered with a page
// that needs no database, holding the text typed in each field and a form
// that sends it again, to the same URL with the same CSRF token.

// keptField is one submitted form value.
type keptField struct {
	ID, Name, Label, Value string
	Rows                   int
	Lang                   string // the language of a post's title and text, when the form said it
}

type keptFormPage struct {
	Status  int
	Message string
	Action  string
	Texts   []keptField // what the member wrote, shown to copy or send again
	Hidden  []keptField // the form's other fields, sent again unchanged
	// Retry is false when the form held a password: it is never written
	// back into a page, so the form can't be sent again as it was.
	Retry bool
}

// memberText ranks the fields that carry text a member wrote (in the order
// they are shown); the number is the textarea's height.
var memberText = map[string]int{
	"title": 2, "display_name": 2, "organisation": 2, "body": 12, "reason": 5, "note": 2,
	"description": 5, "languages": 2, "username": 2, "target": 2,
}

// textField returns the catalog label and height of a member-text field:
// "title_es" and "description_fr" are the admin form's per-language texts.
func textField(name string) (base, lang string, rows int, ok bool) {
	if rows, ok := memberText[name]; ok {
		return name, "", rows, true
	}
	if base, lang, found := strings.Cut(name, "_"); found && (base == "title" || base == "description") {
		return base, lang, memberText[base], true
	}
	return "", "", 0, false
}

// keepForm answers a form that failed on our side: the error's status
// (503 with Retry-After when the database is unreachable), and the page
// holding what was typed. The CSRF token was checked before.
func (s *Server) keepForm(w http.ResponseWriter, r *http.Request, err error) {
	st := stateOf(r)
	status, msgID, retryAfter := classify(err)
	s.logError(r, status, err)
	d := keptFormPage{Status: status, Message: st.tr.T(msgID), Action: r.URL.RequestURI(), Retry: true}
	postLang := ""
	if tag, err := language.Parse(r.PostForm.Get("language")); err == nil {
		postLang = tag.String()
	}
	names := make([]string, 0, len(r.PostForm))
	for name := range r.PostForm {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		switch {
		case name == csrfField:
			continue
		case strings.Contains(name, "password"):
			d.Retry = false
			continue
		}
		base, lang, rows, text := textField(name)
		for i, v := range r.PostForm[name] {
			f := keptField{ID: "kept-" + name + "-" + strconv.Itoa(i), Name: name, Value: v, Rows: rows}
			if !text {
				d.Hidden = append(d.Hidden, f)
				continue
			}
			f.Label = st.tr.T("field." + base)
			if name == "title" || name == "body" {
				f.Lang = postLang
			}
			if lang != "" {
				f.Label += " (" + languageName(lang) + ")"
			}
			d.Texts = append(d.Texts, f)
		}
	}
	setRetryAfter(w, retryAfter)
	s.render(w, r, status, "kept_form", st.tr.T("kept.title"), d)
}

// sessionFailed answers a request whose session could not be loaded for a
// reason other than "no such session": the member is not signed out (the
// cookie stays), the database did not say who they are. A form is checked
// for its CSRF token as always, then kept; anything else gets the error
// page.
func (s *Server) sessionFailed(w http.ResponseWriter, r *http.Request, err error) {
	if r.Method == http.MethodPost {
		if ferr := checkForm(w, r); ferr != nil {
			s.renderError(w, r, ferr)
			return
		}
		s.keepForm(w, r, err)
		return
	}
	s.renderError(w, r, err)
}
