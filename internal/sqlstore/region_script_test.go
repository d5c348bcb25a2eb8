package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"shanzhi/internal/fault"
	"shanzhi/internal/mongol"
	"shanzhi/internal/region"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// ᠪᠠᠶᠠᠨ (Bayan), the Mongolian name of the gacha below.
const bayanMn = "\u182A\u1820\u1836\u1820\u1828"

// TestPublicScript covers a village's choice of script: a gacha writes
// bilingual and a 村 Chinese until someone chooses, the choice is kept in
// the history, and bad input changes nothing.
func TestPublicScript(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		rs := db.Regions()
		gacha, err := rs.AddVillage(ctx, admin, keerqin, "巴彦嘎查", "新设嘎查")
		if err != nil {
			t.Fatal(err)
		}
		if !gacha.Bilingual() {
			t.Fatal("a new gacha is not bilingual by default")
		}
		if p, err := rs.PublicScript(ctx, pingan); err != nil || p.Bilingual() {
			t.Fatalf("平安村 bilingual = %v (%v), want Chinese only by default", p != nil && p.Bilingual(), err)
		}
		if err := rs.SetScript(ctx, admin, pingan, region.ScriptBilingual, "  "+bayanMn+"\u180B ", "村民大会决定"); err != nil {
			t.Fatal(err)
		}
		p, err := rs.PublicScript(ctx, pingan)
		if err != nil || !p.Bilingual() || p.NameMongol != bayanMn+"\u180B" {
			t.Fatalf("after the choice: %+v (%v)", p, err)
		}
		hist, err := rs.History(ctx, admin, pingan)
		if err != nil || len(hist) == 0 || hist[0].Kind != "script" || hist[0].NewName != "mn-zh "+bayanMn+"\u180B" || hist[0].Reason != "村民大会决定" {
			t.Fatalf("history = %+v (%v)", hist, err)
		}
		for _, c := range []struct {
			name, code string
			script     region.Script
			mn, reason string
			want       fault.Code
		}{
			{"unknown choice", pingan, "mn", "", "理由", fault.Invalid},
			{"legacy input", pingan, region.ScriptChinese, "\uE2D1\uE27B", "理由", fault.Invalid},
			{"Latin for Mongolian", pingan, region.ScriptChinese, "Bayan", "理由", fault.Invalid},
			{"no reason", pingan, region.ScriptChinese, "", "", fault.Invalid},
			{"another township's village", "152221103212", region.ScriptChinese, "", "理由", fault.Forbidden},
		} {
			actor := admin
			if c.want == fault.Forbidden {
				actor = operatorAt(keerqin)
			}
			err := rs.SetScript(ctx, actor, c.code, c.script, c.mn, c.reason)
			if c.want == fault.Forbidden {
				// An operator does not manage regions: refused or not
				// found, never done.
				if err == nil {
					t.Errorf("%s: accepted", c.name)
				}
				continue
			}
			if !fault.Is(err, c.want) {
				t.Errorf("%s: err = %v, want %s", c.name, err, c.want)
			}
		}
		// A township chooses too: its certificates and boards follow it.
		if err := rs.SetScript(ctx, admin, keerqin, region.ScriptBilingual, "", "旗委组织部通知"); err != nil {
			t.Fatal(err)
		}
		if town, err := rs.PublicScript(ctx, keerqin); err != nil || !town.Bilingual() {
			t.Errorf("the township's choice: %v %+v", err, town)
		}
		if p, _ := rs.PublicScript(ctx, pingan); !p.Bilingual() || p.NameMongol != bayanMn+"\u180B" {
			t.Fatalf("a refused change changed the village: %+v", p)
		}
	})
}

// TestMongolianNameSearch finds a resident by a Mongolian name typed
// another way (a variation selector, o for u, a narrow space), lists
// residents in Mongolian alphabetical order, and refuses a name typed
// with a legacy input method.
func TestMongolianNameSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		head := person("巴图", 1, "1980-05-06", registry.Male)
		head.NameMongol = "\u182A\u1820\u1832\u180B\u1824" // ᠪᠠᠲ᠋ᠤ with FVS1
		h := mustHousehold(t, db, pingan, "M-01", head)
		other := person("巴雅尔", 2, "1981-05-06", registry.Male)
		other.NameMongol = "\u182A\u1820\u1836\u1820\u1837"
		mustHousehold(t, db, pingan, "M-02", other)
		for _, q := range []string{"\u182A\u1820\u1832\u1824", "\u182A\u1820\u1832\u1823", " \u182A\u1820\u1833\u1824\u202F"} {
			rs, n, err := db.Registry().Residents(ctx, admin, registry.ResidentFilter{Region: pingan, Query: q})
			if err != nil || n != 1 || rs[0].HouseholdID != h.ID {
				t.Errorf("search %q: %d found (%v), want 巴图 only", q, n, err)
			}
		}
		// In Mongolian order ᠨ (n) comes before ᠪ (b), and names recorded
		// in Chinese only follow; pinyin would put 那仁 after both 巴.
		naran := person("那仁", 4, "1983-05-06", registry.Male)
		naran.NameMongol = "\u1828\u1820\u1837\u1820\u1828"
		mustHousehold(t, db, pingan, "M-04", naran)
		mustHousehold(t, db, pingan, "M-05", person("阿木", 5, "1984-05-06", registry.Male))
		rs, _, err := db.Registry().Residents(ctx, admin, registry.ResidentFilter{Region: pingan, MongolOrder: true})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range rs {
			names = append(names, r.Name)
		}
		if got := strings.Join(names, " "); got != "那仁 巴图 巴雅尔 阿木" {
			t.Errorf("Mongolian order: %s", got)
		}
		bad := person("乌云", 3, "1982-05-06", registry.Female)
		bad.NameMongol = "\uE2D1\uE27B\uE2F4"
		_, err = db.Registry().CreateHousehold(ctx, admin, registry.HouseholdInput{Number: "M-03", VillageCode: pingan}, bad)
		if !fault.Is(err, fault.Invalid) {
			t.Fatalf("legacy Mongolian accepted: %v", err)
		}
		if _, n, _ := db.Registry().Households(ctx, admin, registry.ListFilter{Region: pingan, Query: "M-03"}); n != 0 {
			t.Fatal("a refused household was stored")
		}
	})
}

// TestMongolianKeysBackfill runs migration 0029's backfill of the search
// and sort keys on residents whose keys are blank, as rows stored before
// it are, and finds the keys mongol.Key and mongol.SortKey give: the SQL
// and the Go must agree, or an old resident is missing from searches.
func TestMongolianKeysBackfill(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		names := []string{"\u182A\u1820\u1832\u180B\u1824\u202F\u1836\u1822\u1828", "\u1830\u1820\u1837\u1820\u1828\u180E\u1820 \u182C\u1823\u1825", "\u1828\u200D\u1820\u1827\u1832"}
		for i, mn := range names {
			p := person([]string{"宝音", "萨仁", "那顺"}[i], 60+i, "1980-05-06", registry.Male)
			p.NameMongol = mn
			mustHousehold(t, db, pingan, fmt.Sprint("K-", i), p)
		}
		sqlText, err := os.ReadFile(filepath.Join("migrations", string(db.Dialect()), "0029_bilingual.sql"))
		if err != nil {
			t.Fatal(err)
		}
		backfill := regexp.MustCompile(`(?s)UPDATE residents SET name_mongol_key = .*?;`).Find(sqlText)
		if backfill == nil {
			t.Fatal("no backfill in migration 0029")
		}
		if err := db.RawExec(ctx, `UPDATE residents SET name_mongol_key = '', name_mongol_sort = ''`); err != nil {
			t.Fatal(err)
		}
		if err := db.RawExec(ctx, string(backfill)); err != nil {
			t.Fatal(err)
		}
		for _, mn := range names {
			var key, sort string
			if err := db.RawRow(ctx, `SELECT name_mongol_key, name_mongol_sort FROM residents WHERE name_mongol = ?`, mn).Scan(&key, &sort); err != nil {
				t.Fatal(err)
			}
			if key != mongol.Key(mn) || sort != mongol.SortKey(mn) {
				t.Errorf("%q: backfill gave %q / %q, Go gives %q / %q", mn, key, sort, mongol.Key(mn), mongol.SortKey(mn))
			}
		}
	})
}
