package api_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestFundAPI runs a drive through the API: a self-confirmation refused
// with its Chinese message, a confirmation by a second official, a replayed
// key answered with the first entry, a disbursement beyond the balance
// refused, and a close at zero.
func TestFundAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		_, login := setup(t, db)
		h := headHousehold(t, db)
		one := login("kuaiji", access.Grant{Role: access.Operator, Region: pingan})
		two := login("chuna", access.Grant{Role: access.Operator, Region: pingan})
		code, body := one.do("POST", "/api/v1/funds", fmt.Sprintf(`{"household":%d,"title":"交通事故互助","reason":"accident","target_fen":2000000,"starts":"2026-06-01","ends":"2026-06-30","consent":"signed","consent_date":"2026-05-31"}`, h.ID))
		if code != 201 {
			t.Fatalf("open: %d %v", code, body)
		}
		entries := fmt.Sprintf("/api/v1/funds/%v/entries", body["id"])
		donation := `{"key":"d1","kind":"donation","party":"王秀英","amount_fen":50000,"method":"cash","day":"2026-06-02","receipt":"SJ1"}`
		code, body = one.do("POST", entries, donation)
		if code != 201 {
			t.Fatalf("donation: %d %v", code, body)
		}
		d := body["id"]
		if code, again := one.do("POST", entries, donation); code != 201 || again["id"] != d {
			t.Fatalf("replay: %d %v", code, again)
		}
		confirm := fmt.Sprintf(`{"key":"c1","kind":"confirm","donation":%v,"day":"2026-06-02"}`, d)
		if code, body := one.do("POST", entries, confirm); code != 403 || body["message"] != "不能复核自己登记的捐款，须由另一名工作人员复核" {
			t.Fatalf("self-confirmation: %d %v", code, body)
		}
		if code, body := two.do("POST", entries, confirm); code != 201 || body["amount_fen"] != float64(50000) {
			t.Fatalf("confirmation: %d %v", code, body)
		}
		if code, _ := one.do("POST", entries, `{"key":"x1","kind":"disburse","amount_fen":50001,"day":"2026-06-03","evidence":"回单","party":"签收"}`); code != 409 {
			t.Fatalf("beyond the balance: %d", code)
		}
		if code, body := one.do("POST", entries, `{"key":"x2","kind":"disburse","amount_fen":50000,"day":"2026-06-03","evidence":"回单","party":"签收"}`); code != 201 {
			t.Fatalf("disburse: %d %v", code, body)
		}
		if code, body := one.do("POST", entries, `{"key":"z","kind":"close","day":"2026-06-30"}`); code != 201 {
			t.Fatalf("close: %d %v", code, body)
		}
		code, body = two.do("GET", entries[:len(entries)-len("/entries")], "")
		if code != 200 || body["status"] != "closed" || body["balance_fen"] != float64(0) || len(body["entries"].([]any)) != 4 {
			t.Fatalf("drive: %d %v", code, body)
		}
	})
}

// TestConsentScansAPI sends consents' scans as base64 in JSON: a drive's
// and a nominee's signed consent, listed on the drive and the nomination
// and fetched by the register's readers only, and a credit consent's
// scan of 2 MB, past the 1 MB that
// bounds other bodies and within the 8 MB a scan may take.
func TestConsentScansAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		_, login := setup(t, db)
		h := headHousehold(t, db)
		one := login("kuaiji", access.Grant{Role: access.Operator, Region: pingan})
		pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
		open := func(scan []byte) (int, map[string]any) {
			return one.do("POST", "/api/v1/funds", fmt.Sprintf(`{"household":%d,"title":"交通事故互助","reason":"accident","target_fen":2000000,"starts":"2026-06-01","ends":"2026-06-30","consent":"signed","consent_date":"2026-05-31","scan":%q}`,
				h.ID, base64.StdEncoding.EncodeToString(scan)))
		}
		if code, body := open([]byte("GIF89a not a scan")); code != 422 {
			t.Fatalf("a bad scan: %d %v", code, body)
		}
		code, body := open(pdf)
		scans, _ := body["scans"].([]any)
		if code != 201 || len(scans) != 1 {
			t.Fatalf("open with a scan: %d %v", code, body)
		}
		path := fmt.Sprintf("/api/v1/funds/%v/scans/%v", body["id"], scans[0].(map[string]any)["id"])
		if res, got := one.raw("GET", path, "", nil); res.StatusCode != 200 || !bytes.Equal(got, pdf) || res.Header.Get("Content-Security-Policy") != "sandbox" {
			t.Fatalf("the scan: %d", res.StatusCode)
		}
		far := login("waizhen", access.Grant{Role: access.Operator, Region: other})
		if res, _ := far.raw("GET", path, "", nil); res.StatusCode != 404 {
			t.Fatalf("another township's official: %d", res.StatusCode)
		}
		// A nominee's signed consent, with the nomination.
		code, body = one.do("POST", "/api/v1/honours/boards", `{"region":"`+pingan+`","name":"好人榜","kind":"nominated","period":"year","size":5}`)
		if code != 201 {
			t.Fatalf("board: %d %v", code, body)
		}
		board := body["id"]
		code, body = one.do("POST", fmt.Sprintf("/api/v1/honours/boards/%v/nominations", board), fmt.Sprintf(`{"period":"2026","household":%d,"deed":"照顾孤寡老人","citation":"助人为乐","nominator_kind":"staff","nominator":"村委会","consent":"signed","consent_date":"2026-05-30","scan":%q}`,
			h.ID, base64.StdEncoding.EncodeToString(pdf)))
		if code != 201 {
			t.Fatalf("nomination with a scan: %d %v", code, body)
		}
		code, body = one.do("GET", fmt.Sprintf("/api/v1/honours/boards/%v/nominations?period=2026", board), "")
		items, _ := body["items"].([]any)
		if code != 200 || len(items) != 1 || len(items[0].(map[string]any)["scans"].([]any)) != 1 {
			t.Fatalf("the nominations: %d %v", code, body)
		}
		nomScan := fmt.Sprintf("/api/v1/honours/boards/%v/scans/%v", board, items[0].(map[string]any)["scans"].([]any)[0].(map[string]any)["id"])
		if res, got := one.raw("GET", nomScan, "", nil); res.StatusCode != 200 || !bytes.Equal(got, pdf) {
			t.Fatalf("the nominee's consent scan: %d", res.StatusCode)
		}
		if res, _ := far.raw("GET", nomScan, "", nil); res.StatusCode != 404 {
			t.Fatalf("another township's official, the nominee's scan: %d", res.StatusCode)
		}
		big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 2<<20)...)
		big = append(big, "\n%%EOF\n"...)
		code, body = one.do("POST", fmt.Sprintf("/api/v1/households/%d/credit/consents", h.ID), fmt.Sprintf(`{"purpose":"申请道德积分贷","recipient":"信用社","retention_days":365,"method":"paper","reference":"信-2","scan":%q}`,
			base64.StdEncoding.EncodeToString(big)))
		if scans, _ := body["scans"].([]any); code != 201 || len(scans) != 1 {
			t.Fatalf("a 2 MB credit consent scan: %d %v", code, body)
		}
	})
}
