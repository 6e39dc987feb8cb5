package join

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/poll"
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

const (
	// joinLease is how long a worker holds a job without renewing it.
	joinLease = time.Minute
	// joinAttempts bounds the attempts at a job failing for a reason that
	// may pass (the host down, a timeout).
	joinAttempts = 5
)

// errLeaseLost: another worker took the job over.
var errLeaseLost = errors.New("join job taken over")

// ErrTarget: the target is neither a forum URL nor a handle.
var ErrTarget = errors.New("want a forum URL (https://host/f/name) or a handle (@name@host)")

// handlePattern is a forum handle: @name@host, name@host or acct:name@host.
var handlePattern = regexp.MustCompile(`^(?:acct:)?@?[A-Za-z0-9_.-]+@[A-Za-z0-9.-]+(?::[0-9]{1,5})?$`)

// CheckTarget accepts an http(s) URL with a host, or a handle.
func CheckTarget(target string) error {
	target = strings.TrimSpace(target)
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		if u, err := url.Parse(target); err == nil && u.Host != "" {
			return nil
		}
	} else if handlePattern.MatchString(target) {
		return nil
	}
	return fmt.Errorf("%q: %w", target, ErrTarget)
}

// Queue queues a join of target by an admin and returns at once,
// without touching the network.
func (j *Joiner) Queue(ctx context.Context, actor *forum.Member, target string) (*stored.JoinJob, error) {
	if err := forum.CanAdminister(actor); err != nil {
		return nil, err
	}
	target = strings.TrimSpace(target)
	if err := CheckTarget(target); err != nil {
		return nil, err
	}
	now := j.cfg.Clock.Now()
	job := &stored.JoinJob{ID: j.cfg.IDs.New(), Target: target, State: stored.JoinQueued, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
	if actor.ID != forum.SystemActor().ID {
		job.RequestedBy = actor.ID
	}
	if err := j.cfg.Store.AddJoinJob(ctx, job); err != nil {
		return nil, fmt.Errorf("queue join of %s: %w", target, err)
	}
	j.wake.Wake()
	return job, nil
}

// Jobs lists the latest join jobs, newest first.
func (j *Joiner) Jobs(ctx context.Context, limit int) ([]*stored.JoinJob, error) {
	return j.cfg.Store.ListJoinJobs(ctx, limit)
}

// Job returns one join job.
func (j *Joiner) Job(ctx context.Context, id forum.ID) (*stored.JoinJob, error) {
	return j.cfg.Store.JoinJob(ctx, id)
}

// Run is the join worker: it carries out queued jobs until ctx ends.
func (j *Joiner) Run(ctx context.Context) {
	poll.Loop(ctx, j.wake, j.cfg.Poll, func(ctx context.Context) bool {
		return j.step(ctx, "")
	})
}

// RunJob carries out job id in this process (the command line's
// --wait), unless another process holds it; it reports whether it did.
func (j *Joiner) RunJob(ctx context.Context, id forum.ID) bool {
	return j.step(ctx, id)
}

// step settles the jobs waiting for an answer, then claims a due job
// (id, or any) and carries it out; it reports whether it did one.
func (j *Joiner) step(ctx context.Context, id forum.ID) bool {
	now := j.cfg.Clock.Now()
	if err := j.cfg.Store.SettleJoinJobs(ctx, now); err != nil {
		j.cfg.Log.Error("settle join jobs", "err", err)
		return false
	}
	job, err := j.cfg.Store.ClaimJoinJob(ctx, id, j.cfg.Holder, time.Now(), joinLease)
	if errors.Is(err, forum.ErrNotFound) {
		return false
	} else if err != nil {
		j.cfg.Log.Error("claim join job", "err", err)
		return false
	}
	j.runJob(ctx, job)
	return true
}

// joinRun is one worker's hold on a job: it saves progress and renews the
// lease as it goes.
type joinRun struct {
	jr *Joiner
	j  *stored.JoinJob
}

func (r *joinRun) save(ctx context.Context) error {
	until := time.Now().Add(joinLease)
	r.j.LeaseUntil, r.j.UpdatedAt = &until, r.jr.cfg.Clock.Now()
	err := r.jr.cfg.Store.SaveJoinJob(ctx, r.j, r.jr.cfg.Holder)
	if errors.Is(err, forum.ErrConflict) {
		return fmt.Errorf("%w: %w", errLeaseLost, err)
	}
	return err
}

func (r *joinRun) set(ctx context.Context, state stored.JoinState) error {
	r.j.State = state
	return r.save(ctx)
}

// runJob carries a claimed job as far as it goes: to waiting (or
// done), to failed, or back to queued for a later attempt.
func (jr *Joiner) runJob(ctx context.Context, j *stored.JoinJob) {
	r := &joinRun{jr: jr, j: j}
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
				if err := jr.cfg.Store.RenewJoinJob(ctx, j.ID, jr.cfg.Holder, time.Now().Add(joinLease)); err != nil {
					jr.cfg.Log.Warn("renew join job lease", "job", j.ID, "err", err)
				}
			}
		}
	}()
	err := jr.carryOut(ctx, r)
	close(stop)
	<-renewed
	// Whatever happened, the job is given up by this worker: with a fresh
	// context, so a node that stops still leaves it to the next one.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	switch {
	case err == nil:
	case errors.Is(err, errLeaseLost):
		jr.cfg.Log.Warn("join job taken over by another worker", "job", j.ID)
		return
	case ctx.Err() != nil:
		jr.cfg.Log.Info("join interrupted; the job waits for the next worker", "job", j.ID, "state", j.State)
	case !retryable(err) || j.Attempts+1 >= joinAttempts:
		j.Attempts++
		j.State, j.Error, j.Reason = stored.JoinFailed, err.Error(), Reason(err)
		jr.cfg.Log.Info("join failed", "job", j.ID, "target", j.Target, "attempts", j.Attempts, "err", err)
	default:
		j.Attempts++
		j.State, j.Error, j.Reason = stored.JoinQueued, err.Error(), Reason(err)
		j.NextAttemptAt = jr.cfg.Clock.Now().Add(jr.cfg.Backoff(j.Attempts))
		jr.cfg.Log.Info("join attempt failed; retried later", "job", j.ID, "target", j.Target, "attempts", j.Attempts, "err", err)
	}
	j.LeaseHolder, j.LeaseUntil, j.UpdatedAt = "", nil, jr.cfg.Clock.Now()
	if err := jr.cfg.Store.SaveJoinJob(sctx, j, jr.cfg.Holder); err != nil {
		jr.cfg.Log.Error("save join job", "job", j.ID, "err", err)
	}
}

// carryOut runs the steps of a join from where the job stands. Each step
// is idempotent, so a job taken over after a restart does them again
// where needed: the mirror is saved again, the Follow is not sent twice,
// posts already here are not fetched again.
func (jr *Joiner) carryOut(ctx context.Context, r *joinRun) error {
	j := r.j
	j.Error, j.Reason = "", ""
	if err := r.set(ctx, stored.JoinResolving); err != nil {
		return err
	}
	fo, ra, err := jr.resolveForum(ctx, j.Target)
	if err != nil {
		return err
	}
	j.ForumURI, j.ForumID = fo.URI, fo.ID
	if err := r.set(ctx, stored.JoinFollowing); err != nil {
		return err
	}
	if err := jr.follow(ctx, fo, ra); err != nil {
		return err
	}
	if err := r.set(ctx, stored.JoinBackfilling); err != nil {
		return err
	}
	bctx, cancel := context.WithTimeout(fetch.WithBudget(ctx, backfillFetches), 5*time.Minute)
	defer cancel()
	err = jr.backfill(bctx, fo, ra, func(done, total int) error {
		j.Done, j.Total = done, total
		return r.save(ctx)
	})
	if ctx.Err() != nil {
		return ctx.Err()
	} else if errors.Is(err, errLeaseLost) {
		return err
	} else if err != nil {
		// What is missed here arrives when someone answers in a thread.
		jr.cfg.Log.Warn("backfill incomplete", "forum", fo.URI, "err", err)
	}
	fg, err := jr.cfg.Store.Following(ctx, fo.URI)
	if err != nil {
		return fmt.Errorf("follow of %s: %w", fo.URI, err)
	}
	if fg.State == stored.FollowAccepted {
		j.State = stored.JoinDone
	} else {
		j.State = stored.JoinWaiting
	}
	return nil
}

// retryable reports whether a failed attempt may succeed later: the
// host down or slow, a server error, a database error. A refusal (not a
// forum, not allowed, not found, a malformed answer) is final.
func retryable(err error) bool {
	var se *fetch.StatusError
	switch {
	case errors.As(err, &se):
		return se.Code >= 500 || se.Code == 429 || se.Code == 408
	case errors.Is(err, errRefused), errors.Is(err, forum.ErrForbidden), errors.Is(err, forum.ErrConflict),
		errors.Is(err, fetch.ErrForbiddenURL), errors.Is(err, fetch.ErrForbiddenAddress), errors.Is(err, fetch.ErrTooManyRedirects),
		errors.Is(err, fetch.ErrContentType), errors.Is(err, fetch.ErrTooLarge), errors.Is(err, fetch.ErrTooDeep),
		errors.Is(err, fetch.ErrMalformedJSON), errors.Is(err, fetch.ErrIDMismatch):
		return false
	}
	var ve *forum.ValidationError
	return !errors.As(err, &ve)
}
