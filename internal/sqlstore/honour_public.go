package sqlstore

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/localtime"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
	"shanzhi/internal/secret"
)

// The public form's delay token: sent back sooner than a person can read
// the form and type a deed, it is a script's; hours later, a replay.
const (
	formTokenMin = 3 * time.Second
	formTokenMax = 2 * time.Hour
)

// PublicNominator is the name a public nomination's review item and audit
// entry carry: nobody's account.
const PublicNominator = "公众提名"

// publicNominator is who a villager without an account acts as on a
// board's public page: a villager of the board's region with no household
// of their own, which is what the nomination flow lets submit
// (honour.Flow: SubmitAlso household.own) and nothing more. It never leaves
// this file.
func publicNominator(region string) *access.Actor {
	return &access.Actor{Username: PublicNominator, Grants: []access.Grant{{Role: access.Villager, Region: region}}}
}

// formMAC signs an issue time under the personal-data key's index key, so
// every server of one database accepts every other's tokens and a client
// cannot make one up.
func (db *DB) formMAC(issued string) string {
	if db.box != nil {
		return db.box.Index("public.form", issued)[:24]
	}
	m := hmac.New(sha256.New, []byte("shanzhi public form"))
	m.Write([]byte(issued))
	return hex.EncodeToString(m.Sum(nil))[:24]
}

// PublicFormToken is a delay token issued now.
func (s *HonourService) PublicFormToken(ctx context.Context) string {
	issued := strconv.FormatInt(s.db.Now().UnixMilli(), 10)
	return issued + "." + s.db.formMAC(issued)
}

// checkFormToken refuses a token that is forged, too fresh or too old.
func (db *DB) checkFormToken(token string, now time.Time) error {
	issued, mac, _ := strings.Cut(token, ".")
	ms, err := strconv.ParseInt(issued, 10, 64)
	if err != nil || !hmac.Equal([]byte(mac), []byte(db.formMAC(issued))) {
		return fault.E(fault.Invalid, "honour.public.token")
	}
	switch age := now.Sub(time.UnixMilli(ms)); {
	case age < formTokenMin:
		// A form problem, not a limit: the form comes back with a fresh
		// token, which a person's second look at it lets age.
		return fault.E(fault.Invalid, "honour.public.too_fast")
	case age > formTokenMax:
		return fault.E(fault.Invalid, "honour.public.token")
	}
	return nil
}

// NominatePublic takes a nomination from a board's public phone page.
// Everything is checked before anything is written, in one transaction
// with the review item, so a refusal leaves nothing behind: the delay
// token, the nominator's name and mobile number, the nominee's statement
// of consent, the photos (bounded, type-checked and stripped as a staff
// nomination's), the board (nominated, current period unpublished), the
// nominee (name and 户号 must match, with one message for any mismatch so
// the form tells nobody who lives where), and the per-phone daily limit,
// counted in the database so it holds across restarts and servers.
func (s *HonourService) NominatePublic(ctx context.Context, in honour.PublicNomination) (*honour.Nomination, error) {
	if err := s.db.checkFormToken(in.Token, s.db.Now()); err != nil {
		return nil, err
	}
	in.NominatorName, in.Nominee, in.Number = strings.TrimSpace(in.NominatorName), strings.TrimSpace(in.Nominee), strings.TrimSpace(in.Number)
	phone := registry.NormalizePhone(in.NominatorPhone)
	var fs fault.Fields
	if n := utf8.RuneCountInString(in.NominatorName); n == 0 || n > honour.MaxName {
		fs.Add("nominator", "honour.nomination.nominator", honour.MaxName)
	}
	if !registry.ValidMobile(phone) {
		fs.Add("phone", "honour.public.phone")
	}
	if in.Nominee == "" || in.Number == "" {
		fs.Add("nominee", "honour.public.nominee")
	}
	if !in.NomineeAgreed {
		fs.Add("consent", "honour.nomination.consent")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	nin := honour.NominationInput{Board: in.Board, Number: in.Number, Nominee: in.Nominee, Deed: in.Deed, Citation: in.Citation(),
		NominatorKind: honour.ByVillager, Nominator: in.NominatorName, Consent: honour.ConsentStated,
		ConsentDate: localtime.In(s.db.Now()).Format("2006-01-02"), Photos: in.Photos, PhotosPublic: in.PhotosPublic}
	photos, scan, err := checkNomination(&nin)
	if err != nil {
		return nil, err
	}
	var out *honour.Nomination
	err = s.db.update(ctx, func(tx *Tx) error {
		b, err := tx.boardFor(ctx, nil, in.Board, false)
		if err != nil {
			return err
		}
		if b.Kind != honour.Nominated {
			return fault.E(fault.Conflict, "honour.nomination.computed")
		}
		nin.Period = honour.CurrentPeriod(b.Period, localtime.In(tx.now))
		hash := tx.box.Index(purposePhone, phone)
		var recent int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM honour_nominations WHERE nominator_phone_hash = ? AND created_at > ?`,
			hash, tx.now.Add(-24*time.Hour).UnixMilli()).Scan(&recent); err != nil {
			return err
		}
		if recent >= honour.PublicPerPhone {
			return fault.E(fault.TooMany, "honour.public.phone_limit", honour.PublicPerPhone)
		}
		// The nominee: the one active member of that name in the household
		// of that number within the board's region.
		lo, hi := regioncode.Range(b.Region)
		ids, err := tx.ids(ctx, `SELECT h.id FROM households h JOIN residents r ON r.household_id = h.id
			WHERE h.village_code >= ? AND h.village_code < ? AND h.number = ? AND h.status = ? AND r.name = ? AND r.status = ?`,
			lo, hi, nin.Number, string(registry.HouseholdActive), nin.Nominee, string(registry.HouseholdActive))
		if err != nil {
			return err
		}
		if len(ids) != 1 {
			return fault.OnField(fault.Invalid, "nominee", "honour.public.mismatch")
		}
		nin.Household = ids[0]
		var village string
		if err := tx.queryRow(ctx, `SELECT village_code FROM households WHERE id = ?`, nin.Household).Scan(&village); err != nil {
			return err
		}
		out, err = s.nominate(ctx, tx, publicNominator(village), b, nin, photos, scan)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE honour_nominations SET channel = ?, nominator_phone_enc = ?, nominator_phone_hash = ?, nominator_phone_masked = ? WHERE id = ?`,
			honour.ChannelPublic, tx.box.Seal(purposePhone, phone), nullable(hash), registry.MaskPhone(phone), out.ID); err != nil {
			return err
		}
		out.Channel, out.NominatorPhone = honour.ChannelPublic, registry.MaskPhone(phone)
		return tx.audit(ctx, nil, auditEntry{action: "honour.nominate.public", target: fmt.Sprintf("nomination:%d", out.ID), region: village,
			detail: fmt.Sprintf("from the public page, nominator %s %s", in.NominatorName, out.NominatorPhone)})
	})
	return out, err
}

// rotateNominators re-seals the phones of public nominations' nominators
// and recomputes their keyed hashes, which the per-phone limit counts by.
func (tx *Tx) rotateNominators(ctx context.Context, nb *secret.Box, rep *RotateReport) error {
	type sealed struct {
		id  int64
		enc []byte
	}
	all, err := queryAll(ctx, tx, func(sc interface{ Scan(...any) error }) (sealed, error) {
		var s sealed
		return s, sc.Scan(&s.id, &s.enc)
	}, `SELECT id, nominator_phone_enc FROM honour_nominations WHERE nominator_phone_enc IS NOT NULL ORDER BY id`)
	if err != nil {
		return err
	}
	for _, s := range all {
		phone, err := nb.Open(purposePhone, s.enc)
		if err != nil {
			return fmt.Errorf("honour_nominations %d phone: %w", s.id, err)
		}
		if _, err := tx.exec(ctx, `UPDATE honour_nominations SET nominator_phone_enc = ?, nominator_phone_hash = ? WHERE id = ?`,
			nb.Seal(purposePhone, phone), nullable(nb.Index(purposePhone, phone)), s.id); err != nil {
			return err
		}
		rep.Values++
	}
	return nil
}
