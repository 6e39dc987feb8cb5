package storage_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

// Remote members, forums, threads and posts: URIs unique when set, many
// local rows without one.

func TestMemberURIs(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		for _, name := range []string{"bea", "cid", "dan"} {
			f.newMember(t, s, name) // local: no URI, no collision
		}
		remote := &forum.Member{ID: f.ids.New(), Username: "ana", Domain: "social.example",
			URI: "https://social.example/users/ana", ProfileURL: "https://social.example/@ana",
			DisplayName: "Ana", Role: forum.RoleMember, Languages: []string{"es"}, CreatedAt: t0}
		wantErr(t, "CreateMember remote", s.CreateMember(ctx(t), remote), nil)
		got, err := s.MemberByURI(ctx(t), remote.URI)
		wantErr(t, "MemberByURI", err, nil)
		same(t, "MemberByURI", got, remote)
		got, err = s.MemberByID(ctx(t), f.member.ID)
		wantErr(t, "MemberByID local", err, nil)
		same(t, "local member keeps an empty URI", got, f.member)

		for _, uri := range []string{"https://social.example/users/nobody", ""} {
			_, err = s.MemberByURI(ctx(t), uri)
			wantErr(t, "MemberByURI "+uri, err, forum.ErrNotFound)
		}
		clash := &forum.Member{ID: f.ids.New(), Username: "ana2", Domain: "social.example", URI: remote.URI,
			Role: forum.RoleMember, CreatedAt: t0}
		wantErr(t, "CreateMember same URI", s.CreateMember(ctx(t), clash), forum.ErrConflict)

		remote.ProfileURL, remote.DisplayName = "https://social.example/@ana.new", "Ana S."
		wantErr(t, "UpdateMember remote", s.UpdateMember(ctx(t), remote), nil)
		got, _ = s.MemberByURI(ctx(t), remote.URI)
		same(t, "after UpdateMember", got, remote)
	})
}

func TestForumPolicyAndURI(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		ids := newIDs()
		local := &forum.Forum{ID: ids.New(), Slug: "hub", Language: "en", CreatedAt: t0,
			Texts: map[string]forum.ForumText{"en": {Title: "Hub"}},
			Policy: forum.ForumPolicy{ApproveFollows: true, ListedOnly: true,
				Instances: []string{"lisboa.example", "barcelona.example", "bh.example"}}}
		plain := &forum.Forum{ID: ids.New(), Slug: "plain", Language: "en", CreatedAt: t0,
			Texts: map[string]forum.ForumText{}}
		remote := &forum.Forum{ID: ids.New(), Slug: "climate@hub.example", URI: "https://hub.example/forums/climate",
			Domain: "hub.example", Position: 1000, Language: "fr", CreatedAt: t0,
			Texts: map[string]forum.ForumText{"fr": {Title: "Climat"}}}
		for _, fo := range []*forum.Forum{local, plain, remote} {
			wantErr(t, "CreateForum "+fo.Slug, s.CreateForum(ctx(t), fo), nil)
		}
		got, err := s.ForumByID(ctx(t), local.ID)
		wantErr(t, "ForumByID", err, nil)
		same(t, "policy round trip (instances in order)", got, local)
		got, err = s.ForumBySlug(ctx(t), "climate@hub.example")
		wantErr(t, "ForumBySlug remote", err, nil)
		same(t, "remote forum by slug", got, remote)
		got, err = s.ForumByURI(ctx(t), remote.URI)
		wantErr(t, "ForumByURI", err, nil)
		same(t, "ForumByURI", got, remote)
		_, err = s.ForumByURI(ctx(t), "https://hub.example/forums/none")
		wantErr(t, "ForumByURI unknown", err, forum.ErrNotFound)

		clash := &forum.Forum{ID: ids.New(), Slug: "climate2@hub.example", URI: remote.URI, Domain: "hub.example",
			Language: "fr", CreatedAt: t0}
		wantErr(t, "CreateForum same URI", s.CreateForum(ctx(t), clash), forum.ErrConflict)

		// UpdateForum replaces the instances (fewer, reordered) and the flags.
		local.Policy = forum.ForumPolicy{ListedOnly: true, Instances: []string{"bh.example", "lisboa.example"}}
		local.Texts = map[string]forum.ForumText{"en": {Title: "Hub of cities"}}
		wantErr(t, "UpdateForum", s.UpdateForum(ctx(t), local), nil)
		got, _ = s.ForumByID(ctx(t), local.ID)
		same(t, "after UpdateForum", got, local)
		local.Policy = forum.ForumPolicy{}
		wantErr(t, "UpdateForum clearing policy", s.UpdateForum(ctx(t), local), nil)

		// A remote forum stored (a member looked it up) is not one of the
		// node's forums until the node follows it.
		list, err := s.ListForums(ctx(t), forum.ForumCursor{}, 10)
		wantErr(t, "ListForums", err, nil)
		same(t, "ListForums before following the remote forum", list, []*forum.Forum{local, plain})
		wantErr(t, "SaveFollowing", s.SaveFollowing(ctx(t), &federation.Following{ID: ids.New(),
			ActorURI: "https://city.example/actor", ObjectURI: remote.URI, FollowID: "https://city.example/activities/f1",
			ForumID: remote.ID, State: federation.FollowPending, CreatedAt: t0}), nil)
		list, err = s.ListForums(ctx(t), forum.ForumCursor{}, 10)
		wantErr(t, "ListForums", err, nil)
		same(t, "ListForums with policies", list, []*forum.Forum{local, plain, remote})
		byID, err := s.ForumsByIDs(ctx(t), []forum.ID{remote.ID})
		wantErr(t, "ForumsByIDs", err, nil)
		same(t, "ForumsByIDs remote", byID[remote.ID], remote)
	})
}

func TestThreadURIs(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		f.newThread(t, s, "local one")
		f.newThread(t, s, "local two") // two local threads and posts: NULL URIs
		id := f.ids.New()
		uri := "https://hub.example/posts/q1"
		th := &forum.Thread{ID: id, URI: uri, ContextURI: "https://hub.example/threads/q1", ForumID: f.forum.ID,
			AuthorID: f.member.ID, RootPostID: id, Title: "Remote question", Language: "en",
			LastPostID: id, LastPostAt: t0, CreatedAt: t0}
		q := &forum.Post{ID: id, URI: uri, ThreadID: id, AuthorID: f.member.ID, BranchID: id, Language: "en",
			HTML: "<p>q</p>", Translations: map[string]forum.Translation{"es": {Title: "Pregunta", HTML: "<p>p</p>"}},
			CreatedAt: t0}
		wantErr(t, "CreateThread remote", s.CreateThread(ctx(t), th, q), nil)
		got, err := s.ThreadByURI(ctx(t), uri)
		wantErr(t, "ThreadByURI", err, nil)
		same(t, "ThreadByURI", got, th)
		gotPost, err := s.PostByURI(ctx(t), uri)
		wantErr(t, "PostByURI question", err, nil)
		same(t, "question by URI", gotPost, q)
		_, err = s.ThreadByURI(ctx(t), "https://hub.example/posts/none")
		wantErr(t, "ThreadByURI unknown", err, forum.ErrNotFound)

		// The same question received again: ErrConflict, nothing stored.
		id2 := f.ids.New()
		th2, q2 := *th, *q
		th2.ID, th2.RootPostID, th2.LastPostID = id2, id2, id2
		q2.ID, q2.ThreadID, q2.BranchID = id2, id2, id2
		wantErr(t, "CreateThread same URI", s.CreateThread(ctx(t), &th2, &q2), forum.ErrConflict)
		_, err = s.ThreadByID(ctx(t), id2)
		wantErr(t, "thread after conflict", err, forum.ErrNotFound)
		_, err = s.PostByID(ctx(t), id2)
		wantErr(t, "post after conflict", err, forum.ErrNotFound)
		if n, _ := s.CountThreads(ctx(t), f.forum.ID); n != 3 {
			t.Errorf("CountThreads = %d, want 3", n)
		}

		th.ContextURI, th.Locked = "https://hub.example/threads/q1b", true
		wantErr(t, "UpdateThread", s.UpdateThread(ctx(t), th), nil)
		got, _ = s.ThreadByID(ctx(t), th.ID)
		same(t, "after UpdateThread", got, th)
	})
}

func TestPostTranslations(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		_, q := f.newThread(t, s, "question")
		local := f.reply(t, s, q)
		remote := &forum.Post{ID: f.ids.New(), URI: "https://city.example/notes/1", ThreadID: q.ThreadID,
			AuthorID: f.member.ID, ParentID: q.ID, Language: "pt", HTML: "<p>sim</p>", CreatedAt: t0, OriginUpdatedAt: ptr(t0),
			Translations: map[string]forum.Translation{
				"en": {HTML: "<p>yes</p>"},
				"es": {HTML: "<p>sí</p>"},
			}}
		remote.BranchID = remote.ID
		wantErr(t, "CreatePost remote", s.CreatePost(ctx(t), remote), nil)

		got, err := s.PostByID(ctx(t), remote.ID)
		wantErr(t, "PostByID", err, nil)
		same(t, "translations round trip", got, remote)
		got, err = s.PostByURI(ctx(t), remote.URI)
		wantErr(t, "PostByURI", err, nil)
		same(t, "PostByURI", got, remote)
		got, _ = s.PostByID(ctx(t), local.ID)
		same(t, "a local post has nil translations", got, local)
		_, err = s.PostByURI(ctx(t), "https://city.example/notes/none")
		wantErr(t, "PostByURI unknown", err, forum.ErrNotFound)

		dup := *remote
		dup.ID = f.ids.New()
		wantErr(t, "CreatePost same URI", s.CreatePost(ctx(t), &dup), forum.ErrConflict)

		// Lists load translations too (one query per list).
		list, err := s.ListPosts(ctx(t), q.ThreadID, forum.PostCursor{}, 10)
		wantErr(t, "ListPosts", err, nil)
		same(t, "ListPosts", list, []*forum.Post{q, local, remote})
		mine, err := s.ListMemberPosts(ctx(t), f.member.ID, "", 10)
		wantErr(t, "ListMemberPosts", err, nil)
		same(t, "ListMemberPosts", mine, []*forum.Post{remote, local, q})

		// UpdatePost replaces them: "es" goes, "fr" comes, "en" changes.
		remote.Translations = map[string]forum.Translation{
			"en": {HTML: "<p>yes, indeed</p>"},
			// A version made here keeps its markdown, translator and time.
			"fr": {HTML: "<p>oui</p>", Source: "oui", TranslatorID: f.member.ID, CreatedAt: ptr(t0.Add(time.Minute))},
		}
		remote.EditedAt, remote.OriginUpdatedAt = ptr(t0.Add(time.Minute)), ptr(t0.Add(30*time.Second))
		wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), remote), nil)
		got, _ = s.PostByID(ctx(t), remote.ID)
		same(t, "after UpdatePost", got, remote)

		// A tombstone drops them all.
		remote.Translations, remote.HTML, remote.DeletedAt = nil, "", ptr(t0.Add(2*time.Minute))
		wantErr(t, "UpdatePost delete", s.UpdatePost(ctx(t), remote), nil)
		got, _ = s.PostByID(ctx(t), remote.ID)
		same(t, "after delete", got, remote)
		wantErr(t, "UpdatePost unknown", s.UpdatePost(ctx(t), &dup), forum.ErrNotFound)
	})
}

func TestEvents(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		ids := newIDs()
		kinds := []forum.EventKind{forum.EventThreadCreated, forum.EventPostCreated, forum.EventPostEdited,
			forum.EventHelpfulAdded, forum.EventMemberUpdated}
		var all []*forum.Event
		for i, k := range kinds {
			e := &forum.Event{ID: ids.New(), Kind: k, ActorID: ids.New(), ForumID: ids.New(), ThreadID: ids.New(),
				PostID: ids.New(), CreatedAt: t0.Add(time.Duration(i) * time.Second)}
			if k == forum.EventMemberUpdated {
				e.ForumID, e.ThreadID, e.PostID, e.MemberID = "", "", "", e.ActorID
			}
			all = append(all, e)
		}
		// Appended out of order, inside a transaction: listed by ID.
		wantErr(t, "AppendEvent in Atomic", s.Atomic(ctx(t), func(ctx context.Context, tx forum.Store) error {
			for _, i := range []int{2, 0, 4, 1, 3} {
				if err := tx.AppendEvent(ctx, all[i]); err != nil {
					return err
				}
			}
			return nil
		}), nil)
		wantErr(t, "AppendEvent again", s.AppendEvent(ctx(t), all[0]), forum.ErrConflict)

		var got []*forum.Event
		after := forum.ID("")
		for range len(all) {
			page, err := s.ListEvents(ctx(t), after, 2)
			wantErr(t, "ListEvents", err, nil)
			if len(page) == 0 {
				break
			}
			got = append(got, page...)
			after = page[len(page)-1].ID
		}
		same(t, "ListEvents in pages", got, all)
		rest, err := s.ListEvents(ctx(t), all[2].ID, 10)
		wantErr(t, "ListEvents after the third", err, nil)
		same(t, "ListEvents after the third", rest, all[3:])
		for _, c := range []struct {
			after forum.ID
			limit int
			want  []*forum.Event
		}{{"", 10, all}, {"", 2, all[:2]}, {all[2].ID, 10, all[3:]}, {all[4].ID, 10, nil}} {
			gotIDs, err := s.ListEventIDs(ctx(t), c.after, c.limit)
			wantErr(t, "ListEventIDs", err, nil)
			wantIDs := []forum.ID{}
			for _, e := range c.want {
				wantIDs = append(wantIDs, e.ID)
			}
			if gotIDs == nil {
				gotIDs = []forum.ID{}
			}
			same(t, fmt.Sprintf("ListEventIDs after %q, %d", c.after, c.limit), gotIDs, wantIDs)
		}

		// A rolled-back transaction leaves no event behind.
		boom := errors.New("boom")
		err = s.Atomic(ctx(t), func(ctx context.Context, tx forum.Store) error {
			if err := tx.AppendEvent(ctx, &forum.Event{ID: ids.New(), Kind: forum.EventPostDeleted, CreatedAt: t0}); err != nil {
				return err
			}
			return boom
		})
		wantErr(t, "Atomic rolled back", err, boom)
		rest, _ = s.ListEvents(ctx(t), all[4].ID, 10)
		same(t, "events after rollback", rest, []*forum.Event{})
	})
}
