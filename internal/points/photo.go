package points

import (
	"context"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/photo"
)

// Evidence photos: a phone photo is 1–4 MB, so 5 MB takes any of them and
// nothing much larger; three show the before, the after and the people.
const (
	MaxPhotoBytes = 5 << 20
	MaxPhotos     = 3
)

// PhotoTypes are what an evidence photo may be, sniffed from its bytes:
// what phone cameras and WeChat produce.
var PhotoTypes = []string{photo.JPEG, photo.PNG, photo.WebP}

// StagedFor is how long an uploaded photo waits to be attached to an award
// before it is purged.
const StagedFor = 24 * time.Hour

// Photo is a stored evidence photo. Award is 0 while it is staged: then
// only its uploader sees it and may attach it.
type Photo struct {
	ID          int64
	Award       int64
	Village     string
	ContentType string
	Size        int
	SHA256      string
	Actor       string
	Created     time.Time
}

// PhotoService keeps award photos. Upload stages a photo for its
// uploader, who must be able to record awards or declare for their
// household (fault.Forbidden otherwise); a non-image is fault.Invalid, an
// oversized one fault.TooLarge. Content returns a photo to whoever may read
// its award's household (officials whose region covers the village, the
// household's own villager) or, while staged, to its uploader; anyone else
// gets fault.NotFound. Award lists and the review queue carry their
// awards' photo ids, read with the awards themselves.
type PhotoService interface {
	Upload(ctx context.Context, a *access.Actor, data []byte) (*Photo, error)
	Content(ctx context.Context, a *access.Actor, id int64) (*Photo, []byte, error)
	// Thumbnail is Content as a small JPEG for lists, when there is one.
	Thumbnail(ctx context.Context, a *access.Actor, id int64) (*Photo, []byte, error)
}
