-- A consent's scan shows the head's signature and often an ID number, so
-- it is sealed under the personal-data key like the ID number itself
-- (purpose "consent.scan"). Scans stored before stay as they were, marked
-- 0, until rotate-key seals them with everything else.
ALTER TABLE consent_scans ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
