-- Trainees' ratings of the teachers of the sessions they attended (issue
-- 15 item 2): one per trainee and session, 1 to 5, with an optional
-- comment. The teacher pool shows each teacher's mean and count.
CREATE TABLE training_ratings (
    enrolment_id BIGINT NOT NULL REFERENCES training_enrolments(id),
    session_id   BIGINT NOT NULL REFERENCES training_sessions(id),
    teacher_id   BIGINT NOT NULL REFERENCES training_teachers(id),
    score        INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment      TEXT NOT NULL DEFAULT '',
    at           BIGINT NOT NULL,
    PRIMARY KEY (enrolment_id, session_id)
);
CREATE INDEX training_ratings_teacher ON training_ratings(teacher_id);
