package mail_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/metropolis/agora/mail"
	"github.com/metropolis/agora/mail/mailtest"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/storetest"
)

var t0 = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

func eachBackend(t *testing.T, fn func(t *testing.T, st *storage.Store)) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(t, b.Open(t).Store()) })
	}
}

func worker(t *testing.T, st *storage.Store, srv *mailtest.Server, now *time.Time) *mail.Worker {
	sender, err := mail.NewSMTP("smtp://"+srv.User+":"+srv.Pass+"@"+srv.Addr, "agora@city.test", "city.test")
	if err != nil {
		t.Fatal(err)
	}
	return &mail.Worker{Queue: st, Sender: sender, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return *now }, Backoff: func(n int) time.Duration { return time.Duration(n) * time.Minute }, MaxAttempts: 3}
}

func enqueue(t *testing.T, st *storage.Store, id, to string) {
	t.Helper()
	m := &mail.Message{ID: id, To: to, Subject: "Réponse: " + id, Text: "Hello " + id, HTML: "<p>Hello " + id + "</p>",
		Headers:       map[string]string{"List-Unsubscribe": "<https://city.test/unsubscribe/x>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
		NextAttemptAt: t0, CreatedAt: t0}
	if err := st.EnqueueMail(context.Background(), m); err != nil {
		t.Fatal(err)
	}
}

// What happens to one mail, by what the server answers.
func TestWorkerSendsRetriesGivesUp(t *testing.T) {
	tests := []struct {
		name      string
		to        string
		failFirst int
		runs      int // Once calls, a minute × attempts apart
		state     mail.State
		attempts  int
		received  int
	}{
		{"sent at once", "marta@city.test", 0, 1, mail.StateSent, 0, 1},
		{"451 twice, then sent", "marta@city.test", 2, 3, mail.StateSent, 2, 1},
		{"451 thrice: given up", "marta@city.test", 3, 3, mail.StateFailed, 3, 0},
		{"550: given up at once", "refused@city.test", 0, 1, mail.StateFailed, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachBackend(t, func(t *testing.T, st *storage.Store) {
				srv := mailtest.Start(t, "agora", "s3cret")
				srv.FailNext(tt.failFirst)
				now := t0
				w := worker(t, st, srv, &now)
				enqueue(t, st, "01kbmail0000000000000000a1", tt.to)
				for range tt.runs {
					if _, err := w.Once(context.Background()); err != nil {
						t.Fatal(err)
					}
					now = now.Add(10 * time.Minute)
				}
				m, err := st.MailByID(context.Background(), "01kbmail0000000000000000a1")
				if err != nil {
					t.Fatal(err)
				}
				if m.State != tt.state || m.Attempts != tt.attempts || len(srv.Messages()) != tt.received {
					t.Fatalf("state %s, attempts %d, received %d; want %s, %d, %d (last error %q)",
						m.State, m.Attempts, len(srv.Messages()), tt.state, tt.attempts, tt.received, m.LastError)
				}
			})
		})
	}
}

// The mail as it arrives: multipart text and HTML, its headers, its
// Message-ID from the queue's id.
func TestMailOnTheWire(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *storage.Store) {
		srv := mailtest.Start(t, "agora", "s3cret")
		now := t0
		enqueue(t, st, "01kbmail0000000000000000b1", "marta@city.test")
		if _, err := worker(t, st, srv, &now).Once(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := srv.Wait(1, 5*time.Second)
		if len(got) != 1 {
			t.Fatalf("received %d", len(got))
		}
		h := got[0].Msg.Header
		checks := map[string]string{
			"From": "<agora@city.test>", "To": "<marta@city.test>", "Message-Id": "<01kbmail0000000000000000b1@city.test>",
			"List-Unsubscribe": "<https://city.test/unsubscribe/x>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		}
		for k, want := range checks {
			if h.Get(k) != want {
				t.Errorf("%s = %q, want %q", k, h.Get(k), want)
			}
		}
		if !strings.HasPrefix(h.Get("Content-Type"), "multipart/alternative") {
			t.Errorf("Content-Type = %q", h.Get("Content-Type"))
		}
		body := string(got[0].Body)
		for _, want := range []string{"text/plain", "Hello 01kbmail0000000000000000b1", "text/html", "<p>Hello"} {
			if !strings.Contains(body, want) {
				t.Errorf("body lacks %q", want)
			}
		}
	})
}

// Several workers on one queue send each mail once; a worker that died
// holding mails leaves them to the others when its lease ends (a restart
// sends what was queued, once).
func TestWorkersSendEachOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *storage.Store) {
		srv := mailtest.Start(t, "agora", "s3cret")
		const n = 30
		for i := range n {
			enqueue(t, st, fmt.Sprintf("01kbmail00000000000000%04d", i), fmt.Sprintf("m%d@city.test", i))
		}
		// A process claims 5 and dies before sending them.
		dead, err := st.ClaimMail(context.Background(), "dead", t0, time.Minute, 5)
		if err != nil || len(dead) != 5 {
			t.Fatalf("dead claim: %d, %v", len(dead), err)
		}
		now := t0
		var wg sync.WaitGroup
		for range 3 {
			w := worker(t, st, srv, &now)
			w.Batch = 4
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					k, err := w.Once(context.Background())
					if err != nil {
						t.Error(err)
						return
					}
					if k == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		if got := len(srv.Messages()); got != n-5 {
			t.Fatalf("before the dead lease ends: %d sent, want %d", got, n-5)
		}
		now = t0.Add(2 * time.Minute) // the lease is over: another process takes them
		if _, err := worker(t, st, srv, &now).Once(context.Background()); err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, m := range srv.Messages() {
			seen[m.To[0]]++
		}
		if len(seen) != n {
			t.Fatalf("%d distinct recipients, want %d", len(seen), n)
		}
		for to, k := range seen {
			if k != 1 {
				t.Errorf("%s got %d copies", to, k)
			}
		}
	})
}

// blockingSender holds every send until the worker stops.
type blockingSender struct{ started chan struct{} }

func (b blockingSender) Send(ctx context.Context, _ *mail.Message) error {
	b.started <- struct{}{}
	<-ctx.Done()
	return ctx.Err()
}

// TestStoppedWorkerGivesBackItsMails: a worker stopped while sending the
// first of a batch gives back the leases of the mails it did not send, so
// the next process sends them at once rather than after the lease.
func TestStoppedWorkerGivesBackItsMails(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *storage.Store) {
		for _, id := range []string{"01kbmail0000000000000000b1", "01kbmail0000000000000000b2", "01kbmail0000000000000000b3"} {
			enqueue(t, st, id, "marta@city.test")
		}
		now := t0
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		first := &mail.Worker{Queue: st, Sender: blockingSender{started: make(chan struct{}, 1)}, Logger: quiet,
			Now: func() time.Time { return now }, Lease: time.Hour}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := first.Once(ctx)
			done <- err
		}()
		<-first.Sender.(blockingSender).started
		cancel()
		if err := <-done; err == nil {
			t.Fatal("a stopped worker reported no error")
		}
		srv := mailtest.Start(t, "agora", "s3cret")
		next := worker(t, st, srv, &now) // same instant: well inside the first lease
		n, err := next.Once(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 || len(srv.Messages()) != 3 {
			t.Fatalf("the next worker claimed %d and sent %d mails, want 3 and 3", n, len(srv.Messages()))
		}
		for _, id := range []string{"01kbmail0000000000000000b1", "01kbmail0000000000000000b2", "01kbmail0000000000000000b3"} {
			m, err := st.MailByID(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if m.State != mail.StateSent || m.Attempts != 0 {
				t.Fatalf("%s: %s after %d attempts, want sent after 0 (stopping is no attempt)", id, m.State, m.Attempts)
			}
		}
	})
}
