package web

import (
	"net/http"

	"github.com/metropolis/agora/forum"
)

// citiesData is /cities: every city that takes part, with its numbers.
type citiesData struct {
	Cities []*forum.CityEntry
	Host   string // this node's host, for members' home nodes
}

func (s *Server) citiesPage(w http.ResponseWriter, r *http.Request) error {
	cities, err := s.cfg.Service.Cities(r.Context())
	if err != nil {
		return err
	}
	st := stateOf(r)
	s.render(w, r, http.StatusOK, "cities", st.tr.T("cities.title"), citiesData{Cities: cities, Host: s.cfg.URLs.Host()})
	return nil
}

type cityData struct {
	*forum.CityPage
	Host string
}

func (s *Server) cityPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.cfg.Service.CityPage(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "city", p.City.Name, cityData{CityPage: p, Host: s.cfg.URLs.Host()})
	return nil
}

type directoryData struct {
	*forum.Directory
	Roles []forum.Role
	Host  string
}

// membersPage is the member directory, filtered by city, language and
// role.
func (s *Server) membersPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d, err := s.cfg.Service.Directory(r.Context(), forum.DirectoryFilter{CityID: q.Get("city"),
		Language: q.Get("language"), Role: forum.Role(q.Get("role"))})
	if err != nil {
		return err
	}
	st := stateOf(r)
	s.render(w, r, http.StatusOK, "members", st.tr.T("members.title"), directoryData{Directory: d,
		Roles: []forum.Role{forum.RoleMember, forum.RoleModerator, forum.RoleAdmin}, Host: s.cfg.URLs.Host()})
	return nil
}
