package storage_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun/migrate"

	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/migrations"
	"github.com/metropolis/agora/storage/storetest"
)

func TestOpenURLs(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		opts    storage.Options
		dialect string
		file    string // the SQLite file that must exist afterwards
		err     string
	}{
		{name: "default", opts: storage.Options{DataDir: filepath.Join(dir, "data")}, dialect: "sqlite",
			file: filepath.Join(dir, "data", "forum.db")},
		{name: "sqlite scheme", opts: storage.Options{DatabaseURL: "sqlite://" + filepath.Join(dir, "a.db")},
			dialect: "sqlite", file: filepath.Join(dir, "a.db")},
		{name: "file scheme", opts: storage.Options{DatabaseURL: "file:" + filepath.Join(dir, "b.db")},
			dialect: "sqlite", file: filepath.Join(dir, "b.db")},
		{name: "unknown scheme", opts: storage.Options{DatabaseURL: "mysql://root@localhost/forum"},
			err: `unsupported database URL scheme "mysql"`},
		{name: "no scheme", opts: storage.Options{DatabaseURL: "forum.db"}, err: "unsupported database URL scheme"},
		{name: "no path", opts: storage.Options{DatabaseURL: "sqlite://"}, err: "empty SQLite path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := storage.Open(t.Context(), tt.opts)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Open: err = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer db.Close()
			if got := db.Dialect(); got != tt.dialect {
				t.Errorf("Dialect() = %q, want %q", got, tt.dialect)
			}
			if err := db.Migrate(t.Context()); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			if _, err := os.Stat(tt.file); err != nil {
				t.Errorf("database file: %v", err)
			}
		})
	}
}

func TestOpenSQLitePragmas(t *testing.T) {
	db := storetest.Backends(t)[0].Open(t)
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000"} {
		var got string
		if err := db.Bun().NewRaw("PRAGMA "+pragma).Scan(t.Context(), &got); err != nil {
			t.Fatalf("PRAGMA %s: %v", pragma, err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %q, want %q", pragma, got, want)
		}
	}
}

func TestMigrateIdempotent(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t) // migrated once already
			for range 2 {
				if err := db.Migrate(t.Context()); err != nil {
					t.Fatalf("Migrate again: %v", err)
				}
			}
			n, err := db.Bun().NewSelect().Table("bun_migrations").Count(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if want := int64(len(migrations.Migrations.Sorted())); n != want || want < 3 {
				t.Errorf("bun_migrations has %d rows, want %d (at least 3)", n, want)
			}
			locks, err := db.Bun().NewSelect().Table("bun_migration_locks").Count(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if locks != 0 {
				t.Errorf("migration lock left behind (%d rows)", locks)
			}
			if err := db.Store().Ping(t.Context()); err != nil {
				t.Errorf("Ping: %v", err)
			}
		})
	}
}

func TestTimeRoundTrip(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		// A non-UTC zone and nanoseconds: stored as UTC, microseconds kept.
		zone := time.FixedZone("BRT", -3*3600)
		at := time.Date(2026, 1, 2, 3, 4, 5, 678912345, zone)
		th, _ := f.newThread(t, s, "times")
		th.LastPostAt = at
		th.DeletedAt = &at
		if err := s.UpdateThread(ctx(t), th); err != nil {
			t.Fatal(err)
		}
		got, err := s.ThreadByID(ctx(t), th.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := at.UTC().Truncate(time.Microsecond)
		if !got.LastPostAt.Equal(want) || got.LastPostAt.Location() != time.UTC {
			t.Errorf("LastPostAt = %v, want %v", got.LastPostAt, want)
		}
		if got.DeletedAt == nil || !got.DeletedAt.Equal(want) {
			t.Errorf("DeletedAt = %v, want %v", got.DeletedAt, want)
		}
		if !got.CreatedAt.Equal(t0) {
			t.Errorf("CreatedAt = %v, want %v", got.CreatedAt, t0)
		}
	})
}

// TestMigrateConcurrently migrates one new database from two handles at
// once, as two processes starting together would: the table lock makes one
// wait, and both succeed. (SQLite only: storetest hands out databases
// already migrated.)
func TestMigrateConcurrently(t *testing.T) {
	url := "sqlite://" + filepath.Join(t.TempDir(), "forum.db")
	errs := make(chan error, 2)
	for range 2 {
		db, err := storage.Open(t.Context(), storage.Options{DatabaseURL: url})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		go func() { errs <- db.Migrate(t.Context()) }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("Migrate: %v", err)
		}
	}
}

// TestMigrateDownAndUp rolls every migration back and applies them again:
// each down undoes its up on both databases.
func TestMigrateDownAndUp(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			m := migrate.NewMigrator(db.Bun(), migrations.Migrations)
			for {
				group, err := m.Rollback(t.Context())
				if err != nil {
					t.Fatalf("Rollback: %v", err)
				}
				if group.IsZero() {
					break
				}
			}
			if err := db.Migrate(t.Context()); err != nil {
				t.Fatalf("Migrate after rollback: %v", err)
			}
			if err := db.Store().Ping(t.Context()); err != nil {
				t.Errorf("Ping: %v", err)
			}
		})
	}
}

// TestMigrateConcurrentlyPostgres migrates one empty PostgreSQL database
// from four handles at once, as four processes starting together would:
// the advisory lock lets one migrate, the others then find nothing to do.
func TestMigrateConcurrentlyPostgres(t *testing.T) {
	url := storetest.EmptyPostgres(t)
	if url == "" {
		t.Skip(storetest.EnvDatabaseURL + " not set")
	}
	errs := make(chan error, 4)
	for range 4 {
		db, err := storage.Open(t.Context(), storage.Options{DatabaseURL: url})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		go func() { errs <- db.Migrate(t.Context()) }()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("Migrate: %v", err)
		}
	}
}
