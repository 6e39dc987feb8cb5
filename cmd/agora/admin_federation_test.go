package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/storage/storetest"
)

// runAdmin runs `agora <args> --data data` and returns its exit code and
// output.
func runAdmin(t *testing.T, data string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(t.Context(), append(args, "--data", data), envOf(nil), &out, &errOut)
	return code, out.String(), errOut.String()
}

// mustRun runs an admin command that must succeed.
func mustRun(t *testing.T, data string, args ...string) string {
	t.Helper()
	code, stdout, stderr := runAdmin(t, data, args...)
	if code != 0 {
		t.Fatalf("%v: exit code %d\nstdout:\n%s\nstderr:\n%s", args, code, stdout, stderr)
	}
	return stdout
}

// wantLine checks that out has a line matching the pattern (words
// separated by any run of spaces).
func wantLine(t *testing.T, out string, words ...string) {
	t.Helper()
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	re := regexp.MustCompile(`(?m)^\s*` + strings.Join(words, `\s+`) + `(\s|$)`)
	if !re.MatchString(out) {
		t.Errorf("no line %q in:\n%s", strings.Join(words, " "), out)
	}
}

func TestAdminFederationStatusEmpty(t *testing.T) {
	data := t.TempDir()
	out := mustRun(t, data, "admin", "federation", "status")
	for _, state := range []string{"pending", "done", "failed", "dropped"} {
		wantLine(t, out, state, "0")
	}
	wantLine(t, out, "pending", "0", "oldest", "-")
	wantLine(t, out, "parked", "0")
	wantLine(t, out, "given", "up", "0")
	for _, w := range []string{"Delivery queue", "Inbox", "Hosts (0)", "Blocked domains (0)", "Publisher"} {
		if !strings.Contains(out, w) {
			t.Errorf("status does not show %q:\n%s", w, out)
		}
	}
}

// queueDeliveries stores one outbox activity with a delivery to each
// inbox in the node's database at data, and a failing health record for
// each host in failing.
func queueDeliveries(t *testing.T, data string, inboxes []string, failing ...string) {
	t.Helper()
	ctx := t.Context()
	db, err := openStorage(ctx, Config{DataDir: data}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := db.Store()
	now := time.Now().UTC().Add(-90 * time.Minute)
	act := &federation.OutboxActivity{ID: "01ACTIVITY0000000000000000", URI: "http://127.0.0.1:8080/activities/1",
		ActorURI: "http://127.0.0.1:8080/actor", Type: "Create", Body: []byte(`{}`), CreatedAt: now}
	if err := st.AddOutboxActivity(ctx, act); err != nil {
		t.Fatal(err)
	}
	var ds []*federation.Delivery
	for i, inbox := range inboxes {
		host := strings.Split(strings.TrimPrefix(inbox, "https://"), "/")[0]
		ds = append(ds, &federation.Delivery{ID: forum.ID("01DELIVERY00000000000000" + string(rune('A'+i))),
			ActivityID: act.ID, Inbox: inbox, Host: host, State: federation.DeliveryPending, NextAttemptAt: now, CreatedAt: now})
	}
	if err := st.AddDeliveries(ctx, ds); err != nil {
		t.Fatal(err)
	}
	for _, h := range failing {
		until := time.Now().Add(time.Hour)
		if err := st.SaveHost(ctx, &federation.HostHealth{Host: h, ConsecutiveFails: 9, Failed: 9, OpenUntil: &until,
			LastFailure: &now}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAdminBlockDropsQueuedDeliveries(t *testing.T) {
	data := t.TempDir()
	mustRun(t, data, "migrate")
	queueDeliveries(t, data, []string{"https://spam.example/inbox", "https://social.spam.example:8443/inbox",
		"https://good.example/inbox"}, "social.spam.example:8443")

	out := mustRun(t, data, "admin", "federation", "status")
	wantLine(t, out, "pending", "3", "oldest", "1h30m0s", "ago")
	wantLine(t, out, "social.spam.example:8443", "0", "9", "9", "open until")

	out = mustRun(t, data, "admin", "block", "Spam.Example.", "--reason", "spam waves")
	if !strings.Contains(out, "Blocked spam.example; dropped 2 queued deliveries.") {
		t.Errorf("block: %s", out)
	}
	out = mustRun(t, data, "admin", "federation", "status")
	wantLine(t, out, "pending", "1")
	wantLine(t, out, "dropped", "2")
	wantLine(t, out, "spam.example", time.Now().UTC().Format(time.DateOnly), "spam", "waves")

	// Blocking again changes nothing; unblocking twice is an error.
	mustRun(t, data, "admin", "block", "spam.example")
	if !strings.Contains(mustRun(t, data, "admin", "unblock", "spam.example"), "Unblocked spam.example.") {
		t.Error("unblock said nothing")
	}
	if code, _, stderr := runAdmin(t, data, "admin", "unblock", "spam.example"); code != 1 ||
		stderr != "agora: unblock spam.example: it is not blocked\n" {
		t.Errorf("unblock twice: exit %d, stderr %q; want 1, not blocked", code, stderr)
	}
	if out := mustRun(t, data, "admin", "federation", "status"); !strings.Contains(out, "Blocked domains (0)") {
		t.Errorf("still blocked after unblock:\n%s", out)
	}
}

func TestAdminFederationUsageErrors(t *testing.T) {
	data := t.TempDir()
	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"admin", "federation", "bogus"}, `admin federation: unknown command "bogus"`},
		{[]string{"admin", "federation"}, "admin federation: missing command"},
		{[]string{"admin", "federation", "status", "extra"}, `unexpected argument "extra"`},
		{[]string{"admin", "federation", "followers"}, "want <forum-slug>"},
		{[]string{"admin", "join"}, "want <forum-url-or-@name@host>"},
		{[]string{"admin", "join", "not a forum"}, `admin join: "not a forum" is neither a forum URL`},
		{[]string{"admin", "join", "ftp://hub.example/f/x"}, "is neither a forum URL"},
		{[]string{"admin", "join", "@digitalisation"}, "is neither a forum URL"},
		{[]string{"admin", "leave", "nobody"}, "admin leave: \"nobody\" is neither"},
		{[]string{"admin", "block"}, "want <domain>"},
		{[]string{"admin", "block", "https://spam.example/"}, `admin block: "https://spam.example/" is not a domain`},
		{[]string{"admin", "block", "spam example"}, "is not a domain"},
		{[]string{"admin", "block", "a.example", "b.example"}, "want <domain>"},
		{[]string{"admin", "block", "spam.example", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"admin", "unblock", "x_y.example"}, "is not a domain"},
	} {
		t.Run(strings.Join(tt.args[1:], " "), func(t *testing.T) {
			code, _, stderr := runAdmin(t, data, tt.args...)
			if code != 2 {
				t.Errorf("exit code %d, want 2; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.stderr, stderr)
			}
			first, help, _ := strings.Cut(stderr, "\n")
			if !strings.HasPrefix(first, "agora: ") || (help != "" && !strings.HasPrefix(help, "\nUsage:")) {
				t.Errorf("want one line, then help if any:\n%s", stderr)
			}
		})
	}
}

func TestAdminJoinUnreachable(t *testing.T) {
	data := t.TempDir()
	// A loopback port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := "http://" + ln.Addr().String() + "/f/digitalisation"
	ln.Close()
	for _, tt := range []struct {
		name   string
		extra  []string
		stderr string
	}{
		{"refused", []string{"--allow-loopback-peers", "true"}, "agora: join " + target + ": "},
		{"loopback not allowed", nil, "agora: join " + target + ": "},
		{"handle", []string{"--allow-loopback-peers", "true"}, "agora: join @digitalisation@" + ln.Addr().String() + ": webfinger"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"admin", "join", target, "--wait"}
			if tt.name == "handle" {
				args[2] = "@digitalisation@" + ln.Addr().String()
			}
			code, stdout, stderr := runAdmin(t, data, append(args, tt.extra...)...)
			if code != 1 {
				t.Fatalf("exit code %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			if !strings.HasPrefix(stderr, tt.stderr) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr %q, want one line starting %q", stderr, tt.stderr)
			}
		})
	}
	out := mustRun(t, data, "admin", "federation", "status")
	wantLine(t, out, "pending", "0")
	if forums := mustRun(t, data, "admin", "list-forums"); strings.Contains(forums, "digitalisation") {
		t.Errorf("a failed join left a forum:\n%s", forums)
	}
}

// TestAdminJoinAndLeave joins a forum of a real hub node on 127.0.0.1 from
// a city's database (the CLI, on 127.0.0.2), then leaves it: the Follow and
// the Undo wait in the city's queue for its running node to send them.
func TestAdminJoinAndLeave(t *testing.T) {
	ctx := t.Context()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hub, err := node.New(node.Config{BaseURL: "http://" + ln.Addr().String(), DefaultLanguage: "en", DB: storetest.Open(t),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AllowLoopbackPeers: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: hub.Handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	})
	if _, err := hub.Service.CreateForum(ctx, forum.SystemActor(), forum.ForumInput{Slug: "digitalisation", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Learning forum on digitalisation"}}}); err != nil {
		t.Fatal(err)
	}
	hubHost := ln.Addr().String()
	forumURL := hub.URLs.Forum("digitalisation")

	data := t.TempDir()
	city := []string{"--allow-loopback-peers", "true", "--base-url", "http://127.0.0.2:18080"}
	out := mustRun(t, data, append([]string{"admin", "join", "@digitalisation@" + hubHost, "--wait"}, city...)...)
	for _, w := range []string{`Joined "Learning forum on digitalisation" (` + forumURL + ") from " + hubHost,
		"Here: http://127.0.0.2:18080/f/digitalisation@" + hubHost, "queued"} {
		if !strings.Contains(out, w) {
			t.Errorf("join output does not contain %q:\n%s", w, out)
		}
	}
	status := mustRun(t, data, "admin", "federation", "status")
	wantLine(t, status, "pending", "1") // the Follow
	if forums := mustRun(t, data, "admin", "list-forums"); !strings.Contains(forums, "digitalisation@"+hubHost) {
		t.Errorf("joined forum not listed:\n%s", forums)
	}
	// Joining again queues nothing more.
	mustRun(t, data, append([]string{"admin", "join", forumURL, "--wait"}, city...)...)
	wantLine(t, mustRun(t, data, "admin", "federation", "status"), "pending", "1")

	out = mustRun(t, data, append([]string{"admin", "leave", "@digitalisation@" + hubHost}, city...)...)
	if !strings.Contains(out, "Left "+forumURL) {
		t.Errorf("leave: %s", out)
	}
	wantLine(t, mustRun(t, data, "admin", "federation", "status"), "pending", "2") // and the Undo
	code, _, stderr := runAdmin(t, data, append([]string{"admin", "leave", forumURL}, city...)...)
	if code != 1 || !strings.Contains(stderr, "does not follow it") {
		t.Errorf("leave twice: exit %d, %q; want 1, does not follow it", code, stderr)
	}
}

func TestAdminFederationFollowers(t *testing.T) {
	data := t.TempDir()
	mustRun(t, data, "admin", "create-forum", "digitalisation", "--title", "Digitalisation")
	ctx := t.Context()
	db, err := openStorage(ctx, Config{DataDir: data}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for i, fl := range []*federation.Follower{
		{ActorURI: "https://bcn.example/actor", Inbox: "https://bcn.example/actor/inbox", SharedInbox: "https://bcn.example/inbox",
			State: federation.FollowAccepted},
		{ActorURI: "https://bh.example/actor", Inbox: "https://bh.example/actor/inbox", State: federation.FollowPending},
	} {
		fl.ID, fl.Target = forum.ID("01FOLLOWER000000000000000"+string(rune('A'+i))), "http://127.0.0.1:8080/f/digitalisation"
		fl.FollowID, fl.CreatedAt = fl.ActorURI+"#follow", time.Now()
		if err := db.Store().SaveFollower(ctx, fl); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	out := mustRun(t, data, "admin", "federation", "followers", "digitalisation")
	wantLine(t, out, "https://bcn.example/actor", "accepted", "https://bcn.example/inbox")
	wantLine(t, out, "https://bh.example/actor", "pending", "https://bh.example/actor/inbox")
	if !strings.Contains(out, "1 following, 1 awaiting approval") {
		t.Errorf("no summary:\n%s", out)
	}
	if code, _, stderr := runAdmin(t, data, "admin", "federation", "followers", "nowhere"); code != 1 ||
		!strings.Contains(stderr, `no forum "nowhere"`) {
		t.Errorf("unknown forum: exit %d, %q", code, stderr)
	}
}

// TestAdminJoinQueues: without --wait, 'admin join' only queues the job
// (nothing is fetched, even from a host that would hang) and 'admin
// joins' lists it; with --wait, a join of something that is not a forum
// fails with the reason, and the job says so.
func TestAdminJoinQueues(t *testing.T) {
	data := t.TempDir()
	// A host that accepts connections and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	target := "http://" + ln.Addr().String() + "/f/digitalisation"
	start := time.Now()
	out := mustRun(t, data, "admin", "join", target, "--allow-loopback-peers", "true")
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("admin join took %v: it should only queue the job", took)
	}
	m := regexp.MustCompile(`queued as job (\S+):`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no job id in:\n%s", out)
	}
	wantLine(t, mustRun(t, data, "admin", "joins"), m[1], target, "queued")

	// A node's instance actor is an Application, not a forum.
	n := startNode(t, []string{"serve", "--listen", "127.0.0.1:0", "--data", t.TempDir()}, nil)
	defer n.stop()
	notForum := "http://" + n.addr + "/actor"
	code, stdout, stderr := runAdmin(t, data, "admin", "join", notForum, "--wait", "--allow-loopback-peers", "true")
	if want := "agora: join " + notForum + ": cannot join: " + notForum + " is a Application, not a forum (Group)\n"; code != 1 || stderr != want {
		t.Errorf("join of an actor: exit %d, stderr %q; want 1, %q\nstdout:\n%s", code, stderr, want, stdout)
	}
	if joins := mustRun(t, data, "admin", "joins"); !regexp.MustCompile(regexp.QuoteMeta(notForum) + `\s+failed: cannot join: `).MatchString(joins) {
		t.Errorf("the failed join is not listed with its reason:\n%s", joins)
	}
}
