package redisstore_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/metropolis/agora/live"
	"github.com/metropolis/agora/storage/redisstore"
	"github.com/metropolis/agora/testrig"
)

// client connects to AGORA_TEST_REDIS_URL: skipped when unset, failing
// when set and Redis does not answer. Keys get a prefix of their own.
func client(t *testing.T) (*redis.Client, string) {
	t.Helper()
	url := os.Getenv("AGORA_TEST_REDIS_URL")
	if url == "" {
		t.Skip("AGORA_TEST_REDIS_URL not set")
	}
	c, err := redisstore.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("AGORA_TEST_REDIS_URL is set but: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, fmt.Sprintf("agora-test-%d:", time.Now().UnixNano())
}

func TestLimiterShared(t *testing.T) {
	c, prefix := client(t)
	// Two limiters on one key space: two processes of one node.
	a := redisstore.NewLimiter(c, prefix, "signin", 3, time.Minute)
	b := redisstore.NewLimiter(c, prefix, "signin", 3, time.Minute)
	want := []bool{true, true, true, false, false}
	for i, w := range want {
		l := []*redisstore.Limiter{a, b}[i%2]
		ok, retry, err := l.Allow(t.Context(), "user:ana")
		if err != nil || ok != w {
			t.Fatalf("attempt %d: Allow = %v, %v; want %v", i+1, ok, err, w)
		}
		if !ok && (retry <= 0 || retry > time.Minute) {
			t.Errorf("attempt %d: retry after %s, want within the window", i+1, retry)
		}
	}
	if ok, _, _ := a.Allow(t.Context(), "user:other"); !ok {
		t.Error("another key is limited too")
	}
}

func TestLimiterWindowEnds(t *testing.T) {
	c, prefix := client(t)
	l := redisstore.NewLimiter(c, prefix, "inbox", 1, 200*time.Millisecond)
	for i, w := range []bool{true, false} {
		if ok, _, err := l.Allow(t.Context(), "host"); err != nil || ok != w {
			t.Fatalf("attempt %d: %v, %v; want %v", i+1, ok, err, w)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if ok, _, err := l.Allow(t.Context(), "host"); err != nil || !ok {
		t.Fatalf("after the window: %v, %v; want allowed", ok, err)
	}
}

func TestBrokerAcrossProcesses(t *testing.T) {
	c, prefix := client(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := redisstore.NewBroker(ctx, c, prefix, log)
	b := redisstore.NewBroker(ctx, c, prefix, log)
	msgs, stop := b.Subscribe(ctx, live.ThreadTopic("t1"))
	defer stop()
	other, stopOther := b.Subscribe(ctx, live.ThreadTopic("t2"))
	defer stopOther()
	m := live.Message{Topic: live.ThreadTopic("t1"), ID: "ev1", Data: []byte(`{"post":"p1"}`)}
	// The pattern subscription takes a moment: publish until it is heard.
	var got live.Message
	testrig.EventuallyWithin(t, 5*time.Second, "B hears a probe A publishes", func() (bool, string) {
		if err := a.Publish(ctx, live.Message{Topic: m.Topic, ID: fmt.Sprintf("probe-%d", time.Now().UnixNano()), Data: m.Data}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-msgs:
			return true, ""
		case <-time.After(100 * time.Millisecond):
			return false, "nothing heard within 100 ms of the last probe"
		}
	})
	for len(msgs) > 0 {
		<-msgs
	}
	// A message ID is published once, whichever process publishes it.
	for _, br := range []*redisstore.Broker{a, b, a} {
		if err := br.Publish(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case got = <-msgs:
		if got.ID != "ev1" || string(got.Data) != `{"post":"p1"}` {
			t.Errorf("got %+v", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ev1 not delivered")
	}
	select {
	case dup := <-msgs:
		t.Errorf("ev1 delivered twice: %+v", dup)
	case <-time.After(300 * time.Millisecond):
	}
	if len(other) != 0 {
		t.Errorf("a subscriber of another thread got %d messages", len(other))
	}
}

func TestGate(t *testing.T) {
	c, prefix := client(t)
	a, b := redisstore.NewGate(c, prefix), redisstore.NewGate(c, prefix)
	steps := []struct {
		name string
		gate *redisstore.Gate
		want bool
	}{
		{"first takes it", a, true},
		{"second waits", b, false},
		{"first again: held", a, false},
	}
	for _, s := range steps {
		if ok, err := s.gate.Acquire(t.Context(), "actor:x", time.Minute); err != nil || ok != s.want {
			t.Fatalf("%s: %v, %v", s.name, ok, err)
		}
	}
	b.Release(t.Context(), "actor:x") // not b's: changes nothing
	if ok, _ := b.Acquire(t.Context(), "actor:x", time.Minute); ok {
		t.Fatal("released by a non-holder")
	}
	a.Release(t.Context(), "actor:x")
	if ok, _ := b.Acquire(t.Context(), "actor:x", time.Minute); !ok {
		t.Fatal("not free after its holder released it")
	}
}
