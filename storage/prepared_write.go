package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"
)

// Prepared writes: the statements every received reply runs (its post, its
// event, its thread's count, its inbox item) prepared once per connection,
// inside a transaction as well as outside. bun writes each argument into
// the SQL text, so SQLite parsed every one of them again: about a fifth of
// applying a reply was parsing.
//
// A prepared write is shown to the database's query hooks (Changes, the
// write gate, a benchmark's counter) as the bun query it stands for, with
// its table: they see it exactly as they see bun's statements, so what the
// caches forget is decided in one place (Changes.observe) for both.
//
// Its arguments are what bun would have written, not what the driver
// makes of Go values: times as bun's text (SQLite keeps them as text and
// compares them as text), NULL where bun writes NULL or DEFAULT, strings
// as bun escapes them. TestPreparedWriteEncoding compares stored values
// column by column.

// errNulInString is bun's refusal too: a string with a NUL byte is never
// stored (PostgreSQL's driver would drop the byte, SQLite keep it).
var errNulInString = errors.New("string contains a NUL byte")

// execPrepared runs the write statement named id: text(db) builds it, with
// ? for each of args; iq is the bun query it stands for (its table tells
// the hooks what it writes). Inside a transaction it runs on the
// transaction's connection (the statement prepared there once). Past
// maxStatements it runs unprepared, still without bun's interpolation.
func (s *Store) execPrepared(ctx context.Context, id string, iq func(db bun.IDB) bun.Query, text func(db bun.IDB) string, args ...any) (sql.Result, error) {
	enc := make([]any, len(args))
	for i, a := range args {
		v, err := encodeArg(a)
		if err != nil {
			return nil, fmt.Errorf("%s: argument %d: %w", id, i+1, err)
		}
		enc[i] = v
	}
	st := s.stmts
	if st == nil {
		return nil, fmt.Errorf("%s: no prepared statements on this store", id)
	}
	w, err := st.write(ctx, id, iq, text)
	if err != nil {
		return nil, err
	}
	var tx *sql.Tx
	if s.inTx {
		btx, ok := s.db.(bun.Tx)
		if !ok {
			return nil, fmt.Errorf("%s: transaction of type %T", id, s.db)
		}
		tx = btx.Tx
	}
	e := &bun.QueryEvent{DB: st.db, IQuery: w.iq, Query: w.text, QueryArgs: enc, StartTime: time.Now()}
	for _, h := range st.hooks {
		ctx = h.BeforeQuery(ctx, e)
	}
	e.Result, e.Err = w.exec(ctx, st.db.DB, tx, enc)
	for i := len(st.hooks) - 1; i >= 0; i-- {
		st.hooks[i].AfterQuery(ctx, e)
	}
	return e.Result, e.Err
}

// preparedWrite is one write statement: its text (placeholders numbered
// for PostgreSQL), the bun query it stands for, and the statement when it
// could be prepared.
type preparedWrite struct {
	text string
	iq   bun.Query
	stmt *sql.Stmt // nil past maxStatements
}

func (w *preparedWrite) exec(ctx context.Context, db *sql.DB, tx *sql.Tx, args []any) (sql.Result, error) {
	switch {
	case w.stmt != nil && tx != nil:
		// The statement prepared on the transaction's connection the
		// first time, reused after (database/sql keeps it on the parent).
		s := tx.StmtContext(ctx, w.stmt)
		defer s.Close()
		return s.ExecContext(ctx, args...)
	case w.stmt != nil:
		return w.stmt.ExecContext(ctx, args...)
	case tx != nil:
		return tx.ExecContext(ctx, w.text, args...)
	default:
		return db.ExecContext(ctx, w.text, args...)
	}
}

// write returns the write statement named id, preparing it the first time.
func (st *statements) write(ctx context.Context, id string, iq func(db bun.IDB) bun.Query, text func(db bun.IDB) string) (*preparedWrite, error) {
	st.mu.Lock()
	w, ok := st.writes[id]
	st.mu.Unlock()
	if ok {
		return w, nil
	}
	stmt, err := st.get(ctx, id, text)
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", id, err)
	}
	q := text(st.db)
	if st.pg {
		q = dollarPlaceholders(q)
	}
	w = &preparedWrite{text: q, iq: iq(st.db), stmt: stmt}
	st.mu.Lock()
	defer st.mu.Unlock()
	if prev, ok := st.writes[id]; ok {
		return prev, nil
	}
	st.writes[id] = w
	return w, nil
}

// insertPrepared inserts row (a pointer to a model struct) with a
// prepared statement named id: every column of the model, as bun's
// INSERT of it would write them.
func (s *Store) insertPrepared(ctx context.Context, id string, row any) (sql.Result, error) {
	return s.insertPreparedThen(ctx, id, row, "")
}

// insertPreparedThen is insertPrepared with then (its ON CONFLICT and
// RETURNING clauses, as bun writes them) after the VALUES.
func (s *Store) insertPreparedThen(ctx context.Context, id string, row any, then string) (sql.Result, error) {
	v := reflect.ValueOf(row)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("%s: insert of %T, want a pointer to a struct", id, row)
	}
	strct := v.Elem()
	table := s.db.Dialect().Tables().Get(strct.Type())
	args := make([]any, len(table.Fields))
	for i, f := range table.Fields {
		a, err := fieldArg(f, strct)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", id, err)
		}
		args[i] = a
	}
	zero := reflect.New(strct.Type()).Interface() // the table only: the statement is kept
	return s.execPrepared(ctx, id, func(db bun.IDB) bun.Query { return db.NewInsert().Model(zero) },
		func(bun.IDB) string { return insertText(table) + then }, args...)
}

// insertText is INSERT INTO table (every column) VALUES (?, …).
func insertText(t *schema.Table) string {
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(string(t.SQLName))
	b.WriteString(" (")
	for i, f := range t.Fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(f.SQLName))
	}
	b.WriteString(") VALUES (")
	for i := range t.Fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('?')
	}
	b.WriteString(")")
	return b.String()
}

// fieldArg is the argument for field f of strct: NULL where bun's INSERT
// writes NULL or DEFAULT (a nil pointer, a zero nullzero field: their
// columns default to NULL), else the field's value.
func fieldArg(f *schema.Field, strct reflect.Value) (any, error) {
	if f.SQLDefault != "" {
		// bun writes DEFAULT for such a zero field: a NULL here would differ.
		return nil, fmt.Errorf("column %s has a default (%s): not supported", f.Name, f.SQLDefault)
	}
	if (f.IsPtr && f.HasNilValue(strct)) || (f.NullZero && f.HasZeroValue(strct)) {
		return nil, nil
	}
	return f.Value(strct).Interface(), nil
}

// encodeArg is the driver argument for v that stores what bun's text for v
// stores: for the types the prepared writes use, else an error.
func encodeArg(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		return bunString(v)
	case []byte:
		if v == nil {
			return nil, nil // bun writes NULL
		}
		return v, nil
	case int:
		return int64(v), nil
	case int64:
		return v, nil
	case int32:
		return int64(v), nil
	case time.Time:
		return bunTime(v), nil
	case *time.Time:
		if v == nil {
			return nil, nil
		}
		return bunTime(*v), nil
	default:
		return nil, fmt.Errorf("no prepared encoding for %T", v)
	}
}

// bunTime is bun's text for a time (schema.BaseDialect.AppendTime, both
// dialects): UTC, microseconds with trailing zeros cut, "+00:00".
func bunTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.999999-07:00")
}

// bunString is s as bun writes it: refused with a NUL byte, and each byte
// of invalid UTF-8 replaced by U+FFFD (bun re-encodes the string rune by
// rune).
func bunString(s string) (string, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return "", errNulInString
	}
	if utf8.ValidString(s) {
		return s, nil
	}
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r)
	}
	return b.String(), nil
}
