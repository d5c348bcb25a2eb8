package sqlstore

import (
	"context"
	"fmt"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
)

// Leave records that a cadre leaves their post on in.Date. In the same
// transaction their account's grants (administrator roles aside, which a
// cadre's account never holds) and API tokens end at the start of that
// day, and, with in.HandOver, the successor's account receives the
// leaver's grants at regions the actor manages from that same instant.
// Grants elsewhere are not handed over: they are the security
// administrator's to give.
func (s *CadreService) Leave(ctx context.Context, a *access.Actor, id int64, in org.LeaveInput) (*org.Leaving, error) {
	out := &org.Leaving{}
	err := s.db.update(ctx, func(tx *Tx) error {
		if err := in.Validate(tx.now); err != nil {
			return err
		}
		c, err := tx.cadreFor(ctx, a, id, true)
		if err != nil {
			return err
		}
		if c.Left != "" {
			return fault.E(fault.Conflict, "cadre.leave.already", c.Left)
		}
		if in.Date <= c.Appointed {
			return fault.OnField(fault.Invalid, "date", "cadre.leave.before_appointed", c.Appointed)
		}
		var succ *org.Cadre
		if in.Successor != 0 {
			if succ, err = tx.cadreFor(ctx, a, in.Successor, true); err != nil || succ.ID == c.ID || !succ.InPost(in.Date) {
				return fault.OnField(fault.Invalid, "successor", "cadre.leave.successor_invalid")
			}
		}
		var successor any
		if succ != nil {
			successor = succ.ID
		}
		if err := tx.exactlyOne(ctx, fault.E(fault.Conflict, "cadre.leave.already", in.Date),
			`UPDATE cadres SET left_on = ?, leave_reason = ?, successor_id = ?, updated_at = ? WHERE id = ? AND left_on = ''`,
			in.Date, in.Reason, successor, tx.nowMS(), id); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s; %s; %s", c.Name, in.Date, in.Reason)
		if succ != nil {
			detail += fmt.Sprintf("; successor cadre:%d %s", succ.ID, succ.Name)
		}
		if err := tx.orgAudit(ctx, a, "cadre.leave", fmt.Sprintf("cadre:%d", id), c.Region, detail); err != nil {
			return err
		}
		if c.Username != "" {
			if err := tx.endAccount(ctx, a, c, in, succ, out); err != nil {
				return err
			}
		}
		out.Cadre, err = tx.cadreFor(ctx, a, id, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// endAccount ends a leaver's grants and tokens at the start of the leaving
// day and hands the grants the actor manages to the successor's account.
func (tx *Tx) endAccount(ctx context.Context, a *access.Actor, c *org.Cadre, in org.LeaveInput, succ *org.Cadre, out *org.Leaving) error {
	end := org.Start(in.Date).UnixMilli()
	var uid int64
	if err := tx.queryRow(ctx, `SELECT id FROM users WHERE username = ?`, c.Username).Scan(&uid); err != nil {
		return err
	}
	type held struct {
		role, region string
		household    int64
	}
	grants, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (held, error) {
		var h held
		err := s.Scan(&h.role, &h.region, &h.household)
		return h, err
	}, `SELECT role, region_code, household_id FROM user_roles WHERE user_id = ? AND (ends_at = 0 OR ends_at > ?) ORDER BY region_code, role`, uid, end)
	if err != nil {
		return err
	}
	var succUID int64
	if succ != nil && in.HandOver {
		if succ.Username == "" {
			return fault.OnField(fault.Invalid, "successor", "cadre.leave.successor_no_account", succ.Name)
		}
		if err := tx.queryRow(ctx, `SELECT id FROM users WHERE username = ?`, succ.Username).Scan(&succUID); err != nil {
			return err
		}
	}
	for _, g := range grants {
		if access.Role(g.role).Admin() {
			continue
		}
		if _, err := tx.exec(ctx, `UPDATE user_roles SET ends_at = ? WHERE user_id = ? AND role = ? AND region_code = ?`, end, uid, g.role, g.region); err != nil {
			return err
		}
		out.EndedGrants++
		if err := tx.audit(ctx, a, auditEntry{action: "role.end", target: fmt.Sprintf("user:%d", uid), region: g.region,
			detail: fmt.Sprintf("%s until %s (cadre:%d leaves)", g.role, in.Date, c.ID)}); err != nil {
			return err
		}
		if succUID == 0 || access.Role(g.role) == access.Villager {
			continue
		}
		if !a.Can(access.OrgManage, g.region) {
			out.Kept++
			continue
		}
		if err := tx.handOver(ctx, a, succUID, g.role, g.region, in.Date, c.ID); err != nil {
			return err
		}
		out.HandedOver++
	}
	res, err := tx.exec(ctx, `UPDATE api_tokens SET expires_at = ? WHERE user_id = ? AND revoked_at = 0 AND expires_at > ?`, end, uid, end)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	out.EndedTokens = int(n)
	if n > 0 {
		return tx.audit(ctx, a, auditEntry{action: "token.end", target: fmt.Sprintf("user:%d", uid), region: c.Region,
			detail: fmt.Sprintf("%d tokens until %s (cadre:%d leaves)", n, in.Date, c.ID)})
	}
	return nil
}

// handOver grants a successor's account a leaver's role from the instant
// the leaver's ends. A grant the successor holds open already stays as it
// is; one that had ended opens again from that instant.
func (tx *Tx) handOver(ctx context.Context, a *access.Actor, uid int64, role, region, day string, leaver int64) error {
	res, err := tx.exec(ctx, `INSERT INTO user_roles (user_id, role, region_code, household_id, starts_at, ends_at) VALUES (?, ?, ?, 0, ?, 0)
		ON CONFLICT (user_id, role, region_code) DO UPDATE SET starts_at = excluded.starts_at, ends_at = 0
		WHERE user_roles.ends_at <> 0`, uid, role, region, org.Start(day).UnixMilli())
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	return tx.audit(ctx, a, auditEntry{action: "role.grant", target: fmt.Sprintf("user:%d", uid), region: region,
		detail: fmt.Sprintf("%s from %s, handed over from cadre:%d", role, day, leaver)})
}
