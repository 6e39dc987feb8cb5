package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/oauth"
	"github.com/metropolis/agora/uris"
)

type profileData struct {
	Member  *forum.Member
	Posts   forum.Page[*forum.Post]
	CanEdit bool
	// Uploads: the node keeps pictures (the "Change picture" link).
	Uploads bool
	// Own: the member reads their own profile; Apps are then the apps
	// they authorized (Mastodon apps), each with a revoke button.
	Own     bool
	Apps    []oauth.Authorization
	Revoked bool
}

func (s *Server) profile(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	m, err := s.cfg.Service.MemberByUsername(r.Context(), r.PathValue("username"))
	if err != nil {
		return err
	}
	posts, err := s.cfg.Service.MemberPosts(r.Context(), m.ID, r.URL.Query().Get("before"))
	if err != nil {
		return err
	}
	d := profileData{Member: m, Posts: posts, CanEdit: forum.CanEditProfile(st.viewer, m) == nil, Uploads: s.cfg.Media != nil}
	if st.viewer != nil && st.viewer.ID == m.ID && s.cfg.OAuth != nil {
		d.Own, d.Revoked = true, r.URL.Query().Get("revoked") == "1"
		if d.Apps, err = s.cfg.OAuth.Authorizations(r.Context(), m.ID); err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "private, no-store")
	}
	s.render(w, r, http.StatusOK, "profile", m.DisplayName, d)
	return nil
}

// profileFormData is also the invitation form: the same fields.
type profileFormData struct {
	Action     string
	Invitation bool
	Username   string
	Profile    forum.Profile
	// LanguageChoices are the languages offered as checkboxes: the
	// member's own first (in their order), then the interface's; Checked
	// says which the member writes in. Any other language is picked from
	// the full list.
	LanguageChoices []string
	Checked         map[string]bool
	UILanguages     []string
	// NodeZone is the node's time zone, used when the member names none.
	NodeZone string
	// Cities are the known cities the member picks from.
	Cities []*forum.City
	// NewCity is a city typed that is not known yet: it comes back as
	// typed when the form is refused.
	NewCity string
	Error   string
}

// renderProfileForm renders the profile (or invitation) form with the
// known cities to pick from.
func (s *Server) renderProfileForm(w http.ResponseWriter, r *http.Request, status int, title string, d profileFormData) error {
	cities, err := s.cfg.Service.KnownCities(r.Context())
	if err != nil {
		return err
	}
	d.Cities = cities
	d.NewCity = d.Profile.Organisation
	for _, c := range cities {
		if c.Name == d.Profile.Organisation {
			d.NewCity = ""
		}
	}
	s.render(w, r, status, "profile_form", title, d)
	return nil
}

func (s *Server) profileForm(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	m, err := s.cfg.Service.MemberByUsername(r.Context(), r.PathValue("username"))
	if err != nil {
		return err
	}
	if err := forum.CanEditProfile(st.viewer, m); err != nil {
		return err
	}
	p := forum.Profile{DisplayName: m.DisplayName, Title: m.Title, Organisation: m.Organisation,
		Languages: m.Languages, UILanguage: m.UILanguage, TimeZone: m.TimeZone}
	// A member who chose no zone is offered their browser's, to keep.
	if loc := s.browserZone(r); p.TimeZone == "" && st.viewer.ID == m.ID && loc != nil {
		p.TimeZone = loc.String()
	}
	return s.renderProfileForm(w, r, http.StatusOK, st.tr.T("profile.edit_title"), s.profileFormOf(uris.MemberEditPath(m.Username), m.Username, p, ""))
}

func (s *Server) profileFormOf(action, username string, p forum.Profile, errMsg string) profileFormData {
	d := profileFormData{Action: action, Username: username, Profile: p, UILanguages: s.catalog.tags,
		Checked: map[string]bool{}, Error: errMsg, NodeZone: s.zone.String()}
	for _, l := range p.Languages {
		d.Checked[l] = true
	}
	for _, l := range append(slices.Clone(p.Languages), s.catalog.tags...) {
		if !slices.Contains(d.LanguageChoices, l) {
			d.LanguageChoices = append(d.LanguageChoices, l)
		}
	}
	return d
}

// profileFromForm reads the profile fields shared by the profile and
// invitation forms. Languages come as checkboxes and a pick from the full
// list (each "languages" value; a value may also be a comma-separated list,
// as scripts and older forms send), kept in order without repeats.
func profileFromForm(r *http.Request) forum.Profile {
	var langs []string
	for _, v := range r.PostForm["languages"] {
		for _, l := range strings.Split(v, ",") {
			if l = strings.TrimSpace(l); l != "" && !slices.Contains(langs, l) {
				langs = append(langs, l)
			}
		}
	}
	return forum.Profile{
		DisplayName:  r.PostForm.Get("display_name"),
		Title:        r.PostForm.Get("title"),
		Organisation: cityFromForm(r),
		Languages:    langs,
		UILanguage:   r.PostForm.Get("ui_language"),
		TimeZone:     strings.TrimSpace(r.PostForm.Get("time_zone")),
	}
}

// cityFromForm is the member's city: one typed in "new_city" (a city not
// listed yet), else the one picked.
func cityFromForm(r *http.Request) string {
	if c := strings.TrimSpace(r.PostForm.Get("new_city")); c != "" {
		return c
	}
	return r.PostForm.Get("organisation")
}

func (s *Server) editProfile(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	m, err := s.cfg.Service.MemberByUsername(r.Context(), r.PathValue("username"))
	if err != nil {
		return err
	}
	p := profileFromForm(r)
	m, err = s.cfg.Service.UpdateProfile(r.Context(), st.viewer, m.ID, p)
	if ve := asValidation(err); ve != nil {
		d := s.profileFormOf(uris.MemberEditPath(r.PathValue("username")), r.PathValue("username"), p, s.validationMessage(st.tr, ve))
		return s.renderProfileForm(w, r, http.StatusBadRequest, st.tr.T("profile.edit_title"), d)
	} else if err != nil {
		return err
	}
	return s.redirectFlash(w, r, uris.MemberPath(m.Username), "flash.profile_saved")
}
