package node_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/live"
	"github.com/metropolis/agora/metrics"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/ratelimit"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
	"github.com/metropolis/agora/web"
)

// opsNode runs a node with metrics, a local live broker and one extra
// readiness check whose failure the test controls.
func opsNode(t *testing.T, redisDown *atomic.Bool) (*node.Node, string, *live.Local) {
	t.Helper()
	return opsNodeWith(t, redisDown, nil)
}

// opsNodeWith is opsNode with an inbox limiter (nil: the default).
func opsNodeWith(t *testing.T, redisDown *atomic.Bool, inboxLimiter ratelimit.Limiter) (*node.Node, string, *live.Local) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)
	store := db.Store()
	m := metrics.New(metrics.Config{Queues: func(ctx context.Context) ([]metrics.QueueDepth, error) {
		st, err := store.DeliveryStats(ctx)
		return []metrics.QueueDepth{{Queue: "delivery", State: "pending", Count: st.Pending}}, err
	}})
	broker := live.NewLocal()
	cfg := testConfig("ops", "http://"+ln.Addr().String(), db)
	cfg.Delivery = fastDelivery
	cfg.Shared = node.Shared{Metrics: m, Live: broker, InboxLimiter: inboxLimiter, ReadyChecks: []web.ReadyCheck{{Name: "redis", Ping: func(context.Context) error {
		if redisDown.Load() {
			return errors.New("connection refused")
		}
		return nil
	}}}}
	p := runNode(t, "ops", ln, cfg, nil)
	return p.Node, "http://" + ln.Addr().String(), broker
}

func fetch(t *testing.T, method, url, contentType, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// metricValue reads one sample from a /metrics page, -1 when absent.
func metricValue(page, name, labels string) float64 {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name+labels) + ` (\S+)$`)
	m := re.FindStringSubmatch(page)
	if m == nil {
		return -1
	}
	var v float64
	_, _ = fmt.Sscanf(m[1], "%g", &v)
	return v
}

func TestReadyz(t *testing.T) {
	var down atomic.Bool
	_, base, _ := opsNode(t, &down)
	tests := []struct {
		name       string
		down       bool
		wantStatus int
		wantBody   string
	}{
		{"all up", false, http.StatusOK, "ready\n"},
		{"redis down", true, http.StatusServiceUnavailable, "not ready: redis unavailable\n"},
		{"back", false, http.StatusOK, "ready\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			down.Store(tt.down)
			status, body := fetch(t, "GET", base+"/readyz", "", "")
			if status != tt.wantStatus || body != tt.wantBody {
				t.Errorf("GET /readyz = %d %q, want %d %q", status, body, tt.wantStatus, tt.wantBody)
			}
			// Liveness does not depend on Redis.
			if status, body := fetch(t, "GET", base+"/healthz", "", ""); status != http.StatusOK || body != "ok\n" {
				t.Errorf("GET /healthz = %d %q, want 200 ok", status, body)
			}
		})
	}
}

func TestMetricsMove(t *testing.T) {
	var down atomic.Bool
	_, base, _ := opsNode(t, &down)
	scrape := func() string {
		t.Helper()
		status, body := fetch(t, "GET", base+"/metrics", "", "")
		if status != http.StatusOK {
			t.Fatalf("GET /metrics = %d", status)
		}
		return body
	}
	before := scrape()
	for _, want := range []string{"go_goroutines ", "process_cpu_seconds_total ", `agora_queue_depth{queue="delivery",state="pending"} 0`} {
		if !strings.Contains(before, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	const rejected = `{reason="content_type",result="rejected"}`
	if v := metricValue(before, "agora_inbox_activities_total", rejected); v != -1 {
		t.Fatalf("content_type rejections before any POST = %v", v)
	}
	// Two refused activities (wrong content type) and two thread pages.
	for range 2 {
		if status, _ := fetch(t, "POST", base+"/inbox", "text/plain", "{}"); status != http.StatusUnsupportedMediaType {
			t.Fatalf("POST /inbox text/plain = %d, want 415", status)
		}
	}
	ids := []string{"01hzzzzzzzzzzzzzzzzzzzzzz1", "01hzzzzzzzzzzzzzzzzzzzzzz2"}
	for _, id := range ids {
		if status, _ := fetch(t, "GET", base+"/t/"+id, "", ""); status != http.StatusNotFound {
			t.Fatalf("GET /t/%s = %d, want 404", id, status)
		}
	}
	after := scrape()
	if v := metricValue(after, "agora_inbox_activities_total", rejected); v != 2 {
		t.Errorf("agora_inbox_activities_total%s = %v, want 2", rejected, v)
	}
	// Latency is labelled by the route pattern, never the raw path.
	if v := metricValue(after, "agora_http_request_duration_seconds_count", `{code="404",method="GET",route="GET /t/{id}"}`); v != 2 {
		t.Errorf("thread page requests counted = %v, want 2 under route GET /t/{id}\n%s", v, grep(after, "agora_http"))
	}
	if v := metricValue(after, "agora_http_request_duration_seconds_count", `{code="415",method="POST",route="POST /inbox"}`); v != 2 {
		t.Errorf("inbox requests counted = %v, want 2 under route POST /inbox\n%s", v, grep(after, "agora_http"))
	}
	for _, id := range ids {
		if strings.Contains(after, id) {
			t.Errorf("/metrics names the raw path /t/%s", id)
		}
	}
}

func grep(page, prefix string) string {
	var out []string
	for _, l := range strings.Split(page, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestLiveAnswerInProcess(t *testing.T) {
	var down atomic.Bool
	n, base, broker := opsNode(t, &down)
	ctx := context.Background()
	admin, err := n.Service.CreateMember(ctx, forum.SystemActor(), forum.NewAccount{Username: "ana",
		Profile: forum.Profile{DisplayName: "Ana", Languages: []string{"en"}}}, forum.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	f, err := n.Service.CreateForum(ctx, admin, forum.ForumInput{Slug: "digital", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Digitalisation"}}})
	if err != nil {
		t.Fatal(err)
	}
	q, err := n.Service.Ask(ctx, admin, f.ID, forum.Question{Title: "Internet access?", Body: "Tell us.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	// The page carries the script and the live region.
	status, page := fetch(t, "GET", base+"/t/"+q.ID, "", "")
	if status != http.StatusOK || !strings.Contains(page, `<script src="/static/live.js" defer></script>`) ||
		!strings.Contains(page, `aria-live="polite" data-events="/t/`+q.ID+`/events"`) {
		t.Fatalf("thread page %d lacks the live script or region", status)
	}
	events := testrig.OpenSSE(t, base+"/t/"+q.ID+"/events")
	testrig.Eventually(t, "the stream's subscription", func() (bool, string) {
		n := broker.Subscribers(live.ThreadTopic(q.ID))
		return n == 1, fmt.Sprintf("%d subscriber(s)", n)
	})
	p, err := n.Service.Reply(ctx, admin, q.ID, "", forum.Answer{Body: "Yes.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-events:
		want := fmt.Sprintf(`{"post":%q,"thread":%q}`, p.ID, q.ID)
		if ev.Name != "answer" || ev.Data != want {
			t.Errorf("event = %+v, want answer %s", ev, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no live event within 10 s of the answer")
	}
	// Unknown threads have no stream.
	if status, _ := fetch(t, "GET", base+"/t/01hzzzzzzzzzzzzzzzzzzzzzz1/events", "", ""); status != http.StatusNotFound {
		t.Errorf("stream of an unknown thread = %d, want 404", status)
	}
}

// TestInboxRateLimit: beyond its limit a remote host's activities get 429
// with Retry-After before any other check; other hosts are not affected.
func TestInboxRateLimit(t *testing.T) {
	var down atomic.Bool
	_, base, _ := opsNodeWith(t, &down, ratelimit.NewMemory(2, time.Minute))
	post := func(keyHost string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", base+"/inbox", strings.NewReader("{}"))
		req.Header.Set("Content-Type", "text/plain") // refused (415) when let through
		req.Header.Set("Signature", `keyId="https://`+keyHost+`/users/a#main-key",algorithm="rsa-sha256",headers="date",signature="x"`)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	steps := []struct {
		host       string
		wantStatus int
		wantRetry  bool
	}{
		{"flood.example", http.StatusUnsupportedMediaType, false},
		{"flood.example", http.StatusUnsupportedMediaType, false},
		{"flood.example", http.StatusTooManyRequests, true},
		{"flood.example", http.StatusTooManyRequests, true},
		{"calm.example", http.StatusUnsupportedMediaType, false},
	}
	for i, st := range steps {
		status, retry := post(st.host)
		if status != st.wantStatus || (retry != "") != st.wantRetry {
			t.Errorf("POST %d from %s = %d (Retry-After %q), want %d", i+1, st.host, status, retry, st.wantStatus)
		}
		if st.wantRetry {
			if s, err := strconv.Atoi(retry); err != nil || s < 1 || s > 60 {
				t.Errorf("Retry-After %q, want 1–60 seconds", retry)
			}
		}
	}
	_, page := fetch(t, "GET", base+"/metrics", "", "")
	if v := metricValue(page, "agora_inbox_activities_total", `{reason="rate_limited",result="rejected"}`); v != 2 {
		t.Errorf("rate_limited rejections = %v, want 2", v)
	}
	if v := metricValue(page, "agora_rate_limited_total", `{limit="inbox"}`); v != 2 {
		t.Errorf("agora_rate_limited_total{limit=inbox} = %v, want 2", v)
	}
}
