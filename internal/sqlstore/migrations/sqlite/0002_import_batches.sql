-- Uploaded sheets waiting for confirmation. The file is sealed with the
-- personal-data key because it holds ID numbers in clear.
CREATE TABLE import_batches (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    user_id      INTEGER NOT NULL,
    region_code  TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    file_sha256  TEXT NOT NULL,
    file_size    INTEGER NOT NULL,
    data_enc     BLOB NOT NULL,
    status       TEXT NOT NULL,
    report       TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    committed_at INTEGER
);
CREATE INDEX import_batches_user ON import_batches(user_id, id);
