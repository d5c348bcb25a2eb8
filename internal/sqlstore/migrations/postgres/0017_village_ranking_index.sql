-- A village's ranking reads its totals from an index in points order that
-- also carries the household and its award count: the first page is the
-- index's first fifty entries, without a sort or a visit to each row. It
-- serves a township's range and a villager's standing as the index it
-- replaces did.
CREATE INDEX IF NOT EXISTS points_totals_village ON points_totals(period, aspect, village_code, points DESC, household_id, awards);
DROP INDEX IF EXISTS points_totals_rank;
