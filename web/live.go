package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/live"
)

// Server-Sent Events streams: how often a comment keeps proxies from
// closing an idle stream, how long one stream lives before the browser
// reconnects (EventSource does so by itself), and the write deadline.
const (
	// maxStreams bounds the open streams of one process: each holds a
	// connection and a subscription. Beyond it pages simply stay static.
	maxStreams      = 10_000
	streamKeepAlive = 15 * time.Second
	streamLifetime  = 10 * time.Minute
	streamWrite     = 10 * time.Second
)

// threadEvents streams a thread's live updates (GET /t/{id}/events) to the
// thread page's script: an "answer" event names each new answer, which the
// script fetches with the page. Without JavaScript nobody asks for this.
func (s *Server) threadEvents(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !forum.ValidID(id) {
		return forum.ErrNotFound
	}
	// Whoever may read the thread may hear of its answers.
	if _, err := s.cfg.Service.ReadThread(r.Context(), stateOf(r).viewer, id, ""); err != nil {
		return err
	}
	if s.streams.Add(1) > maxStreams {
		s.streams.Add(-1)
		// EventSource does not retry after a 503: the page stays as it is.
		http.Error(w, "too many open streams", http.StatusServiceUnavailable)
		return nil
	}
	defer s.streams.Add(-1)
	ctx := r.Context()
	msgs, cancel := s.cfg.Live.Subscribe(ctx, live.ThreadTopic(id))
	defer cancel()
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events on at once
	w.WriteHeader(http.StatusOK)
	send := func(format string, a ...any) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(streamWrite))
		if _, err := fmt.Fprintf(w, format, a...); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send("retry: 3000\n: connected\n\n") {
		return nil
	}
	keepAlive := time.NewTicker(streamKeepAlive)
	defer keepAlive.Stop()
	lifetime := time.NewTimer(streamLifetime)
	defer lifetime.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.streamsDone:
			return nil
		case <-lifetime.C:
			return nil
		case <-keepAlive.C:
			if !send(": keep-alive\n\n") {
				return nil
			}
		case m, ok := <-msgs:
			if !ok {
				return nil
			}
			// The answer may have been written by another process: forget
			// this thread's pages cached here, or the script's fetch that
			// follows would get one without it.
			if b, ok := s.cfg.Changes.(interface{ ThreadChanged(id string) }); ok {
				b.ThreadChanged(id)
			} else if b, ok := s.cfg.Changes.(interface{ Bump() }); ok {
				b.Bump()
			}
			if !send("event: answer\nid: %s\ndata: %s\n\n", m.ID, m.Data) {
				return nil
			}
		}
	}
}

// StopStreams ends every open event stream, so that a graceful shutdown
// does not wait for them (browsers reconnect to another process).
func (s *Server) StopStreams() { s.stopStreams.Do(func() { close(s.streamsDone) }) }
