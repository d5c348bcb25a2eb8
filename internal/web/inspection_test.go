package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/photo"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestInspectionSheetGroupsAndPhotos checks the sheet as a clerk walks it:
// filtered to one 组 from the addresses, an item that needs a photo says
// so and takes one per row, and a ticked row without its photo is refused
// by 户号 and name while the others go in.
func TestInspectionSheetGroupsAndPhotos(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		lead := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Leader, Region: keerqin}, {Role: access.Operator, Region: keerqin}}}
		if _, err := db.Schemes().Create(ctx, lead, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for i, hh := range []struct{ name, address string }{{"周一", "一组 1 号"}, {"吴二", "一组 2 号"}, {"郑三", "二组 3 号"}} {
			h, err := db.Registry().CreateHousehold(ctx, lead, registry.HouseholdInput{Number: fmt.Sprintf("10%d", i), VillageCode: pingan, Address: hh.address},
				registry.ResidentInput{Name: hh.name, Ethnicity: "汉族", Gender: registry.Male, BirthDate: "1970-02-02", Political: "群众"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, fmt.Sprint(h.ID))
		}
		s := newSite(t, db)
		s.user("clerk", access.Grant{Role: access.Operator, Region: pingan})
		path := "/regions/" + pingan + "/inspection"
		s.page(path+"?item=env-03", http.StatusOK, "全选", "全不选", "一组（2）", "二组（1）", "· 需照片", `data-photo="1"`, `class="card inspection"`)
		body := s.page(path+"?item=env-01&group="+"一组", http.StatusOK, "周一", "吴二", `class="card inspection needs-photo"`, `name="photo_`+ids[0]+`"`, "此事项需要照片")
		if strings.Contains(body, "郑三") {
			t.Fatal("the 一组 sheet lists a household of 二组")
		}

		// 庭院整洁 (env-01) needs a photo: 周一's row has one, 吴二's none.
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for k, v := range map[string]string{"csrf": s.csrf, "key": "sheet-1", "item": "env-01", "group": "一组"} {
			mw.WriteField(k, v)
		}
		mw.WriteField("household", ids[0])
		mw.WriteField("household", ids[1])
		fw, _ := mw.CreateFormFile("photo_"+ids[0], "IMG_1.jpg")
		fw.Write(photo.Swatch(3))
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+path, &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", s.srv.URL)
		res, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body = s.body(res)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "已登记 1 户") || !strings.Contains(body, "户号 101（吴二）") {
			t.Fatalf("sheet with one photo missing: %d\n%s", res.StatusCode, body)
		}
		flows, _ := review.NewFlows(points.Flow())
		items, err := db.Review(flows, nil).Items(ctx, lead, review.Filter{Flow: points.AwardFlow})
		if err != nil || len(items) != 1 {
			t.Fatalf("%d awards, want 1 (%v)", len(items), err)
		}
		var first int64
		fmt.Sscan(ids[0], &first)
		awards, err := db.Awards(db.Review(flows, nil)).Awards(ctx, lead, first)
		if err != nil || len(awards) != 1 || awards[0].ID != items[0].SubjectID || len(awards[0].Photos) != 1 {
			t.Fatalf("the row's photo was not attached: %+v, %v", awards, err)
		}
	})
}
