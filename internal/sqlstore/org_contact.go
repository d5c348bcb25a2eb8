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
	"shanzhi/internal/localtime"
	"shanzhi/internal/org"
	"shanzhi/internal/registry"
)

// AssignRows checks a sheet of household numbers against a grid, row by
// row, and assigns them all when commit is set and every row passes: a
// sheet is the grid's list, so half of it going in would leave the grid
// neither as it was nor as the sheet says.
func (s *OrgService) AssignRows(ctx context.Context, a *access.Actor, grid int64, rows []org.AssignRow, commit bool) ([]org.AssignRow, error) {
	if len(rows) > org.MaxImportRows {
		return nil, fault.E(fault.Invalid, "org.import.too_many", org.MaxImportRows)
	}
	err := s.db.update(ctx, func(tx *Tx) error {
		g, err := tx.gridFor(ctx, a, grid, access.GridManage)
		if err != nil {
			return err
		}
		seen := map[string]int{}
		var ids []int64
		failed := false
		for i := range rows {
			r := &rows[i]
			r.Number, r.Err = registry.Fold(r.Number), nil
			if first, dup := seen[r.Number]; dup {
				r.Err = fault.OnField(fault.Invalid, "number", "org.grid.row_repeated", first)
			} else if err := tx.queryRow(ctx, `SELECT h.id, COALESCE(p.name, '') FROM households h LEFT JOIN residents p ON p.id = h.head_id
				WHERE h.village_code = ? AND h.number = ? AND h.status = ?`, g.Village, r.Number, registry.HouseholdActive).Scan(&r.Household, &r.Head); errors.Is(err, sql.ErrNoRows) {
				r.Err = fault.OnField(fault.Invalid, "number", "org.grid.number_unknown", r.Number)
			} else if err != nil {
				return err
			} else if _, err := tx.assignable(ctx, g, r.Household); err != nil {
				if !fault.Is(err, fault.Invalid) && !fault.Is(err, fault.Conflict) {
					return err
				}
				r.Err = err
			}
			seen[r.Number] = r.Line
			failed = failed || r.Err != nil
			ids = append(ids, r.Household)
		}
		if !commit || failed {
			return nil
		}
		return tx.assignAll(ctx, a, g, ids)
	})
	return rows, err
}

const contactSelect = `SELECT c.id, c.grid_id, g.name, c.village_code, c.household_id, h.number, COALESCE(p.name, ''), COALESCE(c.member_id, 0), COALESCE(m.name, ''),
	c.kind, c.date, c.summary, c.issue, c.status, c.level, c.due, c.closed_note, c.created_by
	FROM grid_contacts c JOIN grids g ON g.id = c.grid_id JOIN households h ON h.id = c.household_id
	LEFT JOIN residents p ON p.id = h.head_id LEFT JOIN org_members m ON m.id = c.member_id`

func scanContact(s interface{ Scan(...any) error }) (org.Contact, error) {
	var c org.Contact
	err := s.Scan(&c.ID, &c.Grid, &c.GridName, &c.Village, &c.Household, &c.HouseholdNo, &c.Head, &c.Member, &c.MemberName,
		&c.Kind, &c.Date, &c.Summary, &c.Issue, &c.Status, &c.Level, &c.Due, &c.ClosedNote, &c.CreatedBy)
	return c, err
}

// decorate sets what the actor may do with a contact and whether it is
// overdue, as of today.
//
// ownBranch is whether the actor is the secretary, by a grant for it, of
// the branch of the contact's party member: they act on what reached the
// branch.
func decorate(a *access.Actor, c *org.Contact, today string, ownBranch bool) {
	live := c.Status == org.ContactOpen || c.Status == org.ContactEscalated
	c.Overdue = live && c.Due != "" && c.Due < today
	c.ReachedBranch = c.Level == org.LevelBranch
	if live && (c.Level.MayAct(a, c.Village, c.Grid) || ownBranch && c.Level == org.LevelBranch) {
		c.CanClose = true
		_, up := c.Level.Next()
		c.CanEscalate = up
	}
}

// dueAfter is the day DefaultDueDays after day d.
func dueAfter(d time.Time) string {
	return localtime.In(d).AddDate(0, 0, org.DefaultDueDays).Format(time.DateOnly)
}

// LogContact records a contact with a household of the grid, and the
// issue it raised, if any, at its party member's level.
func (s *OrgService) LogContact(ctx context.Context, a *access.Actor, grid int64, in org.ContactInput) (*org.Contact, error) {
	in.Normalize()
	var out *org.Contact
	err := s.db.update(ctx, func(tx *Tx) error {
		g, err := tx.gridFor(ctx, a, grid, access.GridContact)
		if err != nil {
			return err
		}
		if err := in.Validate(tx.now); err != nil {
			return err
		}
		if in, _, err := tx.gridOf(ctx, in.Household); err != nil {
			return err
		} else if in != grid {
			return fault.OnField(fault.Invalid, "household", "org.contact.household_not_in_grid", g.Name)
		}
		var member sql.NullInt64
		if err := tx.queryRow(ctx, `SELECT member_id FROM grid_links WHERE household_id = ?`, in.Household).Scan(&member); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		status, due := org.ContactLogged, ""
		if in.Issue != "" {
			status, due = org.ContactOpen, in.Due
			if due == "" {
				due = dueAfter(tx.now)
			}
		}
		id, err := tx.insertID(ctx, `INSERT INTO grid_contacts (grid_id, village_code, household_id, member_id, kind, date, summary, issue, status, level, due, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, grid, g.Village, in.Household, member, string(in.Kind), in.Date, in.Summary, in.Issue,
			string(status), string(org.LevelMember), due, a.Username, tx.nowMS(), tx.nowMS())
		if err != nil {
			return err
		}
		if err := tx.contactStep(ctx, a, id, "raised", org.LevelMember, in.Issue, due); err != nil {
			return err
		}
		if err := tx.orgAudit(ctx, a, "org.contact.log", fmt.Sprintf("contact:%d household:%d", id, in.Household), g.Village, string(in.Kind)+"; "+string(status)); err != nil {
			return err
		}
		out, err = tx.contactRead(ctx, a, id)
		return err
	})
	return out, err
}

func (tx *Tx) contactStep(ctx context.Context, a *access.Actor, id int64, action string, l org.Level, note, due string) error {
	_, err := tx.exec(ctx, `INSERT INTO grid_contact_steps (contact_id, action, level, note, due, actor_name, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, action, string(l), note, due, a.Username, tx.nowMS())
	return err
}

// contactFor loads a contact through its grid: not found for one whose
// grid the actor does not read.
func (tx *Tx) contactFor(ctx context.Context, a *access.Actor, id int64) (*org.Contact, error) {
	c, err := scanContact(tx.queryRow(ctx, contactSelect+` WHERE c.id = ?`, id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fault.E(fault.NotFound, "error.not_found")
	case err != nil:
		return nil, err
	}
	own := false
	if !a.CanGrid(access.GridRead, c.Village, c.Grid) {
		if own, err = tx.contactOwnBranch(ctx, a, &c); err != nil {
			return nil, err
		}
		if !own {
			return nil, fault.E(fault.NotFound, "error.not_found")
		}
	}
	decorate(a, &c, localtime.Day(tx.now), own)
	return &c, nil
}

// contactOwnBranch reports whether the actor holds a grant for the branch
// (or an organisation above it) of the contact's party member: a branch
// secretary reads their own members' contacts and acts on the issues that
// reach the branch, not a joint branch's beside them.
func (tx *Tx) contactOwnBranch(ctx context.Context, a *access.Actor, c *org.Contact) (bool, error) {
	if c.Member == 0 || len(a.OrgGrantsFor(access.GridContact)) == 0 {
		return false, nil
	}
	var branch int64
	var home string
	if err := tx.queryRow(ctx, `SELECT m.branch_id, o.home_code FROM org_members m JOIN org_orgs o ON o.id = m.branch_id WHERE m.id = ?`, c.Member).Scan(&branch, &home); err != nil {
		return false, err
	}
	return tx.canOrg(ctx, a, access.GridContact, branch, home)
}

// contactRead loads a contact with its steps.
func (tx *Tx) contactRead(ctx context.Context, a *access.Actor, id int64) (*org.Contact, error) {
	c, err := tx.contactFor(ctx, a, id)
	if err != nil {
		return nil, err
	}
	c.Steps, err = queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (org.ContactStep, error) {
		var st org.ContactStep
		var at int64
		err := s.Scan(&st.Action, &st.Level, &st.Note, &st.Due, &st.Actor, &at)
		st.At = time.UnixMilli(at)
		return st, err
	}, `SELECT action, level, note, due, actor_name, at FROM grid_contact_steps WHERE contact_id = ? ORDER BY id`, id)
	return c, err
}

// Contact returns a contact with the steps of its issue.
func (s *OrgService) Contact(ctx context.Context, a *access.Actor, id int64) (*org.Contact, error) {
	var out *org.Contact
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = tx.contactRead(ctx, a, id)
		return err
	})
	return out, err
}

// Contacts lists contacts, newest first: of a grid, of the grids of a
// region, or the issues that reached a branch (and those overdue below
// it), in the grids of its home region.
func (s *OrgService) Contacts(ctx context.Context, a *access.Actor, f org.ContactFilter) ([]org.Contact, error) {
	if f.Limit <= 0 || f.Limit > org.MaxContacts {
		f.Limit = org.MaxContacts
	}
	var out []org.Contact
	err := s.db.view(ctx, func(tx *Tx) error {
		var where string
		var args []any
		ownBranch := false
		switch {
		case f.Grid != 0:
			if _, err := tx.gridFor(ctx, a, f.Grid, access.GridRead); err != nil {
				return err
			}
			where, args = `c.grid_id = ?`, []any{f.Grid}
		case f.Branch != 0:
			o, err := tx.orgFor(ctx, a, f.Branch, false)
			if err != nil {
				return err
			}
			where, args = scopeWhere("c.village_code", []string{o.Home})
			// The branch sees what reached it and, as the level above
			// them all, every issue below it that is past its deadline.
			where += ` AND (c.level = ? OR c.due <> '' AND c.due < ? AND c.status IN (?, ?))`
			args = append(args, string(org.LevelBranch), localtime.Day(tx.now), string(org.ContactOpen), string(org.ContactEscalated))
			if !a.Can(access.OrgRead, o.Home) {
				ownBranch = len(a.OrgGrantsFor(access.GridContact)) > 0
				// A secretary for this branch: the issues of its own
				// members' households, not a joint branch's beside it.
				ids, err := tx.orgsBelow(ctx, o.ID)
				if err != nil {
					return err
				}
				w, more := idIn("branch_id", ids)
				where += ` AND c.member_id IN (SELECT id FROM org_members WHERE ` + w + `)`
				args = append(args, more...)
			}
		default:
			var err error
			if where, args, err = gridScope(a, access.GridRead, f.Region); err != nil {
				return err
			}
		}
		if f.Level != "" {
			where += ` AND c.level = ?`
			args = append(args, string(f.Level))
		}
		if f.Open {
			where += ` AND c.status IN (?, ?)`
			args = append(args, string(org.ContactOpen), string(org.ContactEscalated))
		}
		var err error
		out, err = queryAll(ctx, tx, scanContact, contactSelect+` WHERE `+where+fmt.Sprintf(` ORDER BY c.id DESC LIMIT %d`, f.Limit), args...)
		today := localtime.Day(tx.now)
		for i := range out {
			decorate(a, &out[i], today, ownBranch)
		}
		return err
	})
	return out, err
}

// contactAct loads a live issue the actor may act on at its level.
func (tx *Tx) contactAct(ctx context.Context, a *access.Actor, id int64, note string) (*org.Contact, error) {
	c, err := tx.contactFor(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if c.Status != org.ContactOpen && c.Status != org.ContactEscalated {
		return nil, fault.E(fault.Conflict, "org.contact.not_open")
	}
	if n := len([]rune(note)); n == 0 || n > org.MaxText {
		return nil, fault.OnField(fault.Invalid, "note", "org.contact.note_invalid", org.MaxText)
	}
	if !c.CanClose {
		return nil, fault.E(fault.Forbidden, "org.contact.not_your_level")
	}
	return c, nil
}

// Escalate carries an open issue to the level above.
func (s *OrgService) Escalate(ctx context.Context, a *access.Actor, id int64, note, due string) (*org.Contact, error) {
	note, due = strings.TrimSpace(note), strings.TrimSpace(due)
	var out *org.Contact
	err := s.db.update(ctx, func(tx *Tx) error {
		c, err := tx.contactAct(ctx, a, id, note)
		if err != nil {
			return err
		}
		next, ok := c.Level.Next()
		if !ok {
			return fault.E(fault.Conflict, "org.contact.top")
		}
		today := localtime.Day(tx.now)
		if due == "" {
			due = dueAfter(tx.now)
		} else if _, ok := org.Date(due); !ok || due < today {
			return fault.OnField(fault.Invalid, "due", "org.contact.due_invalid")
		}
		if err := tx.exactlyOne(ctx, fault.E(fault.Conflict, "org.contact.not_open"), `UPDATE grid_contacts SET level = ?, status = ?, due = ?, updated_at = ? WHERE id = ? AND level = ?`,
			string(next), string(org.ContactEscalated), due, tx.nowMS(), id, string(c.Level)); err != nil {
			return err
		}
		if err := tx.contactStep(ctx, a, id, "escalated", next, note, due); err != nil {
			return err
		}
		if err := tx.orgAudit(ctx, a, "org.contact.escalate", fmt.Sprintf("contact:%d", id), c.Village, string(c.Level)+" → "+string(next)); err != nil {
			return err
		}
		out, err = tx.contactRead(ctx, a, id)
		return err
	})
	return out, err
}

// CloseContact closes an open issue with a note, at the level it sits.
func (s *OrgService) CloseContact(ctx context.Context, a *access.Actor, id int64, note string) (*org.Contact, error) {
	note = strings.TrimSpace(note)
	var out *org.Contact
	err := s.db.update(ctx, func(tx *Tx) error {
		c, err := tx.contactAct(ctx, a, id, note)
		if err != nil {
			return err
		}
		if err := tx.exactlyOne(ctx, fault.E(fault.Conflict, "org.contact.not_open"), `UPDATE grid_contacts SET status = ?, closed_note = ?, updated_at = ? WHERE id = ? AND status = ?`,
			string(org.ContactClosed), note, tx.nowMS(), id, string(c.Status)); err != nil {
			return err
		}
		if err := tx.contactStep(ctx, a, id, "closed", c.Level, note, ""); err != nil {
			return err
		}
		if err := tx.orgAudit(ctx, a, "org.contact.close", fmt.Sprintf("contact:%d", id), c.Village, string(c.Level)); err != nil {
			return err
		}
		out, err = tx.contactRead(ctx, a, id)
		return err
	})
	return out, err
}
