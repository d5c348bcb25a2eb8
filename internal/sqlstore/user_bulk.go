package sqlstore

import (
	"context"
	"fmt"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
)

// GrantAt grants or revokes a role at every active region of a level
// under a region in one transaction, with the rules of Grant checked once
// at the region above them all (a manager who may grant there may grant
// below it) and each change audited on its own, so the audit log reads
// exactly as if each had been granted by hand.
func (s *UserService) GrantAt(ctx context.Context, a *access.Actor, id int64, b access.BulkGrant) (int, error) {
	if b.Role == access.Villager {
		return 0, fault.OnField(fault.Invalid, "role", "role.bulk_villager")
	}
	if lv := regioncode.LevelOf(b.Under); lv == 0 || b.Level < lv || b.Level > regioncode.Village {
		return 0, fault.OnField(fault.Invalid, "level", "role.bulk_level")
	}
	n := 0
	err := s.db.update(ctx, func(tx *Tx) error {
		n = 0
		if err := tx.checkGrant(ctx, a, id, access.Grant{Role: b.Role, Region: b.Under}); err != nil {
			return err
		}
		if !b.Revoke {
			held, err := tx.grants(ctx, id)
			if err != nil {
				return err
			}
			for _, h := range held {
				if h.Role != b.Role && (h.Role.Admin() || b.Role.Admin()) {
					return fault.OnField(fault.Conflict, "role", "role.admin_exclusive")
				}
			}
		}
		lo, hi := regioncode.Range(b.Under)
		codes, err := queryAll(ctx, tx, func(sc interface{ Scan(...any) error }) (string, error) {
			var c string
			return c, sc.Scan(&c)
		}, `SELECT code FROM regions WHERE level = ? AND status = 'active' AND code >= ? AND code < ? ORDER BY code`, int(b.Level), lo, hi)
		if err != nil {
			return err
		}
		for _, code := range codes {
			q, action := `INSERT INTO user_roles (user_id, role, region_code, household_id) VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING`, "role.grant"
			if b.Revoke {
				q, action = `DELETE FROM user_roles WHERE user_id = ? AND role = ? AND region_code = ?`, "role.revoke"
			}
			res, err := tx.exec(ctx, q, id, string(b.Role), code)
			if err != nil {
				return err
			}
			if k, err := res.RowsAffected(); err != nil || k == 0 {
				// Already held (or, revoking, not held): nothing changed,
				// so nothing to audit.
				if err != nil {
					return err
				}
				continue
			}
			n++
			if err := tx.audit(ctx, a, auditEntry{action: action, target: fmt.Sprintf("user:%d", id), region: code, detail: string(b.Role) + " bulk " + b.Under}); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}
