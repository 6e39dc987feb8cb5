package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/metropolis/agora/forum"
)

// Leases: a named job (the event publisher) runs in one process at a time
// among the processes sharing the database. A lease is a row of the
// cursors table, "lease:<name>" = "<holder>|<until, Unix ms>", taken or
// renewed in a transaction that locks it (FOR UPDATE on PostgreSQL; SQLite
// transactions already hold the write lock). A holder that dies loses it
// when it expires.

const leasePrefix = "lease:"

// TryLease takes the lease name for holder until now+ttl, if it is free,
// expired or already holder's; it reports whether holder has it.
func (s *Store) TryLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	if strings.Contains(holder, "|") || holder == "" {
		return false, fmt.Errorf("lease %s: bad holder %q", name, holder)
	}
	key := leasePrefix + name
	value := holder + "|" + strconv.FormatInt(now.Add(ttl).UnixMilli(), 10)
	var got bool
	err := s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		var r cursorRow
		q := tx.db.NewSelect().Model(&r).Where("name = ?", key)
		if isPostgres(tx.db) {
			q = q.For("UPDATE")
		}
		err := dbErr("read lease", q.Scan(ctx))
		if errors.Is(err, forum.ErrNotFound) {
			res, err := tx.db.NewInsert().Model(&cursorRow{Name: key, Value: value}).On("CONFLICT (name) DO NOTHING").Exec(ctx)
			if err != nil {
				return dbErr("take lease", err)
			}
			n, _ := res.RowsAffected()
			got = n == 1
			return nil
		} else if err != nil {
			return err
		}
		owner, until := parseLease(r.Value)
		if owner != holder && until > now.UnixMilli() {
			return nil // someone else's, still valid
		}
		_, err = tx.db.NewUpdate().Model((*cursorRow)(nil)).Set("value = ?", value).Where("name = ?", key).Exec(ctx)
		if err != nil {
			return dbErr("renew lease", err)
		}
		got = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", name, err)
	}
	return got, nil
}

// ReleaseLease gives the lease up if holder has it, so that another
// process takes over at once rather than when it expires.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := s.db.NewUpdate().Model((*cursorRow)(nil)).Set("value = ?", holder+"|0").
		Where("name = ?", leasePrefix+name).Where("value LIKE ?", holder+"|%").Exec(ctx)
	return dbErr("release lease "+name, err)
}

func parseLease(v string) (holder string, untilMs int64) {
	h, u, ok := strings.Cut(v, "|")
	if !ok {
		return "", 0
	}
	n, err := strconv.ParseInt(u, 10, 64)
	if err != nil {
		return "", 0
	}
	return h, n
}
