package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/password"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
)

// UserService implements access.UserService.
type UserService struct {
	db     *DB
	policy access.Policy
}

// Users returns the store's account service.
func (db *DB) Users(policy access.Policy) *UserService { return &UserService{db: db, policy: policy} }

var _ access.UserService = (*UserService)(nil)

// canManageUsers and canManageRoles gate the two administrator jobs; an
// actor holding neither learns nothing about accounts.
func canManageUsers(a *access.Actor) error {
	if !a.CanAnywhere(access.UserManage) {
		return fault.E(fault.Forbidden, "error.forbidden")
	}
	return nil
}

func canSeeUsers(a *access.Actor) error {
	if !a.CanAnywhere(access.UserManage) && !a.CanAnywhere(access.RoleManage) {
		return fault.E(fault.Forbidden, "error.forbidden")
	}
	return nil
}

// CreateUser adds an account with a one-time password, to be changed at
// first sign-in. It is the store-level entry the first-run bootstrap and
// the demo use too; a nil actor is the system itself.
func (db *DB) CreateUser(ctx context.Context, a *access.Actor, username, display, pw string, grants []access.Grant) (int64, error) {
	return db.createUser(ctx, a, access.NewUser{Username: username, DisplayName: display}, pw, grants)
}

func (db *DB) createUser(ctx context.Context, a *access.Actor, u access.NewUser, pw string, grants []access.Grant) (int64, error) {
	u, err := checkNewUser(u, pw)
	if err != nil {
		return 0, err
	}
	var id int64
	err = db.update(ctx, func(tx *Tx) (err error) {
		id, err = tx.createUser(ctx, a, u, pw, grants)
		return err
	})
	return id, err
}

// checkNewUser tidies a new account's fields and reports every problem
// with them and the password at once.
func checkNewUser(u access.NewUser, pw string) (access.NewUser, error) {
	u.Username = strings.TrimSpace(u.Username)
	u.DisplayName = strings.TrimSpace(u.DisplayName)
	u.Phone = registry.NormalizePhone(u.Phone)
	var fs fault.Fields
	if u.Username == "" || utf8.RuneCountInString(u.Username) > 64 || strings.ContainsAny(u.Username, " \t/") {
		fs.Add("username", "auth.username.invalid")
	}
	if u.DisplayName == "" {
		u.DisplayName = u.Username
	}
	if u.Phone != "" && !registry.ValidMobile(u.Phone) {
		fs.Add("phone", "registry.phone.invalid")
	}
	if p := access.PasswordProblem(pw, u.Username); p != "" {
		fs.Add("password", p)
	}
	return u, fs.Err()
}

// FirstAdmin is one of the accounts a database without users starts with.
type FirstAdmin struct {
	Username, Display, Password string
	Grant                       access.Grant
}

// CreateFirstAdmins creates the first administrators on a database that
// has no users, all in one transaction, and reports whether it did. Two
// servers starting at the same moment on one PostgreSQL database both
// find it empty: the start-up lock makes the second wait for the first to
// commit, and it then finds users and creates none.
func (db *DB) CreateFirstAdmins(ctx context.Context, admins []FirstAdmin) (bool, error) {
	users := make([]access.NewUser, len(admins))
	for i, ad := range admins {
		u, err := checkNewUser(access.NewUser{Username: ad.Username, DisplayName: ad.Display}, ad.Password)
		if err != nil {
			return false, err
		}
		users[i] = u
	}
	created := false
	err := db.update(ctx, func(tx *Tx) error {
		if err := tx.startupLock(ctx); err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil || n > 0 {
			return err
		}
		for i, ad := range admins {
			if _, err := tx.createUser(ctx, nil, users[i], ad.Password, []access.Grant{ad.Grant}); err != nil {
				return err
			}
		}
		created = true
		return nil
	})
	return created, err
}

// createUser inserts a checked account with its grants.
func (tx *Tx) createUser(ctx context.Context, a *access.Actor, u access.NewUser, pw string, grants []access.Grant) (int64, error) {
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM users WHERE username = ?`, u.Username).Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, fault.OnField(fault.Conflict, "username", "auth.username.taken")
	}
	phoneHash := nullable(tx.box.Index(purposeLogin, u.Phone))
	if phoneHash != nil {
		if err := tx.queryRow(ctx, `SELECT count(*) FROM users WHERE phone_hash = ?`, phoneHash).Scan(&n); err != nil {
			return 0, err
		}
		if n > 0 {
			return 0, fault.OnField(fault.Conflict, "phone", "auth.phone.taken")
		}
	}
	id, err := tx.insertID(ctx, `INSERT INTO users (username, display_name, password_hash, must_change, disabled, phone_hash, phone_enc, password_changed_at, created_at, updated_at)
			VALUES (?, ?, ?, 1, 0, ?, ?, ?, ?, ?) RETURNING id`, u.Username, u.DisplayName, password.Hash(pw), phoneHash, tx.box.Seal(purposeLogin, u.Phone), tx.nowMS(), tx.nowMS(), tx.nowMS())
	if err != nil {
		return 0, err
	}
	if err := tx.audit(ctx, a, auditEntry{action: "user.create", target: fmt.Sprintf("user:%d", id), detail: u.Username}); err != nil {
		return 0, err
	}
	for _, g := range grants {
		if err := tx.grant(ctx, a, id, g); err != nil {
			return 0, err
		}
	}
	return id, nil
}

func (tx *Tx) grant(ctx context.Context, a *access.Actor, uid int64, g access.Grant) error {
	// A grant given again reopens one a leaving date has ended.
	// The grid, organisation or unit it names follows a grant given again.
	if _, err := tx.exec(ctx, `INSERT INTO user_roles (user_id, role, region_code, household_id, grid_id, org_id, unit_id) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, role, region_code) DO UPDATE SET starts_at = 0, ends_at = 0, grid_id = excluded.grid_id, org_id = excluded.org_id, unit_id = excluded.unit_id`,
		uid, string(g.Role), g.Region, g.Household, g.Grid, g.Org, g.Unit); err != nil {
		return fmt.Errorf("grant %s at %s: %w", g.Role, g.Region, err)
	}
	return tx.audit(ctx, a, auditEntry{action: "role.grant", target: fmt.Sprintf("user:%d", uid), region: g.Region, detail: fmt.Sprintf("%s household:%d grid:%d org:%d unit:%d", g.Role, g.Household, g.Grid, g.Org, g.Unit)})
}

// SetPassword replaces a user's password and ends their sessions; the
// demo uses it to hand out fresh passwords on every start.
func (db *DB) SetPassword(ctx context.Context, a *access.Actor, username, pw string, mustChange bool) error {
	return db.update(ctx, func(tx *Tx) error {
		var id int64
		if err := tx.queryRow(ctx, `SELECT id FROM users WHERE username = ?`, username).Scan(&id); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fault.E(fault.NotFound, "error.not_found")
			}
			return err
		}
		return tx.setPassword(ctx, a, id, pw, mustChange, "user.password", "")
	})
}

// Users lists every account for the two administrators who manage them.
func (s *UserService) Users(ctx context.Context, a *access.Actor) ([]access.User, error) {
	if err := canSeeUsers(a); err != nil {
		return nil, err
	}
	var out []access.User
	err := s.db.view(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT `+userCols+` FROM users ORDER BY username`)
		if err != nil {
			return err
		}
		for rows.Next() {
			u, err := scanUser(rows, tx.now)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, u)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			if out[i].Grants, err = tx.grants(ctx, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

const userCols = `id, username, display_name, must_change, disabled, locked_until, totp_last_step, CASE WHEN phone_hash IS NULL THEN 0 ELSE 1 END`

func scanUser(s interface{ Scan(...any) error }, now time.Time) (access.User, error) {
	var u access.User
	var mc, dis, hasPhone int
	var locked, step int64
	err := s.Scan(&u.ID, &u.Username, &u.DisplayName, &mc, &dis, &locked, &step, &hasPhone)
	u.MustChange, u.Disabled, u.Locked, u.SecondFactor = mc != 0, dis != 0, locked > now.UnixMilli(), step > 0
	if hasPhone != 0 {
		u.PhoneMasked = "***********"
	}
	return u, err
}

// User returns one account with its grants.
func (s *UserService) User(ctx context.Context, a *access.Actor, id int64) (*access.User, error) {
	if err := canSeeUsers(a); err != nil {
		return nil, err
	}
	var out access.User
	err := s.db.view(ctx, func(tx *Tx) error {
		u, err := scanUser(tx.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id), tx.now)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.E(fault.NotFound, "error.not_found")
		}
		if err != nil {
			return err
		}
		out = u
		out.Grants, err = tx.grants(ctx, id)
		return err
	})
	return &out, err
}

// CreateUser adds an account without roles (the security administrator
// grants them) and returns its one-time password.
func (s *UserService) CreateUser(ctx context.Context, a *access.Actor, u access.NewUser) (int64, string, error) {
	if err := canManageUsers(a); err != nil {
		return 0, "", err
	}
	pw := password.Random()
	id, err := s.db.createUser(ctx, a, u, pw, nil)
	return id, pw, err
}

// SetDisabled disables or re-enables an account; disabling ends its
// sessions and revokes nothing else, so re-enabling restores it as it was.
func (s *UserService) SetDisabled(ctx context.Context, a *access.Actor, id int64, disabled bool) error {
	if err := canManageUsers(a); err != nil {
		return err
	}
	if id == a.UserID {
		return fault.E(fault.Forbidden, "user.self")
	}
	return s.db.update(ctx, func(tx *Tx) error {
		flag, action := 0, "user.enable"
		if disabled {
			flag, action = 1, "user.disable"
		}
		if err := tx.exactlyOne(ctx, fault.E(fault.NotFound, "error.not_found"), `UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?`, flag, tx.nowMS(), id); err != nil {
			return err
		}
		if disabled {
			if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
				return err
			}
		}
		return tx.audit(ctx, a, auditEntry{action: action, target: fmt.Sprintf("user:%d", id)})
	})
}

// ResetPassword gives a user a new one-time password and unlocks them. It
// ends every session and revokes every API token of the user, so whoever
// held them, the administrator included, acts as the user no more; the
// one-time password only sets a new one, within access.ResetValid. An
// administrator's own password is changed with the current one instead.
func (s *UserService) ResetPassword(ctx context.Context, a *access.Actor, id int64) (string, error) {
	if err := canManageUsers(a); err != nil {
		return "", err
	}
	if id == a.UserID {
		return "", fault.E(fault.Forbidden, "user.self_reset")
	}
	pw := password.Random()
	err := s.db.update(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM users WHERE id = ?`, id).Scan(&n); err != nil || n == 0 {
			if err == nil {
				err = fault.E(fault.NotFound, "error.not_found")
			}
			return err
		}
		res, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at = 0`, tx.nowMS(), id)
		if err != nil {
			return err
		}
		revoked, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if err := tx.setPassword(ctx, a, id, pw, true, "user.password_reset", fmt.Sprintf("tokens=%d", revoked)); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE users SET reset_at = password_changed_at WHERE id = ?`, id)
		return err
	})
	return pw, err
}

// checkGrant is the security administrator's rule: a known role, a real
// region inside their own scope, a household for a villager, and never
// their own account.
func (tx *Tx) checkGrant(ctx context.Context, a *access.Actor, id int64, g access.Grant) error {
	var fs fault.Fields
	if !access.ValidRole(g.Role) {
		fs.Add("role", "role.invalid")
	}
	if !regioncode.ValidCode(g.Region) {
		fs.Add("region", "region.code_invalid")
	}
	if err := fs.Err(); err != nil {
		return err
	}
	if !a.Can(access.RoleManage, g.Region) {
		return fault.E(fault.Forbidden, "error.forbidden")
	}
	if id == a.UserID {
		return fault.E(fault.Forbidden, "user.self")
	}
	if _, err := tx.region(ctx, g.Region); err != nil {
		return fault.OnField(fault.Invalid, "region", "region.not_found")
	}
	if g.Role == access.Villager {
		var village string
		err := tx.queryRow(ctx, `SELECT village_code FROM households WHERE id = ?`, g.Household).Scan(&village)
		if err != nil || village != g.Region {
			return fault.OnField(fault.Invalid, "household", "role.household")
		}
	} else if g.Household != 0 {
		return fault.OnField(fault.Invalid, "household", "role.household")
	}
	if err := tx.checkGridGrant(ctx, g); err != nil {
		return err
	}
	if err := tx.checkOrgUnitGrant(ctx, g); err != nil {
		return err
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM users WHERE id = ?`, id).Scan(&n); err != nil || n == 0 {
		if err == nil {
			err = fault.E(fault.NotFound, "error.not_found")
		}
		return err
	}
	return nil
}

// Grant gives a user a role at a region.
func (s *UserService) Grant(ctx context.Context, a *access.Actor, id int64, g access.Grant) error {
	return s.db.update(ctx, func(tx *Tx) error {
		if err := tx.grantScope(ctx, &g); err != nil {
			return err
		}
		if err := tx.checkGrant(ctx, a, id, g); err != nil {
			return err
		}
		// Separation of duties: an administrator role is the only role its
		// holder has, so nobody is both system and audit administrator, or
		// administrator and official. Revoking stays open, to repair an
		// account that mixes them.
		held, err := tx.grants(ctx, id)
		if err != nil {
			return err
		}
		for _, h := range held {
			if h.Role != g.Role && (h.Role.Admin() || g.Role.Admin()) {
				return fault.OnField(fault.Conflict, "role", "role.admin_exclusive")
			}
		}
		return tx.grant(ctx, a, id, g)
	})
}

// Revoke takes a role away; it applies from the user's next request.
func (s *UserService) Revoke(ctx context.Context, a *access.Actor, id int64, g access.Grant) error {
	return s.db.update(ctx, func(tx *Tx) error {
		if err := tx.grantScope(ctx, &g); err != nil {
			return err
		}
		if err := tx.checkGrant(ctx, a, id, g); err != nil {
			return err
		}
		if err := tx.exactlyOne(ctx, fault.E(fault.NotFound, "error.not_found"), `DELETE FROM user_roles WHERE user_id = ? AND role = ? AND region_code = ?`,
			id, string(g.Role), g.Region); err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "role.revoke", target: fmt.Sprintf("user:%d", id), region: g.Region, detail: string(g.Role)})
	})
}

// Tokens lists the actor's own API tokens.
func (s *UserService) Tokens(ctx context.Context, a *access.Actor) ([]access.Token, error) {
	var out []access.Token
	err := s.db.view(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, name, created_at, expires_at, revoked_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, a.UserID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t access.Token
			var c, e, r, l int64
			if err := rows.Scan(&t.ID, &t.Name, &c, &e, &r, &l); err != nil {
				return err
			}
			t.Created, t.Expires, t.Revoked = time.UnixMilli(c), time.UnixMilli(e), r != 0
			if l != 0 {
				t.LastUsed = time.UnixMilli(l)
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, err
}

// CreateToken issues an API token acting with exactly the actor's roles,
// now and as they change; it expires after ttl, capped by the policy.
func (s *UserService) CreateToken(ctx context.Context, a *access.Actor, name string, ttl time.Duration) (string, error) {
	name = strings.TrimSpace(name)
	var fs fault.Fields
	if name == "" || utf8.RuneCountInString(name) > 60 {
		fs.Add("name", "token.name")
	}
	if ttl <= 0 || ttl > s.policy.TokenMaxAge {
		fs.Add("days", "token.ttl", int(s.policy.TokenMaxAge.Hours()/24))
	}
	if err := fs.Err(); err != nil {
		return "", err
	}
	secret := apiTokenPrefix + newToken()
	err := s.db.update(ctx, func(tx *Tx) error {
		id, err := tx.insertID(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			a.UserID, name, tokenHash(secret), tx.nowMS(), tx.now.Add(ttl).UnixMilli())
		if err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "token.create", target: fmt.Sprintf("token:%d", id), detail: name})
	})
	return secret, err
}

// RevokeToken ends one of the actor's own tokens.
func (s *UserService) RevokeToken(ctx context.Context, a *access.Actor, id int64) error {
	return s.db.update(ctx, func(tx *Tx) error {
		if err := tx.exactlyOne(ctx, fault.E(fault.NotFound, "error.not_found"), `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at = 0`,
			tx.nowMS(), id, a.UserID); err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "token.revoke", target: fmt.Sprintf("token:%d", id)})
	})
}

// tokenSession resolves an API token to a session without a CSRF token:
// bearer tokens are not sent by browsers on their own, so cross-site
// request forgery does not apply.
func (s *AuthService) tokenSession(ctx context.Context, token string) (*access.Session, error) {
	key := tokenHash(token)
	row, err := s.db.auth.get(key, func() (authRow, error) {
		var r authRow
		err := s.db.view(ctx, func(tx *Tx) error {
			var revoked int64
			var mustChange, disabled int
			err := tx.queryRow(ctx, `SELECT t.id, t.user_id, t.expires_at, t.revoked_at, t.last_used_at, u.username, u.must_change, u.disabled
				FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`, key).
				Scan(&r.tokenID, &r.uid, &r.expires, &revoked, &r.seen, &r.username, &mustChange, &disabled)
			if errors.Is(err, sql.ErrNoRows) || err == nil && (revoked != 0 || disabled != 0) {
				return fault.E(fault.Unauthorized, "auth.token.invalid")
			}
			if err != nil {
				return err
			}
			r.mustChange = mustChange != 0
			r.grants, err = tx.grants(ctx, r.uid)
			return err
		})
		return r, err
	})
	if err != nil {
		return nil, err
	}
	now := s.db.Now()
	if row.expires <= now.UnixMilli() {
		return nil, fault.E(fault.Unauthorized, "auth.token.invalid")
	}
	if now.Sub(time.UnixMilli(row.seen)) > time.Minute {
		err = s.db.update(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, tx.nowMS(), row.tokenID)
			return err
		})
		if err != nil {
			return nil, err
		}
		markSeen(&s.db.auth, key, now.UnixMilli())
	}
	return &access.Session{Actor: row.actor(), MustChange: row.mustChange}, nil
}

// IssueVillager opens a villager account for a household of a village the
// actor keeps the register of.
func (s *UserService) IssueVillager(ctx context.Context, a *access.Actor, household int64, phone string) (string, error) {
	phone = registry.NormalizePhone(phone)
	if !registry.ValidMobile(phone) {
		return "", fault.OnField(fault.Invalid, "phone", "registry.phone.invalid")
	}
	var village, number string
	err := s.db.view(ctx, func(tx *Tx) error {
		h, err := tx.householdFor(ctx, a, household, access.RegistryWrite)
		if err != nil {
			return err
		}
		village, number = h.VillageCode, h.Number
		return nil
	})
	if err != nil {
		return "", err
	}
	pw := password.Random()
	// The username is the village code and 户号: unique, meaningful to
	// staff, and free of personal data; the villager signs in with the
	// mobile number.
	_, err = s.db.createUser(ctx, a, access.NewUser{Username: village + "-" + number, DisplayName: number, Phone: phone}, pw,
		[]access.Grant{{Role: access.Villager, Region: village, Household: household}})
	return pw, err
}
