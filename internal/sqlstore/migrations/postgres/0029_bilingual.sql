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
-- (mongol.SortKey: letters only, compared byte by byte, hence the "C"
-- collation). Rows stored before this migration get the same keys from
-- the chains of REPLACE calls below, which strip the same format
-- characters and fold the same letters as the Go functions; every later
-- write stores them from Go.
ALTER TABLE residents ADD COLUMN name_mongol_key TEXT NOT NULL DEFAULT '';
ALTER TABLE residents ADD COLUMN name_mongol_sort TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE residents SET name_mongol_key = REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(name_mongol, chr(6155), ''), chr(6156), ''), chr(6157), ''), chr(6158), ''), chr(6159), ''), chr(8239), ''), chr(8204), ''), chr(8205), ''), chr(32), ''), chr(6179), chr(6180)), chr(6181), chr(6182)), chr(6183), chr(6177)), chr(6194), chr(6195)), chr(6188), chr(6189)),
    name_mongol_sort = REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(name_mongol, chr(6155), ''), chr(6156), ''), chr(6157), ''), chr(6158), ''), chr(6159), ''), chr(8239), ''), chr(8204), ''), chr(8205), ''), chr(32), '') WHERE name_mongol <> '';
CREATE INDEX residents_name_mongol_key ON residents(name_mongol_key) WHERE name_mongol_key <> '';
