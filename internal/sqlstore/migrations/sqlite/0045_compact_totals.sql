-- The compact ranking totals (issue 18 item 3). points_totals took 139
-- bytes a row in four b-trees on the small set, more than the compact
-- ledger: a rowid table, its primary key stored again as an index, and two
-- ranking indexes, each repeating the period, aspect and village code as
-- text. Now:
--
-- * the table is WITHOUT ROWID: its primary key (period, aspect,
--   household_id) is the row, stored once;
-- * the period is an integer, yyyy for a year and yyyymm for a month
--   (periodNum and periodText in ledger_ids.go convert it);
-- * the aspect is an id into ranking_aspects, 0 for '' (all aspects
--   together), which SQLite stores, like id 1, in no bytes at all;
-- * the village is its region code as an integer, as in the ledger
--   (villageNum), 6 bytes for 12 digits;
-- * the two indexes the rankings read stay, with the same columns: the
--   village index (a village's page in points order, a township's range,
--   a standing's count, an honour board's months) and the top index (a
--   banner's or the league's page in points order).
--
-- village_totals is converted the same way. Every figure is copied as it
-- was; only its keys change form.
CREATE TABLE ranking_aspects (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
INSERT INTO ranking_aspects (id, name) VALUES (0, '');
INSERT INTO ranking_aspects (name)
    SELECT aspect FROM points_totals WHERE aspect <> '' UNION SELECT aspect FROM village_totals WHERE aspect <> '' ORDER BY 1;

CREATE TABLE points_totals_0045 (
    period       INTEGER NOT NULL,
    aspect       INTEGER NOT NULL,
    household_id INTEGER NOT NULL REFERENCES households(id),
    village      INTEGER NOT NULL,
    points       INTEGER NOT NULL,
    awards       INTEGER NOT NULL,
    PRIMARY KEY (period, aspect, household_id)
) WITHOUT ROWID;
INSERT INTO points_totals_0045 (period, aspect, household_id, village, points, awards)
    SELECT CAST(replace(t.period, '-', '') AS INTEGER), a.id, t.household_id, CAST(t.village_code AS INTEGER), t.points, t.awards
    FROM points_totals t JOIN ranking_aspects a ON a.name = t.aspect
    ORDER BY 1, 2, 3;
DROP TABLE points_totals;
ALTER TABLE points_totals_0045 RENAME TO points_totals;
CREATE INDEX points_totals_village ON points_totals(period, aspect, village, points DESC, household_id, awards);
CREATE INDEX points_totals_top ON points_totals(period, aspect, points DESC, household_id);

CREATE TABLE village_totals_0045 (
    period     INTEGER NOT NULL,
    aspect     INTEGER NOT NULL,
    village    INTEGER NOT NULL,
    points     INTEGER NOT NULL,
    households INTEGER NOT NULL,
    PRIMARY KEY (period, aspect, village)
) WITHOUT ROWID;
INSERT INTO village_totals_0045 (period, aspect, village, points, households)
    SELECT CAST(replace(t.period, '-', '') AS INTEGER), a.id, CAST(t.village_code AS INTEGER), t.points, t.households
    FROM village_totals t JOIN ranking_aspects a ON a.name = t.aspect
    ORDER BY 1, 2, 3;
DROP TABLE village_totals;
ALTER TABLE village_totals_0045 RENAME TO village_totals;
