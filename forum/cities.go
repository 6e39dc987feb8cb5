package forum

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Cities: the cities (and organisations) members come from. A member's
// city is one of the known cities, picked from a list or added once, so
// "Belo Horizonte" is one city whoever writes it and however it is spelt
// in case and spaces. Remote members' cities (from their profiles) join
// the same list: the hub lists every city that takes part.

// City is a city or organisation members belong to.
type City struct {
	ID        ID
	Name      string
	CreatedAt time.Time
}

// CityKey folds a city name for comparison: lower case, spaces collapsed.
func CityKey(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}

// CityStats are what a city contributed: members, answers (not deleted)
// and good practices, and the nodes its members write from ("" is this
// node).
type CityStats struct {
	Members       int
	Answers       int
	GoodPractices int
	Nodes         []string
}

// CityStore keeps the cities.
type CityStore interface {
	// CreateCity stores a city; ErrConflict if its folded name is taken.
	CreateCity(ctx context.Context, c *City) error
	CityByID(ctx context.Context, id ID) (*City, error)
	// CityByKey finds a city by its folded name (CityKey).
	CityByKey(ctx context.Context, key string) (*City, error)
	// ListCities lists cities by name (at most limit).
	ListCities(ctx context.Context, limit int) ([]*City, error)
	// CityStats counts each city's members, answers and good practices.
	CityStats(ctx context.Context) (map[ID]*CityStats, error)
	// ListCityMembers lists a city's members (local and remote) by name.
	ListCityMembers(ctx context.Context, cityID ID, limit int) ([]*Member, error)
	// ListDirectory lists local members and remote members who wrote
	// here, by display name (at most limit).
	ListDirectory(ctx context.Context, limit int) ([]*Member, error)
}

// CityListLimit bounds the cities and members one page lists.
const CityListLimit = 1000

// cityFor finds the city named name, adding it when it is new; nil for an
// empty name. It runs in the caller's transaction.
func (s *Service) cityFor(ctx context.Context, tx Store, name string) (*City, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return nil, nil
	}
	key := CityKey(name)
	c, err := tx.CityByKey(ctx, key)
	if err == nil {
		return c, nil
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	c = &City{ID: s.ids.New(), Name: name, CreatedAt: s.clock.Now()}
	if err := tx.CreateCity(ctx, c); err != nil {
		return nil, fmt.Errorf("add city %q: %w", name, err)
	}
	return c, nil
}

// placeMember sets a member's city from the name given (the profile's
// organisation), else the node's default city for a local member: the
// city's own spelling replaces what was typed.
func (s *Service) placeMember(ctx context.Context, tx Store, m *Member) error {
	name := m.Organisation
	if name == "" && m.Local() {
		name = s.defaultCity
	}
	c, err := s.cityFor(ctx, tx, name)
	if err != nil {
		return err
	}
	if c == nil {
		m.CityID, m.Organisation = "", ""
		return nil
	}
	m.CityID, m.Organisation = c.ID, c.Name
	return nil
}

// CityEntry is a city with what it contributed.
type CityEntry struct {
	*City
	CityStats
}

// Cities lists the cities that take part (with at least one member), by
// name, with their numbers.
func (s *Service) Cities(ctx context.Context) ([]*CityEntry, error) {
	cities, err := s.store.ListCities(ctx, CityListLimit)
	if err != nil {
		return nil, err
	}
	stats, err := s.store.CityStats(ctx)
	if err != nil {
		return nil, err
	}
	var out []*CityEntry
	for _, c := range cities {
		st := stats[c.ID]
		if st == nil || st.Members == 0 {
			continue
		}
		out = append(out, &CityEntry{City: c, CityStats: *st})
	}
	return out, nil
}

// KnownCities lists every known city by name, for the profile's choice.
func (s *Service) KnownCities(ctx context.Context) ([]*City, error) {
	return s.store.ListCities(ctx, CityListLimit)
}

// CityPage is a city's page: its members and its good practices.
type CityPage struct {
	City          *City
	Stats         CityStats
	Members       []*Member
	GoodPractices []*GoodPractice
}

// CityPage gathers a city's page.
func (s *Service) CityPage(ctx context.Context, id ID) (*CityPage, error) {
	if !ValidID(id) {
		return nil, ErrNotFound
	}
	c, err := s.store.CityByID(ctx, id)
	if err != nil {
		return nil, err
	}
	members, err := s.store.ListCityMembers(ctx, c.ID, CityListLimit)
	if err != nil {
		return nil, err
	}
	stats, err := s.store.CityStats(ctx)
	if err != nil {
		return nil, err
	}
	gp, err := s.GoodPractices(ctx, GoodPracticeFilter{City: c.Name})
	if err != nil {
		return nil, err
	}
	p := &CityPage{City: c, Members: members, GoodPractices: gp.Items}
	if st := stats[c.ID]; st != nil {
		p.Stats = *st
	}
	return p, nil
}

// DirectoryFilter narrows the member directory; empty fields match all.
type DirectoryFilter struct {
	CityID   ID
	Language string
	Role     Role
}

// Directory is the member directory: who takes part, from which city and
// node, with the choices each filter offers.
type Directory struct {
	Filter    DirectoryFilter
	Members   []*Member
	Cities    []*City
	Languages []string
}

// Directory lists this node's members and the remote members who wrote in
// its forums, narrowed by the filter.
func (s *Service) Directory(ctx context.Context, f DirectoryFilter) (*Directory, error) {
	all, err := s.store.ListDirectory(ctx, CityListLimit)
	if err != nil {
		return nil, err
	}
	cities, err := s.store.ListCities(ctx, CityListLimit)
	if err != nil {
		return nil, err
	}
	d := &Directory{Filter: f}
	langs, used := map[string]bool{}, map[ID]bool{}
	for _, m := range all {
		used[m.CityID] = true
		for _, l := range m.Languages {
			langs[l] = true
		}
		if f.matches(m) {
			d.Members = append(d.Members, m)
		}
	}
	for _, c := range cities {
		if used[c.ID] {
			d.Cities = append(d.Cities, c)
		}
	}
	d.Languages = sortedKeys(langs)
	sort.SliceStable(d.Members, func(i, j int) bool {
		return strings.ToLower(d.Members[i].DisplayName) < strings.ToLower(d.Members[j].DisplayName)
	})
	return d, nil
}

func (f DirectoryFilter) matches(m *Member) bool {
	if f.CityID != "" && m.CityID != f.CityID {
		return false
	}
	if f.Role != "" && m.Role != f.Role {
		return false
	}
	if f.Language != "" {
		for _, l := range m.Languages {
			if l == f.Language {
				return true
			}
		}
		return false
	}
	return true
}
