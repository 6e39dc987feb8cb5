// Package mailin turns replies to the node's notification mails into
// answers. Each mail about a post carries a reply address of its own
// (agora+TOKEN@host, beside --mail-from); the token maps to one member and
// one post. A reply arrives through the built-in SMTP receiver
// (--smtp-listen) or `agora mail receive` (a site's MTA pipes the message
// to it); its text, without quoted text, signature and client boilerplate
// (HTML turned into markdown), is posted as the member's answer to the post
// through forum.Service.Reply, so it federates like any answer. Anything
// else is refused with a reason the sender's server puts in its bounce.
package mailin

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/metropolis/agora/forum"
)

// Token is a reply address's token: who may answer what, until when.
type Token struct {
	Token     string
	MemberID  forum.ID
	PostID    forum.ID
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Store keeps tokens, members' addresses and the node's mail secret.
type Store interface {
	// SaveReplyToken stores t, or moves the expiry of the same token on.
	SaveReplyToken(ctx context.Context, t *Token) error
	// ReplyToken returns a stored token (forum.ErrNotFound if none).
	ReplyToken(ctx context.Context, token string) (*Token, error)
	// PurgeReplyTokens deletes the tokens expired before t.
	PurgeReplyTokens(ctx context.Context, t time.Time) error
	MemberEmail(ctx context.Context, memberID string) (string, error)
	Cursor(ctx context.Context, name string) (string, error)
	SetCursor(ctx context.Context, name, value string) error
}

// DefaultTTL is how long a reply address works after its last mail.
const DefaultTTL = 60 * 24 * time.Hour

const secretCursor = "mail:unsubscribe-secret"

// Secret is the node's key for mail links and reply tokens, made once and
// kept in the database so every process checks what another signed.
func Secret(ctx context.Context, st interface {
	Cursor(ctx context.Context, name string) (string, error)
	SetCursor(ctx context.Context, name, value string) error
}) ([]byte, error) {
	v, err := st.Cursor(ctx, secretCursor)
	if err != nil {
		return nil, fmt.Errorf("mail secret: %w", err)
	}
	if v == "" {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		v = base64.RawURLEncoding.EncodeToString(b)
		if err := st.SetCursor(ctx, secretCursor, v); err != nil {
			return nil, fmt.Errorf("mail secret: %w", err)
		}
	}
	return base64.RawURLEncoding.DecodeString(v)
}

// Lowercase base32: mail systems may fold the case of a local part.
var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// sign is the token of (member, post): an HMAC with the node's secret,
// 120 bits, 24 characters, so the whole address stays within the 64
// characters RFC 5321 allows a local part. The same pair always has the
// same token; the table maps it back, and a token is checked against the
// pair it names before it is used.
func sign(secret []byte, memberID, postID forum.ID) string {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte("reply\x00" + memberID + "\x00" + postID))
	return tokenEncoding.EncodeToString(h.Sum(nil)[:15])
}

// Issue stores (or renews) the reply token of member for post, valid for
// ttl from now, and returns it.
func Issue(ctx context.Context, st Store, memberID, postID forum.ID, now time.Time, ttl time.Duration) (string, error) {
	secret, err := Secret(ctx, st)
	if err != nil {
		return "", err
	}
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	tok := sign(secret, memberID, postID)
	// Tokens are made only when a mail is, so the table is tidied then.
	// An expired token stays for another ttl, so a late reply hears
	// "expired" (answer on the website) rather than "unknown".
	if err := st.PurgeReplyTokens(ctx, now.Add(-ttl)); err != nil {
		return "", fmt.Errorf("purge reply tokens: %w", err)
	}
	if err := st.SaveReplyToken(ctx, &Token{Token: tok, MemberID: memberID, PostID: postID, CreatedAt: now, ExpiresAt: now.Add(ttl)}); err != nil {
		return "", fmt.Errorf("save reply token: %w", err)
	}
	return tok, nil
}

// ReplyAddress is the reply address of token beside from: agora@city.example
// gives agora+TOKEN@city.example (subaddressing, which Postfix's
// recipient_delimiter and the built-in receiver understand).
func ReplyAddress(from, token string) (string, error) {
	at := strings.LastIndex(from, "@")
	if at <= 0 {
		return "", fmt.Errorf("reply address: %q is not an address", from)
	}
	local := from[:at]
	if i := strings.Index(local, "+"); i >= 0 {
		local = local[:i]
	}
	return local + "+" + token + from[at:], nil
}

// TokenOf returns the token in a reply address ("" if none): the part of
// the local part after its last '+'.
func TokenOf(addr string) string {
	addr = strings.Trim(strings.TrimSpace(addr), "<>")
	at := strings.LastIndex(addr, "@")
	if at <= 0 {
		return ""
	}
	local := addr[:at]
	i := strings.LastIndex(local, "+")
	if i < 0 {
		return ""
	}
	tok := strings.ToLower(local[i+1:])
	if len(tok) != 24 {
		return ""
	}
	if _, err := tokenEncoding.DecodeString(tok); err != nil {
		return ""
	}
	return tok
}

var errForged = errors.New("token does not match what it names")

// verify checks a stored token against the pair it maps to.
func verify(secret []byte, t *Token) error {
	if !hmac.Equal([]byte(sign(secret, t.MemberID, t.PostID)), []byte(t.Token)) {
		return errForged
	}
	return nil
}
