package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

func schemeDay(s string) time.Time { return scheme.ParseDay(s) }

func msgKey(err error) string {
	var e *fault.Error
	if errors.As(err, &e) {
		return e.Msg.Key
	}
	return ""
}

func itemOf(t *testing.T, items []scheme.Item, code string) scheme.Item {
	t.Helper()
	for _, it := range items {
		if it.Code == code {
			return it
		}
	}
	t.Fatalf("no item %s", code)
	return scheme.Item{}
}

func ptsOf(t *testing.T, r *scheme.Resolved, code string) int {
	t.Helper()
	it, ok := r.Item(code)
	if !ok {
		t.Fatalf("resolved scheme lacks %s", code)
	}
	return it.Points
}

func TestSchemes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		ss := db.Schemes()

		// The township adopts the template (today: 2026-06-01).
		town, err := ss.Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin, AllowLocalItems: true, AllowOverride: true})
		if err != nil {
			t.Fatal(err)
		}
		if town.Version != 1 || len(town.Aspects) != 6 || len(town.Items) != 40 || scheme.Day(town.EffectiveFrom) != "2026-06-01" {
			t.Fatalf("township scheme = v%d, %d aspects, %d items, from %s", town.Version, len(town.Aspects), len(town.Items), scheme.Day(town.EffectiveFrom))
		}
		if _, err := ss.Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("second scheme at one region: %v", err)
		}

		// The village inherits it, starts every month at 100, lets points
		// expire at year end, adds an item and overrides one.
		over := itemOf(t, town.Items, "env-02")
		over.Points = 3
		local := scheme.Item{Code: "pa-01", Aspect: "env", Name: "清理河道", Description: "参加洮儿河河道清理", Points: 3, Unit: scheme.PerOccurrence,
			Roles: []access.Role{access.Operator}, Evidence: scheme.Evidence{Photo: true}, Cap: 2, CapPeriod: scheme.Month}
		vil, err := ss.Create(ctx, admin, scheme.Inherit, scheme.Scheme{Region: pingan, Name: "平安村道德银行", BaseScore: 100,
			BasePeriod: scheme.Month, CarryOver: scheme.Expire, Items: []scheme.Item{over, local}})
		if err != nil {
			t.Fatalf("village layer: %v", err)
		}
		if !vil.Inherits || len(vil.Items) != 2 {
			t.Fatalf("village layer = %+v", vil)
		}
		got, err := ss.Get(ctx, admin, pingan, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got.BaseScore != 100 || got.BasePeriod != scheme.Month || got.CarryOver != scheme.Expire || !got.Inherits ||
			fmt.Sprint(itemOf(t, got.Items, "pa-01")) != fmt.Sprint(local) {
			t.Fatalf("stored village layer = %+v", got)
		}

		r, err := ss.Resolve(ctx, admin, pingan, schemeDay("2026-06-15"))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(r.VersionIDs()) != fmt.Sprint([]int64{town.ID, vil.ID}) || len(r.Items) != 41 || r.BaseScore != 100 ||
			r.CarryOver != scheme.Expire || ptsOf(t, r, "env-02") != 3 || ptsOf(t, r, "pa-01") != 3 || ptsOf(t, r, "env-01") != 2 {
			t.Fatalf("resolved = versions %v, %d items, base %d %s", r.VersionIDs(), len(r.Items), r.BaseScore, r.CarryOver)
		}

		// An override of an item the township fixed is refused.
		locked := itemOf(t, town.Items, "env-07")
		locked.Points = -1
		_, err = ss.Publish(ctx, admin, scheme.Scheme{Region: pingan, Name: "平安村道德银行", EffectiveFrom: schemeDay("2026-06-10"),
			Items: []scheme.Item{over, local, locked}})
		if !fault.Is(err, fault.Conflict) || msgKey(err) != "scheme.override.locked" {
			t.Fatalf("locked override: %v", err)
		}

		// Versioning: v2 of the township from July; June keeps v1's points.
		next := *town
		next.EffectiveFrom = schemeDay("2026-07-01")
		next.Items = append([]scheme.Item(nil), town.Items...)
		for i := range next.Items {
			if next.Items[i].Code == "env-01" {
				next.Items[i].Points = 5
			}
		}
		v2, err := ss.Publish(ctx, admin, next)
		if err != nil {
			t.Fatal(err)
		}
		if v2.Version != 2 || v2.ID == town.ID {
			t.Fatalf("v2 = %+v", v2)
		}
		june, err := ss.Resolve(ctx, admin, pingan, schemeDay("2026-06-15"))
		if err != nil {
			t.Fatal(err)
		}
		july, err := ss.Resolve(ctx, admin, pingan, schemeDay("2026-07-02"))
		if err != nil {
			t.Fatal(err)
		}
		if ptsOf(t, june, "env-01") != 2 || june.Versions[0].ID != town.ID || ptsOf(t, july, "env-01") != 5 || july.Versions[0].ID != v2.ID ||
			ptsOf(t, july, "env-02") != 3 {
			t.Fatalf("june %d %v, july %d %v", ptsOf(t, june, "env-01"), june.VersionIDs(), ptsOf(t, july, "env-01"), july.VersionIDs())
		}
		old, err := ss.Get(ctx, admin, keerqin, 1)
		if err != nil {
			t.Fatal(err)
		}
		if scheme.Day(old.EffectiveTo) != "2026-07-01" || itemOf(t, old.Items, "env-01").Points != 2 || len(old.Items) != 40 {
			t.Fatalf("v1 after publishing v2: to %s", scheme.Day(old.EffectiveTo))
		}
		vs, err := ss.Versions(ctx, admin, keerqin)
		if err != nil || len(vs) != 2 || vs[0].Version != 2 || scheme.Day(vs[0].EffectiveTo) != "" {
			t.Fatalf("versions = %+v, %v", vs, err)
		}
		// A township version that locks the item the village overrides,
		// or stops its local item, would leave the village unable to
		// resolve its scheme: it is refused, naming the village.
		for name, change := range map[string]func(*scheme.Scheme){
			"lock": func(sc *scheme.Scheme) {
				for i := range sc.Items {
					if sc.Items[i].Code == "env-02" {
						sc.Items[i].Overridable = false
					}
				}
			},
			"no local items": func(sc *scheme.Scheme) { sc.AllowLocalItems = false },
		} {
			breaking := *v2
			breaking.EffectiveFrom = schemeDay("2026-07-10")
			breaking.Items = append([]scheme.Item(nil), v2.Items...)
			change(&breaking)
			if _, err := ss.Publish(ctx, admin, breaking); !fault.Is(err, fault.Conflict) || msgKey(err) != "scheme.breaks_below" {
				t.Fatalf("%s: a township version breaking the village below: %v", name, err)
			}
		}
		// No version may start in the past or before the current one.
		_, err = ss.Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: qianqi, EffectiveFrom: schemeDay("2026-05-01")})
		if !fault.Is(err, fault.Invalid) || msgKey(err) != "scheme.effective_past" {
			t.Fatalf("scheme starting in the past: %v", err)
		}
		next.EffectiveFrom = schemeDay("2026-06-20")
		if _, err := ss.Publish(ctx, admin, next); !fault.Is(err, fault.Invalid) || msgKey(err) != "scheme.effective_order" {
			t.Fatalf("version before the current one: %v", err)
		}

		// Awards are checked against the resolved scheme.
		if err := scheme.CheckAward(*june, "pa-01", access.Operator, scheme.Evidence{Photo: true}, 2); msgKey(err) != "scheme.award.cap.month" {
			t.Fatalf("cap: %v", err)
		}
		if err := scheme.CheckAward(*june, "env-01", access.Villager, scheme.Evidence{Photo: true}, 0); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("villager awarding: %v", err)
		}

		// A village operator reads the scheme of their village but cannot
		// change, nor even see, the township's; nor manage their own.
		op := operatorAt(pingan)
		if _, err := ss.Resolve(ctx, op, pingan, schemeDay("2026-06-15")); err != nil {
			t.Fatalf("operator resolving: %v", err)
		}
		if _, err := ss.Publish(ctx, op, next); !fault.Is(err, fault.NotFound) {
			t.Fatalf("village operator published the township's scheme: %v", err)
		}
		if _, err := ss.Get(ctx, op, keerqin, 0); !fault.Is(err, fault.NotFound) {
			t.Fatalf("village operator read the township's scheme: %v", err)
		}
		if _, err := ss.Publish(ctx, op, *got); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("operator managed the village scheme: %v", err)
		}
		villageLeader := &access.Actor{UserID: 3, Username: "leader-pingan", Grants: []access.Grant{{Role: access.Leader, Region: pingan}}}
		if _, err := ss.Publish(ctx, villageLeader, next); !fault.Is(err, fault.NotFound) {
			t.Fatalf("village leader published the township's scheme: %v", err)
		}

		// A sibling village copies the township's scheme as its own.
		kids, err := db.Regions().Children(ctx, admin, keerqin)
		if err != nil {
			t.Fatal(err)
		}
		var sibling string
		for _, k := range kids {
			if k.Code != pingan {
				sibling = k.Code
				break
			}
		}
		cp, err := ss.Create(ctx, admin, scheme.CopyParent, scheme.Scheme{Region: sibling})
		if err != nil {
			t.Fatal(err)
		}
		if cp.Inherits || len(cp.Items) != 40 || cp.Name != town.Name {
			t.Fatalf("copy = inherits %v, %d items, %s", cp.Inherits, len(cp.Items), cp.Name)
		}
		rc, err := ss.Resolve(ctx, admin, sibling, schemeDay("2026-07-02"))
		if err != nil || fmt.Sprint(rc.VersionIDs()) != fmt.Sprint([]int64{cp.ID}) || ptsOf(t, rc, "env-01") != 2 {
			t.Fatalf("copy resolved: %v %v", rc, err)
		}
		// Nothing above the township: a banner-level layer has nothing to inherit.
		if _, err := ss.Create(ctx, admin, scheme.Inherit, scheme.Scheme{Region: qianqi}); !fault.Is(err, fault.Conflict) || msgKey(err) != "scheme.no_parent" {
			t.Fatalf("layer with nothing above: %v", err)
		}
		if _, err := ss.Resolve(ctx, admin, xingan, schemeDay("2026-06-15")); !fault.Is(err, fault.NotFound) {
			t.Fatalf("league without scheme: %v", err)
		}
		if _, _, err := db.VerifyAudit(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
