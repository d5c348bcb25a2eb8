package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// headHousehold is the household the honours tests work on: 尹志勇's, of
// 平安村.
func headHousehold(t *testing.T, db *sqlstore.DB) *registry.Household {
	t.Helper()
	seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: keerqin}}}
	first := "15222119700101011"
	h, err := db.Registry().CreateHousehold(context.Background(), seed, registry.HouseholdInput{Number: "001", VillageCode: pingan},
		registry.ResidentInput{Name: "尹志勇", Ethnicity: "汉族", IDNumber: first + string(registry.CheckChar(first)), Relation: registry.Head, Political: "群众"})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestHonourAPI defines boards, refuses a nomination without consent with
// its Chinese message, nominates with consent, and reads the board, its
// nominations, and the sibling township's refusal.
func TestHonourAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		_, login := setup(t, db)
		h := headHousehold(t, db)
		op := login("cunwei", access.Grant{Role: access.Operator, Region: pingan})
		if code, body := op.do("POST", "/api/v1/honours/boards", `{"region":"`+pingan+`","name":"好人榜","kind":"nominated","period":"week","size":5}`); code != 422 || body["details"] == nil {
			t.Fatalf("bad period: %d %v", code, body)
		}
		code, body := op.do("POST", "/api/v1/honours/boards", `{"region":"`+pingan+`","name":"好人榜","kind":"nominated","period":"year","size":5}`)
		if code != 201 {
			t.Fatalf("board: %d %v", code, body)
		}
		board := body["id"].(float64)
		if code, body := op.do("POST", "/api/v1/honours/boards", `{"region":"`+pingan+`","name":"善举榜","kind":"computed","period":"month","aspect":"public","min_points":2,"size":10}`); code != 201 {
			t.Fatalf("computed board: %d %v", code, body)
		}
		nom := `{"period":"2026","household":%d,"deed":"救起落水儿童","citation":"见义勇为","nominator_kind":"staff","nominator":"村委会","consent":"%s","consent_date":"2026-05-20"}`
		if code, body := op.do("POST", fmt.Sprintf("/api/v1/honours/boards/%v/nominations", board), fmt.Sprintf(nom, h.ID, "")); code != 422 || body["message"] == "" {
			t.Fatalf("without consent: %d %v", code, body)
		}
		code, body = op.do("POST", fmt.Sprintf("/api/v1/honours/boards/%v/nominations", board), fmt.Sprintf(nom, h.ID, "signed"))
		if code != 201 || body["status"] != "in_review" || body["nominee"] != "尹志勇" {
			t.Fatalf("nomination: %d %v", code, body)
		}
		code, body = op.do("GET", fmt.Sprintf("/api/v1/honours/boards/%v/nominations?period=2026", board), "")
		if code != 200 || len(body["items"].([]any)) != 1 {
			t.Fatalf("nominations: %d %v", code, body)
		}
		code, body = op.do("GET", "/api/v1/honours/boards?region="+pingan, "")
		if code != 200 || len(body["items"].([]any)) != 2 {
			t.Fatalf("boards: %d %v", code, body)
		}
		if code, body := op.do("GET", fmt.Sprintf("/api/v1/honours/boards/%v?period=2026", board), ""); code != 200 || body["board"] == nil {
			t.Fatalf("edition: %d %v", code, body)
		}
		// The poster, the same PDF as the public page's.
		if res, pdf := op.raw("GET", fmt.Sprintf("/api/v1/honours/boards/%v/poster.pdf?period=2026&paper=a3", board), "", nil); res.StatusCode != 200 ||
			res.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("poster.pdf: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		other := login("other", access.Grant{Role: access.Operator, Region: "152221103000"})
		if code, _ := other.do("GET", fmt.Sprintf("/api/v1/honours/boards/%v", board), ""); code != 404 {
			t.Fatalf("sibling township reads the board: %d", code)
		}
		if code, _ := other.do("GET", fmt.Sprintf("/api/v1/honours/boards/%v/poster.pdf", board), ""); code != 404 {
			t.Fatalf("sibling township prints the board's poster: %d", code)
		}
		if code, body := op.do("GET", fmt.Sprintf("/api/v1/households/%d/honours", h.ID), ""); code != 200 || len(body["items"].([]any)) != 0 {
			t.Fatalf("honours: %d %v", code, body)
		}
	})
}

// TestPublicNominationAPI is the public channel without an account: a
// delay token, then a nomination refused at once and taken after a
// while, in the committee's queue of the page's same flow.
func TestPublicNominationAPI(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	base, login := setup(t, db)
	headHousehold(t, db)
	op := login("cunwei", access.Grant{Role: access.Operator, Region: pingan})
	code, body := op.do("POST", "/api/v1/honours/boards", `{"region":"`+pingan+`","name":"好人榜","kind":"nominated","period":"year","size":5}`)
	if code != 201 {
		t.Fatalf("board: %d %v", code, body)
	}
	board := int64(body["id"].(float64))
	anon := func(method, path, in string) (int, map[string]any) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(in))
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	code, body = anon("GET", fmt.Sprintf("/api/v1/public/boards/%d/nomination-token", board), "")
	if code != 200 || body["token"] == "" {
		t.Fatalf("token: %d %v", code, body)
	}
	nom := fmt.Sprintf(`{"token":%q,"number":"001","nominee":"尹志勇","deed":"救起落水儿童","nominator":"王大妈","phone":"13800471234","nominee_agreed":true}`, body["token"])
	path := fmt.Sprintf("/api/v1/public/boards/%d/nominations", board)
	if code, body := anon("POST", path, nom); code != 422 || body["message"] != "提交太快了，请稍等几秒再提交" {
		t.Fatalf("at once: %d %v", code, body)
	}
	now = now.Add(time.Minute)
	code, body = anon("POST", path, nom)
	if code != 201 || body["status"] != "in_review" || body["period"] != "2026" {
		t.Fatalf("public nomination: %d %v", code, body)
	}
	code, body = op.do("GET", fmt.Sprintf("/api/v1/honours/boards/%d/nominations?period=2026", board), "")
	if code != 200 || len(body["items"].([]any)) != 1 {
		t.Fatalf("the committee's list: %d %v", code, body)
	}
}
