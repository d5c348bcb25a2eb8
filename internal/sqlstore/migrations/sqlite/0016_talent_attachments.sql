-- Attachments of rural-leader applications (photos of products, the
-- business licence and the like), kept in the database so that a backup
-- (VACUUM INTO) carries them with the applications they support. The
-- type is the one sniffed from the bytes; public marks a product photo the
-- leader lets the public page show (never a licence).
CREATE TABLE talent_attachments (
    id           INTEGER PRIMARY KEY,
    candidate_id INTEGER NOT NULL REFERENCES talent_candidates(id),
    village_code TEXT NOT NULL,
    kind         TEXT NOT NULL,
    public       INTEGER NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    actor_name   TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX talent_attachments_candidate ON talent_attachments(candidate_id, id);

-- An applicant without an account edits their own application through a
-- private link; only the SHA-256 of its random token is kept, so the
-- database yields no usable link.
ALTER TABLE talent_candidates ADD COLUMN token_hash TEXT;
CREATE UNIQUE INDEX talent_candidates_token ON talent_candidates(token_hash) WHERE token_hash IS NOT NULL;

-- Whether the leader gives a training (to others) or receives one.
ALTER TABLE talent_measures ADD COLUMN direction TEXT NOT NULL DEFAULT '';
