package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shanzhi/internal/creditcode"
	"shanzhi/internal/photo"
	"shanzhi/internal/registry"
	"shanzhi/internal/talent"
)

// TestE2ETalent walks 晓景计划 in a browser over the demo, one user per
// level, as a new user would: a returning migrant applies through the
// public page without an account and keeps a private link; the village
// scores, returns it with a reason, the applicant corrects and resubmits
// it through the link; the village, township, banner and league score and
// pass it up, the league with a tier; the notice closes (the scheduler's
// call, five days on); the leader is counted on the coverage dashboard
// and has a public page that shows neither licence nor personal data.
func TestE2ETalent(t *testing.T) {
	needChromium(t)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	dir := t.TempDir()
	base, pw := startDemoAt(t, ctx, dir)
	b := newBrowser(t, ctx, base)
	const name, entity = "白音返乡", "白音沙果种植家庭农场"
	first := "15222119900305" + "071"
	idNumber := first + string(registry.CheckChar(first))

	// 1. The village clerk finds the round's public application page to
	// pass on to the applicant.
	b.signIn("pingan", pw["pingan"])
	b.open("/talent")
	m := regexp.MustCompile(`href="/talent/rounds/(\d+)"`).FindStringSubmatch(b.html())
	if m == nil {
		b.fatal("rounds", fmt.Errorf("the register links no round"))
	}
	b.open("/talent/rounds/" + m[1])
	apply := b.attr("#apply-link", "href")
	b.signOut()

	// 2. The applicant, without an account: banner, township, the form.
	b.open(apply)
	b.expectText("main", "科尔沁右翼前旗")
	b.screenshot("e2e-20-apply-area.png")
	b.open(apply + "?area=" + demoTownship)
	b.do("fill application",
		chromedp.SetValue(chromedp.CSS("#f-village"), demoVillage),
		chromedp.SetValue(chromedp.CSS("#f-channel"), string(talent.FromReturnees)),
		chromedp.SendKeys(chromedp.CSS("#f-name"), name),
		chromedp.SetValue(chromedp.CSS("#f-gender"), "男"),
		chromedp.SetValue(chromedp.CSS("#f-birth_date"), "1990-03-05"),
		chromedp.SendKeys(chromedp.CSS("#f-ethnicity"), "蒙古族"),
		chromedp.SendKeys(chromedp.CSS("#f-political"), "群众"),
		chromedp.SendKeys(chromedp.CSS("#f-id_number"), idNumber),
		chromedp.SendKeys(chromedp.CSS("#f-phone"), "13904821234"),
		chromedp.SetValue(chromedp.CSS("#f-entity_type"), string(talent.Farm)),
		chromedp.SendKeys(chromedp.CSS("#f-entity_name"), entity),
		chromedp.SendKeys(chromedp.CSS("#f-credit_code"), creditcode.Complete("92152221MA0N77777")),
		chromedp.SendKeys(chromedp.CSS("#f-industry"), "沙果种植"),
		chromedp.SendKeys(chromedp.CSS("#f-households"), "20"),
		chromedp.SendKeys(chromedp.CSS("#f-products"), "沙果、沙果干"),
	)
	b.screenshot("e2e-21-apply-form.png")
	b.load("save draft", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.expectPath("/apply/t/")
	link := b.text("#private-link")
	if !strings.HasSuffix(link, b.path()[:strings.Index(b.path()+"?", "?")]) {
		b.fatal("private link", fmt.Errorf("shows %q at %s", link, b.path()))
	}
	// On the applicant's phone the link to keep wraps instead of running
	// off the screen.
	b.do("phone viewport", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	b.open(b.path())
	if w := b.pageWidth(); w > 361 {
		b.fatal("private link on a phone", fmt.Errorf("page is %d px wide on a 360 px screen", w))
	}
	b.do("desktop viewport", chromedp.EmulateViewport(1280, 900))
	token := strings.TrimPrefix(b.path()[:strings.Index(b.path()+"?", "?")], "/apply/t/")
	if strings.Contains(b.text("main"), idNumber) || strings.Contains(b.text("main"), "13904821234") {
		b.fatal("applicant page", fmt.Errorf("shows the ID number or phone unmasked"))
	}
	licence := filepath.Join(t.TempDir(), "licence.png")
	if err := os.WriteFile(licence, photo.Swatch(9), 0o600); err != nil {
		t.Fatal(err)
	}
	b.do("choose licence", chromedp.SetValue(chromedp.CSS("#kind"), string(talent.LicenceAttachment)),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{licence}))
	b.load("upload", chromedp.Click(chromedp.CSS(`#applicant-attach button`)))
	b.expectText("ul.attachments", "营业执照")
	// Incomplete: no summary yet, so submission names what is missing.
	b.do("submit incomplete", chromedp.Click(chromedp.CSS(`#applicant-submit`)))
	b.waitText("main .alert", "个人简介")
	b.open("/apply/t/" + token + "/edit")
	b.do("add summary", chromedp.SendKeys(chromedp.CSS("#f-summary"), "返乡种植沙果，带动农户加工销售"))
	b.load("save", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.load("submit", chromedp.Click(chromedp.CSS(`#applicant-submit`)))
	b.expectText("#applicant-status", "审核中")
	b.screenshot("e2e-22-applicant-submitted.png")

	// 3. The village scores it privately and returns it with a reason.
	const private = "私评：规模尚小需核实"
	b.signIn("pingan-review", pw["pingan-review"])
	cand := b.candidate(name)
	b.expectText("ul.attachments", "营业执照")
	b.score(cand, private)
	b.decide(cand, "return", "", "请补充带动农户名单")
	b.signOut()

	// 4. The applicant sees the reason, never the comment, and resubmits.
	b.open("/apply/t/" + token)
	b.expectText("main", "请补充带动农户名单", "退回")
	if strings.Contains(b.html(), private) {
		b.fatal("applicant page", fmt.Errorf("shows the reviewer's private comment"))
	}
	b.screenshot("e2e-23-applicant-returned.png")
	b.open("/apply/t/" + token + "/edit")
	b.do("correct", chromedp.SetValue(chromedp.CSS("#f-households"), "26"), chromedp.SendKeys(chromedp.CSS("#f-honours"), "带动农户名单已附"))
	b.load("save", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.load("resubmit", chromedp.Click(chromedp.CSS(`#applicant-submit`)))
	b.expectText("#applicant-status", "审核中")

	// 5. One official per level scores and passes it up; the league gives
	// the tier, which opens the public notice.
	for i, user := range []string{"pingan-review", "keerqin", "qianqi", "xingan"} {
		b.signIn(user, pw[user])
		b.open(fmt.Sprintf("/talent/candidates/%s", cand))
		b.score(cand, "材料齐全")
		tier := ""
		if user == "xingan" {
			tier = string(talent.TierVillage)
		}
		b.decide(cand, "approve", tier, "")
		if user == "xingan" {
			// Four levels of scores fit a 1280 px screen.
			b.open(fmt.Sprintf("/talent/candidates/%s", cand))
			over, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`Math.max(0, ...[...document.querySelectorAll('.table-wrap')].map(w => w.scrollWidth - w.clientWidth))`))
			if err != nil || over > 1 {
				b.fatal("score table", fmt.Errorf("a table scrolls %d px sideways on a 1280 px screen (%v)", over, err))
			}
		}
		b.screenshot(fmt.Sprintf("e2e-%d-level-%s.png", 24+i, user))
		b.signOut()
	}
	b.open("/notice/" + demoVillage)
	b.expectText("main", entity)
	if strings.Contains(b.text("main"), idNumber) {
		b.fatal("notice", fmt.Errorf("the public notice shows the ID number"))
	}
	b.screenshot("e2e-28-notice.png")

	// 6. Five days on, the scheduler closes the notice: the applicant is a
	// leader. The test plays the scheduler on the demo's own database.
	_, db, err := loadAndOpen(ctx, "demo", []string{"-data-dir", dir}, e2eEnv, io.Discard, io.Discard, false)
	if err != nil {
		t.Fatal(err)
	}
	rev, err := reviewService(db)
	if err == nil {
		_, err = rev.FinaliseDue(ctx, time.Now().Add(6*24*time.Hour))
	}
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	b.open("/apply/t/" + token)
	b.expectText("#applicant-status", "已认定")

	// 7. The league's dashboard counts the leader, drawn as charts too.
	b.signIn("xingan", pw["xingan"])
	b.open("/talent/coverage")
	b.expectText("main", "按层级")
	if n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('.chart[data-chart] canvas, .chart[data-chart] svg').length`)); err != nil || n < 2 {
		b.fatal("coverage charts", fmt.Errorf("%d charts drawn (%v)", n, err))
	}
	b.screenshot("e2e-29-coverage.png")
	b.open("/talent/leaders?region=" + demoVillage)
	lm := regexp.MustCompile(`href="/talent/leaders/(\d+)"[^>]*>` + name).FindStringSubmatch(b.html())
	if lm == nil {
		b.fatal("leaders", fmt.Errorf("%s is not among the village's leaders", name))
	}
	b.signOut()

	// 8. The public page: the business, no personal data, no licence.
	b.open("/leaders/" + lm[1])
	b.expectText("main", name, entity, "沙果")
	page := b.html()
	if strings.Contains(page, idNumber[:6]+"19900305") || strings.Contains(page, "1390482") || strings.Contains(page, "/attachments/") || strings.Contains(page, "/files/") {
		b.fatal("public page", fmt.Errorf("shows personal data or an attachment"))
	}
	b.screenshot("e2e-30-leader-public.png")
	t.Logf("talent scenario took %s", time.Since(start).Round(time.Millisecond))
}

// attr reads an attribute of the first element matching sel.
func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).getAttribute(%q)`, sel, name)))
	if err != nil || v == "" {
		b.fatal("attribute "+name+" of "+sel, err)
	}
	return v
}

// waitText waits for sel to show want, for a form refused with its
// status (422) rather than a page load.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	b.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
	b.expectText(sel, want)
}

// candidate opens the register, finds the application of name and opens
// it, returning its id.
func (b *browser) candidate(name string) string {
	b.t.Helper()
	b.open("/talent?q=" + name)
	m := regexp.MustCompile(`href="/talent/candidates/(\d+)"`).FindStringSubmatch(b.html())
	if m == nil {
		b.fatal("register", fmt.Errorf("no application of %s", name))
	}
	b.open("/talent/candidates/" + m[1])
	return m[1]
}

// score fills the five criteria of the application's score form.
func (b *browser) score(id, comment string) {
	b.t.Helper()
	acts := []chromedp.Action[chromedp.Void]{}
	for i := 1; i <= talent.CriteriaCount; i++ {
		acts = append(acts, chromedp.SendKeys(chromedp.CSS(fmt.Sprintf("#p%d", i)), "15"))
	}
	acts = append(acts, chromedp.SendKeys(chromedp.CSS("#comment"), comment))
	b.do("fill scores", acts...)
	b.load("score", chromedp.Click(chromedp.CSS(fmt.Sprintf(`form[action="/talent/candidates/%s/score"] button`, id))))
}

// decide presses one of the level's decision buttons, with a tier at the
// league and a reason where one is given.
func (b *browser) decide(id, decision, tier, reason string) {
	b.t.Helper()
	form := fmt.Sprintf(`form[action="/talent/candidates/%s/decide"]`, id)
	if tier != "" {
		b.do("tier", chromedp.SetValue(chromedp.CSS(form+" #tier"), tier))
	}
	if reason != "" {
		b.do("reason", chromedp.SendKeys(chromedp.CSS(form+" #reason"), reason))
	}
	b.load(decision, chromedp.Click(chromedp.CSS(form+fmt.Sprintf(` button[value=%q]`, decision))))
	b.expectPath("/talent/candidates/" + id)
}
