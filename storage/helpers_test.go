package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/storetest"
)

// t0 has microseconds, so tests see whether a time round-trips whole.
var t0 = time.Date(2026, 11, 22, 10, 30, 15, 123456000, time.UTC)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// newIDs returns a generator of fixed, increasing IDs: the same sequence in
// every run.
func newIDs() *forum.ULIDs {
	return forum.NewULIDs(fixedClock{t0}, rand.NewChaCha8([32]byte{1, 2, 3}))
}

// eachBackend runs fn on a fresh store of every test backend.
func eachBackend(t *testing.T, fn func(t *testing.T, s *storage.Store)) {
	t.Helper()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			fn(t, b.Open(t).Store())
		})
	}
}

func ctx(t *testing.T) context.Context { return t.Context() }

// fixture is a member and a forum to hang threads and posts on.
type fixture struct {
	ids    *forum.ULIDs
	member *forum.Member
	forum  *forum.Forum
}

// mobilityForum creates a second forum (English), for the filters.
func (f *fixture) mobilityForum(t *testing.T, s *storage.Store) *forum.Forum {
	t.Helper()
	fo := &forum.Forum{ID: f.ids.New(), Slug: "mobility", Language: "en", CreatedAt: t0,
		Texts: map[string]forum.ForumText{"en": {Title: "Mobility"}}}
	wantErr(t, "CreateForum", s.CreateForum(ctx(t), fo), nil)
	return fo
}

// blockedSpammer creates a member of a remote instance, spam.example,
// and blocks that instance: what they wrote must never be shown.
func (f *fixture) blockedSpammer(t *testing.T, s *storage.Store) *forum.Member {
	t.Helper()
	m := &forum.Member{ID: f.ids.New(), Username: "spam", Domain: "social.spam.example",
		URI: "https://social.spam.example/u/spam", Role: forum.RoleMember, CreatedAt: t0}
	wantErr(t, "CreateMember", s.CreateMember(ctx(t), m), nil)
	wantErr(t, "BlockDomain", s.BlockDomain(ctx(t), &federation.DomainBlock{Domain: "spam.example", CreatedAt: t0}), nil)
	return m
}

func newFixture(t *testing.T, s *storage.Store) *fixture {
	t.Helper()
	f := &fixture{ids: newIDs()}
	f.member = f.newMember(t, s, "ana")
	f.forum = &forum.Forum{ID: f.ids.New(), Slug: "digital", Language: "en", CreatedAt: t0,
		Texts: map[string]forum.ForumText{"en": {Title: "Digitalisation", Description: "Learning forum"}}}
	if err := s.CreateForum(ctx(t), f.forum); err != nil {
		t.Fatalf("CreateForum: %v", err)
	}
	return f
}

func (f *fixture) newMember(t *testing.T, s *storage.Store, username string) *forum.Member {
	t.Helper()
	m := &forum.Member{ID: f.ids.New(), Username: username, DisplayName: username, Role: forum.RoleMember,
		Languages: []string{"pt", "en"}, CreatedAt: t0}
	if err := s.CreateMember(ctx(t), m); err != nil {
		t.Fatalf("CreateMember(%s): %v", username, err)
	}
	return m
}

// newThread creates a thread with its question post; the thread's ID is
// the question's, as in forum.Service.Ask.
func (f *fixture) newThread(t *testing.T, s *storage.Store, title string) (*forum.Thread, *forum.Post) {
	t.Helper()
	id := f.ids.New()
	th := &forum.Thread{ID: id, ForumID: f.forum.ID, AuthorID: f.member.ID, RootPostID: id, Title: title,
		Language: "en", LastPostID: id, LastPostAt: t0, CreatedAt: t0}
	q := &forum.Post{ID: id, ThreadID: id, AuthorID: f.member.ID, BranchID: id, Language: "en",
		Source: "Has Covid-19 been a turning point?", HTML: "<p>Has Covid-19 been a turning point?</p>", CreatedAt: t0}
	if err := s.CreateThread(ctx(t), th, q); err != nil {
		t.Fatalf("CreateThread: %v", err)
	}
	return th, q
}

// reply stores an answer to parent (a nested one if parent is an answer).
func (f *fixture) reply(t *testing.T, s *storage.Store, parent *forum.Post) *forum.Post {
	t.Helper()
	p := &forum.Post{ID: f.ids.New(), ThreadID: parent.ThreadID, AuthorID: f.member.ID, ParentID: parent.ID,
		Language: "en", Source: "yes", HTML: "<p>yes</p>", CreatedAt: t0}
	p.BranchID = p.ID
	if !parent.IsQuestion() {
		p.BranchID = parent.BranchID
	}
	if err := s.CreatePost(ctx(t), p); err != nil {
		t.Fatalf("CreatePost: %v", err)
	}
	return p
}

func ptr[T any](v T) *T { return &v }

// same fails the test unless got and want are deeply equal, showing both.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// wantErr fails the test unless errors.Is(err, want) (want nil: err nil).
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if want == nil && err != nil || want != nil && !errors.Is(err, want) {
		t.Fatalf("%s: err = %v, want %v", what, err, want)
	}
}

// postgresDB is a fresh migrated PostgreSQL database of the test
// backends, for tests of what only PostgreSQL does; nil when the
// backends hold none (AGORA_TEST_DATABASE_URL unset).
func postgresDB(t *testing.T) *storage.DB {
	t.Helper()
	for _, b := range storetest.Backends(t) {
		if b.Name == "postgres" {
			return b.Open(t)
		}
	}
	return nil
}

// questions collects threads of f's forum, each with its question by
// f's member, to store with ImportPosts.
type questions struct {
	f       *fixture
	threads []*forum.Thread
	posts   []*forum.Post
}

// add adds the question id in lang, with title and html, made at at, and
// returns its post (for its translations).
func (qs *questions) add(id forum.ID, lang, title, html string, at time.Time) *forum.Post {
	qs.threads = append(qs.threads, &forum.Thread{ID: id, ForumID: qs.f.forum.ID, AuthorID: qs.f.member.ID,
		RootPostID: id, Title: title, Language: lang, LastPostID: id, LastPostAt: at, CreatedAt: at})
	p := &forum.Post{ID: id, ThreadID: id, AuthorID: qs.f.member.ID, BranchID: id, Language: lang, HTML: html,
		CreatedAt: at}
	qs.posts = append(qs.posts, p)
	return p
}

// store imports them into s.
func (qs *questions) store(t *testing.T, s *storage.Store) {
	t.Helper()
	wantErr(t, "ImportPosts", s.ImportPosts(ctx(t), qs.threads, qs.posts), nil)
}
