package federation_test

// What Mastodon requires of the documents we serve and the activities we
// send, checked on a real node for every type we produce. The sources are
// docs.joinmastodon.org/spec/activitypub (statuses, payloads, profiles,
// extensions), /spec/security (publicKey), /spec/webfinger
// (preferredUsername) and FEP-5feb (indexable).
//
// Every document
//   D1  @context is an array: ActivityStreams first; the security v1
//       vocabulary too on actors (Mastodon reads publicKey through it).
//   D2  id is an absolute URL on our host; type is a string.
// Actors: Person (member), Group (forum), Service (thread), Application
// (instance actor)
//   A1  preferredUsername (Mastodon maps every actor back to acct:name@host).
//   A2  inbox, outbox and followers are URLs on our host.
//   A3  publicKey {id, owner = the actor, publicKeyPem PKIX PEM}, the key
//       id on the actor's host.
//   A4  endpoints.sharedInbox is a URL.
//   A5  manuallyApprovesFollowers is a boolean; people, forums and threads
//       also carry discoverable, indexable (booleans), published and url.
//   A6  name is a string; summary, when present, is HTML; icon, when
//       present, is {type: Image, url}; attachment items are
//       PropertyValue {name, value}.
// Posts: Page (question), Note (answer)
//   P1  attributedTo is an actor URL (a string).
//   P2  content is HTML, and contentMap holds it under the post's language.
//   P3  published (RFC 3339) and url (a string).
//   P4  to and cc are arrays of strings; Public is in to.
//   P5  tag is an array; a Mention has href and name "@user@host", a
//       Hashtag href and name "#word"; every actor mentioned is in to/cc
//       (Mastodon notifies the addressed, links the tagged).
//   P6  sensitive is false (no content warning).
//   P7  a Note has inReplyTo; a Page has name (Mastodon shows a Page as
//       its name and a link) and no summary, and its content opens with
//       the title (GoToSocial and Misskey show content, never name, and a
//       summary as a content warning).
// Tombstone
//   T1  a deleted post answers 410 with {id, type: Tombstone}.
// Activities we send
//   V1  actor is a URL on our host; object is a URL or an object with an id.
//   V2  to (and cc when present) are arrays.
//   V3  Create and Update embed the post, attributed to the actor; an
//       Update carries `updated` (Mastodon applies edits only then).
//   V4  Delete's object is a Tombstone with the post's id.
//   V5  Announce is public (Public in to) and has published.
//   V6  Accept's object is the Follow it accepts (its id, and it is
//       addressed to the follower), from the actor followed.
//   V7  Follow's and Like's objects are URLs.
//   V8  Undo embeds the activity undone, by the same actor.
// Collections: outbox, followers, context
//   C1  OrderedCollection with an integer totalItems; first, when set, is
//       a URL of an OrderedCollectionPage with partOf and orderedItems.

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
)

const (
	asContext       = "https://www.w3.org/ns/activitystreams"
	securityContext = "https://w3id.org/security/v1"
)

// doc is a JSON document with checks that report where it fails.
type doc struct {
	t    *testing.T
	name string
	m    map[string]any
	host string // our host
}

func (d doc) errorf(format string, args ...any) {
	d.t.Helper()
	d.t.Errorf("%s: "+format, append([]any{d.name}, args...)...)
}

func (d doc) str(key string) string {
	d.t.Helper()
	s, ok := d.m[key].(string)
	if !ok || s == "" {
		d.errorf("%s is %#v, want a non-empty string", key, d.m[key])
	}
	return s
}

func (d doc) ourURL(key string) string {
	d.t.Helper()
	s := d.str(key)
	if u, err := url.Parse(s); err != nil || u.Host != d.host || (u.Scheme != "http" && u.Scheme != "https") {
		d.errorf("%s = %q, want a URL on %s", key, s, d.host)
	}
	return s
}

func (d doc) boolean(key string) {
	d.t.Helper()
	if _, ok := d.m[key].(bool); !ok {
		d.errorf("%s is %#v, want a boolean", key, d.m[key])
	}
}

func (d doc) time(key string) {
	d.t.Helper()
	if _, err := time.Parse(time.RFC3339, d.str(key)); err != nil {
		d.errorf("%s: %v", key, err)
	}
}

func (d doc) strings(key string) []string {
	d.t.Helper()
	list, ok := d.m[key].([]any)
	if !ok {
		d.errorf("%s is %#v, want an array", key, d.m[key])
		return nil
	}
	out := make([]string, 0, len(list))
	for _, v := range list {
		s, ok := v.(string)
		if !ok {
			d.errorf("%s holds %#v, want strings", key, v)
		}
		out = append(out, s)
	}
	return out
}

func (d doc) sub(key string) doc {
	d.t.Helper()
	m, ok := d.m[key].(map[string]any)
	if !ok {
		d.errorf("%s is %#v, want an object", key, d.m[key])
	}
	return doc{t: d.t, name: d.name + "." + key, m: m, host: d.host}
}

// D1, D2.
func (d doc) common(actor bool) {
	d.t.Helper()
	ctx, ok := d.m["@context"].([]any)
	if !ok || len(ctx) == 0 || ctx[0] != asContext {
		d.errorf("@context %#v, want an array starting with %s", d.m["@context"], asContext)
	}
	if actor && !slices.Contains(ctx, any(securityContext)) {
		d.errorf("@context lacks %s", securityContext)
	}
	d.ourURL("id")
	d.str("type")
}

// A1–A6; full is false for the instance actor (no profile fields).
func (d doc) actor(full bool) {
	d.t.Helper()
	d.common(true)
	d.str("preferredUsername")
	d.ourURL("inbox")
	d.ourURL("outbox")
	d.ourURL("followers")
	key := d.sub("publicKey")
	if key.ourURL("id"); key.str("owner") != d.m["id"] {
		d.errorf("publicKey.owner %v, want %v", key.m["owner"], d.m["id"])
	}
	if !strings.HasPrefix(key.str("publicKeyPem"), "-----BEGIN PUBLIC KEY-----") {
		d.errorf("publicKeyPem is not a PKIX PEM")
	}
	d.sub("endpoints").ourURL("sharedInbox")
	d.boolean("manuallyApprovesFollowers")
	d.str("name")
	if full {
		d.boolean("discoverable")
		d.boolean("indexable")
		d.time("published")
		d.ourURL("url")
	}
	if s, ok := d.m["summary"]; ok && !strings.HasPrefix(fmt.Sprint(s), "<") {
		d.errorf("summary %q is not HTML", s)
	}
	if _, ok := d.m["icon"]; ok {
		icon := d.sub("icon")
		if icon.str("type") != "Image" {
			d.errorf("icon type %v", icon.m["type"])
		}
		icon.str("url")
	}
	if att, ok := d.m["attachment"].([]any); ok {
		for i := range att {
			pv := doc{t: d.t, name: fmt.Sprintf("%s.attachment[%d]", d.name, i), m: att[i].(map[string]any), host: d.host}
			if pv.str("type") != "PropertyValue" {
				pv.errorf("type %v", pv.m["type"])
			}
			pv.str("name")
			pv.str("value")
		}
	} else if ok := d.m["attachment"]; ok != nil {
		d.errorf("attachment is not an array")
	}
}

// P1–P7, for a post embedded (no @context) or served.
func (d doc) post(served bool) {
	d.t.Helper()
	if served {
		d.common(false)
	} else {
		d.ourURL("id")
	}
	d.ourURL("attributedTo")
	content := d.str("content")
	if !strings.HasPrefix(content, "<") {
		d.errorf("content %q is not HTML", content)
	}
	lang := d.sub("language").str("identifier")
	if cm := d.sub("contentMap"); cm.m[lang] != content {
		d.errorf("contentMap[%s] is not the content", lang)
	}
	d.time("published")
	d.str("url")
	to, cc := d.strings("to"), d.strings("cc")
	if !slices.Contains(to, "https://www.w3.org/ns/activitystreams#Public") {
		d.errorf("to %q lacks Public", to)
	}
	tags, ok := d.m["tag"].([]any)
	if !ok {
		d.errorf("tag is %#v, want an array", d.m["tag"])
	}
	for i := range tags {
		tag := doc{t: d.t, name: fmt.Sprintf("%s.tag[%d]", d.name, i), m: tags[i].(map[string]any), host: d.host}
		href, name := tag.str("href"), tag.str("name")
		switch tag.str("type") {
		case "Mention":
			if n := strings.Count(name, "@"); !strings.HasPrefix(name, "@") || n != 2 {
				tag.errorf("name %q, want @user@host", name)
			}
			if !slices.Contains(to, href) && !slices.Contains(cc, href) {
				tag.errorf("%s is mentioned but not addressed", href)
			}
		case "Hashtag":
			if !strings.HasPrefix(name, "#") {
				tag.errorf("name %q, want #word", name)
			}
		default:
			tag.errorf("unexpected tag type %v", tag.m["type"])
		}
	}
	if s, ok := d.m["sensitive"].(bool); !ok || s {
		d.errorf("sensitive is %#v, want false", d.m["sensitive"])
	}
	switch d.str("type") {
	case "Note":
		d.str("inReplyTo")
	case "Page":
		// Mastodon shows name (then a link); GoToSocial and Misskey show
		// content, with summary as a content warning and name nowhere: so
		// no summary, and content opens with the title.
		name := d.str("name")
		if s, ok := d.m["summary"]; ok {
			d.errorf("summary %q would be a content warning over the question", s)
		}
		if c := d.str("content"); !strings.HasPrefix(c, "<p><strong>"+html.EscapeString(name)+"</strong></p>") {
			d.errorf("content %q does not open with the title %q", c, name)
		}
	default:
		d.errorf("type %v, want Note or Page", d.m["type"])
	}
}

// V1, V2 and the rules of each type.
func (d doc) activity() {
	d.t.Helper()
	d.common(false)
	actor := d.ourURL("actor")
	d.strings("to")
	if _, ok := d.m["cc"]; ok {
		d.strings("cc")
	}
	var obj doc
	embedded := false
	switch o := d.m["object"].(type) {
	case string:
	case map[string]any:
		obj, embedded = doc{t: d.t, name: d.name + ".object", m: o, host: d.host}, true
		if id, _ := o["id"].(string); id == "" {
			d.errorf("embedded object without id")
		}
	default:
		d.errorf("object is %#v", d.m["object"])
	}
	switch typ := d.str("type"); typ {
	case "Create", "Update":
		if !embedded {
			d.errorf("%s must embed its object", typ)
			return
		}
		obj.post(false)
		if obj.m["attributedTo"] != actor {
			d.errorf("object attributed to %v, not the actor %s", obj.m["attributedTo"], actor)
		}
		if typ == "Update" {
			obj.time("updated")
		}
	case "Delete":
		if !embedded || obj.str("type") != "Tombstone" {
			d.errorf("Delete's object must be a Tombstone")
		}
	case "Announce":
		if !slices.Contains(d.strings("to"), "https://www.w3.org/ns/activitystreams#Public") {
			d.errorf("Announce is not public")
		}
		d.time("published")
	case "Accept":
		if !embedded || obj.str("type") != "Follow" || obj.m["object"] != actor {
			d.errorf("Accept's object must be the Follow of %s", actor)
		}
		if follower, _ := obj.m["actor"].(string); !slices.Contains(d.strings("to"), follower) {
			d.errorf("Accept not addressed to the follower %q", follower)
		}
	case "Follow", "Like":
		if embedded {
			d.errorf("%s's object must be a URL", typ)
		}
	case "Undo":
		if !embedded || obj.m["actor"] != actor || obj.str("type") == "" {
			d.errorf("Undo must embed the undone activity, by the same actor")
		}
	default:
		d.errorf("unexpected activity type %s", typ)
	}
}

// C1.
func (d doc) collection(n *secNode) {
	d.t.Helper()
	d.common(false)
	if d.m["type"] != "OrderedCollection" {
		d.errorf("type %v", d.m["type"])
	}
	if total, ok := d.m["totalItems"].(float64); !ok || total != float64(int(total)) {
		d.errorf("totalItems %#v", d.m["totalItems"])
	}
	first, ok := d.m["first"].(string)
	if !ok {
		return
	}
	page := fetchDoc(d.t, n, d.name+" first page", first, http.StatusOK)
	page.ourURL("id")
	if page.m["type"] != "OrderedCollectionPage" || page.m["partOf"] != d.m["id"] {
		page.errorf("type %v partOf %v", page.m["type"], page.m["partOf"])
	}
	if _, ok := page.m["orderedItems"].([]any); !ok {
		page.errorf("orderedItems %#v", page.m["orderedItems"])
	}
}

// fetchDoc GETs one of our URLs as ActivityPub.
func fetchDoc(t *testing.T, n *secNode, name, rawURL string, status int) doc {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := n.get(t, u.RequestURI(), "application/activity+json", "", nil)
	var m map[string]any
	if resp.StatusCode != status || json.Unmarshal(body, &m) != nil {
		t.Fatalf("%s: GET %s → %d %s", name, rawURL, resp.StatusCode, body)
	}
	return doc{t: t, name: name, m: m, host: u.Host}
}

// TestMastodonCompatibility builds every kind of document and activity on
// a real node, with a peer following its actors, and checks each against
// the requirements above.
func TestMastodonCompatibility(t *testing.T) {
	ctx := context.Background()
	n := secStartNode(t, false)
	p := startSecPeer(t, "127.0.0.2:0")
	marta := n.member(t, "marta", forum.RoleAdmin)
	tendai := n.member(t, "tendai", forum.RoleMember)
	fo, err := n.Service.CreateForum(ctx, forum.SystemActor(), forum.ForumInput{Slug: "digitalisation", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Learning forum on digitalisation", Description: "Cities learn from cities."}}})
	if err != nil {
		t.Fatal(err)
	}
	follow := func(who, target string) {
		t.Helper()
		body := secJSON(t, secActivity(p, "Follow", p.actor(who), target))
		if st := n.send(t, secDelivery{body: body, keyID: p.keyID(who), key: secKeys().main}); st != http.StatusAccepted {
			t.Fatalf("follow %s: %d", target, st)
		}
	}
	follow("alice", n.URLs.Member("marta"))
	follow("alice", n.URLs.Member("tendai"))
	follow("alice", n.URLs.Forum(fo.Slug))
	follow("relay", n.URLs.Forum(fo.Slug)) // a server: gets FEP-1b12 Announces

	th, err := n.Service.Ask(ctx, marta, fo.ID, forum.Question{Title: "Digital ID for residents?", Language: "en",
		Body: "What worked for **you**? #DigitalID"})
	if err != nil {
		t.Fatal(err)
	}
	follow("alice", n.URLs.ThreadActor(th.ID))
	secWait(t, "follows accepted", func() (bool, string) {
		nf, _ := n.DB.Store().CountFollowers(ctx, n.URLs.ThreadActor(th.ID))
		return nf == 1, "thread not followed yet"
	})
	answer, err := n.Service.Reply(ctx, tendai, th.ID, "", forum.Answer{Body: "A pilot, @marta. #DigitalID", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Service.EditPost(ctx, tendai, answer.ID, forum.Edit{Body: "A pilot in 2025, @marta. #DigitalID", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	gone, err := n.Service.Reply(ctx, tendai, th.ID, answer.ID, forum.Answer{Body: "Withdrawn.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	for _, on := range []bool{true, false} {
		if _, err := n.Service.SetHelpful(ctx, marta, answer.ID, on); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := n.Service.DeletePost(ctx, tendai, gone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Federation.Join(ctx, forum.SystemActor(), p.actor("group")); err != nil {
		t.Fatal(err)
	}
	if err := n.Federation.Leave(ctx, forum.SystemActor(), p.actor("group")); err != nil {
		t.Fatal(err)
	}

	// What the peer received, by kind.
	kinds := map[string]string{
		"Accept": "", "Create": "", "Update": "", "Delete": "", "Like": "", "Undo{Like}": "",
		"Follow": "", "Undo{Follow}": "", "Announce{id}": "", "Announce{activity}": "",
	}
	received := map[string]map[string]any{}
	secWait(t, "the peer receives every kind of activity", func() (bool, string) {
		for _, b := range p.received() {
			var m map[string]any
			if json.Unmarshal(b, &m) != nil {
				continue
			}
			kind := fmt.Sprint(m["type"])
			switch o := m["object"].(type) {
			case map[string]any:
				if kind == "Undo" || kind == "Announce" {
					kind += "{" + strings.ToLower(fmt.Sprint(o["type"])) + "}"
					if strings.HasPrefix(kind, "Announce") {
						kind = "Announce{activity}"
					}
				}
			case string:
				if kind == "Announce" {
					kind = "Announce{id}"
				}
			}
			kind = strings.Replace(strings.Replace(kind, "{like}", "{Like}", 1), "{follow}", "{Follow}", 1)
			if _, want := kinds[kind]; want && received[kind] == nil {
				received[kind] = m
			}
		}
		var missing []string
		for k := range kinds {
			if received[k] == nil {
				missing = append(missing, k)
			}
		}
		return len(missing) == 0, fmt.Sprint("missing ", missing)
	})
	for kind, m := range received {
		t.Run("sent "+kind, func(t *testing.T) {
			doc{t: t, name: kind, m: m, host: n.URLs.Host()}.activity()
			if t.Failed() {
				// Twice in CI an Update arrived without its object's
				// updated: on PostgreSQL the mentions' linking wrote back
				// the answer as read before the edit (forum's
				// TestConcurrentPostChanges). The whole activity tells
				// which one it was, should another kind fail.
				b, _ := json.Marshal(m)
				t.Logf("the %s received: %s", kind, b)
			}
		})
	}

	served := []struct {
		name, url string
		check     func(d doc)
	}{
		{"Person", n.URLs.Member("marta"), func(d doc) { d.actor(true) }},
		{"Group", n.URLs.Forum(fo.Slug), func(d doc) { d.actor(true) }},
		{"Service (thread)", n.URLs.ThreadActor(th.ID), func(d doc) { d.actor(true) }},
		{"Application (instance)", n.URLs.InstanceActor(), func(d doc) { d.actor(false) }},
		{"Page", n.URLs.Thread(th.ID), func(d doc) { d.post(true) }},
		{"Note", n.URLs.Post(answer.ID), func(d doc) { d.post(true) }},
		{"outbox", n.URLs.Member("tendai") + "/outbox", func(d doc) { d.collection(n) }},
		{"followers", n.URLs.Forum(fo.Slug) + "/followers", func(d doc) { d.collection(n) }},
		{"context", n.URLs.Context(th.ID), func(d doc) { d.collection(n) }},
	}
	for _, s := range served {
		t.Run("served "+s.name, func(t *testing.T) {
			s.check(fetchDoc(t, n, s.name, s.url, http.StatusOK))
		})
	}
	t.Run("served Tombstone", func(t *testing.T) {
		d := fetchDoc(t, n, "Tombstone", n.URLs.Post(gone.ID), http.StatusGone)
		d.common(false)
		if d.m["type"] != "Tombstone" {
			d.errorf("type %v", d.m["type"])
		}
	})
}
