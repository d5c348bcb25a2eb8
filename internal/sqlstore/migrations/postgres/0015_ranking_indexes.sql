-- League- and banner-wide household rankings walk the totals of a period
-- in points order and stop at the page's end, instead of sorting every
-- household of the league; village rankings count registered households
-- from an index instead of reading each household's row.
CREATE INDEX IF NOT EXISTS points_totals_top ON points_totals(period, aspect, points DESC, household_id);
CREATE INDEX IF NOT EXISTS households_village_status ON households(village_code, status);
