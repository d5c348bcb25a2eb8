package sqlstore_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/fault"
	"shanzhi/internal/photo"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestAwardPhotos follows evidence photos from upload to the award they
// prove: only images, staged for their uploader alone, required where the
// item asks for one, attached once, seen only within the award's village,
// and purged when nobody attached them.
func TestAwardPhotos(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		const sibling = "152221103212" // a village of 大石寨镇, beside 科尔沁镇
		for _, town := range []string{keerqin, daShiZai} {
			if _, err := db.Schemes().Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: town}); err != nil {
				t.Fatal(err)
			}
		}
		flows := storetest.AwardFlows(t)
		aw, ph := db.Awards(db.Review(flows, nil)), db.Photos()
		h := ledgerHousehold(t, db, "001", 1)
		other := mustHousehold(t, db, sibling, "X-1", person("外村", 3, "1970-01-01", registry.Male)).ID
		colleague := operatorAt(pingan)
		outsider := operatorAt(sibling)
		villager := &access.Actor{UserID: 9, Username: "cunmin", Grants: []access.Grant{{Role: access.Villager, Region: pingan, Household: h}}}

		// Only images, told by their bytes, and not too large.
		if _, err := ph.Upload(ctx, clerk, []byte("<html><script>alert(1)</script></html>")); !saysField(err, "photos", "award.photo_type") {
			t.Fatalf("a page named as a photo: %v", err)
		}
		big := append(photo.Swatch(9), bytes.Repeat([]byte{0}, points.MaxPhotoBytes)...)
		if _, err := ph.Upload(ctx, clerk, big); !fault.Is(err, fault.TooLarge) {
			t.Fatalf("an oversized photo: %v", err)
		}
		if _, err := ph.Upload(ctx, &access.Actor{UserID: 11, Username: "weiyuan", Grants: []access.Grant{{Role: access.Reviewer, Region: pingan}}}, photo.Swatch(1)); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("a reviewer, who records nothing, uploaded: %v", err)
		}
		p1, err := ph.Upload(ctx, clerk, photo.Swatch(1))
		if err != nil || p1.ContentType != photo.PNG || p1.Size != len(photo.Swatch(1)) || len(p1.SHA256) != 64 {
			t.Fatalf("upload: %+v %v", p1, err)
		}
		if again, err := ph.Upload(ctx, clerk, photo.Swatch(1)); err != nil || again.ID != p1.ID {
			t.Fatalf("the same photo staged twice: %+v %v", again, err)
		}

		// 庭院整洁 (env-01) needs a photo: refused without, and with a
		// photo somebody else staged.
		if _, err := aw.Record(ctx, clerk, points.AwardInput{Key: "a0", Household: h, Item: "env-01"}); !saysField(err, "photo", "scheme.award.photo") {
			t.Fatalf("award without its photo: %v", err)
		}
		if _, err := aw.Record(ctx, colleague, points.AwardInput{Key: "a1", Household: h, Item: "env-01", Photos: []int64{p1.ID}}); !saysField(err, "photos", "award.photo_unknown") {
			t.Fatalf("another user attached the clerk's upload: %v", err)
		}
		if _, err := aw.Record(ctx, clerk, points.AwardInput{Key: "a1", Household: h, Item: "env-01", Photos: []int64{p1.ID, p1.ID + 100, p1.ID + 101, p1.ID + 102}}); !saysField(err, "photos", "award.photo_count") {
			t.Fatalf("four photos: %v", err)
		}
		w, err := aw.Record(ctx, clerk, points.AwardInput{Key: "a1", Household: h, Item: "env-01", Photos: []int64{p1.ID}})
		if err != nil || !slices.Equal(w.Photos, []int64{p1.ID}) {
			t.Fatalf("award with its photo: %+v %v", w, err)
		}
		if again, err := aw.Record(ctx, clerk, points.AwardInput{Key: "a1", Household: h, Item: "env-01", Photos: []int64{p1.ID}}); err != nil || again.ID != w.ID {
			t.Fatalf("the same award sent again: %+v %v", again, err)
		}
		// A form sent twice stages the same picture twice: still one award.
		p1b, err := ph.Upload(ctx, clerk, photo.Swatch(1))
		if err != nil || p1b.ID == p1.ID {
			t.Fatalf("restaging an attached photo: %+v %v", p1b, err)
		}
		if again, err := aw.Record(ctx, clerk, points.AwardInput{Key: "a1", Household: h, Item: "env-01", Photos: []int64{p1b.ID}}); err != nil || again.ID != w.ID {
			t.Fatalf("the same award with the photo staged again: %+v %v", again, err)
		}
		if _, err := aw.Record(ctx, clerk, points.AwardInput{Key: "a2", Household: h, Item: "env-02", Photos: []int64{p1.ID}}); !saysField(err, "photos", "award.photo_unknown") {
			t.Fatalf("a photo proving a second award: %v", err)
		}
		ws, err := aw.Awards(ctx, clerk, h)
		if err != nil || len(ws) != 1 || !slices.Equal(ws[0].Photos, []int64{p1.ID}) {
			t.Fatalf("the household's awards: %+v %v", ws, err)
		}

		// Who sees it: the village's officials and the household itself.
		for _, c := range []struct {
			who  string
			a    *access.Actor
			sees bool
		}{{"clerk", clerk, true}, {"township leader", admin, true}, {"the household's villager", villager, true},
			{"sibling village's operator", outsider, false}, {"another household's villager", &access.Actor{UserID: 10, Username: "x", Grants: []access.Grant{{Role: access.Villager, Region: sibling, Household: other}}}, false},
			{"anonymous", nil, false}} {
			p, data, err := ph.Content(ctx, c.a, p1.ID)
			switch {
			case c.sees && (err != nil || p.ContentType != photo.PNG || !bytes.Equal(data, photo.Swatch(1))):
				t.Errorf("%s: %v", c.who, err)
			case !c.sees && !fault.Is(err, fault.NotFound):
				t.Errorf("%s fetched the photo: %v", c.who, err)
			}
		}

		// A staged photo is its uploader's alone, until the purge.
		p2, err := ph.Upload(ctx, clerk, photo.Swatch(2))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := ph.Content(ctx, colleague, p2.ID); !fault.Is(err, fault.NotFound) {
			t.Fatalf("a colleague saw a staged photo: %v", err)
		}
		if _, _, err := ph.Content(ctx, clerk, p2.ID); err != nil {
			t.Fatalf("the uploader's staged photo: %v", err)
		}
		if n, err := ph.FinaliseDue(ctx, db.Now().Add(time.Hour)); err != nil || n != 0 {
			t.Fatalf("purge within the day: %d %v", n, err)
		}
		if n, err := ph.FinaliseDue(ctx, db.Now().Add(points.StagedFor+time.Hour)); err != nil || n != 2 { // p2 and p1b
			t.Fatalf("purge after a day: %d %v", n, err)
		}
		if _, _, err := ph.Content(ctx, clerk, p2.ID); !fault.Is(err, fault.NotFound) {
			t.Fatalf("a purged photo: %v", err)
		}
		if _, _, err := ph.Content(ctx, clerk, p1.ID); err != nil {
			t.Fatalf("the purge took an attached photo: %v", err)
		}

		// Every upload and attach is in the trail.
		for action, want := range map[string]int{"points.photo.upload": 3, "points.photo.attach": 1, "points.photo.purge": 1} {
			_, n, err := db.Audit().Entries(ctx, authAuditor, audit.Filter{Action: action})
			if err != nil || n != want {
				t.Errorf("audit %s: %d entries, want %d (%v)", action, n, want, err)
			}
		}
	})
}

// saysField reports whether err carries msg on the named field.
func saysField(err error, name, msg string) bool {
	var e *fault.Error
	if !errors.As(err, &e) {
		return false
	}
	for _, f := range e.Fields {
		if f.Name == name && f.Msg.Key == msg {
			return true
		}
	}
	return false
}
