-- The triple evaluation, outcomes and certificates of the cadre-training
-- classes (issue 15 items 6 and 7).
--
-- A class's rules: the dimensions of the 班主任's portrait (a JSON array of
-- names), the pass marks of the evaluation (the mean of the 跟班干部's
-- score and the portrait's) and of the 结业考核, the mark a trainee must
-- reach to be 优秀, and an optional cap on 优秀: a count, or a percentage
-- of the trainees (0 for none). escort_user_id is the 跟班干部's account,
-- who may enter the observation scores of this class and no other.
ALTER TABLE training_classes ADD COLUMN escort_user_id INTEGER REFERENCES users(id);
ALTER TABLE training_classes ADD COLUMN eval_dims TEXT NOT NULL DEFAULT '["学习态度","纪律","互动研讨","作业"]';
ALTER TABLE training_classes ADD COLUMN eval_pass INTEGER NOT NULL DEFAULT 60;
ALTER TABLE training_classes ADD COLUMN exam_pass INTEGER NOT NULL DEFAULT 60;
ALTER TABLE training_classes ADD COLUMN excellent_min INTEGER NOT NULL DEFAULT 90;
ALTER TABLE training_classes ADD COLUMN excellent_cap INTEGER NOT NULL DEFAULT 0;
ALTER TABLE training_classes ADD COLUMN excellent_cap_pct INTEGER NOT NULL DEFAULT 0;
CREATE INDEX training_classes_escort ON training_classes(escort_user_id);

-- One score per trainee and source: observer (跟班干部考察评价, with
-- notes), headteacher (班主任画像评价: dims holds the score of each
-- dimension as a JSON object, score their mean) and exam (结业考核成绩).
-- A later entry replaces the earlier; the audit trail keeps both.
CREATE TABLE training_evaluations (
    id           INTEGER PRIMARY KEY,
    enrolment_id INTEGER NOT NULL REFERENCES training_enrolments(id),
    source       TEXT NOT NULL,
    score        INTEGER NOT NULL,
    dims         TEXT NOT NULL DEFAULT '',
    notes        TEXT NOT NULL DEFAULT '',
    by_user      INTEGER REFERENCES users(id),
    at           INTEGER NOT NULL,
    UNIQUE (enrolment_id, source)
);

-- What the class's rules made of a trainee: excellent, pass or retake,
-- with the reasons of a retake (a comma list of hours, evaluation, exam),
-- the hours and the total mark (in tenths) it was computed from.
-- confirmed_at is 0 until the department confirms it.
CREATE TABLE training_outcomes (
    enrolment_id INTEGER PRIMARY KEY REFERENCES training_enrolments(id),
    outcome      TEXT NOT NULL,
    reasons      TEXT NOT NULL DEFAULT '',
    hours        INTEGER NOT NULL,
    total        INTEGER NOT NULL,
    computed_at  INTEGER NOT NULL,
    confirmed_at INTEGER NOT NULL DEFAULT 0,
    confirmed_by INTEGER REFERENCES users(id)
);

-- A certificate (kind excellent 优秀证书 or completion 结业证书) of a
-- confirmed outcome, with the content it was issued with. serial is the
-- printed number; token is the random 256-bit key in its QR code that
-- opens the public verification page (it is kept, not hashed: the page
-- shows only what the certificate itself bears, and a reprint needs it).
-- One certificate in force per trainee; a revoked one stays, with why.
CREATE TABLE training_certificates (
    id             INTEGER PRIMARY KEY,
    serial         TEXT NOT NULL UNIQUE,
    token          TEXT NOT NULL UNIQUE,
    enrolment_id   INTEGER NOT NULL REFERENCES training_enrolments(id),
    kind           TEXT NOT NULL,
    name           TEXT NOT NULL,
    class_name     TEXT NOT NULL,
    start_on       TEXT NOT NULL,
    end_on         TEXT NOT NULL,
    hours          INTEGER NOT NULL,
    issuer         TEXT NOT NULL,
    issued_at      INTEGER NOT NULL,
    issued_by      INTEGER REFERENCES users(id),
    revoked_at     INTEGER NOT NULL DEFAULT 0,
    revoked_by     INTEGER REFERENCES users(id),
    revoked_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX training_certificates_enrolment ON training_certificates(enrolment_id);
CREATE UNIQUE INDEX training_certificates_live ON training_certificates(enrolment_id) WHERE revoked_at = 0;
