package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/pinyin"
)

const orgSelect = `SELECT o.id, COALESCE(o.parent_id, 0), COALESCE(p.name, ''), o.home_code, r.name, o.region_code, o.kind, o.name, o.founded, o.brand, o.status, o.dissolved,
	(SELECT count(*) FROM org_members m WHERE m.branch_id = o.id)
	FROM org_orgs o JOIN regions r ON r.code = o.home_code LEFT JOIN org_orgs p ON p.id = o.parent_id`

func scanOrg(s interface{ Scan(...any) error }) (org.Org, error) {
	var o org.Org
	err := s.Scan(&o.ID, &o.Parent, &o.ParentName, &o.Home, &o.HomeName, &o.Attached, &o.Kind, &o.Name, &o.Founded, &o.Brand, &o.Status, &o.Dissolved, &o.Members)
	return o, err
}

// orgFor loads an organisation the actor may read through its home
// region, and may change when manage is set.
//
// A secretary's grant for one organisation reads it and those below it
// (never changes them), so a branch secretary of a joint branch sees only
// their own.
func (tx *Tx) orgFor(ctx context.Context, a *access.Actor, id int64, manage bool) (*org.Org, error) {
	o, err := scanOrg(tx.queryRow(ctx, orgSelect+` WHERE o.id = ?`, id))
	if err == nil && !manage && !a.Can(access.OrgRead, o.Home) {
		ok, err := tx.canOrg(ctx, a, access.OrgRead, o.ID, o.Home)
		if err != nil {
			return nil, err
		}
		if ok {
			return &o, nil
		}
	}
	if err := orgReachable(err, a, o.Home, manage); err != nil {
		return nil, err
	}
	return &o, nil
}

// activeOrg loads an organisation for a change: one the actor manages and
// that is not dissolved.
func (tx *Tx) activeOrg(ctx context.Context, a *access.Actor, id int64) (*org.Org, error) {
	o, err := tx.orgFor(ctx, a, id, true)
	if err != nil {
		return nil, err
	}
	if o.Status != org.Active {
		return nil, fault.E(fault.Conflict, "org.org.is_dissolved", o.Name)
	}
	return o, nil
}

// orgEvent appends to an organisation's history and to the audit trail.
func (tx *Tx) orgEvent(ctx context.Context, a *access.Actor, o *org.Org, kind, date, detail string) error {
	_, name := actorRef(a)
	if _, err := tx.exec(ctx, `INSERT INTO org_events (org_id, kind, date, detail, actor_name, at) VALUES (?, ?, ?, ?, ?, ?)`,
		o.ID, kind, date, detail, name, tx.nowMS()); err != nil {
		return err
	}
	return tx.orgAudit(ctx, a, "org.org."+kind, fmt.Sprintf("org:%d", o.ID), o.Home, detail)
}

// CreateOrg sets up an organisation under a parent the actor manages, or
// at the top of a tree in a region they manage.
func (s *OrgService) CreateOrg(ctx context.Context, a *access.Actor, in org.OrgInput) (*org.Org, error) {
	var out *org.Org
	err := s.db.update(ctx, func(tx *Tx) error {
		id, err := tx.createOrg(ctx, a, in)
		if err != nil {
			return err
		}
		out, err = tx.orgFor(ctx, a, id, false)
		return err
	})
	return out, err
}

// createOrg checks and writes a new organisation with its "created"
// event: what CreateOrg and Split share.
func (tx *Tx) createOrg(ctx context.Context, a *access.Actor, in org.OrgInput) (int64, error) {
	in.Normalize()
	if err := in.Validate(tx.now); err != nil {
		return 0, err
	}
	parentHome := ""
	if in.Parent != 0 {
		p, err := tx.activeOrg(ctx, a, in.Parent)
		if err != nil {
			return 0, parentInvalid(err)
		}
		if !in.Kind.CanParent(p.Kind) {
			return 0, fault.OnField(fault.Invalid, "parent", "org.org.kind_under", p.Name)
		}
		parentHome = p.Home
	}
	home, err := in.Home(parentHome)
	if err != nil {
		return 0, err
	}
	if !org.CanManage(a, home) {
		return 0, fault.OnField(fault.Forbidden, "region", "error.forbidden")
	}
	if err := tx.checkVillageOrTown(ctx, home); err != nil {
		return 0, fault.OnField(fault.Invalid, "region", "org.unit.region_invalid")
	}
	var units []string
	for _, uid := range in.Units {
		u, err := tx.unitFor(ctx, a, uid, false)
		if err != nil {
			return 0, fault.OnField(fault.Invalid, "units", "org.org.unit_invalid", uid)
		}
		units = append(units, u.Name)
	}
	var parent any
	if in.Parent != 0 {
		parent = in.Parent
	}
	id, err := tx.insertID(ctx, `INSERT INTO org_orgs (parent_id, home_code, region_code, kind, name, founded, brand, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, parent, home, in.Region, string(in.Kind), in.Name, in.Founded, in.Brand, string(org.Active), tx.nowMS(), tx.nowMS())
	if err != nil {
		return 0, err
	}
	for _, uid := range in.Units {
		if _, err := tx.exec(ctx, `INSERT INTO org_org_units (org_id, unit_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, uid); err != nil {
			return 0, err
		}
	}
	o, err := tx.orgFor(ctx, a, id, false)
	if err != nil {
		return 0, err
	}
	date := in.Founded
	if date == "" {
		date = tx.localDay()
	}
	return id, tx.orgEvent(ctx, a, o, "created", date, fmt.Sprintf("%s; %s; %s; %s", in.Name, in.Kind, strings.Join(units, "、"), in.Brand))
}

// parentInvalid turns a parent that cannot be loaded for a change (none
// chosen, out of reach, dissolved) into a refusal of the field: the
// organisation being set up or moved is there, its parent is what is wrong.
func parentInvalid(err error) error {
	if c := fault.CodeOf(err); c == fault.NotFound || c == fault.Forbidden || c == fault.Conflict {
		return fault.OnField(fault.Invalid, "parent", "org.org.parent_invalid")
	}
	return err
}

// changeDate checks a change's date: today when empty, never in the future.
func (tx *Tx) changeDate(date string) (string, error) {
	if date == "" {
		return tx.localDay(), nil
	}
	if !org.PastDate(date, tx.now) {
		return "", fault.OnField(fault.Invalid, "date", "org.date_invalid")
	}
	return date, nil
}

// Rename renames an organisation; the old name stays in its history.
func (s *OrgService) Rename(ctx context.Context, a *access.Actor, id int64, name, date string) (*org.Org, error) {
	name = strings.TrimSpace(name)
	var out *org.Org
	err := s.db.update(ctx, func(tx *Tx) error {
		o, err := tx.activeOrg(ctx, a, id)
		if err != nil {
			return err
		}
		in := org.OrgInput{Parent: o.Parent, Region: o.Home, Kind: o.Kind, Name: name}
		if err := in.Validate(tx.now); err != nil {
			return err
		}
		if date, err = tx.changeDate(date); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE org_orgs SET name = ?, updated_at = ? WHERE id = ?`, name, tx.nowMS(), id); err != nil {
			return err
		}
		if err := tx.orgEvent(ctx, a, o, "renamed", date, o.Name+" → "+name); err != nil {
			return err
		}
		out, err = tx.orgFor(ctx, a, id, false)
		return err
	})
	return out, err
}

// ancestors returns the chain above an organisation, itself first, up to
// the root. The walk stops at a repeat, so a cycle already stored (which
// Move prevents) cannot hang it.
func (tx *Tx) ancestors(ctx context.Context, id int64) ([]int64, error) {
	var chain []int64
	seen := map[int64]bool{}
	for id != 0 && !seen[id] {
		seen[id] = true
		chain = append(chain, id)
		var parent sql.NullInt64
		if err := tx.queryRow(ctx, `SELECT parent_id FROM org_orgs WHERE id = ?`, id).Scan(&parent); err != nil {
			return nil, err
		}
		id = parent.Int64
	}
	return chain, nil
}

// Move puts an organisation under another parent. The new parent may not
// be the organisation itself or one below it, and the home region must
// stay within what the actor manages.
func (s *OrgService) Move(ctx context.Context, a *access.Actor, id, parent int64, date string) (*org.Org, error) {
	var out *org.Org
	err := s.db.update(ctx, func(tx *Tx) error {
		o, err := tx.activeOrg(ctx, a, id)
		if err != nil {
			return err
		}
		p, err := tx.activeOrg(ctx, a, parent)
		if err != nil {
			return parentInvalid(err)
		}
		chain, err := tx.ancestors(ctx, parent)
		if err != nil {
			return err
		}
		if org.Cycle(id, chain) {
			return fault.OnField(fault.Conflict, "parent", "org.org.cycle", p.Name, o.Name)
		}
		if !o.Kind.CanParent(p.Kind) {
			return fault.OnField(fault.Invalid, "parent", "org.org.kind_under", p.Name)
		}
		// One attached to units follows its new parent's home; one
		// attached to a region must lie within it.
		attach := org.OrgInput{Region: o.Attached}
		home, err := attach.Home(p.Home)
		if err != nil {
			return err
		}
		if date, err = tx.changeDate(date); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE org_orgs SET parent_id = ?, home_code = ?, updated_at = ? WHERE id = ?`, parent, home, tx.nowMS(), id); err != nil {
			return err
		}
		if home != o.Home {
			if err := tx.rehome(ctx, id, home); err != nil {
				return err
			}
		}
		if err := tx.orgEvent(ctx, a, o, "moved", date, o.ParentName+" → "+p.Name); err != nil {
			return err
		}
		out, err = tx.orgFor(ctx, a, id, false)
		return err
	})
	return out, err
}

// rehome carries a new home region down to the organisations below that
// are attached to units only, whose home is their parent's.
func (tx *Tx) rehome(ctx context.Context, id int64, home string) error {
	kids, err := tx.ids(ctx, `SELECT id FROM org_orgs WHERE parent_id = ? AND region_code = ''`, id)
	if err != nil {
		return err
	}
	for _, k := range kids {
		if _, err := tx.exec(ctx, `UPDATE org_orgs SET home_code = ? WHERE id = ?`, home, k); err != nil {
			return err
		}
		if err := tx.rehome(ctx, k, home); err != nil {
			return err
		}
	}
	return nil
}

// Dissolve ends an organisation. One with active organisations below it,
// members or a transfer on its way in is refused: they must go first.
func (s *OrgService) Dissolve(ctx context.Context, a *access.Actor, id int64, date, reason string) (*org.Org, error) {
	reason = strings.TrimSpace(reason)
	var out *org.Org
	err := s.db.update(ctx, func(tx *Tx) error {
		o, err := tx.activeOrg(ctx, a, id)
		if err != nil {
			return err
		}
		if reason == "" {
			return fault.OnField(fault.Invalid, "reason", "org.org.reason_required")
		}
		var kids, members, incoming int
		if err := tx.queryRow(ctx, `SELECT (SELECT count(*) FROM org_orgs WHERE parent_id = ? AND status = 'active'),
			(SELECT count(*) FROM org_members WHERE branch_id = ?), (SELECT count(*) FROM org_transfers WHERE to_id = ? AND open IS NOT NULL)`,
			id, id, id).Scan(&kids, &members, &incoming); err != nil {
			return err
		}
		if kids+members+incoming > 0 {
			return fault.E(fault.Conflict, "org.org.not_empty", o.Name, kids, members, incoming)
		}
		if date, err = tx.changeDate(date); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE org_orgs SET status = ?, dissolved = ?, updated_at = ? WHERE id = ?`, string(org.Dissolved), date, tx.nowMS(), id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE org_posts SET to_date = ? WHERE org_id = ? AND to_date = ''`, date, id); err != nil {
			return err
		}
		if err := tx.orgEvent(ctx, a, o, "dissolved", date, reason); err != nil {
			return err
		}
		out, err = tx.orgFor(ctx, a, id, false)
		return err
	})
	return out, err
}

// Merge merges an organisation into another the actor manages: its active
// organisations below move under the other (refused if that would close a
// cycle or break the tree's kinds), its members and the transfers on
// their way to it pass to the other, and it ends dissolved. It answers
// with the organisation merged into.
func (s *OrgService) Merge(ctx context.Context, a *access.Actor, id, into int64, date, reason string) (*org.Org, error) {
	reason = strings.TrimSpace(reason)
	var out *org.Org
	err := s.db.update(ctx, func(tx *Tx) error {
		o, err := tx.activeOrg(ctx, a, id)
		if err != nil {
			return err
		}
		t, err := tx.activeOrg(ctx, a, into)
		if err != nil {
			return fault.OnField(fault.Invalid, "into", "org.org.merge_invalid")
		}
		if reason == "" {
			return fault.OnField(fault.Invalid, "reason", "org.org.reason_required")
		}
		chain, err := tx.ancestors(ctx, into)
		if err != nil {
			return err
		}
		if org.Cycle(id, chain) {
			return fault.OnField(fault.Conflict, "into", "org.org.cycle", t.Name, o.Name)
		}
		if date, err = tx.changeDate(date); err != nil {
			return err
		}
		if o.Members > 0 && !t.Kind.HoldsMembers() {
			return fault.OnField(fault.Invalid, "into", "org.member.branch_group", t.Name)
		}
		kids, err := queryAll(ctx, tx, scanOrg, orgSelect+` WHERE o.parent_id = ? AND o.status = 'active'`, id)
		if err != nil {
			return err
		}
		for _, k := range kids {
			if !k.Kind.CanParent(t.Kind) {
				return fault.OnField(fault.Invalid, "into", "org.org.kind_under", t.Name)
			}
			home, err := org.OrgInput{Region: k.Attached}.Home(t.Home)
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE org_orgs SET parent_id = ?, home_code = ?, updated_at = ? WHERE id = ?`, into, home, tx.nowMS(), k.ID); err != nil {
				return err
			}
			if home != k.Home {
				if err := tx.rehome(ctx, k.ID, home); err != nil {
					return err
				}
			}
			if err := tx.orgEvent(ctx, a, &k, "moved", date, o.Name+" → "+t.Name); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE org_members SET branch_id = ?, updated_at = ? WHERE branch_id = ?`, into, tx.nowMS(), id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE org_transfers SET to_id = ? WHERE to_id = ? AND open IS NOT NULL`, into, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE org_orgs SET status = ?, dissolved = ?, updated_at = ? WHERE id = ?`, string(org.Dissolved), date, tx.nowMS(), id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE org_posts SET to_date = ? WHERE org_id = ? AND to_date = ''`, date, id); err != nil {
			return err
		}
		if err := tx.orgEvent(ctx, a, o, "merged", date, fmt.Sprintf("→ %s; %d; %s", t.Name, o.Members, reason)); err != nil {
			return err
		}
		if err := tx.orgEvent(ctx, a, t, "merged_in", date, fmt.Sprintf("%s → ; %d; %s", o.Name, o.Members, reason)); err != nil {
			return err
		}
		out, err = tx.orgFor(ctx, a, into, false)
		return err
	})
	return out, err
}

// SetPost gives a post to a person from a date; whoever held it before
// leaves it that day. A member named must belong to the organisation.
func (s *OrgService) SetPost(ctx context.Context, a *access.Actor, id int64, in org.PostInput) (*org.Org, error) {
	in.Name = strings.TrimSpace(in.Name)
	var out *org.Org
	err := s.db.update(ctx, func(tx *Tx) error {
		o, err := tx.activeOrg(ctx, a, id)
		if err != nil {
			return err
		}
		if in.From == "" {
			in.From = tx.localDay()
		}
		if err := in.Validate(o.Kind, tx.now); err != nil {
			return err
		}
		if in.Member != 0 {
			var name string
			err := tx.queryRow(ctx, `SELECT m.name FROM org_members m WHERE m.id = ? AND (m.branch_id = ? OR m.branch_id IN (SELECT id FROM org_orgs WHERE parent_id = ?))`, in.Member, id, id).Scan(&name)
			if errors.Is(err, sql.ErrNoRows) {
				return fault.OnField(fault.Invalid, "member", "org.post_member_invalid")
			}
			if err != nil {
				return err
			}
			if in.Name == "" {
				in.Name = name
			}
		}
		if _, err := tx.exec(ctx, `UPDATE org_posts SET to_date = ? WHERE org_id = ? AND post = ? AND to_date = ''`, in.From, id, string(in.Post)); err != nil {
			return err
		}
		if in.Name != "" {
			if _, err := tx.exec(ctx, `INSERT INTO org_posts (org_id, post, name, member_id, from_date) VALUES (?, ?, ?, ?, ?)`, id, string(in.Post), in.Name, in.Member, in.From); err != nil {
				return err
			}
		}
		if err := tx.orgEvent(ctx, a, o, "post", in.From, string(in.Post)+": "+in.Name); err != nil {
			return err
		}
		out, err = tx.orgFor(ctx, a, id, false)
		return err
	})
	return out, err
}

// Org returns one organisation with its units, the organisations directly
// below it, its post holders and its history.
func (s *OrgService) Org(ctx context.Context, a *access.Actor, id int64) (*org.Org, error) {
	var out *org.Org
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		if out, err = tx.orgFor(ctx, a, id, false); err != nil {
			return err
		}
		if out.Units, err = queryAll(ctx, tx, scanUnit, unitSelect+` WHERE u.id IN (SELECT unit_id FROM org_org_units WHERE org_id = ?) ORDER BY u.name`, id); err != nil {
			return err
		}
		if out.Children, err = queryAll(ctx, tx, scanOrg, orgSelect+` WHERE o.parent_id = ? ORDER BY o.status, o.kind, o.name`, id); err != nil {
			return err
		}
		// 第二党支部 before 第十党支部, within a status and kind.
		slices.SortStableFunc(out.Children, func(x, y org.Org) int {
			return cmp.Or(strings.Compare(string(x.Status), string(y.Status)), strings.Compare(string(x.Kind), string(y.Kind)), pinyin.CompareNumbered(x.Name, y.Name))
		})
		if out.Holders, err = queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (org.Holder, error) {
			var h org.Holder
			err := s.Scan(&h.Post, &h.Name, &h.Member, &h.From, &h.To)
			return h, err
		}, `SELECT post, name, member_id, from_date, to_date FROM org_posts WHERE org_id = ? ORDER BY CASE WHEN to_date = '' THEN 0 ELSE 1 END, from_date DESC, id DESC`, id); err != nil {
			return err
		}
		out.History, err = queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (org.Event, error) {
			var e org.Event
			var at int64
			err := s.Scan(&e.Kind, &e.Date, &e.Detail, &e.Actor, &at)
			e.At = msTime(at)
			return e, err
		}, `SELECT kind, date, detail, actor_name, at FROM org_events WHERE org_id = ? ORDER BY id DESC`, id)
		return err
	})
	return out, err
}

// Orgs lists the organisations the actor may read, by home region, kind
// and name.
func (s *OrgService) Orgs(ctx context.Context, a *access.Actor, f org.OrgFilter) ([]org.Org, error) {
	scopes, err := orgScopes(a, access.OrgRead, f.Region)
	if err != nil && !(f.Region == "" && len(a.OrgGrantsFor(access.OrgRead)) > 0) {
		return nil, err
	}
	where, args := scopeWhere("o.home_code", scopes)
	var out []org.Org
	if f.Region == "" && len(a.OrgGrantsFor(access.OrgRead)) > 0 {
		// A branch secretary's own organisations and those below them.
		err := s.db.view(ctx, func(tx *Tx) error {
			ids, err := tx.orgSubtree(ctx, a, access.OrgRead)
			w, more := idIn("o.id", ids)
			where, args = "("+where+" OR "+w+")", append(args, more...)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if f.Parent != 0 {
		where += ` AND o.parent_id = ?`
		args = append(args, f.Parent)
	}
	if f.Query != "" {
		where += ` AND o.name LIKE ? ESCAPE '\'`
		args = append(args, "%"+likeEscape(f.Query)+"%")
	}
	if !f.All {
		where += ` AND o.status = 'active'`
	}
	order := ` ORDER BY o.home_code, o.kind, o.name, o.id LIMIT ?`
	limit := org.MaxOrgList
	if f.Limit > 0 {
		where += ` AND o.id > ?`
		args = append(args, f.After)
		order, limit = ` ORDER BY o.id LIMIT ?`, min(f.Limit, org.MaxOrgList)
	}
	err = s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(ctx, tx, scanOrg, orgSelect+` WHERE `+where+order, append(args, limit)...)
		return err
	})
	return out, err
}
