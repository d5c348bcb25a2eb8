-- Evidence photos of awards, kept in the database so that a backup
-- (VACUUM INTO) carries them with the awards they prove. A photo is
-- uploaded first (award_id 0, staged, visible only to its uploader) and
-- attached when the award is recorded; the village is known from then on.
-- Staged photos nobody attached are purged after a day.
CREATE TABLE award_photos (
    id           INTEGER PRIMARY KEY,
    award_id     INTEGER NOT NULL DEFAULT 0,
    village_code TEXT NOT NULL DEFAULT '',
    uploader_id  INTEGER NOT NULL,
    actor_name   TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX award_photos_award ON award_photos(award_id, id);
CREATE INDEX award_photos_staged ON award_photos(uploader_id, sha256) WHERE award_id = 0;
CREATE INDEX award_photos_created ON award_photos(created_at) WHERE award_id = 0;
