-- A points supermarket can close (停业: the goods ran out, the township
-- moved it, the Spring Festival) and open again. closed_at is when it
-- closed, in milliseconds, 0 while it is open; the reason is what its
-- households are shown. A closed store takes no redemption; its stock,
-- returns and reports go on.
ALTER TABLE stores ADD COLUMN closed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stores ADD COLUMN closed_reason TEXT NOT NULL DEFAULT '';
