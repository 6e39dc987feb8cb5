package mastoapi

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/live"
	"github.com/metropolis/agora/notify"
	"github.com/metropolis/agora/personal"
)

// The streaming API (WebSocket /api/v1/streaming): the streams "user"
// (home timeline and notifications) and "user:notification". New posts
// reach every process through the live broker (Redis when configured):
// each connection then reads what is new in its member's home timeline,
// so the timeline's rules are the store's, written once. Notifications
// arrive on the member's topic; a revoked token's topic closes its
// streams at once, in whichever process they are open.

// streamStreams are the streams a connection may subscribe to.
var streamStreams = []string{"user", "user:notification", "public", "public:local"}

// pingEvery keeps idle connections open through proxies.
const pingEvery = 30 * time.Second

type streamEvent struct {
	Stream  []string `json:"stream"`
	Event   string   `json:"event"`
	Payload string   `json:"payload"`
}

// streamConn is one open stream: what it is subscribed to.
type streamConn struct {
	mu   sync.Mutex
	subs map[string]bool
}

func (s *streamConn) set(stream string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs[stream] = on
}

func (s *streamConn) has(streams ...string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, st := range streams {
		if s.subs[st] {
			out = append(out, st)
		}
	}
	return out
}

// stream is GET /api/v1/streaming (a WebSocket).
func (a *API) stream(w http.ResponseWriter, r *http.Request, c *call) error {
	conn := &streamConn{subs: map[string]bool{}}
	for _, s := range c.params.all("stream") {
		if slices.Contains(streamStreams, s) {
			conn.set(s, true)
		}
	}
	opts := &websocket.AcceptOptions{
		// Any origin: the stream authenticates by token, never by cookie.
		InsecureSkipVerify: true,
	}
	// Mastodon lets browsers pass the token as the subprotocol: echo it.
	if p := r.Header.Get("Sec-WebSocket-Protocol"); p != "" {
		opts.Subprotocols = []string{strings.TrimSpace(strings.Split(p, ",")[0])}
	}
	ws, err := websocket.Accept(w, r, opts)
	if err != nil {
		return nil // Accept answered the client
	}
	defer ws.CloseNow()
	ws.SetReadLimit(4096)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()

	revoked, stopRevoked := a.cfg.Live.Subscribe(ctx, live.TokenTopic(c.token.ID))
	defer stopRevoked()
	posts, stopPosts := a.cfg.Live.Subscribe(ctx, live.PostsTopic)
	defer stopPosts()
	notes, stopNotes := a.cfg.Live.Subscribe(ctx, live.MemberTopic(c.member.ID))
	defer stopNotes()
	// The token may have been revoked before the subscription began.
	if _, err := a.cfg.OAuth.Authenticate(ctx, bearer(r)); err != nil {
		ws.Close(websocket.StatusPolicyViolation, "access token revoked")
		return nil
	}
	// Where the home timeline stands now: only what comes later is sent.
	last := ""
	if head, err := a.homePage(ctx, c.member, personal.Range{}, 1); err != nil {
		ws.Close(websocket.StatusInternalError, "")
		return nil
	} else if len(head) > 0 {
		last = head[0].ID
	}
	go a.readSubscriptions(ctx, cancel, ws, conn)
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-revoked:
			ws.Close(websocket.StatusPolicyViolation, "access token revoked")
			return nil
		case m, ok := <-posts:
			if !ok {
				return nil
			}
			if last, err = a.sendPosts(ctx, ws, conn, c, m, last); err != nil {
				return nil
			}
		case m, ok := <-notes:
			if !ok {
				return nil
			}
			if err := a.sendNotification(ctx, ws, conn, c, m); err != nil {
				return nil
			}
		case <-ping.C:
			if err := ws.Ping(ctx); err != nil {
				return nil
			}
		}
	}
}

// readSubscriptions applies the client's {"type":"subscribe","stream":…}
// messages; a read error (the client left) ends the stream.
func (a *API) readSubscriptions(ctx context.Context, cancel func(), ws *websocket.Conn, conn *streamConn) {
	defer cancel()
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			return
		}
		var msg struct {
			Type   string `json:"type"`
			Stream string `json:"stream"`
		}
		if json.Unmarshal(data, &msg) != nil || !slices.Contains(streamStreams, msg.Stream) {
			continue
		}
		conn.set(msg.Stream, msg.Type == "subscribe")
	}
}

func send(ctx context.Context, ws *websocket.Conn, streams []string, event string, payload any) error {
	p, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	data, err := json.Marshal(streamEvent{Stream: streams, Event: event, Payload: string(p)})
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return ws.Write(wctx, websocket.MessageText, data)
}

// sendPosts sends, on a new post anywhere, what is new in the member's
// home timeline since last (and the post itself on public streams).
func (a *API) sendPosts(ctx context.Context, ws *websocket.Conn, conn *streamConn, c *call, m live.Message, last string) (string, error) {
	if user := conn.has("user"); len(user) > 0 {
		list, err := a.homePage(ctx, c.member, personal.Range{MinID: last}, maxPage)
		if err != nil {
			a.cfg.Logger.Warn("stream: home timeline", "err", err)
			return last, nil
		}
		for i := len(list) - 1; i >= 0; i-- { // oldest first
			if err := send(ctx, ws, user, "update", list[i]); err != nil {
				return last, err
			}
		}
		if len(list) > 0 {
			last = list[0].ID
		}
	}
	if pub := conn.has("public", "public:local"); len(pub) > 0 {
		var d live.AnswerData
		if json.Unmarshal(m.Data, &d) != nil {
			return last, nil
		}
		p, err := a.cfg.Forum.Post(ctx, d.Post)
		if err != nil {
			return last, nil
		}
		if p.URI != "" {
			pub = slices.DeleteFunc(pub, func(s string) bool { return s == "public:local" })
		}
		if len(pub) == 0 {
			return last, nil
		}
		if s, err := a.oneStatus(ctx, c.member, p); err == nil {
			return last, send(ctx, ws, pub, "update", s)
		}
	}
	return last, nil
}

// NotificationData is the payload of a member's notification message.
type NotificationData struct {
	ID forum.ID `json:"id"`
}

func (a *API) sendNotification(ctx context.Context, ws *websocket.Conn, conn *streamConn, c *call, m live.Message) error {
	streams := conn.has("user", "user:notification")
	if len(streams) == 0 {
		return nil
	}
	var d NotificationData
	if json.Unmarshal(m.Data, &d) != nil || !forum.ValidID(d.ID) {
		return nil
	}
	ns, err := a.cfg.Notify.Store.ListNotifications(ctx, c.member.ID, nextID(d.ID), 1)
	if err != nil || len(ns) == 0 || ns[0].ID != d.ID {
		return nil
	}
	out, err := a.notificationsOf(ctx, c.member, ns)
	if err != nil || len(out) == 0 {
		return nil
	}
	return send(ctx, ws, streams, "notification", out[0])
}

// streamHealth is GET /api/v1/streaming/health.
func (a *API) streamHealth(w http.ResponseWriter, r *http.Request, c *call) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("OK"))
	return nil
}

// Revoked tells the open streams of a revoked token, in every process,
// to close: give it to oauth.Service.Revoked.
func (a *API) Revoked(tokenID forum.ID) {
	if a.cfg.Live == nil {
		return
	}
	m := live.Message{Topic: live.TokenTopic(tokenID), ID: "revoked:" + tokenID}
	if err := a.cfg.Live.Publish(context.Background(), m); err != nil {
		a.cfg.Logger.Warn("stream: tell of a revoked token", "token", tokenID, "err", err)
	}
}

// NotificationsAdded publishes new notifications to their members' open
// streams: give it to notify.Deriver.Added.
func (a *API) NotificationsAdded(ctx context.Context, ns []*notify.Notification) {
	if a.cfg.Live == nil {
		return
	}
	for _, n := range ns {
		data, _ := json.Marshal(NotificationData{ID: n.ID})
		m := live.Message{Topic: live.MemberTopic(n.MemberID), ID: "notification:" + n.ID, Data: data}
		if err := a.cfg.Live.Publish(ctx, m); err != nil {
			a.cfg.Logger.Warn("stream: publish notification", "err", err)
			return
		}
	}
}
