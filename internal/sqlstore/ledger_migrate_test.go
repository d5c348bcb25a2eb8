package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestLedgerCompactMigration builds a database at the schema before
// migration 0040, with keyed ledgers written as the previous version
// wrote them (hex hashes, text kinds, items, actors and keys, prev_hash,
// a fingerprint per entry) in two villages: awards, a spend, reversals
// (one posted with points, whose fingerprint the entry cannot give back),
// a sealed year. Migrating converts it: verify passes, balances and
// statements read as before, every old key replays to its entry and
// conflicts with another body, a reversed entry stays reversed, the
// chain goes on from its head, and an edited entry is still caught.
func TestLedgerCompactMigration(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, key := keyedBefore(t, engine, "0040")
			auditWritable(t, db, engine) // the setup below audits
			if _, err := db.SeedRegions(ctx); err != nil {
				t.Fatal(err)
			}
			var other string
			if err := db.RawRow(ctx, `SELECT code FROM regions WHERE code LIKE '1522211002%' AND code <> ? ORDER BY code LIMIT 1`, pingan).Scan(&other); err != nil {
				t.Fatal(err)
			}
			h1 := mustHousehold(t, db, pingan, "001", withoutID(person("赵一", 1, "1970-01-01", registry.Male))).ID
			h2 := mustHousehold(t, db, pingan, "002", withoutID(person("钱二", 2, "1970-01-01", registry.Male))).ID
			h3 := mustHousehold(t, db, other, "003", withoutID(person("孙三", 3, "1970-01-01", registry.Male))).ID

			// The old ledger, entry by entry, as the previous version
			// chained and stored it.
			at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
			type old struct {
				p       points.Posting
				village string
				actor   string
				uid     int64
			}
			olds := []old{
				{points.Posting{Key: "award:1", Household: h1, Kind: points.Award, Points: 10, Item: "环境卫生", Memo: "review:1"}, pingan, "clerk", 5},
				{points.Posting{Key: "award:2", Household: h2, Kind: points.Award, Points: 8, Item: "孝老爱亲", Memo: "review:2"}, pingan, "system", 0},
				{points.Posting{Key: "base:" + other + ":2026:007", Household: h3, Kind: points.Base, Points: 100, Item: "基础分 2026"}, other, "op", 2},
				{points.Posting{Key: "market:5/h1/9f3c-0000", Household: h1, Kind: points.Spend, Points: 3, Item: "肥皂×1"}, pingan, "clerk", 5},
				{points.Posting{Key: "client key without digits", Household: h2, Kind: points.Award, Points: 4, Item: "环境卫生"}, pingan, "clerk", 5},
				{points.Posting{Key: "rev-of-2", Household: h2, Kind: points.Reversal, Reverses: 2, Memo: "录错"}, pingan, "clerk", 5},
				{points.Posting{Key: "12345678901234567890123", Household: h3, Kind: points.Deduct, Points: 5, Item: "乱倒垃圾"}, other, "op", 2},
				{points.Posting{Key: "rev-7", Household: h3, Kind: points.Reversal, Points: 4, Reverses: 7}, other, "op", 2},
			}
			heads := map[string]string{}
			seqs := map[string]int64{}
			bal := map[int64]int64{}
			var want []points.Entry
			for i, o := range olds {
				delta := points.Delta(o.p.Kind, o.p.Points)
				if o.p.Kind == points.Reversal {
					delta = -want[o.p.Reverses-1].Delta
				}
				bal[o.p.Household] += delta
				seqs[o.village]++
				e := points.Entry{ID: int64(i + 1), Village: o.village, Seq: seqs[o.village], Household: o.p.Household, Kind: o.p.Kind, Delta: delta,
					Balance: bal[o.p.Household], Item: o.p.Item, Memo: o.p.Memo, Reverses: o.p.Reverses, Key: o.p.Key, Actor: o.actor,
					At: at.Add(time.Duration(i) * time.Hour), KeyVersion: 1}
				e.PrevHash = heads[o.village]
				e.Hash = points.Chain(key, e.PrevHash, e)
				heads[o.village] = e.Hash
				var reverses any
				if e.Reverses != 0 {
					reverses = e.Reverses
				}
				rawExec(t, db, `INSERT INTO ledger_entries (id, village_code, seq, household_id, kind, delta, balance, item, memo, reverses, idem_key, fingerprint, actor_id, actor_name, at, prev_hash, hash, kv)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`, e.ID, e.Village, e.Seq, e.Household, string(e.Kind), e.Delta, e.Balance, e.Item, e.Memo,
					reverses, e.Key, o.p.Fingerprint(), o.uid, e.Actor, e.At.UnixMilli(), e.PrevHash, e.Hash)
				want = append(want, e)
			}
			for v, h := range heads {
				rawExec(t, db, `INSERT INTO ledger_heads (village_code, last_seq, last_hash) VALUES (?, ?, ?)`, v, seqs[v], h)
			}
			for hh, b := range bal {
				rawExec(t, db, `INSERT INTO accounts (household_id, village_code, balance, updated_at) VALUES (?, (SELECT village_code FROM households WHERE id = ?), ?, 0)`, hh, hh, b)
			}
			// pingan's 2026 sealed at its fourth entry (the fifth row).
			c := points.Close{Village: pingan, Year: 2026, Seq: 4, Hash: want[4].Hash}
			rawExec(t, db, `INSERT INTO ledger_closes (village_code, year, seq, hash, expired, actor_name, closed_at, kv, mac) VALUES (?, 2026, 4, ?, 0, 'clerk', 0, 1, ?)`,
				pingan, c.Hash, sqlstore.SealMAC(key, 1, c))
			if engine == "postgres" {
				rawExec(t, db, `SELECT setval(pg_get_serial_sequence('ledger_entries', 'id'), 9, false)`)
			}

			auditOld(t, db, engine)
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if problems, err := db.Ledger().Verify(ctx); err != nil || len(problems) != 0 {
				t.Fatalf("verify after the conversion: %+v %v", problems, err)
			}
			auditClean(t, db)
			// PostgreSQL recomputes the fingerprints the entries give back
			// and keeps only the reversal posted with points; SQLite keeps
			// every converted one.
			var kept int
			if err := db.RawRow(ctx, `SELECT count(*) FROM ledger_entries WHERE fp IS NOT NULL`).Scan(&kept); err != nil {
				t.Fatal(err)
			}
			if want := map[string]int{"sqlite": len(olds), "postgres": 1}[engine]; kept != want {
				t.Fatalf("%d fingerprints kept, want %d", kept, want)
			}
			l := db.Ledger()
			for hh, b := range bal {
				if got, err := l.Balance(ctx, admin, hh); err != nil || got != b {
					t.Fatalf("household %d: balance %d, want %d (%v)", hh, got, b, err)
				}
			}
			for _, hh := range []int64{h1, h2, h3} {
				got, err := l.Statement(ctx, admin, hh, 0, 50)
				if err != nil {
					t.Fatal(err)
				}
				var exp []points.Entry
				for i := len(want) - 1; i >= 0; i-- {
					if want[i].Household == hh {
						exp = append(exp, want[i])
					}
				}
				if len(got) != len(exp) {
					t.Fatalf("household %d: %d entries, want %d", hh, len(got), len(exp))
				}
				for i := range got {
					g, w := got[i], exp[i]
					w.PrevHash = "" // no longer stored
					if g.ID != w.ID || g.Village != w.Village || g.Seq != w.Seq || g.Kind != w.Kind || g.Delta != w.Delta || g.Balance != w.Balance ||
						g.Item != w.Item || g.Memo != w.Memo || g.Reverses != w.Reverses || g.Key != w.Key || g.Actor != w.Actor ||
						!g.At.Equal(w.At) || g.Hash != w.Hash || g.KeyVersion != 1 {
						t.Fatalf("entry %d after the conversion:\n got %+v\nwant %+v", w.ID, g, w)
					}
				}
			}
			// Every old key replays to its entry; another body conflicts.
			for i, o := range olds {
				e, err := l.Post(ctx, admin, o.p)
				if err != nil || e.ID != int64(i+1) {
					t.Fatalf("replay of %q: %+v %v", o.p.Key, e, err)
				}
				other := o.p
				other.Memo += "改"
				if _, err := l.Post(ctx, admin, other); !fault.Is(err, fault.Conflict) {
					t.Fatalf("the key %q with another body: %v", o.p.Key, err)
				}
			}
			if _, err := l.Post(ctx, admin, points.Posting{Key: "again", Household: h2, Kind: points.Reversal, Reverses: 2}); !fault.Is(err, fault.Conflict) {
				t.Fatalf("a second reversal of a converted reversed entry: %v", err)
			}
			// The chain goes on from the converted head.
			e := post(t, db, points.Posting{Key: "award:9", Household: h1, Kind: points.Award, Points: 2, Item: "环境卫生", Memo: "review:9"})
			if e.Seq != 6 || e.Balance != bal[h1]+2 {
				t.Fatalf("the first new entry: %+v", e)
			}
			if problems, err := l.Verify(ctx); err != nil || len(problems) != 0 {
				t.Fatalf("verify after a new posting: %+v %v", problems, err)
			}
			// An entry edited in place is still caught.
			rawExec(t, db, `UPDATE ledger_entries SET delta = delta + 1, balance = balance + 1 WHERE id = 1`)
			problems, err := l.Verify(ctx)
			if err != nil || len(problems) == 0 || !strings.Contains(fmt.Sprint(problems), "keyed hash") {
				t.Fatalf("verify after an edit: %+v %v", problems, err)
			}
		})
	}
}

// TestLedgerKeySplit: a key is stored as a prefix and a number, and is
// always given back as it was.
func TestLedgerKeySplit(t *testing.T) {
	for _, c := range []struct {
		key    string
		prefix string
		num    int64
	}{
		{"award:1234", "award:", 1234},
		{"base:152221100210:2026-06:007", "base:152221100210:2026-06:00", 7},
		{"x000", "x00", 0},
		{"0", "", 0},
		{"no digits", "no digits", -1},
		{"", "", -1},
		{"123456789012345678", "", 123456789012345678},
		{"1234567890123456789", "1234567890123456789", -1},
		{"中文键9", "中文键", 9},
		{"a-1", "a-", 1},
	} {
		p, n := sqlstore.SplitKey(c.key)
		if p != c.prefix || n != c.num {
			t.Errorf("%q splits into %q %d, want %q %d", c.key, p, n, c.prefix, c.num)
		}
		back := p
		if n >= 0 {
			back += fmt.Sprint(n)
		}
		if back != c.key {
			t.Errorf("%q comes back as %q", c.key, back)
		}
	}
}
