package storage_test

import (
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/storage"
)

// TestImportPosts: posts written in bulk read back as written, and are
// found by search (titles, translations, tags) as posts written one by
// one are; a tombstone is stored but not indexed.
func TestImportPosts(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		id := f.ids.New()
		th := &forum.Thread{ID: id, ForumID: f.forum.ID, AuthorID: f.member.ID, RootPostID: id,
			Title: "Open data portal", Language: "en", LastPostID: id, LastPostAt: t0, CreatedAt: t0}
		q := &forum.Post{ID: id, ThreadID: id, AuthorID: f.member.ID, BranchID: id, Language: "en",
			Source: "Which portal?", HTML: "<p>Which portal?</p>", CreatedAt: t0}
		answer := &forum.Post{ID: f.ids.New(), ThreadID: id, ParentID: id, AuthorID: f.member.ID, Language: "en",
			HTML: `<p>Ours is <a href="/tags/opendata">#<span>OpenData</span></a></p>`, CreatedAt: t0.Add(time.Minute),
			Translations: map[string]forum.Translation{"es": {HTML: "<p>El nuestro: datos abiertos</p>", CreatedAt: ptr(t0)}}}
		answer.BranchID = answer.ID
		gone := &forum.Post{ID: f.ids.New(), ThreadID: id, ParentID: id, AuthorID: f.member.ID, Language: "en",
			HTML: "<p>portal</p>", CreatedAt: t0.Add(2 * time.Minute), DeletedAt: ptr(t0.Add(3 * time.Minute))}
		gone.BranchID = gone.ID
		// More posts than one INSERT writes, so the chunks are exercised.
		posts := []*forum.Post{q, answer, gone}
		for range 450 {
			p := &forum.Post{ID: f.ids.New(), ThreadID: id, ParentID: id, AuthorID: f.member.ID, Language: "en",
				HTML: "<p>filler</p>", CreatedAt: t0.Add(4 * time.Minute)}
			p.BranchID = p.ID
			posts = append(posts, p)
		}
		wantErr(t, "ImportPosts", s.ImportPosts(ctx(t), []*forum.Thread{th}, posts), nil)

		got, err := s.ThreadByID(ctx(t), id)
		wantErr(t, "ThreadByID", err, nil)
		same(t, "thread title", got.Title, th.Title)
		p, err := s.PostByID(ctx(t), answer.ID)
		wantErr(t, "PostByID", err, nil)
		same(t, "translation", p.Translations["es"].HTML, answer.Translations["es"].HTML)
		p, err = s.PostByID(ctx(t), gone.ID)
		wantErr(t, "PostByID tombstone", err, nil)
		same(t, "tombstone", p.DeletedAt != nil, true)

		find := func(text string) []forum.ID {
			hits, err := s.FindPosts(ctx(t), search.PostQuery{Parsed: search.Parse(text), Limit: 10})
			wantErr(t, "FindPosts "+text, err, nil)
			var ids []forum.ID
			for _, h := range hits {
				ids = append(ids, h.PostID)
			}
			return ids
		}
		same(t, "title and body, not the tombstone", find("portal"), []forum.ID{q.ID})
		same(t, "translation", find("datos abiertos"), []forum.ID{answer.ID})
		same(t, "tag", find("opendata"), []forum.ID{answer.ID})
		same(t, "filler", len(find("filler")), 10)
		tags, err := s.FindTags(ctx(t), "opendata", "", 10)
		wantErr(t, "FindTags", err, nil)
		same(t, "tags", tags, []search.TagCount{{Tag: "opendata", Count: 1}})
	})
}
