package node_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
)

// gate holds the requests it matches until it opens: a slow host.
type gate struct {
	match func(*http.Request) bool
	ch    chan struct{}
	once  sync.Once
	held  atomic.Int32
}

func newGate(match func(*http.Request) bool) *gate {
	return &gate{match: match, ch: make(chan struct{})}
}

func (g *gate) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.match(r) {
			g.held.Add(1)
			select {
			case <-g.ch:
			case <-r.Context().Done():
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }

// adminBrowser signs in to a node's web pages as a new administrator.
type adminBrowser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newAdminBrowser(t *testing.T, p *peer) *adminBrowser {
	t.Helper()
	ctx := context.Background()
	p.member(t, "admin", "Node Admin", "City", forum.RoleAdmin, "en")
	_, token, err := p.Service.PasswordResetToken(ctx, forum.SystemActor(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	const password = "a long enough passphrase"
	if _, _, err := p.Service.SetPasswordWithToken(ctx, token, password); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	b := &adminBrowser{t: t, base: "http://" + p.ln.Addr().String(), c: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if status, _ := b.post("/login", url.Values{"username": {"admin"}, "password": {password}, "next": {"/"}}); status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", status)
	}
	return b
}

func (b *adminBrowser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *adminBrowser) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	u, _ := url.Parse(b.base)
	csrf := ""
	for i := 0; i < 2 && csrf == ""; i++ {
		for _, c := range b.c.Jar.Cookies(u) {
			if c.Name == "agora_csrf" {
				csrf = c.Value
			}
		}
		if csrf == "" {
			b.get("/")
		}
	}
	form.Set("csrf", csrf)
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// hubWithQuestions is a hub with a forum of n questions, its handler
// behind g.
func hubWithQuestions(t *testing.T, g *gate, n int) (*peer, *forum.Forum) {
	t.Helper()
	ctx := context.Background()
	hub := runPeerWith(t, "hub", listenOn(t, 1), storetest.Open(t), fastDelivery, g.wrap)
	asker := hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
	f := hub.forum(t, "digitalisation", "Learning forum on digitalisation")
	for i := range n {
		q, err := hub.Service.Ask(ctx, asker, f.ID, forum.Question{Title: fmt.Sprintf("Question number %d?", i+1), Body: "Tell us.", Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := hub.Service.Reply(ctx, asker, q.ID, "", forum.Answer{Body: fmt.Sprintf("Answer to %d.", i+1), Language: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	return hub, f
}

// listenOn listens on 127.0.0.<last>, any port.
func listenOn(t *testing.T, last int) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", last))
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// onlyJob is the node's one join job.
func onlyJob(t *testing.T, p *peer) *federation.JoinJob {
	t.Helper()
	jobs, err := p.Federation.JoinJobs(context.Background(), 10)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("join jobs: %v, %v; want one", jobs, err)
	}
	return jobs[0]
}

// TestJoinIsQueuedAtOnce: an admin asks to join a forum whose host is slow
// (it answers nothing yet): the request answers at once, and the admin
// page shows the join under way; when the host answers, the page shows it
// done and the forum's threads are here.
func TestJoinIsQueuedAtOnce(t *testing.T) {
	g := newGate(func(r *http.Request) bool { return r.Method == http.MethodGet })
	t.Cleanup(g.open)
	hub, f := hubWithQuestions(t, g, 2)
	city := startPeer(t, "city", 2)
	admin := newAdminBrowser(t, city)

	start := time.Now()
	status, _ := admin.post("/admin/join", url.Values{"target": {"@" + f.Slug + "@" + hub.URLs.Host()}})
	if took := time.Since(start); status != http.StatusSeeOther || took > 3*time.Second {
		t.Fatalf("POST /admin/join: %d after %v; want 303 at once", status, took)
	}
	_, page := admin.get("/admin/federation")
	if !strings.Contains(page, "@"+f.Slug+"@"+hub.URLs.Host()) || !strings.Contains(page, "Looking up the forum") && !strings.Contains(page, "Queued") {
		t.Errorf("admin page does not show the join under way:\n%s", page)
	}
	testrig.Eventually(t, "the worker waits on the slow host", func() (bool, string) {
		return g.held.Load() > 0, "no request reached the hub"
	})

	g.open()
	testrig.Eventually(t, "the join is done", func() (bool, string) {
		_, page := admin.get("/admin/federation")
		j := onlyJob(t, city)
		return j.State == federation.JoinDone && strings.Contains(page, "Joined"), fmt.Sprintf("%+v", j)
	})
	for i := range 2 {
		if _, err := city.Service.ForumBySlug(context.Background(), f.Slug+"@"+hub.URLs.Host()); err != nil {
			t.Fatal(err)
		}
		testrig.Eventually(t, "the threads are here", func() (bool, string) {
			n, err := city.DB.Bun().NewSelect().Table("threads").Where("title = ?", fmt.Sprintf("Question number %d?", i+1)).Count(context.Background())
			return err == nil && n == 1, fmt.Sprint(n, err)
		})
	}
}

// TestJoinFailureShown: a join of something that is not a forum fails,
// and the admin page says why, in the admin's language.
func TestJoinFailureShown(t *testing.T) {
	hub := startPeer(t, "hub", 1)
	hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
	city := startPeer(t, "city", 2)
	admin := newAdminBrowser(t, city)
	if status, _ := admin.post("/admin/join", url.Values{"target": {hub.URLs.Member("secretariat")}}); status != http.StatusSeeOther {
		t.Fatalf("POST /admin/join: %d", status)
	}
	testrig.Eventually(t, "the join fails", func() (bool, string) {
		j := onlyJob(t, city)
		return j.State == federation.JoinFailed, fmt.Sprintf("%+v", j)
	})
	req, _ := http.NewRequest("GET", admin.base+"/admin/federation", nil)
	req.Header.Set("Accept-Language", "fr")
	resp, err := admin.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// The reason is said in French; the error's technical English (for
	// the log and the command line) is not shown.
	for _, want := range []string{"Impossible de rejoindre<br><small>Cette adresse n’est pas celle d’un forum que l’on peut rejoindre.</small>"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("admin page does not say why the join failed (want %q):\n%s", want, body)
		}
	}
	if strings.Contains(string(body), "not a forum (Group)") {
		t.Errorf("admin page shows the raw error:\n%s", body)
	}
	if j := onlyJob(t, city); !strings.Contains(j.Error, "is a Person, not a forum (Group)") || j.Reason != "not_a_forum" {
		t.Errorf("job keeps error %q, reason %q", j.Error, j.Reason)
	}
	// A target that is neither a URL nor a handle is refused at once.
	status, page := admin.post("/admin/join", url.Values{"target": {"digitalisation"}})
	if status != http.StatusBadRequest || !strings.Contains(page, "Type a forum address") || !strings.Contains(page, `value="digitalisation"`) {
		t.Errorf("bad target: %d, want 400 with the reason and the target as typed", status)
	}
}

// TestJoinSurvivesRestart: the city stops while it backfills the forum
// (the hub's thread collections hang); started again on the same
// database, it finishes the join.
func TestJoinSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	g := newGate(func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/context") })
	t.Cleanup(g.open)
	hub, f := hubWithQuestions(t, g, 3)
	city := startPeer(t, "city", 2)
	j, err := city.Federation.QueueJoin(ctx, forum.SystemActor(), hub.URLs.Forum(f.Slug))
	if err != nil {
		t.Fatal(err)
	}
	testrig.Eventually(t, "the city backfills", func() (bool, string) {
		cur := onlyJob(t, city)
		return cur.State == federation.JoinBackfilling && g.held.Load() > 0, fmt.Sprintf("%+v, %d held", cur, g.held.Load())
	})
	city.stop()
	cur, err := city.DB.Store().JoinJob(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cur.State != federation.JoinBackfilling || cur.LeaseUntil != nil {
		t.Fatalf("after the stop: %+v; want backfilling, left to the next worker", cur)
	}

	g.open()
	city = city.restart(t)
	testrig.Eventually(t, "the join completes after the restart", func() (bool, string) {
		cur := onlyJob(t, city)
		n, err := city.DB.Bun().NewSelect().Table("posts").Where("uri LIKE ?", hub.URLs.Base()+"%").Count(ctx)
		// Done, or waiting for the hub's Accept (which the hub may be
		// retrying after the city's downtime).
		ended := cur.State == federation.JoinDone || cur.State == federation.JoinWaiting
		return ended && err == nil && n == 6, fmt.Sprintf("%+v; %d posts of the hub (err %v)", cur, n, err)
	})
	if cur := onlyJob(t, city); cur.Done != cur.Total || cur.Total == 0 {
		t.Errorf("progress %d/%d at the end", cur.Done, cur.Total)
	}
}
