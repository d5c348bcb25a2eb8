package market

import (
	"testing"
	"time"

	"shanzhi/internal/fault"
)

func TestBasketNormalize(t *testing.T) {
	items := []Item{{Goods: 7, Qty: 1}, {Goods: 3, Qty: 2}, {Goods: 7, Qty: 2}, {Goods: 5, Qty: 0}}
	b := Basket{Key: " k ", Household: 1, Items: items}
	b.Normalize()
	if b.Key != "k" || len(b.Items) != 2 || b.Items[0] != (Item{3, 2}) || b.Items[1] != (Item{7, 3}) {
		t.Fatalf("normalized %+v", b)
	}
	if items[0] != (Item{7, 1}) {
		t.Fatal("Normalize rewrote the caller's items, which a retry sends again")
	}
	again := Basket{Key: "k", Household: 1, Items: []Item{{Goods: 3, Qty: 1}, {Goods: 7, Qty: 3}, {Goods: 3, Qty: 1}}}
	again.Normalize()
	if b.Fingerprint(1) != again.Fingerprint(1) || b.Fingerprint(1) == b.Fingerprint(2) {
		t.Fatal("the same basket must have one fingerprint, another household another")
	}
}

func TestBasketValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		b    Basket
		ok   bool
	}{
		{"fine", Basket{Key: "k", Household: 1, Items: []Item{{1, 1}}}, true},
		{"by card", Basket{Key: "k", Card: "tok", Items: []Item{{1, 1}}}, true},
		{"no key", Basket{Household: 1, Items: []Item{{1, 1}}}, false},
		{"no household", Basket{Key: "k", Items: []Item{{1, 1}}}, false},
		{"both", Basket{Key: "k", Household: 1, Card: "tok", Items: []Item{{1, 1}}}, false},
		{"empty", Basket{Key: "k", Household: 1}, false},
		{"negative", Basket{Key: "k", Household: 1, Items: []Item{{1, -2}}}, false},
		{"too many", Basket{Key: "k", Household: 1, Items: []Item{{1, MaxQty + 1}}}, false},
	} {
		if err := c.b.Validate(); (err == nil) != c.ok || err != nil && !fault.Is(err, fault.Invalid) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestCardToken(t *testing.T) {
	for in, want := range map[string]string{"abc": "abc", " https://x.cn/card/AbC-_1 ": "AbC-_1", "http://h/card/t/": "t"} {
		if got := CardToken(in); got != want {
			t.Errorf("CardToken(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPeriodStart(t *testing.T) {
	// 2026-06-03 is a Wednesday; 23:30 UTC on the 2nd is already the 3rd
	// in Beijing.
	at := time.Date(2026, 6, 2, 23, 30, 0, 0, time.UTC)
	for p, want := range map[Period]string{Week: "2026-06-01", Month: "2026-06-01", Year: "2026-01-01"} {
		if got := Day(p.Start(at)); got != want {
			t.Errorf("%s starts %s, want %s", p, got, want)
		}
	}
	if Day(at) != "2026-06-03" || !None.Start(at).IsZero() {
		t.Fatal("days are Beijing days; no limit has no start")
	}
}

func TestGoodsValidate(t *testing.T) {
	for _, c := range []struct {
		in GoodsInput
		ok bool
	}{
		{GoodsInput{Name: "肥皂", Unit: "块", Price: 3}, true},
		{GoodsInput{Name: "大米", Unit: "袋", Price: 15, Limit: 2, LimitPer: Month}, true},
		{GoodsInput{Name: "大米", Unit: "袋", Price: 15, Limit: 2}, false},
		{GoodsInput{Name: "大米", Unit: "袋", Price: 15, LimitPer: Week}, false},
		{GoodsInput{Name: "", Unit: "袋", Price: 15}, false},
		{GoodsInput{Name: "米", Unit: "", Price: 15}, false},
		{GoodsInput{Name: "米", Unit: "袋", Price: 0}, false},
		{GoodsInput{Name: "米", Unit: "袋", Price: 1, LimitPer: "day", Limit: 1}, false},
	} {
		if err := c.in.Validate(); (err == nil) != c.ok {
			t.Errorf("%+v: %v", c.in, err)
		}
	}
	in := Inbound{Goods: 1, Qty: 5, Source: Funds, Donor: "某公司"}
	if in.Validate() == nil {
		t.Error("village funds with a donor")
	}
	in = Inbound{Goods: 1, Qty: 5, Source: Person, Thank: true}
	if in.Validate() == nil {
		t.Error("a donation without its donor")
	}
	cnt := Count{Lines: []CountLine{{Price: 3, Expected: 10, Counted: 8}, {Price: 5, Expected: 1, Counted: 2}}}
	if cnt.Loss() != 1 {
		t.Errorf("loss %d, want 6-5=1", cnt.Loss())
	}
}
