package mastoapi_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

func TestFollowTimelineReply(t *testing.T) {
	s := newSite(t)
	ctx := t.Context()
	tok := s.login("marta", "read write follow")

	// The forum and a thread actor are accounts; the forum a group.
	f := s.call(tok, "GET", "/api/v1/accounts/lookup?acct=digitalisation", nil)
	if f.status != 200 || f.obj(t)["group"] != true || f.obj(t)["id"] != s.forum.ID {
		t.Fatalf("forum account: %d %s", f.status, f.body)
	}
	th, err := s.node.Service.Ask(ctx, s.joao, s.forum.ID, forum.Question{Title: "Has Covid-19 been a turning point for internet access?",
		Body: "In Belo Horizonte it was.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	ta := s.call(tok, "GET", "/api/v1/accounts/lookup?acct=t-"+th.ID, nil)
	if ta.status != 200 || ta.obj(t)["id"] != th.ID || ta.obj(t)["display_name"] != th.Title {
		t.Fatalf("thread account: %d %s", ta.status, ta.body)
	}

	// Follow the forum and the thread.
	for _, id := range []string{s.forum.ID, th.ID} {
		r := s.call(tok, "POST", "/api/v1/accounts/"+id+"/follow", nil)
		if r.status != 200 || r.obj(t)["following"] != true {
			t.Fatalf("follow %s: %d %s", id, r.status, r.body)
		}
	}
	rel := s.call(tok, "GET", "/api/v1/accounts/relationships?id[]="+s.forum.ID+"&id[]="+th.ID+"&id[]="+s.joao.ID, nil).list(t)
	if len(rel) != 3 || rel[0]["following"] != true || rel[1]["following"] != true || rel[2]["following"] != false {
		t.Fatalf("relationships: %v", rel)
	}

	// A new question in the followed forum and a new answer in the
	// followed thread reach the home timeline; the question shows its title.
	q2, err := s.node.Service.Ask(ctx, s.joao, s.forum.ID, forum.Question{Title: "Who pays for public wifi?", Body: "Budgets.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	ans, err := s.node.Service.Reply(ctx, s.mod, th.ID, "", forum.Answer{Body: "In Nouakchott too.", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	home := s.call(tok, "GET", "/api/v1/timelines/home?limit=2", nil)
	list := home.list(t)
	if home.status != 200 || len(list) != 2 || list[0]["id"] != ans.ID || list[1]["id"] != q2.ID {
		t.Fatalf("home: %d %s", home.status, home.body)
	}
	if c := list[1]["content"].(string); !strings.HasPrefix(c, "<p><strong>Who pays for public wifi?</strong></p>") {
		t.Fatalf("question content: %s", c)
	}
	if list[0]["in_reply_to_id"] != th.ID || list[0]["language"] != "fr" {
		t.Fatalf("answer: %v", list[0])
	}
	// Mastodon's pagination: a Link to older (max_id) and newer (min_id).
	link := home.header.Get("Link")
	if !strings.Contains(link, "max_id="+q2.ID) || !strings.Contains(link, "min_id="+ans.ID) {
		t.Fatalf("Link: %s", link)
	}
	older := s.call(tok, "GET", "/api/v1/timelines/home?max_id="+q2.ID, nil).list(t)
	if len(older) != 1 || older[0]["id"] != th.ID {
		t.Fatalf("older page: %v", older)
	}
	if newer := s.call(tok, "GET", "/api/v1/timelines/home?min_id="+q2.ID, nil).list(t); len(newer) != 1 || newer[0]["id"] != ans.ID {
		t.Fatalf("newer page: %v", newer)
	}

	// Reply from the app: an answer in the thread, in its language,
	// shown on the thread's page.
	r := s.call(tok, "POST", "/api/v1/statuses", map[string]any{"status": "Barcelona saw the same.", "in_reply_to_id": th.ID, "language": "es"})
	if r.status != 200 {
		t.Fatalf("reply: %d %s", r.status, r.body)
	}
	mine := r.obj(t)
	if mine["in_reply_to_id"] != th.ID || mine["language"] != "es" || mine["account"].(map[string]any)["id"] != s.marta.ID {
		t.Fatalf("reply status: %s", r.body)
	}
	page, err := http.Get(s.base + "/t/" + th.ID)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if !strings.Contains(string(body), "Barcelona saw the same.") {
		t.Fatal("the app's answer is not on the thread page")
	}

	// Context: the question above, the answers below.
	ctxs := s.call(tok, "GET", "/api/v1/statuses/"+th.ID+"/context", nil).obj(t)
	desc := ctxs["descendants"].([]any)
	if len(ctxs["ancestors"].([]any)) != 0 || len(desc) != 2 {
		t.Fatalf("context of the question: %v", ctxs)
	}
	ctxs = s.call(tok, "GET", "/api/v1/statuses/"+mine["id"].(string)+"/context", nil).obj(t)
	if anc := ctxs["ancestors"].([]any); len(anc) != 1 || anc[0].(map[string]any)["id"] != th.ID {
		t.Fatalf("context of the answer: %v", ctxs)
	}

	// Favourite = helpful, by the forum's rules.
	r = s.call(tok, "POST", "/api/v1/statuses/"+ans.ID+"/favourite", nil)
	if r.status != 200 || r.obj(t)["favourited"] != true || r.obj(t)["favourites_count"] != float64(1) {
		t.Fatalf("favourite: %d %s", r.status, r.body)
	}
	if p, _ := s.node.Service.Post(ctx, ans.ID); p.HelpfulCount != 1 {
		t.Fatalf("helpful count %d", p.HelpfulCount)
	}
	if r := s.call(tok, "POST", "/api/v1/statuses/"+mine["id"].(string)+"/favourite", nil); r.status != 403 {
		t.Fatalf("favourite of one's own answer: %d %s", r.status, r.body)
	}
	// Bookmark.
	if r := s.call(tok, "POST", "/api/v1/statuses/"+th.ID+"/bookmark", nil); r.status != 200 || r.obj(t)["bookmarked"] != true {
		t.Fatalf("bookmark: %d %s", r.status, r.body)
	}
	if bm := s.call(tok, "GET", "/api/v1/bookmarks", nil).list(t); len(bm) != 1 || bm[0]["id"] != th.ID {
		t.Fatalf("bookmarks: %v", bm)
	}

	// Edit and delete one's own answer.
	r = s.call(tok, "PUT", "/api/v1/statuses/"+mine["id"].(string), map[string]any{"status": "Barcelona saw the same in 2020."})
	if r.status != 200 || !strings.Contains(r.obj(t)["content"].(string), "in 2020") || r.obj(t)["edited_at"] == nil {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	if r := s.call(tok, "DELETE", "/api/v1/statuses/"+ans.ID, nil); r.status != 403 {
		t.Fatalf("deleting someone else's answer: %d", r.status)
	}
	if r := s.call(tok, "DELETE", "/api/v1/statuses/"+mine["id"].(string), nil); r.status != 200 || r.obj(t)["text"] == nil {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := s.call(tok, "GET", "/api/v1/statuses/"+mine["id"].(string), nil); r.status != 404 || r.obj(t)["error"] != "Record not found" {
		t.Fatalf("deleted status: %d %s", r.status, r.body)
	}
}

func TestNewQuestionByMention(t *testing.T) {
	s := newSite(t)
	tok := s.login("marta", "write:statuses read:statuses")
	r := s.call(tok, "POST", "/api/v1/statuses", map[string]any{
		"status": "@digitalisation How do cities measure digital inclusion?\nWe are choosing indicators for 2027.", "language": "en"})
	if r.status != 200 {
		t.Fatalf("ask: %d %s", r.status, r.body)
	}
	st := r.obj(t)
	if !strings.HasPrefix(st["content"].(string), "<p><strong>How do cities measure digital inclusion?</strong></p>") {
		t.Fatalf("question: %s", st["content"])
	}
	th, err := s.node.Service.Thread(t.Context(), st["id"].(string))
	if err != nil || th.ForumID != s.forum.ID || th.Title != "How do cities measure digital inclusion?" {
		t.Fatalf("thread: %+v %v", th, err)
	}
	// Without a forum to ask: refused, as Mastodon refuses, with its shape.
	r = s.call(tok, "POST", "/api/v1/statuses", map[string]any{"status": "Hello, world"})
	if r.status != 422 || !strings.HasPrefix(r.obj(t)["error"].(string), "Validation failed:") {
		t.Fatalf("no forum: %d %s", r.status, r.body)
	}
}

func TestStatusTooLong(t *testing.T) {
	s := newSite(t)
	th, err := s.node.Service.Ask(t.Context(), s.joao, s.forum.ID, questionOf("What did the pandemic change?"))
	if err != nil {
		t.Fatal(err)
	}
	tok := s.login("marta", "write")
	for _, body := range []any{
		map[string]any{"status": strings.Repeat("a", forum.MaxBodyLen+1), "in_reply_to_id": th.ID}, // JSON
		formBody("status", strings.Repeat("é", forum.MaxBodyLen+1), "in_reply_to_id", th.ID),       // form
	} {
		r := s.call(tok, "POST", "/api/v1/statuses", body)
		if r.status != 422 || r.obj(t)["error"] != "Validation failed: Text character limit of 20000 exceeded" {
			t.Fatalf("too long: %d %s", r.status, r.body)
		}
	}
	if v, _ := s.node.Service.ReadThread(t.Context(), nil, th.ID, ""); len(v.Posts.Items) != 1 {
		t.Fatal("a refused status was stored")
	}
	// Exactly at the limit: taken.
	if r := s.call(tok, "POST", "/api/v1/statuses", map[string]any{"status": strings.Repeat("b", forum.MaxBodyLen), "in_reply_to_id": th.ID}); r.status != 200 {
		t.Fatalf("at the limit: %d %s", r.status, r.body[:min(200, len(r.body))])
	}
}

func TestNotificationsAndMarkers(t *testing.T) {
	s := newSite(t)
	ctx := t.Context()
	th, err := s.node.Service.Ask(ctx, s.joao, s.forum.ID, questionOf("Which services went online first?"))
	if err != nil {
		t.Fatal(err)
	}
	mine, err := s.node.Service.Reply(ctx, s.marta, th.ID, "", forum.Answer{Body: "Permits, in Barcelona.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.node.Service.Reply(ctx, s.joao, th.ID, mine.ID, forum.Answer{Body: "Same in Belo Horizonte.", Language: "pt"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.node.Service.SetHelpful(ctx, s.joao, mine.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.node.Service.SetGoodPractice(ctx, s.mod, mine.ID, true); err != nil {
		t.Fatal(err)
	}
	tok := s.login("marta", "read write")
	var got []map[string]any
	testrig.Eventually(t, "notifications derived", func() (bool, string) {
		got = s.call(tok, "GET", "/api/v1/notifications", nil).list(t)
		return len(got) == 3, strings.Repeat("x", len(got))
	})
	types := map[string]string{}
	for _, n := range got {
		types[n["type"].(string)+":"+n["account"].(map[string]any)["username"].(string)] = n["status"].(map[string]any)["id"].(string)
	}
	if len(types) != 3 || types["mention:joao"] == "" || types["favourite:joao"] != mine.ID || types["favourite:nadia"] != mine.ID {
		t.Fatalf("notifications: %v", types)
	}
	if only := s.call(tok, "GET", "/api/v1/notifications?types[]=mention", nil).list(t); len(only) != 1 {
		t.Fatalf("types filter: %v", only)
	}
	one := s.call(tok, "GET", "/api/v1/notifications/"+got[0]["id"].(string), nil)
	if one.status != 200 || one.obj(t)["id"] != got[0]["id"] {
		t.Fatalf("one notification: %d %s", one.status, one.body)
	}
	r := s.call(tok, "POST", "/api/v1/markers", map[string]any{"notifications": map[string]any{"last_read_id": got[0]["id"]}})
	if r.status != 200 {
		t.Fatalf("save marker: %d %s", r.status, r.body)
	}
	m := s.call(tok, "GET", "/api/v1/markers?timeline[]=notifications&timeline[]=home", nil).obj(t)
	n, _ := m["notifications"].(map[string]any)
	if n == nil || n["last_read_id"] != got[0]["id"] || n["version"] != float64(1) || m["home"] != nil {
		t.Fatalf("markers: %v", m)
	}
}

func TestSearchAccountsAndStatuses(t *testing.T) {
	s := newSite(t)
	th, err := s.node.Service.Ask(t.Context(), s.joao, s.forum.ID, questionOf("Broadband in informal settlements"))
	if err != nil {
		t.Fatal(err)
	}
	tok := s.login("marta", "read")
	res := s.call(tok, "GET", "/api/v2/search?q=@joao&resolve=true", nil).obj(t)
	if accts := res["accounts"].([]any); len(accts) == 0 || accts[0].(map[string]any)["id"] != s.joao.ID {
		t.Fatalf("search @joao: %v", res)
	}
	res = s.call(tok, "GET", "/api/v2/search?q="+s.base+"/t/"+th.ID, nil).obj(t)
	if st := res["statuses"].([]any); len(st) != 1 || st[0].(map[string]any)["id"] != th.ID {
		t.Fatalf("search by URL: %v", res)
	}
	res = s.call(tok, "GET", "/api/v2/search?q="+s.base+"/f/digitalisation&type=accounts", nil).obj(t)
	if a := res["accounts"].([]any); len(a) != 1 || a[0].(map[string]any)["group"] != true {
		t.Fatalf("search forum URL: %v", res)
	}
}

// A signed-in search with resolve=true finds a person of another node by
// handle and by URL; without resolve, or signed out, the node fetches
// nothing.
func TestSearchResolvesRemote(t *testing.T) {
	here, there := newSite(t), newSite(t)
	host := strings.TrimPrefix(there.base, "http://")
	tok := here.login("marta", "read")
	handle := "@joao@" + host
	for _, tt := range []struct {
		name, token, query string
		want               int
	}{
		{"signed out", "", "/api/v2/search?resolve=true&q=" + handle, 0},
		{"without resolve", tok, "/api/v2/search?q=" + handle, 0},
		{"by handle", tok, "/api/v2/search?resolve=true&q=" + handle, 1},
		{"by URL", tok, "/api/v2/search?resolve=true&type=accounts&q=" + there.base + "/u/joao", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := here.call(tt.token, "GET", tt.query, nil)
			accts, _ := r.obj(t)["accounts"].([]any)
			if r.status != 200 || len(accts) != tt.want {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if tt.want == 1 && accts[0].(map[string]any)["acct"] != "joao@"+host {
				t.Fatalf("account: %v", accts[0])
			}
		})
	}
}
