-- Grids get their own staff and the 全网通 linkage net: 党小组组长 →
-- 党员中心户 → 党员 → 居民 households, and the contact logs whose issues
-- travel up that chain.

-- A grid leader's or grid worker's grant is held at the grid's village
-- for that grid only; 0 for every region-wide grant.
ALTER TABLE user_roles ADD COLUMN grid_id INTEGER NOT NULL DEFAULT 0;

-- A grid's net: its party-group leader (a party member placed in it) and
-- how many households one party member may link before coverage flags
-- them as linking too many.
CREATE TABLE grid_nets (
    grid_id          INTEGER PRIMARY KEY REFERENCES grids(id),
    leader_member_id INTEGER REFERENCES org_members(id),
    max_links        INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

-- A party member is placed in at most one grid's net. central marks a
-- 党员中心户; central_id is the central household a member is linked to.
CREATE TABLE grid_net_members (
    member_id  INTEGER PRIMARY KEY REFERENCES org_members(id),
    grid_id    INTEGER NOT NULL REFERENCES grids(id),
    central    INTEGER NOT NULL DEFAULT 0,
    central_id INTEGER REFERENCES org_members(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX grid_net_members_grid ON grid_net_members(grid_id, central_id);

-- The primary key is the rule: a household is linked to one party member.
CREATE TABLE grid_links (
    household_id INTEGER PRIMARY KEY REFERENCES households(id),
    grid_id      INTEGER NOT NULL REFERENCES grids(id),
    member_id    INTEGER NOT NULL REFERENCES org_members(id),
    linked_at    INTEGER NOT NULL
);
CREATE INDEX grid_links_grid ON grid_links(grid_id, member_id);
CREATE INDEX grid_links_member ON grid_links(member_id);

-- A contact with a household (联系记录). An issue raised sits at a level
-- of the chain (member, central, leader, branch) until it is closed.
CREATE TABLE grid_contacts (
    id           INTEGER PRIMARY KEY,
    grid_id      INTEGER NOT NULL REFERENCES grids(id),
    village_code TEXT NOT NULL REFERENCES regions(code),
    household_id INTEGER NOT NULL REFERENCES households(id),
    member_id    INTEGER REFERENCES org_members(id),
    kind         TEXT NOT NULL,
    date         TEXT NOT NULL,
    summary      TEXT NOT NULL,
    issue        TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    level        TEXT NOT NULL,
    due          TEXT NOT NULL DEFAULT '',
    closed_note  TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX grid_contacts_grid ON grid_contacts(grid_id, status, id);
CREATE INDEX grid_contacts_village ON grid_contacts(village_code, level, status);
CREATE INDEX grid_contacts_household ON grid_contacts(household_id, id);

CREATE TABLE grid_contact_steps (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES grid_contacts(id),
    action     TEXT NOT NULL,
    level      TEXT NOT NULL,
    note       TEXT NOT NULL,
    due        TEXT NOT NULL DEFAULT '',
    actor_name TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX grid_contact_steps_contact ON grid_contact_steps(contact_id, id);
