package sqlstore_test

import (
	"context"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestImportMongolianNames imports a GB18030 ledger with Mongolian names
// and imports it again as another clerk typed it: the member without an ID
// number, whose Chinese transcription and Mongolian spelling both differ
// the second time, is found by the Mongolian key rather than registered
// twice; a name typed with a legacy input method is reported on its row.
func TestImportMongolianNames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		reg := db.Registry()
		head := idFor("19700101", 41)
		load := func(member, memberMongol string) *registry.ImportReport {
			t.Helper()
			csv := "户号,所属村,姓名,蒙古文姓名,性别,民族,出生日期,身份证号,与户主关系\r\n" +
				"M-1,平安村,苏和,\u1830\u1826\u182C\u1821,男,蒙古族,," + head + ",户主\r\n" +
				"M-1,平安村," + member + "," + memberMongol + ",男,蒙古族,2001-04-05,,子\r\n"
			gb, err := simplifiedchinese.GB18030.NewEncoder().String(csv)
			if err != nil {
				t.Fatal(err)
			}
			batch, err := reg.StageImport(ctx, admin, pingan, "mn.csv", []byte(gb))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := reg.RunImport(ctx, admin, batch, registry.SkipBad)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		if rep := load("巴特", "\u182A\u1820\u1832\u180B\u1824"); rep.NewHouseholds != 1 || rep.NewResidents != 2 || rep.Rejected != 0 {
			t.Fatalf("first import: %+v", rep)
		}
		if rep := load("巴图", "\u182A\u1820\u1832\u1823"); rep.NewResidents != 0 || rep.Updated+rep.Unchanged != 2 {
			t.Fatalf("second import registered someone twice: %+v", rep)
		}
		rep := load("宝音", "\uE2D1\uE27B")
		if rep.Rejected != 1 || len(rep.Problems) != 1 || rep.Problems[0].Column != "蒙古文姓名" || rep.Problems[0].Msg.Key != "registry.name_mongol.legacy" {
			t.Fatalf("legacy Mongolian: %+v", rep)
		}
		rs, n, err := reg.Residents(ctx, admin, registry.ResidentFilter{Region: pingan, Query: "\u182A\u1820\u1833\u1824"})
		if err != nil || n != 1 || rs[0].Name != "巴图" || rs[0].NameMongol != "\u182A\u1820\u1832\u1823" {
			t.Fatalf("the member after two imports: %d %+v (%v)", n, rs, err)
		}
	})
}
