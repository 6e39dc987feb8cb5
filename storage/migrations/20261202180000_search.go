package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// Full-text search. search_docs holds, per post that stands, its index
// terms as package search wrote them (title: the question's title; body:
// the post and its translations, each analysed in its own language);
// title_key is the title's folded words (an exact match ranks first).
// Both databases index those same terms, so they find the same posts:
//
//   - SQLite: the FTS5 table search_fts reads search_docs (external
//     content) and triggers keep it in step with every write to it.
//   - PostgreSQL: a stored tsvector made of the terms as they are
//     (array_to_tsvector: no parser, no dictionary, so nothing differs
//     from SQLite), the title's weighted A, under a GIN index.
//
// post_tags lists each post's hashtags, for the tags page and tag search.
// The tables start empty: the node fills them (storage.Store.Reindex)
// when the analysis version it records differs, which it does the first
// time. Frozen as shipped: never edit.

var searchStatements = map[string][]string{
	"sqlite": {
		`CREATE TABLE search_docs (
			id INTEGER PRIMARY KEY,
			post_id TEXT NOT NULL UNIQUE,
			title_key TEXT NOT NULL DEFAULT '',
			title TEXT NOT NULL DEFAULT '',
			body TEXT NOT NULL DEFAULT '')`,
		`CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_docs', content_rowid='id',
			tokenize='unicode61 remove_diacritics 0')`,
		`CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
			INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
		END`,
		`CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
			INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
		END`,
		`CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN
			INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
			INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
		END`,
	},
	"pg": {
		`CREATE TABLE search_docs (
			post_id TEXT PRIMARY KEY,
			title_key TEXT NOT NULL DEFAULT '',
			title TEXT NOT NULL DEFAULT '',
			body TEXT NOT NULL DEFAULT '',
			tsv tsvector GENERATED ALWAYS AS (
				setweight(array_to_tsvector(string_to_array(title, ' ')), 'A') ||
				setweight(array_to_tsvector(string_to_array(body, ' ')), 'D')) STORED)`,
		`CREATE INDEX search_docs_tsv_idx ON search_docs USING GIN (tsv)`,
	},
	"both": {
		`CREATE TABLE post_tags (post_id TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (post_id, tag))`,
		`CREATE INDEX post_tags_tag_idx ON post_tags (tag, post_id)`,
	},
}

var searchDrops = []string{
	`DROP INDEX IF EXISTS post_tags_tag_idx`,
	`DROP TABLE IF EXISTS post_tags`,
	`DROP TABLE IF EXISTS search_fts`,
	`DROP TABLE IF EXISTS search_docs`,
}

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			kind := "sqlite"
			if db.Dialect().Name() == dialect.PG {
				kind = "pg"
			}
			for _, stmt := range append(searchStatements[kind], searchStatements["both"]...) {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("search: %w", err)
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, stmt := range searchDrops {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("search: %w", err)
				}
			}
			return nil
		})
	})
}
