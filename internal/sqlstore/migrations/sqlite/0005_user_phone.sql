-- Account phones are sealed beside their keyed hash, so a key rotation
-- can recompute the hash.
ALTER TABLE users ADD COLUMN phone_enc BLOB;
