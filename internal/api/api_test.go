package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/api"
	"shanzhi/internal/honour"
	"shanzhi/internal/i18n"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/server"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/talent"
)

const (
	pingan  = "152221100210"
	keerqin = "152221100000"
	other   = "152221103212"
)

func idFor(birth string, seq int) string {
	first := "152221" + birth + fmt.Sprintf("%03d", seq)
	return first + string(registry.CheckChar(first))
}

type client struct {
	t     *testing.T
	base  string
	token string
	key   string // sent as Idempotency-Key when set
}

func (c *client) do(method, path, body string) (int, map[string]any) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.key != "" {
		req.Header.Set("Idempotency-Key", c.key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		c.t.Fatalf("%s %s: not JSON: %s", method, path, raw)
	}
	return res.StatusCode, out
}

func setup(t *testing.T, db *sqlstore.DB) (base string, login func(name string, g ...access.Grant) *client) {
	cat, _ := i18n.Load()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	mux := http.NewServeMux()
	pol := access.DefaultPolicy()
	pol.SkipMFA = true // the web tests cover the second factor
	auth := db.Auth(pol)
	rt := &server.Router{Mux: mux}
	flows, err := review.NewFlows(points.Flow(), points.AppealReviewFlow(), talent.ReviewFlow(), honour.Flow())
	if err != nil {
		t.Fatal(err)
	}
	rev := db.Review(flows, map[string]sqlstore.ReviewApplier{points.AwardFlow: db.AwardApplier(), talent.Flow: db.TalentApplier(), honour.NominationFlow: db.HonourApplier()})
	api.New(api.Deps{Catalog: cat, Regions: db.Regions(), Registry: db.Registry(), Auth: auth, Users: db.Users(pol), Log: log,
		Awards: db.Awards(rev), Ledger: db.Ledger(), Rankings: db.Rankings(), Review: rev, Schemes: db.Schemes(), Photos: db.Photos(), Talent: db.Talent(rev), Org: db.Org(), Cadres: db.Cadres(), Training: db.Training(), Surveys: db.Surveys(), Market: db.Market(), Honours: db.Honours(rev), Funds: db.Funds(), Privileges: db.Privileges(), Credit: db.Credit()}).Routes(rt)
	srv := httptest.NewServer(server.Middleware(mux, auth, log, server.Options{}))
	t.Cleanup(srv.Close)
	return srv.URL, func(name string, g ...access.Grant) *client {
		ctx := context.Background()
		if _, err := db.CreateUser(ctx, nil, name, name, "First-Pass-1", g); err != nil {
			t.Fatal(err)
		}
		c := &client{t: t, base: srv.URL}
		if code, body := c.do("POST", "/api/v1/sessions", `{"username":"`+name+`","password":"First-Pass-1"}`); code != 201 {
			t.Fatalf("login %s: %d %v", name, code, body)
		} else {
			c.token = body["token"].(string)
		}
		// A one-time password must be changed before the API serves.
		if code, body := c.do("GET", "/api/v1/households", ""); code != 403 || body["code"] != "forbidden" {
			t.Fatalf("API served a user with a one-time password: %d %v", code, body)
		}
		if err := db.SetPassword(ctx, nil, name, "Second-Pass-2", false); err != nil {
			t.Fatal(err)
		}
		_, body := c.do("POST", "/api/v1/sessions", `{"username":"`+name+`","password":"Second-Pass-2"}`)
		c.token = body["token"].(string)
		return c
	}
}

func TestAPIScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		base, login := setup(t, db)
		admin := login("admin", access.Grant{Role: access.Leader, Region: "150000000000"}, access.Grant{Role: access.Operator, Region: "150000000000"})
		op := login("pingan", access.Grant{Role: access.Operator, Region: pingan})
		anon := &client{t: t, base: base}
		sys := login("sys", access.Grant{Role: access.SysAdmin, Region: "150000000000"})
		const bayan = "\u182A\u1820\u1836\u1820\u1828"

		head := `{"name":"巴特尔","ethnicity":"蒙古族","id_number":"` + idFor("19800101", 1) + `","phone":"13812341234","political":"群众"}`
		code, h := admin.do("POST", "/api/v1/households", `{"number":"001","village_code":"`+pingan+`","address":"一组","head":`+head+`}`)
		if code != 201 || h["head_name"] != "巴特尔" || h["members"] != 1.0 {
			t.Fatalf("create: %d %v", code, h)
		}
		hid := int64(h["id"].(float64))
		code, h2 := admin.do("POST", "/api/v1/households", `{"number":"009","village_code":"`+other+`","head":{"name":"外村人","ethnicity":"汉族","political":"群众","birth_date":"1970-01-01","gender":"男"}}`)
		if code != 201 {
			t.Fatalf("create in other village: %d %v", code, h2)
		}
		foreign := int64(h2["id"].(float64))

		for _, c := range []struct {
			name       string
			c          *client
			method     string
			path, body string
			status     int
			code       string
			check      func(map[string]any) string
		}{
			{"anonymous is refused", anon, "GET", "/api/v1/households", "", 401, "unauthorized", nil},
			{"bad bearer token", &client{t: t, base: base, token: "forged"}, "GET", "/api/v1/households", "", 401, "unauthorized", nil},
			{"village operator lists own village", op, "GET", "/api/v1/households", "", 200, "", func(b map[string]any) string {
				if b["total"] != 1.0 {
					return fmt.Sprint("total ", b["total"])
				}
				return ""
			}},
			{"masked in responses", op, "GET", fmt.Sprintf("/api/v1/households/%d", hid), "", 200, "", func(b map[string]any) string {
				m := b["member_list"].([]any)[0].(map[string]any)
				if m["id_number_masked"] != "1522**********"+idFor("19800101", 1)[14:] || m["phone_masked"] != "138****1234" {
					return fmt.Sprint(m)
				}
				return ""
			}},
			{"foreign household by forged id", op, "GET", fmt.Sprintf("/api/v1/households/%d", foreign), "", 404, "not_found", nil},
			{"foreign household patch", op, "PATCH", fmt.Sprintf("/api/v1/households/%d", foreign), `{"number":"010","village_code":"` + other + `"}`, 404, "not_found", nil},
			{"move own household into a foreign village", op, "PATCH", fmt.Sprintf("/api/v1/households/%d", hid), `{"number":"001","village_code":"` + other + `"}`, 403, "forbidden", nil},
			{"foreign region", op, "GET", "/api/v1/regions/" + keerqin + "/children", "", 404, "not_found", nil},
			{"foreign search", op, "GET", "/api/v1/residents?q=外村人", "", 200, "", func(b map[string]any) string {
				if b["total"] != 0.0 {
					return "found a foreign resident"
				}
				return ""
			}},
			{"region path", op, "GET", "/api/v1/regions/" + pingan, "", 200, "", func(b map[string]any) string {
				// The record counts the village's own register, as its page does.
				if b["name"] != "平安村" || len(b["path"].([]any)) != 4 || b["households"] != 1.0 || b["residents"] == 0.0 {
					return fmt.Sprint(b)
				}
				return ""
			}},
			{"field errors", op, "POST", fmt.Sprintf("/api/v1/households/%d/members", hid), `{"name":"","ethnicity":"火星族","id_number":"123","relation":"子","political":"群众"}`, 422, "invalid", func(b map[string]any) string {
				fields := map[string]bool{}
				for _, d := range b["details"].([]any) {
					fields[d.(map[string]any)["field"].(string)] = true
				}
				if !fields["name"] || !fields["ethnicity"] || !fields["id_number"] || b["message"] == "" {
					return fmt.Sprint(b)
				}
				return ""
			}},
			{"unknown field refused", op, "POST", fmt.Sprintf("/api/v1/households/%d/members", hid), `{"name":"张三","household_id":1}`, 422, "invalid", nil},
			{"malformed JSON", op, "POST", fmt.Sprintf("/api/v1/households/%d/members", hid), `{"name":`, 422, "invalid", nil},
			{"bad limit", op, "GET", "/api/v1/households?limit=100000", "", 422, "invalid", nil},
			{"add member", op, "POST", fmt.Sprintf("/api/v1/households/%d/members", hid), `{"name":"其木格","ethnicity":"蒙古族","id_number":"` + idFor("20050202", 2) + `","relation":"女","political":"共青团员","reason":"出生"}`, 201, "", func(b map[string]any) string {
				if b["gender"] != "女" || b["birth_date"] != "2005-02-02" {
					return fmt.Sprint(b)
				}
				return ""
			}},
			{"duplicate ID is a conflict", op, "POST", fmt.Sprintf("/api/v1/households/%d/members", hid), `{"name":"某人","ethnicity":"汉族","id_number":"` + idFor("20050202", 2) + `","relation":"子","political":"群众"}`, 409, "conflict", nil},
			{"unknown path", op, "GET", "/api/v1/nothing", "", 404, "not_found", nil},
			{"operator cannot rename", op, "POST", "/api/v1/regions/" + pingan + "/rename", `{"name":"新村","reason":"x"}`, 403, "forbidden", nil},
			{"admin adds a village", admin, "POST", "/api/v1/regions/" + keerqin + "/villages", `{"name":"幸福村","reason":"易地搬迁"}`, 200, "", func(b map[string]any) string {
				if b["code"] != "152221100900" || b["kind"] != "村" {
					return fmt.Sprint(b)
				}
				return ""
			}},
			{"rename needs a reason", admin, "POST", "/api/v1/regions/152221100900/rename", `{"name":"和谐村"}`, 422, "invalid", nil},
			{"retire the new village", admin, "POST", "/api/v1/regions/152221100900/retire", `{"reason":"规划调整"}`, 200, "", func(b map[string]any) string {
				if b["status"] != "retired" {
					return fmt.Sprint(b)
				}
				return ""
			}},
			// Issue 17: a village's script, Mongolian search, the drafts.
			{"a 村 is Chinese only by default", op, "GET", "/api/v1/regions/" + pingan, "", 200, "", func(b map[string]any) string {
				if b["bilingual"] != false || b["script"] != "" {
					return fmt.Sprint(b)
				}
				return ""
			}},
			{"an operator does not choose the script", op, "POST", "/api/v1/regions/" + pingan + "/script", `{"script":"mn-zh","reason":"x"}`, 403, "forbidden", nil},
			{"an unknown script", admin, "POST", "/api/v1/regions/" + pingan + "/script", `{"script":"mn","reason":"x"}`, 422, "invalid", nil},
			{"a legacy Mongolian name", admin, "POST", "/api/v1/regions/" + pingan + "/script", `{"script":"mn-zh","name_mongol":"\ue2d1\ue27b","reason":"x"}`, 422, "invalid", nil},
			{"the script chosen", admin, "POST", "/api/v1/regions/" + pingan + "/script", `{"script":"mn-zh","name_mongol":"` + bayan + `","reason":"村民代表会议"}`, 200, "", func(b map[string]any) string {
				if b["bilingual"] != true || b["script"] != "mn-zh" || b["name_mongol"] != bayan {
					return fmt.Sprint(b)
				}
				return ""
			}},
			{"add a member with a Mongolian name", op, "POST", fmt.Sprintf("/api/v1/households/%d/members", hid), `{"name":"巴图","name_mongol":"\u182a\u1820\u1832\u180b\u1824","ethnicity":"蒙古族","relation":"子","political":"群众","birth_date":"2003-03-03","gender":"男","reason":"出生"}`, 201, "", nil},
			{"Mongolian search finds a name typed another way", op, "GET", "/api/v1/residents?q=" + url.QueryEscape("\u182A\u1820\u1833\u1823"), "", 200, "", func(b map[string]any) string {
				if b["total"] != 1.0 {
					return fmt.Sprint(b)
				}
				return ""
			}},
			{"Mongolian drafts for the system administrator", sys, "GET", "/api/v1/i18n/mongolian/drafts", "", 200, "", func(b map[string]any) string {
				items := b["items"].([]any)
				if len(items) == 0 || b["public"].(float64) < float64(len(items)) || items[0].(map[string]any)["mongolian"] == "" {
					return fmt.Sprint(b)
				}
				return ""
			}},
			{"Mongolian drafts are not an operator's", op, "GET", "/api/v1/i18n/mongolian/drafts", "", 403, "forbidden", nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				c.c.t = t
				status, body := c.c.do(c.method, c.path, c.body)
				if status != c.status || (c.code != "" && body["code"] != c.code) {
					t.Fatalf("%s %s = %d %v, want %d %s", c.method, c.path, status, body, c.status, c.code)
				}
				if c.code != "" && (body["message"] == "" || body["request_id"] == "") {
					t.Fatalf("error body lacks message or request id: %v", body)
				}
				if c.check != nil {
					if msg := c.check(body); msg != "" {
						t.Fatal(msg)
					}
				}
			})
		}
	})
}
