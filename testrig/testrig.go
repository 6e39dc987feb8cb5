// Package testrig builds the pieces tests share: a fixed clock, IDs that are
// the same on every run, a service on a fresh database, and seeded members
// and forums modelled on the Metropolis learning forum.
package testrig

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/markup"
	"github.com/metropolis/agora/forum/password"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/uris"
)

// Epoch is the fixed time every rig starts at.
var Epoch = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

// Clock is a clock that moves only when told.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock at Epoch.
func NewClock() *Clock { return &Clock{now: Epoch} }

// NewClockAt returns a clock at t: tests whose records are compared with
// the database's own clock start near the present.
func NewClockAt(t time.Time) *Clock { return &Clock{now: t} }

// Now implements forum.Clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// seedReader is a deterministic entropy source for ULIDs.
type seedReader struct{ r *rand.ChaCha8 }

func (s seedReader) Read(p []byte) (int, error) { return s.r.Read(p) }

// IDs returns an ID generator that yields the same sequence on every run.
func IDs(c forum.Clock) *forum.ULIDs {
	var seed [32]byte
	copy(seed[:], "agora test rig fixed entropy....")
	return forum.NewULIDs(c, seedReader{rand.NewChaCha8(seed)})
}

// Rig is a service on a fresh database with a fixed clock and IDs.
type Rig struct {
	DB      *storage.DB
	Clock   *Clock
	Service *forum.Service
}

// BaseURL is where the rig's posts link hashtags (the rig's service has
// no node URL of its own).
const BaseURL = "http://agora.test"

func tagURL(tag string) string { return BaseURL + uris.TagPath(tag) }

// New returns a rig on storetest's database (SQLite, or PostgreSQL when
// AGORA_TEST_DATABASE_URL is set).
func New(t testing.TB) *Rig { return NewOn(t, storetest.Open(t)) }

// NewOn returns a rig on the given database.
func NewOn(t testing.TB, db *storage.DB) *Rig {
	t.Helper()
	clock := NewClock()
	svc, err := forum.NewService(forum.Deps{Store: db.Store(), Clock: clock, IDs: IDs(clock),
		Hasher: password.NewFast(), Renderer: markup.New(markup.TagURL(tagURL))})
	if err != nil {
		t.Fatal(err)
	}
	return &Rig{DB: db, Clock: clock, Service: svc}
}

// Password is every seeded member's password.
const Password = "learning-forum-2026"

// Member creates a local member with Password.
func (r *Rig) Member(t testing.TB, username string, role forum.Role, name, title, org string, langs ...string) *forum.Member {
	t.Helper()
	m, err := r.Service.CreateMember(context.Background(), forum.SystemActor(), forum.NewAccount{
		Username: username, Password: Password,
		Profile: forum.Profile{DisplayName: name, Title: title, Organisation: org, Languages: langs},
	}, role)
	if err != nil {
		t.Fatalf("create member %s: %v", username, err)
	}
	return m
}

// Cast is the seeded people of a rig.
type Cast struct {
	Admin     *forum.Member // Metropolis secretariat
	Moderator *forum.Member
	Barcelona *forum.Member
	BeloHz    *forum.Member
	Toronto   *forum.Member
	Forum     *forum.Forum // "digitalisation"
}

// Seed creates an admin, a moderator, three members and the learning forum
// on digitalisation.
func (r *Rig) Seed(t testing.TB) *Cast {
	t.Helper()
	c := &Cast{
		Admin:     r.Member(t, "secretariat", forum.RoleAdmin, "Metropolis Secretariat", "Learning Officer", "Metropolis", "en", "fr", "es"),
		Moderator: r.Member(t, "moderator", forum.RoleModerator, "Nadia Ould", "Facilitator", "Nouakchott", "fr", "ar"),
		Barcelona: r.Member(t, "marta", forum.RoleMember, "Marta Puig", "Innovation Coordinator", "Barcelona Metropolitan Area", "ca", "es", "en"),
		BeloHz:    r.Member(t, "joao", forum.RoleMember, "João Silva", "Digital Inclusion Lead", "Belo Horizonte", "pt", "es"),
		Toronto:   r.Member(t, "priya", forum.RoleMember, "Priya Shah", "Smart City Analyst", "Toronto", "en", "fr"),
	}
	f, err := r.Service.CreateForum(context.Background(), forum.SystemActor(), forum.ForumInput{
		Slug: "digitalisation", Language: "en",
		Texts: map[string]forum.ForumText{
			"en": {Title: "Learning forum on digitalisation", Description: "How can local governments leverage digitisation for equity?"},
			"es": {Title: "Foro de aprendizaje sobre digitalización", Description: "¿Cómo pueden los gobiernos locales aprovechar la digitalización para la equidad?"},
			"fr": {Title: "Forum d’apprentissage sur la numérisation", Description: "Comment les collectivités locales peuvent-elles mettre le numérique au service de l’équité ?"},
		},
	})
	if err != nil {
		t.Fatalf("create forum: %v", err)
	}
	c.Forum = f
	return c
}
