package storage_test

import (
	"testing"
	"time"

	"github.com/metropolis/agora/feed"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

// TestFeedPosts: each feed's selection, newest first, and only what a
// visitor may read (the search corpus has a deleted answer, a deleted
// thread and an answer from a blocked instance).
func TestFeedPosts(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		c := newCorpus(t, s)
		covid := c.posts["covid"].ThreadID
		// Tagged answers (as the renderer writes a hashtag) in the
		// mobility thread: one standing, one deleted, one from the
		// blocked instance.
		tagged := func(name string, author *forum.Member, deleted bool) {
			p := &forum.Post{ID: c.f.ids.New(), ThreadID: c.posts["mobility"].ThreadID, AuthorID: author.ID,
				ParentID: c.posts["mobility"].ID, Language: "en", CreatedAt: t0.Add(20 * 24 * time.Hour),
				HTML: `<p>Smart <a class="hashtag" href="/tags/cities">#<span>Cities</span></a></p>`}
			p.BranchID = p.ID
			if !author.Local() {
				p.URI = author.URI + "/p/" + name
			}
			wantErr(t, "CreatePost "+name, s.CreatePost(ctx(t), p), nil)
			c.posts[name], c.names[p.ID] = p, name
			if deleted {
				p.DeletedAt = ptr(t0.Add(21 * 24 * time.Hour))
				wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), p), nil)
			}
		}
		tagged("tagged", c.f.member, false)
		tagged("tagged-deleted", c.f.member, true)
		tagged("tagged-blocked", c.blocked, false)
		for _, tc := range []struct {
			name string
			q    feed.Query
			want []string
		}{
			{"node's questions", feed.Query{Questions: true}, []string{"exact", "mobility", "covid"}},
			{"forum's questions", feed.Query{ForumID: c.other.ID, Questions: true}, []string{"mobility"}},
			{"thread, without deleted and blocked posts", feed.Query{ThreadID: covid},
				[]string{"translated", "de-plain", "pt-inclusao", "fr-numerique", "es-digital", "en-governance", "covid"}},
			{"tag, without deleted posts and the blocked instance's", feed.Query{Tag: "cities"}, []string{"tagged"}},
			{"member", feed.Query{AuthorID: c.remote.ID}, []string{"mobility", "translated", "pt-inclusao", "es-digital"}},
			{"forum, questions and answers", feed.Query{ForumID: c.other.ID}, []string{"tagged", "es-good", "mobility"}},
			{"blocked member", feed.Query{AuthorID: c.blocked.ID}, nil},
			{"good practices", feed.Query{GoodPractice: true}, []string{"es-good"}},
			{"a forum's good practices", feed.Query{GoodPractice: true, ForumID: c.f.forum.ID}, nil},
			{"limit", feed.Query{ThreadID: covid, Limit: 2}, []string{"translated", "de-plain"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if tc.q.Limit == 0 {
					tc.q.Limit = 50
				}
				posts, err := s.FeedPosts(ctx(t), tc.q)
				wantErr(t, "FeedPosts", err, nil)
				var got []string
				for _, p := range posts {
					got = append(got, c.name(p.PostID))
				}
				same(t, tc.name, got, tc.want)
			})
		}
		posts, err := s.FeedPosts(ctx(t), feed.Query{ThreadID: covid, Limit: 50})
		wantErr(t, "FeedPosts", err, nil)
		last := posts[len(posts)-1]
		if !last.Question || last.Title != "Has Covid-19 been a turning point for internet access?" || last.ThreadLanguage != "en" {
			t.Errorf("the question: %+v", last)
		}
		if es := posts[len(posts)-3]; es.Language != "es" || es.Question || es.ThreadLanguage != "en" {
			t.Errorf("the Spanish answer: %+v", es)
		}
	})
}
