-- Cadre training (精准滴灌) and the cadres it trains (干部, issue 14 item 4).
--
-- A role grant may now have a window: starts_at and ends_at (Unix ms, 0
-- for open). A cadre's leaving date (换届, transfer) ends their account's
-- grants on that day, and their successor's grants begin on it, without
-- anyone having to come back on the day to revoke and grant.
ALTER TABLE user_roles ADD COLUMN starts_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE user_roles ADD COLUMN ends_at INTEGER NOT NULL DEFAULT 0;

-- The ranks cadres are sorted by, with the hours of training a year each
-- must reach; the department edits the list.
CREATE TABLE cadre_ranks (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    hours      INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
INSERT INTO cadre_ranks (code, name, hours, position, updated_at) VALUES
    ('county', '县处级', 110, 1, 0),
    ('township', '乡科级', 90, 2, 0),
    ('staff', '一般干部', 90, 3, 0),
    ('village', '村两委', 48, 4, 0);

-- A cadre holds a post in a unit (unit_id) or directly in a region (a
-- village's 两委). region_code is the region the post sits in, the unit's
-- for a unit post: it decides who sees the cadre. left_on is '' while in
-- post; successor_id names who took the post over when it was handed on.
CREATE TABLE cadres (
    id           INTEGER PRIMARY KEY,
    region_code  TEXT NOT NULL REFERENCES regions(code),
    unit_id      INTEGER REFERENCES org_units(id),
    name         TEXT NOT NULL,
    gender       TEXT NOT NULL DEFAULT '',
    id_enc       BLOB,
    id_hash      TEXT,
    id_masked    TEXT NOT NULL DEFAULT '',
    phone_enc    BLOB,
    phone_masked TEXT NOT NULL DEFAULT '',
    post         TEXT NOT NULL,
    rank_code    TEXT NOT NULL REFERENCES cadre_ranks(code),
    sector       TEXT NOT NULL DEFAULT '',
    appointed    TEXT NOT NULL,
    left_on      TEXT NOT NULL DEFAULT '',
    leave_reason TEXT NOT NULL DEFAULT '',
    successor_id INTEGER REFERENCES cadres(id),
    user_id      INTEGER REFERENCES users(id),
    resident_id  INTEGER REFERENCES residents(id),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX cadres_region ON cadres(region_code, name);
CREATE INDEX cadres_unit ON cadres(unit_id, name);
CREATE INDEX cadres_rank ON cadres(rank_code, region_code);
-- One person is one cadre: their ID number, and their account, name one.
CREATE UNIQUE INDEX cadres_id_hash ON cadres(id_hash) WHERE id_hash IS NOT NULL;
CREATE UNIQUE INDEX cadres_user ON cadres(user_id) WHERE user_id IS NOT NULL;
