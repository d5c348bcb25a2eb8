package sqlstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/photo"
	"shanzhi/internal/points"
)

// cleanScan checks a consent's scan before any transaction: within
// MaxScanBytes, and either an image the photo pipeline takes (type
// sniffed, pixels bounded, re-encoded without EXIF: a phone's GPS
// position among it) or a PDF (its magic at the start and an end-of-file
// marker near the end, so a truncated upload is refused). A PDF is kept
// as sent: it is read in a PDF viewer, never parsed here.
func cleanScan(data []byte) (string, []byte, error) {
	if len(data) > honour.MaxScanBytes {
		return "", nil, fault.OnField(fault.TooLarge, "scan", "credit.scan.size", honour.MaxScanBytes>>20)
	}
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		tail := data[max(0, len(data)-1024):]
		if !bytes.Contains(tail, []byte("%%EOF")) {
			return "", nil, fault.OnField(fault.Invalid, "scan", "credit.scan.type")
		}
		return "application/pdf", data, nil
	}
	ctype, ok := photo.Sniff(data, "image/jpeg", "image/png")
	if !ok {
		return "", nil, fault.OnField(fault.Invalid, "scan", "credit.scan.type")
	}
	if len(data) > points.MaxPhotoBytes {
		return "", nil, fault.OnField(fault.TooLarge, "scan", "award.photo_size", points.MaxPhotoBytes>>20)
	}
	clean, err := photo.Clean(data, ctype)
	if err != nil {
		return "", nil, fault.OnField(fault.Invalid, "scan", photo.Problem(err))
	}
	return ctype, clean, nil
}

// insertScan stores a consent's scan in the caller's transaction.
func (tx *Tx) insertScan(ctx context.Context, a *access.Actor, consent, household int64, village, ctype string, data []byte) (int64, error) {
	sum := sha256.Sum256(data)
	_, actor := actorRef(a)
	return tx.insertID(ctx, `INSERT INTO consent_scans (subject_kind, subject_id, household_id, village_code, content_type, size, sha256, data, actor_name, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, honour.ScanKind, consent, household, village, ctype, len(data), hex.EncodeToString(sum[:]), data, actor, tx.nowMS())
}

// scansOf fills each consent's scans, without their bytes.
func (tx *Tx) scansOf(ctx context.Context, cs []honour.CreditConsent) error {
	for i := range cs {
		var err error
		cs[i].Scans, err = queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (honour.ConsentScan, error) {
			var c honour.ConsentScan
			var at int64
			err := s.Scan(&c.ID, &c.Consent, &c.ContentType, &c.Size, &c.SHA256, &c.Actor, &at)
			c.At = time.UnixMilli(at)
			return c, err
		}, `SELECT id, subject_id, content_type, size, sha256, actor_name, created_at FROM consent_scans WHERE subject_kind = ? AND subject_id = ? ORDER BY id`,
			honour.ScanKind, cs[i].ID)
		if err != nil {
			return err
		}
	}
	return nil
}

// Scan returns a consent's scan to those who may read the household's
// consents (its officials, the counter's clerks excepted as for award
// evidence, and its own villager), and audits the view: the scan shows
// the head's signature and often an ID number.
func (s *CreditService) Scan(ctx context.Context, a *access.Actor, household, scan int64) (string, []byte, error) {
	var ctype string
	var data []byte
	err := s.db.update(ctx, func(tx *Tx) error {
		village, err := tx.ledgerReader(ctx, a, household)
		if err != nil {
			return err
		}
		if !a.Can(access.RegistryRead, village) && !(a.Household() == household && a.Can(access.OwnHousehold, village)) {
			return fault.E(fault.NotFound, "error.not_found")
		}
		var consent int64
		err = tx.queryRow(ctx, `SELECT subject_id, content_type, data FROM consent_scans WHERE id = ? AND household_id = ? AND subject_kind = ?`,
			scan, household, honour.ScanKind).Scan(&consent, &ctype, &data)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.E(fault.NotFound, "error.not_found")
		}
		if err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "credit.scan.view", target: fmt.Sprintf("household:%d consent:%d scan:%d", household, consent, scan), region: village})
	})
	return ctype, data, err
}
