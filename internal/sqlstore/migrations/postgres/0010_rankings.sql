-- Maintained totals for rankings: written in the transaction that posts an
-- approved award, so a ranking is an index read, never a scan of entries.
ALTER TABLE awards ADD COLUMN aspect TEXT NOT NULL DEFAULT '';
CREATE TABLE points_totals (
    period       TEXT NOT NULL,
    aspect       TEXT NOT NULL,
    household_id BIGINT NOT NULL REFERENCES households(id),
    village_code TEXT COLLATE "C" NOT NULL,
    points       BIGINT NOT NULL,
    awards       BIGINT NOT NULL,
    PRIMARY KEY (period, aspect, household_id)
);
CREATE INDEX points_totals_rank ON points_totals(period, aspect, village_code, points);
CREATE TABLE village_totals (
    period       TEXT NOT NULL,
    aspect       TEXT NOT NULL,
    village_code TEXT COLLATE "C" NOT NULL,
    points       BIGINT NOT NULL,
    households   BIGINT NOT NULL,
    PRIMARY KEY (period, aspect, village_code)
);
