package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/photo"
	"shanzhi/internal/talent"
)

// Attach adds a file to a draft or returned application of a village the
// actor enters applications for.
func (s *TalentService) Attach(ctx context.Context, a *access.Actor, candidate int64, kind talent.AttachmentKind, public bool, data []byte) (*talent.Attachment, error) {
	data, err := checkAttachment(kind, data)
	if err != nil {
		return nil, err
	}
	var out *talent.Attachment
	err = s.db.update(ctx, func(tx *Tx) error {
		c, err := tx.editableCandidate(ctx, a, candidate)
		if err != nil {
			return err
		}
		out, err = tx.attach(ctx, a, c, kind, public, data, false)
		return err
	})
	return out, err
}

// checkAttachment refuses a file by its size and by the type its bytes
// show, before any transaction: a renamed page or script never passes as
// a photo or a PDF, whatever it is called. It returns what is stored: an
// image without its metadata (photo.Clean), a PDF as it came.
func checkAttachment(kind talent.AttachmentKind, data []byte) ([]byte, error) {
	if !kind.Valid() {
		return nil, fault.OnField(fault.Invalid, "file", "talent.attachment.kind_invalid")
	}
	if len(data) > talent.MaxAttachmentBytes {
		return nil, fault.OnField(fault.TooLarge, "file", "talent.attachment.size", talent.MaxAttachmentBytes>>20)
	}
	ctype, ok := photo.Sniff(data, talent.AttachmentTypes(kind)...)
	if !ok {
		if kind == talent.LicenceAttachment {
			return nil, fault.OnField(fault.Invalid, "file", "talent.attachment.type_licence")
		}
		return nil, fault.OnField(fault.Invalid, "file", "talent.attachment.type_photo")
	}
	if ctype == talent.PDF {
		return data, nil
	}
	data, err := photo.Clean(data, ctype)
	if err != nil {
		return nil, fault.OnField(fault.Invalid, "file", photo.Problem(err))
	}
	return data, nil
}

// attach stores a checked file on c. The same bytes attached twice are
// one attachment, so a form sent again does not pile up copies; beyond
// talent.MaxAttachments the file is refused. Licences are never public.
// A file the public attaches (quota) is charged against the public caps.
func (tx *Tx) attach(ctx context.Context, a *access.Actor, c *talent.Candidate, kind talent.AttachmentKind, public bool, data []byte, quota bool) (*talent.Attachment, error) {
	ctype, _ := photo.Sniff(data, talent.AttachmentTypes(kind)...)
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	public = public && kind == talent.PhotoAttachment
	var id int64
	err := tx.queryRow(ctx, `SELECT id FROM talent_attachments WHERE candidate_id = ? AND sha256 = ?`, c.ID, digest).Scan(&id)
	if err == nil {
		return tx.talentAttachment(ctx, c.ID, id)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM talent_attachments WHERE candidate_id = ?`, c.ID).Scan(&n); err != nil {
		return nil, err
	}
	if n >= talent.MaxAttachments {
		return nil, fault.OnField(fault.Invalid, "file", "talent.attachment.count", talent.MaxAttachments)
	}
	if quota {
		if err := tx.publicQuota(ctx, c, len(data)); err != nil {
			return nil, err
		}
	}
	_, uname := actorRef(a)
	if id, err = tx.insertID(ctx, `INSERT INTO talent_attachments (candidate_id, village_code, kind, public, content_type, size, sha256, data, actor_name, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.ID, c.Village, string(kind), boolInt(public), ctype, len(data), digest, data, uname, tx.nowMS()); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, a, auditEntry{action: "talent.attach", target: fmt.Sprintf("talent_candidate:%d attachment:%d", c.ID, id), region: c.Village,
		detail: fmt.Sprintf("%s %s %d bytes sha256 %s", kind, ctype, len(data), digest[:16])}); err != nil {
		return nil, err
	}
	return tx.talentAttachment(ctx, c.ID, id)
}

const talentAttachmentCols = `id, candidate_id, kind, public, content_type, size, actor_name, created_at`

func scanTalentAttachment(sc interface{ Scan(...any) error }) (talent.Attachment, error) {
	var t talent.Attachment
	var public int
	var at int64
	err := sc.Scan(&t.ID, &t.Candidate, &t.Kind, &public, &t.ContentType, &t.Size, &t.Actor, &at)
	t.Public, t.Created = public == 1, msTime(at)
	return t, err
}

// talentAttachment loads one attachment of an application; one of
// another application is not found, so ids probe nothing.
func (tx *Tx) talentAttachment(ctx context.Context, candidate, id int64) (*talent.Attachment, error) {
	t, err := scanTalentAttachment(tx.queryRow(ctx, `SELECT `+talentAttachmentCols+` FROM talent_attachments WHERE id = ? AND candidate_id = ?`, id, candidate))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.E(fault.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func (tx *Tx) talentAttachments(ctx context.Context, candidate int64) ([]talent.Attachment, error) {
	return queryAll(ctx, tx, scanTalentAttachment, `SELECT `+talentAttachmentCols+` FROM talent_attachments WHERE candidate_id = ? ORDER BY id`, candidate)
}

// Attachments lists an application's attachments to whoever may see it.
func (s *TalentService) Attachments(ctx context.Context, a *access.Actor, candidate int64) ([]talent.Attachment, error) {
	var out []talent.Attachment
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.talentCandidate(ctx, a, candidate); err != nil {
			return err
		}
		var err error
		out, err = tx.talentAttachments(ctx, candidate)
		return err
	})
	return out, err
}

// AttachmentContent returns an attachment to whoever may see its
// application: the village's staff and the reviewers of every level over
// it. Opening a licence is recorded, as a read of the applicant's papers.
func (s *TalentService) AttachmentContent(ctx context.Context, a *access.Actor, id int64) (*talent.Attachment, []byte, error) {
	var out *talent.Attachment
	var data []byte
	err := s.db.update(ctx, func(tx *Tx) error {
		var candidate int64
		err := tx.queryRow(ctx, `SELECT candidate_id FROM talent_attachments WHERE id = ?`, id).Scan(&candidate)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.E(fault.NotFound, "error.not_found")
		}
		if err != nil {
			return err
		}
		c, err := tx.talentCandidate(ctx, a, candidate)
		if err != nil {
			return err
		}
		if out, data, err = tx.attachmentContent(ctx, c.ID, id); err != nil {
			return err
		}
		if out.Kind != talent.LicenceAttachment {
			return nil
		}
		return tx.audit(ctx, a, auditEntry{action: "talent.attachment.read", target: fmt.Sprintf("talent_candidate:%d attachment:%d", c.ID, id), region: c.Village})
	})
	return out, data, err
}

func (tx *Tx) attachmentContent(ctx context.Context, candidate, id int64) (*talent.Attachment, []byte, error) {
	t, err := tx.talentAttachment(ctx, candidate, id)
	if err != nil {
		return nil, nil, err
	}
	var data []byte
	if err := tx.queryRow(ctx, `SELECT data FROM talent_attachments WHERE id = ?`, id).Scan(&data); err != nil {
		return nil, nil, err
	}
	return t, data, nil
}
