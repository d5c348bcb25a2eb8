-- The photos of a nomination's deed, re-encoded without EXIF (a phone's
-- GPS position among it). photos_public is the nominee's consent to show
-- them on the public board once the honour is approved; the committee
-- sees them while it decides either way.
ALTER TABLE honour_nominations ADD COLUMN photos_public INTEGER NOT NULL DEFAULT 0;

CREATE TABLE honour_photos (
    id            INTEGER PRIMARY KEY,
    nomination_id INTEGER NOT NULL REFERENCES honour_nominations(id),
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    data          BLOB NOT NULL,
    thumb         BLOB NOT NULL,
    actor_name    TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX honour_photos_nomination ON honour_photos(nomination_id, id);
