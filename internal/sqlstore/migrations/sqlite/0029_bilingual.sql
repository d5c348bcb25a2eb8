-- Bilingual public outputs (issue 17). A village chooses how its public
-- pages are written: '' follows its kind (a 嘎查 writes Mongolian and
-- Chinese, a 村 Chinese only), 'mn-zh' and 'zh' are a choice made on the
-- region's manage page. name_mongol is the village's own name in
-- traditional script, for the heading of those pages.
ALTER TABLE regions ADD COLUMN public_script TEXT NOT NULL DEFAULT '';
ALTER TABLE regions ADD COLUMN name_mongol TEXT NOT NULL DEFAULT '';

-- A notice names the head of household in the script it was recorded in:
-- the masked Mongolian name beside the masked Chinese one.
ALTER TABLE review_items ADD COLUMN person_mongol TEXT NOT NULL DEFAULT '';

-- The search and de-duplication key of a resident's Mongolian name
-- (mongol.Key: letters only, look-alike letters folded) and its sort key
-- (mongol.SortKey: letters only, compared byte by byte). Rows stored
-- before this migration get the same keys from the chains of REPLACE
-- calls below, which strip the same format characters and fold the same
-- letters as the Go functions; every later write stores them from Go.
ALTER TABLE residents ADD COLUMN name_mongol_key TEXT NOT NULL DEFAULT '';
ALTER TABLE residents ADD COLUMN name_mongol_sort TEXT NOT NULL DEFAULT '';
UPDATE residents SET name_mongol_key = REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(name_mongol, char(6155), ''), char(6156), ''), char(6157), ''), char(6158), ''), char(6159), ''), char(8239), ''), char(8204), ''), char(8205), ''), char(32), ''), char(6179), char(6180)), char(6181), char(6182)), char(6183), char(6177)), char(6194), char(6195)), char(6188), char(6189)),
    name_mongol_sort = REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(name_mongol, char(6155), ''), char(6156), ''), char(6157), ''), char(6158), ''), char(6159), ''), char(8239), ''), char(8204), ''), char(8205), ''), char(32), '') WHERE name_mongol <> '';
CREATE INDEX residents_name_mongol_key ON residents(name_mongol_key) WHERE name_mongol_key <> '';
