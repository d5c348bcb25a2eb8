package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/chromedp"
)

// TestE2EBilingual opens the demo gacha's public notice in Chromium, as a
// villager would on a phone, and checks what the machine can check of
// the Mongolian: it is drawn with the font the product serves, not with
// the Noto Sans Mongolian the test machine has installed (DevTools tells
// a downloaded face from a platform one), its lines run vertically, and
// Mongolian comes before Chinese; then the board, whose table still fits
// a 360 px screen with its headers in both scripts.
func TestE2EBilingual(t *testing.T) {
	needChromium(t)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base, _ := startDemoAt(t, ctx, t.TempDir())
	b := newBrowser(t, ctx, base)
	b.do("phone viewport", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))

	b.open("/notice/" + demoGacha)
	// The font loads before the text is shown (font-display: block).
	loaded, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.fonts.ready.then(fs => [...fs].some(f => f.family.includes("Shanzhi Mongolian") && f.status === "loaded"))`, chromedp.EvalAwaitPromise))
	if err != nil || !loaded {
		b.fatal("font", fmt.Errorf("the served Mongolian face did not load (%v)", err))
	}
	b.screenshot("e2e-60-bilingual-notice.png")

	// The heading's Mongolian: laid out top to bottom, taller than wide.
	type box struct {
		Mode          string
		Width, Height float64
		MnFirst       bool
	}
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[box](`(() => {
		const mn = document.querySelector("h1 .mn"), zh = document.querySelector("h1 .zh");
		const r = mn.getBoundingClientRect();
		return {Mode: getComputedStyle(mn).writingMode, Width: r.width, Height: r.height,
			MnFirst: !!(mn.compareDocumentPosition(zh) & Node.DOCUMENT_POSITION_FOLLOWING) && r.left < zh.getBoundingClientRect().left};
	})()`))
	if err != nil {
		b.fatal("heading layout", err)
	}
	if got.Mode != "vertical-lr" || got.Height <= got.Width || !got.MnFirst {
		b.fatal("heading layout", fmt.Errorf("Mongolian heading %+v: want vertical-lr, taller than wide, left of the Chinese", got))
	}

	// Which fonts drew the heading's Mongolian: only the downloaded one.
	ids, err := chromedp.Run(b.ctx, chromedp.QueryNodeIDs(chromedp.CSS("h1 .mn")))
	if err != nil || len(ids) == 0 {
		b.fatal("heading node", err)
	}
	if _, err := chromedp.Call(b.ctx, css.Enable, cdp.Empty{}); err != nil {
		b.fatal("CSS domain", err)
	}
	fonts, err := chromedp.Call(b.ctx, css.GetPlatformFontsForNode, css.GetPlatformFontsForNodeParams{NodeID: ids[0]})
	if err != nil {
		b.fatal("platform fonts", err)
	}
	var used []string
	custom := 0
	for _, f := range fonts.Fonts {
		used = append(used, fmt.Sprintf("%s custom=%v glyphs=%v", f.FamilyName, f.IsCustomFont, f.GlyphCount))
		if f.IsCustomFont && strings.Contains(f.FamilyName, "Mongolian") && f.GlyphCount > 0 {
			custom++
		} else {
			b.fatal("platform fonts", fmt.Errorf("the Mongolian heading fell back to a system font: %s", strings.Join(used, "; ")))
		}
	}
	if custom != 1 {
		b.fatal("platform fonts", fmt.Errorf("fonts used: %v", used))
	}

	// The notice names heads masked in both scripts; the board and a
	// household card are bilingual too.
	if names := b.texts(".card h2 .bi .mn"); len(names) == 0 || !strings.HasSuffix(names[0], "*") {
		b.fatal("notice names", fmt.Errorf("masked Mongolian names: %q", names))
	}
	if w := b.pageWidth(); w > 360 {
		b.fatal("notice on a phone", fmt.Errorf("%d px wide on a 360 px screen", w))
	}
	b.open("/board/" + demoGacha)
	if heads := b.texts("tbody .bi .mn"); len(heads) < len(demoMongolFamilies) {
		b.fatal("board", fmt.Errorf("Mongolian names on the board: %q", heads))
	}
	if w := b.pageWidth(); w > 360 {
		b.fatal("board on a phone", fmt.Errorf("%d px wide on a 360 px screen", w))
	}
	b.screenshot("e2e-61-bilingual-board.png")
	t.Logf("bilingual walk-through took %s", time.Since(start).Round(time.Second))
}
