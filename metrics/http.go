package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// routeKey keys the request's route holder in its context.
type routeKey struct{}

// route is filled by RecordRoute with the pattern of the ServeMux that
// chose the handler; the innermost mux wins.
type route struct{ pattern string }

// Instrument measures every request through next, labelled with the route
// pattern that served it ("GET /t/{id}"), never the raw path: the label set
// stays bounded whatever URLs clients try.
func (m *Metrics) Instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rt := &route{}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), routeKey{}, rt)))
		pattern := rt.pattern
		if pattern == "" {
			pattern = "unmatched"
		}
		m.requests.WithLabelValues(pattern, methodLabel(r.Method), strconv.Itoa(rec.status)).
			Observe(time.Since(start).Seconds())
	})
}

// RecordRoute wraps a ServeMux: once it has routed a request, its pattern
// is recorded for Instrument (if no inner mux recorded one first). It needs
// no Metrics, so a handler can be built with or without them.
func RecordRoute(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		// ServeMux sets Pattern on the request it was given.
		if rt, ok := r.Context().Value(routeKey{}).(*route); ok && rt.pattern == "" {
			rt.pattern = r.Pattern
		}
	})
}

// methodLabel keeps the method label bounded.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

type statusRecorder struct {
	http.ResponseWriter
	status  int
	written bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.written {
		r.status, r.written = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.written = true
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flushes and
// deadlines for streamed responses).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush forwards to the underlying writer when it can flush.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		r.written = true
		f.Flush()
	}
}
