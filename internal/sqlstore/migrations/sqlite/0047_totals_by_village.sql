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

-- A household that changed village before this migration kept each
-- total in the village of the period's first award, so this year's
-- totals could stand in a village it has left, and the next award would
-- open a second row in its own. As moveTotals does for a move from now
-- on, the year in progress (the latest year with totals) follows the
-- household: its rows there that stand outside its village move into it
-- (no row can be waiting there, the old key had no village) and both
-- villages' totals are adjusted. Earlier years stay where they were.
-- A moved household is found by its year's total of all aspects, one
-- row per household.
CREATE TEMP TABLE totals_year AS SELECT MAX(period) AS y FROM points_totals WHERE period < 10000;
CREATE TEMP TABLE totals_moved_households AS
    SELECT t.household_id AS id, CAST(h.village_code AS INTEGER) AS code
    FROM points_totals t JOIN totals_villages o ON o.id = t.village JOIN households h ON h.id = t.household_id
    WHERE t.period = (SELECT y FROM totals_year) AND t.aspect = 0 AND CAST(h.village_code AS INTEGER) <> o.code;
INSERT INTO totals_villages (code) SELECT DISTINCT code FROM totals_moved_households WHERE code NOT IN (SELECT code FROM totals_villages) ORDER BY 1;
CREATE TEMP TABLE totals_moved AS
    SELECT t.period, t.aspect, t.village AS old, n.id AS new, t.household_id, t.points, t.awards
    FROM totals_moved_households m JOIN totals_villages n ON n.code = m.code
    JOIN points_totals t ON t.household_id = m.id AND t.village <> n.id
    WHERE t.period = (SELECT y FROM totals_year) OR t.period / 100 = (SELECT y FROM totals_year);
DELETE FROM points_totals WHERE (period, aspect, village, household_id) IN (SELECT period, aspect, old, household_id FROM totals_moved);
INSERT INTO points_totals (period, aspect, village, household_id, points, awards)
    SELECT period, aspect, new, household_id, points, awards FROM totals_moved ORDER BY 1, 2, 3, 4;
INSERT INTO village_totals (period, aspect, village, points, households)
    SELECT m.period, m.aspect, o.code, -SUM(m.points), -SUM(CASE WHEN m.awards > 0 THEN 1 ELSE 0 END)
    FROM totals_moved m JOIN totals_villages o ON o.id = m.old GROUP BY 1, 2, 3
    ON CONFLICT (period, aspect, village) DO UPDATE SET points = village_totals.points + excluded.points, households = village_totals.households + excluded.households;
INSERT INTO village_totals (period, aspect, village, points, households)
    SELECT m.period, m.aspect, n.code, SUM(m.points), SUM(CASE WHEN m.awards > 0 THEN 1 ELSE 0 END)
    FROM totals_moved m JOIN totals_villages n ON n.id = m.new GROUP BY 1, 2, 3
    ON CONFLICT (period, aspect, village) DO UPDATE SET points = village_totals.points + excluded.points, households = village_totals.households + excluded.households;
DROP TABLE totals_moved;
DROP TABLE totals_moved_households;
DROP TABLE totals_year;
