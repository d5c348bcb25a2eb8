-- Settings the store keeps beside the data, one row per name. The row
-- 'index_key_id' names the personal-data key that residents.id_hash and
-- residents.phone_hash were computed with: the key file may list several
-- keys, and searching with any other would find nobody.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
