package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/personal"
)

var _ personal.Uploads = (*Store)(nil)

// uploadRow is a personal.Upload no post has taken yet.
type uploadRow struct {
	bun.BaseModel `bun:"table:media_uploads"`
	ID            string    `bun:"id,pk"`
	OwnerID       string    `bun:"owner_id"`
	Name          string    `bun:"name"`
	MediaType     string    `bun:"media_type"`
	Width         int       `bun:"width"`
	Height        int       `bun:"height"`
	Description   string    `bun:"description"`
	CreatedAt     time.Time `bun:"created_at"`
}

// AddUpload implements personal.Uploads.
func (s *Store) AddUpload(ctx context.Context, u *personal.Upload) error {
	row := uploadRow{ID: u.ID, OwnerID: u.OwnerID, Name: u.Name, MediaType: u.MediaType, Width: u.Width,
		Height: u.Height, Description: u.Description, CreatedAt: u.CreatedAt.UTC()}
	_, err := s.db.NewInsert().Model(&row).Exec(ctx)
	return dbErr("store upload", err)
}

// Upload implements personal.Uploads: the owner is part of the lookup,
// so someone else's upload is not found rather than forbidden (its id
// says nothing).
func (s *Store) Upload(ctx context.Context, ownerID, id forum.ID, since time.Time) (*personal.Upload, error) {
	var row uploadRow
	err := s.db.NewSelect().Model(&row).Where("id = ? AND owner_id = ? AND created_at > ?", id, ownerID, since.UTC()).
		Limit(1).Scan(ctx)
	if err != nil {
		return nil, dbErr("upload "+id, err)
	}
	return &personal.Upload{ID: row.ID, OwnerID: row.OwnerID, Name: row.Name, MediaType: row.MediaType,
		Width: row.Width, Height: row.Height, Description: row.Description, CreatedAt: row.CreatedAt}, nil
}

// DescribeUpload implements personal.Uploads.
func (s *Store) DescribeUpload(ctx context.Context, ownerID, id forum.ID, since time.Time, description string) error {
	res, err := s.db.NewUpdate().Model((*uploadRow)(nil)).Set("description = ?", description).
		Where("id = ? AND owner_id = ? AND created_at > ?", id, ownerID, since.UTC()).Exec(ctx)
	if err != nil {
		return dbErr("describe upload "+id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbErr("describe upload "+id, err)
	} else if n == 0 {
		return fmt.Errorf("describe upload %s: %w", id, forum.ErrNotFound)
	}
	return nil
}

// CountUploads implements personal.Uploads.
func (s *Store) CountUploads(ctx context.Context, ownerID forum.ID, since time.Time) (int, error) {
	n, err := s.db.NewSelect().Model((*uploadRow)(nil)).Where("owner_id = ? AND created_at > ?", ownerID, since.UTC()).Count(ctx)
	return int(n), dbErr("count uploads", err)
}

// DeleteUploads implements personal.Uploads.
func (s *Store) DeleteUploads(ctx context.Context, ownerID forum.ID, ids []forum.ID) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.db.NewDelete().Model((*uploadRow)(nil)).Where("owner_id = ? AND id IN (?)", ownerID, bun.List(ids)).Exec(ctx)
	return dbErr("delete uploads", err)
}

// DeleteUploadsBefore implements personal.Uploads.
func (s *Store) DeleteUploadsBefore(ctx context.Context, t time.Time) (int, error) {
	res, err := s.db.NewDelete().Model((*uploadRow)(nil)).Where("created_at < ?", t.UTC()).Exec(ctx)
	if err != nil {
		return 0, dbErr("delete expired uploads", err)
	}
	n, err := res.RowsAffected()
	return int(n), dbErr("delete expired uploads", err)
}
