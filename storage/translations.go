package storage

import (
	"context"
	"sort"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
)

// translationRow is one other-language version of a post.
type translationRow struct {
	bun.BaseModel `bun:"table:post_translations"`
	PostID        string     `bun:"post_id,pk"`
	Lang          string     `bun:"lang,pk"`
	Title         string     `bun:"title"`
	HTML          string     `bun:"html"`
	Source        string     `bun:"source"`
	TranslatorID  string     `bun:"translator_id"`
	CreatedAt     *time.Time `bun:"created_at"`
}

func (s *Store) insertTranslations(ctx context.Context, p *forum.Post) error {
	if len(p.Translations) == 0 {
		return nil
	}
	rows := make([]translationRow, 0, len(p.Translations))
	for lang, t := range p.Translations {
		rows = append(rows, translationRow{PostID: p.ID, Lang: lang, Title: t.Title, HTML: t.HTML,
			Source: t.Source, TranslatorID: t.TranslatorID, CreatedAt: t.CreatedAt})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Lang < rows[j].Lang })
	_, err := s.db.NewInsert().Model(&rows).Exec(ctx)
	return dbErr("store post translations", err)
}

// withTranslations converts rows and loads the translations of those
// that have some (postRow.HasTranslations) in one query, and their images
// (postRow.HasImages) in another. Translations is nil for a post that has
// none (every local post), so an empty map does not round-trip: it comes
// back nil.
func (s *Store) withTranslations(ctx context.Context, rows []postRow) ([]*forum.Post, error) {
	out := make([]*forum.Post, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	byID := make(map[string]*forum.Post, len(rows))
	withImages := map[string]*forum.Post{}
	var ids []string
	for i := range rows {
		out[i] = rows[i].toForum()
		if rows[i].HasTranslations {
			byID[rows[i].ID] = out[i]
			ids = append(ids, rows[i].ID)
		}
		if rows[i].HasImages {
			withImages[rows[i].ID] = out[i]
		}
	}
	if err := s.loadImages(ctx, withImages); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return out, nil
	}
	var trs []translationRow
	if err := s.db.NewSelect().Model(&trs).Where("post_id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, dbErr("load post translations", err)
	}
	for _, t := range trs {
		p := byID[t.PostID]
		if p.Translations == nil {
			p.Translations = map[string]forum.Translation{}
		}
		p.Translations[t.Lang] = forum.Translation{Title: t.Title, HTML: t.HTML, Source: t.Source,
			TranslatorID: t.TranslatorID, CreatedAt: t.CreatedAt}
	}
	return out, nil
}

// QuestionTitles gives, for each of the threads whose question has a
// version in lang, that version's title: lists and search results show a
// thread's title in the reader's language.
func (s *Store) QuestionTitles(ctx context.Context, threadIDs []forum.ID, lang string) (map[forum.ID]string, error) {
	out := map[forum.ID]string{}
	if len(threadIDs) == 0 || lang == "" {
		return out, nil
	}
	var rows []struct {
		ThreadID string `bun:"thread_id"`
		Title    string `bun:"title"`
	}
	err := s.db.NewSelect().TableExpr("threads AS t").
		Join("JOIN post_translations AS pt ON pt.post_id = t.root_post_id").
		ColumnExpr("t.id AS thread_id, pt.title AS title").
		Where("t.id IN (?)", bun.List(threadIDs)).Where("pt.lang = ?", lang).Where("pt.title <> ''").
		Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("question titles", err)
	}
	for _, r := range rows {
		out[r.ThreadID] = r.Title
	}
	return out, nil
}
