// Package mailtest runs a real SMTP server on loopback for tests
// (github.com/emersion/go-smtp), recording what it receives. It can ask
// for a password, and refuse mail for a while.
package mailtest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/mail"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one message the server accepted.
type Received struct {
	From string
	To   []string
	Raw  []byte
	Msg  *mail.Message // parsed headers; Body reads the rest
	Body []byte
}

// Server is an SMTP server on 127.0.0.1.
type Server struct {
	Addr string
	// User and Pass, when set, are required (PLAIN auth).
	User, Pass string

	mu       sync.Mutex
	received []*Received
	failing  int // refuse this many DATA commands with a 451
	refused  int // DATA commands refused so far
	notify   chan struct{}
}

// Start runs a server until the test ends.
func Start(t testing.TB, user, pass string) *Server {
	t.Helper()
	s := &Server{User: user, Pass: pass, notify: make(chan struct{}, 1)}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "mail.test"
	srv.AllowInsecureAuth = true // loopback only
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// FailNext makes the server answer the next n messages 451 (try later).
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = n
}

// Refused is how many messages the server refused (FailNext) so far.
func (s *Server) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// Messages returns what the server accepted so far.
func (s *Server) Messages() []*Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Received(nil), s.received...)
}

// Wait waits until the server holds at least n messages, or d passes.
func (s *Server) Wait(n int, d time.Duration) []*Received {
	deadline := time.After(d)
	for {
		if ms := s.Messages(); len(ms) >= n {
			return ms
		}
		select {
		case <-s.notify:
		case <-deadline:
			return s.Messages()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s      *Server
	authed bool
	from   string
	to     []string
}

func (x *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.s.User || pass != x.s.Pass {
			return errors.New("bad credentials")
		}
		x.authed = true
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.User != "" && !x.authed {
		return smtp.ErrAuthRequired
	}
	x.from = from
	return nil
}

// Rcpt refuses for good (550) addresses that start with "refused@".
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if len(to) > 8 && to[:8] == "refused@" {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.failing > 0 {
		x.s.failing--
		x.s.refused++
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	body, err := io.ReadAll(m.Body)
	if err != nil {
		return err
	}
	x.s.received = append(x.s.received, &Received{From: x.from, To: x.to, Raw: raw, Msg: m, Body: body})
	select {
	case x.s.notify <- struct{}{}:
	default:
	}
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
