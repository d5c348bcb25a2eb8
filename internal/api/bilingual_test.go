package api_test

import (
	"fmt"
	"net/url"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/sqlstore/storetest"
)

// TestAPIBilingual covers the API half of issue 17: a village's script is
// set and read over the API by whoever manages the region and nobody
// else, a resident is found by a Mongolian name typed another way, and
// the system administrator reads the Mongolian drafts.
func TestAPIBilingual(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	_, login := setup(t, db)
	lead := login("lead", access.Grant{Role: access.Leader, Region: keerqin}, access.Grant{Role: access.Operator, Region: keerqin})
	op := login("pingan", access.Grant{Role: access.Operator, Region: pingan})
	sys := login("sys", access.Grant{Role: access.SysAdmin, Region: "150000000000"})
	const bayan = "\u182A\u1820\u1836\u1820\u1828"
	head := `{"name":"巴图","name_mongol":"\u182a\u1820\u1832\u180b\u1824","ethnicity":"蒙古族","political":"群众","birth_date":"1970-01-01","gender":"男"}`
	if code, b := op.do("POST", "/api/v1/households", `{"number":"M1","village_code":"`+pingan+`","head":`+head+`}`); code != 201 {
		t.Fatalf("household: %d %v", code, b)
	}
	for _, c := range []struct {
		name       string
		c          *client
		method     string
		path, body string
		status     int
		check      func(map[string]any) string
	}{
		{"a 村 is Chinese only by default", op, "GET", "/api/v1/regions/" + pingan, "", 200, func(b map[string]any) string {
			if b["bilingual"] != false || b["script"] != "" {
				return fmt.Sprint(b)
			}
			return ""
		}},
		{"an operator does not choose", op, "POST", "/api/v1/regions/" + pingan + "/script", `{"script":"mn-zh","reason":"x"}`, 403, nil},
		{"an unknown choice", lead, "POST", "/api/v1/regions/" + pingan + "/script", `{"script":"mn","reason":"x"}`, 422, nil},
		{"a legacy Mongolian name", lead, "POST", "/api/v1/regions/" + pingan + "/script", `{"script":"mn-zh","name_mongol":"\ue2d1\ue27b","reason":"x"}`, 422, nil},
		{"the township chooses for its village", lead, "POST", "/api/v1/regions/" + pingan + "/script", `{"script":"mn-zh","name_mongol":"` + bayan + `","reason":"村民代表会议"}`, 200, func(b map[string]any) string {
			if b["bilingual"] != true || b["script"] != "mn-zh" || b["name_mongol"] != bayan {
				return fmt.Sprint(b)
			}
			return ""
		}},
		{"a sibling township's village", lead, "POST", "/api/v1/regions/" + other + "/script", `{"script":"mn-zh","reason":"x"}`, 404, nil},
		{"Mongolian search finds a name typed another way", op, "GET", "/api/v1/residents?q=" + url.QueryEscape("\u182A\u1820\u1833\u1823"), "", 200, func(b map[string]any) string {
			if b["total"] != 1.0 {
				return fmt.Sprint(b)
			}
			return ""
		}},
		{"drafts for the system administrator", sys, "GET", "/api/v1/i18n/mongolian/drafts", "", 200, func(b map[string]any) string {
			items := b["items"].([]any)
			if len(items) == 0 || b["public"].(float64) < float64(len(items)) || items[0].(map[string]any)["mongolian"] == "" {
				return fmt.Sprint(b)
			}
			return ""
		}},
		{"drafts are not an operator's", op, "GET", "/api/v1/i18n/mongolian/drafts", "", 403, nil},
	} {
		status, body := c.c.do(c.method, c.path, c.body)
		if status != c.status {
			t.Errorf("%s: %d %v, want %d", c.name, status, body, c.status)
			continue
		}
		if c.check != nil {
			if msg := c.check(body); msg != "" {
				t.Errorf("%s: %s", c.name, msg)
			}
		}
	}
}
