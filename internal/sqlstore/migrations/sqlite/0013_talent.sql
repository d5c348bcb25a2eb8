-- The rural-leader programme (晓景计划): rounds with their criteria and
-- goal, quotas per region, applications with every submission kept,
-- reviewers' scores, each level's order and decision, leaders with their
-- tier records, and the three lists of measures with their logs. Quotas,
-- orders, decisions, tiers and logs are append-only: the newest row is the
-- one in force and nothing earlier is overwritten.
CREATE TABLE talent_rounds (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL,
    name        TEXT NOT NULL,
    start_year  INTEGER NOT NULL,
    years       INTEGER NOT NULL,
    trajectory  TEXT NOT NULL,
    opens       TEXT NOT NULL,
    closes      TEXT NOT NULL,
    criteria    TEXT NOT NULL,
    actor_id    INTEGER NOT NULL,
    actor_name  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX talent_rounds_region ON talent_rounds(region_code);

CREATE TABLE talent_quotas (
    id          INTEGER PRIMARY KEY,
    round_id    INTEGER NOT NULL REFERENCES talent_rounds(id),
    region_code TEXT NOT NULL,
    kind        TEXT NOT NULL,
    n           INTEGER NOT NULL CHECK (n >= 0),
    actor_name  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX talent_quotas_round ON talent_quotas(round_id, region_code, kind, id);

CREATE TABLE talent_candidates (
    id           INTEGER PRIMARY KEY,
    round_id     INTEGER NOT NULL REFERENCES talent_rounds(id),
    village_code TEXT NOT NULL,
    channel      TEXT NOT NULL DEFAULT '',
    resident_id  INTEGER NOT NULL DEFAULT 0,
    name         TEXT NOT NULL,
    gender       TEXT NOT NULL DEFAULT '',
    birth_date   TEXT NOT NULL DEFAULT '',
    ethnicity    TEXT NOT NULL DEFAULT '',
    political    TEXT NOT NULL DEFAULT '',
    education    TEXT NOT NULL DEFAULT '',
    id_enc       BLOB,
    id_hash      TEXT,
    id_masked    TEXT NOT NULL DEFAULT '',
    phone_enc    BLOB,
    phone_masked TEXT NOT NULL DEFAULT '',
    entity_type  TEXT NOT NULL DEFAULT '',
    entity_name  TEXT NOT NULL DEFAULT '',
    credit_code  TEXT NOT NULL DEFAULT '',
    industry     TEXT NOT NULL DEFAULT '',
    revenue      INTEGER NOT NULL DEFAULT 0,
    employees    INTEGER NOT NULL DEFAULT 0,
    households   INTEGER NOT NULL DEFAULT 0,
    income_rise  INTEGER NOT NULL DEFAULT 0,
    products     TEXT NOT NULL DEFAULT '',
    sales_routes TEXT NOT NULL DEFAULT '',
    honours      TEXT NOT NULL DEFAULT '',
    summary      TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    review_id    INTEGER NOT NULL DEFAULT 0,
    step         INTEGER NOT NULL DEFAULT 0,
    tier         TEXT NOT NULL DEFAULT '',
    submissions  INTEGER NOT NULL DEFAULT 0,
    leader_id    INTEGER NOT NULL DEFAULT 0,
    actor_id     INTEGER NOT NULL,
    actor_name   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX talent_candidates_village ON talent_candidates(village_code, id);
CREATE INDEX talent_candidates_round ON talent_candidates(round_id, status, step);
CREATE INDEX talent_candidates_person ON talent_candidates(id_hash);

-- Every submission's application as sent, so a return and resubmission
-- keep what the reviewers saw before.
CREATE TABLE talent_submissions (
    id           INTEGER PRIMARY KEY,
    candidate_id INTEGER NOT NULL REFERENCES talent_candidates(id),
    n            INTEGER NOT NULL,
    review_id    INTEGER NOT NULL,
    snapshot     TEXT NOT NULL,
    actor_name   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (candidate_id, n)
);

CREATE TABLE talent_scores (
    id            INTEGER PRIMARY KEY,
    candidate_id  INTEGER NOT NULL REFERENCES talent_candidates(id),
    review_id     INTEGER NOT NULL,
    step          INTEGER NOT NULL,
    reviewer_id   INTEGER NOT NULL,
    reviewer_name TEXT NOT NULL,
    points        TEXT NOT NULL,
    total         INTEGER NOT NULL,
    comment       TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    UNIQUE (review_id, step, reviewer_id)
);
CREATE INDEX talent_scores_candidate ON talent_scores(candidate_id, step);

CREATE TABLE talent_positions (
    id           INTEGER PRIMARY KEY,
    candidate_id INTEGER NOT NULL REFERENCES talent_candidates(id),
    review_id    INTEGER NOT NULL,
    step         INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    actor_name   TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX talent_positions_review ON talent_positions(review_id, step, id);

-- Each level's decision, with the deciding region and the mean it decided
-- on: the quota counts and the review form read it.
CREATE TABLE talent_decisions (
    id           INTEGER PRIMARY KEY,
    candidate_id INTEGER NOT NULL REFERENCES talent_candidates(id),
    round_id     INTEGER NOT NULL,
    review_id    INTEGER NOT NULL,
    step         INTEGER NOT NULL,
    region_code  TEXT NOT NULL,
    decision     TEXT NOT NULL,
    tier         TEXT NOT NULL DEFAULT '',
    mean         INTEGER NOT NULL DEFAULT 0,
    reason       TEXT NOT NULL DEFAULT '',
    actor_id     INTEGER NOT NULL,
    actor_name   TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX talent_decisions_round ON talent_decisions(round_id, step, decision, region_code);
CREATE INDEX talent_decisions_candidate ON talent_decisions(candidate_id, id);

CREATE TABLE talent_leaders (
    id           INTEGER PRIMARY KEY,
    person_hash  TEXT UNIQUE,
    candidate_id INTEGER NOT NULL,
    name         TEXT NOT NULL,
    village_code TEXT NOT NULL,
    channel      TEXT NOT NULL,
    tier         TEXT NOT NULL,
    entity_type  TEXT NOT NULL,
    entity_name  TEXT NOT NULL,
    industry     TEXT NOT NULL,
    products     TEXT NOT NULL,
    sales_routes TEXT NOT NULL,
    households   INTEGER NOT NULL,
    honours      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX talent_leaders_village ON talent_leaders(village_code);

CREATE TABLE talent_tiers (
    id           INTEGER PRIMARY KEY,
    leader_id    INTEGER NOT NULL REFERENCES talent_leaders(id),
    round_id     INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL,
    tier         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (candidate_id)
);
CREATE INDEX talent_tiers_leader ON talent_tiers(leader_id, id);

CREATE TABLE talent_measures (
    id           INTEGER PRIMARY KEY,
    leader_id    INTEGER NOT NULL REFERENCES talent_leaders(id),
    village_code TEXT NOT NULL,
    list         TEXT NOT NULL,
    title        TEXT NOT NULL,
    goal         TEXT NOT NULL DEFAULT '',
    owner        TEXT NOT NULL,
    deadline     TEXT NOT NULL,
    partner      TEXT NOT NULL DEFAULT '',
    household_id INTEGER NOT NULL DEFAULT 0,
    status       TEXT NOT NULL,
    logs         INTEGER NOT NULL DEFAULT 0,
    amount       INTEGER NOT NULL DEFAULT 0,
    evidence     TEXT NOT NULL DEFAULT '',
    last_log_at  INTEGER NOT NULL DEFAULT 0,
    actor_name   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX talent_measures_leader ON talent_measures(leader_id, list, id);
CREATE INDEX talent_measures_due ON talent_measures(village_code, status, deadline);

CREATE TABLE talent_measure_logs (
    id          INTEGER PRIMARY KEY,
    measure_id  INTEGER NOT NULL REFERENCES talent_measures(id),
    day         TEXT NOT NULL,
    note        TEXT NOT NULL,
    amount      INTEGER NOT NULL DEFAULT 0,
    evidence    TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT '',
    actor_id    INTEGER NOT NULL,
    actor_name  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX talent_measure_logs_measure ON talent_measure_logs(measure_id, id);
