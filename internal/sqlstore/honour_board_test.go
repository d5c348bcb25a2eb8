package sqlstore_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/points"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// honourWorld is a store with the award and nomination flows, the
// committee of 平安村 and households of 平安村.
type honourWorld struct {
	db        *sqlstore.DB
	rev       *sqlstore.ReviewService
	hs        *sqlstore.HonourService
	committee *access.Actor
	now       *time.Time
}

func newHonourWorld(t *testing.T, db *sqlstore.DB) *honourWorld {
	t.Helper()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	w := &honourWorld{db: db, now: &now, committee: &access.Actor{UserID: 7, Username: "weiyuan", Grants: []access.Grant{{Role: access.Reviewer, Region: pingan}}}}
	db.Now = func() time.Time { return *w.now }
	flows, err := review.NewFlows(points.Flow(), points.AppealReviewFlow(), honour.Flow())
	if err != nil {
		t.Fatal(err)
	}
	w.rev = db.Review(flows, map[string]sqlstore.ReviewApplier{points.AwardFlow: db.AwardApplier(), honour.NominationFlow: db.HonourApplier()})
	w.hs = db.Honours(w.rev)
	if _, err := db.Schemes().Create(context.Background(), admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
		t.Fatal(err)
	}
	return w
}

// award records items for a household and has the committee approve them;
// finish ends their notice.
func (w *honourWorld) award(t *testing.T, h int64, items ...string) {
	t.Helper()
	ctx := context.Background()
	for i, it := range items {
		aw, err := w.db.Awards(w.rev).Record(ctx, clerk, points.AwardInput{Key: fmt.Sprint("hw", h, it, i), Household: h, Item: it, Witness: "邻居王某", Evidence: "经村委会核实"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.rev.Decide(ctx, w.committee, aw.ReviewID, review.Approve, ""); err != nil {
			t.Fatal(err)
		}
	}
}

func (w *honourWorld) finish(t *testing.T) {
	t.Helper()
	*w.now = w.now.Add(8 * 24 * time.Hour)
	if _, err := w.rev.FinaliseDue(context.Background(), *w.now); err != nil {
		t.Fatal(err)
	}
}

// TestComputedBoard ranks a 孝星榜 from the 孝老爱亲 aspect over a quarter,
// with a tie and a threshold, publishes it once onto the households'
// records, and keeps other villages' households off it.
func TestComputedBoard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newHonourWorld(t, db)
		a, b, c, d := ledgerHousehold(t, db, "001", 1), ledgerHousehold(t, db, "002", 2), ledgerHousehold(t, db, "003", 3), ledgerHousehold(t, db, "004", 4)
		w.award(t, a, "fil-03", "fil-03", "fil-05") // 6
		w.award(t, b, "fil-03", "fil-05", "fil-05") // 6: tied with a
		w.award(t, c, "fil-03", "env-03", "env-03") // 2 in the aspect
		w.award(t, d, "env-03")                     // 0 in the aspect
		w.finish(t)
		bad := []honour.BoardInput{
			{Region: pingan, Name: "", Kind: honour.Computed, Period: honour.Quarter, Size: 3},
			{Region: pingan, Name: "孝星榜", Kind: "x", Period: honour.Quarter, Size: 3},
			{Region: pingan, Name: "孝星榜", Kind: honour.Computed, Period: "week", Size: 3},
			{Region: pingan, Name: "孝星榜", Kind: honour.Nominated, Period: honour.Year, Size: 3, MinPoints: 4},
			{Region: "152221000000", Name: "孝星榜", Kind: honour.Computed, Period: honour.Year, Size: 3},
		}
		for _, in := range bad {
			if _, err := w.hs.CreateBoard(ctx, clerk, in); !fault.Is(err, fault.Invalid) {
				t.Errorf("board %+v: %v", in, err)
			}
		}
		if _, err := w.hs.CreateBoard(ctx, w.committee, honour.BoardInput{Region: pingan, Name: "孝星榜", Kind: honour.Computed, Period: honour.Quarter, Size: 2}); !fault.Is(err, fault.Forbidden) {
			t.Errorf("a reviewer defines a board: %v", err)
		}
		bd, err := w.hs.CreateBoard(ctx, clerk, honour.BoardInput{Region: pingan, Name: " 孝星榜 ", Kind: honour.Computed, Period: honour.Quarter, Aspect: "filial", MinPoints: 3, Size: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.hs.CreateBoard(ctx, clerk, honour.BoardInput{Region: pingan, Name: "孝星榜", Kind: honour.Computed, Period: honour.Year, Size: 1}); !fault.Is(err, fault.Conflict) {
			t.Errorf("second board of the name: %v", err)
		}
		if _, err := w.hs.Edition(ctx, clerk, bd.ID, "2026-06"); !fault.Is(err, fault.Invalid) {
			t.Errorf("a month of a quarterly board: %v", err)
		}
		e, err := w.hs.Edition(ctx, clerk, bd.ID, "2026-Q2")
		if err != nil {
			t.Fatal(err)
		}
		// One place, but a and b tie for it; c is under the threshold.
		if len(e.Honours) != 2 || e.Honours[0].Place != 1 || e.Honours[1].Place != 1 || e.Honours[0].Points != 6 || !e.Published.IsZero() {
			t.Fatalf("standings %+v", e)
		}
		if _, err := w.hs.Publish(ctx, w.committee, bd.ID, "2026-Q2"); !fault.Is(err, fault.Forbidden) {
			t.Errorf("a reviewer publishes: %v", err)
		}
		if _, err := w.hs.Publish(ctx, clerk, bd.ID, "2026-Q1"); !fault.Is(err, fault.Conflict) {
			t.Errorf("publishing an empty quarter: %v", err)
		}
		if e, err = w.hs.Publish(ctx, clerk, bd.ID, "2026-Q2"); err != nil || len(e.Honours) != 2 || e.Published.IsZero() {
			t.Fatalf("publish: %+v %v", e, err)
		}
		if _, err := w.hs.Publish(ctx, clerk, bd.ID, "2026-Q2"); !fault.Is(err, fault.Conflict) {
			t.Errorf("published twice: %v", err)
		}
		// Points approved later do not change a published period.
		w.award(t, c, "fil-05", "fil-05")
		*w.now = w.now.Add(-8 * 24 * time.Hour)
		w.finish(t)
		if e, _ = w.hs.Edition(ctx, clerk, bd.ID, "2026-Q2"); len(e.Honours) != 2 {
			t.Fatalf("published edition moved: %+v", e.Honours)
		}
		hon, err := w.hs.HouseholdHonours(ctx, clerk, a)
		if err != nil || len(hon) != 1 || hon[0].BoardName != "孝星榜" || hon[0].Period != "2026-Q2" {
			t.Fatalf("household honours %+v %v", hon, err)
		}
		if ps, err := w.hs.Periods(ctx, clerk, bd.ID); err != nil || len(ps) != 1 || ps[0] != "2026-Q2" {
			t.Fatalf("periods %v %v", ps, err)
		}
		sibling := &access.Actor{UserID: 99, Username: "other", Grants: []access.Grant{{Role: access.Operator, Region: dsVillage}}}
		if _, err := w.hs.Board(ctx, sibling, bd.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("a sibling village reads the board: %v", err)
		}
		if _, err := w.hs.HouseholdHonours(ctx, sibling, a); !fault.Is(err, fault.NotFound) {
			t.Errorf("a sibling village reads the honours: %v", err)
		}
		// A board that awards points for the honour records an award per
		// household placed, which reaches the ledger only through review.
		yearly, err := w.hs.CreateBoard(ctx, clerk, honour.BoardInput{Region: pingan, Name: "年度孝星", Kind: honour.Computed, Period: honour.Year, Aspect: "filial", MinPoints: 3, Size: 1, Item: "fil-04"})
		if err != nil {
			t.Fatal(err)
		}
		before, _ := db.Ledger().Balance(ctx, clerk, a)
		if _, err := w.hs.Publish(ctx, clerk, yearly.ID, "2026"); err != nil {
			t.Fatal(err)
		}
		if after, _ := db.Ledger().Balance(ctx, clerk, a); after != before {
			t.Fatalf("points reached the ledger before review: %d → %d", before, after)
		}
		pending, err := w.rev.Items(ctx, w.committee, review.Filter{Flow: points.AwardFlow, State: review.Pending})
		if err != nil || len(pending) != 2 {
			t.Fatalf("awards for the honour under review: %d %v", len(pending), err)
		}
		for _, it := range pending {
			if _, err := w.rev.Decide(ctx, w.committee, it.ID, review.Approve, ""); err != nil {
				t.Fatal(err)
			}
		}
		w.finish(t)
		if after, _ := db.Ledger().Balance(ctx, clerk, a); after != before+2 {
			t.Fatalf("balance after the honour's award: %d → %d", before, after)
		}
		if n := auditCount(t, db, "honour.publish"); n != 2 {
			t.Errorf("%d publications audited", n)
		}
	})
}

// TestNominatedBoard takes a nomination with the nominee's consent through
// the committee and a public notice with an objection onto the board, and
// refuses one without consent and one for another village.
func TestNominatedBoard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newHonourWorld(t, db)
		a, b := ledgerHousehold(t, db, "001", 1), ledgerHousehold(t, db, "002", 2)
		bd, err := w.hs.CreateBoard(ctx, clerk, honour.BoardInput{Region: pingan, Name: "最美平安人", Kind: honour.Nominated, Period: honour.Year, Size: 10})
		if err != nil {
			t.Fatal(err)
		}
		in := honour.NominationInput{Board: bd.ID, Period: "2026", Household: a, Deed: "十年如一日照顾瘫痪的婆婆", Citation: "孝老爱亲十年如一日",
			NominatorKind: honour.ByOrganisation, Nominator: "村妇联", Consent: honour.ConsentSigned, ConsentDate: "2026-05-30"}
		noConsent := in
		noConsent.Consent = ""
		if _, err := w.hs.Nominate(ctx, clerk, noConsent); !fault.Is(err, fault.Invalid) {
			t.Errorf("nomination without consent: %v", err)
		}
		stranger := in
		stranger.Household = mustHousehold(t, db, dsVillage, "009", person("外村人", 9, "1970-01-01", "男")).ID
		if _, err := w.hs.Nominate(ctx, clerk, stranger); !fault.Is(err, fault.Invalid) {
			t.Errorf("nomination of another village's household: %v", err)
		}
		n, err := w.hs.Nominate(ctx, clerk, in)
		if err != nil {
			t.Fatal(err)
		}
		if n.Status != honour.NomInReview || n.ReviewID == 0 || n.Nominee != "赵一" {
			t.Fatalf("nomination %+v", n)
		}
		if _, err := w.hs.Nominate(ctx, clerk, in); !fault.Is(err, fault.Conflict) {
			t.Errorf("nominated twice: %v", err)
		}
		// A villager nominates their neighbour from their phone.
		villager := &access.Actor{UserID: 9, Username: "cunmin", Grants: []access.Grant{{Role: access.Villager, Region: pingan, Household: a}}}
		other := in
		other.Household, other.NominatorKind, other.Nominator, other.Consent = b, honour.ByVillager, "赵一", honour.ConsentVerbal
		n2, err := w.hs.Nominate(ctx, villager, other)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{n.ReviewID, n2.ReviewID} {
			if _, err := w.rev.Decide(ctx, w.committee, id, review.Approve, ""); err != nil {
				t.Fatal(err)
			}
		}
		obj, err := w.rev.Object(ctx, nil, pingan, n2.ReviewID, "事迹不实")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.rev.ResolveObjection(ctx, w.committee, obj.ID, true, "经核实事迹不实"); err != nil {
			t.Fatal(err)
		}
		if e, _ := w.hs.Edition(ctx, clerk, bd.ID, "2026"); len(e.Honours) != 0 {
			t.Fatalf("honours before the notice ended: %+v", e.Honours)
		}
		w.finish(t)
		e, err := w.hs.Edition(ctx, nil, bd.ID, "2026")
		if err != nil || len(e.Honours) != 1 || e.Honours[0].Household != a || e.Honours[0].Citation != in.Citation {
			t.Fatalf("edition %+v %v", e, err)
		}
		list, err := w.hs.Nominations(ctx, clerk, bd.ID, "2026")
		if err != nil || len(list) != 2 || list[0].Status != honour.NomPublished || list[1].Status != honour.NomRefused {
			t.Fatalf("nominations %+v %v", list, err)
		}
		if hon, _ := w.hs.HouseholdHonours(ctx, villager, a); len(hon) != 1 {
			t.Fatalf("the villager does not see their honour: %+v", hon)
		}
	})
}

// TestNominatedBoardPoints publishes a nominated board that names a scheme
// item: refused while a nomination is still in review, then the approved
// honour's award goes through the award review like any other before it
// reaches the ledger, and the published period takes no more nominations.
func TestNominatedBoardPoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newHonourWorld(t, db)
		a, b := ledgerHousehold(t, db, "001", 1), ledgerHousehold(t, db, "002", 2)
		bd, err := w.hs.CreateBoard(ctx, clerk, honour.BoardInput{Region: pingan, Name: "好人榜", Kind: honour.Nominated, Period: honour.Year, Size: 10, Item: "fil-04"})
		if err != nil {
			t.Fatal(err)
		}
		in := honour.NominationInput{Board: bd.ID, Period: "2026", Household: a, Deed: "冬夜救起落水儿童", Citation: "见义勇为",
			NominatorKind: honour.ByStaff, Nominator: "村委会", Consent: honour.ConsentSigned, ConsentDate: "2026-05-30"}
		n, err := w.hs.Nominate(ctx, clerk, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.hs.Publish(ctx, clerk, bd.ID, "2026"); !fault.Is(err, fault.Conflict) {
			t.Fatalf("published with a nomination in review: %v", err)
		}
		if _, err := w.rev.Decide(ctx, w.committee, n.ReviewID, review.Approve, ""); err != nil {
			t.Fatal(err)
		}
		w.finish(t)
		before, _ := db.Ledger().Balance(ctx, clerk, a)
		e, err := w.hs.Publish(ctx, clerk, bd.ID, "2026")
		if err != nil || e.Published.IsZero() || len(e.Honours) != 1 || e.Honours[0].Citation != in.Citation {
			t.Fatalf("publication %+v %v", e, err)
		}
		if after, _ := db.Ledger().Balance(ctx, clerk, a); after != before {
			t.Fatalf("points reached the ledger before review: %d → %d", before, after)
		}
		pending, err := w.rev.Items(ctx, w.committee, review.Filter{Flow: points.AwardFlow, State: review.Pending})
		if err != nil || len(pending) != 1 {
			t.Fatalf("awards for the honour under review: %d %v", len(pending), err)
		}
		if _, err := w.rev.Decide(ctx, w.committee, pending[0].ID, review.Approve, ""); err != nil {
			t.Fatal(err)
		}
		w.finish(t)
		if after, _ := db.Ledger().Balance(ctx, clerk, a); after != before+2 {
			t.Fatalf("balance after the honour's award: %d → %d", before, after)
		}
		if _, err := w.hs.Publish(ctx, clerk, bd.ID, "2026"); !fault.Is(err, fault.Conflict) {
			t.Errorf("published twice: %v", err)
		}
		late := in
		late.Household = b
		if _, err := w.hs.Nominate(ctx, clerk, late); !fault.Is(err, fault.Conflict) {
			t.Errorf("nominated on a published period: %v", err)
		}
		if hon, _ := w.hs.HouseholdHonours(ctx, clerk, a); len(hon) != 1 {
			t.Fatalf("the honour is not on the record once: %+v", hon)
		}
	})
}

// TestNominationPhotos keeps a nomination's deed photos for the committee
// of its village only while it decides, shows on the public board only
// those of an approved honour whose nominee agreed, and refuses a
// nomination whose photo is not an image, keeping nothing of it.
func TestNominationPhotos(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newHonourWorld(t, db)
		a, b := ledgerHousehold(t, db, "001", 1), ledgerHousehold(t, db, "002", 2)
		bd, err := w.hs.CreateBoard(ctx, clerk, honour.BoardInput{Region: pingan, Name: "好人榜", Kind: honour.Nominated, Period: honour.Year, Size: 10})
		if err != nil {
			t.Fatal(err)
		}
		var img bytes.Buffer
		if err := jpeg.Encode(&img, image.NewGray(image.Rect(0, 0, 40, 30)), nil); err != nil {
			t.Fatal(err)
		}
		in := honour.NominationInput{Board: bd.ID, Period: "2026", Household: a, Deed: "冬夜救起落水儿童", Citation: "见义勇为",
			NominatorKind: honour.ByStaff, Nominator: "村委会", Consent: honour.ConsentSigned, ConsentDate: "2026-05-30",
			Photos: [][]byte{img.Bytes(), []byte("not an image")}, PhotosPublic: true}
		if _, err := w.hs.Nominate(ctx, clerk, in); !fault.Is(err, fault.Invalid) {
			t.Fatalf("a nomination with a non-image: %v", err)
		}
		if list, _ := w.hs.Nominations(ctx, clerk, bd.ID, "2026"); len(list) != 0 {
			t.Fatalf("a refused nomination was kept: %+v", list)
		}
		in.Photos = in.Photos[:1]
		pub, err := w.hs.Nominate(ctx, clerk, in)
		if err != nil || len(pub.PhotoIDs) != 1 || !pub.PhotosPublic {
			t.Fatalf("nomination %+v %v", pub, err)
		}
		private := in
		private.Household, private.PhotosPublic = b, false
		priv, err := w.hs.Nominate(ctx, clerk, private)
		if err != nil || len(priv.PhotoIDs) != 1 {
			t.Fatalf("nomination %+v %v", priv, err)
		}
		photoOf := func(a *access.Actor, id int64) error {
			ctype, data, err := w.hs.NominationPhoto(ctx, a, 0, id, false)
			if err == nil && (ctype != "image/jpeg" || len(data) == 0) {
				t.Errorf("photo %d: %s, %d bytes", id, ctype, len(data))
			}
			return err
		}
		if err := photoOf(clerk, pub.PhotoIDs[0]); err != nil {
			t.Errorf("the village's official cannot see the photo under review: %v", err)
		}
		if _, _, err := w.hs.NominationPhoto(ctx, clerk, bd.ID+1, pub.PhotoIDs[0], true); !fault.Is(err, fault.NotFound) {
			t.Errorf("a photo read through another board: %v", err)
		}
		if err := photoOf(nil, pub.PhotoIDs[0]); !fault.Is(err, fault.NotFound) {
			t.Errorf("the public sees a photo under review: %v", err)
		}
		sibling := &access.Actor{UserID: 99, Username: "other", Grants: []access.Grant{{Role: access.Operator, Region: dsVillage}}}
		if err := photoOf(sibling, pub.PhotoIDs[0]); !fault.Is(err, fault.NotFound) {
			t.Errorf("a sibling village sees the photo: %v", err)
		}
		for _, id := range []int64{pub.ReviewID, priv.ReviewID} {
			if _, err := w.rev.Decide(ctx, w.committee, id, review.Approve, ""); err != nil {
				t.Fatal(err)
			}
		}
		w.finish(t)
		if err := photoOf(nil, pub.PhotoIDs[0]); err != nil {
			t.Errorf("the public cannot see an approved, consented photo: %v", err)
		}
		if err := photoOf(nil, priv.PhotoIDs[0]); !fault.Is(err, fault.NotFound) {
			t.Errorf("the public sees a photo without the nominee's consent: %v", err)
		}
		if err := photoOf(clerk, priv.PhotoIDs[0]); err != nil {
			t.Errorf("the official cannot see the private photo: %v", err)
		}
		e, err := w.hs.Edition(ctx, nil, bd.ID, "2026")
		if err != nil || len(e.Honours) != 2 {
			t.Fatalf("edition %+v %v", e, err)
		}
		for _, h := range e.Honours {
			want := 0
			if h.Household == a {
				want = 1
			}
			if len(h.Photos) != want {
				t.Errorf("household %d shows %d photos on the public board, want %d", h.Household, len(h.Photos), want)
			}
		}
	})
}
