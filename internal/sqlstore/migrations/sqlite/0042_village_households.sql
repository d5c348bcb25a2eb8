-- The registered (在册) households of each village, maintained by
-- triggers on households (issue 18 item 6), so the league's villages with
-- their participation rates read one row per village instead of counting
-- every household of the league on each request (722–800 ms at p99 on
-- the league set). Triggers rather than Go: every path that adds,
-- closes, merges, moves or erases a household (the register's forms and
-- imports, region merges, the generator, future ones) keeps the figure
-- without knowing about it. Award writes never touch households, so the
-- rows are off the write path that issue 18 item 1 keeps free of shared
-- counters; a household insert adds one small upsert.
CREATE TABLE village_households (
    village_code TEXT PRIMARY KEY,
    active       INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO village_households (village_code, active)
    SELECT village_code, count(*) FROM households WHERE status = '在册' GROUP BY village_code;

CREATE TRIGGER village_households_insert AFTER INSERT ON households
    WHEN NEW.status = '在册'
BEGIN
    INSERT INTO village_households (village_code, active) VALUES (NEW.village_code, 1)
        ON CONFLICT (village_code) DO UPDATE SET active = active + 1;
END;

CREATE TRIGGER village_households_delete AFTER DELETE ON households
    WHEN OLD.status = '在册'
BEGIN
    UPDATE village_households SET active = active - 1 WHERE village_code = OLD.village_code;
END;

CREATE TRIGGER village_households_update AFTER UPDATE OF status, village_code ON households
    WHEN (OLD.status = '在册') <> (NEW.status = '在册') OR (OLD.status = '在册' AND OLD.village_code <> NEW.village_code)
BEGIN
    UPDATE village_households SET active = active - 1 WHERE village_code = OLD.village_code AND OLD.status = '在册';
    INSERT INTO village_households (village_code, active) SELECT NEW.village_code, 1 WHERE NEW.status = '在册'
        ON CONFLICT (village_code) DO UPDATE SET active = active + 1;
END;

-- A number every write to schemes moves on (issue 18 item 5). An award on
-- PostgreSQL reads it with its household and keeps the scheme it resolved
-- per village, day and number, so it need not read the scheme chain
-- again until a version is published, on this server or any other one
-- sharing the database. Scheme writes are rare; awards only read the row.
CREATE TABLE scheme_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT NOT NULL
);
INSERT INTO scheme_epoch (id, n) VALUES (1, 0);
CREATE TRIGGER scheme_epoch_insert AFTER INSERT ON schemes BEGIN UPDATE scheme_epoch SET n = n + 1; END;
CREATE TRIGGER scheme_epoch_update AFTER UPDATE ON schemes BEGIN UPDATE scheme_epoch SET n = n + 1; END;
CREATE TRIGGER scheme_epoch_delete AFTER DELETE ON schemes BEGIN UPDATE scheme_epoch SET n = n + 1; END;
