-- Honours (issue 16): the boards a village or township keeps (善举榜,
-- 孝星榜, 好人榜, 最美X人), the honours published on them, the nominations
-- the committee decides through the shared review engine; the mutual-aid
-- fundraising ledgers; the township's privilege catalogue and its grants;
-- and the household head's consent to a credit export with every export.
-- Nothing is deleted: a board is retired, a consent revoked, a campaign
-- closed, and a fundraising entry is never changed once chained.
CREATE TABLE honour_boards (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions(code),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    period_kind TEXT NOT NULL,
    aspect      TEXT NOT NULL DEFAULT '',
    item        TEXT NOT NULL DEFAULT '',
    min_points  INTEGER NOT NULL DEFAULT 0,
    size        INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX honour_boards_name ON honour_boards(region_code, name);

-- One row per board and period published, so a period is published once.
CREATE TABLE honour_periods (
    board_id     INTEGER NOT NULL REFERENCES honour_boards(id),
    period       TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    PRIMARY KEY (board_id, period)
);

CREATE TABLE honour_nominations (
    id             INTEGER PRIMARY KEY,
    board_id       INTEGER NOT NULL REFERENCES honour_boards(id),
    village_code   TEXT NOT NULL REFERENCES regions(code),
    period         TEXT NOT NULL,
    household_id   INTEGER NOT NULL REFERENCES households(id),
    nominee        TEXT NOT NULL,
    deed           TEXT NOT NULL,
    citation       TEXT NOT NULL,
    nominator_kind TEXT NOT NULL,
    nominator      TEXT NOT NULL,
    consent        TEXT NOT NULL,
    consent_date   TEXT NOT NULL,
    status         TEXT NOT NULL,
    review_id      INTEGER NOT NULL DEFAULT 0,
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX honour_nominations_board ON honour_nominations(board_id, period);
CREATE INDEX honour_nominations_village ON honour_nominations(village_code, status);

-- An honour on a household's record: from a computed board's standings
-- when its period is published, or from a nomination the review approved.
CREATE TABLE honours (
    id            INTEGER PRIMARY KEY,
    board_id      INTEGER NOT NULL REFERENCES honour_boards(id),
    period        TEXT NOT NULL,
    household_id  INTEGER NOT NULL REFERENCES households(id),
    village_code  TEXT NOT NULL REFERENCES regions(code),
    person        TEXT NOT NULL,
    place         INTEGER NOT NULL,
    points        INTEGER NOT NULL,
    citation      TEXT NOT NULL,
    nomination_id INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX honours_one ON honours(board_id, period, household_id);
CREATE INDEX honours_household ON honours(household_id);

-- A mutual-aid drive for one household. raised, spent and balance are
-- kept by the entries' conditional updates; verify recomputes them.
CREATE TABLE fund_campaigns (
    id            INTEGER PRIMARY KEY,
    village_code  TEXT NOT NULL REFERENCES regions(code),
    household_id  INTEGER NOT NULL REFERENCES households(id),
    title         TEXT NOT NULL,
    reason        TEXT NOT NULL,
    partner       TEXT NOT NULL DEFAULT '',
    target        INTEGER NOT NULL,
    starts        TEXT NOT NULL,
    ends          TEXT NOT NULL,
    consent       TEXT NOT NULL,
    consent_date  TEXT NOT NULL,
    status        TEXT NOT NULL,
    raised        INTEGER NOT NULL DEFAULT 0,
    spent         INTEGER NOT NULL DEFAULT 0,
    balance       INTEGER NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX fund_campaigns_village ON fund_campaigns(village_code, status);

-- The fundraising ledger, append-only and chained per village like the
-- points ledger: a donation, its confirmation by a second official, a
-- disbursement, a transfer of the rest, the close. ref_id links a
-- confirmation to its donation.
CREATE TABLE fund_entries (
    id           INTEGER PRIMARY KEY,
    village_code TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    campaign_id  INTEGER NOT NULL REFERENCES fund_campaigns(id),
    kind         TEXT NOT NULL,
    ref_id       INTEGER NOT NULL DEFAULT 0,
    party        TEXT NOT NULL DEFAULT '',
    named        INTEGER NOT NULL DEFAULT 0,
    amount       INTEGER NOT NULL,
    method       TEXT NOT NULL DEFAULT '',
    day          TEXT NOT NULL,
    receipt      TEXT NOT NULL DEFAULT '',
    evidence     TEXT NOT NULL DEFAULT '',
    idem_key     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    actor_id     INTEGER NOT NULL,
    actor_name   TEXT NOT NULL,
    at           INTEGER NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL,
    kv           INTEGER NOT NULL
);
CREATE UNIQUE INDEX fund_entries_seq ON fund_entries(village_code, seq);
CREATE UNIQUE INDEX fund_entries_key ON fund_entries(idem_key);
CREATE INDEX fund_entries_campaign ON fund_entries(campaign_id, id);
-- A donation is confirmed once.
CREATE UNIQUE INDEX fund_entries_confirm ON fund_entries(ref_id) WHERE kind = 'confirm';

CREATE TABLE fund_heads (
    village_code TEXT PRIMARY KEY,
    last_seq     INTEGER NOT NULL,
    last_hash    TEXT NOT NULL
);

-- A township's privilege catalogue (积分权益) and what was granted.
CREATE TABLE privileges (
    id            INTEGER PRIMARY KEY,
    township_code TEXT NOT NULL REFERENCES regions(code),
    name          TEXT NOT NULL,
    threshold     INTEGER NOT NULL,
    valid_days    INTEGER NOT NULL,
    yearly_limit  INTEGER NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX privileges_name ON privileges(township_code, name);

CREATE TABLE privilege_grants (
    id           INTEGER PRIMARY KEY,
    privilege_id INTEGER NOT NULL REFERENCES privileges(id),
    household_id INTEGER NOT NULL REFERENCES households(id),
    village_code TEXT NOT NULL,
    year         TEXT NOT NULL,
    expires      TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    actor_name   TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX privilege_grants_household ON privilege_grants(household_id, privilege_id);

-- The household head's consent to export its credit summary (道德积分贷),
-- and every export made under it.
CREATE TABLE credit_consents (
    id             INTEGER PRIMARY KEY,
    household_id   INTEGER NOT NULL REFERENCES households(id),
    village_code   TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    recipient      TEXT NOT NULL,
    retention_days INTEGER NOT NULL,
    method         TEXT NOT NULL,
    reference      TEXT NOT NULL DEFAULT '',
    given_by       TEXT NOT NULL,
    given_at       INTEGER NOT NULL,
    revoked_by     TEXT NOT NULL DEFAULT '',
    revoked_at     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX credit_consents_household ON credit_consents(household_id, revoked_at);

CREATE TABLE credit_exports (
    id           INTEGER PRIMARY KEY,
    consent_id   INTEGER NOT NULL REFERENCES credit_consents(id),
    household_id INTEGER NOT NULL REFERENCES households(id),
    format       TEXT NOT NULL,
    actor_name   TEXT NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX credit_exports_household ON credit_exports(household_id, at);
