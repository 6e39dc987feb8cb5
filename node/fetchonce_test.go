package node_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/federation/keys"
	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/redisstore"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
)

// slowActor is a remote account whose server counts the fetches of its
// actor document and answers slowly, so that concurrent fetches overlap.
type slowActor struct {
	srv     *httptest.Server
	fetches atomic.Int32
	tr      *signature.Transport
}

func newSlowActor(t *testing.T) *slowActor {
	t.Helper()
	key := testrig.Key(t, "remote-slow")
	pem := key.PublicPEM
	s := &slowActor{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/users/ines" {
			http.NotFound(w, r)
			return
		}
		s.fetches.Add(1)
		time.Sleep(300 * time.Millisecond)
		actor := s.srv.URL + "/users/ines"
		w.Header().Set("Content-Type", "application/activity+json")
		_ = json.NewEncoder(w).Encode(map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
			"id": actor, "type": "Person", "preferredUsername": "ines", "inbox": actor + "/inbox",
			"publicKey": map[string]string{"id": actor + "#main-key", "owner": actor, "publicKeyPem": pem}})
	}))
	t.Cleanup(s.srv.Close)
	s.tr = &signature.Transport{KeyID: s.srv.URL + "/users/ines#main-key", Key: key.Signer}
	return s
}

// like POSTs a signed Like to the inbox at addr, addressed to host.
func (s *slowActor) like(addr, host string, n int) (int, error) {
	actor := s.srv.URL + "/users/ines"
	body := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s/likes/%d","type":"Like","actor":"%s","object":"http://%s/"}`,
		actor, n, actor, host)
	req, _ := http.NewRequest("POST", "http://"+addr+"/inbox", strings.NewReader(body))
	req.Host = host
	req.Header.Set("Content-Type", "application/activity+json")
	resp, err := (&http.Client{Transport: s.tr, Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// process runs one node process on db, with base as its public URL; the
// processes of one node share one key source, as they share the keys.
func process(t *testing.T, db *storage.DB, ln net.Listener, base string, gate federation.FetchGate, ks keys.Source) {
	t.Helper()
	cfg := testConfig("fetchonce", base, db)
	cfg.Delivery, cfg.Shared.FetchGate, cfg.Keys = fastDelivery, gate, ks
	n, err := node.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: n.Handler}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
}

// TestOneActorFetchPerNode: a new remote actor sends many activities at
// once; its document is fetched once per node, whether the node is one
// process (requests merged in process) or two sharing the database with a
// Redis fetch gate (the second waits for the first's result).
func TestOneActorFetchPerNode(t *testing.T) {
	tests := []struct {
		name      string
		processes int
		redis     bool
	}{
		{"one process", 1, false},
		{"two processes, Redis gate", 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gates []federation.FetchGate
			for range tt.processes {
				gates = append(gates, nil)
			}
			if tt.redis {
				url := os.Getenv("AGORA_TEST_REDIS_URL")
				if url == "" {
					t.Skip("AGORA_TEST_REDIS_URL not set")
				}
				client, err := redisstore.Open(context.Background(), url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = client.Close() })
				prefix := fmt.Sprintf("agora-test-%d:", time.Now().UnixNano())
				for i := range gates {
					gates[i] = redisstore.NewGate(client, prefix)
				}
			}
			db := storetest.Open(t)
			var addrs []string
			var lns []net.Listener
			for range tt.processes {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				lns = append(lns, ln)
				addrs = append(addrs, ln.Addr().String())
			}
			host := addrs[0] // the node's public host, whichever process answers
			ks := testrig.NodeKeys()
			for i, ln := range lns {
				process(t, db, ln, "http://"+host, gates[i], ks)
			}
			remote := newSlowActor(t)
			const perProcess = 10
			var wg sync.WaitGroup
			statuses := make(chan string, perProcess*len(addrs))
			for i, addr := range addrs {
				for j := range perProcess {
					wg.Add(1)
					go func() {
						defer wg.Done()
						status, err := remote.like(addr, host, i*perProcess+j)
						if err != nil || status != http.StatusAccepted {
							statuses <- fmt.Sprintf("%s: %d %v", addr, status, err)
						}
					}()
				}
			}
			wg.Wait()
			close(statuses)
			for s := range statuses {
				t.Errorf("Like refused: %s", s)
			}
			if n := remote.fetches.Load(); n != 1 {
				t.Errorf("actor fetched %d times for %d activities on %d process(es), want once", n, perProcess*len(addrs), len(addrs))
			}
		})
	}
}
