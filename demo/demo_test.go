package demo

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"regexp"
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
		fmt.Sprintf("barcelona       http://127.0.0.1:%d", port+1), "marta", "joao", "minji",
		"answers from Barcelona, Belo Horizonte, Nouakchott, Seoul and Toronto reached the hub",
		"marked the good practices and published the report: "} {
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
		// The debate questions' threads (the launch webinar's discussion
		// may be listed too).
		var threads [][]string
		for _, th := range threadLink.FindAllStringSubmatch(page, -1) {
			for _, q := range questions {
				if html.UnescapeString(th[2]) == q.title {
					threads = append(threads, th)
				}
			}
		}
		if len(threads) != len(questions) {
			return false, fmt.Errorf("%d of the %d questions", len(threads), len(questions))
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
	checkPublishedReport(t, out.String())
	checkWebinarAndTranslation(t, out.String())
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

var reportURL = regexp.MustCompile(`published the report: (http://[^ ]+) `)

// checkPublishedReport reads the report the demo published, as a visitor:
// the page with its charts and boxed good practices, and its PDF.
func checkPublishedReport(t *testing.T, out string) {
	t.Helper()
	m := reportURL.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no report URL in the output:\n%s", out)
	}
	u, err := url.Parse(m[1])
	if err != nil {
		t.Fatal(err)
	}
	visitor := newBrowser(u.Scheme + "://" + u.Host)
	page, err := visitor.get(u.Path + "?lang=es")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Foro de aprendizaje sobre digitalización: lo que compartieron las ciudades",
		`<title id="chart-cities-title">`, `class="gp-box"`, "Belo Horizonte abriu", "Seoul trained tech-savvy seniors",
		"اعتمدت موريتانيا قوانين", "La cobertura ya no es la principal barrera"} {
		if !strings.Contains(page, want) {
			t.Errorf("the published report lacks %q", want)
		}
	}
	pdf, err := visitor.get(u.Path + "/report.pdf?lang=fr")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pdf, "%PDF-") {
		t.Errorf("the report's PDF is not a PDF: %q", pdf[:min(len(pdf), 20)])
	}
}

var eventURL = regexp.MustCompile(`as the forum's event: (http://\S+)`)

// checkWebinarAndTranslation reads, as visitors in Spanish, the launch
// webinar's page on the hub (its 17 May times in the organiser's zone,
// its Spanish title, its calendar file) and the first debate question
// there under Marta's Spanish title, written on Barcelona's node.
func checkWebinarAndTranslation(t *testing.T, out string) {
	t.Helper()
	m := eventURL.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no event URL in the output:\n%s", out)
	}
	u, err := url.Parse(m[1])
	if err != nil {
		t.Fatal(err)
	}
	visitor := newBrowser(u.Scheme + "://" + u.Host)
	if _, _, err := visitor.submit("/language", url.Values{"lang": {"es"}, "next": {"/"}}); err != nil {
		t.Fatal(err)
	}
	page, err := visitor.get(u.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{launchWebinar.texts["es"][0], "2026-05-17T13:00:00Z", "Europe/Madrid", "Nadia Ould Ahmed"} {
		if !strings.Contains(page, html.EscapeString(want)) {
			t.Errorf("the event page lacks %q", want)
		}
	}
	if ics, err := visitor.get(u.Path + "/event.ics"); err != nil || !strings.Contains(ics, "DTSTART:20260517T130000Z") {
		t.Errorf("the event's calendar file (%v):\n%s", err, ics)
	}
	forum, err := visitor.get("/f/digitalisation")
	if err != nil {
		t.Fatal(err)
	}
	threads := map[string]string{}
	for _, m := range threadLink.FindAllStringSubmatch(forum, -1) {
		threads[html.UnescapeString(m[2])] = m[1]
	}
	title := martaTranslation.Get("title")
	path, ok := threads[title]
	if !ok {
		path = threads[questions[0].title]
	}
	err = poll(context.Background(), func() (bool, error) {
		p, err := visitor.get(path)
		return err == nil && strings.Contains(p, html.EscapeString(title)), err
	})
	if path == "" || err != nil {
		t.Errorf("the hub does not show Marta's Spanish title of the first question (%v)", err)
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
