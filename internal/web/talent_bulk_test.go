package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/review"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/talent"
)

// TestTalentBulkPages works a township's field from the pages: the quota
// sheet downloaded and uploaded sets the quota; the scoring sheet
// downloaded, filled in and uploaded scores everyone (a wrong row keeps
// nothing); three ticked within a quota of two are refused naming the
// third; two ticked go up together.
func TestTalentBulkPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		flows, _ := review.NewFlows(talent.ReviewFlow())
		svc := db.Talent(db.Review(flows, map[string]sqlstore.ReviewApplier{talent.Flow: db.TalentApplier()}))
		league := &access.Actor{UserID: 1, Username: "league", Grants: []access.Grant{{Role: access.Leader, Region: "152200000000"}, {Role: access.Operator, Region: "152200000000"}}}
		round, err := svc.CreateRound(ctx, league, talent.Round{Region: "152200000000", Name: "晓景计划", StartYear: 2026, Years: 3,
			Trajectory: []int{40, 70, 100}, Opens: "2026-01-01", Closes: "2026-12-31"})
		if err != nil {
			t.Fatal(err)
		}
		village := &access.Actor{UserID: 2, Username: "village", Grants: []access.Grant{{Role: access.Reviewer, Region: pingan}}}
		var ids []int64
		for i, name := range []string{"赵一", "钱二", "孙三"} {
			c, err := svc.Save(ctx, league, 0, talent.CandidateInput{Round: round.ID, Village: pingan, Channel: talent.FromLocals, Name: name, Gender: "男",
				BirthDate: "1980-01-01", Ethnicity: "汉族", Political: "群众", IDNumber: idFor("19800101", 60+i), Phone: "13912345678",
				EntityType: talent.OtherType, EntityName: name + "种植", Industry: "杂粮", Summary: "种植杂粮"})
			if err == nil {
				_, err = svc.Submit(ctx, league, c.ID)
			}
			if err == nil {
				err = svc.Score(ctx, village, c.ID, []int{16, 16, 16, 16, 16}, "")
			}
			if err == nil {
				_, err = svc.Decide(ctx, village, c.ID, talent.Decision{Decision: review.Approve})
			}
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		s := newSite(t, db)

		// The league's manager sets the township's quota from the sheet.
		s.user("manager", access.Grant{Role: access.Leader, Region: "152200000000"})
		res := s.get(fmt.Sprintf("/talent/rounds/%d/quotas.xlsx", round.ID))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("quota sheet: %d", res.StatusCode)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		quotas := "区划代码,地区,名额类型,名额\n" + keerqin + ",科尔沁镇,向上推荐名额,2\n152221000000,科右前旗,向上推荐名额,x\n"
		if code, body := s.sendFile(fmt.Sprintf("/talent/rounds/%d/quotas", round.ID), "import", "名额.csv", []byte(quotas)); code != http.StatusUnprocessableEntity || !strings.Contains(body, "行号 3") {
			t.Fatalf("a quota sheet with a bad row: %d\n%s", code, body)
		}
		quotas = "区划代码,地区,名额类型,名额\n" + keerqin + ",科尔沁镇,向上推荐名额,2\n"
		// The township's quota is set by the banner, not the league.
		s.user("banner", access.Grant{Role: access.Leader, Region: "152221000000"})
		if code, body := s.sendFile(fmt.Sprintf("/talent/rounds/%d/quotas", round.ID), "import", "名额.csv", []byte(quotas)); code != http.StatusSeeOther {
			t.Fatalf("quota sheet: %d\n%s", code, body)
		}
		if r, _ := svc.Round(ctx, league, round.ID); len(r.Quotas) != 1 || r.Quotas[0].N != 2 {
			t.Fatalf("quotas %+v", r.Quotas)
		}

		s.user("town", access.Grant{Role: access.Reviewer, Region: keerqin})
		q := fmt.Sprintf("region=%s&round=%d&step=1", keerqin, round.ID)
		res = s.get("/talent/ranking/scores.xlsx?" + q)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("scoring sheet: %d", res.StatusCode)
		}
		data, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if head := sheetHeader(t, data); len(head) != 10 || head[1] != "申报编号" || head[9] != "评语" {
			t.Fatalf("scoring sheet header %q", head)
		}
		crit := talent.DefaultCriteria()
		head := "申报编号,姓名,所属嘎查村"
		for _, c := range crit {
			head += fmt.Sprintf(",%s（%d）", c.Name, c.Max)
		}
		head += ",评语\n"
		sheet := head + fmt.Sprintf("%d,赵一,平安村,16,16,16,16,16,好\n%d,钱二,平安村,15,15,15,15,15,\n%d,孙三,平安村,14,14,14,14,99,\n", ids[0], ids[1], ids[2])
		if code, body := s.sendFile("/talent/ranking/scores?"+q, "import", "评分.csv", []byte(sheet)); code != http.StatusUnprocessableEntity || !strings.Contains(body, "行号 4") {
			t.Fatalf("a scoring sheet with a score over the top: %d\n%s", code, body)
		}
		if c, _ := svc.Candidate(ctx, league, ids[0]); len(c.Levels[1].Scores) != 0 {
			t.Fatal("a refused scoring sheet kept scores")
		}
		sheet = strings.Replace(sheet, ",99,", ",14,", 1)
		if code, body := s.sendFile("/talent/ranking/scores?"+q, "import", "评分.csv", []byte(sheet)); code != http.StatusOK || !strings.Contains(body, "已保存 3 行评分") {
			t.Fatalf("scoring sheet: %d\n%s", code, body)
		}

		s.page("/talent/ranking?"+q, http.StatusOK, `form="bulk"`, "批量决定勾选的申报")
		tick := url.Values{"decision": {"approve"}}
		for _, id := range ids {
			tick.Add("id", fmt.Sprint(id))
		}
		res = s.post("/talent/ranking/decide?"+q, tick)
		if body := s.body(res); res.StatusCode != http.StatusConflict || !strings.Contains(body, "孙三") || !strings.Contains(body, "本批均未处理") {
			t.Fatalf("three within two: %d\n%s", res.StatusCode, body)
		}
		tick["id"] = tick["id"][:2]
		if res := s.post("/talent/ranking/decide?"+q, tick); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("two within two: %d %s", res.StatusCode, s.body(res))
		}
		for _, id := range ids[:2] {
			if c, _ := svc.Candidate(ctx, league, id); c.Step != 2 {
				t.Fatalf("%s did not go up", c.Name)
			}
		}
	})
}
