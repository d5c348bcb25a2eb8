-- The organisation department's register (组织底账): units, the tree of
-- party organisations with their posts and history, party members with
-- their transfers between branches, and the grids villages are divided
-- into. Nothing here is ever deleted: a dissolved organisation, a post
-- left and a transfer received stay as history.
CREATE TABLE org_units (
    id             INTEGER PRIMARY KEY,
    region_code    TEXT NOT NULL REFERENCES regions(code),
    name           TEXT NOT NULL,
    credit_code    TEXT NOT NULL DEFAULT '',
    type           TEXT NOT NULL,
    two_new        INTEGER NOT NULL DEFAULT 0,
    new_employment INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX org_units_region ON org_units(region_code, name);
-- A credit code names one body across the league.
CREATE UNIQUE INDEX org_units_credit ON org_units(credit_code) WHERE credit_code <> '';

-- home_code decides who sees an organisation: the region it is attached
-- to (region_code), else its parent's home.
CREATE TABLE org_orgs (
    id          INTEGER PRIMARY KEY,
    parent_id   INTEGER REFERENCES org_orgs(id),
    home_code   TEXT NOT NULL REFERENCES regions(code),
    region_code TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    founded     TEXT NOT NULL DEFAULT '',
    brand       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    dissolved   TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX org_orgs_home ON org_orgs(home_code, kind, name);
CREATE INDEX org_orgs_parent ON org_orgs(parent_id);

CREATE TABLE org_org_units (
    org_id  INTEGER NOT NULL REFERENCES org_orgs(id),
    unit_id INTEGER NOT NULL REFERENCES org_units(id),
    PRIMARY KEY (org_id, unit_id)
);
CREATE INDEX org_org_units_unit ON org_org_units(unit_id);

-- Post holders over time; to_date is '' while in post.
CREATE TABLE org_posts (
    id        INTEGER PRIMARY KEY,
    org_id    INTEGER NOT NULL REFERENCES org_orgs(id),
    post      TEXT NOT NULL,
    name      TEXT NOT NULL,
    member_id INTEGER NOT NULL DEFAULT 0,
    from_date TEXT NOT NULL,
    to_date   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX org_posts_org ON org_posts(org_id, post, from_date);

CREATE TABLE org_events (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES org_orgs(id),
    kind       TEXT NOT NULL,
    date       TEXT NOT NULL,
    detail     TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX org_events_org ON org_events(org_id, id);

-- A member belongs to exactly one organisation (branch_id) at a time; the
-- keyed hash of the ID number and the resident link each name one member.
CREATE TABLE org_members (
    id           INTEGER PRIMARY KEY,
    branch_id    INTEGER NOT NULL REFERENCES org_orgs(id),
    resident_id  INTEGER REFERENCES residents(id),
    name         TEXT NOT NULL,
    gender       TEXT NOT NULL DEFAULT '',
    id_enc       BLOB,
    id_hash      TEXT,
    id_masked    TEXT NOT NULL DEFAULT '',
    phone_enc    BLOB,
    phone_masked TEXT NOT NULL DEFAULT '',
    applied      TEXT NOT NULL DEFAULT '',
    probation    TEXT NOT NULL,
    full_date    TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX org_members_branch ON org_members(branch_id, name);
CREATE UNIQUE INDEX org_members_id_hash ON org_members(id_hash) WHERE id_hash IS NOT NULL;
CREATE UNIQUE INDEX org_members_resident ON org_members(resident_id) WHERE resident_id IS NOT NULL;

-- At most one transfer of a member is open (not received) at a time.
CREATE TABLE org_transfers (
    id        INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES org_members(id),
    from_id   INTEGER NOT NULL REFERENCES org_orgs(id),
    to_id     INTEGER NOT NULL REFERENCES org_orgs(id),
    status    TEXT NOT NULL,
    sent      TEXT NOT NULL,
    received  TEXT NOT NULL DEFAULT '',
    open      INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX org_transfers_member ON org_transfers(member_id, id);
CREATE INDEX org_transfers_to ON org_transfers(to_id, status);
CREATE UNIQUE INDEX org_transfers_open ON org_transfers(member_id) WHERE open IS NOT NULL;

CREATE TABLE grids (
    id           INTEGER PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES regions(code),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (village_code, name)
);

-- The primary key is the rule: a household is in at most one grid.
CREATE TABLE grid_households (
    household_id INTEGER PRIMARY KEY REFERENCES households(id),
    grid_id      INTEGER NOT NULL REFERENCES grids(id),
    assigned_at  INTEGER NOT NULL
);
CREATE INDEX grid_households_grid ON grid_households(grid_id);
