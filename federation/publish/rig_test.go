package publish_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/markup"
	"github.com/metropolis/agora/forum/password"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/testrig"
	"github.com/metropolis/agora/uris"
)

// cityNode is what the publisher's tests run: a node's forum service and
// federation on db, the federation reading through store (db's store, or a
// wrapper of it that fails or counts).
type cityNode struct {
	svc   *forum.Service
	fed   *federation.Federation
	urls  *uris.Builder
	clock *testrig.Clock
}

func newCityNode(t *testing.T, db *storage.DB, store federation.Store) *cityNode {
	t.Helper()
	clock := testrig.NewClockAt(time.Now().UTC().Truncate(time.Second))
	ids := forum.NewULIDs(clock, nil)
	svc, err := forum.NewService(forum.Deps{Store: db.Store(), Clock: clock, IDs: ids, Hasher: password.NewFast(), Renderer: markup.New()})
	if err != nil {
		t.Fatal(err)
	}
	urls, err := uris.New("http://city.test")
	if err != nil {
		t.Fatal(err)
	}
	fed, err := federation.New(federation.Config{URLs: urls, Service: svc, Store: store,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: clock, IDs: ids, AllowLoopback: true, Delivery: dqConfig})
	if err != nil {
		t.Fatal(err)
	}
	return &cityNode{svc: svc, fed: fed, urls: urls, clock: clock}
}

// member makes a member of the node who writes in English.
func (c *cityNode) member(ctx context.Context, t *testing.T, username string) *forum.Member {
	t.Helper()
	m, err := c.svc.CreateMember(ctx, forum.SystemActor(), forum.NewAccount{Username: username,
		Profile: forum.Profile{DisplayName: username, Languages: []string{"en"}}}, forum.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
