package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ReadyCheck is one dependency /readyz asks (besides the database).
type ReadyCheck struct {
	Name string // "redis"
	Ping func(ctx context.Context) error
}

// readyTimeout bounds each readiness check.
const readyTimeout = 2 * time.Second

// readyz answers 200 when the database and every configured dependency
// (Redis) answer, else 503 with the reasons. /healthz only says the
// process serves and its database answers; /readyz is for balancers and
// alerts that care about the rest.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	checks := append([]ReadyCheck{{Name: "database", Ping: s.cfg.Service.Ping}}, s.cfg.ReadyChecks...)
	var failed []string
	for _, c := range checks {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		err := c.Ping(ctx)
		cancel()
		if err != nil {
			s.cfg.Logger.Warn("readiness check failed", "check", c.Name, "err", err)
			failed = append(failed, c.Name+" unavailable")
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if len(failed) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = fmt.Fprintf(w, "not ready: %s\n", strings.Join(failed, ", "))
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}
