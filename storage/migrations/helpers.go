package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Helpers shared by migrations after init. They take the frozen
// descriptions a migration declares and only issue DDL, so changing them
// must keep the SQL they produce for every migration that uses them.

// createTablesAndIndexes creates tables in order, then indexes.
func createTablesAndIndexes(ctx context.Context, tx bun.Tx, tables []initTable, indexes []initIndex) error {
	for _, t := range tables {
		q := tx.NewCreateTable().Model(t.model)
		for _, fk := range t.fks {
			q = q.ForeignKey(fk)
		}
		if _, err := q.Exec(ctx); err != nil {
			return fmt.Errorf("create table %T: %w", t.model, err)
		}
	}
	for _, ix := range indexes {
		q := tx.NewCreateIndex().Table(ix.table).Index(ix.name).Column(ix.columns...)
		if ix.unique {
			q = q.Unique()
		}
		if ix.where != "" {
			q = q.Where(ix.where)
		}
		if _, err := q.Exec(ctx); err != nil {
			return fmt.Errorf("create index %s: %w", ix.name, err)
		}
	}
	return nil
}

// dropTablesAndIndexes undoes createTablesAndIndexes.
func dropTablesAndIndexes(ctx context.Context, tx bun.Tx, tables []initTable, indexes []initIndex) error {
	for i := len(indexes) - 1; i >= 0; i-- {
		if _, err := tx.NewDropIndex().Index(indexes[i].name).IfExists().Exec(ctx); err != nil {
			return fmt.Errorf("drop index %s: %w", indexes[i].name, err)
		}
	}
	for i := len(tables) - 1; i >= 0; i-- {
		if _, err := tx.NewDropTable().Model(tables[i].model).IfExists().Exec(ctx); err != nil {
			return fmt.Errorf("drop table %T: %w", tables[i].model, err)
		}
	}
	return nil
}
