package mailin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/metropolis/agora/forum"
)

// Forum is what a reply needs of the forum (forum.Service).
type Forum interface {
	Members(ctx context.Context, ids []forum.ID) (map[forum.ID]*forum.Member, error)
	Post(ctx context.Context, id forum.ID) (*forum.Post, error)
	Thread(ctx context.Context, id forum.ID) (*forum.Thread, error)
	Reply(ctx context.Context, actor *forum.Member, threadID, parentID forum.ID, a forum.Answer) (*forum.Post, error)
}

// Refusal is a message refused for good: nothing was posted, and Reason
// (plain ASCII, for an SMTP reply and the sender's bounce) says why.
type Refusal struct {
	Reason string
}

func (r *Refusal) Error() string { return "refused: " + r.Reason }

func refuse(format string, args ...any) error { return &Refusal{Reason: fmt.Sprintf(format, args...)} }

// Receiver posts replies to notification mails.
type Receiver struct {
	Store  Store
	Forum  Forum
	Logger *slog.Logger
	Now    func() time.Time
	// DefaultLanguage is the language of a reply by a member who listed
	// none.
	DefaultLanguage string
	// Posted, when set, is called after an answer is stored (the node
	// wakes its publisher, as after an answer on a page).
	Posted func(*forum.Post)
}

// ReadLimited reads a message of at most MaxSize bytes; a larger one is
// refused.
func ReadLimited(r io.Reader) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read message: %w", err)
	}
	if len(raw) > MaxSize {
		return nil, refuse("message larger than 1 MiB")
	}
	return raw, nil
}

// Receive posts the reply in raw, addressed to one of rcpts (the envelope
// recipients; the message's own To, Cc and Delivered-To when none are
// given). It returns the answer, a *Refusal, or another error (the
// database failed: try again later).
func (rc *Receiver) Receive(ctx context.Context, rcpts []string, raw []byte) (*forum.Post, error) {
	if len(raw) > MaxSize {
		return nil, refuse("message larger than 1 MiB")
	}
	in, err := Parse(raw)
	if err != nil {
		return nil, refuse("%s", ascii(err.Error()))
	}
	if len(rcpts) == 0 {
		rcpts = in.Recipients
	}
	token := ""
	for _, a := range rcpts {
		if token = TokenOf(a); token != "" {
			break
		}
	}
	if token == "" {
		return nil, refuse("no reply address of this forum among the recipients")
	}
	if in.Automatic {
		return nil, refuse("automatic replies are not posted")
	}
	t, err := rc.Store.ReplyToken(ctx, token)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, refuse("unknown reply address")
	} else if err != nil {
		return nil, fmt.Errorf("reply token: %w", err)
	}
	secret, err := Secret(ctx, rc.Store)
	if err != nil {
		return nil, err
	}
	if verify(secret, t) != nil {
		return nil, refuse("unknown reply address")
	}
	if !rc.now().Before(t.ExpiresAt) {
		return nil, refuse("this reply address has expired: answer on the forum's website")
	}
	addr, err := rc.Store.MemberEmail(ctx, t.MemberID)
	if err != nil {
		return nil, fmt.Errorf("member email: %w", err)
	}
	if addr == "" || !strings.EqualFold(addr, in.From) {
		return nil, refuse("the sender is not the member this reply address was sent to")
	}
	ms, err := rc.Forum.Members(ctx, []forum.ID{t.MemberID})
	if err != nil {
		return nil, fmt.Errorf("member: %w", err)
	}
	m := ms[t.MemberID]
	if m == nil {
		return nil, refuse("unknown reply address")
	}
	parent, err := rc.Forum.Post(ctx, t.PostID)
	if errors.Is(err, forum.ErrNotFound) || (err == nil && parent.Deleted()) {
		return nil, refuse("the post you are replying to was deleted")
	} else if err != nil {
		return nil, fmt.Errorf("post: %w", err)
	}
	th, err := rc.Forum.Thread(ctx, parent.ThreadID)
	if errors.Is(err, forum.ErrNotFound) || errors.Is(err, forum.ErrGone) {
		return nil, refuse("the post you are replying to was deleted")
	} else if err != nil {
		return nil, fmt.Errorf("thread: %w", err)
	}
	body := Strip(in.Text)
	if body == "" {
		return nil, refuse("the message has no text")
	}
	p, err := rc.Forum.Reply(ctx, m, th.ID, parent.ID, forum.Answer{Body: body, Language: rc.language(m, body)})
	var ve *forum.ValidationError
	switch {
	case errors.Is(err, forum.ErrLocked):
		return nil, refuse("the thread is locked")
	case errors.Is(err, forum.ErrForbidden):
		return nil, refuse("you may not answer in this thread")
	case errors.As(err, &ve):
		return nil, refuse("%s", ascii(ve.Error()))
	case err != nil:
		return nil, fmt.Errorf("post reply: %w", err)
	}
	if rc.Logger != nil {
		rc.Logger.Info("mail: reply posted", "member", m.ID, "post", p.ID, "parent", parent.ID)
	}
	if rc.Posted != nil {
		rc.Posted(p)
	}
	return p, nil
}

// language is the reply's: the member's only language, or the one of
// theirs the text reads as.
func (rc *Receiver) language(m *forum.Member, body string) string {
	cands := m.Languages
	if len(cands) == 0 && m.UILanguage != "" {
		cands = []string{m.UILanguage}
	}
	if len(cands) == 0 {
		cands = []string{rc.DefaultLanguage}
	}
	if l := Language(body, cands); l != "" {
		return l
	}
	return "en"
}

func (rc *Receiver) now() time.Time {
	if rc.Now != nil {
		return rc.Now()
	}
	return time.Now()
}

// ascii keeps a reason fit for an SMTP reply line.
func ascii(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		if r >= 0x20 && r < 0x7f {
			b.WriteRune(r)
		}
	}
	if b.Len() > 200 {
		return b.String()[:200]
	}
	return b.String()
}
