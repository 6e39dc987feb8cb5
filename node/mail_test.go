package node_test

import (
	"context"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/mail/mailtest"
	"github.com/metropolis/agora/mailin"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
)

// mailPeer runs a node on 127.0.0.<last> that mails through srv.
func mailPeer(t *testing.T, name string, last int, srv *mailtest.Server) *peer {
	t.Helper()
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", last))
	if err != nil {
		t.Fatal(err)
	}
	return runMailPeer(t, name, ln, storetest.Open(t), srv)
}

func runMailPeer(t *testing.T, name string, ln net.Listener, db *storage.DB, srv *mailtest.Server) *peer {
	t.Helper()
	cfg := testConfig(name, "http://"+ln.Addr().String(), db)
	cfg.Delivery = fastDelivery
	cfg.Mail = node.MailConfig{SMTPURL: "smtp://" + srv.Addr, From: "agora@" + name + ".test", Coalesce: 200 * time.Millisecond,
		Poll: 50 * time.Millisecond, Backoff: func(int) time.Duration { return 2 * time.Second }}
	return runNode(t, name, ln, cfg, nil)
}

// TestMentionMailAndReplyByEmail: a member of one city mentions a member
// of another in a hub's thread. The mentioned member's node notifies her
// and sends one email through a real SMTP server; she replies to it, the
// reply reaches her node through its SMTP receiver, is posted as her
// answer and reaches the hub and the first city.
func TestMentionMailAndReplyByEmail(t *testing.T) {
	ctx := context.Background()
	inbox := mailtest.Start(t, "", "")
	hub := startPeer(t, "hub", 1)
	barcelona := mailPeer(t, "barcelona", 2, inbox)
	harare := startPeer(t, "harare", 3)
	asker := hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
	marta := barcelona.member(t, "marta", "Marta Puig", "Barcelona", forum.RoleMember, "es", "en")
	tendai := harare.member(t, "tendai", "Tendai Moyo", "Harare", forum.RoleMember, "en")
	if err := barcelona.DB.Store().SetMemberEmail(ctx, marta.ID, "marta@barcelona.example"); err != nil {
		t.Fatal(err)
	}
	f := hub.forum(t, "digitalisation", "Learning forum on digitalisation")
	join(t, barcelona, hub, f)
	join(t, harare, hub, f)
	q := hub.ask(t, asker, f, "Has Covid-19 been a turning point?", "For internet access.")
	qURI := hub.URLs.Thread(q.ID)
	same(t, "the question reaches both cities", qURI, hub, barcelona, harare)
	tq, err := harare.threadOn(qURI)
	if err != nil {
		t.Fatal(err)
	}
	mention, err := harare.Service.Reply(ctx, tendai, tq.ID, "", forum.Answer{Language: "en",
		Body: fmt.Sprintf("@marta@%s how did Barcelona fund its telecentres?", barcelona.URLs.Host())})
	if err != nil {
		t.Fatal(err)
	}
	harare.Federation.Notify()

	got := inbox.Wait(1, 20*time.Second)
	if len(got) != 1 {
		t.Fatalf("%d mails, want 1", len(got))
	}
	n, err := barcelona.Notify.Store.CountUnread(ctx, marta.ID)
	if err != nil || n != 1 {
		t.Fatalf("Marta has %d unread notifications (%v), want 1", n, err)
	}
	h := got[0].Msg.Header
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || got[0].To[0] != "marta@barcelona.example" || subject != "Tendai Moyo mentioned you in “Has Covid-19 been a turning point?”" {
		t.Fatalf("mail to %v, subject %q (%v)", got[0].To, subject, err)
	}
	replyTo := h.Get("Reply-To")
	if mailin.TokenOf(replyTo) == "" || !strings.HasSuffix(replyTo, "@barcelona.test") {
		t.Fatalf("Reply-To %q", replyTo)
	}

	// Marta replies from her mail client; her node's receiver takes it.
	rx, err := mailin.Listen("127.0.0.2:0", "barcelona.test", barcelona.MailIn)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = rx.Serve() }()
	t.Cleanup(func() { _ = rx.Close() })
	raw := "From: Marta Puig <marta@barcelona.example>\r\nTo: " + replyTo + "\r\nSubject: Re: " + subject +
		"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nCon fondos europeos y de la ciudad.\r\n\r\n" +
		"El mar, 1 dic 2026 a las 10:02, agora <agora@barcelona.test> escribió:\r\n> Tendai Moyo te mencionó\r\n"
	if err := smtp.SendMail(rx.Addr(), nil, "marta@barcelona.example", []string{replyTo}, []byte(raw)); err != nil {
		t.Fatalf("reply by email: %v", err)
	}
	tb, err := barcelona.threadOn(qURI)
	if err != nil {
		t.Fatal(err)
	}
	v, err := barcelona.Service.ReadThread(ctx, nil, tb.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	var answer *forum.Post
	for _, p := range v.Posts.Items {
		if p.AuthorID == marta.ID {
			answer = p
		}
	}
	if answer == nil || answer.Source != "Con fondos europeos y de la ciudad." || answer.Language != "es" {
		t.Fatalf("Marta's answer: %+v", answer)
	}
	aURI := barcelona.URLs.Post(answer.ID)
	for _, p := range []*peer{hub, harare} {
		testrig.Eventually(t, "the answer by email reaches "+p.name, func() (bool, string) {
			c, err := p.Service.PostByURI(ctx, aURI)
			if err != nil {
				return false, err.Error()
			}
			parent, err := p.Service.Post(ctx, c.ParentID)
			if err != nil {
				return false, err.Error()
			}
			// It answers Tendai's mention, as the mail was about it.
			return parent.URI == harare.URLs.Post(mention.ID) || parent.ID == mention.ID, "parent " + parent.URI
		})
	}
	// One mail: the answer arriving twice (to Marta and by the hub's
	// Announce) told her once.
	time.Sleep(500 * time.Millisecond)
	if n := len(inbox.Messages()); n != 1 {
		t.Fatalf("%d mails in the end, want 1", n)
	}
}

// TestMailQueuedAcrossRestart: a node stops (as a crash would) with mails
// it could not send yet; started again, it sends each once.
func TestMailQueuedAcrossRestart(t *testing.T) {
	ctx := context.Background()
	inbox := mailtest.Start(t, "", "")
	inbox.FailNext(1_000_000)
	p := mailPeer(t, "city", 4, inbox)
	f := p.forum(t, "open-data", "Open data")
	ana := p.member(t, "ana", "Ana Lima", "City", forum.RoleMember, "en")
	bo := p.member(t, "bo", "Bo Chen", "City", forum.RoleMember, "en")
	cy := p.member(t, "cy", "Cy Diallo", "City", forum.RoleMember, "en")
	for _, m := range []*forum.Member{bo, cy} {
		if err := p.DB.Store().SetMemberEmail(ctx, m.ID, m.Username+"@city.example"); err != nil {
			t.Fatal(err)
		}
	}
	p.ask(t, ana, f, "Which portal?", "Ask @bo and @cy.")
	testrig.Eventually(t, "two mails tried and refused", func() (bool, string) {
		return inbox.Refused() >= 2, fmt.Sprintf("%d refused", inbox.Refused())
	})
	if n := len(inbox.Messages()); n != 0 {
		t.Fatalf("%d mails accepted while the server refused", n)
	}
	p.abandon()
	<-p.done
	inbox.FailNext(0)
	runMailPeer(t, "city", relisten(t, p.ln.Addr().String()), p.DB, inbox)
	inbox.Wait(2, 20*time.Second)
	time.Sleep(time.Second) // nothing more comes
	got := inbox.Messages()
	if len(got) != 2 {
		t.Fatalf("%d mails after the restart, want 2", len(got))
	}
	to := map[string]bool{}
	for _, m := range got {
		to[m.To[0]] = true
	}
	if !to["bo@city.example"] || !to["cy@city.example"] {
		t.Fatalf("mails to %v", to)
	}
}
