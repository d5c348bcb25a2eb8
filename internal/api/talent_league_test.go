package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/regiondata"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/talent"
)

// call sends a JSON request and decodes any JSON answer into out.
func (c *client) call(method, path string, in, out any) int {
	c.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, body)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
		}
	}
	return res.StatusCode
}

// leaguePlace is a village of 兴安盟 as the scenario knows it from the
// embedded statistics, independently of the store.
type leaguePlace struct{ code, name, township, townshipName, banner string }

// TestTalentLeagueThroughAPI runs the league scenario end to end
// through the JSON API alone: the security administrator grants one
// reviewer per level at every region of that level in one call each; the
// league sets up the round and its quotas; each banner's clerk (and, for
// one banner, the league's clerk) imports its applications by village
// name, with the township wherever the name repeats in the sheet's
// region, or by code; each is submitted; each level scores all of them
// with one scoring call and passes them up with one decision call,
// reading the queue by cursor; the notices close. Every row must land in
// the village it meant, and the coverage the API reports must equal an
// independent count. It places 120 by default and the seed's 1,286 when
// SHANZHI_TALENT_SCALE is set.
func TestTalentLeagueThroughAPI(t *testing.T) {
	n := 120
	if os.Getenv("SHANZHI_TALENT_SCALE") != "" {
		n = 1286
	}
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		_, login := setup(t, db)
		all, err := regiondata.All()
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]string{}
		var places []leaguePlace
		for _, r := range all {
			names[r.Code] = r.Name
			if r.Level == regiondata.Village && strings.HasPrefix(r.Code, "1522") && slices.Contains(talent.RuralKinds, r.Kind) {
				places = append(places, leaguePlace{r.Code, r.Name, r.ParentCode, names[r.ParentCode], r.Code[:6] + "000000"})
			}
		}
		// How often each name occurs among every village (not only the
		// rural ones) of a banner and of the league: a sheet's name is
		// resolved among all of its region's villages.
		inBanner, inLeague := map[string]int{}, map[string]int{}
		for _, r := range all {
			if r.Level == regiondata.Village && strings.HasPrefix(r.Code, "1522") {
				inBanner[r.Code[:6]+r.Name]++
				inLeague[r.Name]++
			}
		}

		sec := login("sec", access.Grant{Role: access.SecAdmin, Region: xingan})
		mgr := login("mgr", access.Grant{Role: access.Leader, Region: xingan})
		reviewers := map[int]*client{}
		for step, lv := range []int{5, 4, 3} {
			c := login(fmt.Sprint("rev", step), access.Grant{Role: access.Reviewer, Region: pingan})
			id := userID(t, db, fmt.Sprint("rev", step))
			var res struct {
				Changed int `json:"changed"`
			}
			if code := sec.call("POST", fmt.Sprintf("/api/v1/users/%d/grants/bulk", id), map[string]any{"role": "reviewer", "region_code": xingan, "level": lv}, &res); code != 200 || res.Changed == 0 {
				t.Fatalf("bulk grant at level %d: %d %+v", lv, code, res)
			}
			reviewers[step] = c
		}
		reviewers[3] = mgr

		var round struct {
			ID int64 `json:"id"`
		}
		if code := mgr.call("POST", "/api/v1/regions/"+xingan+"/talent/rounds", map[string]any{"name": "2026年晓景计划", "start_year": 2026, "years": 3,
			"trajectory": []int{40, 70, 100}, "opens": "2026-05-01", "closes": "2026-06-30"}, &round); code != 201 {
			t.Fatalf("round: %d", code)
		}
		banners := map[string]bool{}
		for _, p := range places {
			banners[p.banner] = true
		}
		var quotas []map[string]any
		for b := range banners {
			quotas = append(quotas, map[string]any{"region_code": b, "kind": "pass", "n": n})
		}
		for _, tier := range talent.Tiers {
			quotas = append(quotas, map[string]any{"region_code": xingan, "kind": "tier:" + string(tier), "n": n})
		}
		var qres struct {
			Committed bool `json:"committed"`
		}
		if code := mgr.call("POST", fmt.Sprintf("/api/v1/talent/rounds/%d/quotas", round.ID), map[string]any{"quotas": quotas}, &qres); code != 200 || !qres.Committed {
			t.Fatalf("quotas: %d", code)
		}

		// The applications, sheet by sheet: one per banner, and 突泉县's
		// through the league's clerk, where names repeat more.
		type planned struct {
			place leaguePlace
			tier  talent.Tier
			ch    talent.Channel
		}
		plan := map[string][]planned{} // by the sheet's region
		clerks := map[string]*client{}
		leagueClerk := login("league-clerk", access.Grant{Role: access.Operator, Region: xingan})
		for i := range n {
			p := places[(i*7)%len(places)]
			region := p.banner
			if region == "152224000000" {
				region = xingan
			}
			plan[region] = append(plan[region], planned{p, talent.Tiers[i%len(talent.Tiers)], talent.Channels[i%len(talent.Channels)]})
		}
		repeated := 0
		ids := map[int64]planned{}
		seq := 0
		for region, rows := range plan {
			c := leagueClerk
			if region != xingan {
				if clerks[region] == nil {
					clerks[region] = login("clerk-"+region, access.Grant{Role: access.Operator, Region: region})
				}
				c = clerks[region]
			}
			var body []map[string]any
			for _, pl := range rows {
				seq++
				first := fmt.Sprintf("152221%s%03d", time.Date(1970, 1, 1+seq/900, 0, 0, 0, 0, time.UTC).Format("20060102"), seq%900)
				row := map[string]any{"round": round.ID, "name": fmt.Sprint("带头人", seq), "channel": string(pl.ch), "gender": "男", "birth_date": "1980-01-01",
					"ethnicity": "蒙古族", "political": "群众", "id_number": first + string(registry.CheckChar(first)), "phone": "13912345678",
					"entity_type": "coop", "entity_name": fmt.Sprint("合作社", seq), "credit_code": creditcode.Complete(fmt.Sprintf("93152221MA%07d", seq)),
					"industry": "肉牛养殖", "summary": "带动农户发展肉牛养殖", "households": 10}
				count := inBanner[pl.place.code[:6]+pl.place.name]
				if region == xingan {
					count = inLeague[pl.place.name]
				}
				switch {
				case count > 1 && seq%2 == 0:
					row["village"], row["township"] = pl.place.name, pl.place.townshipName
					repeated++
				case count > 1:
					row["village"] = pl.place.townshipName + pl.place.name
					repeated++
				case seq%3 == 0:
					row["village"] = pl.place.code
				default:
					row["village"] = pl.place.name
				}
				body = append(body, row)
			}
			var res struct {
				Committed bool `json:"committed"`
				Problems  []struct {
					Line    int    `json:"line"`
					Message string `json:"message"`
				} `json:"problems"`
				Placed []struct {
					Line    int    `json:"line"`
					ID      int64  `json:"id"`
					Village string `json:"village_code"`
				} `json:"placed"`
			}
			if code := c.call("POST", "/api/v1/talent/imports?commit=true&region="+region, map[string]any{"rows": body}, &res); code != 200 || !res.Committed {
				t.Fatalf("import of %s: %d %+v", region, code, res.Problems)
			}
			for i, p := range res.Placed {
				if p.Village != rows[i].place.code {
					t.Fatalf("%s line %d (%v) resolved to %s, meant %s", region, p.Line, body[i]["village"], p.Village, rows[i].place.code)
				}
				ids[p.ID] = rows[i]
				if code := c.call("POST", fmt.Sprintf("/api/v1/talent/candidates/%d/submit", p.ID), map[string]any{}, nil); code != 200 {
					t.Fatalf("submit %d: %d", p.ID, code)
				}
			}
		}
		if repeated == 0 {
			t.Fatal("no row named a repeated village: the scenario tests nothing")
		}
		// A name that repeats, given without its township, is refused with
		// every candidate; nothing is imported.
		var refusal struct {
			Problems []struct {
				Fields []struct {
					Message string `json:"message"`
				} `json:"fields"`
			} `json:"problems"`
		}
		if code := clerks[qianqi].call("POST", "/api/v1/talent/imports?commit=true&region="+qianqi, map[string]any{"rows": []map[string]any{{"round": round.ID, "name": "某人", "village": "兴隆村"}}}, &refusal); code != 422 ||
			len(refusal.Problems) != 1 || !strings.Contains(refusal.Problems[0].Fields[0].Message, "居力很镇") || !strings.Contains(refusal.Problems[0].Fields[0].Message, "巴日嘎斯台乡") {
			t.Fatalf("a bare repeated name: %d %+v", code, refusal)
		}

		// Each level: read the queue by cursor, score all with one call,
		// pass all up with one call (the league one call per tier).
		for step := range talent.Levels {
			rv := reviewers[step]
			var queue []int64
			for after := ""; ; {
				var page struct {
					Items []struct {
						ID   int64 `json:"id"`
						Step int   `json:"step"`
					} `json:"items"`
					Next string `json:"next"`
				}
				path := "/api/v1/talent/candidates?status=in_review&limit=50&region=" + xingan
				if after != "" {
					path += "&after=" + after
				}
				if code := mgr.call("GET", path, nil, &page); code != 200 {
					t.Fatalf("queue: %d", code)
				}
				for _, it := range page.Items {
					if it.Step == step {
						queue = append(queue, it.ID)
					}
				}
				if after = page.Next; after == "" {
					break
				}
			}
			if len(queue) != n {
				t.Fatalf("step %d: %d waiting, want %d", step, len(queue), n)
			}
			var rows []map[string]any
			for _, id := range queue {
				rows = append(rows, map[string]any{"candidate": id, "points": []int{16, 16, 16, 16, 16}})
			}
			if code := rv.call("POST", "/api/v1/talent/scores?commit=true", map[string]any{"rows": rows}, nil); code != 200 {
				t.Fatalf("scores at step %d: %d", step, code)
			}
			byTier := map[talent.Tier][]int64{"": queue}
			if step == len(talent.Levels)-1 {
				byTier = map[talent.Tier][]int64{}
				for _, id := range queue {
					byTier[ids[id].tier] = append(byTier[ids[id].tier], id)
				}
			}
			for tier, group := range byTier {
				var moved []map[string]any
				if code := rv.call("POST", "/api/v1/talent/decisions", map[string]any{"ids": group, "decision": "approve", "tier": tier}, &moved); code != 200 || len(moved) != len(group) {
					t.Fatalf("decisions at step %d: %d, %d moved", step, code, len(moved))
				}
			}
		}
		flows, _ := review.NewFlows(talent.ReviewFlow())
		rev := db.Review(flows, map[string]sqlstore.ReviewApplier{talent.Flow: db.TalentApplier()})
		for {
			moved, err := rev.FinaliseDue(ctx, db.Now().Add(10*24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if moved == 0 {
				break
			}
		}

		// The independent count against every figure of the API.
		covered, perBanner := map[string]bool{}, map[string]map[string]bool{}
		people := map[string]int{}
		tiers, channels := map[string]int{}, map[string]int{}
		for _, pl := range ids {
			covered[pl.place.code] = true
			if perBanner[pl.place.banner] == nil {
				perBanner[pl.place.banner] = map[string]bool{}
			}
			perBanner[pl.place.banner][pl.place.code] = true
			people[pl.place.banner]++
			tiers[string(pl.tier)]++
			channels[string(pl.ch)]++
		}
		type area struct {
			Code       string `json:"code"`
			Villages   int    `json:"villages"`
			Covered    int    `json:"covered"`
			People     int    `json:"people"`
			Recognised int    `json:"recognised"`
			OnNotice   int    `json:"on_notice"`
		}
		var cov struct {
			Total     area           `json:"total"`
			Areas     []area         `json:"areas"`
			Uncovered int            `json:"uncovered"`
			ByTier    map[string]int `json:"selected_by_tier"`
			ByChannel map[string]int `json:"selected_by_channel"`
			Applied   map[string]int `json:"applied"`
		}
		if code := mgr.call("GET", fmt.Sprintf("/api/v1/talent/coverage?round=%d&region=%s", round.ID, xingan), nil, &cov); code != 200 {
			t.Fatalf("coverage: %d", code)
		}
		if cov.Total.Villages != len(places) || cov.Total.Covered != len(covered) || cov.Total.People != n || cov.Total.Recognised != 0 ||
			cov.Total.OnNotice != 0 || cov.Uncovered != len(places)-len(covered) || cov.Applied["approved"] != n {
			t.Fatalf("total %+v uncovered %d applied %v; want %d villages, %d covered, %d people", cov.Total, cov.Uncovered, cov.Applied, len(places), len(covered), n)
		}
		for _, a := range cov.Areas {
			if a.Covered != len(perBanner[a.Code]) || a.People != people[a.Code] {
				t.Errorf("%s: %d covered, %d people; the placements say %d, %d", a.Code, a.Covered, a.People, len(perBanner[a.Code]), people[a.Code])
			}
		}
		if !mapsEqual(cov.ByTier, tiers) || !mapsEqual(cov.ByChannel, channels) {
			t.Errorf("by tier %v want %v; by channel %v want %v", cov.ByTier, tiers, cov.ByChannel, channels)
		}
		listed := 0
		for after := ""; ; {
			var page struct {
				Items []struct {
					Code string `json:"code"`
				} `json:"items"`
				Next string `json:"next"`
			}
			if code := mgr.call("GET", "/api/v1/talent/uncovered?limit=200&region="+xingan+"&after="+after, nil, &page); code != 200 {
				t.Fatalf("uncovered: %d", code)
			}
			for _, it := range page.Items {
				if covered[it.Code] {
					t.Fatalf("%s listed uncovered", it.Code)
				}
			}
			listed += len(page.Items)
			if after = page.Next; after == "" {
				break
			}
		}
		if listed != len(places)-len(covered) {
			t.Errorf("%d uncovered listed, want %d", listed, len(places)-len(covered))
		}
	})
}

// The regions of the league scenario.
const (
	xingan = "152200000000"
	qianqi = "152221000000"
)

// userID finds an account's id as its administrator sees it.
func userID(t *testing.T, db *sqlstore.DB, username string) int64 {
	t.Helper()
	admin := &access.Actor{UserID: 1, Username: "admin", Grants: []access.Grant{{Role: access.SysAdmin, Region: "150000000000"}}}
	us, err := db.Users(access.DefaultPolicy()).Users(context.Background(), admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		if u.Username == username {
			return u.ID
		}
	}
	t.Fatalf("no user %s", username)
	return 0
}

// mapsEqual compares two counts, a zero count the same as none.
func mapsEqual(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}
