package mastoapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

// remoteRig is a node, a fake Mastodon server with two people the node
// knows (ana and bo), and a token of marta's.
type remoteRig struct {
	s      *site
	fm     *fakeMastodon
	ana    *forum.Member
	bo     *forum.Member
	tok    string
	follow map[string]any // the Follow ana's inbox received
}

func newRemoteRig(t *testing.T, username string) *remoteRig {
	s, fm := newSite(t), newFakeMastodon(t)
	rg := &remoteRig{s: s, fm: fm, tok: s.login(username, "read write follow")}
	var err error
	if rg.ana, err = s.node.Federation.ResolveMember(t.Context(), fm.actorURI("ana")); err != nil {
		t.Fatal(err)
	}
	if rg.bo, err = s.node.Federation.ResolveMember(t.Context(), fm.actorURI("bo")); err != nil {
		t.Fatal(err)
	}
	return rg
}

func (rg *remoteRig) relationship(t *testing.T, id string) map[string]any {
	t.Helper()
	l := rg.s.call(rg.tok, "GET", "/api/v1/accounts/relationships?id[]="+id, nil).list(t)
	if len(l) != 1 {
		t.Fatalf("relationships of %s: %v", id, l)
	}
	return l[0]
}

// followAna follows ana from the app: a Follow signed by the member's key
// reaches ana's inbox, and the relationship is requested.
func (rg *remoteRig) followAna(t *testing.T, username string) {
	t.Helper()
	r := rg.s.call(rg.tok, "POST", "/api/v1/accounts/"+rg.ana.ID+"/follow", nil)
	if r.status != 200 {
		t.Fatalf("follow: %d %s", r.status, r.body)
	}
	if rel := r.obj(t); rel["requested"] != true || rel["following"] != false {
		t.Fatalf("after follow: %v", rel)
	}
	me := rg.s.node.URLs.Member(username)
	testrig.Eventually(t, "ana's inbox receives the Follow", func() (bool, string) {
		got := rg.fm.received("ana", "Follow")
		return len(got) > 0, rg.fm.String()
	})
	f := rg.fm.received("ana", "Follow")
	if len(f) != 1 || f[0].Doc["actor"] != me || f[0].Doc["object"] != rg.ana.URI || !strings.HasPrefix(f[0].KeyID, me) {
		t.Fatalf("Follow received: %+v", f)
	}
	if id, _ := f[0].Doc["id"].(string); !strings.HasPrefix(id, rg.s.node.URLs.Activity("")) {
		t.Fatalf("Follow id %q is not one of the node's activities", id)
	}
	rg.follow = f[0].Doc
}

// answer sends ana's Accept or Reject of the member's Follow.
func (rg *remoteRig) answer(typ string) {
	rg.fm.send(rg.s, "ana", map[string]any{"id": rg.fm.actorURI("ana") + "#" + strings.ToLower(typ) + "s/1", "type": typ,
		"object": map[string]any{"id": rg.follow["id"], "type": "Follow", "actor": rg.follow["actor"], "object": rg.ana.URI}})
}

// refusal waits until the node refused an activity, and returns why.
func (rg *remoteRig) refusal(t *testing.T, activityID string) string {
	t.Helper()
	var reason string
	testrig.Eventually(t, "refusal of "+activityID, func() (bool, string) {
		rs, err := rg.s.node.Federation.Refusals(t.Context(), federation.RefusalQuery{})
		if err != nil {
			return false, err.Error()
		}
		for _, r := range rs {
			if r.ActivityID == activityID {
				reason = r.Reason
				return true, ""
			}
		}
		return false, fmt.Sprint(len(rs), " refusals")
	})
	return reason
}

// home is the member's home timeline by status uri.
func (rg *remoteRig) home(t *testing.T) map[string]map[string]any {
	t.Helper()
	r := rg.s.call(rg.tok, "GET", "/api/v1/timelines/home", nil)
	if r.status != 200 {
		t.Fatalf("home: %d %s", r.status, r.body)
	}
	out := map[string]map[string]any{}
	for _, st := range r.list(t) {
		out[st["uri"].(string)] = st
	}
	return out
}

// TestFollowRemotePerson: marta follows a Mastodon user from her app. The
// follow is requested until ana accepts it; then ana's public and unlisted
// statuses (sanitized) reach marta's home timeline, edits replace them and
// deletes remove them; ana's followers-only status, and statuses of bo
// whom nobody follows, are refused and never shown. Unfollowing sends the
// Undo.
func TestFollowRemotePerson(t *testing.T) {
	rg := newRemoteRig(t, "marta")
	rg.followAna(t, "marta")

	// Before ana accepts, her statuses are not kept.
	early := rg.fm.note("ana", "100", "public", "<p>Too early</p>")
	rg.fm.send(rg.s, "ana", create(early))
	if got := rg.refusal(t, early["id"].(string)+"/activity"); got != federation.ReasonUnknownTarget {
		t.Fatalf("status before the Accept refused as %q", got)
	}

	rg.answer("Accept")
	testrig.Eventually(t, "following after the Accept", func() (bool, string) {
		rel := rg.relationship(t, rg.ana.ID)
		return rel["following"] == true && rel["requested"] == false, fmt.Sprint(rel)
	})

	tests := []struct {
		name, visibility, author string
		refused                  string // reason; "" = shown
	}{
		{"public", "public", "ana", ""},
		{"unlisted", "unlisted", "ana", ""},
		{"followers only", "private", "ana", federation.ReasonNotPublic},
		{"not followed", "public", "bo", federation.ReasonUnknownTarget},
	}
	for i, tc := range tests {
		n := rg.fm.note(tc.author, fmt.Sprint(200+i), tc.visibility,
			`<p>Digital mediators: `+tc.name+`</p><script>alert(1)</script>`)
		rg.fm.send(rg.s, tc.author, create(n))
		uri := n["id"].(string)
		if tc.refused != "" {
			if got := rg.refusal(t, uri+"/activity"); got != tc.refused {
				t.Errorf("%s: refused as %q, want %q", tc.name, got, tc.refused)
			}
			continue
		}
		testrig.Eventually(t, tc.name+" status in the home timeline", func() (bool, string) {
			_, ok := rg.home(t)[uri]
			return ok, "not yet"
		})
		st := rg.home(t)[uri]
		acct, _ := st["account"].(map[string]any)
		if st["content"] != "<p>Digital mediators: "+tc.name+"</p>" || st["visibility"] != tc.visibility ||
			acct["id"] != rg.ana.ID || !strings.HasPrefix(fmt.Sprint(acct["acct"]), "ana@127.0.0.1:") || st["url"] != n["url"] {
			t.Errorf("%s: status %v", tc.name, st)
		}
	}
	home := rg.home(t)
	// Opened on its own: by marta, who follows ana; not by joao.
	shown := home[rg.fm.actorURI("ana")+"/statuses/200"]
	id, _ := shown["id"].(string)
	if r := rg.s.call(rg.tok, "GET", "/api/v1/statuses/"+id, nil); r.status != 200 || r.obj(t)["uri"] != shown["uri"] {
		t.Errorf("status %s for marta: %d %s", id, r.status, r.body)
	}
	if r := rg.s.call(rg.tok, "GET", "/api/v1/statuses/"+id+"/context", nil); r.status != 200 ||
		fmt.Sprint(r.obj(t)) != "map[ancestors:[] descendants:[]]" {
		t.Errorf("context of %s: %d %s", id, r.status, r.body)
	}
	joao := rg.s.login("joao", "read")
	for _, path := range []string{"/api/v1/statuses/" + id, "/api/v1/statuses/" + id + "/context"} {
		if r := rg.s.call(joao, "GET", path, nil); r.status != 404 {
			t.Errorf("%s for joao, who follows nobody: %d %s", path, r.status, r.body)
		}
	}
	for _, id := range []string{"100", "202", "203"} {
		for _, who := range []string{"ana", "bo"} {
			if _, ok := home[rg.fm.actorURI(who)+"/statuses/"+id]; ok {
				t.Errorf("status %s of %s shown", id, who)
			}
		}
	}

	// An edit replaces the status; a delete removes it.
	edited := rg.fm.note("ana", "200", "public", "<p>Digital mediators, edited</p>")
	edited["updated"] = "2026-12-01T11:00:00Z"
	rg.fm.send(rg.s, "ana", map[string]any{"id": edited["id"].(string) + "#updates/1", "type": "Update", "object": edited,
		"to": edited["to"], "cc": edited["cc"]})
	uri := edited["id"].(string)
	testrig.Eventually(t, "the edit shown", func() (bool, string) {
		st := rg.home(t)[uri]
		return st["content"] == "<p>Digital mediators, edited</p>" && st["edited_at"] != nil, fmt.Sprint(st)
	})
	rg.fm.send(rg.s, "ana", map[string]any{"id": uri + "#delete", "type": "Delete",
		"object": map[string]any{"id": uri, "type": "Tombstone"}, "to": []string{"https://www.w3.org/ns/activitystreams#Public"}})
	testrig.Eventually(t, "the deleted status gone", func() (bool, string) {
		_, ok := rg.home(t)[uri]
		return !ok, "still shown"
	})

	// Unfollowing sends the Undo of the Follow, and her statuses leave
	// the timeline.
	if r := rg.s.call(rg.tok, "POST", "/api/v1/accounts/"+rg.ana.ID+"/unfollow", nil); r.status != 200 ||
		r.obj(t)["following"] != false || r.obj(t)["requested"] != false {
		t.Fatalf("unfollow: %d %s", r.status, r.body)
	}
	testrig.Eventually(t, "ana's inbox receives the Undo", func() (bool, string) {
		return len(rg.fm.received("ana", "Undo")) == 1, fmt.Sprint(rg.fm.received("ana", "Undo"))
	})
	undo := rg.fm.received("ana", "Undo")[0].Doc
	inner, _ := undo["object"].(map[string]any)
	if undo["actor"] != rg.follow["actor"] || inner["id"] != rg.follow["id"] || inner["type"] != "Follow" {
		t.Fatalf("Undo received: %v", undo)
	}
	if len(rg.home(t)) != 0 {
		t.Fatalf("home after unfollowing: %v", rg.home(t))
	}
}

// TestRemotePersonRejects: only the person followed answers a follow (an
// Accept from someone else is refused), and their Reject ends the request.
func TestRemotePersonRejects(t *testing.T) {
	rg := newRemoteRig(t, "joao")
	rg.followAna(t, "joao")
	forged := rg.fm.actorURI("bo") + "#accepts/1"
	rg.fm.send(rg.s, "bo", map[string]any{"id": forged, "type": "Accept",
		"object": map[string]any{"id": rg.follow["id"], "type": "Follow", "actor": rg.follow["actor"], "object": rg.ana.URI}})
	if got := rg.refusal(t, forged); got != federation.ReasonOrigin {
		t.Fatalf("bo's Accept refused as %q", got)
	}
	if rel := rg.relationship(t, rg.ana.ID); rel["requested"] != true || rel["following"] != false {
		t.Fatalf("after bo's Accept: %v", rel)
	}
	rg.answer("Reject")
	testrig.Eventually(t, "no longer requested after the Reject", func() (bool, string) {
		rel := rg.relationship(t, rg.ana.ID)
		return rel["following"] == false && rel["requested"] == false, fmt.Sprint(rel)
	})
}

// TestRemotePersonStatusStreamed: a followed person's new status reaches
// the member's open home stream as an update.
func TestRemotePersonStatusStreamed(t *testing.T) {
	rg := newRemoteRig(t, "marta")
	rg.followAna(t, "marta")
	rg.answer("Accept")
	testrig.Eventually(t, "following after the Accept", func() (bool, string) {
		rel := rg.relationship(t, rg.ana.ID)
		return rel["following"] == true, fmt.Sprint(rel)
	})
	c := rg.s.dial(t, rg.tok, "stream=user", false)
	time.Sleep(200 * time.Millisecond) // the subscription reaches the server
	n := rg.fm.note("ana", "300", "public", "<p>Streamed</p>")
	start := time.Now()
	rg.fm.send(rg.s, "ana", create(n))
	for {
		// Through the inbox worker, then the live feed's next poll.
		e, err := next(t, c, 5*time.Second-time.Since(start))
		if err != nil {
			t.Fatalf("no update for ana's status within 5 s: %v", err)
		}
		if e.Event != "update" {
			continue
		}
		var st map[string]any
		if err := json.Unmarshal([]byte(e.Payload), &st); err != nil {
			t.Fatal(err)
		}
		if st["uri"] == n["id"] && st["content"] == "<p>Streamed</p>" {
			t.Logf("update after %v", time.Since(start))
			return
		}
	}
}

// TestFollowMemberOfAnotherNode: a member of another agora node is a
// remote person too: the Follow reaches their node, which accepts it at
// once, and the follow turns from requested to following.
func TestFollowMemberOfAnotherNode(t *testing.T) {
	hub, city := newSite(t), newSite(t)
	joao, err := city.node.Federation.ResolveMember(t.Context(), hub.node.URLs.Member("joao"))
	if err != nil {
		t.Fatal(err)
	}
	tok := city.login("marta", "read write follow")
	if r := city.call(tok, "POST", "/api/v1/accounts/"+joao.ID+"/follow", nil); r.status != 200 || r.obj(t)["requested"] != true {
		t.Fatalf("follow: %d %s", r.status, r.body)
	}
	testrig.Eventually(t, "following once the hub accepts", func() (bool, string) {
		l := city.call(tok, "GET", "/api/v1/accounts/relationships?id[]="+joao.ID, nil).list(t)
		return len(l) == 1 && l[0]["following"] == true && l[0]["requested"] == false, fmt.Sprint(l)
	})
	joaoTok := hub.login("joao", "read")
	testrig.Eventually(t, "joao told of the follow on the hub", func() (bool, string) {
		for _, n := range hub.call(joaoTok, "GET", "/api/v1/notifications", nil).list(t) {
			if acct, _ := n["account"].(map[string]any); n["type"] == "follow" && strings.HasPrefix(fmt.Sprint(acct["acct"]), "marta@") {
				return true, ""
			}
		}
		return false, "no follow notification"
	})
}

// TestFollowUnreachablePerson: a person whose server cannot be reached is
// not followed, and the app is told so in words (502 in Mastodon's error
// shape, naming the host, from the catalogues), not with a bare server
// error.
func TestFollowUnreachablePerson(t *testing.T) {
	s := newSite(t)
	tok := s.login("marta", "read write follow")
	// A loopback port nothing listens on: the actor fetch is refused at once.
	gone := &forum.Member{ID: "01kbzzzz000000000000000000", Username: "gone", Domain: "127.0.0.1:9",
		URI: "http://127.0.0.1:9/users/gone", DisplayName: "Gone", Role: forum.RoleMember, CreatedAt: time.Now().UTC()}
	if err := s.node.DB.Store().CreateMember(t.Context(), gone); err != nil {
		t.Fatal(err)
	}
	r := s.call(tok, "POST", "/api/v1/accounts/"+gone.ID+"/follow", nil)
	var body map[string]string
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		t.Fatalf("follow: %d %s", r.status, r.body)
	}
	if r.status != 502 || !strings.Contains(body["error"], "127.0.0.1:9 could not be reached") {
		t.Fatalf("follow of an unreachable person: %d %s", r.status, r.body)
	}
	rel := rg(s, tok).relationship(t, gone.ID)
	if rel["following"] != false || rel["requested"] != false {
		t.Fatalf("after a refused follow: %v", rel)
	}
}

func rg(s *site, tok string) *remoteRig { return &remoteRig{s: s, tok: tok} }
