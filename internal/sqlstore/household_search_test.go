package sqlstore_test

import (
	"context"
	"testing"

	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestHouseholdSearchByNumber searches by 户号: the household whose 户号
// is the entry comes first, then those whose 户号 begins with it, then a
// member whose ID number ends with it; a prefix such as HH finds every
// 户号 beginning with it.
func TestHouseholdSearchByNumber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		member := person("钱一", 6, "1980-01-01", registry.Male)
		tail := member.IDNumber[14:]
		for _, c := range []struct {
			number string
			head   registry.ResidentInput
		}{
			{"B01", member}, // matches by the last four of the ID number
			{tail + "7", person("孙二", 7, "1981-02-02", registry.Male)},
			{tail, person("李三", 8, "1982-03-03", registry.Male)},
			{"HH0012", person("周四", 9, "1983-04-04", registry.Male)},
			{"HH0013", person("吴五", 10, "1984-05-05", registry.Male)},
		} {
			if _, err := db.Registry().CreateHousehold(ctx, admin, registry.HouseholdInput{Number: c.number, VillageCode: pingan}, c.head); err != nil {
				t.Fatalf("%s: %v", c.number, err)
			}
		}
		numbers := func(q string) []string {
			hs, _, err := db.Registry().Households(ctx, admin, registry.ListFilter{Region: pingan, Query: q})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, h := range hs {
				out = append(out, h.Number)
			}
			return out
		}
		if got := numbers(tail); len(got) != 3 || got[0] != tail || got[1] != tail+"7" || got[2] != "B01" {
			t.Errorf("search %s: %v, want the exact 户号, then the one beginning with it, then the ID match", tail, got)
		}
		if got := numbers("HH"); len(got) != 2 {
			t.Errorf("search HH: %v, want HH0012 and HH0013", got)
		}
	})
}
