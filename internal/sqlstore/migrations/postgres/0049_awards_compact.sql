-- A pending award's row and indexes smaller (issue 18 item 3).
--
-- An award's fingerprint, compared when a retry brings its key again, was
-- stored as text: the household, item, day, channel, proxy, evidence,
-- witness and photo flag the same row already holds, some 50 bytes an
-- award. The fingerprint is now read back from those columns
-- (scanPrint); only what the row does not hold is kept: the sums of an
-- award's attached photos, in photo_sums, empty for most. A correction's
-- fingerprint is its household, the award it corrects and its reason, all
-- in the row as well.
--
-- updated_at goes: no query read it; an award's moves are its review's
-- log and its ledger entry.
--
-- village_code, item_name, actor_id, actor_name and created_at go: they
-- are the award's submission, which its review item holds (region_code,
-- title, submitter_id, submitter_name, created_at), made with it in one
-- transaction; reads join the item (awardCols). The migration first
-- checks that every award's item says the same, and stops without
-- changing anything where one does not: nothing is dropped that is not
-- kept once.
--
-- A submission that enters pending has no row in its item's log any more:
-- the item's own row says who submitted it and when (logsSubmission), and
-- the log gives the submission back from it. The rows that say only that
-- go; a submission that differs from its item in any way stays.
--
-- review_items_open_subject no longer holds the award flow's items. It
-- keeps a subject from having two items open in one flow; an award's item
-- enters only through submitNew, for an award or a correction stored in
-- the same transaction under a new id, so no two can share a subject, and
-- its entry cost some 30 bytes a pending award. Look-ups by subject read
-- review_items_subject, which holds every item.
--
-- awards_village goes: the one query that asked for a village's awards
-- (a scheme draft removing an item that pending awards still name) reads
-- the village's open review items instead, which the review queue's index
-- already finds.
DROP INDEX awards_village;
ALTER TABLE awards RENAME COLUMN fingerprint TO photo_sums;
UPDATE awards SET photo_sums = CASE WHEN strpos(photo_sums, '|photos:') > 0 THEN substr(photo_sums, strpos(photo_sums, '|photos:') + 8) ELSE '' END;
ALTER TABLE awards DROP COLUMN updated_at;
DELETE FROM review_transitions WHERE step = 0 AND action = 'submit' AND from_state = '' AND to_state = 'pending' AND reason = ''
    AND EXISTS (SELECT 1 FROM review_items i WHERE i.id = review_transitions.item_id AND i.submitter_id = review_transitions.actor_id
        AND i.submitter_name = review_transitions.actor_name AND i.created_at = review_transitions.at);
DROP INDEX review_items_open_subject;
CREATE UNIQUE INDEX review_items_open_subject ON review_items(flow, subject_kind, subject_id)
    WHERE state IN ('pending', 'in_notice') AND flow <> 'points.award';
CREATE TEMP TABLE awards_differing_from_their_review_item (n INTEGER NOT NULL CHECK (n = 0));
INSERT INTO awards_differing_from_their_review_item SELECT count(*) FROM awards a LEFT JOIN review_items i ON i.id = a.review_id
    WHERE i.id IS NULL OR i.region_code <> a.village_code OR i.title <> a.item_name OR i.submitter_id <> a.actor_id
        OR i.submitter_name <> a.actor_name OR i.created_at <> a.created_at;
DROP TABLE awards_differing_from_their_review_item;
ALTER TABLE awards DROP COLUMN village_code;
ALTER TABLE awards DROP COLUMN item_name;
ALTER TABLE awards DROP COLUMN actor_id;
ALTER TABLE awards DROP COLUMN actor_name;
ALTER TABLE awards DROP COLUMN created_at;
