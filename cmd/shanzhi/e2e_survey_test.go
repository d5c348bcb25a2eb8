package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestE2ESurvey walks the survey engine in a browser over the demo as a
// new user would: the organisation department reads the finished needs
// survey's analysis and ranked list, builds a questionnaire of its own
// (a question refused first) and publishes it; a resident answers on a
// 360 px phone through the public link, without an account, refused
// first for a required question left empty; staff enter a visit's answer
// on the phone form; the analysis counts both, by channel.
func TestE2ESurvey(t *testing.T) {
	needChromium(t)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	base, pw := startDemoAt(t, ctx, t.TempDir())
	b := newBrowser(t, ctx, base)

	// 1. The finished needs survey: 1,113 answers, the ranked list.
	b.signIn("keerqin-org", pw["keerqin-org"])
	b.open("/surveys")
	m := regexp.MustCompile(`href="/surveys/(\d+)">2026年干部教育培训需求调研`).FindStringSubmatch(b.html())
	if m == nil {
		b.fatal("surveys", fmt.Errorf("the list has no needs survey"))
	}
	b.open("/surveys/" + m[1] + "/analysis")
	b.expectText("main", "共收到答卷 1113 份", "深入走访", "紧缺能力排序", "县处级 · 党政机关")
	b.screenshot("e2e-60-survey-analysis.png")

	// 2. A questionnaire of its own.
	b.open("/surveys/new?region=" + demoTownship)
	b.do("title", chromedp.SendKeys(chromedp.CSS("#f-title"), "嘎查村红色物业议事满意度"))
	b.load("create", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.expectPath("/surveys/")
	sv := b.path()[:strings.Index(b.path()+"?", "?")]
	b.do("one option", chromedp.SendKeys(chromedp.CSS("#f-label"), "您是否参加过议事会"), chromedp.SendKeys(chromedp.CSS("#f-options"), "参加过"),
		chromedp.Click(chromedp.CSS("input[name=required]")), chromedp.Click(chromedp.CSS(`form[action$="/questions"] button`)))
	b.waitText("main .alert", "须有 2–50 个选项")
	b.open(sv)
	b.do("question", chromedp.SendKeys(chromedp.CSS("#f-label"), "您是否参加过议事会"), chromedp.SendKeys(chromedp.CSS("#f-options"), "参加过\n没参加过"),
		chromedp.Click(chromedp.CSS("input[name=required]")))
	b.load("add", chromedp.Click(chromedp.CSS(`form[action$="/questions"] button`)))
	b.do("rating", chromedp.SetValue(chromedp.CSS("#f-kind"), "rating"), chromedp.SendKeys(chromedp.CSS("#f-label"), "您对议事结果的满意度"))
	b.load("add rating", chromedp.Click(chromedp.CSS(`form[action$="/questions"] button`)))
	b.load("publish", chromedp.Click(chromedp.CSS(`form[action$="/publish"] button`)))
	b.expectText("main", "收集中")
	link := b.text("#public-link")
	b.signOut()

	// 3. A resident on a phone, through the link.
	b.do("phone viewport", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	b.load("open link", chromedp.Navigate(link))
	b.do("rate only", chromedp.Click(chromedp.CSS(`input[name=q_q2][value="4"]`)), chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.waitText("main .alert", "有 1 处填写有误")
	b.expectText("main", "为必答题")
	b.do("answer", chromedp.Click(chromedp.CSS(`input[name=q_q1][value="1"]`)))
	b.load("send", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.expectText("main", "提交成功")
	if w := b.pageWidth(); w > 360 {
		b.fatal("public form", fmt.Errorf("%d px wide on a 360 px screen", w))
	}
	b.screenshot("e2e-61-survey-public-phone.png")

	// 4. Staff enter a visit's answer on the same phone.
	b.signIn("keerqin-org", pw["keerqin-org"])
	b.open(sv + "/enter")
	b.do("visit", chromedp.Click(chromedp.CSS(`input[name=channel][value=visit]`)), chromedp.Click(chromedp.CSS(`input[name=q_q1][value="2"]`)),
		chromedp.Click(chromedp.CSS(`input[name=q_q2][value="2"]`)))
	b.load("enter", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.expectText("main", "已录入一份答卷")
	b.screenshot("e2e-62-survey-enter-phone.png")
	b.open(sv + "/analysis")
	b.expectText("main", "共收到答卷 2 份", "平均 3.00")
	t.Logf("survey walk took %s", time.Since(start).Round(time.Second))
}
