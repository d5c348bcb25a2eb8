package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// printPDF prints the open page to PDF as the browser's print dialog does
// with the page's own paper size (print CSS and @page rules).
func (b *browser) printPDF(step string) []byte {
	b.t.Helper()
	yes := true
	res, err := chromedp.Run(b.ctx, func(ctx context.Context, t *chromedp.Target) (*page.PrintToPDFResult, error) {
		r, err := cdp.Call(ctx, t, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes, PrintBackground: &yes})
		return &r, err
	})
	if err != nil {
		b.fatal(step, err)
	}
	return res.Data
}

// fetchBytes fetches path with the browser's session and returns the body.
func (b *browser) fetchBytes(step, path string) []byte {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(`fetch(%q).then(r => r.arrayBuffer()).then(buf => {
		const u = new Uint8Array(buf); let s = "";
		for (let i = 0; i < u.length; i += 8192) s += String.fromCharCode.apply(null, u.subarray(i, i + 8192));
		return btoa(s);
	})`, path), chromedp.EvalAwaitPromise))
	if err != nil {
		b.fatal(step, err)
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b.fatal(step, err)
	}
	return raw
}

// pdfPages is the text of each page of a PDF, read by poppler's pdftotext.
func pdfPages(t *testing.T, pdf []byte) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "p.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils, from scripts/install-test-deps.sh): %v", err)
	}
	return strings.Split(strings.TrimRight(string(out), "\f"), "\f")
}

// TestE2EPrint prints the register of a 300-household village from the
// browser, as an official would with Ctrl+P: the page count is the one the
// page numbers at the foot of each page give, every page repeats the
// column headers, the last household is on the last page, and our own PDF
// of the same document holds the same households in the same order.
func TestE2EPrint(t *testing.T) {
	needChromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	dir := t.TempDir()
	base, pw := startDemoAt(t, ctx, dir)
	have := growVillage(t, ctx, dir, sheetHouseholds)
	b := newBrowser(t, ctx, base)
	b.signIn("pingan", pw["pingan"])
	b.open("/regions/" + demoVillage + "/register/print")
	b.expectText("main", "户籍台账", fmt.Sprintf("%d 户", have))
	b.screenshot("print-register.png")
	pages := pdfPages(t, b.printPDF("print the register"))
	number := regexp.MustCompile(`(?m)^\s*(\d+) / (\d+)\s*$`)
	for i, p := range pages {
		m := number.FindStringSubmatch(p)
		if m == nil || m[1] != fmt.Sprint(i+1) || m[2] != fmt.Sprint(len(pages)) {
			t.Fatalf("browser print, page %d of %d: page number %v", i+1, len(pages), m)
		}
		if !strings.Contains(p, "身份证号") {
			t.Errorf("browser print, page %d: no repeated column headers", i+1)
		}
	}
	last := fmt.Sprintf("E%03d", have-1)
	if !strings.Contains(pages[len(pages)-1], last) || len(pages) < 5 {
		t.Fatalf("browser print: %d pages, the last without %s", len(pages), last)
	}
	ours := pdfPages(t, b.fetchBytes("our PDF", "/regions/"+demoVillage+"/register.pdf"))
	households := regexp.MustCompile(`(?m)^\s*\d+\s+([0-9A-Z]\S*)\s`) // 序号 and 户号; not the page numbers
	numbers := func(ps []string) []string {
		var out []string
		for _, p := range ps {
			for _, m := range households.FindAllStringSubmatch(p, -1) {
				out = append(out, m[1])
			}
		}
		return out
	}
	browser, pdf := numbers(pages), numbers(ours)
	if len(browser) < have || strings.Join(browser, ",") != strings.Join(pdf, ",") {
		t.Fatalf("households: browser print %d, our PDF %d; first differences: %v / %v", len(browser), len(pdf), browser[:min(5, len(browser))], pdf[:min(5, len(pdf))])
	}
	if !strings.Contains(ours[len(ours)-1], last) {
		t.Fatalf("our PDF: the last page lacks %s", last)
	}
	t.Logf("register of %d households: browser %d pages, our PDF %d pages", have, len(pages), len(ours))
}

// TestE2EPrintViews prints every official print view from the browser, as
// an official would with Ctrl+P, on the demo grown to 300 households: each
// prints at least the pages its fixture needs, numbered 1 / N to N / N
// where it runs over one page, and its last entry (the last table row) and
// its closing block (signatures, seal, QR) are on the last page, so
// nothing is lost at a page break.
func TestE2EPrintViews(t *testing.T) {
	needChromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Second)
	defer cancel()
	dir := t.TempDir()
	base, pw := startDemoAt(t, ctx, dir)
	growVillage(t, ctx, dir, sheetHouseholds)
	b := newBrowser(t, ctx, base)
	b.signIn("pingan", pw["pingan"])
	b.open("/households?region=" + demoVillage)
	household := regexp.MustCompile(`href="(/households/\d+)"`).FindStringSubmatch(b.html())
	b.open("/talent")
	candidate := regexp.MustCompile(`href="(/talent/candidates/\d+)"`).FindStringSubmatch(b.html())
	if household == nil || candidate == nil {
		b.fatal("print views", fmt.Errorf("no household or candidate to print"))
	}
	number := regexp.MustCompile(`(?m)^\s*(\d+) / (\d+)\s*$`)
	squeeze := func(s string) string { return strings.Join(strings.Fields(s), "") }
	for _, v := range []struct {
		path     string
		minPages int
	}{
		{"/regions/" + demoVillage + "/inspection/print?item=env-03", 5},
		{"/regions/" + demoVillage + "/notice/print", 1},
		{household[1] + "/points/print?from=2025-01-01", 1},
		{household[1] + "/card/print", 1},
		{candidate[1] + "/print", 1},
	} {
		b.open(v.path)
		last, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](
			`(r => r ? Array.from(r.cells, c => c.textContent.trim()).filter(s => s.length > 1).slice(0, 2).join("") : "")(document.querySelector("article.doc table.doc-table tbody tr:last-child"))`))
		if err != nil {
			b.fatal(v.path, err)
		}
		closing, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](
			`(e => e ? (e.querySelector(".doc-sign span, .seal, .doc-qr p") || {textContent: ""}).textContent.trim() : "")(document.querySelector("article.doc .doc-end"))`))
		if err != nil {
			b.fatal(v.path, err)
		}
		pages := pdfPages(t, b.printPDF("print "+v.path))
		if len(pages) < v.minPages {
			t.Errorf("%s: %d pages, want at least %d for the fixture", v.path, len(pages), v.minPages)
			continue
		}
		if len(pages) > 1 {
			for i, p := range pages {
				if m := number.FindStringSubmatch(p); m == nil || m[1] != fmt.Sprint(i+1) || m[2] != fmt.Sprint(len(pages)) {
					t.Errorf("%s, page %d of %d: page number %v", v.path, i+1, len(pages), m)
				}
			}
		}
		end := squeeze(pages[len(pages)-1])
		if last != "" && !strings.Contains(end, squeeze(last)) {
			t.Errorf("%s: the last entry %q is not on the last of %d pages", v.path, last, len(pages))
		}
		if closing != "" && !strings.Contains(end, squeeze(closing)) {
			t.Errorf("%s: the closing block (%q) is not on the last of %d pages", v.path, closing, len(pages))
		}
		t.Logf("%s: %d pages, last entry %q", v.path, len(pages), last)
	}
}
