package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/storetest"
)

// storedValue is what a column holds, as the database sees it: its
// storage class on SQLite (typeof), its text, or NULL.
type storedValue struct {
	class string
	text  sql.NullString
}

// storedRow reads every column of table's row id as stored.
func storedRow(t *testing.T, db *storage.DB, table, id string) map[string]storedValue {
	t.Helper()
	c := ctx(t)
	// The column names from the catalogue (PostgreSQL's driver reuses the
	// bytes of a result's column names).
	list := "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = current_schema()"
	if db.Dialect() == storage.DialectSQLite {
		list = "SELECT name FROM pragma_table_info(?)"
	}
	var cols []string
	if err := db.Bun().NewRaw(list, table).Scan(c, &cols); err != nil {
		t.Fatalf("columns of %s: %v", table, err)
	}
	class := "'-'" // PostgreSQL: the column's type is the same for every row
	if db.Dialect() == storage.DialectSQLite {
		class = "typeof(%s)"
	}
	out := map[string]storedValue{}
	for _, col := range cols {
		var v storedValue
		q := fmt.Sprintf("SELECT "+class+", CAST(%s AS TEXT) FROM %s WHERE id = ?", col, col, table)
		if db.Dialect() != storage.DialectSQLite {
			q = fmt.Sprintf("SELECT "+class+", CAST(%s AS TEXT) FROM %s WHERE id = ?", col, table)
		}
		if err := db.Bun().QueryRowContext(c, q, id).Scan(&v.class, &v.text); err != nil {
			t.Fatalf("read %s.%s: %v", table, col, err)
		}
		out[col] = v
	}
	if len(out) == 0 {
		t.Fatalf("%s: no columns", table)
	}
	return out
}

// sameStored fails unless rows a and b hold the same values in every
// column but those of skip (their ids).
func sameStored(t *testing.T, what string, a, b map[string]storedValue, skip ...string) {
	t.Helper()
	skipped := map[string]bool{}
	for _, c := range skip {
		skipped[c] = true
	}
	for col, va := range a {
		if skipped[col] {
			continue
		}
		if vb := b[col]; va != vb {
			t.Errorf("%s: column %s: prepared stored %+v, bun %+v", what, col, va, vb)
		}
	}
}

// TestPreparedWriteEncoding: each prepared write stores, column by
// column, exactly what bun's statement stored (SQLite compares times as
// text, so a time in another layout would sort wrong).
func TestPreparedWriteEncoding(t *testing.T) {
	// Nanoseconds and a zone other than UTC: bun keeps microseconds, cut
	// (not rounded), in UTC.
	odd := time.Date(2026, 11, 22, 12, 30, 15, 123456789, time.FixedZone("BRT", -3*3600))
	round := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	micro := time.Date(2026, 11, 22, 10, 0, 0, 120000, time.UTC) // trailing zeros cut
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			s := db.Store()
			f := newFixture(t, s)
			th, q := f.newThread(t, s, "Open data portals")
			post := func(id forum.ID) *forum.Post {
				return &forum.Post{ID: id, ThreadID: th.ID, AuthorID: f.member.ID, ParentID: q.ID, BranchID: q.ID,
					Language: "pt", Source: "it's \"quoted\" — ção", HTML: "<p>it's</p>", CreatedAt: odd}
			}
			tests := []struct {
				name  string
				table string
				// write writes row id, prepared or with bun.
				write func(t *testing.T, id forum.ID, prepared bool)
				skip  []string // columns that hold the row's own id
			}{
				{"a local answer (no URI, no times but its creation)", "posts", func(t *testing.T, id forum.ID, prepared bool) {
					p := post(id)
					if prepared {
						wantErr(t, "CreatePost", s.CreatePost(ctx(t), p), nil)
					} else {
						wantErr(t, "bun insert post", storage.BunInsertPost(ctx(t), s, p), nil)
					}
				}, []string{"id"}},
				{"a received answer (URI, extras, every time, invalid UTF-8)", "posts", func(t *testing.T, id forum.ID, prepared bool) {
					p := post(id)
					p.URI = "https://remote.example/notes/" + string(id)
					p.Source, p.HTML = "bad \xff\xfe bytes", "<p>ok</p>"
					p.Extras = forum.Extras{Warning: "spoiler", Sensitive: true}
					p.HelpfulCount, p.ShareCount = 3, 7
					p.GoodPracticeAt, p.GoodPracticeBy = &micro, f.member.ID
					p.EditedAt, p.OriginUpdatedAt, p.DeletedAt, p.DeletedBy = &odd, &round, &micro, f.member.ID
					if prepared {
						wantErr(t, "CreatePost", s.CreatePost(ctx(t), p), nil)
					} else {
						wantErr(t, "bun insert post", storage.BunInsertPost(ctx(t), s, p), nil)
					}
				}, []string{"id", "uri"}},
				{"an event", "events", func(t *testing.T, id forum.ID, prepared bool) {
					e := &forum.Event{ID: id, Kind: forum.EventPostReceived, ActorID: f.member.ID, ForumID: f.forum.ID,
						ThreadID: th.ID, PostID: q.ID, ReceivedID: "r1", CreatedAt: odd}
					if prepared {
						wantErr(t, "AppendEvent", s.AppendEvent(ctx(t), e), nil)
					} else {
						wantErr(t, "bun append event", storage.BunAppendEvent(ctx(t), s, e), nil)
					}
				}, []string{"id"}},
				{"an inbox item added (every column set, a body of invalid UTF-8)", "inbox_items", func(t *testing.T, id forum.ID, prepared bool) {
					it := &federation.InboxItem{ID: id, ActivityID: "https://remote.example/a/" + string(id), ActorURI: "https://remote.example/u/x",
						Body: []byte("{\"a\":\"\xff\x00'\"}"), ReceivedAt: odd, Attempts: 3, NextAttemptAt: micro,
						ProcessedAt: &round, FailedAt: &odd, LastError: "it's \"bad\""}
					if prepared {
						wantErr(t, "AddInboxItem", s.AddInboxItem(ctx(t), it), nil)
						// Seen before: refused, as bun's ON CONFLICT DO NOTHING made it.
						wantErr(t, "AddInboxItem again", s.AddInboxItem(ctx(t), it), forum.ErrConflict)
						// A new one after the refusal is stored (the count of
						// rows changed is the new statement's own).
						next := *it
						next.ID, next.ActivityID = f.ids.New(), it.ActivityID+"/next"
						wantErr(t, "AddInboxItem after a refusal", s.AddInboxItem(ctx(t), &next), nil)
					} else {
						wantErr(t, "bun add inbox item", storage.BunAddInboxItem(ctx(t), s, it), nil)
					}
				}, []string{"id", "activity_id"}},
				{"an inbox item finished", "inbox_items", func(t *testing.T, id forum.ID, prepared bool) {
					it := &federation.InboxItem{ID: id, ActivityID: "https://remote.example/a/" + string(id), ActorURI: "https://remote.example/u/x",
						Body: []byte(`{}`), ReceivedAt: round, NextAttemptAt: round}
					wantErr(t, "AddInboxItem", s.AddInboxItem(ctx(t), it), nil)
					if _, err := s.ClaimInboxItems(ctx(t), odd, time.Minute, 10); err != nil {
						t.Fatal(err)
					}
					if prepared {
						wantErr(t, "FinishInboxItem", s.FinishInboxItem(ctx(t), id, odd), nil)
					} else {
						wantErr(t, "bun finish inbox item", storage.BunFinishInboxItem(ctx(t), s, id, odd), nil)
					}
				}, []string{"id", "activity_id", "lease_until"}},
				{"a thread's replies counted, in a transaction", "threads", func(t *testing.T, id forum.ID, prepared bool) {
					nt := *th
					nt.ID, nt.RootPostID, nt.LastPostID = id, id, id
					nq := *q
					nq.ID, nq.ThreadID, nq.BranchID = id, id, id
					wantErr(t, "CreateThread", s.CreateThread(ctx(t), &nt, &nq), nil)
					err := s.Atomic(ctx(t), func(c context.Context, tx forum.Store) error {
						if prepared {
							return tx.AddThreadReplies(c, id, 2, "ZZZZZZZZZZZZZZZZZZZZZZZZZZ", odd)
						}
						return storage.BunAddThreadReplies(c, tx.(*storage.Store), id, 2, "ZZZZZZZZZZZZZZZZZZZZZZZZZZ", odd)
					})
					wantErr(t, "count replies", err, nil)
				}, []string{"id", "root_post_id"}},
				// (last_post_id: both rows get the same, larger one.)
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					a, b := f.ids.New(), f.ids.New()
					tt.write(t, a, true)
					tt.write(t, b, false)
					sameStored(t, tt.name, storedRow(t, db, tt.table, a), storedRow(t, db, tt.table, b), tt.skip...)
				})
			}
		})
	}
}
