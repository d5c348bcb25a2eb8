package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/password"
	"shanzhi/internal/registry"
	"shanzhi/internal/totp"
)

// AuthService implements access.AuthService.
type AuthService struct {
	db     *DB
	policy access.Policy
}

// Auth returns the store's sign-in service under policy.
func (db *DB) Auth(policy access.Policy) *AuthService { return &AuthService{db: db, policy: policy} }

var _ access.AuthService = (*AuthService)(nil)

const (
	purposeTOTP    = "user.totp"
	purposeLogin   = "user.phone"
	apiTokenPrefix = "szt_"
)

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenHash is what the sessions and token tables keep: a stolen database
// yields no usable session cookie or API token.
func tokenHash(t string) string {
	s := sha256.Sum256([]byte(t))
	return hex.EncodeToString(s[:])
}

// Login checks a username or mobile number and a password and opens a
// session. Five failures in a row lock the account for the policy's time;
// while locked even the right password fails, with the same message. The
// typed name is first brought to its one form (registry.LoginName), so a
// number typed in any shape counts against the same account, and each
// failure is counted and judged in one statement, so concurrent attempts
// on any number of servers lock exactly as the same attempts in a row.
func (s *AuthService) Login(ctx context.Context, login, pw string) (string, error) {
	typed := login
	login = registry.LoginName(login)
	var u struct {
		id                      int64
		name, hash              string
		disabled, mustChange    int
		changed, created, reset int64
	}
	err := s.db.view(ctx, func(tx *Tx) error {
		q := `SELECT id, username, password_hash, disabled, must_change, password_changed_at, created_at, reset_at FROM users WHERE `
		dest := []any{&u.id, &u.name, &u.hash, &u.disabled, &u.mustChange, &u.changed, &u.created, &u.reset}
		// The name as typed comes first, for an account whose name has
		// full-width letters in it; then its one form.
		raw := strings.TrimSpace(typed)
		err := tx.queryRow(ctx, q+`username IN (?, ?) ORDER BY CASE WHEN username = ? THEN 0 ELSE 1 END LIMIT 1`, raw, login, raw).Scan(dest...)
		if errors.Is(err, sql.ErrNoRows) && registry.ValidMobile(login) {
			err = tx.queryRow(ctx, q+`phone_hash = ?`, tx.box.Index(purposeLogin, login)).Scan(dest...)
		}
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		password.Waste(pw)
		return "", s.failed(ctx, nil, typed, "auth.login_failed")
	}
	if err != nil {
		return "", err
	}
	actor := &access.Actor{UserID: u.id, Username: u.name}
	now := s.db.Now()
	ok, err := password.Check(u.hash, pw)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", s.wrongPassword(ctx, actor, typed)
	}
	if u.disabled != 0 {
		return "", s.failed(ctx, actor, typed, "auth.login_disabled")
	}
	// A one-time password from an administrator's reset, still unchanged,
	// is good for a day only.
	if u.mustChange != 0 && u.reset > 0 && u.changed == u.reset && now.Sub(time.UnixMilli(u.reset)) > access.ResetValid {
		return "", s.failed(ctx, actor, typed, "auth.login_reset_expired")
	}
	changed := u.changed
	if changed == 0 {
		changed = u.created
	}
	expired := s.policy.PasswordMaxAge > 0 && now.Sub(time.UnixMilli(changed)) > s.policy.PasswordMaxAge
	token := newToken()
	locked := false
	err = s.db.update(ctx, func(tx *Tx) error {
		// The lock is read and the count cleared in one statement: a
		// failure that locked the account a moment ago is never undone
		// by a right password racing it.
		res, err := tx.exec(ctx, `UPDATE users SET failed_count = 0, locked_until = 0 WHERE id = ? AND locked_until <= ?`, u.id, tx.nowMS())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			locked = true
			return err
		}
		if expired {
			if _, err := tx.exec(ctx, `UPDATE users SET must_change = 1 WHERE id = ?`, u.id); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, seen_at, client) VALUES (?, ?, ?, ?, ?, ?)`,
			tokenHash(token), u.id, newToken(), tx.nowMS(), tx.nowMS(), access.RequestFrom(ctx).Client); err != nil {
			return err
		}
		return tx.audit(ctx, actor, auditEntry{action: "auth.login", target: fmt.Sprintf("user:%d", u.id)})
	})
	if err == nil && locked {
		return "", s.failed(ctx, actor, typed, "auth.login_locked")
	}
	return token, err
}

// wrongPassword counts a failure, locking the account at the limit; a
// failure while locked is recorded as a refusal of a locked account.
func (s *AuthService) wrongPassword(ctx context.Context, a *access.Actor, typed string) error {
	err := s.db.update(ctx, func(tx *Tx) error {
		state, err := tx.countFailure(ctx, a, s.policy, false)
		if err != nil {
			return err
		}
		action := "auth.login_failed"
		if state == alreadyLocked {
			action = "auth.login_locked"
		}
		if err := tx.audit(ctx, a, auditEntry{action: action, target: fmt.Sprintf("user:%d", a.UserID), detail: tx.loginShown(typed), outcome: "failed"}); err != nil {
			return err
		}
		if state == nowLocked {
			return tx.auditLockout(ctx, a, s.policy)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return fault.E(fault.Unauthorized, "auth.login.failed")
}

// loginShown is how a typed login name appears in the audit trail: a
// mobile or ID number is personal data and is masked like everywhere
// else, with the keyed hash of its one form beside it, so an auditor can
// tell attempts on one number from attempts on many without reading it.
func (tx *Tx) loginShown(typed string) string {
	shown := registry.LoginShown(typed)
	if name := registry.LoginHashed(typed); shown != name {
		return shown + " #" + tx.box.Index(purposeLogin, name)[:16]
	}
	return shown
}

// failed records a refused sign-in and returns the one message every cause
// shares.
func (s *AuthService) failed(ctx context.Context, a *access.Actor, typed, action string) error {
	target := "user:?"
	if a != nil {
		target = fmt.Sprintf("user:%d", a.UserID)
	}
	err := s.db.update(ctx, func(tx *Tx) error {
		return tx.audit(ctx, a, auditEntry{action: action, target: target, detail: tx.loginShown(typed), outcome: "failed"})
	})
	if err != nil {
		return err
	}
	return fault.E(fault.Unauthorized, "auth.login.failed")
}

// Session resolves a session cookie or an API token. What a token
// resolves to is cached for at most a second (db.auth, a readCache): a
// change made on this server applies to the very next request, one made
// on another server within the second. Only an expiry or a stale seen_at
// takes the writer.
func (s *AuthService) Session(ctx context.Context, token string) (*access.Session, error) {
	if token == "" {
		return nil, fault.E(fault.Unauthorized, "error.unauthorized")
	}
	if s.db.paused.Load() {
		return nil, ErrMaintenance
	}
	if strings.HasPrefix(token, apiTokenPrefix) {
		return s.tokenSession(ctx, token)
	}
	key := tokenHash(token)
	row, err := s.db.auth.get(key, func() (authRow, error) {
		var r authRow
		err := s.db.view(ctx, func(tx *Tx) error {
			var mustChange, disabled, mfaOK, enrolled int
			err := tx.queryRow(ctx, `SELECT s.user_id, s.csrf, s.created_at, s.seen_at, s.mfa_ok, u.username, u.must_change, u.disabled,
				CASE WHEN u.totp_last_step > 0 THEN 1 ELSE 0 END, u.reset_at
				FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, key).
				Scan(&r.uid, &r.csrf, &r.created, &r.seen, &mfaOK, &r.username, &mustChange, &disabled, &enrolled, &r.reset)
			if errors.Is(err, sql.ErrNoRows) {
				return fault.E(fault.Unauthorized, "error.unauthorized")
			}
			if err != nil {
				return err
			}
			r.mustChange, r.disabled, r.secondFactorDone, r.hasAuthorApp = mustChange != 0, disabled != 0, mfaOK != 0, enrolled != 0
			r.grants, err = tx.grants(ctx, r.uid)
			return err
		})
		return r, err
	})
	if err != nil {
		return nil, err
	}
	sess := &access.Session{Actor: row.actor(), CSRF: row.csrf, MustChange: row.mustChange, Created: time.UnixMilli(row.created)}
	if row.reset > 0 {
		sess.ResetAt = time.UnixMilli(row.reset)
	}
	now := s.db.Now()
	idle := s.policy.Idle
	if sess.Actor.IsAdmin() {
		idle = s.policy.AdminIdle
	}
	switch {
	case row.disabled || now.Sub(time.UnixMilli(row.seen)) > idle || now.Sub(time.UnixMilli(row.created)) > s.policy.Absolute:
		err := s.db.update(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, key)
			return err
		})
		if err != nil {
			return nil, err
		}
		return nil, fault.E(fault.Unauthorized, "auth.session.expired")
	case now.Sub(time.UnixMilli(row.seen)) > time.Minute:
		// A minute's granularity is enough for a 15-minute idle limit and
		// spares the writer a write on every request.
		err := s.db.update(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE sessions SET seen_at = ? WHERE token_hash = ?`, tx.nowMS(), key)
			return err
		})
		if err != nil {
			return nil, err
		}
		markSeen(&s.db.auth, key, now.UnixMilli())
	}
	if !s.policy.SkipMFA && !row.secondFactorDone && sess.Actor.NeedsSecondFactor() {
		sess.SecondFactor = "enrol"
		if row.hasAuthorApp {
			sess.SecondFactor = "verify"
		}
	}
	return sess, nil
}

// actor is a fresh copy of the row's user for one request: callers may
// change what they are handed without touching the cached row.
func (r authRow) actor() *access.Actor {
	return &access.Actor{UserID: r.uid, Username: r.username, Grants: append([]access.Grant(nil), r.grants...)}
}

func (tx *Tx) grants(ctx context.Context, uid int64) ([]access.Grant, error) {
	// A grant counts inside its window only: a successor's from the day
	// they take the post over, a leaver's until the day they leave it.
	now := tx.nowMS()
	rows, err := tx.query(ctx, `SELECT role, region_code, household_id, grid_id, org_id, unit_id FROM user_roles
		WHERE user_id = ? AND starts_at <= ? AND (ends_at = 0 OR ends_at > ?) ORDER BY region_code, role`, uid, now, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []access.Grant
	for rows.Next() {
		var g access.Grant
		if err := rows.Scan(&g.Role, &g.Region, &g.Household, &g.Grid, &g.Org, &g.Unit); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// Logout ends every session of the token's user, on every device: a user
// who signs out on a shared office PC also leaves their phone signed out.
func (s *AuthService) Logout(ctx context.Context, token string) error {
	return s.db.update(ctx, func(tx *Tx) error {
		uid, name, err := tx.sessionUser(ctx, token)
		if fault.Is(err, fault.Unauthorized) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, uid); err != nil {
			return err
		}
		return tx.audit(ctx, &access.Actor{UserID: uid, Username: name}, auditEntry{action: "auth.logout", target: fmt.Sprintf("user:%d", uid)})
	})
}

// ChangePassword checks the old password, applies the policy to the new
// one and ends every session of the user, this one included.
func (s *AuthService) ChangePassword(ctx context.Context, a *access.Actor, old, pw string) error {
	var fs fault.Fields
	if p := access.PasswordProblem(pw, a.Username); p != "" {
		fs.Add("new", p)
	}
	if old == pw {
		fs.Add("new", "auth.password.same")
	}
	if err := fs.Err(); err != nil {
		return err
	}
	wrongOld := false
	err := s.db.update(ctx, func(tx *Tx) error {
		var hash string
		if err := tx.queryRow(ctx, `SELECT password_hash FROM users WHERE id = ?`, a.UserID).Scan(&hash); err != nil {
			return err
		}
		if ok, err := password.Check(hash, old); err != nil || !ok {
			wrongOld = true
			if err := tx.audit(ctx, a, auditEntry{action: "auth.password_wrong", target: fmt.Sprintf("user:%d", a.UserID), outcome: "failed"}); err != nil {
				return err
			}
			_, err := tx.countFailure(ctx, a, s.policy, true)
			return err
		}
		return tx.setPassword(ctx, a, a.UserID, pw, false, "user.password", "")
	})
	if err == nil && wrongOld {
		return fault.OnField(fault.Invalid, "old", "auth.password.wrong")
	}
	return err
}

// The outcomes of a counted failure.
const (
	counted       = iota // one more failure, below the limit
	nowLocked            // this failure reached the limit and locked the account
	alreadyLocked        // the account was locked before this failure
)

// countFailure adds a failed attempt to the account and, at the policy's
// limit, locks it; endSessions also ends its sessions then, for failures
// made from inside a session (a wrong current password, wrong codes).
//
// The count and the decision are one statement, so that concurrent
// failures on any number of servers are serialised by the row lock and
// lock the account exactly as the same failures in a row would. While
// locked, failed_count keeps counting past the limit: the one failure that
// reads back exactly the limit is the one that locked it.
func (tx *Tx) countFailure(ctx context.Context, a *access.Actor, policy access.Policy, endSessions bool) (int, error) {
	now := tx.nowMS()
	var failed int
	err := tx.queryRow(ctx, `UPDATE users SET
		failed_count = CASE WHEN locked_until > ? THEN failed_count + 1 WHEN locked_until > 0 THEN 1 ELSE failed_count + 1 END,
		locked_until = CASE WHEN locked_until > ? THEN locked_until
			WHEN (CASE WHEN locked_until > 0 THEN 1 ELSE failed_count + 1 END) >= ? THEN ? ELSE 0 END
		WHERE id = ? RETURNING failed_count`, now, now, policy.MaxFailures, tx.now.Add(policy.LockFor).UnixMilli(), a.UserID).Scan(&failed)
	switch {
	case err != nil:
		return 0, err
	case failed < policy.MaxFailures:
		return counted, nil
	case failed > policy.MaxFailures:
		return alreadyLocked, nil
	}
	if endSessions {
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, a.UserID); err != nil {
			return 0, err
		}
		return nowLocked, tx.auditLockout(ctx, a, policy)
	}
	return nowLocked, nil
}

func (tx *Tx) auditLockout(ctx context.Context, a *access.Actor, policy access.Policy) error {
	return tx.audit(ctx, a, auditEntry{action: "auth.lockout", target: fmt.Sprintf("user:%d", a.UserID), detail: policy.LockFor.String(), outcome: "locked"})
}

// setPassword stores a new password for user id, ending their sessions, and
// audits it as action (with detail), one entry however it came about.
func (tx *Tx) setPassword(ctx context.Context, a *access.Actor, id int64, pw string, mustChange bool, action, detail string) error {
	mc := 0
	if mustChange {
		mc = 1
	}
	if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, must_change = ?, password_changed_at = ?, failed_count = 0, locked_until = 0, updated_at = ? WHERE id = ?`,
		password.Hash(pw), mc, tx.nowMS(), tx.nowMS(), id); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
		return err
	}
	return tx.audit(ctx, a, auditEntry{action: action, target: fmt.Sprintf("user:%d", id), detail: detail})
}

// sessionUser returns the user behind a browser session token.
func (tx *Tx) sessionUser(ctx context.Context, token string) (int64, string, error) {
	var uid int64
	var name string
	err := tx.queryRow(ctx, `SELECT u.id, u.username FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, tokenHash(token)).Scan(&uid, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", fault.E(fault.Unauthorized, "error.unauthorized")
	}
	return uid, name, err
}

// EnrolSecondFactor gives a user without a confirmed second factor a new
// TOTP secret; it counts only once a code made with it is verified.
func (s *AuthService) EnrolSecondFactor(ctx context.Context, token string) (string, error) {
	secret := totp.NewSecret()
	err := s.db.update(ctx, func(tx *Tx) error {
		uid, _, err := tx.sessionUser(ctx, token)
		if err != nil {
			return err
		}
		var step int64
		if err := tx.queryRow(ctx, `SELECT totp_last_step FROM users WHERE id = ?`, uid).Scan(&step); err != nil {
			return err
		}
		if step > 0 {
			return fault.E(fault.Conflict, "auth.mfa.enrolled")
		}
		_, err = tx.exec(ctx, `UPDATE users SET totp_secret_enc = ? WHERE id = ?`, tx.box.Seal(purposeTOTP, secret), uid)
		return err
	})
	return secret, err
}

// maxCodeFailures ends a session after this many wrong codes in a row, so
// a stolen password cannot be followed by guessing codes at leisure.
const maxCodeFailures = 5

// VerifySecondFactor checks a TOTP code for the session's user. A code is
// good once: its time step must be later than the last one accepted.
func (s *AuthService) VerifySecondFactor(ctx context.Context, token, code string) error {
	// wrong names what was wrong with a refused code, for the person
	// typing it: a mistyped code, or a good one already used.
	var wrong string
	err := s.db.update(ctx, func(tx *Tx) error {
		uid, name, err := tx.sessionUser(ctx, token)
		if err != nil {
			return err
		}
		actor := &access.Actor{UserID: uid, Username: name}
		var enc []byte
		var last int64
		if err := tx.queryRow(ctx, `SELECT totp_secret_enc, totp_last_step FROM users WHERE id = ?`, uid).Scan(&enc, &last); err != nil {
			return err
		}
		secret, err := tx.box.Open(purposeTOTP, enc)
		if err != nil || secret == "" {
			return fault.E(fault.Conflict, "auth.mfa.not_enrolled")
		}
		step, ok := totp.Verify(secret, code, tx.now, 1)
		if ok && step > last {
			if _, err := tx.exec(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ?`, step, uid); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE sessions SET mfa_ok = 1, mfa_failures = 0 WHERE token_hash = ?`, tokenHash(token)); err != nil {
				return err
			}
			action := "auth.mfa"
			if last == 0 {
				action = "auth.mfa_enrol"
			}
			return tx.audit(ctx, actor, auditEntry{action: action, target: fmt.Sprintf("user:%d", uid)})
		}
		wrong = "auth.mfa.wrong"
		if ok {
			wrong = "auth.mfa.used"
		}
		var fails int
		if err := tx.queryRow(ctx, `UPDATE sessions SET mfa_failures = mfa_failures + 1 WHERE token_hash = ? RETURNING mfa_failures`, tokenHash(token)).Scan(&fails); err != nil {
			return err
		}
		if fails >= maxCodeFailures {
			if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash(token)); err != nil {
				return err
			}
		}
		if err := tx.audit(ctx, actor, auditEntry{action: "auth.mfa_failed", target: fmt.Sprintf("user:%d", uid), outcome: "failed"}); err != nil {
			return err
		}
		// Wrong codes also count toward the account's lockout, so signing
		// in again with a stolen password does not buy fresh guesses.
		_, err = tx.countFailure(ctx, actor, s.policy, true)
		return err
	})
	if err == nil && wrong != "" {
		return fault.OnField(fault.Invalid, "code", wrong)
	}
	return err
}

// CountUsers counts accounts; a server with none creates its first
// administrators.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.view(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	})
	return n, err
}
