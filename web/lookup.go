package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// A link or a handle typed into search (federation.Lookup): what this node
// holds is shown to anyone; what it does not is fetched only for a
// signed-in member, within the sign-in limiter's budget under a key of
// its own (each such search may cost a fetch from another server).

// lookupData is what search shows for a link or a handle.
type lookupData struct {
	// Path, Title and Lang: where it is opened here and what it is called.
	Path, Title, Lang string
	// Member: a person, shown like search's members.
	Member *forum.Member
	// Message explains why nothing is shown (in the reader's language).
	Message string
}

// lookupLink answers a query that is a link or a handle; ok is false for
// any other query (or a node without federation).
func (s *Server) lookupLink(ctx context.Context, r *http.Request, q string) (d *lookupData, ok bool, err error) {
	if s.cfg.Federation == nil {
		return nil, false, nil
	}
	if _, _, ok := federation.LinkTarget(q); !ok {
		return nil, false, nil
	}
	st := stateOf(r)
	found, err := s.cfg.Federation.Lookup(ctx, q, false)
	if errors.Is(err, federation.ErrLookupUnknown) && st.viewer != nil {
		allowed, _, lerr := s.limiter.Allow(ctx, "lookup:"+st.viewer.ID)
		switch {
		case lerr != nil:
			return nil, true, lerr
		case !allowed:
			return &lookupData{Message: st.tr.T("search.lookup_later")}, true, nil
		}
		found, err = s.cfg.Federation.Lookup(ctx, q, true)
	}
	switch {
	case err == nil:
		return s.foundData(st, found), true, nil
	case errors.Is(err, federation.ErrLookupUnknown):
		return &lookupData{Message: st.tr.T("search.lookup_sign_in")}, true, nil
	case errors.Is(err, forum.ErrUnavailable):
		return nil, true, err
	case errors.Is(err, federation.ErrLookupRefused), errors.Is(err, forum.ErrNotFound):
		s.cfg.Logger.Info("search: link refused", "link", q, "err", err)
		return &lookupData{Message: st.tr.T("search.lookup_refused", "Link", q)}, true, nil
	}
	// The other server did not answer, or answered what the fetcher
	// refuses: the reader is told, the details are logged.
	s.cfg.Logger.Info("search: link lookup failed", "link", q, "err", err)
	return &lookupData{Message: st.tr.T("search.lookup_failed", "Link", q)}, true, nil
}

// foundData is what search shows of what a link named.
func (s *Server) foundData(st *state, f *federation.Found) *lookupData {
	switch {
	case f.Post != nil:
		d := &lookupData{Path: uris.ThreadPath(f.Thread.ID), Title: f.Thread.Title, Lang: f.Thread.Language}
		if f.Post.ParentID != "" {
			d.Path = uris.PostAnchor(f.Thread.ID, f.Post.ID)
		}
		return d
	case f.Forum != nil:
		t, lang := f.Forum.Text(st.tr.lang)
		return &lookupData{Path: uris.ForumPath(f.Forum.Slug), Title: t.Title, Lang: lang}
	case f.Member != nil:
		return &lookupData{Member: f.Member}
	}
	return &lookupData{Message: st.tr.T("search.lookup_refused", "Link", "")}
}
