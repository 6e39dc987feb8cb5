package mail

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTP sends through an SMTP server with github.com/wneessen/go-mail
// (STARTTLS, implicit TLS, SMTP AUTH; it refuses to send a password over
// an unencrypted connection to anything but localhost).
type SMTP struct {
	host     string
	port     int
	implicit bool // smtps://: TLS from the first byte
	user     string
	pass     string
	from     string
	// msgHost names the node in Message-IDs.
	msgHost string
	timeout time.Duration
}

// NewSMTP reads an --smtp-url: smtp://[user:pass@]host[:port] (STARTTLS
// when the server offers it; port 587 by default) or smtps://… (implicit
// TLS; port 465). from is the From address (--mail-from); msgHost names
// the node in Message-IDs.
func NewSMTP(rawURL, from, msgHost string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url's error quotes the URL, password and all: say less.
		return nil, errors.New("smtp url: not a URL")
	}
	s := &SMTP{host: u.Hostname(), from: from, msgHost: msgHost, timeout: 30 * time.Second}
	switch u.Scheme {
	case "smtp":
		s.port = 587
	case "smtps":
		s.port, s.implicit = 465, true
	default:
		return nil, fmt.Errorf("smtp url: scheme %q: want smtp or smtps", u.Scheme)
	}
	if s.host == "" {
		return nil, errors.New("smtp url: no host")
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil || s.port < 1 || s.port > 65535 {
			return nil, fmt.Errorf("smtp url: bad port %q", p)
		}
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	if from == "" {
		return nil, errors.New("mail from: required with an SMTP server")
	}
	m := gomail.NewMsg()
	if err := m.From(from); err != nil {
		return nil, fmt.Errorf("mail from %q: %w", from, err)
	}
	return s, nil
}

// Send sends one message: text, or text and HTML as multipart/alternative.
func (s *SMTP) Send(ctx context.Context, m *Message) error {
	msg, err := s.build(m)
	if err != nil {
		return &Permanent{Err: err}
	}
	opts := []gomail.Option{gomail.WithPort(s.port), gomail.WithTimeout(s.timeout)}
	if s.implicit {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(s.user), gomail.WithPassword(s.pass))
	}
	c, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return &Permanent{Err: fmt.Errorf("smtp client: %w", err)}
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
			return &Permanent{Err: fmt.Errorf("send mail %s: %w", m.ID, err)}
		}
		return fmt.Errorf("send mail %s: %w", m.ID, err)
	}
	return nil
}

func (s *SMTP) build(m *Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("to %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	// The queue's id: a mail sent again after a lost acknowledgement has
	// the same Message-ID, so the recipient's server may drop the copy.
	msg.SetMessageIDWithValue(m.ID + "@" + s.msgHost)
	msg.SetDateWithValue(m.CreatedAt)
	for k, v := range m.Headers {
		msg.SetGenHeader(gomail.Header(k), v)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}
