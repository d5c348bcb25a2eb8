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

-- The 紧缺能力清单: versions of a department's list of scarce
-- competencies, each item for a rank and sector. A draft is edited; a
-- published version is never changed again, a new version replaces it.
CREATE TABLE training_lists (
    id           INTEGER PRIMARY KEY,
    region_code  TEXT NOT NULL REFERENCES regions(code),
    title        TEXT NOT NULL,
    version      INTEGER NOT NULL,
    published_at INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    UNIQUE (region_code, version)
);
CREATE TABLE training_list_items (
    id         INTEGER PRIMARY KEY,
    list_id    INTEGER NOT NULL REFERENCES training_lists(id),
    rank_code  TEXT NOT NULL REFERENCES cadre_ranks(code),
    sector     TEXT NOT NULL DEFAULT '',
    competency TEXT NOT NULL,
    priority   INTEGER NOT NULL,
    UNIQUE (list_id, rank_code, sector, competency)
);

-- The teacher pool and the course catalogue of a department.
CREATE TABLE training_teachers (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions(code),
    name        TEXT NOT NULL,
    internal    INTEGER NOT NULL,
    affiliation TEXT NOT NULL DEFAULT '',
    subjects    TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX training_teachers_region ON training_teachers(region_code, name);
CREATE TABLE training_courses (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions(code),
    title       TEXT NOT NULL,
    competency  TEXT NOT NULL,
    mode        TEXT NOT NULL,
    hours       INTEGER NOT NULL,
    teacher_id  INTEGER REFERENCES training_teachers(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX training_courses_region ON training_courses(region_code, competency);

-- A class of the department; head_user_id is its 班主任's account, who
-- keeps its attendance; escort is its 跟班干部.
CREATE TABLE training_classes (
    id             INTEGER PRIMARY KEY,
    region_code    TEXT NOT NULL REFERENCES regions(code),
    name           TEXT NOT NULL,
    theme          TEXT NOT NULL DEFAULT '',
    target         TEXT NOT NULL DEFAULT '',
    start_on       TEXT NOT NULL,
    end_on         TEXT NOT NULL,
    capacity       INTEGER NOT NULL,
    hours_required INTEGER NOT NULL,
    head_user_id   INTEGER REFERENCES users(id),
    escort         TEXT NOT NULL DEFAULT '',
    list_id        INTEGER REFERENCES training_lists(id),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX training_classes_region ON training_classes(region_code, start_on);
CREATE INDEX training_classes_head ON training_classes(head_user_id);
-- The list items a class addresses: the list's coverage.
CREATE TABLE training_class_items (
    class_id INTEGER NOT NULL REFERENCES training_classes(id),
    item_id  INTEGER NOT NULL REFERENCES training_list_items(id),
    PRIMARY KEY (class_id, item_id)
);
CREATE INDEX training_class_items_item ON training_class_items(item_id);
CREATE TABLE training_sessions (
    id         INTEGER PRIMARY KEY,
    class_id   INTEGER NOT NULL REFERENCES training_classes(id),
    day        TEXT NOT NULL,
    starts     TEXT NOT NULL,
    title      TEXT NOT NULL,
    course_id  INTEGER REFERENCES training_courses(id),
    teacher_id INTEGER REFERENCES training_teachers(id),
    place      TEXT NOT NULL DEFAULT '',
    hours      INTEGER NOT NULL
);
CREATE INDEX training_sessions_class ON training_sessions(class_id, day, starts);

-- A cadre enrolled in a class, by the department's summons (点名调训):
-- once per class.
CREATE TABLE training_enrolments (
    id         INTEGER PRIMARY KEY,
    class_id   INTEGER NOT NULL REFERENCES training_classes(id),
    cadre_id   INTEGER NOT NULL REFERENCES cadres(id),
    source     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (class_id, cadre_id)
);
CREATE INDEX training_enrolments_cadre ON training_enrolments(cadre_id);
