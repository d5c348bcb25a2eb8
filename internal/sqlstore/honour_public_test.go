package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/review"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestPublicNomination covers the account-free nomination of issue 16: a
// token sent back at once or forged is refused; a name that does not
// match the 户号 is refused with one message; a good one lands in the
// committee's queue in the same flow, marked public, with the phone
// sealed and only its mask shown; a phone's daily limit bites; a computed
// board refuses; and no refusal leaves a row behind.
func TestPublicNomination(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newHonourWorld(t, db)
		a := ledgerHousehold(t, db, "001", 1)
		ledgerHousehold(t, db, "002", 2)
		bd, err := w.hs.CreateBoard(ctx, clerk, honour.BoardInput{Region: pingan, Name: "最美平安人", Kind: honour.Nominated, Period: honour.Year, Size: 10})
		if err != nil {
			t.Fatal(err)
		}
		token := w.hs.PublicFormToken(ctx)
		in := honour.PublicNomination{Board: bd.ID, Number: "001", Nominee: "赵一", Deed: "十年如一日照顾瘫痪的婆婆，邻里有口皆碑",
			NominatorName: "王大妈", NominatorPhone: "138 0047 1234", NomineeAgreed: true, Token: token}
		if _, err := w.hs.NominatePublic(ctx, in); !fault.Is(err, fault.Invalid) {
			t.Errorf("posted at once: %v", err)
		}
		*w.now = w.now.Add(10 * time.Second)
		forged := in
		forged.Token = token[:len(token)-1] + "0"
		if forged.Token == token {
			forged.Token = token[:len(token)-1] + "1"
		}
		for name, bad := range map[string]honour.PublicNomination{
			"forged token": forged,
			"no consent":   func() honour.PublicNomination { b := in; b.NomineeAgreed = false; return b }(),
			"bad phone":    func() honour.PublicNomination { b := in; b.NominatorPhone = "12345"; return b }(),
			"wrong number": func() honour.PublicNomination { b := in; b.Number = "002"; return b }(),
			"no such one":  func() honour.PublicNomination { b := in; b.Number = "999"; return b }(),
		} {
			if _, err := w.hs.NominatePublic(ctx, bad); !fault.Is(err, fault.Invalid) {
				t.Errorf("%s: %v", name, err)
			}
		}
		if list, _ := w.hs.Nominations(ctx, clerk, bd.ID, "2026"); len(list) != 0 {
			t.Fatalf("refusals left nominations: %+v", list)
		}
		n, err := w.hs.NominatePublic(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if n.Channel != honour.ChannelPublic || n.NominatorPhone != "138****1234" || n.Household != a || n.Consent != honour.ConsentStated || n.Period != "2026" {
			t.Fatalf("public nomination: %+v", n)
		}
		items, err := w.rev.Items(ctx, w.committee, review.Filter{Flow: honour.NominationFlow, Region: pingan})
		if err != nil || len(items) != 1 || items[0].SubjectID != n.ID {
			t.Fatalf("the committee's queue: %+v %v", items, err)
		}
		// The same phone, written another way, reaches its daily limit.
		for i := 1; i < honour.PublicPerPhone; i++ {
			b := in
			b.Number, b.Nominee, b.NominatorPhone = "002", "钱二", "13800471234"
			if i > 1 {
				b.Board = mustBoard(t, w, "好人榜")
				b.Number, b.Nominee = "001", "赵一"
			}
			if _, err := w.hs.NominatePublic(ctx, b); err != nil {
				t.Fatalf("nomination %d: %v", i+1, err)
			}
		}
		b := in
		b.Board, b.Number, b.Nominee = mustBoard(t, w, "善举榜"), "002", "钱二"
		if _, err := w.hs.NominatePublic(ctx, b); !fault.Is(err, fault.TooMany) {
			t.Errorf("over the phone's daily limit: %v", err)
		}
		b.NominatorPhone = "13900471234"
		if _, err := w.hs.NominatePublic(ctx, b); err != nil {
			t.Errorf("another phone: %v", err)
		}
		computed, err := w.hs.CreateBoard(ctx, clerk, honour.BoardInput{Region: pingan, Name: "孝星榜", Kind: honour.Computed, Period: honour.Year, Size: 10})
		if err != nil {
			t.Fatal(err)
		}
		b.Board, b.NominatorPhone = computed.ID, "13700471234"
		if _, err := w.hs.NominatePublic(ctx, b); !fault.Is(err, fault.Conflict) {
			t.Errorf("a computed board: %v", err)
		}
		// A token from hours ago is stale.
		*w.now = w.now.Add(3 * time.Hour)
		if _, err := w.hs.NominatePublic(ctx, in); !fault.Is(err, fault.Invalid) {
			t.Errorf("stale token: %v", err)
		}
	})
}

func mustBoard(t *testing.T, w *honourWorld, name string) int64 {
	t.Helper()
	bd, err := w.hs.CreateBoard(context.Background(), clerk, honour.BoardInput{Region: pingan, Name: name, Kind: honour.Nominated, Period: honour.Year, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	return bd.ID
}
