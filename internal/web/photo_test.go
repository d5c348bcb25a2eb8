package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/photo"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// upload posts a multipart form as the signed-in user, the way a phone
// sends the award form with its photos; csrf is added unless the form
// brings its own (or an empty one, to test the check).
func (s *site) upload(path string, form url.Values, photos ...[]byte) *http.Response {
	s.t.Helper()
	files := make([]file, len(photos))
	for i, p := range photos {
		files[i] = file{fmt.Sprintf("IMG_%d.jpg", i), p}
	}
	return s.postFiles(path, form, "photos", files...)
}

var photoRe = regexp.MustCompile(`src="/photos/(\d+)\?size=thumb"`)

// TestAwardPhotoPages drives the award form with real photos: refused
// without one where the item needs it and for a non-image, kept across a
// refusal, shown as thumbnails to the household's officials and the
// committee, served privately, and never on the public notice.
func TestAwardPhotoPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		h := storetest.AwardHousehold(t, db, pingan, "018", "王秀兰")
		s := newSite(t, db)
		s.user("clerk", access.Grant{Role: access.Operator, Region: pingan})
		path := fmt.Sprintf("/households/%d/award", h.ID)
		s.page(path, http.StatusOK, `enctype="multipart/form-data"`, `type="file"`, ` multiple`, `accept="image/*"`)

		if res := s.upload(path, url.Values{"item": {"env-01"}, "key": {"k1"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(s.body(res), "须附照片") {
			t.Fatalf("award without its photo: %d", res.StatusCode)
		}
		if res := s.upload(path, url.Values{"item": {"env-01"}, "key": {"k1"}}, []byte("<html>not a photo</html>")); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(s.body(res), "JPEG、PNG 或 WebP") {
			t.Fatalf("a page sent as a photo: %d", res.StatusCode)
		}
		if res := s.upload(path, url.Values{"item": {"env-01"}, "key": {"k1"}, "csrf": {""}}, photo.Swatch(1)); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a multipart award without the CSRF token: %d", res.StatusCode)
		}
		// 发展特色种养殖 (ind-01) needs a photo and a text: refused for the
		// text, the photo is kept and not asked for again.
		res := s.upload(path, url.Values{"item": {"ind-01"}, "key": {"k2"}}, photo.Swatch(1))
		body := s.body(res)
		kept := regexp.MustCompile(`name="photo_ids" value="(\d+)"`).FindStringSubmatch(body)
		if res.StatusCode != http.StatusUnprocessableEntity || kept == nil || !strings.Contains(body, "已收到 1 张照片") {
			t.Fatalf("refused for its text: %d\n%s", res.StatusCode, body)
		}
		if res := s.upload(path, url.Values{"item": {"ind-01"}, "key": {"k2"}, "photo_ids": {kept[1]}, "evidence": {"养牛 12 头"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("award with the kept photo: %d %s", res.StatusCode, s.body(res))
		}

		// The household page shows the thumbnail; the photo is served
		// privately as the image it is.
		m := photoRe.FindStringSubmatch(s.page(fmt.Sprintf("/households/%d", h.ID), http.StatusOK, "特色种养殖", `class="evidence"`))
		if m == nil || m[1] != kept[1] {
			t.Fatalf("the household page's thumbnail: %v, want photo %s", m, kept[1])
		}
		res = s.get("/photos/" + m[1])
		got := s.body(res)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != photo.PNG || res.Header.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(res.Header.Get("Cache-Control"), "private") || got != string(photo.Swatch(1)) {
			t.Fatalf("photo: %d %v", res.StatusCode, res.Header)
		}
		if res := s.get("/photos/" + m[1] + "?size=thumb"); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != photo.JPEG {
			t.Fatalf("thumbnail: %d %v", res.StatusCode, res.Header)
		}

		// The committee sees it in its queue and approves; the public
		// notice then lists the award without it.
		s.user("weiyuan", access.Grant{Role: access.Reviewer, Region: pingan})
		body = s.page("/reviews", http.StatusOK, "发展特色种养殖", `src="/photos/`+m[1]+`?size=thumb"`)
		id := regexp.MustCompile(`action="/reviews/(\d+)"`).FindStringSubmatch(body)[1]
		if res := s.post("/reviews/"+id, url.Values{"decision": {"approve"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve: %d", res.StatusCode)
		}
		res, _ = (&http.Client{}).Get(s.srv.URL + "/notice/" + pingan)
		if body := s.body(res); res.StatusCode != http.StatusOK || !strings.Contains(body, "发展特色种养殖") || strings.Contains(body, "/photos/") {
			t.Fatalf("notice page: %d\n%s", res.StatusCode, body)
		}
		if res, _ := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(s.srv.URL + "/photos/" + m[1]); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("the photo without signing in: %d", res.StatusCode)
		}

		// An official of a sibling village does not get it.
		s.user("waicun", access.Grant{Role: access.Operator, Region: "152221103212"})
		if res := s.get("/photos/" + m[1]); res.StatusCode != http.StatusNotFound {
			t.Fatalf("a sibling village's official fetched the photo: %d", res.StatusCode)
		}

		// The villager declares with a photo from their phone.
		s.user("cunmin", access.Grant{Role: access.Villager, Region: pingan, Household: h.ID})
		s.page("/my/declare", http.StatusOK, `type="file"`)
		if res := s.upload("/my/declare", url.Values{"item": {"pub-01"}, "key": {"d1"}, "evidence": {"清理村道积雪"}}, photo.Swatch(3)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("declaration with a photo: %d %s", res.StatusCode, s.body(res))
		}
		if res := s.get("/photos/" + m[1]); res.StatusCode != http.StatusOK {
			t.Fatalf("the household's own villager: %d", res.StatusCode)
		}
	})
}
