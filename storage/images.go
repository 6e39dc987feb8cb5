package storage

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/media"
)

// imageRow is one image of a local post (forum.Image), in its place.
type imageRow struct {
	bun.BaseModel `bun:"table:post_images"`
	PostID        string `bun:"post_id,pk"`
	Position      int    `bun:"position,pk"`
	Name          string `bun:"name"`
	Alt           string `bun:"alt"`
	MediaType     string `bun:"media_type"`
	Width         int    `bun:"width"`
	Height        int    `bun:"height"`
}

// replaceImages writes a post's images as they are now (an edit may
// add, remove or re-describe them; a deleted post has none left).
func (s *Store) replaceImages(ctx context.Context, p *forum.Post) error {
	if p.URI != "" && len(p.Images) == 0 {
		// A received post: its media are links in Extras, it never has
		// rows here. Updates of received posts are the inbox's hot path,
		// so they skip the statement.
		return nil
	}
	if _, err := s.db.NewDelete().Model((*imageRow)(nil)).Where("post_id = ?", p.ID).Exec(ctx); err != nil {
		return dbErr("replace post images", err)
	}
	return s.insertImages(ctx, p)
}

// insertImages stores a new post's images.
func (s *Store) insertImages(ctx context.Context, p *forum.Post) error {
	if len(p.Images) == 0 {
		return nil
	}
	rows := make([]imageRow, len(p.Images))
	for i, img := range p.Images {
		rows[i] = imageRow{PostID: p.ID, Position: i, Name: img.Name, Alt: img.Alt, MediaType: img.MediaType,
			Width: img.Width, Height: img.Height}
	}
	_, err := s.db.NewInsert().Model(&rows).Exec(ctx)
	return dbErr("store post images", err)
}

// loadImages fills in the images of the posts in byID (those whose row
// said it has some: postRow.HasImages) with one query.
func (s *Store) loadImages(ctx context.Context, byID map[string]*forum.Post) error {
	if len(byID) == 0 {
		return nil
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	var rows []imageRow
	if err := s.db.NewSelect().Model(&rows).Where("post_id IN (?)", bun.List(ids)).
		OrderExpr("post_id ASC, position ASC").Scan(ctx); err != nil {
		return dbErr("load post images", err)
	}
	for _, r := range rows {
		p := byID[r.PostID]
		p.Images = append(p.Images, forum.Image{Name: r.Name, Alt: r.Alt, MediaType: r.MediaType,
			Width: r.Width, Height: r.Height})
	}
	return nil
}

// mediaInUseChunk bounds the names of one query (SQLite allows 32766
// variables; a page of the sweeper is far less, this keeps it so).
const mediaInUseChunk = 500

var _ media.References = (*Store)(nil)

// MediaInUse implements media.References: a file is in use while an image
// of a post that can still be seen (not deleted, in a thread not deleted)
// names it, an upload not yet swept names it, or a member has it as
// avatar. The same file may be all three at once (content hash).
func (s *Store) MediaInUse(ctx context.Context, names []string) (map[string]bool, error) {
	used := make(map[string]bool, len(names))
	for len(names) > 0 {
		chunk := names[:min(len(names), mediaInUseChunk)]
		names = names[len(chunk):]
		queries := []*bun.SelectQuery{
			s.db.NewSelect().TableExpr("post_images AS pi").ColumnExpr("pi.name").
				Join("JOIN posts AS p ON p.id = pi.post_id").Join("JOIN threads AS t ON t.id = p.thread_id").
				Where("pi.name IN (?)", bun.List(chunk)).Where("p.deleted_at IS NULL").Where("t.deleted_at IS NULL"),
			s.db.NewSelect().TableExpr("media_uploads").ColumnExpr("name").Where("name IN (?)", bun.List(chunk)),
			s.db.NewSelect().TableExpr("members").ColumnExpr("avatar").Where("avatar IN (?)", bun.List(chunk)),
		}
		var found []string
		for _, q := range queries {
			var names []string
			if err := q.Scan(ctx, &names); err != nil {
				return nil, dbErr(fmt.Sprintf("media in use (%d names)", len(chunk)), err)
			}
			found = append(found, names...)
		}
		for _, n := range found {
			used[n] = true
		}
	}
	return used, nil
}
