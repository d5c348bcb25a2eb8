package main

// End-to-end test: the real serve command in-process, driven by Debian's
// Chromium through chromedp, the way a township clerk uses the product:
// first sign-in, the region tree, an .xlsx import with a bad row, the
// household list and detail, and the list on a phone-sized screen.
//
// It needs /usr/bin/chromium and CJK fonts (scripts/install-test-deps.sh).
// Without Chromium it is skipped on a developer's machine and fails in CI.
// Full-page screenshots go to $SHANZHI_SCREENSHOTS or <repo>/build/screenshots.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"shanzhi/internal/registry"
	"shanzhi/internal/totp"
)

const chromiumPath = "/usr/bin/chromium"

// syncBuffer collects output written from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// e2eEnv is the environment the command sees: nothing from the machine's
// SHANZHI_* variables leaks into the test.
func e2eEnv(string) string { return "" }

var (
	listeningRe = regexp.MustCompile(`shanzhi listening on (http://[^/\s]+)`)
	oneTimeRe   = regexp.MustCompile(`created (\w+) \(\S+\) with one-time password (\S+)`)
	oneTimeFile = regexp.MustCompile(`(\S+first-admins-\S+\.txt)`)
)

// startServer runs "shanzhi serve" on a free port over a fresh data
// directory and returns its base URL and the administrator's one-time
// password, read from what the command prints.
func startServer(t *testing.T, ctx context.Context) (base string, oneTime map[string]string) {
	t.Helper()
	oneTime = map[string]string{}
	base = startCommand(t, ctx, []string{"serve", "-addr", "127.0.0.1:0", "-data-dir", t.TempDir()}, func(l string) bool {
		// Not a terminal: the passwords are in the file the line names.
		if m := oneTimeFile.FindStringSubmatch(l); m != nil {
			if fi, err := os.Stat(m[1]); err != nil {
				t.Error(err)
			} else if fi.Mode().Perm() != 0o600 {
				t.Errorf("one-time password file %s has mode %v, want 0600", m[1], fi.Mode().Perm())
			}
			b, err := os.ReadFile(m[1])
			if err != nil {
				t.Error(err)
			}
			for _, m := range oneTimeRe.FindAllStringSubmatch(string(b), -1) {
				oneTime[m[1]] = m[2]
			}
		}
		if oneTimeRe.MatchString(l) {
			t.Errorf("serve printed a one-time password to a stdout that is no terminal: %s", l)
		}
		return len(oneTime) == 3
	})
	return base, oneTime
}

// startCommand runs a serving command in-process and returns its base URL
// once it listens and line has accepted everything it waits for in the
// output. The server stops, and run is checked to return cleanly, when the
// test ends.
func startCommand(t *testing.T, ctx context.Context, args []string, line func(string) bool) string {
	t.Helper()
	var stdout, stderr syncBuffer
	sctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(sctx, args, e2eEnv, strings.NewReader(""), pw, &stderr)
		pw.Close()
		done <- err
	}()
	readyc := make(chan string, 1)
	go func() {
		base, satisfied, sent := "", false, false
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			l := sc.Text()
			stdout.Write([]byte(l + "\n"))
			if m := listeningRe.FindStringSubmatch(l); m != nil {
				base = m[1]
			}
			if !satisfied {
				satisfied = line(l)
			}
			if !sent && base != "" && satisfied {
				readyc <- base
				sent = true
			}
		}
		io.Copy(io.Discard, pr) // never leave the server blocked on a write
	}()

	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("shanzhi %s returned %v after its context was cancelled", args[0], err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("shanzhi %s did not return within 15 s of its context being cancelled", args[0])
		}
		if t.Failed() {
			t.Logf("server stdout:\n%s", stdout.String())
			t.Logf("server stderr (last 4 KB):\n%s", tail(stderr.String(), 4096))
		}
	})

	select {
	case base := <-readyc:
		return base
	case err := <-done:
		t.Fatalf("shanzhi %s returned before it was ready: %v\nstdout:\n%s\nstderr:\n%s", args[0], err, stdout.String(), stderr.String())
	case <-ctx.Done():
		t.Fatalf("shanzhi %s not ready: %v\nstdout:\n%s\nstderr:\n%s", args[0], ctx.Err(), stdout.String(), stderr.String())
	}
	return ""
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// screenshotDir is where the screenshots go: $SHANZHI_SCREENSHOTS, or
// build/screenshots at the repository root (two levels above this package).
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SHANZHI_SCREENSHOTS")
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(wd, "..", "..", "build", "screenshots")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser drives one Chromium tab; every helper fails the test with the
// step's name, the page's address and its text, so a failure says where.
type browser struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string
	log   *syncBuffer
	// secrets and used track each user's authenticator: its secret and
	// how many codes it has produced.
	secrets map[string]string
	used    map[string]int
}

func newBrowser(t *testing.T, ctx context.Context, base string) *browser {
	t.Helper()
	var log syncBuffer
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "chromium-profile")),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(&log),
	)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		bcancel()
		acancel()
		if t.Failed() {
			t.Logf("chromium output (last 4 KB):\n%s", tail(log.String(), 4096))
		}
	})
	b := &browser{t: t, ctx: bctx, base: base, shots: screenshotDir(t), log: &log, secrets: map[string]string{}, used: map[string]int{}}
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		t.Fatalf("start %s: %v\n%s", chromiumPath, err, log.String())
	}
	return b
}

// fatal stops the test with what the browser shows.
func (b *browser) fatal(step string, err error) {
	b.t.Helper()
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	body, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	b.t.Fatalf("%s: %v\n  at %s\n  page text:\n%s", step, err, loc, tail(body, 3000))
}

func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.fatal(step, err)
	}
}

// load runs actions that lead to a new page (a navigation, a click on a
// link or a submit button), waits for it and checks it came back 200.
func (b *browser) load(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	res, err := chromedp.RunResponse(b.ctx, actions...)
	if err != nil {
		b.fatal(step, err)
	}
	if res.Status != 200 {
		b.fatal(step, fmt.Errorf("HTTP %d for %s", res.Status, res.URL))
	}
}

func (b *browser) open(path string) {
	b.t.Helper()
	b.load("open "+path, chromedp.Navigate(b.base+path))
}

func (b *browser) path() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.fatal("location", err)
	}
	return strings.TrimPrefix(loc, b.base)
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.fatal("text of "+sel, err)
	}
	return strings.TrimSpace(s)
}

func (b *browser) html() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	if err != nil {
		b.fatal("page HTML", err)
	}
	return s
}

// texts returns the trimmed text of every element matching a CSS selector.
func (b *browser) texts(sel string) []string {
	b.t.Helper()
	js := fmt.Sprintf(`Array.from(document.querySelectorAll(%q), e => e.textContent.trim())`, sel)
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](js))
	if err != nil {
		b.fatal("texts of "+sel, err)
	}
	return s
}

// summary reads a .summary definition list as label → value.
func (b *browser) summary() map[string]string {
	b.t.Helper()
	js := `Object.fromEntries(Array.from(document.querySelectorAll('.summary dl > div'), d => [d.querySelector('dt').textContent.trim(), d.querySelector('dd').textContent.trim()]))`
	m, err := chromedp.Run(b.ctx, chromedp.Evaluate[map[string]string](js))
	if err != nil {
		b.fatal("summary", err)
	}
	return m
}

func (b *browser) expectPath(prefix string) {
	b.t.Helper()
	if p := b.path(); !strings.HasPrefix(p, prefix) {
		b.fatal("address", fmt.Errorf("at %s, want %s", p, prefix))
	}
}

func (b *browser) expectText(sel string, want ...string) {
	b.t.Helper()
	got := b.text(sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			b.fatal("text of "+sel, fmt.Errorf("lacks %q; has %q", w, got))
		}
	}
}

func (b *browser) screenshot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.fatal("screenshot "+name, err)
	}
	file := filepath.Join(b.shots, name)
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", file)
}

// firstSignIn takes a new account through its first sign-in: the one-time
// password, enrolling an authenticator from the QR page's secret, the
// password change, and a second sign-in with a fresh code.
func (b *browser) firstSignIn(user, oneTime string) {
	b.t.Helper()
	b.signIn(user, oneTime)
	if b.path() == "/login/otp" {
		b.secrets[user] = strings.TrimSpace(b.text(".qr .mono"))
		b.screenshot("e2e-00-second-factor.png")
		b.code(user)
	}
	b.expectPath("/password")
	const newPassword = "Second-Pass-2"
	b.do("fill password form",
		chromedp.SendKeys(chromedp.CSS("#f-old"), oneTime),
		chromedp.SendKeys(chromedp.CSS("#f-new"), newPassword),
		chromedp.SendKeys(chromedp.CSS("#f-again"), newPassword))
	b.load("submit password change", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.expectPath("/login")
	b.expectText(".flash", "密码已修改")
	b.signIn(user, newPassword)
	if _, ok := b.secrets[user]; ok {
		b.expectPath("/login/otp")
		b.code(user)
	}
}

// code enters user's next TOTP code. A code is good once, so the k-th
// code of a user is the one for k steps of 30 seconds ahead, which the
// server's one-step tolerance accepts; no user here needs more than two.
func (b *browser) code(user string) {
	b.t.Helper()
	k := b.used[user]
	b.used[user]++
	c, err := totp.Code(b.secrets[user], time.Now().Add(time.Duration(k)*30*time.Second))
	if err != nil {
		b.fatal("totp code", err)
	}
	b.do("fill code", chromedp.SendKeys(chromedp.CSS("#f-code"), c))
	b.load("submit code", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
}

// signOut presses the sign-out button in the top bar.
func (b *browser) signOut() {
	b.t.Helper()
	b.load("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))
	b.expectPath("/login")
}

// signIn fills the login form and submits it.
func (b *browser) signIn(user, password string) {
	b.t.Helper()
	b.open("/login")
	b.do("fill login form",
		chromedp.SendKeys(chromedp.CSS("#f-username"), user),
		chromedp.SendKeys(chromedp.CSS("#f-password"), password))
	b.load("submit login", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
}

// clickLink follows the first link to href and checks the page title.
func (b *browser) clickLink(href, wantTitle string) {
	b.t.Helper()
	b.load("click "+href, chromedp.Click(chromedp.CSS(fmt.Sprintf(`main a[href=%q]`, href))))
	if h := b.text("h1"); h != wantTitle {
		b.fatal("click "+href, fmt.Errorf("page title %q, want %q", h, wantTitle))
	}
}

// person is one row of the test ledger.
type person struct {
	number, name, gender, ethnicity, birth, id, phone, relation, political string
}

// testID makes a valid 18-character ID number of 科尔沁右翼前旗 for a birth
// date (yyyymmdd) and a sequence whose last digit gives the gender.
func testID(birth string, seq int) string {
	first := fmt.Sprintf("152221%s%03d", birth, seq)
	return first + string(registry.CheckChar(first))
}

// breakCheck returns id with a wrong check character.
func breakCheck(id string) string {
	for _, c := range "0123456789X" {
		if byte(c) != id[17] {
			return id[:17] + string(c)
		}
	}
	panic("unreachable")
}

// ledger is a village register as clerks keep it: a merged title, a
// 填报单位 line, the header on row 3, an alias header (手机号码), dates
// written three ways, 蒙古 for 蒙古族, 党员 for 中共党员, stray spaces,
// and one member whose ID number has a wrong check digit (row 6).
func ledger() (people []person, badLine int, badID string) {
	people = []person{
		{"001", "王建国", "男", "汉族", "1965-03-12", testID("19650312", 11), "13812345678", "户主", "党员"},
		{"001", "李秀兰", "女", "汉族", "1967/8/20", testID("19670820", 22), "", "配偶", "群众"},
		{"001", "王小明", "男", "汉族", "1992年1月5日", breakCheck(testID("19920105", 31)), "", "子", "共青团员"},
		{"002", "巴特尔", "男", "蒙古", "19701130", testID("19701130", 15), "150 4711 2345", "户主", ""},
		{"002", " 其其格 ", "女", "蒙古族", "1972-04-18", testID("19720418", 26), "", "配偶", "群众"},
		{"003", "张桂芳", "女", "汉族", "1958-10-02", testID("19581002", 48), "13947001234", "户主", "群众"},
	}
	return people, 6, people[2].id
}

func writeLedger(t *testing.T, path string, people []person) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := f.GetSheetName(0)
	if err := f.SetSheetName(sh, "平安村"); err != nil {
		t.Fatal(err)
	}
	sh = "平安村"
	set := func(cell string, v any) {
		if err := f.SetCellValue(sh, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "科尔沁镇平安村户籍台账")
	if err := f.MergeCell(sh, "A1", "I1"); err != nil {
		t.Fatal(err)
	}
	set("A2", "填报单位：科尔沁镇平安村村民委员会")
	set("F2", "填报日期：2026年3月1日")
	headers := []string{"户号", "姓名", "性别", "民族", "出生日期", "身份证号", "手机号码", "与户主关系", "政治面貌"}
	for i, h := range headers {
		cell, _ := excelize.CoordinatesToCellName(i+1, 3)
		set(cell, h)
	}
	for r, p := range people {
		for c, v := range []string{p.number, p.name, p.gender, p.ethnicity, p.birth, p.id, p.phone, p.relation, p.political} {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+4)
			set(cell, v)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// needChromium skips a browser test where Chromium is missing, except in
// CI, where the project's scripts must have installed it.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("%s not installed (run scripts/install-test-deps.sh): %v", chromiumPath, err)
		}
		t.Fatalf("%s not installed in CI; scripts/install-test-deps.sh must run first: %v", chromiumPath, err)
	}
}

// pageWidth is how wide the page is laid out, to catch sideways scrolling
// on a phone.
func (b *browser) pageWidth() int {
	b.t.Helper()
	width, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		b.fatal("page width", err)
	}
	return width
}

func TestE2EBrowser(t *testing.T) {
	needChromium(t)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 110*time.Second)
	defer cancel()

	base, oneTime := startServer(t, ctx)
	b := newBrowser(t, ctx, base)

	// 1. The system administrator's first sign-in: enrol an authenticator,
	// change the one-time password, sign in again with a fresh code, and
	// create the account of a township clerk.
	b.firstSignIn("admin", oneTime["admin"])
	b.expectPath("/admin/users")
	b.open("/admin/users/new")
	b.do("fill new user", chromedp.SendKeys(chromedp.CSS("#f-username"), "zhangsan"), chromedp.SendKeys(chromedp.CSS("#f-display"), "张三"))
	b.load("create user", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	clerkOneTime := b.text(".flash strong")
	if len(clerkOneTime) < 12 {
		b.fatal("new user", fmt.Errorf("no one-time password shown: %q", b.text(".flash")))
	}
	m := regexp.MustCompile(`action="(/admin/users/\d+)/reset"`).FindStringSubmatch(b.html())
	if m == nil {
		b.fatal("new user", fmt.Errorf("no account actions on the page"))
	}
	userPage := m[1]
	b.screenshot("e2e-00-new-user.png")
	if strings.Contains(b.html(), `action="`+userPage+`/grant"`) {
		b.fatal("separation of duties", fmt.Errorf("the system administrator is offered to grant roles"))
	}
	b.signOut()

	// 2. The security administrator grants the clerk a role at 科尔沁镇.
	b.firstSignIn("security", oneTime["security"])
	b.open(userPage)
	b.do("fill grant", chromedp.SetValue(chromedp.CSS("#role"), "operator"), chromedp.SendKeys(chromedp.CSS("#region"), "152221100000"))
	b.load("grant", chromedp.Click(chromedp.CSS(`form[action$="/grant"] button`)))
	b.expectText("table.grid", "经办人员", "152221100000")
	b.signOut()

	// 3. The clerk signs in (a township official: second factor too) and
	// lands on 科尔沁镇; one click down to 平安村.
	b.firstSignIn("zhangsan", clerkOneTime)
	b.expectPath("/regions/152221100000")
	if h := b.text("h1"); h != "科尔沁镇" {
		b.fatal("home", fmt.Errorf("title %q, want 科尔沁镇", h))
	}
	if v := b.texts(`table.grid tbody a[href="/regions/152221100210"]`); !slices.Equal(v, []string{"平安村"}) {
		b.fatal("科尔沁镇's villages", fmt.Errorf("link to 152221100210 reads %q, want 平安村", v))
	}
	b.screenshot("e2e-01-region-tree.png")
	b.clickLink("/regions/152221100210", "平安村")
	wantCrumbs := []string{"内蒙古自治区", "兴安盟", "科尔沁右翼前旗", "科尔沁镇", "平安村"}
	if got := b.texts("ol.crumbs li"); !slices.Equal(got, wantCrumbs) {
		b.fatal("breadcrumb", fmt.Errorf("got %q, want %q", got, wantCrumbs))
	}
	b.screenshot("e2e-02-region-village.png")

	// 3. Import a messy ledger with one bad row; preview, then skip it.
	people, badLine, badID := ledger()
	xlsx := filepath.Join(t.TempDir(), "平安村户籍台账.xlsx")
	writeLedger(t, xlsx, people)
	b.open("/import?region=152221100210")
	b.expectText(".intro", "科尔沁镇平安村")
	b.do("choose file", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{xlsx}))
	b.load("upload", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.expectPath("/import/")
	sum := b.summary()
	if sum["数据行数"] != "6" || sum["有误行数"] != "1" {
		b.fatal("preview summary", fmt.Errorf("got %v, want 6 rows, 1 rejected", sum))
	}
	problems, err := chromedp.Run(b.ctx, chromedp.Evaluate[[][]string](
		`Array.from(document.querySelectorAll('table.grid tbody tr'), tr => Array.from(tr.cells, td => td.textContent.trim()))`))
	if err != nil {
		b.fatal("problem table", err)
	}
	found := false
	for _, row := range problems {
		// Line, the row's person, column, message.
		if len(row) == 4 && row[0] == fmt.Sprint(badLine) && row[1] != "" && row[2] == "身份证号" {
			found = true
			if !strings.Contains(row[3], "校验位") {
				b.fatal("problem table", fmt.Errorf("row %d 身份证号: message %q does not name the check digit", badLine, row[3]))
			}
		}
	}
	if !found {
		b.fatal("problem table", fmt.Errorf("no problem on line %d, column 身份证号: %q", badLine, problems))
	}
	if len(problems) != 1 {
		t.Errorf("problem table has %d rows, want only the bad ID: %q", len(problems), problems)
	}
	b.screenshot("e2e-03-import-preview.png")
	b.load("import skipping bad rows", chromedp.Click(chromedp.CSS(`button[name=mode][value=skip]`)))
	b.expectText(".flash", "已写入")
	sum = b.summary()
	if sum["新增户"] != "3" || sum["新增人员"] != "5" {
		b.fatal("import result", fmt.Errorf("got %v, want 3 households and 5 residents", sum))
	}
	b.screenshot("e2e-04-import-done.png")

	// 4. The household list, a search by pinyin initials, a household.
	b.open("/households?region=152221100210")
	heads := b.texts("table.grid tbody tr td:nth-child(3)")
	for _, h := range []string{"王建国", "巴特尔", "张桂芳"} {
		if !slices.Contains(heads, h) {
			b.fatal("household list", fmt.Errorf("head %s missing: %q", h, heads))
		}
	}
	b.expectText(".pager", "共 3 条")
	b.screenshot("e2e-05-households.png")
	b.do("type query", chromedp.SendKeys(chromedp.CSS("#q"), "wjg"))
	b.load("search", chromedp.Click(chromedp.CSS(`form[role=search] button[type=submit]`)))
	b.expectPath("/households?")
	if heads := b.texts("table.grid tbody tr td:nth-child(3)"); !slices.Equal(heads, []string{"王建国"}) {
		b.fatal("search wjg", fmt.Errorf("heads %q, want only 王建国", heads))
	}
	b.expectText(".pager", "共 1 条")
	b.load("open household", chromedp.Click(chromedp.CSS(`table.grid tbody a[href^="/households/"]`)))
	b.expectPath("/households/")
	b.expectText(".summary", "001", "王建国", "平安村")
	members, err := chromedp.Run(b.ctx, chromedp.Evaluate[[][]string](
		`Array.from(document.querySelectorAll('main table.grid')[0].tBodies[0].rows, tr => Array.from(tr.cells, td => td.textContent.trim()))`))
	if err != nil {
		b.fatal("members table", err)
	}
	masked := regexp.MustCompile(`^1522\*{10}\d{3}[\dX]$`)
	var names []string
	for _, m := range members {
		if len(m) < 8 {
			b.fatal("members table", fmt.Errorf("short row %q", m))
		}
		names = append(names, m[1])
		if !masked.MatchString(m[6]) {
			b.fatal("members table", fmt.Errorf("ID column of %s is %q, want a masked 1522**********xxxX", m[1], m[6]))
		}
	}
	if !slices.Equal(names, []string{"王建国", "李秀兰"}) {
		b.fatal("members table", fmt.Errorf("members %q, want 王建国 and 李秀兰 (王小明's row was skipped)", names))
	}
	if want := "1522**********" + people[0].id[14:]; members[0][6] != want {
		b.fatal("members table", fmt.Errorf("head's ID shows %q, want %q", members[0][6], want))
	}
	page := b.html()
	for _, p := range people {
		if strings.Contains(page, p.id) || strings.Contains(page, p.id[:17]) {
			b.fatal("household page", fmt.Errorf("shows the full ID number of %s", p.name))
		}
		if p.phone != "" && strings.Contains(page, strings.ReplaceAll(p.phone, " ", "")) {
			b.fatal("household page", fmt.Errorf("shows the full phone number of %s", p.name))
		}
	}
	if strings.Contains(page, badID) {
		b.fatal("household page", errors.New("shows the rejected ID number"))
	}
	b.screenshot("e2e-06-household.png")
	householdPath := b.path()

	// 5. A phone: the page must not scroll sideways; wide tables scroll
	// inside their .table-wrap.
	b.do("phone viewport", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	b.open("/households?region=152221100210")
	width := b.pageWidth()
	if width > 361 {
		b.fatal("phone list", fmt.Errorf("page is %d px wide on a 360 px screen: it scrolls sideways", width))
	}
	wrap, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]int](
		`(w => [w.scrollWidth, w.clientWidth])(document.querySelector('.table-wrap'))`))
	if err != nil {
		b.fatal("phone table", err)
	}
	t.Logf("phone: page scrollWidth %d, .table-wrap scrollWidth %d in %d", width, wrap[0], wrap[1])
	b.screenshot("e2e-07-phone-households.png")
	b.open(householdPath)
	t.Logf("phone: household page scrollWidth %d", b.pageWidth())
	b.screenshot("e2e-08-phone-household.png")

	t.Logf("browser scenario took %s", time.Since(start).Round(time.Millisecond))
}

// TestE2EVersion runs "shanzhi version" through the same run function the
// binary's main calls.
func TestE2EVersion(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"version"}, e2eEnv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("shanzhi version: %v\n%s", err, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "shanzhi") {
		t.Fatalf("shanzhi version printed %q, want it to start with \"shanzhi\"", out.String())
	}
}
