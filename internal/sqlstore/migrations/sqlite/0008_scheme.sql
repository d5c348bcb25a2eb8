-- The Moral Bank's scoring schemes (积分评价体系). One row of schemes is
-- one version of a region's scheme, with its own aspect and item rows; a
-- version's rows are never changed after they are written, except that
-- publishing the next version sets the previous one's effective_to.
-- Effective dates are calendar days, 'YYYY-MM-DD', which sort as text;
-- '' in effective_to means open-ended.
CREATE TABLE schemes (
    id                INTEGER PRIMARY KEY,
    region_code       TEXT NOT NULL,
    version           INTEGER NOT NULL,
    name              TEXT NOT NULL,
    inherits          INTEGER NOT NULL,
    source            TEXT NOT NULL,
    effective_from    TEXT NOT NULL,
    effective_to      TEXT NOT NULL DEFAULT '',
    base_score        INTEGER NOT NULL,
    base_period       TEXT NOT NULL,
    carry_over        TEXT NOT NULL,
    allow_local_items INTEGER NOT NULL,
    allow_override    INTEGER NOT NULL,
    actor_id          INTEGER NOT NULL,
    actor_name        TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    UNIQUE (region_code, version)
);
CREATE TABLE scheme_aspects (
    scheme_id INTEGER NOT NULL REFERENCES schemes(id),
    code      TEXT NOT NULL,
    name      TEXT NOT NULL,
    ord       INTEGER NOT NULL,
    PRIMARY KEY (scheme_id, code)
);
CREATE TABLE scheme_items (
    scheme_id        INTEGER NOT NULL REFERENCES schemes(id),
    code             TEXT NOT NULL,
    ord              INTEGER NOT NULL,
    aspect_code      TEXT NOT NULL,
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    points           INTEGER NOT NULL,
    unit             TEXT NOT NULL,
    cap              INTEGER NOT NULL DEFAULT 0,
    cap_period       TEXT NOT NULL DEFAULT '',
    roles            TEXT NOT NULL,
    evidence_photo   INTEGER NOT NULL DEFAULT 0,
    evidence_text    INTEGER NOT NULL DEFAULT 0,
    evidence_witness INTEGER NOT NULL DEFAULT 0,
    effective_from   TEXT NOT NULL DEFAULT '',
    effective_to     TEXT NOT NULL DEFAULT '',
    overridable      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scheme_id, code)
);
