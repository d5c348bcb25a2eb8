package web

import (
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/photo"
	"shanzhi/internal/points"
)

// photoFields are an award form's photo inputs. "image/*" rather than a
// list of types, because that is what makes an old Android WeChat
// browser offer its camera; the server sniffs what arrives anyway. The
// hidden field carries photos already received, so a form refused for
// another reason does not ask for them again.
func photoFields(v *view, r *http.Request) []field {
	return []field{
		{Name: "photos", Label: v.T("award.photo"), Type: "file", Accept: "image/*", Multiple: true,
			Help: v.T("award.photos_help", points.MaxPhotoBytes>>20, points.MaxPhotos)},
		{Name: "photo_ids", Type: "hidden", Value: r.FormValue("photo_ids")},
	}
}

// formPhotos stages the photos a submitted award form carries after those
// it carried already, and keeps all of them on the form, which the caller
// shows again if the award is refused. Staged photos nobody attaches are
// purged after a day.
func (w *Web) formPhotos(v *view, f *form, r *http.Request, a *access.Actor) ([]int64, error) {
	var ids []int64
	for s := range strings.SplitSeq(r.FormValue("photo_ids"), ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["photos"] {
			if fh.Size > 0 { // a file input left empty still sends a part
				files = append(files, fh)
			}
		}
	}
	err := func() error {
		if len(ids)+len(files) > points.MaxPhotos {
			return fault.OnField(fault.Invalid, "photos", "award.photo_count", points.MaxPhotos)
		}
		for _, fh := range files {
			id, err := w.stagePhoto(r, a, fh)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	}()
	kept := make([]string, len(ids))
	for i, id := range ids {
		kept[i] = strconv.FormatInt(id, 10)
	}
	for i := range f.Fields {
		switch f.Fields[i].Name {
		case "photo_ids":
			f.Fields[i].Value = strings.Join(kept, ",")
		case "photos":
			if len(ids) > 0 {
				f.Fields[i].Help = v.T("award.photos_kept", len(ids)) + " " + f.Fields[i].Help
			}
		}
	}
	return ids, err
}

// stagePhoto checks one uploaded photo's size and stages it for an award
// of the uploading user.
func (w *Web) stagePhoto(r *http.Request, a *access.Actor, fh *multipart.FileHeader) (int64, error) {
	if fh.Size > points.MaxPhotoBytes {
		return 0, fault.OnField(fault.TooLarge, "photos", "award.photo_size", points.MaxPhotoBytes>>20)
	}
	data, err := readPart(fh, points.MaxPhotoBytes)
	if err != nil {
		return 0, err
	}
	p, err := w.Photos.Upload(r.Context(), a, data)
	if err != nil {
		return 0, err
	}
	return p.ID, nil
}

// formFiles reads the files of a form's input name, at most max of them
// and each bounded before it is read, for a store that checks them.
func formFiles(r *http.Request, name string, max int) ([][]byte, error) {
	return formFilesMax(r, name, max, points.MaxPhotoBytes)
}

// formFilesMax is formFiles for files of up to limit bytes each (a
// consent's scanned PDF), each refused by its declared size before it is
// read and read no further than limit.
func formFilesMax(r *http.Request, name string, max, limit int) ([][]byte, error) {
	var out [][]byte
	if r.MultipartForm == nil {
		return nil, nil
	}
	for _, fh := range r.MultipartForm.File[name] {
		if fh.Size == 0 { // a file input left empty still sends a part
			continue
		}
		if len(out) == max {
			return nil, fault.OnField(fault.Invalid, name, "award.photo_count", max)
		}
		if fh.Size > int64(limit) {
			return nil, fault.OnField(fault.TooLarge, name, "award.photo_size", limit>>20)
		}
		data, err := readPart(fh, limit)
		if err != nil {
			return nil, err
		}
		out = append(out, data)
	}
	return out, nil
}

func readPart(fh *multipart.FileHeader, limit int) ([]byte, error) {
	file, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return io.ReadAll(io.LimitReader(file, int64(limit)+1))
}

// photoServe sends an evidence photo to someone the photo's award lets
// read it. The bytes were sniffed on the way in and are sent as that type
// only; the browser may keep them, but no shared cache.
func (w *Web) photoServe(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	content := w.Photos.Content
	if r.URL.Query().Get("size") == "thumb" {
		content = w.Photos.Thumbnail
	}
	p, data, err := content(r.Context(), a, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	photo.Serve(rw, p.ContentType, data, "private, max-age=86400")
}
