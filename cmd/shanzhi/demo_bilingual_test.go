package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/mongol"
	"shanzhi/internal/registry"
)

// TestDemoGacha loads the demo and finds its gacha as a visitor should:
// Mongolian first by its own choice, its notice naming heads in both
// scripts, masked alike, this month's board with finished awards, and a
// head found by a Mongolian name typed with a look-alike letter.
func TestDemoGacha(t *testing.T) {
	ctx := context.Background()
	db, _ := seedPlace(t, newPlace(t, "sqlite", filepath.Join(t.TempDir(), "shanzhi.key")))
	g, err := db.Regions().PublicScript(ctx, demoGacha)
	if err != nil || !g.Bilingual() || g.NameMongol != demoGachaMongol || g.Kind != "嘎查" {
		t.Fatalf("demo gacha: %+v (%v)", g, err)
	}
	rev, err := reviewService(db)
	if err != nil {
		t.Fatal(err)
	}
	ns, err := rev.PublicNotices(ctx, demoGacha)
	if err != nil || len(ns) == 0 {
		t.Fatalf("the gacha's notice is empty (%v)", err)
	}
	for _, n := range ns {
		if !mongol.Masked(n.Summary.PersonMongol) || !strings.HasSuffix(n.Summary.Person, "*") {
			t.Errorf("notice names %q / %q", n.Summary.Person, n.Summary.PersonMongol)
		}
	}
	lead := &access.Actor{Username: "lead", Grants: []access.Grant{{Role: access.Leader, Region: demoTownship}}}
	hs, err := db.Rankings().Households(ctx, lead, demoGacha, time.Now().Format("2006-01"), "", 20)
	if err != nil || len(hs) < len(demoMongolFamilies) || hs[0].HeadMongol == "" {
		t.Fatalf("the gacha's board: %+v (%v)", hs, err)
	}
	// ᠪᠠᠲᠣ, o typed for u, finds ᠪᠠᠲᠤ.
	rs, n, err := db.Registry().Residents(ctx, lead, registry.ResidentFilter{Region: demoGacha, Query: "\u182A\u1820\u1832\u1823"})
	if err != nil || n != 1 || rs[0].Name != "巴图" {
		t.Fatalf("Mongolian search: %d found (%v)", n, err)
	}
}
