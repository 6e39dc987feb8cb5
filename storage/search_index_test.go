package storage_test

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/storetest"
)

// corpus is a set of threads and answers in several languages, written
// into a store through its ordinary writes (so the index is what those
// writes leave), with names for the posts the tests look for.
type corpus struct {
	f               *fixture
	posts           map[string]*forum.Post
	names           map[forum.ID]string
	other           *forum.Forum
	remote, blocked *forum.Member
	deletedThread   *forum.Thread
}

func (c *corpus) name(id forum.ID) string {
	if n, ok := c.names[id]; ok {
		return n
	}
	return "?" + id
}

// nameList is the corpus names of ids, in order.
func (c *corpus) nameList(ids []string) []string {
	var out []string
	for _, id := range ids {
		out = append(out, c.name(id))
	}
	return out
}

func newCorpus(t *testing.T, s *storage.Store) *corpus {
	t.Helper()
	f := newFixture(t, s)
	c := &corpus{f: f, posts: map[string]*forum.Post{}, names: map[forum.ID]string{}}
	c.other = &forum.Forum{ID: f.ids.New(), Slug: "mobility", Language: "es", CreatedAt: t0,
		Texts: map[string]forum.ForumText{"es": {Title: "Movilidad urbana"}}}
	wantErr(t, "CreateForum", s.CreateForum(ctx(t), c.other), nil)
	c.remote = &forum.Member{ID: f.ids.New(), Username: "rui", Domain: "bh.example", URI: "https://bh.example/u/rui",
		DisplayName: "Rui", Organisation: "Belo Horizonte", Role: forum.RoleMember, CreatedAt: t0}
	wantErr(t, "CreateMember", s.CreateMember(ctx(t), c.remote), nil)
	c.blocked = &forum.Member{ID: f.ids.New(), Username: "spam", Domain: "social.spam.example",
		URI: "https://social.spam.example/u/spam", Role: forum.RoleMember, CreatedAt: t0}
	wantErr(t, "CreateMember", s.CreateMember(ctx(t), c.blocked), nil)
	wantErr(t, "BlockDomain", s.BlockDomain(ctx(t), &federation.DomainBlock{Domain: "spam.example", CreatedAt: t0}), nil)

	day := func(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }
	thread := func(name string, fo *forum.Forum, author *forum.Member, lang, title, body string, at time.Time) *forum.Thread {
		id := f.ids.New()
		th := &forum.Thread{ID: id, ForumID: fo.ID, AuthorID: author.ID, RootPostID: id, Title: title,
			Language: lang, LastPostID: id, LastPostAt: at, CreatedAt: at}
		q := &forum.Post{ID: id, ThreadID: id, AuthorID: author.ID, BranchID: id, Language: lang,
			Source: body, HTML: "<p>" + body + "</p>", CreatedAt: at}
		if !author.Local() {
			th.URI, q.URI = author.URI+"/t/"+name, author.URI+"/t/"+name
		}
		wantErr(t, "CreateThread "+name, s.CreateThread(ctx(t), th, q), nil)
		c.posts[name], c.names[id] = q, name
		return th
	}
	answer := func(name string, th *forum.Thread, author *forum.Member, lang, html string, at time.Time, tr map[string]forum.Translation) *forum.Post {
		p := &forum.Post{ID: f.ids.New(), ThreadID: th.ID, AuthorID: author.ID, ParentID: th.RootPostID,
			Language: lang, HTML: html, Translations: tr, CreatedAt: at}
		p.BranchID = p.ID
		if !author.Local() {
			p.URI = author.URI + "/p/" + name
		}
		wantErr(t, "CreatePost "+name, s.CreatePost(ctx(t), p), nil)
		c.posts[name], c.names[p.ID] = p, name
		return p
	}
	ana := f.member
	covid := thread("covid", f.forum, ana, "en", "Has Covid-19 been a turning point for internet access?",
		"Many cities saw internet access grow during the pandemic.", day(0))
	answer("en-governance", covid, ana, "en", "<p>Our data governance policies changed: <strong>open data</strong> first. #OpenData</p>", day(1), nil)
	answer("es-digital", covid, c.remote, "es", "<p>La digitalización de los trámites fue rápida en Belo Horizonte.</p>", day(2), nil)
	answer("fr-numerique", covid, ana, "fr", "<p>La transformation numérique des services publics a accéléré.</p>", day(3), nil)
	answer("pt-inclusao", covid, c.remote, "pt", "<p>A inclusão digital nas cidades brasileiras melhorou.</p>", day(4), nil)
	answer("de-plain", covid, ana, "de", "<p>Bürgerbeteiligung über Plattformen.</p>", day(5), nil)
	answer("translated", covid, c.remote, "en", "<p>Broadband for every school.</p>", day(6),
		map[string]forum.Translation{"es": {HTML: "<p>Banda ancha para cada escuela.</p>"}})
	answer("spam", covid, c.blocked, "en", "<p>Cheap internet access governance pills #OpenData</p>", day(7), nil)
	gone := answer("deleted", covid, ana, "en", "<p>Data governance, deleted.</p>", day(8), nil)
	gone.DeletedAt = ptr(day(9))
	wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), gone), nil)
	c.deletedThread = thread("deleted-thread", f.forum, ana, "en", "Data governance, a thread deleted", "Governance.", day(9))
	c.deletedThread.DeletedAt = ptr(day(10))
	wantErr(t, "UpdateThread", s.UpdateThread(ctx(t), c.deletedThread), nil)
	mob := thread("mobility", c.other, c.remote, "es", "Gobernanza de datos de movilidad",
		"¿Cómo gobiernan los datos de movilidad las ciudades?", day(10))
	gp := answer("es-good", mob, ana, "es", "<p>Publicamos los datos de movilidad con una licencia abierta. #OpenData</p>", day(11), nil)
	gp.GoodPracticeAt, gp.GoodPracticeBy = ptr(day(12)), ana.ID
	wantErr(t, "UpdatePost good practice", s.UpdatePost(ctx(t), gp), nil)
	thread("exact", f.forum, ana, "en", "Data governance", "A short question.", day(13))
	return c
}

func (c *corpus) find(t *testing.T, s *storage.Store, q search.PostQuery) []string {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = 50
	}
	hits, err := s.FindPosts(ctx(t), q)
	wantErr(t, "FindPosts", err, nil)
	var out []string
	for _, h := range hits {
		out = append(out, c.name(h.PostID))
	}
	return out
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// searchCases are queries on the corpus and the posts each finds
// (ignoring order): stems and accents in each language, translations,
// filters and visibility.
func searchCases(c *corpus) []struct {
	name string
	q    search.PostQuery
	want []string
} {
	p := search.Parse
	return []struct {
		name string
		q    search.PostQuery
		want []string
	}{
		{"es accent typed without it", search.PostQuery{Parsed: p("digitalizacion")}, []string{"es-digital"}},
		{"es accent and case", search.PostQuery{Parsed: p("DIGITALIZACIÓN")}, []string{"es-digital"}},
		{"es plural", search.PostQuery{Parsed: p("digitalizaciones")}, []string{"es-digital"}},
		{"en stem", search.PostQuery{Parsed: p("policy governing")}, []string{"en-governance"}},
		{"fr accent and plural", search.PostQuery{Parsed: p("numeriques")}, []string{"fr-numerique"}},
		{"pt accent and plural", search.PostQuery{Parsed: p("inclusao cidade")}, []string{"pt-inclusao"}},
		{"plain fallback", search.PostQuery{Parsed: p("burgerbeteiligung")}, []string{"de-plain"}},
		{"translation in its language", search.PostQuery{Parsed: p("escuelas")}, []string{"translated"}},
		{"title", search.PostQuery{Parsed: p("turning point")}, []string{"covid"}},
		{"deleted, blocked and deleted thread left out", search.PostQuery{Parsed: p("governance")},
			[]string{"en-governance", "exact"}},
		{"forum filter", search.PostQuery{Parsed: p("datos"), ForumID: c.other.ID}, []string{"es-good", "mobility"}},
		{"author filter", search.PostQuery{Parsed: p("digital"), AuthorID: c.remote.ID}, []string{"pt-inclusao"}},
		{"organisation filter", search.PostQuery{Parsed: p("datos"), Organisation: "Belo Horizonte"}, []string{"mobility"}},
		{"language filter", search.PostQuery{Parsed: p("data"), Language: "en"}, []string{"en-governance", "exact"}},
		{"good practices", search.PostQuery{Parsed: p("datos"), GoodPractice: true}, []string{"es-good"}},
		{"questions", search.PostQuery{Parsed: p("datos movilidad"), Questions: true}, []string{"mobility"}},
		{"date range", search.PostQuery{Parsed: p("internet"), Since: t0.Add(24 * time.Hour), Until: t0.Add(30 * 24 * time.Hour)}, nil},
		{"date range, from the start", search.PostQuery{Parsed: p("internet"), Until: t0.Add(time.Hour)}, []string{"covid"}},
		{"all words", search.PostQuery{Parsed: p("governance movilidad")}, nil},
		{"tag text", search.PostQuery{Parsed: p("opendata")}, []string{"en-governance", "es-good"}},
	}
}

// TestFindPosts: each language's stems and accents, translations,
// filters and visibility; the same answers on every database (checked by
// TestFindPostsSameEverywhere too).
func TestFindPosts(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		c := newCorpus(t, s)
		for _, tc := range searchCases(c) {
			t.Run(tc.name, func(t *testing.T) {
				same(t, tc.name, sorted(c.find(t, s, tc.q)), sorted(tc.want))
			})
		}
	})
}

// TestFindPostsSameEverywhere runs every corpus query on every database
// and compares what they found, in the order of both sorts.
func TestFindPostsSameEverywhere(t *testing.T) {
	queries := []string{"data", "governance", "digitalizacion", "datos movilidad", "internet access",
		"cidades", "numérique", "banda ancha", "Data governance", "opendata", "covid 19"}
	results := map[string]map[string][]string{}
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		c := newCorpus(t, s)
		got := map[string][]string{}
		for _, q := range queries {
			got[q+" newest"] = c.find(t, s, search.PostQuery{Parsed: search.Parse(q), Sort: search.Newest})
			// Ranks differ between the engines; what is found does not.
			got[q+" relevance"] = sorted(c.find(t, s, search.PostQuery{Parsed: search.Parse(q)}))
		}
		results[t.Name()] = got
	})
	var first map[string][]string
	var firstName string
	for name, got := range results {
		if first == nil {
			first, firstName = got, name
			continue
		}
		for q, want := range first {
			same(t, q+": "+name+" vs "+firstName, got[q], want)
		}
	}
}

// TestFindPostsRanking: a title equal to the query comes first, though
// it is older than posts that hold its words as often or more (by their
// words and age alone they would come first); then a post in the
// reader's language comes before a newer one that holds the same words in
// another.
func TestFindPostsRanking(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		c := newCorpus(t, s)
		ana := c.f.member
		at := t0.Add(20 * 24 * time.Hour) // after the corpus
		add := func(name, title, lang, body string) {
			t.Helper()
			at = at.Add(time.Hour)
			id := c.f.ids.New()
			th := &forum.Thread{ID: id, ForumID: c.f.forum.ID, AuthorID: ana.ID, RootPostID: id, Title: title,
				Language: lang, LastPostID: id, LastPostAt: at, CreatedAt: at}
			q := &forum.Post{ID: id, ThreadID: id, AuthorID: ana.ID, BranchID: id, Language: lang,
				HTML: "<p>" + body + "</p>", CreatedAt: at}
			wantErr(t, "CreateThread "+name, s.CreateThread(ctx(t), th, q), nil)
			c.names[id] = name
		}
		// Newer than "exact" (the corpus's "Data governance"), with the
		// query's words in their titles and bodies, more than once.
		add("rival", "Data governance: data governance in practice", "en",
			"Data governance for data: governance of open data and its governance.")
		add("rival-2", "Governance of data, data governance", "en", "Data governance, data governance.")
		got := c.find(t, s, search.PostQuery{Parsed: search.Parse("data governance!")})
		if len(got) < 3 || got[0] != "exact" {
			t.Errorf("data governance: got %v, want the exact title first", got)
		}

		// The same word in two languages, the Spanish post older.
		add("es-portal", "Portal abierto", "es", "El portal de la ciudad.")
		add("en-portal", "Portal opened", "en", "The city's portal.")
		for _, tc := range []struct {
			lang string
			want []string
		}{
			{"es", []string{"es-portal", "en-portal"}},
			{"en", []string{"en-portal", "es-portal"}},
		} {
			got := c.find(t, s, search.PostQuery{Parsed: search.Parse("portal"), RankLanguage: tc.lang})
			same(t, "portal for a reader in "+tc.lang, got, tc.want)
		}
	})
}

// TestFindPostsBadInput: whatever people type, a query answers (no
// syntax error reaches them from either database).
func TestFindPostsBadInput(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		c := newCorpus(t, s)
		for _, q := range []string{"", `"`, `""data`, "*", "data*", "NEAR", "NEAR(data governance)", "title:data",
			":", "data AND OR NOT", "-data", "'; DROP TABLE posts; --", `\'`, "a & b | !c", "(((", "^data",
			strings.Repeat("governance ", 1000), strings.Repeat("é", 10000), "\x00data", "données:*"} {
			if _, err := s.FindPosts(ctx(t), search.PostQuery{Parsed: search.Parse(q), Limit: 10}); err != nil {
				t.Errorf("FindPosts(%.40q): %v", q, err)
			}
		}
		if got := c.find(t, s, search.PostQuery{Parsed: search.Parse(`"data" governance*`)}); len(got) != 2 {
			t.Errorf("operators are words: got %v", got)
		}
	})
}

// TestReindex: the index follows edits and deletions, and a rebuild
// (after losing it) answers the same.
func TestReindex(t *testing.T) {
	eachDB(t, func(t *testing.T, db *storage.DB, s *storage.Store) {
		c := newCorpus(t, s)
		before := map[string][]string{}
		for _, tc := range searchCases(c) {
			before[tc.name] = sorted(c.find(t, s, tc.q))
		}
		edited := c.posts["fr-numerique"]
		edited.HTML = "<p>La fracture territoriale persiste.</p>"
		wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), edited), nil)
		same(t, "old words after an edit", c.find(t, s, search.PostQuery{Parsed: search.Parse("numerique")}), []string(nil))
		same(t, "new words after an edit", c.find(t, s, search.PostQuery{Parsed: search.Parse("territoriales")}),
			[]string{"fr-numerique"})
		edited.HTML = "<p>La transformation numérique des services publics a accéléré.</p>"
		wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), edited), nil)

		lose(t, db)
		same(t, "after losing the index", c.find(t, s, search.PostQuery{Parsed: search.Parse("digitalizacion")}), []string(nil))
		n, err := s.Reindex(ctx(t))
		wantErr(t, "Reindex", err, nil)
		if n != 12 {
			t.Errorf("Reindex indexed %d posts, want the 12 not deleted (a deleted thread hides its question, which stays indexed)", n)
		}
		for _, tc := range searchCases(c) {
			same(t, tc.name+" after Reindex", sorted(c.find(t, s, tc.q)), before[tc.name])
		}
		got := c.find(t, s, search.PostQuery{Parsed: search.Parse("data governance")})
		if len(got) == 0 || got[0] != "exact" {
			t.Errorf("titles after Reindex: got %v, want the exact title first", got)
		}
	})
}

// lose empties the index the way a bug, or a restore of the tables
// without it, would leave it.
func lose(t *testing.T, db *storage.DB) {
	t.Helper()
	if _, err := db.Bun().ExecContext(ctx(t), "DELETE FROM search_docs"); err != nil {
		t.Fatalf("lose the index: %v", err)
	}
}

// eachDB is eachBackend with the database beside its store.
func eachDB(t *testing.T, fn func(t *testing.T, db *storage.DB, s *storage.Store)) {
	t.Helper()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			fn(t, db, db.Store())
		})
	}
}
