package node_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/media"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
)

// fakeImage is an image of a post whose name is made of c (the file need
// not exist for federation: peers keep links).
func fakeImage(c, alt string) forum.Image {
	return forum.Image{Name: media.PostPrefix + strings.Repeat(c, 64) + ".png", Alt: alt, MediaType: "image/png", Width: 4, Height: 3}
}

// TestEditedImagesFederate: a city member's edit removes an image of her
// answer, re-describes another and adds a third; the Update carries the
// new attachment list and the hub's copy shows exactly it, in order.
func TestEditedImagesFederate(t *testing.T) {
	ctx := context.Background()
	hub := startPeer(t, "hub", 1)
	bcn := startPeer(t, "barcelona", 2)
	sec := hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
	marta := bcn.member(t, "marta", "Marta Puig", "Barcelona Metropolitan Area", forum.RoleMember, "es")
	f := hub.forum(t, "digitalisation", "Learning forum on digitalisation")
	if _, err := bcn.Federation.Join(ctx, forum.SystemActor(), hub.URLs.Forum(f.Slug)); err != nil {
		t.Fatal(err)
	}
	testrig.Eventually(t, "follow accepted", func() (bool, string) {
		j, err := bcn.Federation.Joined(ctx)
		return err == nil && len(j) == 1 && j[0].State == "accepted", "pending"
	})
	q, err := hub.Service.Ask(ctx, sec, f.ID, forum.Question{Title: "Who maps the fibre ducts?", Body: "Share your maps.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	qURI := hub.URLs.Thread(q.ID)
	same(t, "question on both", qURI, hub, bcn)
	th, err := bcn.threadOn(qURI)
	if err != nil {
		t.Fatal(err)
	}
	a, err := bcn.Service.Reply(ctx, marta, th.ID, "", forum.Answer{Body: "Nuestros mapas.", Language: "es",
		Images: []forum.Image{fakeImage("a", "Mapa viejo"), fakeImage("b", "Sección de un conducto")}})
	if err != nil {
		t.Fatal(err)
	}
	url := func(img forum.Image) string { return bcn.URLs.PostImage(a.ID, img.Name) }
	// onHub is the hub's copy's media: url=alt, in order.
	onHub := func() string {
		p, err := hub.Service.PostByURI(ctx, bcn.URLs.Post(a.ID))
		if err != nil {
			return err.Error()
		}
		var out []string
		for _, m := range p.Extras.Media {
			out = append(out, m.URL+"="+m.Name)
		}
		return strings.Join(out, " ")
	}
	wantBefore := url(fakeImage("a", "")) + "=Mapa viejo " + url(fakeImage("b", "")) + "=Sección de un conducto"
	testrig.Eventually(t, "answer with images on the hub", func() (bool, string) {
		got := onHub()
		return got == wantBefore, got
	})

	edited := []forum.Image{fakeImage("b", "Sección de un conducto con cuatro fibras"), fakeImage("c", "Mapa nuevo")}
	if _, err := bcn.Service.EditPost(ctx, marta, a.ID, forum.Edit{Body: "Nuestros mapas, al día.", Language: "es", Images: &edited}); err != nil {
		t.Fatal(err)
	}
	want := url(edited[0]) + "=Sección de un conducto con cuatro fibras " + url(edited[1]) + "=Mapa nuevo"
	testrig.Eventually(t, "the edit's images on the hub", func() (bool, string) {
		got := onHub()
		return got == want, got
	})

	// Removing them all reaches the hub too.
	none := []forum.Image{}
	if _, err := bcn.Service.EditPost(ctx, marta, a.ID, forum.Edit{Body: "Sin mapas.", Language: "es", Images: &none}); err != nil {
		t.Fatal(err)
	}
	testrig.Eventually(t, "no images left on the hub", func() (bool, string) {
		got := onHub()
		return got == "", got
	})
}

// TestMediaSweep: the node's sweep deletes an old file nothing uses
// (one an edit removed, one whose post was deleted, one no post took),
// keeps a file a post, an upload or an avatar uses, keeps a file shared
// by two posts while one of them stands, and keeps a fresh file nothing
// uses yet (a post may be about to take it).
func TestMediaSweep(t *testing.T) {
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dir := media.Dir{Path: t.TempDir()}
	cfg := testConfig("barcelona", "http://"+ln.Addr().String(), storetest.Open(t))
	cfg.Media = dir
	// The background sweep runs at start, before any file is old: the
	// test's own sweeps are the ones that count.
	cfg.MediaSweep = node.MediaSweepConfig{Every: time.Hour, Grace: time.Hour}
	n := runNode(t, "barcelona", ln, cfg, nil)
	marta := n.member(t, "marta", "Marta Puig", "Barcelona Metropolitan Area", forum.RoleMember, "es")
	admin := n.member(t, "admin", "Ada Admin", "Barcelona Metropolitan Area", forum.RoleAdmin, "es")
	f := n.forum(t, "digitalisation", "Learning forum on digitalisation")

	img := map[string]forum.Image{}
	for k, c := range []string{"shared", "removed", "kept", "deleted", "orphan", "fresh", "avatar"} {
		i := fakeImage(fmt.Sprintf("%x", k+1), c)
		if c == "avatar" {
			i.Name = strings.Repeat("f", 64) + ".png"
		}
		img[c] = i
		if err := dir.Put(ctx, i.Name, []byte(c)); err != nil {
			t.Fatal(err)
		}
	}
	q, err := n.Service.Ask(ctx, marta, f.ID, forum.Question{Title: "Who maps the fibre ducts?", Body: "Maps.", Language: "es",
		Images: []forum.Image{img["shared"]}})
	if err != nil {
		t.Fatal(err)
	}
	a1, err := n.Service.Reply(ctx, marta, q.ID, "", forum.Answer{Body: "The same map, and another.", Language: "es",
		Images: []forum.Image{img["shared"], img["removed"], img["kept"]}})
	if err != nil {
		t.Fatal(err)
	}
	a2, err := n.Service.Reply(ctx, marta, q.ID, "", forum.Answer{Body: "A map.", Language: "es", Images: []forum.Image{img["deleted"]}})
	if err != nil {
		t.Fatal(err)
	}
	keep := []forum.Image{img["shared"], img["kept"]}
	if _, err := n.Service.EditPost(ctx, marta, a1.ID, forum.Edit{Body: "The same map.", Language: "es", Images: &keep}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Service.DeletePost(ctx, marta, a2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Service.SetAvatar(ctx, marta, marta.ID, img["avatar"].Name); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-48 * time.Hour)
	for c, i := range img {
		if c == "fresh" {
			continue
		}
		if err := os.Chtimes(filepath.Join(dir.Path, i.Name), old, old); err != nil {
			t.Fatal(err)
		}
	}
	sweepAndCheck := func(what string, gone ...string) {
		t.Helper()
		if _, err := n.SweepMedia(ctx); err != nil {
			t.Fatal(err)
		}
		isGone := map[string]bool{}
		for _, c := range gone {
			isGone[c] = true
		}
		for c, i := range img {
			_, err := os.Stat(filepath.Join(dir.Path, i.Name))
			if exists := err == nil; exists == isGone[c] {
				t.Errorf("%s: %s file exists=%v, want %v", what, c, exists, !isGone[c])
			}
		}
	}
	sweepAndCheck("first sweep", "removed", "deleted", "orphan")

	// The answer sharing the question's file is deleted: the question
	// still uses it. Then the question's thread goes: nothing does.
	if _, err := n.Service.DeletePost(ctx, marta, a1.ID); err != nil {
		t.Fatal(err)
	}
	sweepAndCheck("after deleting one sharer", "removed", "deleted", "orphan", "kept")
	if _, err := n.Service.DeleteThread(ctx, admin, q.ID); err != nil {
		t.Fatal(err)
	}
	sweepAndCheck("after deleting the thread", "removed", "deleted", "orphan", "kept", "shared")
}
