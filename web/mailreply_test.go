package web_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/smtp"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/mail/mailtest"
	"github.com/metropolis/agora/mailin"
)

// replyMail is what Marta's mail client sends when she replies to the
// node's mail: her words, then the mail quoted.
func replyMail(from, to, body string) []byte {
	return []byte("From: Marta Puig <" + from + ">\r\nTo: " + to + "\r\nSubject: Re: Priya Shah mentioned you\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n") +
		"\r\n\r\nOn Tue, 1 Dec 2026 at 10:02, agora <agora@agora.test> wrote:\r\n> ##- Write your answer above this line -##\r\n> Priya Shah mentioned you\r\n")
}

// A mail about one post carries a reply address; a reply sent to the
// node's SMTP receiver becomes Marta's answer to that post (quote
// stripped, in the language it is written in among hers); every refusal
// posts nothing and says why.
func TestReplyByEmail(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	srv := mailtest.Start(t, "", "")
	marta := s.signedIn("marta")
	if p := marta.post("/settings/notifications", url.Values{"email": {"marta@barcelona.test"}, "auto_watch": {"1"}}); p.status != 303 {
		t.Fatalf("save address: %d", p.status)
	}
	th := s.ask(s.cast.Toronto, "Has Covid-19 been a turning point?")
	mention := s.answer(s.cast.Toronto, th, "@marta how did Barcelona fund its telecentres?")
	s.derive()
	s.rig.Clock.Advance(4 * time.Minute)
	s.sendQueued(srv)
	got := srv.Wait(1, 5*time.Second)
	if len(got) != 1 {
		t.Fatalf("%d mails", len(got))
	}
	replyTo := got[0].Msg.Header.Get("Reply-To")
	tok := mailin.TokenOf(replyTo)
	if tok == "" || !strings.HasPrefix(replyTo, "agora+") || !strings.HasSuffix(replyTo, "@agora.test") {
		t.Fatalf("Reply-To %q", replyTo)
	}
	body := string(got[0].Body)
	for _, want := range []string{"##- Write your answer above this line -##", "how did Barcelona fund its telecentres?", "Reply to this email"} {
		if !strings.Contains(body, want) {
			t.Errorf("mail lacks %q:\n%s", want, body)
		}
	}

	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	rc := &mailin.Receiver{Store: s.rig.DB.Store(), Forum: s.rig.Service, Logger: logger, Now: s.rig.Clock.Now, DefaultLanguage: "en"}
	ln, err := mailin.Listen("127.0.0.1:0", "agora.test", rc)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = ln.Serve() }()
	t.Cleanup(func() { _ = ln.Close() })
	send := func(from, to string, raw []byte) error {
		return smtp.SendMail(ln.Addr(), nil, from, []string{to}, raw)
	}
	replies := func() int {
		t.Helper()
		v, err := s.rig.Service.Thread(ctx, th.ID)
		if err != nil {
			t.Fatal(err)
		}
		return v.ReplyCount
	}
	before := replies()

	refusals := []struct {
		name, from, to, body, reason string
	}{
		{"unknown token", "marta@barcelona.test", "agora+" + strings.Repeat("a", 24) + "@agora.test", "Hello", "unknown reply address"},
		{"not a reply address", "marta@barcelona.test", "agora@agora.test", "Hello", "No such reply address"},
		{"sender", "someone@elsewhere.test", replyTo, "Hello", "the sender is not the member"},
		{"no text", "marta@barcelona.test", replyTo, "", "no text"},
		{"too large", "marta@barcelona.test", replyTo, strings.Repeat("Long line of text.\n", 60_000), "552"},
	}
	for _, c := range refusals {
		err := send(c.from, c.to, replyMail(c.from, c.to, c.body))
		if err == nil || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("%s: %v, want a refusal saying %q", c.name, err, c.reason)
		}
	}
	auto := []byte("From: marta@barcelona.test\r\nTo: " + replyTo + "\r\nAuto-Submitted: auto-replied\r\nSubject: Out of office\r\n\r\nI am away.\r\n")
	if err := send("marta@barcelona.test", replyTo, auto); err == nil || !strings.Contains(err.Error(), "automatic") {
		t.Errorf("out of office: %v", err)
	}
	if n := replies(); n != before {
		t.Fatalf("%d answers after refusals, want %d", n, before)
	}

	// Her reply, in Spanish, through SMTP.
	if err := send("marta@barcelona.test", replyTo, replyMail("marta@barcelona.test", replyTo, "Con fondos europeos y de la ciudad.\n\n-- \nMarta Puig")); err != nil {
		t.Fatalf("reply: %v", err)
	}
	if n := replies(); n != before+1 {
		t.Fatalf("%d answers, want %d", n, before+1)
	}
	v, err := s.rig.Service.ReadThread(ctx, s.cast.Barcelona, th.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	var answer *forum.Post
	for _, p := range v.Posts.Items {
		if p.AuthorID == s.cast.Barcelona.ID {
			answer = p
		}
	}
	if answer == nil || answer.Source != "Con fondos europeos y de la ciudad." || answer.Language != "es" || answer.ParentID != mention.ID {
		t.Fatalf("answer %+v", answer)
	}

	// A locked thread, a deleted post, an expired address: refused.
	raw := replyMail("marta@barcelona.test", replyTo, "One more thing.")
	if _, err := s.rig.Service.SetLocked(ctx, s.cast.Moderator, th.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := send("marta@barcelona.test", replyTo, raw); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Errorf("locked: %v", err)
	}
	if _, err := s.rig.Service.SetLocked(ctx, s.cast.Moderator, th.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.rig.Service.DeletePost(ctx, s.cast.Moderator, mention.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := rc.Receive(ctx, nil, raw); !isRefusal(err, "deleted") {
		t.Errorf("deleted post: %v", err)
	}
	s.rig.Clock.Advance(mailin.DefaultTTL)
	if _, err := rc.Receive(ctx, nil, raw); !isRefusal(err, "expired") {
		t.Errorf("expired: %v", err)
	}
	if n := replies(); n != before { // the mention was deleted, Marta's answer stays
		t.Fatalf("%d answers after the last refusals, want %d", n, before)
	}
}

func isRefusal(err error, says string) bool {
	var r *mailin.Refusal
	return errors.As(err, &r) && strings.Contains(r.Reason, says)
}
