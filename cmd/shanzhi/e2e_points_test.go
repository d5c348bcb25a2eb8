package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// accountRe reads one line of the demo's account list: name and password.
var accountRe = regexp.MustCompile(`^  (\S+)\s+(\S+)  `)

// startDemo runs "shanzhi demo" on a free port over a fresh data directory
// and returns its base URL and the demo accounts' passwords.
func startDemo(t *testing.T, ctx context.Context) (string, map[string]string) {
	t.Helper()
	return startDemoAt(t, ctx, t.TempDir())
}

// startDemoAt is startDemo over the data directory dir, for a test that
// also opens the demo's database, as the scheduler would, to move time on.
func startDemoAt(t *testing.T, ctx context.Context, dir string) (string, map[string]string) {
	t.Helper()
	pw := map[string]string{}
	listing := false
	base := startCommand(t, ctx, []string{"demo", "-addr", "127.0.0.1:0", "-data-dir", dir}, func(l string) bool {
		if strings.HasPrefix(l, "demo accounts") {
			listing = true
		} else if m := accountRe.FindStringSubmatch(l); listing && m != nil {
			pw[m[1]] = m[2]
		}
		// The villager's line is the list's last.
		return pw[demoVillage+"-001"] != ""
	})
	return base, pw
}

// TestE2EPoints walks the Moral Bank and the supermarket in a browser over
// the demo: a village clerk prints a household card and records an award;
// the committee approves it; anyone sees it on the public notice with the
// name masked; the store's clerk scans the card at the counter (the
// scanner types the card number and Enter into the focused field),
// redeems a basket and gets a receipt; the villager opens their own page
// and the catalogue on a 360 px phone.
func TestE2EPoints(t *testing.T) {
	needChromium(t)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	base, pw := startDemo(t, ctx)
	b := newBrowser(t, ctx, base)

	// 1. The village clerk: a household of 平安村, its card, an award.
	b.signIn("pingan", pw["pingan"])
	b.open("/households?region=" + demoVillage)
	m := regexp.MustCompile(`href="(/households/\d+)"`).FindStringSubmatch(b.html())
	if m == nil {
		b.fatal("households", fmt.Errorf("no household links"))
	}
	household := m[1]
	b.open(household + "/card")
	card := strings.TrimSpace(b.text(".card-no .mono"))
	if len(card) < 16 {
		b.fatal("card", fmt.Errorf("card number %q", card))
	}
	b.screenshot("e2e-10-card.png")
	b.open(household + "/award")
	b.do("choose item", chromedp.SetValue(chromedp.CSS("#f-item"), "env-03"))
	b.load("record award", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.expectPath(household)
	b.expectText("main", "垃圾分类投放")
	b.screenshot("e2e-11-award.png")
	b.signOut()

	// 2. The committee approves it; it goes on public notice.
	b.signIn("pingan-review", pw["pingan-review"])
	b.open("/reviews")
	b.expectText("main", "垃圾分类投放", "户号")
	b.screenshot("e2e-12-reviews.png")
	b.load("approve", chromedp.Click(chromedp.CSS(`form[action^="/reviews/"] button[value=approve]`)))
	b.signOut()
	b.open("/notice/" + demoVillage)
	b.expectText("main", "垃圾分类投放", "*")
	if strings.Contains(b.text("main"), "身份证") {
		b.fatal("notice", fmt.Errorf("the public notice mentions ID numbers"))
	}
	b.screenshot("e2e-13-notice.png")

	// 3. The counter: the scanner types the card number and Enter.
	b.signIn("pingan-shop", pw["pingan-shop"])
	b.open("/market")
	m = regexp.MustCompile(`href="(/stores/\d+)"`).FindStringSubmatch(b.html())
	if m == nil {
		b.fatal("stores", fmt.Errorf("the clerk sees no store"))
	}
	b.open(m[1] + "/counter")
	// The field takes the focus as the page settles, which a loaded
	// machine can leave a moment after the load event; the page's script
	// context can be replaced meanwhile, which ends a poll begun in the
	// old one with "Cannot find context": that poll starts again.
	var focused string
	var err error
	for try := 0; try < 3; try++ {
		focused, err = chromedp.Run(b.ctx, chromedp.Poll[string](`document.activeElement && document.activeElement.id === "q" && "q"`, chromedp.WithPollingTimeout(5*time.Second)))
		if err == nil || !strings.Contains(err.Error(), "Cannot find context") {
			break
		}
	}
	if err != nil || focused != "q" {
		b.fatal("counter", fmt.Errorf("the scan field is not focused (%q, %v)", focused, err))
	}
	b.load("scan card", chromedp.SendKeys(chromedp.CSS("#q"), card+kb.Enter))
	before := b.summary()["积分余额"]
	if before == "" {
		b.fatal("counter", fmt.Errorf("no balance shown after the scan: %v", b.summary()))
	}
	// The cheapest goods on the shelf: one of them.
	b.do("basket", chromedp.SendKeys(chromedp.CSS(`input.qty`), "1"))
	b.screenshot("e2e-14-counter.png")
	b.load("confirm", chromedp.Click(chromedp.CSS(`form.basket button[type=submit]`)))
	b.expectText("main", "兑换")
	b.screenshot("e2e-15-receipt.png")
	if bal, err := strconv.Atoi(before); err != nil || bal <= 0 {
		b.fatal("counter", fmt.Errorf("balance before %q", before))
	}
	b.signOut()

	// 4. The villager on a phone: their page, then the catalogue.
	b.do("phone viewport", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	b.signIn(demoVillagerPhone, pw[demoVillage+"-001"])
	b.open("/my")
	b.expectText("main", "积分余额", "本村排名")
	if w := b.pageWidth(); w > 361 {
		b.fatal("villager page", fmt.Errorf("%d px wide on a 360 px screen", w))
	}
	b.screenshot("e2e-16-villager-phone.png")
	b.open("/my/market")
	if w := b.pageWidth(); w > 361 {
		b.fatal("villager catalogue", fmt.Errorf("%d px wide on a 360 px screen", w))
	}
	b.screenshot("e2e-17-villager-market.png")
	t.Logf("points scenario took %s", time.Since(start).Round(time.Millisecond))
}
