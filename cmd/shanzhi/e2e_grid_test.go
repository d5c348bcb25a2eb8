package main

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestE2EGridNet walks the 全网通 in a browser over the demo, on a 360 px
// phone as grid staff carry it: the grid worker finds their grid (and only
// it), picks the party member they record for, logs a resident's issue on
// the member's page; the grid's contact log shows it beside the demo's
// issue closed at the branch; the grid leader opens the net builder and
// the contact cards. No page scrolls sideways.
func TestE2EGridNet(t *testing.T) {
	needChromium(t)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	base, pw := startDemoAt(t, ctx, t.TempDir())
	b := newBrowser(t, ctx, base)
	narrow := func(step string) {
		if w := b.pageWidth(); w > 361 {
			b.fatal(step, fmt.Errorf("%s is %d px wide on a 360 px screen", b.path(), w))
		}
	}
	b.do("phone viewport", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))

	b.signIn("pingan-wgy", pw["pingan-wgy"])
	b.open("/grids")
	links := regexp.MustCompile(`href="/grids/(\d+)"`).FindAllStringSubmatch(b.html(), -1)
	if len(links) != 1 {
		b.fatal("the worker's grids", fmt.Errorf("%d grids listed, want their one", len(links)))
	}
	grid := "/grids/" + links[0][1]
	narrow("grid list")
	b.open(grid + "/members")
	m := regexp.MustCompile(`href="(/grids/\d+/members\?member=\d+)"`).FindStringSubmatch(b.html())
	if m == nil {
		b.fatal("member list", fmt.Errorf("no party member to pick"))
	}
	b.open(m[1])
	narrow("member page")
	b.do("fill contact",
		chromedp.SendKeys(chromedp.CSS("main form.form input[name=summary]"), "入户走访"),
		chromedp.SendKeys(chromedp.CSS("main form.form input[name=issue]"), "门前排水沟堵塞"))
	b.load("log contact", chromedp.Click(chromedp.CSS("main form.form button.primary")))
	b.expectText("main", "门前排水沟堵塞", "待办理")
	b.screenshot("e2e-50-grid-member-phone.png")
	b.open(grid + "/contacts")
	b.expectText("main", "门前排水沟堵塞", "村西自来水管冬季冻裂", "已办结")
	narrow("contact log")
	b.signOut()

	b.signIn("pingan-wgz", pw["pingan-wgz"])
	b.open(grid + "/net")
	b.expectText("main", "党小组组长", "党员中心户", "联系住户")
	narrow("net builder")
	b.screenshot("e2e-51-grid-net-phone.png")
	b.open(grid + "/cards")
	b.expectText("main", "全网通党员联系卡", "您的联系党员")
	narrow("contact cards")
	b.open(grid + "/coverage")
	b.expectText("main", "已联系住户")
	narrow("coverage")
	t.Logf("grid scenario took %s", time.Since(start).Round(time.Millisecond))
}
