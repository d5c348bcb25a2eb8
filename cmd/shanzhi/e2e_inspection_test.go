package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shanzhi/internal/access"
	"shanzhi/internal/registry"
)

// sheetHouseholds is the size of the village the inspection pass walks.
const sheetHouseholds = 300

// TestE2EInspection walks the monthly inspection of a 300-household
// village in a browser, counting clicks: for an item without a photo the
// clerk needs at most two per household (here: select all, send). An item
// that needs a photo says so and stops a sheet whose ticked rows lack
// one before it is sent. Then the villager switches on large type on a
// 360 px phone: body text of 18 px or more, nothing wider than the screen.
func TestE2EInspection(t *testing.T) {
	needChromium(t)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	dir := t.TempDir()
	base, pw := startDemoAt(t, ctx, dir)
	have := growVillage(t, ctx, dir, sheetHouseholds)
	b := newBrowser(t, ctx, base)

	clicks := 0
	click := func(sel string) chromedp.Action[chromedp.Void] {
		clicks++
		return chromedp.Click(chromedp.CSS(sel))
	}
	b.signIn("pingan", pw["pingan"])
	b.open("/regions/" + demoVillage + "/inspection?item=env-03")
	if rows := len(b.texts("table.sheet tbody tr")); rows != have {
		b.fatal("sheet", fmt.Errorf("%d rows, the village has %d households", rows, have))
	}
	b.do("select all", click("#check-all"))
	b.expectText("#checked-count", strconv.Itoa(have))
	b.load("send the sheet", click("form.inspection button[type=submit]"))
	b.expectText("main", fmt.Sprintf("已登记 %d 户", have))
	if clicks > 2*have {
		b.fatal("clicks", fmt.Errorf("%d clicks for %d households", clicks, have))
	}
	t.Logf("inspection of %d households: %d clicks", have, clicks)

	// An item that needs a photo: the sheet says so, shows a photo column
	// and refuses to send a ticked row without its photo.
	b.do("clear all", click("#check-none"))
	b.expectText("#checked-count", "已勾选 0 户")
	b.do("photo item", chromedp.SetValue(chromedp.CSS("#item"), "env-01"))
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.getElementById("item").dispatchEvent(new Event("change", {bubbles: true}))`)); err != nil {
		b.fatal("photo item", err)
	}
	b.expectText(".photo-note", "需要照片")
	b.do("tick one", click("table.sheet tbody tr:first-child input[type=checkbox]"))
	b.do("send without photo", click("form.inspection button[type=submit]"))
	b.expectText("#sheet-error", "还没有拍照")
	b.screenshot("e2e-40-inspection-photo.png")
	b.signOut()

	// The villager, large type on a phone.
	b.do("phone viewport", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	b.signIn(demoVillagerPhone, pw[demoVillage+"-001"])
	b.open("/my")
	b.load("large type", click("a.textsize"))
	for i, p := range []string{"/my", "/my/market"} {
		b.open(p)
		size, err := chromedp.Run(b.ctx, chromedp.Evaluate[float64](`parseFloat(getComputedStyle(document.body).fontSize)`))
		if err != nil || size < 18 {
			b.fatal("large type", fmt.Errorf("body text %v px on %s (%v)", size, p, err))
		}
		if w := b.pageWidth(); w > 361 {
			b.fatal("large type", fmt.Errorf("%s is %d px wide on a 360 px screen", p, w))
		}
		// Tables turn into cards: no header row, each cell labelled.
		cards, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`Array.from(document.querySelectorAll("table.grid")).every(t =>
			(!t.tHead || getComputedStyle(t.tHead).display === "none") &&
			Array.from(t.querySelectorAll("tbody td:not([colspan])")).every(td => td.dataset.label))`))
		if err != nil || !cards {
			b.fatal("large type", fmt.Errorf("tables on %s are not cards (%v)", p, err))
		}
		b.screenshot(fmt.Sprintf("e2e-41-villager-large-%d.png", i))
	}
	t.Logf("inspection scenario took %s", time.Since(start).Round(time.Millisecond))
}

// growVillage adds households to the demo village through the register
// import until it has n, playing the clerk's earlier import on the demo's
// own database, and returns how many it has.
func growVillage(t *testing.T, ctx context.Context, dir string, n int) int {
	t.Helper()
	_, db, err := loadAndOpen(ctx, "demo", []string{"-data-dir", dir}, e2eEnv, io.Discard, io.Discard, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clerk := &access.Actor{Username: "e2e", Grants: []access.Grant{{Role: access.Operator, Region: demoVillage}}}
	reg := db.Registry()
	_, have, err := reg.Households(ctx, clerk, registry.ListFilter{Region: demoVillage, Status: registry.HouseholdActive, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"户号", "家庭住址", "姓名", "性别", "民族", "出生日期", "与户主关系"})
	for i := have; i < n; i++ {
		w.Write([]string{fmt.Sprintf("E%03d", i), fmt.Sprintf("七组 %d 号", i), "巴图" + string(rune(0x4e00+i)), "男", "蒙古族", "1970-01-01", "本人"})
	}
	w.Flush()
	batch, err := reg.StageImport(ctx, clerk, demoVillage, "more.csv", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := reg.RunImport(ctx, clerk, batch, registry.All); err != nil || rep.NewHouseholds != n-have {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	return n
}
