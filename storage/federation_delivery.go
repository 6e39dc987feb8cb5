package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/federation"
)

type deliveryRow struct {
	bun.BaseModel `bun:"table:deliveries"`
	ID            string     `bun:"id,pk"`
	ActivityID    string     `bun:"activity_id"`
	Inbox         string     `bun:"inbox"`
	Host          string     `bun:"host"`
	OrderKey      string     `bun:"order_key"`
	State         string     `bun:"state"`
	Attempts      int        `bun:"attempts"`
	NextAttemptAt time.Time  `bun:"next_attempt_at"`
	LeaseUntil    *time.Time `bun:"lease_until"`
	LastStatus    int        `bun:"last_status"`
	LastError     string     `bun:"last_error"`
	CreatedAt     time.Time  `bun:"created_at"`
	FinishedAt    *time.Time `bun:"finished_at"`
}

func deliveryToRow(d *federation.Delivery) deliveryRow {
	state := d.State
	if state == "" {
		state = federation.DeliveryPending
	}
	return deliveryRow{ID: d.ID, ActivityID: d.ActivityID, Inbox: d.Inbox, Host: d.Host, OrderKey: d.OrderKey, State: string(state),
		Attempts: d.Attempts, NextAttemptAt: utc(d.NextAttemptAt), LeaseUntil: utcPtr(d.LeaseUntil),
		LastStatus: d.LastStatus, LastError: d.LastError, CreatedAt: utc(d.CreatedAt), FinishedAt: utcPtr(d.FinishedAt)}
}

func (r *deliveryRow) toFederation() *federation.Delivery {
	return &federation.Delivery{ID: r.ID, ActivityID: r.ActivityID, Inbox: r.Inbox, Host: r.Host,
		OrderKey: r.OrderKey, State: federation.DeliveryState(r.State), Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt.UTC(),
		LeaseUntil: utcPtr(r.LeaseUntil), LastStatus: r.LastStatus, LastError: r.LastError,
		CreatedAt: r.CreatedAt.UTC(), FinishedAt: utcPtr(r.FinishedAt)}
}

// deliveryChunk rows go in one INSERT: 12 columns each keeps a statement
// far below SQLite's 32,766 variables (and its statement length) even if
// the driver binds every value.
const deliveryChunk = 500

// AddDeliveries queues deliveries, deliveryChunk rows per INSERT, all in
// one transaction. A delivery whose (ActivityID, Inbox) is queued already
// (or repeats one earlier in ds) is skipped. An empty State is pending.
// ErrNotFound if an ActivityID is not in the outbox.
func (s *Store) AddDeliveries(ctx context.Context, ds []*federation.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		for start := 0; start < len(ds); start += deliveryChunk {
			chunk := ds[start:min(start+deliveryChunk, len(ds))]
			rows := make([]deliveryRow, len(chunk))
			for i, d := range chunk {
				rows[i] = deliveryToRow(d)
			}
			_, err := tx.db.NewInsert().Model(&rows).
				On("CONFLICT (activity_id, inbox) DO NOTHING").Returning("NULL").Exec(ctx)
			if err != nil {
				return dbErr("add deliveries", err)
			}
		}
		return nil
	})
}

// claimScan is how many candidate rows ClaimDeliveries reads at a time.
const claimScan = 200

// ClaimDeliveries leases up to limit pending deliveries due at now
// (NextAttemptAt <= now) whose lease is unset or expired (LeaseUntil <
// now), oldest (lowest ID) first, and sets their LeaseUntil to now+lease.
// A host never gets more than perHost deliveries leased and unexpired at
// once, those leased earlier included; perHost <= 0 means no such limit.
// Two deliveries with the same non-empty OrderKey to one host are never
// leased at once, and the older goes first: activities about one object
// reach a host in order, while the others to that host go in parallel.
//
// In one transaction: count the unexpired leases per host, then read due
// candidates in ID order (skipping hosts already full) and pick them in Go
// until limit. See dialect.go for how concurrent claimers are kept apart.
func (s *Store) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit, perHost int) ([]*federation.Delivery, error) {
	if limit <= 0 {
		return []*federation.Delivery{}, nil
	}
	now = utc(now)
	until := now.Add(lease)
	var picked []*federation.Delivery
	err := s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		if err := serializeDeliveryClaims(ctx, tx.db); err != nil {
			return dbErr("claim deliveries: lock", err)
		}
		inFlight, busy, err := tx.inFlightByHost(ctx, now)
		if err != nil {
			return err
		}
		// A host with a delivery waiting for its retry gets nothing newer
		// before it: messages to a failing host stay in order.
		waiting, err := tx.hostsAwaitingRetry(ctx, now)
		if err != nil {
			return err
		}
		full := func(host string) bool { return waiting[host] || (perHost > 0 && inFlight[host] >= perHost) }
		after := ""
		for len(picked) < limit {
			rows, err := tx.deliveryCandidates(ctx, now, after, append(fullHosts(inFlight, perHost), keys(waiting)...))
			if err != nil {
				return err
			}
			for i := range rows {
				after = rows[i].ID
				key := hostKey{rows[i].Host, rows[i].OrderKey}
				if full(rows[i].Host) || (key.key != "" && busy[key]) {
					if key.key != "" {
						busy[key] = true // nothing newer about it overtakes it
					}
					continue
				}
				if key.key != "" {
					busy[key] = true
				}
				inFlight[rows[i].Host]++
				rows[i].LeaseUntil = &until
				picked = append(picked, rows[i].toFederation())
				if len(picked) == limit {
					break
				}
			}
			if len(rows) < claimScan {
				break
			}
		}
		if len(picked) == 0 {
			return nil
		}
		ids := make([]string, len(picked))
		for i, d := range picked {
			ids[i] = d.ID
		}
		_, err = tx.db.NewUpdate().Model((*deliveryRow)(nil)).Set("lease_until = ?", until).
			Where("id IN (?)", bun.List(ids)).Exec(ctx)
		return dbErr("lease deliveries", err)
	})
	if err != nil {
		return nil, err
	}
	if picked == nil {
		picked = []*federation.Delivery{}
	}
	return picked, nil
}

// deliveryCandidates reads, locked for the claim, up to claimScan pending
// deliveries due at now, not leased, after the ID after and to none of
// the hosts skip. The delivery runner claims every few milliseconds while
// it has work: prepared when no host is skipped (the list's length would
// make a statement per length).
func (s *Store) deliveryCandidates(ctx context.Context, now time.Time, after string, skip []string) ([]deliveryRow, error) {
	var rows []deliveryRow
	q := func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("state = ?", string(federation.DeliveryPending)).Where("next_attempt_at <= ?", bun.Safe("?")).
			Where("(lease_until IS NULL OR lease_until < ?)", bun.Safe("?")).Where("id > ?", bun.Safe("?")).
			OrderExpr("id ASC").Limit(claimScan)
	}
	var err error
	if len(skip) == 0 {
		err = s.selectPrepared(ctx, "delivery candidates", &rows, func(sq *bun.SelectQuery) *bun.SelectQuery {
			return lockForClaim(q(sq))
		}, now, now, after)
	} else {
		err = lockForClaim(s.db.NewSelect().Model(&rows).
			Where("state = ?", string(federation.DeliveryPending)).Where("next_attempt_at <= ?", now).
			Where("(lease_until IS NULL OR lease_until < ?)", now).Where("id > ?", after).
			Where("host NOT IN (?)", bun.List(skip)).OrderExpr("id ASC").Limit(claimScan)).Scan(ctx)
	}
	return rows, dbErr("claim deliveries", err)
}

// hostsAwaitingRetry are the hosts with a pending delivery not yet due.
// Prepared: every claim asks it.
func (s *Store) hostsAwaitingRetry(ctx context.Context, now time.Time) (map[string]bool, error) {
	var hosts []string
	q := func(db bun.IDB) *bun.SelectQuery {
		return db.NewSelect().Model((*deliveryRow)(nil)).ColumnExpr("DISTINCT host").
			Where("state = ?", string(federation.DeliveryPending)).Where("next_attempt_at > ?", bun.Safe("?"))
	}
	err := s.queryPrepared(ctx, "hosts awaiting retry", func(db bun.IDB) bun.Query { return q(db) },
		func(db bun.IDB) string { return q(db).String() }, &hosts, now)
	if err != nil {
		return nil, dbErr("hosts awaiting retry", err)
	}
	out := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		out[h] = true
	}
	return out, nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// hostKey is an order key on one host.
type hostKey struct{ host, key string }

// inFlightByHost counts pending deliveries leased until now or later, by
// host, and lists the order keys they hold. Only the lease is tested (every
// way out of pending clears it), so that the lease index is the one used:
// a test of state would let the planner walk every pending row.
func (s *Store) inFlightByHost(ctx context.Context, now time.Time) (map[string]int, map[hostKey]bool, error) {
	var leased []struct {
		Host     string `bun:"host"`
		OrderKey string `bun:"order_key"`
	}
	// Prepared: every claim asks it.
	q := func(db bun.IDB) *bun.SelectQuery {
		return db.NewSelect().Model((*deliveryRow)(nil)).Column("host", "order_key").
			Where("lease_until >= ?", bun.Safe("?"))
	}
	err := s.queryPrepared(ctx, "deliveries in flight", func(db bun.IDB) bun.Query { return q(db) },
		func(db bun.IDB) string { return q(db).String() }, &leased, now)
	if err != nil {
		return nil, nil, dbErr("count deliveries in flight", err)
	}
	counts := make(map[string]int, len(leased))
	busy := make(map[hostKey]bool, len(leased))
	for _, l := range leased {
		counts[l.Host]++
		if l.OrderKey != "" {
			busy[hostKey{l.Host, l.OrderKey}] = true
		}
	}
	return counts, busy, nil
}

func fullHosts(inFlight map[string]int, perHost int) []string {
	if perHost <= 0 {
		return nil
	}
	var out []string
	for h, n := range inFlight {
		if n >= perHost {
			out = append(out, h)
		}
	}
	return out
}

// FinishDelivery stores a delivery's final State (done, failed or
// dropped), Attempts, LastStatus, LastError and FinishedAt, and releases
// its lease.
func (s *Store) FinishDelivery(ctx context.Context, d *federation.Delivery) error {
	switch d.State {
	case federation.DeliveryDone, federation.DeliveryFailed, federation.DeliveryDropped:
	default:
		return fmt.Errorf("finish delivery %s: state %q is not final", d.ID, d.State)
	}
	res, err := s.db.NewUpdate().Model((*deliveryRow)(nil)).
		Set("state = ?", string(d.State)).Set("attempts = ?", d.Attempts).
		Set("last_status = ?", d.LastStatus).Set("last_error = ?", d.LastError).
		Set("finished_at = ?", utcPtr(d.FinishedAt)).Set("lease_until = NULL").
		Where("id = ?", d.ID).Exec(ctx)
	if err != nil {
		return dbErr("finish delivery", err)
	}
	return affected("finish delivery", res)
}

// FinishDeliveries is FinishDelivery for many deliveries at once, in one
// transaction: one UPDATE per group of equal outcomes (state, attempts,
// status, error, finish time) and deliveryChunk IDs. Deliveries no longer
// stored are skipped.
func (s *Store) FinishDeliveries(ctx context.Context, ds []*federation.Delivery) error {
	type outcome struct {
		state          federation.DeliveryState
		attempts, code int
		msg            string
		at             time.Time
	}
	groups := map[outcome][]string{}
	var order []outcome
	for _, d := range ds {
		switch d.State {
		case federation.DeliveryDone, federation.DeliveryFailed, federation.DeliveryDropped:
		default:
			return fmt.Errorf("finish delivery %s: state %q is not final", d.ID, d.State)
		}
		var at time.Time
		if d.FinishedAt != nil {
			at = utc(*d.FinishedAt)
		}
		o := outcome{d.State, d.Attempts, d.LastStatus, d.LastError, at}
		if _, ok := groups[o]; !ok {
			order = append(order, o)
		}
		groups[o] = append(groups[o], d.ID)
	}
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		for _, o := range order {
			ids := groups[o]
			var at *time.Time
			if !o.at.IsZero() {
				at = &o.at
			}
			for start := 0; start < len(ids); start += deliveryChunk {
				_, err := tx.db.NewUpdate().Model((*deliveryRow)(nil)).
					Set("state = ?", string(o.state)).Set("attempts = ?", o.attempts).
					Set("last_status = ?", o.code).Set("last_error = ?", o.msg).
					Set("finished_at = ?", at).Set("lease_until = NULL").
					Where("id IN (?)", bun.List(ids[start:min(start+deliveryChunk, len(ids))])).Exec(ctx)
				if err != nil {
					return dbErr("finish deliveries", err)
				}
			}
		}
		return nil
	})
}

// RetryDelivery stores Attempts, NextAttemptAt, LastStatus and LastError
// and releases the lease. It does not change State: a delivery dropped
// meanwhile stays dropped.
func (s *Store) RetryDelivery(ctx context.Context, d *federation.Delivery) error {
	res, err := s.db.NewUpdate().Model((*deliveryRow)(nil)).
		Set("attempts = ?", d.Attempts).Set("next_attempt_at = ?", utc(d.NextAttemptAt)).
		Set("last_status = ?", d.LastStatus).Set("last_error = ?", d.LastError).Set("lease_until = NULL").
		Where("id = ?", d.ID).Exec(ctx)
	if err != nil {
		return dbErr("retry delivery", err)
	}
	return affected("retry delivery", res)
}

// DropHostDeliveries marks every pending delivery to host dropped at at
// (leased ones too: their result no longer matters) and returns how many.
func (s *Store) DropHostDeliveries(ctx context.Context, host string, at time.Time) (int, error) {
	res, err := s.db.NewUpdate().Model((*deliveryRow)(nil)).
		Set("state = ?", string(federation.DeliveryDropped)).Set("finished_at = ?", utc(at)).
		Set("lease_until = NULL").
		Where("host = ?", host).Where("state = ?", string(federation.DeliveryPending)).Exec(ctx)
	if err != nil {
		return 0, dbErr("drop host deliveries", err)
	}
	n, err := res.RowsAffected()
	return int(n), dbErr("drop host deliveries", err)
}

// DeliveryStats counts deliveries by state and finds the oldest pending
// one's CreatedAt (nil when none is pending).
func (s *Store) DeliveryStats(ctx context.Context) (federation.DeliveryStats, error) {
	var st federation.DeliveryStats
	var counts []struct {
		State string `bun:"state"`
		N     int    `bun:"n"`
	}
	err := s.db.NewSelect().Model((*deliveryRow)(nil)).Column("state").ColumnExpr("COUNT(*) AS n").
		GroupExpr("state").Scan(ctx, &counts)
	if err != nil {
		return st, dbErr("delivery stats", err)
	}
	for _, c := range counts {
		switch federation.DeliveryState(c.State) {
		case federation.DeliveryPending:
			st.Pending = c.N
		case federation.DeliveryDone:
			st.Done = c.N
		case federation.DeliveryFailed:
			st.Failed = c.N
		case federation.DeliveryDropped:
			st.Dropped = c.N
		}
	}
	if st.Pending == 0 {
		return st, nil
	}
	var oldest deliveryRow
	err = s.db.NewSelect().Model(&oldest).Column("id", "created_at").
		Where("state = ?", string(federation.DeliveryPending)).OrderExpr("created_at ASC, id ASC").Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		// Finished between the two queries (they are not one snapshot).
		return st, nil
	} else if err != nil {
		return st, dbErr("delivery stats: oldest pending", err)
	}
	at := oldest.CreatedAt.UTC()
	st.OldestPending = &at
	return st, nil
}

type hostRow struct {
	bun.BaseModel    `bun:"table:hosts"`
	Host             string     `bun:"host,pk"`
	ConsecutiveFails int        `bun:"consecutive_fails"`
	OpenUntil        *time.Time `bun:"open_until"`
	LastSuccess      *time.Time `bun:"last_success"`
	LastFailure      *time.Time `bun:"last_failure"`
	Delivered        int        `bun:"delivered"`
	Failed           int        `bun:"failed"`
}

func (r *hostRow) toFederation() *federation.HostHealth {
	return &federation.HostHealth{Host: r.Host, ConsecutiveFails: r.ConsecutiveFails, OpenUntil: utcPtr(r.OpenUntil),
		LastSuccess: utcPtr(r.LastSuccess), LastFailure: utcPtr(r.LastFailure), Delivered: r.Delivered, Failed: r.Failed}
}

// Host returns a host's delivery record; ErrNotFound if it has none.
func (s *Store) Host(ctx context.Context, host string) (*federation.HostHealth, error) {
	var r hostRow
	if err := s.db.NewSelect().Model(&r).Where("host = ?", host).Scan(ctx); err != nil {
		return nil, dbErr("host", err)
	}
	return r.toFederation(), nil
}

// HostsByName returns the records of the given hosts that have one.
func (s *Store) HostsByName(ctx context.Context, hosts []string) (map[string]*federation.HostHealth, error) {
	out := make(map[string]*federation.HostHealth, len(hosts))
	for start := 0; start < len(hosts); start += deliveryChunk {
		var rows []hostRow
		chunk := hosts[start:min(start+deliveryChunk, len(hosts))]
		if err := s.db.NewSelect().Model(&rows).Where("host IN (?)", bun.List(chunk)).Scan(ctx); err != nil {
			return nil, dbErr("hosts", err)
		}
		for i := range rows {
			out[rows[i].Host] = rows[i].toFederation()
		}
	}
	return out, nil
}

// SaveHost inserts or replaces a host's record.
func (s *Store) SaveHost(ctx context.Context, h *federation.HostHealth) error {
	row := &hostRow{Host: h.Host, ConsecutiveFails: h.ConsecutiveFails, OpenUntil: utcPtr(h.OpenUntil),
		LastSuccess: utcPtr(h.LastSuccess), LastFailure: utcPtr(h.LastFailure), Delivered: h.Delivered, Failed: h.Failed}
	_, err := upsert(s.db.NewInsert().Model(row).Returning("NULL"), "host", "consecutive_fails", "open_until",
		"last_success", "last_failure", "delivered", "failed").Exec(ctx)
	return dbErr("save host", err)
}

// SaveHosts inserts or replaces host records, deliveryChunk per INSERT.
func (s *Store) SaveHosts(ctx context.Context, hs []*federation.HostHealth) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		for start := 0; start < len(hs); start += deliveryChunk {
			chunk := hs[start:min(start+deliveryChunk, len(hs))]
			rows := make([]hostRow, len(chunk))
			for i, h := range chunk {
				rows[i] = hostRow{Host: h.Host, ConsecutiveFails: h.ConsecutiveFails, OpenUntil: utcPtr(h.OpenUntil),
					LastSuccess: utcPtr(h.LastSuccess), LastFailure: utcPtr(h.LastFailure), Delivered: h.Delivered, Failed: h.Failed}
			}
			_, err := upsert(tx.db.NewInsert().Model(&rows).Returning("NULL"), "host", "consecutive_fails", "open_until",
				"last_success", "last_failure", "delivered", "failed").Exec(ctx)
			if err != nil {
				return dbErr("save hosts", err)
			}
		}
		return nil
	})
}

// ListHosts lists host records by host name.
func (s *Store) ListHosts(ctx context.Context, limit int) ([]*federation.HostHealth, error) {
	var rows []hostRow
	if err := s.db.NewSelect().Model(&rows).OrderExpr("host ASC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, dbErr("list hosts", err)
	}
	out := make([]*federation.HostHealth, len(rows))
	for i := range rows {
		out[i] = rows[i].toFederation()
	}
	return out, nil
}
