package personal

import (
	"context"
	"time"

	"github.com/metropolis/agora/forum"
)

// Upload is an image an app sent ahead of the status that carries it
// (Mastodon's two steps: POST /api/v2/media, then POST /api/v1/statuses
// with media_ids). The file is already in the media store, re-encoded;
// until a post takes it, only its uploader may see or describe it.
type Upload struct {
	ID      forum.ID
	OwnerID forum.ID
	// Name is the file's name in the media store (a post image's name).
	Name      string
	MediaType string
	Width     int
	Height    int
	// Description becomes the image's alt text; agora requires one.
	Description string
	CreatedAt   time.Time
}

// Uploads keeps the uploads no post has taken yet. A post that takes one
// holds its image from then on (forum.Image), so the upload is deleted.
type Uploads interface {
	// AddUpload keeps a new upload.
	AddUpload(ctx context.Context, u *Upload) error
	// Upload returns the upload id of owner made after since; anyone
	// else's, an expired one or an unknown id is forum.ErrNotFound.
	Upload(ctx context.Context, ownerID, id forum.ID, since time.Time) (*Upload, error)
	// DescribeUpload sets the description of owner's upload id (made
	// after since); forum.ErrNotFound as Upload.
	DescribeUpload(ctx context.Context, ownerID, id forum.ID, since time.Time, description string) error
	// CountUploads counts owner's uploads made after since.
	CountUploads(ctx context.Context, ownerID forum.ID, since time.Time) (int, error)
	// DeleteUploads deletes owner's uploads ids (taken by a post).
	DeleteUploads(ctx context.Context, ownerID forum.ID, ids []forum.ID) error
	// DeleteUploadsBefore deletes every upload made before t (expired)
	// and says how many.
	DeleteUploadsBefore(ctx context.Context, t time.Time) (int, error)
}
