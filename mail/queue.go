// Package mail sends the node's email from a durable queue in the
// database: a mail is stored first (in the transaction of what causes it,
// when there is one), then a worker in some process claims it with a
// lease, sends it through SMTP and marks it sent. A process that dies
// leaves its claims to the others when the lease ends; a failed send is
// retried with backoff, and given up after MaxAttempts. Two processes
// never hold one mail at once, so none is sent twice by them.
package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"time"
)

// Message is one mail in the queue.
type Message struct {
	ID      string
	To      string
	Subject string
	Text    string // the text/plain part
	HTML    string // the text/html part; empty for text only
	// Headers are extra headers (List-Unsubscribe, List-Unsubscribe-Post,
	// Reply-To …).
	Headers       map[string]string
	State         State
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        *time.Time
}

// State is where a mail stands.
type State string

// States.
const (
	StatePending State = "pending"
	StateSent    State = "sent"
	StateFailed  State = "failed" // given up
)

// Queue is the storage of the mail queue.
type Queue interface {
	EnqueueMail(ctx context.Context, m *Message) error
	// ClaimMail leases up to limit pending mails due at now to holder
	// until now+lease, and returns them.
	ClaimMail(ctx context.Context, holder string, now time.Time, lease time.Duration, limit int) ([]*Message, error)
	// MailSent marks a mail sent, if holder still holds it.
	MailSent(ctx context.Context, id, holder string, at time.Time) error
	// MailRetry records a failed attempt: the mail is due again at next,
	// or given up (failed) when next is zero.
	MailRetry(ctx context.Context, id, holder string, attempts int, next time.Time, reason string) error
	// ReleaseMail ends holder's lease on the given pending mails, so that
	// the next process claims them at once instead of after the lease.
	ReleaseMail(ctx context.Context, holder string, ids []string) error
}

// Sender sends one message.
type Sender interface {
	Send(ctx context.Context, m *Message) error
}

// Permanent marks a send error that retrying cannot mend (a refused
// recipient): the mail is given up at once.
type Permanent struct{ Err error }

func (p *Permanent) Error() string { return p.Err.Error() }
func (p *Permanent) Unwrap() error { return p.Err }

// Worker sends what the queue holds.
type Worker struct {
	Queue  Queue
	Sender Sender
	Logger *slog.Logger
	// Now tells the time (default time.Now); Poll is how often the queue
	// is read (default 2 s); Lease how long a claim lasts (default 2 min);
	// Batch how many mails one claim takes (default 20).
	Now   func() time.Time
	Poll  time.Duration
	Lease time.Duration
	Batch int
	// MaxAttempts before a mail is given up (default 8: about a day).
	MaxAttempts int
	// Backoff is the wait after the n-th failed attempt (default
	// 1 min × 2^(n-1), at most 6 h, with up to 25% jitter).
	Backoff func(n int) time.Duration

	holder string
}

func (w *Worker) defaults() {
	if w.Now == nil {
		w.Now = time.Now
	}
	if w.Poll == 0 {
		w.Poll = 2 * time.Second
	}
	if w.Lease == 0 {
		w.Lease = 2 * time.Minute
	}
	if w.Batch == 0 {
		w.Batch = 20
	}
	if w.MaxAttempts == 0 {
		w.MaxAttempts = 8
	}
	if w.Backoff == nil {
		w.Backoff = backoff
	}
	if w.holder == "" {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		w.holder = hex.EncodeToString(b)
	}
}

func backoff(n int) time.Duration {
	d := time.Minute << min(n-1, 9)
	if d > 6*time.Hour {
		d = 6 * time.Hour
	}
	return d + time.Duration(mrand.Int64N(int64(d/4)+1))
}

// Run sends until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	w.defaults()
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for {
		for {
			n, err := w.Once(ctx)
			if err != nil && ctx.Err() == nil {
				w.Logger.Error("mail: send queue", "err", err)
			}
			if err != nil || n < w.Batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Once claims one batch and sends it; it returns how many it claimed.
func (w *Worker) Once(ctx context.Context) (int, error) {
	w.defaults()
	ms, err := w.Queue.ClaimMail(ctx, w.holder, w.Now(), w.Lease, w.Batch)
	if err != nil {
		return 0, err
	}
	for i, m := range ms {
		if err := w.send(ctx, m); err != nil {
			// The mails not yet tried would otherwise wait out the lease:
			// a restarted node would send them only minutes later. The
			// one in hand goes back too when stopping cut its sending
			// short; after a failed bookkeeping write it keeps its lease,
			// as it may have been sent.
			rest := ms[i+1:]
			if errors.Is(err, errStopped) {
				rest = ms[i:]
			}
			w.release(ctx, rest)
			return len(ms), err
		}
	}
	return len(ms), nil
}

// release gives back the leases of unsent mails. It runs while stopping,
// so it does not inherit ctx's cancellation, only a short bound.
func (w *Worker) release(ctx context.Context, ms []*Message) {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := w.Queue.ReleaseMail(rctx, w.holder, ids); err != nil {
		w.Logger.Warn("mail: release leases", "mails", len(ids), "err", err)
	}
}

// errStopped: the worker stopped while a mail was being sent, so the mail
// did not go and is claimed again.
var errStopped = errors.New("mail: stopped while sending")

func (w *Worker) send(ctx context.Context, m *Message) error {
	err := w.Sender.Send(ctx, m)
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("%w: %w", errStopped, ctx.Err())
	}
	// What happened is recorded even if the worker is being stopped now:
	// a mail that went out and is not marked sent would go out twice.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err == nil {
		return w.Queue.MailSent(wctx, m.ID, w.holder, w.Now())
	}
	attempts := m.Attempts + 1
	var next time.Time
	var perm *Permanent
	if !errors.As(err, &perm) && attempts < w.MaxAttempts {
		next = w.Now().Add(w.Backoff(attempts))
	}
	w.Logger.Warn("mail: send failed", "mail", m.ID, "attempts", attempts, "given_up", next.IsZero(), "err", err)
	return w.Queue.MailRetry(wctx, m.ID, w.holder, attempts, next, err.Error())
}
