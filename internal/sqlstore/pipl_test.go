package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestPublicNamesEnd checks what the public notice shows: nothing of an
// item once its notice window has ended, even before the review engine's
// sweep has moved it on, and never the name of a household head who is a
// minor.
func TestPublicNamesEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc, _ := reviewService(t, db)
		reviewInNotice(t, svc, 1001, pingan)
		if ns, err := svc.PublicNotices(ctx, pingan); err != nil || len(ns) != 1 {
			t.Fatalf("notices in the window: %+v, %v", ns, err)
		}
		db.Now = func() time.Time { return reviewT0.Add(7*24*time.Hour + time.Minute) }
		if ns, err := svc.PublicNotices(ctx, pingan); err != nil || len(ns) != 0 {
			t.Fatalf("notices after the window: %+v, %v", ns, err)
		}

		db.Now = func() time.Time { return reviewT0 }
		if _, err := db.Schemes().Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
			t.Fatal(err)
		}
		child := mustHousehold(t, db, pingan, "009", person("小明", 9, "2012-03-01", registry.Male))
		adult := mustHousehold(t, db, pingan, "010", person("巴特尔", 10, "1980-03-01", registry.Male))
		aw := db.Awards(svc)
		for _, c := range []struct {
			h    int64
			want string
		}{{child.ID, ""}, {adult.ID, "巴**"}} {
			w, err := aw.Record(ctx, clerk, points.AwardInput{Key: "m" + c.want, Household: c.h, Item: "env-03"})
			if err != nil {
				t.Fatal(err)
			}
			it, err := svc.Item(ctx, clerk, w.ReviewID)
			if err != nil || it.Summary.Person != c.want {
				t.Fatalf("the notice names household %d's head %q (%v), want %q", c.h, it.Summary.Person, err, c.want)
			}
		}
	})
}

// TestCorrectionNamesNoMinor: a correction stands on the public notice
// like an award, so a household whose head is a minor is named on it by
// nobody, as on the award's own notice.
func TestCorrectionNamesNoMinor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newOutcomeWorld(t, db)
		child := mustHousehold(t, db, pingan, "009", person("小明", 9, "2012-03-01", registry.Male))
		orig := w.onNotice(t, child.ID, "k1", "env-05")
		w.closeNotices(t)
		c, err := w.aw.Correct(ctx, clerk, points.Correction{Key: "c1", Household: child.ID, Award: orig.ID, Reason: "录错户"})
		if err != nil {
			t.Fatal(err)
		}
		if it, err := w.rev.Item(ctx, clerk, c.ReviewID); err != nil || it.Summary.Person != "" {
			t.Fatalf("the correction's notice names a minor head %q (%v)", it.Summary.Person, err)
		}
	})
}
