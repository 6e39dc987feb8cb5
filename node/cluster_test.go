package node_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	fedfetch "github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
)

// peer is one running node of a test cluster, on its own loopback address.
type peer struct {
	name string
	*node.Node
	ln     net.Listener
	srv    *http.Server
	cancel context.CancelFunc
	done   chan struct{}
}

// fastDelivery makes retries quick enough for tests.
var fastDelivery = federation.DeliveryConfig{Poll: 20 * time.Millisecond, BaseBackoff: 50 * time.Millisecond,
	Workers: 8, PerHost: 4, BreakerAfter: 1000}

// startPeer runs a node on 127.0.0.<last>:0 with a fresh database.
func startPeer(t *testing.T, name string, last int) *peer {
	t.Helper()
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", last))
	if err != nil {
		t.Fatal(err)
	}
	return runPeer(t, name, ln, storetest.Open(t))
}

func runPeer(t *testing.T, name string, ln net.Listener, db *storage.DB) *peer {
	t.Helper()
	return runPeerWith(t, name, ln, db, fastDelivery, nil)
}

// runPeerWith runs a node with its own delivery settings, its handler
// wrapped by wrap (if set).
func runPeerWith(t *testing.T, name string, ln net.Listener, db *storage.DB, delivery federation.DeliveryConfig, wrap func(http.Handler) http.Handler) *peer {
	t.Helper()
	return runPeerConfig(t, name, ln, db, delivery, wrap, nil)
}

// runPeerConfig is runPeerWith with a resolver for peers' host names (nil:
// the system's).
func runPeerConfig(t *testing.T, name string, ln net.Listener, db *storage.DB, delivery federation.DeliveryConfig, wrap func(http.Handler) http.Handler, res fedfetch.Resolver) *peer {
	t.Helper()
	cfg := testConfig(name, "http://"+ln.Addr().String(), db)
	cfg.Delivery, cfg.Resolver = delivery, res
	return runNode(t, name, ln, cfg, wrap)
}

// runNode builds a node from cfg, serves it on ln (its handler wrapped by
// wrap, if set) and runs its workers until the test ends.
func runNode(t *testing.T, name string, ln net.Listener, cfg node.Config, wrap func(http.Handler) http.Handler) *peer {
	t.Helper()
	n, err := node.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := n.Handler
	if wrap != nil {
		h = wrap(h)
	}
	p := &peer{name: name, Node: n, ln: ln, srv: &http.Server{Handler: h}, cancel: cancel, done: make(chan struct{})}
	go func() { _ = p.srv.Serve(ln) }()
	go func() { n.Run(ctx); close(p.done) }()
	t.Cleanup(p.stop)
	return p
}

// abandon stops a node the way a crash would: no more serving and no
// more claiming, without waiting for what is in flight.
func (p *peer) abandon() {
	_ = p.srv.Close()
	p.cancel()
	p.cancel = nil
}

// stop shuts the node down (idempotent).
func (p *peer) stop() {
	if p.cancel == nil {
		return
	}
	// Open event streams end first, so that closing the server does not
	// wait on them.
	if st, ok := p.Handler.(interface{ StopStreams() }); ok {
		st.StopStreams()
	}
	_ = p.srv.Close()
	p.cancel()
	<-p.done
	p.cancel = nil
}

func (p *peer) member(t *testing.T, username, name, org string, role forum.Role, langs ...string) *forum.Member {
	t.Helper()
	m, err := p.Service.CreateMember(context.Background(), forum.SystemActor(), forum.NewAccount{Username: username,
		Profile: forum.Profile{DisplayName: name, Title: "Innovation Coordinator", Organisation: org, Languages: langs}}, role)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// view is a thread as a node shows it, in reading order, comparable across
// nodes: "author@host [nested] text (helpful N)" per post.
func (p *peer) view(t *testing.T, threadID forum.ID) (string, error) {
	v, err := p.Service.ReadThread(context.Background(), nil, threadID, "")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s | locked=%v\n", v.Thread.Title, v.Thread.Locked)
	for _, post := range v.Posts.Items {
		a := v.Authors[post.AuthorID]
		host := a.Domain
		if host == "" {
			host = p.URLs.Host()
		}
		indent := ""
		if post.Nested() {
			indent = "  "
		}
		text := strings.TrimSpace(post.HTML)
		if post.Deleted() {
			text = "[deleted]"
		}
		fmt.Fprintf(&b, "%s%s@%s %s [%s] helpful=%d\n", indent, a.Username, host, text, post.Language, post.HelpfulCount)
	}
	return b.String(), nil
}

func (p *peer) mustView(t *testing.T, threadID forum.ID) string {
	t.Helper()
	v, err := p.view(t, threadID)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// threadOn finds, on p, the copy of a thread by its question's URI.
func (p *peer) threadOn(uri string) (*forum.Thread, error) {
	if k, key := p.URLs.Parse(uri); k != 0 && p.URLs.IsLocal(uri) {
		return p.Service.Thread(context.Background(), key)
	}
	return p.Service.ThreadByURI(context.Background(), uri)
}

// same waits until every peer shows the thread (by question URI) alike.
func same(t *testing.T, what, uri string, peers ...*peer) string {
	t.Helper()
	var want string
	testrig.Eventually(t, what, func() (bool, string) {
		var views []string
		for _, p := range peers {
			th, err := p.threadOn(uri)
			if err != nil {
				return false, p.name + ": " + err.Error()
			}
			v, err := p.view(t, th.ID)
			if err != nil {
				return false, p.name + ": " + err.Error()
			}
			views = append(views, p.name+":\n"+v)
		}
		for _, v := range views[1:] {
			if v[strings.Index(v, "\n"):] != views[0][strings.Index(views[0], "\n"):] {
				return false, strings.Join(views, "\n")
			}
		}
		want = views[0][strings.Index(views[0], "\n")+1:]
		return true, ""
	})
	return want
}
