package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// outcomeWorld is an award service over the award and appeal flows with a
// clock the test moves, and the village committee that decides.
type outcomeWorld struct {
	db        *sqlstore.DB
	rev       *sqlstore.ReviewService
	aw        *sqlstore.AwardService
	committee *access.Actor
	now       *time.Time
}

func newOutcomeWorld(t *testing.T, db *sqlstore.DB) *outcomeWorld {
	now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	w := &outcomeWorld{db: db, now: &now}
	db.Now = func() time.Time { return *w.now }
	if _, err := db.Schemes().Create(context.Background(), admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
		t.Fatal(err)
	}
	w.rev = db.Review(storetest.AwardFlows(t), map[string]sqlstore.ReviewApplier{points.AwardFlow: db.AwardApplier()})
	w.aw = db.Awards(w.rev)
	w.committee = &access.Actor{UserID: 7, Username: "weiyuan", Grants: []access.Grant{{Role: access.Reviewer, Region: pingan}}}
	return w
}

// onNotice records an award and has the committee approve it onto notice.
func (w *outcomeWorld) onNotice(t *testing.T, h int64, key, item string) *points.AwardRecord {
	t.Helper()
	a, err := w.aw.Record(context.Background(), clerk, points.AwardInput{Key: key, Household: h, Item: item, Photo: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.rev.Decide(context.Background(), w.committee, a.ReviewID, review.Approve, ""); err != nil {
		t.Fatal(err)
	}
	return a
}

// closeNotices moves the clock past every notice window and finalises.
func (w *outcomeWorld) closeNotices(t *testing.T) int {
	t.Helper()
	*w.now = w.now.Add(8 * 24 * time.Hour)
	n, err := w.rev.FinaliseDue(context.Background(), *w.now)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (w *outcomeWorld) award(t *testing.T, h, id int64) points.AwardRecord {
	t.Helper()
	ws, err := w.aw.Awards(context.Background(), clerk, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range ws {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("award %d not listed", id)
	return points.AwardRecord{}
}

// TestAwardObjectionOutcomes resolves objections to awards on notice: a
// dismissed objection lets the notice close and the award post, an upheld
// one cancels the award and the public notice says so, an objection to a
// closed item is refused, and an objector's reference number brings back
// the outcome and nobody's name.
func TestAwardObjectionOutcomes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newOutcomeWorld(t, db)
		h := ledgerHousehold(t, db, "001", 1)
		kept := w.onNotice(t, h, "k1", "env-03")
		struck := w.onNotice(t, h, "k2", "env-03")

		// The notice page of another village takes no objection to it.
		if _, err := w.rev.Object(ctx, nil, "152221100211", kept.ReviewID, "不属实"); !fault.Is(err, fault.NotFound) {
			t.Fatalf("objection through another village's notice: %v", err)
		}
		o1, err := w.rev.Object(ctx, nil, pingan, kept.ReviewID, "那天没有检查")
		if err != nil {
			t.Fatal(err)
		}
		o2, err := w.rev.Object(ctx, nil, pingan, struck.ReviewID, "该户已外出")
		if err != nil {
			t.Fatal(err)
		}
		if len(o1.Ref) != 11 || o1.Ref == o2.Ref {
			t.Fatalf("reference numbers %q and %q", o1.Ref, o2.Ref)
		}
		// An open objection holds the notice past its window.
		if n := w.closeNotices(t); n != 0 {
			t.Fatalf("%d items finalised with their objections open", n)
		}
		if _, err := w.rev.ResolveObjection(ctx, w.committee, o1.ID, false, "经核实当天有检查记录"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.rev.ResolveObjection(ctx, w.committee, o2.ID, true, "经核实该户当月外出务工"); err != nil {
			t.Fatal(err)
		}
		ns, err := w.rev.PublicNotices(ctx, pingan)
		if err != nil {
			t.Fatal(err)
		}
		// The kept award's window has ended, so it has left the page with
		// its names (its objector follows the outcome by reference); the
		// struck one stays up, cancelled, for a window, saying why.
		if len(ns) != 1 || ns[0].ItemID != struck.ReviewID || ns[0].State != review.Cancelled || ns[0].Objections[0].State != review.ObjUpheld ||
			ns[0].Objections[0].Resolution != "经核实该户当月外出务工" {
			t.Fatalf("public notice after the upheld objection = %+v", ns)
		}
		// The dismissed objection's notice closes at the next run and the
		// award posts; the upheld one's award is cancelled, nothing posted.
		if n, err := w.rev.FinaliseDue(ctx, *w.now); err != nil || n != 1 {
			t.Fatalf("finalised %d (%v), want 1", n, err)
		}
		if a := w.award(t, h, kept.ID); a.Status != points.AwardApproved || a.EntryID == 0 || a.Show().Key != "award.shown.posted" {
			t.Fatalf("award after the dismissed objection = %+v", a)
		}
		if a := w.award(t, h, struck.ID); a.Status != points.AwardCanceled || a.EntryID != 0 || a.Show().Reason != "经核实该户当月外出务工" {
			t.Fatalf("award after the upheld objection = %+v, shown %+v", a, a.Show())
		}
		if b, _ := db.Ledger().Balance(ctx, clerk, h); b != 1 {
			t.Fatalf("balance %d, want 1", b)
		}
		// Closed items take no objection.
		for _, id := range []int64{kept.ReviewID, struck.ReviewID} {
			_, err := w.rev.Object(ctx, nil, pingan, id, "晚了")
			if fe, ok := err.(*fault.Error); !ok || fe.Code != fault.Conflict || fe.Msg.Key != "review.object.closed" {
				t.Fatalf("objection to closed item %d: %v", id, err)
			}
		}
		// The objector's reference number, typed loosely, brings back the
		// outcome; a made-up one brings nothing.
		out, err := w.rev.ObjectionOutcome(ctx, " "+strings.ToLower(strings.ReplaceAll(o2.Ref, "-", ""))+" ")
		if err != nil {
			t.Fatal(err)
		}
		if out.State != review.ObjUpheld || out.ItemState != review.Cancelled || out.Resolution != "经核实该户当月外出务工" || out.Person != "赵*" {
			t.Fatalf("outcome = %+v", out)
		}
		if _, err := w.rev.ObjectionOutcome(ctx, "AAAAA-AAAAA"); !fault.Is(err, fault.NotFound) {
			t.Fatalf("made-up reference: %v", err)
		}
	})
}

// TestAwardCorrection corrects a posted award by a linked reversal under
// the same review and notice: it posts exactly once, marks the original
// corrected, and refuses a second correction and a correction of the
// correction. A pending award is withdrawn instead.
func TestAwardCorrection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newOutcomeWorld(t, db)
		h := ledgerHousehold(t, db, "001", 1)
		orig := w.onNotice(t, h, "k1", "env-05")
		w.closeNotices(t)
		if b, _ := db.Ledger().Balance(ctx, clerk, h); b != 2 {
			t.Fatalf("balance %d, want 2", b)
		}
		pending, err := w.aw.Record(ctx, clerk, points.AwardInput{Key: "k2", Household: h, Item: "env-03"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.aw.Correct(ctx, clerk, points.Correction{Key: "c0", Household: h, Award: pending.ID, Reason: "录错"}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("correction of an award under review: %v", err)
		}
		if _, err := w.aw.Correct(ctx, clerk, points.Correction{Key: "c0", Household: h, Award: orig.ID}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("correction without a reason: %v", err)
		}
		if _, err := w.aw.Correct(ctx, w.committee, points.Correction{Key: "c0", Household: h, Award: orig.ID, Reason: "录错户"}); !fault.Is(err, fault.NotFound) {
			t.Fatalf("a reviewer recorded a correction: %v", err)
		}
		c, err := w.aw.Correct(ctx, clerk, points.Correction{Key: "c1", Household: h, Award: orig.ID, Reason: "录错户，应为隔壁户"})
		if err != nil {
			t.Fatal(err)
		}
		if again, err := w.aw.Correct(ctx, clerk, points.Correction{Key: "c1", Household: h, Award: orig.ID, Reason: "录错户，应为隔壁户"}); err != nil || again.ID != c.ID {
			t.Fatalf("the same correction resent: %+v %v", again, err)
		}
		if c.Points != -2 || c.Corrects != orig.ID || c.Status != points.AwardPending {
			t.Fatalf("correction = %+v", c)
		}
		if _, err := w.aw.Correct(ctx, clerk, points.Correction{Key: "c2", Household: h, Award: orig.ID, Reason: "再改"}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("a second correction while one is under review: %v", err)
		}
		// The correction goes through approval and its own notice.
		if _, err := w.rev.Decide(ctx, w.committee, c.ReviewID, review.Approve, ""); err != nil {
			t.Fatal(err)
		}
		ns, _ := w.rev.PublicNotices(ctx, pingan)
		if len(ns) != 1 || ns[0].SubjectKind != sqlstore.CorrectionKind || ns[0].Summary.Note != "录错户，应为隔壁户" || ns[0].Summary.Points != -2 || ns[0].Household != "001" {
			t.Fatalf("notice of the correction = %+v", ns)
		}
		if b, _ := db.Ledger().Balance(ctx, clerk, h); b != 2 {
			t.Fatalf("balance %d before the correction's notice closed, want 2", b)
		}
		w.closeNotices(t)
		w.closeNotices(t) // a second run finds nothing more to post
		es, err := db.Ledger().Statement(ctx, clerk, h, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		reversals := 0
		for _, e := range es {
			if e.Kind == points.Reversal {
				reversals++
				if e.Delta != -2 || e.Reverses != w.award(t, h, orig.ID).EntryID || e.Memo != "录错户，应为隔壁户" {
					t.Fatalf("reversal entry = %+v", e)
				}
			}
		}
		if reversals != 1 {
			t.Fatalf("%d reversals posted, want 1", reversals)
		}
		if b, _ := db.Ledger().Balance(ctx, clerk, h); b != 0 {
			t.Fatalf("balance %d after the correction, want 0", b)
		}
		if a := w.award(t, h, orig.ID); a.Status != points.AwardCorrected || a.Show().Key != "award.shown.corrected" {
			t.Fatalf("original after its correction = %+v", a)
		}
		// A correction is never corrected, nor the original twice.
		_, err = w.aw.Correct(ctx, clerk, points.Correction{Key: "c3", Household: h, Award: c.ID, Reason: "撤销更正"})
		if fe, ok := err.(*fault.Error); !ok || fe.Code != fault.Conflict || fe.Fields[0].Msg.Key != "points.reversal_of_reversal" {
			t.Fatalf("correction of a correction: %v", err)
		}
		if _, err := w.aw.Correct(ctx, clerk, points.Correction{Key: "c4", Household: h, Award: orig.ID, Reason: "再改"}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("a second correction of a corrected award: %v", err)
		}
		// Points already spent are not taken back by a correction.
		spent := w.onNotice(t, h, "k5", "env-05")
		w.closeNotices(t)
		post(t, db, points.Posting{Key: "s1", Household: h, Kind: points.Spend, Points: 1, Item: "肥皂"})
		_, err = w.aw.Correct(ctx, clerk, points.Correction{Key: "c5", Household: h, Award: spent.ID, Reason: "录错"})
		if fe, ok := err.(*fault.Error); !ok || fe.Code != fault.Conflict || fe.Fields[0].Msg.Key != "points.correct.spent" {
			t.Fatalf("correction of spent points: %v", err)
		}
		// The award still under review is withdrawn, with its reason shown.
		if _, err := w.rev.Withdraw(ctx, clerk, pending.ReviewID, ""); !fault.Is(err, fault.Invalid) {
			t.Fatalf("withdrawal without a reason: %v", err)
		}
		if _, err := w.rev.Withdraw(ctx, w.committee, pending.ReviewID, "重复登记"); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("the committee withdrew a clerk's award: %v", err)
		}
		if _, err := w.rev.Withdraw(ctx, clerk, pending.ReviewID, "重复登记"); err != nil {
			t.Fatal(err)
		}
		if a := w.award(t, h, pending.ID); a.Status != points.AwardWithdrawn || a.Show().Key != "award.shown.withdrawn" || a.Show().Reason != "重复登记" {
			t.Fatalf("withdrawn award = %+v", a)
		}
		if _, err := w.rev.Withdraw(ctx, clerk, pending.ReviewID, "重复登记"); !fault.Is(err, fault.Conflict) {
			t.Fatalf("withdrawn twice: %v", err)
		}
	})
}

// TestAwardAppeal has a household appeal a posted deduction from its own
// account and the committee answer it with a reason the household reads;
// an award that cannot be appealed, and a second appeal, are refused.
func TestAwardAppeal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newOutcomeWorld(t, db)
		h := ledgerHousehold(t, db, "001", 1)
		plus := w.onNotice(t, h, "k1", "env-05")
		minus := w.onNotice(t, h, "k2", "env-06")
		w.closeNotices(t)
		villager := &access.Actor{UserID: 9, Username: "cunmin", Grants: []access.Grant{{Role: access.Villager, Region: pingan, Household: h}}}
		other := &access.Actor{UserID: 10, Username: "linju", Grants: []access.Grant{{Role: access.Villager, Region: pingan, Household: h + 1000}}}
		if _, err := w.aw.Appeal(ctx, villager, h, plus.ID, "不服"); !fault.Is(err, fault.Conflict) {
			t.Fatalf("appeal of an award: %v", err)
		}
		if _, err := w.aw.Appeal(ctx, other, h, minus.ID, "替邻居申诉"); !fault.Is(err, fault.NotFound) {
			t.Fatalf("appeal by another household: %v", err)
		}
		if _, err := w.aw.Appeal(ctx, villager, h, minus.ID, " "); !fault.Is(err, fault.Invalid) {
			t.Fatalf("appeal without a statement: %v", err)
		}
		p, err := w.aw.Appeal(ctx, villager, h, minus.ID, "柴草是临时堆放，当天已清理")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.aw.Appeal(ctx, clerk, h, minus.ID, "再次申诉"); !fault.Is(err, fault.Conflict) {
			t.Fatalf("second appeal: %v", err)
		}
		q, err := w.aw.Queue(ctx, w.committee, review.Pending)
		if err != nil || len(q) != 1 || q[0].Item.Flow != points.AppealFlow || q[0].Item.Summary.Note != "柴草是临时堆放，当天已清理" || q[0].Head != "赵一" {
			t.Fatalf("queue = %+v (%v)", q, err)
		}
		// The answer is the household's to read: no decision without a reason.
		if _, err := w.rev.Decide(ctx, w.committee, p.ID, review.Approve, ""); !fault.Is(err, fault.Invalid) {
			t.Fatalf("an appeal answered without a reason: %v", err)
		}
		if _, err := w.rev.Decide(ctx, w.committee, p.ID, review.Reject, "有现场照片为证"); err != nil {
			t.Fatal(err)
		}
		ps, err := w.aw.Appeals(ctx, villager, h)
		if err != nil || len(ps) != 1 || ps[0].State != review.Rejected || ps[0].Answer != "有现场照片为证" || ps[0].AppealAnswer() != "appeal.state.dismissed" {
			t.Fatalf("appeals = %+v (%v)", ps, err)
		}
	})
}
