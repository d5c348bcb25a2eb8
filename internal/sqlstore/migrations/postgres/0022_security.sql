-- A client's idempotency key counts within its caller and target from now
-- on (sqlstore.scopedKey): "<user id>/h<household>/<key>" for an award,
-- "<user id>/s<store>/<key>" for a redemption. Keys stored before take the
-- same form, so a retry that spans the upgrade still finds its first
-- answer. An import's row keys are the server's own and stay as made.
UPDATE awards SET idem_key = actor_id || '/h' || household_id || '/' || idem_key WHERE idem_key NOT LIKE 'import:%';
UPDATE redemptions SET idem_key = actor_id || '/s' || store_id || '/' || idem_key;

-- When an administrator last reset the user's password: the one-time
-- password it gave is good for ResetValid only, and the pages tell the
-- user of the reset.
ALTER TABLE users ADD COLUMN reset_at BIGINT NOT NULL DEFAULT 0;

-- Counters the public forms are capped by, kept here so every server and
-- every restart sees one count: attachments per client address per day,
-- public storage per talent round (sqlstore.takeQuota).
CREATE TABLE public_quotas (
    key  TEXT PRIMARY KEY,
    used BIGINT NOT NULL DEFAULT 0
);

-- A small JPEG of each evidence photo, which the lists show instead of
-- the photo itself (photo.Thumb); empty for a photo stored before it, or
-- one the standard library cannot decode.
ALTER TABLE award_photos ADD COLUMN thumb BYTEA;
