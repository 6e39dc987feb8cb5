package node_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

// received is the first activity of a type Mastodon received whose object
// has the given id.
func (m *mastodon) received1(typ, object string) map[string]any {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range m.received {
		if o, ok := d["object"].(map[string]any); ok && d["type"] == typ && o["id"] == object {
			return d
		}
	}
	return nil
}

// tagsOf lists an object's tags as "Type href name".
func tagsOf(o map[string]any) []string {
	var out []string
	tags, _ := o["tag"].([]any)
	for _, t := range tags {
		if t, ok := t.(map[string]any); ok {
			out = append(out, fmt.Sprint(t["type"], " ", t["href"], " ", t["name"]))
		}
	}
	return out
}

func strs(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, s := range list {
		out = append(out, fmt.Sprint(s))
	}
	return out
}

// TestMentionsAndHashtags: a member writes @name, @name@host and #tag in
// markdown. The published object mentions the resolved actors (WebFinger
// for remote ones), addresses them (cc), is delivered to a mentioned
// Mastodon account, links the mentions and hashtags in its content in
// Mastodon's shapes, and carries Hashtag tags linking to the node's tag
// page. A handle that resolves to nothing stays plain text and the post is
// published all the same.
func TestMentionsAndHashtags(t *testing.T) {
	ctx := context.Background()
	hub, city, f, asker, member := joinedCluster(t)
	masto := startMastodon(t)
	ana := hub.member(t, "ana", "Ana Lima", "Metropolis", forum.RoleMember, "en")
	alice, mastoHost := masto.alice(), hostOf(masto.base)

	// A question on the hub mentions a Mastodon user and a hub member.
	q, err := hub.Service.Ask(ctx, asker, f.ID, forum.Question{Title: "Digital ID for residents?", Language: "en",
		Body: fmt.Sprintf("What do you think, @alice@%s and @ana? #DigitalID\n\n`@alice@%s #notatag`", mastoHost, mastoHost)})
	if err != nil {
		t.Fatal(err)
	}
	qURI := hub.URLs.Thread(q.ID)
	testrig.Eventually(t, "Mastodon receives the question's Create", func() (bool, string) {
		return masto.received1("Create", qURI) != nil, "not received"
	})
	create := masto.received1("Create", qURI)
	obj := create["object"].(map[string]any)
	wantTags := []string{
		"Mention " + alice + " @alice@" + mastoHost,
		"Mention " + hub.URLs.Member(ana.Username) + " @ana@" + hub.URLs.Host(),
		"Hashtag " + hub.URLs.Tag("digitalid") + " #DigitalID",
		"Mention " + hub.URLs.ThreadActor(q.ID) + " @t-" + q.ID + "@" + hub.URLs.Host(),
	}
	if got := tagsOf(obj); !slices.Equal(got, wantTags) {
		t.Errorf("question tags:\n got %q\nwant %q", got, wantTags)
	}
	for _, cc := range [][]string{strs(obj["cc"]), strs(create["cc"])} {
		if !slices.Contains(cc, alice) || !slices.Contains(cc, hub.URLs.Member(ana.Username)) {
			t.Errorf("cc %q lacks the mentioned actors", cc)
		}
	}
	content := fmt.Sprint(obj["content"])
	for _, want := range []string{
		`<span class="h-card"><a href="` + alice + `" class="u-url mention" rel="nofollow noreferrer">@<span>alice</span></a></span>`,
		`<span class="h-card"><a href="` + hub.URLs.Member("ana") + `" class="u-url mention" rel="nofollow noreferrer">@<span>ana</span></a></span>`,
		`<a href="` + hub.URLs.Tag("digitalid") + `" class="mention hashtag" rel="tag nofollow noreferrer">#<span>DigitalID</span></a>`,
		`<code>@alice@` + mastoHost + ` #notatag</code>`,
	} {
		if !strings.Contains(content, want) {
			t.Errorf("content lacks %s:\n%s", want, content)
		}
	}
	// The hub's own page links the mentions as the published copy does.
	if p, err := hub.Service.Post(ctx, q.RootPostID); err != nil || !strings.Contains(p.HTML, `href="`+alice+`" class="u-url mention"`) {
		t.Errorf("the question's stored HTML does not link the mention: %v\n%v", err, p)
	}
	// A question's Page carries no summary: Mastodon and GoToSocial show a
	// summary as a content warning (issue 12); its title opens the content.
	if obj["summary"] != nil {
		t.Errorf("the Page has a summary %q: microblogs would show it as a content warning", obj["summary"])
	}
	if !strings.HasPrefix(content, "<p><strong>") {
		t.Errorf("the Page's content does not open with its title:\n%s", content)
	}

	// A city member answers, mentioning the asker on the hub (WebFinger on
	// the hub) and an account Mastodon doesn't know.
	same(t, "the question reaches the city", qURI, hub, city)
	tc, err := city.threadOn(qURI)
	if err != nil {
		t.Fatal(err)
	}
	a, err := city.Service.Reply(ctx, member, tc.ID, "", forum.Answer{Language: "en",
		Body: fmt.Sprintf("Agreed, @secretariat@%s. @ghost@%s, see #DigitalID.", hub.URLs.Host(), mastoHost)})
	if err != nil {
		t.Fatal(err)
	}
	aURI := city.URLs.Post(a.ID)
	var copyHTML string
	testrig.Eventually(t, "the answer reaches the hub", func() (bool, string) {
		p, err := hub.Service.PostByURI(ctx, aURI)
		if err != nil {
			return false, err.Error()
		}
		copyHTML = p.HTML
		return true, ""
	})
	secretariat := hub.URLs.Member(asker.Username)
	for _, want := range []string{
		`<span class="h-card"><a href="` + secretariat + `" class="u-url mention" rel="nofollow noreferrer">@<span>secretariat</span></a></span>`,
		`@ghost@` + mastoHost + `, see <a href="` + city.URLs.Tag("digitalid") + `" class="mention hashtag" rel="tag nofollow noreferrer">#<span>DigitalID</span></a>`,
	} {
		if !strings.Contains(copyHTML, want) {
			t.Errorf("the hub's copy lacks %s:\n%s", want, copyHTML)
		}
	}

	// The answer's own document (a GET, built from what is stored) says
	// the same: the asker once (parent's author and written), the hashtag.
	req, _ := http.NewRequest(http.MethodGet, aURI, nil)
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var note map[string]any
	if err := json.Unmarshal(body, &note); err != nil {
		t.Fatalf("GET %s: %d %s", aURI, resp.StatusCode, body)
	}
	wantTags = []string{
		"Mention " + secretariat + " @secretariat@" + hub.URLs.Host(),
		"Hashtag " + city.URLs.Tag("digitalid") + " #DigitalID",
	}
	if got := tagsOf(note); !slices.Equal(got, wantTags) {
		t.Errorf("answer tags:\n got %q\nwant %q", got, wantTags)
	}
	if cc := strs(note["cc"]); !slices.Equal(cc, []string{secretariat}) {
		t.Errorf("answer cc %q", cc)
	}

	// A city that blocked Mastodon's instance doesn't look up its handles:
	// the mention stays text.
	if err := city.DB.Store().BlockDomain(ctx, &federation.DomainBlock{Domain: "127.0.0.4", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	b, err := city.Service.Reply(ctx, member, tc.ID, "", forum.Answer{Language: "en", Body: "Thanks @alice@" + mastoHost + "."})
	if err != nil {
		t.Fatal(err)
	}
	testrig.Eventually(t, "the answer mentioning a blocked account reaches the hub", func() (bool, string) {
		p, err := hub.Service.PostByURI(ctx, city.URLs.Post(b.ID))
		if err != nil {
			return false, err.Error()
		}
		if p.HTML != "<p>Thanks @alice@"+mastoHost+".</p>\n" {
			t.Errorf("a handle on a blocked instance was resolved: %s", p.HTML)
		}
		return true, ""
	})

	// The hub's tag page lists the thread.
	resp, err = http.Get(hub.URLs.Tag("digitalid"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Digital ID for residents?") {
		t.Errorf("tag page: %d\n%s", resp.StatusCode, body)
	}
}
