package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
)

type followerRow struct {
	bun.BaseModel `bun:"table:followers"`
	ID            string    `bun:"id,pk"`
	Target        string    `bun:"target"`
	ActorURI      string    `bun:"actor_uri"`
	Inbox         string    `bun:"inbox"`
	SharedInbox   string    `bun:"shared_inbox"`
	FollowID      string    `bun:"follow_id"`
	State         string    `bun:"state"`
	CreatedAt     time.Time `bun:"created_at"`
}

func (r *followerRow) toFederation() *federation.Follower {
	return &federation.Follower{ID: r.ID, Target: r.Target, ActorURI: r.ActorURI, Inbox: r.Inbox,
		SharedInbox: r.SharedInbox, FollowID: r.FollowID, State: federation.FollowState(r.State),
		CreatedAt: r.CreatedAt.UTC()}
}

func followersToFederation(rows []followerRow) []*federation.Follower {
	out := make([]*federation.Follower, len(rows))
	for i := range rows {
		out[i] = rows[i].toFederation()
	}
	return out
}

// SaveFollower inserts f or replaces every field (ID and CreatedAt
// included) of the follower with its (Target, ActorURI).
func (s *Store) SaveFollower(ctx context.Context, f *federation.Follower) error {
	row := &followerRow{ID: f.ID, Target: f.Target, ActorURI: f.ActorURI, Inbox: f.Inbox,
		SharedInbox: f.SharedInbox, FollowID: f.FollowID, State: string(f.State), CreatedAt: utc(f.CreatedAt)}
	_, err := upsert(s.db.NewInsert().Model(row), "target, actor_uri",
		"id", "inbox", "shared_inbox", "follow_id", "state", "created_at").Exec(ctx)
	return dbErr("save follower", err)
}

// Follower returns actorURI's follow of target, whatever its state.
func (s *Store) Follower(ctx context.Context, target, actorURI string) (*federation.Follower, error) {
	var r followerRow
	err := s.db.NewSelect().Model(&r).Where("target = ?", target).Where("actor_uri = ?", actorURI).Scan(ctx)
	if err != nil {
		return nil, dbErr("follower", err)
	}
	return r.toFederation(), nil
}

// DeleteFollower removes a follow; ErrNotFound if absent.
func (s *Store) DeleteFollower(ctx context.Context, target, actorURI string) error {
	res, err := s.db.NewDelete().Model((*followerRow)(nil)).
		Where("target = ?", target).Where("actor_uri = ?", actorURI).Exec(ctx)
	if err != nil {
		return dbErr("delete follower", err)
	}
	return affected("delete follower", res)
}

// ListFollowers lists accepted followers of target by ID, after afterID
// ("" for the first), with their actor's type from the remote actor
// cache (one join, not a query per follower).
// followerWithType is a follower with its actor's type, when known.
type followerWithType struct {
	followerRow `bun:",extend"`
	ActorType   *string `bun:"actor_type"`
}

func (s *Store) ListFollowers(ctx context.Context, target string, afterID forum.ID, limit int) ([]*federation.Follower, error) {
	// The publisher pages through a forum's followers for every event:
	// prepared, one statement per page size.
	var rows []followerWithType
	err := s.selectPrepared(ctx, fmt.Sprintf("list followers (limit %d)", limit), &rows, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.ColumnExpr("f.*").ColumnExpr("ra.type AS actor_type").
			ModelTableExpr("followers AS f").Join("LEFT JOIN remote_actors AS ra ON ra.uri = f.actor_uri").
			Where("f.target = ?", bun.Safe("?")).Where("f.state = ?", bun.Safe("?")).Where("f.id > ?", bun.Safe("?")).
			OrderExpr("f.id ASC").Limit(int64(limit))
	}, target, string(federation.FollowAccepted), afterID)
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

// FollowerInboxes is where target's accepted followers receive, each
// inbox once: a follower's shared inbox, or its own when it has none,
// with whether the follower is a person (Person or Service, from the
// actor cache) rather than a server. The publisher needs only this for
// every activity it addresses to followers, and a forum followed by 300
// actors on 3 servers has 3 inboxes: reading the 300 rows (and their
// actor types) for each of them was 9% of a node's CPU while it applied
// a burst of replies (bench/README.md section 3).
func (s *Store) FollowerInboxes(ctx context.Context, target string) ([]stored.FollowerInbox, error) {
	var rows []struct {
		Inbox  string `bun:"inbox"`
		Person bool   `bun:"person"`
	}
	// The publisher reads it for every activity: prepared.
	q := func(db bun.IDB) *bun.SelectQuery {
		return db.NewSelect().ColumnExpr("DISTINCT CASE WHEN f.shared_inbox <> '' THEN f.shared_inbox ELSE f.inbox END AS inbox").
			ColumnExpr("COALESCE(ra.type IN (?, ?), FALSE) AS person", ap.TypePerson, ap.TypeService).
			TableExpr("followers AS f").Join("LEFT JOIN remote_actors AS ra ON ra.uri = f.actor_uri").
			Where("f.target = ?", bun.Safe("?")).Where("f.state = ?", string(federation.FollowAccepted)).
			OrderExpr("inbox, person")
	}
	err := s.queryPrepared(ctx, "follower inboxes", func(db bun.IDB) bun.Query { return q(db) },
		func(db bun.IDB) string { return q(db).String() }, &rows, target)
	if err != nil {
		return nil, dbErr("follower inboxes", err)
	}
	out := make([]stored.FollowerInbox, 0, len(rows))
	for _, r := range rows {
		if r.Inbox != "" {
			out = append(out, stored.FollowerInbox{Inbox: r.Inbox, Person: r.Person})
		}
	}
	return out, nil
}

// ListPendingFollowers lists follow requests of target awaiting approval,
// oldest (lowest ID) first.
func (s *Store) ListPendingFollowers(ctx context.Context, target string, limit int) ([]*federation.Follower, error) {
	var rows []followerRow
	err := s.db.NewSelect().Model(&rows).
		Where("target = ?", target).Where("state = ?", string(federation.FollowPending)).
		OrderExpr("id ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbErr("list pending followers", err)
	}
	return followersToFederation(rows), nil
}

// CountFollowers counts the accepted followers of target.
func (s *Store) CountFollowers(ctx context.Context, target string) (int, error) {
	n, err := s.db.NewSelect().Model((*followerRow)(nil)).
		Where("target = ?", target).Where("state = ?", string(federation.FollowAccepted)).Count(ctx)
	return int(n), dbErr("count followers", err)
}

type followingRow struct {
	bun.BaseModel `bun:"table:following"`
	ID            string    `bun:"id,pk"`
	ActorURI      string    `bun:"actor_uri"`
	ObjectURI     string    `bun:"object_uri"`
	FollowID      string    `bun:"follow_id"`
	ForumID       string    `bun:"forum_id"`
	State         string    `bun:"state"`
	CreatedAt     time.Time `bun:"created_at"`
}

func (r *followingRow) toFederation() *federation.Following {
	return &federation.Following{ID: r.ID, ActorURI: r.ActorURI, ObjectURI: r.ObjectURI, FollowID: r.FollowID,
		ForumID: r.ForumID, State: federation.FollowState(r.State), CreatedAt: r.CreatedAt.UTC()}
}

// SaveFollowing inserts f or replaces every field (ID and CreatedAt
// included) of the following with its ObjectURI.
func (s *Store) SaveFollowing(ctx context.Context, f *federation.Following) error {
	row := &followingRow{ID: f.ID, ActorURI: f.ActorURI, ObjectURI: f.ObjectURI, FollowID: f.FollowID,
		ForumID: f.ForumID, State: string(f.State), CreatedAt: utc(f.CreatedAt)}
	_, err := upsert(s.db.NewInsert().Model(row), "object_uri",
		"id", "actor_uri", "follow_id", "forum_id", "state", "created_at").Exec(ctx)
	return dbErr("save following", err)
}

// Following returns this node's follow of objectURI.
func (s *Store) Following(ctx context.Context, objectURI string) (*federation.Following, error) {
	return s.oneFollowing(ctx, "following", "object_uri = ?", objectURI)
}

// FollowingByActivity returns the follow made by the Follow activity
// followID.
func (s *Store) FollowingByActivity(ctx context.Context, followID string) (*federation.Following, error) {
	return s.oneFollowing(ctx, "following by activity", "follow_id = ?", followID)
}

func (s *Store) oneFollowing(ctx context.Context, what, where string, arg any) (*federation.Following, error) {
	var r followingRow
	if err := s.db.NewSelect().Model(&r).Where(where, arg).OrderExpr("id ASC").Limit(1).Scan(ctx); err != nil {
		return nil, dbErr(what, err)
	}
	return r.toFederation(), nil
}

// DeleteFollowing removes this node's follow of objectURI; ErrNotFound if
// absent.
func (s *Store) DeleteFollowing(ctx context.Context, objectURI string) error {
	res, err := s.db.NewDelete().Model((*followingRow)(nil)).Where("object_uri = ?", objectURI).Exec(ctx)
	if err != nil {
		return dbErr("delete following", err)
	}
	return affected("delete following", res)
}

// ListFollowing lists every follow of this node, by ID.
func (s *Store) ListFollowing(ctx context.Context) ([]*federation.Following, error) {
	var rows []followingRow
	if err := s.db.NewSelect().Model(&rows).OrderExpr("id ASC").Scan(ctx); err != nil {
		return nil, dbErr("list following", err)
	}
	out := make([]*federation.Following, len(rows))
	for i := range rows {
		out[i] = rows[i].toFederation()
	}
	return out, nil
}
