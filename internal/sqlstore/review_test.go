package sqlstore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/review"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// yuanzheng is 平安村's sibling under 科尔沁镇.
const yuanzheng = "152221100200"

var (
	reviewT0 = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

	reviewSubmitter = &access.Actor{UserID: 101, Username: "op-pingan", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}
	reviewCommittee = &access.Actor{UserID: 102, Username: "committee", Grants: []access.Grant{{Role: access.Leader, Region: pingan}}}
	reviewTownship  = &access.Actor{UserID: 103, Username: "township", Grants: []access.Grant{{Role: access.Leader, Region: keerqin}}}
	reviewOutsider  = &access.Actor{UserID: 104, Username: "yuanzheng", Grants: []access.Grant{{Role: access.Leader, Region: yuanzheng}}}
	reviewVillager  = &access.Actor{UserID: 105, Username: "villager", Grants: []access.Grant{{Role: access.Villager, Region: pingan, Household: 1}}}
	reviewStranger  = &access.Actor{UserID: 106, Username: "stranger", Grants: []access.Grant{{Role: access.Villager, Region: yuanzheng, Household: 2}}}
	// reviewTwoHats holds a role at the village and at the township.
	reviewTwoHats = &access.Actor{UserID: 107, Username: "twohats", Grants: []access.Grant{{Role: access.Leader, Region: pingan}, {Role: access.Leader, Region: keerqin}}}
	// reviewReader reads the township's registers but decides nothing.
	reviewReader = &access.Actor{UserID: 108, Username: "reader", Grants: []access.Grant{{Role: access.Reviewer, Region: keerqin}}}
)

func reviewFlows(t *testing.T) review.Flows {
	t.Helper()
	fs, err := review.NewFlows(
		review.Flow{Name: "points.award", Submit: access.RegistryWrite, Steps: []review.Step{
			{Kind: review.StepApprove, Name: "review.step.approve", Permission: access.RegionManage, Level: regioncode.Village},
			{Kind: review.StepNotice, Name: "review.step.notice", Permission: access.RegionManage, Days: 7},
		}},
		review.Flow{Name: "talent.application", Submit: access.RegistryWrite, Steps: []review.Step{
			{Kind: review.StepApprove, Name: "review.step.approve", Permission: access.RegionManage, Level: regioncode.Village},
			{Kind: review.StepApprove, Name: "review.step.approve", Permission: access.RegionManage, Level: regioncode.Township},
			{Kind: review.StepNotice, Name: "review.step.notice", Permission: access.RegionManage, Days: 7},
		}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// reviewRecorder is a test applier: it records every ending it hears.
type reviewRecorder struct {
	mu    sync.Mutex
	ended map[int64][]review.State
	fail  bool
}

func (r *reviewRecorder) apply(ctx context.Context, tx *sqlstore.Tx, it review.Item) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errors.New("applier down")
	}
	if r.ended == nil {
		r.ended = map[int64][]review.State{}
	}
	r.ended[it.ID] = append(r.ended[it.ID], it.State)
	return nil
}

func (r *reviewRecorder) get(id int64) []review.State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]review.State(nil), r.ended[id]...)
}

func reviewService(t *testing.T, db *sqlstore.DB) (*sqlstore.ReviewService, *reviewRecorder) {
	rec := &reviewRecorder{}
	return db.Review(reviewFlows(t), map[string]sqlstore.ReviewApplier{"points.award": rec.apply, "talent.application": rec.apply}), rec
}

func reviewSummary(title string) review.Summary {
	return review.Summary{Title: title, Person: "张**", Points: 5, Note: "孝老爱亲"}
}

func reviewSubmit(t *testing.T, svc *sqlstore.ReviewService, flow string, subject int64, village string) *review.Item {
	t.Helper()
	it, err := svc.Submit(context.Background(), reviewSubmitterAt(village), flow, "award", subject, village, reviewSummary("照顾瘫痪老人 加5分"))
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return it
}

func reviewSubmitterAt(village string) *access.Actor {
	if village == pingan {
		return reviewSubmitter
	}
	return &access.Actor{UserID: 111, Username: "op-" + village, Grants: []access.Grant{{Role: access.Operator, Region: village}}}
}

// reviewInNotice submits an award and has the committee of its village
// approve it, which opens the 7-day window at reviewT0.
func reviewInNotice(t *testing.T, svc *sqlstore.ReviewService, subject int64, village string) *review.Item {
	t.Helper()
	it := reviewSubmit(t, svc, "points.award", subject, village)
	approver := reviewCommittee
	if village != pingan {
		approver = &access.Actor{UserID: 112, Username: "committee-" + village, Grants: []access.Grant{{Role: access.Leader, Region: village}}}
	}
	it, err := svc.Decide(context.Background(), approver, it.ID, review.Approve, "")
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	if it.State != review.InNotice {
		t.Fatalf("after approval: %s, want in_notice", it.State)
	}
	return it
}

func reviewWant(t *testing.T, err error, code fault.Code, key, what string) {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Code != code {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
	if key == "" || fe.Msg.Key == key {
		return
	}
	for _, f := range fe.Fields {
		if f.Msg.Key == key {
			return
		}
	}
	t.Fatalf("%s: got %v, want message %s", what, err, key)
}

func TestReviewStepsInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc, rec := reviewService(t, db)

		it := reviewSubmit(t, svc, "points.award", 1, pingan)
		if it.State != review.Pending || it.Step != 0 {
			t.Fatalf("submitted: %s at %d", it.State, it.Step)
		}
		_, err := svc.Submit(ctx, reviewSubmitter, "points.award", "award", 1, pingan, reviewSummary("again"))
		reviewWant(t, err, fault.Conflict, "review.submit.open", "second open item for one subject")
		_, err = svc.Submit(ctx, reviewCommittee, "points.award", "award", 2, pingan, reviewSummary("x"))
		reviewWant(t, err, fault.Forbidden, "review.submit.forbidden", "submit without the flow's permission")
		_, err = svc.Submit(ctx, reviewSubmitter, "points.nope", "award", 2, pingan, reviewSummary("x"))
		reviewWant(t, err, fault.NotFound, "review.flow.unknown", "unknown flow")

		_, err = svc.Decide(ctx, reviewOutsider, it.ID, review.Approve, "")
		reviewWant(t, err, fault.NotFound, "review.not_found", "approver of another village")
		_, err = svc.Decide(ctx, reviewReader, it.ID, review.Approve, "")
		reviewWant(t, err, fault.Forbidden, "review.decide.forbidden", "reader without the step's permission")
		_, err = svc.Decide(ctx, reviewTownship, it.ID, review.Approve, "")
		reviewWant(t, err, fault.Forbidden, "review.decide.forbidden", "township leader at a village-level step")
		_, err = svc.Decide(ctx, reviewCommittee, it.ID, review.Reject, "  ")
		reviewWant(t, err, fault.Invalid, "review.reason.required", "reject without a reason")
		_, err = svc.Decide(ctx, reviewCommittee, it.ID, review.Return, "")
		reviewWant(t, err, fault.Invalid, "review.reason.required", "return without a reason")
		_, err = svc.Decide(ctx, reviewCommittee, it.ID, "maybe", "")
		reviewWant(t, err, fault.Invalid, "review.decision.invalid", "unknown decision")

		it, err = svc.Decide(ctx, reviewCommittee, it.ID, review.Approve, "村委会 2026-05-30 会议通过")
		if err != nil {
			t.Fatal(err)
		}
		if it.State != review.InNotice || it.Step != 1 || !it.WindowEnd.Equal(reviewT0.Add(7*24*time.Hour)) {
			t.Fatalf("approved: %s at %d until %v", it.State, it.Step, it.WindowEnd)
		}
		// The notice step cannot be decided, and the approval cannot be
		// given twice.
		for _, a := range []*access.Actor{reviewCommittee, reviewTownship, reviewTwoHats} {
			_, err = svc.Decide(ctx, a, it.ID, review.Approve, "")
			reviewWant(t, err, fault.Conflict, "review.decide.not_pending", "deciding a notice step as "+a.Username)
		}

		// A four-eyes chain: one person holding both levels decides one.
		tal := reviewSubmit(t, svc, "talent.application", 9, pingan)
		if _, err := svc.Decide(ctx, reviewTwoHats, tal.ID, review.Approve, ""); err != nil {
			t.Fatal(err)
		}
		_, err = svc.Decide(ctx, reviewTwoHats, tal.ID, review.Approve, "")
		reviewWant(t, err, fault.Forbidden, "review.decide.recuse", "one person deciding two levels")
		_, err = svc.Decide(ctx, reviewCommittee, tal.ID, review.Approve, "")
		reviewWant(t, err, fault.Forbidden, "review.decide.forbidden", "village committee at the township step")
		tal, err = svc.Decide(ctx, reviewTownship, tal.ID, review.Approve, "")
		if err != nil || tal.State != review.InNotice || tal.Step != 2 {
			t.Fatalf("township approval: %v %+v", err, tal)
		}

		full, err := svc.Item(ctx, reviewTownship, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(full.Transitions) != 2 || full.Transitions[0].Action != review.ActSubmit || full.Transitions[1].Action != review.ActApprove ||
			full.Transitions[1].Actor != "committee" || full.Transitions[1].Reason != "村委会 2026-05-30 会议通过" || full.Transitions[1].To != review.InNotice {
			t.Fatalf("transitions: %+v", full.Transitions)
		}
		if _, err := svc.Item(ctx, reviewOutsider, it.ID); !fault.Is(err, fault.NotFound) {
			t.Fatalf("outsider reads the item: %v", err)
		}
		if got := rec.get(it.ID); len(got) != 0 {
			t.Fatalf("applier ran before the end: %v", got)
		}
	})
}

func TestReviewRejectAndReturn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc, rec := reviewService(t, db)

		a := reviewSubmit(t, svc, "points.award", 1, pingan)
		a, err := svc.Decide(ctx, reviewCommittee, a.ID, review.Reject, "事迹不属实")
		if err != nil || a.State != review.Rejected {
			t.Fatalf("reject: %v %+v", err, a)
		}
		b := reviewSubmit(t, svc, "points.award", 2, pingan)
		b, err = svc.Decide(ctx, reviewCommittee, b.ID, review.Return, "请补充证明材料")
		if err != nil || b.State != review.Returned {
			t.Fatalf("return: %v %+v", err, b)
		}
		_, err = svc.Decide(ctx, reviewCommittee, b.ID, review.Approve, "")
		reviewWant(t, err, fault.Conflict, "review.decide.not_pending", "deciding a returned item")
		if got := rec.get(a.ID); len(got) != 1 || got[0] != review.Rejected {
			t.Fatalf("applier on reject: %v", got)
		}
		if got := rec.get(b.ID); len(got) != 1 || got[0] != review.Returned {
			t.Fatalf("applier on return: %v", got)
		}
		// A returned subject is submitted anew.
		c := reviewSubmit(t, svc, "points.award", 2, pingan)
		if c.ID == b.ID || c.State != review.Pending {
			t.Fatalf("resubmission: %+v", c)
		}
		list, err := svc.Items(ctx, reviewTownship, review.Filter{SubjectKind: "award", SubjectID: 2})
		if err != nil || len(list) != 2 || list[0].ID != c.ID {
			t.Fatalf("items of subject 2: %v %+v", err, list)
		}
	})
}

func TestReviewObjections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc, rec := reviewService(t, db)
		it := reviewInNotice(t, svc, 1, pingan)
		end := it.WindowEnd

		_, err := svc.Object(ctx, reviewStranger, it.Region, it.ID, "不同意")
		reviewWant(t, err, fault.Forbidden, "review.object.forbidden", "villager of another village")
		_, err = svc.Object(ctx, reviewCommittee, it.Region, it.ID, "不同意")
		reviewWant(t, err, fault.Forbidden, "review.object.forbidden", "an official who is not a villager there")
		_, err = svc.Object(ctx, nil, it.Region, it.ID, "")
		reviewWant(t, err, fault.Invalid, "review.reason.required", "objection without a reason")
		_, err = svc.Object(ctx, nil, it.Region, it.ID, "有问题请联系 138 1234 5678")
		reviewWant(t, err, fault.Invalid, "review.reason.contact", "anonymous objection with a phone number")

		anon, err := svc.Object(ctx, nil, it.Region, it.ID, "该户老人由其他子女照顾")
		if err != nil || !anon.Anonymous || anon.ActorID != 0 {
			t.Fatalf("anonymous objection: %v %+v", err, anon)
		}
		mine, err := svc.Object(ctx, reviewVillager, it.Region, it.ID, "事迹与实际不符")
		if err != nil || mine.Anonymous {
			t.Fatalf("villager objection: %v %+v", err, mine)
		}

		// Open objections hold the window past its end.
		if n, err := svc.FinaliseDue(ctx, end.Add(time.Hour)); err != nil || n != 0 {
			t.Fatalf("finalised with objections open: %d %v", n, err)
		}
		_, err = svc.ResolveObjection(ctx, reviewVillager, anon.ID, false, "x")
		reviewWant(t, err, fault.NotFound, "review.objection.not_found", "a villager resolving")
		_, err = svc.ResolveObjection(ctx, reviewOutsider, anon.ID, false, "x")
		reviewWant(t, err, fault.NotFound, "review.objection.not_found", "an outsider resolving")
		_, err = svc.ResolveObjection(ctx, reviewReader, anon.ID, false, "x")
		reviewWant(t, err, fault.Forbidden, "review.resolve.forbidden", "a reader resolving")
		_, err = svc.ResolveObjection(ctx, reviewTownship, anon.ID, false, "")
		reviewWant(t, err, fault.Invalid, "review.reason.required", "dismissal without a reason")

		after, err := svc.ResolveObjection(ctx, reviewTownship, anon.ID, false, "经核实由本户照顾")
		if err != nil || after.State != review.InNotice || after.OpenObjections != 1 {
			t.Fatalf("dismiss: %v %+v", err, after)
		}
		_, err = svc.ResolveObjection(ctx, reviewTownship, anon.ID, true, "again")
		reviewWant(t, err, fault.Conflict, "review.objection.resolved", "resolving twice")
		if n, err := svc.FinaliseDue(ctx, end.Add(time.Hour)); err != nil || n != 0 {
			t.Fatalf("finalised with one objection open: %d %v", n, err)
		}
		if _, err := svc.ResolveObjection(ctx, reviewCommittee, mine.ID, false, "经入户核实属实"); err != nil {
			t.Fatal(err)
		}
		// Dismissed: the window finalises when due, not before.
		if n, err := svc.FinaliseDue(ctx, end.Add(-time.Millisecond)); err != nil || n != 0 {
			t.Fatalf("finalised before the window closed: %d %v", n, err)
		}
		if n, err := svc.FinaliseDue(ctx, end); err != nil || n != 1 {
			t.Fatalf("finalise when due: %d %v", n, err)
		}
		full, err := svc.Item(ctx, reviewCommittee, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if full.State != review.Approved || full.Step != 2 || len(full.Objections) != 2 || full.Objections[0].State != review.ObjDismissed ||
			full.Objections[0].Resolution != "经核实由本户照顾" || full.Objections[0].Resolver != "township" {
			t.Fatalf("finalised item: %+v", full)
		}
		last := full.Transitions[len(full.Transitions)-1]
		if last.Action != review.ActFinalise || last.To != review.Approved || !last.At.Equal(end) || last.Actor != "system" {
			t.Fatalf("last transition: %+v", last)
		}
		if got := rec.get(it.ID); len(got) != 1 || got[0] != review.Approved {
			t.Fatalf("applier: %v", got)
		}
		// The window has closed: no more objections.
		db.Now = func() time.Time { return end.Add(time.Minute) }
		_, err = svc.Object(ctx, nil, it.Region, it.ID, "晚了")
		reviewWant(t, err, fault.Conflict, "review.object.closed", "objection after the window")
	})
}

func TestReviewUpheldObjectionCancels(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc, rec := reviewService(t, db)
		it := reviewInNotice(t, svc, 1, pingan)
		first, err := svc.Object(ctx, reviewVillager, it.Region, it.ID, "该户已分户，积分不应记入")
		if err != nil {
			t.Fatal(err)
		}
		second, err := svc.Object(ctx, nil, it.Region, it.ID, "同上")
		if err != nil {
			t.Fatal(err)
		}
		got, err := svc.ResolveObjection(ctx, reviewCommittee, first.ID, true, "经核实异议成立")
		if err != nil || got.State != review.Cancelled {
			t.Fatalf("uphold: %v %+v", err, got)
		}
		_, err = svc.ResolveObjection(ctx, reviewCommittee, second.ID, false, "x")
		reviewWant(t, err, fault.Conflict, "review.objection.resolved", "resolving a moot objection")
		if n, err := svc.FinaliseDue(ctx, it.WindowEnd.Add(time.Hour)); err != nil || n != 0 {
			t.Fatalf("finalised a cancelled item: %d %v", n, err)
		}
		full, err := svc.Item(ctx, reviewCommittee, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if full.State != review.Cancelled || full.Objections[0].State != review.ObjUpheld || full.Objections[1].State != review.ObjMoot {
			t.Fatalf("cancelled item: %+v", full)
		}
		if got := rec.get(it.ID); len(got) != 1 || got[0] != review.Cancelled {
			t.Fatalf("applier: %v", got)
		}
		// The board shows the cancellation and its reason for a window's
		// length, so the village sees the objection was heard, then drops it.
		if ns, err := svc.PublicNotices(ctx, pingan); err != nil || len(ns) != 1 || ns[0].State != review.Cancelled || ns[0].Objections[0].Resolution != "经核实异议成立" {
			t.Fatalf("cancelled item on the notice board: %v %+v", err, ns)
		}
		db.Now = func() time.Time { return it.WindowEnd.Add(time.Hour) }
		if ns, err := svc.PublicNotices(ctx, pingan); err != nil || len(ns) != 0 {
			t.Fatalf("cancelled item still on the notice board a window later: %v %+v", err, ns)
		}
	})
}

func TestReviewFinaliseOnceUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc, rec := reviewService(t, db)
		var ids []int64
		for i := int64(1); i <= 6; i++ {
			village := pingan
			if i%2 == 0 {
				village = yuanzheng
			}
			ids = append(ids, reviewInNotice(t, svc, i, village).ID)
		}
		due := reviewT0.Add(7 * 24 * time.Hour)
		if n, err := svc.FinaliseDue(ctx, due.Add(-time.Second)); err != nil || n != 0 {
			t.Fatalf("early run: %d %v", n, err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for g := 0; g < 10; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := svc.FinaliseDue(ctx, due)
				if err != nil {
					t.Errorf("concurrent run: %v", err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		if total != len(ids) {
			t.Fatalf("10 concurrent runs moved %d items, want %d", total, len(ids))
		}
		for _, id := range ids {
			if got := rec.get(id); len(got) != 1 || got[0] != review.Approved {
				t.Fatalf("applier for item %d: %v", id, got)
			}
			full, err := svc.Item(ctx, reviewTownship, id)
			if err != nil || full.State != review.Approved {
				t.Fatalf("item %d: %v %+v", id, err, full)
			}
			fin := 0
			for _, tr := range full.Transitions {
				if tr.Action == review.ActFinalise {
					fin++
				}
			}
			if fin != 1 {
				t.Fatalf("item %d finalised %d times", id, fin)
			}
		}
		if n, err := svc.FinaliseDue(ctx, due.Add(time.Hour)); err != nil || n != 0 {
			t.Fatalf("rerun: %d %v", n, err)
		}
		if _, problem, err := db.VerifyAudit(ctx); err != nil || problem != nil {
			t.Fatalf("audit chain after concurrent runs: %v %+v", err, problem)
		}
	})
}

func TestReviewFailingApplierHoldsItsItemOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		rec := &reviewRecorder{}
		good := &reviewRecorder{}
		fs, err := review.NewFlows(
			review.Flow{Name: "a", Submit: access.RegistryWrite, Steps: []review.Step{{Kind: review.StepNotice, Name: "review.step.notice", Permission: access.RegionManage, Days: 5}}},
			review.Flow{Name: "b", Submit: access.RegistryWrite, Steps: []review.Step{{Kind: review.StepNotice, Name: "review.step.notice", Permission: access.RegionManage, Days: 5}}},
		)
		if err != nil {
			t.Fatal(err)
		}
		svc := db.Review(fs, map[string]sqlstore.ReviewApplier{"a": rec.apply, "b": good.apply})
		a, err := svc.Submit(ctx, reviewSubmitter, "a", "award", 1, pingan, reviewSummary("a"))
		if err != nil || a.State != review.InNotice {
			t.Fatalf("a notice-first flow opens its window on submission: %v %+v", err, a)
		}
		b, err := svc.Submit(ctx, reviewSubmitter, "b", "award", 1, pingan, reviewSummary("b"))
		if err != nil {
			t.Fatal(err)
		}
		rec.fail = true
		due := reviewT0.Add(5 * 24 * time.Hour)
		n, err := svc.FinaliseDue(ctx, due)
		if n != 1 || err == nil {
			t.Fatalf("run with a failing applier: %d %v", n, err)
		}
		if got := good.get(b.ID); len(got) != 1 {
			t.Fatalf("healthy flow held back: %v", got)
		}
		rec.fail = false
		if n, err := svc.FinaliseDue(ctx, due.Add(time.Minute)); n != 1 || err != nil {
			t.Fatalf("retry: %d %v", n, err)
		}
		if got := rec.get(a.ID); len(got) != 1 || got[0] != review.Approved {
			t.Fatalf("applier after retry: %v", got)
		}
	})
}

func TestReviewPublicNotices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc, _ := reviewService(t, db)
		_, err := svc.Submit(ctx, reviewSubmitter, "points.award", "award", 7, pingan, review.Summary{Title: "好人好事", Person: "张三丰"})
		reviewWant(t, err, fault.Invalid, "review.summary.unmasked", "an unmasked name")
		_, err = svc.Submit(ctx, reviewSubmitter, "points.award", "award", 7, pingan, review.Summary{Title: "152221197001010011 好人好事", Person: "张**"})
		reviewWant(t, err, fault.Invalid, "review.summary.contact", "an ID number in the title")

		shown := reviewInNotice(t, svc, 1, pingan)
		reviewSubmit(t, svc, "points.award", 2, pingan) // pending: not shown
		reviewInNotice(t, svc, 3, yuanzheng)            // another village: not shown
		if _, err := svc.Object(ctx, nil, shown.Region, shown.ID, "有不同意见"); err != nil {
			t.Fatal(err)
		}
		ns, err := svc.PublicNotices(ctx, pingan)
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) != 1 {
			t.Fatalf("notices: %+v", ns)
		}
		n := ns[0]
		if n.ItemID != shown.ID || n.Summary != reviewSummary("照顾瘫痪老人 加5分") || !n.WindowEnd.Equal(reviewT0.Add(7*24*time.Hour)) ||
			len(n.Objections) != 1 || n.Objections[0].Reason != "有不同意见" || n.Objections[0].State != review.ObjOpen {
			t.Fatalf("notice: %+v", n)
		}
		if _, err := svc.PublicNotices(ctx, keerqin); !fault.Is(err, fault.NotFound) {
			t.Fatalf("notices of a township: %v", err)
		}
	})
}

func TestReviewItemsScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc, _ := reviewService(t, db)
		reviewSubmit(t, svc, "points.award", 1, pingan)
		reviewInNotice(t, svc, 2, pingan)
		reviewSubmit(t, svc, "points.award", 3, yuanzheng)
		count := func(a *access.Actor, f review.Filter) int {
			t.Helper()
			list, err := svc.Items(ctx, a, f)
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		if n := count(reviewTownship, review.Filter{}); n != 3 {
			t.Fatalf("township sees %d items, want 3", n)
		}
		if n := count(reviewTownship, review.Filter{Region: yuanzheng}); n != 1 {
			t.Fatalf("township narrowed to 远征村 sees %d, want 1", n)
		}
		if n := count(reviewCommittee, review.Filter{}); n != 2 {
			t.Fatalf("committee sees %d items, want 2", n)
		}
		if n := count(reviewCommittee, review.Filter{State: review.InNotice}); n != 1 {
			t.Fatalf("committee sees %d items in notice, want 1", n)
		}
		if n := count(reviewCommittee, review.Filter{Region: yuanzheng}); n != 0 {
			t.Fatalf("committee reaches into 远征村: %d", n)
		}
		if n := count(reviewVillager, review.Filter{}); n != 0 {
			t.Fatalf("villager lists %d items", n)
		}
		if n := count(nil, review.Filter{}); n != 0 {
			t.Fatalf("anonymous lists %d items", n)
		}
	})
}

// reviewTicker is a fake clock whose ticks the test releases by hand.
type reviewTicker struct {
	mu   sync.Mutex
	now  time.Time
	tick chan time.Time
}

func (c *reviewTicker) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *reviewTicker) After(time.Duration) <-chan time.Time { return c.tick }

func (c *reviewTicker) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	c.mu.Unlock()
	c.tick <- now
}

func TestReviewSchedulerFinalises(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		svc, rec := reviewService(t, db)
		it := reviewInNotice(t, svc, 1, pingan)
		clock := &reviewTicker{now: reviewT0, tick: make(chan time.Time)}
		runs := make(chan int, 10)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		s := &review.Scheduler{F: svc, Clock: clock, Report: func(n int, err error) {
			if err != nil {
				t.Errorf("scheduled run: %v", err)
			}
			runs <- n
		}}
		go func() { done <- s.Run(ctx) }()
		if n := <-runs; n != 0 {
			t.Fatalf("first run moved %d", n)
		}
		clock.advance(6 * 24 * time.Hour)
		if n := <-runs; n != 0 {
			t.Fatalf("day 6 moved %d", n)
		}
		clock.advance(24 * time.Hour)
		if n := <-runs; n != 1 {
			t.Fatalf("day 7 moved %d, want 1", n)
		}
		clock.advance(time.Minute)
		if n := <-runs; n != 0 {
			t.Fatalf("the minute after moved %d", n)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Run returned %v", err)
		}
		if got := rec.get(it.ID); len(got) != 1 || got[0] != review.Approved {
			t.Fatalf("applier: %v", got)
		}
	})
}
