-- Ranking totals keyed by village (issue 18 item 3). points_totals
-- (migration 0045) kept its rows by (period, aspect, household_id) and
-- repeated them twice more in a village index and a top index. Now:
--
-- * the village is part of the primary key, (period, aspect, village,
--   household_id): a village's page is an equality range of the table
--   itself, a few hundred rows sorted by points, and a township's a
--   handful of such ranges, so the village index goes;
-- * the village is a small ordinal from totals_villages, one or two
--   bytes instead of a twelve-digit code's six. Ordinals are given on
--   first use, so they follow codes only for the villages converted
--   here: no query may read a range of them, only a list;
-- * the top index (the banners' and the league's pages in points order)
--   is partial: years of every aspect and months of all aspects
--   together. A month of one aspect, half the rows, is read from its
--   (period, aspect) range of the table and sorted.
--
-- A total now counts in the village it is keyed by; every row is copied
-- with the village it had, and village_totals is unchanged.
CREATE TABLE totals_villages (
    id   INTEGER PRIMARY KEY,
    code INTEGER NOT NULL UNIQUE
);
INSERT INTO totals_villages (code) SELECT DISTINCT village FROM points_totals ORDER BY 1;

CREATE TABLE points_totals_0047 (
    period       INTEGER NOT NULL,
    aspect       INTEGER NOT NULL,
    village      INTEGER NOT NULL,
    household_id INTEGER NOT NULL REFERENCES households(id),
    points       INTEGER NOT NULL,
    awards       INTEGER NOT NULL,
    PRIMARY KEY (period, aspect, village, household_id)
) WITHOUT ROWID;
INSERT INTO points_totals_0047 (period, aspect, village, household_id, points, awards)
    SELECT t.period, t.aspect, v.id, t.household_id, t.points, t.awards
    FROM points_totals t JOIN totals_villages v ON v.code = t.village
    ORDER BY 1, 2, 3, 4;
DROP TABLE points_totals;
ALTER TABLE points_totals_0047 RENAME TO points_totals;
CREATE INDEX points_totals_top ON points_totals(period, aspect, points DESC, household_id) WHERE aspect = 0 OR period < 10000;
