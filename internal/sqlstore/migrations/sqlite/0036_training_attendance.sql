-- Attendance of the cadre-training classes (issue 15 item 5).
--
-- A trainee's personal link: only the SHA-256 of its random token and of
-- its short code are kept, as for session cookies, so a stolen database
-- opens no trainee's page.
CREATE TABLE training_links (
    enrolment_id INTEGER PRIMARY KEY REFERENCES training_enrolments(id),
    token_hash   TEXT NOT NULL UNIQUE,
    code_hash    TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL
);

-- One row per trainee and session they attended, however it was recorded
-- (how: qr, code, hand); the unique pair makes a retried check-in return
-- the first.
CREATE TABLE training_attendance (
    id           INTEGER PRIMARY KEY,
    enrolment_id INTEGER NOT NULL REFERENCES training_enrolments(id),
    session_id   INTEGER NOT NULL REFERENCES training_sessions(id),
    how          TEXT NOT NULL,
    late         INTEGER NOT NULL DEFAULT 0,
    at           INTEGER NOT NULL,
    by_user      INTEGER REFERENCES users(id),
    UNIQUE (enrolment_id, session_id)
);
CREATE INDEX training_attendance_session ON training_attendance(session_id);

-- A trainee's leave request for a session, decided by the class's 班主任.
CREATE TABLE training_leaves (
    id           INTEGER PRIMARY KEY,
    enrolment_id INTEGER NOT NULL REFERENCES training_enrolments(id),
    session_id   INTEGER NOT NULL REFERENCES training_sessions(id),
    reason       TEXT NOT NULL,
    status       TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    decided_at   INTEGER NOT NULL DEFAULT 0,
    decided_by   INTEGER REFERENCES users(id),
    UNIQUE (enrolment_id, session_id)
);
CREATE INDEX training_leaves_session ON training_leaves(session_id, status);
