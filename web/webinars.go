package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// webinarForm is the new-event form, as typed.
type webinarForm struct {
	Action    string
	Forum     *forum.Forum
	ForumText map[string]string
	Language  string
	Languages []string
	// Texts are the title and description per language, in the order
	// shown: the event's language first, then the other interface ones.
	Texts     []webinarFormText
	Starts    string
	Ends      string
	TimeZone  string
	OnlineURL string
	Speakers  string
	Programme string
	Error     string
	// ErrorField is the field the error is about (its input points to it).
	ErrorField string
	// Editing is set on the edit form of an existing event (Action is
	// then its edit address).
	Editing bool
}

type webinarFormText struct {
	Lang        string
	Title       string
	Description string
}

func (s *Server) newWebinarForm(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	f, err := s.webinarForum(r)
	if err != nil {
		return err
	}
	d := webinarForm{Language: defaultPostLanguage(st), TimeZone: st.zone.String()}
	s.renderWebinarForm(w, r, http.StatusOK, f, d)
	return nil
}

// webinarForum is the local forum of the URL, for a moderator.
func (s *Server) webinarForum(r *http.Request) (*forum.Forum, error) {
	st := stateOf(r)
	if st.viewer == nil {
		return nil, errSignIn
	}
	if err := forum.CanModerate(st.viewer); err != nil {
		return nil, err
	}
	f, err := s.cfg.Service.ForumBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	if !f.Local() {
		return nil, forum.ErrForbidden
	}
	return f, nil
}

func (s *Server) renderWebinarForm(w http.ResponseWriter, r *http.Request, status int, f *forum.Forum, d webinarForm) {
	st := stateOf(r)
	if d.Action == "" {
		d.Action = uris.WebinarsPath(f.Slug)
	}
	d.Forum, d.ForumText = f, forumText(f, st.tr.lang)
	d.Languages = postLanguages(st.viewer, d.Language)
	// One set of fields per language: the event's, then the interface
	// languages, each with what was typed in it.
	typed := map[string]webinarFormText{}
	for _, t := range d.Texts {
		typed[t.Lang] = t
	}
	seen := map[string]bool{}
	d.Texts = nil
	for _, l := range append([]string{d.Language}, s.catalog.tags...) {
		if l == "" || seen[l] {
			continue
		}
		seen[l] = true
		t := typed[l]
		t.Lang = l
		d.Texts = append(d.Texts, t)
	}
	title := st.tr.T("event.new_title")
	if d.Editing {
		title = st.tr.T("event.edit_title")
	}
	s.render(w, r, status, "webinar_form", title, d)
}

func (s *Server) createWebinar(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	f, err := s.webinarForum(r)
	if err != nil {
		return err
	}
	in, typed := webinarInputOf(r)
	wb, err := s.cfg.Service.CreateWebinar(r.Context(), st.viewer, f.ID, in)
	if ve := asValidation(err); ve != nil {
		s.renderWebinarForm(w, r, http.StatusBadRequest, f, s.webinarFormAgain(st, in, typed, ve))
		return nil
	} else if err != nil {
		return err
	}
	return redirect(w, r, uris.WebinarPath(wb.ID))
}

// webinarInputOf reads the event form: the input for the service, and the
// texts as typed, to give the form back.
func webinarInputOf(r *http.Request) (forum.WebinarInput, []webinarFormText) {
	in := forum.WebinarInput{Language: r.PostForm.Get("language"), Texts: map[string]forum.WebinarText{},
		Starts: r.PostForm.Get("starts"), Ends: r.PostForm.Get("ends"), TimeZone: r.PostForm.Get("time_zone"),
		OnlineURL: r.PostForm.Get("online_url"), Speakers: r.PostForm.Get("speakers"), Programme: r.PostForm.Get("programme")}
	var typed []webinarFormText
	for _, l := range r.PostForm["text_lang"] {
		t := webinarFormText{Lang: l, Title: r.PostForm.Get("title_" + l), Description: r.PostForm.Get("description_" + l)}
		typed = append(typed, t)
		in.Texts[l] = forum.WebinarText{Title: t.Title, Description: t.Description}
	}
	return in, typed
}

// webinarFormAgain is the form as typed, with what is wrong with it.
func (s *Server) webinarFormAgain(st *state, in forum.WebinarInput, typed []webinarFormText, ve *forum.ValidationError) webinarForm {
	d := webinarForm{Language: in.Language, Texts: typed, Starts: in.Starts, Ends: in.Ends, TimeZone: in.TimeZone,
		OnlineURL: in.OnlineURL, Speakers: in.Speakers, Programme: in.Programme, ErrorField: ve.Field,
		Error: s.validationMessage(st.tr, ve)}
	if ve.Code == "error.event_ends_before_start" {
		d.Error = st.tr.T("event.ends_before_start")
	}
	return d
}

// webinarData is an event's page.
type webinarData struct {
	Webinar   *forum.Webinar
	Text      forum.WebinarText
	TextLang  string
	Forum     *forum.Forum
	ForumText map[string]string
	Thread    *forum.Thread
	Speakers  []speakerItem
	Attendees []*forum.Member
	Going     bool
	CanRSVP   bool
	Past      bool
	// CanChange is set for a moderator of the event's forum, here, while
	// it is coming and not cancelled: they may edit or cancel it.
	CanChange bool
	// OrganiserZone is set when the organiser's zone differs from the
	// reader's: the times are then given in both.
	OrganiserZone string
	Error         string
}

type speakerItem struct {
	Name   string
	Member *forum.Member
}

func (s *Server) webinarPage(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Federation != nil {
		w.Header().Add("Vary", "Accept")
		if federation.WantsActivityJSON(r) {
			// The Event is the discussion thread's question (its id).
			wb, err := s.cfg.Service.Webinar(r.Context(), r.PathValue("id"))
			if err != nil {
				return err
			}
			http.Redirect(w, r, uris.ThreadPath(wb.ThreadID), http.StatusFound)
			return nil
		}
	}
	return s.showWebinar(w, r, http.StatusOK, "")
}

func (s *Server) showWebinar(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	st := stateOf(r)
	ctx := r.Context()
	wb, err := s.cfg.Service.Webinar(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	f, err := s.cfg.Service.ForumByID(ctx, wb.ForumID)
	if err != nil {
		return err
	}
	d := webinarData{Webinar: wb, Forum: f, ForumText: forumText(f, st.tr.lang), Error: problem}
	d.Text, d.TextLang = wb.Text(st.tr.lang)
	if d.Thread, err = s.cfg.Service.Thread(ctx, wb.ThreadID); err != nil && !errors.Is(err, forum.ErrGone) {
		return err
	}
	ids := make([]forum.ID, 0, len(wb.Speakers))
	for _, sp := range wb.Speakers {
		if sp.MemberID != "" {
			ids = append(ids, sp.MemberID)
		}
	}
	ms, err := s.cfg.Service.Members(ctx, ids)
	if err != nil {
		return err
	}
	for _, sp := range wb.Speakers {
		d.Speakers = append(d.Speakers, speakerItem{Name: sp.Name, Member: ms[sp.MemberID]})
	}
	if d.Attendees, d.Going, err = s.cfg.Service.Attendees(ctx, wb.ID, st.viewer); err != nil {
		return err
	}
	d.Past = wb.Past(s.cfg.Service.Now())
	d.CanRSVP = st.viewer != nil && st.viewer.Local() && !d.Past && !wb.Cancelled
	d.CanChange = f.Local() && !d.Past && !wb.Cancelled && forum.CanModerate(st.viewer) == nil
	if zone := st.zone; zone.String() != wb.TimeZone {
		d.OrganiserZone = wb.TimeZone
	}
	s.render(w, r, status, "webinar", d.Text.Title, d)
	return nil
}

func (s *Server) rsvp(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if st.viewer == nil {
		return errSignIn
	}
	wb, err := s.cfg.Service.RSVP(r.Context(), st.viewer, r.PathValue("id"), r.PostForm.Get("going") == "1")
	if ve := asValidation(err); ve != nil {
		return s.showWebinar(w, r, http.StatusBadRequest, st.tr.T(ve.Code))
	} else if err != nil {
		return err
	}
	return redirect(w, r, uris.WebinarPath(wb.ID))
}

// TimeIn is an instant in the named zone (the organiser's), written
// like LocalTime.
func (v *view) TimeIn(zone string, t time.Time) string {
	c := *v
	if loc, err := forum.LoadTimeZone("time_zone", zone); err == nil {
		c.zone = loc
	}
	return c.LocalTime(t)
}
