-- Access control, sign-in protection, API tokens and richer audit rows.
ALTER TABLE users ADD COLUMN phone_hash TEXT;
ALTER TABLE users ADD COLUMN failed_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_changed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_secret_enc BLOB;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX users_phone_hash ON users(phone_hash) WHERE phone_hash IS NOT NULL;

ALTER TABLE user_roles ADD COLUMN household_id INTEGER NOT NULL DEFAULT 0;

ALTER TABLE sessions ADD COLUMN mfa_ok INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN client TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN mfa_failures INTEGER NOT NULL DEFAULT 0;

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER NOT NULL DEFAULT 0,
    last_used_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_user ON api_tokens(user_id, id);

-- Version 2 audit rows also hash who acted in which role, the outcome,
-- the client address and the request id; version 1 rows keep verifying
-- under their original form.
ALTER TABLE audit_log ADD COLUMN v INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit_log ADD COLUMN role TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN outcome TEXT NOT NULL DEFAULT 'ok';
ALTER TABLE audit_log ADD COLUMN client TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor_id, id);
-- Purging rows past the retention period moves the anchor: verification
-- starts from the last purged row's hash.
ALTER TABLE audit_head ADD COLUMN anchor_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_head ADD COLUMN anchor_hash TEXT NOT NULL DEFAULT '';

ALTER TABLE households ADD COLUMN card_token TEXT;
CREATE UNIQUE INDEX households_card_token ON households(card_token) WHERE card_token IS NOT NULL;
