package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/localtime"
	"shanzhi/internal/regioncode"
)

// PrivilegeService implements honour.PrivilegeService: a township's
// catalogue of what points open, and the grants on households' statements.
type PrivilegeService struct{ db *DB }

// Privileges returns the store's privilege catalogue.
func (db *DB) Privileges() *PrivilegeService { return &PrivilegeService{db: db} }

var _ honour.PrivilegeService = (*PrivilegeService)(nil)

const privilegeSelect = `SELECT p.id, p.township_code, t.name, p.name, p.threshold, p.valid_days, p.yearly_limit, p.created_by, p.created_at
	FROM privileges p JOIN regions t ON t.code = p.township_code`

func scanPrivilege(s interface{ Scan(...any) error }) (honour.Privilege, error) {
	var p honour.Privilege
	var at int64
	err := s.Scan(&p.ID, &p.Township, &p.TownshipName, &p.Name, &p.Threshold, &p.ValidDays, &p.Limit, &p.CreatedBy, &at)
	p.Created = time.UnixMilli(at)
	return p, err
}

// townshipOf is the township a village (or the township itself) lies in.
func townshipOf(code string) string {
	n := regioncode.PrefixLen(regioncode.Township)
	if len(code) < n {
		return code
	}
	return code[:n] + strings.Repeat("0", len(code)-n)
}

// CreatePrivilege adds a privilege to a township's catalogue.
func (s *PrivilegeService) CreatePrivilege(ctx context.Context, a *access.Actor, in honour.PrivilegeInput) (*honour.Privilege, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if !a.Can(access.HonourManage, in.Township) {
		return nil, fault.OnField(fault.Forbidden, "township", "error.forbidden")
	}
	var out honour.Privilege
	err := s.db.update(ctx, func(tx *Tx) error {
		_, actor := actorRef(a)
		id, err := tx.insertID(ctx, `INSERT INTO privileges (township_code, name, threshold, valid_days, yearly_limit, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (township_code, name) DO NOTHING RETURNING id`, in.Township, in.Name, in.Threshold, in.ValidDays, in.Limit, actor, tx.nowMS())
		if errors.Is(err, sql.ErrNoRows) {
			return fault.OnField(fault.Conflict, "name", "privilege.taken", in.Name)
		}
		if err != nil {
			return err
		}
		if out, err = scanPrivilege(tx.queryRow(ctx, privilegeSelect+` WHERE p.id = ?`, id)); err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "privilege.create", target: fmt.Sprintf("privilege:%d", id), region: in.Township,
			detail: fmt.Sprintf("%s threshold=%d valid=%dd limit=%d", in.Name, in.Threshold, in.ValidDays, in.Limit)})
	})
	return &out, err
}

// Privileges lists the catalogue of region's township.
func (s *PrivilegeService) Privileges(ctx context.Context, a *access.Actor, region string) ([]honour.Privilege, error) {
	if !regioncode.ValidCode(region) || !honourReader(a, region) || regioncode.LevelOf(region) < regioncode.Township {
		return nil, fault.E(fault.NotFound, "region.not_found")
	}
	var out []honour.Privilege
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(ctx, tx, scanPrivilege, privilegeSelect+` WHERE p.township_code = ? ORDER BY p.threshold, p.id`, townshipOf(region))
		return err
	})
	return out, err
}

// offers lists a household's township catalogue with what it qualifies
// for now: its balance against each threshold, and the year's grants
// against each limit.
func (tx *Tx) offers(ctx context.Context, village string, household int64) ([]honour.Offer, error) {
	ps, err := queryAll(ctx, tx, scanPrivilege, privilegeSelect+` WHERE p.township_code = ? ORDER BY p.threshold, p.id`, townshipOf(village))
	if err != nil {
		return nil, err
	}
	bal, err := tx.balanceOf(ctx, household)
	if err != nil {
		return nil, err
	}
	year := localtime.In(tx.now).Format("2006")
	out := make([]honour.Offer, len(ps))
	for i, p := range ps {
		out[i] = honour.Offer{Privilege: p, Balance: bal}
		if err := tx.queryRow(ctx, `SELECT count(*) FROM privilege_grants WHERE household_id = ? AND privilege_id = ? AND year = ?`, household, p.ID, year).Scan(&out[i].Used); err != nil {
			return nil, err
		}
		out[i].Qualifies = bal >= p.Threshold && out[i].Used < p.Limit
	}
	return out, nil
}

// Offers lists what a household qualifies for.
func (s *PrivilegeService) Offers(ctx context.Context, a *access.Actor, household int64) ([]honour.Offer, error) {
	var out []honour.Offer
	err := s.db.view(ctx, func(tx *Tx) error {
		village, err := tx.ledgerReader(ctx, a, household)
		if err != nil {
			return err
		}
		out, err = tx.offers(ctx, village, household)
		return err
	})
	return out, err
}

const grantSelect = `SELECT g.id, g.privilege_id, p.name, g.household_id, g.year, g.expires, g.note, g.actor_name, g.created_at
	FROM privilege_grants g JOIN privileges p ON p.id = g.privilege_id`

func scanGrant(s interface{ Scan(...any) error }) (honour.PrivilegeGrant, error) {
	var g honour.PrivilegeGrant
	var at int64
	err := s.Scan(&g.ID, &g.Privilege, &g.Name, &g.Household, &g.Year, &g.Expires, &g.Note, &g.Actor, &at)
	g.Created = time.UnixMilli(at)
	return g, err
}

// Grants lists a household's grants, newest first.
func (s *PrivilegeService) Grants(ctx context.Context, a *access.Actor, household int64) ([]honour.PrivilegeGrant, error) {
	return householdRows(ctx, s.db, a, household, scanGrant, grantSelect+` WHERE g.household_id = ? ORDER BY g.id DESC`)
}

// Grant gives a household a privilege it qualifies for. The count of the
// year's grants is read under the household's row, which every grant to
// the household locks first, so two officials granting at once cannot
// both pass the limit.
func (s *PrivilegeService) Grant(ctx context.Context, a *access.Actor, household, privilege int64, note string) (*honour.PrivilegeGrant, error) {
	note = strings.TrimSpace(note)
	if len([]rune(note)) > honour.MaxDeed {
		return nil, fault.OnField(fault.Invalid, "note", "fund.too_long")
	}
	var out honour.PrivilegeGrant
	err := s.db.update(ctx, func(tx *Tx) error {
		h, err := tx.householdFor(ctx, a, household, access.HonourManage)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE households SET status = status WHERE id = ?`, h.ID); err != nil {
			return err
		}
		offers, err := tx.offers(ctx, h.VillageCode, h.ID)
		if err != nil {
			return err
		}
		var o *honour.Offer
		for i := range offers {
			if offers[i].ID == privilege {
				o = &offers[i]
			}
		}
		switch {
		case o == nil:
			return fault.OnField(fault.Invalid, "privilege", "privilege.unknown")
		case o.Balance < o.Threshold:
			return fault.E(fault.Conflict, "privilege.below", o.Balance, o.Threshold)
		case o.Used >= o.Limit:
			return fault.E(fault.Conflict, "privilege.limit_reached", o.Limit)
		}
		today := localtime.In(tx.now)
		_, actor := actorRef(a)
		id, err := tx.insertID(ctx, `INSERT INTO privilege_grants (privilege_id, household_id, village_code, year, expires, note, actor_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			o.ID, h.ID, h.VillageCode, today.Format("2006"), today.AddDate(0, 0, o.ValidDays-1).Format("2006-01-02"), note, actor, tx.nowMS())
		if err != nil {
			return err
		}
		if out, err = scanGrant(tx.queryRow(ctx, grantSelect+` WHERE g.id = ?`, id)); err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "privilege.grant", target: fmt.Sprintf("household:%d privilege:%d", h.ID, o.ID), region: h.VillageCode,
			detail: fmt.Sprintf("%s balance=%d until %s %s", o.Name, o.Balance, out.Expires, note)})
	})
	return &out, err
}
