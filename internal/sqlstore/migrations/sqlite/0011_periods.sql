-- Sealed years of each village's ledger.
CREATE TABLE ledger_closes (
    village_code TEXT NOT NULL,
    year         INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    hash         TEXT NOT NULL,
    expired      INTEGER NOT NULL,
    actor_name   TEXT NOT NULL,
    closed_at    INTEGER NOT NULL,
    PRIMARY KEY (village_code, year)
);
