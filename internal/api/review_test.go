package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
	"shanzhi/internal/review"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// queue reads GET /api/v1/reviews, whose answer is a list.
func (c *client) queue(state string) []map[string]any {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.base+"/api/v1/reviews?state="+state, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	var out []map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 200 {
		c.t.Fatalf("queue: %d %v", res.StatusCode, err)
	}
	return out
}

// TestAPIReviewOutcomes drives the review outcomes through the API: the
// committee's queue with names, an anonymous objection and its reference
// number, the objection upheld, a withdrawal, a correction of a posted
// award and the refusal of a correction's correction, and an appeal.
func TestAPIReviewOutcomes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		h := storetest.AwardHousehold(t, db, pingan, "008", "张桂芳")
		base, login := setup(t, db)
		clerk := login("clerk", access.Grant{Role: access.Operator, Region: pingan})
		committee := login("weiyuan", access.Grant{Role: access.Reviewer, Region: pingan})
		anon := &client{t: t, base: base}
		var reviews, awards []int64
		for _, k := range []string{"k1", "k2", "k3"} {
			clerk.key = k
			code, a := clerk.do("POST", fmt.Sprintf("/api/v1/households/%d/awards", h.ID), `{"item":"env-03","evidence":"分类规范"}`)
			if code != 201 {
				t.Fatalf("award: %d %v", code, a)
			}
			reviews, awards = append(reviews, int64(a["review"].(float64))), append(awards, int64(a["id"].(float64)))
		}
		clerk.key = ""
		q := committee.queue("pending")
		if len(q) != 3 || q[0]["head"] != "张桂芳" || q[0]["number"] != "008" || q[0]["evidence"] != "分类规范" || q[0]["submitter"] != "clerk" {
			t.Fatalf("queue = %v", q)
		}
		for _, r := range reviews {
			if code, body := committee.do("POST", fmt.Sprintf("/api/v1/reviews/%d/decision", r), `{"decision":"approve"}`); code != 200 {
				t.Fatalf("approve: %d %v", code, body)
			}
		}
		// An objection through another village's notice is refused.
		if code, _ := anon.do("POST", fmt.Sprintf("/api/v1/notice/152221100211/items/%d/objections", reviews[0]), `{"reason":"不属实"}`); code != 404 {
			t.Fatalf("objection through another village: %d", code)
		}
		code, obj := anon.do("POST", fmt.Sprintf("/api/v1/notice/%s/items/%d/objections", pingan, reviews[0]), `{"reason":"那天没有检查"}`)
		ref, _ := obj["ref"].(string)
		if code != 201 || len(ref) != 11 {
			t.Fatalf("objection: %d %v", code, obj)
		}
		if code, out := anon.do("GET", "/api/v1/objections/"+ref, ""); code != 200 || out["state"] != "open" || out["person"] != "张**" {
			t.Fatalf("outcome: %d %v", code, out)
		}
		q = committee.queue("in_notice")
		var oid float64
		for _, it := range q {
			if os, ok := it["objections"].([]any); ok {
				oid = os[0].(map[string]any)["id"].(float64)
			}
		}
		path := fmt.Sprintf("/api/v1/reviews/%d/objection", reviews[0])
		if code, _ := clerk.do("POST", path, fmt.Sprintf(`{"objection":%v,"uphold":true,"reason":"属实"}`, oid)); code != 403 {
			t.Fatalf("the clerk resolved an objection: %d", code)
		}
		if code, out := committee.do("POST", path, fmt.Sprintf(`{"objection":%v,"uphold":true,"reason":"经核实属实"}`, oid)); code != 200 || out["state"] != "cancelled" {
			t.Fatalf("uphold: %d %v", code, out)
		}
		if code, out := anon.do("GET", "/api/v1/objections/"+ref, ""); code != 200 || out["state"] != "upheld" || out["item_state"] != "cancelled" || out["resolution"] != "经核实属实" {
			t.Fatalf("outcome after upholding: %d %v", code, out)
		}
		if code, out := clerk.do("POST", fmt.Sprintf("/api/v1/reviews/%d/withdraw", reviews[1]), `{"reason":"重复登记"}`); code != 200 || out["state"] != "withdrawn" {
			t.Fatalf("withdraw: %d %v", code, out)
		}
		// The household's list says where each award stands, and why.
		_, got := clerk.do("GET", fmt.Sprintf("/api/v1/households/%d/awards", h.ID), "")
		var list []map[string]any
		for _, x := range got["items"].([]any) {
			list = append(list, x.(map[string]any))
		}
		if len(list) != 3 || list[0]["notice_until"] == nil || list[1]["status"] != "withdrawn" || list[1]["outcome"] != "重复登记" ||
			list[2]["status"] != "cancelled" || list[2]["outcome"] != "经核实属实" {
			t.Fatalf("awards = %v", list)
		}
		// The third award posts; its correction goes under review, and a
		// correction of the correction is refused.
		now = now.Add(8 * 24 * time.Hour)
		flows, _ := review.NewFlows(points.Flow(), points.AppealReviewFlow())
		if n, err := db.Review(flows, map[string]sqlstore.ReviewApplier{points.AwardFlow: db.AwardApplier()}).FinaliseDue(ctx, now); err != nil || n != 1 {
			t.Fatalf("finalised %d (%v)", n, err)
		}
		clerk = login("clerk2", access.Grant{Role: access.Operator, Region: pingan})
		corr := fmt.Sprintf("/api/v1/households/%d/corrections", h.ID)
		if code, _ := clerk.do("POST", corr, fmt.Sprintf(`{"award":%d,"reason":"录错"}`, awards[2])); code != 422 {
			t.Fatalf("correction without a key: %d", code)
		}
		clerk.key = "c1"
		code, c := clerk.do("POST", corr, fmt.Sprintf(`{"award":%d,"reason":"该户当月未参加"}`, awards[2]))
		if code != 201 || c["points"].(float64) != -1 || c["status"] != "pending" {
			t.Fatalf("correction: %d %v", code, c)
		}
		clerk.key = "c2"
		if code, body := clerk.do("POST", corr, fmt.Sprintf(`{"award":%v,"reason":"撤销更正"}`, c["id"])); code != 409 {
			t.Fatalf("correction of a correction: %d %v", code, body)
		}
		if code, body := clerk.do("POST", fmt.Sprintf("/api/v1/households/%d/appeals", h.ID), fmt.Sprintf(`{"award":%d,"statement":"不服"}`, awards[2])); code != 409 {
			t.Fatalf("appeal of an award: %d %v", code, body)
		}
	})
}
