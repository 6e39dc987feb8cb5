package mastoapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/metropolis/agora/forum"
)

type event struct {
	Stream  []string `json:"stream"`
	Event   string   `json:"event"`
	Payload string   `json:"payload"`
}

// dial opens the streaming API with the token as the subprotocol (as
// masto.js does) or in the query (as megalodon does).
func (s *site) dial(t *testing.T, token, query string, asProtocol bool) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(s.base, "http") + "/api/v1/streaming?" + query
	opts := &websocket.DialOptions{}
	if asProtocol {
		opts.Subprotocols = []string{token}
	} else {
		u += "&access_token=" + url.QueryEscape(token)
	}
	c, resp, err := websocket.Dial(ctx, u, opts)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial: %v (%d)", err, status)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func next(t *testing.T, c *websocket.Conn, within time.Duration) (event, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), within)
	defer cancel()
	_, data, err := c.Read(ctx)
	if err != nil {
		return event{}, err
	}
	var e event
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatalf("event %s: %v", data, err)
	}
	return e, nil
}

func TestStreaming(t *testing.T) {
	s := newSite(t)
	ctx := t.Context()
	th, err := s.node.Service.Ask(ctx, s.joao, s.forum.ID, questionOf("How did libraries help during lockdowns?"))
	if err != nil {
		t.Fatal(err)
	}
	tok := s.login("marta", "read write follow")
	if r := s.call(tok, "POST", "/api/v1/accounts/"+th.ID+"/follow", nil); r.status != 200 {
		t.Fatalf("follow: %d", r.status)
	}
	for _, asProtocol := range []bool{true, false} {
		name := map[bool]string{true: "token as subprotocol", false: "token in query"}[asProtocol]
		t.Run(name, func(t *testing.T) {
			var c *websocket.Conn
			if asProtocol {
				c = s.dial(t, tok, "", true)
				sub, _ := json.Marshal(map[string]string{"type": "subscribe", "stream": "user"})
				if err := c.Write(ctx, websocket.MessageText, sub); err != nil {
					t.Fatal(err)
				}
			} else {
				c = s.dial(t, tok, "stream=user", false)
			}
			time.Sleep(200 * time.Millisecond) // the subscription reaches the server
			start := time.Now()
			ans, err := s.node.Service.Reply(ctx, s.joao, th.ID, "", forum.Answer{Body: "Lending laptops. " + name, Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			for {
				e, err := next(t, c, 2*time.Second-time.Since(start))
				if err != nil {
					t.Fatalf("no update within 2 s: %v", err)
				}
				var st map[string]any
				_ = json.Unmarshal([]byte(e.Payload), &st)
				if e.Event == "update" && st["id"] == ans.ID {
					if e.Stream[0] != "user" {
						t.Fatalf("stream %v", e.Stream)
					}
					t.Logf("update after %v", time.Since(start))
					break
				}
			}
		})
	}

	t.Run("notification", func(t *testing.T) {
		c := s.dial(t, tok, "stream=user:notification", false)
		time.Sleep(200 * time.Millisecond)
		mine, err := s.node.Service.Reply(ctx, s.marta, th.ID, "", forum.Answer{Body: "Barcelona too.", Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.node.Service.SetHelpful(ctx, s.joao, mine.ID, true); err != nil {
			t.Fatal(err)
		}
		for {
			e, err := next(t, c, 5*time.Second)
			if err != nil {
				t.Fatalf("no notification: %v", err)
			}
			if e.Event == "update" {
				t.Fatalf("an update on the notification stream: %v", e)
			}
			var n map[string]any
			_ = json.Unmarshal([]byte(e.Payload), &n)
			if e.Event == "notification" && n["type"] == "favourite" {
				break
			}
		}
	})

	t.Run("revoked token closes the stream", func(t *testing.T) {
		other := s.login("marta", "read")
		c := s.dial(t, other, "stream=user", false)
		tokens, err := s.node.Service.Members(ctx, []string{s.marta.ID})
		if err != nil || tokens[s.marta.ID] == nil {
			t.Fatal(err)
		}
		// Revoke from the profile page, as the member would.
		b := s.browser()
		login := b.do("GET", "/login", nil)
		form := formOf(login.body)
		form.Set("username", "marta")
		form.Set("password", "learning-forum-2026")
		b.do("POST", "/login", form)
		page := b.do("GET", "/u/marta", nil)
		actions := revokeForms.FindAllStringSubmatch(string(page.body), -1)
		if len(actions) < 2 {
			t.Fatalf("profile lists %d apps", len(actions))
		}
		// The newest first: the token this stream uses.
		start := time.Now()
		if r := b.do("POST", actions[0][1], url.Values{"csrf": {formOf(page.body).Get("csrf")}}); r.status != http.StatusSeeOther {
			t.Fatalf("revoke: %d", r.status)
		}
		for {
			_, err := next(t, c, 2*time.Second)
			if err == nil {
				continue
			}
			if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
				t.Fatalf("stream ended with %v, want a policy-violation close", err)
			}
			t.Logf("closed after %v", time.Since(start))
			break
		}
		// The first token still streams.
		if r := s.call(tok, "GET", "/api/v1/accounts/verify_credentials", nil); r.status != 200 {
			t.Fatalf("the other token: %d", r.status)
		}
	})
}
