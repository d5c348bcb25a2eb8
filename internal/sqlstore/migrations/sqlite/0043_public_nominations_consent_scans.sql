-- Nominations from the public phone page (issue 16): channel 'public'
-- marks them for the committee; the nominator's phone is sealed, hashed
-- under the personal-data key (for the per-phone limit) and masked, as
-- the register keeps phones.
ALTER TABLE honour_nominations ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE honour_nominations ADD COLUMN nominator_phone_enc BLOB;
ALTER TABLE honour_nominations ADD COLUMN nominator_phone_hash TEXT;
ALTER TABLE honour_nominations ADD COLUMN nominator_phone_masked TEXT NOT NULL DEFAULT '';
CREATE INDEX honour_nominations_phone ON honour_nominations(nominator_phone_hash, created_at);

-- The scan of a consent given on paper: a credit consent's form, kept
-- with the consent it proves and read only by those who read the
-- consent. An image re-encoded without metadata, or a PDF.
CREATE TABLE consent_scans (
    id            INTEGER PRIMARY KEY,
    subject_kind  TEXT NOT NULL,
    subject_id    INTEGER NOT NULL,
    household_id  INTEGER NOT NULL REFERENCES households(id),
    village_code  TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    data          BLOB NOT NULL,
    actor_name    TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX consent_scans_subject ON consent_scans(subject_kind, subject_id, id);
