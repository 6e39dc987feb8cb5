package federation_test

// The security rules of DESIGN.md §5 for the inbox and the fetcher, each
// proved against a real node: every case sends one bad request (or a
// sequence) from a scripted remote peer and asserts the status, that nothing
// was stored, and what the node fetched from the peer while deciding.

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-fed/httpsig"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
)

// secEnv is what every inbox case works with.
type secEnv struct {
	node      *secNode
	peer      *secPeer // 127.0.0.2: the sender
	third     *secPeer // 127.0.0.3: a host the sender has no say over
	threadID  forum.ID
	threadURI string
	forumURI  string
}

// fresh names a new actor on the peer: the node has never fetched it, so
// counting the peer's requests shows whether a key was fetched.
func (x *secEnv) fresh() string { return secUnique("actor") }

// create is a Create{Note} by actor name answering the node's question.
func (x *secEnv) create(name string) (act map[string]any, noteID string) {
	actor := x.peer.actor(name)
	noteID = x.peer.base + "/notes/" + secUnique("note")
	note := secNote(noteID, actor, x.threadURI, "Connectivity became essential.")
	note["cc"] = []any{x.forumURI}
	note["audience"] = x.forumURI
	return secActivity(x.peer, "Create", actor, note), noteID
}

// signedAs is a delivery of act signed by name's key (the right one).
func (x *secEnv) signedAs(t *testing.T, name string, act map[string]any) secDelivery {
	return secDelivery{body: secJSON(t, act), keyID: x.peer.keyID(name), key: secKeys().main}
}

// secSent is what a case delivered: its last status, the activity ids and
// the note ids it is about.
type secSent struct {
	status     int
	activities []string
	notes      []string
}

// secOutcome is what must (not) be stored after the case.
type secOutcome int

const (
	// secRefused at the door: no inbox item, no post.
	secRefused secOutcome = iota
	// secStored: one inbox item per activity, each note once in the thread.
	secStored
	// secNotApplied: accepted (202, one inbox item), but the worker must not
	// store the notes.
	secNotApplied
)

type secCase struct {
	name    string
	rule    string // the rule of DESIGN.md §5 / issue 3 it proves
	send    func(t *testing.T, x *secEnv) secSent
	want    int
	outcome secOutcome
	// peerRequests bounds the requests the peer and the third host receive
	// during the case (nil: not checked).
	peerRequests *[2]int
	extra        func(t *testing.T, x *secEnv, s secSent)
}

func secBetween(lo, hi int) *[2]int { return &[2]int{lo, hi} }

var secNoFetch = secBetween(0, 0)

func secID(m map[string]any) string { return m["id"].(string) }

// secOne sends one delivery of act and reports it.
func secOne(t *testing.T, x *secEnv, d secDelivery, act map[string]any, notes ...string) secSent {
	return secSent{status: x.node.send(t, d), activities: []string{secID(act)}, notes: notes}
}

func TestInboxSecurity(t *testing.T) {
	ctx := context.Background()
	n := secStartNode(t, false)
	peer := startSecPeer(t, "127.0.0.2:0")
	third := startSecPeer(t, "127.0.0.3:0")

	admin := n.member(t, "secretariat", forum.RoleAdmin)
	fo, err := n.Service.CreateForum(ctx, forum.SystemActor(), forum.ForumInput{Slug: "security", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Security forum"}}})
	if err != nil {
		t.Fatal(err)
	}
	q, err := n.Service.Ask(ctx, admin, fo.ID, forum.Question{Title: "Has Covid-19 been a turning point for internet access?",
		Body: "Tell us.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	x := &secEnv{node: n, peer: peer, third: third, threadID: q.ID, threadURI: n.URLs.Thread(q.ID), forumURI: n.URLs.Forum("security")}

	cases := []secCase{
		{
			name: "valid signed Create is accepted and applied", rule: "positive control",
			want: http.StatusAccepted, outcome: secStored, peerRequests: secBetween(1, 1),
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				return secOne(t, x, x.signedAs(t, a, act), act, note)
			},
		},
		{
			name: "valid signed Create to the forum inbox", rule: "positive control (per-actor inbox)",
			want: http.StatusAccepted, outcome: secStored, peerRequests: secBetween(1, 1),
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				d := x.signedAs(t, a, act)
				d.path = "/f/security/inbox"
				return secOne(t, x, d, act, note)
			},
		},
		{
			name: "ld+json with the ActivityStreams profile is accepted", rule: "content type: ld+json; profile=activitystreams",
			want: http.StatusAccepted, outcome: secStored, peerRequests: secBetween(1, 1),
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				d := x.signedAs(t, a, act)
				d.contentType = `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
				return secOne(t, x, d, act, note)
			},
		},
		{
			name: "same activity delivered twice is stored once", rule: "duplicate deliveries change nothing",
			want: http.StatusAccepted, outcome: secStored, peerRequests: secBetween(1, 1),
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				d := x.signedAs(t, a, act)
				if st := x.node.send(t, d); st != http.StatusAccepted {
					return secSent{status: st, activities: []string{secID(act)}, notes: []string{note}}
				}
				secWait(t, "first secDelivery applied", func() (bool, string) { return x.node.postStored(t, note), "not yet" })
				return secOne(t, x, d, act, note) // again, after it was applied
			},
		},
		{
			name: "no Signature header", rule: "signature required",
			want: http.StatusUnauthorized, outcome: secRefused, peerRequests: secNoFetch,
			send: func(t *testing.T, x *secEnv) secSent {
				act, note := x.create(x.fresh())
				return secOne(t, x, secDelivery{body: secJSON(t, act)}, act, note)
			},
		},
		{
			name: "no Signature header, forum inbox", rule: "signature required (per-actor inbox)",
			want: http.StatusUnauthorized, outcome: secRefused, peerRequests: secNoFetch,
			send: func(t *testing.T, x *secEnv) secSent {
				act, note := x.create(x.fresh())
				return secOne(t, x, secDelivery{path: "/f/security/inbox", body: secJSON(t, act)}, act, note)
			},
		},
		{
			name: "RFC 9421 headers only", rule: "RFC 9421 answered 401 so the sender falls back",
			want: http.StatusUnauthorized, outcome: secRefused, peerRequests: secNoFetch,
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				body := secJSON(t, act)
				sum := sha256.Sum256(body)
				d := secDelivery{body: body, after: func(r *http.Request) {
					r.Header.Set("Content-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":")
					r.Header.Set("Signature-Input", `sig1=("@method" "@target-uri" "content-digest" "content-type");created=`+
						strconv.FormatInt(time.Now().Unix(), 10)+`;keyid="`+x.peer.keyID(a)+`";alg="rsa-v1_5-sha256"`)
					r.Header.Set("Signature", "sig1=:"+base64.StdEncoding.EncodeToString(make([]byte, 256))+":")
				}}
				return secOne(t, x, d, act, note)
			},
		},
		{
			name: "Digest missing", rule: "Digest required on POST",
			want: http.StatusUnauthorized, outcome: secRefused, peerRequests: secNoFetch,
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				d := x.signedAs(t, a, act)
				d.after = func(r *http.Request) { r.Header.Del("Digest") }
				return secOne(t, x, d, act, note)
			},
		},
		{
			name: "Digest mismatch: body changed after signing", rule: "Digest = SHA-256 of the body",
			want: http.StatusUnauthorized, outcome: secRefused, peerRequests: secNoFetch,
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				d := x.signedAs(t, a, act)
				act["object"].(map[string]any)["content"] = "<p>Changed in transit.</p>"
				changed := secJSON(t, act)
				d.after = func(r *http.Request) { secSetBody(r, changed, false) }
				return secOne(t, x, d, act, note)
			},
		},
		{
			name: "Digest present but not among the signed headers", rule: "(request-target) host date digest signed on POST",
			want: http.StatusUnauthorized, outcome: secRefused, peerRequests: secNoFetch,
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				body := secJSON(t, act)
				d := secDelivery{body: body, after: func(r *http.Request) {
					secSignCavage(t, r, body, x.peer.keyID(a), []string{httpsig.RequestTarget, "host", "date"})
				}}
				return secOne(t, x, d, act, note)
			},
		},
		{
			name: "Date 2 hours old", rule: "Date within ±1 h",
			want: http.StatusUnauthorized, outcome: secRefused, peerRequests: secNoFetch,
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				d := x.signedAs(t, a, act)
				d.date = time.Now().Add(-2 * time.Hour)
				return secOne(t, x, d, act, note)
			},
		},
		{
			name: "Date 2 hours in the future", rule: "Date within ±1 h",
			want: http.StatusUnauthorized, outcome: secRefused, peerRequests: secNoFetch,
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				d := x.signedAs(t, a, act)
				d.date = time.Now().Add(2 * time.Hour)
				return secOne(t, x, d, act, note)
			},
		},
		{
			name: "algorithm claims ed25519 on an RSA key", rule: "algorithm chosen from the key type",
			want: http.StatusUnauthorized, outcome: secRefused, peerRequests: secBetween(1, 2),
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				d := x.signedAs(t, a, act)
				d.after = func(r *http.Request) {
					sig := r.Header.Get("Signature")
					if !strings.Contains(sig, `algorithm="rsa-sha256"`) {
						t.Errorf("transport wrote no rsa-sha256 algorithm: %s", sig)
					}
					r.Header.Set("Signature", strings.Replace(sig, `algorithm="rsa-sha256"`, `algorithm="ed25519"`, 1))
				}
				return secOne(t, x, d, act, note)
			},
		},
		{
			name: "signed by another key than the actor's, twice", rule: "key refetched once on failure, rate-limited",
			// One resolve of the unknown actor, one refetch in case the key
			// rotated; the second bad request within the minute fetches nothing.
			want: http.StatusUnauthorized, outcome: secRefused, peerRequests: secBetween(1, 2),
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				d := x.signedAs(t, a, act)
				d.key = secKeys().other
				if st := x.node.send(t, d); st != http.StatusUnauthorized {
					return secSent{status: st, activities: []string{secID(act)}, notes: []string{note}}
				}
				return secOne(t, x, d, act, note)
			},
		},
		{
			name: "signer is not the activity's actor", rule: "activity actor = signer (but for forwarded posts)",
			want: http.StatusUnauthorized, outcome: secRefused, peerRequests: secBetween(1, 2),
			send: func(t *testing.T, x *secEnv) secSent {
				act := secActivity(x.peer, "Follow", x.peer.actor("trudy"), x.forumURI) // trudy's follow…
				return secOne(t, x, x.signedAs(t, x.fresh(), act), act)                 // …signed by someone else
			},
		},
		{
			name: "forwarded Create whose origin lacks the note", rule: "forwarded objects are refetched from their origin",
			want: http.StatusAccepted, outcome: secNotApplied, peerRequests: secBetween(1, 4),
			send: func(t *testing.T, x *secEnv) secSent {
				act, note := x.create("trudy")                                // trudy's answer, which her server no longer has…
				return secOne(t, x, x.signedAs(t, x.fresh(), act), act, note) // …passed on by another server
			},
		},
		{
			name: "activity id on another host than the actor", rule: "ids on the actor's host",
			want: http.StatusBadRequest, outcome: secRefused, peerRequests: secBetween(1, 1),
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				act["id"] = x.third.base + "/activities/" + secUnique("create")
				return secOne(t, x, x.signedAs(t, a, act), act, note)
			},
		},
		{
			name: "body over 1 MiB (Content-Length)", rule: "body ≤ 1 MiB, before any key fetch",
			want: http.StatusRequestEntityTooLarge, outcome: secRefused, peerRequests: secNoFetch,
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				act["object"].(map[string]any)["content"] = "<p>" + strings.Repeat("a", 1<<20) + "</p>"
				d := x.signedAs(t, a, act)
				d.after = func(r *http.Request) { r.Header.Set("Expect", "100-continue") }
				return secOne(t, x, d, act, note)
			},
		},
		{
			name: "body over 1 MiB (chunked, no Content-Length)", rule: "body ≤ 1 MiB, before any key fetch",
			want: http.StatusRequestEntityTooLarge, outcome: secRefused, peerRequests: secNoFetch,
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				act["object"].(map[string]any)["content"] = "<p>" + strings.Repeat("a", 1<<20) + "</p>"
				d := x.signedAs(t, a, act)
				body := d.body
				d.after = func(r *http.Request) {
					secSetBody(r, body, true)
					r.Header.Set("Expect", "100-continue")
				}
				return secOne(t, x, d, act, note)
			},
		},
		{
			name: "content type application/json", rule: "AP content types only",
			want: http.StatusUnsupportedMediaType, outcome: secRefused, peerRequests: secNoFetch,
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				d := x.signedAs(t, a, act)
				d.contentType = "application/json"
				return secOne(t, x, d, act, note)
			},
		},
		{
			name: "ld+json without the ActivityStreams profile", rule: "AP content types only",
			want: http.StatusUnsupportedMediaType, outcome: secRefused, peerRequests: secNoFetch,
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				d := x.signedAs(t, a, act)
				d.contentType = "application/ld+json"
				return secOne(t, x, d, act, note)
			},
		},
		{
			name: "ld+json whose profile only starts like the ActivityStreams URI", rule: "AP content types only",
			want: http.StatusUnsupportedMediaType, outcome: secRefused, peerRequests: secNoFetch,
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				d := x.signedAs(t, a, act)
				d.contentType = `application/ld+json; profile="https://www.w3.org/ns/activitystreams-not"`
				return secOne(t, x, d, act, note)
			},
		},
		{
			name: "JSON nested 100 deep", rule: "JSON depth cap",
			want: http.StatusBadRequest, outcome: secRefused, peerRequests: secNoFetch,
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				act["object"] = json.RawMessage(strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100))
				return secOne(t, x, x.signedAs(t, a, act), act, note)
			},
		},
		{
			name: "body is not JSON", rule: "JSON bodies only",
			want: http.StatusBadRequest, outcome: secRefused, peerRequests: secNoFetch,
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				d := x.signedAs(t, a, act)
				d.body = []byte("id=" + secID(act) + "&type=Create")
				return secOne(t, x, d, act, note)
			},
		},
		{
			name: "blocked instance", rule: "blocked instances 403 before any key fetch",
			want: http.StatusForbidden, outcome: secRefused, peerRequests: secNoFetch,
			send: func(t *testing.T, x *secEnv) secSent {
				st := x.node.DB.Store()
				if err := st.BlockDomain(context.Background(), &federation.DomainBlock{Domain: x.peer.host(),
					Reason: "test", CreatedAt: time.Now()}); err != nil {
					t.Fatal(err)
				}
				defer func() {
					if err := st.UnblockDomain(context.Background(), x.peer.host()); err != nil {
						t.Fatal(err)
					}
				}()
				a := x.fresh()
				act, note := x.create(a)
				return secOne(t, x, x.signedAs(t, a, act), act, note)
			},
		},
		{
			name: "fetched actor whose id is not its URL", rule: "fetched id = fetched URL (so no key: 401)",
			want: http.StatusUnauthorized, outcome: secRefused, peerRequests: secBetween(1, 2),
			send: func(t *testing.T, x *secEnv) secSent {
				act, note := x.create("broken")
				return secOne(t, x, x.signedAs(t, "broken", act), act, note)
			},
			extra: func(t *testing.T, x *secEnv, _ secSent) {
				if x.peer.fetches("/users/broken") == 0 {
					t.Errorf("the node never fetched /users/broken, so the id check was not what secRefused it")
				}
			},
		},
		{
			name: "embedded Note with an id on a third host", rule: "embedded objects from another origin are refetched by id",
			want: http.StatusAccepted, outcome: secNotApplied,
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, _ := x.create(a)
				path := "/notes/" + secUnique("stolen")
				stolen := x.third.base + path
				// The third host's real note is by carol, there; the peer
				// embeds a copy it claims as its actor's.
				x.third.putNote(path, secNote(stolen, x.third.actor("carol"), x.threadURI, "Carol's words."))
				act["object"].(map[string]any)["id"] = stolen
				return secOne(t, x, x.signedAs(t, a, act), act, stolen)
			},
			extra: func(t *testing.T, x *secEnv, s secSent) {
				t.Logf("third host saw %d request(s) for the note (a refetch by id)", x.third.allRequests())
			},
		},
		{
			name: "Note attributed to someone else than the actor", rule: "object attributed to the actor",
			want: http.StatusAccepted, outcome: secNotApplied,
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				act, note := x.create(a)
				act["object"].(map[string]any)["attributedTo"] = x.peer.actor("trudy")
				return secOne(t, x, x.signedAs(t, a, act), act, note)
			},
		},
		{
			name: "Delete of an unknown object, then its Create", rule: "a Delete before its Create is remembered",
			want: http.StatusAccepted, outcome: secNotApplied,
			send: func(t *testing.T, x *secEnv) secSent {
				a := x.fresh()
				create, note := x.create(a)
				del := secActivity(x.peer, "Delete", x.peer.actor(a), note)
				if st := x.node.send(t, x.signedAs(t, a, del)); st != http.StatusAccepted {
					return secSent{status: st, activities: []string{secID(del)}, notes: []string{note}}
				}
				secWait(t, "delete applied", func() (bool, string) { return x.node.inboxSettled(t, secID(del)) })
				s := secOne(t, x, x.signedAs(t, a, create), create, note)
				s.activities = append(s.activities, secID(del))
				return s
			},
			extra: func(t *testing.T, x *secEnv, s secSent) {
				if _, err := x.node.DB.Store().Tombstone(context.Background(), s.notes[0]); err != nil {
					t.Errorf("no tombstone remembered for %s: %v", s.notes[0], err)
				}
			},
		},
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Logf("rule: %s", c.rule)
			rowsBefore := n.allInboxRows(t)
			reqBefore := peer.allRequests() + third.allRequests()
			s := c.send(t, x)
			if s.status != c.want {
				t.Fatalf("status %d, want %d", s.status, c.want)
			}
			got := peer.allRequests() + third.allRequests() - reqBefore
			t.Logf("the peer and the third host received %d request(s)", got)
			if c.peerRequests != nil {
				if got < c.peerRequests[0] || got > c.peerRequests[1] {
					t.Errorf("the peer received %d request(s) while the node decided; want %d to %d", got, c.peerRequests[0], c.peerRequests[1])
				}
			}
			switch c.outcome {
			case secRefused:
				for _, a := range s.activities {
					if got := n.inboxRows(t, a); got != 0 {
						t.Errorf("secRefused activity %s has %d inbox item(s)", a, got)
					}
				}
				if got := n.allInboxRows(t); got != rowsBefore {
					t.Errorf("inbox items: %d before, %d after a secRefused request", rowsBefore, got)
				}
				for _, note := range s.notes {
					if n.postStored(t, note) {
						t.Errorf("secRefused note %s was stored", note)
					}
				}
			case secStored:
				for _, note := range s.notes {
					secWait(t, "answer "+note+" in the thread", func() (bool, string) {
						return n.postStored(t, note), "not stored yet"
					})
					if got := n.threadPostsWithURI(t, x.threadID, note); got != 1 {
						t.Errorf("the thread shows %s %d times, want once", note, got)
					}
				}
				for _, a := range s.activities {
					if got := n.inboxRows(t, a); got != 1 {
						t.Errorf("activity %s has %d inbox items, want 1", a, got)
					}
				}
			case secNotApplied:
				for _, a := range s.activities {
					secWait(t, "worker has handled "+a, func() (bool, string) { return n.inboxSettled(t, a) })
					_, state := n.inboxSettled(t, a)
					t.Logf("%s: %s", a, state)
				}
				for _, note := range s.notes {
					if n.postStored(t, note) {
						t.Errorf("note %s was stored", note)
					}
					if got := n.threadPostsWithURI(t, x.threadID, note); got != 0 {
						t.Errorf("the thread shows %s", note)
					}
				}
			}
			if c.extra != nil {
				c.extra(t, x, s)
			}
		})
	}
}

// TestAuthorizedFetch: a node configured so answers unsigned GETs of its
// documents with 401 and signed ones with 200; its instance actor stays
// public (others need it to check its signatures).
func TestAuthorizedFetch(t *testing.T) {
	n := secStartNode(t, true)
	peer := startSecPeer(t, "127.0.0.2:0")
	n.member(t, "ana", forum.RoleMember)

	resp, _ := n.get(t, "/u/ana", federation.ContentType, "", nil)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned GET /u/ana: %d, want 401", resp.StatusCode)
	}
	resp, body := n.get(t, "/u/ana", federation.ContentType, peer.keyID("mallory"), secKeys().main)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"type":"Person"`) {
		t.Errorf("signed GET /u/ana: %d %s, want 200 and the Person", resp.StatusCode, body)
	}
	resp, body = n.get(t, "/u/ana", federation.ContentType, peer.keyID("mallory"), secKeys().other)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /u/ana signed with a key not the actor's: %d %s, want 401", resp.StatusCode, body)
	}
	resp, body = n.get(t, "/actor", federation.ContentType, "", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"type":"Application"`) {
		t.Errorf("unsigned GET /actor: %d %s, want 200 and the Application", resp.StatusCode, body)
	}
}

// secSignCavage signs r as it stands (setting Date and Digest) over exactly
// headers, for requests the signing transport would never make.
func secSignCavage(t *testing.T, r *http.Request, body []byte, keyID string, headers []string) {
	t.Helper()
	sum := sha256.Sum256(body)
	r.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	r.Header.Set("Digest", "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]))
	s, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256, headers, httpsig.Signature, 0)
	if err != nil {
		t.Error(err)
		return
	}
	r.Header.Set("Host", r.URL.Host)
	defer r.Header.Del("Host")
	if err := s.SignRequest(secKeys().main, keyID, r, nil); err != nil {
		t.Error(err)
	}
}
