-- The survey engine: questionnaires owned by a region, their published
-- versions, sampling quotas per stratum, and answers gathered over four
-- channels. A draft's questions live on the survey (JSON); publishing
-- copies them into a version, which answers keep. Each answer is stored
-- as items, one per chosen option, number or text, so counting an option
-- is one indexed GROUP BY. Answers are never edited or deleted.
CREATE TABLE surveys (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions(code),
    title       TEXT NOT NULL,
    intro       TEXT NOT NULL DEFAULT '',
    anonymous   INTEGER NOT NULL,
    template    TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0,
    draft       TEXT NOT NULL,
    strata      TEXT NOT NULL DEFAULT '',
    token       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX surveys_region ON surveys(region_code, id);
CREATE UNIQUE INDEX surveys_token ON surveys(token);

CREATE TABLE survey_versions (
    survey_id    INTEGER NOT NULL REFERENCES surveys(id),
    version      INTEGER NOT NULL,
    questions    TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    PRIMARY KEY (survey_id, version)
);

-- cell joins the option keys of the strata questions with '|'.
CREATE TABLE survey_quotas (
    survey_id INTEGER NOT NULL REFERENCES surveys(id),
    cell      TEXT NOT NULL,
    target    INTEGER NOT NULL,
    PRIMARY KEY (survey_id, cell)
);

-- entered_by is the staff account that entered an answer, NULL for one
-- that came through the public link; not a foreign key, since the audit
-- trail is the record of who it was and accounts may be removed.
CREATE TABLE survey_answers (
    id           INTEGER PRIMARY KEY,
    survey_id    INTEGER NOT NULL REFERENCES surveys(id),
    version      INTEGER NOT NULL,
    channel      TEXT NOT NULL,
    entered_by   INTEGER,
    entered_name TEXT NOT NULL DEFAULT '',
    respondent   TEXT NOT NULL DEFAULT '',
    at           INTEGER NOT NULL
);
CREATE INDEX survey_answers_survey ON survey_answers(survey_id, channel);

CREATE TABLE survey_items (
    answer_id INTEGER NOT NULL REFERENCES survey_answers(id),
    survey_id INTEGER NOT NULL REFERENCES surveys(id),
    question  TEXT NOT NULL,
    choice    TEXT NOT NULL DEFAULT '',
    num       INTEGER,
    text      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX survey_items_question ON survey_items(survey_id, question, choice, answer_id);
CREATE INDEX survey_items_answer ON survey_items(answer_id, question);
