package storage_test

import (
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

// TestSearchPosts: posts whose markdown or HTML holds a needle, ignoring
// ASCII case, newest first; deleted posts and posts of deleted threads
// are left out; LIKE's wildcards in a needle match only themselves.
func TestSearchPosts(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		_, q := f.newThread(t, s, "question")
		edit := func(p *forum.Post, source, html string) {
			t.Helper()
			p.Source, p.HTML = source, html
			wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), p), nil)
		}
		md := f.reply(t, s, q)
		edit(md, "See #Civic_Tech", "<p>See #Civic_Tech</p>")
		remote := f.reply(t, s, q)
		edit(remote, "", `<p><a href="x">#<span>civic_tech</span></a></p>`)
		wildcard := f.reply(t, s, q)
		edit(wildcard, "#civicXtech", "<p>#civicXtech</p>")
		deleted := f.reply(t, s, q)
		edit(deleted, "#civic_tech", "")
		deleted.DeletedAt = ptr(t0)
		wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), deleted), nil)
		gone, gq := f.newThread(t, s, "gone")
		edit(gq, "#civic_tech", "")
		gone.DeletedAt = ptr(t0.Add(time.Minute))
		wantErr(t, "UpdateThread", s.UpdateThread(ctx(t), gone), nil)

		got, err := s.SearchPosts(ctx(t), []string{"#civic_tech", "#<span>civic_tech</span>"}, 10)
		wantErr(t, "SearchPosts", err, nil)
		var ids []forum.ID
		for _, p := range got {
			ids = append(ids, p.ID)
		}
		same(t, "SearchPosts", ids, []forum.ID{remote.ID, md.ID})
		got, err = s.SearchPosts(ctx(t), nil, 10)
		wantErr(t, "SearchPosts without needles", err, nil)
		same(t, "SearchPosts without needles", len(got), 0)
	})
}

func TestActorHandles(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		_, err := s.ActorHandle(ctx(t), "ana@social.example")
		wantErr(t, "ActorHandle unknown", err, forum.ErrNotFound)
		h := &federation.ActorHandle{Acct: "ana@social.example", ActorURI: "https://social.example/users/ana", ResolvedAt: t0}
		wantErr(t, "SaveActorHandle", s.SaveActorHandle(ctx(t), h), nil)
		h.ActorURI, h.ResolvedAt = "https://moved.example/users/ana", t0.Add(time.Hour)
		wantErr(t, "SaveActorHandle again", s.SaveActorHandle(ctx(t), h), nil)
		got, err := s.ActorHandle(ctx(t), h.Acct)
		wantErr(t, "ActorHandle", err, nil)
		same(t, "ActorHandle replaced", got, h)
	})
}
