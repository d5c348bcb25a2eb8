package sqlstore_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"

	"pgregory.net/rapid"

	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// propChecks is how many random sequences the property test runs:
// 10,000 on SQLite by default (SHANZHI_LEDGER_CHECKS overrides), a twentieth
// of that on PostgreSQL, whose round trips make each step slower.
func propChecks(db *sqlstore.DB) int {
	n := 10_000
	if s := os.Getenv("SHANZHI_LEDGER_CHECKS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	if db.Dialect() == sqlstore.Postgres {
		n /= 20
	}
	return max(n, 1)
}

// TestLedgerProperties runs random sequences of award, deduct, spend,
// reverse, split and merge against the store and a model kept in memory:
// after every step each balance equals the model's and none is negative;
// at the end every chain verifies and every balance equals its entries.
func TestLedgerProperties(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db := storetest.MustOpen(t, engine)
			ctx := context.Background()
			var seq atomic.Int64
			checks := propChecks(db)
			// rapid takes its count from a flag; set it for this run.
			if err := flag.Set("rapid.checks", strconv.Itoa(checks)); err != nil {
				t.Fatal(err)
			}
			rapid.Check(t, func(rt *rapid.T) {
				n := seq.Add(1)
				type acct struct {
					id, bal int64
					members []int64
				}
				mk := func(tag string) *acct {
					i := seq.Add(1)
					head := person("张"+string(rune('甲'+i%10)), int(i%400), "1970-01-01", registry.Male)
					head.IDNumber = ""
					head.Gender, head.BirthDate = registry.Male, "1970-01-01"
					h, err := db.Registry().CreateHousehold(ctx, admin, registry.HouseholdInput{Number: fmt.Sprintf("P%d%s", i, tag), VillageCode: pingan}, head)
					if err != nil {
						rt.Fatal(err)
					}
					kid := registry.ResidentInput{Name: "张子", Gender: registry.Male, BirthDate: "2000-01-01", Ethnicity: "汉族", Relation: "子", Political: "群众"}
					r, err := db.Registry().AddResident(ctx, admin, h.ID, kid, "出生")
					if err != nil {
						rt.Fatal(err)
					}
					return &acct{id: h.ID, members: []int64{r.ID}}
				}
				hs := []*acct{mk("a"), mk("b")}
				type posted struct {
					entry    int64
					delta    int64
					hh       *acct
					reversed bool
				}
				var entries []*posted
				steps := rapid.IntRange(1, 8).Draw(rt, "steps")
				for s := range steps {
					key := fmt.Sprintf("p%d-%d", n, s)
					h := hs[rapid.IntRange(0, len(hs)-1).Draw(rt, "h")]
					amount := rapid.Int64Range(1, 50).Draw(rt, "amount")
					switch op := rapid.SampledFrom([]string{"award", "deduct", "spend", "reverse", "split", "merge"}).Draw(rt, "op"); op {
					case "award", "deduct", "spend":
						kind := map[string]points.Kind{"award": points.Award, "deduct": points.Deduct, "spend": points.Spend}[op]
						e, err := db.Ledger().Post(ctx, clerk, points.Posting{Key: key, Household: h.id, Kind: kind, Points: amount})
						delta := points.Delta(kind, amount)
						switch {
						case h.bal+delta < 0:
							if !fault.Is(err, fault.Conflict) {
								rt.Fatalf("%s of %d on %d: %v, want a conflict", op, amount, h.bal, err)
							}
						case err != nil:
							rt.Fatal(err)
						default:
							h.bal += delta
							entries = append(entries, &posted{e.ID, delta, h, false})
						}
					case "reverse":
						if len(entries) == 0 {
							continue
						}
						p := entries[rapid.IntRange(0, len(entries)-1).Draw(rt, "entry")]
						_, err := db.Ledger().Post(ctx, clerk, points.Posting{Key: key, Household: p.hh.id, Kind: points.Reversal, Reverses: p.entry})
						switch {
						case p.reversed || p.hh.bal-p.delta < 0:
							if !fault.Is(err, fault.Conflict) {
								rt.Fatalf("reversal (reversed %v, balance %d, delta %d): %v", p.reversed, p.hh.bal, p.delta, err)
							}
						case err != nil:
							rt.Fatal(err)
						default:
							p.hh.bal -= p.delta
							p.reversed = true
						}
					case "split":
						if len(h.members) == 0 {
							continue
						}
						share := rapid.Int64Range(0, h.bal+5).Draw(rt, "share")
						nh, err := db.Registry().SplitHousehold(ctx, admin, registry.Split{From: h.id, Members: h.members[:1], NewHead: h.members[0],
							Number: fmt.Sprintf("S%s", key), Reason: "分家", Points: share})
						switch {
						case share > h.bal:
							if !fault.Is(err, fault.Conflict) {
								rt.Fatalf("split of %d from %d: %v", share, h.bal, err)
							}
						case err != nil:
							rt.Fatal(err)
						default:
							h.bal -= share
							h.members = h.members[1:]
							hs = append(hs, &acct{id: nh.ID, bal: share})
						}
					case "merge":
						if len(hs) < 2 {
							continue
						}
						into := hs[0]
						if into == h {
							into = hs[1]
						}
						if err := db.Registry().MergeHouseholds(ctx, admin, h.id, into.id, "合户"); err != nil {
							rt.Fatal(err)
						}
						into.bal += h.bal
						into.members = append(into.members, h.members...)
						for _, p := range entries {
							if p.hh == h {
								p.reversed = true // its household is gone; nothing to reverse there
							}
						}
						h.bal, h.members = 0, nil
						for i, x := range hs {
							if x == h {
								hs = append(hs[:i], hs[i+1:]...)
								break
							}
						}
					}
					for _, x := range hs {
						got, err := db.Ledger().Balance(ctx, clerk, x.id)
						if err != nil || got != x.bal || got < 0 {
							rt.Fatalf("household %d: balance %d (%v), model %d", x.id, got, err, x.bal)
						}
					}
				}
			})
			problems, err := db.Ledger().Verify(ctx)
			if err != nil || len(problems) > 0 {
				t.Fatalf("verify after %d sequences: %v %+v", checks, err, problems)
			}
		})
	}
}
