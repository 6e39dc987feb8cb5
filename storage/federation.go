package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
)

// Store implements federation.Store beside forum.Store, on the same
// database and, inside either Atomic, the same transaction.
var _ federation.Store = (*Store)(nil)

// FederationAtomic runs fn in one transaction; inside a transaction
// (either Atomic or FederationAtomic) it runs fn in that same one. fn's
// error is returned unchanged.
func (s *Store) FederationAtomic(ctx context.Context, fn func(ctx context.Context, tx federation.Store) error) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error { return fn(ctx, tx) })
}

// Savepoint runs fn under a savepoint when s is a transaction (rolled back
// to it if fn fails, released otherwise), else in a transaction of its own.
// Both databases take the same statements; a savepoint of the same name
// inside another one is a new one (the innermost is rolled back).
func (s *Store) Savepoint(ctx context.Context, fn func(ctx context.Context) error) error {
	if !s.inTx {
		return s.atomic(ctx, func(ctx context.Context, _ *Store) error { return fn(ctx) })
	}
	// Twice per received item: prepared (a statement with no table, shown
	// to the hooks by its text).
	if _, err := s.execPrepared(ctx, "savepoint", noTable, sqlText("SAVEPOINT item")); err != nil {
		return dbErr("savepoint", err)
	}
	if err := fn(ctx); err != nil {
		if _, rbErr := s.db.ExecContext(ctx, "ROLLBACK TO SAVEPOINT item"); rbErr != nil {
			return errors.Join(err, dbErr("roll back to savepoint", rbErr))
		}
		if _, relErr := s.db.ExecContext(ctx, "RELEASE SAVEPOINT item"); relErr != nil {
			return errors.Join(err, dbErr("release savepoint", relErr))
		}
		return err
	}
	_, err := s.execPrepared(ctx, "release savepoint", noTable, sqlText("RELEASE SAVEPOINT item"))
	return dbErr("release savepoint", err)
}

// noTable is the bun query of a statement that names no table: none.
func noTable(bun.IDB) bun.Query { return nil }

// sqlText is a statement's text, the same on both databases.
func sqlText(q string) func(bun.IDB) string { return func(bun.IDB) string { return q } }

// ForumStore is s as forum.Store (the same transaction, if s is one).
func (s *Store) ForumStore() forum.Store { return s }

// upsert makes q insert or, on a conflict over the conflict columns,
// replace cols with the inserted values (both databases spell it the same).
func upsert(q *bun.InsertQuery, conflict string, cols ...string) *bun.InsertQuery {
	q = q.On("CONFLICT (" + conflict + ") DO UPDATE")
	for _, c := range cols {
		q = q.Set(c + " = EXCLUDED." + c)
	}
	return q
}

// nonNil keeps a NOT NULL bytes column from receiving NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// nilIfEmpty reads an empty bytes column back as nil.
func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// Actor keys.

type actorKeyRow struct {
	bun.BaseModel `bun:"table:actor_keys"`
	Owner         string    `bun:"owner,pk"`
	PrivatePEM    string    `bun:"private_pem"`
	PublicPEM     string    `bun:"public_pem"`
	CreatedAt     time.Time `bun:"created_at"`
}

// CreateActorKey stores an actor's key pair; ErrConflict if the owner has
// one.
func (s *Store) CreateActorKey(ctx context.Context, k *federation.ActorKey) error {
	row := &actorKeyRow{Owner: k.Owner, PrivatePEM: k.PrivatePEM, PublicPEM: k.PublicPEM, CreatedAt: utc(k.CreatedAt)}
	_, err := s.db.NewInsert().Model(row).Exec(ctx)
	return dbErr("create actor key", err)
}

// ActorKey returns an actor's key pair.
func (s *Store) ActorKey(ctx context.Context, owner string) (*federation.ActorKey, error) {
	var r actorKeyRow
	if err := s.db.NewSelect().Model(&r).Where("owner = ?", owner).Scan(ctx); err != nil {
		return nil, dbErr("actor key", err)
	}
	return &federation.ActorKey{Owner: r.Owner, PrivatePEM: r.PrivatePEM, PublicPEM: r.PublicPEM,
		CreatedAt: r.CreatedAt.UTC()}, nil
}

// Remote actors.

type remoteActorRow struct {
	bun.BaseModel `bun:"table:remote_actors"`
	URI           string    `bun:"uri,pk"`
	Type          string    `bun:"type"`
	Username      string    `bun:"username"`
	Domain        string    `bun:"domain"`
	Inbox         string    `bun:"inbox"`
	SharedInbox   string    `bun:"shared_inbox"`
	Outbox        string    `bun:"outbox"`
	Followers     string    `bun:"followers"`
	KeyID         string    `bun:"key_id"`
	PublicKeyPEM  string    `bun:"public_key_pem"`
	Document      []byte    `bun:"document"`
	FetchedAt     time.Time `bun:"fetched_at"`
}

func (r *remoteActorRow) toFederation() *federation.RemoteActor {
	return &federation.RemoteActor{URI: r.URI, Type: r.Type, Username: r.Username, Domain: r.Domain,
		Inbox: r.Inbox, SharedInbox: r.SharedInbox, Outbox: r.Outbox, Followers: r.Followers,
		KeyID: r.KeyID, PublicKeyPEM: r.PublicKeyPEM, Document: nilIfEmpty(r.Document), FetchedAt: r.FetchedAt.UTC()}
}

// SaveRemoteActor inserts the actor or replaces the one with its URI.
func (s *Store) SaveRemoteActor(ctx context.Context, a *federation.RemoteActor) error {
	row := &remoteActorRow{URI: a.URI, Type: a.Type, Username: a.Username, Domain: a.Domain,
		Inbox: a.Inbox, SharedInbox: a.SharedInbox, Outbox: a.Outbox, Followers: a.Followers,
		KeyID: a.KeyID, PublicKeyPEM: a.PublicKeyPEM, Document: nonNil(a.Document), FetchedAt: utc(a.FetchedAt)}
	_, err := upsert(s.db.NewInsert().Model(row), "uri", "type", "username", "domain", "inbox",
		"shared_inbox", "outbox", "followers", "key_id", "public_key_pem", "document", "fetched_at").Exec(ctx)
	return dbErr("save remote actor", err)
}

// RemoteActor returns the cached actor with this URI.
func (s *Store) RemoteActor(ctx context.Context, uri string) (*federation.RemoteActor, error) {
	var r remoteActorRow
	if err := s.db.NewSelect().Model(&r).Where("uri = ?", uri).Scan(ctx); err != nil {
		return nil, dbErr("remote actor", err)
	}
	return r.toFederation(), nil
}

// RemoteActorByKeyID returns the cached actor publishing this key; should
// two claim it, the one fetched last.
func (s *Store) RemoteActorByKeyID(ctx context.Context, keyID string) (*federation.RemoteActor, error) {
	var r remoteActorRow
	err := s.db.NewSelect().Model(&r).Where("key_id = ?", keyID).
		OrderExpr("fetched_at DESC, uri ASC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, dbErr("remote actor by key id", err)
	}
	return r.toFederation(), nil
}

// Tombstones.

type tombstoneRow struct {
	bun.BaseModel `bun:"table:tombstones"`
	URI           string    `bun:"uri,pk"`
	DeletedAt     time.Time `bun:"deleted_at"`
}

// AddTombstone remembers a deleted remote object; adding it again keeps
// the first DeletedAt.
func (s *Store) AddTombstone(ctx context.Context, t *federation.Tombstone) error {
	_, err := s.db.NewInsert().Model(&tombstoneRow{URI: t.URI, DeletedAt: utc(t.DeletedAt)}).
		On("CONFLICT (uri) DO NOTHING").Exec(ctx)
	return dbErr("add tombstone", err)
}

// Tombstone returns the tombstone of uri.
// Prepared: the received side asks it for every post it stores.
func (s *Store) Tombstone(ctx context.Context, uri string) (*federation.Tombstone, error) {
	var rows []tombstoneRow
	err := s.selectPrepared(ctx, "tombstone", &rows, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("uri = ?", bun.Safe("?"))
	}, uri)
	if err != nil {
		return nil, dbErr("tombstone", err)
	}
	if len(rows) == 0 {
		return nil, dbErr("tombstone", sql.ErrNoRows)
	}
	return &federation.Tombstone{URI: rows[0].URI, DeletedAt: rows[0].DeletedAt.UTC()}, nil
}

// Domain blocks.

type domainBlockRow struct {
	bun.BaseModel `bun:"table:domain_blocks"`
	Domain        string    `bun:"domain,pk"`
	Reason        string    `bun:"reason"`
	CreatedAt     time.Time `bun:"created_at"`
}

// BlockDomain blocks a domain (stored lowercase). Blocking it again
// updates the reason and keeps CreatedAt.
func (s *Store) BlockDomain(ctx context.Context, b *federation.DomainBlock) error {
	row := &domainBlockRow{Domain: strings.ToLower(b.Domain), Reason: b.Reason, CreatedAt: utc(b.CreatedAt)}
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		if _, err := upsert(tx.db.NewInsert().Model(row), "domain", "reason").Exec(ctx); err != nil {
			return dbErr("block domain", err)
		}
		return tx.moveDomainBlocksVersion(ctx)
	})
}

// UnblockDomain lifts a block; ErrNotFound if there was none.
func (s *Store) UnblockDomain(ctx context.Context, domain string) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		res, err := tx.db.NewDelete().Model((*domainBlockRow)(nil)).
			Where("domain = ?", strings.ToLower(domain)).Exec(ctx)
		if err != nil {
			return dbErr("unblock domain", err)
		}
		if err := affected("unblock domain", res); err != nil {
			return err
		}
		return tx.moveDomainBlocksVersion(ctx)
	})
}

// domainBlocksCursor names the cursor holding the block list's version.
const domainBlocksCursor = "domain_blocks_version"

// DomainBlocksVersion is the block list's version: it changes, in the
// transaction of the change, whenever a block is added, changed or lifted,
// by any process on this database, and on nothing else. Caches of the
// list (federation/blocks) are keyed on it. "" before the first block.
// Reading it is a statement; DomainBlocksMoves says, without one, whether
// this process moved it.
func (s *Store) DomainBlocksVersion(ctx context.Context) (string, error) {
	v, err := s.Cursor(ctx, domainBlocksCursor)
	if err != nil {
		return "", fmt.Errorf("domain blocks version: %w", err)
	}
	return v, nil
}

// DomainBlocksMoves counts the changes of the block list's version that
// this process has committed on this database (through any of its
// Stores), with no database read: it moves before and after the COMMIT
// of each change (see Changes), so whoever reads it, then the stored
// version, and finds it unchanged at a later question knows the version
// it read is still this process's latest. Other processes' changes do not
// move it: a cache bounds them by re-reading DomainBlocksVersion.
func (s *Store) DomainBlocksMoves() uint64 { return s.changes.DomainBlocksMoves() }

// moveDomainBlocksVersion gives the block list a version it never had: a
// random value, so two processes writing at once can't pick the same one
// (a counter read and incremented would need the row locked first).
func (s *Store) moveDomainBlocksVersion(ctx context.Context) error {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Errorf("domain blocks version: %w", err)
	}
	moved := s.changes.domainBlocksMoved(ctx)
	defer moved()
	return s.SetCursor(ctx, domainBlocksCursor, hex.EncodeToString(b[:]))
}

// DomainBlocked reports whether domain, or a domain it is a subdomain of,
// is blocked (blocking example.com blocks social.example.com too).
func (s *Store) DomainBlocked(ctx context.Context, domain string) (bool, error) {
	return s.DomainsBlocked(ctx, domain)
}

// DomainsBlocked reports, in one query, whether any of domains (or a
// domain one of them is a subdomain of) is blocked.
func (s *Store) DomainsBlocked(ctx context.Context, domains ...string) (bool, error) {
	var candidates []string
	for _, domain := range domains {
		d := strings.TrimSuffix(strings.ToLower(domain), ".")
		if d == "" {
			continue
		}
		candidates = append(candidates, d)
		for i := strings.IndexByte(d, '.'); i >= 0; i = strings.IndexByte(d, '.') {
			d = d[i+1:]
			if d != "" {
				candidates = append(candidates, d)
			}
		}
	}
	if len(candidates) == 0 {
		return false, nil
	}
	ok, err := s.db.NewSelect().Model((*domainBlockRow)(nil)).
		Where("domain IN (?)", bun.List(candidates)).Exists(ctx)
	return ok, dbErr("domain blocked", err)
}

// ListDomainBlocks lists blocks by domain.
func (s *Store) ListDomainBlocks(ctx context.Context) ([]*federation.DomainBlock, error) {
	var rows []domainBlockRow
	if err := s.db.NewSelect().Model(&rows).OrderExpr("domain ASC").Scan(ctx); err != nil {
		return nil, dbErr("list domain blocks", err)
	}
	out := make([]*federation.DomainBlock, len(rows))
	for i, r := range rows {
		out[i] = &federation.DomainBlock{Domain: r.Domain, Reason: r.Reason, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// Cursors.

type cursorRow struct {
	bun.BaseModel `bun:"table:cursors"`
	Name          string `bun:"name,pk"`
	Value         string `bun:"value"`
}

// Cursor returns a named value, "" if unset.
func (s *Store) Cursor(ctx context.Context, name string) (string, error) {
	var r cursorRow
	err := s.db.NewSelect().Model(&r).Where("name = ?", name).Scan(ctx)
	if err = dbErr("cursor", err); err != nil {
		if errors.Is(err, forum.ErrNotFound) {
			return "", nil
		}
		return "", err
	}
	return r.Value, nil
}

// SetCursor sets a named value.
func (s *Store) SetCursor(ctx context.Context, name, value string) error {
	_, err := upsert(s.db.NewInsert().Model(&cursorRow{Name: name, Value: value}), "name", "value").Exec(ctx)
	return dbErr(fmt.Sprintf("set cursor %s", name), err)
}

// Actor handles (WebFinger answers).

type actorHandleRow struct {
	bun.BaseModel `bun:"table:actor_handles"`
	Acct          string    `bun:"acct,pk"`
	ActorURI      string    `bun:"actor_uri"`
	ResolvedAt    time.Time `bun:"resolved_at"`
}

// SaveActorHandle inserts or replaces what a handle resolves to.
func (s *Store) SaveActorHandle(ctx context.Context, h *federation.ActorHandle) error {
	row := &actorHandleRow{Acct: h.Acct, ActorURI: h.ActorURI, ResolvedAt: utc(h.ResolvedAt)}
	_, err := upsert(s.db.NewInsert().Model(row), "acct", "actor_uri", "resolved_at").Exec(ctx)
	return dbErr("save actor handle", err)
}

// ActorHandle returns what a handle resolved to.
func (s *Store) ActorHandle(ctx context.Context, acct string) (*federation.ActorHandle, error) {
	var r actorHandleRow
	if err := s.db.NewSelect().Model(&r).Where("acct = ?", acct).Scan(ctx); err != nil {
		return nil, dbErr("actor handle", err)
	}
	return &federation.ActorHandle{Acct: r.Acct, ActorURI: r.ActorURI, ResolvedAt: r.ResolvedAt.UTC()}, nil
}
