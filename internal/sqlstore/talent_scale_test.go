package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/regiondata"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/talent"
)

// TestTalentCoverageAtScale spreads leaders over the real gacha and
// villages of 兴安盟 through the whole chain, several in some villages,
// and checks the coverage report against an independent count of the
// same placements: per banner, in total, per tier and per channel. It
// places 120 by default and the 1,286 when SHANZHI_TALENT_SCALE
// is set, which takes minutes.
func TestTalentCoverageAtScale(t *testing.T) {
	n := 120
	if os.Getenv("SHANZHI_TALENT_SCALE") != "" {
		n = 1286
	}
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newTalentWorld(t, db)
		all, err := regiondata.All()
		if err != nil {
			t.Fatal(err)
		}
		var villages []string
		for _, r := range all {
			if r.Level == 5 && strings.HasPrefix(r.Code, "1522") && slices.Contains(talent.RuralKinds, r.Kind) {
				villages = append(villages, r.Code)
			}
		}
		clerk := &access.Actor{UserID: 1, Username: "clerk", Grants: []access.Grant{{Role: access.Operator, Region: "150000000000"}}}
		covered := map[string]bool{}
		perBanner := map[string]map[string]bool{}
		tiers := map[talent.Tier]int{}
		channels := map[talent.Channel]int{}
		for i := range n {
			v := villages[(i*7)%len(villages)]
			tier := talent.Tiers[i%len(talent.Tiers)]
			ch := talent.Channels[i%len(talent.Channels)]
			first := fmt.Sprintf("152221%s%03d", time.Date(1970, 1, 1+i/900, 0, 0, 0, 0, time.UTC).Format("20060102"), i%900)
			in := w.application(v, fmt.Sprint("带头人", i), 0, 10)
			in.IDNumber, in.Channel = first+string(registry.CheckChar(first)), ch
			in.CreditCode = creditcode.Complete(fmt.Sprintf("93152221MA%07d", i))
			c, err := w.svc.Save(ctx, clerk, 0, in)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Submit(ctx, clerk, c.ID); err != nil {
				t.Fatal(err)
			}
			for step, l := range talent.Levels {
				by := &access.Actor{UserID: int64(100 + step), Username: fmt.Sprint("level", step), Grants: []access.Grant{{Role: access.Leader, Region: talent.Ancestor(v, l)}}}
				if err := w.svc.Score(ctx, by, c.ID, []int{16, 16, 16, 16, 16}, ""); err != nil {
					t.Fatal(err)
				}
				if _, err := w.svc.Decide(ctx, by, c.ID, talent.Decision{Decision: review.Approve, Tier: tier}); err != nil {
					t.Fatal(err)
				}
			}
			covered[v] = true
			b := v[:6] + "000000"
			if perBanner[b] == nil {
				perBanner[b] = map[string]bool{}
			}
			perBanner[b][v] = true
			tiers[tier]++
			channels[ch]++
		}
		for {
			moved, err := w.rev.FinaliseDue(ctx, time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			if moved == 0 {
				break
			}
		}
		cov, err := w.svc.Coverage(ctx, tlLeague, w.round.ID, xingan)
		if err != nil {
			t.Fatal(err)
		}
		if cov.Total.Covered != len(covered) || cov.Total.People != n || cov.Total.Villages != len(villages) {
			t.Fatalf("total %+v, want %d covered of %d with %d leaders", cov.Total, len(covered), len(villages), n)
		}
		for _, a := range cov.Areas {
			if a.Covered != len(perBanner[a.Code]) {
				t.Errorf("%s: %d covered, the placements say %d", a.Name, a.Covered, len(perBanner[a.Code]))
			}
		}
		for tier, k := range tiers {
			if cov.ByTier[tier] != k {
				t.Errorf("tier %s: %d, want %d", tier, cov.ByTier[tier], k)
			}
		}
		for ch, k := range channels {
			if cov.ByChannel[ch] != k {
				t.Errorf("channel %s: %d, want %d", ch, cov.ByChannel[ch], k)
			}
		}
		// 乌兰浩特市 has 街道 of town communities only: they have nothing
		// the goal counts and are left out, and every township that has a
		// gacha or village is there.
		city, err := w.svc.Coverage(ctx, tlLeague, w.round.ID, "152201000000")
		if err != nil {
			t.Fatal(err)
		}
		rural := map[string]bool{}
		for _, v := range villages {
			if strings.HasPrefix(v, "152201") {
				rural[v[:9]+"000"] = true
			}
		}
		if len(city.Areas) != len(rural) {
			t.Errorf("乌兰浩特市: %d areas, %d townships have gacha or villages", len(city.Areas), len(rural))
		}
		for _, a := range city.Areas {
			if !rural[a.Code] || a.Villages == 0 {
				t.Errorf("乌兰浩特市 lists %s with %d villages", a.Name, a.Villages)
			}
		}
		// The uncovered villages, read page by page by cursor, are exactly
		// the villages nobody was placed in.
		var listed []string
		for after := ""; ; {
			page, next, err := w.svc.Uncovered(ctx, tlLeague, xingan, after, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range page {
				if covered[u.Code] {
					t.Fatalf("%s listed uncovered", u.Code)
				}
				listed = append(listed, u.Code)
			}
			if after = next; next == "" {
				break
			}
		}
		if cov.Uncovered != len(villages)-len(covered) || len(listed) != cov.Uncovered || !slices.IsSorted(listed) || len(slices.Compact(listed)) != len(listed) {
			t.Errorf("%d uncovered counted, %d listed, want %d", cov.Uncovered, len(listed), len(villages)-len(covered))
		}
	})
}
