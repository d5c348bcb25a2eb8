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
)

// AuthService implements access.AuthService.
type AuthService struct{ db *DB }

// Auth returns the store's sign-in service.
func (db *DB) Auth() *AuthService { return &AuthService{db: db} }

var _ access.AuthService = (*AuthService)(nil)

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenHash is what the sessions table keeps: a stolen database yields no
// usable session cookies.
func tokenHash(t string) string {
	s := sha256.Sum256([]byte(t))
	return hex.EncodeToString(s[:])
}

// CreateUser adds an account whose password must be changed at first
// sign-in, with the given grants. It is the administrator's and the demo's
// way in; regular user management comes with the access-control pages.
func (db *DB) CreateUser(ctx context.Context, a *access.Actor, username, display, pw string, grants []access.Grant) (int64, error) {
	username = strings.TrimSpace(username)
	if username == "" || len(username) > 64 {
		return 0, fault.OnField(fault.Invalid, "username", "auth.username.invalid")
	}
	if p := access.PasswordProblem(pw, username); p != "" {
		return 0, fault.OnField(fault.Invalid, "password", p)
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM users WHERE username = ?`, username).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fault.OnField(fault.Conflict, "username", "auth.username.taken")
		}
		var err error
		id, err = tx.insertID(ctx, `INSERT INTO users (username, display_name, password_hash, must_change, disabled, created_at, updated_at) VALUES (?, ?, ?, 1, 0, ?, ?) RETURNING id`,
			username, display, password.Hash(pw), tx.nowMS(), tx.nowMS())
		if err != nil {
			return err
		}
		for _, g := range grants {
			if _, err := tx.exec(ctx, `INSERT INTO user_roles (user_id, role, region_code) VALUES (?, ?, ?)`, id, string(g.Role), g.Region); err != nil {
				return fmt.Errorf("grant %s at %s: %w", g.Role, g.Region, err)
			}
		}
		return tx.audit(ctx, a, auditEntry{action: "user.create", target: fmt.Sprintf("user:%d", id), detail: username})
	})
	return id, err
}

// SetPassword replaces a user's password and ends their sessions; the
// demo uses it to hand out a fresh one-time password on every start.
func (db *DB) SetPassword(ctx context.Context, a *access.Actor, username, pw string, mustChange bool) error {
	return db.update(ctx, func(tx *Tx) error {
		var id int64
		if err := tx.queryRow(ctx, `SELECT id FROM users WHERE username = ?`, username).Scan(&id); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fault.E(fault.NotFound, "error.not_found")
			}
			return err
		}
		return tx.setPassword(ctx, a, id, pw, mustChange)
	})
}

func (tx *Tx) setPassword(ctx context.Context, a *access.Actor, id int64, pw string, mustChange bool) error {
	mc := 0
	if mustChange {
		mc = 1
	}
	if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, must_change = ?, updated_at = ? WHERE id = ?`, password.Hash(pw), mc, tx.nowMS(), id); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
		return err
	}
	return tx.audit(ctx, a, auditEntry{action: "user.password", target: fmt.Sprintf("user:%d", id)})
}

// Login checks a username and password and opens a session.
func (s *AuthService) Login(ctx context.Context, username, pw, client string) (string, error) {
	var u struct {
		id       int64
		hash     string
		disabled int
	}
	err := s.db.view(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT id, password_hash, disabled FROM users WHERE username = ?`, strings.TrimSpace(username)).Scan(&u.id, &u.hash, &u.disabled)
	})
	if errors.Is(err, sql.ErrNoRows) {
		password.Waste(pw)
		return "", s.failed(ctx, 0, username, client)
	}
	if err != nil {
		return "", err
	}
	ok, err := password.Check(u.hash, pw)
	if err != nil {
		return "", err
	}
	if !ok || u.disabled != 0 {
		return "", s.failed(ctx, u.id, username, client)
	}
	token := newToken()
	err = s.db.update(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, seen_at) VALUES (?, ?, ?, ?, ?)`,
			tokenHash(token), u.id, newToken(), tx.nowMS(), tx.nowMS()); err != nil {
			return err
		}
		return tx.audit(ctx, &access.Actor{UserID: u.id, Username: username}, auditEntry{action: "auth.login", target: fmt.Sprintf("user:%d", u.id), detail: client})
	})
	return token, err
}

// failed records a failed sign-in in the audit trail and returns the one
// message both causes share.
func (s *AuthService) failed(ctx context.Context, id int64, username, client string) error {
	err := s.db.update(ctx, func(tx *Tx) error {
		return tx.audit(ctx, nil, auditEntry{action: "auth.login_failed", target: fmt.Sprintf("user:%d", id), detail: username + " " + client})
	})
	if err != nil {
		return err
	}
	return fault.E(fault.Unauthorized, "auth.login.failed")
}

// Session returns the session of token, ending it when it has been idle or
// open too long. Grants are read on every request, so a permission change
// applies to the very next one. The lookup is a read: only an expiry or a
// stale seen_at takes the writer, so requests do not queue behind it.
func (s *AuthService) Session(ctx context.Context, token string) (*access.Session, error) {
	if token == "" {
		return nil, fault.E(fault.Unauthorized, "error.unauthorized")
	}
	var sess *access.Session
	var seen, created int64
	var disabled int
	err := s.db.view(ctx, func(tx *Tx) error {
		var uid int64
		var csrf, username string
		var mustChange int
		err := tx.queryRow(ctx, `SELECT s.user_id, s.csrf, s.created_at, s.seen_at, u.username, u.must_change, u.disabled
			FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, tokenHash(token)).
			Scan(&uid, &csrf, &created, &seen, &username, &mustChange, &disabled)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.E(fault.Unauthorized, "error.unauthorized")
		}
		if err != nil {
			return err
		}
		grants, err := tx.grants(ctx, uid)
		if err != nil {
			return err
		}
		sess = &access.Session{Actor: &access.Actor{UserID: uid, Username: username, Grants: grants}, CSRF: csrf, MustChange: mustChange != 0, Created: time.UnixMilli(created)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	now := s.db.Now()
	switch {
	case disabled != 0 || now.Sub(time.UnixMilli(seen)) > access.IdleTimeout || now.Sub(time.UnixMilli(created)) > access.AbsoluteTimeout:
		err := s.db.update(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash(token))
			return err
		})
		if err != nil {
			return nil, err
		}
		return nil, fault.E(fault.Unauthorized, "auth.session.expired")
	case now.Sub(time.UnixMilli(seen)) > time.Minute:
		// A minute's granularity is enough for a 30-minute idle limit and
		// spares the writer a write on every request.
		err := s.db.update(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE sessions SET seen_at = ? WHERE token_hash = ?`, tx.nowMS(), tokenHash(token))
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return sess, nil
}

func (tx *Tx) grants(ctx context.Context, uid int64) ([]access.Grant, error) {
	rows, err := tx.query(ctx, `SELECT role, region_code FROM user_roles WHERE user_id = ? ORDER BY region_code, role`, uid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []access.Grant
	for rows.Next() {
		var g access.Grant
		if err := rows.Scan(&g.Role, &g.Region); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// Logout ends one session.
func (s *AuthService) Logout(ctx context.Context, token string) error {
	return s.db.update(ctx, func(tx *Tx) error {
		var uid int64
		err := tx.queryRow(ctx, `SELECT user_id FROM sessions WHERE token_hash = ?`, tokenHash(token)).Scan(&uid)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash(token)); err != nil {
			return err
		}
		return tx.audit(ctx, &access.Actor{UserID: uid}, auditEntry{action: "auth.logout", target: fmt.Sprintf("user:%d", uid)})
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
	return s.db.update(ctx, func(tx *Tx) error {
		var hash string
		if err := tx.queryRow(ctx, `SELECT password_hash FROM users WHERE id = ?`, a.UserID).Scan(&hash); err != nil {
			return err
		}
		if ok, err := password.Check(hash, old); err != nil || !ok {
			return fault.OnField(fault.Invalid, "old", "auth.password.wrong")
		}
		return tx.setPassword(ctx, a, a.UserID, pw, false)
	})
}

// CountUsers counts accounts; a server with none creates its first
// administrator.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.view(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	})
	return n, err
}
