package sqlstore

import (
	"context"
	"fmt"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/localtime"
)

// CreditService implements honour.CreditService: the household head's
// consent to a credit export (道德积分贷) and every export made under it.
type CreditService struct{ db *DB }

// Credit returns the store's credit consents and exports.
func (db *DB) Credit() *CreditService { return &CreditService{db: db} }

var _ honour.CreditService = (*CreditService)(nil)

// consentWriter checks that a may give or revoke a household's consent:
// its own villager (the head, on their phone) or an official keeping the
// village's honours (from the scanned paper form). It returns the
// household's village.
func (tx *Tx) consentWriter(ctx context.Context, a *access.Actor, household int64) (string, error) {
	village, err := tx.ledgerReader(ctx, a, household)
	if err != nil {
		return "", err
	}
	if !(a.Household() == household && a.Can(access.OwnHousehold, village)) && !a.Can(access.HonourManage, village) {
		return "", fault.E(fault.Forbidden, "error.forbidden")
	}
	return village, nil
}

// Consent records the head's consent.
func (s *CreditService) Consent(ctx context.Context, a *access.Actor, household int64, in honour.ConsentInput) (*honour.CreditConsent, error) {
	in.Normalize()
	if a.Household() == household && in.Method == "" {
		in.Method = honour.OnPhone
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	// The scan is checked and cleaned before the transaction: a bad one
	// refuses the consent, which is then not recorded either.
	scanType, scan, err := cleanScan(in.Scan)
	if err != nil {
		return nil, err
	}
	var out *honour.CreditConsent
	err = s.db.update(ctx, func(tx *Tx) error {
		village, err := tx.consentWriter(ctx, a, household)
		if err != nil {
			return err
		}
		// Only the head's own phone is a phone consent; an official
		// records the paper one.
		if in.Method == honour.OnPhone && a.Household() != household {
			return fault.OnField(fault.Invalid, "method", "credit.method")
		}
		_, actor := actorRef(a)
		id, err := tx.insertID(ctx, `INSERT INTO credit_consents (household_id, village_code, purpose, recipient, retention_days, method, reference, given_by, given_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, household, village, in.Purpose, in.Recipient, in.RetentionDays, string(in.Method), in.Reference, actor, tx.nowMS())
		if err != nil {
			return err
		}
		if scan != nil {
			if _, err := tx.insertScan(ctx, a, honour.ScanKind, id, household, village, scanType, scan); err != nil {
				return err
			}
		}
		cs, err := queryAll(ctx, tx, scanConsent, consentSelect+` WHERE id = ?`, id)
		if err == nil {
			err = tx.scansOf(ctx, cs)
		}
		if err != nil {
			return err
		}
		out = &cs[0]
		return tx.audit(ctx, a, auditEntry{action: "credit.consent", target: fmt.Sprintf("household:%d consent:%d", household, id), region: village,
			detail: fmt.Sprintf("%s → %s, %d days, %s %s, scan %s %d bytes", in.Purpose, in.Recipient, in.RetentionDays, in.Method, in.Reference, scanType, len(scan))})
	})
	return out, err
}

const consentSelect = `SELECT id, household_id, village_code, purpose, recipient, retention_days, method, reference, given_by, given_at, revoked_by, revoked_at FROM credit_consents`

func scanConsent(s interface{ Scan(...any) error }) (honour.CreditConsent, error) {
	var c honour.CreditConsent
	var given, revoked int64
	err := s.Scan(&c.ID, &c.Household, &c.Village, &c.Purpose, &c.Recipient, &c.RetentionDays, &c.Method, &c.Reference, &c.GivenBy, &given, &c.RevokedBy, &revoked)
	c.Given = time.UnixMilli(given)
	if revoked != 0 {
		c.Revoked = time.UnixMilli(revoked)
	}
	return c, err
}

// Revoke ends a consent; exports stop at once.
func (s *CreditService) Revoke(ctx context.Context, a *access.Actor, household, consent int64) error {
	return s.db.update(ctx, func(tx *Tx) error {
		village, err := tx.consentWriter(ctx, a, household)
		if err != nil {
			return err
		}
		_, actor := actorRef(a)
		if err := tx.exactlyOne(ctx, fault.OnField(fault.Conflict, "consent", "credit.revoked"),
			`UPDATE credit_consents SET revoked_by = ?, revoked_at = ? WHERE id = ? AND household_id = ? AND revoked_at = 0`, actor, tx.nowMS(), consent, household); err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "credit.revoke", target: fmt.Sprintf("household:%d consent:%d", household, consent), region: village})
	})
}

// Consents lists a household's consents and the exports made under them,
// newest first: the household sees every one.
func (s *CreditService) Consents(ctx context.Context, a *access.Actor, household int64) ([]honour.CreditConsent, []honour.CreditExportRecord, error) {
	var cs []honour.CreditConsent
	var es []honour.CreditExportRecord
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.ledgerReader(ctx, a, household); err != nil {
			return err
		}
		var err error
		if cs, err = queryAll(ctx, tx, scanConsent, consentSelect+` WHERE household_id = ? ORDER BY id DESC`, household); err != nil {
			return err
		}
		if err := tx.scansOf(ctx, cs); err != nil {
			return err
		}
		es, err = queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (honour.CreditExportRecord, error) {
			var e honour.CreditExportRecord
			var at int64
			err := s.Scan(&e.ID, &e.Consent, &e.Recipient, &e.Format, &e.Actor, &at)
			e.At = time.UnixMilli(at)
			return e, err
		}, `SELECT x.id, x.consent_id, c.recipient, x.format, x.actor_name, x.at FROM credit_exports x JOIN credit_consents c ON c.id = x.consent_id
			WHERE x.household_id = ? ORDER BY x.id DESC`, household)
		return err
	})
	return cs, es, err
}

// Export makes a consenting household's credit summary for an official
// holding credit.export over its village, and records the export in the
// same transaction: there is no summary without its record.
func (s *CreditService) Export(ctx context.Context, a *access.Actor, household int64, format string) (*honour.CreditSummary, error) {
	var out *honour.CreditSummary
	err := s.db.update(ctx, func(tx *Tx) error {
		h, err := tx.householdFor(ctx, a, household, access.CreditExport)
		if err != nil {
			return err
		}
		cs, err := queryAll(ctx, tx, scanConsent, consentSelect+` WHERE household_id = ? AND revoked_at = 0 ORDER BY id DESC`, household)
		if err != nil {
			return err
		}
		var c *honour.CreditConsent
		for i := range cs {
			if cs[i].Active(tx.now) {
				c = &cs[i]
				break
			}
		}
		if c == nil {
			return fault.E(fault.Conflict, "credit.no_consent")
		}
		now := localtime.In(tx.now)
		sum := &honour.CreditSummary{Household: h.ID, Number: h.Number, Head: h.HeadName, Village: h.VillageCode, VillageName: h.VillageName,
			Year: now.Format("2006"), Consent: c.ID, Recipient: c.Recipient, Generated: tx.now}
		st, err := tx.standing(ctx, h.VillageCode, h.ID, sum.Year)
		if err != nil {
			return err
		}
		sum.Points, sum.Rank, sum.Of = st.Points, st.Rank, st.Of
		if sum.Balance, err = tx.balanceOf(ctx, h.ID); err != nil {
			return err
		}
		// Awards in force: approved and not corrections, whose reversal
		// marks the original corrected instead.
		if sum.Aspects, err = queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (honour.AspectTotal, error) {
			var t honour.AspectTotal
			return t, s.Scan(&t.Aspect, &t.Awards, &t.Deductions)
		}, `SELECT aspect, COALESCE(SUM(CASE WHEN points > 0 THEN points ELSE 0 END), 0), COALESCE(SUM(CASE WHEN points < 0 THEN points ELSE 0 END), 0)
			FROM awards WHERE household_id = ? AND status = 'approved' AND corrects_id = 0 AND award_date >= ? AND award_date <= ? GROUP BY aspect ORDER BY aspect`,
			h.ID, sum.Year+"-01-01", sum.Year+"-12-31"); err != nil {
			return err
		}
		if sum.Deductions, err = queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (honour.Deduction, error) {
			var d honour.Deduction
			return d, s.Scan(&d.Date, &d.Item, &d.Points)
		}, `SELECT a.award_date, COALESCE(i.title, ''), a.points`+awardFrom+` WHERE a.household_id = ? AND a.status = 'approved' AND a.corrects_id = 0
			AND a.points < 0 AND a.award_date > ? ORDER BY a.award_date DESC, a.id DESC`, h.ID, now.AddDate(-1, 0, 0).Format("2006-01-02")); err != nil {
			return err
		}
		_, actor := actorRef(a)
		if _, err := tx.exec(ctx, `INSERT INTO credit_exports (consent_id, household_id, format, actor_name, at) VALUES (?, ?, ?, ?, ?)`, c.ID, h.ID, format, actor, tx.nowMS()); err != nil {
			return err
		}
		out = sum
		return tx.audit(ctx, a, auditEntry{action: "credit.export", target: fmt.Sprintf("household:%d consent:%d", h.ID, c.ID), region: h.VillageCode,
			detail: fmt.Sprintf("%s to %s for %s", format, c.Recipient, c.Purpose)})
	})
	return out, err
}
