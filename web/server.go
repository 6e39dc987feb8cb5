// Package web serves the node over HTTP: pages for people (html/template, no
// JavaScript needed) in English, Spanish and French.
package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// Config is what the web layer is built from.
type Config struct {
	URLs            *uris.Builder
	DefaultLanguage string // the node's default UI language: en, es or fr
	Service         *forum.Service
	Logger          *slog.Logger
}

// Server is the node's HTTP handler.
type Server struct {
	cfg Config
	mux *http.ServeMux
}

// New checks cfg and builds the handler.
func New(cfg Config) (*Server, error) {
	if cfg.URLs == nil || cfg.Service == nil || cfg.Logger == nil {
		return nil, errors.New("web: incomplete config")
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux()}
	s.routes()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", s.healthz)
}

// healthz answers 200 when the database answers.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if err := s.cfg.Service.Ping(r.Context()); err != nil {
		s.cfg.Logger.Warn("health check failed", "err", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}
