package api

import (
	"io"
	"net/http"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/photo"
	"shanzhi/internal/points"
)

type photoJSON struct {
	ID          int64  `json:"id"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	SHA256      string `json:"sha256"`
	Created     string `json:"created"`
}

// photoUpload stages the raw image in the body for its uploader, who then
// names its id in an award's "photos". The type is read from the bytes;
// the request's Content-Type is not believed.
func (a *API) photoUpload(r *http.Request, act *access.Actor) (int, any, error) {
	if !act.CanAnywhere(access.PointsWrite) {
		// Villagers declare through their phone page, not the API.
		return 0, nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, points.MaxPhotoBytes+1))
	switch {
	case err != nil:
		return 0, nil, fault.Wrap(fault.Invalid, err, "error.bad_request")
	case len(data) > points.MaxPhotoBytes:
		return 0, nil, fault.OnField(fault.TooLarge, "photos", "award.photo_size", points.MaxPhotoBytes>>20)
	}
	p, err := a.Photos.Upload(r.Context(), act, data)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, photoJSON{ID: p.ID, ContentType: p.ContentType, Size: p.Size, SHA256: p.SHA256, Created: localtime.In(p.Created).Format(time.RFC3339)}, nil
}

// photoGet sends a photo's bytes to a caller its award lets read it, as
// the pages do.
func (a *API) photoGet(w http.ResponseWriter, r *http.Request) {
	act, err := a.actor(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p, data, err := a.Photos.Content(r.Context(), act, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	photo.Serve(w, p.ContentType, data, "private, max-age=86400")
}
