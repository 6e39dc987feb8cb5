package main

import (
	"context"
	"fmt"
	"time"

	"github.com/metropolis/agora/bench/internal/measure"
	"github.com/metropolis/agora/bench/internal/serving"
	"github.com/metropolis/agora/federation"
)

// applyBacklog stores c.backlog replies straight into the inbox in one
// transaction (as if accepted while the workers were away: an outage, a
// busy hub) and measures applying them alone: from the first reply visible
// to the last, the rate, the process's CPU per item, and the statements
// and transactions per item while applying (the publisher and deliveries
// run alongside, as they do in production).
func applyBacklog(ctx context.Context, c config, n *serving.Node, obs *observer, sql *serving.SQLCounter, peers []*peer,
	question, forumURI string, metric func(string) string) error {
	before, err := obs.state(ctx)
	if err != nil {
		return err
	}
	items := make([]*federation.InboxItem, c.backlog)
	now := time.Now().UTC()
	for i := range items {
		a := i % c.actors
		p := peers[a%len(peers)]
		body, err := p.create(a, 10_000_000+i, question, forumURI)
		if err != nil {
			return err
		}
		items[i] = &federation.InboxItem{ID: fmt.Sprintf("backlog%08d", i), ActivityID: fmt.Sprintf("%s/activities/%d", p.base, 10_000_000+i),
			ActorURI: p.actor(a), Body: body, ReceivedAt: now, NextAttemptAt: now}
	}
	sql.Start()
	stop := func() {}
	if c.backlogProfile != "" {
		stop = serving.StartProfile(c.backlogProfile)
	}
	cpu0 := measure.CPUTime()
	if err := n.DB.Store().FederationAtomic(serving.Quiet(ctx), func(ctx context.Context, tx federation.Store) error {
		for _, it := range items {
			if err := tx.AddInboxItem(ctx, it); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return fmt.Errorf("store the backlog: %w", err)
	}
	var first, last time.Time
	deadline := time.Now().Add(c.drain)
	st := before
	for time.Now().Before(deadline) {
		if st, err = obs.state(ctx); err != nil {
			return err
		}
		if first.IsZero() && st.visible > before.visible {
			first = time.Now()
		}
		if st.visible-before.visible >= c.backlog || (st.pending == 0 && !first.IsZero()) {
			last = time.Now()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cpu := measure.CPUTime() - cpu0
	stop()
	sql.Stop()
	// Counted again: the last commit may have come between reading the
	// thread's posts and the inbox (a batch's posts and done items commit
	// together).
	if st, err = obs.state(ctx); err != nil {
		return err
	}
	applied := st.visible - before.visible
	if last.IsZero() || first.IsZero() {
		return fmt.Errorf("backlog: %d of %d applied within -drain %v", applied, c.backlog, c.drain)
	}
	rate := float64(applied) / last.Sub(first).Seconds()
	fmt.Printf("backlog: %d of %d replies applied alone in %v from the first visible (%d failed); CPU of the process %v, %.2f ms per reply\n",
		applied, c.backlog, last.Sub(first).Round(time.Millisecond), st.failed-before.failed, cpu.Round(time.Millisecond),
		float64(cpu.Microseconds())/1000/float64(max(1, applied)))
	counts := sql.Counts()
	counts.Print(applied, 15)
	serving.Info("inbox", metric("backlog applied alone/s"), rate, "/s")
	serving.Info("inbox", metric("backlog CPU ms per reply (process)"), float64(cpu.Microseconds())/1000/float64(max(1, applied)), "ms")
	if applied > 0 {
		serving.Info("inbox", metric("backlog SQL statements per reply"), float64(counts.Statements)/float64(applied), "")
		serving.Info("inbox", metric("backlog SQL transactions per reply"), float64(counts.Transactions)/float64(applied), "")
	}
	return nil
}
