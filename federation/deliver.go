package federation

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// runDeliveries sends queued activities with a pool of workers, at most
// PerHost at once to one host, and waits for the sends in flight when ctx
// ends (graceful shutdown).
func (f *Federation) runDeliveries(ctx context.Context) {
	cfg := f.cfg.Delivery
	slots := make(chan struct{}, cfg.Workers)
	var wg sync.WaitGroup
	loop(ctx, f.deliverWake, cfg.Poll, func(ctx context.Context) bool {
		free := cfg.Workers - len(slots)
		if free == 0 {
			return false // a finishing send wakes us
		}
		ds, err := f.store.ClaimDeliveries(ctx, f.cfg.Clock.Now(), cfg.Lease, free, cfg.PerHost)
		if err != nil {
			f.log.Error("claim deliveries", "err", err)
			return false
		}
		for _, d := range ds {
			slots <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-slots; wg.Done(); f.wakeDeliveries() }()
				// A send already started finishes even if we are shutting down.
				sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 45*time.Second)
				defer cancel()
				f.deliver(sendCtx, d)
			}()
		}
		return len(ds) == free
	})
	wg.Wait()
}

// deliver makes one attempt and records its outcome.
func (f *Federation) deliver(ctx context.Context, d *Delivery) {
	now := f.cfg.Clock.Now()
	if blocked, err := f.hostBlocked(ctx, d.Host); err == nil && blocked {
		f.finish(ctx, d, DeliveryDropped, 0, "instance blocked")
		return
	}
	h, err := f.hostHealth(ctx, d.Host)
	if err != nil {
		f.log.Error("host health", "host", d.Host, "err", err)
		return // the lease expires and the delivery is claimed again
	}
	if h.OpenUntil != nil && now.Before(*h.OpenUntil) {
		// The host's circuit is open: wait without spending an attempt.
		d.NextAttemptAt = *h.OpenUntil
		if err := f.store.RetryDelivery(ctx, d); err != nil {
			f.log.Error("postpone delivery", "err", err)
		}
		return
	}
	status, retryAfter, sendErr := f.send(ctx, d)
	d.Attempts++
	d.LastStatus = status
	ok := sendErr == nil && status >= 200 && status < 300
	var local *localError
	refused := errors.Is(sendErr, fetch.ErrForbiddenAddress) || errors.Is(sendErr, fetch.ErrForbiddenURL)
	if !errors.As(sendErr, &local) && !refused {
		// Only what the remote host did counts in its record: our own
		// failures (a signer gone, an address we refuse) say nothing of it.
		f.recordHost(ctx, d.Host, ok)
	}
	switch {
	case refused:
		f.finish(ctx, d, DeliveryFailed, 0, "address refused: "+sendErr.Error())
	case ok:
		f.finish(ctx, d, DeliveryDone, status, "")
	case sendErr == nil && !retryable(status):
		f.finish(ctx, d, DeliveryFailed, status, http.StatusText(status))
	case now.Sub(d.CreatedAt) > f.cfg.Delivery.MaxAge:
		f.finish(ctx, d, DeliveryFailed, status, "gave up: "+describe(status, sendErr))
	default:
		d.LastError = describe(status, sendErr)
		d.NextAttemptAt = now.Add(max(f.backoff(d.Attempts), retryAfter))
		if err := f.store.RetryDelivery(ctx, d); err != nil {
			f.log.Error("reschedule delivery", "err", err)
		}
	}
}

// retryable: server errors, and the 4xx that may pass later (401: our key
// not yet fetchable; 408 timeout; 429 rate limited). Other 4xx are final.
func retryable(status int) bool {
	return status >= 500 || status == 401 || status == 408 || status == 429
}

func describe(status int, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("HTTP %d", status)
}

// backoff grows exponentially from BaseBackoff, capped at 12 hours, with
// jitter so that hosts coming back are not hit by every node at once.
func (f *Federation) backoff(attempts int) time.Duration {
	d := f.cfg.Delivery.BaseBackoff << min(attempts-1, 20)
	if d > 12*time.Hour || d <= 0 {
		d = 12 * time.Hour
	}
	return d/2 + rand.N(d/2+1)
}

func (f *Federation) finish(ctx context.Context, d *Delivery, state DeliveryState, status int, msg string) {
	at := f.cfg.Clock.Now()
	d.State, d.LastStatus, d.LastError, d.FinishedAt = state, status, msg, &at
	if err := f.store.FinishDelivery(ctx, d); err != nil {
		f.log.Error("finish delivery", "err", err)
	}
	if state != DeliveryDone {
		f.log.Info("delivery given up", "inbox", d.Inbox, "state", state, "status", status, "reason", msg)
	}
}

// localError is a failure on our side before anything was sent.
type localError struct{ err error }

func (e *localError) Error() string { return e.err.Error() }
func (e *localError) Unwrap() error { return e.err }

// send posts the activity, signed by its actor.
func (f *Federation) send(ctx context.Context, d *Delivery) (int, time.Duration, error) {
	act, err := f.store.OutboxActivity(ctx, d.ActivityID)
	if err != nil {
		return 0, 0, &localError{fmt.Errorf("load activity: %w", err)}
	}
	owner, err := f.keyOwner(ctx, act.ActorURI)
	if err != nil {
		return 0, 0, &localError{err}
	}
	resp, err := f.client.Post(signAs(ctx, owner, f.urls.KeyID(act.ActorURI)), d.Inbox, ContentType, act.Body)
	if err != nil {
		return 0, 0, err
	}
	return resp.Status, resp.RetryAfter, nil
}

// keyOwner names the key of one of our actors.
func (f *Federation) keyOwner(ctx context.Context, actorURI string) (string, error) {
	switch kind, key := f.urls.Parse(actorURI); kind {
	case uris.KindInstance:
		return ownerInstance, nil
	case uris.KindMember:
		m, err := f.svc.MemberByUsername(ctx, key)
		if err != nil {
			return "", fmt.Errorf("signer %s: %w", actorURI, err)
		}
		return memberOwner(m.ID), nil
	case uris.KindForum:
		fo, err := f.localForum(ctx, key)
		if err != nil {
			return "", fmt.Errorf("signer %s: %w", actorURI, err)
		}
		return forumOwner(fo.ID), nil
	case uris.KindThreadActor:
		return threadOwner(key), nil
	}
	return "", fmt.Errorf("signer %s: not one of our actors", actorURI)
}

// hostBlocked reports whether a delivery host (host[:port]) is blocked:
// by a block of host:port itself, or of its domain whatever the port
// (blocking example.org stops deliveries to example.org:8443 too).
func (f *Federation) hostBlocked(ctx context.Context, host string) (bool, error) {
	if name, _, err := net.SplitHostPort(host); err == nil && name != "" {
		return f.domainsBlocked(ctx, host, name)
	}
	return f.domainsBlocked(ctx, host)
}

func (f *Federation) hostHealth(ctx context.Context, host string) (*HostHealth, error) {
	h, err := f.store.Host(ctx, host)
	if errors.Is(err, forum.ErrNotFound) {
		return &HostHealth{Host: host}, nil
	}
	return h, err
}

// recordHost keeps a host's record and opens its circuit after
// BreakerAfter consecutive failures.
//
// Concurrent sends to one host each count: the record is read afresh and
// written under a lock. (Several processes sharing a database still race
// here; a record off by one only shifts when the breaker opens.)
func (f *Federation) recordHost(ctx context.Context, host string, ok bool) {
	f.hostMu.Lock()
	defer f.hostMu.Unlock()
	h, err := f.hostHealth(ctx, host)
	if err != nil {
		f.log.Error("host health", "host", host, "err", err)
		return
	}
	now := f.cfg.Clock.Now()
	if ok {
		if h.ConsecutiveFails == 0 && h.LastSuccess != nil && now.Sub(*h.LastSuccess) < time.Minute {
			return // healthy and recorded recently: spare the database
		}
		h.ConsecutiveFails, h.OpenUntil, h.LastSuccess = 0, nil, &now
		h.Delivered++
	} else {
		h.ConsecutiveFails++
		h.Failed++
		h.LastFailure = &now
		if h.ConsecutiveFails >= f.cfg.Delivery.BreakerAfter {
			until := now.Add(f.cfg.Delivery.BreakerPeriod)
			h.OpenUntil = &until
		}
	}
	if err := f.store.SaveHost(ctx, h); err != nil {
		f.log.Error("save host health", "host", h.Host, "err", err)
	}
}
