package web

import (
	"context"
	"errors"
	"html/template"
	"strings"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/mailin"
	"github.com/metropolis/agora/notify"
)

// mailReply is what a mail about one post adds so its reader can answer
// by replying: the reply address (a token for this member and post), the
// post's text, and a line above which the reply goes.
type mailReply struct {
	Address string
	Marker  string // mailin.Marker and a few words: clients quote it, mailin cuts there
	Hint    string
	Lang    string
	Text    string        // the post, as markdown
	HTML    template.HTML // the post's sanitized HTML
}

// replyKinds are the notifications about a post one answers.
var replyKinds = map[notify.Kind]bool{notify.KindReply: true, notify.KindMention: true, notify.KindAnswer: true, notify.KindQuestion: true}

// replyTo returns the reply part of a mail about n, or nil when n is not
// about a post that can be answered (or replies by email are off).
func (s *Server) replyTo(ctx context.Context, tr *translator, m *forum.Member, n *notify.Notification, now time.Time) (*mailReply, error) {
	mc := s.cfg.Mail
	if mc.ReplyFrom == "" || n.PostID == "" || !replyKinds[n.Kind] {
		return nil, nil
	}
	p, err := s.cfg.Service.Post(ctx, n.PostID)
	if errors.Is(err, forum.ErrNotFound) || (err == nil && p.Deleted()) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	tok, err := mailin.Issue(ctx, mc.Store, m.ID, p.ID, now, mc.ReplyTTL)
	if err != nil {
		return nil, err
	}
	addr, err := mailin.ReplyAddress(mc.ReplyFrom, tok)
	if err != nil {
		return nil, err
	}
	text := p.Source
	if text == "" {
		if text, err = mailin.HTMLToMarkdown(p.HTML); err != nil {
			return nil, err
		}
	}
	const most = 4000 // a mail quotes a post; the page shows all of it
	if r := []rune(text); len(r) > most {
		text = string(r[:most]) + "…"
	}
	return &mailReply{Address: addr, Marker: mailin.Marker + " " + tr.T("mail.reply_above") + " -##", Hint: tr.T("mail.reply_hint"),
		Lang: p.Language, Text: text, HTML: template.HTML(p.HTML)}, nil // p.HTML was sanitized when stored
}

// quoteText quotes a post in a text mail.
func quoteText(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = "> " + l
	}
	return strings.Join(lines, "\n")
}
