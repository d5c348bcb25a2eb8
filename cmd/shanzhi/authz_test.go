package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/config"
	"shanzhi/internal/market"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/scheme"
	"shanzhi/internal/server"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// The regions of the authorisation test: every role is granted at 科尔沁镇
// (T); 平安村 (V) is below it, 科尔沁右翼前旗 (B) above it, and 大石寨镇 (T2)
// with its village V2 is a sibling.
const (
	azT  = "152221100000"
	azV  = "152221100210"
	azB  = "152221000000"
	azT2 = "152221103000"
	azV2 = "152221103212"
)

// markers are strings only the sibling township's records contain; no
// refused response may carry one.
var azMarkers = []string{"外村户主", "外村成员", "X-999"}

func azID(birth string, seq int) string {
	first := "152221" + birth + fmt.Sprintf("%03d", seq)
	return first + string(registry.CheckChar(first))
}

type azWorld struct {
	h1, h2, m1, m2, victim int64
	batch                  int64
	item1, item2           int64 // award reviews in own and sibling villages
}

func azSetup(t *testing.T, db *sqlstore.DB) azWorld {
	ctx := context.Background()
	sys := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: province}, {Role: access.Leader, Region: province}}}
	reg := db.Registry()
	var w azWorld
	mk := func(village, number, head, member string, seq int) (int64, int64) {
		h, err := reg.CreateHousehold(ctx, sys, registry.HouseholdInput{Number: number, VillageCode: village, Address: "一组"},
			registry.ResidentInput{Name: head, Ethnicity: "汉族", IDNumber: azID("19700101", seq), Phone: "13812340000", Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := reg.AddResident(ctx, sys, h.ID, registry.ResidentInput{Name: member, Ethnicity: "汉族", IDNumber: azID("20000101", seq+1), Relation: "子", Political: "群众"}, "出生")
		if err != nil {
			t.Fatal(err)
		}
		return h.ID, m.ID
	}
	w.h1, w.m1 = mk(azV, "A-001", "本村户主", "本村成员", 11)
	w.h2, w.m2 = mk(azV2, "X-999", "外村户主", "外村成员", 21)
	var err error
	if w.victim, err = db.CreateUser(ctx, nil, "victim", "victim", "Other-Pass-9", nil); err != nil {
		t.Fatal(err)
	}
	rev, err := reviewService(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		town string
		hh   int64
		out  *int64
	}{{azT, w.h1, &w.item1}, {azT2, w.h2, &w.item2}} {
		if _, err := db.Schemes().Create(ctx, sys, scheme.FromTemplate, scheme.Scheme{Region: c.town}); err != nil {
			t.Fatal(err)
		}
		aw, err := db.Awards(rev).Record(ctx, sys, points.AwardInput{Key: fmt.Sprint("az", c.hh), Household: c.hh, Item: "env-03"})
		if err != nil {
			t.Fatal(err)
		}
		*c.out = aw.ReviewID
	}
	csv := "户号,姓名,民族,身份证号,与户主关系\n B-1,某人,汉族," + azID("19800101", 31) + ",户主\n"
	if w.batch, err = reg.StageImport(ctx, sys, azV, "x.csv", []byte(csv)); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestAuthorizationMatrix walks every route of the pages and the API, for
// every role held at 科尔沁镇, against objects in its own township, a
// village below it, the banner above it, a sibling township, and forged
// ids. A route whose rule allows the call must not refuse it; one whose
// rule refuses it must answer 401/403/404/409/422 without any of the
// sibling's data, and must change nothing there.
func TestAuthorizationMatrix(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	ctx := context.Background()
	world := azSetup(t, db)
	cfg := config.Default()
	cfg.DataDir = filepath.Dir(t.TempDir())
	hd, routes, err := handler(cfg, db, true, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(hd)
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	pol := access.DefaultPolicy()
	pol.SkipMFA = true
	auth := db.Auth(pol)
	type session struct{ token, csrf string }
	sessions := map[access.Role]session{}
	orgs := azOrg(t, db, world)
	grants := map[access.Role]access.Grant{}
	for _, role := range access.Roles {
		g := access.Grant{Role: role, Region: azT}
		switch {
		case role == access.Villager:
			g = access.Grant{Role: role, Region: azV, Household: world.h1}
		case role.GridScoped():
			// A grid leader or worker holds their role for grid1 of
			// 平安村; targets say separately what such a grant reaches.
			g = access.Grant{Role: role, Region: azV, Grid: orgs.grid1}
		case role.OrgScopable():
			// The secretary holds their role for branch org1 of 平安村,
			// beside which the village homes a joint branch, org3.
			g = access.Grant{Role: role, Region: azV, Org: orgs.org1}
		case role.UnitScoped():
			// A unit's staff for unit1, beside unit3 of the same village.
			g = access.Grant{Role: role, Region: azV, Unit: orgs.unit1}
		}
		grants[role] = g
		name := "u-" + string(role)
		if _, err := db.CreateUser(ctx, nil, name, name, "First-Pass-1", []access.Grant{g}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetPassword(ctx, nil, name, "Second-Pass-2", false); err != nil {
			t.Fatal(err)
		}
		tok, err := auth.Login(ctx, name, "Second-Pass-2")
		if err != nil {
			t.Fatal(err)
		}
		s, err := auth.Session(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		sessions[role] = session{tok, s.CSRF}
	}
	shops := azStores(t, db, "u-"+string(access.Clerk))
	tal := azTalent(t, db)
	photo1, photo2 := azPhotos(t, db, world)
	trs := azTraining(t, db, orgs.cadre1, orgs.cadre2)
	survey1, survey2 := azSurveys(t, db)
	hon := azHonour(t, db, world)
	before, _ := db.Registry().History(ctx, &access.Actor{Grants: []access.Grant{{Role: access.Leader, Region: province}}}, world.h2)

	type target struct {
		label string
		path  func(string) string
		in    bool
		// grid is whether a grant for grid1 at 平安村 (a grid leader's,
		// a grid worker's) reaches the target; in is for every other
		// grant, held at 科尔沁镇.
		grid bool
	}
	sub := func(k, v string) func(string) string {
		return func(p string) string { return strings.Replace(p, "{"+k+"}", v, 1) }
	}
	query := func(region string) func(string) string {
		return func(p string) string {
			if region == "" {
				return p
			}
			return p + "?region=" + region
		}
	}
	targets := map[server.Target][]target{
		server.OnRegion:    {{"own township", sub("code", azT), true, false}, {"child village", sub("code", azV), true, true}, {"parent banner", sub("code", azB), false, false}, {"sibling township", sub("code", azT2), false, false}, {"sibling village", sub("code", azV2), false, false}, {"forged code", sub("code", "999999999999"), false, false}},
		server.OnHousehold: {{"own household", sub("id", fmt.Sprint(world.h1)), true, false}, {"sibling household", sub("id", fmt.Sprint(world.h2)), false, false}, {"forged id", sub("id", "987654"), false, false}},
		server.OnResident:  {{"own resident", sub("id", fmt.Sprint(world.m1)), true, false}, {"sibling resident", sub("id", fmt.Sprint(world.m2)), false, false}, {"forged id", sub("id", "987654"), false, false}},
		server.OnQuery:     {{"own scope", query(""), true, true}, {"own township", query(azT), true, false}, {"child village", query(azV), true, true}, {"parent banner", query(azB), false, false}, {"sibling village", query(azV2), false, false}},
		server.OnBatch:     {{"someone else's batch", sub("id", fmt.Sprint(world.batch)), false, false}},
		server.OnReview:    {{"own village's award", sub("id", fmt.Sprint(world.item1)), true, false}, {"sibling village's award", sub("id", fmt.Sprint(world.item2)), false, false}, {"forged id", sub("id", "987654"), false, false}},
		server.Anywhere:    {{"admin", sub("id", fmt.Sprint(world.victim)), true, false}},
		server.OnCandidate: {{"own village's application", sub("id", fmt.Sprint(tal.cand1)), true, false}, {"sibling village's application", sub("id", fmt.Sprint(tal.cand2)), false, false}, {"forged id", sub("id", "987654"), false, false}},
		server.OnLeader:    {{"own village's leader", sub("id", fmt.Sprint(tal.leader1)), true, false}, {"sibling village's leader", sub("id", fmt.Sprint(tal.leader2)), false, false}, {"forged id", sub("id", "987654"), false, false}},
		server.OnRound:     {{"own banner's round", sub("id", fmt.Sprint(tal.round1)), true, false}, {"another banner's round", sub("id", fmt.Sprint(tal.round2)), false, false}, {"forged id", sub("id", "987654"), false, false}},
		server.OnStore:     {{"own village's store", sub("id", fmt.Sprint(shops.store1)), true, false}, {"sibling village's store", sub("id", fmt.Sprint(shops.store2)), false, false}, {"forged id", sub("id", "987654"), false, false}},
		server.OnPhoto:     {{"own village's award photo", sub("id", fmt.Sprint(photo1)), true, false}, {"sibling village's award photo", sub("id", fmt.Sprint(photo2)), false, false}, {"forged id", sub("id", "987654"), false, false}},
		server.OnRedeemed:  {{"own store's redemption", sub("id", fmt.Sprint(shops.redeemed1)), true, false}, {"sibling store's redemption", sub("id", fmt.Sprint(shops.redeemed2)), false, false}, {"forged id", sub("id", "987654"), false, false}},
	}
	targets[server.OnAttachment] = []target{{"own village's application file", sub("id", fmt.Sprint(tal.file1)), true, false},
		{"sibling village's application file", sub("id", fmt.Sprint(tal.file2)), false, false}, {"forged id", sub("id", "987654"), false, false}}
	for _, c := range []struct {
		on        server.Target
		what      string
		own, sibl int64
	}{{server.OnUnit, "unit", orgs.unit1, orgs.unit2}, {server.OnOrg, "branch", orgs.org1, orgs.org2},
		{server.OnMember, "party member", orgs.member1, orgs.member2}, {server.OnGrid, "grid", orgs.grid1, orgs.grid2},
		{server.OnSurvey, "survey", survey1, survey2},
		{server.OnCadre, "cadre", orgs.cadre1, orgs.cadre2}, {server.OnTrainingList, "competency list", trs.list1, trs.list2},
		{server.OnClass, "class", trs.class1, trs.class2}, {server.OnSession, "class session", trs.session1, trs.session2},
		{server.OnCertificate, "training certificate", trs.cert1, trs.cert2},
		{server.OnBoard, "honour board", hon.board1, hon.board2}, {server.OnCampaign, "fundraising drive", hon.fund1, hon.fund2},
		{server.OnContact, "contact log", orgs.contact1, orgs.contact2}} {
		targets[c.on] = []target{{"own village's " + c.what, sub("id", fmt.Sprint(c.own)), true, c.on == server.OnGrid || c.on == server.OnContact},
			{"sibling village's " + c.what, sub("id", fmt.Sprint(c.sibl)), false, false}, {"forged id", sub("id", "987654"), false, false}}
	}
	// The own village's other grid: every grant at 科尔沁镇 reaches it, a
	// grant for grid1 does not.
	targets[server.OnGrid] = append(targets[server.OnGrid], target{"own village's sibling grid", sub("id", fmt.Sprint(orgs.grid3)), true, false})
	targets[server.OnContact] = append(targets[server.OnContact], target{"own village's sibling grid's contact log", sub("id", fmt.Sprint(orgs.contact3)), true, false})
	// The branch secretary reaches their branch and its members, not the
	// joint branch beside it; the unit's staff their unit and its cadres,
	// not the other unit of the same village.
	orgReach := map[string]bool{"own village's branch": true, "own village's party member": true, "own village's contact log": true, "admin": true}
	unitReach := map[string]bool{"own village's unit": true, "own village's cadre": true}
	targets[server.OnOrg] = append(targets[server.OnOrg], target{"own village's joint branch", sub("id", fmt.Sprint(orgs.org3)), true, false})
	targets[server.OnMember] = append(targets[server.OnMember], target{"own village's joint branch's member", sub("id", fmt.Sprint(orgs.member3)), true, false})
	targets[server.OnUnit] = append(targets[server.OnUnit], target{"own village's other unit", sub("id", fmt.Sprint(orgs.unit3)), true, false})
	targets[server.OnCadre] = append(targets[server.OnCadre], target{"own village's other unit's cadre", sub("id", fmt.Sprint(orgs.cadre3)), true, false})
	// The lists a branch secretary's grant answers without a region: their
	// own organisations and members.
	orgLists := map[string]bool{"GET /org/orgs": true, "GET /api/v1/org/orgs": true, "GET /api/v1/org/members": true}
	checked := 0
	for _, rt := range routes {
		method, pattern, _ := strings.Cut(rt.Pattern, " ")
		if pattern == "" {
			method, pattern = "GET", rt.Pattern
		}
		if rt.Rule.On == server.Public || rt.Rule.On == server.Session {
			continue // no object to reach; the sign-in tests cover them
		}
		ts, ok := targets[rt.Rule.On]
		if !ok {
			t.Errorf("route %s has rule target %q, which this test does not know: teach it", rt.Pattern, rt.Rule.On)
			continue
		}
		if rt.Rule.Perm == "" {
			t.Errorf("route %s declares no permission", rt.Pattern)
			continue
		}
		for _, role := range access.Roles {
			g := grants[role]
			holds := g.Carries(rt.Rule.Perm) || rt.Rule.Or != "" && g.Carries(rt.Rule.Or) ||
				rt.Rule.Own && g.Carries(access.OwnHousehold)
			for _, tg := range ts {
				allowed := holds && tg.in
				switch {
				case role.GridScoped():
					allowed = holds && tg.grid
				case g.Org != 0:
					allowed = holds && (orgReach[tg.label] || rt.Rule.On == server.OnQuery && tg.label == "own scope" && orgLists[rt.Pattern])
				case g.Unit != 0:
					allowed = holds && unitReach[tg.label]
				}
				scan := hon.scan1
				switch {
				case strings.Contains(pattern, "/funds/"):
					scan = hon.fundScan1
				case strings.Contains(pattern, "/boards/"):
					scan = hon.nominationScan1
				}
				path := strings.NewReplacer("{token}", "x", "{photo}", fmt.Sprint(hon.photo1), "{scan}", fmt.Sprint(scan)).Replace(tg.path(pattern))
				path = strings.TrimSuffix(path, "{$}")
				var body io.Reader
				var ctype string
				switch {
				case method == "GET":
				case strings.HasPrefix(pattern, "/api/"):
					body, ctype = strings.NewReader(`{}`), "application/json"
				default:
					body, ctype = strings.NewReader(url.Values{"csrf": {sessions[role].csrf}, "reason": {"核对"}}.Encode()), "application/x-www-form-urlencoded"
				}
				req, _ := http.NewRequest(method, srv.URL+path, body)
				if ctype != "" {
					req.Header.Set("Content-Type", ctype)
				}
				req.Header.Set("Origin", srv.URL)
				if strings.HasPrefix(pattern, "/api/") {
					req.Header.Set("Authorization", "Bearer "+sessions[role].token)
				} else {
					req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: sessions[role].token})
				}
				res, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := io.ReadAll(res.Body)
				res.Body.Close()
				checked++
				where := fmt.Sprintf("%s %s as %s (%s)", method, path, role, tg.label)
				if res.StatusCode >= 500 {
					t.Errorf("%s: %d", where, res.StatusCode)
					continue
				}
				refused := res.StatusCode == 401 || res.StatusCode == 403 || res.StatusCode == 404
				switch {
				case allowed && refused:
					t.Errorf("%s: refused with %d although the rule allows it", where, res.StatusCode)
				case !allowed && !refused && res.StatusCode != 409 && res.StatusCode != 422:
					t.Errorf("%s: answered %d although the rule refuses it", where, res.StatusCode)
				}
				if !allowed {
					for _, m := range azMarkers {
						if strings.Contains(string(raw), m) {
							t.Errorf("%s: response carries %q from the sibling township", where, m)
						}
					}
				}
			}
		}
	}
	if checked < 500 {
		t.Fatalf("only %d requests checked: the route table was not walked", checked)
	}
	after, _ := db.Registry().History(ctx, &access.Actor{Grants: []access.Grant{{Role: access.Leader, Region: province}}}, world.h2)
	if len(after) != len(before) {
		t.Fatalf("the sibling household's history grew from %d to %d events", len(before), len(after))
	}
	t.Logf("%d requests over %d routes and %d roles", checked, len(routes), len(access.Roles))
}

type azShops struct{ store1, store2, redeemed1, redeemed2 int64 }

// azStores opens a store in the own village and one in the sibling's, each
// with a redemption by a household of its village, and assigns the test's
// clerk to the own store only: a clerk acts at the stores they are
// assigned to, so that is the store their rule covers.
func azStores(t *testing.T, db *sqlstore.DB, clerk string) azShops {
	ctx := context.Background()
	sys := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: province}}}
	m := db.Market()
	var out azShops
	for _, c := range []struct {
		village, number string
		store, red      *int64
	}{{azV, "A-001", &out.store1, &out.redeemed1}, {azV2, "X-999", &out.store2, &out.redeemed2}} {
		st, err := m.CreateStore(ctx, sys, market.StoreInput{Region: c.village, Name: "超市"})
		if err != nil {
			t.Fatal(err)
		}
		g, err := m.SaveGoods(ctx, sys, market.GoodsInput{Store: st.ID, Name: "肥皂", Unit: "块", Price: 2, OnShelf: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Receive(ctx, sys, market.Inbound{Store: st.ID, Goods: g.ID, Qty: 10, Source: market.Funds}); err != nil {
			t.Fatal(err)
		}
		hs, _, err := db.Registry().Households(ctx, &access.Actor{Grants: []access.Grant{{Role: access.Leader, Region: province}}}, registry.ListFilter{Region: c.village, Query: c.number})
		if err != nil || len(hs) != 1 {
			t.Fatalf("household %s: %v", c.number, err)
		}
		if _, err := db.Ledger().Post(ctx, sys, points.Posting{Key: "az-fund-" + c.number, Household: hs[0].ID, Kind: points.Base, Points: 10}); err != nil {
			t.Fatal(err)
		}
		r, err := m.Redeem(ctx, sys, market.Basket{Key: "az-" + c.number, Store: st.ID, Household: hs[0].ID, Items: []market.Item{{Goods: g.ID, Qty: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		*c.store, *c.red = st.ID, r.ID
	}
	if err := m.AssignClerk(ctx, sys, out.store1, clerk, false); err != nil {
		t.Fatal(err)
	}
	return out
}
