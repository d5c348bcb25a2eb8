-- Keyed, partitioned chains (issues 12 and 18), changed once.
--
-- The audit trail becomes one chain per partition, like the ledgers: a
-- village's writes chain in the village's partition, writes about another
-- region in that region's, and writes about no region in 'system', so
-- writers in different villages never wait on one head row. Every chain
-- (audit, ledger, year seal) is HMAC-SHA-256 under a chain key derived
-- from the key file, never stored here; chain_keys only names which
-- master key each key version comes from. kv = 0 marks a row still under
-- the old plain SHA-256: the first open with the key file checks those
-- chains as they were and re-chains them under version 1 (the SQL here
-- cannot see the key).
CREATE TABLE chain_keys (
    version  INTEGER PRIMARY KEY,
    key_id   TEXT NOT NULL UNIQUE,
    added_at INTEGER NOT NULL
);

ALTER TABLE audit_log ADD COLUMN part TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_log ADD COLUMN kv INTEGER NOT NULL DEFAULT 0;
UPDATE audit_log SET part = CASE WHEN region_code = '' THEN 'system' ELSE region_code END;
UPDATE audit_log SET seq = r.n
    FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY part ORDER BY id) AS n FROM audit_log) AS r
    WHERE r.id = audit_log.id;
CREATE UNIQUE INDEX audit_log_part_seq ON audit_log(part, seq);

CREATE TABLE audit_heads (
    part        TEXT PRIMARY KEY,
    last_seq    INTEGER NOT NULL,
    last_hash   TEXT NOT NULL,
    anchor_seq  INTEGER NOT NULL DEFAULT 0,
    anchor_hash TEXT NOT NULL DEFAULT ''
);
INSERT INTO audit_heads (part, last_seq, last_hash) SELECT part, MAX(seq), '' FROM audit_log GROUP BY part;
-- The old single head, for the conversion to check the old chain against.
INSERT INTO settings (name, value)
    SELECT 'audit_plain_head', last_id || ' ' || last_hash || ' ' || anchor_id || ' ' || anchor_hash FROM audit_head;
DROP TABLE audit_head;

ALTER TABLE ledger_entries ADD COLUMN kv INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledger_closes ADD COLUMN kv INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledger_closes ADD COLUMN mac TEXT NOT NULL DEFAULT '';
