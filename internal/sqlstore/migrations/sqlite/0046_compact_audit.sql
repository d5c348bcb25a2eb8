-- The compact audit trail (issue 18 item 3): an award's audit row took
-- 399 bytes with its indexes, a third of them its two hex hashes. Now:
--
-- * hash is 32 raw bytes, not 64 hex characters;
-- * prev_hash is gone: it is the hash of the row before in the same
--   partition, and verify walks each partition in seq order from its
--   retention anchor, so it always has that hash in hand; the head keeps
--   the last one for the next write. The hash input is unchanged (the
--   previous hash is still its first field), so every chain verifies as
--   before, and an edited, removed or inserted row is still caught;
-- * region_code is NULL where it is the row's partition, as it is for
--   every write about a region (the partition is the first region a write
--   names): the code was stored twice. The trail reads COALESCE(
--   region_code, part); '' stays '' (a write about no region, chained in
--   its actor's region or in system);
-- * action and role are ids into audit_names: a few dozen actions and
--   the grant summaries of the users who act, each written once, where
--   every row repeated "points.award" and "operator@152221100210";
-- * audit_log_actor (actor_id, id) is dropped: no query reads the trail
--   by actor id (the audit page's search is by name).
--
-- The heads (audit_heads) and the anchors keep their hex hashes: a few
-- rows, and the anchor files operators keep outside the database name
-- them in hex.
CREATE TABLE audit_names (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
INSERT INTO audit_names (name) SELECT action FROM audit_log UNION SELECT role FROM audit_log ORDER BY 1;
CREATE TABLE audit_log_new (
    id          INTEGER PRIMARY KEY,
    part        TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    kv          INTEGER NOT NULL DEFAULT 0,
    v           INTEGER NOT NULL DEFAULT 1,
    at          INTEGER NOT NULL,
    actor_id    INTEGER NOT NULL,
    actor_name  TEXT NOT NULL,
    role        INTEGER NOT NULL,
    action      INTEGER NOT NULL,
    target      TEXT NOT NULL,
    region_code TEXT,
    detail      TEXT NOT NULL DEFAULT '',
    outcome     TEXT NOT NULL DEFAULT 'ok',
    client      TEXT NOT NULL DEFAULT '',
    request_id  TEXT NOT NULL DEFAULT '',
    hash        BLOB NOT NULL
);
INSERT INTO audit_log_new (id, part, seq, kv, v, at, actor_id, actor_name, role, action, target, region_code, detail, outcome, client, request_id, hash)
    SELECT l.id, l.part, l.seq, l.kv, l.v, l.at, l.actor_id, l.actor_name, r.id, a.id, l.target, NULLIF(l.region_code, l.part), l.detail, l.outcome, l.client, l.request_id, unhex(l.hash)
    FROM audit_log l JOIN audit_names r ON r.name = l.role JOIN audit_names a ON a.name = l.action ORDER BY l.id;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
-- A partition's chain in order: verify, anchors, retention, the heads.
CREATE UNIQUE INDEX audit_log_part_seq ON audit_log(part, seq);
-- Retention's cut (at < cutoff per partition), the oldest row that
-- verify's integrity report names, and the audit page's date range.
CREATE INDEX audit_log_at ON audit_log(at);

-- A SQLite index entry already ends with the rowid, which id is: naming
-- id again stored it twice and ordered nothing the rowid does not.
DROP INDEX review_items_region;      -- was (region_code, id)
CREATE INDEX review_items_region ON review_items(region_code);
DROP INDEX review_items_subject;     -- was (subject_kind, subject_id, id)
CREATE INDEX review_items_subject ON review_items(subject_kind, subject_id);
DROP INDEX review_transitions_item;  -- was (item_id, id)
CREATE INDEX review_transitions_item ON review_transitions(item_id);
