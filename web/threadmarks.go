package web

import (
	"context"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/notify"
)

// viewerMarks reads what the viewer marked on v's page and sets
// v.Helpful (v is the request's own copy of the cached view). With
// notifications, their watch, read position and helpful marks are one
// query (notify.ThreadMarks) with the header's unread count (kept in st
// for unread), returned for readPosition; without, only
// the helpful marks are read, and the marks returned are nil. Visitors
// have no marks.
func (s *Server) viewerMarks(ctx context.Context, st *state, v *forum.ThreadView) (*notify.ThreadMarks, error) {
	ids := make([]forum.ID, 0, len(v.Posts.Items))
	for _, p := range v.Posts.Items {
		ids = append(ids, p.ID)
	}
	if s.cfg.Notify == nil || st.viewer == nil {
		helpful, err := s.cfg.Service.HelpfulMarks(ctx, st.viewer, ids)
		if err != nil {
			return nil, err
		}
		v.Helpful = helpful
		return nil, nil
	}
	m, err := s.cfg.Notify.ThreadMarks(ctx, st.viewer.ID, v.Thread.ID, ids)
	if err != nil {
		return nil, err
	}
	v.Helpful = m.Helpful
	st.unread, st.unreadKnown = m.Unread, true // the page's header
	return &m, nil
}
