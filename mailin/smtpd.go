package mailin

import (
	"context"
	"errors"
	"io"
	"net"
	"time"

	"github.com/emersion/go-smtp"
)

// Listener is the built-in SMTP receiver (--smtp-listen), on
// github.com/emersion/go-smtp. It takes mail for reply addresses only,
// answers a refusal with 550 and its reason (the sending server bounces
// it to the member), a failure of ours with 451 (the sender retries), and
// messages over 1 MiB with 552.
type Listener struct {
	srv *smtp.Server
	ln  net.Listener
}

// Listen opens the receiver on addr; domain is the name it greets with.
func Listen(addr, domain string, rc *Receiver) (*Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := smtp.NewServer(backend{rc})
	srv.Domain = domain
	srv.MaxMessageBytes = MaxSize
	srv.MaxRecipients = 10
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	return &Listener{srv: srv, ln: ln}, nil
}

// Addr is where the receiver listens.
func (l *Listener) Addr() string { return l.ln.Addr().String() }

// Serve answers connections until Close.
func (l *Listener) Serve() error {
	err := l.srv.Serve(l.ln)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops the receiver.
func (l *Listener) Close() error { return l.srv.Close() }

type backend struct{ rc *Receiver }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{rc: b.rc}, nil }

type session struct {
	rc    *Receiver
	rcpts []string
}

func (s *session) Mail(string, *smtp.MailOptions) error { return nil }

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if TokenOf(to) == "" {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such reply address"}
	}
	s.rcpts = append(s.rcpts, to)
	return nil
}

func (s *session) Data(r io.Reader) (err error) {
	defer func() {
		// A message the reader cannot take must not take the node down;
		// it is refused for good (a retry would meet the same fault).
		if p := recover(); p != nil {
			if s.rc.Logger != nil {
				s.rc.Logger.Error("mail: reading a message panicked", "panic", p)
			}
			err = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Reply not posted: the message could not be read"}
		}
	}()
	raw, err := ReadLimited(r)
	if err != nil {
		var ref *Refusal
		if errors.As(err, &ref) || errors.Is(err, smtp.ErrDataTooLarge) {
			return smtp.ErrDataTooLarge
		}
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = s.rc.Receive(ctx, s.rcpts, raw)
	var ref *Refusal
	switch {
	case errors.As(err, &ref):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Reply not posted: " + ref.Reason}
	case err != nil:
		if s.rc.Logger != nil {
			s.rc.Logger.Error("mail: receive reply", "err", err)
		}
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	}
	return nil
}

func (s *session) Reset()        { s.rcpts = nil }
func (s *session) Logout() error { return nil }
