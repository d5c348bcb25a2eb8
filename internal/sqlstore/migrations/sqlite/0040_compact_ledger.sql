-- The compact ledger (issue 18 item 3): an entry took 361 bytes with its
-- indexes, most of it repeated text. Now:
--
-- * hashes, fingerprints and seals are raw bytes (32 and 16), not hex;
-- * the village is its region code as an integer (12 digits: 6 bytes);
-- * kind, item and actor are small ids into lookup tables (ledger_kinds,
--   fixed; ledger_items; ledger_actors, one row per user and the name they
--   posted under, since the name is part of the hash input);
-- * prev_hash is gone: it is the hash of the entry before in the same
--   village, and verify walks each village in seq order, so it always has
--   that hash in hand; the head keeps the last one for the next posting;
-- * the idempotency key is part of the hash input, so it cannot become
--   a digest: it is stored as a prefix (ledger_keys, shared) and its
--   trailing decimal number ("award:" 1234, "gen:152221203220:" 88), -1
--   when it has none; the key is prefix || number and (key_pre, key_num)
--   is unique, which keeps the replay rule (same key and body: the first
--   entry; same key, other body: a conflict) on a 10-byte index entry;
-- * the fingerprint is stored only when the entry cannot give it back
--   (a reversal posted with points): otherwise it is recomputed from the
--   entry itself. Converted rows keep theirs (SQL cannot hash here);
-- * household_id no longer declares its foreign key: every posting reads
--   the household in its own transaction first, and the check cost a
--   lookup in households per entry written;
-- * reverses is indexed only where it is set (a partial unique index: a
--   few reversals, where UNIQUE indexed every row, NULLs included).
--
-- The hash input is unchanged (region codes, ids, keys and names are
-- formatted back to the same text), so every chain verifies as before.
CREATE TABLE ledger_kinds (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
INSERT INTO ledger_kinds (id, name) VALUES (1, 'award'), (2, 'deduct'), (3, 'base'), (4, 'spend'), (5, 'reversal'),
    (6, 'transfer_out'), (7, 'transfer_in'), (8, 'expiry');
CREATE TABLE ledger_items (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE ledger_actors (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    name    TEXT NOT NULL,
    UNIQUE (user_id, name)
);
CREATE TABLE ledger_keys (
    id     INTEGER PRIMARY KEY,
    prefix TEXT NOT NULL UNIQUE
);

INSERT INTO ledger_items (name) SELECT DISTINCT item FROM ledger_entries ORDER BY item;
INSERT INTO ledger_actors (user_id, name) SELECT DISTINCT actor_id, actor_name FROM ledger_entries ORDER BY actor_id, actor_name;

-- A key's split, as splitKey does it in Go: the trailing digits, less
-- their leading zeros (an all-zero run keeps one), are the number when
-- they fit in 18 digits; everything before is the prefix.
CREATE TEMP VIEW ledger_key_split AS
    SELECT id,
        CASE WHEN d = '' OR length(z) > 18 THEN k ELSE substr(k, 1, length(k) - length(z)) END AS prefix,
        CASE WHEN d = '' OR length(z) > 18 THEN -1 ELSE CAST(z AS INTEGER) END AS num
    FROM (SELECT id, k, d, CASE WHEN ltrim(d, '0') = '' THEN '0' ELSE ltrim(d, '0') END AS z
          FROM (SELECT id, idem_key AS k, substr(idem_key, length(rtrim(idem_key, '0123456789')) + 1) AS d FROM ledger_entries));
INSERT INTO ledger_keys (prefix) SELECT DISTINCT prefix FROM ledger_key_split ORDER BY prefix;

CREATE TABLE ledger_entries_new (
    id           INTEGER PRIMARY KEY,
    village      INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    household_id INTEGER NOT NULL,
    kind         INTEGER NOT NULL,
    delta        INTEGER NOT NULL,
    balance      INTEGER NOT NULL,
    item         INTEGER NOT NULL,
    memo         TEXT NOT NULL DEFAULT '',
    reverses     INTEGER,
    key_pre      INTEGER NOT NULL,
    key_num      INTEGER NOT NULL,
    fp           BLOB,
    actor        INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    hash         BLOB NOT NULL,
    kv           INTEGER NOT NULL DEFAULT 0
);
INSERT INTO ledger_entries_new (id, village, seq, household_id, kind, delta, balance, item, memo, reverses, key_pre, key_num, fp, actor, at, hash, kv)
    SELECT e.id, CAST(e.village_code AS INTEGER), e.seq, e.household_id,
        (SELECT k.id FROM ledger_kinds k WHERE k.name = e.kind), e.delta, e.balance,
        (SELECT i.id FROM ledger_items i WHERE i.name = e.item), e.memo, e.reverses,
        (SELECT p.id FROM ledger_keys p WHERE p.prefix = s.prefix), s.num,
        CASE WHEN length(e.fingerprint) = 32 THEN unhex(e.fingerprint) END,
        (SELECT a.id FROM ledger_actors a WHERE a.user_id = e.actor_id AND a.name = e.actor_name),
        e.at, unhex(e.hash), e.kv
    FROM ledger_entries e JOIN ledger_key_split s ON s.id = e.id
    ORDER BY e.id;
DROP VIEW ledger_key_split;
DROP TABLE ledger_entries;
ALTER TABLE ledger_entries_new RENAME TO ledger_entries;
-- A village's chain in order (verify, anchors, the notice code's check).
CREATE UNIQUE INDEX ledger_entries_chain ON ledger_entries(village, seq);
-- A household's statement.
CREATE INDEX ledger_entries_household ON ledger_entries(household_id, seq);
-- The idempotency key.
CREATE UNIQUE INDEX ledger_entries_key ON ledger_entries(key_pre, key_num);
-- An entry is reversed once.
CREATE UNIQUE INDEX ledger_entries_reverses ON ledger_entries(reverses) WHERE reverses IS NOT NULL;

CREATE TABLE ledger_heads_new (
    village   INTEGER PRIMARY KEY,
    last_seq  INTEGER NOT NULL,
    last_hash BLOB NOT NULL
);
INSERT INTO ledger_heads_new (village, last_seq, last_hash)
    SELECT CAST(village_code AS INTEGER), last_seq, unhex(last_hash) FROM ledger_heads ORDER BY 1;
DROP TABLE ledger_heads;
ALTER TABLE ledger_heads_new RENAME TO ledger_heads;

CREATE TABLE ledger_closes_new (
    village    INTEGER NOT NULL,
    year       INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    hash       BLOB NOT NULL,
    expired    INTEGER NOT NULL,
    actor_name TEXT NOT NULL,
    closed_at  INTEGER NOT NULL,
    kv         INTEGER NOT NULL DEFAULT 0,
    mac        BLOB NOT NULL,
    PRIMARY KEY (village, year)
);
INSERT INTO ledger_closes_new (village, year, seq, hash, expired, actor_name, closed_at, kv, mac)
    SELECT CAST(village_code AS INTEGER), year, seq, unhex(hash), expired, actor_name, closed_at, kv, unhex(mac) FROM ledger_closes;
DROP TABLE ledger_closes;
ALTER TABLE ledger_closes_new RENAME TO ledger_closes;
