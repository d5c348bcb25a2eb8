package main

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
)

// wechatPhone is a cheap Android handset's WeChat browser: 360 px wide,
// with the user agent by which pages (and app.js) recognise WeChat.
type wechatPhone struct{}

func (wechatPhone) Device() device.Info {
	return device.Info{
		Name: "WeChat on a 360 px Android phone",
		UserAgent: "Mozilla/5.0 (Linux; Android 10; M2006C3LC Build/QP1A.190711.020; wv) AppleWebKit/537.36 (KHTML, like Gecko) " +
			"Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023 MMWEBSDK/20221012 MicroMessenger/8.0.30.2260(0x28001E3B) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64",
		Width: 360, Height: 740, Scale: 2, Mobile: true, Touch: true,
	}
}

// phoneAudit is what the 360 px audit checks on a page, in the page: the
// page is no wider than the screen; no table header cell lies outside it
// (a table shown as cards has none showing); every tap target — link,
// button, field — is at least 44 px high (a checkbox counts by the label
// or card row that toggles it; a link inside a sentence is exempt, as
// WCAG 2.5.8 exempts it); no text is under 15 px. It returns one line per
// problem.
const phoneAudit = `(() => {
  const out = [];
  const W = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > W + 1) out.push("page " + document.documentElement.scrollWidth + " px wide");
  const visible = el => {
    const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== "hidden" && cs.display !== "none";
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "") +
    " \u201c" + ((el.textContent || "").trim() || el.value || el.name || el.getAttribute("aria-label") || "").slice(0, 24) + "\u201d";
  document.querySelectorAll("th").forEach(th => {
    if (!visible(th)) return;
    const r = th.getBoundingClientRect();
    if (r.left < -1 || r.right > W + 1) out.push("header cell outside the screen: " + name(th));
  });
  document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary").forEach(el => {
    if (!visible(el)) return;
    if (el.tagName === "A" && !el.classList.contains("btn") && el.closest("p, .help, .intro")) return;
    let target = el;
    if (el.matches("input[type=checkbox], input[type=radio]")) target = el.closest("label, tr.pick") || el;
    const h = target.getBoundingClientRect().height;
    if (h < 43.5) out.push("tap target " + Math.round(h) + " px high: " + name(el));
  });
  const seen = new Set();
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const el = walk.currentNode.parentElement;
    if (!walk.currentNode.textContent.trim() || !el || seen.has(el) || !visible(el)) continue;
    seen.add(el);
    const size = parseFloat(getComputedStyle(el).fontSize), min = 15;
    if (size < min - 0.01) out.push("text " + size.toFixed(1) + " px (min " + min + "): " + name(el));
  }
  return out;
})()`

// TestE2EPhoneAudit signs in as each kind of demo user on WeChat's browser
// on a 360 px phone, opens every page the user's menu leads to and the
// first record each of those lists links to, and runs phoneAudit on each;
// the public pages too. A new module's pages are audited as soon as its
// menu entry exists. All problems are reported together.
func TestE2EPhoneAudit(t *testing.T) {
	needChromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Second)
	defer cancel()
	base, pw := startDemo(t, ctx)
	b := newBrowser(t, ctx, base)
	b.do("phone", chromedp.Emulate(wechatPhone{}))

	var problems []string
	audited := map[string]bool{}
	audit := func(who, path string) {
		t.Helper()
		if audited[who+" "+path] {
			return
		}
		audited[who+" "+path] = true
		b.open(path)
		found, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](phoneAudit))
		if err != nil {
			b.fatal("audit "+path, err)
		}
		for _, f := range found {
			problems = append(problems, fmt.Sprintf("%s %s: %s", who, path, f))
		}
	}
	hrefs := func(sel string) []string {
		t.Helper()
		got, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](fmt.Sprintf(
			`Array.from(document.querySelectorAll(%q), a => a.getAttribute("href")).filter(h => h && h.startsWith("/") && !/\.(xlsx|pdf|csv|zip)(\?|$)/.test(h))`, sel)))
		if err != nil {
			b.fatal("links "+sel, err)
		}
		return got
	}

	for _, p := range []string{"/login", "/notice/" + demoVillage, "/board/" + demoVillage} {
		audit("public", p)
	}
	// Besides the menus, the pages #19 names: a household with its member
	// actions, its statement and award form, the inspection sheet, the
	// counter, the committee's queue.
	users := []struct {
		login, password string
		also            []string
	}{
		{"pingan", pw["pingan"], []string{"/regions/" + demoVillage + "/inspection"}}, {"pingan-review", pw["pingan-review"], []string{"/reviews"}},
		{"pingan-shop", pw["pingan-shop"], nil}, {"keerqin", pw["keerqin"], nil}, {"keerqin-org", pw["keerqin-org"], []string{"/training/classes/1/evaluation", "/training/classes/1/evaluation?source=headteacher", "/training/certificates/1",
			"/training/retakes", "/training/retakes?closed=1", "/training/files", "/training/figures"}}, {"keerqin-unit", pw["keerqin-unit"], nil},
		{demoVillagerPhone, pw[demoVillage+"-001"], nil},
	}
	for _, u := range users {
		if u.password == "" {
			t.Fatalf("the demo printed no password for %s", u.login)
		}
		b.signIn(u.login, u.password)
		home := b.path()
		audit(u.login, home)
		menu := hrefs(".sidenav a")
		for _, m := range menu {
			audit(u.login, m)
			// One record down: the first of the list's own links.
			for _, h := range hrefs("main table.grid tbody a") {
				if p, err := url.Parse(h); err == nil && !slices.Contains(menu, p.Path) && !strings.HasPrefix(p.Path, "/logout") {
					audit(u.login, h)
					break
				}
			}
		}
		for _, p := range u.also {
			audit(u.login, p)
		}
		switch u.login {
		case "pingan":
			b.open("/households?region=" + demoVillage)
			if m := regexp.MustCompile(`href="(/households/\d+)"`).FindStringSubmatch(b.html()); m != nil {
				for _, p := range []string{m[1], m[1] + "/points", m[1] + "/award"} {
					audit(u.login, p)
				}
			}
		case "pingan-shop":
			b.open("/market")
			if m := regexp.MustCompile(`href="(/stores/\d+)"`).FindStringSubmatch(b.html()); m != nil {
				audit(u.login, m[1]+"/counter")
			}
		}
		b.screenshot("e2e-phone-" + strings.ReplaceAll(u.login, "/", "-") + ".png")
		b.open(home)
		b.signOut()
	}
	t.Logf("%d pages audited at 360 px", len(audited))
	if len(problems) > 0 {
		t.Fatalf("%d problems on a 360 px phone:\n%s", len(problems), strings.Join(problems, "\n"))
	}
}
