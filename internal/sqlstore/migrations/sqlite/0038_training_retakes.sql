-- Retakes of the cadre-training classes (issue 15 item 8).
--
-- A 重修 trainee's 情况说明 to the department: the text and, optionally,
-- one file (PDF, JPEG or PNG, its type sniffed from the bytes, an image
-- stripped of its metadata), kept in the database so a backup carries it.
-- The department accepts it or returns it with a comment; a returned one
-- stays on file and the trainee writes a new one. At most one waits at a
-- time per enrolment. Whether the retake is made good is not stored: a
-- later class's confirmed 合格 or 优秀 closes it.
CREATE TABLE training_statements (
    id           INTEGER PRIMARY KEY,
    enrolment_id INTEGER NOT NULL REFERENCES training_enrolments(id),
    text         TEXT NOT NULL,
    file_type    TEXT NOT NULL DEFAULT '',
    file_size    INTEGER NOT NULL DEFAULT 0,
    file_sha256  TEXT NOT NULL DEFAULT '',
    file_data    BLOB,
    status       TEXT NOT NULL,
    comment      TEXT NOT NULL DEFAULT '',
    submitted_at INTEGER NOT NULL,
    decided_at   INTEGER NOT NULL DEFAULT 0,
    decided_by   INTEGER REFERENCES users(id)
);
CREATE INDEX training_statements_enrolment ON training_statements(enrolment_id, id);
CREATE UNIQUE INDEX training_statements_waiting ON training_statements(enrolment_id) WHERE status = 'submitted';
-- The retake loop and the "retake due" filter start from the 重修
-- outcomes; the yearly file and the figures read a year's sessions by day.
CREATE INDEX training_outcomes_outcome ON training_outcomes(outcome, confirmed_at);
CREATE INDEX training_sessions_day ON training_sessions(day);
