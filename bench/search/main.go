// Command search measures full-text search (issue 15): how long a typical
// two-word query with a filter takes on a node holding -posts posts, and
// what indexing adds to posting an answer.
//
// It runs a real agora node in this process (serving.StartNode: SQLite in
// a temporary directory, or PostgreSQL with -db), writes -posts posts in
// four languages (en, es, fr, pt), their words drawn from a Zipf
// distribution over a vocabulary of -vocab words per language (corpus.go),
// in threads of 20 posts (storage.ImportPosts writes each post's index
// document as CreatePost does), then:
//
//   - runs -queries searches one after another through search.Service
//     (what /search calls: the index's match and rank, the filters, the
//     snippets, the authors and forums), two content words of one
//     language drawn by frequency, with a language filter, a forum filter, or sorted by
//     date in turn, and prints p50/p99 (targets: p50 ≤ 10 ms, p99 ≤ 50 ms);
//
//   - posts -answers answers through forum.Service.Reply and applies as
//     many received ones through forum.Service.ReceiveAnswer, half with
//     the index's writes turned off, in alternating rounds
//     (indexing.go), and prints what indexing adds to each (target
//     ≤ 10%).
//
// The corpus is written with storage.ImportPosts (multi-row INSERTs, the
// index documents with them), in transactions of 10,000 posts: 100,000
// posts take a minute or two, a million on PostgreSQL some twenty. With
// -keep the corpus is kept (SQLite: in -dir; PostgreSQL: in a database
// named after -posts) and the next run with -keep measures on it again
// instead of writing it.
//
//	go run ./bench/search [-posts 100000] [-queries 1000] [-answers 300] [-vocab 5000] [-db postgres://…] [-keep -dir DIR]
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/metropolis/agora/bench/internal/measure"
	"github.com/metropolis/agora/bench/internal/serving"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/storage"
)

// vocab is each language's topic words: the most frequent content words
// of the corpus (corpus.go).
var vocab = map[string][]string{
	"en": strings.Fields(`city cities data governance internet access digital services open portal citizens
		transport mobility housing energy budget participation platform broadband school health policy
		privacy security cloud identity payments permits inclusion training library network sensors
		water waste parks climate resilience procurement innovation pilot evaluation accessibility`),
	"es": strings.Fields(`ciudad ciudades datos gobernanza acceso internet digitalización servicios portal ciudadanos
		transporte movilidad vivienda energía presupuesto participación plataforma banda ancha escuela salud
		privacidad seguridad nube identidad pagos permisos inclusión formación biblioteca red sensores
		agua residuos parques clima resiliencia compras innovación piloto evaluación accesibilidad`),
	"fr": strings.Fields(`ville villes données gouvernance accès internet numérique services portail citoyens
		transport mobilité logement énergie budget participation plateforme haut débit école santé
		confidentialité sécurité nuage identité paiements permis inclusion formation bibliothèque réseau capteurs
		eau déchets parcs climat résilience achats innovation pilote évaluation accessibilité`),
	"pt": strings.Fields(`cidade cidades dados governança acesso internet digitalização serviços portal cidadãos
		transporte mobilidade habitação energia orçamento participação plataforma banda larga escola saúde
		privacidade segurança nuvem identidade pagamentos licenças inclusão formação biblioteca rede sensores
		água resíduos parques clima resiliência compras inovação piloto avaliação acessibilidade`),
}

var langs = []string{"en", "es", "fr", "pt"}

// searchGINIndex is search_docs' GIN index on PostgreSQL (migrations
// 20261202180000_search.go, 20261210100000_search_tsv_language.go).
const searchGINIndex = "search_docs_tsv_idx"

func main() {
	posts := flag.Int("posts", 100_000, "posts in the index")
	queries := flag.Int("queries", 1000, "searches measured")
	warmup := flag.Int("warmup", 300, "searches run before those measured, not counted: other queries of the same kinds and word ranks")
	answers := flag.Int("answers", 300, "answers posted (and as many received) with the index on, as many with it off, to measure indexing (at least 200)")
	db := flag.String("db", "", "PostgreSQL admin URL: run on a throwaway database there instead of SQLite")
	vocabSize := flag.Int("vocab", 5000, "words per language's vocabulary (Zipf-distributed)")
	queryRanks := flag.Int("query-ranks", 1000, "queries draw their words among this many most frequent content words")
	sample := flag.Int("sample", 30, "queries whose matches are counted (not timed), to report the share of posts a query matches")
	dir := flag.String("dir", "", "SQLite: the data directory (kept after the run, to inspect the database); default a temporary one")
	keep := flag.Bool("keep", false, "keep the corpus (SQLite: in -dir, required; PostgreSQL: database agora_bench_search_<posts>, or -dbname) and reuse it when a previous -keep run left it")
	dbName := flag.String("dbname", "", "PostgreSQL with -keep: the kept database's name instead of agora_bench_search_<posts> (a copy: CREATE DATABASE … TEMPLATE agora_bench_search_<posts>)")
	sqliteQuery := flag.String("sqlite-query", "", "SQLite: parameters added to the database URL (e.g. _pragma=mmap_size(268435456))")
	optimize := flag.Bool("optimize", false, "SQLite: merge the FTS5 index into one segment before measuring")
	profile := serving.ProfileFlag()
	indexProfile := flag.String("index-cpuprofile", "", "write a CPU profile of the indexing phase (answers posted and received; samples labelled index=on / index=off) to this file")
	flag.Parse()
	ctx := context.Background()
	// SQLite's indexer runs only in the indexing rounds that measure it
	// (indexing.go); searches bring the index up to date themselves.
	opts := serving.NodeOptions{Addr: "127.0.0.1:0", Dir: *dir, SQLiteQuery: *sqliteQuery,
		SearchIndexing: storage.SearchIndexing{Off: true}}
	backend := "sqlite"
	reuse := false
	switch {
	case *db != "" && *keep:
		name := fmt.Sprintf("agora_bench_search_%d", *posts)
		if *dbName != "" {
			name = *dbName
		}
		u, existed, err := serving.KeptPostgres(ctx, *db, name)
		if err != nil {
			serving.Fatal("postgres", err)
		}
		fmt.Printf("postgres: corpus kept in database %s (DROP DATABASE %s when done)\n", name, name)
		opts.DatabaseURL, backend, reuse = u, "postgres", existed
	case *db != "":
		u, drop, err := serving.TempPostgres(ctx, *db)
		if err != nil {
			serving.Fatal("postgres", err)
		}
		defer drop()
		opts.DatabaseURL, backend = u, "postgres"
	case *keep:
		if *dir == "" {
			serving.Fatal("flags", fmt.Errorf("-keep on SQLite needs -dir"))
		}
		_, err := os.Stat(filepath.Join(*dir, "forum.db"))
		reuse = err == nil
		fmt.Printf("sqlite: corpus kept in %s (delete it when done)\n", *dir)
	}
	n, err := serving.StartNode(ctx, opts)
	if err != nil {
		serving.Fatal("start node", err)
	}
	defer n.Close()
	// Two corpora of the same vocabulary (same seed), each with its own
	// stream: the queries are the same whether the posts were written by
	// this run or a previous one.
	c := newCorpus(rand.New(rand.NewPCG(1, 2)), *vocabSize, *queryRanks)
	var seeded *serving.Seeded
	if reuse {
		if seeded, err = reseeded(ctx, n.DB.Store()); err != nil {
			serving.Fatal("reuse corpus", err)
		}
		fmt.Printf("%s: reusing the kept corpus\n", backend)
	} else {
		if seeded, err = serving.Seed(ctx, n.Service, 0); err != nil {
			serving.Fatal("seed", err)
		}
		r := rand.New(rand.NewPCG(3, 4))
		w := newCorpus(rand.New(rand.NewPCG(1, 2)), *vocabSize, *queryRanks)
		start := time.Now()
		var ginIndex string // the GIN index's definition, as the migrations made it
		if backend == "postgres" {
			// A GIN index built once over the loaded table is written in
			// minutes; kept up to date row by row through a million
			// inserts, it took most of the load's time.
			if err := n.DB.Bun().QueryRowContext(ctx, "SELECT indexdef FROM pg_indexes WHERE indexname = ?",
				searchGINIndex).Scan(&ginIndex); err != nil {
				serving.Fatal("read the GIN index's definition", err)
			}
			if _, err := n.DB.Bun().ExecContext(ctx, "DROP INDEX "+searchGINIndex); err != nil {
				serving.Fatal("drop the GIN index for the load", err)
			}
		}
		if err := seed(ctx, n.DB.Store(), seeded, r, w, *posts); err != nil {
			serving.Fatal("seed posts", err)
		}
		if backend == "postgres" {
			if err := serving.ExecLong(ctx, opts.DatabaseURL, "SET maintenance_work_mem = '256MB'; "+ginIndex); err != nil {
				serving.Fatal("create the GIN index", err)
			}
		}
		fmt.Printf("%s: %d posts written and indexed in %s\n", backend, *posts, time.Since(start).Round(time.Second))
	}
	if backend == "postgres" && !reuse {
		// The tables as autovacuum keeps them on a node in use. Its
		// statistics: written in minutes, the corpus would otherwise be
		// planned as the empty tables it was (a nested loop over every
		// post: 14.7 s for one query on 20,000 posts, 54 ms after
		// ANALYZE). Its vacuum of tables that only had inserts (since
		// PostgreSQL 13), which sets the visibility map that index-only
		// scans read: a server with autovacuum off (this machine's test
		// server) would otherwise never have it.
		if err := serving.ExecLong(ctx, opts.DatabaseURL, "VACUUM (ANALYZE)"); err != nil {
			serving.Fatal("vacuum and analyze", err)
		}
	}

	if *optimize && backend == "sqlite" {
		if _, err := n.DB.Bun().ExecContext(ctx, "INSERT INTO search_fts(search_fts) VALUES ('optimize')"); err != nil {
			serving.Fatal("optimize", err)
		}
	}
	svc := search.NewService(n.DB.Store(), n.DB.Store())
	// A node that has been serving has its connections open (each new
	// PostgreSQL backend loads its catalog caches, each prepares its
	// statements) and its hot pages read: the first few hundred searches
	// of a run paid for that (p50 10.7–14.3 ms over the first 300 of 1,000
	// against 8.2–9.2 over the rest, the same queries measured last in
	// another order giving 8.1–9.5). Warmed by other queries drawn the same
	// way, the measured ones still read their own words' pages for the
	// first time.
	warm := c.drawingFrom(rand.New(rand.NewPCG(5, 6)))
	for i := range *warmup {
		if _, err := svc.Search(ctx, benchRequest(warm, i, seeded)); err != nil {
			serving.Fatal("warm-up search", err)
		}
	}
	stop := profile()
	var pg0 map[int]time.Duration
	if backend == "postgres" {
		// Connections closed by the pool would take their CPU with them.
		n.DB.Bun().SetMaxIdleConns(64)
		if pg0, err = pgBackendCPU(ctx, n.DB.Bun()); err != nil {
			serving.Fatal("postgres cpu", err)
		}
	}
	cpu0 := measure.CPUTime()
	var lat []time.Duration
	byKind := map[string][]time.Duration{}
	cpuKind := map[string]time.Duration{}
	var slow []timedQuery
	found := 0
	for i := range *queries {
		req := benchRequest(c, i, seeded)
		t, c0 := time.Now(), measure.CPUTime()
		res, err := svc.Search(ctx, req)
		if err != nil {
			serving.Fatal("search", err)
		}
		d := time.Since(t)
		cpuKind[queryKinds[i%3]] += measure.CPUTime() - c0
		lat = append(lat, d)
		byKind[queryKinds[i%3]] = append(byKind[queryKinds[i%3]], d)
		slow = append(slow, timedQuery{queryKinds[i%3] + " " + req.Text, d})
		found += len(res.Posts)
	}
	cpu := measure.CPUTime() - cpu0
	stop()
	slices.Sort(lat)
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	fmt.Printf("%s: %d searches, %.1f results per page on average\n", backend, *queries, float64(found)/float64(*queries))
	printKinds(backend, byKind, cpuKind, slow)
	serving.Report("search", backend+"_p50_ms", ms(p50), 10, "ms", false)
	serving.Report("search", backend+"_p99_ms", ms(p99), 50, "ms", false)
	serving.Info("search", backend+"_cpu_per_search_ms", ms(cpu/time.Duration(*queries)), "ms")
	if backend == "postgres" {
		server, err := pgCPUSince(ctx, n.DB.Bun(), pg0)
		if err != nil {
			serving.Fatal("postgres cpu", err)
		}
		serving.Info("search", "postgres_server_cpu_per_search_ms", ms(server/time.Duration(*queries)), "ms")
	}

	if err := matchShare(ctx, n.DB.Store(), c, *sample, *posts, backend); err != nil {
		serving.Fatal("match share", err)
	}
	stopIndex := func() {}
	if *indexProfile != "" {
		stopIndex = serving.StartProfile(*indexProfile)
	}
	if *answers > 0 { // -answers 0 leaves a kept corpus as it was
		if err := indexing(ctx, n, seeded, c, *answers, backend); err != nil {
			serving.Fatal("indexing", err)
		}
	}
	stopIndex()
}

// queryKinds names the three kinds of query the searches alternate.
var queryKinds = [3]string{"language", "forum", "newest"}

type timedQuery struct {
	what string
	took time.Duration
}

// printKinds prints p50/p99 per kind of query and the slowest queries:
// where a p99 comes from.
func printKinds(backend string, byKind map[string][]time.Duration, cpu map[string]time.Duration, slow []timedQuery) {
	for _, k := range queryKinds {
		l := slices.Clone(byKind[k])
		if len(l) == 0 {
			continue
		}
		slices.Sort(l)
		fmt.Printf("%s: %-8s p50 %6.2f ms  p99 %7.2f ms  CPU %5.2f ms per search (%d)\n", backend, k,
			ms(l[len(l)/2]), ms(l[len(l)*99/100]), ms(cpu[k]/time.Duration(len(l))), len(l))
	}
	slices.SortFunc(slow, func(a, b timedQuery) int { return int(b.took - a.took) })
	for _, q := range slow[:min(5, len(slow))] {
		fmt.Printf("%s: slow: %7.2f ms  %s\n", backend, ms(q.took), q.what)
	}
}

// benchRequest is the i-th search of a run: a two-word query in one of
// the languages, by turns filtered by language, filtered by forum, and
// newest first.
func benchRequest(c *corpus, i int, seeded *serving.Seeded) search.Request {
	lang := langs[i%len(langs)]
	req := search.Request{Text: c.query(lang, 2), ReaderLanguage: lang}
	switch i % 3 {
	case 0:
		req.Language = lang
	case 1:
		req.ForumID = seeded.Forum.ID
	case 2:
		req.Sort = search.Newest
	}
	return req
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// seed writes n posts in threads of 20, in transactions of 10,000, with
// storage.ImportPosts (posts, their index documents and tags).
func seed(ctx context.Context, store *storage.Store, s *serving.Seeded, r *rand.Rand, c *corpus, n int) error {
	ids := forum.NewULIDs(forum.SystemClock{}, nil)
	at := time.Now().Add(-time.Duration(n) * time.Minute)
	var thread *forum.Thread
	for done := 0; done < n; {
		batch := min(10_000, n-done)
		var threads []*forum.Thread
		posts := make([]*forum.Post, 0, batch)
		for i := range batch {
			at = at.Add(time.Minute)
			id := ids.NewAt(at)
			lang := langs[(done+i)/20%len(langs)]
			author := s.Members[r.IntN(len(s.Members))]
			body := c.text(lang, 40+r.IntN(80))
			p := &forum.Post{ID: id, ThreadID: id, AuthorID: author.ID, BranchID: id, Language: lang,
				Source: body, HTML: "<p>" + body + "</p>", CreatedAt: at}
			if (done+i)%20 == 0 {
				thread = &forum.Thread{ID: id, ForumID: s.Forum.ID, AuthorID: author.ID, RootPostID: id,
					Title: c.text(lang, 6), Language: lang, LastPostID: id, LastPostAt: at, CreatedAt: at}
				threads = append(threads, thread)
			} else {
				p.ThreadID, p.ParentID = thread.ID, thread.RootPostID
			}
			posts = append(posts, p)
		}
		if err := store.ImportPosts(ctx, threads, posts); err != nil {
			return err
		}
		done += batch
	}
	return nil
}

// reseeded finds what serving.Seed wrote in a kept corpus.
func reseeded(ctx context.Context, store *storage.Store) (*serving.Seeded, error) {
	f, err := store.ForumBySlug(ctx, "bench")
	if err != nil {
		return nil, fmt.Errorf("forum: %w", err)
	}
	out := &serving.Seeded{Forum: f}
	for i := range 10 {
		m, err := store.LocalMemberByUsername(ctx, fmt.Sprintf("member%d", i))
		if err != nil {
			return nil, fmt.Errorf("member%d: %w", i, err)
		}
		out.Members = append(out.Members, m)
	}
	return out, nil
}

// matchShare counts, untimed, how many posts sample queries match (all
// of them, not a page), and prints the median and mean share of the
// corpus: what makes the timings comparable with a real forum's.
func matchShare(ctx context.Context, idx search.Index, c *corpus, sample, posts int, backend string) error {
	var shares []float64
	sum := 0.0
	for i := range sample {
		lang := langs[i%len(langs)]
		q := c.query(lang, 2)
		hits, err := idx.FindPosts(ctx, search.PostQuery{Parsed: search.Parse(q), Sort: search.Newest, Limit: posts + 1})
		if err != nil {
			return err
		}
		share := 100 * float64(len(hits)) / float64(posts)
		shares = append(shares, share)
		sum += share
	}
	if len(shares) == 0 {
		return nil
	}
	slices.Sort(shares)
	fmt.Printf("%s: a two-word query matches %.2f%% of the posts (median of %d; mean %.2f%%, max %.2f%%)\n",
		backend, shares[len(shares)/2], len(shares), sum/float64(len(shares)), shares[len(shares)-1])
	return nil
}
