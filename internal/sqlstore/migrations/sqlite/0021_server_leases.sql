-- Every running server keeps a row here fresh, so that rotate-key and
-- restore, which must not run under a server, can see the servers of a
-- PostgreSQL database that run on other machines. A row not refreshed
-- for a while is a server that died without removing it.
CREATE TABLE server_leases (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid BIGINT NOT NULL,
    addr TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    seen_at BIGINT NOT NULL
);
