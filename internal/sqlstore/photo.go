package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/photo"
	"shanzhi/internal/points"
)

// PhotoService implements points.PhotoService.
type PhotoService struct{ db *DB }

// Photos returns the award photo service.
func (db *DB) Photos() *PhotoService { return &PhotoService{db: db} }

var _ points.PhotoService = (*PhotoService)(nil)

// Upload stages a photo for its uploader. The same bytes staged twice by
// the same user are one photo, so a form sent again after a refusal does
// not pile up copies.
func (s *PhotoService) Upload(ctx context.Context, a *access.Actor, data []byte) (*points.Photo, error) {
	if !a.CanAnywhere(access.PointsWrite) && !(a.Household() != 0 && a.CanAnywhere(access.OwnHousehold)) {
		return nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	ctype, data, thumb, err := cleanPhoto(data)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	p := &points.Photo{ContentType: ctype, Size: len(data), SHA256: hex.EncodeToString(sum[:])}
	uid, uname := actorRef(a)
	p.Actor = uname
	err = s.db.update(ctx, func(tx *Tx) error {
		var at int64
		err := tx.queryRow(ctx, `SELECT id, created_at FROM award_photos WHERE award_id = 0 AND uploader_id = ? AND actor_name = ? AND sha256 = ?`,
			uid, uname, p.SHA256).Scan(&p.ID, &at)
		if err == nil {
			p.Created = time.UnixMilli(at)
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		p.Created = tx.now
		if p.ID, err = tx.insertID(ctx, `INSERT INTO award_photos (uploader_id, actor_name, content_type, size, sha256, data, thumb, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, uid, uname, ctype, len(data), p.SHA256, data, thumb, tx.nowMS()); err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "points.photo.upload", target: fmt.Sprintf("photo:%d", p.ID),
			detail: fmt.Sprintf("%s %d bytes sha256 %s", ctype, len(data), p.SHA256[:16])})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// cleanPhoto checks an evidence photo (an award's, a nomination's deed)
// and returns its type, the image without its metadata (a phone's GPS
// position among it), kept only once its header shows a sane size, and
// its thumbnail.
func cleanPhoto(data []byte) (ctype string, clean, thumb []byte, err error) {
	if len(data) > points.MaxPhotoBytes {
		return "", nil, nil, fault.OnField(fault.TooLarge, "photos", "award.photo_size", points.MaxPhotoBytes>>20)
	}
	ctype, ok := photo.Sniff(data, points.PhotoTypes...)
	if !ok {
		return "", nil, nil, fault.OnField(fault.Invalid, "photos", "award.photo_type")
	}
	if clean, err = photo.Clean(data, ctype); err == nil {
		thumb, err = photo.Thumb(clean, ctype)
	}
	if err != nil {
		return "", nil, nil, fault.OnField(fault.Invalid, "photos", photo.Problem(err))
	}
	return ctype, clean, thumb, nil
}

// photoRef is where a photo belongs, which decides who may see it.
type photoRef struct {
	id, award, household, uploaderID int64
	village, uploader                string
}

// readable reports whether a may see the photo: while staged only its
// uploader; once attached whoever reads the award's household, except the
// counter's clerks, who need a balance and not the evidence behind it.
func (p photoRef) readable(a *access.Actor) bool {
	if p.award == 0 {
		uid, uname := actorRef(a)
		return a != nil && uid == p.uploaderID && uname == p.uploader
	}
	return a.Can(access.RegistryRead, p.village) || a.Household() == p.household && a.Can(access.OwnHousehold, p.village)
}

// Content returns a photo and its bytes to a reader allowed to see it; to
// anyone else it does not exist.
func (s *PhotoService) Content(ctx context.Context, a *access.Actor, id int64) (*points.Photo, []byte, error) {
	return s.content(ctx, a, id, false)
}

// Thumbnail is Content's small JPEG for lists, or the photo itself when it
// has none.
func (s *PhotoService) Thumbnail(ctx context.Context, a *access.Actor, id int64) (*points.Photo, []byte, error) {
	return s.content(ctx, a, id, true)
}

func (s *PhotoService) content(ctx context.Context, a *access.Actor, id int64, small bool) (*points.Photo, []byte, error) {
	var p points.Photo
	var ref photoRef
	var data, thumb []byte
	err := s.db.view(ctx, func(tx *Tx) error {
		var at int64
		err := tx.queryRow(ctx, `SELECT p.id, p.award_id, p.village_code, p.uploader_id, p.actor_name, p.content_type, p.size, p.sha256, p.created_at, p.data,
			p.thumb, COALESCE(w.household_id, 0) FROM award_photos p LEFT JOIN awards w ON w.id = p.award_id WHERE p.id = ?`, id).Scan(
			&p.ID, &p.Award, &p.Village, &ref.uploaderID, &p.Actor, &p.ContentType, &p.Size, &p.SHA256, &at, &data, &thumb, &ref.household)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.E(fault.NotFound, "error.not_found")
		}
		p.Created = time.UnixMilli(at)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	ref.id, ref.award, ref.village, ref.uploader = p.ID, p.Award, p.Village, p.Actor
	if !ref.readable(a) {
		return nil, nil, fault.E(fault.NotFound, "error.not_found")
	}
	if small && len(thumb) > 0 {
		p.ContentType, p.Size = photo.JPEG, len(thumb)
		return &p, thumb, nil
	}
	return &p, data, nil
}

// photosOf lists the photos attached to awards. The list is bounded by
// its callers (a page of awards, a review queue), so one IN list does.
func (tx *Tx) photosOf(ctx context.Context, awards []int64) ([]photoRef, error) {
	if len(awards) == 0 {
		return nil, nil
	}
	args := make([]any, len(awards))
	for i, id := range awards {
		args[i] = id
	}
	rows, err := tx.query(ctx, `SELECT p.id, p.award_id, p.village_code, w.household_id FROM award_photos p JOIN awards w ON w.id = p.award_id
		WHERE p.award_id IN `+placeholders(1, len(awards))+` ORDER BY p.award_id, p.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []photoRef
	for rows.Next() {
		var p photoRef
		if err := rows.Scan(&p.id, &p.award, &p.village, &p.household); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// photoPrint is the part of an award's idempotency fingerprint its photos
// make: their contents, not their ids, so a form sent twice, which stages
// the same pictures twice, is still the same award.
func (tx *Tx) photoPrint(ctx context.Context, ids []int64) (string, error) {
	var sums []string
	for _, id := range ids {
		var sum string
		err := tx.queryRow(ctx, `SELECT sha256 FROM award_photos WHERE id = ?`, id).Scan(&sum)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
		sums = append(sums, sum)
	}
	slices.Sort(sums)
	return strings.Join(sums, ","), nil
}

// attachPhotos gives an award the photos its recorder staged. Each is
// taken by a conditional update, so a photo staged by someone else, or
// already proving another award, is refused even when two awards race
// for it.
func (tx *Tx) attachPhotos(ctx context.Context, a *access.Actor, award int64, village string, ids []int64) error {
	uid, uname := actorRef(a)
	for _, id := range ids {
		if err := tx.exactlyOne(ctx, fault.OnField(fault.Invalid, "photos", "award.photo_unknown", id),
			`UPDATE award_photos SET award_id = ?, village_code = ? WHERE id = ? AND award_id = 0 AND uploader_id = ? AND actor_name = ?`,
			award, village, id, uid, uname); err != nil {
			return err
		}
	}
	return tx.audit(ctx, a, auditEntry{action: "points.photo.attach", target: fmt.Sprintf("award:%d", award), region: village,
		detail: fmt.Sprintf("photos %s", strings.Trim(fmt.Sprint(ids), "[]"))})
}

// FinaliseDue purges staged photos nobody attached within
// points.StagedFor, returning how many went. It is named so the review
// scheduler can run it, as it runs the ledger calendar.
func (s *PhotoService) FinaliseDue(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.db.update(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM award_photos WHERE award_id = 0 AND created_at < ?`, now.Add(-points.StagedFor).UnixMilli())
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return tx.audit(ctx, nil, auditEntry{action: "points.photo.purge", target: "award_photos", detail: fmt.Sprintf("%d staged photos", n)})
	})
	return int(n), err
}

// withPhotos fills in the photo ids of awards the caller may already read.
func (tx *Tx) withPhotos(ctx context.Context, ws []*points.AwardRecord) error {
	ids := make([]int64, len(ws))
	at := map[int64]*points.AwardRecord{}
	for i, w := range ws {
		ids[i], at[w.ID] = w.ID, w
	}
	refs, err := tx.photosOf(ctx, ids)
	for _, p := range refs {
		at[p.award].Photos = append(at[p.award].Photos, p.id)
	}
	return err
}
