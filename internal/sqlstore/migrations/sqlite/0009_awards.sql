-- Recorded awards and deductions; each reaches the ledger when its review
-- ends approved. The scheme versions in force on its date are kept with it.
CREATE TABLE awards (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id),
    village_code TEXT NOT NULL,
    item_code    TEXT NOT NULL,
    item_name    TEXT NOT NULL,
    points       INTEGER NOT NULL,
    channel      TEXT NOT NULL,
    proxy_for    TEXT NOT NULL DEFAULT '',
    evidence     TEXT NOT NULL DEFAULT '',
    witness      TEXT NOT NULL DEFAULT '',
    photo        INTEGER NOT NULL DEFAULT 0,
    scheme_versions TEXT NOT NULL,
    period       TEXT NOT NULL,
    award_date   TEXT NOT NULL,
    status       TEXT NOT NULL,
    review_id    INTEGER NOT NULL DEFAULT 0,
    entry_id     INTEGER NOT NULL DEFAULT 0,
    idem_key     TEXT NOT NULL UNIQUE,
    fingerprint  TEXT NOT NULL,
    actor_id     INTEGER NOT NULL,
    actor_name   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX awards_household ON awards(household_id, item_code, period);
CREATE INDEX awards_village ON awards(village_code, id);
