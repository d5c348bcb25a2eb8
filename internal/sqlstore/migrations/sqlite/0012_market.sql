-- The points supermarket (积分超市). A store belongs to a village or a
-- township and serves every household below its region. Stock is kept on
-- the goods row, guarded by CHECK and by conditional updates, and every
-- change of it is a stock_moves row, so stock always equals its moves.
-- Booleans are 0/1 integers so the DML is the same on both engines.
CREATE TABLE stores (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions(code),
    name        TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    return_days INTEGER NOT NULL DEFAULT 7,
    created_at  INTEGER NOT NULL,
    UNIQUE (region_code, name)
);
CREATE TABLE store_clerks (
    store_id    INTEGER NOT NULL REFERENCES stores(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    assigned_at INTEGER NOT NULL,
    PRIMARY KEY (store_id, user_id)
);
CREATE INDEX store_clerks_user ON store_clerks(user_id);
CREATE TABLE goods (
    id           INTEGER PRIMARY KEY,
    store_id     INTEGER NOT NULL REFERENCES stores(id),
    name         TEXT NOT NULL,
    category     TEXT NOT NULL DEFAULT '',
    unit         TEXT NOT NULL,
    price        INTEGER NOT NULL CHECK (price > 0),
    stock        INTEGER NOT NULL DEFAULT 0 CHECK (stock >= 0),
    limit_qty    INTEGER NOT NULL DEFAULT 0,
    limit_period TEXT NOT NULL DEFAULT '',
    on_shelf     INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (store_id, name)
);
CREATE TABLE goods_prices (
    id         INTEGER PRIMARY KEY,
    goods_id   INTEGER NOT NULL REFERENCES goods(id),
    price      INTEGER NOT NULL,
    actor_name TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX goods_prices_goods ON goods_prices(goods_id, at);
CREATE TABLE goods_photos (
    goods_id     INTEGER PRIMARY KEY REFERENCES goods(id),
    content_type TEXT NOT NULL,
    data         BLOB NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE TABLE stock_moves (
    id            INTEGER PRIMARY KEY,
    goods_id      INTEGER NOT NULL REFERENCES goods(id),
    store_id      INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    delta         INTEGER NOT NULL,
    stock         INTEGER NOT NULL,
    source        TEXT NOT NULL DEFAULT '',
    donor         TEXT NOT NULL DEFAULT '',
    thank         INTEGER NOT NULL DEFAULT 0,
    reason        TEXT NOT NULL DEFAULT '',
    redemption_id INTEGER NOT NULL DEFAULT 0,
    actor_id      INTEGER NOT NULL,
    actor_name    TEXT NOT NULL,
    at            INTEGER NOT NULL
);
CREATE INDEX stock_moves_goods ON stock_moves(goods_id, at);
CREATE INDEX stock_moves_store ON stock_moves(store_id, at);
CREATE TABLE redemptions (
    id              INTEGER PRIMARY KEY,
    store_id        INTEGER NOT NULL REFERENCES stores(id),
    household_id    INTEGER NOT NULL REFERENCES households(id),
    village_code    TEXT NOT NULL,
    idem_key        TEXT NOT NULL UNIQUE,
    fingerprint     TEXT NOT NULL,
    total           INTEGER NOT NULL,
    balance         INTEGER NOT NULL,
    entry_id        INTEGER NOT NULL,
    return_entry_id INTEGER,
    returned_at     INTEGER NOT NULL DEFAULT 0,
    return_reason   TEXT NOT NULL DEFAULT '',
    actor_id        INTEGER NOT NULL,
    actor_name      TEXT NOT NULL,
    at              INTEGER NOT NULL
);
CREATE INDEX redemptions_store ON redemptions(store_id, at);
CREATE INDEX redemptions_household ON redemptions(household_id, at);
CREATE TABLE redemption_lines (
    redemption_id INTEGER NOT NULL REFERENCES redemptions(id),
    goods_id      INTEGER NOT NULL REFERENCES goods(id),
    name          TEXT NOT NULL,
    unit          TEXT NOT NULL,
    price         INTEGER NOT NULL,
    qty           INTEGER NOT NULL,
    PRIMARY KEY (redemption_id, goods_id)
);
CREATE INDEX redemption_lines_goods ON redemption_lines(goods_id);
CREATE TABLE stock_counts (
    id         INTEGER PRIMARY KEY,
    store_id   INTEGER NOT NULL REFERENCES stores(id),
    actor_name TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE TABLE stock_count_lines (
    count_id INTEGER NOT NULL REFERENCES stock_counts(id),
    goods_id INTEGER NOT NULL REFERENCES goods(id),
    expected INTEGER NOT NULL,
    counted  INTEGER NOT NULL,
    PRIMARY KEY (count_id, goods_id)
);
