-- Residents' keyed hashes as raw bytes (issue 18 item 3): id_hash and
-- phone_hash held the 20-byte HMAC as 40 hex characters, in the row and
-- again in their indexes. They are now the 20 raw bytes. Only residents
-- change: org_members, talent_candidates, cadres, users and
-- honour_nominations keep their hex, being few.
--
-- residents_phone_hash goes: no query looks a resident up by phone (the
-- hash is written, rotated and verified only), and it indexed the half of
-- the residents without a phone too. residents_id_hash is dropped before
-- the column types change and built once after, rather than rebuilt by
-- the ALTER.
-- An empty hash ('') never was a value: it becomes NULL.
DROP INDEX residents_id_hash;
DROP INDEX residents_phone_hash;
ALTER TABLE residents
    ALTER COLUMN id_hash TYPE BYTEA USING decode(NULLIF(id_hash, ''), 'hex'),
    ALTER COLUMN phone_hash TYPE BYTEA USING decode(NULLIF(phone_hash, ''), 'hex');
CREATE UNIQUE INDEX residents_id_hash ON residents(id_hash) WHERE status = '在册' AND id_hash IS NOT NULL;
