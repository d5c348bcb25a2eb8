-- Sealed years of each village's ledger.
CREATE TABLE ledger_closes (
    village_code TEXT COLLATE "C" NOT NULL,
    year         BIGINT NOT NULL,
    seq          BIGINT NOT NULL,
    hash         TEXT NOT NULL,
    expired      BIGINT NOT NULL,
    actor_name   TEXT NOT NULL,
    closed_at    BIGINT NOT NULL,
    PRIMARY KEY (village_code, year)
);
