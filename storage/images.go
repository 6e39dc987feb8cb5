package storage

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
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

// insertImages stores a new post's images; a post's images never change
// after it is written, so UpdatePost leaves them alone.
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
