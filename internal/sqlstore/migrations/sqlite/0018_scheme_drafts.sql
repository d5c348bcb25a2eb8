-- A scheme's public notice (公示期) is the village's rule, kept with each
-- version; versions written before it keep the seven days the code used.
ALTER TABLE schemes ADD COLUMN notice_days INTEGER NOT NULL DEFAULT 7;
-- A review item carries the notice length its module's rules gave it when
-- it was submitted (0: the flow's own), so a later scheme version cannot
-- stretch or cut a window already promised.
ALTER TABLE review_items ADD COLUMN notice_days INTEGER NOT NULL DEFAULT 0;
-- A region's scheme being edited before it is published: one draft per
-- region, its content as the JSON of a scheme version, since a draft is
-- only ever read and written whole and never queried inside.
CREATE TABLE scheme_drafts (
    region_code TEXT PRIMARY KEY,
    body        TEXT NOT NULL,
    actor_id    INTEGER NOT NULL,
    actor_name  TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);
