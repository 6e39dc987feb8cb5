// Package migrations holds the schema changes of package storage, in order.
// A shipped migration never changes: see README.md.
package migrations

import "github.com/uptrace/bun/migrate"

// Migrations are every migration, registered by the files of this package.
var Migrations = migrate.NewMigrations()
