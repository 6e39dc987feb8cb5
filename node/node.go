// Package node assembles an agora node from its parts: storage, the forum
// service, federation and the web handler. The agora command, the demo and
// the multi-node tests all build nodes here, so they run the same wiring.
package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/markup"
	"github.com/metropolis/agora/forum/password"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/uris"
	"github.com/metropolis/agora/web"
)

// Config is what a node is built from. DB must be open and migrated.
type Config struct {
	BaseURL         string
	DefaultLanguage string
	DB              *storage.DB
	Logger          *slog.Logger
	// AllowLoopbackPeers lets federation talk to 127.0.0.0/8 and ::1 (tests
	// and the demo); production nodes leave it off.
	AllowLoopbackPeers bool
	AuthorizedFetch    bool
	SignatureSkew      time.Duration
	Delivery           federation.DeliveryConfig
	Software           federation.Software
	// Optional: tests fix these; zero values mean the real ones.
	Clock  forum.Clock
	IDs    forum.IDs
	Hasher forum.PasswordHasher
}

// Node is an assembled node.
type Node struct {
	URLs       *uris.Builder
	Service    *forum.Service
	Federation *federation.Federation
	Handler    http.Handler
	DB         *storage.DB
}

// New wires a node.
func New(cfg Config) (*Node, error) {
	if cfg.DB == nil || cfg.Logger == nil {
		return nil, errors.New("node: incomplete config")
	}
	urls, err := uris.New(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Clock == nil {
		cfg.Clock = forum.SystemClock{}
	}
	if cfg.IDs == nil {
		cfg.IDs = forum.NewULIDs(cfg.Clock, nil)
	}
	if cfg.Hasher == nil {
		cfg.Hasher = password.New()
	}
	svc, err := forum.NewService(forum.Deps{Store: cfg.DB.Store(), Clock: cfg.Clock, IDs: cfg.IDs,
		Hasher: cfg.Hasher, Renderer: markup.New()})
	if err != nil {
		return nil, fmt.Errorf("forum service: %w", err)
	}
	fed, err := federation.New(federation.Config{URLs: urls, Service: svc, Store: cfg.DB.Store(), Logger: cfg.Logger,
		Clock: cfg.Clock, IDs: cfg.IDs, AllowLoopback: cfg.AllowLoopbackPeers, AuthorizedFetch: cfg.AuthorizedFetch,
		SignatureSkew: cfg.SignatureSkew, Software: cfg.Software, Delivery: cfg.Delivery, Changes: cfg.DB.Changes()})
	if err != nil {
		return nil, fmt.Errorf("federation: %w", err)
	}
	h, err := web.New(web.Config{URLs: urls, DefaultLanguage: cfg.DefaultLanguage, Service: svc,
		Logger: cfg.Logger, Federation: fed, Changes: cfg.DB.Changes()})
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	return &Node{URLs: urls, Service: svc, Federation: fed, Handler: h, DB: cfg.DB}, nil
}

// Run runs the node's background work (federation) until ctx ends.
func (n *Node) Run(ctx context.Context) { n.Federation.Run(ctx) }
