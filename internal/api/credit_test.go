package api_test

import (
	"fmt"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestCreditAPI: the leader's summary is refused without consent, given
// with the head's consent from their phone, refused after the head
// revokes it; the household reads every export made.
func TestCreditAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		_, login := setup(t, db)
		h := headHousehold(t, db)
		base := fmt.Sprintf("/api/v1/households/%d/credit", h.ID)
		leader := login("zhenzhang", access.Grant{Role: access.Leader, Region: keerqin})
		head := login("huzhu", access.Grant{Role: access.Villager, Region: pingan, Household: h.ID})
		if code, body := leader.do("GET", base+"/summary", ""); code != 409 || body["message"] == "" {
			t.Fatalf("summary without consent: %d %v", code, body)
		}
		code, body := head.do("POST", base+"/consents", `{"purpose":"申请道德积分贷","recipient":"农商银行","retention_days":180}`)
		if code != 201 || body["method"] != "phone" {
			t.Fatalf("consent: %d %v", code, body)
		}
		consent := body["id"]
		if code, body := leader.do("GET", base+"/summary", ""); code != 200 || body["recipient"] != "农商银行" || body["rank"] != float64(1) {
			t.Fatalf("summary: %d %v", code, body)
		}
		if code, body := head.do("POST", base+"/revoke", fmt.Sprintf(`{"consent":%v}`, consent)); code != 200 {
			t.Fatalf("revoke: %d %v", code, body)
		}
		if code, _ := leader.do("GET", base+"/summary", ""); code != 409 {
			t.Fatalf("summary after revocation: %d", code)
		}
		if code, body := head.do("GET", base, ""); code != 200 || len(body["exports"].([]any)) != 1 {
			t.Fatalf("the household's view: %d %v", code, body)
		}
		op := login("zhen", access.Grant{Role: access.Operator, Region: keerqin})
		if code, body := op.do("POST", "/api/v1/privileges", `{"township":"`+keerqin+`","name":"评优优先","threshold":10,"valid_days":365,"yearly_limit":1}`); code != 201 {
			t.Fatalf("privilege: %d %v", code, body)
		}
		if code, body := op.do("GET", fmt.Sprintf("/api/v1/households/%d/privileges", h.ID), ""); code != 200 || len(body["offers"].([]any)) != 1 {
			t.Fatalf("offers: %d %v", code, body)
		}
	})
}
