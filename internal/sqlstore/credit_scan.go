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
// as sent: it is read in a PDF viewer, never parsed here. No data is no
// scan.
func cleanScan(data []byte) (string, []byte, error) {
	if len(data) == 0 {
		return "", nil, nil
	}
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

// purposeScan seals consent scans (migration 0052).
const purposeScan = "consent.scan"

// insertScan stores the scan of a consent of kind (honour.ScanKind,
// honour.FundScanKind, honour.NominationScanKind) in the caller's
// transaction, sealed under the personal-data key; size and sum are the
// scan's own.
func (tx *Tx) insertScan(ctx context.Context, a *access.Actor, kind string, consent, household int64, village, ctype string, data []byte) (int64, error) {
	sum := sha256.Sum256(data)
	_, actor := actorRef(a)
	return tx.insertID(ctx, `INSERT INTO consent_scans (subject_kind, subject_id, household_id, village_code, content_type, size, sha256, data, sealed, actor_name, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`, kind, consent, household, village, ctype, len(data), hex.EncodeToString(sum[:]),
		tx.box.Seal(purposeScan, string(data)), actor, tx.nowMS())
}

// scansFor lists the scans of one consent of kind, without their bytes.
func (tx *Tx) scansFor(ctx context.Context, kind string, consent int64) ([]honour.ConsentScan, error) {
	return queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (honour.ConsentScan, error) {
		var c honour.ConsentScan
		var at int64
		err := s.Scan(&c.ID, &c.Consent, &c.ContentType, &c.Size, &c.SHA256, &c.Actor, &at)
		c.At = time.UnixMilli(at)
		return c, err
	}, `SELECT id, subject_id, content_type, size, sha256, actor_name, created_at FROM consent_scans WHERE subject_kind = ? AND subject_id = ? ORDER BY id`,
		kind, consent)
}

// scansOf fills each credit consent's scans, without their bytes.
func (tx *Tx) scansOf(ctx context.Context, cs []honour.CreditConsent) error {
	for i := range cs {
		var err error
		if cs[i].Scans, err = tx.scansFor(ctx, honour.ScanKind, cs[i].ID); err != nil {
			return err
		}
	}
	return nil
}

// scanMayOpen reports whether a may open the consent scans of a household
// of village: its officials who read the register, and for a credit
// consent its own villager (own). The scans show the head's signature,
// often an ID number.
func scanMayOpen(a *access.Actor, village string, household int64, own bool) bool {
	return a.Can(access.RegistryRead, village) || own && a.Household() == household && a.Can(access.OwnHousehold, village)
}

// openScan reads scan of a consent of kind whose column col (household_id
// or subject_id) is id, and audits the view as action on target.
func (tx *Tx) openScan(ctx context.Context, a *access.Actor, kind, col string, id, scan int64, village, action, target string) (string, []byte, error) {
	var ctype string
	var data []byte
	var consent, sealed int64
	err := tx.queryRow(ctx, `SELECT subject_id, content_type, data, sealed FROM consent_scans WHERE id = ? AND `+col+` = ? AND subject_kind = ?`,
		scan, id, kind).Scan(&consent, &ctype, &data, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, fault.E(fault.NotFound, "error.not_found")
	}
	if err != nil {
		return "", nil, err
	}
	if sealed != 0 {
		plain, err := tx.box.Open(purposeScan, data)
		if err != nil {
			return "", nil, fmt.Errorf("consent scan %d: %w", scan, err)
		}
		data = []byte(plain)
	}
	return ctype, data, tx.audit(ctx, a, auditEntry{action: action, target: fmt.Sprintf("%s consent:%d scan:%d", target, consent, scan), region: village})
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
		if !scanMayOpen(a, village, household, true) {
			return fault.E(fault.NotFound, "error.not_found")
		}
		ctype, data, err = tx.openScan(ctx, a, honour.ScanKind, "household_id", household, scan, village, "credit.scan.view", fmt.Sprintf("household:%d", household))
		return err
	})
	return ctype, data, err
}
