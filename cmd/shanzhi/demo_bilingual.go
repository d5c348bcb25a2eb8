package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
	"shanzhi/internal/region"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/sqlstore"
)

// The demo's gacha: 巴彦嘎查 (ᠪᠠᠶᠠᠨ ᠭᠠᠴᠠᠭ᠎ᠠ), added to 科尔沁镇 the way a
// township adds a village, so it takes the first locally added code.
const (
	demoGacha       = "152221100900"
	demoGachaName   = "巴彦嘎查"
	demoGachaMongol = "\u182A\u1820\u1836\u1820\u1828 \u182D\u1820\u1834\u1820\u182D\u180E\u1820"
)

// demoMongolFamilies are the gacha's households, each head with a name in
// traditional script beside the Chinese transcription.
var demoMongolFamilies = []struct{ name, mongol, birth string }{
	{"巴图", "\u182A\u1820\u1832\u1824", "19680304"},              // ᠪᠠᠲᠤ
	{"其木格", "\u1834\u1822\u182E\u1821\u182D", "19750811"},       // ᠴᠢᠮᠡᠭ
	{"苏和", "\u1830\u1826\u182C\u1821", "19620122"},              // ᠰᠦᠬᠡ
	{"乌云", "\u1824\u1836\u1824\u1828", "19800607"},              // ᠤᠶᠤᠨ
	{"那日苏", "\u1828\u1820\u1837\u1820\u1830\u1824", "19720915"}, // ᠨᠠᠷᠠᠰᠤ
	{"额尔敦", "\u1821\u1837\u1833\u1821\u1828\u1822", "19851203"}, // ᠡᠷᠳᠡᠨᠢ
}

// seedBilingual adds the demo's gacha, sets its public outputs to
// Mongolian first on its manage page's path, registers its Mongol
// families and walks their awards through the real path: some finished
// three days ago (on the board), the rest approved today (on the notice),
// so the bilingual notice, board and household cards all have content.
func seedBilingual(ctx context.Context, db *sqlstore.DB, official *access.Actor, stdout io.Writer) error {
	g, err := db.Regions().AddVillage(ctx, official, demoTownship, demoGachaName, "演示：牧区嘎查")
	if err != nil {
		return err
	}
	if g.Code != demoGacha {
		return fmt.Errorf("demo gacha got code %s, want %s", g.Code, demoGacha)
	}
	if err := db.Regions().SetScript(ctx, official, demoGacha, region.ScriptBilingual, demoGachaMongol, "嘎查村民代表会议决定公示蒙汉双语"); err != nil {
		return err
	}
	var households []int64
	for i, f := range demoMongolFamilies {
		first := "152221" + f.birth + fmt.Sprintf("%03d", 501+2*i)
		h, err := db.Registry().CreateHousehold(ctx, official, registry.HouseholdInput{Number: fmt.Sprintf("BY-%03d", i+1), VillageCode: demoGacha, Address: "巴彦嘎查一组"},
			registry.ResidentInput{Name: f.name, NameMongol: f.mongol, Ethnicity: "蒙古族", IDNumber: first + string(registry.CheckChar(first)), Political: "群众"})
		if err != nil {
			return fmt.Errorf("demo gacha household %s: %w", f.name, err)
		}
		households = append(households, h.ID)
	}
	rev, err := reviewService(db)
	if err != nil {
		return err
	}
	clock := db.Now
	defer func() { db.Now = clock }()
	now := clock()
	at := now.Add(-3 * 24 * time.Hour)
	db.Now = func() time.Time { return at }
	awards, committee := db.Awards(rev), demoCommittee()
	items := []string{"env-03", "pub-04", "fil-03"}
	for round, split := range []int{0, len(households) / 2} {
		if round == 1 {
			at = now
		}
		for i, id := range households[split:] {
			w, err := awards.Record(ctx, official, points.AwardInput{Key: fmt.Sprintf("demo-gacha-%d-%d", round, id), Household: id, Item: items[(i+round)%len(items)],
				Evidence: "嘎查委员会检查记录", Witness: "网格员"})
			if err != nil {
				return err
			}
			if _, err := rev.Decide(ctx, committee, w.ReviewID, review.Approve, ""); err != nil {
				return err
			}
		}
		if round == 0 {
			if _, err := rev.FinaliseDue(ctx, at.Add((demoNoticeDays*24+1)*time.Hour)); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(stdout, "loaded demo gacha: %s (%s) writes its notice, board and cards in Mongolian and Chinese; %d Mongol families\n", demoGachaName, demoGacha, len(households))
	return nil
}
