package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`)

// mastodonToken registers an app on process p and signs the administrator
// in to it through the consent page (out of band, with the client secret).
func (n *liveNode) mastodonToken(t *testing.T, p *proc) (token, clientID, secret string) {
	t.Helper()
	resp, err := http.PostForm(p.url("/api/v1/apps"), url.Values{"client_name": {"cross-process test"},
		"redirect_uris": {"urn:ietf:wg:oauth:2.0:oob"}, "scopes": {"read write follow"}})
	if err != nil {
		t.Fatal(err)
	}
	var app struct{ ClientID, ClientSecret string }
	var raw map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&raw)
	resp.Body.Close()
	app.ClientID, _ = raw["client_id"].(string)
	app.ClientSecret, _ = raw["client_secret"].(string)
	authorize := p.url("/oauth/authorize?" + url.Values{"response_type": {"code"}, "client_id": {app.ClientID},
		"redirect_uri": {"urn:ietf:wg:oauth:2.0:oob"}, "scope": {"read write follow"}}.Encode())
	status, page := n.web.get(authorize)
	if status != http.StatusOK {
		t.Fatalf("consent page: %d", status)
	}
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(page, -1) {
		form.Set(m[1], strings.ReplaceAll(m[2], "&#43;", "+"))
	}
	form.Set("decision", "approve")
	resp, err = n.web.c.PostForm(p.url("/oauth/authorize"), form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`id="code" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no code: %d", resp.StatusCode)
	}
	resp, err = http.PostForm(p.url("/oauth/token"), url.Values{"grant_type": {"authorization_code"}, "client_id": {app.ClientID},
		"client_secret": {app.ClientSecret}, "code": {string(m[1])}, "redirect_uri": {"urn:ietf:wg:oauth:2.0:oob"}})
	if err != nil {
		t.Fatal(err)
	}
	raw = nil
	_ = json.NewDecoder(resp.Body).Decode(&raw)
	resp.Body.Close()
	token, _ = raw["access_token"].(string)
	if token == "" {
		t.Fatalf("token: %d %v", resp.StatusCode, raw)
	}
	return token, app.ClientID, app.ClientSecret
}

// A member's app streams from one process what was written through
// another, and a token revoked on one process closes its stream on the
// other: the live broker is Redis.
func TestMastodonStreamAcrossProcesses(t *testing.T) {
	dbURL, redisURL := services(t, true)
	n := startLiveNode(t, dbURL, redisURL)
	token, clientID, secret := n.mastodonToken(t, n.a)
	req, _ := http.NewRequest("POST", n.a.url("/api/v1/accounts/"+n.thread.ID+"/follow"), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("follow the thread: %v %v", err, resp)
	}
	resp.Body.Close()

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(n.b.url("/api/v1/streaming?stream=user&access_token="+url.QueryEscape(token)), "http"), nil)
	if err != nil {
		t.Fatalf("stream on B: %v", err)
	}
	defer ws.CloseNow()
	time.Sleep(300 * time.Millisecond)
	p := n.answer(t, n.a, "Written through A, streamed by B.")
	for {
		rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
		_, data, err := ws.Read(rctx)
		rcancel()
		if err != nil {
			t.Fatalf("no update on B's stream: %v", err)
		}
		var e struct{ Event, Payload string }
		_ = json.Unmarshal(data, &e)
		if e.Event == "update" && strings.Contains(e.Payload, `"id":"`+p.ID+`"`) {
			break
		}
	}

	// Revoked through A: B closes the stream.
	resp, err = http.PostForm(n.a.url("/oauth/revoke"), url.Values{"client_id": {clientID}, "client_secret": {secret}, "token": {token}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("revoke: %v %v", err, resp)
	}
	resp.Body.Close()
	for {
		rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
		_, _, err := ws.Read(rctx)
		rcancel()
		if err == nil {
			continue
		}
		if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
			t.Fatalf("B's stream ended with %v, want a policy-violation close", err)
		}
		break
	}
}
