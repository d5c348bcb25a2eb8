package sqlstore

import "testing"

// TestWritesAuth: every write to a table sessions are resolved from
// empties the cache, reads and the last-seen bookkeeping never do.
func TestWritesAuth(t *testing.T) {
	for q, want := range map[string]bool{
		`UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?`:                            true,
		`DELETE FROM user_roles WHERE user_id = ? AND role = ? AND region_code = ?`:             true,
		"INSERT INTO user_roles (user_id, role, region_code, household_id) VALUES (?, ?, ?, ?)": true,
		`
		UPDATE api_tokens SET revoked_at = ? WHERE id = ?`: true,
		`DELETE FROM sessions WHERE user_id = ?`:                                true,
		`insert into users(username) values (?)`:                                true,
		`UPDATE sessions SET seen_at = ? WHERE token_hash = ?`:                  false,
		`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`:                   false,
		`SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id`:        false,
		`UPDATE accounts SET balance = balance + ? WHERE household_id = ?`:      false,
		`INSERT INTO audit_log (action, target) VALUES ('user.grant', 'users')`: false,
	} {
		if got := writesAuth(q); got != want {
			t.Errorf("writesAuth(%q) = %v, want %v", q, got, want)
		}
	}
}
