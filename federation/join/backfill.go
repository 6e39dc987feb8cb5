package join

import (
	"context"
	"fmt"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
)

// Bounds on backfilling a joined forum: its latest threads, and the first
// posts of each.
const (
	backfillThreads      = 40
	backfillPostsPerPage = 200
	backfillFetches      = 400 // requests one backfill may make
)

// BackfillJoined is called when a joined forum accepts our follow: its
// backfill is fetched again (what it shows its followers only), by the
// join worker rather than in the inbox worker's time. The forum's join job
// is queued again, unless one is under way; a forum joined without a job
// gets one. A failure to queue is logged: what is missed arrives when
// someone answers in a thread.
func (j *Joiner) BackfillJoined(forumURI string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := j.queueBackfill(ctx, forumURI); err != nil {
		j.cfg.Log.Error("queue the backfill of a joined forum", "forum", forumURI, "err", err)
	}
}

func (j *Joiner) queueBackfill(ctx context.Context, forumURI string) error {
	now := j.cfg.Clock.Now()
	found, err := j.cfg.Store.RequeueJoinJob(ctx, forumURI, now)
	if err != nil {
		return err
	}
	if !found {
		job := &stored.JoinJob{ID: j.cfg.IDs.New(), Target: forumURI, State: stored.JoinQueued, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
		if err := j.cfg.Store.AddJoinJob(ctx, job); err != nil {
			return fmt.Errorf("queue join of %s: %w", forumURI, err)
		}
	}
	j.wake.Wake()
	return nil
}

// backfill fetches a joined forum's recent threads (from its outbox's
// announces) and their posts (from each thread's context collection).
// progress, when set, hears how many of the creates found in the outbox
// are done (up to backfillThreads threads are fetched); an error it
// returns stops the backfill.
func (j *Joiner) backfill(ctx context.Context, fo *forum.Forum, ra *stored.RemoteActor, progress func(done, total int) error) error {
	if ra.Outbox == "" || !sameHost(ra.Outbox, fo.URI) {
		return nil
	}
	items, err := j.collectionItems(ctx, ra.Outbox, backfillPages)
	if err != nil {
		return err
	}
	var creates []*ap.Activity
	for _, item := range items {
		inner := item.Activity
		if inner != nil && inner.Type == ap.TypeAnnounce {
			inner = inner.Object.Activity
		}
		if inner != nil && inner.Type == ap.TypeCreate {
			creates = append(creates, inner)
		}
	}
	report := func(done int) error {
		if progress == nil {
			return nil
		}
		return progress(done, len(creates))
	}
	if err := report(0); err != nil {
		return err
	}
	threads := 0
	for i, inner := range creates {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if threads >= backfillThreads {
			break
		}
		// A forum's questions are Pages, and its events' discussion
		// threads start with the Event itself.
		o, err := j.cfg.Posts.TrustedObject(ctx, inner)
		if err == nil && (o.Type == ap.TypePage || o.Type == ap.TypeEvent) && o.InReplyTo == "" {
			threads++
			if err := j.backfillThread(ctx, fo, o); err != nil {
				j.cfg.Log.Warn("backfill thread", "thread", o.ID, "err", err)
			}
		}
		if err := report(i + 1); err != nil {
			return err
		}
	}
	if err := j.cfg.Posts.BackfillGoodPractices(ctx, fo); err != nil {
		j.cfg.Log.Warn("backfill good practices", "forum", fo.URI, "err", err)
	}
	return report(len(creates))
}

// backfillThread stores a question and the first page of its context.
func (j *Joiner) backfillThread(ctx context.Context, fo *forum.Forum, q *ap.Object) error {
	if err := j.cfg.Posts.StoreFetched(ctx, q, fo); err != nil {
		return err
	}
	if q.Context == "" || !sameHost(q.Context, q.ID) {
		return nil
	}
	page, err := j.firstPage(ctx, q.Context)
	if err != nil {
		return err
	}
	for i, item := range page.Items {
		if i >= backfillPostsPerPage {
			break
		}
		o := item.Object
		if o == nil || !sameHost(o.ID, q.Context) {
			// Posts from other nodes are fetched from their origin.
			doc, err := j.cfg.Client.GetObject(ctx, item.ID())
			if err != nil {
				j.cfg.Log.Warn("backfill post", "post", item.ID(), "err", err)
				continue
			}
			if o, err = ap.ParseObject(ctx, doc.Body); err != nil {
				continue
			}
		}
		if o.ID == q.ID || o.Type == ap.TypeTombstone {
			continue
		}
		if err := j.cfg.Posts.StoreFetched(ctx, o, fo); err != nil {
			j.cfg.Log.Warn("backfill post", "post", o.ID, "err", err)
		}
	}
	return nil
}

// backfillPages bounds the outbox pages read when joining.
const backfillPages = 3

// collectionItems reads a collection's items from up to maxPages pages.
func (j *Joiner) collectionItems(ctx context.Context, uri string, maxPages int) ([]ap.Ref, error) {
	page, err := j.firstPage(ctx, uri)
	if err != nil {
		return nil, err
	}
	items := page.Items
	for i := 1; i < maxPages && page.Next != "" && sameHost(page.Next, uri); i++ {
		doc, err := j.cfg.Client.GetObject(ctx, page.Next)
		if err != nil {
			return items, err
		}
		if page, err = ap.ParseCollection(ctx, doc.Body); err != nil {
			return items, err
		}
		items = append(items, page.Items...)
	}
	return items, nil
}

// firstPage fetches a collection and its first page (or its inline items).
func (j *Joiner) firstPage(ctx context.Context, uri string) (*ap.Collection, error) {
	doc, err := j.cfg.Client.GetObject(ctx, uri)
	if err != nil {
		return nil, err
	}
	c, err := ap.ParseCollection(ctx, doc.Body)
	if err != nil {
		return nil, err
	}
	if len(c.Items) > 0 || c.First == "" || !sameHost(c.First, uri) {
		return c, nil
	}
	doc, err = j.cfg.Client.GetObject(ctx, c.First)
	if err != nil {
		return nil, err
	}
	return ap.ParseCollection(ctx, doc.Body)
}
