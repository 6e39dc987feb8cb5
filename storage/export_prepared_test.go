package storage

import (
	"context"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/uptrace/bun"
)

// The bun statements the prepared writes replaced, kept here so that
// TestPreparedWriteEncoding compares what each stores.

func BunInsertPost(ctx context.Context, s *Store, p *forum.Post) error {
	_, err := s.db.NewInsert().Model(postToRow(p)).Exec(ctx)
	return err
}

func BunAddInboxItem(ctx context.Context, s *Store, it *federation.InboxItem) error {
	row := &inboxRow{ID: it.ID, ActivityID: it.ActivityID, ActorURI: it.ActorURI, Body: nonNil(it.Body),
		ReceivedAt: utc(it.ReceivedAt), Attempts: it.Attempts, NextAttemptAt: utc(it.NextAttemptAt),
		ProcessedAt: utcPtr(it.ProcessedAt), FailedAt: utcPtr(it.FailedAt), LastError: it.LastError}
	_, err := s.db.NewInsert().Model(row).On("CONFLICT (activity_id) DO NOTHING").Returning("NULL").Exec(ctx)
	return err
}

func BunAppendEvent(ctx context.Context, s *Store, e *forum.Event) error {
	row := &eventRow{ID: e.ID, Kind: string(e.Kind), ActorID: e.ActorID, ForumID: e.ForumID,
		ThreadID: e.ThreadID, PostID: e.PostID, MemberID: e.MemberID, ReceivedID: e.ReceivedID, ReportID: e.ReportID, CreatedAt: utc(e.CreatedAt)}
	_, err := s.db.NewInsert().Model(row).Exec(ctx)
	return err
}

func BunFinishInboxItem(ctx context.Context, s *Store, id forum.ID, at time.Time) error {
	_, err := s.db.NewUpdate().Model((*inboxRow)(nil)).
		Set("processed_at = ?", utc(at)).Set("lease_until = NULL").Where("id = ?", id).Exec(ctx)
	return err
}

func BunAddThreadReplies(ctx context.Context, s *Store, threadID forum.ID, n int, lastPostID forum.ID, lastPostAt time.Time) error {
	_, err := s.db.NewUpdate().Model((*threadRow)(nil)).
		Set("reply_count = reply_count + ?", n).
		Set("last_post_at = CASE WHEN last_post_id < ? THEN ? ELSE last_post_at END", lastPostID, utc(lastPostAt)).
		Set("last_post_id = CASE WHEN last_post_id < ? THEN ? ELSE last_post_id END", lastPostID, lastPostID).
		Where("id = ?", threadID).Exec(ctx)
	return err
}

// The bun reads the prepared reads replaced (prepared_read.go), kept here
// so that TestPreparedReadRows compares what each returns.

func BunMemberByURI(ctx context.Context, s *Store, uri string) (*forum.Member, error) {
	var row memberRow
	if err := s.db.NewSelect().Model(&row).Where("uri = ?", uri).Scan(ctx); err != nil {
		return nil, dbErr("member by uri", err)
	}
	var langs []memberLanguageRow
	err := s.db.NewSelect().Model(&langs).Where("member_id IN (?)", bun.List([]string{row.ID})).
		OrderExpr("member_id, position").Scan(ctx)
	if err != nil {
		return nil, dbErr("load member languages", err)
	}
	m := row.toForum()
	for _, l := range langs {
		m.Languages = append(m.Languages, l.Tag)
	}
	return m, nil
}

func BunForumByID(ctx context.Context, s *Store, id forum.ID) (*forum.Forum, error) {
	var r forumRow
	if err := s.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, dbErr("forum by id", err)
	}
	f := &forum.Forum{ID: r.ID, Slug: r.Slug, Position: r.Position, Language: r.Language,
		Texts: map[string]forum.ForumText{}, URI: r.URI, Domain: r.Domain,
		Policy:    forum.ForumPolicy{ApproveFollows: r.ApproveFollows, ListedOnly: r.ListedOnly},
		CreatedAt: r.CreatedAt.UTC()}
	var texts []forumTextRow
	if err := s.db.NewSelect().Model(&texts).Where("forum_id IN (?)", bun.List([]string{r.ID})).Scan(ctx); err != nil {
		return nil, dbErr("load forum texts", err)
	}
	for _, t := range texts {
		f.Texts[t.Lang] = forum.ForumText{Title: t.Title, Description: t.Description}
	}
	var hosts []forumInstanceRow
	err := s.db.NewSelect().Model(&hosts).Where("forum_id IN (?)", bun.List([]string{r.ID})).
		OrderExpr("forum_id, position").Scan(ctx)
	if err != nil {
		return nil, dbErr("load forum instances", err)
	}
	for _, h := range hosts {
		f.Policy.Instances = append(f.Policy.Instances, h.Host)
	}
	return f, nil
}

func BunPostByURI(ctx context.Context, s *Store, uri string) (*forum.Post, error) {
	var row postRow
	if err := s.selectPosts(&row).Where("uri = ?", uri).Scan(ctx); err != nil {
		return nil, dbErr("post by uri", err)
	}
	ps, err := s.withTranslations(ctx, []postRow{row})
	if err != nil {
		return nil, err
	}
	return ps[0], nil
}

func BunReadThread(ctx context.Context, s *Store, id forum.ID) (*forum.Thread, error) {
	var row threadRow
	if err := s.db.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, dbErr("read thread", err)
	}
	return row.toForum(), nil
}

func BunTombstone(ctx context.Context, s *Store, uri string) (*federation.Tombstone, error) {
	var r tombstoneRow
	if err := s.db.NewSelect().Model(&r).Where("uri = ?", uri).Scan(ctx); err != nil {
		return nil, dbErr("tombstone", err)
	}
	return &federation.Tombstone{URI: r.URI, DeletedAt: r.DeletedAt.UTC()}, nil
}

func BunOutboxActivity(ctx context.Context, s *Store, id forum.ID) (*federation.OutboxActivity, error) {
	var r outboxRow
	if err := s.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, dbErr("outbox activity", err)
	}
	return r.toFederation(), nil
}

func BunListFollowers(ctx context.Context, s *Store, target string, afterID forum.ID, limit int) ([]*federation.Follower, error) {
	var rows []followerWithType
	err := s.db.NewSelect().Model(&rows).ColumnExpr("f.*").ColumnExpr("ra.type AS actor_type").
		ModelTableExpr("followers AS f").Join("LEFT JOIN remote_actors AS ra ON ra.uri = f.actor_uri").
		Where("f.target = ?", target).Where("f.state = ?", string(federation.FollowAccepted)).Where("f.id > ?", afterID).
		OrderExpr("f.id ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbErr("list followers", err)
	}
	out := make([]*federation.Follower, len(rows))
	for i := range rows {
		out[i] = rows[i].toFederation()
		if rows[i].ActorType != nil {
			out[i].ActorType = *rows[i].ActorType
		}
	}
	return out, nil
}

func BunFollowerInboxes(ctx context.Context, s *Store, target string) ([]stored.FollowerInbox, error) {
	var rows []struct {
		Inbox  string `bun:"inbox"`
		Person bool   `bun:"person"`
	}
	err := s.db.NewSelect().ColumnExpr("DISTINCT CASE WHEN f.shared_inbox <> '' THEN f.shared_inbox ELSE f.inbox END AS inbox").
		ColumnExpr("COALESCE(ra.type IN (?, ?), FALSE) AS person", ap.TypePerson, ap.TypeService).
		TableExpr("followers AS f").Join("LEFT JOIN remote_actors AS ra ON ra.uri = f.actor_uri").
		Where("f.target = ?", target).Where("f.state = ?", string(federation.FollowAccepted)).
		OrderExpr("inbox, person").Scan(ctx, &rows)
	out := make([]stored.FollowerInbox, 0, len(rows))
	for _, r := range rows {
		out = append(out, stored.FollowerInbox{Inbox: r.Inbox, Person: r.Person})
	}
	return out, dbErr("follower inboxes", err)
}

func BunInboxItem(ctx context.Context, s *Store, id forum.ID) (*federation.InboxItem, error) {
	var r inboxRow
	if err := s.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, dbErr("inbox item", err)
	}
	return r.toFederation(), nil
}

func BunListEvents(ctx context.Context, s *Store, afterID forum.ID, limit int) ([]*forum.Event, error) {
	var rows []eventRow
	err := s.db.NewSelect().Model(&rows).Where("id > ?", afterID).OrderExpr("id ASC").Limit(int64(limit)).Scan(ctx)
	return events(rows), dbErr("list events", err)
}

func BunUnpublishedEvents(ctx context.Context, s *Store, limit int) ([]*forum.Event, error) {
	var rows []eventRow
	err := s.db.NewSelect().Model(&rows).Where("published_at IS NULL").Where("publish_retry_at IS NULL").
		OrderExpr("id ASC").Limit(int64(limit)).Scan(ctx)
	return events(rows), dbErr("list unpublished events", err)
}

func events(rows []eventRow) []*forum.Event {
	out := make([]*forum.Event, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out
}

// ClaimableInboxItems is the read of ClaimInboxItems (prepared), without
// its lease.
func ClaimableInboxItems(ctx context.Context, s *Store, now time.Time, limit int) ([]*federation.InboxItem, error) {
	rows, err := s.claimableInboxItems(ctx, utc(now), limit)
	return inboxItems(rows), err
}

func BunClaimableInboxItems(ctx context.Context, s *Store, now time.Time, limit int) ([]*federation.InboxItem, error) {
	now = utc(now)
	var rows []inboxRow
	q := s.db.NewSelect().Model(&rows).
		Where("processed_at IS NULL").Where("failed_at IS NULL").Where("next_attempt_at <= ?", now).
		Where("(lease_until IS NULL OR lease_until < ?)", now).
		OrderExpr("next_attempt_at ASC, id ASC").Limit(int64(limit))
	err := lockForClaim(q).Scan(ctx)
	return inboxItems(rows), dbErr("claim inbox items", err)
}

func inboxItems(rows []inboxRow) []*federation.InboxItem {
	out := make([]*federation.InboxItem, len(rows))
	for i := range rows {
		out[i] = rows[i].toFederation()
	}
	return out
}

// DeliveryCandidates is the read of ClaimDeliveries (prepared when skip
// is empty), without its lease.
func DeliveryCandidates(ctx context.Context, s *Store, now time.Time, after string, skip []string) ([]*federation.Delivery, error) {
	rows, err := s.deliveryCandidates(ctx, utc(now), after, skip)
	return deliveries(rows), err
}

func BunDeliveryCandidates(ctx context.Context, s *Store, now time.Time, after string, skip []string) ([]*federation.Delivery, error) {
	now = utc(now)
	var rows []deliveryRow
	q := s.db.NewSelect().Model(&rows).
		Where("state = ?", string(federation.DeliveryPending)).Where("next_attempt_at <= ?", now).
		Where("(lease_until IS NULL OR lease_until < ?)", now).Where("id > ?", after).
		OrderExpr("id ASC").Limit(claimScan)
	if len(skip) > 0 {
		q = q.Where("host NOT IN (?)", bun.List(skip))
	}
	err := lockForClaim(q).Scan(ctx)
	return deliveries(rows), dbErr("claim deliveries", err)
}

func deliveries(rows []deliveryRow) []*federation.Delivery {
	out := make([]*federation.Delivery, len(rows))
	for i := range rows {
		out[i] = rows[i].toFederation()
	}
	return out
}

// DeliveryHosts is what a claim reads of the hosts (prepared): those
// awaiting a retry, the leases in flight by host and the order keys they
// hold.
func DeliveryHosts(ctx context.Context, s *Store, now time.Time) (any, error) {
	waiting, err := s.hostsAwaitingRetry(ctx, utc(now))
	if err != nil {
		return nil, err
	}
	counts, busy, err := s.inFlightByHost(ctx, utc(now))
	return []any{waiting, counts, busy}, err
}

func BunDeliveryHosts(ctx context.Context, s *Store, now time.Time) (any, error) {
	now = utc(now)
	var hosts []string
	err := s.db.NewSelect().Model((*deliveryRow)(nil)).ColumnExpr("DISTINCT host").
		Where("state = ?", string(federation.DeliveryPending)).Where("next_attempt_at > ?", now).Scan(ctx, &hosts)
	if err != nil {
		return nil, err
	}
	waiting := map[string]bool{}
	for _, h := range hosts {
		waiting[h] = true
	}
	var leased []struct {
		Host     string `bun:"host"`
		OrderKey string `bun:"order_key"`
	}
	err = s.db.NewSelect().Model((*deliveryRow)(nil)).Column("host", "order_key").
		Where("lease_until >= ?", now).Scan(ctx, &leased)
	counts, busy := map[string]int{}, map[hostKey]bool{}
	for _, l := range leased {
		counts[l.Host]++
		if l.OrderKey != "" {
			busy[hostKey{l.Host, l.OrderKey}] = true
		}
	}
	return []any{waiting, counts, busy}, err
}
