package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/photo"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// raw sends a body that is not JSON (a photo) or reads one back.
func (c *client) raw(method, path, ctype string, body []byte) (*http.Response, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res, out
}

// upload stages a photo and returns its id, or 0 with the status.
func (c *client) upload(data []byte) (int64, int) {
	c.t.Helper()
	res, body := c.raw("POST", "/api/v1/photos", "image/jpeg", data)
	var p struct {
		ID int64 `json:"id"`
	}
	json.Unmarshal(body, &p)
	return p.ID, res.StatusCode
}

// TestAPIAwardPhotos is the API's photo flow: upload the raw image, then
// name its id in the award; only images, only one's own uploads, and the
// photo read back only within the village.
func TestAPIAwardPhotos(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		h := storetest.AwardHousehold(t, db, pingan, "018", "王秀兰")
		_, login := setup(t, db)
		clerk := login("clerk", access.Grant{Role: access.Operator, Region: pingan})
		colleague := login("colleague", access.Grant{Role: access.Operator, Region: pingan})
		outsider := login("waicun", access.Grant{Role: access.Operator, Region: other})
		reviewer := login("weiyuan", access.Grant{Role: access.Reviewer, Region: pingan})
		path := fmt.Sprintf("/api/v1/households/%d/awards", h.ID)

		if _, code := clerk.upload([]byte("GIF89a not what we take")); code != 422 {
			t.Fatalf("a GIF sent as a JPEG: %d", code)
		}
		if _, code := reviewer.upload(photo.Swatch(1)); code != 403 {
			t.Fatalf("a reviewer uploaded: %d", code)
		}
		id, code := clerk.upload(photo.Swatch(1))
		if code != 201 || id == 0 {
			t.Fatalf("upload: %d", code)
		}

		clerk.key, colleague.key = "p-1", "p-2"
		if code, body := clerk.do("POST", path, `{"item":"env-01"}`); code != 422 || body["code"] != "invalid" {
			t.Fatalf("award without its photo: %d %v", code, body)
		}
		if code, body := colleague.do("POST", path, fmt.Sprintf(`{"item":"env-01","photos":[%d]}`, id)); code != 422 {
			t.Fatalf("another user attached the clerk's upload: %d %v", code, body)
		}
		code, w := clerk.do("POST", path, fmt.Sprintf(`{"item":"env-01","photos":[%d]}`, id))
		if code != 201 || fmt.Sprint(w["photos"]) != fmt.Sprintf("[%d]", id) {
			t.Fatalf("award with its photo: %d %v", code, w)
		}
		if code, again := clerk.do("POST", path, fmt.Sprintf(`{"item":"env-01","photos":[%d]}`, id)); code != 201 || again["id"] != w["id"] {
			t.Fatalf("the award sent again: %d %v", code, again)
		}

		res, data := clerk.raw("GET", fmt.Sprintf("/api/v1/photos/%d", id), "", nil)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != photo.PNG || res.Header.Get("X-Content-Type-Options") != "nosniff" || !bytes.Equal(data, photo.Swatch(1)) {
			t.Fatalf("photo read back: %d %v", res.StatusCode, res.Header)
		}
		if res, _ := outsider.raw("GET", fmt.Sprintf("/api/v1/photos/%d", id), "", nil); res.StatusCode != 404 {
			t.Fatalf("a sibling village's official read the photo: %d", res.StatusCode)
		}
	})
}
