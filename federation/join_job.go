package federation

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
)

// Joining a forum of another node takes WebFinger, the forum actor's
// fetch, the Follow and a backfill of its recent threads: seconds to
// minutes against a slow host. So the admin's request (or the command
// line) only queues a join job, and returns at once; a worker of the
// running node carries it out and records its progress on the job, which
// the admin page and `agora admin joins` show. A worker leases the job
// while it works and renews the lease: a node that stops gives the job up
// at once (a restarted one, or another process, takes it over where it
// stands: every step is idempotent), one that dies loses it when the
// lease runs out.

// JoinState and JoinJob are stored records (package stored).
type (
	JoinState = stored.JoinState
	JoinJob   = stored.JoinJob
)

// Join states.
const (
	JoinQueued      = stored.JoinQueued
	JoinResolving   = stored.JoinResolving
	JoinFollowing   = stored.JoinFollowing
	JoinBackfilling = stored.JoinBackfilling
	JoinWaiting     = stored.JoinWaiting
	JoinDone        = stored.JoinDone
	JoinFailed      = stored.JoinFailed
)

const (
	// joinLease is how long a worker holds a job without renewing it.
	joinLease = time.Minute
	// joinAttempts bounds the attempts at a job failing for a reason that
	// may pass (the host down, a timeout).
	joinAttempts = 5
)

var (
	// errJoinRefused: the target is not a forum this node can join.
	errJoinRefused = errors.New("cannot join")
	// errJoinLeaseLost: another worker took the job over.
	errJoinLeaseLost = errors.New("join job taken over")
)

// ErrJoinTarget: the target is neither a forum URL nor a handle.
var ErrJoinTarget = errors.New("want a forum URL (https://host/f/name) or a handle (@name@host)")

// handlePattern is a forum handle: @name@host, name@host or acct:name@host.
var handlePattern = regexp.MustCompile(`^(?:acct:)?@?[A-Za-z0-9_.-]+@[A-Za-z0-9.-]+(?::[0-9]{1,5})?$`)

// CheckJoinTarget accepts an http(s) URL with a host, or a handle.
func CheckJoinTarget(target string) error {
	target = strings.TrimSpace(target)
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		if u, err := url.Parse(target); err == nil && u.Host != "" {
			return nil
		}
	} else if handlePattern.MatchString(target) {
		return nil
	}
	return fmt.Errorf("%q: %w", target, ErrJoinTarget)
}

// QueueJoin queues a join of target by an admin and returns at once,
// without touching the network.
func (f *Federation) QueueJoin(ctx context.Context, actor *forum.Member, target string) (*JoinJob, error) {
	if err := forum.CanAdminister(actor); err != nil {
		return nil, err
	}
	target = strings.TrimSpace(target)
	if err := CheckJoinTarget(target); err != nil {
		return nil, err
	}
	now := f.cfg.Clock.Now()
	j := &JoinJob{ID: f.cfg.IDs.New(), Target: target, State: JoinQueued, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
	if actor.ID != forum.SystemActor().ID {
		j.RequestedBy = actor.ID
	}
	if err := f.store.AddJoinJob(ctx, j); err != nil {
		return nil, fmt.Errorf("queue join of %s: %w", target, err)
	}
	wake(f.joinWake)
	return j, nil
}

// JoinJobs lists the latest join jobs, newest first.
func (f *Federation) JoinJobs(ctx context.Context, limit int) ([]*JoinJob, error) {
	return f.store.ListJoinJobs(ctx, limit)
}

// JoinJob returns one join job.
func (f *Federation) JoinJob(ctx context.Context, id forum.ID) (*JoinJob, error) {
	return f.store.JoinJob(ctx, id)
}

// runJoins is the join worker.
func (f *Federation) runJoins(ctx context.Context) {
	loop(ctx, f.joinWake, f.cfg.Delivery.Poll, func(ctx context.Context) bool {
		return f.joinStep(ctx, "")
	})
}

// RunJoin carries out job id in this process (the command line's
// --wait), unless another process holds it; it reports whether it did.
func (f *Federation) RunJoin(ctx context.Context, id forum.ID) bool {
	return f.joinStep(ctx, id)
}

// joinStep settles the jobs waiting for an answer, then claims a due job
// (id, or any) and carries it out; it reports whether it did one.
func (f *Federation) joinStep(ctx context.Context, id forum.ID) bool {
	now := f.cfg.Clock.Now()
	if err := f.store.SettleJoinJobs(ctx, now); err != nil {
		f.log.Error("settle join jobs", "err", err)
		return false
	}
	j, err := f.store.ClaimJoinJob(ctx, id, f.holder, time.Now(), joinLease)
	if errors.Is(err, forum.ErrNotFound) {
		return false
	} else if err != nil {
		f.log.Error("claim join job", "err", err)
		return false
	}
	f.runJoinJob(ctx, j)
	return true
}

// joinRun is one worker's hold on a job: it saves progress and renews the
// lease as it goes.
type joinRun struct {
	f *Federation
	j *JoinJob
}

func (r *joinRun) save(ctx context.Context) error {
	until := time.Now().Add(joinLease)
	r.j.LeaseUntil, r.j.UpdatedAt = &until, r.f.cfg.Clock.Now()
	err := r.f.store.SaveJoinJob(ctx, r.j, r.f.holder)
	if errors.Is(err, forum.ErrConflict) {
		return fmt.Errorf("%w: %w", errJoinLeaseLost, err)
	}
	return err
}

func (r *joinRun) set(ctx context.Context, state JoinState) error {
	r.j.State = state
	return r.save(ctx)
}

// runJoinJob carries a claimed job as far as it goes: to waiting (or
// done), to failed, or back to queued for a later attempt.
func (f *Federation) runJoinJob(ctx context.Context, j *JoinJob) {
	r := &joinRun{f: f, j: j}
	// Renew the lease while a long step (a slow fetch) runs.
	stop := make(chan struct{})
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		t := time.NewTicker(joinLease / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if err := f.store.RenewJoinJob(ctx, j.ID, f.holder, time.Now().Add(joinLease)); err != nil {
					f.log.Warn("renew join job lease", "job", j.ID, "err", err)
				}
			}
		}
	}()
	err := f.carryOut(ctx, r)
	close(stop)
	<-renewed
	// Whatever happened, the job is given up by this worker: with a fresh
	// context, so a node that stops still leaves it to the next one.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	switch {
	case err == nil:
	case errors.Is(err, errJoinLeaseLost):
		f.log.Warn("join job taken over by another worker", "job", j.ID)
		return
	case ctx.Err() != nil:
		f.log.Info("join interrupted; the job waits for the next worker", "job", j.ID, "state", j.State)
	case !joinRetryable(err) || j.Attempts+1 >= joinAttempts:
		j.Attempts++
		j.State, j.Error = JoinFailed, err.Error()
		f.log.Info("join failed", "job", j.ID, "target", j.Target, "attempts", j.Attempts, "err", err)
	default:
		j.Attempts++
		j.State, j.Error = JoinQueued, err.Error()
		j.NextAttemptAt = f.cfg.Clock.Now().Add(f.backoff(j.Attempts))
		f.log.Info("join attempt failed; retried later", "job", j.ID, "target", j.Target, "attempts", j.Attempts, "err", err)
	}
	j.LeaseHolder, j.LeaseUntil, j.UpdatedAt = "", nil, f.cfg.Clock.Now()
	if err := f.store.SaveJoinJob(sctx, j, f.holder); err != nil {
		f.log.Error("save join job", "job", j.ID, "err", err)
	}
}

// carryOut runs the steps of a join from where the job stands. Each step
// is idempotent, so a job taken over after a restart does them again
// where needed: the mirror is saved again, the Follow is not sent twice,
// posts already here are not fetched again.
func (f *Federation) carryOut(ctx context.Context, r *joinRun) error {
	j := r.j
	j.Error = ""
	if err := r.set(ctx, JoinResolving); err != nil {
		return err
	}
	fo, ra, err := f.resolveForum(ctx, j.Target)
	if err != nil {
		return err
	}
	j.ForumURI, j.ForumID = fo.URI, fo.ID
	if err := r.set(ctx, JoinFollowing); err != nil {
		return err
	}
	if err := f.follow(ctx, fo, ra); err != nil {
		return err
	}
	if err := r.set(ctx, JoinBackfilling); err != nil {
		return err
	}
	bctx, cancel := context.WithTimeout(fetch.WithBudget(ctx, backfillFetches), 5*time.Minute)
	defer cancel()
	err = f.backfill(bctx, fo, ra, func(done, total int) error {
		j.Done, j.Total = done, total
		return r.save(ctx)
	})
	if ctx.Err() != nil {
		return ctx.Err()
	} else if errors.Is(err, errJoinLeaseLost) {
		return err
	} else if err != nil {
		// What is missed here arrives when someone answers in a thread.
		f.log.Warn("backfill incomplete", "forum", fo.URI, "err", err)
	}
	fg, err := f.store.Following(ctx, fo.URI)
	if err != nil {
		return fmt.Errorf("follow of %s: %w", fo.URI, err)
	}
	if fg.State == FollowAccepted {
		j.State = JoinDone
	} else {
		j.State = JoinWaiting
	}
	return nil
}

// joinRetryable reports whether a failed attempt may succeed later: the
// host down or slow, a server error, a database error. A refusal (not a
// forum, not allowed, not found, a malformed answer) is final.
func joinRetryable(err error) bool {
	var se *fetch.StatusError
	switch {
	case errors.As(err, &se):
		return se.Code >= 500 || se.Code == 429 || se.Code == 408
	case errors.Is(err, errJoinRefused), errors.Is(err, forum.ErrForbidden), errors.Is(err, forum.ErrConflict),
		errors.Is(err, fetch.ErrForbiddenURL), errors.Is(err, fetch.ErrForbiddenAddress), errors.Is(err, fetch.ErrTooManyRedirects),
		errors.Is(err, fetch.ErrContentType), errors.Is(err, fetch.ErrTooLarge), errors.Is(err, fetch.ErrTooDeep),
		errors.Is(err, fetch.ErrMalformedJSON), errors.Is(err, fetch.ErrIDMismatch):
		return false
	}
	var ve *forum.ValidationError
	return !errors.As(err, &ve)
}
