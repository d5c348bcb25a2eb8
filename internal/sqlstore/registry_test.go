package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// The seed chain of the issue: 兴安盟 → 科尔沁右翼前旗 → 科尔沁镇 → 平安村.
const (
	xingan   = "152200000000"
	qianqi   = "152221000000"
	keerqin  = "152221100000"
	pingan   = "152221100210"
	daShiZai = "152221103000"
)

// admin is an official of the whole region who both keeps registers and
// manages regions.
var admin = &access.Actor{UserID: 1, Username: "admin", Grants: []access.Grant{{Role: access.Leader, Region: "150000000000"}, {Role: access.Operator, Region: "150000000000"}}}

func operatorAt(code string) *access.Actor {
	return &access.Actor{UserID: 2, Username: "op-" + code, Grants: []access.Grant{{Role: access.Operator, Region: code}}}
}

// person builds a valid resident whose ID number encodes birth and gender.
func person(name string, n int, birth string, g registry.Gender) registry.ResidentInput {
	seq := 2*n + 1
	if g == registry.Female {
		seq = 2 * n
	}
	first := "152221" + birth[0:4] + birth[5:7] + birth[8:10] + fmt.Sprintf("%03d", seq%1000)
	return registry.ResidentInput{Name: name, Ethnicity: "蒙古族", IDNumber: first + string(registry.CheckChar(first)), Relation: registry.Head, Political: "群众"}
}

func mustHousehold(t *testing.T, db *sqlstore.DB, village, number string, head registry.ResidentInput) *registry.Household {
	t.Helper()
	h, err := db.Registry().CreateHousehold(context.Background(), admin, registry.HouseholdInput{Number: number, VillageCode: village, Address: "一组"}, head)
	if err != nil {
		t.Fatalf("create household %s: %v", number, err)
	}
	return h
}

func TestMigrationsMatchAcrossDialects(t *testing.T) {
	lite, pg := sqlstore.MigrationNames(sqlstore.SQLite), sqlstore.MigrationNames(sqlstore.Postgres)
	if len(lite) == 0 || fmt.Sprint(lite) != fmt.Sprint(pg) {
		t.Fatalf("migration lists differ:\nsqlite   %v\npostgres %v", lite, pg)
	}
}

func TestRegions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if n, err := db.SeedRegions(ctx); err != nil || n != 0 {
			t.Fatalf("second seed wrote %d rows (%v), want 0", n, err)
		}
		path, err := db.Regions().Path(ctx, admin, pingan)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range path {
			names = append(names, r.Name)
		}
		if fmt.Sprint(names) != "[内蒙古自治区 兴安盟 科尔沁右翼前旗 科尔沁镇 平安村]" {
			t.Fatalf("path = %v", names)
		}
		mustHousehold(t, db, pingan, "001", person("巴特尔", 1, "1980-05-06", registry.Male))
		kids, err := db.Regions().Children(ctx, admin, qianqi)
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, k := range kids {
			if k.Code == keerqin {
				found = true
				if k.Households != 1 || k.Residents != 1 || k.Children == 0 || k.Kind != "镇" {
					t.Fatalf("科尔沁镇 counts = %+v", k)
				}
			} else if k.Households != 0 {
				t.Fatalf("%s has %d households, want 0", k.Name, k.Households)
			}
		}
		if !found {
			t.Fatal("科尔沁镇 not among the children of 科尔沁右翼前旗")
		}
		// A village official sees neither a sibling village nor the township.
		op := operatorAt(pingan)
		if _, err := db.Regions().Children(ctx, op, keerqin); !fault.Is(err, fault.NotFound) {
			t.Fatalf("village operator read the township: %v", err)
		}
		if err := db.Regions().Rename(ctx, op, pingan, "新平安村", "更名"); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("operator renamed a village: %v", err)
		}
	})
}

func TestVillageLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		rs := db.Regions()
		nv, err := rs.AddVillage(ctx, admin, keerqin, "新建村", "易地搬迁新建")
		if err != nil {
			t.Fatal(err)
		}
		if nv.Code != "152221100900" || nv.Kind != "村" {
			t.Fatalf("new village = %+v", nv)
		}
		if _, err := rs.AddVillage(ctx, admin, keerqin, "新建村", "重复"); !fault.Is(err, fault.Conflict) {
			t.Fatalf("duplicate name: %v", err)
		}
		if _, err := rs.AddVillage(ctx, admin, keerqin, "", ""); !fault.Is(err, fault.Invalid) {
			t.Fatalf("empty name: %v", err)
		}
		if err := rs.Rename(ctx, admin, nv.Code, "幸福村", "村民代表大会决议"); err != nil {
			t.Fatal(err)
		}
		a := mustHousehold(t, db, pingan, "001", person("张三", 1, "1970-01-02", registry.Male))
		b := mustHousehold(t, db, nv.Code, "001", person("李四", 2, "1971-02-03", registry.Male))
		mustHousehold(t, db, nv.Code, "002", person("王五", 3, "1972-03-04", registry.Male))
		if err := rs.Retire(ctx, admin, nv.Code, "撤销"); !fault.Is(err, fault.Conflict) {
			t.Fatalf("retired a village with households: %v", err)
		}
		if err := rs.Merge(ctx, admin, nv.Code, pingan, "合并"); err != nil {
			t.Fatal(err)
		}
		got, members, err := db.Registry().Household(ctx, admin, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.VillageCode != pingan || got.Number != "001-900" || len(members) != 1 || members[0].Name != "李四" {
			t.Fatalf("merged household = %+v", got)
		}
		if _, total, _ := db.Registry().Households(ctx, admin, registry.ListFilter{Region: pingan}); total != 3 {
			t.Fatalf("平安村 has %d households after merge, want 3", total)
		}
		if _, err := db.Registry().CreateHousehold(ctx, admin, registry.HouseholdInput{Number: "009", VillageCode: nv.Code}, person("赵六", 4, "1973-04-05", registry.Male)); !fault.Is(err, fault.Invalid) {
			t.Fatalf("registered in a merged village: %v", err)
		}
		hist, _ := rs.History(ctx, admin, nv.Code)
		if len(hist) != 3 || hist[0].Kind != "merged" || hist[1].OldName != "新建村" {
			t.Fatalf("history = %+v", hist)
		}
		empty, _ := rs.AddVillage(ctx, admin, keerqin, "空村", "测试")
		if err := rs.Retire(ctx, admin, empty.Code, "无人居住"); err != nil {
			t.Fatal(err)
		}
		_ = a
	})
}

func TestHouseholdsAndSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		reg := db.Registry()
		names := []string{"曾国强", "单田芳", "巴特尔", "张三", "阿拉坦"}
		for i, n := range names {
			mustHousehold(t, db, pingan, fmt.Sprintf("%03d", i+1), person(n, i+1, "1960-01-0"+fmt.Sprint(i+1), registry.Male))
		}
		list, total, err := reg.Households(ctx, admin, registry.ListFilter{Region: pingan})
		if err != nil || total != 5 {
			t.Fatalf("list: %d, %v", total, err)
		}
		var order []string
		for _, h := range list {
			order = append(order, h.HeadName)
		}
		// 单 reads shan and 曾 zeng as surnames: 阿 ba 单 shan, 曾 zeng, 张 zhang.
		if fmt.Sprint(order) != "[阿拉坦 巴特尔 单田芳 曾国强 张三]" {
			t.Fatalf("pinyin order = %v", order)
		}
		for q, want := range map[string]string{"stf": "单田芳", "zeng": "曾国强", "特尔": "巴特尔", "004": "张三"} {
			l, n, err := reg.Households(ctx, admin, registry.ListFilter{Query: q})
			if err != nil || n != 1 || l[0].HeadName != want {
				t.Errorf("search %q: %d results %v", q, n, err)
			}
		}
		p := person("阿拉坦", 5, "1960-01-05", registry.Male)
		_, n, _ := reg.Households(ctx, admin, registry.ListFilter{Query: p.IDNumber})
		_, n4, _ := reg.Households(ctx, admin, registry.ListFilter{Query: p.IDNumber[14:]})
		if n != 1 || n4 < 1 {
			t.Fatalf("search by full ID: %d, by last four: %d", n, n4)
		}
		// Duplicate ID number, with a field-level conflict naming the household.
		_, err = reg.CreateHousehold(ctx, admin, registry.HouseholdInput{Number: "099", VillageCode: pingan}, p)
		var fe *fault.Error
		if !fault.Is(err, fault.Conflict) || !asFault(err, &fe) || len(fe.Fields) != 1 || fe.Fields[0].Name != "id_number" {
			t.Fatalf("duplicate ID: %v", err)
		}
		// Scope: an operator of another village sees nothing and cannot forge ids.
		other := operatorAt("152221103212")
		if _, n, _ := reg.Households(ctx, other, registry.ListFilter{}); n != 0 {
			t.Fatalf("foreign operator sees %d households", n)
		}
		if _, _, err := reg.Household(ctx, other, list[0].ID); !fault.Is(err, fault.NotFound) {
			t.Fatalf("foreign operator read by id: %v", err)
		}
		daughter := person("钱七", 9, "1990-01-01", registry.Female)
		daughter.Relation = "女"
		if _, err := reg.AddResident(ctx, other, list[0].ID, daughter, ""); !fault.Is(err, fault.NotFound) {
			t.Fatalf("foreign operator added a member: %v", err)
		}
		if _, err := reg.CreateHousehold(ctx, other, registry.HouseholdInput{Number: "777", VillageCode: pingan}, person("孙八", 8, "1990-01-01", registry.Male)); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("foreign operator created a household in 平安村: %v", err)
		}
		if _, n, _ := reg.Households(ctx, operatorAt(keerqin), registry.ListFilter{}); n != 5 {
			t.Fatalf("township operator sees %d households, want 5", n)
		}
	})
}

func asFault(err error, target **fault.Error) bool {
	fe, ok := err.(*fault.Error)
	*target = fe
	return ok
}

func TestMembershipEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		reg := db.Registry()
		h := mustHousehold(t, db, pingan, "001", person("张大山", 1, "1950-03-01", registry.Male))
		wife := person("李桂兰", 1, "1952-04-02", registry.Female)
		wife.Relation = "配偶"
		son := person("张小山", 2, "1978-05-03", registry.Male)
		son.Relation = "子"
		son.Phone = "13812341234"
		dil := person("王芳", 3, "1980-06-04", registry.Female)
		dil.Relation = "儿媳"
		var ids []int64
		for _, m := range []registry.ResidentInput{wife, son, dil} {
			r, err := reg.AddResident(ctx, admin, h.ID, m, "出生/婚入")
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
		}
		if r, _ := reg.Resident(ctx, admin, ids[1]); r.PhoneMasked != "138****1234" || r.IDMasked[:4] != "1522" || r.IDNumber != "" {
			t.Fatalf("masked resident = %+v", r)
		}
		bad := person("张", 9, "1990-01-01", registry.Male)
		bad.Relation = registry.Head
		if _, err := reg.AddResident(ctx, admin, h.ID, bad, ""); !fault.Is(err, fault.Invalid) {
			t.Fatalf("second head: %v", err)
		}
		// Split: the son and his wife form a new household headed by the son.
		nh, err := reg.SplitHousehold(ctx, admin, registry.Split{From: h.ID, Members: []int64{ids[1], ids[2]}, NewHead: ids[1], Number: "002",
			Relations: map[int64]string{ids[2]: "配偶"}, Reason: "分家"})
		if err != nil {
			t.Fatal(err)
		}
		if nh.Members != 2 || nh.HeadName != "张小山" {
			t.Fatalf("new household = %+v", nh)
		}
		if _, err := reg.SplitHousehold(ctx, admin, registry.Split{From: h.ID, Members: []int64{h.HeadID, ids[0]}, NewHead: ids[0], Number: "003", Reason: "x"}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("split of every member accepted: %v", err)
		}
		// The old head dies: first the head changes, then the status.
		if err := reg.SetResidentStatus(ctx, admin, h.HeadID, registry.Deceased, "病故"); !fault.Is(err, fault.Conflict) {
			t.Fatalf("head marked deceased: %v", err)
		}
		if err := reg.ChangeHead(ctx, admin, h.ID, ids[0], "配偶", "户主病故"); err != nil {
			t.Fatal(err)
		}
		if err := reg.SetResidentStatus(ctx, admin, h.HeadID, registry.Deceased, "病故"); err != nil {
			t.Fatal(err)
		}
		// The widow moves in with her son; her household merges into his.
		if err := reg.MergeHouseholds(ctx, admin, h.ID, nh.ID, "随子生活"); err != nil {
			t.Fatal(err)
		}
		old, members, _ := reg.Household(ctx, admin, h.ID)
		if old.Status != registry.HouseholdMerged || old.Members != 0 || len(members) != 1 || members[0].Status != registry.Deceased {
			t.Fatalf("merged household = %+v, members %+v", old, members)
		}
		got, members, _ := reg.Household(ctx, admin, nh.ID)
		if got.Members != 3 || members[0].Name != "张小山" {
			t.Fatalf("receiving household = %+v", got)
		}
		hist, _ := reg.History(ctx, admin, nh.ID)
		kinds := map[string]int{}
		for _, e := range hist {
			kinds[e.Kind]++
		}
		if kinds["split_into"] != 1 || kinds["moved_in"] != 2 || kinds["merged_from"] != 1 {
			t.Fatalf("history kinds = %v", kinds)
		}
		baby := person("新人", 7, "2020-01-01", registry.Female)
		baby.Relation = "孙女"
		if _, err := reg.AddResident(ctx, admin, h.ID, baby, ""); !fault.Is(err, fault.Conflict) {
			t.Fatal("added a member to a merged household")
		}
		rows, problem, err := db.VerifyAudit(ctx)
		if err != nil || problem != nil || rows < 10 {
			t.Fatalf("audit: %d rows, %+v, %v", rows, problem, err)
		}
	})
}
