package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/talent"
)

// StartFlow records a member of a branch the actor manages going away to
// work (流动党员), with the temporary branch that takes part in their
// party life there: one of the register they can see, or one only named.
func (s *OrgService) StartFlow(ctx context.Context, a *access.Actor, member int64, in org.FlowInput) (*org.Member, error) {
	in.TempName, in.Place, in.From = strings.TrimSpace(in.TempName), strings.TrimSpace(in.Place), strings.TrimSpace(in.From)
	var out *org.Member
	err := s.db.update(ctx, func(tx *Tx) error {
		m, err := tx.memberFor(ctx, a, member, true)
		if err != nil {
			return err
		}
		if m.Away != nil {
			return fault.E(fault.Conflict, "org.flow.open", m.Away.TempName)
		}
		if err := in.Validate(tx.now); err != nil {
			return err
		}
		if in.TempOrg != 0 {
			t, err := tx.memberBranch(ctx, a, in.TempOrg, "temp_org")
			if err != nil {
				return err
			}
			if t.ID == m.Branch {
				return fault.OnField(fault.Invalid, "temp_org", "org.flow.own_branch")
			}
			in.TempName = t.Name
		}
		id, err := tx.insertID(ctx, `INSERT INTO org_flows (member_id, temp_org_id, temp_name, place, from_date, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			member, nullable64(in.TempOrg), in.TempName, in.Place, in.From, tx.nowMS())
		if isUniqueViolation(err) {
			return fault.E(fault.Conflict, "org.flow.open", in.TempName)
		}
		if err != nil {
			return err
		}
		if err := tx.orgAudit(ctx, a, "org.member.flow_out", fmt.Sprintf("member:%d flow:%d", member, id), m.Home,
			fmt.Sprintf("%s → %s; %s; %s", m.BranchName, in.TempName, in.Place, in.From)); err != nil {
			return err
		}
		out, err = tx.memberFor(ctx, a, member, false)
		return err
	})
	return out, err
}

// EndFlow records a member back from away: the stay ends that day.
func (s *OrgService) EndFlow(ctx context.Context, a *access.Actor, member int64, date string) (*org.Member, error) {
	var out *org.Member
	err := s.db.update(ctx, func(tx *Tx) error {
		m, err := tx.memberFor(ctx, a, member, true)
		if err != nil {
			return err
		}
		if m.Away == nil {
			return fault.E(fault.Conflict, "org.flow.none")
		}
		if date, err = tx.changeDate(date); err != nil {
			return err
		}
		if date < m.Away.From {
			return fault.OnField(fault.Invalid, "date", "org.flow.back_before", m.Away.From)
		}
		if err := tx.exactlyOne(ctx, fault.E(fault.Conflict, "org.flow.none"),
			`UPDATE org_flows SET to_date = ? WHERE id = ? AND to_date = ''`, date, m.Away.ID); err != nil {
			return err
		}
		if err := tx.orgAudit(ctx, a, "org.member.flow_back", fmt.Sprintf("member:%d flow:%d", member, m.Away.ID), m.Home,
			fmt.Sprintf("%s ← %s; %s", m.BranchName, m.Away.TempName, date)); err != nil {
			return err
		}
		out, err = tx.memberFor(ctx, a, member, false)
		return err
	})
	return out, err
}

// Flows lists a branch's 流动党员 away now: its own members away (流出)
// and other branches' members staying with it (流入).
func (s *OrgService) Flows(ctx context.Context, a *access.Actor, branch int64) (*org.Flows, error) {
	out := &org.Flows{}
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.orgFor(ctx, a, branch, false); err != nil {
			return err
		}
		scan := func(s interface{ Scan(...any) error }) (org.Flow, error) {
			var f org.Flow
			err := s.Scan(&f.ID, &f.Member, &f.MemberName, &f.Branch, &f.BranchName, &f.TempOrg, &f.TempName, &f.Place, &f.From, &f.To)
			return f, err
		}
		const q = `SELECT f.id, f.member_id, m.name, m.branch_id, o.name, COALESCE(f.temp_org_id, 0), f.temp_name, f.place, f.from_date, f.to_date
			FROM org_flows f JOIN org_members m ON m.id = f.member_id JOIN org_orgs o ON o.id = m.branch_id WHERE f.to_date = '' AND `
		var err error
		if out.Out, err = queryAll(ctx, tx, scan, q+`m.branch_id = ? ORDER BY f.from_date, m.name`, branch); err != nil {
			return err
		}
		out.In, err = queryAll(ctx, tx, scan, q+`f.temp_org_id = ? ORDER BY f.from_date, m.name`, branch)
		return err
	})
	return out, err
}

// SetInstructor assigns a 党建指导员 to a unit the actor manages from a
// date; whoever was assigned before leaves that day. An empty name leaves
// the unit without one.
func (s *OrgService) SetInstructor(ctx context.Context, a *access.Actor, unit int64, name, date string) (*org.Unit, error) {
	name = strings.TrimSpace(name)
	var out *org.Unit
	err := s.db.update(ctx, func(tx *Tx) error {
		u, err := tx.unitFor(ctx, a, unit, true)
		if err != nil {
			return err
		}
		if len([]rune(name)) > 30 {
			return fault.OnField(fault.Invalid, "name", "org.too_long", 30)
		}
		if name == "" && u.Instructor == "" {
			return fault.OnField(fault.Invalid, "name", "org.instructor.name_required")
		}
		if date, err = tx.changeDate(date); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE org_instructors SET to_date = ? WHERE unit_id = ? AND to_date = ''`, date, unit); err != nil {
			return err
		}
		if name != "" {
			if _, err := tx.exec(ctx, `INSERT INTO org_instructors (unit_id, name, from_date, created_at) VALUES (?, ?, ?, ?)`, unit, name, date, tx.nowMS()); err != nil {
				return err
			}
		}
		if err := tx.orgAudit(ctx, a, "org.unit.instructor", fmt.Sprintf("unit:%d", unit), u.Region, fmt.Sprintf("%s → %s; %s", u.Instructor, name, date)); err != nil {
			return err
		}
		out, err = tx.unitFor(ctx, a, unit, false)
		return err
	})
	return out, err
}

// Coverage computes 两个覆盖 for the 两新 units under region: each unit's
// coverage (its own organisation, a joint one, a 党建指导员, or none) with
// the members working there, rolled up for region and each region
// directly below it.
func (s *OrgService) Coverage(ctx context.Context, a *access.Actor, region string) (*org.Coverage, error) {
	if !regioncode.ValidCode(region) || !org.CanRead(a, region) {
		return nil, fault.E(fault.NotFound, "region.not_found")
	}
	level := regioncode.LevelOf(region)
	lo, hi := regioncode.Range(region)
	out := &org.Coverage{}
	err := s.db.view(ctx, func(tx *Tx) error {
		reg, err := tx.region(ctx, region)
		if err != nil {
			return err
		}
		out.Total = org.CoverArea{Code: region, Name: reg.Name, ByKind: map[org.CoverKind]int{}}
		areas := map[string]int{}
		if level < regioncode.Village {
			list, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (org.CoverArea, error) {
				c := org.CoverArea{ByKind: map[org.CoverKind]int{}}
				err := s.Scan(&c.Code, &c.Name)
				return c, err
			}, `SELECT code, name FROM regions WHERE parent_code = ? ORDER BY code`, region)
			if err != nil {
				return err
			}
			for i, c := range list {
				areas[c.Code] = i
			}
			out.Areas = list
		}
		// One query per fact rather than unitSelect's subquery per unit:
		// a league has thousands of 两新 units.
		units, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (org.Unit, error) {
			var u org.Unit
			err := s.Scan(&u.ID, &u.Region, &u.RegionName, &u.Name, &u.CreditCode, &u.Type)
			u.TwoNew = true
			return u, err
		}, `SELECT u.id, u.region_code, r.name, u.name, u.credit_code, u.type FROM org_units u JOIN regions r ON r.code = u.region_code
			WHERE u.two_new = 1 AND u.region_code >= ? AND u.region_code < ? ORDER BY u.region_code, u.name, u.id`, lo, hi)
		if err != nil {
			return err
		}
		cover := make(map[int64]*org.CoverUnit, len(units))
		list := make([]org.CoverUnit, len(units))
		for i, u := range units {
			list[i] = org.CoverUnit{Unit: u, Kind: org.CoverNone}
			cover[u.ID] = &list[i]
		}
		rows, err := tx.query(ctx, `SELECT i.unit_id, i.name FROM org_instructors i JOIN org_units u ON u.id = i.unit_id
			WHERE i.to_date = '' AND u.two_new = 1 AND u.region_code >= ? AND u.region_code < ?`, lo, hi)
		if err != nil {
			return err
		}
		for rows.Next() {
			var unit int64
			var name string
			if err := rows.Scan(&unit, &name); err != nil {
				rows.Close()
				return err
			}
			if c := cover[unit]; c != nil {
				c.Kind, c.By, c.Instructor, c.Unit.Instructor = org.CoverInstructor, name, name, name
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// The organisations covering each unit: its own when attached to
		// it alone and not a joint branch, else a joint one.
		rows, err = tx.query(ctx, `SELECT ou.unit_id, o.kind, o.name, c.n
			FROM org_org_units ou JOIN org_orgs o ON o.id = ou.org_id JOIN org_units u ON u.id = ou.unit_id
			JOIN (SELECT org_id, count(*) AS n FROM org_org_units GROUP BY org_id) c ON c.org_id = o.id
			WHERE o.status = 'active' AND u.two_new = 1 AND u.region_code >= ? AND u.region_code < ?`, lo, hi)
		if err != nil {
			return err
		}
		for rows.Next() {
			var unit int64
			var kind org.Kind
			var name string
			var n int
			if err := rows.Scan(&unit, &kind, &name, &n); err != nil {
				rows.Close()
				return err
			}
			c := cover[unit]
			k := org.CoverJoint
			if kind != org.JointBranch && n == 1 {
				k = org.CoverOwn
			}
			if c != nil && coverRank(k) < coverRank(c.Kind) {
				c.Kind, c.By = k, name
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.query(ctx, `SELECT m.work_unit_id, count(*) FROM org_members m JOIN org_units u ON u.id = m.work_unit_id
			WHERE u.two_new = 1 AND u.region_code >= ? AND u.region_code < ? GROUP BY m.work_unit_id`, lo, hi)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var unit int64
			var n int
			if err := rows.Scan(&unit, &n); err != nil {
				return err
			}
			if c := cover[unit]; c != nil {
				c.Members = n
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range list {
			add := func(ar *org.CoverArea) {
				ar.Units++
				ar.ByKind[c.Kind]++
				ar.Members += c.Members
				if c.Kind == org.CoverNone {
					ar.GapMembers += c.Members
				}
			}
			add(&out.Total)
			if level < regioncode.Village {
				if i, ok := areas[talent.Ancestor(c.Unit.Region, level+1)]; ok {
					add(&out.Areas[i])
				}
			}
		}
		// The gaps first, those with most members at the top: where an
		// organisation is wanted most.
		sort.SliceStable(list, func(i, j int) bool {
			if (list[i].Kind == org.CoverNone) != (list[j].Kind == org.CoverNone) {
				return list[i].Kind == org.CoverNone
			}
			return list[i].Members > list[j].Members
		})
		out.Units = list[:min(len(list), org.MaxCoverUnits)]
		return nil
	})
	return out, err
}

// coverRank orders the kinds of coverage, strongest first.
func coverRank(k org.CoverKind) int {
	for i, x := range org.CoverKinds {
		if x == k {
			return i
		}
	}
	return len(org.CoverKinds)
}

// Split divides an organisation (分设): a new organisation is set up beside
// it under the same parent, and the members listed pass to it. Both keep
// the split in their history; nothing else changes.
func (s *OrgService) Split(ctx context.Context, a *access.Actor, id int64, in org.SplitInput) (*org.Org, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	var out *org.Org
	err := s.db.update(ctx, func(tx *Tx) error {
		o, err := tx.activeOrg(ctx, a, id)
		if err != nil {
			return err
		}
		if in.Reason == "" {
			return fault.OnField(fault.Invalid, "reason", "org.org.reason_required")
		}
		if in.Date, err = tx.changeDate(in.Date); err != nil {
			return err
		}
		kind, region := in.Kind, in.Region
		if kind == "" {
			kind = o.Kind
		}
		if region == "" && len(in.Units) == 0 {
			region = o.Attached
		}
		if o.Parent == 0 && region == "" {
			region = o.Home
		}
		nid, err := tx.createOrg(ctx, a, org.OrgInput{Parent: o.Parent, Region: region, Units: in.Units, Kind: kind, Name: in.Name, Founded: in.Date})
		if err != nil {
			return err
		}
		if len(in.Members) > 0 && !kind.HoldsMembers() {
			return fault.OnField(fault.Invalid, "members", "org.member.branch_group", in.Name)
		}
		for _, m := range in.Members {
			var name string
			var pending bool
			err := tx.queryRow(ctx, `SELECT m.name, EXISTS (SELECT 1 FROM org_transfers t WHERE t.member_id = m.id AND t.open IS NOT NULL)
				FROM org_members m WHERE m.id = ? AND m.branch_id = ?`, m, id).Scan(&name, &pending)
			if errors.Is(err, sql.ErrNoRows) {
				return fault.OnField(fault.Invalid, "members", "org.split.member_invalid", m)
			}
			if err != nil {
				return err
			}
			if pending {
				return fault.OnField(fault.Conflict, "members", "org.split.member_moving", name)
			}
			if _, err := tx.exec(ctx, `UPDATE org_members SET branch_id = ?, updated_at = ? WHERE id = ?`, nid, tx.nowMS(), m); err != nil {
				return err
			}
		}
		n, err := tx.orgFor(ctx, a, nid, false)
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("%s → %s; %d; %s", o.Name, n.Name, len(in.Members), in.Reason)
		if err := tx.orgEvent(ctx, a, o, "split", in.Date, detail); err != nil {
			return err
		}
		if err := tx.orgEvent(ctx, a, n, "split_from", in.Date, detail); err != nil {
			return err
		}
		out, err = tx.orgFor(ctx, a, nid, false)
		return err
	})
	return out, err
}
