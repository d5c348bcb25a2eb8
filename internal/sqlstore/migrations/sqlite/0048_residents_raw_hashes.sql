-- Residents' keyed hashes as raw bytes (issue 18 item 3): id_hash and
-- phone_hash held the 20-byte HMAC as 40 hex characters, in the row and
-- again in their indexes, some 60 bytes a resident of a league file that
-- must stay under 3 GB. They are now the 20 raw bytes. Only residents
-- change: org_members, talent_candidates, cadres, users and
-- honour_nominations keep their hex, being few.
--
-- residents_phone_hash goes: no query looks a resident up by phone (the
-- hash is written, rotated and verified only), and it indexed the half of
-- the residents without a phone too.
--
-- SQLite changes a column's declared type only by rebuilding the table,
-- and dropping residents to rebuild it would trip the foreign keys of
-- org_members and cadres, which a migration's transaction cannot turn
-- off: the hex columns are renamed aside, the raw ones added (they come
-- last in the row, which no query depends on) and the hex ones dropped.
-- An empty hash ('') never was a value: it becomes NULL.
DROP INDEX residents_id_hash;
DROP INDEX residents_phone_hash;
ALTER TABLE residents RENAME COLUMN id_hash TO id_hash_hex;
ALTER TABLE residents RENAME COLUMN phone_hash TO phone_hash_hex;
ALTER TABLE residents ADD COLUMN id_hash BLOB;
ALTER TABLE residents ADD COLUMN phone_hash BLOB;
UPDATE residents SET id_hash = unhex(NULLIF(id_hash_hex, '')), phone_hash = unhex(NULLIF(phone_hash_hex, ''))
    WHERE id_hash_hex IS NOT NULL OR phone_hash_hex IS NOT NULL;
ALTER TABLE residents DROP COLUMN id_hash_hex;
ALTER TABLE residents DROP COLUMN phone_hash_hex;
CREATE UNIQUE INDEX residents_id_hash ON residents(id_hash) WHERE status = '在册' AND id_hash IS NOT NULL;
