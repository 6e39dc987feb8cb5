package mailin

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	htmltomarkdown "github.com/JohannesKaufmann/html-to-markdown/v2"
	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // ISO-8859-*, Windows-125x… decoded to UTF-8
	gomail "github.com/emersion/go-message/mail"
)

// MaxSize is the largest message accepted (1 MiB, as the inbox).
const MaxSize = 1 << 20

// Incoming is what the node reads of a received message.
type Incoming struct {
	From       string   // the From header's address, lowercased
	Recipients []string // To, Cc and Delivered-To addresses
	// Automatic is set for what no person wrote: out-of-office answers,
	// delivery reports, list traffic.
	Automatic bool
	// Text is the message's text as markdown: its text/plain part, or its
	// HTML converted, before quotes and signatures are stripped.
	Text string
}

// Parse reads one RFC 5322 message.
func Parse(raw []byte) (*Incoming, error) {
	r, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) {
		return nil, fmt.Errorf("read message: %w", err)
	}
	in := &Incoming{}
	from, err := r.Header.AddressList("From")
	if err != nil || len(from) == 0 {
		return nil, errors.New("read message: no From address")
	}
	in.From = strings.ToLower(from[0].Address)
	for _, k := range []string{"To", "Cc", "Delivered-To", "X-Original-To"} {
		list, err := r.Header.AddressList(k)
		if err != nil {
			continue // one unreadable header does not hide the others
		}
		for _, a := range list {
			in.Recipients = append(in.Recipients, strings.ToLower(a.Address))
		}
	}
	in.Automatic = automatic(r.Header)
	var plain, html string
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil && !message.IsUnknownCharset(err) {
			return nil, fmt.Errorf("read message part: %w", err)
		}
		h, ok := p.Header.(*gomail.InlineHeader)
		if !ok {
			continue // attachments are not posted
		}
		ct, _, _ := h.ContentType()
		body, err := io.ReadAll(io.LimitReader(p.Body, MaxSize))
		if err != nil {
			return nil, fmt.Errorf("read message part: %w", err)
		}
		switch {
		case ct == "text/plain" && plain == "":
			plain = string(body)
		case ct == "text/html" && html == "":
			html = string(body)
		}
	}
	switch {
	case strings.TrimSpace(plain) != "":
		in.Text = plain
	case strings.TrimSpace(html) != "":
		in.Text, err = HTMLToMarkdown(html)
		if err != nil {
			return nil, err
		}
	}
	return in, nil
}

// automatic tells mail that no person wrote (RFC 3834 Auto-Submitted,
// and what vacation responders and lists put instead).
func automatic(h gomail.Header) bool {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return true
	}
	switch strings.ToLower(h.Get("Precedence")) {
	case "bulk", "junk", "list", "auto_reply":
		return true
	}
	return h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" || h.Get("List-Id") != ""
}

// HTMLToMarkdown converts an HTML body with
// github.com/JohannesKaufmann/html-to-markdown. Clients mark their quoted
// text differently; what is recognisable as a quote is dropped first.
func HTMLToMarkdown(html string) (string, error) {
	md, err := htmltomarkdown.ConvertString(dropHTMLQuotes(html))
	if err != nil {
		return "", fmt.Errorf("convert HTML: %w", err)
	}
	return md, nil
}
