package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/registry"
)

const memberSelect = `SELECT m.id, m.branch_id, o.name, o.home_code, COALESCE(m.resident_id, 0), m.name, m.gender, m.id_masked, m.phone_masked,
	m.applied, m.probation, m.full_date, m.created_at,
	COALESCE(t.id, 0), COALESCE(t.to_id, 0), COALESCE(tt.name, ''), COALESCE(tt.home_code, ''), COALESCE(t.status, ''), COALESCE(t.sent, ''),
	m.ethnicity, m.birth_date, m.education, m.job, m.residence, COALESCE(m.work_unit_id, 0), COALESCE(wu.name, ''),
	COALESCE(f.id, 0), COALESCE(f.temp_org_id, 0), COALESCE(f.temp_name, ''), COALESCE(f.place, ''), COALESCE(f.from_date, '')
	FROM org_members m JOIN org_orgs o ON o.id = m.branch_id
	LEFT JOIN org_transfers t ON t.member_id = m.id AND t.open IS NOT NULL LEFT JOIN org_orgs tt ON tt.id = t.to_id
	LEFT JOIN org_units wu ON wu.id = m.work_unit_id LEFT JOIN org_flows f ON f.member_id = m.id AND f.to_date = ''`

func scanMember(s interface{ Scan(...any) error }) (org.Member, error) {
	var m org.Member
	var created int64
	var t org.Transfer
	var f org.Flow
	err := s.Scan(&m.ID, &m.Branch, &m.BranchName, &m.Home, &m.Resident, &m.Name, &m.Gender, &m.IDMasked, &m.PhoneMasked,
		&m.Applied, &m.Probation, &m.Full, &created, &t.ID, &t.To, &t.ToName, &t.ToHome, &t.Status, &t.Sent,
		&m.Ethnicity, &m.Birth, &m.Education, &m.Job, &m.Residence, &m.WorkUnit, &m.WorkName,
		&f.ID, &f.TempOrg, &f.TempName, &f.Place, &f.From)
	m.Created = time.UnixMilli(created)
	m.Standing = org.MemberInput{Full: m.Full}.Standing()
	if t.ID != 0 {
		t.From, t.FromName = m.Branch, m.BranchName
		m.Pending = &t
	}
	if f.ID != 0 {
		f.Member, f.MemberName, f.Branch, f.BranchName = m.ID, m.Name, m.Branch, m.BranchName
		m.Away = &f
	}
	return m, err
}

// memberFor loads a member the actor may read through their branch, or
// through the branch a transfer in transit takes them to (whose officials
// must see whom they are to receive), and may change through their branch
// when manage is set.
func (tx *Tx) memberFor(ctx context.Context, a *access.Actor, id int64, manage bool) (*org.Member, error) {
	m, err := scanMember(tx.queryRow(ctx, memberSelect+` WHERE m.id = ?`, id))
	home := m.Home
	if err == nil && !manage && !org.CanRead(a, home) {
		// A branch secretary reads their branch's members and those a
		// transfer in transit brings to it.
		ok, err := tx.canOrg(ctx, a, access.OrgRead, m.Branch, m.Home)
		if err == nil && !ok && m.Pending != nil {
			ok, err = tx.canOrg(ctx, a, access.OrgRead, m.Pending.To, m.Pending.ToHome)
		}
		if err != nil {
			return nil, err
		}
		if ok {
			return &m, nil
		}
	}
	if err == nil && m.Pending != nil && !org.CanRead(a, home) {
		home = m.Pending.ToHome
	}
	if err := orgReachable(err, a, home, false); err != nil {
		return nil, err
	}
	if manage && !org.CanManage(a, m.Home) {
		return nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	return &m, nil
}

// memberBranch loads the organisation a member is to belong to: active,
// of a kind that holds members.
func (tx *Tx) memberBranch(ctx context.Context, a *access.Actor, id int64, field string) (*org.Org, error) {
	o, err := tx.orgFor(ctx, a, id, false)
	if err != nil {
		return nil, fault.OnField(fault.Invalid, field, "org.member.branch_invalid")
	}
	if o.Status != org.Active {
		return nil, fault.OnField(fault.Conflict, field, "org.member.branch_dissolved", o.Name)
	}
	if !o.Kind.HoldsMembers() {
		return nil, fault.OnField(fault.Invalid, field, "org.member.branch_group", o.Name)
	}
	return o, nil
}

// alreadyMember refuses a second membership of the same person, found by
// the resident they are or by the keyed hash of their ID number, naming
// the branch they already belong to.
func (tx *Tx) alreadyMember(ctx context.Context, resident int64, idHash string) error {
	var name, branch string
	err := tx.queryRow(ctx, `SELECT m.name, o.name FROM org_members m JOIN org_orgs o ON o.id = m.branch_id
		WHERE m.resident_id = ? OR m.id_hash = ?`, resident, idHash).Scan(&name, &branch)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return fault.E(fault.Conflict, "org.member.twice", name, branch)
}

// CreateMember records a party member in a branch the actor manages. A
// person already a member anywhere is refused: a member belongs to one
// branch at a time, and changes branch only by a transfer.
func (s *OrgService) CreateMember(ctx context.Context, a *access.Actor, in org.MemberInput) (*org.Member, error) {
	in.Normalize()
	var out *org.Member
	err := s.db.update(ctx, func(tx *Tx) error {
		if err := in.Validate(tx.now); err != nil {
			return err
		}
		b, err := tx.memberBranch(ctx, a, in.Branch, "branch")
		if err != nil {
			return err
		}
		if !org.CanManage(a, b.Home) {
			return fault.E(fault.Forbidden, "error.forbidden")
		}
		resident, err := tx.memberResident(ctx, a, in.Resident)
		if err != nil {
			return err
		}
		idHash := tx.box.Index(purposeID, in.IDNumber)
		if err := tx.alreadyMember(ctx, in.Resident, idHash); err != nil {
			return err
		}
		unit, err := tx.memberUnit(ctx, a, in.WorkUnit)
		if err != nil {
			return err
		}
		id, err := tx.insertMember(ctx, b.ID, resident, unit, idHash, "", in)
		if isUniqueViolation(err) {
			return fault.E(fault.Conflict, "org.member.twice", in.Name, b.Name)
		}
		if err != nil {
			return err
		}
		out, err = tx.memberSaved(ctx, a, "org.member.create", id, b, in)
		return err
	})
	return out, err
}

// UpdateMember corrects a member of a branch the actor manages. The ID
// number and phone are replaced only when given, since pages never hold
// them in clear; a new ID number or resident must not be another member's.
func (s *OrgService) UpdateMember(ctx context.Context, a *access.Actor, id int64, in org.MemberInput) (*org.Member, error) {
	in.Normalize()
	var out *org.Member
	err := s.db.update(ctx, func(tx *Tx) error {
		m, err := tx.memberFor(ctx, a, id, true)
		if err != nil {
			return err
		}
		if err := in.Validate(tx.now); err != nil {
			return err
		}
		resident, err := tx.memberResident(ctx, a, in.Resident)
		if err != nil {
			return err
		}
		idHash := tx.box.Index(purposeID, in.IDNumber)
		var other int64
		err = tx.queryRow(ctx, `SELECT id FROM org_members WHERE id <> ? AND (resident_id = ? OR id_hash = ?)`, id, in.Resident, idHash).Scan(&other)
		switch {
		case err == nil:
			return tx.alreadyMember(ctx, in.Resident, idHash)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		unit, err := tx.memberUnit(ctx, a, in.WorkUnit)
		if err != nil {
			return err
		}
		if err := tx.updateMember(ctx, id, resident, unit, "", in); err != nil {
			return err
		}
		if in.IDNumber != "" {
			if _, err := tx.exec(ctx, `UPDATE org_members SET id_enc = ?, id_hash = ?, id_masked = ? WHERE id = ?`,
				tx.box.Seal(purposeID, in.IDNumber), idHash, registry.MaskID(in.IDNumber), id); err != nil {
				return err
			}
		}
		if in.Phone != "" {
			if _, err := tx.exec(ctx, `UPDATE org_members SET phone_enc = ?, phone_masked = ? WHERE id = ?`,
				tx.box.Seal(purposePhone, in.Phone), registry.MaskPhone(in.Phone), id); err != nil {
				return err
			}
		}
		out, err = tx.memberSaved(ctx, a, "org.member.update", id, &org.Org{ID: m.Branch, Home: m.Home}, in)
		return err
	})
	return out, err
}

// insertMember writes a new member, sealing the ID number and phone.
func (tx *Tx) insertMember(ctx context.Context, branch int64, resident, unit any, idHash, rosterHash string, in org.MemberInput) (int64, error) {
	return tx.insertID(ctx, `INSERT INTO org_members (branch_id, resident_id, name, gender, id_enc, id_hash, id_masked, phone_enc, phone_masked,
		applied, probation, full_date, ethnicity, birth_date, education, job, residence, work_unit_id, roster_hash, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		branch, resident, in.Name, in.Gender, tx.box.Seal(purposeID, in.IDNumber), nullable(idHash), maskedOrEmpty(in.IDNumber, registry.MaskID),
		tx.box.Seal(purposePhone, in.Phone), maskedOrEmpty(in.Phone, registry.MaskPhone), in.Applied, in.Probation, in.Full,
		in.Ethnicity, in.Birth, in.Education, in.Job, in.Residence, unit, rosterHash, tx.nowMS(), tx.nowMS())
}

// updateMember writes a member's details other than the sealed ones.
func (tx *Tx) updateMember(ctx context.Context, id int64, resident, unit any, rosterHash string, in org.MemberInput) error {
	_, err := tx.exec(ctx, `UPDATE org_members SET resident_id = ?, name = ?, gender = ?, applied = ?, probation = ?, full_date = ?,
		ethnicity = ?, birth_date = ?, education = ?, job = ?, residence = ?, work_unit_id = ?, roster_hash = ?, updated_at = ? WHERE id = ?`,
		resident, in.Name, in.Gender, in.Applied, in.Probation, in.Full, in.Ethnicity, in.Birth, in.Education, in.Job, in.Residence, unit, rosterHash, tx.nowMS(), id)
	return err
}

// memberUnit checks the unit a member works in, if any: one the actor
// reads. It returns the column's value, NULL for none.
func (tx *Tx) memberUnit(ctx context.Context, a *access.Actor, unit int64) (any, error) {
	if unit == 0 {
		return nil, nil
	}
	if _, err := tx.unitFor(ctx, a, unit, false); err != nil {
		return nil, fault.OnField(fault.Invalid, "work_unit", "org.member.unit_invalid")
	}
	return unit, nil
}

// memberResident checks the resident a member is linked to, if any: one
// the actor reads. It returns the column's value, NULL for none.
func (tx *Tx) memberResident(ctx context.Context, a *access.Actor, resident int64) (any, error) {
	if resident == 0 {
		return nil, nil
	}
	if _, err := tx.residentFor(ctx, a, resident, access.RegistryRead); err != nil {
		return nil, fault.OnField(fault.Invalid, "resident", "org.member.resident_invalid")
	}
	return resident, nil
}

// memberSaved audits a member's write in their branch's region and reads
// the member back.
func (tx *Tx) memberSaved(ctx context.Context, a *access.Actor, action string, id int64, branch *org.Org, in org.MemberInput) (*org.Member, error) {
	if err := tx.orgAudit(ctx, a, action, fmt.Sprintf("member:%d org:%d", id, branch.ID), branch.Home,
		fmt.Sprintf("%s; %s; %s; %s", in.Name, maskedOrEmpty(in.IDNumber, registry.MaskID), in.Probation, in.Full)); err != nil {
		return nil, err
	}
	return tx.memberFor(ctx, a, id, false)
}

// Member returns one member with the history of their transfers.
func (s *OrgService) Member(ctx context.Context, a *access.Actor, id int64) (*org.Member, error) {
	var out *org.Member
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		if out, err = tx.memberFor(ctx, a, id, false); err != nil {
			return err
		}
		out.Transfers, err = queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (org.Transfer, error) {
			var t org.Transfer
			err := s.Scan(&t.ID, &t.From, &t.FromName, &t.To, &t.ToName, &t.Status, &t.Sent, &t.Received)
			return t, err
		}, `SELECT t.id, t.from_id, f.name, t.to_id, o.name, t.status, t.sent, t.received FROM org_transfers t
			JOIN org_orgs f ON f.id = t.from_id JOIN org_orgs o ON o.id = t.to_id WHERE t.member_id = ? ORDER BY t.id DESC`, id)
		return err
	})
	return out, err
}

// Members lists a branch's members: its roster (党员花名册).
func (s *OrgService) Members(ctx context.Context, a *access.Actor, branch int64) ([]org.Member, error) {
	var out []org.Member
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.orgFor(ctx, a, branch, false); err != nil {
			return err
		}
		var err error
		out, err = queryAll(ctx, tx, scanMember, memberSelect+` WHERE m.branch_id = ? ORDER BY m.probation, m.name, m.id`, branch)
		return err
	})
	return out, err
}

// Transfer sends a member's membership from their branch, which the actor
// manages, to another active branch the actor can see. The member stays
// in their branch until the receiving one takes them, so they belong to
// exactly one at every moment.
func (s *OrgService) Transfer(ctx context.Context, a *access.Actor, id, to int64, date string) (*org.Member, error) {
	var out *org.Member
	err := s.db.update(ctx, func(tx *Tx) error {
		m, err := tx.memberFor(ctx, a, id, true)
		if err != nil {
			return err
		}
		if m.Pending != nil {
			return fault.E(fault.Conflict, "org.member.transfer_open", m.Pending.ToName)
		}
		dest, err := tx.memberBranch(ctx, a, to, "to")
		if err != nil {
			return err
		}
		if dest.ID == m.Branch {
			return fault.OnField(fault.Invalid, "to", "org.member.transfer_same")
		}
		if date, err = tx.changeDate(date); err != nil {
			return err
		}
		tid, err := tx.insertID(ctx, `INSERT INTO org_transfers (member_id, from_id, to_id, status, sent, open, created_at) VALUES (?, ?, ?, ?, ?, 1, ?) RETURNING id`,
			id, m.Branch, dest.ID, string(org.TransferTransit), date, tx.nowMS())
		if isUniqueViolation(err) {
			return fault.E(fault.Conflict, "org.member.transfer_open", dest.Name)
		}
		if err != nil {
			return err
		}
		if err := tx.orgAudit(ctx, a, "org.member.transfer", fmt.Sprintf("member:%d transfer:%d", id, tid), m.Home,
			fmt.Sprintf("%s → %s; %s", m.BranchName, dest.Name, date)); err != nil {
			return err
		}
		out, err = tx.memberFor(ctx, a, id, false)
		return err
	})
	return out, err
}

// Receive takes a member in transit into the branch the transfer names;
// the actor must manage that branch.
func (s *OrgService) Receive(ctx context.Context, a *access.Actor, id int64, date string) (*org.Member, error) {
	if !a.CanAnywhere(access.OrgManage) {
		return nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	var out *org.Member
	err := s.db.update(ctx, func(tx *Tx) error {
		m, err := tx.memberFor(ctx, a, id, false)
		if err != nil {
			return err
		}
		if m.Pending == nil {
			return fault.E(fault.Conflict, "org.member.no_transfer")
		}
		// The receiving branch was checked when the transfer was sent;
		// one the actor cannot see is simply not theirs to receive into.
		dest, err := tx.memberBranch(ctx, a, m.Pending.To, "to")
		if fault.Is(err, fault.Invalid) {
			return fault.E(fault.Forbidden, "error.forbidden")
		}
		if err != nil {
			return err
		}
		if !org.CanManage(a, dest.Home) {
			return fault.E(fault.Forbidden, "error.forbidden")
		}
		if date, err = tx.changeDate(date); err != nil {
			return err
		}
		if date < m.Pending.Sent {
			return fault.OnField(fault.Invalid, "date", "org.member.received_before_sent", m.Pending.Sent)
		}
		if err := tx.exactlyOne(ctx, fault.E(fault.Conflict, "org.member.no_transfer"),
			`UPDATE org_transfers SET status = ?, received = ?, open = NULL WHERE id = ? AND open IS NOT NULL`, string(org.TransferReceived), date, m.Pending.ID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE org_members SET branch_id = ?, updated_at = ? WHERE id = ?`, dest.ID, tx.nowMS(), id); err != nil {
			return err
		}
		if err := tx.netFollowMember(ctx, a, id, fmt.Sprintf("transfer:%d → %s", m.Pending.ID, dest.Name)); err != nil {
			return err
		}
		if err := tx.orgAudit(ctx, a, "org.member.receive", fmt.Sprintf("member:%d transfer:%d", id, m.Pending.ID), dest.Home,
			fmt.Sprintf("%s → %s; %s", m.BranchName, dest.Name, date)); err != nil {
			return err
		}
		out, err = tx.memberFor(ctx, a, id, false)
		return err
	})
	return out, err
}
