package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/honour"
	"shanzhi/internal/localtime"
	"shanzhi/internal/registry"
)

// TestDemoHonours loads the demo and finds the honours module finished,
// not only started: four boards of 平安村 with the computed ones published
// and the nominated ones filled through their notice, a drive closed at
// zero beside an open one, a privilege granted, a credit export recorded;
// then verify passes the fundraising ledgers and catches a donation edited
// in SQL.
func TestDemoHonours(t *testing.T) {
	ctx := context.Background()
	place := newPlace(t, "sqlite", filepath.Join(t.TempDir(), "shanzhi.key"))
	db, _ := seedPlace(t, place)
	lead := &access.Actor{Username: "lead", Grants: []access.Grant{{Role: access.Leader, Region: demoTownship}, {Role: access.Operator, Region: demoTownship}}}
	rev, err := reviewService(db)
	if err != nil {
		t.Fatal(err)
	}
	hs := db.Honours(rev)
	boards, err := hs.Boards(ctx, lead, demoVillage)
	if err != nil || len(boards) != 4 {
		t.Fatalf("boards %d %v", len(boards), err)
	}
	for _, b := range boards {
		ps, err := hs.Periods(ctx, lead, b.ID)
		if err != nil || len(ps) == 0 {
			t.Fatalf("board %s has no published period (%v)", b.Name, err)
		}
		e, err := hs.Edition(ctx, nil, b.ID, ps[0])
		if err != nil || len(e.Honours) == 0 || b.Kind == honour.Computed && e.Published.IsZero() {
			t.Fatalf("board %s %s: %+v %v", b.Name, ps[0], e, err)
		}
		photos := 0
		for _, h := range e.Honours {
			photos += len(h.Photos)
		}
		if b.Kind == honour.Nominated && photos != 1 {
			t.Errorf("board %s shows %d deed photos in public, want 1", b.Name, photos)
		}
	}
	cs, err := db.Funds().Campaigns(ctx, lead, demoVillage)
	if err != nil || len(cs) != 2 {
		t.Fatalf("drives %d %v", len(cs), err)
	}
	closed := cs[1]
	if closed.Status != honour.CampaignClosed || closed.Balance != 0 || closed.Raised == 0 || closed.Spent != closed.Raised || cs[0].Pending != 1 {
		t.Fatalf("drives %+v %+v", closed, cs[0])
	}
	list, _, err := db.Registry().Households(ctx, lead, registry.ListFilter{Region: demoVillage, Status: registry.HouseholdActive, ByNumber: true, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	granted := 0
	for _, h := range list {
		gs, err := db.Privileges().Grants(ctx, lead, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		granted += len(gs)
	}
	if granted != 1 {
		t.Fatalf("%d privileges granted", granted)
	}
	_, exports, err := db.Credit().Consents(ctx, lead, list[0].ID)
	if err != nil || len(exports) != 1 {
		t.Fatalf("credit exports %v %v", exports, err)
	}
	// A paper consent with its scan, and a public nomination waiting for
	// the committee.
	if paper, _, err := db.Credit().Consents(ctx, lead, list[1].ID); err != nil || len(paper) != 1 || len(paper[0].Scans) != 1 {
		t.Fatalf("paper consent %+v %v", paper, err)
	}
	waiting := 0
	for _, b := range boards {
		if b.Kind != honour.Nominated {
			continue
		}
		ns, err := db.Honours(nil).Nominations(ctx, lead, b.ID, localtime.In(db.Now()).Format("2006"))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns {
			if n.Channel == honour.ChannelPublic && n.Status == honour.NomInReview {
				waiting++
			}
		}
	}
	if waiting != 1 {
		t.Fatalf("%d public nominations waiting", waiting)
	}
	db.Close()
	out, err := runCmd(t, append([]string{"verify"}, place.args...)...)
	if err != nil || !strings.Contains(out, "募捐台账") {
		t.Fatalf("verify of the demo: %v\n%s", err, out)
	}
	rawExec(t, place.dsn, `UPDATE fund_entries SET amount = amount + 100 WHERE id = (SELECT min(id) FROM fund_entries WHERE kind = 'donation')`)
	out, err = runCmd(t, append([]string{"verify"}, place.args...)...)
	if err == nil || !strings.Contains(out, "内容与链式哈希不符") {
		t.Fatalf("verify passed an edited donation: %v\n%s", err, out)
	}
}
