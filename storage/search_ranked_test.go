package storage_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/storage"
)

// TestFindPostsRankedEqualsPlain: SQLite's ranked search (FTS5 ranks,
// batch by batch, rows read only for a batch) gives exactly the plain
// query's pages, on a corpus where queries match hundreds of posts (many
// batches), some questions have the query as title, posts are in four
// languages (the reader's-language boost reorders) and some are deleted.
func TestFindPostsRankedEqualsPlain(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		other := &forum.Forum{ID: f.ids.New(), Slug: "other", Language: "en", CreatedAt: t0,
			Texts: map[string]forum.ForumText{"en": {Title: "Other"}}}
		wantErr(t, "CreateForum", s.CreateForum(ctx(t), other), nil)
		r := rand.New(rand.NewPCG(7, 9))
		words := strings.Fields("data city governance open portal access internet school budget mobility housing energy")
		text := func(n int) string {
			out := make([]string, n)
			for i := range out {
				out[i] = words[r.IntN(len(words))]
			}
			return strings.Join(out, " ")
		}
		langs := []string{"en", "es", "fr", "pt"}
		var thread *forum.Thread
		for i := range 700 {
			at := t0.Add(time.Duration(i) * time.Minute)
			lang := langs[r.IntN(len(langs))]
			id := f.ids.New()
			p := &forum.Post{ID: id, ThreadID: id, AuthorID: f.member.ID, BranchID: id, Language: lang,
				HTML: "<p>" + text(5+r.IntN(30)) + "</p>", CreatedAt: at}
			if i%10 == 0 {
				fo := f.forum
				if i%30 == 0 {
					fo = other
				}
				title := text(4)
				if i%50 == 0 {
					title = "Data governance" // exact titles, ranked among themselves
				}
				thread = &forum.Thread{ID: id, ForumID: fo.ID, AuthorID: f.member.ID, RootPostID: id, Title: title,
					Language: lang, LastPostID: id, LastPostAt: at, CreatedAt: at}
				wantErr(t, "CreateThread", s.CreateThread(ctx(t), thread, p), nil)
				continue
			}
			p.ThreadID, p.ParentID = thread.ID, thread.RootPostID
			wantErr(t, "CreatePost", s.CreatePost(ctx(t), p), nil)
			if i%7 == 0 {
				p.DeletedAt = ptr(at)
				wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), p), nil)
			}
		}
		for _, text := range []string{"data", "data governance", "governance data", "open portal", "school"} {
			for _, rankLang := range []string{"en", "pt", ""} {
				for _, tc := range []struct {
					name string
					q    search.PostQuery
				}{
					{"all", search.PostQuery{}},
					{"language", search.PostQuery{Language: "es"}},
					{"forum", search.PostQuery{ForumID: other.ID}},
					{"questions", search.PostQuery{Questions: true}},
				} {
					for _, offset := range []int{0, 20, 100, 300} {
						q := tc.q
						q.Parsed, q.Sort, q.RankLanguage, q.Offset, q.Limit = search.Parse(text), search.Relevance, rankLang, offset, 21
						got, err := s.FindPosts(ctx(t), q)
						wantErr(t, "FindPosts", err, nil)
						want, err := s.FindPostsPlain(ctx(t), q)
						wantErr(t, "FindPostsPlain", err, nil)
						name := fmt.Sprintf("%q %s rank=%s offset=%d", text, tc.name, rankLang, offset)
						same(t, name, ids(got), ids(want))
					}
				}
			}
		}
	})
}

func ids(hits []search.PostHit) []string {
	out := []string{}
	for _, h := range hits {
		out = append(out, h.PostID)
	}
	return out
}
