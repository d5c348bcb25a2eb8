package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"shanzhi/internal/market"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore/storetest"
)

// rawExec changes a database behind the product's back, as damage or a
// person with a database client would.
func rawExec(t *testing.T, dsn, q string) {
	t.Helper()
	driver, name := "pgx", dsn
	if p, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		driver, name = "sqlite", p
	}
	raw, err := sql.Open(driver, name)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestVerifyFindsDamage seeds the demo township with awards and a
// redemption, checks that verify passes it, then damages it the ways a
// rotation under a running server and a torn copy do: a keyed hash that
// no longer matches its sealed ID number, an award whose review item is
// gone, an award whose audit record is not found, a redemption whose
// stock moves are gone. verify must fail naming
// each.
func TestVerifyFindsDamage(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			place := newPlace(t, engine, filepath.Join(t.TempDir(), "k.key"))
			db, official := seedPlace(t, place)
			households, _, err := db.Registry().Households(ctx, official, registry.ListFilter{Region: demoVillage, Limit: 5})
			if err != nil || len(households) == 0 {
				t.Fatalf("households: %v", err)
			}
			store, goods := drillShop(t, db, official, households[:1])
			r, err := db.Market().Redeem(ctx, official, market.Basket{Key: "verify-1", Store: store, Household: households[0].ID, Items: []market.Item{{Goods: goods, Qty: 2}}})
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			out, err := runCmd(t, append([]string{"verify"}, place.args...)...)
			if err != nil || strings.Count(out, "通过") < 3 {
				t.Fatalf("verify of a sound database: %v\n%s", err, out)
			}

			rawExec(t, place.dsn, `UPDATE residents SET id_hash = 'ffffffffffffffffffffffffffffffffffffffff' WHERE id = (SELECT min(id) FROM residents WHERE id_hash IS NOT NULL)`)
			rawExec(t, place.dsn, `UPDATE awards SET review_id = review_id + 1000000 WHERE id = (SELECT min(id) FROM awards)`)
			rawExec(t, place.dsn, `UPDATE awards SET idem_key = 'import:999999:1' WHERE id = (SELECT max(id) FROM awards)`)
			rawExec(t, place.dsn, `UPDATE stock_moves SET redemption_id = 0 WHERE redemption_id = `+itoa(r.ID))
			out, err = runCmd(t, append([]string{"verify"}, place.args...)...)
			if err == nil {
				t.Fatalf("verify passed a damaged database:\n%s", out)
			}
			for _, want := range []string{"表 residents 第", "id_hash 与密封的值在当前索引密钥下不符", "缺少它的审核事项", "缺少它所属导入表的审计记录（import:999999）", "兑换 " + itoa(r.ID) + "：库存流水与明细的数量不符"} {
				if !strings.Contains(out, want) {
					t.Errorf("verify did not say %q:\n%s", want, out)
				}
			}
		})
	}
}

// TestVerifyDamagedFile damages an index page of a SQLite copy, as a copy
// taken with cp under write load can be: verify must report the engine's
// complaint, and restore must refuse the file with a message that holds
// no stray <nil>.
func TestVerifyDamagedFile(t *testing.T) {
	ctx := context.Background()
	place := newPlace(t, "sqlite", filepath.Join(t.TempDir(), "k.key"))
	db, _ := seedPlace(t, place)
	db.Close()
	path := strings.TrimPrefix(place.dsn, "sqlite:")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	var root, pageSize int64
	if err := raw.QueryRowContext(ctx, `SELECT rootpage FROM sqlite_master WHERE name = 'awards_household'`).Scan(&root); err != nil {
		t.Fatal(err)
	}
	raw.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize)
	raw.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	raw.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	junk := []byte(strings.Repeat("\xff", 12))
	if _, err := f.WriteAt(junk, (root-1)*pageSize); err != nil {
		t.Fatal(err)
	}
	f.Close()

	out, err := runCmd(t, append([]string{"verify"}, place.args...)...)
	if err == nil || !strings.Contains(out, "数据库文件损坏") {
		t.Fatalf("verify of a damaged file: %v\n%s", err, out)
	}
	fresh := t.TempDir()
	_, err = runCmd(t, "restore", "-data-dir", fresh, "-key-file", place.args[3], path)
	if err == nil || !strings.Contains(err.Error(), "损坏") || strings.Contains(err.Error(), "<nil>") {
		t.Fatalf("restore of a damaged file: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
