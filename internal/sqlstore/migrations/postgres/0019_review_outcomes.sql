-- An objector's reference number: short, unguessable, shown once when the
-- objection is lodged and the only key to its outcome on the public page.
ALTER TABLE review_objections ADD COLUMN ref TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX review_objections_ref ON review_objections(ref) WHERE ref <> '';
-- A correction is an award of its own that reverses a posted one, with the
-- reason shown on the notice and the statement; at most one correction of
-- an award is under review or posted at a time.
ALTER TABLE awards ADD COLUMN corrects_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE awards ADD COLUMN reason TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX awards_corrects ON awards(corrects_id) WHERE corrects_id <> 0 AND status IN ('pending', 'approved');
