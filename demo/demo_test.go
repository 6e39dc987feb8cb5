package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/metropolis/agora/forum/password"
)

// freePorts finds three consecutive free ports on 127.0.0.1.
func freePorts(t *testing.T) int {
	t.Helper()
	for try := 0; try < 50; try++ {
		base := 20000 + rand.IntN(40000)
		var lns []net.Listener
		ok := true
		for i := 0; i < 3; i++ {
			ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+i))
			if err != nil {
				ok = false
				break
			}
			lns = append(lns, ln)
		}
		for _, ln := range lns {
			ln.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no three consecutive free ports")
	return 0
}

func TestDemoSeedsThroughPublicInterfaces(t *testing.T) {
	port := freePorts(t)
	var out bytes.Buffer
	err := Run(context.Background(), Options{BasePort: port, Dir: t.TempDir(), SeedOnly: true, Stdout: &out,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Hasher: password.NewFast()})
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	for _, want := range []string{fmt.Sprintf("hub             http://127.0.0.1:%d", port),
		fmt.Sprintf("barcelona       http://127.0.0.1:%d", port+1), "marta", "joao"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestDemoCitiesSeeEachOther(t *testing.T) {
	port := freePorts(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	var out syncWriter
	go func() {
		done <- Run(ctx, Options{BasePort: port, Dir: t.TempDir(), Stdout: &out,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Hasher: password.NewFast()})
	}()
	// Wait for the seed, then read Belo Horizonte's copy of the forum:
	// Barcelona's answers reached it only through the hub.
	bh := newBrowser(fmt.Sprintf("http://127.0.0.1:%d", port+2))
	hubForum := fmt.Sprintf("/f/digitalisation@127.0.0.1:%d", port)
	err := poll(ctx, func() (bool, error) {
		if !strings.Contains(out.String(), "Serving until interrupted") {
			return false, nil
		}
		page, err := bh.get(hubForum)
		if err != nil {
			return false, err
		}
		threads := threadLink.FindAllStringSubmatch(page, -1)
		if len(threads) != len(questions) {
			return false, fmt.Errorf("%d threads", len(threads))
		}
		for _, th := range threads {
			p, err := bh.get(th[1])
			if err != nil || !strings.Contains(p, "Marta Puig") {
				return false, err
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("belo horizonte never showed barcelona's answers: %v\n%s", err, out.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// syncWriter is a buffer safe to write from the demo and read from the test.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
