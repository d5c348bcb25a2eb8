-- Regions, households, residents and their histories. Timestamps are Unix
-- milliseconds on both engines; dates are 'YYYY-MM-DD' text.
CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    parent_code TEXT REFERENCES regions(code),
    name        TEXT NOT NULL,
    level       INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'active',
    merged_into TEXT REFERENCES regions(code),
    updated_at  INTEGER NOT NULL
);
CREATE INDEX regions_parent ON regions(parent_code, code);
CREATE INDEX regions_name ON regions(name);

CREATE TABLE region_events (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL REFERENCES regions(code),
    kind       TEXT NOT NULL,
    old_name   TEXT NOT NULL DEFAULT '',
    new_name   TEXT NOT NULL DEFAULT '',
    other_code TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    actor_id   INTEGER NOT NULL,
    actor_name TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX region_events_code ON region_events(code, id);

CREATE TABLE households (
    id           INTEGER PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES regions(code),
    number       TEXT NOT NULL,
    address      TEXT NOT NULL DEFAULT '',
    head_id      INTEGER,
    status       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (village_code, number)
);

CREATE TABLE residents (
    id            INTEGER PRIMARY KEY,
    household_id  INTEGER NOT NULL REFERENCES households(id),
    village_code  TEXT NOT NULL,
    name          TEXT NOT NULL,
    name_mongol   TEXT NOT NULL DEFAULT '',
    name_sort     TEXT NOT NULL,
    name_initials TEXT NOT NULL,
    name_pinyin   TEXT NOT NULL,
    gender        TEXT NOT NULL,
    ethnicity     TEXT NOT NULL,
    birth_date    TEXT NOT NULL,
    id_enc        BLOB,
    id_hash       TEXT,
    id_masked     TEXT NOT NULL DEFAULT '',
    phone_enc     BLOB,
    phone_hash    TEXT,
    phone_masked  TEXT NOT NULL DEFAULT '',
    relation      TEXT NOT NULL,
    political     TEXT NOT NULL,
    status        TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX residents_id_hash ON residents(id_hash) WHERE status = '在册' AND id_hash IS NOT NULL;
CREATE INDEX residents_household ON residents(household_id);
CREATE INDEX residents_village_sort ON residents(village_code, name_sort);
CREATE INDEX residents_initials ON residents(name_initials);
CREATE INDEX residents_pinyin ON residents(name_pinyin);
CREATE INDEX residents_phone_hash ON residents(phone_hash);

CREATE TABLE household_events (
    id            INTEGER PRIMARY KEY,
    household_id  INTEGER NOT NULL REFERENCES households(id),
    resident_id   INTEGER NOT NULL DEFAULT 0,
    resident_name TEXT NOT NULL DEFAULT '',
    kind          TEXT NOT NULL,
    other_id      INTEGER NOT NULL DEFAULT 0,
    detail        TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    actor_id      INTEGER NOT NULL,
    actor_name    TEXT NOT NULL,
    at            INTEGER NOT NULL
);
CREATE INDEX household_events_household ON household_events(household_id, id);

-- The audit trail: append-only, each row hashing the one before it. The
-- head row is updated in the same transaction as every insert, which
-- serialises writers on PostgreSQL as the single writer does on SQLite.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_id    INTEGER NOT NULL,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    region_code TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_id   INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, '');

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    must_change   INTEGER NOT NULL DEFAULT 1,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE TABLE user_roles (
    user_id     INTEGER NOT NULL REFERENCES users(id),
    role        TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions(code),
    PRIMARY KEY (user_id, role, region_code)
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
