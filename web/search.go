package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/uris"
)

// searchForm is the search page's form as the reader filled it: every
// field comes back as typed, with a message for a filter that could not
// be used.
type searchForm struct {
	Q, Forum, Org, Lang, Author, From, To, Sort string
	GoodPractice, Questions                     bool
}

type searchData struct {
	Form    searchForm
	Forums  []*forum.Forum
	Langs   []string
	Errors  []string
	Results *search.Results
	// NextURL is the next page's address, "" on the last.
	NextURL  string
	Searched bool
	// NoAuthor: the author filter names nobody, so nothing is searched.
	NoAuthor bool
	// Lookup: the query is a link or a handle, and what it named (or why
	// it cannot be shown); words are not searched then.
	Lookup *lookupData
}

// searchDateLayout is how the date filters are written (an <input
// type="date"> sends it).
const searchDateLayout = "2006-01-02"

// searchPage answers /search: posts, forums, members and tags matching
// the query, filtered and sorted as asked. Whatever the query holds, the
// answer is a page: a filter that makes no sense is named in the
// reader's language and left out.
func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Search == nil {
		return forum.ErrNotFound
	}
	st := stateOf(r)
	ctx := r.Context()
	in := r.URL.Query()
	f := searchForm{Q: in.Get("q"), Forum: in.Get("forum"), Org: strings.TrimSpace(in.Get("org")),
		Lang: in.Get("lang"), Author: strings.TrimSpace(in.Get("author")), From: in.Get("from"), To: in.Get("to"),
		Sort: in.Get("sort"), GoodPractice: in.Get("gp") == "1", Questions: in.Get("questions") == "1"}
	if len(f.Q) > search.MaxQueryLen*4 {
		f.Q = f.Q[:search.MaxQueryLen*4] // what is shown again; Parse reads less
	}
	d := &searchData{Form: f, Langs: []string{"en", "es", "fr", "pt"}}
	forums, err := s.cfg.Service.ListForums(ctx, "")
	if err != nil {
		return err
	}
	d.Forums = forums.Items
	req := search.Request{Text: f.Q, Organisation: f.Org, GoodPractice: f.GoodPractice, Questions: f.Questions,
		Sort: search.Relevance, ReaderLanguage: st.tr.lang, Cursor: in.Get("cursor")}
	if f.Sort == string(search.Newest) {
		req.Sort = search.Newest
	}
	for _, l := range d.Langs {
		if f.Lang == l {
			req.Language = l
		}
	}
	if f.Forum != "" {
		fo, err := s.cfg.Service.ForumBySlug(ctx, f.Forum)
		switch {
		case errors.Is(err, forum.ErrNotFound):
			d.Errors = append(d.Errors, st.tr.T("search.error_forum"))
		case err != nil:
			return err
		default:
			req.ForumID = fo.ID
		}
	}
	if f.Author != "" {
		m, err := s.cfg.Service.MemberByUsername(ctx, strings.TrimPrefix(f.Author, "@"))
		switch {
		case errors.Is(err, forum.ErrNotFound):
			d.Errors = append(d.Errors, st.tr.T("search.error_author", "Name", f.Author))
			d.NoAuthor = true
		case err != nil:
			return err
		default:
			req.AuthorID = m.ID
		}
	}
	if req.Since, err = parseSearchDate(f.From); err != nil {
		d.Errors = append(d.Errors, st.tr.T("search.error_date", "Date", f.From))
	}
	until, err := parseSearchDate(f.To)
	if err != nil {
		d.Errors = append(d.Errors, st.tr.T("search.error_date", "Date", f.To))
	} else if !until.IsZero() {
		req.Until = until.AddDate(0, 0, 1) // the whole day
	}
	if d.Lookup, _, err = s.lookupLink(ctx, r, f.Q); err != nil {
		return err
	}
	if strings.TrimSpace(f.Q) != "" && !d.NoAuthor && d.Lookup == nil {
		d.Searched = true
		if d.Results, err = s.cfg.Search.Search(ctx, req); err != nil {
			return err
		}
		if d.Results.Next != "" {
			next := r.URL.Query()
			next.Set("cursor", d.Results.Next)
			d.NextURL = "/search?" + next.Encode()
		}
	}
	title := st.tr.T("search.title")
	if d.Searched {
		title = st.tr.T("search.title_for", "Query", f.Q)
	}
	s.render(w, r, http.StatusOK, "search", title, d)
	return nil
}

// parseSearchDate reads a date filter; "" is no filter.
func parseSearchDate(s string) (time.Time, error) {
	if s = strings.TrimSpace(s); s == "" {
		return time.Time{}, nil
	}
	return time.Parse(searchDateLayout, s)
}

// similarLimit is how many earlier questions the ask form shows.
const similarLimit = 5

type similarItem struct {
	Title string `json:"title"`
	URL   string `json:"url"`
	Lang  string `json:"lang"`
}

// similarJSON answers the ask form's script, as the title is typed:
// questions like ?title=, as JSON (the script builds the list with text
// nodes only).
func (s *Server) similarJSON(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Search == nil {
		return forum.ErrNotFound
	}
	found, err := s.cfg.Search.Similar(r.Context(), r.URL.Query().Get("title"), similarLimit)
	if err != nil {
		return err
	}
	out := make([]similarItem, 0, len(found))
	for _, f := range found {
		out = append(out, similarItem{Title: f.Title, URL: uris.ThreadPath(f.ThreadID), Lang: f.Language})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(out)
}
