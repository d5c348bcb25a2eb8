package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/market"
	"shanzhi/internal/password"
	"shanzhi/internal/photo"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/synth"
)

// The demo's seat: 兴安盟 → 科尔沁右翼前旗 → 科尔沁镇 → 平安村.
const (
	demoVillagerPhone = "17000000001"
	demoLeague        = "152200000000"
	demoTownship      = "152221100000"
	demoVillage       = "152221100210"
	province          = "150000000000"
)

type demoAccount struct {
	username, display string
	grants            []access.Grant
	mustChange        bool
}

// demoAccounts are the accounts the demo hands out, one per kind of user,
// without a second factor; each start prints fresh passwords.
func demoAccounts() []demoAccount {
	g := func(r access.Role, code string) access.Grant { return access.Grant{Role: r, Region: code} }
	return []demoAccount{
		{"admin", "系统管理员", []access.Grant{g(access.SysAdmin, province)}, true},
		{"security", "安全管理员", []access.Grant{g(access.SecAdmin, province)}, false},
		{"auditor", "审计管理员", []access.Grant{g(access.AuditAdmin, province)}, false},
		{"xingan", "兴安盟领导", []access.Grant{g(access.Leader, demoLeague)}, false},
		{"qianqi", "科右前旗干部", []access.Grant{g(access.Leader, demoBanner)}, false},
		{"keerqin", "科尔沁镇干部", []access.Grant{g(access.Leader, demoTownship), g(access.Operator, demoTownship)}, false},
		{"pingan", "平安村经办人", []access.Grant{g(access.Operator, demoVillage)}, false},
		{"pingan-review", "平安村审核人", []access.Grant{g(access.Reviewer, demoVillage)}, false},
		{"pingan-shop", "平安村积分超市管理员", []access.Grant{g(access.Clerk, demoVillage)}, false},
		{"keerqin-org", "科尔沁镇组织干部", []access.Grant{g(access.OrgStaff, demoTownship)}, false},
	}
}

func cmdDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, db, err := loadAndOpen(ctx, "demo", args, getenv, stdout, stderr, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := seedDemo(ctx, db, stdout); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "demo accounts (演示账号):")
	accounts := append(append(append(demoAccounts(), demoGridAccounts...), demoScopedAccounts...), demoAccount{username: demoVillage + "-001", display: "村民（手机号 " + demoVillagerPhone + " 登录）"})
	for _, a := range accounts {
		pw := password.Random()
		if err := db.SetPassword(ctx, nil, a.username, pw, a.mustChange); err != nil {
			return err
		}
		note := ""
		if a.mustChange {
			note = "  (one-time: change it at first sign-in)"
		}
		fmt.Fprintf(stdout, "  %-8s %s  %s%s\n", a.username, pw, a.display, note)
	}
	return listenAndServe(ctx, cfg, db, true, stdout, stderr)
}

// seedDemo creates the demo accounts and, on a database without any
// households, loads a township of synthetic households through the same
// import path a clerk uses, so the demo exercises it on every first start.
func seedDemo(ctx context.Context, db *sqlstore.DB, stdout io.Writer) error {
	n, err := db.CountUsers(ctx)
	if err != nil {
		return err
	}
	var admin *access.Actor // the township official who loads the data
	if n == 0 {
		for _, a := range demoAccounts() {
			id, err := db.CreateUser(ctx, nil, a.username, a.display, password.Random(), a.grants)
			if err != nil {
				return err
			}
			if a.username == "keerqin" {
				admin = &access.Actor{UserID: id, Username: a.username, Grants: a.grants}
			}
		}
	}
	if admin == nil {
		return nil // the demo data came with the accounts, on the first start
	}
	reg := db.Registry()
	kids, err := db.Regions().Children(ctx, admin, demoTownship)
	if err != nil {
		return err
	}
	gen := synth.New(2026, time.Now())
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"户号", "所属村", "家庭住址", "姓名", "蒙古文姓名", "性别", "民族", "出生日期", "身份证号", "手机号", "与户主关系", "政治面貌"})
	rows := 0
	for _, v := range kids {
		size := 30
		if v.Code == demoVillage {
			size = 120
		}
		for _, h := range gen.Households(v.Code, size, 0.45) {
			for _, m := range h.Members {
				w.Write([]string{h.Input.Number, v.Code, h.Input.Address, m.Name, m.NameMongol, string(m.Gender), m.Ethnicity, m.BirthDate, m.IDNumber, m.Phone, m.Relation, m.Political})
				rows++
			}
		}
	}
	w.Flush()
	batch, err := reg.StageImport(ctx, admin, demoTownship, "demo.csv", buf.Bytes())
	if err != nil {
		return err
	}
	rep, err := reg.RunImport(ctx, admin, batch, registry.All)
	if err != nil {
		return fmt.Errorf("demo data: %w (%+v)", err, rep.Problems)
	}
	fmt.Fprintf(stdout, "loaded demo data: %d households, %d residents in %d villages of 科尔沁镇\n", rep.NewHouseholds, rep.NewResidents, len(kids))
	// A villager account for the first household of 平安村, signing in
	// with a reserved demo number.
	list, _, err := reg.Households(ctx, admin, registry.ListFilter{Region: demoVillage, ByNumber: true, Limit: 1})
	if err != nil || len(list) == 0 {
		return err
	}
	if _, err = db.Users(access.DefaultPolicy()).IssueVillager(ctx, admin, list[0].ID, demoVillagerPhone); err != nil {
		return err
	}
	if err := seedPoints(ctx, db, admin, stdout); err != nil {
		return err
	}
	if err := seedMarket(ctx, db, admin, stdout); err != nil {
		return err
	}
	if err := seedTalent(ctx, db, stdout); err != nil {
		return err
	}
	if err := seedBilingual(ctx, db, admin, stdout); err != nil {
		return err
	}
	if err := seedOrg(ctx, db, stdout); err != nil {
		return err
	}
	if err := seedSurvey(ctx, db, stdout); err != nil {
		return err
	}
	if err := seedTraining(ctx, db, stdout); err != nil {
		return err
	}
	if err := seedUnitNominations(ctx, db, stdout); err != nil {
		return err
	}
	return seedHonours(ctx, db, admin, stdout)
}

// seedPoints gives the demo township the default scheme, in force for a
// year with a one-day notice, and a year of finished awards; then every
// household of 平安村 a base score and a few awards waiting for the
// committee or on a notice that closes tomorrow, so every points page has
// something to show and a visitor can watch a notice close.
func seedPoints(ctx context.Context, db *sqlstore.DB, official *access.Actor, stdout io.Writer) error {
	rev, err := reviewService(db)
	if err != nil {
		return err
	}
	if err := seedPointsHistory(ctx, db, rev, official, stdout); err != nil {
		return err
	}
	list, _, err := db.Registry().Households(ctx, official, registry.ListFilter{Region: demoVillage, ByNumber: true, Limit: 500})
	if err != nil {
		return err
	}
	items := []string{"env-03", "pub-01", "ind-03", "cus-01", "env-02"}
	for i, h := range list {
		if _, err := db.Ledger().Post(ctx, official, points.Posting{Key: fmt.Sprintf("demo-base-%d", h.ID), Household: h.ID, Kind: points.Base, Points: 100, Item: "基础分"}); err != nil {
			return err
		}
		if i%4 == 0 {
			// Each award carries a photo, so the review queue shows what
			// the committee looks at; a swatch stands in for the picture.
			p, err := db.Photos().Upload(ctx, official, photo.Swatch(byte(i)))
			if err != nil {
				return err
			}
			in := points.AwardInput{Key: fmt.Sprintf("demo-award-%d", h.ID), Household: h.ID, Item: items[i%len(items)], Evidence: "村委会检查记录", Witness: "网格员", Photos: []int64{p.ID}}
			if _, err := db.Awards(rev).Record(ctx, official, in); err != nil {
				return fmt.Errorf("demo award %s: %w", in.Item, err)
			}
		}
	}
	// The committee has approved some of this month's: they are on a
	// notice that closes tomorrow.
	committee := demoCommittee()
	pending, err := rev.Items(ctx, committee, review.Filter{Region: demoVillage, State: review.Pending, Limit: 100})
	if err != nil {
		return err
	}
	for i, it := range pending {
		if i%2 == 0 {
			if _, err := rev.Decide(ctx, committee, it.ID, review.Approve, ""); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(stdout, "loaded demo points: base score for %d households of 平安村, awards waiting for the committee or on notice\n", len(list))
	return nil
}

// seedMarket opens 平安村's points supermarket with a shelf of everyday
// goods, one donation whose donor agreed to be thanked, and the demo clerk
// assigned to its counter.
func seedMarket(ctx context.Context, db *sqlstore.DB, official *access.Actor, stdout io.Writer) error {
	m := db.Market()
	st, err := m.CreateStore(ctx, official, market.StoreInput{Region: demoVillage, Name: "平安村积分超市", Address: "村委会一楼"})
	if err != nil {
		return err
	}
	goods := []struct {
		name, category, unit string
		price, stock, limit  int64
	}{{"洗衣粉", "日用品", "袋", 10, 60, 0}, {"肥皂", "日用品", "块", 5, 120, 0}, {"食用油", "粮油", "桶", 50, 30, 2},
		{"大米", "粮油", "袋", 40, 40, 2}, {"毛巾", "日用品", "条", 8, 80, 0}, {"作业本", "文具", "本", 2, 200, 0}}
	for _, g := range goods {
		in := market.GoodsInput{Store: st.ID, Name: g.name, Category: g.category, Unit: g.unit, Price: g.price, OnShelf: true}
		if g.limit > 0 {
			in.Limit, in.LimitPer = g.limit, market.Month
		}
		item, err := m.SaveGoods(ctx, official, in)
		if err != nil {
			return err
		}
		if _, err := m.Receive(ctx, official, market.Inbound{Store: st.ID, Goods: item.ID, Qty: g.stock, Source: market.Funds}); err != nil {
			return err
		}
		if g.name == "作业本" {
			if _, err := m.Receive(ctx, official, market.Inbound{Store: st.ID, Goods: item.ID, Qty: 100, Source: market.Enterprise, Donor: "科尔沁文具厂", Thank: true}); err != nil {
				return err
			}
		}
	}
	if err := m.AssignClerk(ctx, official, st.ID, "pingan-shop", false); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loaded demo supermarket: %s with %d goods, clerk pingan-shop\n", st.Name, len(goods))
	return nil
}
