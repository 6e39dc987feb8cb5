package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/smtp"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/mailin"
	"github.com/metropolis/agora/uris"
)

// TestMailReceive: `agora mail receive`, as an MTA's pipe runs it, posts a
// reply read on stdin and exits 0; a refused one exits 65 with the reason
// on stderr (the MTA's bounce), and posts nothing.
func TestMailReceive(t *testing.T) {
	data := t.TempDir()
	mustRun(t, data, "admin", "create-forum", "digitalisation", "--title", "Digitalisation")
	mustRun(t, data, "admin", "create-user", "ana", "--name", "Ana Pérez", "--languages", "es,en")
	ctx := t.Context()
	db, err := openStorage(ctx, Config{DataDir: data}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	urls, _ := uris.New("http://127.0.0.1:8080")
	svc, err := newService(db, urls)
	if err != nil {
		t.Fatal(err)
	}
	st := db.Store()
	ana, err := svc.MemberByUsername(ctx, "ana")
	if err != nil {
		t.Fatal(err)
	}
	f, err := st.ForumBySlug(ctx, "digitalisation")
	if err != nil {
		t.Fatal(err)
	}
	th, err := svc.Ask(ctx, ana, f.ID, forum.Question{Title: "Open data portals", Body: "Which one?", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetMemberEmail(ctx, ana.ID, "ana@city.example"); err != nil {
		t.Fatal(err)
	}
	tok, err := mailin.Issue(ctx, st, ana.ID, th.RootPostID, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	to, _ := mailin.ReplyAddress("agora@city.example", tok)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	message := func(from, body string) string {
		return "From: " + from + "\r\nTo: " + to + "\r\nSubject: Re: Open data portals\r\n\r\n" + body + "\r\n"
	}
	steps := []struct {
		name, stdin string
		args        []string
		code        int
		out, err    string
	}{
		{"posted", message("Ana <ana@city.example>", "We chose CKAN.\r\n\r\n-- \r\nAna"), []string{"--recipient", to}, 0, "Posted http://127.0.0.1:8080/p/", ""},
		{"recipient from the headers", message("ana@city.example", "And DCAT for the catalogue."), nil, 0, "Posted", ""},
		{"wrong sender", message("mallory@else.example", "Spam"), []string{"--recipient", to}, exDataErr, "", "reply not posted: the sender is not the member"},
		{"no text", message("ana@city.example", "> quoted only"), nil, exDataErr, "", "no text"},
		{"unknown address", message("ana@city.example", "Hi"), []string{"--recipient", "agora+" + strings.Repeat("b", 24) + "@city.example"}, exDataErr, "", "unknown reply address"},
		{"too large", message("ana@city.example", strings.Repeat("x\r\n", mailin.MaxSize/3+1)), nil, exDataErr, "", "larger than 1 MiB"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"mail", "receive", "--data", data}, s.args...)
			code := runIO(t.Context(), args, cmdIO{env: envOf(nil), stdin: strings.NewReader(s.stdin), stdout: &stdout, stderr: &stderr})
			if code != s.code || !strings.Contains(stdout.String(), s.out) || !strings.Contains(stderr.String(), s.err) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, s.code, stdout.String(), stderr.String())
			}
		})
	}
	db, err = openStorage(ctx, Config{DataDir: data}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Store().ThreadByID(ctx, th.ID)
	if err != nil || got.ReplyCount != 2 {
		t.Fatalf("thread: %d answers (%v), want 2", got.ReplyCount, err)
	}
	var stderr bytes.Buffer
	if code := runIO(t.Context(), []string{"mail", "send"}, cmdIO{env: envOf(nil), stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr}); code != 2 {
		t.Errorf("mail send: exit %d, %s", code, stderr.String())
	}
}

// TestServeSMTPListen: `agora serve --smtp-listen` answers SMTP; it takes
// mail only for reply addresses.
func TestServeSMTPListen(t *testing.T) {
	n := startNode(t, []string{"serve", "--listen", "127.0.0.1:0", "--smtp-listen", "127.0.0.1:0", "--data", t.TempDir()}, nil)
	m := regexp.MustCompile(`Receiving replies by email on (\S+)`).FindStringSubmatch(n.stdout.String())
	if m == nil {
		t.Fatalf("no SMTP address in stdout:\n%s", n.stdout)
	}
	c, err := smtp.Dial(m[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("ana@city.example"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("postmaster@city.example"); err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("RCPT of a non-reply address: %v, want 550", err)
	}
	if err := c.Rcpt("agora+" + strings.Repeat("c", 24) + "@city.example"); err != nil {
		t.Errorf("RCPT of a reply address: %v", err)
	}
	_ = c.Quit()
	if code := n.stop(); code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, n.stderr)
	}
}
