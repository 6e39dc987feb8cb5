// Package browsertest drives a real browser through the node's pages: a
// member signs in, asks a question, answers it, sees it suggested on the
// ask form as a title like it is typed, and switches language,
// finds the answer with the header's search box and opens it, watches a
// forum and is notified of a new question in it, puts an image with its
// description in an answer, and axe-core checks the main pages for
// accessibility violations of any impact; then every main page is toured
// in the five languages (en, es, fr, pt, ar), signed in and out, in two
// lanes, with screenshots at 1280 and 390 px and Arabic checked for
// dir="rtl" and no sideways scrolling at 320 px. The browser part is browser.mjs (playwright-core with Debian's
// Chromium); this package serves an in-process node for it.
//
// It runs only when AGORA_TEST_BROWSER is set; install.sh installs what it
// needs (chromium, and npm ci here).
package browsertest

import (
	"bufio"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/markup"
	"github.com/metropolis/agora/live"
	"github.com/metropolis/agora/media"
	"github.com/metropolis/agora/notify"
	"github.com/metropolis/agora/report"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/testrig"
	"github.com/metropolis/agora/uris"
	"github.com/metropolis/agora/web"
)

// chromiumPath is Debian's Chromium; AGORA_CHROMIUM overrides it.
func chromiumPath() string {
	if p := os.Getenv("AGORA_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

func TestBrowser(t *testing.T) {
	if os.Getenv("AGORA_TEST_BROWSER") == "" {
		t.Skip("set AGORA_TEST_BROWSER=1 to run the browser test (needs chromium and npm ci in web/browsertest)")
	}
	// From here on, anything missing is a failure, never a skip.
	chromium := chromiumPath()
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("AGORA_TEST_BROWSER is set but Chromium is missing (%v): run web/browsertest/install.sh", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("AGORA_TEST_BROWSER is set but node is missing (%v): install Node.js", err)
	}
	dir, err := os.Getwd() // go test runs in the package directory
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"node_modules/playwright-core/package.json", "node_modules/axe-core/axe.min.js"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Fatalf("AGORA_TEST_BROWSER is set but %s is missing (%v): run web/browsertest/install.sh (npm ci)", p, err)
		}
	}

	base := serveNode(t)
	t.Logf("node at %s", base)
	shots := shotsDir(t)
	t.Logf("screenshots in %s", shots)

	image := filepath.Join(t.TempDir(), "works-map.png")
	writePNG(t, image)

	ctx, cancel := context.WithTimeout(context.Background(), 660*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "browser.mjs", base)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"AGORA_CHROMIUM="+chromium,
		"AGORA_BROWSER_USER=marta",
		"AGORA_BROWSER_PASSWORD="+testrig.Password,
		"AGORA_BROWSER_ADMIN=secretariat",
		"AGORA_BROWSER_ADMIN_PASSWORD="+testrig.Password,
		"AGORA_BROWSER_MODERATOR=moderator",
		"AGORA_BROWSER_SHOTS="+shots,
		"AGORA_BROWSER_IMAGE="+image,
		// Two lanes of languages, each with its own member.
		"AGORA_BROWSER_LANES=priya:en,fr,ar;joao:es,pt",
	)
	cmd.WaitDelay = 5 * time.Second // node's own deadline is 600 s; this is the backstop
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			t.Log(sc.Text())
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	start := time.Now()
	runErr := cmd.Run()
	_ = pw.Close()
	wg.Wait()
	t.Logf("browser run took %s", time.Since(start).Round(100*time.Millisecond))
	if ctx.Err() != nil {
		t.Fatalf("browser.mjs was stopped after %s: %v", time.Since(start).Round(time.Second), ctx.Err())
	}
	var exit *exec.ExitError
	switch {
	case errors.As(runErr, &exit):
		t.Fatalf("browser.mjs failed (exit code %d): see the log above for the broken step or the axe-core violations", exit.ExitCode())
	case runErr != nil:
		t.Fatalf("running browser.mjs: %v", runErr)
	}
	firstPDFPage(t, shots)
}

// writePNG writes a picture the member puts in her answer: a 900×600
// "map" with a few streets.
func writePNG(t *testing.T, path string) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 900, 600))
	for x := range 900 {
		for y := range 600 {
			c := color.RGBA{235, 235, 225, 255}
			if x%150 < 8 || y%120 < 8 {
				c = color.RGBA{200, 60, 40, 255}
			}
			img.Set(x, y, c)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// shotsDir is where the screenshots go: $AGORA_ARTIFACT_DIR/browser (CI
// keeps that directory as an artifact; it is never committed), else a
// directory of the test's.
func shotsDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if a := os.Getenv("AGORA_ARTIFACT_DIR"); a != "" {
		dir = filepath.Join(a, "browser")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// firstPDFPage renders the first page of the report's PDF, which
// browser.mjs downloaded, as a picture beside the screenshots (Poppler's
// pdftoppm: a real reader opens it).
func firstPDFPage(t *testing.T, shots string) {
	t.Helper()
	pdf := filepath.Join(shots, "report.pdf")
	if _, err := os.Stat(pdf); err != nil {
		t.Fatalf("browser.mjs saved no report PDF: %v", err)
	}
	bin, err := exec.LookPath("pdftoppm")
	if err != nil {
		t.Fatalf("pdftoppm (poppler-utils) is missing: the browser test renders the report's first PDF page with it")
	}
	out, err := exec.Command(bin, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf, filepath.Join(shots, "report-pdf-page1")).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	if st, err := os.Stat(filepath.Join(shots, "report-pdf-page1.png")); err != nil || st.Size() == 0 {
		t.Fatalf("no picture of the PDF's first page: %v", err)
	}
}

// serveNode starts a seeded node on a loopback port and returns its base URL,
// which is also the URL the node builds its links from.
func serveNode(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() }) // if anything below fails; srv.Close closes it too
	base := "http://" + ln.Addr().String()

	rig := testrig.New(t)
	cast := rig.Seed(t)
	seedDebate(t, rig, cast)
	u, err := uris.New(base)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
	// Live answers: the thread page's script and its event stream, fed from
	// the event log as in a node.
	broker := live.NewLocal()
	feedCtx, stopFeed := context.WithCancel(context.Background())
	feedDone := make(chan struct{})
	go func() {
		(&live.Feed{Events: rig.Service.Events, EventIDs: rig.Service.EventIDs, Broker: broker, Logger: logger, Now: rig.Clock.Now}).Run(feedCtx)
		close(feedDone)
	}()
	t.Cleanup(func() { stopFeed(); <-feedDone })
	// Notifications derived from the event log while the node runs, and
	// email on (mails are queued, not sent: the pages are what is tested).
	deriver := &notify.Deriver{Events: rig.Service.Events, Store: rig.DB.Store(), Forum: rig.Service, URLs: u,
		Markup: markup.New(), IDs: testrig.IDs(rig.Clock), Logger: logger, Now: rig.Clock.Now,
		Poll: 200 * time.Millisecond, Sweep: 500 * time.Millisecond}
	deriveCtx, stopDerive := context.WithCancel(context.Background())
	deriveDone := make(chan struct{})
	go func() { deriver.Run(deriveCtx); close(deriveDone) }()
	t.Cleanup(func() { stopDerive(); <-deriveDone })
	notes := &notify.Service{Store: rig.DB.Store(), Now: rig.Clock.Now}
	mailCfg := &web.MailConfig{Store: rig.DB.Store(), IDs: testrig.IDs(rig.Clock), Now: rig.Clock.Now, ReplyFrom: "agora@agora.test"}
	reports, err := report.NewService(report.Deps{Store: rig.DB.Store(), Discussion: rig.DB.Store(), Clock: rig.Clock,
		IDs: forum.NewULIDs(rig.Clock, nil), Renderer: markup.New()})
	if err != nil {
		t.Fatal(err)
	}
	h, err := web.New(web.Config{URLs: u, DefaultLanguage: "en", Service: rig.Service, Logger: logger, Live: broker,
		Notify: notes, Mail: mailCfg, Reports: reports, Search: search.NewService(rig.DB.Store(), rig.DB.Store()), Feeds: rig.DB.Store(),
		Media: media.Dir{Path: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(h.StopStreams) // before srv.Close, which waits for open streams
	return base
}

// seedDebate gives the moderator something to report on: a debate
// question, answers from two cities, both marked good practices.
func seedDebate(t *testing.T, rig *testrig.Rig, cast *testrig.Cast) {
	t.Helper()
	ctx := context.Background()
	th, err := rig.Service.Ask(ctx, cast.Admin, cast.Forum.ID, forum.Question{
		Title: "Has Covid-19 been the turning point for internet access?", Body: "Debate question 3.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		by         *forum.Member
		body, lang string
	}{
		{cast.BeloHz, "Belo Horizonte abriu 50 telecentros com computadores recondicionados.", "pt"},
		// Not marta's (the member the script signs in as): a mark on her
		// answer would be a notification, and the script counts hers.
		{cast.Toronto, "Toronto lent laptops to students in underserved neighbourhoods.", "en"},
	} {
		p, err := rig.Service.Reply(ctx, a.by, th.ID, "", forum.Answer{Body: a.body, Language: a.lang})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rig.Service.SetGoodPractice(ctx, cast.Moderator, p.ID, true); err != nil {
			t.Fatal(err)
		}
	}
}
