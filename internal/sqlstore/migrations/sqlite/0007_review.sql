-- The review and public-notice engine (审核 + 公示): items under review,
-- their transition log and the objections lodged during notice windows.
-- open_objections lives on the item row itself so that the conditional
-- UPDATE that finalises a window tests it on the locked row: a
-- concurrent objection either commits first and blocks finalisation, or
-- finds the window already closed.
CREATE TABLE review_items (
    id              INTEGER PRIMARY KEY,
    flow            TEXT NOT NULL,
    subject_kind    TEXT NOT NULL,
    subject_id      INTEGER NOT NULL,
    region_code     TEXT NOT NULL,
    title           TEXT NOT NULL,
    person          TEXT NOT NULL DEFAULT '',
    points          INTEGER NOT NULL DEFAULT 0,
    note            TEXT NOT NULL DEFAULT '',
    step            INTEGER NOT NULL,
    state           TEXT NOT NULL,
    window_start    INTEGER NOT NULL DEFAULT 0,
    window_end      INTEGER NOT NULL DEFAULT 0,
    open_objections INTEGER NOT NULL DEFAULT 0 CHECK (open_objections >= 0),
    submitter_id    INTEGER NOT NULL,
    submitter_name  TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
-- One open item per subject and flow: a returned or rejected subject is
-- submitted anew, never twice at once.
CREATE UNIQUE INDEX review_items_open_subject ON review_items(flow, subject_kind, subject_id) WHERE state IN ('pending', 'in_notice');
CREATE INDEX review_items_region ON review_items(region_code, id);
CREATE INDEX review_items_subject ON review_items(subject_kind, subject_id, id);
CREATE INDEX review_items_due ON review_items(window_end) WHERE state = 'in_notice';

CREATE TABLE review_transitions (
    id         INTEGER PRIMARY KEY,
    item_id    INTEGER NOT NULL REFERENCES review_items(id),
    step       INTEGER NOT NULL,
    action     TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    actor_id   INTEGER NOT NULL,
    actor_name TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    at         INTEGER NOT NULL
);
CREATE INDEX review_transitions_item ON review_transitions(item_id, id);

CREATE TABLE review_objections (
    id            INTEGER PRIMARY KEY,
    item_id       INTEGER NOT NULL REFERENCES review_items(id),
    step          INTEGER NOT NULL,
    reason        TEXT NOT NULL,
    anonymous     INTEGER NOT NULL,
    actor_id      INTEGER NOT NULL,
    state         TEXT NOT NULL,
    resolution    TEXT NOT NULL DEFAULT '',
    resolver_id   INTEGER NOT NULL DEFAULT 0,
    resolver_name TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    resolved_at   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX review_objections_item ON review_objections(item_id, id);
