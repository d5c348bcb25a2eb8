-- The Moral Bank ledger. Entries are never updated or deleted; each
-- village's entries are numbered and hash-chained through ledger_heads,
-- whose row is updated in every posting's transaction, which also orders
-- concurrent postings of one village on PostgreSQL.
CREATE TABLE accounts (
    household_id INTEGER PRIMARY KEY REFERENCES households(id),
    village_code TEXT NOT NULL,
    balance      INTEGER NOT NULL DEFAULT 0 CHECK (balance >= 0),
    updated_at   INTEGER NOT NULL
);
CREATE TABLE ledger_heads (
    village_code TEXT PRIMARY KEY,
    last_seq     INTEGER NOT NULL,
    last_hash    TEXT NOT NULL
);
CREATE TABLE ledger_entries (
    id           INTEGER PRIMARY KEY,
    village_code TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    household_id INTEGER NOT NULL REFERENCES households(id),
    kind         TEXT NOT NULL,
    delta        INTEGER NOT NULL,
    balance      INTEGER NOT NULL,
    item         TEXT NOT NULL DEFAULT '',
    memo         TEXT NOT NULL DEFAULT '',
    reverses     INTEGER UNIQUE,
    idem_key     TEXT NOT NULL UNIQUE,
    fingerprint  TEXT NOT NULL,
    actor_id     INTEGER NOT NULL,
    actor_name   TEXT NOT NULL,
    at           INTEGER NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL,
    UNIQUE (village_code, seq)
);
CREATE INDEX ledger_entries_household ON ledger_entries(household_id, seq);
