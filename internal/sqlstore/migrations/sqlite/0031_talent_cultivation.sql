-- What follows selection (晓景计划): a selected person is first a
-- cultivation target (培育对象) and becomes a recognised leader (带头人)
-- when the cultivation is judged complete; every judgement is kept with
-- its day and reason. Each target has a cultivation plan (trainings,
-- mentoring, the incubation centre's cohort) and a policy-support ledger
-- (subsidies, loans, land, venues), and a recognised leader may agree to
-- a public showcase with product photos, sales channels and fairs.
ALTER TABLE talent_leaders ADD COLUMN stage TEXT NOT NULL DEFAULT 'target';
ALTER TABLE talent_leaders ADD COLUMN stage_day TEXT NOT NULL DEFAULT '';

CREATE TABLE talent_recognitions (
    id          INTEGER PRIMARY KEY,
    leader_id   INTEGER NOT NULL REFERENCES talent_leaders(id),
    decision    TEXT NOT NULL,
    day         TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    actor_id    INTEGER NOT NULL,
    actor_name  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX talent_recognitions_leader ON talent_recognitions(leader_id, id);

CREATE TABLE talent_cultivation (
    id           INTEGER PRIMARY KEY,
    leader_id    INTEGER NOT NULL REFERENCES talent_leaders(id),
    village_code TEXT NOT NULL,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    provider     TEXT NOT NULL DEFAULT '',
    day          TEXT NOT NULL,
    hours        INTEGER NOT NULL DEFAULT 0,
    note         TEXT NOT NULL DEFAULT '',
    actor_id     INTEGER NOT NULL,
    actor_name   TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX talent_cultivation_leader ON talent_cultivation(leader_id, id);

-- The support ledger is append-only: a wrong entry is corrected by a
-- negative one that names it, so the sums stay traceable.
CREATE TABLE talent_support (
    id           INTEGER PRIMARY KEY,
    leader_id    INTEGER NOT NULL REFERENCES talent_leaders(id),
    village_code TEXT NOT NULL,
    tier         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    amount       INTEGER NOT NULL,
    source       TEXT NOT NULL,
    day          TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    actor_id     INTEGER NOT NULL,
    actor_name   TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX talent_support_leader ON talent_support(leader_id, id);
CREATE INDEX talent_support_village ON talent_support(village_code, tier, kind);

CREATE TABLE talent_showcase (
    leader_id     INTEGER PRIMARY KEY REFERENCES talent_leaders(id),
    published     INTEGER NOT NULL DEFAULT 0,
    consent_day   TEXT NOT NULL DEFAULT '',
    live_channels TEXT NOT NULL DEFAULT '',
    cities        TEXT NOT NULL DEFAULT '',
    fairs         TEXT NOT NULL DEFAULT '',
    people        INTEGER NOT NULL DEFAULT 0,
    actor_name    TEXT NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- Product photos of the showcase, re-encoded without EXIF; only those the
-- leader agreed to publish are ever stored here.
CREATE TABLE talent_showcase_photos (
    id           INTEGER PRIMARY KEY,
    leader_id    INTEGER NOT NULL REFERENCES talent_leaders(id),
    caption      TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    actor_name   TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX talent_showcase_photos_leader ON talent_showcase_photos(leader_id, id);
