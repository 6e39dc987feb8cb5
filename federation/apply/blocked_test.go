package apply

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/blocks"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/uris"
)

// blockListStore answers ListDomainBlocks, DomainBlocksVersion and
// DomainBlocksMoves, the methods the block list reads.
type blockListStore struct{ blocks []*stored.DomainBlock }

func (s blockListStore) ListDomainBlocks(context.Context) ([]*stored.DomainBlock, error) {
	return s.blocks, nil
}

func (s blockListStore) DomainBlocksVersion(context.Context) (string, error) { return "1", nil }

func (s blockListStore) DomainBlocksMoves() uint64 { return 0 }

// stoppedClock is a clock that does not move.
type stoppedClock struct{}

func (stoppedClock) Now() time.Time { return time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC) }

// TestRefuseBlocked: which received activities lead to a blocked instance
// (bad.example): by their actor, their id, their object, the embedded
// post's author or parent, or the activity they announce or undo; a
// Delete's object is not checked, and look-alike names are not blocked.
func TestRefuseBlocked(t *testing.T) {
	urls, err := uris.New("https://node.example")
	if err != nil {
		t.Fatal(err)
	}
	st := blockListStore{blocks: []*stored.DomainBlock{{Domain: "bad.example"}}}
	a := &Applier{cfg: Config{URLs: urls, Blocks: blocks.New(st, stoppedClock{})}}
	const (
		good  = "https://good.example/users/gina"
		bad   = "https://bad.example/users/bob"
		sub   = "https://x.BAD.example:8443/users/sam"
		forum = "https://hub.example/f/digitalisation"
	)
	note := func(id, by, inReplyTo string) ap.Ref {
		return ap.Ref{Object: &ap.Object{ID: id, Type: ap.TypeNote, AttributedTo: by, InReplyTo: inReplyTo}}
	}
	create := func(actor string, o ap.Ref) *ap.Activity {
		return &ap.Activity{ID: "https://good.example/a/1", Type: ap.TypeCreate, Actor: actor, Object: o}
	}
	tests := []struct {
		name string
		act  *ap.Activity
		role string // "" if not refused
	}{
		{"reply to an unblocked post", create(good, note("https://good.example/n/2", good, "https://good.example/n/1")), ""},
		{"reply to a local post", create(good, note("https://good.example/n/2", good, urls.Post("01J"))), ""},
		{"reply to a look-alike host", create(good, note("https://good.example/n/2", good, "https://notbad.example/n/1")), ""},
		{"reply to a blocked post", create(good, note("https://good.example/n/2", good, "https://bad.example/n/1")), "inReplyTo"},
		{"reply to a post on a blocked subdomain", create(good, note("https://good.example/n/2", good, "https://x.bad.example/n/1")), "inReplyTo"},
		{"post attributed to a blocked actor", create(good, note("https://good.example/n/2", bad, "")), "attributedTo"},
		{"object on a blocked host, by reference", create(good, ap.Ref{IRI: "https://bad.example/n/1"}), "object"},
		{"actor on a blocked subdomain", create(sub, note("https://x.bad.example:8443/n/1", sub, "")), "actor"},
		{"Like of a blocked post", &ap.Activity{ID: "https://good.example/l/1", Type: ap.TypeLike, Actor: good,
			Object: ap.Ref{IRI: "https://bad.example/n/1"}}, "object"},
		{"Undo of a Like of a blocked post", &ap.Activity{ID: "https://good.example/u/1", Type: ap.TypeUndo, Actor: good,
			Object: ap.Ref{Activity: &ap.Activity{ID: "https://good.example/l/1", Type: ap.TypeLike, Actor: good,
				Object: ap.Ref{IRI: "https://bad.example/n/1"}}}}, "object"},
		{"forum Announce of a blocked instance's Create", &ap.Activity{ID: "https://hub.example/a/9", Type: ap.TypeAnnounce, Actor: forum,
			Object: ap.Ref{Activity: &ap.Activity{ID: "https://bad.example/a/1", Type: ap.TypeCreate, Actor: bad,
				Object: ap.Ref{IRI: "https://bad.example/n/1"}}}}, "object"},
		{"forum Announce of a reply to a blocked post", &ap.Activity{ID: "https://hub.example/a/9", Type: ap.TypeAnnounce, Actor: forum,
			Object: ap.Ref{Activity: create(good, note("https://good.example/n/2", good, "https://bad.example/n/1"))}}, "inReplyTo"},
		{"Delete of a blocked post by a moderator", &ap.Activity{ID: "https://hub.example/d/1", Type: ap.TypeDelete, Actor: forum,
			Object: ap.Ref{IRI: "https://bad.example/n/1"}}, ""},
		{"Delete by a blocked actor", &ap.Activity{ID: "https://bad.example/d/1", Type: ap.TypeDelete, Actor: bad,
			Object: ap.Ref{IRI: "https://bad.example/n/1"}}, "actor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := a.refuseBlocked(context.Background(), tt.act)
			if tt.role == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var perm *PermanentError
			if !errors.Is(err, fetch.ErrBlocked) || !errors.As(err, &perm) {
				t.Fatalf("error %v, want a permanent fetch.ErrBlocked", err)
			}
			if !strings.HasPrefix(err.Error(), tt.role+" ") {
				t.Errorf("error %q, want it to name the %s", err, tt.role)
			}
		})
	}
}
