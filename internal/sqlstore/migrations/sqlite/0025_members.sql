-- The membership half of the organisation register: the columns of the
-- national party-member system's roster (全国党员管理信息系统 stays the
-- master; its 党员花名册 export is imported and changes are exported in
-- its shape), the unit a member works in (for 两个覆盖), members working
-- away with their temporary branch (流动党员) and the 党建指导员 assigned
-- to 两新 units. Nothing here is ever deleted: a return ends a flow, a
-- leaving date ends an instructor.
ALTER TABLE org_members ADD COLUMN ethnicity TEXT NOT NULL DEFAULT '';
ALTER TABLE org_members ADD COLUMN birth_date TEXT NOT NULL DEFAULT '';
ALTER TABLE org_members ADD COLUMN education TEXT NOT NULL DEFAULT '';
ALTER TABLE org_members ADD COLUMN job TEXT NOT NULL DEFAULT '';
ALTER TABLE org_members ADD COLUMN residence TEXT NOT NULL DEFAULT '';
ALTER TABLE org_members ADD COLUMN work_unit_id INTEGER REFERENCES org_units(id);
-- The keyed hash of the roster row last imported: a row sent again
-- unchanged writes nothing, so "changes since" lists only real changes.
ALTER TABLE org_members ADD COLUMN roster_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX org_members_unit ON org_members(work_unit_id) WHERE work_unit_id IS NOT NULL;
CREATE INDEX org_members_updated ON org_members(updated_at);
CREATE INDEX org_transfers_sent ON org_transfers(sent);

-- A 流动党员's stay away: the temporary branch is one of the register
-- (temp_org_id) or, outside it, only named (temp_name). to_date is ''
-- while away; at most one stay is open per member.
CREATE TABLE org_flows (
    id          INTEGER PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES org_members(id),
    temp_org_id INTEGER REFERENCES org_orgs(id),
    temp_name   TEXT NOT NULL,
    place       TEXT NOT NULL,
    from_date   TEXT NOT NULL,
    to_date     TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX org_flows_member ON org_flows(member_id, id);
CREATE INDEX org_flows_temp ON org_flows(temp_org_id) WHERE temp_org_id IS NOT NULL;
CREATE UNIQUE INDEX org_flows_open ON org_flows(member_id) WHERE to_date = '';

-- 党建指导员 assigned to a unit over a span; to_date is '' while assigned.
CREATE TABLE org_instructors (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES org_units(id),
    name       TEXT NOT NULL,
    from_date  TEXT NOT NULL,
    to_date    TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX org_instructors_unit ON org_instructors(unit_id, to_date);
